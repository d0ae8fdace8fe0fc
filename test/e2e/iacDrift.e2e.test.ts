// Browser end-to-end for drift on a CloudFormation template: the packaged VSIX in code-server, driven by
// Chromium. The sample three-tier stack is deployed on the emulators with one instance type changed out of
// band; the template opens in a throwaway copy of the test workspace. Screenshot: test-output/e2e/.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { changeInstanceType, deployThreeTier } from '../../tools/seed/threeTier';
import { type CodeServer, type HostHarness, type HostTestStack, loadHostHarness } from '../support/hostHarness';

const UI_TIMEOUT_MS = 60_000;

describe('drift on a CloudFormation template in code-server (packaged VSIX, Chromium)', function () {
  this.timeout(300_000);
  let harness: HostHarness;
  let stack: HostTestStack | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let workspace: string;
  let webInstance: string;

  before(async function () {
    harness = await loadHostHarness();
    if (harness.withoutEmulatorsRequested()) this.skip();
    harness.ensureCodeServer();
    const vsix = process.env.PILOT_LIGHT_E2E_SKIP_PACKAGE === '1' ? harness.packagedVsix : harness.packageExtension();
    stack = await harness.startHostTestStack({ layer: 'e2e-drift' });
    const target = {
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    };
    const { physicalIds } = await deployThreeTier(target, harness.repoRoot, 'three-tier');
    webInstance = physicalIds.WebInstance;
    await changeInstanceType(target, webInstance, 't3.large');
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'pilot-light-e2e-drift-'));
    fs.cpSync(harness.testWorkspace, workspace, { recursive: true });
    fs.cpSync(path.join(harness.repoRoot, 'samples', 'three-tier'), path.join(workspace, 'three-tier'), {
      recursive: true,
    });
    fs.mkdirSync(path.join(workspace, '.pilotlight'), { recursive: true });
    fs.writeFileSync(
      path.join(workspace, '.pilotlight', 'iac.json'),
      JSON.stringify({ cloudformation: { 'three-tier/template.yaml': 'three-tier' } }),
    );
    server = await harness.startCodeServer({
      repoRoot: harness.repoRoot,
      workspace,
      settings: stack.settings,
      env: stack.env,
      extensionsToInstall: [vsix],
      logFile: path.join(stack.outputDir, 'code-server-drift.log'),
      saveLogsTo: path.join(stack.outputDir, 'vscode-logs-drift'),
    });
    browser = await harness.launchChromium({ headless: process.env.PILOT_LIGHT_E2E_HEADED !== '1' });
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    await page.goto(
      server.workbenchUrl({
        folder: workspace,
        payload: [['openFile', server.remoteUri(path.join(workspace, 'three-tier', 'template.yaml'))]],
      }),
    );
    await page.locator('.monaco-workbench').waitFor({ timeout: UI_TIMEOUT_MS });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await stack?.stop();
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('shows the stack lens, the drift decoration after the value and the problem, as soon as the template opens', async () => {
    const lenses = page.locator('.contentWidgets .codelens-decoration');
    await lenses.filter({ hasText: 'Stack three-tier' }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    const topLens = (await lenses.first().textContent()) ?? '';
    assert.match(topLens, /Stack three-tier · CREATE_COMPLETE/);
    assert.match(topLens, /Check drift/);
    assert.match(topLens, /Preview changes/);
    assert.match(topLens, /Deploy/);
    await page.screenshot({ path: path.join(stack!.outputDir, 'drift-template-lens.png') });

    // Go to the web instance's InstanceType line, where the decoration is.
    const lines = fs.readFileSync(path.join(workspace, 'three-tier', 'template.yaml'), 'utf8').split('\n');
    const webLine = lines.findIndex((line) => /^ {2}WebInstance:$/.test(line));
    const typeLine = lines.findIndex((line, index) => index > webLine && /^ {6}InstanceType: /.test(line));
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+G');
    await page.keyboard.type(String(typeLine + 1));
    await page.keyboard.press('Enter');
    // The decoration is CSS ::after content: read it from the computed styles of the editor's spans.
    const decorated = async () =>
      (await page.evaluate(
        `[...document.querySelectorAll('.monaco-editor .view-lines span')].some((element) => getComputedStyle(element, '::after').content.includes('live: t3.large'))`,
      )) === true;
    const deadline = Date.now() + UI_TIMEOUT_MS;
    while (!(await decorated())) {
      if (Date.now() > deadline) throw new Error('the "⟵ live: t3.large" decoration did not show');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await lenses.filter({ hasText: 'property drifted' }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await page.screenshot({ path: path.join(stack!.outputDir, 'drift-template.png') });
  });
});
