import { userInfo } from 'node:os';
import * as vscode from 'vscode';
import type { ApprovalDecision, ApprovalProvider, ApprovalRequest } from '../../core/guardrails/approval';

/** Who approved, as far as the editor knows: the OS user. */
export function approverName(): string {
  try {
    return userInfo().username || 'vscode-user';
  } catch {
    return 'vscode-user';
  }
}

function resourceLines(request: ApprovalRequest): string[] {
  return request.resources
    .filter((resource) => resource.role === 'target')
    .map(
      (resource) =>
        `• ${resource.action} ${resource.type} ${resource.id}${resource.name && resource.name !== resource.id ? ` (${resource.name})` : ''} [${resource.environment}${resource.protected ? ', protected' : ''}]`,
    );
}

/** The plain-text body of an approval or confirmation dialog. Modal dialogs render no markdown. */
export async function approvalDetail(request: ApprovalRequest): Promise<string> {
  const { accountText, formatPreview } = await import('../../core/operations/preview');
  const environments = request.environments.join(', ') || 'unknown';
  return [
    `Account ${accountText({ ...request.preview, account: request.account })} · Region ${request.region} · Environment ${environments}${request.protectedEnvironments.length ? ' (protected)' : ''}`,
    `Requested by: ${request.caller}`,
    '',
    'Resources:',
    ...resourceLines(request),
    '',
    `Why ${request.level === 'approve' ? 'an approval' : 'a confirmation'} is needed: ${request.reasons.join(' ')}`,
    '',
    formatPreview(request.preview),
  ].join('\n');
}

/**
 * The VS Code approval provider. In a protected environment: a modal that names account, region,
 * environment and resources, then an input box where the environment name must be typed. Elsewhere
 * (e.g. deletes): a modal confirmation that shows the dry-run preview.
 */
export class ModalApprovalProvider implements ApprovalProvider {
  readonly id = 'vscode-modal';
  readonly kind = 'interactive' as const;

  async requestApproval(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalDecision> {
    const detail = await approvalDetail(request);
    if (signal.aborted) return { approved: false, reason: 'The approval request was cancelled.' };
    if (request.level === 'approve') {
      const required = request.requiredConfirmation ?? request.protectedEnvironments.join(', ');
      const proceed = 'Approve…';
      const choice = await vscode.window.showWarningMessage(
        `Approval required: ${request.preview.summary} in ${required} (account ${request.account})`,
        { modal: true, detail },
        proceed,
      );
      if (choice !== proceed || signal.aborted)
        return { approved: false, reason: 'The approval dialog was dismissed.' };
      const typed = await vscode.window.showInputBox({
        title: `Approve: ${request.preview.summary}`,
        prompt: `Type "${required}" to approve this change in account ${request.preview.accountName ?? request.preview.accountAlias ?? ''}${request.preview.accountName || request.preview.accountAlias ? ' ' : ''}${request.account}, region ${request.region}. Press Escape to cancel.`,
        placeHolder: required,
        ignoreFocusOut: true,
        validateInput: (value) =>
          value.trim() === required ? undefined : `Type "${required}" exactly to approve, or press Escape to cancel.`,
      });
      if (typed === undefined || signal.aborted)
        return { approved: false, reason: 'The typed confirmation was cancelled.' };
      return { approved: true, approver: approverName(), typedConfirmation: typed.trim() };
    }
    const button = request.preview.destructive || request.preview.kind === 'delete' ? 'Delete' : 'Run';
    const choice = await vscode.window.showWarningMessage(
      `${request.preview.summary}?`,
      { modal: true, detail },
      button,
    );
    if (choice !== button || signal.aborted) return { approved: false, reason: 'The confirmation was dismissed.' };
    return { approved: true, approver: approverName() };
  }
}
