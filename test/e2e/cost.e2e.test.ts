// Browser end-to-end: the Cost view of the packaged VSIX in code-server, driven by Chromium, with Cost Explorer
// results seeded through moto's API. Screenshots: test-output/e2e/cost-view.png, cost-chart.png.
//
//   PILOT_LIGHT_E2E_SKIP_PACKAGE=1   use the existing VSIX instead of `npm run package`

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { spendPeriods } from '../../src/core/cost/spend';
import { groupedResult, seedCostResults } from '../support/costSeed';
import { type CodeServer, type HostHarness, type HostTestStack, loadHostHarness } from '../support/hostHarness';

const UI_TIMEOUT_MS = 30_000;

describe('Cost view in code-server (packaged VSIX, Chromium)', function () {
  this.timeout(300_000);

  let harness: HostHarness;
  let stack: HostTestStack | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let outputDir: string;

  const sidebar = (): Locator => page.locator('.part.sidebar');
  const webview = (): FrameLocator => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const row = (label: string): Locator =>
    sidebar()
      .getByRole('treeitem')
      .filter({ has: page.locator('.label-name', { hasText: label }) })
      .first();

  before(async function () {
    harness = await loadHostHarness();
    harness.ensureCodeServer();
    const vsix = process.env.PILOT_LIGHT_E2E_SKIP_PACKAGE === '1' ? harness.packagedVsix : harness.packageExtension();
    assert.ok(fs.existsSync(vsix), `${vsix} does not exist`);
    stack = await harness.startHostTestStack({ layer: 'e2e', withoutEmulators: false });
    outputDir = stack.outputDir;
    const sts = new STSClient({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const account = (await sts.send(new GetCallerIdentityCommand({}))).Account!;
    sts.destroy();
    const periods = spendPeriods(new Date());
    await seedCostResults(stack.endpoint, account, [
      groupedResult(periods.thisMonth.start, periods.thisMonth.end, [
        { key: 'Amazon Elastic Compute Cloud - Compute', amount: 612.4 },
        { key: 'Amazon Relational Database Service', amount: 288.1 },
        { key: 'Amazon Simple Storage Service', amount: 31.5 },
        { key: 'AWS Lambda', amount: 4.2 },
      ]),
      groupedResult(periods.lastMonth.start, periods.lastMonth.end, [
        { key: 'Amazon Elastic Compute Cloud - Compute', amount: 1400 },
        { key: 'Amazon Relational Database Service', amount: 420.25 },
      ]),
    ]);
    server = await harness.startCodeServer({
      repoRoot: harness.repoRoot,
      workspace: harness.testWorkspace,
      settings: stack.settings,
      env: stack.env,
      extensionsToInstall: [vsix, ...harness.helperExtensionVsixes()],
      logFile: path.join(outputDir, 'code-server-cost.log'),
    });
    browser = await harness.launchChromium({ headless: process.env.PILOT_LIGHT_E2E_HEADED !== '1' });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (error) => console.error(`[workbench] ${error.message}`));
    await page.goto(server.workbenchUrl());
    await page.locator('.monaco-workbench').waitFor({ timeout: UI_TIMEOUT_MS });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page)
      await page.screenshot({ path: path.join(outputDir, 'failure-cost.png') }).catch(() => undefined);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await stack?.stop();
  });

  it('shows this month, last month, the forecast and the top services, and draws the chart', async () => {
    const activityItem = page.locator('.part.activitybar [aria-label^="AWS"]').first();
    await activityItem.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await activityItem.click();
    // Only the Cost view open, so it has the sidebar's height.
    await sidebar().locator('.pane-header').first().waitFor({ timeout: UI_TIMEOUT_MS });
    for (const header of await sidebar().locator('.pane-header').all()) {
      const title = ((await header.locator('h3.title').textContent()) ?? '').trim().toLowerCase();
      const expanded = (await header.getAttribute('aria-expanded')) === 'true';
      if ((title === 'cost') !== expanded) await header.click();
    }
    const thisMonth = row('This month');
    await thisMonth.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    assert.match((await thisMonth.textContent()) ?? '', /\$936\.20/);
    assert.match((await row('Last month').textContent()) ?? '', /\$1,820/);
    assert.match((await row('Forecast').textContent()) ?? '', /not available from this endpoint/);
    await row('Amazon Relational Database Service').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await page.screenshot({ path: path.join(outputDir, 'cost-view.png') });

    await sidebar().locator('[aria-label="Show Cost Chart"]').first().click();
    await webview().locator('.chart .bar').nth(5).waitFor({ state: 'attached', timeout: UI_TIMEOUT_MS });
    assert.match((await webview().locator('.notes').textContent()) ?? '', /forecast: not available from this endpoint/);
    await page.screenshot({ path: path.join(outputDir, 'cost-chart.png') });
  });
});
