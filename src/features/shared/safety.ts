import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ApprovalProvider } from '../../core/guardrails/approval';
import type { LoadedPolicy, PolicyProblem } from '../../core/guardrails/policy';
import type { OperationRunner } from '../../core/operations/runner';
import { ModalApprovalProvider } from './modalApprovalProvider';
import type { PilotLightContext } from './pilotLightContext';

const GUARDRAILS_SECTION = 'pilotLight.guardrails';
const AUDIT_PATH_SETTING = 'pilotLight.audit.path';

export { ModalApprovalProvider };

/** Whether VS Code runs the extension for its own tests (the only mode in which approvals may be replaced). */
export function isTestMode(context: vscode.ExtensionContext): boolean {
  return context.extensionMode !== undefined && vscode.ExtensionMode?.Test !== undefined && context.extensionMode === vscode.ExtensionMode.Test;
}

/**
 * The one OperationRunner every caller shares (explorer, commands, chat, LM tools, DR runs): policy from user
 * settings (`pilotLight.guardrails.*`), tightened by workspace settings and every workspace folder's
 * `.pilotlight/guardrails.json`; audit trail in global storage unless the user's `pilotLight.audit.path`
 * says otherwise. Rebuilt when the connection or the policy sources change.
 */
export class SafetyServices implements vscode.Disposable {
  private runnerPromise?: Promise<OperationRunner>;
  /** Runners for profiles shown beside the active one; same policy, approvals and audit trail. */
  private readonly otherRunners = new Map<string, Promise<OperationRunner>>();
  private policyPromise?: Promise<LoadedPolicy>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('pilot-light-guardrails');
  private override?: ApprovalProvider;
  private readonly modal = new ModalApprovalProvider();
  private readonly policyEmitter = new vscode.EventEmitter<LoadedPolicy>();
  /** Fires when the policy was (re)loaded, with its problems. */
  readonly onDidLoadPolicy = this.policyEmitter.event;

  constructor(private readonly ctx: PilotLightContext) {
    const invalidate = () => {
      this.dropRunners();
      const hadPolicy = Boolean(this.policyPromise);
      this.policyPromise = undefined;
      // Keep the Problems view current once the policy has been read.
      if (hadPolicy) void this.loadPolicy().catch(() => undefined);
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
      ctx.onDidChangeConnection(() => this.dropRunners()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(GUARDRAILS_SECTION)) invalidate();
        else if (event.affectsConfiguration(AUDIT_PATH_SETTING)) this.dropRunners();
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
    if (provider && !isTestMode(this.ctx.extension)) throw new Error('The approval provider can only be replaced in the extension\'s own tests.');
    this.override = provider;
  }

  approvalProvider(): ApprovalProvider {
    return this.override ?? this.modal;
  }

  /** The audit trail file: the user's setting (the setting is application-scoped), else global storage. */
  auditPath(): string {
    const configured = vscode.workspace.getConfiguration().inspect<string>(AUDIT_PATH_SETTING)?.globalValue?.trim();
    if (configured) return configured.replace(/^~(?=$|[\\/])/, process.env.HOME ?? process.env.USERPROFILE ?? '~');
    return join(this.ctx.extension.globalStorageUri.fsPath, 'audit', 'audit.jsonl');
  }

  /**
   * The runner for the active profile, or for another profile the explorer shows (its resources' actions
   * must reach that profile's account, never the active one).
   */
  async runner(profile?: string): Promise<OperationRunner> {
    if (profile && profile !== (await this.ctx.connection().then((connection) => connection.profileName, () => undefined))) {
      let runner = this.otherRunners.get(profile);
      if (!runner) {
        runner = this.createRunner(profile);
        this.otherRunners.set(profile, runner);
        runner.catch(() => this.otherRunners.get(profile) === runner && this.otherRunners.delete(profile));
      }
      return runner;
    }
    this.runnerPromise ??= this.createRunner();
    this.runnerPromise.catch(() => (this.runnerPromise = undefined));
    return this.runnerPromise;
  }

  private dropRunners(): void {
    this.runnerPromise = undefined;
    this.otherRunners.clear();
  }

  /** The policy in force and its problems (read once per change of its sources, or again when `reread`); reports problems as diagnostics. */
  loadPolicy(reread = false): Promise<LoadedPolicy> {
    if (reread) {
      this.policyPromise = undefined;
      this.dropRunners();
    }
    if (!this.policyPromise) {
      const load = this.readPolicy();
      this.policyPromise = load;
      load.then(
        (loaded) => this.policyPromise === load && this.policyEmitter.fire(loaded),
        () => this.policyPromise === load && (this.policyPromise = undefined),
      );
    }
    return this.policyPromise;
  }

  private async readPolicy(): Promise<LoadedPolicy> {
    const [policyModule, { resolveWorkspacePolicy }] = await Promise.all([import('../../core/guardrails/policy'), import('../../core/settings/guardrailSettings')]);
    const inspected = vscode.workspace.getConfiguration().inspect<object>(GUARDRAILS_SECTION);
    const files: Array<{ path: string; text: string }> = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      try {
        const file = await policyModule.readWorkspaceGuardrailsFile(folder.uri.fsPath);
        if (file) files.push(file);
      } catch (error) {
        this.ctx.log.warn(`Guardrail policy: could not read the file in ${folder.name}: ${(error as Error).message}`);
      }
    }
    // User settings may loosen the defaults; anything that came with the workspace may only tighten them.
    const loaded = resolveWorkspacePolicy(inspected?.globalValue, files);
    const workspaceSettings = inspected?.workspaceFolderValue ?? inspected?.workspaceValue;
    if (workspaceSettings) {
      const parsed = policyModule.parseGuardrailsFile(JSON.stringify(workspaceSettings), 'workspace settings (pilotLight.guardrails)');
      loaded.problems.push(...parsed.problems);
      if (parsed.value) {
        loaded.policy = policyModule.tightenPolicy(loaded.policy, parsed.value, 'workspace settings');
        loaded.sources.push('workspace settings');
      }
    }
    this.reportProblems(loaded.problems, policyModule.formatPolicyProblem);
    return loaded;
  }

  private async createRunner(profile?: string): Promise<OperationRunner> {
    const [{ OperationRunner }, { createOperationRegistry }, { AuditTrail }, { policy }] = await Promise.all([
      import('../../core/operations/runner'),
      import('../../core/operations/builtinOperations'),
      import('../../core/audit/auditTrail'),
      this.loadPolicy(),
    ]);
    const connection = await this.ctx.connectionFor(profile);
    return new OperationRunner({
      registry: createOperationRegistry(),
      connection,
      policy,
      audit: new AuditTrail(this.auditPath()),
      logger: { info: (message) => this.ctx.log.info(message), warn: (message) => this.ctx.log.warn(message), error: (message) => this.ctx.log.error(message) },
    });
  }

  private reportProblems(problems: PolicyProblem[], format: (problem: PolicyProblem) => string): void {
    this.diagnostics.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const problem of problems) {
      this.ctx.log.warn(`Guardrail policy: ${format(problem)} (the safe default stays in force)`);
      if (!problem.source.endsWith('.json')) continue;
      const line = Math.max(0, (problem.line ?? 1) - 1);
      const column = Math.max(0, (problem.column ?? 1) - 1);
      const diagnostic = new vscode.Diagnostic(new vscode.Range(line, column, line, column + 1), `${problem.field ? `${problem.field}: ` : ''}${problem.message} The safe default stays in force.`, problem.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      diagnostic.source = 'Pilot Light guardrails';
      byFile.set(problem.source, [...(byFile.get(problem.source) ?? []), diagnostic]);
    }
    for (const [file, diagnostics] of byFile) this.diagnostics.set(vscode.Uri.file(file), diagnostics);
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}
