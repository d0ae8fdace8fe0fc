import type { ApprovalLevel, Caller } from '../operations/types';
import type { OperationPreview, PreviewResource } from '../operations/preview';
import { isExternalSystem, type ApprovalRequirement } from './approvalPolicy';

export type { ApprovalLevel } from '../operations/types';

export interface ApprovalRequest {
  correlationId: string;
  operationId: string;
  operationTitle: string;
  caller: Caller;
  level: ApprovalLevel;
  account: string;
  region: string;
  environments: string[];
  protectedEnvironments: string[];
  resources: PreviewResource[];
  /** Why this needs approval, in plain words. */
  reasons: string[];
  /** For level `approve`: the text the person must type (the environment name). */
  requiredConfirmation?: string;
  /** The dry-run preview: what would change, where, and at what cost. */
  preview: OperationPreview;
  /** Set when approval rules govern the change: an external system needs an approved ticket as `reference`. */
  requirement?: ApprovalRequirement;
}

export type ApprovalDecision =
  | {
      approved: true;
      /** Who approved (a user name, a ticket assignee). */
      approver: string;
      /** What the person typed; checked against `requiredConfirmation` for interactive providers. */
      typedConfirmation?: string;
      /** An external reference, e.g. a change ticket. */
      reference?: string;
    }
  | { approved: false; reason: string; approver?: string };

/**
 * Asks someone (a modal dialog, a ticketing system) to approve a change. The runner calls it only after all
 * other guardrails pass, audits the answer, and treats an error or a timeout as a refusal.
 */
export interface ApprovalProvider {
  /** Recorded in the audit trail, e.g. "vscode-modal" or "servicenow". */
  readonly id: string;
  /** Interactive providers must echo the typed environment name; external ones vouch with a reference. */
  readonly kind: 'interactive' | 'external';
  requestApproval(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalDecision>;
}

/** Checks an approval decision the way the runner does; exported for adapters that want the same rule. */
export function confirmationMatches(
  request: ApprovalRequest,
  provider: ApprovalProvider,
  decision: ApprovalDecision,
): boolean {
  if (!decision.approved || !decision.approver?.trim()) return false;
  if (request.level !== 'approve') return true;
  // A rule that names jira or servicenow needs the approved ticket, whoever else confirms.
  if (request.requirement && isExternalSystem(request.requirement.system) && !decision.reference?.trim()) return false;
  // An external approval must point at its record (a ticket); an interactive one must echo the typed name.
  if (provider.kind === 'external') return Boolean(decision.reference?.trim());
  return (decision.typedConfirmation ?? '').trim() === (request.requiredConfirmation ?? '').trim();
}
