/**
 * Run state as a fold over journal events. The runner changes state only by emitting events; the
 * journal persists them; replaying the journal rebuilds exactly the same state. Everything is plain
 * JSON, so a state can be sent to a webview or a Step Functions execution as it is.
 */
import type { PreflightFinding, LaunchSettingsDrift } from './preflight';
import type { ExecutionPlan, DrRunMode } from './planner';
import type { ProtectionGroup, RecoveryPlan } from './model';

export type DrRunStatus = 'running' | 'paused' | 'cancelling' | 'completed' | 'failed' | 'cancelled';
export type WaveStatus = 'pending' | 'running' | 'held' | 'completed' | 'failed' | 'skipped' | 'cancelled';
export type StepStatus =
  'pending' | 'running' | 'waiting-approval' | 'held' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
/** DRS launch statuses, plus TIMED_OUT when maxWaitSeconds passed first and NOT_STARTED when no job took the server. */
export type ServerLaunchStatus =
  'NOT_STARTED' | 'PENDING' | 'IN_PROGRESS' | 'LAUNCHED' | 'FAILED' | 'TERMINATED' | 'TIMED_OUT';

export const TERMINAL_RUN: DrRunStatus[] = ['completed', 'failed', 'cancelled'];
export const TERMINAL_WAVE: WaveStatus[] = ['completed', 'failed', 'skipped', 'cancelled'];
export const TERMINAL_STEP: StepStatus[] = ['succeeded', 'failed', 'skipped', 'cancelled'];
export const TERMINAL_SERVER: ServerLaunchStatus[] = ['LAUNCHED', 'FAILED', 'TERMINATED', 'TIMED_OUT'];

export interface JobLogEntry {
  at: string;
  event: string;
  sourceServerId?: string;
  targetInstanceId?: string;
  conversionServerId?: string;
  rawError?: string;
}

export interface ActionAttempt {
  attempt: number;
  clientToken?: string;
  executionId?: string;
  startedAt: string;
  endedAt?: string;
  status?: string;
  outputs?: Record<string, string[]>;
  error?: string;
}

export interface StepRunState {
  id: string;
  kind: 'pause' | 'action' | 'launch';
  status: StepStatus;
  startedAt?: string;
  endedAt?: string;
  attempts: ActionAttempt[];
  waitUntil?: string;
  approval?: {
    message: string;
    requestedAt: string;
    decidedAt?: string;
    approved?: boolean;
    by?: string;
    comment?: string;
    deadline?: string;
  };
  error?: string;
}

export interface ServerRunState {
  sourceServerId: string;
  hostname: string;
  region: string;
  jobKey?: string;
  jobId?: string;
  launchStatus: ServerLaunchStatus;
  recoveryInstanceId?: string;
  ec2InstanceId?: string;
  /** When the runner first saw each status. */
  startedAt?: string;
  launchedAt?: string;
  endedAt?: string;
  error?: string;
}

export interface JobKeyState {
  key: string;
  region: string;
  sourceServerIds: string[];
  /** StartRecovery intents; more than one only after a throttle/conflict retry or a crash before the answer. */
  startingAt?: string;
  firstStartingAt?: string;
  attempts: number;
  jobId?: string;
  error?: string;
}

export interface JobRunState {
  jobId: string;
  kind: 'launch' | 'terminate';
  wave?: string;
  jobKey?: string;
  region: string;
  status: string;
  /** When StartRecovery (or TerminateRecoveryInstances) returned the job. */
  startedAt: string;
  /** DRS endDateTime when known, else when the runner saw COMPLETED. */
  endedAt?: string;
  observedCompletedAt?: string;
  sourceServerIds: string[];
  log: JobLogEntry[];
  recovered?: boolean;
}

export interface WaveRunState {
  name: string;
  status: WaveStatus;
  startedAt?: string;
  endedAt?: string;
  steps: Record<string, StepRunState>;
  servers: Record<string, ServerRunState>;
  jobKeys: Record<string, JobKeyState>;
  launchSettingsApplied?: string[];
  error?: string;
}

export interface RunError {
  at: string;
  wave?: string;
  step?: string;
  message: string;
}

export interface RunState {
  runId: string;
  planName: string;
  mode: DrRunMode;
  createdAt: string;
  status: DrRunStatus;
  endedAt?: string;
  plan: RecoveryPlan;
  groups: ProtectionGroup[];
  executionPlan: ExecutionPlan;
  preflight: {
    checkedAt: string;
    findings: PreflightFinding[];
    launchSettingsDrift: LaunchSettingsDrift[];
    externalActiveJobs: { region: string; jobId: string; servers: number }[];
  };
  pausedByUser: boolean;
  pauses: { from: string; to?: string }[];
  cancelRequested: boolean;
  waves: Record<string, WaveRunState>;
  jobs: Record<string, JobRunState>;
  cleanup?: {
    startedAt: string;
    jobIds: string[];
    recoveryInstanceIds: string[];
    status: 'running' | 'completed' | 'failed';
    endedAt?: string;
    error?: string;
  };
  errors: RunError[];
  lastSeq: number;
}

type Base = { seq: number; at: string };

export type RunEvent = Base &
  (
    | {
        type: 'run.created';
        runId: string;
        mode: DrRunMode;
        plan: RecoveryPlan;
        groups: ProtectionGroup[];
        executionPlan: ExecutionPlan;
        preflight: RunState['preflight'];
      }
    | { type: 'run.status'; status: DrRunStatus; reason?: string }
    | { type: 'run.paused'; by?: string }
    | { type: 'run.resumed'; by?: string }
    | { type: 'run.cancelRequested'; by?: string }
    | { type: 'run.error'; wave?: string; step?: string; message: string }
    | { type: 'wave.status'; wave: string; status: WaveStatus; error?: string }
    | { type: 'step.status'; wave: string; step: string; status: StepStatus; error?: string }
    | { type: 'step.waitUntil'; wave: string; step: string; until: string }
    | { type: 'approval.requested'; wave: string; step: string; message: string; deadline?: string }
    | { type: 'approval.decided'; wave: string; step: string; approved: boolean; by?: string; comment?: string }
    | { type: 'action.starting'; wave: string; step: string; attempt: number; clientToken: string }
    | { type: 'action.started'; wave: string; step: string; attempt: number; executionId: string }
    | {
        type: 'action.finished';
        wave: string;
        step: string;
        attempt: number;
        status: string;
        outputs?: Record<string, string[]>;
        error?: string;
      }
    | { type: 'launchSettings.applied'; wave: string; sourceServerIds: string[] }
    | { type: 'job.starting'; wave: string; jobKey: string; region: string; sourceServerIds: string[] }
    | {
        type: 'job.started';
        wave: string;
        jobKey: string;
        jobId: string;
        region: string;
        sourceServerIds: string[];
        recovered?: boolean;
      }
    | { type: 'job.startFailed'; wave: string; jobKey: string; error: string }
    | { type: 'job.status'; jobId: string; status: string; endedAt?: string }
    | { type: 'job.log'; jobId: string; items: JobLogEntry[] }
    | {
        type: 'server.status';
        wave: string;
        sourceServerId: string;
        launchStatus: ServerLaunchStatus;
        jobId?: string;
        recoveryInstanceId?: string;
        ec2InstanceId?: string;
        error?: string;
      }
    | { type: 'cleanup.started'; jobIds: string[]; recoveryInstanceIds: string[]; region: string }
    | { type: 'cleanup.finished'; status: 'completed' | 'failed'; error?: string }
  );

export type RunEventInput = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'seq' | 'at'> : never) : never;

function emptyStep(id: string, kind: StepRunState['kind']): StepRunState {
  return { id, kind, status: 'pending', attempts: [] };
}

export function initialState(event: Extract<RunEvent, { type: 'run.created' }>): RunState {
  const waves: Record<string, WaveRunState> = {};
  for (const wave of event.executionPlan.waves) {
    const steps: Record<string, StepRunState> = {};
    for (const step of wave.steps) steps[step.id] = emptyStep(step.id, step.kind);
    const servers: Record<string, ServerRunState> = {};
    for (const server of wave.servers)
      servers[server.sourceServerId] = {
        sourceServerId: server.sourceServerId,
        hostname: server.hostname,
        region: server.region,
        launchStatus: 'NOT_STARTED',
      };
    const jobKeys: Record<string, JobKeyState> = {};
    for (const step of wave.steps) {
      if (step.kind !== 'launch') continue;
      for (const job of step.jobs) {
        jobKeys[job.key] = { key: job.key, region: job.region, sourceServerIds: job.sourceServerIds, attempts: 0 };
        for (const id of job.sourceServerIds) if (servers[id]) servers[id].jobKey = job.key;
      }
    }
    waves[wave.name] = { name: wave.name, status: 'pending', steps, servers, jobKeys };
  }
  return {
    runId: event.runId,
    planName: event.plan.name,
    mode: event.mode,
    createdAt: event.at,
    status: 'running',
    plan: event.plan,
    groups: event.groups,
    executionPlan: event.executionPlan,
    preflight: event.preflight,
    pausedByUser: false,
    pauses: [],
    cancelRequested: false,
    waves,
    jobs: {},
    errors: [],
    lastSeq: event.seq,
  };
}

/** Applies one event. Mutates and returns `state` (callers clone when they need snapshots). */
export function applyEvent(state: RunState | undefined, event: RunEvent): RunState {
  if (event.type === 'run.created') return initialState(event);
  if (!state) throw new Error(`Journal does not start with run.created (first event: ${event.type})`);
  state.lastSeq = event.seq;
  const wave = 'wave' in event && event.wave ? state.waves[event.wave] : undefined;
  const stepId = (event as { step?: string }).step;
  const step: StepRunState | undefined = wave && stepId ? wave.steps[stepId] : undefined;
  switch (event.type) {
    case 'run.status':
      state.status = event.status;
      if (TERMINAL_RUN.includes(event.status)) {
        state.endedAt = event.at;
        const open = state.pauses[state.pauses.length - 1];
        if (open && !open.to) open.to = event.at;
      }
      break;
    case 'run.paused':
      state.pausedByUser = true;
      state.pauses.push({ from: event.at });
      if (state.status === 'running') state.status = 'paused';
      break;
    case 'run.resumed': {
      state.pausedByUser = false;
      const open = state.pauses[state.pauses.length - 1];
      if (open && !open.to) open.to = event.at;
      if (state.status === 'paused') state.status = 'running';
      break;
    }
    case 'run.cancelRequested':
      state.cancelRequested = true;
      if (!TERMINAL_RUN.includes(state.status)) state.status = 'cancelling';
      break;
    case 'run.error':
      state.errors.push({ at: event.at, wave: event.wave, step: event.step, message: event.message });
      break;
    case 'wave.status':
      if (!wave) break;
      wave.status = event.status;
      if (event.status === 'running' && !wave.startedAt) wave.startedAt = event.at;
      if (TERMINAL_WAVE.includes(event.status)) wave.endedAt = event.at;
      if (event.error) wave.error = event.error;
      break;
    case 'step.status':
      if (!step) break;
      step.status = event.status;
      if (
        (event.status === 'running' || event.status === 'held' || event.status === 'waiting-approval') &&
        !step.startedAt
      )
        step.startedAt = event.at;
      if (TERMINAL_STEP.includes(event.status)) step.endedAt = event.at;
      if (event.error) step.error = event.error;
      break;
    case 'step.waitUntil':
      if (step) step.waitUntil = event.until;
      break;
    case 'approval.requested':
      if (step)
        step.approval = {
          message: event.message,
          requestedAt: event.at,
          ...(event.deadline ? { deadline: event.deadline } : {}),
        };
      break;
    case 'approval.decided':
      if (step?.approval)
        Object.assign(step.approval, {
          decidedAt: event.at,
          approved: event.approved,
          by: event.by,
          comment: event.comment,
        });
      break;
    case 'action.starting':
      step?.attempts.push({ attempt: event.attempt, clientToken: event.clientToken, startedAt: event.at });
      break;
    case 'action.started': {
      const attempt = step?.attempts.find((a) => a.attempt === event.attempt);
      if (attempt) attempt.executionId = event.executionId;
      break;
    }
    case 'action.finished': {
      const attempt = step?.attempts.find((a) => a.attempt === event.attempt);
      if (attempt)
        Object.assign(attempt, { endedAt: event.at, status: event.status, outputs: event.outputs, error: event.error });
      break;
    }
    case 'launchSettings.applied':
      if (wave) wave.launchSettingsApplied = [...(wave.launchSettingsApplied ?? []), ...event.sourceServerIds];
      break;
    case 'job.starting': {
      const key = wave?.jobKeys[event.jobKey];
      if (key) {
        key.startingAt = event.at;
        key.firstStartingAt ??= event.at;
        key.attempts += 1;
      }
      break;
    }
    case 'job.started': {
      const key = wave?.jobKeys[event.jobKey];
      if (key) {
        key.jobId = event.jobId;
        delete key.error;
      }
      state.jobs[event.jobId] = {
        jobId: event.jobId,
        kind: 'launch',
        wave: event.wave,
        jobKey: event.jobKey,
        region: event.region,
        status: 'PENDING',
        startedAt: event.at,
        sourceServerIds: event.sourceServerIds,
        log: [],
        ...(event.recovered ? { recovered: true } : {}),
      };
      for (const id of event.sourceServerIds) {
        const server = wave?.servers[id];
        if (server) {
          server.jobId = event.jobId;
          if (server.launchStatus === 'NOT_STARTED') server.launchStatus = 'PENDING';
          server.startedAt ??= event.at;
        }
      }
      break;
    }
    case 'job.startFailed': {
      const key = wave?.jobKeys[event.jobKey];
      if (key) key.error = event.error;
      break;
    }
    case 'job.status': {
      const job = state.jobs[event.jobId];
      if (!job) break;
      job.status = event.status;
      if (event.status === 'COMPLETED') {
        job.observedCompletedAt = event.at;
        job.endedAt = event.endedAt ?? event.at;
      }
      break;
    }
    case 'job.log':
      state.jobs[event.jobId]?.log.push(...event.items);
      break;
    case 'server.status': {
      const server = wave?.servers[event.sourceServerId];
      if (!server) break;
      server.launchStatus = event.launchStatus;
      if (event.jobId) server.jobId = event.jobId;
      if (event.recoveryInstanceId) server.recoveryInstanceId = event.recoveryInstanceId;
      if (event.ec2InstanceId) server.ec2InstanceId = event.ec2InstanceId;
      if (event.error) server.error = event.error;
      if (event.launchStatus === 'LAUNCHED') server.launchedAt ??= event.at;
      if (TERMINAL_SERVER.includes(event.launchStatus)) server.endedAt ??= event.at;
      break;
    }
    case 'cleanup.started':
      state.cleanup = {
        startedAt: event.at,
        jobIds: event.jobIds,
        recoveryInstanceIds: event.recoveryInstanceIds,
        status: 'running',
      };
      for (const jobId of event.jobIds)
        state.jobs[jobId] = {
          jobId,
          kind: 'terminate',
          region: event.region,
          status: 'PENDING',
          startedAt: event.at,
          sourceServerIds: [],
          log: [],
        };
      break;
    case 'cleanup.finished':
      if (state.cleanup)
        Object.assign(state.cleanup, {
          status: event.status,
          endedAt: event.at,
          ...(event.error ? { error: event.error } : {}),
        });
      break;
  }
  return state;
}

export function replay(events: RunEvent[]): RunState {
  let state: RunState | undefined;
  for (const event of events) state = applyEvent(state, event);
  if (!state) throw new Error('The journal is empty');
  return state;
}
