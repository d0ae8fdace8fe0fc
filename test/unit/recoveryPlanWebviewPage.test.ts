// The recovery-plan webview bundle in plain headless Chromium (a stand-alone harness page with a stub
// acquireVsCodeApi): the graph from a real plan view, drawing an edge, hostile text, the error state.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { planView } from '../../src/core/dr/planEdit';
import { toHost, toWebview } from '../../src/protocol/recoveryPlan';

const repoRoot = resolve(__dirname, '..', '..', '..');
const bundle = join(repoRoot, 'dist', 'webview', 'recovery-plan.js');
const styles = join(repoRoot, 'dist', 'webview', 'recovery-plan.css');
const CHROMIUM = process.env.PILOT_LIGHT_CHROMIUM ?? '/usr/bin/chromium';
const HOSTILE = '<img src=x onerror="window.__pwned=true">';
declare const window: any;

const PLAN = `schemaVersion: 2
kind: RecoveryPlan
name: shop
waves:
  - name: db
    protectionGroups: [db-group]
  - name: app
    protectionGroups: [app-group]
    dependsOn: [db]
    preActions:
      - type: approval
        message: ${JSON.stringify(HOSTILE)}
  - name: web
    protectionGroups: [web-group]
`;

describe('recovery-plan webview page (headless Chromium)', function () {
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
    page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    // The page under the same CSP as in VS Code (no inline script or style), served from a fake origin.
    const origin = 'https://webview.test';
    const html = [
      '<!DOCTYPE html><html><head>',
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-t3st'; style-src ${origin}; img-src ${origin} data:">`,
      `<link rel="stylesheet" href="${origin}/recovery-plan.css">`,
      `</head><body><main id="app"></main><script nonce="t3st" src="${origin}/recovery-plan.js"></script></body></html>`,
    ].join('');
    await page.route(`${origin}/**`, (route) => {
      const url = route.request().url();
      if (url.endsWith('.js'))
        return route.fulfill({ contentType: 'text/javascript', body: readFileSync(bundle, 'utf8') });
      if (url.endsWith('.css')) return route.fulfill({ contentType: 'text/css', body: readFileSync(styles, 'utf8') });
      return route.fulfill({ contentType: 'text/html', body: html });
    });
    await page.addInitScript(() => {
      const posted: unknown[] = [];
      window.__posted = posted;
      window.acquireVsCodeApi = () => ({ postMessage: (message: unknown) => posted.push(message) });
    });
    await page.addInitScript(() => {
      // zod probes once whether eval is allowed (it is not) and does without: that report is expected.
      window.document.addEventListener(
        'securitypolicyviolation',
        (event: any) => {
          if (event.blockedURI === 'eval') return;
          const target = event.target as { tagName?: string; outerHTML?: string } | null;
          window.__violations = [
            ...(window.__violations ?? []),
            `${event.violatedDirective} ${target?.tagName ?? ''} ${(target?.outerHTML ?? '').slice(0, 120)}`,
          ];
        },
        true,
      );
    });
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction(() => window.__posted?.length > 0);
  });

  after(async () => browser?.close());

  const posted = (): Promise<Array<{ type: string; [key: string]: unknown }>> => page.evaluate(() => window.__posted);
  const send = (message: unknown) => {
    assert.ok(toWebview.safeParse(message).success, 'the test sends only valid messages');
    return page.evaluate((data) => window.postMessage(data, '*'), message);
  };
  const lastIntent = async () =>
    (await posted()).reverse().find((message) => message.type === 'intent') as
      { intent: Record<string, unknown> } | undefined;

  it('draws the waves in dependency layers, with hostile text as text', async () => {
    assert.deepEqual((await posted())[0], { type: 'ready', protocol: 1 });
    await send({ type: 'view', protocol: 1, version: 3, view: planView(PLAN) });
    await send({
      type: 'groups',
      groups: [
        { name: 'db-group', file: 'g.yaml', region: 'us-east-1', servers: 2, selection: 'tags Role=db', broken: false },
      ],
    });
    await page.waitForFunction(() =>
      window.__posted.some((m: { type: string; version?: number }) => m.type === 'rendered' && m.version === 3),
    );
    assert.equal(await page.locator('.wave').count(), 3);
    assert.equal(await page.locator('path.edge').count(), 1);
    const top = async (name: string) => (await page.locator(`.wave[data-wave="${name}"]`).boundingBox())!.y;
    assert.ok((await top('app')) > (await top('db')), 'app is drawn below db, which it depends on');
    assert.match((await page.locator('.wave[data-wave="db"] .groups').textContent()) ?? '', /db-group \(2\)/);
    await page.locator('.wave[data-wave="app"]').click();
    assert.equal(await page.locator('#wave-name input').inputValue(), 'app');
    assert.equal(await page.locator('[data-action="preActions-0"] #preActions-0-message input').inputValue(), HOSTILE);
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned ?? false), false);
    assert.deepEqual(
      await page.evaluate(() => window.__violations ?? []),
      [],
      'nothing the CSP blocks (inline styles included)',
    );
  });

  it("shows a Step Functions run's wave and server states on the nodes", async () => {
    await send({
      type: 'run',
      run: {
        runId: 'sfn-run-7',
        mode: 'drill',
        engine: 'stepFunctions',
        status: 'running',
        waves: [
          {
            name: 'db',
            status: 'completed',
            servers: [
              { id: 's-1', hostname: 'db-1', status: 'LAUNCHED' },
              { id: 's-2', hostname: 'db-2', status: 'LAUNCHED' },
            ],
          },
          { name: 'app', status: 'held', servers: [{ id: 's-3', hostname: 'app-1', status: 'PENDING' }] },
        ],
      },
    });
    await page.waitForSelector('.wave[data-wave="app"].run-held');
    assert.match((await page.locator('.wave[data-wave="db"]').getAttribute('class')) ?? '', /run-completed/);
    assert.match((await page.locator('.wave[data-wave="db"] .live').textContent()) ?? '', /completed · 2\/2 launched/);
    assert.match((await page.locator('.wave[data-wave="app"] .live').textContent()) ?? '', /held · 0\/1 launched/);
    assert.equal(await page.locator('.wave[data-wave="web"] .live').count(), 0, 'a wave the run has not reached');
    assert.match((await page.locator('header .meta').textContent()) ?? '', /run sfn-run-7 on Step Functions: running/);
    await send({ type: 'run', run: null });
    await page.waitForSelector('.wave[data-wave="app"]:not(.run-held)');
  });

  it('drawing an edge from a wave to another sends a connect intent the host accepts', async () => {
    const port = page.locator('.wave[data-wave="web"] .port');
    const target = page.locator('.wave[data-wave="db"]');
    const from = (await port.boundingBox())!;
    const to = (await target.boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + 40, to.y + 30, { steps: 5 });
    await page.mouse.up();
    const intent = await lastIntent();
    assert.deepEqual(intent?.intent, { kind: 'connect', from: 'web', to: 'db' });
    assert.ok(toHost.safeParse((await posted()).reverse().find((m) => m.type === 'intent')).success);
    await send({
      type: 'result',
      requestId: 'r1',
      ok: false,
      message: '"db" cannot depend on "web": that would make a cycle db → web → db.',
    });
    assert.match((await page.locator('#status').textContent()) ?? '', /cycle db → web → db/);
  });

  it('adds a wave after the selected one, and edits a field of it', async () => {
    await page.locator('.wave[data-wave="app"]').click();
    await page.locator('#add-wave').click();
    assert.deepEqual((await lastIntent())?.intent, { kind: 'addWave', dependsOn: ['app'] });
    await page.locator('#wave-maxWait input').fill('900');
    await page.locator('#wave-maxWait input').press('Enter');
    await page.locator('#wave-maxWait input').blur();
    await page.waitForFunction(() =>
      window.__posted.some(
        (m: { type: string; intent?: { field?: string } }) =>
          m.type === 'intent' && m.intent?.field === 'maxWaitSeconds',
      ),
    );
    const set = (await posted())
      .reverse()
      .find((m) => m.type === 'intent' && (m.intent as { field?: string }).field === 'maxWaitSeconds');
    assert.deepEqual((set as unknown as { intent: unknown }).intent, {
      kind: 'setWaveField',
      wave: 'app',
      field: 'maxWaitSeconds',
      value: 900,
    });
  });

  it('shows invalid YAML as an error state with a link to its line, never an empty page', async () => {
    await send({ type: 'view', protocol: 1, version: 4, view: planView(PLAN.replace('[db-group]', '[db-group')) });
    await page.locator('#error-line').waitFor();
    assert.match((await page.locator('.error-state').textContent()) ?? '', /YAML/);
    await page.locator('#error-line').click();
    const open = (await posted()).reverse().find((m) => m.type === 'openText') as { line?: number } | undefined;
    assert.ok(open?.line && open.line >= 5, JSON.stringify(open));
  });

  it('reports an invalid message from the host instead of ignoring it', async () => {
    await page.evaluate(() =>
      window.postMessage({ type: 'view', protocol: 1, version: 5, view: { status: 'maybe' } }, '*'),
    );
    await page.waitForFunction(() => window.__posted.some((m: { type: string }) => m.type === 'protocolError'));
    assert.match((await page.locator('#status').textContent()) ?? '', /invalid message from the extension/);
  });
});
