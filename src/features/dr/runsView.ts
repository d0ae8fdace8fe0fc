import * as vscode from 'vscode';
import type { DrRunManager, RunChange, RunSession } from '../../core/dr/manager';
import type { RunHistoryEntry } from '../../core/dr/results';
import type { JobLogEntry, RunEvent, RunState, ServerRunState, StepRunState, WaveRunState } from '../../core/dr/state';
import { TreeNode, TreeProvider } from '../shared/tree';
import { loadDrJournal, loadDrResults, type DrServices } from './drServices';

export const RUNS_VIEW_ID = 'pilotLight.drRuns';
/** How many ended runs the view lists below the active ones. */
const HISTORY_LIMIT = 30;
const LOG_EVENTS_SHOWN = 25;

type Results = Awaited<ReturnType<typeof loadDrResults>>;

const TERMINAL = ['completed', 'failed', 'cancelled'];
const collapsed = vscode.TreeItemCollapsibleState.Collapsed;
const expanded = vscode.TreeItemCollapsibleState.Expanded;
const leaf = vscode.TreeItemCollapsibleState.None;

function icon(status: string): vscode.ThemeIcon {
  switch (status) {
    case 'running':
    case 'cancelling':
    case 'IN_PROGRESS':
    case 'PENDING':
      return new vscode.ThemeIcon('sync~spin');
    case 'paused':
    case 'held':
      return new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('charts.yellow'));
    case 'waiting-approval':
      return new vscode.ThemeIcon('question', new vscode.ThemeColor('charts.yellow'));
    case 'completed':
    case 'succeeded':
    case 'LAUNCHED':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'failed':
    case 'FAILED':
    case 'TIMED_OUT':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'cancelled':
    case 'skipped':
      return new vscode.ThemeIcon('circle-slash');
    case 'TERMINATED':
      return new vscode.ThemeIcon('trash');
    default:
      return new vscode.ThemeIcon('circle-outline');
  }
}

/** What the nodes need from the provider. */
interface RunsHost {
  results: Results;
  manager?: DrRunManager;
}

export abstract class RunTreeNode extends TreeNode<RunTreeNode> {}

export class RunNode extends RunTreeNode {
  session?: RunSession;
  entry?: RunHistoryEntry;
  private loaded?: RunState;
  private readonly waves = new Map<string, WaveNode>();

  constructor(
    readonly runId: string,
    private readonly host: RunsHost,
  ) {
    super(`run/${runId}`, undefined);
  }

  /** The live state for runs this window follows; the journal's for ended runs (read on first use). */
  get state(): RunState | undefined {
    return this.session?.state ?? this.loaded;
  }

  get role(): string {
    return this.session?.role ?? 'finished';
  }

  async load(): Promise<RunState | undefined> {
    if (this.state) return this.state;
    if (!this.entry || this.entry.error) return undefined;
    const { replayJournal } = await loadDrJournal();
    this.loaded = replayJournal(this.entry.journalPath).state;
    return this.loaded;
  }

  forget(): void {
    this.loaded = undefined;
  }

  get active(): boolean {
    const state = this.state;
    if (state) return !TERMINAL.includes(state.status) || state.cleanup?.status === 'running';
    return this.entry?.resumable ?? false;
  }

  wave(name: string): WaveNode {
    let node = this.waves.get(name);
    if (!node) {
      node = new WaveNode(this, name, this.host);
      this.waves.set(name, node);
    }
    return node;
  }

  contextValue(): string {
    const state = this.state;
    const status = state?.status ?? this.entry?.status ?? 'unknown';
    const flags = [status, state?.mode ?? this.entry?.mode ?? '', this.role, this.active ? 'active' : 'ended'];
    if (state && Object.values(state.waves).some((wave) => wave.status === 'held')) flags.push('held');
    const launched = state
      ? Object.values(state.waves).some((wave) =>
          Object.values(wave.servers).some((s) => s.launchStatus === 'LAUNCHED' && s.recoveryInstanceId),
        )
      : (this.entry?.launched ?? 0) > 0;
    if ((state?.mode ?? this.entry?.mode) === 'drill' && !this.active && launched) flags.push('cleanable');
    return `pilotLight.drRun ${flags.join(' ')}`;
  }

  getTreeItem(): vscode.TreeItem {
    const state = this.state;
    const { results } = this.host;
    const tooltip = new vscode.MarkdownString(undefined, true);
    let description: string;
    let status: string;
    if (state) {
      const progress = results.progressOf(state);
      status = state.status;
      const rto =
        progress.rtoTargetMs !== undefined
          ? ` of ${Math.round(progress.rtoTargetMs / 60_000)} min RTO (${Math.round((progress.rtoFraction ?? 0) * 100)}%)`
          : '';
      const role = this.role === 'watcher' ? ' · in another window' : this.role === 'blocked' ? ' · blocked' : '';
      description = `${state.mode} · ${state.status}${role} · ${results.formatDuration(progress.elapsedMs)}${rto} · ${progress.servers.launched}/${progress.servers.total} launched`;
      tooltip.appendMarkdown(
        `**${state.mode === 'drill' ? 'Drill' : 'Recovery'} of ${state.planName}**: ${state.status}\n\n`,
      );
      tooltip.appendMarkdown(
        `Run \`${state.runId}\`, started ${state.createdAt}${state.endedAt ? `, ended ${state.endedAt}` : ''}\n\n`,
      );
      tooltip.appendMarkdown(
        `Elapsed ${results.formatDuration(progress.elapsedMs)}${progress.rtoTargetMs !== undefined ? ` against an RTO target of ${Math.round(progress.rtoTargetMs / 60_000)} min` : ''}\n\n`,
      );
      tooltip.appendMarkdown(
        `Servers: ${progress.servers.launched} launched, ${progress.servers.failed} failed, ${progress.servers.inProgress} in progress, of ${progress.servers.total}\n\n`,
      );
      for (const awaiting of progress.awaiting)
        tooltip.appendMarkdown(
          `Waiting: wave ${awaiting.wave} ${awaiting.kind === 'held' ? 'is held before it starts (Resume)' : `needs an approval: ${awaiting.message ?? ''}`}\n\n`,
        );
      if (state.cleanup) tooltip.appendMarkdown(`Drill cleanup: ${state.cleanup.status}\n\n`);
    } else {
      const entry = this.entry!;
      status = entry.status;
      description = entry.error
        ? `unreadable journal: ${entry.error}`
        : `${entry.mode} · ${entry.status} · ${new Date(entry.startedAt).toLocaleString()} · ${entry.launched}/${entry.servers} launched`;
      tooltip.appendMarkdown(`Run \`${entry.runId}\`\n\n${description}`);
    }
    const origin = this.session?.origin;
    if (origin)
      tooltip.appendMarkdown(
        `AWS: profile ${origin.profile ?? '?'}, account ${origin.account ?? '?'}, region ${origin.region}${origin.endpoint ? `, endpoint ${origin.endpoint}` : ''}\n\n`,
      );
    if (this.role === 'watcher')
      tooltip.appendMarkdown(
        `Executed by another VS Code window${this.session?.heldBy ? ` (pid ${this.session.heldBy.pid})` : ''}; this window follows its journal and takes over if that window goes away.\n\n`,
      );
    if (this.session?.blockedReason)
      tooltip.appendMarkdown(`**Not continuing here:** ${this.session.blockedReason}\n\n`);
    return this.treeItem(state?.planName ?? this.entry?.planName ?? this.runId, this.active ? expanded : collapsed, {
      description,
      tooltip,
      iconPath:
        this.role === 'blocked'
          ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
          : this.role === 'watcher' && this.active
            ? new vscode.ThemeIcon('eye')
            : icon(status),
      contextValue: this.contextValue(),
    });
  }

  async getChildren(): Promise<RunTreeNode[]> {
    const state = await this.load().catch((error: Error) => {
      throw new Error(`The journal of run ${this.runId} cannot be read: ${error.message}`);
    });
    if (!state) return [new InfoNode(this, 'unreadable', this.entry?.error ?? 'No details', 'warning')];
    const nodes: RunTreeNode[] = state.executionPlan.waves.map((wave) => this.wave(wave.name));
    if (state.cleanup)
      nodes.push(
        new InfoNode(
          this,
          'cleanup',
          `Drill cleanup: ${state.cleanup.status}`,
          state.cleanup.status === 'running' ? 'sync~spin' : state.cleanup.status === 'failed' ? 'error' : 'trash',
          `${state.cleanup.recoveryInstanceIds.length} recovery instance(s)${state.cleanup.error ? ` · ${state.cleanup.error}` : ''}`,
        ),
      );
    if (this.session?.blockedReason)
      nodes.push(new InfoNode(this, 'blocked', 'Not continuing in this window', 'warning', this.session.blockedReason));
    for (const [index, error] of state.errors.slice(-5).entries())
      nodes.push(
        new InfoNode(
          this,
          `error/${index}`,
          error.message,
          'error',
          `${new Date(error.at).toLocaleTimeString()}${error.wave ? ` · wave ${error.wave}` : ''}`,
        ),
      );
    return nodes;
  }
}

export class WaveNode extends RunTreeNode {
  private readonly servers = new Map<string, ServerNode>();
  private readonly steps = new Map<string, StepNode>();
  readonly log: JobLogNode;

  constructor(
    readonly run: RunNode,
    readonly name: string,
    private readonly host: RunsHost,
  ) {
    super(`${run.id}/wave/${name}`, run);
    this.log = new JobLogNode(this);
  }

  get runId(): string {
    return this.run.runId;
  }

  get state(): WaveRunState | undefined {
    return this.run.state?.waves[this.name];
  }

  getTreeItem(): vscode.TreeItem {
    const ws = this.state;
    const run = this.run.state;
    if (!ws || !run) return this.treeItem(this.name, leaf, {});
    const servers = Object.values(ws.servers);
    const launched = servers.filter((s) => s.launchStatus === 'LAUNCHED').length;
    const planned = run.executionPlan.waves.find((wave) => wave.name === this.name);
    const current = planned?.steps.find((step) =>
      ['running', 'held', 'waiting-approval'].includes(ws.steps[step.id]?.status),
    );
    const end = ws.endedAt ? Date.parse(ws.endedAt) : Date.now();
    const elapsed = ws.startedAt ? ` · ${this.host.results.formatDuration(end - Date.parse(ws.startedAt))}` : '';
    const step = current
      ? ` · ${ws.steps[current.id].status === 'waiting-approval' ? 'waiting for approval' : current.label}`
      : '';
    const tooltip = new vscode.MarkdownString(
      `**Wave ${this.name}**: ${ws.status}${planned?.dependsOn.length ? `\n\nDepends on ${planned.dependsOn.join(', ')}` : ''}${ws.error ? `\n\n${ws.error}` : ''}`,
    );
    return this.treeItem(this.name, ws.status === 'running' || ws.status === 'held' ? expanded : collapsed, {
      description: `${ws.status}${elapsed} · ${launched}/${servers.length} launched${step}`,
      tooltip,
      iconPath: icon(ws.status),
      contextValue: `pilotLight.drWave ${ws.status} ${this.run.role}`,
    });
  }

  getChildren(): RunTreeNode[] {
    const ws = this.state;
    const run = this.run.state;
    if (!ws || !run) return [];
    const planned = run.executionPlan.waves.find((wave) => wave.name === this.name);
    const steps = (planned?.steps ?? [])
      .filter((step) => step.kind !== 'launch')
      .map((step) => this.step(step.id, step.label));
    const servers = Object.keys(ws.servers).map((id) => {
      let node = this.servers.get(id);
      if (!node) this.servers.set(id, (node = new ServerNode(this, id)));
      return node;
    });
    const hasLog = Object.values(run.jobs).some((job) => job.wave === this.name);
    return [...steps, ...servers, ...(hasLog ? [this.log] : [])];
  }

  step(stepId: string, label: string): StepNode {
    let node = this.steps.get(stepId);
    if (!node) this.steps.set(stepId, (node = new StepNode(this, stepId, label)));
    return node;
  }
}

export class StepNode extends RunTreeNode {
  constructor(
    readonly wave: WaveNode,
    readonly stepId: string,
    readonly label: string,
  ) {
    super(`${wave.id}/step/${stepId}`, wave);
  }

  get runId(): string {
    return this.wave.runId;
  }

  get waveName(): string {
    return this.wave.name;
  }

  get state(): StepRunState | undefined {
    return this.wave.state?.steps[this.stepId];
  }

  getTreeItem(): vscode.TreeItem {
    const ss = this.state;
    const status = ss?.status ?? 'pending';
    const last = ss?.attempts[ss.attempts.length - 1];
    const detail =
      ss?.approval && !ss.approval.decidedAt
        ? ss.approval.message
        : ss?.approval?.decidedAt
          ? `${ss.approval.approved ? 'approved' : 'rejected'} by ${ss.approval.by ?? '?'}`
          : last
            ? `attempt ${last.attempt}${last.executionId ? ` · ${last.executionId}` : ''}${last.status ? ` · ${last.status}` : ''}`
            : undefined;
    return this.treeItem(this.label, leaf, {
      description: [status, detail].filter(Boolean).join(' · '),
      tooltip: new vscode.MarkdownString(
        [`**${this.label}** (${this.stepId}): ${status}`, ss?.approval?.message, ss?.error, last?.error]
          .filter(Boolean)
          .join('\n\n'),
      ),
      iconPath: icon(status),
      contextValue: `pilotLight.drStep ${ss?.kind ?? 'action'} ${status} ${this.wave.run.role}`,
    });
  }
}

export class ServerNode extends RunTreeNode {
  constructor(
    readonly wave: WaveNode,
    readonly sourceServerId: string,
  ) {
    super(`${wave.id}/server/${sourceServerId}`, wave);
  }

  get state(): ServerRunState | undefined {
    return this.wave.state?.servers[this.sourceServerId];
  }

  getTreeItem(): vscode.TreeItem {
    const server = this.state;
    if (!server) return this.treeItem(this.sourceServerId, leaf, {});
    const tooltip = new vscode.MarkdownString(
      [
        `**${server.hostname}** \`${server.sourceServerId}\` (${server.region})`,
        `Launch status: ${server.launchStatus}`,
        server.jobId && `DRS job: \`${server.jobId}\``,
        server.recoveryInstanceId && `Recovery instance: \`${server.recoveryInstanceId}\``,
        server.ec2InstanceId && `EC2 instance: \`${server.ec2InstanceId}\``,
        server.launchedAt && `Launched: ${server.launchedAt}`,
        server.error && `Error: ${server.error}`,
      ]
        .filter(Boolean)
        .join('\n\n'),
    );
    return this.treeItem(server.hostname || server.sourceServerId, leaf, {
      description: [server.launchStatus, server.recoveryInstanceId, server.ec2InstanceId].filter(Boolean).join(' · '),
      tooltip,
      iconPath: icon(server.launchStatus),
      contextValue: 'pilotLight.drServer',
    });
  }
}

export class JobLogNode extends RunTreeNode {
  constructor(readonly wave: WaveNode) {
    super(`${wave.id}/log`, wave);
  }

  private entries(): { entry: JobLogEntry; jobId: string }[] {
    const run = this.wave.run.state;
    if (!run) return [];
    return Object.values(run.jobs)
      .filter((job) => job.wave === this.wave.name)
      .flatMap((job) => job.log.map((entry) => ({ entry, jobId: job.jobId })))
      .sort((a, b) => Date.parse(b.entry.at) - Date.parse(a.entry.at));
  }

  getTreeItem(): vscode.TreeItem {
    const count = this.entries().length;
    const run = this.wave.run.state;
    const jobs = run ? Object.values(run.jobs).filter((job) => job.wave === this.wave.name) : [];
    return this.treeItem('Job log', collapsed, {
      description: `${count} event${count === 1 ? '' : 's'} · ${jobs.map((job) => `${job.jobId} ${job.status}`).join(', ')}`,
      iconPath: new vscode.ThemeIcon('output'),
      contextValue: 'pilotLight.drJobLog',
    });
  }

  getChildren(): RunTreeNode[] {
    const servers = this.wave.state?.servers ?? {};
    return this.entries()
      .slice(0, LOG_EVENTS_SHOWN)
      .map(
        ({ entry, jobId }, index) =>
          new InfoNode(
            this,
            `${index}`,
            entry.event,
            /FAIL|ERROR/.test(entry.event) ? 'error' : 'debug-stackframe-dot',
            [
              new Date(entry.at).toLocaleTimeString(),
              entry.sourceServerId ? (servers[entry.sourceServerId]?.hostname ?? entry.sourceServerId) : undefined,
              entry.targetInstanceId,
            ]
              .filter(Boolean)
              .join(' · '),
            `${jobId}${entry.rawError ? `\n\n${entry.rawError}` : ''}`,
          ),
      );
  }
}

export class InfoNode extends RunTreeNode {
  constructor(
    parent: RunTreeNode,
    key: string,
    private readonly label: string,
    private readonly iconId: string,
    private readonly description?: string,
    private readonly tooltip?: string,
  ) {
    super(`${parent.id}/${key}`, parent);
  }

  getTreeItem(): vscode.TreeItem {
    return this.treeItem(this.label, leaf, {
      description: this.description,
      tooltip: this.tooltip ?? this.label,
      iconPath: new vscode.ThemeIcon(this.iconId),
      contextValue: 'pilotLight.drInfo',
    });
  }
}

/**
 * The "Recovery runs" view: each run → waves (status, elapsed) → steps, servers (launch status,
 * recovery instance, EC2 instance) and the job log. Runner events repaint only the run or wave they
 * touch; the root is reloaded only when a run appears (or on Refresh).
 */
export class RecoveryRunsProvider extends TreeProvider<RunTreeNode> implements RunsHost {
  results!: Results;
  manager?: DrRunManager;
  private readonly runs = new Map<string, RunNode>();
  private readonly pending = new Set<RunTreeNode>();
  private flushTimer?: NodeJS.Timeout;
  private ticker?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  /** Repaints of the whole tree and of single nodes, for tests. */
  rootRefreshes = 0;
  nodeRefreshes = 0;
  visible = true;

  constructor(private readonly services: DrServices) {
    super();
    this.subscriptions.push(services.onDidCreateManager((manager) => this.attach(manager)));
    if (services.loadedManager) this.attach(services.loadedManager);
  }

  private attach(manager: DrRunManager): void {
    if (this.manager === manager) return;
    this.unsubscribe?.();
    this.manager = manager;
    this.unsubscribe = manager.onChange((change) => this.onRunChange(change));
    this.refresh();
  }

  refresh(): void {
    this.rootRefreshes++;
    for (const node of this.runs.values()) if (!node.session) node.forget();
    this.changeEmitter.fire(undefined);
  }

  runNode(runId: string): RunNode | undefined {
    return this.runs.get(runId);
  }

  protected async getRoots(): Promise<RunTreeNode[]> {
    // No journal and no run in this window: the welcome view, without loading the DR core.
    if (!this.manager && !this.services.hasRuns()) return [];
    this.results ??= await loadDrResults();
    const sessions = this.manager?.list() ?? [];
    let history: RunHistoryEntry[] = [];
    try {
      history = this.results.listRunHistory(this.services.journalDir);
    } catch (error) {
      this.services.ctx.log.warn(`Recovery runs: the journal folder cannot be read: ${(error as Error).message}`);
    }
    const nodes: RunNode[] = [];
    const seen = new Set<string>();
    for (const session of sessions) {
      const run = this.nodeFor(session.runId);
      run.session = session;
      run.entry = history.find((entry) => entry.runId === session.runId) ?? run.entry;
      nodes.push(run);
      seen.add(session.runId);
    }
    for (const entry of history) {
      if (seen.has(entry.runId)) continue;
      const run = this.nodeFor(entry.runId);
      run.entry = entry;
      nodes.push(run);
    }
    const active = nodes.filter((run) => run.active);
    const ended = nodes.filter((run) => !run.active).slice(0, HISTORY_LIMIT);
    if (active.length) this.ensureTicker();
    return [...active, ...ended];
  }

  private nodeFor(runId: string): RunNode {
    let node = this.runs.get(runId);
    if (!node) this.runs.set(runId, (node = new RunNode(runId, this)));
    return node;
  }

  private onRunChange(change: RunChange): void {
    const node = this.runs.get(change.runId);
    if (!node || change.kind === 'added') {
      this.refresh();
      return;
    }
    node.session = change.session;
    if (change.kind === 'role' || !change.event) this.queue(node);
    else this.route(node, change.event, change.session.state);
    if (node.active) this.ensureTicker();
  }

  /** The smallest part of the tree an event changes. */
  private route(run: RunNode, event: RunEvent, state: RunState): void {
    switch (event.type) {
      case 'wave.status':
      case 'step.status':
      case 'step.waitUntil':
      case 'approval.requested':
      case 'approval.decided':
      case 'action.starting':
      case 'action.started':
      case 'action.finished':
      case 'launchSettings.applied':
      case 'job.starting':
      case 'job.started':
      case 'job.startFailed':
      case 'server.status':
        this.queue(run.wave(event.wave));
        // held / approvals change what the run offers (Resume, Approve)
        if (event.type === 'wave.status' || event.type === 'step.status') this.queue(run);
        return;
      case 'job.status':
      case 'job.log': {
        const wave = state.jobs[event.jobId]?.wave;
        if (wave) this.queue(event.type === 'job.log' ? run.wave(wave).log : run.wave(wave));
        else this.queue(run);
        return;
      }
      default:
        this.queue(run);
    }
  }

  private queue(node: RunTreeNode): void {
    this.pending.add(node);
    this.flushTimer ??= setTimeout(() => this.flush(), 50);
  }

  private flush(): void {
    this.flushTimer = undefined;
    const nodes = [...this.pending];
    this.pending.clear();
    for (const node of nodes) {
      let covered = false;
      for (let parent = node.parent; parent && !covered; parent = parent.parent) covered = nodes.includes(parent);
      if (covered) continue;
      this.nodeRefreshes++;
      this.changeEmitter.fire(node);
    }
  }

  /** Elapsed times move every second while a run is active (the run and its running waves only). */
  private ensureTicker(): void {
    if (this.ticker) return;
    this.ticker = setInterval(() => {
      const active = [...this.runs.values()].filter((run) => run.session && run.active);
      if (active.length === 0) {
        clearInterval(this.ticker);
        this.ticker = undefined;
        return;
      }
      if (!this.visible) return;
      for (const run of active) {
        this.queue(run);
        for (const wave of Object.values(run.state?.waves ?? {}))
          if (wave.status === 'running') this.queue(run.wave(wave.name));
      }
    }, 1000);
    this.ticker.unref?.();
  }

  dispose(): void {
    this.unsubscribe?.();
    clearTimeout(this.flushTimer);
    clearInterval(this.ticker);
    super.dispose();
  }
}
