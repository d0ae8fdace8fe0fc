import { delay } from '../aws';
import type { PlannedStep, PlannedWave } from '../planner';
import { AdaptivePoller } from '../poller';
import type { RunContext } from './context';
import { AbandonedError, describeError } from './errors';
import { clientTokenFor, JOB_TAG_PLAN, JOB_TAG_RUN } from './ids';
import { runLaunch } from './launch';

const SSM_SUCCESS = new Set(['Success', 'CompletedWithSuccess']);
const SSM_TERMINAL = new Set([
  'Success',
  'CompletedWithSuccess',
  'Failed',
  'TimedOut',
  'Cancelled',
  'CompletedWithFailure',
  'Rejected',
  'Exited',
  'ChangeCalendarOverrideRejected',
]);

export type StepOutcome = { status: 'succeeded' | 'failed' | 'cancelled'; error?: string };

/** Runs one step of a wave (or carries on with it after a resume) until it ends. */
export function runStep(run: RunContext, planned: PlannedWave, step: PlannedStep): Promise<StepOutcome> {
  switch (step.kind) {
    case 'pause':
      return runPause(run, planned, step);
    case 'launch':
      return runLaunch(run, planned, step);
    case 'action':
      if (step.action.type === 'wait') return runWait(run, planned, step, step.action.seconds);
      if (step.action.type === 'approval')
        return runApproval(run, planned, step, step.action.message, step.action.timeoutSeconds);
      if (step.action.type === 'backupRestore')
        return runBackupRestore(run, planned, step as Extract<PlannedStep, { kind: 'action' }>);
      return runAutomation(run, planned, step as Extract<PlannedStep, { kind: 'action' }>);
  }
}

async function runPause(
  run: RunContext,
  planned: PlannedWave,
  step: PlannedStep,
): Promise<{ status: 'succeeded' | 'cancelled' }> {
  const ss = run.state.waves[planned.name].steps[step.id];
  if (ss.status === 'pending')
    run.emit(
      { type: 'step.status', wave: planned.name, step: step.id, status: 'held' },
      { type: 'wave.status', wave: planned.name, status: 'held' },
    );
  while (ss.status === 'held') {
    if (run.state.cancelRequested) return { status: 'cancelled' };
    await run.waitChange();
  }
  return { status: 'succeeded' };
}

async function runWait(
  run: RunContext,
  planned: PlannedWave,
  step: PlannedStep,
  seconds: number,
): Promise<{ status: 'succeeded' | 'cancelled' }> {
  const ss = run.state.waves[planned.name].steps[step.id];
  if (!ss.waitUntil) {
    run.setStep(planned.name, step.id, 'running');
    run.emit({
      type: 'step.waitUntil',
      wave: planned.name,
      step: step.id,
      until: new Date(Date.now() + seconds * 1000).toISOString(),
    });
  }
  const until = Date.parse(ss.waitUntil!);
  while (Date.now() < until) {
    if (run.state.cancelRequested) return { status: 'cancelled' };
    await run.waitChange(Math.min(1000, until - Date.now()));
  }
  return { status: 'succeeded' };
}

async function runApproval(
  run: RunContext,
  planned: PlannedWave,
  step: PlannedStep,
  message: string,
  timeoutSeconds?: number,
): Promise<StepOutcome> {
  const ss = run.state.waves[planned.name].steps[step.id];
  if (!ss.approval) {
    run.emit(
      { type: 'step.status', wave: planned.name, step: step.id, status: 'waiting-approval' },
      {
        type: 'approval.requested',
        wave: planned.name,
        step: step.id,
        message,
        ...(timeoutSeconds ? { deadline: new Date(Date.now() + timeoutSeconds * 1000).toISOString() } : {}),
      },
    );
  }
  for (;;) {
    const approval = ss.approval!;
    if (approval.decidedAt) {
      return approval.approved
        ? { status: 'succeeded' }
        : {
            status: 'failed',
            error: `Rejected by ${approval.by ?? 'someone'}${approval.comment ? `: ${approval.comment}` : ''}.`,
          };
    }
    if (run.state.cancelRequested) return { status: 'cancelled' };
    if (approval.deadline && Date.now() >= Date.parse(approval.deadline))
      return { status: 'failed', error: `Nobody approved "${message}" within ${timeoutSeconds} s.` };
    await run.waitChange(
      approval.deadline ? Math.max(1, Math.min(1000, Date.parse(approval.deadline) - Date.now())) : 1000,
    );
  }
}

async function runAutomation(
  run: RunContext,
  planned: PlannedWave,
  step: Extract<PlannedStep, { kind: 'action' }>,
): Promise<{ status: 'succeeded' | 'failed'; error?: string }> {
  const { state, deps } = run;
  const action = step.action;
  if (action.type !== 'ssmAutomation') throw new Error('not an automation');
  const ss = state.waves[planned.name].steps[step.id];
  run.setStep(planned.name, step.id, 'running');
  const maxAttempts = action.retries + 1;
  for (;;) {
    let attempt = ss.attempts[ss.attempts.length - 1];
    if (!attempt || attempt.endedAt) {
      const number = (attempt?.attempt ?? 0) + 1;
      if (number > maxAttempts) {
        return {
          status: 'failed',
          error: `${step.label}: ${attempt?.status ?? 'failed'}${attempt?.error ? ` (${attempt.error})` : ''} after ${maxAttempts} attempt${maxAttempts === 1 ? '' : 's'}.`,
        };
      }
      run.emit({
        type: 'action.starting',
        wave: planned.name,
        step: step.id,
        attempt: number,
        clientToken: clientTokenFor(state.runId, step.id, number),
      });
      attempt = ss.attempts[ss.attempts.length - 1];
    }
    if (!attempt.executionId) {
      try {
        const { executionId } = await deps.gateway.startAutomation(
          {
            region: step.region,
            documentName: action.documentName,
            documentVersion: action.documentVersion,
            parameters: action.parameters,
            clientToken: attempt.clientToken!,
            tags: { [JOB_TAG_RUN]: state.runId, [JOB_TAG_PLAN]: state.planName },
          },
          run.callContext(
            planned.name,
            `${state.mode} ${state.planName}: ${step.phase}-wave action ${step.label} of wave ${planned.name}`,
          ),
        );
        run.emit({ type: 'action.started', wave: planned.name, step: step.id, attempt: attempt.attempt, executionId });
      } catch (error) {
        run.emit({
          type: 'action.finished',
          wave: planned.name,
          step: step.id,
          attempt: attempt.attempt,
          status: 'StartFailed',
          error: describeError(error),
        });
        continue;
      }
    }
    const result = await followAutomation(
      run,
      step.region,
      attempt.executionId!,
      Date.parse(attempt.startedAt) + action.timeoutSeconds * 1000,
      planned.name,
    );
    run.emit({
      type: 'action.finished',
      wave: planned.name,
      step: step.id,
      attempt: attempt.attempt,
      status: result.status,
      ...(result.outputs ? { outputs: result.outputs } : {}),
      ...(result.error ? { error: result.error } : {}),
    });
    if (SSM_SUCCESS.has(result.status)) return { status: 'succeeded' };
  }
}

async function followAutomation(
  run: RunContext,
  region: string,
  executionId: string,
  deadline: number,
  wave: string,
): Promise<{ status: string; outputs?: Record<string, string[]>; error?: string }> {
  const { deps } = run;
  const poller = new AdaptivePoller(deps.actionPoll ?? deps.poll);
  let lastStatus = '';
  for (;;) {
    if (run.abandoned) throw new AbandonedError();
    let changed = false;
    try {
      const execution = await deps.reads.getAutomationExecution(region, executionId);
      const status = execution.AutomationExecutionStatus ?? 'Pending';
      changed = status !== lastStatus;
      lastStatus = status;
      if (SSM_TERMINAL.has(status)) return { status, outputs: execution.Outputs, error: execution.FailureMessage };
    } catch (error) {
      if (run.abandoned) throw new AbandonedError();
      run.log(`GetAutomationExecution ${executionId}: ${describeError(error)}`);
    }
    if (Date.now() >= deadline) {
      await deps.gateway
        .stopAutomation(
          { region, executionId },
          run.callContext(wave, `Automation ${executionId} exceeded its timeout`),
        )
        .catch((error) => run.log(`StopAutomationExecution failed: ${describeError(error)}`));
      return { status: 'TimedOut', error: `Did not finish within its timeout; stopped.` };
    }
    await delay(Math.min(poller.next(changed), Math.max(1, deadline - Date.now())), run.abort.signal);
  }
}

const RESTORE_TERMINAL = new Set(['COMPLETED', 'FAILED', 'ABORTED']);

/**
 * An AWS Backup restore into a new resource: StartRestoreJob (idempotent per attempt, so a resumed run finds
 * its job again), then DescribeRestoreJob until COMPLETED, FAILED or ABORTED, or the timeout (the job is
 * then left running and the step fails: AWS Backup cannot stop a restore job). The created resource's ARN
 * and the restore's duration go into the action's outputs.
 */
async function runBackupRestore(
  run: RunContext,
  planned: PlannedWave,
  step: Extract<PlannedStep, { kind: 'action' }>,
): Promise<{ status: 'succeeded' | 'failed'; error?: string }> {
  const { state, deps } = run;
  const action = step.action;
  if (action.type !== 'backupRestore') throw new Error('not a backup restore');
  const ss = state.waves[planned.name].steps[step.id];
  run.setStep(planned.name, step.id, 'running');
  if (!deps.gateway.startBackupRestore || !deps.reads.describeRestoreJob)
    return {
      status: 'failed',
      error: `${step.label}: not supported by this run's AWS gateway (AWS Backup restores need the operation gateway).`,
    };
  let attempt = ss.attempts[ss.attempts.length - 1];
  if (attempt?.endedAt)
    return {
      status: 'failed',
      error: `${step.label}: ${attempt.status ?? 'failed'}${attempt.error ? ` (${attempt.error})` : ''}.`,
    };
  if (!attempt) {
    run.emit({
      type: 'action.starting',
      wave: planned.name,
      step: step.id,
      attempt: 1,
      clientToken: clientTokenFor(state.runId, step.id, 1),
    });
    attempt = ss.attempts[ss.attempts.length - 1];
  }
  if (!attempt.executionId) {
    try {
      const { restoreJobId } = await deps.gateway.startBackupRestore(
        {
          region: step.region,
          backupVaultName: action.backupVaultName,
          recoveryPointArn: action.recoveryPointArn,
          ...(action.iamRoleArn ? { iamRoleArn: action.iamRoleArn } : {}),
          metadata: action.metadata,
          idempotencyToken: attempt.clientToken!,
        },
        run.callContext(
          planned.name,
          `${state.mode} ${state.planName}: ${step.phase}-wave AWS Backup restore ${step.label} of wave ${planned.name}`,
        ),
      );
      run.emit({
        type: 'action.started',
        wave: planned.name,
        step: step.id,
        attempt: attempt.attempt,
        executionId: restoreJobId,
      });
    } catch (error) {
      const message = describeError(error);
      run.emit({
        type: 'action.finished',
        wave: planned.name,
        step: step.id,
        attempt: attempt.attempt,
        status: 'StartFailed',
        error: message,
      });
      return { status: 'failed', error: `${step.label}: StartRestoreJob failed (${message}).` };
    }
  }
  const deadline = Date.parse(attempt.startedAt) + action.timeoutSeconds * 1000;
  const poller = new AdaptivePoller(deps.actionPoll ?? deps.poll);
  let lastStatus = '';
  for (;;) {
    if (run.abandoned) throw new AbandonedError();
    let changed = false;
    try {
      const job = await deps.reads.describeRestoreJob(step.region, attempt.executionId!);
      changed = job.status !== lastStatus;
      lastStatus = job.status;
      if (RESTORE_TERMINAL.has(job.status)) {
        const started = Date.parse(job.creationDate ?? attempt.startedAt);
        const ended = Date.parse(job.completionDate ?? new Date().toISOString());
        run.emit({
          type: 'action.finished',
          wave: planned.name,
          step: step.id,
          attempt: attempt.attempt,
          status: job.status,
          outputs: {
            restoreJobId: [attempt.executionId!],
            ...(job.createdResourceArn ? { createdResourceArn: [job.createdResourceArn] } : {}),
            restoreDurationMs: [String(Math.max(0, ended - started))],
          },
          ...(job.statusMessage ? { error: job.statusMessage } : {}),
        });
        return job.status === 'COMPLETED'
          ? { status: 'succeeded' }
          : {
              status: 'failed',
              error: `${step.label}: restore job ${job.status}${job.statusMessage ? ` (${job.statusMessage})` : ''}.`,
            };
      }
    } catch (error) {
      if (run.abandoned) throw new AbandonedError();
      run.log(`DescribeRestoreJob ${attempt.executionId}: ${describeError(error)}`);
    }
    if (Date.now() >= deadline) {
      run.emit({
        type: 'action.finished',
        wave: planned.name,
        step: step.id,
        attempt: attempt.attempt,
        status: 'TimedOut',
        error: `Restore job ${attempt.executionId} did not finish within ${action.timeoutSeconds} s; it was left running (AWS Backup cannot stop a restore job).`,
      });
      return { status: 'failed', error: `${step.label}: restore did not finish within ${action.timeoutSeconds} s.` };
    }
    await delay(Math.min(poller.next(changed), Math.max(1, deadline - Date.now())), run.abort.signal);
  }
}
