import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import type { ExplorerNode } from '../../src/features/explorer/nodes';
import { seedCpu, seedInstances, setAlarmState } from '../support/observability';
import { childrenOf, label, pilotLight as api, walk } from './support/explorerWalk';

const tooltipOf = (node: ExplorerNode) => {
  const tooltip = node.getTreeItem().tooltip;
  return typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? '');
};

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('observability in the explorer (alarms, sparklines)', function () {
  this.timeout(90_000);
  let instanceId: string;

  before(async () => {
    const endpoint = vscode.workspace.getConfiguration('pilotLight').get<string>('endpointUrl');
    assert.ok(endpoint, 'the host tests run against the emulator endpoint');
    const config = {
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    };
    [{ id: instanceId }] = await seedInstances(config, [{ name: 'obs-web-1', environment: 'staging' }]);
    await seedCpu(config, [instanceId], 12, (_, point) => point * 9);
    const cloudwatch = new CloudWatchClient(config);
    try {
      // Named so that the alphabetical order would put the firing alarm last.
      for (const [name, threshold] of [
        ['aa-obs-calm', 99],
        ['zz-obs-firing', 10],
      ] as const)
        await cloudwatch.send(
          new PutMetricAlarmCommand({
            AlarmName: name,
            Namespace: 'AWS/EC2',
            MetricName: 'CPUUtilization',
            Dimensions: [{ Name: 'InstanceId', Value: instanceId }],
            Statistic: 'Average',
            Period: 300,
            EvaluationPeriods: 1,
            Threshold: threshold,
            ComparisonOperator: 'GreaterThanThreshold',
          }),
        );
    } finally {
      cloudwatch.destroy();
    }
    await setAlarmState(config, 'aa-obs-calm', 'OK');
    await setAlarmState(config, 'zz-obs-firing', 'ALARM');
    (await api()).explorer.refresh();
  });

  it('shows an alarm in ALARM first, with its condition, and its metric with a sparkline below it', async () => {
    const { explorer } = await api();
    const alarms = await walk(explorer, ['us-east-1', 'Alarms']);
    const names = alarms.map(label);
    assert.equal(names[0], 'zz-obs-firing', names.join(', '));
    assert.ok(names.indexOf('aa-obs-calm') > 0, names.join(', '));
    const firing = alarms[0];
    assert.match(
      String(firing.getTreeItem().description),
      /^ALARM · CPUUtilization > 10 for 1 × 5 min · InstanceId=i-/,
    );
    assert.match(String(firing.getTreeItem().contextValue), /^pilotLight\.resource cloudwatch:alarm/);
    const metric = await childrenOf(explorer, firing);
    assert.deepEqual(metric.slice(0, 2).map(label), ['AWS/EC2 CPUUtilization', 'CPUUtilization > 10 for 1 × 5 min']);
    assert.ok(
      metric.some((node) => /^last 3 hours [▁▂▃▄▅▆▇█]{12}$/.test(label(node))),
      metric.map(label).join(' | '),
    );
  });

  it('shows a CPU sparkline in an instance row’s tooltip', async () => {
    const { explorer } = await api();
    const row = await eventually('the instance row', async () =>
      (await walk(explorer, ['us-east-1', 'EC2', 'Instances'])).find((node) => label(node) === 'obs-web-1'),
    );
    const tooltip = await eventually('the sparkline in the tooltip', async () => {
      // The row repaints once the batched GetMetricData read arrived.
      const text = tooltipOf(row);
      return /CPUUtilization/.test(text) ? text : undefined;
    });
    assert.match(tooltip, /\*\*CPUUtilization\*\* `[▁▂▃▄▅▆▇█]{12}`/);
    assert.match(tooltip, /latest 99 %, max 99 %/);
    assert.ok(tooltip.includes(instanceId));
  });
});
