// Browser end-to-end: the organization tree in the AWS view (packaged VSIX in code-server, Chromium), against
// the emulator stack's moto with an organization seeded in its own management account: OUs → accounts, a
// member account's regions reached by assumed role. Screenshot: test-output/e2e/organization-tree.png.
//
//   PILOT_LIGHT_E2E_SKIP_PACKAGE=1   use the existing VSIX instead of `npm run package`
//   PILOT_LIGHT_E2E_HEADED=1         show the browser (needs a display)

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Browser, Locator, Page } from 'playwright-core';
import { OrganizationsClient, organizationsCommand } from '../../src/core/aws/organizationsService';
import { type CodeServer, type HostHarness, type HostTestStack, loadHostHarness } from '../support/hostHarness';

const UI_TIMEOUT_MS = 30_000;
/** The organization lives in its own account, so the default account of the other tests stays outside it. */
const MANAGEMENT_ACCOUNT = '333333333333';
const PROFILE = 'org-management';
const ACCOUNTS = [
  { name: 'prod-app', unit: 'Workloads', environment: 'production' },
  { name: 'dev-app', unit: 'Workloads', environment: 'dev' },
  { name: 'sandbox-1', unit: 'Sandbox', environment: 'dev' },
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = UI_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Creates the organization in moto from MANAGEMENT_ACCOUNT; returns its credentials and the account IDs. */
async function seedOrganization(endpoint: string, region: string) {
  const sts = new STSClient({ endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  let management;
  try {
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MANAGEMENT_ACCOUNT}:role/org-admin`, RoleSessionName: 'e2e' }),
    );
    management = {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: Credentials!.SessionToken!,
    };
  } finally {
    sts.destroy();
  }
  const organizations = new OrganizationsClient({ region, endpoint, credentials: async () => ({ ...management }) });
  await organizations.send(organizationsCommand('CreateOrganization', { FeatureSet: 'ALL' }));
  const rootId = ((await organizations.send(organizationsCommand('ListRoots', {}))).Roots as Array<{ Id: string }>)[0]
    .Id;
  const units = new Map<string, string>();
  for (const unit of new Set(ACCOUNTS.map((account) => account.unit))) {
    const created = await organizations.send(
      organizationsCommand('CreateOrganizationalUnit', { ParentId: rootId, Name: unit }),
    );
    units.set(unit, (created.OrganizationalUnit as { Id: string }).Id);
  }
  const ids = new Map<string, string>();
  for (const account of ACCOUNTS) {
    const created = await organizations.send(
      organizationsCommand('CreateAccount', {
        AccountName: account.name,
        Email: `${account.name}@example.com`,
        Tags: [{ Key: 'Environment', Value: account.environment }],
      }),
    );
    const id = (created.CreateAccountStatus as { AccountId: string }).AccountId;
    ids.set(account.name, id);
    await organizations.send(
      organizationsCommand('MoveAccount', {
        AccountId: id,
        SourceParentId: rootId,
        DestinationParentId: units.get(account.unit)!,
      }),
    );
  }
  return { management, ids };
}

describe('The organization tree in code-server (packaged VSIX, Chromium)', function () {
  this.timeout(300_000);

  let harness: HostHarness;
  let stack: HostTestStack | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let outputDir: string;
  let ids: Map<string, string>;

  const explorer = (): Locator => page.locator('.part.sidebar');
  const treeItem = (label: string): Locator =>
    explorer()
      .getByRole('treeitem')
      .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) })
      .first();

  async function rows(): Promise<Array<{ label: string; description: string; level: number }>> {
    return explorer()
      .getByRole('treeitem')
      .evaluateAll((elements) =>
        elements.map((element) => ({
          label: (element.querySelector('.label-name')?.textContent ?? '').trim(),
          description: (element.querySelector('.label-description')?.textContent ?? '').trim(),
          level: Number(element.getAttribute('aria-level')),
        })),
      );
  }

  async function waitForRow(label: string): Promise<Locator> {
    const item = treeItem(label);
    try {
      await item.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    } catch {
      throw new Error(`No row "${label}" after ${UI_TIMEOUT_MS / 1000} s; rows: ${JSON.stringify(await rows())}`);
    }
    return item;
  }

  async function expand(label: string): Promise<void> {
    const item = await waitForRow(label);
    if ((await item.getAttribute('aria-expanded')) !== 'true') await item.click();
    await waitFor(async () => (await item.getAttribute('aria-expanded')) === 'true', `"${label}" to expand`);
  }

  async function childrenOf(label: string): Promise<Array<{ label: string; description: string }>> {
    const all = await rows();
    const parentIndex = all.findIndex((row) => row.label === label);
    assert.ok(parentIndex >= 0, `no row "${label}" in ${JSON.stringify(all.map((row) => row.label))}`);
    const children = [];
    for (const row of all.slice(parentIndex + 1)) {
      if (row.level <= all[parentIndex].level) break;
      if (row.level === all[parentIndex].level + 1) children.push(row);
    }
    return children;
  }

  before(async function () {
    harness = await loadHostHarness();
    harness.ensureCodeServer();
    const vsix = process.env.PILOT_LIGHT_E2E_SKIP_PACKAGE === '1' ? harness.packagedVsix : harness.packageExtension();
    assert.ok(fs.existsSync(vsix), `${vsix} does not exist`);
    stack = await harness.startHostTestStack({ layer: 'e2e' });
    outputDir = stack.outputDir;
    const seeded = await seedOrganization(stack.endpoint, stack.region);
    ids = seeded.ids;
    const configFile = stack.env.AWS_CONFIG_FILE;
    assert.ok(configFile, 'the stack points AWS_CONFIG_FILE at its sandbox file');
    fs.appendFileSync(
      configFile,
      `\n[profile ${PROFILE}]\nregion = ${stack.region}\naws_access_key_id = ${seeded.management.accessKeyId}\naws_secret_access_key = ${seeded.management.secretAccessKey}\naws_session_token = ${seeded.management.sessionToken}\n`,
    );
    server = await harness.startCodeServer({
      repoRoot: harness.repoRoot,
      workspace: harness.testWorkspace,
      settings: { ...stack.settings, 'pilotLight.explorer.profiles': [PROFILE] },
      env: stack.env,
      extensionsToInstall: [vsix, ...harness.helperExtensionVsixes()],
      logFile: path.join(outputDir, 'code-server-organizations.log'),
      saveLogsTo: path.join(outputDir, 'vscode-logs-organizations'),
    });
    browser = await harness.launchChromium({ headless: process.env.PILOT_LIGHT_E2E_HEADED !== '1' });
    page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
    page.on('pageerror', (error) => console.error(`[workbench] ${error.message}`));
    await page.goto(server.workbenchUrl());
    await page.locator('.monaco-workbench').waitFor({ timeout: UI_TIMEOUT_MS });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page)
      await page.screenshot({ path: path.join(outputDir, 'failure-organization-tree.png') }).catch(() => undefined);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await stack?.stop();
  });

  it('shows the OU tree, accounts with ID and environment, and a member account’s region', async () => {
    const activityItem = page.locator('.part.activitybar [aria-label^="AWS"]').first();
    await activityItem.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await activityItem.click();
    // The default profile opens expanded; folded, the organization's profile row is in view.
    const defaultProfile = await waitForRow('default');
    if ((await defaultProfile.getAttribute('aria-expanded')) === 'true') await defaultProfile.click();
    await expand(PROFILE);
    await expand('Organization');
    await expand('Workloads');
    await expand('Sandbox');
    const workloads = await childrenOf('Workloads');
    assert.deepStrictEqual(workloads.map((row) => row.label).sort(), ['Attached SCPs', 'dev-app', 'prod-app']);
    const prod = workloads.find((row) => row.label === 'prod-app')!;
    assert.strictEqual(prod.description, `${ids.get('prod-app')} · production (protected)`);
    assert.deepStrictEqual(
      (await childrenOf('Sandbox')).map((row) => row.label),
      ['Attached SCPs', 'sandbox-1'],
    );
    await expand('prod-app');
    await waitFor(
      async () => (await childrenOf('prod-app')).some((row) => row.label === stack!.region),
      "the member account's region, reached by its assumed role",
    );
    await page.screenshot({ path: path.join(outputDir, 'organization-tree.png') });
  });
});
