import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { PlanIntent } from '../../../core/dr/planEdit';
import type { RunState } from '../../../core/dr/state';
import type { RunChange } from '../../../core/dr/manager';
import type { GroupInfo, ToHost, ToWebview } from '../../../protocol/recoveryPlan';
import type { DrFeature } from '../../dr/registerDr';
import { OperationService } from '../../shared/operationService';
import type { PilotLightContext } from '../../shared/pilotLightContext';
import { WebviewHost } from '../../shared/webviewHost';
import { RECOVERY_PLAN_EDITOR_COMMANDS, RECOVERY_PLAN_EDITOR_VIEW_TYPE } from './ids';
import { newestRun, runView, type RunEngine } from './runView';

/** Text typed in the text editor reaches the graph after this pause (edits from the graph: at once). */
const TEXT_DEBOUNCE_MS = 60;
/** The file's problems are computed this long after its graph was sent (a burst of edits validates once). */
const PROBLEMS_DELAY_MS = 150;

const editors = new Set<RecoveryPlanEditor>();

/** The open visual plan editors (tests deliver messages as the webview would). */
export function openRecoveryPlanEditors(): RecoveryPlanEditor[] {
  return [...editors];
}

const loadPlanEdit = () => import('../../../core/dr/planEdit');
const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * One visual editor of a plan file. The TextDocument is the only truth: an intent from the webview becomes
 * a minimal WorkspaceEdit of the document (so VS Code's undo, redo, dirty state and save apply), and every
 * change of the document, from here or typed elsewhere, is sent back as the view of that document version.
 */
export class RecoveryPlanEditor implements vscode.Disposable {
  readonly host: WebviewHost<ToHost, ToWebview>;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly service: OperationService;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private problemsTimer: ReturnType<typeof setTimeout> | undefined;
  /** The parse of the last version whose view was built. */
  private parsed?: { version: number; text: string; document: import('yaml').Document.Parsed };
  /** The last view built, kept for its version (built before the webview is ready, reused when it is). */
  private built?: { version: number; text: string; view: import('../../../core/dr/planEdit').PlanView };
  /** The document version whose view was last sent (an echo of our own edit is not sent twice). */
  private postedVersion = -1;
  private renderedWaiters: Array<{ version: number; resolve: () => void }> = [];
  /** The last version the webview reported as drawn, and when (performance.now()). */
  lastRendered?: { version: number; at: number };
  private ready = false;
  private runUnsubscribe?: () => void;
  private disposed = false;

  static async resolve(
    ctx: PilotLightContext,
    dr: DrFeature,
    document: vscode.TextDocument,
    panel: vscode.WebviewPanel,
    _token: vscode.CancellationToken,
  ): Promise<RecoveryPlanEditor> {
    const { recoveryPlanProtocol } = await import('../../../protocol/recoveryPlan');
    return new RecoveryPlanEditor(ctx, dr, document, panel, recoveryPlanProtocol);
  }

  private constructor(
    private readonly ctx: PilotLightContext,
    private readonly dr: DrFeature,
    readonly document: vscode.TextDocument,
    panel: vscode.WebviewPanel,
    protocol: typeof import('../../../protocol/recoveryPlan').recoveryPlanProtocol,
  ) {
    this.service = OperationService.for(ctx);
    this.host = new WebviewHost<ToHost, ToWebview>(ctx.extension.extensionUri, {
      viewType: RECOVERY_PLAN_EDITOR_VIEW_TYPE,
      title: basename(document.fileName),
      bundle: 'recovery-plan',
      protocol,
      log: ctx.log,
      panel,
      onMessage: (message) => this.handle(message),
    });
    editors.add(this);
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document !== this.document || event.contentChanges.length === 0) return;
        this.schedule();
      }),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => {
        if (panel.visible) void this.postView(true);
      }),
    );
    this.watchRuns();
    // The parse runs while the webview loads its bundle: the graph is ready to send when the page asks.
    void loadPlanEdit()
      .then(() => {
        if (!this.disposed && !this.ready) return this.viewOf(this.document.version);
      })
      .catch((error) => this.ctx.log.warn(`Recovery plan editor: view not prepared: ${describe(error)}`));
  }

  get panel(): vscode.WebviewPanel {
    return this.host.panel;
  }
  get messagesSent(): ToWebview[] {
    return this.host.sent;
  }

  /** Delivers a message as if the webview sent it (validated the same way). */
  deliver(raw: unknown): Promise<void> {
    return this.host.receive(raw);
  }

  /** Resolves when the webview has drawn the view of `version` (default: the document's current version). */
  whenRendered(version = this.document.version): Promise<void> {
    if (this.lastRendered && this.lastRendered.version >= version) return Promise.resolve();
    return new Promise((resolve) => this.renderedWaiters.push({ version, resolve }));
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.postView();
    }, TEXT_DEBOUNCE_MS);
  }

  /**
   * Sends the view of the document's current version, unless that version was sent already, then its
   * problems (validation runs after the graph is on its way). `parsed` reuses the parse of an own edit.
   */
  private async postView(
    force = false,
    parsed?: { text: string; document: import('yaml').Document.Parsed },
  ): Promise<void> {
    if (!this.ready || this.disposed) return;
    const version = this.document.version;
    if (!force && version === this.postedVersion) return;
    this.postedVersion = version;
    const { text, view } = await this.viewOf(version, parsed);
    await this.host.post({ type: 'view', protocol: 1, version, view });
    if (this.problemsTimer) clearTimeout(this.problemsTimer);
    this.problemsTimer = setTimeout(() => {
      this.problemsTimer = undefined;
      if (this.disposed || this.document.version !== version) return;
      void (async () => {
        const { planProblems } = await loadPlanEdit();
        const names = view.status === 'ok' ? view.waves.map((wave) => wave.name) : [];
        const problems = view.status === 'ok' ? planProblems(text, names).slice(0, 300) : [];
        if (this.document.version === version) await this.host.post({ type: 'problems', version, problems });
      })().catch((error) => this.ctx.log.warn(`Recovery plan editor: problems not computed: ${describe(error)}`));
    }, PROBLEMS_DELAY_MS);
  }

  /** The view of the document as it is now (`version`), built once per version and text. */
  private async viewOf(
    version: number,
    parsed?: { text: string; document: import('yaml').Document.Parsed },
  ): Promise<{ text: string; view: import('../../../core/dr/planEdit').PlanView }> {
    const { planViewWithDocument } = await loadPlanEdit();
    const text = this.document.getText();
    if (this.built?.version === version && this.built.text === text) return this.built;
    const built = planViewWithDocument(text, parsed && parsed.text === text ? parsed.document : undefined);
    // The parse of this version is kept for the next intent (it only reads it).
    this.parsed = built.document ? { version, text, document: built.document } : undefined;
    this.built = { version, text, view: built.view };
    return this.built;
  }

  private async handle(message: ToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        if (message.protocol !== 1)
          throw new Error(`The webview speaks protocol ${message.protocol}, the extension 1: reload the window.`);
        this.ready = true;
        await this.postView(true);
        void this.postGroups(false);
        await this.postRun();
        return;
      case 'rendered':
        this.lastRendered = { version: message.version, at: performance.now() };
        for (const waiter of this.renderedWaiters.splice(0)) {
          if (message.version >= waiter.version) waiter.resolve();
          else this.renderedWaiters.push(waiter);
        }
        return;
      case 'protocolError':
        this.ctx.log.warn(`Recovery plan editor ${basename(this.document.fileName)}: ${message.message}`);
        return;
      case 'intent':
        await this.applyIntent(message.requestId, message.intent as PlanIntent);
        return;
      case 'openText':
        return this.openText(message.line);
      case 'catalog':
        return this.postCatalog(message.kind);
      case 'preflight':
        return this.preflight();
      case 'refreshGroups':
        return this.postGroups(message.resolve);
      case 'openGroup':
        await vscode.commands.executeCommand(RECOVERY_PLAN_EDITOR_COMMANDS.openGroup, message.name);
        return;
    }
  }

  /** Applies an intent to the document as a minimal edit. Returns whether the document changed. */
  async applyIntent(requestId: string, intent: PlanIntent): Promise<boolean> {
    const { applyIntent, PlanEditError } = await loadPlanEdit();
    for (let attempt = 0; attempt < 3; attempt++) {
      const version = this.document.version;
      const text = this.document.getText();
      let result;
      const cached = this.parsed?.version === version && this.parsed.text === text ? this.parsed.document : undefined;
      try {
        result = applyIntent(text, intent, cached);
      } catch (error) {
        if (!(error instanceof PlanEditError)) throw error;
        await this.host.post({ type: 'result', requestId, ok: false, message: error.message });
        await this.postView(true);
        return false;
      }
      if (result.unchanged) {
        await this.host.post({ type: 'result', requestId, ok: true, message: 'No change: the plan already is so.' });
        return false;
      }
      if (this.document.version !== version) continue; // typed meanwhile: compute again on the new text
      const edit = new vscode.WorkspaceEdit();
      for (const change of result.edits)
        edit.replace(
          this.document.uri,
          new vscode.Range(this.document.positionAt(change.start), this.document.positionAt(change.end)),
          change.text,
        );
      const applying = Promise.resolve(vscode.workspace.applyEdit(edit));
      applying.catch(() => undefined); // handled below, after the view is built
      // While VS Code applies the edit, the next graph is built from the edited text (parsed by the check).
      await new Promise((resolve) => setTimeout(resolve, 0));
      const { planViewWithDocument } = await loadPlanEdit();
      const next = planViewWithDocument(result.text, result.document).view;
      const applied = await applying;
      if (applied && this.document.getText() === result.text) {
        this.built = { version: this.document.version, text: result.text, view: next };
        this.parsed = { version: this.document.version, text: result.text, document: result.document };
      }
      if (!applied) {
        await this.host.post({ type: 'result', requestId, ok: false, message: 'VS Code did not apply the edit.' });
        return false;
      }
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      await this.postView(false, { text: result.text, document: result.document });
      await this.host.post({ type: 'result', requestId, ok: true, message: describeIntent(intent) });
      return true;
    }
    await this.host.post({ type: 'result', requestId, ok: false, message: 'The file kept changing; try again.' });
    return false;
  }

  private async openText(line?: number): Promise<void> {
    const editor = await vscode.window.showTextDocument(this.document, {
      viewColumn: this.panel.viewColumn,
      preview: false,
    });
    if (line) {
      const position = new vscode.Position(Math.min(line - 1, this.document.lineCount - 1), 0);
      editor.selection = new vscode.Selection(position, position);
      editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenter);
    }
  }

  /** The workspace's protection groups; with `resolve`, also the servers each selects (asks DRS). */
  async postGroups(resolve: boolean): Promise<void> {
    const root = this.dr.services.rootOf(this.document.fileName) ?? this.dr.services.folders()[0]?.uri.fsPath;
    if (!root) {
      await this.host.post({
        type: 'groups',
        groups: [],
        note: 'Open a folder: protection groups are workspace files.',
      });
      return;
    }
    const ws = await import('../../../core/dr/workspace');
    const workspace = await ws.loadDrWorkspace(root);
    const groups: GroupInfo[] = workspace.groups.slice(0, 1000).map((file) => {
      const group = file.result.document;
      const tags = Object.entries(group?.selection.tags ?? {}).map(([k, v]) => `${k}=${v}`);
      const ids = group?.selection.sourceServerIds ?? [];
      return {
        name: (group?.name ?? basename(file.path).replace(/\.protection-group\.ya?ml$/i, '')).slice(0, 128),
        file: vscode.workspace.asRelativePath(file.path).slice(0, 1024),
        region: (group?.region ?? '').slice(0, 32),
        selection: [tags.length ? `tags ${tags.join(', ')}` : '', ids.length ? `${ids.length} ID(s)` : '']
          .filter(Boolean)
          .join(' + ')
          .slice(0, 1024),
        broken: !group,
      };
    });
    let note: string | undefined;
    if (resolve && groups.some((g) => !g.broken)) {
      try {
        const aws = await this.dr.services.aws();
        const { resolveGroup, toServerInfo } = await import('../../../core/dr/selection');
        const inventories = new Map<string, ReturnType<typeof toServerInfo>[]>();
        for (const file of workspace.groups) {
          const group = file.result.document;
          if (!group) continue;
          let inventory = inventories.get(group.region);
          if (!inventory) {
            inventory = (await aws.reads.listSourceServers(group.region)).map((s) => toServerInfo(s, group.region));
            inventories.set(group.region, inventory);
          }
          const info = groups.find((g) => g.name === group.name);
          if (info) info.servers = resolveGroup(group, inventory).servers.length;
        }
      } catch (error) {
        note = `Server counts not resolved: ${describe(error)}`.slice(0, 1000);
      }
    }
    await this.host.post({ type: 'groups', groups, note });
  }

  private async postCatalog(kind: 'ssmDocuments' | 'sourceServers'): Promise<void> {
    try {
      const items: Array<{ id: string; label: string; detail?: string }> = [];
      if (kind === 'ssmDocuments') {
        let nextToken: string | undefined;
        do {
          const outcome = await this.service.run(
            'ssm.documents.list',
            { documentType: 'Automation', maxResults: 50, nextToken },
            { caller: 'command', mode: 'execute' },
          );
          if (outcome.status !== 'succeeded')
            throw new Error(outcome.error?.message ?? outcome.refusal?.message ?? outcome.status);
          const output = outcome.output as {
            items: Array<{ Name?: string; Owner?: string; DocumentVersion?: string }>;
            nextToken?: string;
          };
          for (const doc of output.items)
            if (doc.Name)
              items.push({
                id: doc.Name,
                label: doc.Name,
                detail: [doc.Owner, doc.DocumentVersion && `v${doc.DocumentVersion}`].filter(Boolean).join(' · '),
              });
          nextToken = output.nextToken;
        } while (nextToken && items.length < 2000);
      } else {
        const aws = await this.dr.services.aws();
        const { hostnameOf } = await import('../../../core/dr/selection');
        for (const server of await aws.reads.listSourceServers(aws.connection.region)) {
          if (!server.sourceServerID) continue;
          items.push({
            id: server.sourceServerID,
            label: hostnameOf(server),
            detail: `${server.sourceServerID} · ${server.dataReplicationInfo?.dataReplicationState ?? 'unknown replication'}`,
          });
        }
      }
      await this.host.post({ type: 'catalog', kind, items: items.slice(0, 5000) });
    } catch (error) {
      await this.host.post({ type: 'catalog', kind, items: [], error: describe(error).slice(0, 2000) });
    }
  }

  /** Preflight of the saved plan; each finding is placed on its wave. */
  async preflight(): Promise<void> {
    await this.host.post({ type: 'preflight', status: 'running', findings: [] });
    try {
      if (this.document.isDirty) throw new Error('Save the plan first: preflight checks the file as saved.');
      const target = await this.dr.services.resolvePlan(this.document.uri);
      const aws = await this.dr.services.aws(await this.dr.services.planAccount(target));
      const { runPreflight, preflightVerdict } = await import('../../../core/dr/preflight');
      const report = await runPreflight({
        plan: target.plan,
        groups: target.groups,
        reads: aws.reads,
        mode: 'drill',
        defaultRegion: aws.connection.region,
      });
      await this.host.post({
        type: 'preflight',
        status: 'done',
        verdict: preflightVerdict(report),
        findings: report.findings.slice(0, 1000).map((finding) => ({
          severity: finding.severity,
          message: finding.message.slice(0, 4000),
          fix: finding.fix.slice(0, 4000),
          wave: finding.wave,
        })),
      });
    } catch (error) {
      await this.host.post({
        type: 'preflight',
        status: 'failed',
        findings: [],
        message: describe(error).slice(0, 4000),
      });
    }
  }

  // ---- live runs of this plan --------------------------------------------------------------------------

  private planName(): string | undefined {
    const match = /^name:\s*["']?([A-Za-z0-9._-]+)/m.exec(this.document.getText());
    return match?.[1];
  }

  private watchRuns(): void {
    const attach = (manager: { onChange(listener: (change: RunChange) => void): () => void }) => {
      this.runUnsubscribe?.();
      this.runUnsubscribe = manager.onChange((change) => {
        if (change.session.state.planName === this.planName()) void this.postRun();
      });
    };
    const manager = this.dr.services.loadedManager;
    if (manager) attach(manager);
    else this.disposables.push(this.dr.services.onDidCreateManager((created) => attach(created)));
    this.disposables.push(
      this.dr.services.onDidChangeStepFunctionsRun((state) => {
        if (state.planName === this.planName()) void this.postRun();
      }),
    );
  }

  /**
   * The newest run of this plan, local or on Step Functions (followed from its execution history), as wave
   * and server states: the one still going, or the newest just finished.
   */
  async postRun(): Promise<void> {
    if (!this.ready) return;
    const manager = this.dr.services.loadedManager;
    const name = this.planName();
    const runs: Array<{ state: RunState; engine: RunEngine }> = [
      ...(manager?.list() ?? []).map((session) => ({ state: session.state, engine: 'local' as const })),
      ...[...this.dr.services.stepFunctionsRuns.values()].map((state) => ({ state, engine: 'stepFunctions' as const })),
    ].filter((run) => run.state.planName === name);
    const newest = newestRun(runs);
    await this.host.post({ type: 'run', run: newest ? runView(newest.state, newest.engine) : null });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    editors.delete(this);
    if (this.timer) clearTimeout(this.timer);
    if (this.problemsTimer) clearTimeout(this.problemsTimer);
    this.runUnsubscribe?.();
    for (const waiter of this.renderedWaiters.splice(0)) waiter.resolve();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}

function describeIntent(intent: PlanIntent): string {
  switch (intent.kind) {
    case 'addWave':
      return `Added wave ${intent.name ?? ''}`.trim() + '.';
    case 'removeWave':
      return `Removed wave ${intent.wave}.`;
    case 'renameWave':
      return `Renamed wave ${intent.wave} to ${intent.newName}.`;
    case 'connect':
      return `${intent.to} now depends on ${intent.from}.`;
    case 'disconnect':
      return `${intent.to} no longer depends on ${intent.from}.`;
    default:
      return 'Done.';
  }
}
