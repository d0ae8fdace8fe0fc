import { readdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import type { AwsConnection } from '../../core/aws/connection';
import type { DrReads } from '../../core/dr/aws';
import type { DrActionGateway } from '../../core/dr/gateway';
import type { DrRunManager } from '../../core/dr/manager';
import type { ProtectionGroup, RecoveryPlan } from '../../core/dr/model';
import type { RunnerDeps } from '../../core/dr/run';
import type { RunOrigin } from '../../core/dr/runLock';
import type { RunState } from '../../core/dr/state';
import type { DrFile, DrWorkspace } from '../../core/dr/workspace';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { createDrActionGateway, createDrReads } from './gatewayFactory';
import { UserError, type DrPrompts } from './prompts';

/** Run journals live here: `<global storage>/dr-runs/<runId>.run.jsonl` (+ `.origin.json`, `.lock`, `.active`). */
export const RUN_JOURNAL_FOLDER = 'dr-runs';
// File-name conventions of src/core/dr (journal.ts JOURNAL_SUFFIX, runLock.ts RUN_ACTIVE_SUFFIX), repeated
// here so that a directory listing can answer "is there anything?" without loading the core.
const JOURNAL_SUFFIX = '.run.jsonl';
const ACTIVE_SUFFIX = '.active';

// The DR core pulls in the AWS SDK: it is only ever loaded from here, lazily, never during activate().
export const loadDrCore = () => import('../../core/dr');
export const loadDrParse = () => import('../../core/dr/parse');
export const loadDrWorkspace = () => import('../../core/dr/workspace');
export const loadDrResults = () => import('../../core/dr/results');
export const loadDrJournal = () => import('../../core/dr/journal');

export interface PlanTarget {
  root: string;
  file: DrFile<RecoveryPlan>;
  plan: RecoveryPlan;
  groups: ProtectionGroup[];
  workspace: DrWorkspace;
}

export interface AwsSession {
  connection: AwsConnection;
  reads: DrReads;
  gateway: DrActionGateway;
  origin: Omit<RunOrigin, 'runId'>;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Shared plumbing of the DR commands and views: the run manager, AWS access, workspace files. */
export class DrServices implements vscode.Disposable {
  readonly journalDir: string;
  private managerPromise?: Promise<DrRunManager>;
  private managerInstance?: DrRunManager;
  private readonly managerEmitter = new vscode.EventEmitter<DrRunManager>();
  /** Fires once, when the run manager has been created (first run, or a run to recover). */
  readonly onDidCreateManager = this.managerEmitter.event;
  /** The latest state of each Step Functions run followed in this window (from its execution history). */
  readonly stepFunctionsRuns = new Map<string, RunState>();
  private readonly stepFunctionsEmitter = new vscode.EventEmitter<RunState>();
  /** Fires when a followed Step Functions run's state changed. */
  readonly onDidChangeStepFunctionsRun = this.stepFunctionsEmitter.event;
  private disposed = false;

  constructor(
    readonly ctx: PilotLightContext,
    readonly prompts: DrPrompts,
  ) {
    this.journalDir = join(ctx.extension.globalStorageUri.fsPath, RUN_JOURNAL_FOLDER);
  }

  get actor(): string {
    let name = 'local user';
    try {
      name = userInfo().username || name;
    } catch {
      // no user database entry (containers)
    }
    return `${name} (VS Code)`;
  }

  private listing(): string[] {
    try {
      return readdirSync(this.journalDir);
    } catch {
      return [];
    }
  }

  /** Whether any run may need a process (an `.active` marker); no core, no journal read. */
  hasActiveRuns(): boolean {
    return this.listing().some((name) => name.endsWith(ACTIVE_SUFFIX));
  }

  /** Whether there is any run journal at all; no core, no journal read. */
  hasRuns(): boolean {
    return this.listing().some((name) => name.endsWith(JOURNAL_SUFFIX));
  }

  /** The manager if it exists already; never loads the core. */
  get loadedManager(): DrRunManager | undefined {
    return this.managerInstance;
  }

  manager(): Promise<DrRunManager> {
    if (this.disposed) return Promise.reject(new Error('Pilot Light is shutting down.'));
    this.managerPromise ??= (async () => {
      const { DrRunManager } = await import('../../core/dr/manager');
      const { newLockOwner } = await import('../../core/dr/runLock');
      const manager = new DrRunManager({
        journalDir: this.journalDir,
        deps: (origin) => this.runnerDeps(origin),
        owner: newLockOwner(`VS Code window (extension host pid ${process.pid})`),
        log: (message) => this.ctx.log.info(`DR: ${message}`),
      });
      if (this.disposed) manager.dispose();
      this.managerInstance = manager;
      this.managerEmitter.fire(manager);
      return manager;
    })();
    return this.managerPromise;
  }

  /**
   * AWS access on the current connection, and the origin a new run records. With `account` (a protection
   * group's account) other than the connection's own, the organization's member role is assumed there
   * (user settings `pilotLight.organizations.*`); the account is never guessed.
   */
  async aws(account?: string): Promise<AwsSession> {
    const core = await loadDrCore();
    let connection = await this.ctx.connection();
    let ownAccount: string;
    try {
      ownAccount = (await this.ctx.identity()).account;
    } catch (error) {
      const info = connection.describeError(error);
      throw new UserError(
        `AWS credentials are not usable (${info.code}): ${info.message} ${info.hint}`.trim(),
        [],
        info,
      );
    }
    let runnerKey: string | undefined;
    if (account && account !== ownAccount) {
      const [{ organizationsFeature }, { memberProfileName }] = await Promise.all([
        import('../organizations/organizationsFeature'),
        import('../../core/organizations/memberAccess'),
      ]);
      const organizations = organizationsFeature(this.ctx);
      const access = await organizations.access();
      // Its name from the organization tree, when the profile may read it (previews and approvals name it).
      await access.tree('command').catch(() => undefined);
      connection = access.memberConnection(account);
      runnerKey = memberProfileName(access.base.profileName, account);
      try {
        await connection.identity();
      } catch (error) {
        const info = connection.describeError(error);
        throw new UserError(
          `The protection groups are in account ${account}, but profile ${access.base.profileName} is account ${ownAccount} and could not assume role ${organizations.settings().roleName} in ${account} (${info.code}): ${info.message} Set the member role in your user settings (pilotLight.organizations.memberRoleName), or switch to a profile for account ${account}.`,
          [],
          info,
        );
      }
    }
    const counters = new core.ApiCounters();
    const reads = await createDrReads({ ctx: this.ctx, connection, counters, runnerKey });
    const gateway = await createDrActionGateway({ ctx: this.ctx, connection, counters, runnerKey });
    return { connection, reads, gateway, origin: core.originOf(connection, account ?? ownAccount, this.actor) };
  }

  /** The account of a plan's protection groups (undefined: the current account); a UserError for several. */
  async planAccount(target: Pick<PlanTarget, 'plan' | 'groups'>): Promise<string | undefined> {
    const { account, problem } = (await loadDrCore()).planAccount(target.plan, target.groups);
    if (problem) throw new UserError(problem);
    return account;
  }

  /** The runner's dependencies; refuses (RunBlockedError) to continue a run in another account. */
  async runnerDeps(origin: RunOrigin | undefined): Promise<Omit<RunnerDeps, 'journalDir'>> {
    const { RunBlockedError } = await import('../../core/dr/manager');
    let session: AwsSession;
    try {
      session = await this.aws(origin?.account);
    } catch (error) {
      throw new RunBlockedError(describe(error));
    }
    if (origin?.account && session.origin.account !== origin.account) {
      throw new RunBlockedError(
        `It was started in account ${origin.account} (profile ${origin.profile ?? '?'}, region ${origin.region}), but the current connection is account ${session.origin.account} (profile ${session.origin.profile}). Switch back to profile ${origin.profile ?? 'of that account'} to continue it.`,
      );
    }
    return {
      reads: session.reads,
      gateway: session.gateway,
      defaultRegion: origin?.region ?? session.connection.region,
      actor: this.actor,
      log: (message) => this.ctx.log.info(`DR ${message}`),
    };
  }

  // ---- workspace files -------------------------------------------------------------------------------

  folders(): readonly vscode.WorkspaceFolder[] {
    return vscode.workspace.workspaceFolders ?? [];
  }

  /** The workspace folder new files go to (asks when there are several). */
  async targetFolder(): Promise<string> {
    const folders = this.folders();
    if (folders.length === 0)
      throw new UserError(
        'Open a folder first: protection groups and recovery plans are files in the workspace (.pilotlight/dr/).',
      );
    if (folders.length === 1) return folders[0].uri.fsPath;
    const picked = await this.prompts.quickPick(
      folders.map((folder) => ({ label: folder.name, description: folder.uri.fsPath, folder })),
      { title: 'Which workspace folder?' },
    );
    if (!picked) throw new UserError('');
    return picked.folder.uri.fsPath;
  }

  rootOf(path: string): string | undefined {
    return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(path))?.uri.fsPath;
  }

  /**
   * The plan a command acts on: a Uri or path, a plan name, else the active editor's plan, else a
   * pick from the workspace. Refuses files with errors (with the first error's position) and unsaved
   * editors, and explains group files that are broken.
   */
  async resolvePlan(arg: unknown): Promise<PlanTarget> {
    const ws = await loadDrWorkspace();
    let path = pathOf(arg);
    const name = typeof arg === 'string' && !path ? arg : undefined;
    if (!path && !name) {
      const active = vscode.window.activeTextEditor?.document;
      if (active?.uri.scheme === 'file' && ws.kindOfPath(active.fileName) === 'RecoveryPlan') path = active.fileName;
    }
    if (path && !isAbsolute(path)) path = join(this.folders()[0]?.uri.fsPath ?? process.cwd(), path);
    let root = path ? this.rootOf(path) : undefined;
    let workspace: DrWorkspace | undefined;
    let file: DrFile<RecoveryPlan> | undefined;
    if (path) {
      workspace = await ws.loadDrWorkspace(root ?? join(path, '..'));
      root ??= workspace.root;
      file =
        workspace.plans.find((candidate) => candidate.path === path) ??
        ((await ws.readDrFile(path)) as DrFile<RecoveryPlan>);
    } else {
      const workspaces = await Promise.all(this.folders().map((folder) => ws.loadDrWorkspace(folder.uri.fsPath)));
      const plans = workspaces.flatMap((w) => w.plans.map((plan) => ({ workspace: w, plan })));
      const matching = name ? plans.filter((p) => p.plan.result.document?.name === name) : plans;
      if (matching.length === 0) {
        throw new UserError(
          name
            ? `No recovery plan named "${name}" in the workspace.`
            : 'No recovery plan in the workspace. Create one with "Pilot Light: New Recovery Plan".',
          [{ title: 'New Recovery Plan', run: () => vscode.commands.executeCommand('pilotLight.dr.newRecoveryPlan') }],
        );
      }
      const chosen =
        matching.length === 1
          ? matching[0]
          : (
              await this.prompts.quickPick(
                matching.map((p) => ({
                  label: p.plan.result.document?.name ?? basename(p.plan.path),
                  description: vscode.workspace.asRelativePath(p.plan.path),
                  detail: p.plan.result.document ? undefined : '$(error) has errors',
                  p,
                })),
                { title: 'Which recovery plan?' },
              )
            )?.p;
      if (!chosen) throw new UserError('');
      workspace = chosen.workspace;
      root = workspace.root;
      file = chosen.plan;
    }
    const open = vscode.workspace.textDocuments.find((doc) => doc.uri.scheme === 'file' && doc.fileName === file!.path);
    if (open?.isDirty) {
      throw new UserError(
        `${basename(file.path)} has unsaved changes. Save it first, so the plan that runs is the one you see.`,
        [{ title: 'Save', run: () => open.save() }],
      );
    }
    if (!file.result.document) throw this.fileErrors(file);
    const plan = file.result.document;
    const duplicate = workspace.duplicates.find((d) => d.kind === 'RecoveryPlan' && d.name === plan.name);
    if (duplicate)
      throw new UserError(
        `Recovery plan "${plan.name}" is defined in several files (${duplicate.paths.map((p) => vscode.workspace.asRelativePath(p)).join(', ')}). Rename or delete one.`,
      );
    const { groups } = ws.usableDocuments(workspace);
    const missing = [...new Set(plan.waves.flatMap((wave) => wave.protectionGroups ?? []))].filter(
      (group) => !groups.some((g) => g.name === group),
    );
    const broken = workspace.groups.filter((g) => !g.result.document);
    if (missing.length && broken.length) {
      const first = broken[0];
      const error = first.result.diagnostics.find((d) => d.severity === 'error');
      throw new UserError(
        `Plan "${plan.name}" uses protection group(s) ${missing.map((m) => `"${m}"`).join(', ')}, which are not usable: ${broken.length} protection-group file(s) have errors, e.g. ${vscode.workspace.asRelativePath(first.path)}${error?.start ? `:${error.start.line}:${error.start.column}` : ''}: ${error?.message ?? 'errors'}. Fix them, then try again.`,
        [{ title: 'Open file', run: () => openAt(first.path, error?.start) }],
      );
    }
    return { root: root!, file, plan, groups, workspace };
  }

  /** "x has 2 errors; the first at 6:16: …" with an Open action. */
  fileErrors(file: DrFile): UserError {
    const errors = file.result.diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0];
    return new UserError(
      `${basename(file.path)} has ${errors.length} error${errors.length === 1 ? '' : 's'} and cannot be used; the file is left as it is. ${first?.start ? `Line ${first.start.line}, column ${first.start.column}: ` : ''}${first?.message ?? ''}`.trim(),
      [{ title: 'Open file', run: () => openAt(file.path, first?.start) }],
    );
  }

  /** Records a followed Step Functions run's state (the follower's snapshot) for the views that show runs. */
  publishStepFunctionsRun(state: RunState): void {
    this.stepFunctionsRuns.set(state.runId, state);
    this.stepFunctionsEmitter.fire(state);
  }

  dispose(): void {
    this.disposed = true;
    this.managerInstance?.dispose();
    this.managerEmitter.dispose();
    this.stepFunctionsEmitter.dispose();
  }
}

function pathOf(arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (arg && typeof arg === 'object' && typeof (arg as { fsPath?: unknown }).fsPath === 'string')
    return (arg as { fsPath: string }).fsPath;
  if (typeof arg === 'string' && (/[\\/]/.test(arg) || /\.ya?ml$/i.test(arg))) return arg;
  return undefined;
}

export async function openAt(path: string, position?: { line: number; column: number }): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(path));
  const at = position
    ? new vscode.Position(Math.max(0, position.line - 1), Math.max(0, position.column - 1))
    : undefined;
  await vscode.window.showTextDocument(document, at ? { selection: new vscode.Range(at, at) } : {});
}
