import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeInstanceAttributeCommand, DescribeInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { readAuditTrail, verifyAuditTrail } from '../../src/core/audit';
import { DEFAULT_GUARDRAIL_POLICY } from '../../src/core/guardrails';
import { toolSpec } from '../../src/core/agent/toolCatalog';
import {
  invokeToolCall,
  prepareToolCall,
  PreparedCalls,
  type AgentToolHost,
} from '../../src/core/agent/toolInvocation';
import { resolveEnvironment } from '../../src/core/guardrails/environment';
import { OperationRunner, type OperationConnection } from '../../src/core/operations';
import {
  createRuntime,
  readPolicyFiles,
  resolvePolicy,
  type ConfirmDecision,
  type RuntimeOptions,
} from '../../src/core/runtime';
import { approvingProvider, denyingProvider, FakeAwsClient, FakeClock, tempDir } from '../support/operationHarness';

const ACCOUNT = '111122223333';
const DEV = 'i-0de0000000000000a';
const PROD = 'i-0b0000000000000a1';
const MONDAY_NOON_UTC = Date.parse('2025-01-06T12:00:00Z');

function dryRunOk() {
  return Object.assign(new Error('Request would have succeeded, but DryRun flag is set.'), {
    name: 'DryRunOperation',
    $metadata: { httpStatusCode: 412 },
  });
}

/** An EC2 stand-in with a dev and a prod instance; records every call. */
function fakeEc2(): FakeAwsClient {
  const tags: Record<string, Record<string, string>> = {
    [DEV]: { Name: 'web-dev', Environment: 'dev' },
    [PROD]: { Name: 'web-prod', Environment: 'prod' },
  };
  return new FakeAwsClient()
    .on(DescribeInstancesCommand, (input) => ({
      Reservations: [
        {
          Instances: (input.InstanceIds ?? Object.keys(tags)).map((id) => ({
            InstanceId: id,
            State: { Name: 'running' },
            Tags: Object.entries(tags[id] ?? {}).map(([Key, Value]) => ({ Key, Value })),
          })),
        },
      ],
    }))
    .on(DescribeInstanceAttributeCommand, () => ({ DisableApiTermination: { Value: false } }))
    .on(StopInstancesCommand, (input) => {
      if (input.DryRun) throw dryRunOk();
      return {
        StoppingInstances: (input.InstanceIds ?? []).map((id) => ({
          InstanceId: id,
          CurrentState: { Name: 'stopping' },
        })),
      };
    });
}

function connectionTo(client: FakeAwsClient, account = ACCOUNT): OperationConnection {
  return {
    region: 'us-east-1',
    identity: async () => ({ account, arn: `arn:aws:iam::${account}:user/tester` }),
    client: async <C>() => client as unknown as C,
  };
}

/** The real stop calls (not the DryRun probes). */
const stops = (client: FakeAwsClient) => client.names().filter((name) => name === 'StopInstances');

describe('core runtime', () => {
  let dir: ReturnType<typeof tempDir>;
  let auditPath: string;
  beforeEach(() => {
    dir = tempDir('pilot-light-runtime-');
    auditPath = join(dir.path, 'audit', 'audit.jsonl');
  });
  afterEach(() => dir.cleanup());

  function runtimeWith(overrides: Partial<RuntimeOptions> = {}, ec2 = fakeEc2()) {
    const provider = approvingProvider();
    const connections: Array<string | undefined> = [];
    const runtime = createRuntime({
      auditPath,
      approvalProvider: provider,
      connection: async (profile) => {
        connections.push(profile);
        return connectionTo(ec2);
      },
      runnerOptions: { clock: new FakeClock(MONDAY_NOON_UTC) },
      ...overrides,
    });
    return { runtime, provider, ec2, connections };
  }

  describe('policy', () => {
    it('lets user settings loosen the defaults, and workspace files and workspace settings only tighten', () => {
      const { runtime } = runtimeWith({
        settings: { maxResourcesPerOperation: 20, protectedEnvironments: ['prod'] },
        policyFiles: [
          {
            path: '/repo-a/.pilotlight/guardrails.json',
            text: '{ "maxResourcesPerOperation": 5, "protectedEnvironments": ["staging"] }',
          },
          { path: '/repo-b/.pilotlight/guardrails.json', text: '{ "maxResourcesPerOperation": 50 }' },
        ],
        workspaceSettings: { maxResourcesPerOperation: 100, protectionTags: ['Keep'] },
      });
      assert.equal(
        runtime.policy.maxResourcesPerOperation,
        5,
        'the tightest limit wins; neither the second file nor the workspace settings raise it',
      );
      assert.deepEqual([...runtime.policy.protectedEnvironments].sort(), ['prod', 'staging']);
      assert.ok(runtime.policy.protectionTags.includes('Keep'));
      assert.deepEqual(runtime.loaded.sources, [
        'defaults',
        'settings',
        '/repo-a/.pilotlight/guardrails.json',
        '/repo-b/.pilotlight/guardrails.json',
        'workspace settings (pilotLight.guardrails)',
      ]);
      assert.deepEqual(
        runtime.problems.map((problem) => [problem.source, problem.field, problem.severity]),
        [
          ['/repo-b/.pilotlight/guardrails.json', 'maxResourcesPerOperation', 'warning'],
          ['workspace settings (pilotLight.guardrails)', 'maxResourcesPerOperation', 'warning'],
        ],
        'each value that would loosen the policy is ignored and reported',
      );
    });

    it('reports an unparseable file and invalid settings as problems and keeps the safe values', () => {
      const loaded = resolvePolicy({
        settings: { maxResourcesPerOperation: -3 },
        policyFiles: [{ path: '/repo/.pilotlight/guardrails.json', text: '{ "maxResourcesPerOperation": ' }],
      });
      assert.equal(loaded.policy.maxResourcesPerOperation, DEFAULT_GUARDRAIL_POLICY.maxResourcesPerOperation);
      assert.ok(
        loaded.problems.some(
          (problem) => problem.source === 'settings' && problem.field === 'maxResourcesPerOperation',
        ),
      );
      assert.ok(
        loaded.problems.some(
          (problem) => problem.source === '/repo/.pilotlight/guardrails.json' && problem.severity === 'error',
        ),
      );
      assert.ok(!loaded.sources.includes('/repo/.pilotlight/guardrails.json'));
    });

    it('reports invalid workspace settings without applying them', () => {
      const loaded = resolvePolicy({ workspaceSettings: { maxResourcesPerOperation: 'many' } });
      assert.equal(loaded.policy.maxResourcesPerOperation, DEFAULT_GUARDRAIL_POLICY.maxResourcesPerOperation);
      assert.ok(
        loaded.problems.some(
          (problem) =>
            problem.source.startsWith('workspace settings') && /maxResourcesPerOperation/.test(problem.field ?? ''),
        ),
      );
    });

    it("reads each folder's guardrails file, skips folders without one, and reports a file it cannot read", async () => {
      const withFile = join(dir.path, 'a');
      const withoutFile = join(dir.path, 'b');
      const unreadable = join(dir.path, 'c');
      mkdirSync(join(withFile, '.pilotlight'), { recursive: true });
      writeFileSync(join(withFile, '.pilotlight', 'guardrails.json'), '{ "maxResourcesPerOperation": 2 }');
      mkdirSync(withoutFile, { recursive: true });
      mkdirSync(join(unreadable, '.pilotlight', 'guardrails.json'), { recursive: true }); // a directory where the file should be
      const errors: string[] = [];
      const files = await readPolicyFiles([withFile, withoutFile, unreadable], (folder) => errors.push(folder));
      assert.deepEqual(files, [
        { path: join(withFile, '.pilotlight', 'guardrails.json'), text: '{ "maxResourcesPerOperation": 2 }' },
      ]);
      assert.deepEqual(errors, [unreadable]);
      assert.equal(
        createRuntime({
          auditPath,
          approvalProvider: approvingProvider(),
          connection: async () => connectionTo(fakeEc2()),
          policyFiles: files,
        }).policy.maxResourcesPerOperation,
        2,
      );
    });
  });

  describe('runners', () => {
    it("builds one runner per profile with the runtime's policy; the default profile's name shares the default runner", async () => {
      const { runtime, connections } = runtimeWith({
        settings: { maxResourcesPerOperation: 3 },
        defaultProfile: async () => 'dev-profile',
      });
      const runner = await runtime.runner();
      assert.ok(runner instanceof OperationRunner);
      assert.equal(runner.policyInForce().maxResourcesPerOperation, 3);
      assert.equal(runner.registry, runtime.registry);
      assert.equal(await runtime.runner('dev-profile'), runner);
      const other = await runtime.runner('prod-profile');
      assert.notEqual(other, runner);
      assert.equal(await runtime.runner('prod-profile'), other);
      assert.deepEqual(connections, [undefined, 'prod-profile']);
      runtime.dropRunners();
      assert.notEqual(await runtime.runner(), runner);
    });

    it('retries a connection that failed instead of keeping the failure', async () => {
      let attempts = 0;
      const runtime = createRuntime({
        auditPath,
        approvalProvider: approvingProvider(),
        connection: async () => {
          attempts += 1;
          if (attempts === 1) throw new Error('The SSO session has expired.');
          return connectionTo(fakeEc2());
        },
      });
      await assert.rejects(runtime.runner(), /SSO session/);
      assert.ok((await runtime.runner()) instanceof OperationRunner);
      assert.equal(attempts, 2);
    });

    it("gives an execute the runtime's approval provider and a dry-run none", async () => {
      const { runtime, provider, ec2 } = runtimeWith();
      const dryRun = await runtime.run(
        'ec2.instances.stop',
        { instanceIds: [PROD] },
        { caller: 'mcp', mode: 'dry-run' },
      );
      assert.equal(dryRun.preview?.guardrails.verdict, 'needs-approval');
      assert.equal(provider.requests.length, 0);
      const outcome = await runtime.run(
        'ec2.instances.stop',
        { instanceIds: [PROD] },
        { caller: 'mcp', mode: 'execute', correlationId: dryRun.correlationId },
      );
      assert.equal(outcome.status, 'succeeded');
      assert.equal(provider.requests.length, 1);
      assert.equal(provider.requests[0].level, 'approve');
      assert.deepEqual(stops(ec2), ['StopInstances']);
    });
  });

  describe('dry-run → confirm → execute', () => {
    it('runs nothing when the confirmation is declined, and audits the dry-run and the decline with one correlation ID', async () => {
      const { runtime, ec2, provider } = runtimeWith();
      const shown: string[] = [];
      const result = await runtime.dryRunThenExecute(
        { operationId: 'ec2.instances.stop', input: { instanceIds: [DEV] }, caller: 'command' },
        async (preview): Promise<ConfirmDecision> => {
          shown.push(preview.summary);
          return { approved: false, reason: 'not today', approver: 'carol' };
        },
      );
      assert.equal(result.status, 'cancelled');
      assert.equal(result.stage, 'confirm');
      assert.equal(result.reason, 'not today');
      assert.equal(shown.length, 1);
      assert.deepEqual(stops(ec2), [], 'no StopInstances call without DryRun');
      assert.equal(provider.requests.length, 0);
      const records = await readAuditTrail(auditPath);
      assert.deepEqual(
        records.map((record) => [record.outcome, record.mode]),
        [
          ['dry-run', 'dry-run'],
          ['refused', 'execute'],
        ],
      );
      assert.equal(records[1].correlationId, records[0].correlationId);
      assert.equal(records[1].refusal?.code, 'approval-denied');
      assert.match(records[1].refusal!.message, /not today/);
      assert.deepEqual(records[1].approval, {
        provider: 'caller-confirmation',
        level: 'confirm',
        approver: 'carol',
        reason: 'not today',
      });
      assert.equal(records[1].account, ACCOUNT);
      assert.deepEqual(records[1].resourceIds, [DEV]);
      assert.deepEqual(records[1].input, { instanceIds: [DEV] });
      assert.equal((await verifyAuditTrail(auditPath)).ok, true);
    });

    it('treats a confirmation that throws as declined', async () => {
      const { runtime, ec2 } = runtimeWith();
      const result = await runtime.dryRunThenExecute(
        { operationId: 'ec2.instances.stop', input: { instanceIds: [DEV] }, caller: 'command' },
        async () => {
          throw new Error('the dialog was closed');
        },
      );
      assert.equal(result.status, 'cancelled');
      assert.match(result.reason!, /the dialog was closed/);
      assert.deepEqual(stops(ec2), []);
    });

    it('executes a confirmed change once, linked to its dry-run', async () => {
      const { runtime, ec2 } = runtimeWith();
      const result = await runtime.dryRunThenExecute(
        { operationId: 'ec2.instances.stop', input: { instanceIds: [DEV] }, caller: 'command' },
        async () => ({ approved: true }),
      );
      assert.equal(result.status, 'succeeded');
      assert.equal(result.stage, 'execute');
      assert.equal(result.outcome.correlationId, result.dryRun.correlationId);
      assert.deepEqual(stops(ec2), ['StopInstances']);
      assert.deepEqual(
        (await readAuditTrail(auditPath)).map((record) => record.outcome),
        ['dry-run', 'succeeded'],
      );
    });

    it('asks the approval provider instead of the confirmation when the policy requires an approval', async () => {
      const { runtime, ec2, provider } = runtimeWith();
      let confirmations = 0;
      const result = await runtime.dryRunThenExecute(
        { operationId: 'ec2.instances.stop', input: { instanceIds: [PROD] }, caller: 'command' },
        async () => {
          confirmations += 1;
          return { approved: true };
        },
      );
      assert.equal(result.status, 'succeeded');
      assert.equal(confirmations, 0);
      assert.equal(provider.requests.length, 1);
      assert.equal(provider.requests[0].requiredConfirmation, 'prod');
      assert.deepEqual(stops(ec2), ['StopInstances']);
    });

    it('stops at the guardrails when the preview is refused: no confirmation, nothing executed', async () => {
      const { runtime, ec2 } = runtimeWith({
        policyFiles: [{ path: '/repo/.pilotlight/guardrails.json', text: '{ "maxResourcesPerOperation": 1 }' }],
      });
      let confirmations = 0;
      const result = await runtime.dryRunThenExecute(
        { operationId: 'ec2.instances.stop', input: { instanceIds: [DEV, PROD] }, caller: 'chat' },
        async () => {
          confirmations += 1;
          return { approved: true };
        },
      );
      assert.equal(result.status, 'refused');
      assert.equal(result.stage, 'guardrails');
      assert.equal(result.refusal?.code, 'max-resources');
      assert.equal(confirmations, 0);
      assert.deepEqual(stops(ec2), []);
    });

    it('stops at the dry-run when the input is invalid', async () => {
      const { runtime, ec2 } = runtimeWith();
      const result = await runtime.dryRunThenExecute(
        { operationId: 'ec2.instances.stop', input: { instanceIds: ['web-1'] }, caller: 'chat' },
        async () => ({ approved: true }),
      );
      assert.equal(result.stage, 'dry-run');
      assert.equal(result.status, 'refused');
      assert.equal(result.refusal?.code, 'invalid-input');
      assert.equal(ec2.calls.length, 0);
    });
  });

  describe('agent tool calls on the runtime (LM tools now, the MCP server next)', () => {
    function agentHost(overrides: Partial<RuntimeOptions> = {}) {
      const setup = runtimeWith(overrides);
      const host: AgentToolHost = {
        run: (operationId, input, options) => setup.runtime.run(operationId, input, { caller: 'mcp', ...options }),
        environmentResolver: async () => (tags) => resolveEnvironment(tags, ACCOUNT, setup.runtime.policy),
        currentRegion: async () => 'us-east-1',
      };
      return { ...setup, host };
    }
    const changeState = toolSpec('pilotLight_changeInstanceState')!;

    it('prepares a write with its dry-run preview and runs it with the same correlation ID', async () => {
      const { host, ec2 } = agentHost();
      const call = { operation: 'ec2.instances.stop', input: { instanceIds: [DEV] } };
      const prepared = await prepareToolCall(changeState, call, host);
      assert.equal(prepared.kind, 'preview');
      if (prepared.kind !== 'preview') return;
      assert.equal(prepared.title, 'Stop 1 instance?');
      assert.match(prepared.markdown, /dev/);
      assert.deepEqual(stops(ec2), [], 'preparing changes nothing');
      const calls = new PreparedCalls();
      calls.remember(prepared.operationId, prepared.input, prepared.correlationId);
      const payload = await invokeToolCall(changeState, call, host, {
        correlationId: calls.take('ec2.instances.stop', { instanceIds: [DEV] }),
      });
      assert.equal(payload.status, 'succeeded', payload.summary);
      assert.equal(payload.correlationId, prepared.correlationId);
      assert.deepEqual(
        payload.resources?.map((resource) => resource.id),
        [DEV],
      );
      assert.deepEqual(stops(ec2), ['StopInstances']);
      assert.equal(calls.take('ec2.instances.stop', { instanceIds: [DEV] }), undefined, 'a prepared call is used once');
      assert.deepEqual(
        (await readAuditTrail(auditPath)).map((record) => [
          record.outcome,
          record.caller,
          record.correlationId === prepared.correlationId,
        ]),
        [
          ['dry-run', 'mcp', true],
          ['succeeded', 'mcp', true],
        ],
      );
    });

    it('runs only the operations a tool lists, and says why not', async () => {
      const { host, ec2 } = agentHost();
      const payload = await invokeToolCall(
        changeState,
        { operation: 'ec2.instances.terminate', input: { instanceIds: [DEV] } },
        host,
      );
      assert.equal(payload.status, 'not-allowed');
      assert.match(payload.summary, /cannot run "ec2\.instances\.terminate"/);
      assert.equal(ec2.calls.length, 0);
    });

    it('has nothing to confirm for invalid input, which is refused again when invoked', async () => {
      const { host } = agentHost();
      const call = { operation: 'ec2.instances.stop', input: { instanceIds: ['web-1'] } };
      const prepared = await prepareToolCall(changeState, call, host);
      assert.equal(prepared.kind, 'message');
      assert.match(prepared.kind === 'message' ? (prepared.problem ?? '') : '', /Refused \(invalid-input\)/);
      assert.equal((await invokeToolCall(changeState, call, host)).status, 'refused');
    });

    it('reports a refused approval as nothing changed', async () => {
      const { host, ec2 } = agentHost({ approvalProvider: denyingProvider() });
      const payload = await invokeToolCall(
        changeState,
        { operation: 'ec2.instances.stop', input: { instanceIds: [PROD] } },
        host,
      );
      assert.equal(payload.status, 'refused');
      assert.match(payload.summary, /Refused \(approval-denied\).*Nothing was changed/);
      assert.deepEqual(stops(ec2), []);
    });

    it("compacts a read tool's output with environments resolved by the runtime's policy", async () => {
      const { host } = agentHost();
      const payload = await invokeToolCall(
        toolSpec('pilotLight_readResources')!,
        { operation: 'ec2.instances.list', input: {} },
        host,
      );
      assert.equal(payload.status, 'succeeded', payload.summary);
      assert.deepEqual(
        payload.resources?.map((resource) => [resource.id, resource.environment]).sort(),
        [
          [PROD, 'prod'],
          [DEV, 'dev'],
        ].sort(),
      );
    });
  });
});
