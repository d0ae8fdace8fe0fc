import type { ApprovalRequirement } from '../guardrails/approvalPolicy';
import type { OperationPreview } from '../operations/preview';
import type { Caller } from '../operations/types';

export type TicketSystemId = 'jira' | 'servicenow';

/** A change ticket as the pending store keeps it. */
export interface TicketRef {
  system: TicketSystemId;
  /** The human key: a Jira issue key ("OPS-12") or a ServiceNow change number ("CHG0030001"). */
  key: string;
  /** The system's own ID (Jira issue ID, ServiceNow sys_id). */
  id: string;
  /** A browser link to the ticket. */
  url: string;
  /** The account that created the ticket (Jira accountId, ServiceNow sys_id): it never counts as an approver. */
  requester: string;
}

/** A person who acted on the ticket. */
export interface TicketActor {
  /** Stable ID: Jira accountId, ServiceNow sys_id. */
  id: string;
  /** What the approver rules may name: the ID, e-mail, user name, display name. */
  names: string[];
  display: string;
}

export type TicketState = 'pending' | 'approved' | 'rejected' | 'cancelled';

/** What a ticket says now. */
export interface TicketStatus {
  state: TicketState;
  /** The ticket's own status wording, e.g. "Waiting for approval" or "approval=requested, state=Authorize". */
  status: string;
  /** Everyone who approved (transitioned to an approved status, or an approved sys_approval_approver). */
  approvers: TicketActor[];
  /** Who rejected or cancelled it, when known. */
  decidedBy?: TicketActor;
}

/** What the ticket is opened with: the dry-run preview, who asked, and what the policy requires. */
export interface TicketDraft {
  summary: string;
  preview: OperationPreview;
  caller: Caller;
  requirement: ApprovalRequirement;
  /** A short label for the person who asked (never a credential). */
  requestedBy: string;
}

/** One ticketing system (Jira, ServiceNow). Every call may throw an ApprovalSystemError. */
export interface TicketSystem {
  readonly id: TicketSystemId;
  open(draft: TicketDraft, signal?: AbortSignal): Promise<TicketRef>;
  status(ticket: TicketRef, signal?: AbortSignal): Promise<TicketStatus>;
  /** Withdraws the request: a comment, and the ticket cancelled where the system allows it. */
  withdraw(ticket: TicketRef, reason: string, signal?: AbortSignal): Promise<void>;
  /** Whether the actor belongs to a group the approver rules name. */
  isMember(actor: TicketActor, group: string, signal?: AbortSignal): Promise<boolean>;
}

export type ApprovalErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'throttled'
  | 'malformed'
  | 'rejected-input'
  | 'insecure-url'
  | 'server'
  | 'network';

/** A failure talking to a ticketing system, with a sentence that says what to do. */
export class ApprovalSystemError extends Error {
  constructor(
    readonly kind: ApprovalErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ApprovalSystemError';
  }
}

/** Where a pending request stands. */
export type PendingState =
  | 'pending'
  | 'approved'
  | 'rejected'
  | 'cancelled'
  | 'timed-out'
  | 'withdrawn'
  | 'self-approved'
  | 'deleted'
  | 'executed'
  | 'failed';

export const FINAL_STATES: ReadonlySet<PendingState> = new Set([
  'rejected',
  'cancelled',
  'timed-out',
  'withdrawn',
  'self-approved',
  'deleted',
  'executed',
  'failed',
]);

/** One change waiting for (or past) an external approval, as persisted. */
export interface PendingApproval {
  /** Local ID (the dry-run's correlation ID). */
  id: string;
  ticket: TicketRef;
  operationId: string;
  /** The input, secrets redacted; the change re-runs with it after approval. */
  input: unknown;
  caller: Caller;
  profile?: string;
  region: string;
  account: string;
  environments: string[];
  resourceIds: string[];
  summary: string;
  requirement: ApprovalRequirement;
  createdAt: string;
  deadline: string;
  state: PendingState;
  /** The ticket's own status wording at the last poll. */
  ticketStatus?: string;
  /** Display names of the qualifying approvers so far. */
  approvers: string[];
  /** Why it ended (rejected by, timed out, …). */
  reason?: string;
  lastPolledAt?: string;
  /** Polls so far: the backoff schedule's position. */
  polls: number;
  /** The last poll's error, if it failed (the request stays pending until its deadline). */
  lastError?: string;
}
