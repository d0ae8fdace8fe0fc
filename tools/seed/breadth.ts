/**
 * Demo data for the views beyond EC2 and DR, seeded through the real SDK against the emulator stack's endpoint
 * (moto + our emulators): an ECS service with its logs, an ECR image, an AWS Organization, Cost Explorer
 * results, Savings Plans / RI / Compute Optimizer recommendations (tools/seed/costRecommendations.ts), CPU
 * metrics and an alarm in ALARM for web-1, an AWS Backup vault, plan and recovery point, an unattached EBS volume
 * and a security group open to the world on SSH. Each step stands alone: a failure is noted and the next step runs.
 */
import {
  BackupClient,
  CreateBackupPlanCommand,
  CreateBackupSelectionCommand,
  CreateBackupVaultCommand,
  DescribeBackupJobCommand,
  StartBackupJobCommand,
} from '@aws-sdk/client-backup';
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVolumeCommand,
  DescribeInstancesCommand,
  DescribeVolumesCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { automationInput, START_AUTOMATION_TARGET, type InstanceAction } from '../../src/core/cost/scheduleTargets';
import { spendPeriods } from '../../src/core/cost/spend';
import { seedCostRecommendations } from '../emulators/costRecommendations/costRecommendations';
import { demoRecommendations } from './costRecommendations';
import { groupedResult, seedCostResults } from './costResults';
import { seedOrganization } from './organization';
import { ec2ClientFor, toTags, type SeedTarget } from './target';

export type BreadthTarget = Pick<SeedTarget, 'endpoint' | 'region' | 'credentials'>;

export interface BreadthStep {
  step: string;
  ok: boolean;
  /** One line: what was seeded, or why not. */
  note: string;
}

export interface BreadthSeed {
  steps: BreadthStep[];
  /** What later steps (and tests) need; set only by the steps that succeeded. */
  ids: {
    account?: string;
    webInstanceId?: string;
    recoveryPointArn?: string;
    unattachedVolumeId?: string;
    openSecurityGroupId?: string;
    organizationAccounts?: string[];
  };
}

export interface BreadthOptions {
  /** How long to wait for the backup job to complete. Default 30 s. */
  backupTimeoutMs?: number;
  now?: Date;
}

export const DEMO_ECS_CLUSTER = 'demo';
export const DEMO_LOG_GROUP = '/ecs/web';
export const DEMO_ALARM = 'web-1-cpu-high';
export const DEMO_VAULT = 'demo-vault';
export const DEMO_BACKUP_PLAN = 'demo-daily';
export const DEMO_COST = { thisMonthTotal: 932, lastMonthTotal: 1820.25 };

function clientConfig(target: BreadthTarget) {
  return { region: target.region, endpoint: target.endpoint, credentials: target.credentials, maxAttempts: 3 };
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 200);
}

async function using<C extends { destroy(): void }, T>(client: C, work: (client: C) => Promise<T>): Promise<T> {
  try {
    return await work(client);
  } finally {
    client.destroy();
  }
}

/** The running sample instance named `name`. */
async function instanceNamed(target: BreadthTarget, name: string): Promise<Instance> {
  return using(ec2ClientFor(target as SeedTarget), async (ec2) => {
    const { Reservations } = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag:Name', Values: [name] },
          { Name: 'instance-state-name', Values: ['running', 'pending'] },
        ],
      }),
    );
    const instance = Reservations?.flatMap((reservation) => reservation.Instances ?? [])[0];
    if (!instance?.InstanceId) throw new Error(`no running instance named ${name} (seed the sample account first)`);
    return instance;
  });
}

async function seedEcs(target: BreadthTarget, account: string): Promise<string> {
  const config = clientConfig(target);
  const image = `${account}.dkr.ecr.${target.region}.amazonaws.com/web:1.1`;
  return using(new ECSClient(config), (ecs) =>
    using(new CloudWatchLogsClient(config), async (logs) => {
      await ecs.send(
        new CreateClusterCommand({
          clusterName: DEMO_ECS_CLUSTER,
          tags: [{ key: 'Environment', value: 'production' }],
        }),
      );
      // Bridge mode: moto 5.2.5 fails RunTask for awsvpc tasks.
      const registered = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'web',
          cpu: '256',
          memory: '512',
          containerDefinitions: [
            {
              name: 'web',
              image,
              essential: true,
              memory: 512,
              portMappings: [{ containerPort: 8080 }],
              logConfiguration: {
                logDriver: 'awslogs',
                options: {
                  'awslogs-group': DEMO_LOG_GROUP,
                  'awslogs-region': target.region,
                  'awslogs-stream-prefix': 'ecs',
                },
              },
            },
          ],
        }),
      );
      const taskDefinition = registered.taskDefinition!.taskDefinitionArn!;
      await ecs.send(
        new CreateServiceCommand({
          cluster: DEMO_ECS_CLUSTER,
          serviceName: 'web',
          taskDefinition,
          desiredCount: 2,
          launchType: 'FARGATE',
          tags: [{ key: 'Team', value: 'frontend' }],
        }),
      );
      // moto's services start no tasks: run them in the service's group, as ECS would.
      const run = await ecs.send(
        new RunTaskCommand({
          cluster: DEMO_ECS_CLUSTER,
          taskDefinition,
          count: 2,
          launchType: 'FARGATE',
          group: 'service:web',
          startedBy: 'ecs-svc/demo',
        }),
      );
      await logs.send(new CreateLogGroupCommand({ logGroupName: DEMO_LOG_GROUP }));
      const now = Date.now();
      for (const task of run.tasks ?? []) {
        const taskId = task.taskArn!.split('/').pop()!;
        const stream = `ecs/web/${taskId}`;
        await logs.send(new CreateLogStreamCommand({ logGroupName: DEMO_LOG_GROUP, logStreamName: stream }));
        await logs.send(
          new PutLogEventsCommand({
            logGroupName: DEMO_LOG_GROUP,
            logStreamName: stream,
            logEvents: [
              { timestamp: now - 60_000, message: `listening on :8080 (task ${taskId})` },
              { timestamp: now - 40_000, message: 'GET /health 200 2ms' },
              { timestamp: now - 20_000, message: 'GET /api/orders 200 41ms' },
              { timestamp: now - 10_000, message: 'WARN slow upstream: app:8080 answered in 1.8 s' },
            ],
          }),
        );
      }
      return `ECS cluster ${DEMO_ECS_CLUSTER}: service web (desired 2, ${run.tasks?.length ?? 0} tasks), task definition web with awslogs in ${DEMO_LOG_GROUP}`;
    }),
  );
}

async function seedEcr(target: BreadthTarget): Promise<string> {
  return using(new ECRClient(clientConfig(target)), async (ecr) => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'web' }));
    await ecr.send(
      new PutImageCommand({
        repositoryName: 'web',
        imageTag: '1.1',
        imageManifest: JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          config: {
            mediaType: 'application/vnd.docker.container.image.v1+json',
            size: 7023,
            digest: `sha256:${'b'.repeat(64)}`,
          },
          layers: [
            {
              mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
              size: 32654,
              digest: `sha256:${'d'.repeat(64)}`,
            },
          ],
        }),
      }),
    );
    return 'ECR repository web with image web:1.1';
  });
}

async function seedCost(target: BreadthTarget, account: string, now: Date): Promise<string> {
  // The Cost view asks this month first, then last month (grouped by service); moto answers each new request
  // with the next queued result and repeats it for the same request.
  const periods = spendPeriods(now);
  await seedCostResults(target.endpoint, account, [
    groupedResult(periods.thisMonth.start, periods.thisMonth.end, [
      { key: 'Amazon Elastic Compute Cloud - Compute', amount: 612.4 },
      { key: 'Amazon Relational Database Service', amount: 288.1 },
      { key: 'Amazon Simple Storage Service', amount: 31.5 },
    ]),
    groupedResult(periods.lastMonth.start, periods.lastMonth.end, [
      { key: 'Amazon Elastic Compute Cloud - Compute', amount: 1400 },
      { key: 'Amazon Relational Database Service', amount: 420.25 },
    ]),
  ]);
  return `Cost Explorer: this month $${DEMO_COST.thisMonthTotal.toFixed(2)} and last month $${DEMO_COST.lastMonthTotal.toFixed(2)} by service`;
}

/** Seeded (not computed) Savings Plans, RI and Compute Optimizer recommendations: app-1 one size down, db-1 optimized. */
/** Dev instances stopped in the evening and started in the morning, by their Environment tag (resolved at each run). */
async function seedSchedules(target: BreadthTarget, account: string): Promise<string> {
  const schedules: Array<[string, InstanceAction, string]> = [
    ['stop-dev-evenings', 'stop', 'cron(0 18 ? * MON-FRI *)'],
    ['start-dev-mornings', 'start', 'cron(0 8 ? * MON-FRI *)'],
  ];
  await using(new SchedulerClient(clientConfig(target)), async (scheduler) => {
    for (const [name, action, expression] of schedules)
      await scheduler.send(
        new CreateScheduleCommand({
          Name: name,
          ScheduleExpression: expression,
          ScheduleExpressionTimezone: 'Europe/Berlin',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Description: `Pilot Light: ${action} instances tagged Environment=dev, resolved when it runs`,
          Target: {
            Arn: START_AUTOMATION_TARGET,
            RoleArn: `arn:aws:iam::${account}:role/PilotLightInstanceScheduler`,
            Input: JSON.stringify(
              automationInput(
                action,
                'Environment',
                'dev',
                `arn:aws:iam::${account}:role/PilotLightInstanceSchedulerAutomation`,
              ),
            ),
          },
        }),
      );
  });
  return 'Schedules: stop-dev-evenings and start-dev-mornings on the tag Environment=dev (EventBridge Scheduler → SSM Automation)';
}

async function seedRecommendations(target: BreadthTarget, account: string): Promise<string> {
  const arn = (instance: Instance) => `arn:aws:ec2:${target.region}:${account}:instance/${instance.InstanceId}`;
  const app = await instanceNamed(target, 'app-1');
  const db = await instanceNamed(target, 'db-1');
  await seedCostRecommendations(
    target.endpoint,
    demoRecommendations(
      target.region,
      { arn: arn(app), name: 'app-1', type: app.InstanceType ?? 't3.medium', suggestedType: 't3.small', saving: 15.18 },
      { arn: arn(db), name: 'db-1', type: db.InstanceType ?? 'r5.large' },
    ),
  );
  return 'Recommendations: a Compute Savings Plan ($212.35/month), EC2 RIs, Compute Optimizer on app-1 and db-1';
}

/** A CPU curve for the last 3 hours, one point per 5 minutes, climbing to a spike at the end. */
export function demoCpuSeries(now: Date): Array<{ timestamp: Date; value: number }> {
  const points: Array<{ timestamp: Date; value: number }> = [];
  for (let index = 35; index >= 0; index--) {
    const timestamp = new Date(now.getTime() - index * 5 * 60_000);
    const value = index < 3 ? 91 + index : 22 + 14 * Math.sin(index / 4) + (index % 5);
    points.push({ timestamp, value: Math.round(value * 10) / 10 });
  }
  return points;
}

async function seedCloudWatch(target: BreadthTarget, instanceId: string, now: Date): Promise<string> {
  return using(new CloudWatchClient(clientConfig(target)), async (cloudWatch) => {
    const series = demoCpuSeries(now);
    await cloudWatch.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/EC2',
        MetricData: series.map((point) => ({
          MetricName: 'CPUUtilization',
          Dimensions: [{ Name: 'InstanceId', Value: instanceId }],
          Timestamp: point.timestamp,
          Value: point.value,
          Unit: 'Percent',
        })),
      }),
    );
    await cloudWatch.send(
      new PutMetricAlarmCommand({
        AlarmName: DEMO_ALARM,
        AlarmDescription: 'web-1 CPU above 80 % for 5 minutes',
        Namespace: 'AWS/EC2',
        MetricName: 'CPUUtilization',
        Dimensions: [{ Name: 'InstanceId', Value: instanceId }],
        Statistic: 'Average',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 80,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    await cloudWatch.send(
      new SetAlarmStateCommand({
        AlarmName: DEMO_ALARM,
        StateValue: 'ALARM',
        StateReason: 'Threshold Crossed: 1 datapoint [92.0] was greater than the threshold (80.0).',
      }),
    );
    return `CloudWatch: ${series.length} CPU points for web-1 (${instanceId}) over 3 hours; alarm ${DEMO_ALARM} in ALARM`;
  });
}

async function seedBackup(
  target: BreadthTarget,
  account: string,
  instanceId: string,
  timeoutMs: number,
): Promise<{ note: string; recoveryPointArn: string }> {
  const volumeId = await using(ec2ClientFor(target as SeedTarget), async (ec2) => {
    const { Volumes } = await ec2.send(
      new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }),
    );
    const id = Volumes?.[0]?.VolumeId;
    if (!id) throw new Error(`web-1 (${instanceId}) has no attached volume to back up`);
    return id;
  });
  return using(new BackupClient(clientConfig(target)), async (backup) => {
    const role = `arn:aws:iam::${account}:role/service-role/AWSBackupDefaultServiceRole`;
    await backup.send(new CreateBackupVaultCommand({ BackupVaultName: DEMO_VAULT }));
    const plan = await backup.send(
      new CreateBackupPlanCommand({
        BackupPlan: {
          BackupPlanName: DEMO_BACKUP_PLAN,
          Rules: [
            {
              RuleName: 'daily',
              TargetBackupVaultName: DEMO_VAULT,
              ScheduleExpression: 'cron(0 5 ? * * *)',
              Lifecycle: { DeleteAfterDays: 35 },
            },
          ],
        },
      }),
    );
    await backup.send(
      new CreateBackupSelectionCommand({
        BackupPlanId: plan.BackupPlanId,
        BackupSelection: {
          SelectionName: 'production',
          IamRoleArn: role,
          ListOfTags: [{ ConditionType: 'STRINGEQUALS', ConditionKey: 'Environment', ConditionValue: 'production' }],
        },
      }),
    );
    const job = await backup.send(
      new StartBackupJobCommand({
        BackupVaultName: DEMO_VAULT,
        ResourceArn: `arn:aws:ec2:${target.region}:${account}:volume/${volumeId}`,
        IamRoleArn: role,
        Lifecycle: { DeleteAfterDays: 35 },
      }),
    );
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = (await backup.send(new DescribeBackupJobCommand({ BackupJobId: job.BackupJobId }))).State;
      if (state === 'COMPLETED') break;
      if (state === 'FAILED' || state === 'ABORTED' || state === 'EXPIRED')
        throw new Error(`the backup job of ${volumeId} ended ${state}`);
      if (Date.now() > deadline) throw new Error(`the backup job of ${volumeId} did not complete in ${timeoutMs} ms`);
      await new Promise((done) => setTimeout(done, 100));
    }
    return {
      note: `AWS Backup: vault ${DEMO_VAULT} with a recovery point of web-1's volume ${volumeId}; plan ${DEMO_BACKUP_PLAN} (daily, Environment=production)`,
      recoveryPointArn: job.RecoveryPointArn!,
    };
  });
}

async function seedUnattachedVolume(target: BreadthTarget): Promise<{ note: string; volumeId: string }> {
  return using(ec2ClientFor(target as SeedTarget), async (ec2) => {
    const volume = await ec2.send(
      new CreateVolumeCommand({
        AvailabilityZone: `${target.region}a`,
        Size: 100,
        VolumeType: 'gp2',
        TagSpecifications: [{ ResourceType: 'volume', Tags: toTags({ Name: 'old-reports-data' }) }],
      }),
    );
    return {
      note: `an unattached 100 GiB gp2 volume ${volume.VolumeId} (old-reports-data) for Insights`,
      volumeId: volume.VolumeId!,
    };
  });
}

async function seedOpenSecurityGroup(target: BreadthTarget, vpcId: string): Promise<{ note: string; groupId: string }> {
  return using(ec2ClientFor(target as SeedTarget), async (ec2) => {
    const group = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: 'legacy-bastion-sg',
        Description: 'Old bastion access',
        VpcId: vpcId,
        TagSpecifications: [
          { ResourceType: 'security-group', Tags: toTags({ Name: 'legacy-bastion-sg', Environment: 'production' }) },
        ],
      }),
    );
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: group.GroupId,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'SSH from anywhere' }],
          },
        ],
      }),
    );
    return {
      note: `security group legacy-bastion-sg (${group.GroupId}) opens SSH to 0.0.0.0/0 (a compliance finding)`,
      groupId: group.GroupId!,
    };
  });
}

/**
 * Seeds the demo data of every view beyond the sample account (which must be seeded first). Never throws:
 * each step's outcome is in `steps`.
 */
export async function seedBreadthDemo(target: BreadthTarget, options: BreadthOptions = {}): Promise<BreadthSeed> {
  const now = options.now ?? new Date();
  const steps: BreadthStep[] = [];
  const ids: BreadthSeed['ids'] = {};
  const step = async (name: string, work: () => Promise<string>): Promise<void> => {
    try {
      steps.push({ step: name, ok: true, note: await work() });
    } catch (error) {
      steps.push({ step: name, ok: false, note: `${name}: not seeded (${message(error)})` });
    }
  };
  const needAccount = (): string => {
    if (!ids.account) throw new Error('the account ID could not be read');
    return ids.account;
  };
  const needWeb = (): string => {
    if (!ids.webInstanceId) throw new Error('web-1 was not found');
    return ids.webInstanceId;
  };
  let vpcId: string | undefined;
  await step('account', async () => {
    ids.account = await using(new STSClient(clientConfig(target)), async (sts) => {
      const identity = await sts.send(new GetCallerIdentityCommand({}));
      if (!identity.Account) throw new Error('STS returned no account');
      return identity.Account;
    });
    const web = await instanceNamed(target, 'web-1');
    ids.webInstanceId = web.InstanceId;
    vpcId = web.VpcId;
    return `account ${ids.account}, web-1 is ${ids.webInstanceId}`;
  });
  await step('ECS', () => seedEcs(target, needAccount()));
  await step('ECR', () => seedEcr(target));
  await step('Organizations', async () => {
    const organization = await seedOrganization({
      endpoint: target.endpoint,
      accounts: [
        { name: 'prod-app', unit: 'Workloads', tags: { Environment: 'production' } },
        { name: 'dev-app', unit: 'Workloads', tags: { Environment: 'dev' } },
        { name: 'sandbox-1', unit: 'Sandbox', tags: { Environment: 'dev' } },
      ],
    });
    ids.organizationAccounts = organization.accounts.map((account) => account.id);
    return `AWS Organization: OUs Workloads and Sandbox with ${organization.accounts.length} member accounts`;
  });
  await step('Cost', () => seedCost(target, needAccount(), now));
  await step('Recommendations', () => seedRecommendations(target, needAccount()));
  await step('Schedules', () => seedSchedules(target, needAccount()));
  await step('CloudWatch', () => seedCloudWatch(target, needWeb(), now));
  await step('Backup', async () => {
    const seeded = await seedBackup(target, needAccount(), needWeb(), options.backupTimeoutMs ?? 30_000);
    ids.recoveryPointArn = seeded.recoveryPointArn;
    return seeded.note;
  });
  await step('Insights', async () => {
    const seeded = await seedUnattachedVolume(target);
    ids.unattachedVolumeId = seeded.volumeId;
    return seeded.note;
  });
  await step('Compliance', async () => {
    if (!vpcId) throw new Error('the sample VPC was not found');
    const seeded = await seedOpenSecurityGroup(target, vpcId);
    ids.openSecurityGroupId = seeded.groupId;
    return seeded.note;
  });
  return { steps, ids };
}
