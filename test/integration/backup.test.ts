/**
 * AWS Backup against moto + the Backup emulator (tools/emulators/backup), through the real SDK and the
 * safety core: a plan created by tag selection and read back, a restore test recorded with its duration,
 * backup compliance (positive and negative), and a DR wave with a backupRestore action run by the local
 * runner and compiled + executed on moto's Step Functions.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  BackupClient,
  CreateBackupVaultCommand,
  DescribeBackupJobCommand,
  StartBackupJobCommand,
} from '@aws-sdk/client-backup';
import { CreateVolumeCommand, DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { readAuditTrail } from '../../src/core/audit';
import type { AwsConnection } from '../../src/core/aws/connection';
import { parseBackupPlanRequest } from '../../src/core/backup/chatIntent';
import { checkBackupCompliance } from '../../src/core/backup/compliance';
import type { BackupPlanSpec } from '../../src/core/backup/planSpec';
import { runRestoreTest } from '../../src/core/backup/restoreTest';
import { changeWriter } from '../../src/core/backup/writes';
import { DrRunner, type RunnerDeps } from '../../src/core/dr/run';
import { runPreflight } from '../../src/core/dr/preflight';
import { buildRunResult, listRunHistory, renderMarkdownReport } from '../../src/core/dr/results';
import type { BackupRestoreAction } from '../../src/core/dr/model';
import {
  deployPlan,
  operationSfnReads,
  outputOf,
  prepareDeployment,
  startPlanRun,
  type StepFunctionsRunFollower,
} from '../../src/core/dr/stepFunctions';
import type { OperationRunner, RunOptions } from '../../src/core/operations';
import { createRuntime, type Runtime } from '../../src/core/runtime';
import { emulatorConnection } from '../support/connection';
import { plan as drPlan, productDeps, tempDir as drTempDir, tierGroups } from '../support/dr';
import { clientConfig, emulatorStack, resetAndSeed, useEmulatorStack, waitFor } from '../support/emulators';
import { approvingProvider, tempDir } from '../support/operationHarness';

useEmulatorStack();

const ROLE = 'arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole';

describe('AWS Backup against moto + the Backup emulator', function () {
  this.timeout(120_000);
  let connection: AwsConnection;
  let ec2: EC2Client;
  let backup: BackupClient;
  let dir: ReturnType<typeof tempDir>;
  let runtime: Runtime;
  let account: string;

  before(async () => {
    connection = await emulatorConnection();
    ec2 = new EC2Client(clientConfig());
    backup = new BackupClient(clientConfig());
    account = (await connection.identity()).account;
  });
  after(() => {
    ec2.destroy();
    backup.destroy();
    connection.dispose();
  });
  beforeEach(async () => {
    await emulatorStack().reset();
    emulatorStack().backup!.setJobMs(150);
    dir = tempDir('pilot-light-backup-it-');
    runtime = createRuntime({
      policyFiles: [],
      auditPath: join(dir.path, 'audit.jsonl'),
      approvalProvider: approvingProvider(),
      connection: async () => connection,
    });
  });
  afterEach(() => dir.cleanup());

  async function read(operationId: string, input: Record<string, unknown>): Promise<unknown> {
    const outcome = await (await runtime.runner()).run(operationId, input, { caller: 'command', mode: 'execute' });
    if (outcome.status !== 'succeeded')
      throw new Error(`${operationId}: ${outcome.error?.message ?? outcome.refusal?.message ?? outcome.status}`);
    return outcome.output;
  }
  const write = () => changeWriter(runtime.dryRunThenExecute, 'command', async () => ({ approved: true }));

  async function volume(tags: Record<string, string>, sizeGiB = 8): Promise<string> {
    const created = await ec2.send(
      new CreateVolumeCommand({
        AvailabilityZone: 'us-east-1a',
        Size: sizeGiB,
        TagSpecifications: [
          { ResourceType: 'volume', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
        ],
      }),
    );
    return created.VolumeId!;
  }

  async function backedUp(vaultName: string, volumeId: string): Promise<string> {
    const job = await backup.send(
      new StartBackupJobCommand({
        BackupVaultName: vaultName,
        ResourceArn: `arn:aws:ec2:us-east-1:${account}:volume/${volumeId}`,
        IamRoleArn: ROLE,
        Lifecycle: { DeleteAfterDays: 30 },
      }),
    );
    await waitFor(async () => {
      const state = (await backup.send(new DescribeBackupJobCommand({ BackupJobId: job.BackupJobId }))).State;
      return state === 'COMPLETED' ? true : undefined;
    }, 'the backup job');
    return job.RecoveryPointArn!;
  }

  it('creates a backup plan by tag selection from a chat phrase, and reads it back with its selection', async () => {
    const request = parseBackupPlanRequest(
      'daily backups of all production databases, 30-day retention, copy to us-west-2',
    );
    assert.ok(request);
    assert.deepEqual(request.missing, []);
    await backup.send(new CreateBackupVaultCommand({ BackupVaultName: 'Default' }));
    const spec: BackupPlanSpec = {
      name: 'prod-db-daily',
      frequency: request.frequency!,
      retentionDays: request.retentionDays!,
      vaultName: 'Default',
      selectionTags: request.selectionTags,
      resourceKinds: request.resourceKinds,
      iamRoleArn: ROLE,
      copyTo: request.copyRegions.map((region) => ({ region, vaultName: 'Default' })),
    };
    const created = await write()('backup.plans.create', spec as unknown as Record<string, unknown>);
    assert.equal(created.status, 'succeeded', JSON.stringify(created));
    const [planArn] = (created as { resourceIds: string[] }).resourceIds;
    const backupPlanId = planArn.split(':').pop()!;

    const plan = (await read('backup.plans.get', { planId: backupPlanId })) as {
      name: string;
      rules: {
        ScheduleExpression: string;
        Lifecycle: { DeleteAfterDays: number };
        CopyActions?: { DestinationBackupVaultArn: string }[];
      }[];
      selections: {
        Resources: string[];
        Conditions: { StringEquals: { ConditionKey: string; ConditionValue: string }[] };
      }[];
    };
    assert.equal(plan.name, 'prod-db-daily');
    assert.equal(plan.rules[0].ScheduleExpression, 'cron(0 5 * * ? *)');
    assert.equal(plan.rules[0].Lifecycle.DeleteAfterDays, 30);
    assert.equal(
      plan.rules[0].CopyActions?.[0].DestinationBackupVaultArn,
      `arn:aws:backup:us-west-2:${account}:backup-vault:Default`,
    );
    assert.equal(plan.selections.length, 1);
    assert.deepEqual(plan.selections[0].Conditions.StringEquals, [
      { ConditionKey: 'aws:ResourceTag/Environment', ConditionValue: 'production' },
    ]);
    assert.ok(plan.selections[0].Resources.includes('arn:aws:rds:*:*:db:*'));
    const audit = await readAuditTrail(join(dir.path, 'audit.jsonl'), {});
    assert.ok(audit.some((line) => line.operation === 'backup.plans.create' && line.outcome === 'succeeded'));
  });

  it('refuses a plan whose selection has no tag (nothing half created)', async () => {
    const result = await write()('backup.plans.create', {
      name: 'no-tags',
      frequency: 'daily',
      retentionDays: 7,
      vaultName: 'Default',
      selectionTags: {},
      iamRoleArn: ROLE,
    });
    assert.notEqual(result.status, 'succeeded');
    assert.equal(((await read('backup.plans.list', {})) as { items: unknown[] }).items.length, 0);
  });

  it('tests a restore: a new volume from the recovery point, recorded with its duration like a recovery run, then deleted under guardrails', async () => {
    await backup.send(new CreateBackupVaultCommand({ BackupVaultName: 'vault-a' }));
    const source = await volume({ Name: 'orders-db-data', Environment: 'staging' }, 20);
    const point = await backedUp('vault-a', source);
    const points = (await read('backup.recoveryPoints.list', { vaultName: 'vault-a' })) as {
      items: { RecoveryPointArn: string; ResourceArn: string; BackupSizeInBytes: number; Status: string }[];
    };
    assert.equal(points.items.length, 1);
    assert.equal(points.items[0].Status, 'COMPLETED');
    assert.equal(points.items[0].BackupSizeInBytes, 20 * 1024 ** 3);
    const vaults = (await read('backup.vaults.list', {})) as {
      items: { BackupVaultName: string; NumberOfRecoveryPoints: number }[];
    };
    assert.equal(vaults.items.find((vault) => vault.BackupVaultName === 'vault-a')?.NumberOfRecoveryPoints, 1);

    const journalDir = join(dir.path, 'runs');
    const outcome = await runRestoreTest(
      { region: 'us-east-1', vaultName: 'vault-a', recoveryPointArn: point, iamRoleArn: ROLE, deleteAfter: true },
      { read, write: write(), journalDir, pollMs: 50 },
    );
    assert.equal(outcome.status, 'succeeded', JSON.stringify(outcome));
    assert.ok(typeof outcome.restoreDurationMs === 'number' && outcome.restoreDurationMs >= 0);
    const restoredId = outcome.createdResourceArn!.split('/').pop()!;
    assert.match(restoredId, /^vol-/);
    assert.notEqual(restoredId, source);
    assert.deepEqual(outcome.deleted, { status: 'succeeded' });
    const left = await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'volume-id', Values: [restoredId] }] }));
    assert.equal(left.Volumes?.length ?? 0, 0, 'the restored volume was deleted');

    const history = listRunHistory(journalDir);
    assert.equal(history.length, 1);
    assert.equal(history[0].status, 'completed');
    assert.match(history[0].planName, /^restore-test-vault-a/);
    const action = outcome.result!.waves[0].actions[0];
    assert.equal(action.type, 'backupRestore');
    assert.equal(action.status, 'succeeded');
    assert.equal(action.attempts[0].outputs?.restoreDurationMs?.[0], String(outcome.restoreDurationMs));
    assert.equal(outcome.result!.cleanup?.status, 'completed');
    assert.match(renderMarkdownReport(outcome.result!), /restore/);
    const audit = await readAuditTrail(join(dir.path, 'audit.jsonl'), {});
    assert.ok(audit.some((line) => line.operation === 'backup.restore.start' && line.outcome === 'succeeded'));
    assert.ok(audit.some((line) => line.operation === 'ec2.volumes.delete' && line.outcome === 'succeeded'));
  });

  it('records a failed restore test as a failed run', async () => {
    await backup.send(new CreateBackupVaultCommand({ BackupVaultName: 'vault-f' }));
    const point = await backedUp('vault-f', await volume({ Name: 'x' }));
    emulatorStack().backup!.failNextRestore(1, 'Insufficient permissions to restore');
    const journalDir = join(dir.path, 'runs');
    const outcome = await runRestoreTest(
      { region: 'us-east-1', vaultName: 'vault-f', recoveryPointArn: point },
      { read, write: write(), journalDir, pollMs: 50 },
    );
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.error ?? '', /FAILED: Insufficient permissions/);
    assert.equal(listRunHistory(journalDir)[0].status, 'failed');
  });

  it('backup compliance: a selected volume without a recent recovery point is a finding, one backed up today is not', async () => {
    await backup.send(new CreateBackupVaultCommand({ BackupVaultName: 'Default' }));
    const created = await write()('backup.plans.create', {
      name: 'volumes-daily',
      frequency: 'daily',
      retentionDays: 14,
      vaultName: 'Default',
      selectionTags: { Backup: 'daily' },
      resourceKinds: ['volumes'],
      iamRoleArn: ROLE,
    });
    assert.equal(created.status, 'succeeded', JSON.stringify(created));
    const fresh = await volume({ Name: 'fresh', Backup: 'daily' });
    const never = await volume({ Name: 'never', Backup: 'daily' });
    const stale = await volume({ Name: 'stale', Backup: 'daily' });
    const untagged = await volume({ Name: 'not-selected' });
    await backedUp('Default', fresh);
    const stalePoint = await backedUp('Default', stale);
    emulatorStack().backup!.backdate(stalePoint, new Date(Date.now() - 3 * 24 * 3_600_000));

    const positive = await checkBackupCompliance({ read, account, region: 'us-east-1' });
    assert.equal(positive.check.status, 'ran');
    assert.equal(positive.check.resourcesEvaluated, 3);
    const flagged = positive.check.findings.map((finding) => finding.resource.id).sort();
    assert.deepEqual(flagged, [never, stale].sort());
    assert.ok(!flagged.includes(untagged));
    for (const finding of positive.check.findings) {
      assert.equal(finding.ruleId, 'backup.missingRecoveryPoint');
      assert.equal(finding.source, 'pilotlight');
    }
    assert.match(positive.check.findings.find((f) => f.resource.id === never)!.message, /No recovery point/);

    // Negative: once every selected volume has a fresh recovery point, nothing is flagged.
    await backedUp('Default', never);
    await backedUp('Default', stale);
    const negative = await checkBackupCompliance({ read, account, region: 'us-east-1' });
    assert.equal(negative.check.status, 'ran');
    assert.equal(negative.check.resourcesEvaluated, 3);
    assert.deepEqual(negative.check.findings, []);
  });

  describe('DR wave with a backupRestore action', () => {
    let drDir: ReturnType<typeof drTempDir>;
    let deps: RunnerDeps & { operations: OperationRunner };
    const followers: StepFunctionsRunFollower[] = [];

    beforeEach(async () => {
      await resetAndSeed('sample');
      emulatorStack().backup!.setJobMs(150);
      drDir = drTempDir();
      deps = await productDeps(drDir.path, { auditPath: `${drDir.path}/audit.jsonl`, approval: approvingProvider() });
    });
    afterEach(() => {
      for (const follower of followers.splice(0)) follower.close();
      drDir.remove();
    });

    async function restoreAction(): Promise<BackupRestoreAction> {
      await backup.send(new CreateBackupVaultCommand({ BackupVaultName: 'dr-vault' }));
      const point = await backedUp('dr-vault', await volume({ Name: 'db-data' }, 30));
      return {
        type: 'backupRestore',
        name: 'restore-db-volume',
        backupVaultName: 'dr-vault',
        recoveryPointArn: point,
        iamRoleArn: ROLE,
        metadata: { volumeType: 'gp2' },
        timeoutSeconds: 120,
      };
    }

    it('preflight finds a missing recovery point', async () => {
      const action: BackupRestoreAction = {
        type: 'backupRestore',
        backupVaultName: 'Default',
        recoveryPointArn: 'arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0',
      };
      await backup.send(new CreateBackupVaultCommand({ BackupVaultName: 'Default' }));
      const report = await runPreflight({
        plan: drPlan('restore-missing', [{ name: 'db', protectionGroups: ['db-tier'], postActions: [action] }]),
        groups: tierGroups(),
        mode: 'drill',
        reads: deps.reads,
        defaultRegion: 'us-east-1',
      });
      const finding = report.findings.find((f) => f.code === 'recovery-point-missing');
      assert.ok(finding, JSON.stringify(report.findings));
      assert.equal(finding.severity, 'error');
      assert.equal(report.ok, false);
    });

    it('the local runner restores after the wave launches, and records the restore', async () => {
      const action = await restoreAction();
      const runner = await DrRunner.create(deps, {
        plan: drPlan('db-restore', [{ name: 'db', protectionGroups: ['db-tier'], postActions: [action] }]),
        groups: tierGroups(),
        mode: 'drill',
      });
      try {
        const state = await runner.run();
        assert.equal(state.status, 'completed', JSON.stringify(state.errors));
        const step = state.waves.db.steps['db/post/0'];
        assert.equal(step.status, 'succeeded');
        const outputs = step.attempts[0].outputs!;
        assert.match(outputs.createdResourceArn[0], /:volume\/vol-/);
        const restored = outputs.createdResourceArn[0].split('/').pop()!;
        const volumes = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [restored] }));
        assert.equal(volumes.Volumes?.[0].VolumeType, 'gp2', 'the metadata override reached the restore');
        const result = buildRunResult(state);
        assert.equal(result.waves[0].actions[0].type, 'backupRestore');
        const audit = await readAuditTrail(`${drDir.path}/audit.jsonl`, {});
        const start = audit.find((line) => line.operation === 'backup.restore.start' && line.outcome === 'succeeded');
        assert.ok(start);
        assert.equal(start.correlationId, state.runId);
      } finally {
        runner.dispose();
      }
    });

    it('the Step Functions compiler emits startRestoreJob + a describeRestoreJob loop, and moto executes it', async () => {
      const action = await restoreAction();
      const plan = drPlan('db-restore-sfn', [{ name: 'db', protectionGroups: ['db-tier'], postActions: [action] }]);
      const options: RunOptions = { caller: 'command', mode: 'execute', approvalProvider: approvingProvider() };
      const prepared = await prepareDeployment({
        plan,
        groups: tierGroups(),
        reads: deps.reads,
        region: emulatorStack().region,
        pollSeconds: 1,
      });
      const definition = JSON.stringify(prepared.compiled.definition);
      assert.ok(definition.includes('arn:aws:states:::aws-sdk:backup:startRestoreJob'));
      assert.ok(definition.includes('arn:aws:states:::aws-sdk:backup:describeRestoreJob'));
      assert.ok(definition.includes('States.JsonMerge($.restore.metadata, $.restoreOverrides, false)'));
      assert.ok(prepared.compiled.calls.some((call) => call.action === 'backup:StartRestoreJob'));
      outputOf(await deployPlan(deps.operations, prepared, options), 'deploy');

      const before = emulatorStack().backup!.calls.StartRestoreJob ?? 0;
      const follower = await startPlanRun({
        operations: deps.operations,
        options,
        journalDir: drDir.path,
        plan,
        groups: tierGroups(),
        reads: deps.reads,
        region: emulatorStack().region,
        mode: 'drill',
        pollSeconds: 1,
      });
      followers.push(follower);
      const sfnReads = operationSfnReads(deps.operations, options);
      const state = await waitFor(
        async () => {
          await follower.poll(sfnReads, deps.reads);
          return follower.done ? follower.snapshot() : undefined;
        },
        'the Step Functions run to end',
        { timeoutMs: 90_000, intervalMs: 300 },
      );
      assert.equal(state.status, 'completed', JSON.stringify(state.errors));
      assert.equal(state.waves.db.steps['db/post/0'].status, 'succeeded');
      assert.equal((emulatorStack().backup!.calls.StartRestoreJob ?? 0) - before, 1, 'one restore job started by moto');
      assert.ok((emulatorStack().backup!.calls.DescribeRestoreJob ?? 0) >= 1);
    });
  });
});
