// Browser end-to-end for issue 13's "first drill without writing YAML": the packaged VSIX in code-server, driven
// by Chromium, on an empty workspace against the seeded emulators (DRS source servers web, app and db tagged
// Role and Environment=production). The Getting Started walkthrough opens as `npm run demo` opens it
// (PILOT_LIGHT_DEMO_WALKTHROUGH=1); every step is then run from its walkthrough button and answered in the
// workbench's own quick picks, dialogs and input boxes, the drill's approval typed by the test.
//
// firstDrillMs (walkthrough shown → the drill's report shown) goes to test-output/e2e-first-drill/first-drill.json
// for `npm run bench -- plan-editor`; nothing here asserts on it. Screenshots go to the same folder.
//
//   PILOT_LIGHT_E2E_SKIP_PACKAGE=1   use the existing VSIX instead of `npm run package`
//   PILOT_LIGHT_E2E_HEADED=1         show the browser (needs a display)

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeRecoveryInstancesCommand, DrsClient } from '@aws-sdk/client-drs';
import type { Browser, Locator, Page } from 'playwright-core';
import { type CodeServer, type HostHarness, type HostTestStack, loadHostHarness } from '../support/hostHarness';

const UI_TIMEOUT_MS = 60_000;
/** The drill launches three waves one after another on the DRS emulator's clock; the machine is shared. */
const DRILL_TIMEOUT_MS = 240_000;
export const FIRST_DRILL_OUTPUT_LAYER = 'e2e-first-drill';
export const FIRST_DRILL_RESULT_FILE = 'first-drill.json';
const PLAN_NAME = 'recovery';

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = UI_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('first drill from the Getting Started walkthrough in code-server (packaged VSIX, Chromium)', function () {
  this.timeout(900_000);

  let harness: HostHarness;
  let stack: HostTestStack | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let outputDir: string;
  let workspace: string;
  let drs: DrsClient;
  let ec2: EC2Client;
  let walkthroughShownAt = 0;
  let reportShownAt = 0;
  let groupPaths: string[] = [];
  let planPath = '';
  let drillRecoveryInstances: Array<{ id: string; ec2InstanceId?: string }> = [];
  let failedAt: string | undefined;

  const screenshot = (name: string) => page.screenshot({ path: path.join(outputDir, `${name}.png`) });
  const walkthrough = (): Locator => page.locator('.gettingStartedContainer').first();
  const stepButton = (stepId: string): Locator =>
    walkthrough().locator(`button.getting-started-step[data-step-id$="${stepId}"]`).first();
  const quickInput = (): Locator => page.locator('.quick-input-widget');
  const quickInputBox = (): Locator => quickInput().locator('input.input').first();
  const dialog = (): Locator => page.locator('.monaco-dialog-box');
  const sidebar = (): Locator => page.locator('.part.sidebar');

  /** Brings the walkthrough tab to the front (commands open documents over it). */
  async function showWalkthrough(): Promise<void> {
    if (
      await walkthrough()
        .isVisible()
        .catch(() => false)
    )
      return;
    await page
      // VS Code titles the tab "Welcome" (or "Walkthrough: Pilot Light").
      .locator('.tabs-container .tab', { hasText: /^\s*(Welcome|Walkthrough: Pilot Light)\s*$/ })
      .first()
      .click();
    await walkthrough().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  }

  /** Expands the walkthrough step and clicks its action button (the command link in its description). */
  async function runStep(stepId: string, buttonLabel: string): Promise<void> {
    await showWalkthrough();
    const step = stepButton(stepId);
    await step.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    if ((await step.getAttribute('aria-expanded')) !== 'true') await step.click();
    await waitFor(async () => (await step.getAttribute('aria-expanded')) === 'true', `the step ${stepId} to expand`);
    const action = step.locator('.monaco-button, a', { hasText: buttonLabel }).first();
    await action.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await action.click();
  }

  /** Waits until VS Code marks the walkthrough step done (its checkbox turns checked). */
  async function expectStepDone(stepId: string): Promise<void> {
    await showWalkthrough();
    await waitFor(
      async () => (await stepButton(stepId).getAttribute('aria-checked')) === 'true',
      `step ${stepId} done`,
    );
  }

  /** Waits for a quick pick or input box whose title matches, and returns its visible rows' labels. */
  async function waitForQuickInput(title: RegExp, timeoutMs = UI_TIMEOUT_MS): Promise<void> {
    await waitFor(
      async () =>
        (await quickInput().isVisible()) &&
        title.test((await quickInput().locator('.quick-input-title').textContent()) ?? ''),
      `the quick input "${title.source}"`,
      timeoutMs,
    );
  }

  async function pick(title: RegExp, label: string): Promise<void> {
    await waitForQuickInput(title);
    await quickInputBox().fill(label);
    const row = quickInput()
      .locator('.quick-input-list .monaco-list-row')
      .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) })
      .first();
    await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await quickInputBox().press('Enter');
  }

  /** Clicks a modal dialog's button (the keyboard when the workbench drops a synthetic click). */
  async function pressDialogButton(name: RegExp): Promise<string> {
    const button = dialog().getByRole('button', { name });
    await button.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    const message = ((await dialog().textContent()) ?? '').replace(/\s+/g, ' ');
    const element = await button.elementHandle({ timeout: UI_TIMEOUT_MS });
    assert.ok(element, `the dialog button ${name.source}`);
    await button.click();
    const closed = (timeout: number) =>
      page
        .waitForFunction((node) => !node.isConnected, element, { timeout })
        .then(
          () => true,
          () => false,
        );
    if (!(await closed(5_000))) {
      await element.focus().catch(() => undefined);
      await page.keyboard.press('Enter');
      assert.ok(await closed(UI_TIMEOUT_MS), `the dialog closed after ${name.source}`);
    }
    await element.dispose();
    return message;
  }

  /** The text of every rendered webview (Markdown previews live two frames deep). */
  async function webviewTexts(): Promise<string[]> {
    const texts: string[] = [];
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      const text = await frame
        .evaluate(
          () =>
            (globalThis as unknown as { document: { body?: { innerText: string } } }).document.body?.innerText ?? '',
        )
        .catch(() => '');
      if (text) texts.push(text);
    }
    return texts;
  }

  async function waitForWebviewText(pattern: RegExp, what: string, timeoutMs = UI_TIMEOUT_MS): Promise<string> {
    let found = '';
    await waitFor(
      async () => {
        found = (await webviewTexts()).find((text) => pattern.test(text)) ?? '';
        return found !== '';
      },
      what,
      timeoutMs,
    );
    return found;
  }

  function step(name: string): void {
    failedAt = name;
  }

  before(async function () {
    harness = await loadHostHarness();
    harness.ensureCodeServer();
    const vsix = process.env.PILOT_LIGHT_E2E_SKIP_PACKAGE === '1' ? harness.packagedVsix : harness.packageExtension();
    assert.ok(fs.existsSync(vsix), `${vsix} exists`);
    stack = await harness.startHostTestStack({ layer: FIRST_DRILL_OUTPUT_LAYER });
    outputDir = stack.outputDir;
    const aws = {
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    };
    drs = new DrsClient(aws);
    ec2 = new EC2Client(aws);
    // A new user's workspace: no protection group, no plan.
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'first-drill-e2e-'));
    server = await harness.startCodeServer({
      repoRoot: harness.repoRoot,
      workspace,
      settings: stack.settings,
      // As `npm run demo` does: the extension opens the walkthrough once active.
      env: { ...stack.env, PILOT_LIGHT_DEMO_WALKTHROUGH: '1' },
      extensionsToInstall: [vsix],
      logFile: path.join(outputDir, 'code-server.log'),
      saveLogsTo: path.join(outputDir, 'vscode-logs'),
    });
    browser = await harness.launchChromium({ headless: process.env.PILOT_LIGHT_E2E_HEADED !== '1' });
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    page.on('pageerror', (error) => console.error(`[workbench] ${error.message}`));
    await page.goto(server.workbenchUrl({ folder: workspace }));
    await page.locator('.monaco-workbench').waitFor({ timeout: UI_TIMEOUT_MS });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page)
      await screenshot(`first-drill-failure-${(failedAt ?? 'setup').replace(/[^a-z0-9]+/gi, '-')}`).catch(
        () => undefined,
      );
  });

  after(async () => {
    drs?.destroy();
    ec2?.destroy();
    await browser?.close();
    await server?.stop();
    await stack?.stop();
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('leads from connecting to a cleaned-up drill, each step through its walkthrough action', async () => {
    step('walkthrough');
    await walkthrough().waitFor({ state: 'visible', timeout: 120_000 });
    await stepButton('connect').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    walkthroughShownAt = Date.now();
    // The demo asks VS Code for the walkthrough again during its first 9 s (see src/features/dr/demoFiles.ts),
    // which would close a quick pick opened meanwhile: read the walkthrough first (part of firstDrillMs).
    await page.waitForTimeout(10_000);
    await stepButton('connect').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    assert.match((await walkthrough().textContent()) ?? '', /your first DR drill/);
    for (const id of ['connect', 'explorer', 'groups', 'plan', 'preflight', 'drill', 'report', 'cleanup'])
      assert.strictEqual(await stepButton(id).getAttribute('aria-checked'), 'false', `${id} starts unchecked`);
    await screenshot('first-drill-walkthrough');

    step('connect');
    await runStep('connect', 'Choose Profile');
    await pick(/Select AWS profile/, 'default');
    await expectStepDone('connect');

    step('explorer');
    await runStep('explorer', 'Open the Explorer');
    const treeItem = (label: string) =>
      sidebar()
        .getByRole('treeitem')
        .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) })
        .first();
    const expand = async (label: string) => {
      const item = treeItem(label);
      await item.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      if ((await item.getAttribute('aria-expanded')) !== 'true') await item.click();
      await waitFor(async () => (await item.getAttribute('aria-expanded')) === 'true', `"${label}" to expand`);
    };
    await expand('DRS');
    await expand('Source servers');
    // The rows under "Source servers": one per seeded server (hostnames with web, app and db in them).
    const sourceServerRows = () =>
      sidebar()
        .getByRole('treeitem')
        .evaluateAll((elements) => {
          const rows = elements.map((element) => ({
            label: (element.querySelector('.label-name')?.textContent ?? '').trim(),
            level: Number(element.getAttribute('aria-level')),
          }));
          const parent = rows.findIndex((row) => row.label === 'Source servers');
          const children: string[] = [];
          for (const row of parent < 0 ? [] : rows.slice(parent + 1)) {
            if (row.level <= rows[parent].level) break;
            if (row.level === rows[parent].level + 1) children.push(row.label);
          }
          return children;
        });
    await waitFor(async () => (await sourceServerRows()).length === 3, 'three DRS source server rows');
    const serverRows = await sourceServerRows();
    for (const tier of ['web', 'app', 'db'])
      assert.ok(
        serverRows.some((row) => row.includes(tier)),
        `a source server row for ${tier}: ${JSON.stringify(serverRows)}`,
      );
    await screenshot('first-drill-explorer');
    await expectStepDone('explorer');

    step('groups');
    await runStep('groups', 'Create Protection Groups');
    // The command reads the source servers before it asks; a quick pick that loses focus closes (a re-render of
    // the walkthrough can take it), so the button is pressed again if no question shows.
    try {
      await waitForQuickInput(/one group per value of which tag/, 45_000);
    } catch {
      await screenshot('first-drill-groups-no-question');
      console.warn('      the tag question did not show (or closed); pressing Create Protection Groups again');
      await runStep('groups', 'Create Protection Groups');
    }
    await pick(/one group per value of which tag/, 'Role');
    // The preview of the servers each group will hold, then the groups, all picked: accept them.
    await waitForWebviewText(/Protection groups from tag Role/, 'the groups preview');
    await waitForQuickInput(/Protection groups to create/);
    const proposed = await quickInput().locator('.quick-input-list .monaco-list-row').allTextContents();
    assert.strictEqual(proposed.length, 3, `three groups proposed: ${JSON.stringify(proposed)}`);
    await screenshot('first-drill-groups-preview');
    await quickInputBox().focus();
    await quickInputBox().press('Enter');
    const confirmation = await pressDialogButton(/^Create 3 group\(s\)$/);
    assert.match(confirmation, /Create 3 protection group\(s\) from tag Role\?/);
    const groupsDir = path.join(workspace, '.pilotlight', 'dr', 'groups');
    await waitFor(async () => fs.existsSync(groupsDir) && fs.readdirSync(groupsDir).length === 3, 'three group files');
    groupPaths = fs.readdirSync(groupsDir).map((name) => path.join(groupsDir, name));
    for (const role of ['db', 'app', 'web'])
      assert.ok(
        groupPaths.some(
          (file) =>
            /kind: ProtectionGroup/.test(fs.readFileSync(file, 'utf8')) &&
            new RegExp(`Role: ${role}\\b`).test(fs.readFileSync(file, 'utf8')),
        ),
        `a group file selecting Role=${role}`,
      );
    await expectStepDone('groups');

    step('plan');
    await runStep('plan', 'New Recovery Plan from Groups');
    await waitForQuickInput(/Protection groups to recover in the new plan/);
    const rows = quickInput().locator('.quick-input-list .monaco-list-row');
    await waitFor(async () => (await rows.count()) === 3, 'three groups to pick');
    // Tick the three groups (a click on a row of a multi-select pick toggles it); the badge counts them.
    const selectedCount = async () =>
      ((await quickInput().locator('.quick-input-count').first().textContent()) ?? '').trim();
    for (let index = 0; index < 3; index++) await rows.nth(index).locator('.label-name').first().click();
    await waitFor(async () => /^3\b/.test(await selectedCount()), 'three groups ticked');
    await quickInputBox().focus();
    await quickInputBox().press('Enter');
    // The tier order is offered when it differs from the order picked; then the name, proposed as "recovery".
    await waitFor(
      async () =>
        /Order the groups into waves|New recovery plan/.test(
          (await quickInput().locator('.quick-input-title').textContent()) ?? '',
        ),
      'the wave order or the plan name',
    );
    if (/Order the groups/.test((await quickInput().locator('.quick-input-title').textContent()) ?? ''))
      await pick(/Order the groups into waves/, 'Tier order (db → app → web)');
    await waitForQuickInput(/New recovery plan/);
    assert.strictEqual(await quickInputBox().inputValue(), PLAN_NAME);
    await quickInputBox().press('Enter');
    planPath = path.join(workspace, '.pilotlight', 'dr', 'plans', `${PLAN_NAME}.recovery-plan.yaml`);
    await waitFor(async () => fs.existsSync(planPath), `${planPath}`);
    const planText = fs.readFileSync(planPath, 'utf8');
    assert.match(planText, /kind: RecoveryPlan/);
    assert.match(planText, new RegExp(`name: ${PLAN_NAME}\\b`));
    const waveLines = planText.match(/^ {2}- name: .*$/gm) ?? [];
    assert.strictEqual(waveLines.length, 3, `three waves: ${planText}`);
    await page
      .locator('.tab', { hasText: `${PLAN_NAME}.recovery-plan.yaml` })
      .first()
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await expectStepDone('plan');

    step('preflight');
    await runStep('preflight', 'Run Preflight');
    const preflight = await waitForWebviewText(/Preflight: recovery \(drill\)/, 'the preflight report', 120_000);
    assert.match(preflight, /3 wave\(s\), 3 server\(s\)/, `three waves of one server each: ${preflight.slice(0, 600)}`);
    assert.match(preflight, /Ready\./, `the preflight is clean: ${preflight.slice(0, 600)}`);
    await screenshot('first-drill-preflight');
    await expectStepDone('preflight');

    step('drill');
    await runStep('drill', 'Run Drill');
    // The servers are tagged Environment=production: the launch asks for an approval, typed here.
    const approval = await pressDialogButton(/^Approve…$/);
    assert.match(approval, /Approval required: .* in production/);
    await waitForQuickInput(/Approve: /);
    await quickInputBox().fill('production');
    await quickInputBox().press('Enter');
    await waitFor(async () => !(await quickInput().isVisible()), 'the approval input to close');
    await waitFor(
      async () => /drill · completed/.test((await sidebar().textContent()) ?? ''),
      'the drill to complete in Recovery runs',
      DRILL_TIMEOUT_MS,
    );
    await screenshot('first-drill-run-completed');
    await expectStepDone('drill');

    step('report');
    await runStep('report', 'Show Run Report');
    await pick(/Which run\?/, PLAN_NAME);
    const report = await waitForWebviewText(/Drill report: recovery/, 'the drill report');
    reportShownAt = Date.now();
    assert.match(report, /Status\s+completed/);
    assert.match(report, /Servers\s+3 launched, 0 failed of 3/);
    await screenshot('first-drill-report');
    await expectStepDone('report');
    const firstDrillMs = reportShownAt - walkthroughShownAt;
    fs.writeFileSync(
      path.join(outputDir, FIRST_DRILL_RESULT_FILE),
      `${JSON.stringify({ firstDrillMs, walkthroughShownAt: new Date(walkthroughShownAt).toISOString(), reportShownAt: new Date(reportShownAt).toISOString() }, null, 2)}\n`,
    );
    console.log(`      firstDrillMs: ${firstDrillMs} ms (walkthrough shown → drill report shown)`);

    step('cleanup');
    const listed = await drs.send(new DescribeRecoveryInstancesCommand({ filters: {} }));
    drillRecoveryInstances = (listed.items ?? [])
      .filter((item) => item.isDrill)
      .map((item) => ({ id: item.recoveryInstanceID!, ec2InstanceId: item.ec2InstanceID }));
    assert.strictEqual(
      drillRecoveryInstances.length,
      3,
      `three drill instances run: ${JSON.stringify(drillRecoveryInstances)}`,
    );
    await runStep('cleanup', 'Clean Up Drill');
    await pick(/Clean up which drill\?/, PLAN_NAME);
    const terminate = await pressDialogButton(/^Terminate$/);
    assert.match(terminate, /Terminate the 3 recovery instance\(s\) of drill "recovery"\?/);
    // The terminate call is a guarded delete: the guardrails' own confirmation, with its preview, follows.
    const guarded = await pressDialogButton(/^Delete$/);
    assert.match(guarded, /Terminate 3 recovery instance\(s\)\?/);
    const ids = new Set(drillRecoveryInstances.map((instance) => instance.id));
    await waitFor(
      async () => {
        const after = await drs.send(new DescribeRecoveryInstancesCommand({ filters: {} }));
        return !(after.items ?? []).some((item) => ids.has(item.recoveryInstanceID!));
      },
      'the drill recovery instances to be terminated',
      DRILL_TIMEOUT_MS,
    );
    const ec2Ids = drillRecoveryInstances.flatMap((instance) =>
      instance.ec2InstanceId ? [instance.ec2InstanceId] : [],
    );
    assert.strictEqual(ec2Ids.length, 3, 'each drill instance had its EC2 instance');
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ec2Ids }));
    const states = (described.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.State?.Name);
    assert.ok(
      states.length === 3 && states.every((state) => state === 'terminated' || state === 'shutting-down'),
      `the drill's EC2 instances are terminated: ${JSON.stringify(states)}`,
    );
    await expectStepDone('cleanup');
    for (const id of ['connect', 'explorer', 'groups', 'plan', 'preflight', 'drill', 'report', 'cleanup'])
      assert.strictEqual(await stepButton(id).getAttribute('aria-checked'), 'true', `${id} is checked`);
    await screenshot('first-drill-all-steps-done');
    failedAt = undefined;
  });
});
