import * as vscode from 'vscode';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { DEMO_OPEN_FILES_ENV, DEMO_WALKTHROUGH_ENV, openDemoFiles, openDemoWalkthrough } from './demoFiles';
import { DrDiagnostics } from './diagnostics';
import { registerDrAssistCommands } from './assistCommands';
import { registerDrOnboardingCommands } from './onboardingCommands';
import { registerDrCommands, type DrCommandContext } from './drCommands';
import { DrServices } from './drServices';
import { vscodePrompts, type DrPrompts } from './prompts';
import { DR_REPORT_SCHEME, DrReportDocuments } from './reportDocuments';
import { RecoveryRunsProvider, RUNS_VIEW_ID, type RunTreeNode } from './runsView';
import { registerStepFunctionsCommands } from './stepFunctionsCommands';

/** After activation, unfinished runs are looked for this much later (never inside activate()). */
const RECOVERY_DELAY_MS = 500;

export interface DrFeature {
  services: DrServices;
  runs: RecoveryRunsProvider;
  runsView: vscode.TreeView<RunTreeNode>;
  diagnostics: DrDiagnostics;
  documents: DrReportDocuments;
  /** Replace members to answer the commands' questions (tests). */
  prompts: DrPrompts;
  /** The last error a DR command showed (tests). */
  readonly lastError: { command: string; message: string } | undefined;
  /** Looks for unfinished runs in the journal folder and continues (or watches) them. */
  recoverRuns(): Promise<void>;
  /** Settles when the recovery scheduled at activation has run. */
  readonly recovered: Promise<void>;
}

/**
 * Disaster recovery in VS Code: commands (pilotLight.dr.*), validation of plan and group files while
 * typing, the "Recovery runs" view, and the continuation of unfinished runs after a reload or crash.
 * Loads no DR core (and so no AWS SDK) here: everything heavy is imported on first use.
 */
export function registerDrFeature(ctx: PilotLightContext): DrFeature {
  const prompts = vscodePrompts();
  const services = new DrServices(ctx, prompts);
  const diagnostics = new DrDiagnostics();
  const documents = new DrReportDocuments();
  const runs = new RecoveryRunsProvider(services);
  const runsView = vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: runs, showCollapseAll: true });
  const commandContext: DrCommandContext = { services, prompts, diagnostics, documents, runs };

  let recovering: Promise<void> | undefined;
  const recoverRuns = (): Promise<void> => {
    recovering ??= (async () => {
      try {
        // A directory listing first: only a folder with unfinished runs loads the DR core (and the SDK).
        const manager = services.loadedManager;
        if (!services.hasActiveRuns() && !manager?.list().some((session) => session.role === 'blocked')) return;
        const recovered = await (await services.manager()).recover();
        for (const session of recovered)
          ctx.log.info(
            `DR: run ${session.runId} (${session.state.planName}, ${session.state.mode}) ${session.role === 'owner' ? 'continues from its journal' : session.role === 'watcher' ? 'is executed by another window; following its journal' : `cannot continue here: ${session.blockedReason}`}`,
          );
        const blocked = recovered.filter((session) => session.role === 'blocked');
        if (blocked.length)
          void vscode.window.showWarningMessage(
            `Pilot Light: ${blocked.length} unfinished recovery run(s) cannot continue with the current AWS connection: ${blocked[0].blockedReason}`,
          );
      } catch (error) {
        ctx.log.error(
          `DR: unfinished runs could not be recovered: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    })().finally(() => (recovering = undefined)); // asynchronous: always after the assignment
    return recovering;
  };

  let scheduled!: () => void;
  const recovered = new Promise<void>((resolve) => (scheduled = resolve));
  const timer = setTimeout(() => {
    diagnostics.validateOpenDocuments();
    // The walkthrough first: the demo's files then open beside it.
    const demoLog = (message: string) => ctx.log.warn(message);
    void (async () => {
      if (process.env[DEMO_WALKTHROUGH_ENV] === '1') await openDemoWalkthrough(ctx.extension.extension, demoLog);
      if (process.env[DEMO_OPEN_FILES_ENV]) await openDemoFiles(demoLog);
    })();
    void recoverRuns().finally(scheduled);
  }, RECOVERY_DELAY_MS);
  timer.unref?.();

  ctx.extension.subscriptions.push(
    { dispose: () => clearTimeout(timer) },
    services,
    diagnostics,
    documents,
    runs,
    runsView,
    vscode.workspace.registerTextDocumentContentProvider(DR_REPORT_SCHEME, documents),
    runsView.onDidChangeVisibility((event) => {
      runs.visible = event.visible;
      if (event.visible) void recoverRuns();
    }),
    // A run blocked by the connection (another account, expired SSO) gets another chance after a switch.
    ctx.onDidChangeConnection(() => {
      if (services.loadedManager?.list().some((session) => session.role === 'blocked')) void recoverRuns();
    }),
    ...registerDrCommands(commandContext),
    ...registerDrAssistCommands(commandContext),
    ...registerDrOnboardingCommands(commandContext),
    ...registerStepFunctionsCommands(commandContext).disposables,
  );

  return {
    services,
    runs,
    runsView,
    diagnostics,
    documents,
    prompts,
    get lastError() {
      return commandContext.lastError;
    },
    recoverRuns,
    recovered,
  };
}
