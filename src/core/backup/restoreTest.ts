/**
 * A restore test: restore one recovery point into a NEW resource (backup.restore.start, which reads the
 * point's own restore metadata), follow the restore job until it ends, and optionally delete the restored
 * resource again through a registered delete (ec2.volumes.delete or ec2.instances.terminate, so guardrails,
 * confirmation and backup-before-delete apply). The test is recorded as a DR run journal (one wave
 * "restore" with one backupRestore action), so the run history, results JSON and Markdown report show
 * restore tests next to recovery runs, with the restore's duration.
 */
import { RunJournal } from '../dr/journal';
import type { RecoveryPlan } from '../dr/model';
import { buildExecutionPlan } from '../dr/planner';
import { buildRunResult, type RunResult } from '../dr/results';
import { clientTokenFor, newRunId } from '../dr/run/ids';
import { applyEvent, type RunEventInput, type RunState } from '../dr/state';
import type { ReadOperation } from '../insights/reads';

/** A registered write run through dry-run → confirmation/approval → execute. */
export type WriteOperation = (
  operationId: string,
  input: Record<string, unknown>,
) => Promise<
  { status: 'succeeded'; resourceIds: string[] } | { status: 'cancelled' | 'refused' | 'failed'; message: string }
>;

export interface RestoreTestRequest {
  region: string;
  vaultName: string;
  recoveryPointArn: string;
  iamRoleArn?: string;
  metadata?: Record<string, string>;
  /** Delete the restored resource afterwards (through the registered delete, under guardrails). */
  deleteAfter?: boolean;
  /** Default 3600. */
  timeoutSeconds?: number;
}

export interface RestoreTestDeps {
  read: ReadOperation;
  write: WriteOperation;
  journalDir: string;
  /** Between DescribeRestoreJob polls. Default 5000 ms. */
  pollMs?: number;
  signal?: AbortSignal;
}

export interface RestoreTestOutcome {
  status: 'succeeded' | 'failed' | 'cancelled';
  /** Absent when the restore never started (declined or refused before anything ran: nothing is recorded). */
  runId?: string;
  journalPath?: string;
  restoreJobId?: string;
  createdResourceArn?: string;
  /** From the restore job's creation to its completion, as AWS Backup reports them. */
  restoreDurationMs?: number;
  deleted?: { status: string; message?: string };
  result?: RunResult;
  error?: string;
}

const WAVE = 'restore';
const TERMINAL = new Set(['COMPLETED', 'FAILED', 'ABORTED']);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/** The delete that removes a restored resource, or undefined for a type without one. */
export function deleteOperationFor(arn: string): { operationId: string; input: Record<string, unknown> } | undefined {
  const volume = /:volume\/(vol-[0-9a-f]{8,17})$/.exec(arn);
  if (volume) return { operationId: 'ec2.volumes.delete', input: { volumeId: volume[1] } };
  const instance = /:instance\/(i-[0-9a-f]{8,17})$/.exec(arn);
  if (instance) return { operationId: 'ec2.instances.terminate', input: { instanceIds: [instance[1]] } };
  return undefined;
}

export async function runRestoreTest(request: RestoreTestRequest, deps: RestoreTestDeps): Promise<RestoreTestOutcome> {
  const timeoutSeconds = request.timeoutSeconds ?? 3600;
  const pointName = request.recoveryPointArn.split(/[:/]/).pop() ?? 'point';
  const plan: RecoveryPlan = {
    schemaVersion: 2,
    kind: 'RecoveryPlan',
    name: `restore-test-${request.vaultName}`.slice(0, 120),
    description: `Restore test of ${request.recoveryPointArn}`,
    waves: [
      {
        name: WAVE,
        postActions: [
          {
            type: 'backupRestore',
            name: `restore ${pointName}`,
            backupVaultName: request.vaultName,
            recoveryPointArn: request.recoveryPointArn,
            ...(request.iamRoleArn ? { iamRoleArn: request.iamRoleArn } : {}),
            ...(request.metadata ? { metadata: request.metadata } : {}),
            timeoutSeconds,
          },
        ],
      },
    ],
  };
  const executionPlan = buildExecutionPlan(
    plan,
    {
      waves: [{ wave: WAVE, servers: [], missingServerIds: [], missingGroups: [], origins: {} }],
      groups: [],
      inventory: {},
    },
    'drill',
    request.region,
  );
  const steps = executionPlan.waves[0].steps;
  const launch = steps.find((step) => step.kind === 'launch')!;
  const action = steps.find((step) => step.kind === 'action')!;
  const runId = newRunId(plan.name);
  const token = clientTokenFor(runId, action.id, 1);
  const startedAt = new Date();

  const started = await deps.write('backup.restore.start', {
    vaultName: request.vaultName,
    recoveryPointArn: request.recoveryPointArn,
    ...(request.iamRoleArn ? { iamRoleArn: request.iamRoleArn } : {}),
    ...(request.metadata && Object.keys(request.metadata).length ? { metadata: request.metadata } : {}),
    idempotencyToken: token,
  });
  if (started.status === 'cancelled') return { status: 'cancelled', error: started.message };

  const journal = RunJournal.create(deps.journalDir, runId);
  let state: RunState | undefined;
  const emit = (inputs: RunEventInput[], at = new Date()): void => {
    for (const event of journal.append(inputs, at)) state = applyEvent(state, event);
  };
  try {
    emit(
      [
        {
          type: 'run.created',
          runId,
          mode: 'drill',
          plan,
          groups: [],
          executionPlan,
          preflight: {
            checkedAt: startedAt.toISOString(),
            findings: [],
            launchSettingsDrift: [],
            externalActiveJobs: [],
          },
        },
        { type: 'wave.status', wave: WAVE, status: 'running' },
        { type: 'step.status', wave: WAVE, step: launch.id, status: 'skipped' },
        { type: 'step.status', wave: WAVE, step: action.id, status: 'running' },
        { type: 'action.starting', wave: WAVE, step: action.id, attempt: 1, clientToken: token },
      ],
      startedAt,
    );
    const finish = (status: 'succeeded' | 'failed', error?: string): void =>
      emit([
        { type: 'step.status', wave: WAVE, step: action.id, status, ...(error ? { error } : {}) },
        {
          type: 'wave.status',
          wave: WAVE,
          status: status === 'succeeded' ? 'completed' : 'failed',
          ...(error ? { error } : {}),
        },
        {
          type: 'run.status',
          status: status === 'succeeded' ? 'completed' : 'failed',
          ...(error ? { reason: error } : {}),
        },
      ]);

    if (started.status !== 'succeeded') {
      emit([
        {
          type: 'action.finished',
          wave: WAVE,
          step: action.id,
          attempt: 1,
          status: 'StartFailed',
          error: started.message,
        },
      ]);
      finish('failed', started.message);
      return {
        status: 'failed',
        runId,
        journalPath: journal.path,
        error: started.message,
        result: buildRunResult(state!),
      };
    }
    const restoreJobId = started.resourceIds[0];
    emit([{ type: 'action.started', wave: WAVE, step: action.id, attempt: 1, executionId: restoreJobId }]);

    const deadline = startedAt.getTime() + timeoutSeconds * 1000;
    let job: {
      Status?: string;
      StatusMessage?: string;
      CreatedResourceArn?: string;
      CreationDate?: string | Date;
      CompletionDate?: string | Date;
    } = {};
    let readError: string | undefined;
    for (;;) {
      try {
        job = (await deps.read('backup.restoreJobs.describe', { restoreJobId })) as typeof job;
        readError = undefined;
      } catch (error) {
        readError = (error as Error).message;
      }
      if (job.Status && TERMINAL.has(job.Status)) break;
      if (deps.signal?.aborted || Date.now() >= deadline) break;
      await sleep(Math.min(deps.pollMs ?? 5000, Math.max(1, deadline - Date.now())), deps.signal);
    }
    const ended = job.Status && TERMINAL.has(job.Status);
    const durationMs =
      ended && job.CreationDate && job.CompletionDate
        ? Math.max(0, new Date(job.CompletionDate).getTime() - new Date(job.CreationDate).getTime())
        : undefined;
    const status = ended ? job.Status! : deps.signal?.aborted ? 'Cancelled' : 'TimedOut';
    const error = ended
      ? job.Status === 'COMPLETED'
        ? undefined
        : `restore job ${job.Status}${job.StatusMessage ? `: ${job.StatusMessage}` : ''}`
      : deps.signal?.aborted
        ? 'stopped following the restore job (it keeps running in AWS Backup)'
        : `restore job did not finish within ${timeoutSeconds} s${readError ? ` (last read failed: ${readError})` : ''}; it keeps running in AWS Backup`;
    emit([
      {
        type: 'action.finished',
        wave: WAVE,
        step: action.id,
        attempt: 1,
        status,
        outputs: {
          restoreJobId: [restoreJobId],
          ...(job.CreatedResourceArn ? { createdResourceArn: [job.CreatedResourceArn] } : {}),
          ...(durationMs !== undefined ? { restoreDurationMs: [String(durationMs)] } : {}),
        },
        ...(error ? { error } : {}),
      },
    ]);
    finish(error ? 'failed' : 'succeeded', error);

    let deleted: RestoreTestOutcome['deleted'];
    if (request.deleteAfter && job.CreatedResourceArn) {
      const removal = deleteOperationFor(job.CreatedResourceArn);
      if (!removal)
        deleted = { status: 'not-supported', message: `not supported yet: deleting ${job.CreatedResourceArn}` };
      else {
        const resourceId = job.CreatedResourceArn.split('/').pop()!;
        emit([{ type: 'cleanup.started', jobIds: [], recoveryInstanceIds: [resourceId], region: request.region }]);
        const outcome = await deps.write(removal.operationId, removal.input);
        deleted =
          outcome.status === 'succeeded'
            ? { status: 'succeeded' }
            : { status: outcome.status, message: outcome.message };
        emit([
          {
            type: 'cleanup.finished',
            status: outcome.status === 'succeeded' ? 'completed' : 'failed',
            ...(outcome.status !== 'succeeded' ? { error: `${outcome.status}: ${outcome.message}` } : {}),
          },
        ]);
      }
    }
    return {
      status: error ? 'failed' : 'succeeded',
      runId,
      journalPath: journal.path,
      restoreJobId,
      ...(job.CreatedResourceArn ? { createdResourceArn: job.CreatedResourceArn } : {}),
      ...(durationMs !== undefined ? { restoreDurationMs: durationMs } : {}),
      ...(deleted ? { deleted } : {}),
      result: buildRunResult(state!),
      ...(error ? { error } : {}),
    };
  } finally {
    journal.close();
  }
}
