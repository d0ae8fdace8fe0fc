import * as assert from 'node:assert/strict';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateVolumeCommand, EC2Client, RunInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { CreateDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { ebsVolumeMonthly } from '../../src/core/insights/prices';
import { collectInsights, proactiveSources, renderInsightsAnswer } from '../../src/core/insights/proactive';
import { patchComplianceSource } from '../../src/core/insights/proactive/patchSource';
import { rdsStorageSource } from '../../src/core/insights/proactive/rdsStorageSource';
import { unattachedVolumesSource } from '../../src/core/insights/proactive/unusedSource';
import type { InsightContext } from '../../src/core/insights/proactive/types';
import { emulatorConnection } from '../support/connection';
import { clientConfig, emulatorStack, resetAndSeed, useEmulatorStack } from '../support/emulators';
import { readsThroughRunner } from '../support/resourceReads';
import { startSsmFront } from '../../tools/emulators/ssm/front';

useEmulatorStack();

const GIB = 1024 ** 3;
const resolveEnvironment = (tags: Record<string, string>) => ({
  name: tags.Environment ?? 'unknown',
  protected: tags.Environment === 'production',
});

/**
 * Proactive insights against moto through the real SDK: every read goes through the OperationRunner
 * (registered operations only), and a source whose API moto lacks reports "not checked", not "nothing found".
 */
describe('proactive insights against moto', function () {
  this.timeout(120_000);
  let reads: ReturnType<typeof readsThroughRunner>;
  let region: string;
  const calls: string[] = [];

  function context(now = new Date()): InsightContext {
    return {
      read: (operationId, input) => {
        calls.push(operationId);
        return reads.read(operationId, input, region);
      },
      account: '123456789012',
      region,
      now,
    };
  }

  before(async () => {
    await resetAndSeed(false);
    reads = readsThroughRunner(await emulatorConnection());
    region = emulatorStack().region;
  });

  it('seeded unattached volumes become one insight with their monthly cost', async () => {
    const ec2 = new EC2Client(clientConfig());
    try {
      for (const size of [100, 50, 25])
        await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${region}a`, Size: size, VolumeType: 'gp3' }));
    } finally {
      ec2.destroy();
    }
    const [insight] = await unattachedVolumesSource({ resolveEnvironment }).collect(context());
    const expected = [100, 50, 25].reduce((sum, size) => sum + ebsVolumeMonthly('gp3', size), 0);
    assert.equal(insight.title, `3 unattached EBS volumes cost about $${expected.toFixed(2)}/month`);
    assert.equal(insight.resources.length, 3);
    assert.ok(insight.resources.every((resource) => resource.type === 'ec2:volume' && resource.id.startsWith('vol-')));
    assert.equal(insight.fix?.operationId, 'ec2.volumes.delete');
    // The fix is offered as a dry-run: it previews through the runner and changes nothing.
    const preview = await reads.runner.run(insight.fix!.operationId, insight.fix!.input, {
      caller: 'command',
      mode: 'dry-run',
      region,
    });
    assert.equal(preview.status, 'dry-run');
  });

  it('an RDS instance with seeded FreeStorageSpace at 15 % free is "at 85 % of its storage"', async () => {
    const rds = new RDSClient(clientConfig());
    const cloudWatch = new CloudWatchClient(clientConfig());
    try {
      for (const id of ['orders-db', 'roomy-db'])
        await rds.send(
          new CreateDBInstanceCommand({
            DBInstanceIdentifier: id,
            DBInstanceClass: 'db.t3.micro',
            Engine: 'postgres',
            AllocatedStorage: 20,
            MasterUsername: 'admin_user',
            MasterUserPassword: 'not-a-real-password-1',
          }),
        );
      const now = Date.now();
      for (const [id, freeGiB] of [
        ['orders-db', 3],
        ['roomy-db', 15],
      ] as const)
        await cloudWatch.send(
          new PutMetricDataCommand({
            Namespace: 'AWS/RDS',
            MetricData: [1, 6, 11].map((minutesAgo, index) => ({
              MetricName: 'FreeStorageSpace',
              Dimensions: [{ Name: 'DBInstanceIdentifier', Value: id }],
              Timestamp: new Date(now - minutesAgo * 60_000),
              // The latest point counts: older points had more free space.
              Value: (freeGiB + index) * GIB,
              Unit: 'Bytes',
            })),
          }),
        );
    } finally {
      rds.destroy();
      cloudWatch.destroy();
    }
    calls.length = 0;
    const insights = await rdsStorageSource().collect(context());
    assert.deepEqual(
      insights.map((insight) => insight.title),
      ['RDS instance orders-db is at 85 % of its storage'],
    );
    assert.equal(insights[0].resources[0].id, 'orders-db');
    assert.deepEqual([...new Set(calls)].sort(), ['rds.instances.list', 'rds.instances.storageMetrics']);
  });

  let launched: Instance[] = [];

  it('patch states: moto lacks DescribeInstancePatchStates, so the source is "not checked" with why', async () => {
    const ec2 = new EC2Client(clientConfig());
    try {
      launched =
        (
          await ec2.send(
            new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 3, MaxCount: 3, InstanceType: 't3.micro' }),
          )
        ).Instances ?? [];
    } finally {
      ec2.destroy();
    }
    // moto launches instances "now": judge them 40 days later so that they count as running 30+ days.
    const later = new Date(Date.now() + 40 * 24 * 60 * 60 * 1000);
    const report = await collectInsights([patchComplianceSource({ resolveEnvironment })], context(later));
    assert.equal(report.sources[0].state, 'not-checked');
    assert.match(report.sources[0].reason!, /^SSM patch states could not be read: /);
    assert.equal(report.insights.length, 0);
    assert.doesNotMatch(renderInsightsAnswer(report).markdown, /Nothing to look at/);
  });

  it('patch states from the SSM front (which fills DescribeInstancePatchStates): stale and unreported instances', async () => {
    const stack = emulatorStack();
    const front = await startSsmFront({ upstream: stack.endpoint, motoEndpoint: stack.motoEndpoint });
    try {
      const [stale, fresh] = launched.map((instance) => instance.InstanceId!);
      const later = new Date(Date.now() + 40 * 24 * 60 * 60 * 1000);
      front.patchStates.seed(region, [
        { instanceId: stale, operationEndTime: new Date() },
        { instanceId: fresh, operationEndTime: new Date(later.getTime() - 2 * 24 * 60 * 60 * 1000) },
      ]);
      const viaFront = readsThroughRunner(await emulatorConnection({ endpointUrl: front.endpoint }));
      const report = await collectInsights([patchComplianceSource({ resolveEnvironment })], {
        read: (operationId, input) => viaFront.read(operationId, input, region),
        account: '123456789012',
        region,
        now: later,
      });
      assert.equal(report.sources[0].state, 'ok');
      const byId = Object.fromEntries(report.insights.map((insight) => [insight.id.split(':')[0], insight]));
      assert.equal(byId['unpatched-instances'].title, '1 instance has run 30+ days without patches');
      assert.deepEqual(
        byId['unpatched-instances'].resources.map((resource) => resource.id),
        [stale],
      );
      assert.match(byId['unpatched-instances'].detail!, /last patched or scanned 40 days ago/);
      // The third instance never reported a patch state: whether it is patched is unknown, and said so.
      assert.equal(byId['unmanaged-patching'].title, '1 instance running 30+ days reports no patch state');
      assert.deepEqual(front.patchStates.calls, [3]);
    } finally {
      await front.stop();
    }
  });

  it('the whole list runs side by side: insights ranked, every source with its status', async () => {
    const report = await collectInsights(proactiveSources({ resolveEnvironment }), context());
    const byId = Object.fromEntries(report.sources.map((status) => [status.id, status]));
    assert.equal(byId['unattached-volumes'].state, 'ok');
    assert.equal(byId['rds-storage'].state, 'ok');
    assert.equal(byId['open-security-groups'].state, 'ok');
    assert.ok(report.insights.some((insight) => insight.sourceId === 'unattached-volumes'));
    assert.ok(report.insights.some((insight) => insight.sourceId === 'rds-storage'));
    const answer = renderInsightsAnswer(report);
    assert.match(answer.markdown, /Here is what I would look at first/);
    assert.match(answer.markdown, /at 85 % of its storage/);
  });
});
