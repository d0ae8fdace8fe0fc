// Browser end-to-end: the packaged VSIX installed in code-server, driven by
// Chromium, against the seeded emulator stack. Screenshots: test-output/e2e/.
//
//   PILOT_LIGHT_E2E_SKIP_PACKAGE=1   use the existing VSIX instead of `npm run package`
//   PILOT_LIGHT_WITHOUT_EMULATORS=1  no emulator stack (the explorer will have no data)
//   PILOT_LIGHT_E2E_HEADED=1         show the browser (needs a display)

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Browser, Locator, Page } from 'playwright-core';
import { type CodeServer, type HostHarness, type HostTestStack, loadHostHarness } from '../support/hostHarness';
import { zipEntryNames } from '../support/zipEntries';

const UI_TIMEOUT_MS = 30_000;
const SEEDED_INSTANCES = ['web-1', 'app-1', 'db-1'];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`);
}

/** Hostnames listed anywhere in the emulator stack's ready line (its seeding summary). */
function seededHostnames(ready: unknown): string[] {
  const hostnames = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key.toLowerCase() === 'hostname' && typeof child === 'string') hostnames.add(child);
        else visit(child);
      }
    }
  };
  visit(ready);
  return [...hostnames];
}

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = UI_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('AWS explorer in code-server (packaged VSIX, Chromium)', function () {
  this.timeout(300_000);

  let harness: HostHarness;
  let stack: HostTestStack | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let outputDir: string;
  let viewOpened = false;
  let vsixPath: string;

  const explorer = (): Locator => page.locator('.part.sidebar');
  // Rows are matched by their visible label: the accessible name may be a longer
  // description (the profile row's reads "Account 123456789012 …").
  const treeItem = (label: string): Locator =>
    explorer()
      .getByRole('treeitem')
      .filter({ has: page.locator('.label-name', { hasText: exactly(label) }) })
      .first();

  /** Visible labels and tree levels of the rendered rows, top to bottom. */
  async function rows(): Promise<Array<{ label: string; level: number }>> {
    return explorer()
      .getByRole('treeitem')
      .evaluateAll((elements) =>
        elements.map((element) => ({
          label: (element.querySelector('.label-name')?.textContent ?? element.getAttribute('aria-label') ?? '').trim(),
          level: Number(element.getAttribute('aria-level')),
        })),
      );
  }

  const rowLabels = async (): Promise<string[]> => (await rows()).map((row) => row.label);

  /** Waits for the row `label`; on timeout, the error lists the rows that are there. */
  async function waitForRow(label: string): Promise<Locator> {
    const item = treeItem(label);
    try {
      await item.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    } catch {
      throw new Error(
        `No row "${label}" in the AWS view after ${UI_TIMEOUT_MS / 1000} s; rows: ${JSON.stringify(await rowLabels())}`,
      );
    }
    return item;
  }

  async function expand(label: string): Promise<void> {
    const item = await waitForRow(label);
    if ((await item.getAttribute('aria-expanded')) !== 'true') await item.click();
    await waitFor(async () => (await item.getAttribute('aria-expanded')) === 'true', `"${label}" to expand`);
  }

  /** Labels of the rows directly under the row `label`. */
  async function childrenOf(label: string): Promise<string[]> {
    const all = await rows();
    const parentIndex = all.findIndex((row) => row.label === label);
    assert.ok(parentIndex >= 0, `no row "${label}" in ${JSON.stringify(all.map((row) => row.label))}`);
    const parentLevel = all[parentIndex].level;
    const children: string[] = [];
    for (const row of all.slice(parentIndex + 1)) {
      if (row.level <= parentLevel) break;
      if (row.level === parentLevel + 1) children.push(row.label);
    }
    return children;
  }

  /** The AWS container also holds other views; collapse them so the tree has the whole height. */
  async function showOnlyTheExplorerView(): Promise<void> {
    await explorer().locator('.pane-header').first().waitFor({ timeout: UI_TIMEOUT_MS });
    for (const header of await explorer().locator('.pane-header').all()) {
      const title = ((await header.locator('h3.title').textContent()) ?? '').trim().toLowerCase();
      if (title !== 'explorer' && (await header.getAttribute('aria-expanded')) === 'true') await header.click();
    }
  }

  async function screenshot(name: string): Promise<void> {
    await page.screenshot({ path: path.join(outputDir, `${name}.png`) });
  }

  before(async function () {
    harness = await loadHostHarness();
    harness.ensureCodeServer();
    let vsix: string;
    if (process.env.PILOT_LIGHT_E2E_SKIP_PACKAGE === '1') {
      vsix = harness.packagedVsix;
      console.warn(`[pilot-light] PILOT_LIGHT_E2E_SKIP_PACKAGE=1: testing the existing ${vsix} without repackaging`);
      assert.ok(fs.existsSync(vsix), `${vsix} does not exist`);
    } else {
      vsix = harness.packageExtension();
    }
    vsixPath = vsix;

    stack = await harness.startHostTestStack({ layer: 'e2e', withoutEmulators: harness.withoutEmulatorsRequested() });
    outputDir = stack.outputDir;
    server = await harness.startCodeServer({
      repoRoot: harness.repoRoot,
      workspace: harness.testWorkspace,
      settings: stack.settings,
      env: stack.env,
      extensionsToInstall: [vsix, ...harness.helperExtensionVsixes()],
      logFile: path.join(outputDir, 'code-server.log'),
      saveLogsTo: path.join(outputDir, 'vscode-logs'),
    });
    browser = await harness.launchChromium({ headless: process.env.PILOT_LIGHT_E2E_HEADED !== '1' });
    page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
    page.on('pageerror', (error) => console.error(`[workbench] ${error.message}`));
    await page.goto(server.workbenchUrl());
    await page.locator('.monaco-workbench').waitFor({ timeout: UI_TIMEOUT_MS });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      const name = `failure-${this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
      await screenshot(name).catch(() => undefined);
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await stack?.stop();
  });

  it('packs only what runs into the VSIX: the bundles, the manifest, media and docs', () => {
    const allowed = [
      /^extension\.vsixmanifest$/,
      /^\[Content_Types\]\.xml$/,
      /^extension\/package\.json$/,
      /^extension\/(readme|changelog)\.md$/i,
      /^extension\/LICENSE(\.md|\.txt)?$/i,
      /^extension\/dist\/(extension|core|mcp|mcp-tools|iac-cloudformation)\.js$/,
      /^extension\/dist\/iac\/cfn-(types|enums)\.json\.br$/,
      /^extension\/dist\/THIRD_PARTY_NOTICES\.md$/,
      /^extension\/dist\/sdk\/[a-z0-9-]+\.js$/,
      /^extension\/dist\/webview\/[\w.-]+\.(js|css)$/,
      /^extension\/dist\/tree-sitter\/[\w.-]+\.wasm$/,
      /^extension\/media\/[\w.-]+\.(svg|png)$/,
      /^extension\/media\/walkthrough\/[\w.-]+\.md$/,
      /^extension\/(syntaxes|schemas)\/[\w.-]+\.json$/,
    ];
    const entries = zipEntryNames(vsixPath);
    assert.ok(entries.includes('extension/dist/extension.js'), `the bundle is packed: ${entries.join(', ')}`);
    const unexpected = entries.filter((entry) => !allowed.some((pattern) => pattern.test(entry)));
    assert.deepStrictEqual(unexpected, [], 'nothing but what runs: no sources, tests, tools, maps or node_modules');
    const bytes = fs.statSync(vsixPath).size;
    console.log(`      VSIX ${path.basename(vsixPath)}: ${entries.length} files, ${bytes} bytes`);
  });

  it('opens the AWS view with the profile and region expanded', async () => {
    const activityItem = page.locator('.part.activitybar [aria-label^="AWS"]').first();
    await activityItem.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await activityItem.click();
    await showOnlyTheExplorerView();

    const profile = await waitForRow('default');
    await waitFor(
      async () => (await profile.getAttribute('aria-expanded')) === 'true',
      'the profile row to be expanded',
    );
    const region = await waitForRow(stack!.region);
    await waitFor(async () => (await region.getAttribute('aria-expanded')) === 'true', 'the region row to be expanded');
    await waitForRow('EC2');
    await waitForRow('DRS');
    await screenshot('explorer-opened');
    viewOpened = true;
  });

  it('lists the seeded EC2 instances by Name tag', async () => {
    assert.ok(viewOpened, 'the AWS view did not open (see the first failure)');
    await expand('EC2');
    await expand('Instances');
    for (const name of SEEDED_INSTANCES) await waitForRow(name);
    const instanceRows = await childrenOf('Instances');
    assert.deepStrictEqual([...instanceRows].sort(), [...SEEDED_INSTANCES].sort(), 'instance rows');
  });

  it('lists the DRS source servers by hostname', async () => {
    assert.ok(viewOpened, 'the AWS view did not open (see the first failure)');
    await expand('DRS');
    await expand('Source servers');
    const hostnames = seededHostnames(stack!.ready);
    if (hostnames.length > 0) {
      for (const hostname of hostnames) await waitForRow(hostname);
    } else {
      await waitFor(async () => (await childrenOf('Source servers')).length >= 3, 'three source server rows');
    }
    const serverRows = await childrenOf('Source servers');
    assert.strictEqual(serverRows.length, 3, `source server rows: ${JSON.stringify(serverRows)}`);
    for (const tier of ['web', 'app', 'db']) {
      assert.ok(
        serverRows.some((row) => row.includes(tier)),
        `a source server whose hostname contains "${tier}" in ${JSON.stringify(serverRows)}`,
      );
    }
    await screenshot('explorer-expanded');
  });

  it('opens several services at once: VPC subnets and security-group rules, launch-template versions', async () => {
    assert.ok(viewOpened, 'the AWS view did not open (see the first failure)');
    await expand('VPC');
    await expand('production-vpc');
    await expand('Subnets');
    await waitFor(async () => (await childrenOf('Subnets')).length === 4, 'four subnet rows');
    assert.deepStrictEqual((await childrenOf('Subnets')).sort(), [
      'production-private-a',
      'production-private-b',
      'production-public-a',
      'production-public-b',
    ]);
    await expand('Security groups');
    await expand('web-sg');
    await expand('Inbound rules');
    await waitFor(
      async () => (await childrenOf('Inbound rules')).some((rule) => /^tcp\/443 from 0\.0\.0\.0\/0$/.test(rule)),
      'the HTTPS inbound rule of web-sg',
    );
    await expand('Launch templates');
    await waitFor(async () => (await childrenOf('Launch templates')).length === 3, 'three launch templates');
    const [firstTemplate] = await childrenOf('Launch templates');
    await expand(firstTemplate);
    await waitFor(
      async () => (await childrenOf(firstTemplate)).some((version) => /\(default\)$/.test(version)),
      'the default version marked',
    );
    await screenshot('explorer-several-services');
  });
});
