/**
 * DR: a recovery (not a drill) whose StartRecovery an approval rule sends to Jira or ServiceNow needs an
 * approved ticket before its first wave. This opens that ticket from a dry-run of the first wave's
 * StartRecovery; the run's first StartRecovery then passes the approval gate only once the ticket is approved
 * (and is confirmed again), and the run-scoped approval covers its later waves.
 */
import type { ChangeSteps } from '../runtime/changeFlow';
import { matchingRequest, type AgentApprovals } from './agentApprovals';
import type { ApprovalCoordinator } from './coordinator';
import type { PendingApproval } from './types';

export interface RecoveryApprovalInput {
  /** The source servers of the run's first wave. */
  sourceServerIds: string[];
  region?: string;
  profile?: string;
  requestedBy: string;
  signal?: AbortSignal;
}

/** Opens the ticket for a recovery's first wave, or says why none is needed (no rule names an external system). */
export async function requestRecoveryApproval(
  coordinator: ApprovalCoordinator,
  steps: Pick<ChangeSteps, 'run'>,
  input: RecoveryApprovalInput,
): Promise<{ request?: PendingApproval; reason?: string }> {
  const change = { sourceServerIds: input.sourceServerIds, isDrill: false };
  const dryRun = await steps.run('drs.recovery.start', change, {
    caller: 'command',
    mode: 'dry-run',
    region: input.region,
    profile: input.profile,
    signal: input.signal,
  });
  const preview = dryRun.preview;
  if (dryRun.status !== 'dry-run' || !preview)
    return {
      reason: `The recovery could not be previewed: ${dryRun.refusal?.message ?? dryRun.error?.message ?? dryRun.status}`,
    };
  if (preview.guardrails.verdict === 'refused')
    return {
      reason: `The recovery would be refused: ${preview.guardrails.refusals.map((refusal) => refusal.message).join(' ')}`,
    };
  const requirement = preview.guardrails.approval?.requirement;
  if (!requirement || requirement.system === 'modal')
    return { reason: 'No approval rule sends this recovery to Jira or ServiceNow.' };
  return {
    request: await coordinator.open(preview, change, 'command', input.requestedBy, input.profile, input.signal),
  };
}

export type RecoveryApprovalState =
  | { state: 'not-needed'; reason: string }
  | { state: 'refused'; reason: string }
  | { state: 'approved' | 'waiting'; request: PendingApproval; opened: boolean };

/**
 * Where a recovery's external approval stands before it starts: not needed (no rule sends its first wave to
 * Jira or ServiceNow), approved (asked again from the system now), or waiting — in which case the ticket is
 * opened here when none is open yet for the same first wave, account and region. Never started by this.
 */
export async function recoveryApprovalState(
  approvals: Pick<AgentApprovals, 'open' | 'list' | 'poll'>,
  steps: Pick<ChangeSteps, 'run'>,
  input: RecoveryApprovalInput,
): Promise<RecoveryApprovalState> {
  const change = { sourceServerIds: input.sourceServerIds, isDrill: false };
  const dryRun = await steps.run('drs.recovery.start', change, {
    caller: 'command',
    mode: 'dry-run',
    region: input.region,
    profile: input.profile,
    signal: input.signal,
  });
  const preview = dryRun.preview;
  if (dryRun.status !== 'dry-run' || !preview)
    return {
      state: 'refused',
      reason: `The recovery could not be previewed: ${dryRun.refusal?.message ?? dryRun.error?.message ?? dryRun.status}`,
    };
  if (preview.guardrails.verdict === 'refused')
    return {
      state: 'refused',
      reason: `The recovery would be refused: ${preview.guardrails.refusals.map((refusal) => refusal.message).join(' ')}`,
    };
  const requirement = preview.guardrails.approval?.requirement;
  if (!requirement || requirement.system === 'modal')
    return { state: 'not-needed', reason: 'No approval rule sends this recovery to Jira or ServiceNow.' };
  const existing = matchingRequest(await approvals.list(), preview, ['approved', 'pending']);
  const request = existing
    ? await approvals.poll(existing.id, input.signal)
    : await approvals.open(preview, change, 'command', input.requestedBy, input.profile, input.signal);
  if (request.state === 'approved') return { state: 'approved', request, opened: !existing };
  if (request.state === 'pending') return { state: 'waiting', request, opened: !existing };
  return { state: 'refused', reason: `Ticket ${request.ticket.key}: ${request.state}. ${request.reason ?? ''}`.trim() };
}
