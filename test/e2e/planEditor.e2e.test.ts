// Browser end-to-end for the visual recovery-plan editor: the packaged VSIX in code-server, driven by Chromium,
// on a throwaway workspace holding the demo's sample plan and groups (samples/recovery-plan), opened the way
// `npm run demo` opens it (the workbench URL's openFile + an editor association). The webview is two frames
// deep; playwright's CSS pierces shadow DOM. Screenshots: test-output/e2e/.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { type CodeServer, type HostHarness, type HostTestStack, loadHostHarness } from '../support/hostHarness';

const UI_TIMEOUT_MS = 30_000;

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = UI_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('recovery plan visual editor in code-server (packaged VSIX, Chromium)', function () {
  this.timeout(300_000);

  let harness: HostHarness;
  let stack: HostTestStack | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let outputDir: string;
  let workspace: string;
  let planPath: string;
  let original: string;
  let editorOpen = false;

  const webview = (): FrameLocator => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const waves = () => webview().locator('.wave');
  const edges = () => webview().locator('path.edge');
  const screenshot = (name: string) => page.screenshot({ path: path.join(outputDir, `${name}.png`) });

  async function runCommand(title: string): Promise<void> {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await page.keyboard.press('Enter');
  }

  async function drag(fromWave: string, toWave: string): Promise<void> {
    const port = (await webview().locator(`.wave[data-wave="${fromWave}"] .port`).boundingBox())!;
    const target = (await webview().locator(`.wave[data-wave="${toWave}"]`).boundingBox())!;
    await page.mouse.move(port.x + port.width / 2, port.y + port.height / 2);
    await page.mouse.down();
    await page.mouse.move(target.x + target.width / 2, target.y + 20, { steps: 8 });
    await page.mouse.up();
  }

  before(async function () {
    harness = await loadHostHarness();
    harness.ensureCodeServer();
    const vsix = process.env.PILOT_LIGHT_E2E_SKIP_PACKAGE === '1' ? harness.packagedVsix : harness.packageExtension();
    assert.ok(fs.existsSync(vsix), `${vsix} exists`);
    stack = await harness.startHostTestStack({ layer: 'e2e', withoutEmulators: harness.withoutEmulatorsRequested() });
    outputDir = stack.outputDir;
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-editor-e2e-'));
    const samples = path.join(harness.repoRoot, 'samples', 'recovery-plan');
    fs.cpSync(path.join(samples, 'groups'), path.join(workspace, '.pilotlight', 'dr', 'groups'), { recursive: true });
    fs.cpSync(path.join(samples, 'plans'), path.join(workspace, '.pilotlight', 'dr', 'plans'), { recursive: true });
    planPath = path.join(workspace, '.pilotlight', 'dr', 'plans', 'three-tier.recovery-plan.yaml');
    original = fs.readFileSync(planPath, 'utf8');
    server = await harness.startCodeServer({
      repoRoot: harness.repoRoot,
      workspace,
      settings: {
        ...stack.settings,
        'workbench.editorAssociations': { '*.recovery-plan.yaml': 'pilotLight.recoveryPlanEditor' },
      },
      env: stack.env,
      extensionsToInstall: [vsix, ...harness.helperExtensionVsixes()],
      logFile: path.join(outputDir, 'code-server-plan.log'),
      saveLogsTo: path.join(outputDir, 'vscode-logs-plan'),
    });
    browser = await harness.launchChromium({ headless: process.env.PILOT_LIGHT_E2E_HEADED !== '1' });
    page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
    page.on('pageerror', (error) => console.error(`[workbench] ${error.message}`));
    await page.goto(server.workbenchUrl({ folder: workspace, payload: [['openFile', server.remoteUri(planPath)]] }));
    await page.locator('.monaco-workbench').waitFor({ timeout: UI_TIMEOUT_MS });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page)
      await screenshot(`plan-failure-${this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`).catch(
        () => undefined,
      );
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await stack?.stop();
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('opens the sample plan as the demo does, switches to the visual editor, with a strict CSP', async () => {
    // At startup the workbench opens the URL's file before extension editors are known: as text, with the
    // editor's title action to switch. The association applies to later opens (see the reopen below).
    await page.locator('.tab', { hasText: 'three-tier.recovery-plan.yaml' }).first().waitFor({ timeout: 60_000 });
    const openVisual = page.locator('.editor-actions [aria-label="Open Recovery Plan in Visual Editor"]').first();
    if (!(await waves().count())) {
      await openVisual.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      await openVisual.click();
    }
    await waves().first().waitFor({ state: 'visible', timeout: 60_000 });
    assert.deepStrictEqual(
      await waves().evaluateAll((nodes) =>
        nodes.map((node) => (node as unknown as { dataset: { wave?: string } }).dataset.wave),
      ),
      ['database', 'application', 'web'],
    );
    assert.strictEqual(await edges().count(), 2);
    const csp = await webview().locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.ok(csp, 'the page has a CSP meta');
    assert.match(csp, /^default-src 'none'; script-src 'nonce-[A-Za-z0-9]{16,}';/);
    assert.doesNotMatch(csp.replace(/https:\/\/[^ ;]*vscode-cdn\.net/g, ''), /https?:/, 'no remote source');
    const nonce = await webview().locator('script[src$="recovery-plan.js"]').getAttribute('nonce');
    assert.ok(nonce && csp.includes(`'nonce-${nonce}'`), 'the bundle runs under the page nonce');
    await screenshot('plan-editor-graph');
    editorOpen = true;
  });

  it('adds a wave, connects a dependency, refuses a cycle, undoes, saves and reopens', async () => {
    assert.ok(editorOpen, 'the editor did not open (see the first failure)');
    // Add a wave after "web": it depends on web.
    await webview().locator('.wave[data-wave="web"]').click();
    await webview().locator('#add-wave').click();
    await waitFor(async () => (await waves().count()) === 4, 'the new wave in the graph');
    assert.strictEqual(await edges().count(), 3);
    // Connect: the new wave also depends on the database.
    await drag('database', 'wave-4');
    await waitFor(async () => (await edges().count()) === 4, 'the drawn dependency');
    // A cycle is refused, with the cycle named.
    await drag('wave-4', 'database');
    await waitFor(
      async () =>
        /cycle database → wave-4 → (web|database)/.test((await webview().locator('#status').textContent()) ?? ''),
      'the cycle refusal',
    );
    assert.strictEqual(await edges().count(), 4, 'the refused edge is not drawn');
    await webview().locator('.wave[data-wave="wave-4"]').click();
    await webview().locator('#wave-name').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await screenshot('plan-editor-inspector');

    // Undo the connection with VS Code's own undo (Ctrl+Z goes from the webview to the workbench).
    await webview().locator('.wave[data-wave="wave-4"]').focus();
    await page.keyboard.press('Control+z');
    await waitFor(async () => (await edges().count()) === 3, 'the undone dependency');
    assert.strictEqual(await waves().count(), 4, 'only the last edit was undone');

    // Save, then read the file on disk: the wave is there, the undone dependency is not, comments are kept.
    await page.keyboard.press('Control+s');
    await waitFor(async () => fs.readFileSync(planPath, 'utf8') !== original, 'the saved file');
    const saved = fs.readFileSync(planPath, 'utf8');
    assert.strictEqual(saved, `${original}  - name: wave-4\n    dependsOn: [web]\n`);

    // Reopen: close every editor, then open the file again from Quick Open (the association opens the graph).
    await runCommand('View: Close All Editors');
    await waitFor(async () => (await page.locator('iframe.webview').count()) === 0, 'the editor to close');
    await page.keyboard.press('Control+p');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await input.fill('three-tier.recovery-plan.yaml');
    await page
      .locator('.quick-input-list .monaco-list-row')
      .first()
      .waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await page.keyboard.press('Enter');
    await waitFor(async () => (await waves().count()) === 4, 'the reopened graph with the saved wave', 60_000);
    assert.strictEqual(await edges().count(), 3);
    await screenshot('plan-editor-reopened');
  });
});
