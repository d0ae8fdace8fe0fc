/**
 * The demo's breadth seed (tools/seed/breadth.ts) against moto + our emulators: every step seeds, and each
 * item is read back through the real SDK (ECS service, organization accounts, alarm in ALARM, metric data,
 * recovery point, Cost Explorer answer, unattached volume, SSH-open security group).
 */
import * as assert from 'node:assert/strict';
import { BackupClient, DescribeRecoveryPointCommand, ListBackupPlansCommand } from '@aws-sdk/client-backup';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ComputeOptimizerClient, GetEC2InstanceRecommendationsCommand } from '@aws-sdk/client-compute-optimizer';
import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  GetSavingsPlansPurchaseRecommendationCommand,
} from '@aws-sdk/client-cost-explorer';
import { DescribeSecurityGroupsCommand, DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { OrganizationsClient, organizationsCommand } from '../../src/core/aws/organizationsService';
import { describeSelector, readScheduleTarget } from '../../src/core/cost/scheduleTargets';
import { spendPeriods } from '../../src/core/cost/spend';
import {
  DEMO_ALARM,
  DEMO_BACKUP_PLAN,
  DEMO_ECS_CLUSTER,
  DEMO_LOG_GROUP,
  DEMO_VAULT,
  seedBreadthDemo,
  type BreadthSeed,
} from '../../tools/seed/breadth';
import { clientConfig, emulatorStack, resetAndSeed, useEmulatorStack } from '../support/emulators';

useEmulatorStack();

describe('The demo breadth seed against moto + the emulators', function () {
  this.timeout(120_000);
  let seeded: BreadthSeed;
  const now = new Date();

  before(async () => {
    await resetAndSeed('sample');
    const stack = emulatorStack();
    seeded = await seedBreadthDemo(
      { endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials },
      { now },
    );
  });

  it('notes every step as seeded, one line each', () => {
    assert.deepEqual(
      seeded.steps.filter((step) => !step.ok).map((step) => step.note),
      [],
    );
    assert.deepEqual(
      seeded.steps.map((step) => step.step),
      [
        'account',
        'ECS',
        'ECR',
        'Organizations',
        'Cost',
        'Recommendations',
        'Schedules',
        'CloudWatch',
        'Backup',
        'Insights',
        'Compliance',
      ],
    );
    for (const step of seeded.steps) assert.ok(!step.note.includes('\n'), step.note);
  });

  it('runs the ECS service web (desired 2) with its tasks and awslogs events, and an ECR image', async () => {
    const ecs = new ECSClient(clientConfig());
    const logs = new CloudWatchLogsClient(clientConfig());
    const ecr = new ECRClient(clientConfig());
    try {
      const { services } = await ecs.send(
        new DescribeServicesCommand({ cluster: DEMO_ECS_CLUSTER, services: ['web'] }),
      );
      assert.equal(services?.[0]?.serviceName, 'web');
      assert.equal(services?.[0]?.desiredCount, 2);
      const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: DEMO_ECS_CLUSTER }));
      assert.equal(taskArns?.length, 2);
      const { events } = await logs.send(new FilterLogEventsCommand({ logGroupName: DEMO_LOG_GROUP }));
      assert.equal(events?.length, 8);
      const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: 'web' }));
      assert.deepEqual(imageDetails?.[0]?.imageTags, ['1.1']);
    } finally {
      ecs.destroy();
      logs.destroy();
      ecr.destroy();
    }
  });

  it('creates the organization with its OUs and three member accounts', async () => {
    const stack = emulatorStack();
    const organizations = new OrganizationsClient({
      region: stack.region,
      endpoint: stack.endpoint,
      credentials: async () => ({ ...stack.credentials }),
    });
    try {
      const accounts = (await organizations.send(organizationsCommand('ListAccounts', {}))).Accounts as Array<{
        Id: string;
        Name: string;
      }>;
      for (const name of ['prod-app', 'dev-app', 'sandbox-1'])
        assert.ok(
          accounts.some((account) => account.Name === name),
          name,
        );
      const roots = (await organizations.send(organizationsCommand('ListRoots', {}))).Roots as Array<{ Id: string }>;
      const units = (
        await organizations.send(organizationsCommand('ListOrganizationalUnitsForParent', { ParentId: roots[0].Id }))
      ).OrganizationalUnits as Array<{ Name: string }>;
      assert.deepEqual(units.map((unit) => unit.Name).sort(), ['Sandbox', 'Workloads']);
    } finally {
      organizations.destroy();
    }
  });

  it('answers the Cost view’s two requests with the seeded months', async () => {
    const ce = new CostExplorerClient(clientConfig());
    try {
      const periods = spendPeriods(now);
      const ask = (period: { start: string; end: string }) =>
        ce.send(
          new GetCostAndUsageCommand({
            TimePeriod: { Start: period.start, End: period.end },
            Granularity: 'MONTHLY',
            Metrics: ['UnblendedCost'],
            GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
          }),
        );
      const total = (result: Awaited<ReturnType<typeof ask>>) =>
        (result.ResultsByTime?.[0]?.Groups ?? []).reduce(
          (sum, group) => sum + Number(group.Metrics?.UnblendedCost?.Amount),
          0,
        );
      assert.equal(total(await ask(periods.thisMonth)).toFixed(2), '932.00');
      assert.equal(total(await ask(periods.lastMonth)).toFixed(2), '1820.25');
    } finally {
      ce.destroy();
    }
  });

  it('answers a Savings Plans recommendation and Compute Optimizer findings for app-1 and db-1', async () => {
    const ce = new CostExplorerClient(clientConfig());
    const optimizer = new ComputeOptimizerClient(clientConfig());
    try {
      const plan = await ce.send(
        new GetSavingsPlansPurchaseRecommendationCommand({
          SavingsPlansType: 'COMPUTE_SP',
          TermInYears: 'ONE_YEAR',
          PaymentOption: 'NO_UPFRONT',
          LookbackPeriodInDays: 'THIRTY_DAYS',
        }),
      );
      assert.equal(
        plan.SavingsPlansPurchaseRecommendation?.SavingsPlansPurchaseRecommendationSummary
          ?.EstimatedMonthlySavingsAmount,
        '212.35',
      );
      const { instanceRecommendations } = await optimizer.send(new GetEC2InstanceRecommendationsCommand({}));
      assert.deepEqual(
        instanceRecommendations?.map((entry) => [entry.instanceName, entry.finding]),
        [
          ['app-1', 'Overprovisioned'],
          ['db-1', 'Optimized'],
        ],
      );
    } finally {
      ce.destroy();
      optimizer.destroy();
    }
  });

  it('schedules dev instances by their Environment tag: a stop in the evening and a start in the morning', async () => {
    const scheduler = new SchedulerClient(clientConfig());
    try {
      const read = async (name: string) => {
        const schedule = await scheduler.send(new GetScheduleCommand({ Name: name }));
        return {
          expression: schedule.ScheduleExpression,
          target: readScheduleTarget(schedule.Target?.Arn, schedule.Target?.Input),
        };
      };
      const [stop, start] = await Promise.all([read('stop-dev-evenings'), read('start-dev-mornings')]);
      assert.equal(stop.expression, 'cron(0 18 ? * MON-FRI *)');
      assert.deepEqual([stop.target.kind, start.target.kind], ['tag', 'tag']);
      assert.match(describeSelector(stop.target), /Environment=dev/);
      assert.equal(stop.target.kind === 'tag' && stop.target.action, 'stop');
      assert.equal(start.target.kind === 'tag' && start.target.action, 'start');
    } finally {
      scheduler.destroy();
    }
  });

  it('puts three hours of web-1 CPU data and the web-1 CPU alarm in ALARM', async () => {
    const cloudWatch = new CloudWatchClient(clientConfig());
    try {
      const { MetricAlarms } = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [DEMO_ALARM] }));
      assert.equal(MetricAlarms?.[0]?.StateValue, 'ALARM');
      assert.deepEqual(MetricAlarms?.[0]?.Dimensions, [{ Name: 'InstanceId', Value: seeded.ids.webInstanceId }]);
      const data = await cloudWatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(now.getTime() - 3 * 3600_000 - 60_000),
          EndTime: new Date(now.getTime() + 60_000),
          MetricDataQueries: [
            {
              Id: 'cpu',
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/EC2',
                  MetricName: 'CPUUtilization',
                  Dimensions: [{ Name: 'InstanceId', Value: seeded.ids.webInstanceId }],
                },
                Period: 300,
                Stat: 'Average',
              },
            },
          ],
        }),
      );
      assert.ok((data.MetricDataResults?.[0]?.Values?.length ?? 0) >= 30, JSON.stringify(data.MetricDataResults));
    } finally {
      cloudWatch.destroy();
    }
  });

  it('leaves a completed recovery point in demo-vault and the demo-daily plan', async () => {
    const backup = new BackupClient(clientConfig());
    try {
      assert.ok(seeded.ids.recoveryPointArn);
      const point = await backup.send(
        new DescribeRecoveryPointCommand({
          BackupVaultName: DEMO_VAULT,
          RecoveryPointArn: seeded.ids.recoveryPointArn,
        }),
      );
      assert.equal(point.Status, 'COMPLETED');
      assert.match(point.ResourceArn ?? '', /:volume\/vol-/);
      const { BackupPlansList } = await backup.send(new ListBackupPlansCommand({}));
      assert.ok(BackupPlansList?.some((plan) => plan.BackupPlanName === DEMO_BACKUP_PLAN));
    } finally {
      backup.destroy();
    }
  });

  it('adds an unattached volume and a security group open to the world on SSH', async () => {
    const ec2 = new EC2Client(clientConfig());
    try {
      const { Volumes } = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [seeded.ids.unattachedVolumeId!] }));
      assert.equal(Volumes?.[0]?.State, 'available');
      assert.deepEqual(Volumes?.[0]?.Attachments ?? [], []);
      const { SecurityGroups } = await ec2.send(
        new DescribeSecurityGroupsCommand({ GroupIds: [seeded.ids.openSecurityGroupId!] }),
      );
      const rule = SecurityGroups?.[0]?.IpPermissions?.[0];
      assert.equal(rule?.FromPort, 22);
      assert.equal(rule?.IpRanges?.[0]?.CidrIp, '0.0.0.0/0');
    } finally {
      ec2.destroy();
    }
  });
});
