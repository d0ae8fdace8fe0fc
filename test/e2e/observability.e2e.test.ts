// Browser end-to-end for CloudWatch alarms in the explorer: the packaged VSIX in code-server, driven by
// Chromium. A CPU alarm on the seeded web-1 instance is put in ALARM, with CPU datapoints; the explorer shows it
// first under Alarms, and expanded, its metric with a sparkline. Screenshot: test-output/e2e/observability-alarm.png.

import * as assert from 'assert';
import * as path from 'path';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Browser, Locator, Page } from 'playwright-core';
import { type CodeServer, type HostHarness, type HostTestStack, loadHostHarness } from '../support/hostHarness';
import { seedCpu, setAlarmState } from '../support/observability';

const UI_TIMEOUT_MS = 60_000;
const ALARM = 'web-1-CPUUtilization-above-80';

describe('CloudWatch alarm with its metric in code-server (packaged VSIX, Chromium)', function () {
  this.timeout(300_000);
  let harness: HostHarness;
  let stack: HostTestStack | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;

  before(async function () {
    harness = await loadHostHarness();
    if (harness.withoutEmulatorsRequested()) this.skip();
    harness.ensureCodeServer();
    const vsix = process.env.PILOT_LIGHT_E2E_SKIP_PACKAGE === '1' ? harness.packagedVsix : harness.packageExtension();
    stack = await harness.startHostTestStack({ layer: 'e2e-observability' });
    const target = {
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    };
    const ec2 = new EC2Client(target);
    const cloudwatch = new CloudWatchClient(target);
    try {
      const described = await ec2.send(
        new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['web-1'] }] }),
      );
      const instanceId = described.Reservations?.[0]?.Instances?.[0]?.InstanceId;
      assert.ok(instanceId, 'the sample seed has an instance web-1');
      await seedCpu(target, [instanceId], 24, (_, point) => 40 + point * 2.5);
      await cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName: ALARM,
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
      await setAlarmState(target, ALARM, 'ALARM');
    } finally {
      ec2.destroy();
      cloudwatch.destroy();
    }
    server = await harness.startCodeServer({
      repoRoot: harness.repoRoot,
      workspace: harness.testWorkspace,
      settings: stack.settings,
      env: stack.env,
      extensionsToInstall: [vsix],
      logFile: path.join(stack.outputDir, 'code-server-observability.log'),
      saveLogsTo: path.join(stack.outputDir, 'vscode-logs-observability'),
    });
    browser = await harness.launchChromium({ headless: process.env.PILOT_LIGHT_E2E_HEADED !== '1' });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(server.workbenchUrl());
    await page.locator('.monaco-workbench').waitFor({ timeout: UI_TIMEOUT_MS });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await stack?.stop();
  });

  const sidebar = (): Locator => page.locator('.part.sidebar');
  const row = (pattern: RegExp): Locator =>
    sidebar()
      .getByRole('treeitem')
      .filter({ has: page.locator('.label-name', { hasText: pattern }) })
      .first();

  async function expand(pattern: RegExp): Promise<Locator> {
    const item = row(pattern);
    await item.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    if ((await item.getAttribute('aria-expanded')) !== 'true') await item.click();
    return item;
  }

  it('shows the alarm in ALARM under Alarms, with its metric and a sparkline', async () => {
    await page.locator('.part.activitybar [aria-label^="AWS"]').first().click();
    // Only the AWS explorer view open, so the tree has the whole height.
    await sidebar().locator('.pane-header').first().waitFor({ timeout: UI_TIMEOUT_MS });
    for (const header of await sidebar().locator('.pane-header').all()) {
      const title = ((await header.locator('h3.title').textContent()) ?? '').trim().toLowerCase();
      if (title !== 'explorer' && (await header.getAttribute('aria-expanded')) === 'true') await header.click();
    }
    await expand(/^\s*Alarms\s*$/);
    const alarm = await expand(new RegExp(`^\\s*${ALARM}\\s*$`));
    assert.match((await alarm.textContent()) ?? '', /ALARM · CPUUtilization > 80 for 1 × 5 min/);
    await row(/^\s*AWS\/EC2 CPUUtilization\s*$/).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await row(/^\s*last 3 hours [▁▂▃▄▅▆▇█]+\s*$/).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await page.screenshot({ path: path.join(stack!.outputDir, 'observability-alarm.png') });
  });
});
