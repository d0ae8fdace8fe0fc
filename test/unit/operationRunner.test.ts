import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateImageCommand,
  DescribeImagesCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DeleteSecurityGroupCommand,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { AuditTrail, readAuditTrail } from '../../src/core/audit';
import { CircuitBreaker, resolveGuardrailPolicy } from '../../src/core/guardrails';
import {
  createOperationRegistry,
  OperationRunner,
  type OperationConnection,
  type RunOptions,
} from '../../src/core/operations';
import {
  approvingProvider,
  denyingProvider,
  FakeAwsClient,
  FakeClock,
  ScriptedApprovalProvider,
  tempDir,
} from '../support/operationHarness';

const ACCOUNT = '111122223333';
const ARN = `arn:aws:iam::${ACCOUNT}:user/tester`;
const MONDAY_NOON_UTC = Date.parse('2025-01-06T12:00:00Z');
const DEV = 'i-0de0000000000000a';
const DEV2 = 'i-0de0000000000000b';
const PROD = 'i-0b0000000000000a1';
const GUARDED = 'i-0d0000000000000d1';

interface FakeInstance {
  tags: Record<string, string>;
  state: string;
  terminationProtection?: boolean;
}

function awsError(name: string, status: number, message = name) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}
const dryRunOk = () => awsError('DryRunOperation', 412, 'Request would have succeeded, but DryRun flag is set.');

function commandNames(fake: FakeAwsClient): string[] {
  return fake.names();
}

function setup(
  options: {
    settings?: Record<string, unknown>;
    instances?: Record<string, FakeInstance>;
    breaker?: CircuitBreaker;
    auditPath?: string;
  } = {},
) {
  const dir = tempDir();
  const auditPath = options.auditPath ?? join(dir.path, 'audit.jsonl');
  const clock = new FakeClock(MONDAY_NOON_UTC);
  const sleeps: number[] = [];
  const logs: string[] = [];
  const instances: Record<string, FakeInstance> = options.instances ?? {
    [DEV]: { tags: { Name: 'web-dev', Environment: 'dev' }, state: 'running' },
    [DEV2]: { tags: { Environment: 'dev' }, state: 'running' },
    [PROD]: { tags: { Name: 'web-prod', Environment: 'prod' }, state: 'running' },
    [GUARDED]: { tags: { env: 'dev', DoNotDelete: 'true' }, state: 'running' },
  };
  const ec2Mock = new FakeAwsClient();
  const ec2 = ec2Mock;
  ec2Mock.on(DescribeInstancesCommand, (input: { InstanceIds?: string[] }) => {
    const ids = input.InstanceIds ?? Object.keys(instances);
    const missing = ids.find((id) => !instances[id]);
    if (missing) throw awsError('InvalidInstanceID.NotFound', 400, `The instance ID '${missing}' does not exist`);
    return {
      Reservations: [
        {
          Instances: ids.map((id) => ({
            InstanceId: id,
            InstanceType: 't3.micro',
            State: { Name: instances[id].state },
            Tags: Object.entries(instances[id].tags).map(([Key, Value]) => ({ Key, Value })),
          })),
        },
      ],
    };
  });
  ec2Mock.on(DescribeInstanceAttributeCommand, (input) => ({
    DisableApiTermination: { Value: Boolean(instances[input.InstanceId!]?.terminationProtection) },
  }));
  const transition = (key: string, to: string) => (input: { InstanceIds?: string[]; DryRun?: boolean }) => {
    if (input.DryRun) throw dryRunOk();
    return {
      [key]: (input.InstanceIds ?? []).map((id) => ({
        InstanceId: id,
        PreviousState: { Name: instances[id].state },
        CurrentState: { Name: to },
      })),
    };
  };
  ec2Mock.on(StopInstancesCommand, transition('StoppingInstances', 'stopping'));
  ec2Mock.on(TerminateInstancesCommand, transition('TerminatingInstances', 'shutting-down'));
  ec2Mock.on(CreateImageCommand, (input: { DryRun?: boolean }) => {
    if (input.DryRun) throw dryRunOk();
    return { ImageId: 'ami-0bac0000000000001' };
  });
  ec2Mock.on(DescribeImagesCommand, () => ({ Images: [{ ImageId: 'ami-0bac0000000000001', State: 'available' }] }));

  const connection: OperationConnection = {
    region: 'us-east-1',
    identity: async () => ({ account: ACCOUNT, arn: ARN }),
    client: async <C>() => ec2 as unknown as C,
  };
  const policy = resolveGuardrailPolicy({ settings: options.settings }).policy;
  const runner = new OperationRunner({
    registry: createOperationRegistry(),
    connection,
    policy,
    audit: new AuditTrail(auditPath),
    clock,
    sleep: async (ms) => void sleeps.push(ms),
    breaker: options.breaker,
    logger: { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    backupTimeoutMs: 60_000,
    backupPollMs: 10_000,
  });
  return {
    runner,
    ec2Mock,
    auditPath,
    clock,
    sleeps,
    logs,
    instances,
    cleanup: () => dir.cleanup(),
    audit: () => readAuditTrail(auditPath),
  };
}

type Setup = ReturnType<typeof setup>;
const execute = (extra: Partial<RunOptions> = {}): RunOptions => ({ caller: 'command', mode: 'execute', ...extra });
const dryRun = (extra: Partial<RunOptions> = {}): RunOptions => ({ caller: 'command', mode: 'dry-run', ...extra });

describe('operation runner', () => {
  let t: Setup;
  afterEach(() => t?.cleanup());

  describe('input and options', () => {
    it('refuses invalid input with a clear message before any AWS call, and audits it', async () => {
      t = setup();
      const outcome = await t.runner.run('ec2.instances.stop', { instanceIds: ['web-1'], extra: 1 }, execute());
      assert.equal(outcome.status, 'refused');
      assert.equal(outcome.refusal?.code, 'invalid-input');
      assert.match(outcome.refusal!.message, /instanceIds\.0: Expected an EC2 instance ID like i-0123456789abcdef0/);
      assert.match(outcome.refusal!.message, /Unknown field "extra"/);
      assert.equal(t.ec2Mock.calls.length, 0);
      const [record] = await t.audit();
      assert.equal(record.outcome, 'refused');
      assert.equal(record.refusal?.code, 'invalid-input');
    });

    it('refuses unknown operations and unknown callers', async () => {
      t = setup();
      assert.equal((await t.runner.run('ec2.instances.nuke', {}, execute())).refusal?.code, 'unknown-operation');
      assert.equal(
        (
          await t.runner.run(
            'ec2.instances.stop',
            { instanceIds: [DEV] },
            { caller: 'script' as never, mode: 'execute' },
          )
        ).refusal?.code,
        'invalid-options',
      );
      assert.equal(
        (await t.runner.run('ec2.instances.stop', { instanceIds: [DEV] }, { caller: 'chat', mode: 'yolo' as never }))
          .refusal?.code,
        'invalid-options',
      );
      assert.equal(t.ec2Mock.calls.length, 0);
      assert.equal((await t.audit()).length, 3);
    });

    it('reports identity failures with an explanation', async () => {
      t = setup();
      const runner = new OperationRunner({
        registry: createOperationRegistry(),
        connection: {
          region: 'us-east-1',
          identity: async () =>
            Promise.reject(
              Object.assign(new Error('Could not load credentials from any providers'), {
                name: 'CredentialsProviderError',
              }),
            ),
          client: async () => {
            throw new Error('unused');
          },
        },
        policy: resolveGuardrailPolicy({}).policy,
        audit: new AuditTrail(t.auditPath),
      });
      const outcome = await runner.run('ec2.instances.stop', { instanceIds: [DEV] }, execute());
      assert.equal(outcome.status, 'failed');
      assert.equal(outcome.error?.kind, 'no-credentials');
      assert.match(outcome.error!.hint, /No AWS credentials/);
    });
  });

  describe('dry-run', () => {
    it('yields a preview with resources, environments, cost and the DryRun permission check, and changes nothing', async () => {
      t = setup();
      const outcome = await t.runner.run('ec2.instances.stop', { instanceIds: [DEV, PROD] }, dryRun());
      assert.equal(outcome.status, 'dry-run');
      const preview = outcome.preview!;
      assert.equal(preview.summary, 'Stop 2 instances');
      assert.deepEqual(preview.environments, ['prod', 'dev']);
      assert.deepEqual(preview.protectedEnvironments, ['prod']);
      assert.deepEqual(
        preview.resources.map((resource) => [resource.id, resource.environment, resource.protected]),
        [
          [DEV, 'dev', false],
          [PROD, 'prod', true],
        ],
      );
      assert.equal(preview.cost.direction, 'decrease');
      assert.deepEqual(preview.permission, {
        status: 'allowed',
        code: 'DryRunOperation',
        detail: 'AWS DryRun: the request would have succeeded.',
      });
      assert.equal(preview.guardrails.verdict, 'needs-approval');
      assert.equal(preview.guardrails.approval?.requiredConfirmation, 'prod');
      assert.deepEqual(commandNames(t.ec2Mock), ['DescribeInstances', 'StopInstances(dry)']);
      const [record] = await t.audit();
      assert.equal(record.outcome, 'dry-run');
      assert.deepEqual(record.resourceIds, [DEV, PROD]);
      assert.equal(record.environment, 'prod, dev');
      assert.equal(record.callerArn, ARN);
    });

    it('reports a DryRun UnauthorizedOperation as denied, and execution is refused without the real call', async () => {
      t = setup();
      t.ec2Mock.on(StopInstancesCommand, () => {
        throw awsError('UnauthorizedOperation', 403, 'You are not authorized to perform this operation.');
      });
      const preview = (await t.runner.run('ec2.instances.stop', { instanceIds: [DEV] }, dryRun())).preview!;
      assert.equal(preview.permission.status, 'denied');
      assert.equal(preview.guardrails.verdict, 'refused');
      const outcome = await t.runner.run('ec2.instances.stop', { instanceIds: [DEV] }, execute());
      assert.equal(outcome.refusal?.code, 'permission-denied');
      assert.ok(!commandNames(t.ec2Mock).includes('StopInstances'));
    });

    it('says so honestly when an endpoint ignores DryRun', async () => {
      t = setup();
      t.ec2Mock.on(StopInstancesCommand, () => ({ StoppingInstances: [] }));
      const preview = (await t.runner.run('ec2.instances.stop', { instanceIds: [DEV] }, dryRun())).preview!;
      assert.equal(preview.permission.status, 'ignored-by-endpoint');
    });

    it('lists what would refuse the change without asking anyone', async () => {
      t = setup();
      const provider = approvingProvider();
      const outcome = await t.runner.run(
        'ec2.instances.terminate',
        { instanceIds: [GUARDED] },
        dryRun({ approvalProvider: provider }),
      );
      assert.equal(outcome.status, 'dry-run');
      assert.equal(outcome.preview?.guardrails.refusals[0].code, 'protection-tag');
      assert.equal(provider.requests.length, 0);
      assert.ok(!commandNames(t.ec2Mock).some((name) => ['CreateImage', 'TerminateInstances'].includes(name)));
    });
  });

  describe('approval', () => {
    it('refuses a protected-environment change when the caller has no approval provider', async () => {
      t = setup();
      const outcome = await t.runner.run('ec2.instances.stop', { instanceIds: [PROD] }, execute({ caller: 'lm-tool' }));
      assert.equal(outcome.refusal?.code, 'approval-required');
      assert.match(
        outcome.refusal!.message,
        /needs an approval.*prod is a protected environment.*lm-tool caller provided no way/,
      );
      assert.ok(!commandNames(t.ec2Mock).includes('StopInstances'));
      assert.equal((await t.audit()).at(-1)?.outcome, 'refused');
    });

    it('refuses and audits a denied approval', async () => {
      t = setup();
      const outcome = await t.runner.run(
        'ec2.instances.stop',
        { instanceIds: [PROD] },
        execute({ approvalProvider: denyingProvider() }),
      );
      assert.equal(outcome.refusal?.code, 'approval-denied');
      const [record] = await t.audit();
      assert.equal(record.outcome, 'refused');
      assert.equal(record.approval?.approver, 'bob');
      assert.equal(record.approval?.provider, 'test-modal');
      assert.ok(!commandNames(t.ec2Mock).includes('StopInstances'));
    });

    it('refuses when the typed confirmation does not match the environment name', async () => {
      t = setup();
      const sloppy = new ScriptedApprovalProvider(() => ({
        approved: true,
        approver: 'alice',
        typedConfirmation: 'yes',
      }));
      const outcome = await t.runner.run(
        'ec2.instances.stop',
        { instanceIds: [PROD] },
        execute({ approvalProvider: sloppy }),
      );
      assert.equal(outcome.refusal?.code, 'confirmation-mismatch');
      assert.match(outcome.refusal!.message, /did not match "prod"/);
    });

    it('needs a reference (ticket) from an external approval', async () => {
      t = setup();
      const withoutTicket = new ScriptedApprovalProvider(
        () => ({ approved: true, approver: 'cab' }),
        'ticketing',
        'external',
      );
      assert.equal(
        (
          await t.runner.run(
            'ec2.instances.stop',
            { instanceIds: [PROD] },
            execute({ approvalProvider: withoutTicket }),
          )
        ).refusal?.code,
        'confirmation-mismatch',
      );
      const withTicket = new ScriptedApprovalProvider(
        () => ({ approved: true, approver: 'cab', reference: 'CHG-1234' }),
        'ticketing',
        'external',
      );
      const outcome = await t.runner.run(
        'ec2.instances.stop',
        { instanceIds: [PROD] },
        execute({ approvalProvider: withTicket }),
      );
      assert.equal(outcome.status, 'succeeded');
      assert.equal((await t.audit()).at(-2)?.approval?.reference, 'CHG-1234');
    });

    it('treats a failing approval provider as a refusal', async () => {
      t = setup();
      const broken = new ScriptedApprovalProvider(() => {
        throw new Error('dialog crashed');
      });
      const outcome = await t.runner.run(
        'ec2.instances.stop',
        { instanceIds: [PROD] },
        execute({ approvalProvider: broken }),
      );
      assert.equal(outcome.refusal?.code, 'approval-denied');
      assert.match(outcome.refusal!.message, /dialog crashed/);
    });

    it('refuses when the approval does not arrive in time', async () => {
      t = setup();
      (t.runner as unknown as { options: { approvalTimeoutMs: number } }).options.approvalTimeoutMs = 20;
      const silent = new ScriptedApprovalProvider(() => new Promise<never>(() => undefined) as never);
      const outcome = await t.runner.run(
        'ec2.instances.stop',
        { instanceIds: [PROD] },
        execute({ approvalProvider: silent }),
      );
      assert.equal(outcome.refusal?.code, 'approval-denied');
      assert.match(outcome.refusal!.message, /timed out/);
      assert.ok(!commandNames(t.ec2Mock).includes('StopInstances'));
    });

    it('runs an approved change, naming account, region, environment and resources in the request, and audits approved then succeeded', async () => {
      t = setup();
      const provider = approvingProvider();
      const outcome = await t.runner.run(
        'ec2.instances.stop',
        { instanceIds: [PROD] },
        execute({ approvalProvider: provider, correlationId: 'corr-1' }),
      );
      assert.equal(outcome.status, 'succeeded');
      assert.deepEqual(outcome.output, {
        instances: [{ instanceId: PROD, previousState: 'running', currentState: 'stopping' }],
      });
      const [request] = provider.requests;
      assert.equal(request.level, 'approve');
      assert.equal(request.account, ACCOUNT);
      assert.equal(request.region, 'us-east-1');
      assert.deepEqual(request.environments, ['prod']);
      assert.equal(request.requiredConfirmation, 'prod');
      assert.equal(request.resources[0].id, PROD);
      assert.equal(request.preview.summary, 'Stop 1 instance');
      const records = await t.audit();
      assert.deepEqual(
        records.map((record) => record.outcome),
        ['approved', 'succeeded'],
      );
      assert.ok(records.every((record) => record.correlationId === 'corr-1'));
      assert.equal(records[0].approval?.approver, 'alice');
      assert.deepEqual(commandNames(t.ec2Mock), ['DescribeInstances', 'StopInstances(dry)', 'StopInstances']);
    });

    it('asks only for a plain confirmation before a delete in an unprotected environment', async () => {
      t = setup({ settings: { backupBeforeDelete: 'never' } });
      const provider = new ScriptedApprovalProvider(() => ({ approved: true, approver: 'alice' }));
      const outcome = await t.runner.run(
        'ec2.instances.terminate',
        { instanceIds: [DEV] },
        execute({ approvalProvider: provider }),
      );
      assert.equal(outcome.status, 'succeeded');
      assert.equal(provider.requests[0].level, 'confirm');
    });

    it('runs a write in an unprotected environment without asking', async () => {
      t = setup();
      const outcome = await t.runner.run('ec2.instances.stop', { instanceIds: [DEV] }, execute());
      assert.equal(outcome.status, 'succeeded');
      assert.deepEqual(
        (await t.audit()).map((record) => record.outcome),
        ['succeeded'],
      );
    });
  });

  describe('policy refusals', () => {
    it('refuses outside the change window', async () => {
      t = setup({
        settings: {
          changeWindows: [{ days: ['sat', 'sun'], start: '02:00', end: '04:00', timeZone: 'Europe/Berlin' }],
        },
      });
      const outcome = await t.runner.run(
        'ec2.instances.stop',
        { instanceIds: [PROD] },
        execute({ approvalProvider: approvingProvider() }),
      );
      assert.equal(outcome.refusal?.code, 'change-window');
      assert.ok(!commandNames(t.ec2Mock).includes('StopInstances'));
    });

    it('refuses more resources than the policy allows', async () => {
      t = setup({ settings: { maxResourcesPerOperation: 1 } });
      const outcome = await t.runner.run('ec2.instances.stop', { instanceIds: [DEV, DEV2] }, execute());
      assert.equal(outcome.refusal?.code, 'max-resources');
    });

    it('refuses to terminate an instance tagged DoNotDelete, before any backup', async () => {
      t = setup();
      const outcome = await t.runner.run(
        'ec2.instances.terminate',
        { instanceIds: [GUARDED] },
        execute({ approvalProvider: approvingProvider() }),
      );
      assert.equal(outcome.refusal?.code, 'protection-tag');
      assert.ok(!commandNames(t.ec2Mock).some((name) => name === 'CreateImage' || name === 'TerminateInstances'));
    });

    it('refuses when a dependency check finds termination protection', async () => {
      t = setup({ instances: { [DEV]: { tags: { env: 'dev' }, state: 'running', terminationProtection: true } } });
      const outcome = await t.runner.run(
        'ec2.instances.terminate',
        { instanceIds: [DEV] },
        execute({ approvalProvider: approvingProvider() }),
      );
      assert.equal(outcome.refusal?.code, 'dependency');
      assert.match(outcome.refusal!.message, /termination protection/);
    });

    it('refuses to delete a security group that a network interface still uses', async () => {
      t = setup();
      const group = 'sg-0123456789abcdef0';
      t.ec2Mock.on(DescribeSecurityGroupsCommand, (input: { GroupIds?: string[] }) => ({
        SecurityGroups: input.GroupIds
          ? [{ GroupId: group, GroupName: 'web', Tags: [{ Key: 'env', Value: 'dev' }] }]
          : [],
      }));
      t.ec2Mock.on(DescribeNetworkInterfacesCommand, () => ({
        NetworkInterfaces: [{ NetworkInterfaceId: 'eni-0123456789abcdef0', Attachment: { InstanceId: DEV } }],
      }));
      t.ec2Mock.on(DeleteSecurityGroupCommand, () => {
        throw dryRunOk();
      });
      const outcome = await t.runner.run(
        'ec2.securityGroups.delete',
        { groupId: group },
        execute({ approvalProvider: approvingProvider() }),
      );
      assert.equal(outcome.refusal?.code, 'dependency');
      assert.match(outcome.refusal!.message, /eni-0123456789abcdef0 \(i-0de0000000000000a\)/);
      assert.ok(!commandNames(t.ec2Mock).includes('DeleteSecurityGroup'));
    });

    it('refuses past the per-minute change limit, and allows again a minute later', async () => {
      t = setup({ settings: { maxMutationsPerMinute: 2 } });
      assert.equal((await t.runner.run('ec2.instances.stop', { instanceIds: [DEV] }, execute())).status, 'succeeded');
      assert.equal((await t.runner.run('ec2.instances.stop', { instanceIds: [DEV] }, execute())).status, 'succeeded');
      assert.equal(
        (await t.runner.run('ec2.instances.stop', { instanceIds: [DEV] }, execute())).refusal?.code,
        'rate-limit',
      );
      assert.equal(
        (await t.runner.run('ec2.instances.stop', { instanceIds: [DEV] }, dryRun())).status,
        'dry-run',
        'dry runs are not limited',
      );
      t.clock.advance(60_001);
      assert.equal((await t.runner.run('ec2.instances.stop', { instanceIds: [DEV] }, execute())).status, 'succeeded');
    });

    it('refuses every change while the audit trail cannot be written', async () => {
      const dir = tempDir();
      mkdirSync(join(dir.path, 'audit.jsonl'));
      t = setup({ auditPath: join(dir.path, 'audit.jsonl') });
      const outcome = await t.runner.run('ec2.instances.stop', { instanceIds: [DEV] }, execute());
      assert.equal(outcome.refusal?.code, 'audit-unavailable');
      assert.equal(t.ec2Mock.calls.length, 0);
      dir.cleanup();
    });
  });

  describe('backup before delete', () => {
    it('creates an AMI, waits until it is available, then terminates, and records the backup', async () => {
      t = setup();
      let polls = 0;
      t.ec2Mock.on(DescribeImagesCommand, () => ({
        Images: [{ ImageId: 'ami-0bac0000000000001', State: polls++ ? 'available' : 'pending' }],
      }));
      const outcome = await t.runner.run(
        'ec2.instances.terminate',
        { instanceIds: [DEV] },
        execute({ approvalProvider: approvingProvider() }),
      );
      assert.equal(outcome.status, 'succeeded');
      assert.deepEqual(outcome.backups, [
        { kind: 'ami', id: 'ami-0bac0000000000001', sourceId: DEV, state: 'available' },
      ]);
      assert.deepEqual(commandNames(t.ec2Mock), [
        'DescribeInstances',
        'DescribeInstanceAttribute',
        'TerminateInstances(dry)',
        'CreateImage',
        'DescribeImages',
        'DescribeImages',
        'TerminateInstances',
      ]);
      assert.deepEqual(t.sleeps, [10_000], 'polled once with the configured interval');
      const createImage = t.ec2Mock.inputsOf(CreateImageCommand)[0];
      assert.equal(createImage.NoReboot, true);
      assert.ok(
        createImage.TagSpecifications?.[0].Tags?.some((tag) => tag.Key === 'PilotLight:BackupOf' && tag.Value === DEV),
      );
      const records = await t.audit();
      assert.deepEqual(
        records.map((record) => record.outcome),
        ['approved', 'succeeded'],
      );
      assert.deepEqual(records[1].backups, [
        { kind: 'ami', id: 'ami-0bac0000000000001', sourceId: DEV, state: 'available' },
      ]);
    });

    it('deletes nothing when the backup fails', async () => {
      t = setup();
      t.ec2Mock.on(CreateImageCommand, () => {
        throw awsError('InvalidParameterValue', 400, 'instance-store root');
      });
      const outcome = await t.runner.run(
        'ec2.instances.terminate',
        { instanceIds: [DEV] },
        execute({ approvalProvider: approvingProvider() }),
      );
      assert.equal(outcome.status, 'failed');
      assert.equal(outcome.error?.code, 'BackupFailed:InvalidParameterValue');
      assert.match(outcome.error!.hint, /nothing was deleted/);
      assert.ok(!commandNames(t.ec2Mock).includes('TerminateInstances'));
      assert.equal((await t.audit()).at(-1)?.outcome, 'failed');
    });

    it('deletes nothing when the backup is not ready in time, and records the pending backup', async () => {
      t = setup();
      t.ec2Mock.on(DescribeImagesCommand, () => ({ Images: [{ ImageId: 'ami-0bac0000000000001', State: 'pending' }] }));
      const runner = t.runner as unknown as { options: { backupTimeoutMs: number } };
      runner.options.backupTimeoutMs = 0;
      const outcome = await t.runner.run(
        'ec2.instances.terminate',
        { instanceIds: [DEV] },
        execute({ approvalProvider: approvingProvider() }),
      );
      assert.equal(outcome.error?.code, 'BackupFailed:BackupTimeout');
      assert.ok(!commandNames(t.ec2Mock).includes('TerminateInstances'));
      assert.equal((await t.audit()).at(-1)?.backups?.[0].id, 'ami-0bac0000000000001');
    });

    it('skips the backup when the policy says never', async () => {
      t = setup({ settings: { backupBeforeDelete: 'never' } });
      const outcome = await t.runner.run(
        'ec2.instances.terminate',
        { instanceIds: [DEV] },
        execute({ approvalProvider: approvingProvider() }),
      );
      assert.equal(outcome.status, 'succeeded');
      assert.ok(!commandNames(t.ec2Mock).includes('CreateImage'));
    });
  });

  describe('resilience and errors', () => {
    it('retries a throttled call with deterministic backoff', async () => {
      t = setup();
      let stops = 0;
      t.ec2Mock.on(StopInstancesCommand, (input) => {
        if (input.DryRun) throw dryRunOk();
        if (++stops < 3) throw awsError('RequestLimitExceeded', 503);
        return { StoppingInstances: [] };
      });
      const outcome = await t.runner.run('ec2.instances.stop', { instanceIds: [DEV] }, execute());
      assert.equal(outcome.status, 'succeeded');
      assert.deepEqual(t.sleeps, [500, 1000]);
    });

    it('opens the circuit for the service and region and refuses further calls fast', async () => {
      t = setup({ breaker: new CircuitBreaker({ failureThreshold: 2, cooldownMs: 30_000 }) });
      t.ec2Mock.on(DescribeInstancesCommand, () => {
        throw awsError('InternalError', 500);
      });
      const first = await t.runner.run('ec2.instances.stop', { instanceIds: [DEV] }, execute());
      assert.equal(first.status, 'failed');
      assert.equal(first.error?.code, 'InternalError');
      await t.runner.run('ec2.instances.stop', { instanceIds: [DEV] }, execute());
      const calls = t.ec2Mock.calls.length;
      const third = await t.runner.run('ec2.instances.stop', { instanceIds: [DEV] }, execute());
      assert.equal(third.refusal?.code, 'circuit-open');
      assert.equal(t.ec2Mock.calls.length, calls, 'no call went out');
      const other = await t.runner.run('ec2.instances.stop', { instanceIds: [DEV] }, execute({ region: 'eu-west-1' }));
      assert.notEqual(other.refusal?.code, 'circuit-open', 'other regions are unaffected');
    });

    it('surfaces AWS failures with the code and a plain explanation, and audits them', async () => {
      t = setup();
      t.ec2Mock.on(StopInstancesCommand, (input: { DryRun?: boolean }) => {
        if (input.DryRun) throw dryRunOk();
        throw awsError('IncorrectInstanceState', 400, 'The instance is not in a state from which it can be stopped.');
      });
      const outcome = await t.runner.run('ec2.instances.stop', { instanceIds: [DEV] }, execute());
      assert.equal(outcome.status, 'failed');
      assert.equal(outcome.error?.code, 'IncorrectInstanceState');
      assert.match(outcome.error!.hint, /not in a state that allows this action/);
      const [record] = await t.audit();
      assert.equal(record.outcome, 'failed');
      assert.equal(record.error?.code, 'IncorrectInstanceState');
    });

    it('reports a missing resource as failed with a not-found hint', async () => {
      t = setup();
      const outcome = await t.runner.run('ec2.instances.stop', { instanceIds: ['i-0ffffffffffffffff'] }, execute());
      assert.equal(outcome.status, 'failed');
      assert.equal(outcome.error?.kind, 'not-found');
    });
  });

  describe('reads and secrets', () => {
    it('runs reads without an audit line unless the policy asks for it, and redacts their output', async () => {
      t = setup();
      t.ec2Mock.on(DescribeLaunchTemplateVersionsCommand, () => ({
        LaunchTemplateVersions: [
          {
            VersionNumber: 1,
            LaunchTemplateData: {
              UserData: Buffer.from('DB_PASSWORD=hunter2').toString('base64'),
              InstanceType: 't3.micro',
            },
          },
        ],
      }));
      const outcome = await t.runner.run(
        'ec2.launchTemplates.versions',
        { launchTemplateId: 'lt-0123456789abcdef0' },
        { caller: 'chat', mode: 'execute' },
      );
      assert.equal(outcome.status, 'succeeded');
      const items = (outcome.output as { items: Array<{ LaunchTemplateData: { UserData: string } }> }).items;
      assert.equal(items[0].LaunchTemplateData.UserData, '[REDACTED]');
      assert.equal((await t.audit()).length, 0);
      t.cleanup();
      t = setup({ settings: { auditReads: true } });
      await t.runner.run('ec2.instances.list', {}, { caller: 'explorer', mode: 'execute' });
      assert.equal((await t.audit())[0].operation, 'ec2.instances.list');
    });

    it('keeps user data secrets out of the audit trail, the logs and the returned preview', async () => {
      t = setup();
      t.ec2Mock.on(DescribeLaunchTemplatesCommand, () => ({
        LaunchTemplates: [
          { LaunchTemplateId: 'lt-0123456789abcdef0', LaunchTemplateName: 'web', Tags: [{ Key: 'env', Value: 'dev' }] },
        ],
      }));
      t.ec2Mock.on(DescribeLaunchTemplateVersionsCommand, () => ({
        LaunchTemplateVersions: [{ LaunchTemplateData: { InstanceType: 't3.micro' } }],
      }));
      t.ec2Mock.on(RunInstancesCommand, (input: { DryRun?: boolean }) => {
        if (input.DryRun) throw dryRunOk();
        return { ReservationId: 'r-1', Instances: [{ InstanceId: 'i-0aaaaaaaaaaaaaaa1' }] };
      });
      const secret = 'S3cr3t-Pa55word!';
      const outcome = await t.runner.run(
        'ec2.instances.launchFromTemplate',
        {
          launchTemplateId: 'lt-0123456789abcdef0',
          userData: `#!/bin/bash\nexport DB_PASSWORD=${secret}\n`,
          tags: { apiToken: 'AKIAIOSFODNN7EXAMPLE' },
        },
        execute(),
      );
      assert.equal(outcome.status, 'succeeded');
      assert.deepEqual(outcome.resourceIds, ['i-0aaaaaaaaaaaaaaa1']);
      const run = t.ec2Mock.inputsOf(RunInstancesCommand).find((input) => !input.DryRun)!;
      assert.ok(Buffer.from(run.UserData!, 'base64').toString().includes(secret), 'AWS gets the real user data');
      const { readFileSync } = await import('node:fs');
      const everything = [readFileSync(t.auditPath, 'utf8'), t.logs.join('\n'), JSON.stringify(outcome)].join('\n');
      assert.ok(!everything.includes(secret));
      assert.ok(!everything.includes('AKIAIOSFODNN7EXAMPLE'));
      assert.ok(!everything.includes(Buffer.from(`#!/bin/bash\nexport DB_PASSWORD=${secret}\n`).toString('base64')));
    });
  });

  describe('external approval rules (issue 16)', () => {
    it('a change a rule sends to Jira never runs on an answer without a ticket reference, as an agent would give', async () => {
      t = setup({ settings: { approvals: [{ environments: ['prod'], system: 'jira' }] } });
      const agent = new ScriptedApprovalProvider(
        (request) => ({ approved: true, approver: 'agent', typedConfirmation: request.requiredConfirmation }),
        'mcp-elicitation',
      );
      const preview = await t.runner.run('ec2.instances.stop', { instanceIds: [PROD] }, dryRun({ caller: 'mcp' }));
      assert.equal(preview.preview?.guardrails.approval?.requirement?.system, 'jira');
      const outcome = await t.runner.run(
        'ec2.instances.stop',
        { instanceIds: [PROD] },
        execute({ caller: 'mcp', approvalProvider: agent }),
      );
      assert.equal(outcome.status, 'refused');
      assert.equal(outcome.refusal?.code, 'confirmation-mismatch');
      assert.match(outcome.refusal?.message ?? '', /needs an approved jira change ticket/);
      assert.ok(!t.ec2Mock.names().includes('StopInstances'), t.ec2Mock.names().join(', '));
    });
  });
});
