/**
 * Cost management against moto through the real SDK and the core runtime: spend by service and by tag from
 * results seeded through moto's API, the forecast reported as unavailable where moto lacks it, budgets created
 * (a guarded write) and listed with actual vs limit, a right-sizing finding from 14 days of seeded CPU metrics,
 * and stop/start schedules on fixed instance IDs created, listed with their next run and removed (schedules that
 * follow a tag: cost-schedules.test.ts); a schedule for a production-tagged instance is refused without approval.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { BudgetsClient, CreateBudgetCommand, DescribeNotificationsForBudgetCommand } from '@aws-sdk/client-budgets';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { readAuditTrail } from '../../src/core/audit';
import type { AwsConnection } from '../../src/core/aws/connection';
import { answerCost } from '../../src/core/cost/chat';
import { parseCostRequest } from '../../src/core/cost/chatIntent';
import { rightsizingReport } from '../../src/core/cost/rightsizing';
import { formatPreview } from '../../src/core/operations/preview';
import { readGroupedSpend, readSpendSummary, spendPeriods } from '../../src/core/cost/spend';
import type { BudgetSummary } from '../../src/core/operations/costOperations';
import type { InstanceScheduleSummary } from '../../src/core/operations/costSchedules';
import { createRuntime, type Runtime } from '../../src/core/runtime';
import { pickAmazonLinuxImage } from '../../tools/seed/target';
import { emulatorConnection } from '../support/connection';
import { groupedResult, seedCostResults } from '../support/costSeed';
import { clientConfig, emulatorStack, useEmulatorStack } from '../support/emulators';
import {
  approvingProvider,
  denyingProvider,
  tempDir,
  type ScriptedApprovalProvider,
} from '../support/operationHarness';

useEmulatorStack();

describe('cost management against moto', function () {
  this.timeout(120_000);
  let connection: AwsConnection;
  let account: string;
  let dir: ReturnType<typeof tempDir>;
  let ec2: EC2Client;

  before(async () => {
    connection = await emulatorConnection();
    account = (await connection.identity()).account;
    ec2 = new EC2Client(clientConfig());
  });
  after(() => {
    ec2.destroy();
    connection.dispose();
  });
  beforeEach(async () => {
    dir = tempDir('pilot-light-cost-it-');
    await emulatorStack().reset();
  });
  afterEach(() => dir.cleanup());

  function runtimeWith(provider: ScriptedApprovalProvider = approvingProvider()): Runtime {
    return createRuntime({
      policyFiles: [],
      auditPath: join(dir.path, 'audit.jsonl'),
      approvalProvider: provider,
      connection: async () => connection,
    });
  }

  async function readsOf(runtime: Runtime) {
    const runner = await runtime.runner();
    return async (operationId: string, input: Record<string, unknown>) => {
      const outcome = await runner.run(operationId, input, { caller: 'chat', mode: 'execute' });
      if (outcome.status !== 'succeeded')
        throw new Error(
          `${outcome.error?.code ?? outcome.status}: ${outcome.error?.message ?? outcome.refusal?.message ?? ''}`,
        );
      return outcome.output;
    };
  }

  async function launch(instanceType: string, tags: Record<string, string>): Promise<string> {
    const result = await ec2.send(
      new RunInstancesCommand({
        ImageId: await pickAmazonLinuxImage(ec2),
        InstanceType: instanceType as never,
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [
          { ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
        ],
      }),
    );
    return result.Instances![0]!.InstanceId!;
  }

  it('reads this month and last month by service, and spend by tag, from seeded results; the forecast is reported unavailable', async () => {
    const now = new Date();
    const periods = spendPeriods(now);
    await seedCostResults(emulatorStack().motoEndpoint, account, [
      groupedResult(periods.thisMonth.start, periods.thisMonth.end, [
        { key: 'Amazon Elastic Compute Cloud - Compute', amount: 812.5 },
        { key: 'Amazon Relational Database Service', amount: 301.25 },
        { key: 'Amazon Simple Storage Service', amount: 42 },
      ]),
      groupedResult(periods.lastMonth.start, periods.lastMonth.end, [
        { key: 'Amazon Elastic Compute Cloud - Compute', amount: 1500 },
        { key: 'AWS Lambda', amount: 12.75 },
      ]),
      groupedResult(
        periods.lastMonth.start,
        periods.lastMonth.end,
        [
          { key: 'payments', amount: 900 },
          { key: 'search', amount: 600.5 },
          { key: '', amount: 12.25 },
        ],
        'team$',
      ),
    ]);
    const runtime = runtimeWith();
    const read = await readsOf(runtime);
    const summary = await readSpendSummary(read, now);
    assert.ok(summary.thisMonth.available, JSON.stringify(summary.thisMonth));
    assert.equal(summary.thisMonth.value.total.toFixed(2), '1155.75');
    assert.deepEqual(
      summary.thisMonth.value.services.map((service) => service.key),
      ['Amazon Elastic Compute Cloud - Compute', 'Amazon Relational Database Service', 'Amazon Simple Storage Service'],
    );
    assert.ok(summary.lastMonth.available);
    assert.equal(summary.lastMonth.value.total.toFixed(2), '1512.75');
    assert.equal(summary.forecast.available, false);
    if (!summary.forecast.available) assert.equal(summary.forecast.reason, 'not available from this endpoint');

    const byTag = await readGroupedSpend(read, periods.lastMonth, { tagKey: 'team' });
    assert.deepEqual(
      byTag.groups.map((group) => [group.key, group.amount]),
      [
        ['payments', 900],
        ['search', 600.5],
        ['', 12.25],
      ],
    );
    assert.equal(byTag.total.toFixed(2), '1512.75');
  });

  it('creates a budget with an e-mail alert through the runner and lists budgets with actual vs limit', async () => {
    const budgets = new BudgetsClient({ ...clientConfig(), region: 'us-east-1' });
    try {
      // Seeded as AWS would report it after a month of spend (AWS computes CalculatedSpend; moto stores it).
      await budgets.send(
        new CreateBudgetCommand({
          AccountId: account,
          Budget: {
            BudgetName: 'platform',
            BudgetType: 'COST',
            TimeUnit: 'MONTHLY',
            BudgetLimit: { Amount: '1000', Unit: 'USD' },
            CalculatedSpend: { ActualSpend: { Amount: '870.5', Unit: 'USD' } },
          },
        }),
      );
      const runtime = runtimeWith();
      const result = await runtime.dryRunThenExecute(
        {
          operationId: 'budgets.budgets.create',
          input: { name: 'team-web', limitUsd: 250, alertThresholdPercent: 90, email: 'oncall@example.com' },
          caller: 'command',
        },
        async (preview) => {
          assert.match(preview.summary, new RegExp(`limit \\$250\\.00 in account ${account}`));
          assert.ok(
            preview.changes.some((line) => /oncall@example\.com when actual spend passes 90% \(\$225\.00\)/.test(line)),
          );
          return { approved: true };
        },
      );
      assert.equal(result.status, 'succeeded', JSON.stringify(result.refusal ?? result.outcome?.error));
      const notifications = await budgets.send(
        new DescribeNotificationsForBudgetCommand({ AccountId: account, BudgetName: 'team-web' }),
      );
      assert.equal(notifications.Notifications?.[0]?.Threshold, 90);

      const listed = (await (await readsOf(runtime))('budgets.budgets.list', {})) as BudgetSummary[];
      const byName = new Map(listed.map((budget) => [budget.name, budget]));
      assert.deepEqual(
        [byName.get('platform')?.actual, byName.get('platform')?.limit, byName.get('platform')?.percentUsed],
        [870.5, 1000, 87],
      );
      assert.deepEqual([byName.get('team-web')?.actual, byName.get('team-web')?.limit], [0, 250]);
      const records = await readAuditTrail(join(dir.path, 'audit.jsonl'));
      assert.deepEqual(
        records.filter((record) => record.operation === 'budgets.budgets.create').map((record) => record.outcome),
        ['dry-run', 'succeeded'],
      );
    } finally {
      budgets.destroy();
    }
  });

  it('finds an idle m5.xlarge worth one size down from 14 days of seeded metrics, and keeps a busy one', async () => {
    const idle = await launch('m5.xlarge', { Name: 'idle-api' });
    const busy = await launch('m5.xlarge', { Name: 'busy-api' });
    const cloudWatch = new CloudWatchClient(clientConfig());
    try {
      const now = Date.now();
      for (const [instanceId, peak, typical] of [
        [idle, 22, 4],
        [busy, 95, 60],
      ] as const)
        for (let day = 0; day < 14; day++) {
          const at = (hoursAgo: number) => new Date(now - day * 86_400_000 - hoursAgo * 3_600_000);
          await cloudWatch.send(
            new PutMetricDataCommand({
              Namespace: 'AWS/EC2',
              MetricData: [
                {
                  MetricName: 'CPUUtilization',
                  Dimensions: [{ Name: 'InstanceId', Value: instanceId }],
                  Timestamp: at(1),
                  Value: typical,
                  Unit: 'Percent',
                },
                {
                  MetricName: 'CPUUtilization',
                  Dimensions: [{ Name: 'InstanceId', Value: instanceId }],
                  Timestamp: at(2),
                  Value: day === 3 ? peak : typical,
                  Unit: 'Percent',
                },
                {
                  MetricName: 'NetworkIn',
                  Dimensions: [{ Name: 'InstanceId', Value: instanceId }],
                  Timestamp: at(1),
                  Value: 5e8,
                  Unit: 'Bytes',
                },
              ],
            }),
          );
        }
    } finally {
      cloudWatch.destroy();
    }
    const read = await readsOf(runtimeWith());
    const report = await rightsizingReport(read, emulatorStack().region);
    const idleFinding = report.findings.find((finding) => finding.instanceId === idle)!;
    const busyFinding = report.findings.find((finding) => finding.instanceId === busy)!;
    assert.equal(idleFinding.verdict, 'downsize', idleFinding.reason);
    assert.equal(idleFinding.suggestedType, 'm5.large');
    assert.equal(idleFinding.utilization?.cpuMax, 22);
    assert.equal(idleFinding.utilization?.days, 14);
    assert.ok(idleFinding.monthlySaving && idleFinding.monthlySaving > 0);
    assert.equal(busyFinding.verdict, 'keep');
    // The gateway's recommendations emulator answers; nothing is seeded (cost-recommendations.test.ts seeds).
    assert.deepEqual(report.computeOptimizer, {
      available: false,
      reason: 'the account is not opted in to Compute Optimizer',
    });
    assert.equal(idleFinding.source, 'CloudWatch estimate (Pilot Light)');
  });

  it('creates a stop schedule for two dev instances by ID, lists it with its next run, and removes it', async () => {
    const devA = await launch('t3.small', { Name: 'dev-a', Environment: 'dev' });
    const devB = await launch('t3.small', { Name: 'dev-b', Environment: 'dev' });
    await launch('t3.small', { Name: 'other', Environment: 'staging' });
    const runtime = runtimeWith();
    const created = await runtime.dryRunThenExecute(
      {
        operationId: 'scheduler.instanceSchedules.create',
        input: {
          name: 'stop-dev-evenings',
          action: 'stop',
          expression: 'cron(0 18 ? * MON-FRI *)',
          timeZone: 'Europe/Berlin',
          instanceIds: [devA, devB],
        },
        caller: 'chat',
      },
      async (preview) => {
        assert.match(
          preview.summary,
          new RegExp(
            `stop 2 instances on cron\\(0 18 \\? \\* MON-FRI \\*\\) \\(Europe/Berlin\\) in account ${account}, ${emulatorStack().region}`,
          ),
        );
        assert.ok(preview.changes.some((line) => line.includes(devA) && line.includes(devB)));
        return { approved: true };
      },
    );
    assert.equal(created.status, 'succeeded', JSON.stringify(created.refusal ?? created.outcome?.error));
    const scheduler = new SchedulerClient(clientConfig());
    try {
      const stored = await scheduler.send(new GetScheduleCommand({ Name: 'stop-dev-evenings', GroupName: 'default' }));
      assert.equal(stored.Target?.Arn, 'arn:aws:scheduler:::aws-sdk:ec2:stopInstances');
      assert.deepEqual(JSON.parse(stored.Target!.Input!).InstanceIds.sort(), [devA, devB].sort());

      const read = await readsOf(runtime);
      const listed = (await read('scheduler.instanceSchedules.list', {})) as InstanceScheduleSummary[];
      const schedule = listed.find((entry) => entry.name === 'stop-dev-evenings');
      assert.ok(schedule, JSON.stringify(listed));
      assert.equal(schedule.action, 'stop');
      assert.ok(schedule.nextRun, schedule.nextRunNote);
      const next = new Date(schedule.nextRun);
      assert.ok(next.getTime() > Date.now());
      const berlin = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Berlin',
        hour: '2-digit',
        minute: '2-digit',
        weekday: 'short',
      }).format(next);
      assert.match(berlin, /^(Mon|Tue|Wed|Thu|Fri),? 18:00$/);

      const removed = await runtime.dryRunThenExecute(
        { operationId: 'scheduler.instanceSchedules.delete', input: { name: 'stop-dev-evenings' }, caller: 'chat' },
        async () => ({ approved: true }),
      );
      assert.equal(removed.status, 'succeeded', JSON.stringify(removed.refusal ?? removed.outcome?.error));
      const after = await scheduler.send(new ListSchedulesCommand({}));
      assert.deepEqual(after.Schedules?.map((entry) => entry.Name) ?? [], []);
    } finally {
      scheduler.destroy();
    }
  });

  it('refuses a schedule for a production-tagged instance without approval, and creates nothing', async () => {
    const prod = await launch('m5.large', { Name: 'pay-web', Environment: 'production' });
    const provider = denyingProvider();
    const runtime = runtimeWith(provider);
    const result = await runtime.dryRunThenExecute(
      {
        operationId: 'scheduler.instanceSchedules.create',
        input: { name: 'stop-prod', action: 'stop', expression: 'cron(0 18 * * ? *)', instanceIds: [prod] },
        caller: 'chat',
      },
      async () => ({ approved: true }),
    );
    assert.equal(result.status, 'refused');
    assert.equal(provider.requests.length, 1);
    assert.match(JSON.stringify(provider.requests[0]), /production/);
    const scheduler = new SchedulerClient(clientConfig());
    try {
      const listed = await scheduler.send(new ListSchedulesCommand({}));
      assert.equal(listed.Schedules?.length ?? 0, 0);
    } finally {
      scheduler.destroy();
    }
  });

  it('answers "stop dev instances at 6 PM, start at 8 AM" in chat with two dry-runs and run buttons, changing nothing', async () => {
    const dev = await launch('t3.small', { Name: 'dev-a', Environment: 'dev' });
    const runtime = runtimeWith();
    const runner = await runtime.runner();
    const answer = await answerCost(
      {
        read: await readsOf(runtime),
        dryRun: async (operationId, input) => {
          const outcome = await runner.run(operationId, input, { caller: 'chat', mode: 'dry-run' });
          return outcome.status === 'dry-run' && outcome.preview
            ? {
                status: 'dry-run',
                correlationId: outcome.correlationId,
                verdict: outcome.preview.guardrails.verdict,
                text: formatPreview(outcome.preview),
              }
            : { status: 'failed', text: outcome.error?.message ?? outcome.refusal?.message ?? outcome.status };
        },
        region: emulatorStack().region,
        account,
      },
      parseCostRequest('stop dev instances at 6 PM, start at 8 AM on weekdays in Europe/Berlin'),
    );
    assert.deepEqual(
      answer.actions.map((action) => [
        action.kind,
        action.operationId,
        (action.input as { expression: string }).expression,
      ]),
      [
        ['run', 'scheduler.instanceSchedules.create', 'cron(0 18 ? * MON-FRI *)'],
        ['run', 'scheduler.instanceSchedules.create', 'cron(0 8 ? * MON-FRI *)'],
      ],
    );
    assert.match(answer.markdown, new RegExp(dev));
    assert.match(answer.markdown, /Europe\/Berlin/);
    const scheduler = new SchedulerClient(clientConfig());
    try {
      assert.equal(
        (await scheduler.send(new ListSchedulesCommand({}))).Schedules?.length ?? 0,
        0,
        'a dry-run creates nothing',
      );
    } finally {
      scheduler.destroy();
    }
  });
});
