import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { DrRunMode } from '../../core/dr/planner';
import type { PreflightReport } from '../../core/dr/preflight';
import type { RunState } from '../../core/dr/state';
import type { ImportReport } from '../../core/dr/bundle';
import { commandRegistrar } from '../shared/commands';
import type { DrDiagnostics } from './diagnostics';
import {
  loadDrCore,
  loadDrJournal,
  loadDrResults,
  loadDrWorkspace,
  openAt,
  type DrServices,
  type PlanTarget,
} from './drServices';
import { UserError, type DrPrompts } from './prompts';
import type { DrReportDocuments } from './reportDocuments';
import { RUNS_VIEW_ID, type RecoveryRunsProvider } from './runsView';

export interface DrCommandContext {
  services: DrServices;
  prompts: DrPrompts;
  diagnostics: DrDiagnostics;
  documents: DrReportDocuments;
  runs: RecoveryRunsProvider;
  /** The last error a command showed, for tests. */
  lastError?: { command: string; message: string };
}

/** What a run-level command can be given: a tree node (run, wave or step) or a run ID. */
type RunArg = string | { runId: string; waveName?: string; name?: string; stepId?: string } | undefined;

interface RunCandidate {
  runId: string;
  planName: string;
  mode: string;
  status: string;
  startedAt: string;
  role: string;
  active: boolean;
  launched: number;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function registerDrCommands(c: DrCommandContext): vscode.Disposable[] {
  const { services, prompts } = c;
  const log = services.ctx.log;

  const command = commandRegistrar(services.ctx, {
    onError: (failure) => (c.lastError = { command: failure.command, message: failure.message }),
  });

  const info = (message: string, ...actions: { title: string; run: () => unknown }[]) =>
    void vscode.window
      .showInformationMessage(message, ...actions.map((a) => a.title))
      .then((choice) => actions.find((a) => a.title === choice)?.run());

  // ---- runs ---------------------------------------------------------------------------------------

  async function candidates(): Promise<RunCandidate[]> {
    const { listRunHistory } = await loadDrResults();
    const manager = services.loadedManager;
    const live = new Map((manager?.list() ?? []).map((session) => [session.runId, session]));
    const list: RunCandidate[] = [];
    for (const entry of listRunHistory(services.journalDir)) {
      if (entry.error) continue;
      const session = live.get(entry.runId);
      const state = session?.state;
      const launched = state
        ? Object.values(state.waves)
            .flatMap((w) => Object.values(w.servers))
            .filter((s) => s.launchStatus === 'LAUNCHED').length
        : entry.launched;
      const status = state?.status ?? entry.status;
      list.push({
        runId: entry.runId,
        planName: entry.planName,
        mode: entry.mode,
        status,
        startedAt: entry.startedAt,
        role: session?.role ?? (entry.resumable ? 'unfollowed' : 'finished'),
        active: !['completed', 'failed', 'cancelled'].includes(status),
        launched,
      });
    }
    return list;
  }

  async function pickRun(
    arg: RunArg,
    title: string,
    filter: (c: RunCandidate) => boolean,
    empty: string,
  ): Promise<string> {
    if (typeof arg === 'string' && arg) return arg;
    if (arg && typeof arg === 'object' && typeof arg.runId === 'string') return arg.runId;
    const options = (await candidates()).filter(filter);
    if (options.length === 0) throw new UserError(empty);
    const picked = await prompts.quickPick(
      options.map((o) => ({
        label: `${o.planName}`,
        description: `${o.mode} · ${o.status}${o.role === 'watcher' ? ' · in another window' : ''}`,
        detail: `${new Date(o.startedAt).toLocaleString()} · ${o.launched} launched · ${o.runId}`,
        runId: o.runId,
      })),
      { title, matchOnDetail: true, ignoreFocusOut: true },
    );
    if (!picked) throw new UserError('');
    return picked.runId;
  }

  async function stateOf(runId: string): Promise<RunState> {
    const live = services.loadedManager?.get(runId)?.state;
    if (live) return live;
    const { replayJournal, journalPath } = await loadDrJournal();
    const path = journalPath(services.journalDir, runId);
    if (!existsSync(path)) throw new UserError(`There is no run ${runId} (no journal in ${services.journalDir}).`);
    return replayJournal(path).state;
  }

  const focusRuns = () => void vscode.commands.executeCommand(`${RUNS_VIEW_ID}.focus`).then(undefined, () => undefined);

  // ---- plans: preflight and runs --------------------------------------------------------------------

  async function preflightOf(
    target: PlanTarget,
    mode: DrRunMode,
    aws: Awaited<ReturnType<DrServices['aws']>>,
  ): Promise<PreflightReport> {
    const { runPreflight } = await loadDrCore();
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Preflight of ${target.plan.name} (${mode})…` },
      () =>
        runPreflight({
          plan: target.plan,
          groups: target.groups,
          reads: aws.reads,
          mode,
          defaultRegion: aws.connection.region,
        }),
    );
  }

  async function showPreflight(target: PlanTarget, report: PreflightReport): Promise<vscode.Uri> {
    const { renderPreflightMarkdown } = await loadDrCore();
    await c.diagnostics.publishPreflight(target, report);
    return c.documents.show(c.documents.uriFor('preflight', target.plan.name), renderPreflightMarkdown(report));
  }

  async function offerRemediations(
    target: PlanTarget,
    report: PreflightReport,
    aws: Awaited<ReturnType<DrServices['aws']>>,
  ): Promise<{ label: string; jobIds: string[]; updated: string[] }[]> {
    const { runRemediation } = await loadDrCore();
    const done: { label: string; jobIds: string[]; updated: string[] }[] = [];
    for (const finding of report.findings) {
      const remediation = finding.remediation;
      if (!remediation) continue;
      const choice = await prompts.offer(`Preflight of ${target.plan.name}: ${finding.message}`, remediation.label);
      if (choice !== remediation.label) continue;
      const terminate = remediation.kind === 'terminateRecoveryInstances';
      const detail = terminate
        ? `Terminates ${remediation.recoveryInstanceIds.join(', ')} in ${remediation.region} (account ${aws.origin.account}). Their EC2 instances are deleted; this cannot be undone.`
        : `Sets ${Object.entries(remediation.settings)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')} on ${remediation.sourceServerIds.length} source server(s) in ${remediation.region}.`;
      const action = terminate ? 'Terminate' : 'Apply';
      if ((await prompts.confirm(`${remediation.label}?`, detail, action)) !== action) continue;
      const result = await runRemediation(remediation, aws.gateway, {
        correlationId: `preflight-${target.plan.name}-${Date.now()}`,
        planName: target.plan.name,
        mode: report.mode,
      });
      log.info(
        `Preflight remediation "${remediation.label}": ${result.jobIds.length ? `jobs ${result.jobIds.join(', ')}` : `updated ${result.updated.join(', ')}`}`,
      );
      info(
        terminate
          ? `${remediation.label}: DRS job ${result.jobIds.join(', ')} started.`
          : `${remediation.label}: done for ${result.updated.length} server(s).`,
      );
      done.push({ label: remediation.label, ...result });
    }
    return done;
  }

  async function preflightCommand(
    planArg?: unknown,
    options: { mode?: DrRunMode } = {},
  ): Promise<PreflightReport & { remediations?: unknown[] }> {
    const target = await services.resolvePlan(planArg);
    const aws = await services.aws(await services.planAccount(target));
    const mode = options.mode ?? 'drill';
    const report = await preflightOf(target, mode, aws);
    await showPreflight(target, report);
    const errors = report.findings.filter((f) => f.severity === 'error').length;
    const warnings = report.findings.filter((f) => f.severity === 'warning').length;
    if (errors)
      void vscode.window.showErrorMessage(
        `Preflight of ${target.plan.name}: ${errors} problem(s) block the plan, ${warnings} warning(s). The report and the Problems view say how to fix them.`,
      );
    else if (report.unchecked?.length)
      void vscode.window.showWarningMessage(
        `Preflight of ${target.plan.name}: not fully checked, ${report.unchecked.length} check(s) could not run (${report.unchecked.slice(0, 3).join(', ')}). The report says why.`,
      );
    else info(`Preflight of ${target.plan.name}: ready${warnings ? ` with ${warnings} warning(s)` : ''}.`);
    const remediations = await offerRemediations(target, report, aws);
    return { ...report, remediations };
  }

  async function runPlan(mode: DrRunMode, planArg?: unknown): Promise<string | undefined> {
    const target = await services.resolvePlan(planArg);
    const aws = await services.aws(await services.planAccount(target));
    const { plan } = target;
    if (mode === 'recovery') {
      const typed = await prompts.inputBox({
        title: `Start a RECOVERY of "${plan.name}"`,
        prompt: `This is not a drill: DRS launches the recovered workload in account ${aws.origin.account}, region ${aws.connection.region}${aws.origin.endpoint ? ` (endpoint ${aws.origin.endpoint})` : ''}, and nothing is cleaned up afterwards. Type the plan name to confirm.`,
        placeHolder: plan.name,
        ignoreFocusOut: true,
        validateInput: (value) =>
          value === plan.name ? undefined : `Type "${plan.name}" exactly to start the recovery.`,
      });
      if (typed === undefined) throw new UserError('');
      if (typed !== plan.name)
        throw new UserError(
          `Recovery of "${plan.name}" not started: the confirmation "${typed}" is not the plan name.`,
        );
    }
    const report = await preflightOf(target, mode, aws);
    if (!report.ok) {
      await showPreflight(target, report);
      const errors = report.findings.filter((f) => f.severity === 'error');
      throw new UserError(
        `${mode === 'drill' ? 'Drill' : 'Recovery'} of ${plan.name} not started: preflight found ${errors.length} blocking problem(s). First: ${errors[0].message} Fix: ${errors[0].fix}`,
        [{ title: 'Show preflight report', run: () => showPreflight(target, report) }],
      );
    }
    await c.diagnostics.publishPreflight(target, report);
    if (mode === 'recovery')
      await (
        await import('../approvals/recoveryApproval')
      ).requireRecoveryApproval(
        services.ctx,
        plan.name,
        report.executionPlan.waves[0]?.servers.map((server) => server.sourceServerId) ?? [],
        aws.connection.region,
      );
    const manager = await services.manager();
    const session = await manager.start({
      plan,
      groups: target.groups,
      mode,
      preflight: report,
      origin: { ...aws.origin, workspace: target.root },
    });
    log.info(
      `Started ${mode} ${session.runId} of plan ${plan.name} (${report.executionPlan.serverCount} servers, ${report.executionPlan.waves.length} waves).`,
    );
    const warnings = report.findings.filter((f) => f.severity === 'warning').length;
    info(
      `${mode === 'drill' ? 'Drill' : 'Recovery'} of ${plan.name} started${report.unchecked?.length ? ` (preflight not fully checked: ${report.unchecked.length} check(s) could not run)` : warnings ? ` (preflight: ${warnings} warning(s))` : ''}. Follow it in Recovery runs.`,
      { title: 'Preflight report', run: () => showPreflight(target, report) },
    );
    focusRuns();
    return session.runId;
  }

  // ---- files ----------------------------------------------------------------------------------------

  async function newFile(
    kind: 'ProtectionGroup' | 'RecoveryPlan',
    nameArg: unknown,
    options: { tags?: Record<string, string>; groups?: string[]; region?: string } = {},
  ): Promise<vscode.Uri> {
    const core = await loadDrCore();
    const root = await services.targetFolder();
    const what = kind === 'ProtectionGroup' ? 'protection group' : 'recovery plan';
    const name =
      typeof nameArg === 'string' && nameArg
        ? nameArg
        : await prompts.inputBox({
            title: `New ${what}`,
            prompt: 'Name (also the file name)',
            placeHolder: kind === 'ProtectionGroup' ? 'db-tier' : 'shop',
            validateInput: (value) => core.nameProblem(value.trim()),
          });
    if (name === undefined) throw new UserError('');
    const problem = core.nameProblem(name.trim());
    if (problem) throw new UserError(`"${name}" cannot be used as a ${what} name: ${problem}`);
    const folder = join(root, core.DEFAULT_DR_FOLDER, kind === 'ProtectionGroup' ? 'groups' : 'plans');
    const path = join(
      folder,
      `${name.trim()}${kind === 'ProtectionGroup' ? core.PROTECTION_GROUP_SUFFIXES[0] : core.RECOVERY_PLAN_SUFFIXES[0]}`,
    );
    if (existsSync(path))
      throw new UserError(`${vscode.workspace.asRelativePath(path)} already exists; it is left as it is.`, [
        { title: 'Open it', run: () => openAt(path) },
      ]);
    const workspace = await core.loadDrWorkspace(root);
    const taken = (kind === 'ProtectionGroup' ? workspace.groups : workspace.plans).find(
      (file) => file.result.document?.name === name.trim(),
    );
    if (taken)
      throw new UserError(
        `A ${what} named "${name.trim()}" already exists in ${vscode.workspace.asRelativePath(taken.path)}.`,
        [{ title: 'Open it', run: () => openAt(taken.path) }],
      );
    let text: string;
    if (kind === 'ProtectionGroup') {
      let tags = options.tags;
      if (!tags) {
        const typed = await prompts.inputBox({
          title: `Servers of ${name}`,
          prompt: 'Tags every server must carry, e.g. Role=db, Environment=production (edit later in the file)',
          value: `Role=${name.trim().replace(/-tier$/, '')}`,
        });
        if (typed === undefined) throw new UserError('');
        tags = parseTags(typed);
      }
      const region =
        options.region ??
        (await services.ctx.connection().then(
          (connection) => connection.region,
          () => 'us-east-1',
        ));
      text = core.protectionGroupTemplate({ name: name.trim(), region, tags });
    } else {
      let groups = options.groups;
      if (!groups) {
        const available = core.usableDocuments(workspace).groups.map((group) => ({
          label: group.name,
          description: `${group.region} · ${Object.entries(group.selection.tags ?? {})
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}`,
        }));
        groups = available.length
          ? ((
              await prompts.quickPickMany(available, {
                title: `Protection groups of ${name}, in recovery order (one wave each)`,
              })
            )?.map((item) => item.label) ?? [])
          : [];
      }
      text = core.recoveryPlanTemplate({ name: name.trim(), groups });
    }
    await core.writeFileAtomic(path, text);
    await openAt(path);
    return vscode.Uri.file(path);
  }

  // ---- results and history ----------------------------------------------------------------------------

  async function runReport(runArg: RunArg): Promise<vscode.Uri> {
    const runId = await pickRun(runArg, 'Which run?', () => true, 'No runs yet.');
    const { buildRunResult, renderMarkdownReport } = await loadDrResults();
    return c.documents.show(
      c.documents.uriFor('run', runId),
      renderMarkdownReport(buildRunResult(await stateOf(runId))),
    );
  }

  async function exportRun(format: 'json' | 'markdown', runArg: RunArg, targetArg?: unknown): Promise<vscode.Uri> {
    const runId = await pickRun(
      runArg,
      `Export which run as ${format === 'json' ? 'JSON' : 'Markdown'}?`,
      () => true,
      'No runs to export yet.',
    );
    const [{ buildRunResult, renderJsonResult, renderMarkdownReport }, { writeFileAtomic }] = await Promise.all([
      loadDrResults(),
      loadDrWorkspace(),
    ]);
    const result = buildRunResult(await stateOf(runId));
    const text = format === 'json' ? renderJsonResult(result) : renderMarkdownReport(result);
    const extension = format === 'json' ? 'json' : 'md';
    const folder = services.folders()[0]?.uri.fsPath;
    const target =
      uriOf(targetArg) ??
      (await prompts.saveUri({
        title: `Export run ${runId}`,
        defaultUri: folder
          ? vscode.Uri.file(join(folder, '.pilotlight', 'results', `${runId}.${extension}`))
          : undefined,
        filters: format === 'json' ? { JSON: ['json'] } : { Markdown: ['md'] },
      }));
    if (!target) throw new UserError('');
    await writeFileAtomic(target.fsPath, text);
    info(`Exported run ${runId} to ${vscode.workspace.asRelativePath(target)}.`, {
      title: 'Open',
      run: () => openAt(target.fsPath),
    });
    return target;
  }

  async function showHistory(): Promise<string | undefined> {
    const runId = await pickRun(
      undefined,
      'Recovery run history',
      () => true,
      'No runs yet: run a plan as a drill first.',
    );
    const state = await stateOf(runId);
    const cleanable =
      state.mode === 'drill' &&
      ['completed', 'failed', 'cancelled'].includes(state.status) &&
      Object.values(state.waves).some((w) => Object.values(w.servers).some((s) => s.launchStatus === 'LAUNCHED'));
    const actions = [
      { label: '$(markdown) Open report', run: () => runReport(runId) },
      { label: '$(json) Export as JSON…', run: () => exportRun('json', runId) },
      { label: '$(file) Export as Markdown…', run: () => exportRun('markdown', runId) },
      ...(cleanable
        ? [
            {
              label: '$(trash) Clean up drill instances…',
              run: () => vscode.commands.executeCommand('pilotLight.dr.cleanupDrill', runId),
            },
          ]
        : []),
    ];
    const action = await prompts.quickPick(actions, { title: `${state.planName} · ${state.mode} · ${state.status}` });
    await action?.run();
    return runId;
  }

  // ---- controls -------------------------------------------------------------------------------------

  async function ownedManager() {
    const manager = services.loadedManager;
    if (!manager) throw new UserError('No run is active in this window.');
    return manager;
  }

  const isActive = (candidate: RunCandidate) => candidate.active && candidate.role === 'owner';

  async function pause(arg: RunArg): Promise<void> {
    const runId = await pickRun(
      arg,
      'Pause which run?',
      (r) => isActive(r) && r.status === 'running',
      'No running run to pause.',
    );
    (await ownedManager()).pause(runId, services.actor);
    info(`Run ${runId} paused: no new wave or step starts; running DRS jobs are still followed.`);
  }

  async function resume(arg: RunArg): Promise<void> {
    const manager = await ownedManager();
    const wave =
      arg &&
      typeof arg === 'object' &&
      'name' in arg &&
      !('stepId' in arg) &&
      typeof arg.name === 'string' &&
      'run' in arg
        ? arg.name
        : undefined;
    const runId = await pickRun(arg, 'Resume which run?', (r) => isActive(r), 'No paused or held run.');
    const state = manager.get(runId)?.state;
    const held = state
      ? Object.values(state.waves)
          .filter((w) => w.status === 'held')
          .map((w) => w.name)
      : [];
    if (!wave && state && !state.pausedByUser && held.length > 1) {
      const picked = await prompts.quickPick(
        [
          { label: 'All held waves', wave: undefined as string | undefined },
          ...held.map((name) => ({ label: name, wave: name as string | undefined })),
        ],
        { title: 'Release which wave?' },
      );
      if (!picked) throw new UserError('');
      manager.resume(runId, picked.wave, services.actor);
      return;
    }
    manager.resume(runId, wave, services.actor);
  }

  async function cancel(arg: RunArg): Promise<void> {
    const runId = await pickRun(arg, 'Cancel which run?', (r) => isActive(r), 'No active run to cancel.');
    const choice = await prompts.confirm(
      `Cancel run ${runId}?`,
      'Waves that have not started are cancelled. DRS jobs already running are followed to their end and stay visible; nothing is terminated.',
      'Cancel run',
    );
    if (choice !== 'Cancel run') throw new UserError('');
    (await ownedManager()).cancel(runId, services.actor);
  }

  async function decide(approved: boolean, arg: unknown, commentArg?: unknown): Promise<void> {
    const manager = await ownedManager();
    let target: { runId: string; wave: string; step: string; message?: string } | undefined;
    const node = arg as { runId?: string; waveName?: string; stepId?: string } | undefined;
    if (node?.runId && node.waveName && node.stepId)
      target = { runId: node.runId, wave: node.waveName, step: node.stepId };
    if (!target) {
      const waiting = manager
        .list()
        .filter((session) => session.role === 'owner')
        .flatMap((session) =>
          Object.values(session.state.waves).flatMap((wave) =>
            Object.values(wave.steps)
              .filter((step) => step.status === 'waiting-approval')
              .map((step) => ({
                runId: session.runId,
                wave: wave.name,
                step: step.id,
                message: step.approval?.message,
                plan: session.state.planName,
              })),
          ),
        );
      const mine = node?.runId ? waiting.filter((w) => w.runId === node.runId) : waiting;
      if (mine.length === 0)
        throw new UserError(
          `No step is waiting for an approval${node?.runId ? ` in run ${node.runId}` : ''} in this window.`,
        );
      const picked =
        mine.length === 1
          ? mine[0]
          : (
              await prompts.quickPick(
                mine.map((w) => ({ label: w.message ?? w.step, description: `${w.plan} · wave ${w.wave}`, w })),
                { title: approved ? 'Approve which step?' : 'Reject which step?' },
              )
            )?.w;
      if (!picked) throw new UserError('');
      target = picked;
    }
    let comment = typeof commentArg === 'string' ? commentArg : undefined;
    if (!approved && comment === undefined) {
      comment = await prompts.inputBox({
        title: 'Reject',
        prompt: 'Why? (recorded in the run and its report; optional)',
      });
      if (comment === undefined) throw new UserError('');
    }
    manager.approve(target.runId, target.wave, target.step, approved, services.actor, comment || undefined);
  }

  async function cleanup(arg: RunArg): Promise<RunState> {
    const runId = await pickRun(
      arg,
      'Clean up which drill?',
      (r) => r.mode === 'drill' && !r.active && r.launched > 0,
      'No ended drill has recovery instances left to clean up.',
    );
    const state = await stateOf(runId);
    if (state.mode !== 'drill')
      throw new UserError(
        `Run ${runId} is a recovery: its recovery instances are the recovered workload and are not cleaned up.`,
      );
    const instances = Object.values(state.waves)
      .flatMap((w) => Object.values(w.servers))
      .filter((s) => s.recoveryInstanceId && s.launchStatus === 'LAUNCHED');
    if (instances.length === 0) throw new UserError(`Drill ${runId} has no launched recovery instances to terminate.`);
    const choice = await prompts.confirm(
      `Terminate the ${instances.length} recovery instance(s) of drill "${state.planName}"?`,
      `${instances.map((s) => `${s.hostname}: ${s.recoveryInstanceId}${s.ec2InstanceId ? ` (${s.ec2InstanceId})` : ''}`).join('\n')}\n\nTheir EC2 instances are deleted; this cannot be undone.`,
      'Terminate',
    );
    if (choice !== 'Terminate') throw new UserError('');
    const manager = await services.manager();
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Cleaning up drill ${state.planName}…` },
      () => manager.cleanupDrill(runId),
    );
    if (result.cleanup?.status === 'failed')
      throw new UserError(`Drill cleanup of ${runId} failed: ${result.cleanup.error ?? 'see the run report'}`);
    info(
      `Drill cleanup of ${state.planName}: ${result.cleanup?.recoveryInstanceIds.length ?? 0} recovery instance(s) terminated.`,
    );
    return result;
  }

  // ---- bundles --------------------------------------------------------------------------------------

  async function exportBundle(
    targetArg?: unknown,
  ): Promise<{ uri: vscode.Uri; skipped: { path: string; reason: string }[] }> {
    const root = await services.targetFolder();
    const core = await loadDrCore();
    const region = await services.ctx.connection().then(
      (connection) => connection.region,
      () => undefined,
    );
    const { bundle, skipped } = await core.exportWorkspace(root, {
      workspace: basename(root),
      ...(region ? { region } : {}),
    });
    if (bundle.protectionGroups.length + bundle.recoveryPlans.length === 0)
      throw new UserError(
        skipped.length
          ? `Nothing to export: every DR file has errors (${skipped.map((s) => vscode.workspace.asRelativePath(s.path)).join(', ')}).`
          : 'Nothing to export: the workspace has no protection groups or recovery plans.',
      );
    const target =
      uriOf(targetArg) ??
      (await prompts.saveUri({
        title: 'Export DR configuration bundle',
        defaultUri: vscode.Uri.file(join(root, `${basename(root)}.pilotlight-dr-bundle.json`)),
        filters: { JSON: ['json'] },
      }));
    if (!target) throw new UserError('');
    await core.writeFileAtomic(target.fsPath, core.serializeBundle(bundle));
    const summary = `Exported ${bundle.protectionGroups.length} protection group(s) and ${bundle.recoveryPlans.length} recovery plan(s) to ${vscode.workspace.asRelativePath(target)}.`;
    if (skipped.length)
      void vscode.window.showWarningMessage(
        `${summary} Not exported (files with errors or duplicate names): ${skipped.map((s) => `${vscode.workspace.asRelativePath(s.path)} (${s.reason})`).join('; ')}`,
      );
    else info(summary);
    return { uri: target, skipped };
  }

  async function importBundleCommand(sourceArg?: unknown): Promise<ImportReport | undefined> {
    const root = await services.targetFolder();
    const core = await loadDrCore();
    const source =
      uriOf(sourceArg) ??
      (await prompts.openUri({
        title: 'Import DR configuration bundle',
        filters: { 'DR bundle': ['json', 'yaml', 'yml'] },
        canSelectFiles: true,
        canSelectFolders: false,
      }));
    if (!source) throw new UserError('');
    let text: string;
    try {
      // One byte past the limit is enough for parseBundle to refuse an oversized file without reading it whole.
      text = (await core.readFileBounded(source.fsPath, core.DR_LIMITS.bundleBytes + 1)).toString('utf8');
    } catch (error) {
      throw new UserError(`The bundle ${source.fsPath} cannot be read: ${describe(error)}`);
    }
    let verifier;
    let defaultRegion: string | undefined;
    try {
      const aws = await services.aws();
      verifier = core.verifierFromReads(aws.reads);
      defaultRegion = aws.connection.region;
    } catch (error) {
      log.warn(`Import: references are not checked against AWS: ${describe(error)}`);
    }
    const name = basename(source.fsPath);
    const preview = await core.importBundle(text, root, { dryRun: true, verifier, defaultRegion, onConflict: 'fail' });
    await c.documents.show(c.documents.uriFor('import', `${name}-preview`), core.renderImportMarkdown(preview, name));
    if (preview.diagnostics.length)
      throw new UserError(`${name} is not a DR bundle this version can read: ${preview.diagnostics[0].message}`);
    const conflicts = preview.items.filter((item) => item.conflict);
    const writes = preview.created.length + preview.overwritten.length;
    const summary = `would create ${preview.created.length}, skip ${preview.skipped.length}, fail ${preview.failed.length}`;
    const actions: string[] = [];
    if (writes) actions.push('Import');
    if (conflicts.length)
      actions.push(`Import, overwrite ${conflicts.length} changed`, `Import, keep ${conflicts.length} changed`);
    if (actions.length === 0)
      throw new UserError(`Nothing to import from ${name} (${summary}). The preview lists why.`);
    const choice = await prompts.confirm(
      `Import ${name}: ${summary}?`,
      `${conflicts.length ? `${conflicts.length} name(s) exist in the workspace with different content: ${conflicts.map((i) => i.name).join(', ')}. "Import" leaves them as they are and fails them; choose overwrite or keep to decide.\n\n` : ''}The preview shows every item. Files with errors are never overwritten.`,
      ...actions,
    );
    if (!choice) throw new UserError('');
    const onConflict = choice.startsWith('Import, overwrite')
      ? 'overwrite'
      : choice.startsWith('Import, keep')
        ? 'skip'
        : 'fail';
    const report = await core.importBundle(text, root, { dryRun: false, verifier, defaultRegion, onConflict });
    await c.documents.show(c.documents.uriFor('import', name), core.renderImportMarkdown(report, name));
    const done = `Imported ${name}: created ${report.created.length}, overwrote ${report.overwritten.length}, skipped ${report.skipped.length}, failed ${report.failed.length}.`;
    if (report.failed.length) void vscode.window.showWarningMessage(done);
    else info(done);
    return report;
  }

  return [
    command(
      'pilotLight.dr.newProtectionGroup',
      (name?: unknown, options?: { tags?: Record<string, string>; region?: string }) =>
        newFile('ProtectionGroup', name, options),
    ),
    command('pilotLight.dr.newRecoveryPlan', (name?: unknown, options?: { groups?: string[] }) =>
      newFile('RecoveryPlan', name, options),
    ),
    command('pilotLight.dr.preflight', (plan?: unknown, options?: { mode?: DrRunMode }) =>
      preflightCommand(plan, options),
    ),
    command('pilotLight.dr.runDrill', (plan?: unknown) => runPlan('drill', plan)),
    command('pilotLight.dr.runRecovery', (plan?: unknown) => runPlan('recovery', plan)),
    command('pilotLight.dr.pause', (run?: RunArg) => pause(run)),
    command('pilotLight.dr.resume', (run?: RunArg) => resume(run)),
    command('pilotLight.dr.cancel', (run?: RunArg) => cancel(run)),
    command('pilotLight.dr.approve', (step?: unknown) => decide(true, step)),
    command('pilotLight.dr.reject', (step?: unknown, comment?: unknown) => decide(false, step, comment)),
    command('pilotLight.dr.cleanupDrill', (run?: RunArg) => cleanup(run)),
    command('pilotLight.dr.showHistory', () => showHistory()),
    command('pilotLight.dr.showRunReport', (run?: RunArg) => runReport(run)),
    command('pilotLight.dr.exportRunJson', (run?: RunArg, target?: unknown) => exportRun('json', run, target)),
    command('pilotLight.dr.exportRunMarkdown', (run?: RunArg, target?: unknown) => exportRun('markdown', run, target)),
    command('pilotLight.dr.exportBundle', (target?: unknown) => exportBundle(target)),
    command('pilotLight.dr.importBundle', (source?: unknown) => importBundleCommand(source)),
    command('pilotLight.dr.refreshRuns', async () => {
      c.runs.refresh();
      await services.loadedManager?.recover();
    }),
  ];
}

function uriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg) return vscode.Uri.file(arg);
  if (arg && typeof arg === 'object' && typeof (arg as { fsPath?: unknown }).fsPath === 'string')
    return vscode.Uri.file((arg as { fsPath: string }).fsPath);
  return undefined;
}

/** "Role=db, Environment=production" → { Role: 'db', Environment: 'production' }. */
export function parseTags(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = part.indexOf('=');
    if (at <= 0) throw new UserError(`"${part}" is not Key=Value.`);
    tags[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return tags;
}
