/**
 * Changes in the account a resource was found in, against moto with IAM enforcement on: a read across accounts
 * finds an instance in member account B; "stop it" in chat previews with the bold cross-account note naming B and,
 * once approved, stops B's instance (the management account's same-named instance and C's stay running); "stop
 * them" over several accounts is refused; the MCP plan_change/apply_change with `account` run in B; the command
 * line's --member-role reaches B where the default role cannot. The member role here is not the default one.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  type InstanceStateName,
} from '@aws-sdk/client-ec2';
import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ElicitRequestSchema, type CallToolResult, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { createMcpServer } from '../../src/core/agent/mcp/server';
import { MCP_SERVER_INFO, MCP_SERVER_OPTIONS, serveTools } from '../../src/core/agent/mcp/toolList';
import { IN_ACCOUNT_PROPERTY } from '../../src/core/agent/toolCatalog';
import { readAuditTrail } from '../../src/core/audit';
import { dryRunInAccount } from '../../src/core/conversation/accountChange';
import { answerAction, type AnswerContext } from '../../src/core/conversation/answers';
import { parseIntent } from '../../src/core/conversation/keywordParser';
import { ConversationSession, sanitizeTurn } from '../../src/core/conversation/session';
import { resolveEnvironment } from '../../src/core/guardrails/environment';
import { answerAcrossAccounts, parseAccountsSelector } from '../../src/core/organizations';
import { cliSettings } from '../../src/cli/mcp';
import { cliTools } from '../../src/cli/mcpTools';
import { startMoto, type MotoServer } from '../../tools/emulators/moto';
import {
  MANAGEMENT_CREDENTIALS,
  seedOrganization,
  setMotoAuthentication,
  type SeededOrganization,
} from '../../tools/seed/organization';
import { approvingProvider, tempDir, type ScriptedApprovalProvider } from '../support/operationHarness';
import { organizationRuntime } from '../support/organizationRuntime';
import { useSandboxAwsEnv } from '../support/connection';

function repoRoot(): string {
  for (const candidate of [resolve(__dirname, '..', '..', '..'), resolve(__dirname, '..', '..')])
    if (existsSync(join(candidate, 'package.json'))) return candidate;
  return process.cwd();
}

const REGION = 'us-east-1';
const ROLE = 'PilotLightMember';
type Result = CallToolResult & { structuredContent?: Record<string, any> };

describe('Changes in the account a resource was found in (moto, IAM enforced, member role PilotLightMember)', function () {
  this.timeout(180_000);
  let moto: MotoServer;
  let seeded: SeededOrganization;
  let dir: ReturnType<typeof tempDir>;
  /** The management account's own instance, named like B's. */
  let sameNamedInA: string;
  let restoreEnv: (() => void) | undefined;
  const memberCredentials = new Map<string, { accessKeyId: string; secretAccessKey: string; sessionToken?: string }>();

  before(async function () {
    this.timeout(600_000);
    moto = await startMoto({ repoRoot: repoRoot() });
    seeded = await seedOrganization({
      endpoint: moto.endpoint,
      managementUser: true,
      roleName: ROLE,
      accounts: [
        { name: 'app-b', unit: 'Workloads', tags: { Environment: 'production' }, instances: { [REGION]: 1 } },
        { name: 'app-c', unit: 'Workloads', tags: { Environment: 'dev' }, instances: { [REGION]: 1 } },
      ],
    });
    // Still unauthenticated: the member role may also start and stop instances, and the management account
    // gets an instance with B's instance's name.
    const sts = new STSClient({ region: REGION, endpoint: moto.endpoint, credentials: { ...MANAGEMENT_CREDENTIALS } });
    for (const account of seeded.accounts) {
      const assumed = await sts.send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account.id}:role/${ROLE}`, RoleSessionName: 'seed' }),
      );
      const credentials = {
        accessKeyId: assumed.Credentials!.AccessKeyId!,
        secretAccessKey: assumed.Credentials!.SecretAccessKey!,
        sessionToken: assumed.Credentials!.SessionToken,
      };
      memberCredentials.set(account.id, credentials);
      const iam = new IAMClient({ region: REGION, endpoint: moto.endpoint, credentials });
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: ROLE,
          PolicyName: 'instance-state',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: ['ec2:StopInstances', 'ec2:StartInstances'], Resource: '*' }],
          }),
        }),
      );
      iam.destroy();
    }
    sts.destroy();
    const ec2 = new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials: { ...MANAGEMENT_CREDENTIALS } });
    const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
    const launched = await ec2.send(
      new RunInstancesCommand({
        ImageId: images.Images![0].ImageId!,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'app-b-web' }] }],
      }),
    );
    sameNamedInA = launched.Instances![0].InstanceId!;
    ec2.destroy();

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

  beforeEach(() => (dir = tempDir('pilot-light-orgs-changes-')));
  afterEach(() => dir.cleanup());

  const [b, c] = [0, 1].map((index) => () => seeded.accounts[index]);

  /** An instance's state, read with the credentials of its account (the member role, or the management user). */
  async function stateOf(accountId: string, instanceId: string): Promise<InstanceStateName | undefined> {
    const credentials = memberCredentials.get(accountId) ?? {
      accessKeyId: seeded.managementUser!.accessKeyId,
      secretAccessKey: seeded.managementUser!.secretAccessKey,
    };
    const ec2 = new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials });
    try {
      const answer = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      return answer.Reservations?.[0]?.Instances?.[0]?.State?.Name;
    } finally {
      ec2.destroy();
    }
  }

  async function setUp(provider: ScriptedApprovalProvider = approvingProvider()) {
    const { base, runtime, access } = await organizationRuntime(
      moto.endpoint,
      REGION,
      { roleName: ROLE },
      {
        auditPath: join(dir.path, 'audit.jsonl'),
        approvalProvider: provider,
      },
    );
    return { base, runtime, access, dispose: () => (access.dispose(), base.dispose()) };
  }

  /** The chat's answer context as the participant builds it (active account: the management account). */
  function chatContext(
    org: Awaited<ReturnType<typeof setUp>>,
    turns: unknown[],
    dryRuns: Array<string | undefined>,
  ): AnswerContext {
    const active = seeded.managementAccountId;
    return {
      read: async (operationId) => {
        throw new Error(`no read in the active account expected (${operationId})`);
      },
      dryRun: (operationId, input, where) => {
        dryRuns.push(where?.account);
        return dryRunInAccount(
          {
            run: (id, runInput, options) => org.runtime.run(id, runInput, options),
            activeAccount: async () => active,
            profileForAccount: (account) => org.access.profileForAccount(account, 'chat'),
          },
          operationId,
          input,
          REGION,
          where?.account,
        );
      },
      region: REGION,
      activeAccount: active,
      resolveEnvironment: (tags) => resolveEnvironment(tags, active, org.runtime.policy),
      // As the host keeps it: each answer's memory in the result metadata, sanitized when read back.
      session: ConversationSession.fromTurns(turns.map((turn) => sanitizeTurn(JSON.parse(JSON.stringify(turn))))),
    };
  }

  it('chat: "stop it" after a read in B previews with the bold note naming B and, approved, stops B\'s instance only', async () => {
    const approval = approvingProvider();
    const org = await setUp(approval);
    try {
      const [instanceB] = b().instanceIds[REGION];
      const [instanceC] = c().instanceIds[REGION];
      const prompt = `instances accounts: ${b().id}`;
      const found = await answerAcrossAccounts(
        { access: org.access, region: REGION, policy: org.runtime.policy },
        parseAccountsSelector(prompt),
      );
      assert.deepEqual(
        found.touched.map((ref) => [ref.id, ref.account, ref.environment]),
        [[instanceB, b().id, 'production']],
      );
      assert.match(found.markdown, /assuming `PilotLightMember`/);

      const dryRuns: Array<string | undefined> = [];
      const ctx = chatContext(
        org,
        [{ prompt, command: 'resources', touched: found.touched, account: seeded.managementAccountId, region: REGION }],
        dryRuns,
      );
      const intent = parseIntent('stop it');
      assert.equal(intent.kind, 'action');
      const answer = await answerAction(ctx, intent as Extract<typeof intent, { kind: 'action' }>);
      assert.deepEqual(dryRuns, [b().id]);
      // Bold in chat (markdown escapes its parentheses).
      assert.match(
        answer.markdown.replace(/\\([()])/g, '$1'),
        new RegExp(
          `\\*\\*This change is in account app-b \\(${b().id}\\), a member account reached from profile "[^"]+", not that profile's own account \\(the chat's active account is ${seeded.managementAccountId}\\)\\.\\*\\*`,
        ),
        answer.markdown,
      );
      assert.match(
        answer.markdown,
        new RegExp(`Account app-b \\(${b().id}\\), region ${REGION}, environment production`),
      );
      const run = answer.actions.find((action) => action.kind === 'run');
      assert.ok(run && run.kind === 'run', answer.markdown);
      assert.equal(run.account, b().id);
      assert.deepEqual(run.input, { instanceIds: [instanceB] });

      // The button: pilotLight.operations.run with the account, checked against the organization, then run
      // through B's runner; production asks for an approval, which names B.
      const where = await org.access.profileForAccount(run.account!, 'chat');
      assert.ok('profile' in where, JSON.stringify(where));
      const outcome = await org.runtime.run(run.operationId, run.input, {
        caller: 'chat',
        mode: 'execute',
        region: REGION,
        profile: where.profile,
        correlationId: run.correlationId,
      });
      assert.equal(outcome.status, 'succeeded', JSON.stringify(outcome.error ?? outcome.refusal));
      assert.equal(approval.requests.length, 1);
      assert.equal(approval.requests[0].account, b().id);
      assert.equal(approval.requests[0].preview.accountName, 'app-b');
      assert.ok(['stopping', 'stopped'].includes((await stateOf(b().id, instanceB))!));
      assert.equal(await stateOf(seeded.managementAccountId, sameNamedInA), 'running', "A's same-named instance");
      assert.equal(await stateOf(c().id, instanceC), 'running', "C's instance");
      const audit = await readAuditTrail(join(dir.path, 'audit.jsonl'));
      const executed = audit.filter((entry) => entry.operation === 'ec2.instances.stop' && entry.mode === 'execute');
      assert.ok(executed.length >= 1 && executed.every((entry) => entry.account === b().id), JSON.stringify(executed));
      assert.equal(executed.filter((entry) => entry.outcome === 'succeeded').length, 1);

      // An account outside the organization is refused, never replaced by the active one.
      const outside = await org.access.profileForAccount('999999999999', 'chat');
      assert.match((outside as { problem: string }).problem, /not in the organization/);
    } finally {
      org.dispose();
    }
  });

  it('chat: "stop them" over resources of several accounts is refused; nothing is previewed or run', async () => {
    const org = await setUp();
    try {
      const prompt = 'instances accounts: all';
      const found = await answerAcrossAccounts(
        { access: org.access, region: REGION, policy: org.runtime.policy },
        parseAccountsSelector(prompt),
      );
      const accounts = new Set(found.touched.map((ref) => ref.account));
      assert.ok(accounts.has(b().id) && accounts.has(c().id) && accounts.has(seeded.managementAccountId));
      const dryRuns: Array<string | undefined> = [];
      const ctx = chatContext(org, [{ prompt, command: 'resources', touched: found.touched }], dryRuns);
      const intent = parseIntent('stop them');
      const answer = await answerAction(ctx, intent as Extract<typeof intent, { kind: 'action' }>);
      assert.deepEqual(dryRuns, []);
      assert.match(answer.markdown, /Nothing was changed: these resources are in 3 accounts/);
      assert.ok(!answer.actions.some((action) => action.kind === 'run'));
      const audit = await readAuditTrail(join(dir.path, 'audit.jsonl')).catch(() => []);
      assert.ok(!audit.some((entry) => entry.operation === 'ec2.instances.stop'));
      assert.equal(await stateOf(c().id, c().instanceIds[REGION][0]), 'running');
    } finally {
      org.dispose();
    }
  });

  /** A person at the MCP client who types what the form asks for. */
  const typeWhatIsAsked =
    (asked: string[]) =>
    (message: string): ElicitResult => {
      const wanted = /Type (?:the environment name )?"([^"]+)"/.exec(message)?.[1] ?? '';
      asked.push(message);
      return { action: 'accept', content: { environment: wanted } };
    };

  async function mcpClient(server: { connect: Server['connect'] }, asked: string[]) {
    const client = new Client({ name: 'xaccount-agent', version: '1.0.0' }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, async (request) => typeWhatIsAsked(asked)(request.params.message));
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    return client;
  }

  it('MCP: plan_change with account runs in B (schema from the catalogue); another account is refused', async () => {
    const org = await setUp();
    const server = createMcpServer({
      runtime: org.runtime,
      readOnly: false,
      allowRecovery: false,
      approvals: 'elicitation',
      clientLabel: 'test',
      organization: async () => org.access,
    });
    const asked: string[] = [];
    const client = await mcpClient(server, asked);
    try {
      const plan = (await client.listTools()).tools.find((tool) => tool.name === 'plan_change')!;
      assert.deepEqual((plan.inputSchema.properties as Record<string, unknown>).account, IN_ACCOUNT_PROPERTY.account);
      const [instanceB] = b().instanceIds[REGION];
      const before = await stateOf(b().id, instanceB);
      const operation = before === 'running' ? 'ec2.instances.stop' : 'ec2.instances.start';
      const planned = (await client.callTool({
        name: 'plan_change',
        arguments: { operation, input: { instanceIds: [instanceB] }, account: b().id },
      })) as Result;
      const content = planned.structuredContent!;
      assert.equal(content.status, 'planned', JSON.stringify(content).slice(0, 600));
      assert.equal(content.account, b().id);
      assert.match(content.preview, new RegExp(`This change is in account app-b \\(${b().id}\\), a member account`));
      const applied = (await client.callTool({
        name: 'apply_change',
        arguments: { planId: content.planId },
      })) as Result;
      assert.equal(applied.structuredContent!.status, 'succeeded', JSON.stringify(applied.structuredContent));
      assert.ok(
        asked.some((message) => message.includes(b().id)),
        'the form names the account',
      );
      const after = await stateOf(b().id, instanceB);
      assert.ok(operation === 'ec2.instances.stop' ? after !== 'running' : after === 'running' || after === 'pending');
      assert.equal(await stateOf(seeded.managementAccountId, sameNamedInA), 'running');

      for (const account of ['999999999999', '12']) {
        const refused = (await client.callTool({
          name: 'plan_change',
          arguments: { operation, input: { instanceIds: [instanceB] }, account },
        })) as Result;
        assert.equal(refused.structuredContent!.status, 'refused', account);
      }
    } finally {
      await client.close();
      org.dispose();
    }
  });

  it('CLI: --member-role reaches B; the default role cannot', async () => {
    const [instanceC] = c().instanceIds[REGION];
    const start = async (flags: string[]) => {
      const settings = await cliSettings(
        ['--stdio', '--endpoint-url', moto.endpoint, '--region', REGION, '--audit', 'audit.jsonl', ...flags],
        dir.path,
        {},
      );
      assert.ok(settings !== 'help');
      const server = new Server(MCP_SERVER_INFO, MCP_SERVER_OPTIONS);
      const tools = await cliTools(settings, server);
      serveTools(
        server,
        () => tools.listed(),
        (request, signal) => tools.call(request, signal),
      );
      return { settings, client: await mcpClient(server, []) };
    };
    const plan = (client: Client) =>
      client.callTool({
        name: 'plan_change',
        arguments: { operation: 'ec2.instances.stop', input: { instanceIds: [instanceC] }, account: c().id },
      }) as Promise<Result>;

    const byDefault = await start([]);
    try {
      assert.equal(byDefault.settings.memberRoleName, 'OrganizationAccountAccessRole');
      const denied = (await plan(byDefault.client)).structuredContent!;
      assert.notEqual(denied.status, 'planned');
      assert.match(JSON.stringify(denied), /AccessDenied|not authorized|assume/i);
    } finally {
      await byDefault.client.close();
    }

    const flagged = await start(['--member-role', ROLE, '--external-id', 'pilot-light-test']);
    try {
      assert.equal(flagged.settings.memberRoleName, ROLE);
      assert.equal(flagged.settings.externalId, 'pilot-light-test');
      const planned = (await plan(flagged.client)).structuredContent!;
      assert.equal(planned.status, 'planned', JSON.stringify(planned).slice(0, 600));
      assert.equal(planned.account, c().id);
      const applied = (await flagged.client.callTool({
        name: 'apply_change',
        arguments: { planId: planned.planId },
      })) as Result;
      assert.equal(applied.structuredContent!.status, 'succeeded', JSON.stringify(applied.structuredContent));
      assert.ok(['stopping', 'stopped'].includes((await stateOf(c().id, instanceC))!));
    } finally {
      await flagged.client.close();
    }
    await assert.rejects(
      cliSettings(['--stdio', '--member-role', 'arn:aws:iam::1:role/x'], dir.path, {}),
      /IAM role name/,
    );
    const fromEnv = await cliSettings(['--stdio'], dir.path, { PILOTLIGHT_MEMBER_ROLE: ROLE });
    assert.equal(fromEnv !== 'help' && fromEnv.memberRoleName, ROLE);
  });
});
