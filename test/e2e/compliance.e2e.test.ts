// Browser end-to-end: the Compliance view after a run against the seeded emulator stack, with a screenshot
// (test-output/e2e/compliance-view.png). One code-server session. See explorer.e2e.test.ts for the variables.

import * as assert from 'assert';
import * as path from 'path';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { Browser, Page } from 'playwright-core';
import { type CodeServer, type HostHarness, type HostTestStack, loadHostHarness } from '../support/hostHarness';

const UI_TIMEOUT_MS = 60_000;
const RULE_TITLE = 'No security group opens admin ports or all traffic to the world';

describe('Compliance view in code-server (packaged VSIX, Chromium)', function () {
  this.timeout(300_000);
  let harness: HostHarness;
  let stack: HostTestStack | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let groupId: string;

  before(async function () {
    harness = await loadHostHarness();
    if (harness.withoutEmulatorsRequested()) this.skip();
    harness.ensureCodeServer();
    const vsix = process.env.PILOT_LIGHT_E2E_SKIP_PACKAGE === '1' ? harness.packagedVsix : harness.packageExtension();
    stack = await harness.startHostTestStack({ layer: 'e2e-compliance' });
    const ec2 = new EC2Client({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    try {
      const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.62.0.0/16' }))).Vpc!.VpcId!;
      groupId = (
        await ec2.send(
          new CreateSecurityGroupCommand({
            GroupName: 'ssh-from-anywhere',
            Description: 'ssh from anywhere',
            VpcId: vpcId,
          }),
        )
      ).GroupId!;
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        }),
      );
    } finally {
      ec2.destroy();
    }
    server = await harness.startCodeServer({
      repoRoot: harness.repoRoot,
      workspace: harness.testWorkspace,
      settings: stack.settings,
      env: stack.env,
      extensionsToInstall: [vsix],
      logFile: path.join(stack.outputDir, 'code-server-compliance.log'),
      saveLogsTo: path.join(stack.outputDir, 'vscode-logs-compliance'),
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

  it('runs the checks and shows findings grouped by rule, with the world-open security group under its rule', async () => {
    const sidebar = page.locator('.part.sidebar');
    const activityItem = page.locator('.part.activitybar [aria-label^="AWS"]').first();
    await activityItem.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await activityItem.click();
    await sidebar.locator('.pane-header').first().waitFor({ timeout: UI_TIMEOUT_MS });
    // Only the Compliance view open, so it has the sidebar's height.
    for (const header of await sidebar.locator('.pane-header').all()) {
      const title = ((await header.locator('h3.title').textContent()) ?? '').trim().toLowerCase();
      const open = (await header.getAttribute('aria-expanded')) === 'true';
      if ((title === 'compliance') !== open) await header.click();
    }

    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').waitFor({ timeout: UI_TIMEOUT_MS });
    await page.keyboard.type('Pilot Light: Run Compliance Checks Now');
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'Run Compliance Checks Now' })
      .first()
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await page.keyboard.press('Enter');

    const rule = sidebar.getByRole('treeitem').filter({ hasText: RULE_TITLE }).first();
    await rule.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    if ((await rule.getAttribute('aria-expanded')) !== 'true') await rule.click();
    const finding = sidebar.getByRole('treeitem').filter({ hasText: groupId }).first();
    await finding.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    const summary = (await sidebar.getByRole('treeitem').first().textContent()) ?? '';
    assert.match(summary, /\d+ findings?/);
    await page.screenshot({ path: path.join(stack!.outputDir, 'compliance-view.png') });
  });
});
