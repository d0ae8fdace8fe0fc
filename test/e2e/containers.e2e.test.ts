// Browser end-to-end for the container tree: the packaged VSIX in code-server, driven by Chromium, against the
// emulators with a small container estate seeded in moto (test/support/containers.ts). The AWS view shows an
// ECS service with its counts, revision and rollout state, and under it its deployments. Screenshots go to
// test-output/e2e-containers/.
//
//   PILOT_LIGHT_E2E_SKIP_PACKAGE=1   use the existing VSIX instead of `npm run package`
//   PILOT_LIGHT_E2E_HEADED=1         show the browser (needs a display)

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Browser, Locator, Page } from 'playwright-core';
import { seedContainers } from '../support/containers';
import { type CodeServer, type HostHarness, type HostTestStack, loadHostHarness } from '../support/hostHarness';

const UI_TIMEOUT_MS = 60_000;

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = UI_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

describe('containers in the AWS explorer in code-server (packaged VSIX, Chromium)', function () {
  this.timeout(600_000);

  let harness: HostHarness;
  let stack: HostTestStack | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let outputDir: string;

  const sidebar = (): Locator => page.locator('.part.sidebar');
  const row = (label: string): Locator =>
    sidebar()
      .getByRole('treeitem')
      .filter({ has: page.locator('.label-name', { hasText: exactly(label) }) })
      .first();
  const descriptionOf = async (label: string) =>
    ((await row(label).locator('.label-description').first().textContent()) ?? '').trim();
  const screenshot = (name: string) => page.screenshot({ path: path.join(outputDir, `${name}.png`) });

  async function expand(label: string): Promise<void> {
    const item = row(label);
    await item.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    if ((await item.getAttribute('aria-expanded')) !== 'true') await item.click();
    await waitFor(async () => (await item.getAttribute('aria-expanded')) === 'true', `"${label}" to expand`);
  }

  before(async function () {
    harness = await loadHostHarness();
    harness.ensureCodeServer();
    const vsix = process.env.PILOT_LIGHT_E2E_SKIP_PACKAGE === '1' ? harness.packagedVsix : harness.packageExtension();
    assert.ok(fs.existsSync(vsix), `${vsix} exists`);
    stack = await harness.startHostTestStack({ layer: 'e2e-containers' });
    outputDir = stack.outputDir;
    await seedContainers(
      {
        region: stack.region,
        endpoint: stack.endpoint,
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      },
      '123456789012',
      { subnetId: 'subnet-0c0ffee0c0ffee000' },
    );
    server = await harness.startCodeServer({
      repoRoot: harness.repoRoot,
      workspace: harness.testWorkspace,
      settings: stack.settings,
      env: stack.env,
      extensionsToInstall: [vsix],
      logFile: path.join(outputDir, 'code-server.log'),
      saveLogsTo: path.join(outputDir, 'vscode-logs'),
    });
    browser = await harness.launchChromium({ headless: process.env.PILOT_LIGHT_E2E_HEADED !== '1' });
    page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    page.on('pageerror', (error) => console.error(`[workbench] ${error.message}`));
    await page.goto(server.workbenchUrl());
    await page.locator('.monaco-workbench').waitFor({ timeout: UI_TIMEOUT_MS });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await screenshot('containers-failure').catch(() => undefined);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await stack?.stop();
  });

  it('shows an ECS service with its counts, revision and rollout state, and its deployments', async () => {
    const activityItem = page.locator('.part.activitybar [aria-label^="AWS"]').first();
    await activityItem.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await activityItem.click();
    // Only the explorer view open in the AWS container, so the tree has the whole height.
    await sidebar().locator('.pane-header').first().waitFor({ timeout: UI_TIMEOUT_MS });
    for (const header of await sidebar().locator('.pane-header').all()) {
      const title = ((await header.locator('h3.title').textContent()) ?? '').trim().toLowerCase();
      if (title !== 'explorer' && (await header.getAttribute('aria-expanded')) === 'true') await header.click();
    }
    await row(stack!.region).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await expand('ECS');
    await expand('Clusters');
    await expand('staging');
    await expand('Services');
    await expand('web');
    // moto starts a service's deployment IN_PROGRESS with no task running (the seed's tasks are run apart).
    const service = await descriptionOf('web');
    assert.match(service, /desired 2 · running 0 · pending 2 · web:2 · rollout IN_PROGRESS/);
    await expand('Deployments');
    await row('PRIMARY web:2').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    assert.match(await descriptionOf('PRIMARY web:2'), /^rollout IN_PROGRESS · desired 2 · running 0 · pending 2/);
    await row('PRIMARY web:2').click();
    // Widen the side bar (drag its edge) so the descriptions show whole in the screenshot.
    const box = await sidebar().boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width + 450, box.y + box.height / 2, { steps: 8 });
      await page.mouse.up();
    }
    await screenshot('containers-ecs-service-deployments');
  });
});
