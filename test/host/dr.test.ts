// Disaster recovery in the real extension host, against the emulators (the "dr" host session: these
// tests launch and terminate recovery instances, so they run apart from the explorer tests).
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeJobsCommand, DescribeRecoveryInstancesCommand } from '@aws-sdk/client-drs';
import * as vscode from 'vscode';
import type { PilotLightTestApi } from '../../src/extension';
import type { RunResult } from '../../src/core/dr/results';
import type { RunTreeNode } from '../../src/features/dr/runsView';
import {
  admin,
  approveEverything,
  drsClient,
  eventually,
  groupYaml,
  jobsOfRun,
  pilotLight,
  removeDrFiles,
  runState,
  sourceServerIds,
  startRecoveryCalls,
  stopApproving,
  untilRun,
  withTimeout,
  workspaceRoot,
  writeDrFile,
} from './support/dr';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const label = (node: RunTreeNode) => {
  const item = node.getTreeItem();
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
};

/** The run's node in Recovery runs (listing the root first, as the view does). */
async function runNodeOf(api: PilotLightTestApi, runId: string): Promise<RunTreeNode> {
  return eventually(`run ${runId} in Recovery runs`, async () =>
    (await api.dr.runs.getChildren()).find((node) => (node as { runId?: string }).runId === runId),
  );
}

const BROKEN_PLAN =
  'schemaVersion: 2\nkind: RecoveryPlan\nname: ht-broken\nfailurePolicy: sometimes\nwaves:\n  - name: db\n    protectionGroups: [ht-db-tier]\n    dependsOn: [web]\n';
const SHOP_PLAN = [
  'schemaVersion: 2',
  'kind: RecoveryPlan',
  'name: ht-shop',
  'targets: { rtoMinutes: 30, rpoMinutes: 15 }',
  'waves:',
  '  - name: db',
  '    protectionGroups: [ht-db-tier]',
  '  - name: app',
  '    protectionGroups: [ht-app-tier]',
  '    dependsOn: [db]',
  '  - name: web',
  '    protectionGroups: [ht-web-tier]',
  '    dependsOn: [app]',
  '',
].join('\n');

describe('Disaster recovery in the extension host @dr', function () {
  this.timeout(120_000);
  let api: PilotLightTestApi;
  let scratch: string;
  const written: string[] = [];
  let planPath: string;
  let brokenPath: string;
  let drillRunId = '';

  /** No test may leave a real notification or dialog waiting: unanswered questions are declined. */
  function declineEverything(): void {
    api.dr.prompts.offer = async () => undefined;
    api.dr.prompts.confirm = async () => undefined;
    api.dr.prompts.inputBox = async () => undefined;
    api.dr.prompts.quickPick = async () => undefined;
    api.dr.prompts.quickPickMany = async () => undefined;
    api.dr.prompts.saveUri = async () => undefined;
    api.dr.prompts.openUri = async () => undefined;
  }

  before(async () => {
    api = await pilotLight();
    approveEverything(api);
    declineEverything();
    await admin().clearFaults();
    scratch = mkdtempSync(join(tmpdir(), 'pilot-light-dr-host-'));
    written.push(writeDrFile('groups/ht-db-tier.protection-group.yaml', groupYaml('ht-db-tier', 'db')));
    written.push(writeDrFile('groups/ht-app-tier.protection-group.yaml', groupYaml('ht-app-tier', 'app')));
    written.push(writeDrFile('groups/ht-web-tier.protection-group.yaml', groupYaml('ht-web-tier', 'web')));
    planPath = writeDrFile('plans/ht-shop.recovery-plan.yaml', SHOP_PLAN);
    brokenPath = writeDrFile('plans/ht-broken.recovery-plan.yaml', BROKEN_PLAN);
    written.push(planPath, brokenPath);
    await admin().setClock({ timeScale: 0.3 });
  });

  afterEach(() => declineEverything());

  after(async () => {
    stopApproving(api);
    await admin().setClock({ timeScale: 1 });
    removeDrFiles(written);
    rmSync(scratch, { recursive: true, force: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows diagnostics at the exact line and column while typing, and never touches a malformed plan', async () => {
    const before = { sha: sha256(brokenPath), mtime: statSync(brokenPath).mtimeMs };
    const uri = vscode.Uri.file(brokenPath);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const [problem] = await eventually('diagnostics of the malformed plan', async () => {
      const found = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Pilot Light');
      return found.length ? found : undefined;
    });
    assert.equal(problem.severity, vscode.DiagnosticSeverity.Error);
    assert.match(problem.message, /Must be one of "stop", "continue"; got "sometimes"/);
    assert.deepEqual(
      [problem.range.start.line, problem.range.start.character, problem.range.end.line, problem.range.end.character],
      [3, 15, 3, 24],
      'line 4, columns 16–24: the value "sometimes"',
    );

    // Running it is refused with the position of the error; the file stays as it was.
    assert.equal(await vscode.commands.executeCommand('pilotLight.dr.runDrill', uri), undefined);
    assert.match(
      api.dr.lastError?.message ?? '',
      /ht-broken\.recovery-plan\.yaml has 1 error and cannot be used; the file is left as it is\. Line 4, column 16: Must be one of/,
    );

    // Typing a fix updates the diagnostics from the unsaved text: now the unknown wave is reported.
    const editor = await vscode.window.showTextDocument(document);
    await editor.edit((edit) => edit.replace(new vscode.Range(3, 15, 3, 24), 'stop'));
    const next = await eventually('diagnostics after the edit', async () => {
      const found = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Pilot Light');
      return found.length && found[0].message.includes('unknown wave') ? found : undefined;
    });
    assert.deepEqual(
      [next[0].range.start.line, next[0].range.start.character, next[0].range.end.character],
      [7, 16, 19],
      'line 8, columns 17–19: "web"',
    );
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    assert.equal(sha256(brokenPath), before.sha, 'the file is unchanged');
    assert.equal(statSync(brokenPath).mtimeMs, before.mtime, 'and was not rewritten');
  });

  it('creates protection-group and recovery-plan files from valid templates, and never replaces one', async () => {
    const group = await vscode.commands.executeCommand<vscode.Uri>('pilotLight.dr.newProtectionGroup', 'ht-new-group', {
      tags: { Role: 'db' },
      region: 'us-east-1',
    });
    const plan = await vscode.commands.executeCommand<vscode.Uri>('pilotLight.dr.newRecoveryPlan', 'ht-new-plan', {
      groups: ['ht-new-group'],
    });
    assert.ok(group && plan, api.dr.lastError?.message);
    written.push(group.fsPath, plan.fsPath);
    assert.equal(
      group.fsPath,
      join(workspaceRoot(), '.pilotlight', 'dr', 'groups', 'ht-new-group.protection-group.yaml'),
    );
    assert.equal(plan.fsPath, join(workspaceRoot(), '.pilotlight', 'dr', 'plans', 'ht-new-plan.recovery-plan.yaml'));
    const document = await vscode.workspace.openTextDocument(plan);
    assert.equal((await api.dr.diagnostics.validate(document)).length, 0, 'the new plan is valid');
    assert.match(readFileSync(group.fsPath, 'utf8'), /tags:[^\n]*\n\s+Role: db/);
    const original = sha256(plan.fsPath);
    assert.equal(
      await vscode.commands.executeCommand('pilotLight.dr.newRecoveryPlan', 'ht-new-plan', { groups: [] }),
      undefined,
    );
    assert.match(
      api.dr.lastError?.message ?? '',
      /ht-new-plan\.recovery-plan\.yaml already exists; it is left as it is/,
    );
    assert.equal(sha256(plan.fsPath), original);
  });

  it('preflight finds a stalled server, says how to fix it, lists it in Problems, and blocks the drill', async () => {
    const [db] = await sourceServerIds('db');
    assert.ok(db, 'the sample account has a db source server');
    await admin().setReplicationState(db, { state: 'STALLED' });
    try {
      const report = await withTimeout(
        Promise.resolve(
          vscode.commands.executeCommand<{
            ok: boolean;
            findings: { code: string; severity: string; message: string; fix: string; sourceServerIds?: string[] }[];
          }>('pilotLight.dr.preflight', vscode.Uri.file(planPath)),
        ),
        60_000,
        'the preflight command',
      );
      assert.ok(report, api.dr.lastError?.message);
      assert.equal(report.ok, false);
      const stalled = report.findings.find((f) => f.code === 'replication-unhealthy');
      assert.ok(stalled, JSON.stringify(report.findings));
      assert.equal(stalled.severity, 'error');
      assert.deepEqual(stalled.sourceServerIds, [db]);
      assert.match(stalled.message, /Replication is STALLED, not CONTINUOUS, for db-1/);
      assert.match(stalled.fix, /Fix the replication agent or network/);

      const problems = vscode.languages
        .getDiagnostics(vscode.Uri.file(planPath))
        .filter((d) => d.source === 'Pilot Light preflight');
      const listed = problems.find((d) => d.code === 'replication-unhealthy');
      assert.ok(listed, `in Problems: ${problems.map((d) => d.message).join(' | ')}`);
      assert.equal(listed.severity, vscode.DiagnosticSeverity.Error);
      assert.match(listed.message, /STALLED.*Fix: Fix the replication agent/);

      const markdown = api.dr.documents.text(api.dr.documents.uriFor('preflight', 'ht-shop')) ?? '';
      assert.match(markdown, /^# Preflight: ht-shop \(drill\)/);
      assert.match(markdown, /\*\*What is wrong:\*\* Replication is STALLED/);
      assert.match(markdown, /\*\*How to fix:\*\* Fix the replication agent/);

      const calls = await startRecoveryCalls();
      assert.equal(
        await withTimeout(
          Promise.resolve(vscode.commands.executeCommand('pilotLight.dr.runDrill', vscode.Uri.file(planPath))),
          60_000,
          'the refused drill',
        ),
        undefined,
      );
      assert.match(
        api.dr.lastError?.message ?? '',
        /Drill of ht-shop not started: preflight found 1 blocking problem\(s\)\. First: Replication is STALLED/,
      );
      assert.equal(await startRecoveryCalls(), calls, 'no StartRecovery');
    } finally {
      await admin().setReplicationState(db, { state: 'CONTINUOUS' });
    }
  });

  it('runs a three-wave drill from the command, shows it live in Recovery runs, and exports its results', async () => {
    const { runs } = api.dr;
    const callsBefore = await startRecoveryCalls();
    const runId = await vscode.commands.executeCommand<string>('pilotLight.dr.runDrill', vscode.Uri.file(planPath));
    assert.ok(runId, api.dr.lastError?.message);
    drillRunId = runId;
    const runNode = await runNodeOf(api, runId);
    const rootRefreshes = runs.rootRefreshes;
    const nodeRefreshes = runs.nodeRefreshes;
    const live = runNode.getTreeItem();
    assert.equal(live.label, 'ht-shop');
    assert.match(String(live.description), /^drill · running · .* of 30 min RTO \(\d+%\)/);
    assert.match(String(live.contextValue), /^pilotLight\.drRun running drill owner active/);

    const manager = await api.dr.services.manager();
    const state = await withTimeout(manager.whenFinished(runId), 90_000, 'the drill to end');
    assert.equal(state.status, 'completed', JSON.stringify(state.errors));
    assert.equal(runs.rootRefreshes, rootRefreshes, 'the tree root was not reloaded while the run progressed');
    assert.ok(runs.nodeRefreshes > nodeRefreshes, 'runs and waves were repainted one by one');
    assert.deepEqual(
      state.executionPlan.waves.map((w) => w.name),
      ['db', 'app', 'web'],
    );
    for (const [wave, dependency] of [
      ['app', 'db'],
      ['web', 'app'],
    ]) {
      assert.ok(
        Date.parse(state.waves[wave].startedAt!) >= Date.parse(state.waves[dependency].endedAt!),
        `${wave} started after ${dependency} ended`,
      );
    }
    const servers = Object.values(state.waves).flatMap((wave) => Object.values(wave.servers));
    assert.equal(servers.length, 3);
    assert.ok(
      servers.every((s) => s.launchStatus === 'LAUNCHED' && s.recoveryInstanceId && /^i-/.test(s.ec2InstanceId ?? '')),
      JSON.stringify(servers),
    );
    assert.equal((await startRecoveryCalls()) - callsBefore, 3, 'one StartRecovery per wave');
    assert.equal((await jobsOfRun(runId)).length, 3);

    // The tree: run → waves → servers with launch status, recovery instance and EC2 instance, and the job log.
    await eventually('the final repaint', async () =>
      /^drill · completed/.test(String(runNode.getTreeItem().description)) ? true : undefined,
    );
    const waves = await runs.getChildren(runNode);
    assert.deepEqual(waves.slice(0, 3).map(label), ['db', 'app', 'web']);
    assert.match(String(waves[0].getTreeItem().description), /^completed · .* · 1\/1 launched/);
    const dbChildren = await runs.getChildren(waves[0]);
    const server = dbChildren.find((node) => label(node) === 'db-1');
    assert.ok(server, dbChildren.map(label).join(', '));
    const serverState = state.waves.db.servers[Object.keys(state.waves.db.servers)[0]];
    assert.equal(
      server.getTreeItem().description,
      `LAUNCHED · ${serverState.recoveryInstanceId} · ${serverState.ec2InstanceId}`,
    );
    const log = dbChildren.find((node) => label(node) === 'Job log');
    assert.ok(log);
    const events = (await runs.getChildren(log)).map(label);
    assert.ok(events.includes('JOB_START') && events.includes('LAUNCH_START'), events.join(', '));

    // Results as JSON and Markdown.
    const jsonPath = join(scratch, 'result.json');
    const markdownPath = join(scratch, 'report.md');
    assert.ok(
      await vscode.commands.executeCommand('pilotLight.dr.exportRunJson', runId, vscode.Uri.file(jsonPath)),
      api.dr.lastError?.message,
    );
    assert.ok(
      await vscode.commands.executeCommand('pilotLight.dr.exportRunMarkdown', runId, markdownPath),
      api.dr.lastError?.message,
    );
    const result = JSON.parse(readFileSync(jsonPath, 'utf8')) as RunResult;
    assert.equal(result.runId, runId);
    assert.equal(result.status, 'completed');
    assert.deepEqual(result.counts, { servers: 3, launched: 3, failed: 0, other: 0 });
    assert.equal(result.rto.targetMinutes, 30);
    assert.equal(result.rto.met, true);
    assert.equal(result.plan.name, 'ht-shop');
    assert.ok(result.waves.every((wave) => wave.jobIds.length === 1 && wave.servers.every((s) => s.ec2InstanceId)));
    const markdown = readFileSync(markdownPath, 'utf8');
    assert.match(markdown, /^# Drill report: ht-shop/);
    assert.match(markdown, /\| Status \| \*\*completed\*\* \|/);
    assert.match(markdown, /## Wave web: completed/);
    const report = await vscode.commands.executeCommand<vscode.Uri>('pilotLight.dr.showRunReport', runId);
    assert.ok(report && api.dr.documents.text(report)?.startsWith('# Drill report: ht-shop'));
  });

  it('preflight offers to terminate the drill instances left behind, and does so only after a confirmation', async () => {
    const launched = Object.values((await runState(api, drillRunId))!.waves).flatMap((wave) =>
      Object.values(wave.servers).map((server) => server.recoveryInstanceId!),
    );
    const offers: string[] = [];
    const confirmations: string[] = [];
    let confirm: string | undefined;
    api.dr.prompts.offer = async (message, ...actions) => (offers.push(message), actions[0]);
    api.dr.prompts.confirm = async (message, detail) => (confirmations.push(`${message}\n${detail}`), confirm);
    try {
      const declined = await vscode.commands.executeCommand<{
        findings: { code: string; remediation?: { recoveryInstanceIds: string[] } }[];
        remediations: unknown[];
      }>('pilotLight.dr.preflight', vscode.Uri.file(planPath));
      assert.ok(declined, api.dr.lastError?.message);
      const leftover = declined.findings.find((f) => f.code === 'leftover-drill-instances');
      assert.ok(leftover?.remediation, JSON.stringify(declined.findings.map((f) => f.code)));
      // The explorer tests of the "host" session may have left a drill instance too.
      const count = leftover.remediation.recoveryInstanceIds.length;
      assert.ok(
        launched.every((id) => leftover.remediation!.recoveryInstanceIds.includes(id)),
        `the drill's ${launched.join(', ')} are among ${leftover.remediation.recoveryInstanceIds.join(', ')}`,
      );
      assert.match(offers[0], new RegExp(`${count} recovery instances from earlier drills still run in us-east-1`));
      assert.match(
        confirmations[0],
        new RegExp(
          `^Terminate ${count} drill instances\\?\\nTerminates .* in us-east-1 \\(account \\d{12}\\)\\. Their EC2 instances are deleted; this cannot be undone\\.`,
        ),
      );
      assert.deepEqual(declined.remediations, [], 'nothing done without the confirmation');

      confirm = 'Terminate';
      const accepted = await vscode.commands.executeCommand<{ remediations: { jobIds: string[] }[] }>(
        'pilotLight.dr.preflight',
        vscode.Uri.file(planPath),
      );
      assert.ok(accepted, api.dr.lastError?.message);
      assert.equal(accepted.remediations.length, 1);
      assert.ok(accepted.remediations[0].jobIds.length >= 1);
      const drs = drsClient();
      try {
        await eventually(
          'the drill instances to be gone',
          async () => {
            const { items = [] } = await drs.send(
              new DescribeRecoveryInstancesCommand({
                filters: { recoveryInstanceIDs: leftover.remediation!.recoveryInstanceIds },
              }),
            );
            return items.length === 0 ? true : undefined;
          },
          60_000,
        );
        await eventually(
          'the TERMINATE job to complete',
          async () => {
            const { items = [] } = await drs.send(
              new DescribeJobsCommand({ filters: { jobIDs: accepted.remediations[0].jobIds } }),
            );
            return items.length && items.every((job) => job.status === 'COMPLETED') ? true : undefined;
          },
          60_000,
        );
      } finally {
        drs.destroy();
      }
    } finally {
      declineEverything();
    }
  });

  it('approves a manual step, pauses and resumes from the view, then cleans the drill up behind a confirmation', async () => {
    written.push(
      writeDrFile(
        'plans/ht-approve.recovery-plan.yaml',
        'schemaVersion: 2\nkind: RecoveryPlan\nname: ht-approve\nwaves:\n  - name: db\n    protectionGroups: [ht-db-tier]\n    postActions:\n      - { type: approval, message: "Is the database healthy?" }\n  - name: app\n    protectionGroups: [ht-app-tier]\n    dependsOn: [db]\n',
      ),
    );
    const { runs } = api.dr;
    const runId = await vscode.commands.executeCommand<string>('pilotLight.dr.runDrill', 'ht-approve');
    assert.ok(runId, api.dr.lastError?.message);
    await untilRun(
      api,
      runId,
      'the approval request',
      (s) => s.waves.db.steps['db/post/0'].status === 'waiting-approval',
    );
    const runNode = await runNodeOf(api, runId);
    const [dbWave] = await runs.getChildren(runNode);
    const step = (await runs.getChildren(dbWave)).find((node) => label(node) === 'approval#1');
    assert.ok(step);
    assert.match(String(step.getTreeItem().contextValue), /^pilotLight\.drStep action waiting-approval owner/);
    assert.match(String(step.getTreeItem().description), /waiting-approval · Is the database healthy\?/);

    await vscode.commands.executeCommand('pilotLight.dr.pause', runNode);
    assert.equal((await untilRun(api, runId, 'paused', (s) => s.status === 'paused')).pausedByUser, true);
    await vscode.commands.executeCommand('pilotLight.dr.approve', step);
    const approved = await untilRun(api, runId, 'db to complete', (s) => s.waves.db.status === 'completed');
    assert.equal(approved.waves.db.steps['db/post/0'].approval?.approved, true);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(
      (await untilRun(api, runId, 'state', () => true)).waves.app.status,
      'pending',
      'no new wave starts while paused',
    );
    await vscode.commands.executeCommand('pilotLight.dr.resume', runNode);
    const state = await withTimeout((await api.dr.services.manager()).whenFinished(runId), 60_000, 'the drill to end');
    assert.equal(state.status, 'completed', JSON.stringify(state.errors));
    assert.equal(state.pauses.length, 1);

    let asked = '';
    api.dr.prompts.confirm = async (message, detail, ...actions) => (
      (asked = `${message}\n${detail}`),
      actions.includes('Terminate') ? 'Terminate' : undefined
    );
    const cleaned = await vscode.commands.executeCommand<{
      cleanup?: { status: string; recoveryInstanceIds: string[] };
    }>('pilotLight.dr.cleanupDrill', runId);
    assert.ok(cleaned, api.dr.lastError?.message);
    assert.match(asked, /^Terminate the 2 recovery instance\(s\) of drill "ht-approve"\?/);
    assert.equal(cleaned.cleanup?.status, 'completed');
    assert.equal(cleaned.cleanup?.recoveryInstanceIds.length, 2);
  });

  it('starts a recovery only after the plan name is typed, and cancels it before anything launches', async () => {
    written.push(
      writeDrFile(
        'plans/ht-recover.recovery-plan.yaml',
        'schemaVersion: 2\nkind: RecoveryPlan\nname: ht-recover\nwaves:\n  - name: db\n    protectionGroups: [ht-db-tier]\n    pauseBeforeWave: true\n',
      ),
    );
    const calls = await startRecoveryCalls();
    const manager = await api.dr.services.manager();
    const runsBefore = manager.history().length;
    let prompt = '';
    api.dr.prompts.inputBox = async (options) => ((prompt = options.prompt ?? ''), 'ht-recove');
    assert.equal(await vscode.commands.executeCommand('pilotLight.dr.runRecovery', 'ht-recover'), undefined);
    assert.match(
      api.dr.lastError?.message ?? '',
      /Recovery of "ht-recover" not started: the confirmation "ht-recove" is not the plan name/,
    );
    assert.match(prompt, /This is not a drill/);
    assert.equal(manager.history().length, runsBefore, 'no run was created');

    api.dr.prompts.inputBox = async () => 'ht-recover';
    const runId = await vscode.commands.executeCommand<string>('pilotLight.dr.runRecovery', 'ht-recover');
    assert.ok(runId, api.dr.lastError?.message);
    await untilRun(api, runId, 'the wave to be held', (s) => s.waves.db.status === 'held');
    const wave = (await api.dr.runs.getChildren(await runNodeOf(api, runId)))[0];
    assert.match(String(wave.getTreeItem().contextValue), /^pilotLight\.drWave held owner/);
    api.dr.prompts.confirm = async (_message, _detail, ...actions) => actions.find((a) => a === 'Cancel run');
    await vscode.commands.executeCommand('pilotLight.dr.cancel', runId);
    const state = await withTimeout(manager.whenFinished(runId), 30_000, 'the cancelled run to end');
    assert.equal(state.mode, 'recovery');
    assert.equal(state.status, 'cancelled');
    assert.equal(await startRecoveryCalls(), calls, 'nothing was launched');
  });

  it('releases a held wave from its node, stops the run on a rejected approval, and finds it in the history', async () => {
    written.push(
      writeDrFile(
        'plans/ht-reject.recovery-plan.yaml',
        'schemaVersion: 2\nkind: RecoveryPlan\nname: ht-reject\nwaves:\n  - name: db\n    protectionGroups: [ht-db-tier]\n    pauseBeforeWave: true\n    postActions:\n      - { type: approval, message: "Go on with app?" }\n  - name: app\n    protectionGroups: [ht-app-tier]\n    dependsOn: [db]\n',
      ),
    );
    const { runs } = api.dr;
    const runId = await vscode.commands.executeCommand<string>('pilotLight.dr.runDrill', 'ht-reject');
    assert.ok(runId, api.dr.lastError?.message);
    await untilRun(api, runId, 'db to be held', (s) => s.waves.db.status === 'held');
    const runNode = await runNodeOf(api, runId);
    assert.match(String(runNode.getTreeItem().contextValue), /\bheld\b/);
    const [dbWave] = await runs.getChildren(runNode);
    await vscode.commands.executeCommand('pilotLight.dr.resume', dbWave);
    await untilRun(
      api,
      runId,
      'the approval request',
      (s) => s.waves.db.steps['db/post/0'].status === 'waiting-approval',
    );
    const step = (await runs.getChildren(dbWave)).find((node) => label(node) === 'approval#1');
    assert.ok(step);
    await vscode.commands.executeCommand('pilotLight.dr.reject', step, 'app team not ready');
    const state = await withTimeout(
      (await api.dr.services.manager()).whenFinished(runId),
      60_000,
      'the rejected run to end',
    );
    assert.equal(state.status, 'failed');
    assert.match(state.waves.db.error ?? '', /Rejected by .*: app team not ready/);
    assert.equal(state.waves.app.status, 'skipped', 'failure policy stop: app never starts');

    api.dr.prompts.quickPick = (async (items: readonly (vscode.QuickPickItem & { runId?: string })[]) =>
      items.find((item) => item.runId === runId) ??
      items.find((item) => /Open report/.test(item.label))) as typeof api.dr.prompts.quickPick;
    assert.equal(await vscode.commands.executeCommand('pilotLight.dr.showHistory'), runId);
    const report = api.dr.documents.text(api.dr.documents.uriFor('run', runId)) ?? '';
    assert.match(report, /^# Drill report: ht-reject/);
    assert.match(report, /\| Status \| \*\*failed\*\* \|/);
    assert.match(report, /[Rr]ejected by .*: app team not ready/);
  });

  it('exports the configuration bundle and imports one with a dry-run preview first; files with errors stay untouched', async () => {
    const bundlePath = join(scratch, 'bundle.json');
    const exported = await vscode.commands.executeCommand<{ uri: vscode.Uri; skipped: { path: string }[] }>(
      'pilotLight.dr.exportBundle',
      vscode.Uri.file(bundlePath),
    );
    assert.ok(exported, api.dr.lastError?.message);
    assert.deepEqual(
      exported.skipped.map((s) => s.path),
      [brokenPath],
      'the malformed plan is reported, not exported',
    );
    const bundle = JSON.parse(readFileSync(bundlePath, 'utf8'));
    assert.equal(bundle.bundleVersion, 2);
    assert.ok(bundle.recoveryPlans.some((p: { name: string }) => p.name === 'ht-shop'));

    const brokenBefore = sha256(brokenPath);
    const web = bundle.protectionGroups.find((g: { name: string }) => g.name === 'ht-web-tier');
    web.selection.tags = { Role: 'frontend' }; // a changed copy of an existing group
    bundle.recoveryPlans.push(
      {
        schemaVersion: 2,
        kind: 'RecoveryPlan',
        name: 'ht-imported',
        waves: [{ name: 'db', protectionGroups: ['ht-db-tier'] }],
      },
      {
        schemaVersion: 2,
        kind: 'RecoveryPlan',
        name: 'ht-broken',
        waves: [{ name: 'db', protectionGroups: ['ht-db-tier'] }],
      },
      {
        schemaVersion: 2,
        kind: 'RecoveryPlan',
        name: 'ht-orphan',
        waves: [{ name: 'x', protectionGroups: ['no-such-group'] }],
      },
    );
    writeFileSync(bundlePath, JSON.stringify(bundle));

    let question = '';
    let offered: string[] = [];
    let preview = '';
    api.dr.prompts.confirm = async (message, detail, ...actions) => {
      question = `${message}\n${detail}`;
      offered = actions;
      preview = api.dr.documents.text(api.dr.documents.uriFor('import', 'bundle.json-preview')) ?? '';
      return 'Import';
    };
    const report = await vscode.commands.executeCommand<{
      created: string[];
      skipped: string[];
      failed: string[];
      items: { name: string; reasons: string[] }[];
    }>('pilotLight.dr.importBundle', vscode.Uri.file(bundlePath));
    assert.ok(report, api.dr.lastError?.message);
    assert.match(preview, /^# Import preview \(dry run, nothing written\): bundle\.json/);
    assert.match(preview, /\| Would create \| 1 \|/);
    assert.match(question, /^Import bundle\.json: would create 1, skip \d+, fail 3\?/);
    assert.deepEqual(offered, ['Import', 'Import, overwrite 1 changed', 'Import, keep 1 changed']);
    assert.deepEqual(report.created, ['plan ht-imported']);
    assert.deepEqual([...report.failed].sort(), ['group ht-web-tier', 'plan ht-broken', 'plan ht-orphan']);
    assert.ok(report.skipped.includes('plan ht-shop'), 'identical documents are skipped');
    assert.match(
      report.items.find((i) => i.name === 'ht-broken')!.reasons.join(' '),
      /has errors; it is left untouched/,
    );
    assert.match(
      report.items.find((i) => i.name === 'ht-orphan')!.reasons.join(' '),
      /References protection group "no-such-group"/,
    );
    const imported = join(workspaceRoot(), '.pilotlight', 'dr', 'plans', 'ht-imported.recovery-plan.yaml');
    written.push(imported);
    assert.ok(existsSync(imported));
    assert.equal(sha256(brokenPath), brokenBefore, 'the malformed file is untouched');
    assert.match(readFileSync(written[2], 'utf8'), /Role: web/, 'the conflicting group was kept');
  });
});
