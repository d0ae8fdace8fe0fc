/**
 * AWS Organizations against moto (its own server: IAM enforcement is switched on, which the shared stack must
 * not see): the organization tree, a fan-out over three accounts where one account's role cannot be assumed,
 * and service control policies refused in production without an approval.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readAuditTrail } from '../../src/core/audit';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { createMcpServer } from '../../src/core/agent/mcp/server';
import { ACROSS_ACCOUNTS_PROPERTIES } from '../../src/core/agent/toolCatalog';
import { renderConfirmation } from '../../src/core/conversation/render';
import { formatPreview } from '../../src/core/operations/preview';
import { fanOutFacts, memberProfileName, renderFanOut } from '../../src/core/organizations';
import { startMoto, type MotoServer } from '../../tools/emulators/moto';
import { seedOrganization, setMotoAuthentication, type SeededOrganization } from '../../tools/seed/organization';
import {
  approvingProvider,
  denyingProvider,
  tempDir,
  type ScriptedApprovalProvider,
} from '../support/operationHarness';
import { organizationRuntime } from '../support/organizationRuntime';
import { useSandboxAwsEnv } from '../support/connection';

function repoRoot(): string {
  for (const candidate of [resolve(__dirname, '..', '..', '..'), resolve(__dirname, '..', '..')])
    if (existsSync(join(candidate, 'package.json'))) return candidate;
  return process.cwd();
}

const REGION = 'us-east-1';
const SCP = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: 'ec2:TerminateInstances', Resource: '*' }],
});

describe('AWS Organizations against moto (cross-account fan-out, SCPs)', function () {
  this.timeout(180_000);
  let moto: MotoServer;
  let seeded: SeededOrganization;
  let dir: ReturnType<typeof tempDir>;
  let restoreEnv: (() => void) | undefined;

  before(async function () {
    this.timeout(600_000);
    moto = await startMoto({ repoRoot: repoRoot() });
    seeded = await seedOrganization({
      endpoint: moto.endpoint,
      managementUser: true,
      accounts: [
        { name: 'prod-app', unit: 'Workloads', tags: { Environment: 'production' }, instances: { [REGION]: 2 } },
        { name: 'dev-app', unit: 'Workloads', tags: { Environment: 'dev' }, instances: { [REGION]: 1 } },
        // Its role does not exist and the management user may not assume it: the fan-out must show the error.
        { name: 'locked', reachable: false },
      ],
    });
    await setMotoAuthentication(moto.endpoint, 0);
    restoreEnv = useSandboxAwsEnv({
      accessKeyId: seeded.managementUser!.accessKeyId,
      secretAccessKey: seeded.managementUser!.secretAccessKey,
    });
  });

  after(async () => {
    restoreEnv?.();
    await moto?.stop();
  });

  beforeEach(() => (dir = tempDir('pilot-light-orgs-it-')));
  afterEach(() => dir.cleanup());

  async function setUp(provider: ScriptedApprovalProvider = approvingProvider(), settings: object = {}) {
    const { base, runtime, access } = await organizationRuntime(
      moto.endpoint,
      REGION,
      { roleName: 'OrganizationAccountAccessRole' },
      {
        settings: { accountEnvironments: { [seeded.managementAccountId]: 'production' }, ...settings },
        auditPath: join(dir.path, 'audit.jsonl'),
        approvalProvider: provider,
      },
    );
    return { base, runtime, access };
  }

  it('reads the organization tree: OUs, accounts with status, and environments from tags', async () => {
    const { access, base } = await setUp();
    try {
      const tree = await access.tree('explorer');
      assert.equal(tree.managementAccountId, seeded.managementAccountId);
      assert.equal(tree.roots[0].id, seeded.rootId);
      const workloads = tree.roots[0].units.find((unit) => unit.name === 'Workloads');
      assert.ok(workloads, 'the Workloads OU is in the tree');
      assert.deepEqual(workloads.accounts.map((account) => account.name).sort(), ['dev-app', 'prod-app']);
      const prod = tree.accounts.find((account) => account.name === 'prod-app')!;
      assert.equal(prod.status, 'ACTIVE');
      assert.deepEqual(prod.environment, { name: 'production', source: 'tag', protected: true });
      assert.deepEqual(prod.path, ['Root', 'Workloads']);
      const management = tree.accounts.find((account) => account.id === seeded.managementAccountId)!;
      assert.equal(management.environment.name, 'production');
      assert.equal(management.environment.source, 'account');
    } finally {
      access.dispose();
      base.dispose();
    }
  });

  it('fans out over three accounts: instances of the two reachable ones and an error row for the third', async () => {
    const { access, base, runtime } = await setUp();
    try {
      const [prod, dev, locked] = seeded.accounts;
      const result = await access.fanOut({
        operationId: 'ec2.instances.list',
        accounts: [prod.id, dev.id, locked.id],
        regions: [REGION],
        caller: 'chat',
        concurrency: 2,
      });
      assert.deepEqual(
        result.rows.map((row) => [row.accountId, row.items.length]),
        [
          [prod.id, 2],
          [dev.id, 1],
        ],
      );
      assert.equal(result.failures.length, 1);
      assert.equal(result.failures[0].accountId, locked.id);
      assert.equal(result.failures[0].code, 'AccessDenied');
      assert.match(result.failures[0].message, /AssumeRole/);
      assert.equal(access.members.assumeRoleCalls, 3, 'one AssumeRole per account');

      const facts = fanOutFacts(result, runtime.policy)!;
      assert.deepEqual(
        facts.map((fact) => fact.id).sort(),
        [...prod.instanceIds[REGION], ...dev.instanceIds[REGION]].sort(),
      );
      assert.ok(facts.filter((fact) => fact.accountId === prod.id).every((fact) => fact.environment === 'production'));
      const markdown = renderFanOut(result, facts, 'EC2 instances');
      assert.match(markdown, /3 accounts × 1 region/);
      assert.match(markdown, /Could not read/);
      assert.ok(markdown.includes(locked.id) && markdown.includes('AccessDenied'));

      // Again: the credentials are cached until they expire, so no new AssumeRole.
      const again = await access.fanOut({
        operationId: 'ec2.instances.list',
        accounts: [prod.id, dev.id],
        regions: [REGION],
        caller: 'chat',
      });
      assert.equal(again.failures.length, 0);
      assert.equal(access.members.assumeRoleCalls, 3, 'no new AssumeRole for cached credentials');

      // Each member read ran under the member account's identity, through its own runner.
      const runner = await runtime.runner(memberProfileName(base.profileName, prod.id));
      const outcome = await runner.run('ec2.instances.list', {}, { caller: 'chat', mode: 'execute' });
      assert.equal(outcome.status, 'succeeded');
      assert.equal((outcome.output as { items: unknown[] }).items.length, 2);

      // A change in the member account names it, and says it is not the profile's own account.
      await access.tree('chat');
      access.memberConnection(prod.id);
      const stop = await runner.run(
        'ec2.instances.stop',
        { instanceIds: [prod.instanceIds[REGION][0]] },
        { caller: 'explorer', mode: 'dry-run' },
      );
      assert.ok(stop.preview, JSON.stringify(stop.error ?? stop.refusal));
      assert.equal(stop.preview.account, prod.id);
      assert.equal(stop.preview.accountName, 'prod-app');
      assert.equal(stop.preview.reachedFrom, base.profileName);
      assert.deepEqual(stop.preview.environments, ['production']);
      assert.match(
        formatPreview(stop.preview),
        /This change is in account prod-app \(\d{12}\), a member account reached from profile/,
      );
      assert.match(
        renderConfirmation(stop.preview, formatPreview(stop.preview)),
        /^\*\*This change is in account prod-app/,
      );
    } finally {
      access.dispose();
      base.dispose();
    }
  });

  it('selects accounts by OU and by "all"', async () => {
    const { access, base } = await setUp();
    try {
      const [prod, dev, locked] = seeded.accounts;
      const byUnit = await access.select(`ou:${prod.unitId}`, 'chat');
      assert.deepEqual(byUnit.accounts.map((account) => account.id).sort(), [prod.id, dev.id].sort());
      const all = await access.select('all', 'chat');
      assert.deepEqual(
        all.accounts.map((account) => account.id).sort(),
        [seeded.managementAccountId, prod.id, dev.id, locked.id].sort(),
      );
    } finally {
      access.dispose();
      base.dispose();
    }
  });

  it('lists SCPs and those attached to an OU; creating and attaching one needs an approval in production', async () => {
    const denied = denyingProvider();
    const { runtime, access, base } = await setUp(denied);
    try {
      const [prod] = seeded.accounts;
      const listed = await runtime.run('organizations.policies.list', {}, { caller: 'chat', mode: 'execute' });
      assert.equal(listed.status, 'succeeded');
      assert.ok(
        (listed.output as { items: Array<{ Name: string }> }).items.some((policy) => policy.Name === 'FullAWSAccess'),
      );

      // Refused at the approval: nothing is created.
      const dryRun = await runtime.run(
        'organizations.policies.create',
        { name: 'deny-terminate', content: SCP },
        { caller: 'lm-tool', mode: 'dry-run' },
      );
      assert.equal(dryRun.status, 'dry-run');
      assert.equal(dryRun.preview!.guardrails.verdict, 'needs-approval');
      assert.equal(dryRun.preview!.account, seeded.managementAccountId);
      assert.ok(dryRun.preview!.protectedEnvironments.includes('production'));
      assert.ok(dryRun.preview!.protectedEnvironments.includes('organization'));

      const refused = await runtime.run(
        'organizations.policies.create',
        { name: 'deny-terminate', content: SCP },
        { caller: 'lm-tool', mode: 'execute' },
      );
      assert.equal(refused.status, 'refused');
      assert.equal(refused.refusal!.code, 'approval-denied');
      assert.equal(denied.requests.length, 1);
      const after = await runtime.run('organizations.policies.list', {}, { caller: 'chat', mode: 'execute' });
      assert.ok(
        !(after.output as { items: Array<{ Name: string }> }).items.some((policy) => policy.Name === 'deny-terminate'),
      );

      // With an approval: created and attached to the OU, then listed for it.
      const approving = approvingProvider();
      const approved = await setUp(approving);
      const created = await approved.runtime.run(
        'organizations.policies.create',
        { name: 'deny-terminate', content: SCP },
        { caller: 'command', mode: 'execute' },
      );
      assert.equal(created.status, 'succeeded', JSON.stringify(created.error ?? created.refusal));
      const policyId = (created.output as { policyId: string }).policyId;
      const attachPreview = await approved.runtime.run(
        'organizations.policies.attach',
        { policyId, targetId: prod.unitId },
        { caller: 'command', mode: 'dry-run' },
      );
      assert.equal(attachPreview.preview!.guardrails.verdict, 'needs-approval');
      assert.match(attachPreview.preview!.changes.join(' '), /every account under it/);
      const attached = await approved.runtime.run(
        'organizations.policies.attach',
        { policyId, targetId: prod.unitId },
        { caller: 'command', mode: 'execute' },
      );
      assert.equal(attached.status, 'succeeded', JSON.stringify(attached.error ?? attached.refusal));
      assert.equal(approving.requests.length, 2);
      assert.match(approving.requests[1].preview.summary, /deny-terminate/);
      const forUnit = await approved.runtime.run(
        'organizations.policies.forTarget',
        { targetId: prod.unitId },
        { caller: 'chat', mode: 'execute' },
      );
      assert.deepEqual(
        (forUnit.output as { items: Array<{ Id: string }> }).items.map((policy) => policy.Id).sort(),
        ['p-FullAWSAccess', policyId].sort(),
      );
      const audit = await readAuditTrail(join(dir.path, 'audit.jsonl'));
      assert.ok(
        audit.some((entry) => entry.operation === 'organizations.policies.attach' && entry.outcome === 'succeeded'),
      );
      approved.access.dispose();
      approved.base.dispose();
    } finally {
      access.dispose();
      base.dispose();
    }
  });

  it('MCP read_resources takes accounts (schema generated from the tool catalogue): rows per account and an error row', async () => {
    const { access, base, runtime } = await setUp();
    const server = createMcpServer({
      runtime,
      readOnly: true,
      allowRecovery: false,
      approvals: 'elicitation',
      clientLabel: 'test',
      organization: async () => access,
      describeConnection: async () => ({ account: (await base.identity()).account, region: base.region }),
    });
    const client = new Client({ name: 'org-agent', version: '1.0.0' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    try {
      const read = (await client.listTools()).tools.find((tool) => tool.name === 'read_resources')!;
      const properties = read.inputSchema.properties as Record<string, unknown>;
      assert.deepEqual(properties.accounts, ACROSS_ACCOUNTS_PROPERTIES.accounts);
      assert.deepEqual(properties.regions, ACROSS_ACCOUNTS_PROPERTIES.regions);

      const [prod, dev, locked] = seeded.accounts;
      const answer = (await client.callTool({
        name: 'read_resources',
        arguments: { operation: 'ec2.instances.list', accounts: [prod.id, dev.id, locked.id], regions: [REGION] },
      })) as { structuredContent?: Record<string, any> };
      const content = answer.structuredContent!;
      assert.equal(content.status, 'incomplete', JSON.stringify(content).slice(0, 500));
      const perAccount = content.data.perAccount as Array<{ account: string; count: number }>;
      // Named from the tree when it was read; here the IDs were given, so the rows carry the IDs.
      assert.deepEqual(
        perAccount.map((row) => [row.account, row.count]),
        [
          [prod.id, 2],
          [dev.id, 1],
        ],
      );
      const failures = content.data.failures as Array<{ account: string; code: string }>;
      assert.deepEqual(
        failures.map((failure) => [failure.account, failure.code]),
        [[locked.id, 'AccessDenied']],
      );

      const bad = (await client.callTool({
        name: 'read_resources',
        arguments: { operation: 'ec2.instances.list', accounts: ['12'] },
      })) as { structuredContent?: Record<string, any> };
      assert.equal(bad.structuredContent!.status, 'failed');
      assert.match(bad.structuredContent!.summary, /12-digit/);
    } finally {
      await client.close();
      access.dispose();
      base.dispose();
    }
  });
});
