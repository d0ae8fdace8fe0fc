import { userInfo } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ApprovalDecision, ApprovalProvider, ApprovalRequest } from '../../core/guardrails/approval';
import type { PolicyProblem } from '../../core/guardrails/policy';
import type { OperationRunner } from '../../core/operations/runner';
import type { PilotLightContext } from './pilotLightContext';

const GUARDRAILS_SECTION = 'pilotLight.guardrails';
const AUDIT_PATH_SETTING = 'pilotLight.audit.path';

/** The modal approval: names account, region, environment and resources, and asks for the environment name. */
export class ModalApprovalProvider implements ApprovalProvider {
  readonly id = 'vscode-modal';
  readonly kind = 'interactive' as const;

  async requestApproval(request: ApprovalRequest): Promise<ApprovalDecision> {
    const { formatPreview } = await import('../../core/operations/preview');
    const approver = userInfo().username;
    const resources = request.resources.filter((resource) => resource.role !== 'context').map((resource) => resource.id);
    const action = request.level === 'approve' ? 'Approve…' : 'Confirm';
    const choice = await vscode.window.showWarningMessage(
      `${request.operationTitle} in ${request.environments.join(', ') || 'an unknown environment'}`,
      {
        modal: true,
        detail: [
          `Account ${request.account} · region ${request.region} · environment ${request.environments.join(', ') || 'unknown'}`,
          `Resources: ${resources.join(', ') || '(none yet)'}`,
          ...request.reasons,
          '',
          formatPreview(request.preview),
        ].join('\n'),
      },
      action,
    );
    if (choice !== action) return { approved: false, reason: 'Dismissed in the approval dialog.', approver };
    if (request.level !== 'approve') return { approved: true, approver };
    const required = request.requiredConfirmation ?? '';
    const typed = await vscode.window.showInputBox({
      title: `Approve in ${required}`,
      prompt: `Type "${required}" to approve ${request.operationTitle.toLowerCase()} on ${resources.join(', ') || 'these resources'}.`,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() === required ? undefined : `Type "${required}" exactly.`),
    });
    if (typed === undefined) return { approved: false, reason: 'The typed confirmation was cancelled.', approver };
    return { approved: true, approver, typedConfirmation: typed.trim() };
  }
}

/**
 * The one OperationRunner every caller shares (explorer, commands, chat, LM tools, DR runs): policy from user
 * settings, tightened by workspace settings and `.pilotlight/guardrails.json`; audit trail in global storage
 * unless `pilotLight.audit.path` says otherwise. Rebuilt when the connection or the policy sources change.
 */
export class SafetyServices implements vscode.Disposable {
  private runnerPromise?: Promise<OperationRunner>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('pilot-light-guardrails');
  /** Replaces the modal approval, e.g. for tests or an external ticketing approval. */
  approvalOverride?: ApprovalProvider;
  private readonly modal = new ModalApprovalProvider();

  constructor(private readonly ctx: PilotLightContext) {
    const invalidate = () => (this.runnerPromise = undefined);
    const watcher = vscode.workspace.createFileSystemWatcher('**/.pilotlight/guardrails.json');
    this.subscriptions.push(
      this.diagnostics,
      watcher,
      watcher.onDidChange(invalidate),
      watcher.onDidCreate(invalidate),
      watcher.onDidDelete(invalidate),
      ctx.onDidChangeConnection(invalidate),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(GUARDRAILS_SECTION) || event.affectsConfiguration(AUDIT_PATH_SETTING)) invalidate();
      }),
    );
  }

  approvalProvider(): ApprovalProvider {
    return this.approvalOverride ?? this.modal;
  }

  auditPath(): string {
    const configured = vscode.workspace.getConfiguration().get<string>(AUDIT_PATH_SETTING)?.trim();
    return configured || join(this.ctx.extension.globalStorageUri.fsPath, 'audit', 'audit.jsonl');
  }

  runner(): Promise<OperationRunner> {
    this.runnerPromise ??= this.createRunner();
    this.runnerPromise.catch(() => (this.runnerPromise = undefined));
    return this.runnerPromise;
  }

  private async createRunner(): Promise<OperationRunner> {
    const [{ OperationRunner }, { createOperationRegistry }, { AuditTrail }, policyModule] = await Promise.all([
      import('../../core/operations/runner'),
      import('../../core/operations/builtinOperations'),
      import('../../core/audit/auditTrail'),
      import('../../core/guardrails/policy'),
    ]);
    const inspected = vscode.workspace.getConfiguration().inspect<object>(GUARDRAILS_SECTION);
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const workspaceFile = root ? await policyModule.readWorkspaceGuardrailsFile(root) : undefined;
    // User settings may loosen the defaults; anything that came with the workspace may only tighten them.
    const loaded = policyModule.resolveGuardrailPolicy({ settings: inspected?.globalValue, workspaceFile });
    let policy = loaded.policy;
    const problems: PolicyProblem[] = [...loaded.problems];
    const workspaceSettings = inspected?.workspaceFolderValue ?? inspected?.workspaceValue;
    if (workspaceSettings) {
      const parsed = policyModule.parseGuardrailsFile(JSON.stringify(workspaceSettings), 'workspace settings (pilotLight.guardrails)');
      problems.push(...parsed.problems);
      if (parsed.value) policy = policyModule.tightenPolicy(policy, parsed.value, 'workspace settings');
    }
    this.reportProblems(problems, policyModule.formatPolicyProblem);
    const connection = await this.ctx.connection();
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
