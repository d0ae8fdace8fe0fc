// The launch-template webview bundle in plain headless Chromium (a stand-alone harness page with a stub
// acquireVsCodeApi): hostile names from AWS render as text, and an invalid message is reported, not ignored.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { sampleForm, sampleState } from './launchTemplateWebview.test';

const repoRoot = resolve(__dirname, '..', '..', '..');
const bundle = join(repoRoot, 'dist', 'webview', 'launch-template.js');
const CHROMIUM = process.env.PILOT_LIGHT_CHROMIUM ?? '/usr/bin/chromium';
const HOSTILE = '<img src=x onerror="window.__pwned=true">';
// Page-side code runs in the browser; `window` there is the page's global (no DOM types in this project).
declare const window: any;

describe('launch-template webview page (headless Chromium)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let page: Page;

  before(async function () {
    assert.ok(existsSync(bundle), `${bundle} exists (npm test builds it before the unit layer)`);
    assert.ok(
      existsSync(CHROMIUM),
      `Chromium at ${CHROMIUM} (apt-get install -y chromium, or set PILOT_LIGHT_CHROMIUM)`,
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      ],
    });
    page = await browser.newPage();
    await page.setContent('<!DOCTYPE html><html><body><main id="app"></main></body></html>');
    await page.evaluate(() => {
      const posted: unknown[] = [];
      (window as unknown as { __posted: unknown[] }).__posted = posted;
      (window as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => ({
        postMessage: (message: unknown) => posted.push(message),
      });
    });
    await page.addScriptTag({ content: readFileSync(bundle, 'utf8') });
  });

  after(async () => browser?.close());

  const posted = () =>
    page.evaluate(() => (window as unknown as { __posted: Array<{ type: string; [key: string]: unknown }> }).__posted);
  const send = (message: unknown) => page.evaluate((data) => window.postMessage(data, '*'), message);

  it('says ready, then renders hostile names from AWS as text', async () => {
    assert.deepEqual((await posted())[0], { type: 'ready', protocol: 2 });
    const state = sampleState({
      templateName: HOSTILE,
      versions: [
        { versionNumber: 1, description: HOSTILE, createdBy: `<script>window.__pwned=true</script>`, isDefault: true },
      ],
      form: sampleForm({ instanceType: HOSTILE, tags: [{ key: HOSTILE, value: HOSTILE }] }),
      findings: [{ field: HOSTILE, severity: 'warning', message: HOSTILE }],
    });
    await send({ type: 'state', protocol: 2, state });
    await page.waitForFunction(() =>
      (window as unknown as { __posted: Array<{ type: string }> }).__posted.some(
        (message) => message.type === 'rendered',
      ),
    );
    assert.equal(await page.locator('#template-name').textContent(), HOSTILE);
    assert.equal(await page.locator('td.created-by').textContent(), '<script>window.__pwned=true</script>');
    assert.equal(await page.locator('#instanceType input').inputValue(), HOSTILE);
    assert.equal(await page.locator('img').count(), 0, 'no element made from the names');
    assert.equal(await page.locator('main script').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned ?? false), false);
  });

  it('reports an invalid message from the host instead of ignoring it', async () => {
    await send({ type: 'state', protocol: 2, state: { templateName: 'only a name' } });
    await page.waitForFunction(() =>
      (window as unknown as { __posted: Array<{ type: string }> }).__posted.some(
        (message) => message.type === 'protocolError',
      ),
    );
    assert.match((await page.locator('#status').textContent()) ?? '', /invalid message from the extension/);
  });

  it('sends a save that the host protocol accepts, with the edited instance type', async () => {
    await send({ type: 'state', protocol: 2, state: sampleState() });
    await page.locator('#instanceType input').fill('t3.large');
    await page.locator('#save').click();
    const save = (await posted()).reverse().find((message) => message.type === 'save') as
      { form: { instanceType: string }; makeDefault: boolean } | undefined;
    assert.equal(save?.form.instanceType, 't3.large');
    assert.equal(save?.makeDefault, false);
  });

  it('shows only a user data summary, asks the host to open the text, and keeps form edits when it is staged', async () => {
    await send({ type: 'state', protocol: 2, state: sampleState() });
    await page.locator('#instanceType input').fill('t3.xlarge');
    assert.equal((await page.locator('#userDataSummary').textContent())?.trim(), 'User data: set (not shown here)');
    assert.equal(await page.locator('#userData textarea, #userData vscode-textarea').count(), 0, 'no text box');
    await page.locator('#editUserData').click();
    assert.ok((await posted()).some((message) => message.type === 'editUserData'));
    await send({ type: 'userData', userData: { state: 'staged', summary: 'changed (2 lines, 30 bytes)' } });
    await page.locator('#userDataSummary', { hasText: 'changed (2 lines' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#instanceType input').inputValue(), 't3.xlarge', 'the other edits stay');
  });
});
