/**
 * Observability against moto through the real SDK and the core runtime: an alarm created from a chat phrase
 * and read back (ALARM first in the explorer's listing), an alarm refused in production without approval,
 * CPU sparklines from seeded PutMetricData in one batched GetMetricData call, a Logs Insights query over
 * seeded events, a dashboard dry-run then put, following logs (moto has no live tail) and the alarms insight.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { readAuditTrail } from '../../src/core/audit';
import type { AwsConnection } from '../../src/core/aws/connection';
import { alarmsInAlarmSource } from '../../src/core/insights/proactive/alarmsSource';
import { answerObservability } from '../../src/core/observability/chat';
import { alarmLister } from '../../src/core/observability/explorer';
import { SparklineCache } from '../../src/core/observability/sparklines';
import { LogFollower } from '../../src/core/observability/tail';
import { runnerReads } from '../../src/core/resources/runnerReads';
import { createRuntime, type Runtime } from '../../src/core/runtime';
import { emulatorConnection } from '../support/connection';
import { clientConfig, emulatorStack, useEmulatorStack } from '../support/emulators';
import { seedCpu, seedInstances, seedLogs, seedManyInstances, setAlarmState } from '../support/observability';
import {
  approvingProvider,
  denyingProvider,
  tempDir,
  type ScriptedApprovalProvider,
} from '../support/operationHarness';

useEmulatorStack();

describe('observability (CloudWatch alarms, metrics, dashboards, Logs) against moto', function () {
  this.timeout(120_000);
  let connection: AwsConnection;
  let cloudwatch: CloudWatchClient;
  let dir: ReturnType<typeof tempDir>;

  before(async () => {
    connection = await emulatorConnection();
    cloudwatch = new CloudWatchClient(clientConfig());
  });
  after(() => {
    cloudwatch.destroy();
    connection.dispose();
  });
  beforeEach(async () => {
    dir = tempDir('pilot-light-observability-it-');
    await emulatorStack().reset();
  });
  afterEach(() => dir.cleanup());

  function runtimeWith(provider: ScriptedApprovalProvider): Runtime {
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
        throw Object.assign(
          new Error(`${operationId}: ${outcome.error?.message ?? outcome.refusal?.message ?? outcome.status}`),
          { name: outcome.error?.code ?? outcome.refusal?.code ?? outcome.status },
        );
      return outcome.output;
    };
  }

  function chatContext(runtime: Runtime, read: (id: string, input: Record<string, unknown>) => Promise<unknown>) {
    return {
      read,
      region: emulatorStack().region,
      sleep: async () => undefined,
      async dryRun(operationId: string, input: Record<string, unknown>) {
        const { formatPreview } = await import('../../src/core/operations/preview');
        const outcome = await (await runtime.runner()).run(operationId, input, { caller: 'chat', mode: 'dry-run' });
        if (outcome.status === 'dry-run' && outcome.preview)
          return {
            status: 'dry-run' as const,
            correlationId: outcome.correlationId,
            verdict: outcome.preview.guardrails.verdict,
            text: formatPreview(outcome.preview),
          };
        return {
          status: 'failed' as const,
          text: outcome.error?.message ?? outcome.refusal?.message ?? outcome.status,
        };
      },
    };
  }

  it('creates an alarm from "alarm when CPU exceeds 80 % for 5 minutes on web-1", reads it back, and lists ALARM first', async () => {
    const [web1] = await seedInstances(clientConfig(), [
      { name: 'web-1', environment: 'staging' },
      { name: 'web-2', environment: 'staging' },
    ]);
    const runtime = runtimeWith(approvingProvider());
    const read = await readsOf(runtime);
    const answer = await answerObservability(
      chatContext(runtime, read),
      'alarm when CPU exceeds 80 % for 5 minutes on web-1',
    );
    const account = (await connection.identity()).account;
    assert.match(answer.markdown, /Dry-run/);
    assert.match(answer.markdown, new RegExp(`account ${account}`));
    assert.match(answer.markdown, /region us-east-1/);
    assert.match(answer.markdown, /metric AWS\/EC2 CPUUtilization \(InstanceId=i-/);
    assert.match(answer.markdown, /threshold > 80/);
    assert.match(answer.markdown, /period 5 minutes × 1 evaluation period/);
    const run = answer.actions.find((action) => action.kind === 'run');
    assert.ok(run && run.kind === 'run', 'a run button is offered');
    const result = await runtime.run(run.operationId, run.input, { caller: 'chat', mode: 'execute' });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error ?? result.refusal));

    const described = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [String(run.input.alarmName)] }));
    const alarm = described.MetricAlarms![0];
    assert.equal(alarm.MetricName, 'CPUUtilization');
    assert.equal(alarm.Threshold, 80);
    assert.equal(alarm.Period, 300);
    assert.equal(alarm.EvaluationPeriods, 1);
    assert.equal(alarm.ComparisonOperator, 'GreaterThanThreshold');
    assert.deepEqual(alarm.Dimensions, [{ Name: 'InstanceId', Value: web1.id }]);

    // A second alarm fires; the explorer lists it first, whatever the names' order.
    const second = await runtime.run(
      'cloudwatch.alarms.put',
      { ...run.input, alarmName: 'zz-web-1-high-cpu', threshold: 95 },
      { caller: 'command', mode: 'execute' },
    );
    assert.equal(second.status, 'succeeded', JSON.stringify(second.error ?? second.refusal));
    await setAlarmState(clientConfig(), String(run.input.alarmName), 'OK');
    await setAlarmState(clientConfig(), 'zz-web-1-high-cpu', 'ALARM');
    const reads = runnerReads(
      () => runtime.runner(),
      () => connection.identity(),
    );
    const page = await alarmLister.list(reads, { region: emulatorStack().region, pageSize: 100 });
    assert.deepEqual(
      page.items.map((item) => [item.name, item.state]),
      [
        ['zz-web-1-high-cpu', 'ALARM'],
        [String(run.input.alarmName), 'OK'],
      ],
    );
    assert.equal(page.items[0].stateTone, 'error');
    assert.match(page.items[0].details.join(' · '), /CPUUtilization > 95 for 1 × 5 min/);

    // Its metric, under the alarm.
    await seedCpu(clientConfig(), [web1.id], 12, (_, point) => point * 8);
    const metricRows = await page.items[0].children![0].list(reads, { region: emulatorStack().region, pageSize: 100 });
    assert.ok(metricRows.items.some((row) => row.name === 'AWS/EC2 CPUUtilization'));
    const sparkRow = metricRows.items.find((row) => row.id.endsWith('#sparkline'));
    assert.match(sparkRow!.name, /^last 3 hours [▁▂▃▄▅▆▇█]{12}$/);

    const records = await readAuditTrail(join(dir.path, 'audit.jsonl'));
    assert.ok(records.some((record) => record.operation === 'cloudwatch.alarms.put' && record.outcome === 'succeeded'));
  });

  it('refuses an alarm on a production instance without approval, and creates nothing', async () => {
    const [prod] = await seedInstances(clientConfig(), [{ name: 'api-prod', environment: 'production' }]);
    const provider = denyingProvider();
    const runtime = runtimeWith(provider);
    const result = await runtime.dryRunThenExecute(
      {
        operationId: 'cloudwatch.alarms.put',
        input: {
          alarmName: 'api-prod-cpu',
          namespace: 'AWS/EC2',
          metricName: 'CPUUtilization',
          dimensions: [{ name: 'InstanceId', value: prod.id }],
          period: 300,
          threshold: 80,
        },
        caller: 'chat',
      },
      async () => ({ approved: true }),
    );
    assert.equal(result.preview?.guardrails.verdict, 'needs-approval');
    assert.deepEqual(result.preview?.environments, ['production']);
    assert.equal(provider.requests.length, 1);
    assert.equal(result.status, 'refused');
    const described = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['api-prod-cpu'] }));
    assert.equal(described.MetricAlarms?.length ?? 0, 0, 'no alarm was created');
  });

  it('reads CPU sparklines of 120 instances in one GetMetricData call, from seeded PutMetricData', async () => {
    const ids = await seedManyInstances(clientConfig(), 120);
    await seedCpu(clientConfig(), ids, 12, (instance, point) => (instance === 0 ? point * 9 : 50));
    const runtime = runtimeWith(approvingProvider());
    const read = await readsOf(runtime);
    let calls = 0;
    const counting = async (operationId: string, input: Record<string, unknown>) => {
      if (operationId === 'cloudwatch.metrics.getData') calls++;
      return read(operationId, input);
    };
    const cache = new SparklineCache();
    const made = await cache.load(
      counting,
      'us-east-1',
      ids.map((id) => ({ type: 'ec2:instance', id })),
    );
    assert.equal(made, 1);
    assert.equal(calls, 1);
    const rising = cache.get('us-east-1', ids[0]);
    assert.ok(rising, 'the first instance has a sparkline');
    assert.equal(rising.points, 12);
    assert.equal(rising.line[0], '▁');
    assert.equal(rising.line.at(-1), '█');
    assert.equal(rising.latest, 99);
    const flat = cache.get('us-east-1', ids[119]);
    assert.equal(flat?.line, '▅'.repeat(12), 'a steady 50 % on a 0–100 scale: the fifth of eight blocks');
    // Cached: a repaint reads nothing.
    assert.equal(
      await cache.load(
        counting,
        'us-east-1',
        ids.map((id) => ({ type: 'ec2:instance', id })),
      ),
      0,
    );
    assert.equal(calls, 1);
  });

  it('runs a Logs Insights query from chat over the matching log group, and shows the rows as a table', async () => {
    await seedLogs(clientConfig(), '/app/api', ['INFO started', 'ERROR database timeout', 'ERROR retry failed']);
    await seedLogs(clientConfig(), '/app/web', ['INFO web up']);
    const runtime = runtimeWith(approvingProvider());
    const read = await readsOf(runtime);
    const answer = await answerObservability(chatContext(runtime, read), 'ERROR logs from the API in the last hour');
    assert.match(answer.markdown, /Logs Insights\*\* over `\/app\/api`, the last 1 hour/);
    assert.match(answer.markdown, /filter @message like \/ERROR\//);
    assert.match(answer.markdown, /Status: Complete/);
    assert.match(answer.markdown, /^\| @timestamp \| (@logStream \| @message|@message \| @logStream) \|$/m);
    assert.match(
      answer.markdown,
      /^\| \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \| /m,
      'epoch timestamps are shown as times',
    );
    // moto evaluates fields, sort and limit but not filter clauses: every event of /app/api comes back.
    assert.match(answer.markdown, /ERROR database timeout/);
    assert.match(answer.markdown, /ERROR retry failed/);
    assert.doesNotMatch(answer.markdown, /web up/, 'only the matching log group was queried');
  });

  it('dry-runs a dashboard for web-1 and web-2 (the body in the preview), then puts it', async () => {
    const [web1, web2] = await seedInstances(clientConfig(), [
      { name: 'web-1', environment: 'staging' },
      { name: 'web-2', environment: 'staging' },
    ]);
    const runtime = runtimeWith(approvingProvider());
    const read = await readsOf(runtime);
    const answer = await answerObservability(chatContext(runtime, read), 'dashboard for web-1 and web-2 CPU');
    assert.match(answer.markdown, /Create dashboard "pilot-light_web-1_web-2" \(1 widget\)/);
    assert.match(answer.markdown, /"CPUUtilization"/);
    assert.ok(answer.markdown.includes(web1.id) && answer.markdown.includes(web2.id));
    await assert.rejects(cloudwatch.send(new GetDashboardCommand({ DashboardName: 'pilot-light_web-1_web-2' })));
    const run = answer.actions.find((action) => action.kind === 'run');
    assert.ok(run && run.kind === 'run');
    const result = await runtime.run(run.operationId, run.input, { caller: 'chat', mode: 'execute' });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error ?? result.refusal));
    const stored = await cloudwatch.send(new GetDashboardCommand({ DashboardName: 'pilot-light_web-1_web-2' }));
    const body = JSON.parse(stored.DashboardBody!) as { widgets: Array<{ properties: { metrics: unknown[][] } }> };
    assert.deepEqual(
      body.widgets[0].properties.metrics.map((metric) => metric[3]),
      [web1.id, web2.id],
    );
  });

  it('follows a log group: moto has no live tail, so it says so and polls FilterLogEvents', async () => {
    const seeded = await seedLogs(clientConfig(), '/app/worker', ['job 1 done', 'job 2 done']);
    const runtime = runtimeWith(approvingProvider());
    const follower = new LogFollower(
      await readsOf(runtime),
      { logGroupName: '/app/worker' },
      { since: seeded.timestamps[0] - 1, liveSeconds: 1 },
    );
    const first = await follower.next();
    assert.equal(follower.mode, 'poll');
    assert.match(follower.note ?? '', /^live tail: not supported by this endpoint/);
    assert.deepEqual(
      first.map((event) => event.message),
      ['job 1 done', 'job 2 done'],
    );
    assert.deepEqual(await follower.next(), [], 'nothing new, nothing repeated');
  });

  it('reports "N alarms in ALARM since …" with the watched instances', async () => {
    const [web1] = await seedInstances(clientConfig(), [{ name: 'web-1', environment: 'staging' }]);
    const runtime = runtimeWith(approvingProvider());
    for (const name of ['cpu-high', 'cpu-very-high', 'cpu-calm']) {
      const result = await runtime.run(
        'cloudwatch.alarms.put',
        {
          alarmName: name,
          namespace: 'AWS/EC2',
          metricName: 'CPUUtilization',
          dimensions: [{ name: 'InstanceId', value: web1.id }],
          period: 300,
          threshold: 80,
        },
        { caller: 'command', mode: 'execute' },
      );
      assert.equal(result.status, 'succeeded', JSON.stringify(result.error ?? result.refusal));
    }
    await setAlarmState(clientConfig(), 'cpu-high', 'ALARM');
    await setAlarmState(clientConfig(), 'cpu-very-high', 'ALARM');
    await setAlarmState(clientConfig(), 'cpu-calm', 'OK');
    const read = await readsOf(runtime);
    const insights = await alarmsInAlarmSource.collect({
      read,
      account: (await connection.identity()).account,
      region: 'us-east-1',
      now: new Date(),
    });
    assert.equal(insights.length, 1);
    assert.match(insights[0].title, /^2 alarms in ALARM since \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    assert.ok(insights[0].resources.some((resource) => resource.type === 'ec2:instance' && resource.id === web1.id));
    assert.equal(insights[0].resources.filter((resource) => resource.type === 'cloudwatch:alarm').length, 2);
  });
});
