import * as vscode from 'vscode';
import type { RunOutcome } from '../../core/operations/runner';
import type { ChangeSteps } from '../../core/runtime/changeFlow';
import { externalApprovalHandler } from './externalApprovals';
import type { OperationService } from './operationService';

export type InteractiveCaller = 'explorer' | 'command' | 'chat';

export interface InteractiveRunRequest {
  operationId: string;
  input: unknown;
  caller: InteractiveCaller;
  region?: string;
  /** The profile whose account the operation runs in (a resource of another profile the explorer shows); default: the active one. */
  profile?: string;
  /** Shown in progress and result messages, e.g. "Stop web-1". */
  title?: string;
}

/** What the command returns (also to tests): the outcome without the operation's output. */
export interface InteractiveRunResult {
  /** `pending-approval`: a change ticket was opened; nothing runs until it is approved and confirmed again. */
  status: RunOutcome['status'] | 'cancelled' | 'pending-approval';
  operationId: string;
  correlationId?: string;
  message: string;
  refusal?: RunOutcome['refusal'];
  error?: RunOutcome['error'];
  resourceIds: string[];
  backups: RunOutcome['backups'];
}

export const PREVIEW_SCHEME = 'pilot-light-preview';

/** Read-only documents holding dry-run previews, opened from "Show Preview". */
export class PreviewDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private counter = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'This preview is no longer available.';
  }

  async show(title: string, text: string): Promise<void> {
    const uri = vscode.Uri.from({
      scheme: PREVIEW_SCHEME,
      path: `/${++this.counter}/${title.replace(/[^\w.-]+/g, '-').slice(0, 60) || 'preview'}.txt`,
    });
    this.texts.set(uri.toString(), text);
    if (this.texts.size > 50) this.texts.delete(this.texts.keys().next().value!);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
  }
}

let previewDocuments: PreviewDocuments | undefined;

export function registerPreviewDocuments(context: vscode.ExtensionContext): PreviewDocuments {
  if (!previewDocuments) {
    previewDocuments = new PreviewDocuments();
    context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, previewDocuments));
  }
  return previewDocuments;
}

function result(
  outcome: RunOutcome,
  message: string,
  status: InteractiveRunResult['status'] = outcome.status,
): InteractiveRunResult {
  return {
    status,
    operationId: outcome.operationId,
    correlationId: outcome.correlationId,
    message,
    refusal: outcome.refusal,
    error: outcome.error,
    resourceIds: outcome.resourceIds,
    backups: outcome.backups,
  };
}

/**
 * The interactive path for menus, the command palette and chat buttons: the core change flow (dry-run,
 * then the confirmation of a change the policy lets through, then the change; approvals the policy requires
 * are asked by the runtime's provider) with progress notifications and the result as a message.
 */
export async function runInteractively(
  service: OperationService,
  request: InteractiveRunRequest,
): Promise<InteractiveRunResult> {
  const [{ formatPreview }, { describeProblem, dryRunThenExecute }] = await Promise.all([
    import('../../core/operations/preview'),
    import('../../core/runtime/changeFlow'),
  ]);
  const title = request.title ?? request.operationId;
  const withProgress: ChangeSteps = {
    run: async (operationId, input, options) =>
      await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: options.mode === 'dry-run' ? `Pilot Light: checking "${title}"…` : `Pilot Light: ${title}…`,
        },
        () => service.run(operationId, input, options),
      ),
    recordDeclined: (dryRun, input, decision, profile) => service.recordDeclined(dryRun, input, decision, profile),
  };
  const confirm = (preview: Parameters<typeof service.confirm>[0]) => service.confirm(preview, request.caller);
  const approvals = externalApprovalHandler();
  let begun: Awaited<ReturnType<NonNullable<typeof approvals>['begin']>>;
  try {
    begun = approvals
      ? await approvals.begin(withProgress, request, confirm)
      : await dryRunThenExecute(withProgress, request, confirm);
  } catch (error) {
    // Opening the change ticket failed (not signed in, unreachable): nothing ran.
    const message = `${title}: the approval could not be requested, nothing was changed: ${(error as Error).message}`;
    void vscode.window.showErrorMessage(message);
    return { status: 'failed', operationId: request.operationId, message, resourceIds: [], backups: [] };
  }
  if (begun.status === 'pending') {
    const message = `${title}: ${approvals!.describe(begun)}`;
    void vscode.window
      .showInformationMessage(message, 'Open Ticket')
      .then(
        (choice) =>
          choice &&
          vscode.env.openExternal(vscode.Uri.parse(begun.status === 'pending' ? begun.request.ticket.url : '')),
      );
    return { ...result(begun.dryRun, message), status: 'pending-approval' };
  }
  const change = begun;
  const { outcome } = change;
  switch (change.stage) {
    case 'dry-run': {
      const message = `${title}: ${describeProblem(outcome)}`;
      void vscode.window.showErrorMessage(message);
      return result(outcome, message);
    }
    case 'guardrails': {
      const preview = change.preview!;
      const message = `${title} would be refused: ${preview.guardrails.refusals.map((refusal) => refusal.message).join(' ')}`;
      void vscode.window
        .showWarningMessage(message, 'Show Preview')
        .then((choice) => choice && previewDocuments?.show(title, formatPreview(preview)));
      return { ...result(outcome, message, 'refused'), refusal: preview.guardrails.refusals[0] };
    }
    case 'confirm': {
      const message = `${title}: cancelled, nothing was changed.`;
      void vscode.window.showInformationMessage(message);
      return result(outcome, message, 'cancelled');
    }
  }
  if (outcome.status === 'succeeded') {
    const backups = outcome.backups.length
      ? ` Backups: ${outcome.backups.map((backup) => `${backup.kind} ${backup.id}`).join(', ')}.`
      : '';
    const message = `${title}: done.${backups}`;
    void vscode.window.showInformationMessage(message);
    return result(outcome, message);
  }
  const message = `${title}: ${describeProblem(outcome)}`;
  if (outcome.status === 'refused') void vscode.window.showWarningMessage(message);
  else void vscode.window.showErrorMessage(message);
  return result(outcome, message);
}
