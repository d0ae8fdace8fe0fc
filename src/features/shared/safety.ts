import { join } from 'node:path';
import * as vscode from 'vscode';
import type { AgentApprovals } from '../../core/approvals/agentApprovals';
import type { AwsConnection } from '../../core/aws/connection';
import type { ApprovalProvider } from '../../core/guardrails/approval';
import type { LoadedPolicy, PolicyProblem } from '../../core/guardrails/policy';
import type { OperationRunner } from '../../core/operations/runner';
import type { Runtime } from '../../core/runtime';
import { ModalApprovalProvider } from './modalApprovalProvider';

const GUARDRAILS_SECTION = 'pilotLight.guardrails';
const AUDIT_PATH_SETTING = 'pilotLight.audit.path';

export { ModalApprovalProvider };

/** Whether VS Code runs the extension for its own tests (the only mode in which approvals may be replaced). */
export function isTestMode(context: vscode.ExtensionContext): boolean {
  return (
    context.extensionMode !== undefined &&
    vscode.ExtensionMode?.Test !== undefined &&
    context.extensionMode === vscode.ExtensionMode.Test
  );
}

/** What the safety services need from the extension's shared context (PilotLightContext provides it). */
export interface SafetyHost {
  readonly extension: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly onDidChangeConnection: vscode.Event<void>;
  connection(): Promise<AwsConnection>;
  connectionFor(profile: string | undefined): Promise<AwsConnection>;
}

/**
 * The editor's adapter to the core runtime (src/core/runtime), which every caller shares (explorer,
 * commands, chat, LM tools, DR runs): it reads the policy sources — user settings (`pilotLight.guardrails.*`),
 * workspace settings and every workspace folder's `.pilotlight/guardrails.json` — and the audit path (global
 * storage unless the user's `pilotLight.audit.path` says otherwise), reports policy problems as diagnostics,
 * and builds a new runtime when a source changes (new runners when the connection changes).
 */
export class SafetyServices implements vscode.Disposable {
  private runtimePromise?: Promise<Runtime>;
  private currentRuntime?: Runtime;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('pilot-light-guardrails');
  private override?: ApprovalProvider;
  private readonly modal = new ModalApprovalProvider();
  private readonly policyEmitter = new vscode.EventEmitter<LoadedPolicy>();
  /** Fires when the policy was (re)loaded, with its problems. */
  readonly onDidLoadPolicy = this.policyEmitter.event;

  constructor(private readonly ctx: SafetyHost) {
    const invalidate = () => {
      const hadRuntime = Boolean(this.runtimePromise);
      this.dropRuntime();
      // Keep the Problems view current once the policy has been read.
      if (hadRuntime) void this.loadPolicy().catch(() => undefined);
    };
    const watcher = vscode.workspace.createFileSystemWatcher('**/.pilotlight/guardrails.json');
    this.subscriptions.push(
      this.diagnostics,
      this.policyEmitter,
      watcher,
      watcher.onDidChange(invalidate),
      watcher.onDidCreate(invalidate),
      watcher.onDidDelete(invalidate),
      vscode.workspace.onDidChangeWorkspaceFolders(invalidate),
      ctx.onDidChangeConnection(() => this.currentRuntime?.dropRunners()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(GUARDRAILS_SECTION)) invalidate();
        else if (event.affectsConfiguration(AUDIT_PATH_SETTING)) this.dropRuntime();
      }),
    );
  }

  /**
   * Replaces the modal approval. Only the extension's own tests may do this: everything the API hands to
   * other extensions must not be able to approve changes for the user.
   */
  get approvalOverride(): ApprovalProvider | undefined {
    return this.override;
  }

  set approvalOverride(provider: ApprovalProvider | undefined) {
    if (provider && !isTestMode(this.ctx.extension))
      throw new Error("The approval provider can only be replaced in the extension's own tests.");
    this.override = provider;
  }

  /**
   * Set by the approvals feature: wraps the provider the runtime asks, so a change an approval rule sends to
   * Jira or ServiceNow needs an approved ticket. Callers that pass `approvalProvider()` to a runner themselves
   * get it unwrapped, and such changes are refused there (no ticket reference).
   */
  approvalGate?: (inner: ApprovalProvider) => ApprovalProvider;
  /** Set by the approvals feature: agents (MCP, chat tools) open change tickets and read where they stand. */
  agentApprovals?: AgentApprovals;

  approvalProvider(): ApprovalProvider {
    return this.override ?? this.modal;
  }

  /** The audit trail file: the user's setting (the setting is application-scoped), else global storage. */
  auditPath(): string {
    const configured = vscode.workspace.getConfiguration().inspect<string>(AUDIT_PATH_SETTING)?.globalValue?.trim();
    if (configured) return configured.replace(/^~(?=$|[\\/])/, process.env.HOME ?? process.env.USERPROFILE ?? '~');
    return join(this.ctx.extension.globalStorageUri.fsPath, 'audit', 'audit.jsonl');
  }

  /** The core runtime for the current policy sources (built once per change of its sources, or again when `reread`). */
  runtime(reread = false): Promise<Runtime> {
    if (reread) this.dropRuntime();
    if (!this.runtimePromise) {
      const build = this.buildRuntime();
      this.runtimePromise = build;
      build.then(
        (runtime) => {
          if (this.runtimePromise !== build) return;
          this.currentRuntime = runtime;
          this.policyEmitter.fire(runtime.loaded);
        },
        () => this.runtimePromise === build && (this.runtimePromise = undefined),
      );
    }
    return this.runtimePromise;
  }

  /**
   * The runner for the active profile, or for another profile the explorer shows (its resources' actions
   * must reach that profile's account, never the active one).
   */
  async runner(profile?: string): Promise<OperationRunner> {
    return (await this.runtime()).runner(profile);
  }

  /** The policy in force and its problems; reports problems as diagnostics. */
  async loadPolicy(reread = false): Promise<LoadedPolicy> {
    return (await this.runtime(reread)).loaded;
  }

  private dropRuntime(): void {
    this.runtimePromise = undefined;
    this.currentRuntime = undefined;
  }

  private async buildRuntime(): Promise<Runtime> {
    const { createRuntime, formatPolicyProblem, readPolicyFiles } = await import('../../core/runtime');
    const inspected = vscode.workspace.getConfiguration().inspect<object>(GUARDRAILS_SECTION);
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file');
    const policyFiles = await readPolicyFiles(
      folders.map((folder) => folder.uri.fsPath),
      (path, error) =>
        this.ctx.log.warn(
          `Guardrail policy: could not read the file in ${folders.find((folder) => folder.uri.fsPath === path)?.name ?? path}: ${error.message}`,
        ),
    );
    const runtime = createRuntime({
      // User settings may loosen the defaults; anything that came with the workspace may only tighten them.
      settings: inspected?.globalValue,
      workspaceSettings: inspected?.workspaceFolderValue ?? inspected?.workspaceValue,
      policyFiles,
      auditPath: this.auditPath(),
      approvalProvider: () =>
        this.approvalGate ? this.approvalGate(this.approvalProvider()) : this.approvalProvider(),
      connection: (profile) => this.ctx.connectionFor(profile),
      accountAliases: true,
      defaultProfile: () =>
        this.ctx.connection().then(
          (connection) => connection.profileName,
          () => undefined,
        ),
      logger: {
        info: (message) => this.ctx.log.info(message),
        warn: (message) => this.ctx.log.warn(message),
        error: (message) => this.ctx.log.error(message),
      },
    });
    this.reportProblems(runtime.problems, formatPolicyProblem);
    return runtime;
  }

  private reportProblems(problems: PolicyProblem[], format: (problem: PolicyProblem) => string): void {
    this.diagnostics.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const problem of problems) {
      this.ctx.log.warn(`Guardrail policy: ${format(problem)} (the safe default stays in force)`);
      if (!problem.source.endsWith('.json')) continue;
      const line = Math.max(0, (problem.line ?? 1) - 1);
      const column = Math.max(0, (problem.column ?? 1) - 1);
      const diagnostic = new vscode.Diagnostic(
        new vscode.Range(line, column, line, column + 1),
        `${problem.field ? `${problem.field}: ` : ''}${problem.message} The safe default stays in force.`,
        problem.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
      );
      diagnostic.source = 'Pilot Light guardrails';
      byFile.set(problem.source, [...(byFile.get(problem.source) ?? []), diagnostic]);
    }
    for (const [file, diagnostics] of byFile) this.diagnostics.set(vscode.Uri.file(file), diagnostics);
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}
