/**
 * DR across accounts, DRS's common layout: source servers replicate into a staging account, recovery happens
 * in a recovery account. The protection group names the recovery account; preflight and a drill reach it by
 * assuming the organization's member role from the management profile (never by guessing), through that
 * account's runner. Its own moto, DRS emulator (accounts kept apart by access key) and gateway.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CreateAccountAliasCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createMcpServer } from '../../src/core/agent/mcp/server';
import { readAuditTrail } from '../../src/core/audit';
import { defaultPathFor, writeDocument } from '../../src/core/dr/workspace';
import { ApiCounters } from '../../src/core/dr/aws';
import { planAccount } from '../../src/core/dr/accounts';
import {
  OperationDrActionGateway,
  OperationDrReads,
  RunScopedApprovalProvider,
} from '../../src/core/dr/operationGateway';
import { runPreflight } from '../../src/core/dr/preflight';
import { DrRunner } from '../../src/core/dr/run';
import { DrsEmulatorAdmin } from '../../tools/emulators/drs/adminClient';
import { startGateway, type RunningGateway } from '../../tools/emulators/drs/gateway';
import { startDrsEmulator, type RunningDrsEmulator } from '../../tools/emulators/drs/server';
import { startMoto, type MotoServer } from '../../tools/emulators/moto';
import { seedOrganization, type SeededOrganization } from '../../tools/seed/organization';
import { seedSampleAccount } from '../../tools/seed/sampleAccount';
import { group, plan, tempDir } from '../support/dr';
import { approvingProvider, type ScriptedApprovalProvider } from '../support/operationHarness';
import { organizationRuntime } from '../support/organizationRuntime';
import { useSandboxAwsEnv } from '../support/connection';

function repoRoot(): string {
  for (const candidate of [resolve(__dirname, '..', '..', '..'), resolve(__dirname, '..', '..')])
    if (existsSync(join(candidate, 'package.json'))) return candidate;
  return process.cwd();
}

const REGION = 'us-east-1';
const ROLE = 'OrganizationAccountAccessRole';

describe('DR across accounts: staging account and recovery account (DRS emulator + moto STS)', function () {
  this.timeout(180_000);
  let moto: MotoServer;
  let drs: RunningDrsEmulator;
  let gateway: RunningGateway;
  let seeded: SeededOrganization;
  let staging: string;
  let recovery: string;
  let recoveryServerIds: string[];
  let stagingServerId: string;
  let restoreEnv: (() => void) | undefined;

  before(async function () {
    this.timeout(600_000);
    moto = await startMoto({ repoRoot: repoRoot() });
    drs = await startDrsEmulator({
      motoEndpoint: moto.endpoint,
      defaultRegion: REGION,
      clock: { timeScale: 0.02 },
      separateAccounts: true,
    });
    gateway = await startGateway({ drs: drs.emulator, upstream: moto.endpoint });
    seeded = await seedOrganization({
      endpoint: moto.endpoint,
      accounts: [
        { name: 'dr-staging', unit: 'Infrastructure' },
        { name: 'dr-recovery', unit: 'Infrastructure', tags: { Environment: 'production' } },
      ],
    });
    staging = seeded.accounts[0].id;
    recovery = seeded.accounts[1].id;

    // The recovery account: its network, launch templates and DRS source servers, created with its own
    // credentials; the servers replicate through the staging account.
    const sts = new STSClient({
      region: REGION,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const assumed = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${recovery}:role/${ROLE}`, RoleSessionName: 'seed' }),
    );
    sts.destroy();
    const admin = new DrsEmulatorAdmin(drs.endpoint);
    const recoveryAdmin = Object.assign(Object.create(admin) as DrsEmulatorAdmin, {
      seedSourceServers: (servers: Parameters<DrsEmulatorAdmin['seedSourceServers']>[0], region?: string) =>
        admin.seedSourceServers(
          servers.map((server) => ({ ...server, stagingAccountID: staging })),
          region,
          recovery,
        ),
    });
    const sample = await seedSampleAccount({
      endpoint: gateway.endpoint,
      region: REGION,
      credentials: {
        accessKeyId: assumed.Credentials!.AccessKeyId!,
        secretAccessKey: assumed.Credentials!.SecretAccessKey!,
        sessionToken: assumed.Credentials!.SessionToken!,
      } as { accessKeyId: string; secretAccessKey: string },
      admin: recoveryAdmin,
    });
    const iam = new IAMClient({
      region: REGION,
      endpoint: moto.endpoint,
      credentials: {
        accessKeyId: assumed.Credentials!.AccessKeyId!,
        secretAccessKey: assumed.Credentials!.SecretAccessKey!,
        sessionToken: assumed.Credentials!.SessionToken!,
      },
    });
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'acme-recovery' }));
    iam.destroy();
    recoveryServerIds = Object.values(sample.servers).map((server) => server.sourceServerId);
    // The staging account has DRS state of its own, which the recovery account must never see.
    [{ sourceServerID: stagingServerId }] = await admin.seedSourceServers(
      [{ hostname: 'staging-only.example.internal', tags: { Role: 'db' } }],
      REGION,
      staging,
    );

    restoreEnv = useSandboxAwsEnv();
  });

  after(async function () {
    this.timeout(60_000);
    restoreEnv?.();
    await gateway?.stop();
    await drs?.stop();
    await moto?.stop();
  });

  async function organization(dir: string, approval: ScriptedApprovalProvider) {
    const { base, runtime, access } = await organizationRuntime(
      gateway.endpoint,
      REGION,
      { roleName: ROLE },
      {
        auditPath: join(dir, 'audit.jsonl'),
        approvalProvider: approval,
        accountAliases: true,
      },
    );
    /** DR reads and gateway for one account, through that account's runner (as the DR feature builds them). */
    const drFor = async (accountId: string) => {
      // The account's name comes from the tree (read once; the DR feature does the same, best effort).
      await access.tree('command').catch(() => undefined);
      const runner = await runtime.runner(await access.profileNameFor(accountId));
      const connection = await access
        .profileNameFor(accountId)
        .then((name) => (name === base.profileName ? base : access.memberConnection(accountId)));
      const counters = new ApiCounters();
      return {
        reads: new OperationDrReads({ runner, identity: () => connection.identity(), counters }),
        gateway: new OperationDrActionGateway({
          runner,
          approvalProvider: new RunScopedApprovalProvider(approval),
          terminateBatchSize: () => runtime.policy.maxResourcesPerOperation,
          counters,
        }),
      };
    };
    return { base, access, runtime, drFor, dispose: () => (access.dispose(), base.dispose()) };
  }

  const groups = () => [group('recovery-db', { Role: 'db' }, { account: recovery })];
  type Result = CallToolResult & { structuredContent?: Record<string, any> };
  const drPlan = () => plan('cross-account', [{ name: 'db', protectionGroups: ['recovery-db'] }]);

  it('preflight reads the group in its own account: with the management credentials it is an account mismatch', async () => {
    const dir = tempDir('pilot-light-dr-xacct-');
    const org = await organization(dir.path, approvingProvider());
    try {
      assert.deepEqual(planAccount(drPlan(), groups()), { account: recovery });
      const own = await org.drFor(seeded.managementAccountId);
      const wrong = await runPreflight({
        plan: drPlan(),
        groups: groups(),
        reads: own.reads,
        mode: 'drill',
        defaultRegion: REGION,
      });
      const mismatch = wrong.findings.find((finding) => finding.code === 'account-mismatch');
      assert.ok(mismatch, JSON.stringify(wrong.findings));
      assert.match(mismatch.message, new RegExp(`for account ${recovery}.*account ${seeded.managementAccountId}`));

      const member = await org.drFor(recovery);
      const report = await runPreflight({
        plan: drPlan(),
        groups: groups(),
        reads: member.reads,
        mode: 'drill',
        defaultRegion: REGION,
      });
      assert.equal(report.ok, true, JSON.stringify(report.findings));
      const ids = report.executionPlan.waves.flatMap((wave) => wave.servers.map((server) => server.sourceServerId));
      assert.ok(ids.length >= 1, 'the recovery account has db servers');
      assert.ok(
        ids.every((id) => recoveryServerIds.includes(id)),
        `only recovery-account servers: ${ids.join(', ')}`,
      );
      assert.ok(!ids.includes(stagingServerId), 'the staging account server is not visible from the recovery account');
      assert.equal(org.access.members.assumeRoleCalls, 1, 'one AssumeRole, then cached credentials');
    } finally {
      org.dispose();
      dir.remove();
    }
  });

  it('a drill runs in the recovery account with its assumed credentials; the approval and audit name the account', async () => {
    const dir = tempDir('pilot-light-dr-xacct-');
    const approval = approvingProvider();
    const org = await organization(dir.path, approval);
    const runner = await DrRunner.create(
      {
        ...(await org.drFor(recovery)),
        journalDir: join(dir.path, 'runs'),
        defaultRegion: REGION,
        poll: { minMs: 20, maxMs: 200, factor: 1.5 },
        logIntervalMs: 100,
        startRetryDelayMs: 50,
      },
      { plan: drPlan(), groups: groups(), mode: 'drill' },
    );
    try {
      const state = await runner.run();
      assert.equal(state.status, 'completed', JSON.stringify(state.errors ?? state));
      const recoveryJobs = drs.emulator.storeFor(recovery).region(REGION).jobs;
      assert.equal(recoveryJobs.size, 1, 'the DRS job is in the recovery account');
      assert.equal(drs.emulator.storeFor(staging).region(REGION).jobs.size, 0, 'none in the staging account');
      assert.equal(drs.emulator.store.region(REGION).jobs.size, 0, 'none in the management account');
      assert.ok(approval.requests.length >= 1, 'a drill of production servers asks for an approval');
      for (const request of approval.requests) {
        assert.equal(request.account, recovery, 'the approval names the account');
        assert.equal(request.preview.accountAlias, 'acme-recovery', 'and its IAM alias');
        assert.equal(request.preview.accountName, 'dr-recovery', 'and its organization name');
      }
      const lines = (await readAuditTrail(join(dir.path, 'audit.jsonl'), {})).filter(
        (line) => line.operation === 'drs.recovery.start',
      );
      assert.ok(lines.length >= 1);
      assert.ok(
        lines.every((line) => line.account === recovery),
        JSON.stringify(lines.map((line) => line.account)),
      );
      await runner.cleanupDrill();
    } finally {
      runner.dispose();
      org.dispose();
      dir.remove();
    }
  });
  it('MCP: dr_preflight and dr_start_drill act in the account the groups name (member role), not the session account', async () => {
    const dir = tempDir('pilot-light-dr-xacct-mcp-');
    const org = await organization(dir.path, approvingProvider());
    for (const document of [...groups(), drPlan()]) await writeDocument(defaultPathFor(dir.path, document), document);
    const server = createMcpServer({
      runtime: org.runtime,
      readOnly: false,
      allowRecovery: false,
      approvals: 'elicitation',
      clientLabel: 'test',
      organization: async () => org.access,
      dr: { workspaceFolders: [dir.path], journalDir: join(dir.path, 'runs'), connection: async () => org.base },
    });
    const asked: string[] = [];
    const client = new Client({ name: 'dr-agent', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      const wanted = /Type (?:the environment name )?"([^"]+)"/.exec(request.params.message)?.[1] ?? '';
      return { action: 'accept', content: { environment: wanted } };
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    const call = async (name: string, args: Record<string, unknown>) =>
      (await client.callTool({ name, arguments: args })) as Result;
    try {
      const checked = (await call('dr_preflight', { plan: 'cross-account' })).structuredContent!;
      assert.equal(checked.ok, true, JSON.stringify(checked.findings));
      assert.ok(!JSON.stringify(checked.findings).includes('account-mismatch'));
      assert.ok(checked.servers >= 1);
      const started = (await call('dr_start_drill', { plan: 'cross-account' })).structuredContent!;
      assert.equal(started.status, 'started', JSON.stringify(started));
      assert.ok(asked[0].includes(recovery), 'the drill form names the recovery account');
      let status: Record<string, any> | undefined;
      for (let attempt = 0; attempt < 240; attempt++) {
        status = (await call('dr_run_status', { runId: started.runId })).structuredContent!;
        if (['completed', 'failed', 'cancelled'].includes(status.status)) break;
        await new Promise((done) => setTimeout(done, 250));
      }
      assert.equal(status?.status, 'completed', JSON.stringify(status));
      assert.ok(drs.emulator.storeFor(recovery).region(REGION).jobs.size >= 1, 'the job is in the recovery account');
      assert.equal(drs.emulator.store.region(REGION).jobs.size, 0, 'none in the management (session) account');
      const audit = await readAuditTrail(join(dir.path, 'audit.jsonl'), {});
      const start = audit.find((line) => line.operation === 'dr.drill.start');
      assert.equal(start?.account, recovery);
      assert.ok(
        audit.filter((line) => line.operation === 'drs.recovery.start').every((line) => line.account === recovery),
      );
      const cleaned = (await call('dr_cleanup_drill', { runId: started.runId })).structuredContent!;
      assert.equal(cleaned.status, 'succeeded', JSON.stringify(cleaned));
    } finally {
      await client.close();
      org.dispose();
      dir.remove();
    }
  });
});
