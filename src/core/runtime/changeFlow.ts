import type { OperationPreview } from '../operations/preview';
import type { RunOutcome } from '../operations/runner';
import type { Caller, Refusal, RunMode } from '../operations/types';

/** One change a caller asks for. */
export interface ChangeRequest {
  operationId: string;
  input: unknown;
  caller: Caller;
  /** Default: the connection's region. */
  region?: string;
  /** Another profile than the default one. */
  profile?: string;
  signal?: AbortSignal;
}

export interface ChangeRunOptions {
  caller: Caller;
  mode: RunMode;
  /** Default: the connection's region. */
  region?: string;
  /** Another profile than the default one (e.g. one the explorer shows beside it). */
  profile?: string;
  correlationId?: string;
  signal?: AbortSignal;
  /** See RunOptions.revealSecret: only the editor that shows a secret to its person sets it. */
  revealSecret?: boolean;
}

/** What someone answered when shown the dry-run preview. */
export type ConfirmDecision =
  { approved: true; approver?: string } | { approved: false; reason: string; approver?: string };

/** Shows the preview of a change the policy lets through without asking, and returns the answer. */
export type ConfirmChange = (preview: OperationPreview) => Promise<ConfirmDecision>;

/** What the flow needs: the runtime, or an adapter's wrapper around it (progress, logs, events). */
export interface ChangeSteps {
  /** Runs through the runner; an execute gets the runtime's approval provider, never the caller's. */
  run(operationId: string, input: unknown, options: ChangeRunOptions): Promise<RunOutcome>;
  /** Audits a change declined at its confirmation (nothing ran), linked to the dry-run. */
  recordDeclined(
    dryRun: RunOutcome,
    input: unknown,
    decision: { reason: string; approver?: string },
    profile?: string,
  ): Promise<RunOutcome>;
}

export interface ChangeResult {
  /** `cancelled`: declined at the confirmation, nothing ran. */
  status: RunOutcome['status'] | 'cancelled';
  /** Where the flow ended: no preview (`dry-run`), refused by the preview's guardrails, declined, or executed. */
  stage: 'dry-run' | 'guardrails' | 'confirm' | 'execute';
  dryRun: RunOutcome;
  preview?: OperationPreview;
  /** The last outcome: the execution, the audited decline, or the dry-run. */
  outcome: RunOutcome;
  refusal?: Refusal;
  /** Why the change was declined at the confirmation. */
  reason?: string;
}

/**
 * The one path for a change asked for by a person: dry-run (audited), stop when the guardrails refuse,
 * `confirm(preview)` when the policy itself asks nothing (a change that needs a confirmation or an
 * approval is asked by the runtime's approval provider at execution instead, so it is asked once), then
 * the execution with the dry-run's correlation ID, which checks every guardrail again.
 */
export async function dryRunThenExecute(
  steps: ChangeSteps,
  request: ChangeRequest,
  confirm: ConfirmChange,
): Promise<ChangeResult> {
  const { operationId, input, caller, region, profile, signal } = request;
  const dryRun = await steps.run(operationId, input, { caller, mode: 'dry-run', region, profile, signal });
  const preview = dryRun.preview;
  if (dryRun.status !== 'dry-run' || !preview) {
    return {
      status: dryRun.status === 'dry-run' ? 'failed' : dryRun.status,
      stage: 'dry-run',
      dryRun,
      outcome: dryRun,
      refusal: dryRun.refusal,
    };
  }
  if (preview.guardrails.verdict === 'refused') {
    return { status: 'refused', stage: 'guardrails', dryRun, preview, outcome: dryRun, refusal: firstRefusal(preview) };
  }
  if (preview.guardrails.verdict === 'allowed') {
    let decision: ConfirmDecision;
    try {
      decision = await confirm(preview);
    } catch (error) {
      decision = { approved: false, reason: `The confirmation could not be shown: ${(error as Error).message}` };
    }
    if (!decision.approved) {
      const declined = await steps.recordDeclined(
        dryRun,
        input,
        { reason: decision.reason, approver: decision.approver },
        profile,
      );
      return {
        status: 'cancelled',
        stage: 'confirm',
        dryRun,
        preview,
        outcome: declined,
        refusal: declined.refusal,
        reason: decision.reason,
      };
    }
  }
  const outcome = await steps.run(operationId, input, {
    caller,
    mode: 'execute',
    region,
    profile,
    correlationId: dryRun.correlationId,
    signal,
  });
  return { status: outcome.status, stage: 'execute', dryRun, preview, outcome, refusal: outcome.refusal };
}

function firstRefusal(preview: OperationPreview): Refusal | undefined {
  const { refusals } = preview.guardrails;
  if (refusals.length <= 1) return refusals[0];
  return {
    code: refusals[0].code,
    message: refusals.map((refusal) => refusal.message).join(' '),
    resourceIds: refusals.flatMap((refusal) => refusal.resourceIds ?? []),
  };
}

/** The sentence for a failed or refused outcome: the AWS code and a plain explanation, or the refusal. */
export function describeProblem(outcome: RunOutcome): string {
  if (outcome.error)
    return `${outcome.error.code}: ${outcome.error.message}${outcome.error.hint ? ` ${outcome.error.hint}` : ''}`;
  if (outcome.refusal) return `Refused (${outcome.refusal.code}): ${outcome.refusal.message}`;
  return outcome.status;
}
