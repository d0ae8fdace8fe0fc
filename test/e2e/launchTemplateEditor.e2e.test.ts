// Browser end-to-end for the launch-template editor: the packaged VSIX in code-server, driven by Chromium,
// against the seeded emulator stack. The webview is two frames deep; playwright's CSS pierces shadow DOM.
// Screenshots: test-output/e2e/ (the stack's output folder). Same environment switches as explorer.e2e.test.ts.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { type CodeServer, type HostHarness, type HostTestStack, loadHostHarness } from '../support/hostHarness';

const UI_TIMEOUT_MS = 30_000;

function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = UI_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('launch-template editor in code-server (packaged VSIX, Chromium)', function () {
  this.timeout(300_000);

  let harness: HostHarness;
  let stack: HostTestStack | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let outputDir: string;
  let templateName: string | undefined;
  let editorOpen = false;

  const sidebar = (): Locator => page.locator('.part.sidebar');
  const treeItem = (label: string): Locator =>
    sidebar()
      .getByRole('treeitem')
      .filter({ has: page.locator('.label-name', { hasText: exactly(label) }) })
      .first();
  const webview = (): FrameLocator => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

  async function rows(): Promise<Array<{ label: string; level: number }>> {
    return sidebar()
      .getByRole('treeitem')
      .evaluateAll((elements) =>
        elements.map((element) => ({
          label: (element.querySelector('.label-name')?.textContent ?? '').trim(),
          level: Number(element.getAttribute('aria-level')),
        })),
      );
  }

  async function childrenOf(label: string): Promise<string[]> {
    const all = await rows();
    const parentIndex = all.findIndex((row) => row.label === label);
    if (parentIndex < 0) return [];
    const children: string[] = [];
    for (const row of all.slice(parentIndex + 1)) {
      if (row.level <= all[parentIndex].level) break;
      if (row.level === all[parentIndex].level + 1) children.push(row.label);
    }
    return children;
  }

  async function expand(label: string): Promise<void> {
    const item = treeItem(label);
    await item.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    if ((await item.getAttribute('aria-expanded')) !== 'true') await item.click();
    await waitFor(async () => (await item.getAttribute('aria-expanded')) === 'true', `"${label}" to expand`);
  }

  /** Answers the confirmation modal(s) the guarded path shows, `count` times. */
  async function confirmRun(count: number): Promise<void> {
    for (let index = 0; index < count; index++) {
      const button = page.locator('.monaco-dialog-box').getByRole('button', { name: 'Run' });
      await button.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      // A second modal can follow at once with an identical Run button, so wait for this
      // button's own element to leave the page, not for "no Run button".
      const element = await button.elementHandle({ timeout: UI_TIMEOUT_MS });
      assert.ok(element, 'the Run button of the confirmation');
      await button.click();
      const closed = (timeout: number) =>
        page
          .waitForFunction((node) => !node.isConnected, element, { timeout })
          .then(
            () => true,
            () => false,
          );
      if (!(await closed(5_000))) {
        // The workbench sometimes drops a synthetic click on a dialog button; the keyboard is not dropped.
        await element.focus().catch(() => undefined);
        await page.keyboard.press('Enter');
        assert.ok(await closed(UI_TIMEOUT_MS), 'the confirmation closed after Run');
      }
      await element.dispose();
    }
  }

  async function statusText(): Promise<string> {
    return ((await webview().locator('#status').textContent({ timeout: 1000 })) ?? '').trim();
  }

  async function screenshot(name: string): Promise<void> {
    await page.screenshot({ path: path.join(outputDir, `${name}.png`) });
  }

  before(async function () {
    harness = await loadHostHarness();
    harness.ensureCodeServer();
    const vsix = process.env.PILOT_LIGHT_E2E_SKIP_PACKAGE === '1' ? harness.packagedVsix : harness.packageExtension();
    assert.ok(fs.existsSync(vsix), `${vsix} exists`);
    stack = await harness.startHostTestStack({ layer: 'e2e', withoutEmulators: harness.withoutEmulatorsRequested() });
    outputDir = stack.outputDir;
    server = await harness.startCodeServer({
      repoRoot: harness.repoRoot,
      workspace: harness.testWorkspace,
      settings: stack.settings,
      env: stack.env,
      extensionsToInstall: [vsix, ...harness.helperExtensionVsixes()],
      logFile: path.join(outputDir, 'code-server-lt.log'),
      saveLogsTo: path.join(outputDir, 'vscode-logs-lt'),
    });
    browser = await harness.launchChromium({ headless: process.env.PILOT_LIGHT_E2E_HEADED !== '1' });
    page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    page.on('pageerror', (error) => console.error(`[workbench] ${error.message}`));
    await page.goto(server.workbenchUrl());
    await page.locator('.monaco-workbench').waitFor({ timeout: UI_TIMEOUT_MS });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page)
      await screenshot(`lt-failure-${this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`).catch(
        () => undefined,
      );
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await stack?.stop();
  });

  it('opens the editor from a launch-template node, with a strict CSP in the webview', async () => {
    const activityItem = page.locator('.part.activitybar [aria-label^="AWS"]').first();
    await activityItem.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await activityItem.click();
    await treeItem(stack!.region).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await expand('Launch templates');
    await waitFor(async () => (await childrenOf('Launch templates')).length >= 1, 'a seeded launch template');
    templateName = (await childrenOf('Launch templates'))[0];
    await treeItem(templateName).click({ button: 'right' });
    const menuItem = page.locator('.context-view .action-label', { hasText: 'Edit Launch Template…' }).first();
    await menuItem.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    // The menu opens with its first item, Edit Launch Template…, focused; Enter runs it as a person would.
    await menuItem.hover();
    await page.keyboard.press('Enter');

    await webview().locator('#template-name').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    assert.strictEqual((await webview().locator('#template-name').textContent())?.trim(), templateName);
    const csp = await webview().locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.ok(csp, 'the page has a CSP meta');
    assert.match(csp, /^default-src 'none'; script-src 'nonce-[A-Za-z0-9]{16,}';/);
    assert.doesNotMatch(
      csp.replace(/https:\/\/[^ ;]*vscode-cdn\.net/g, ''),
      /https?:/,
      'no remote source but the webview resource origin',
    );
    const scriptNonce = await webview().locator('script[src$="launch-template.js"]').getAttribute('nonce');
    assert.ok(scriptNonce && csp.includes(`'nonce-${scriptNonce}'`), 'the bundle runs under the page nonce');
    editorOpen = true;
  });

  it('edits the instance type in the form and the user data as text beside it, and saves one new version, shown in the explorer', async () => {
    assert.ok(editorOpen, 'the editor did not open (see the first failure)');
    const instanceType = webview().locator('#instanceType input');
    await instanceType.fill('t3.large');
    // User data is edited as text in a real editor beside the form, and staged when that document is saved.
    assert.strictEqual((await webview().locator('#userDataSummary').textContent())?.trim(), 'User data: not set');
    await webview().locator('#editUserData').click();
    const userDataTab = page.locator('.tabs-container .tab', { hasText: 'user-data' }).first();
    await userDataTab.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    const userDataEditor = page
      .locator('.editor-group-container')
      .filter({ has: page.locator('.tab.active', { hasText: 'user-data' }) })
      .locator('.monaco-editor .view-lines')
      .first();
    await userDataEditor.click();
    await page.keyboard.type('#!/bin/bash');
    await page.keyboard.press('Enter');
    await page.keyboard.type('echo edited-in-the-e2e-test');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+S');
    await waitFor(
      async () =>
        /^User data: changed \(2 lines, \d+ bytes\)/.test(
          ((await webview().locator('#userDataSummary').textContent()) ?? '').trim(),
        ),
      'the form to show the user data as changed',
    );
    assert.strictEqual(await instanceType.inputValue(), 't3.large', 'the form kept its edit');
    assert.strictEqual(
      await webview()
        .locator('body')
        .evaluate((body) => body.innerHTML.includes('edited-in-the-e2e-test')),
      false,
      'the webview never holds the user data text',
    );
    await screenshot('launch-template-form');
    await webview().locator('#save').click();
    await confirmRun(1);
    await waitFor(async () => /^Saved version 2\b/.test(await statusText()), 'the "Saved version 2" status');
    assert.match(await statusText(), /InstanceType, UserData/);
    await expand(templateName!);
    await waitFor(
      async () => (await childrenOf(templateName!)).some((row) => /^Version 2\b/.test(row)),
      'version 2 in the explorer',
    );
    await waitFor(
      async () => (await webview().locator('#editing').textContent())?.trim() === 'Editing version 2',
      'the form to show version 2',
    );
    assert.strictEqual(await webview().locator('#instanceType input').inputValue(), 't3.large');
  });

  it('compares two versions in the diff editor', async () => {
    assert.ok(editorOpen, 'the editor did not open (see the first failure)');
    await webview().locator('tr[data-version="1"] vscode-checkbox').click();
    await webview().locator('tr[data-version="2"] vscode-checkbox').click();
    await webview().locator('#compare').click();
    const diff = page.locator('.monaco-diff-editor').first();
    await diff.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await waitFor(
      async () => ((await diff.textContent()) ?? '').includes('t3.large'),
      'the new instance type in the diff',
    );
    await waitFor(
      async () => ((await diff.textContent()) ?? '').includes('edited-in-the-e2e-test'),
      'the user data, base64-decoded, in the diff',
    );
    await screenshot('launch-template-diff');
  });

  it('makes version 2 the default, then rolls back by copying version 1 into a new default version', async () => {
    assert.ok(editorOpen, 'the editor did not open (see the first failure)');
    const tab = page.locator('.tabs-container .tab', { hasText: `Launch template: ${templateName}` }).first();
    const setDefault = webview().locator('tr[data-version="2"] .set-default');
    // The workbench sometimes drops a synthetic click on a tab: click again until the panel shows.
    for (let attempt = 1; ; attempt++) {
      await tab.click();
      const shown = await setDefault.waitFor({ state: 'visible', timeout: 10_000 }).then(
        () => true,
        () => false,
      );
      if (shown) break;
      assert.ok(attempt < 3, 'the launch template panel shows again after three clicks on its tab');
    }
    await setDefault.click();
    await confirmRun(1);
    await waitFor(
      async () =>
        (
          await webview()
            .locator('tr[data-version="2"] .badge')
            .textContent()
            .catch(() => '')
        )?.trim() === 'default',
      'version 2 marked default',
    );
    assert.strictEqual(
      await webview().locator('tr[data-version="2"] .delete').count(),
      0,
      'the default version offers no Delete',
    );
    await webview().locator('tr[data-version="1"] .rollback-copy').click();
    await confirmRun(2);
    await waitFor(async () => /done/.test(await statusText()), 'the rollback to finish');
    await waitFor(
      async () =>
        (
          await webview()
            .locator('tr[data-version="3"] .badge')
            .textContent()
            .catch(() => '')
        )?.trim() === 'default',
      'version 3 marked default',
    );
    await expand(templateName!);
    await waitFor(
      async () => (await childrenOf(templateName!)).some((row) => row === 'Version 3 (default)'),
      'version 3 (default) in the explorer',
    );
    await screenshot('launch-template-rolled-back');
  });
});
