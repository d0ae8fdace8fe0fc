import type { AuditEntry } from '../audit/types';
import type { ApprovalDecision, ApprovalProvider, ApprovalRequest } from '../guardrails/approval';
import { combineRequirements, isExternalSystem, type ApprovalRequirement } from '../guardrails/approvalPolicy';
import type { OperationPreview } from '../operations/preview';
import type { RunOutcome } from '../operations/runner';
import type { Caller } from '../operations/types';
import { redactSecrets, redactString } from '../audit/redaction';
import type { ChangeRequest, ChangeResult, ChangeSteps, ConfirmChange } from '../runtime/changeFlow';
import { dryRunThenExecute } from '../runtime/changeFlow';
import { abortableSleep } from './http';
import type { PendingApprovalStore } from './store';
import {
  ApprovalSystemError,
  FINAL_STATES,
  type PendingApproval,
  type TicketActor,
  type TicketStatus,
  type TicketSystem,
  type TicketSystemId,
} from './types';

/**
 * The wait between polls of one ticket: 5 s, 10 s, 20 s, 30 s, then every 60 s until the deadline. A poll that
 * failed (throttled, unreachable, signed out) waits the next step of the same schedule.
 */
export const POLL_SCHEDULE_MS: readonly number[] = [5_000, 10_000, 20_000, 30_000, 60_000];

export function pollDelayMs(polls: number, schedule: readonly number[] = POLL_SCHEDULE_MS): number {
  return schedule[Math.min(polls, schedule.length - 1)];
}

export interface AuditSinkLike {
  append(entry: AuditEntry): Promise<unknown>;
}

export interface ApprovalCoordinatorOptions {
  store: PendingApprovalStore;
  /** The configured, signed-in system; throws an actionable error when it is not set up. */
  system(id: TicketSystemId): Promise<TicketSystem>;
  audit: AuditSinkLike;
  clock?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Default POLL_SCHEDULE_MS; tests shorten it. */
  pollScheduleMs?: readonly number[];
  /** Called whenever a request changed (new, polled, decided). */
  onChange?(request: PendingApproval): void;
}

export interface OpenedRequest {
  status: 'pending';
  request: PendingApproval;
  dryRun: RunOutcome;
  preview: OperationPreview;
}

const SELF_APPROVAL = 'The requester approved their own ticket; an approval must come from someone else.';

/**
 * External approvals: opens a change ticket for a previewed change, persists it, polls it with backoff until
 * it is approved, rejected, cancelled, deleted, withdrawn or past its deadline, and audits each decision with
 * the ticket reference. `gate` wraps the editor's approval provider so that a change a rule sends to Jira or
 * ServiceNow runs only with an approved ticket (checked again with the system at that moment, never taken from
 * anything a caller sent) and a fresh confirmation of the fresh dry-run.
 */
export class ApprovalCoordinator {
  private readonly clock: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly options: ApprovalCoordinatorOptions) {
    this.clock = options.clock ?? Date.now;
    this.sleep = options.sleep ?? abortableSleep;
  }

  list(): Promise<PendingApproval[]> {
    return this.options.store.list();
  }

  /**
   * The change flow with external approvals: a dry-run, then — when an approval rule names Jira or ServiceNow —
   * a ticket instead of a confirmation (`pending`); otherwise the ordinary dry-run → confirm → execute.
   */
  async begin(
    steps: ChangeSteps,
    change: ChangeRequest,
    confirm: ConfirmChange,
    requestedBy: string,
  ): Promise<OpenedRequest | ChangeResult> {
    return beginChange(steps, change, confirm, (preview) =>
      this.open(preview, change.input, change.caller, requestedBy, change.profile, change.signal),
    );
  }

  /** Opens the ticket for a previewed change and persists the request. */
  async open(
    preview: OperationPreview,
    input: unknown,
    caller: Caller,
    requestedBy: string,
    profile?: string,
    signal?: AbortSignal,
  ): Promise<PendingApproval> {
    const requirement = preview.guardrails.approval?.requirement;
    if (!requirement || !isExternalSystem(requirement.system))
      throw new Error(
        `No approval rule sends ${preview.operationId} in ${preview.environments.join(', ')} to Jira or ServiceNow.`,
      );
    const system = await this.options.system(requirement.system);
    const ticket = await system.open({ summary: preview.summary, preview, caller, requirement, requestedBy }, signal);
    const now = this.clock();
    const request: PendingApproval = {
      id: preview.correlationId,
      ticket,
      operationId: preview.operationId,
      input: redactSecrets(input),
      caller,
      profile,
      region: preview.region,
      account: preview.account,
      environments: preview.environments,
      resourceIds: targetIds(preview.resources),
      summary: preview.summary,
      requirement,
      createdAt: new Date(now).toISOString(),
      deadline: new Date(now + requirement.timeoutMinutes * 60_000).toISOString(),
      state: 'pending',
      approvers: [],
      polls: 0,
    };
    await this.options.store.put(request);
    await this.record(request, 'dry-run', 'approval-requested');
    this.options.onChange?.(request);
    return request;
  }

  /**
   * Asks the system once where the ticket stands and records the answer. Pending and approved requests are
   * polled (an approved one is checked again before it runs); finished ones are returned as they are.
   */
  async poll(id: string, signal?: AbortSignal, current?: ApprovalRequirement): Promise<PendingApproval> {
    const request = await this.require(id);
    if (FINAL_STATES.has(request.state)) return request;
    const requirement = current ? combineRequirements(request.requirement, current) : request.requirement;
    const now = this.clock();
    let status: TicketStatus;
    try {
      const system = await this.options.system(request.ticket.system);
      status = await system.status(request.ticket, signal);
      const qualified = await this.qualifying(system, request, status, requirement, signal);
      return await this.decide(request, status, qualified, requirement, now);
    } catch (error) {
      if (signal?.aborted) throw error;
      if (error instanceof ApprovalSystemError && error.kind === 'not-found')
        return this.finish(
          request,
          'deleted',
          `Ticket ${request.ticket.key} no longer exists in ${request.ticket.system}: ${error.message}`,
          now,
        );
      if (this.clock() >= Date.parse(request.deadline) && request.state === 'pending')
        return this.finish(
          request,
          'timed-out',
          `No decision on ${request.ticket.key} before its deadline (${request.deadline}); the last poll failed: ${(error as Error).message}`,
          now,
        );
      const updated = await this.options.store.update(id, (entry) => ({
        lastPolledAt: new Date(now).toISOString(),
        polls: entry.polls + 1,
        lastError: redactString((error as Error).message),
      }));
      this.options.onChange?.(updated ?? request);
      return updated ?? request;
    }
  }

  /** Polls with the backoff schedule until the request is no longer pending (or `signal` aborts). */
  async waitForDecision(id: string, signal?: AbortSignal): Promise<PendingApproval> {
    for (;;) {
      const request = await this.poll(id, signal);
      if (request.state !== 'pending') return request;
      const untilDeadline = Date.parse(request.deadline) - this.clock();
      const delay = Math.max(0, Math.min(pollDelayMs(request.polls, this.options.pollScheduleMs), untilDeadline));
      await this.sleep(delay, signal);
    }
  }

  /** Withdraws a request: the ticket gets a comment (and is cancelled where the system allows), nothing runs. */
  async withdraw(id: string, reason = 'withdrawn by the requester'): Promise<PendingApproval> {
    const request = await this.require(id);
    if (FINAL_STATES.has(request.state)) return request;
    let note = '';
    try {
      const system = await this.options.system(request.ticket.system);
      await system.withdraw(request.ticket, reason);
    } catch (error) {
      note = ` (the ticket could not be updated: ${(error as Error).message})`;
    }
    return this.finish(request, 'withdrawn', `Withdrawn: ${reason}${note}`, this.clock());
  }

  /**
   * After approval: a fresh dry-run and, through the runtime's (gated) approval provider, a fresh confirmation,
   * then the execution with the ticket as reference. The request ends as executed or failed.
   */
  async run(id: string, steps: ChangeSteps, confirm: ConfirmChange, signal?: AbortSignal): Promise<ChangeResult> {
    const request = await this.require(id);
    if (request.state !== 'approved')
      throw new Error(
        `Ticket ${request.ticket.key} is ${request.state}${request.reason ? ` (${request.reason})` : ''}; only an approved request can run.`,
      );
    const result = await dryRunThenExecute(
      steps,
      {
        operationId: request.operationId,
        input: request.input,
        caller: request.caller,
        region: request.region,
        profile: request.profile,
        signal,
      },
      confirm,
    );
    const done = await this.options.store.update(id, (entry) =>
      entry.state === 'executed' || entry.state === 'approved'
        ? {
            state: result.status === 'succeeded' ? 'executed' : entry.state === 'executed' ? 'failed' : entry.state,
            reason: `${result.status} at ${new Date(this.clock()).toISOString()} (${result.outcome.correlationId})${result.reason ? `: ${result.reason}` : ''}`,
          }
        : {},
    );
    if (done) this.options.onChange?.(done);
    return result;
  }

  /**
   * Marks an approved request used by a run that does not pass the gate (a Step Functions execution, whose
   * StartRecovery calls AWS makes itself): one approved ticket, one run.
   */
  async consume(id: string, note: string): Promise<PendingApproval | undefined> {
    const updated = await this.options.store.update(id, (entry) =>
      entry.state === 'approved' ? { state: 'executed', reason: note } : {},
    );
    if (updated) this.options.onChange?.(updated);
    return updated;
  }

  /** Wraps the editor's approval provider: see the class comment. */
  gate(inner: ApprovalProvider): ApprovalProvider {
    return {
      id: inner.id,
      kind: inner.kind,
      requestApproval: async (approvalRequest: ApprovalRequest, signal: AbortSignal): Promise<ApprovalDecision> => {
        const requirement = approvalRequest.requirement;
        if (!requirement || !isExternalSystem(requirement.system))
          return inner.requestApproval(approvalRequest, signal);
        const wanted = targetIds(approvalRequest.resources);
        const candidates = (await this.list()).filter(
          (entry) =>
            entry.state === 'approved' &&
            entry.ticket.system === requirement.system &&
            entry.operationId === approvalRequest.operationId &&
            entry.account === approvalRequest.account &&
            entry.region === approvalRequest.region &&
            sameIds(entry.resourceIds, wanted),
        );
        const candidate = candidates.at(-1);
        if (!candidate)
          return {
            approved: false,
            reason: `This change needs an approved ${requirement.system} ticket for exactly these resources (${wanted.join(', ')}); none is approved. Run the change from a command, the explorer or a chat button to open the ticket, then run it from Pending approvals once approved.`,
          };
        const fresh = await this.poll(candidate.id, signal, requirement);
        if (fresh.state !== 'approved')
          return {
            approved: false,
            reason: `Ticket ${fresh.ticket.key} is no longer approved (${fresh.reason ?? fresh.ticketStatus ?? fresh.state}).`,
          };
        const confirmed = await inner.requestApproval(approvalRequest, signal);
        if (!confirmed.approved)
          return { ...confirmed, reason: `${confirmed.reason} Ticket ${fresh.ticket.key} stays approved.` };
        // One approved ticket, one execution.
        await this.options.store.update(fresh.id, () => ({
          state: 'executed',
          reason: `Confirmed by ${confirmed.approver}; running.`,
        }));
        return {
          ...confirmed,
          approver: `${fresh.approvers.join(', ')} via ${fresh.ticket.system} ${fresh.ticket.key}; confirmed by ${confirmed.approver}`,
          reference: fresh.ticket.key,
        };
      },
    };
  }

  /** Approvers who count: not the requester, named by the rules (directly or through a group). */
  private async qualifying(
    system: TicketSystem,
    request: PendingApproval,
    status: TicketStatus,
    requirement: ApprovalRequirement,
    signal?: AbortSignal,
  ): Promise<{ qualified: TicketActor[]; selfApproved: boolean; unlisted: TicketActor[] }> {
    const qualified: TicketActor[] = [];
    const unlisted: TicketActor[] = [];
    let selfApproved = false;
    for (const actor of status.approvers) {
      if (actor.id === request.ticket.requester) {
        selfApproved = true;
        continue;
      }
      if (!requirement.approvers) {
        qualified.push(actor);
        continue;
      }
      const names = new Set(actor.names.map((name) => name.toLowerCase()));
      let allowed = requirement.approvers.some((name) => names.has(name.toLowerCase()));
      for (const group of requirement.approvers) {
        if (allowed) break;
        allowed = await system.isMember(actor, group, signal);
      }
      (allowed ? qualified : unlisted).push(actor);
    }
    return { qualified, selfApproved, unlisted };
  }

  private async decide(
    request: PendingApproval,
    status: TicketStatus,
    { qualified, selfApproved, unlisted }: { qualified: TicketActor[]; selfApproved: boolean; unlisted: TicketActor[] },
    requirement: ApprovalRequirement,
    now: number,
  ): Promise<PendingApproval> {
    const { key } = request.ticket;
    if (status.state === 'rejected')
      return this.finish(
        request,
        'rejected',
        `Rejected in ${request.ticket.system} (${status.status})${status.decidedBy ? ` by ${status.decidedBy.display}` : ''}.`,
        now,
        status,
      );
    if (status.state === 'cancelled')
      return this.finish(
        request,
        'cancelled',
        `Cancelled in ${request.ticket.system} (${status.status})${status.decidedBy ? ` by ${status.decidedBy.display}` : ''}.`,
        now,
        status,
      );
    const approvers = qualified.map((actor) => actor.display);
    if (status.state === 'approved' && qualified.length >= requirement.approvalsNeeded) {
      const wasApproved = request.state === 'approved';
      const updated = await this.options.store.update(request.id, (entry) => ({
        state: 'approved',
        ticketStatus: status.status,
        approvers,
        reason: undefined,
        lastError: undefined,
        lastPolledAt: new Date(now).toISOString(),
        polls: entry.polls + 1,
      }));
      const result = updated ?? request;
      if (!wasApproved) await this.record(result, 'approved', 'ticket-approved', { approver: approvers.join(', ') });
      this.options.onChange?.(result);
      return result;
    }
    if (status.state === 'approved' && selfApproved && qualified.length === 0 && unlisted.length === 0)
      return this.finish(request, 'self-approved', `${SELF_APPROVAL} (${key}: ${status.status})`, now, status);
    if (now >= Date.parse(request.deadline)) {
      const system = await this.options.system(request.ticket.system).catch(() => undefined);
      await system
        ?.withdraw(request.ticket, `no decision before the deadline ${request.deadline}`)
        .catch(() => undefined);
      return this.finish(
        request,
        'timed-out',
        `No approval of ${key} before its deadline (${request.deadline}); ${approvers.length} of ${requirement.approvalsNeeded} approvals.`,
        now,
        status,
      );
    }
    const notes: string[] = [];
    if (status.state === 'approved')
      notes.push(
        `${key} shows ${status.status} with ${qualified.length} of ${requirement.approvalsNeeded} qualifying approvals`,
      );
    if (selfApproved) notes.push(SELF_APPROVAL);
    if (unlisted.length)
      notes.push(
        `${unlisted.map((actor) => actor.display).join(', ')} approved but ${unlisted.length > 1 ? 'are' : 'is'} not among the approvers the policy names`,
      );
    const updated = await this.options.store.update(request.id, (entry) => ({
      state: entry.state === 'approved' ? 'pending' : entry.state,
      ticketStatus: status.status,
      approvers,
      reason: notes.length ? `${notes.join('. ')}.` : undefined,
      lastError: undefined,
      lastPolledAt: new Date(now).toISOString(),
      polls: entry.polls + 1,
    }));
    this.options.onChange?.(updated ?? request);
    return updated ?? request;
  }

  private async finish(
    request: PendingApproval,
    state: PendingApproval['state'],
    reason: string,
    now: number,
    status?: TicketStatus,
  ): Promise<PendingApproval> {
    const updated = (await this.options.store.update(request.id, (entry) => ({
      state,
      reason,
      ticketStatus: status?.status ?? entry.ticketStatus,
      lastPolledAt: new Date(now).toISOString(),
      polls: entry.polls + 1,
    }))) ?? { ...request, state, reason };
    await this.record(updated, 'refused', `approval-${state}`, {
      approver: status?.decidedBy?.display,
      refusal: { code: 'approval-denied', message: reason },
    });
    this.options.onChange?.(updated);
    return updated;
  }

  private async require(id: string): Promise<PendingApproval> {
    const request = await this.options.store.get(id);
    if (!request) throw new Error(`No approval request ${id} is stored.`);
    return request;
  }

  private async record(
    request: PendingApproval,
    outcome: AuditEntry['outcome'],
    decision: string,
    extra: { approver?: string; refusal?: { code: string; message: string } } = {},
  ): Promise<void> {
    await this.options.audit.append({
      time: new Date(this.clock()).toISOString(),
      correlationId: request.id,
      outcome,
      caller: String(request.caller),
      account: request.account,
      region: request.region,
      environments: request.environments,
      environment: request.environments.join(', '),
      operation: request.operationId,
      mode: 'execute',
      resourceIds: request.resourceIds,
      approval: {
        provider: request.ticket.system,
        level: 'approve',
        approver: extra.approver,
        reference: request.ticket.key,
        reason: extra.refusal ? redactString(extra.refusal.message) : undefined,
      },
      refusal: extra.refusal ? { ...extra.refusal, message: redactString(extra.refusal.message) } : undefined,
      result: {
        ticket: request.ticket.key,
        url: request.ticket.url,
        state: request.state,
        ticketStatus: request.ticketStatus,
      },
      decision,
      durationMs: 0,
    });
  }
}

/** Every resource the preview names, context included: a DRS recovery's targets are only "(new recovery job)", its source servers are context. */
function targetIds(resources: ReadonlyArray<{ id: string; role?: string }>): string[] {
  return [...new Set(resources.map((resource) => resource.id))].sort();
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((id, index) => id === b[index]);
}

/**
 * One dry-run; when an approval rule sends the change to Jira or ServiceNow, `openTicket` instead of a
 * confirmation (the result is `pending`); otherwise the ordinary flow, reusing that dry-run.
 */
export async function beginChange(
  steps: ChangeSteps,
  change: ChangeRequest,
  confirm: ConfirmChange,
  openTicket: (preview: OperationPreview) => Promise<PendingApproval>,
): Promise<OpenedRequest | ChangeResult> {
  const dryRun = await steps.run(change.operationId, change.input, {
    caller: change.caller,
    mode: 'dry-run',
    region: change.region,
    profile: change.profile,
    signal: change.signal,
  });
  const preview = dryRun.preview;
  const requirement = preview?.guardrails.approval?.requirement;
  if (
    dryRun.status === 'dry-run' &&
    preview &&
    preview.guardrails.verdict !== 'refused' &&
    requirement &&
    isExternalSystem(requirement.system)
  )
    return { status: 'pending', request: await openTicket(preview), dryRun, preview };
  let reuse: RunOutcome | undefined = dryRun;
  const reusing: ChangeSteps = {
    run: (operationId, input, options) => {
      if (options.mode === 'dry-run' && reuse) {
        const first = reuse;
        reuse = undefined;
        return Promise.resolve(first);
      }
      return steps.run(operationId, input, options);
    },
    recordDeclined: (outcome, input, decision, profile) => steps.recordDeclined(outcome, input, decision, profile),
  };
  return dryRunThenExecute(reusing, change, confirm);
}
