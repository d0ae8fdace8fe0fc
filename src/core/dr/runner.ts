/**
 * The local runner: executes an execution plan as a drill or a recovery, from this process.
 *
 * - Waves start as soon as their dependencies finish; independent waves run in parallel.
 * - Per wave: [pause] → pre-actions → StartRecovery per job (within DRS limits) → follow the jobs until
 *   every server is LAUNCHED or FAILED → post-actions.
 * - One monitor follows every job of the run with adaptive polling (DescribeJobs for all jobs at once,
 *   DescribeJobLogItems when something moved), so a finished job is noticed within one short interval.
 * - State changes only through journaled events (state.ts), written and fsynced before the runner acts
 *   on them. `DrRunner.resume` rebuilds the run from its journal and carries on: running jobs are
 *   re-attached by job ID (or found again by their tags when the crash came between StartRecovery and
 *   its answer); a wave that already started is never started again.
 * - Mutating calls go through DrActionGateway only (see gateway.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Job } from '@aws-sdk/client-drs';
import { delay, isConflict, isThrottling, type ApiCallStats, type ApiCounters, type DrReads } from './aws';
import type { DrActionGateway, DrCallContext } from './gateway';
import { RunJournal, replayJournal } from './journal';
import { DRS_LIMITS, type DrsLimits, type ProtectionGroup, type RecoveryPlan } from './model';
import type { PlannedJob, PlannedStep, PlannedWave, RunMode } from './planner';
import { AdaptivePoller, Wakeable, type PollerOptions } from './poller';
import { runPreflight, type PreflightReport } from './preflight';
import {
  applyEvent,
  TERMINAL_RUN,
  TERMINAL_SERVER,
  TERMINAL_STEP,
  TERMINAL_WAVE,
  type JobLogEntry,
  type RunEvent,
  type RunEventInput,
  type RunState,
  type ServerLaunchStatus,
  type StepStatus,
  type WaveRunState,
} from './state';

export const JOB_TAG_RUN = 'PilotLightRunId';
export const JOB_TAG_KEY = 'PilotLightJobKey';
export const JOB_TAG_PLAN = 'PilotLightPlan';

const SSM_SUCCESS = new Set(['Success', 'CompletedWithSuccess']);
const SSM_TERMINAL = new Set(['Success', 'CompletedWithSuccess', 'Failed', 'TimedOut', 'Cancelled', 'CompletedWithFailure', 'Rejected', 'Exited', 'ChangeCalendarOverrideRejected']);

export interface RunnerDeps {
  reads: DrReads;
  gateway: DrActionGateway;
  /** Folder of the run journals (e.g. the extension's global storage /dr-runs). */
  journalDir: string;
  /** Region for waves that only list source server IDs. */
  defaultRegion: string;
  poll?: PollerOptions;
  /** Longest time between two job-log fetches of a job whose status did not change. Default 1000 ms. */
  logIntervalMs?: number;
  limits?: DrsLimits;
  /** Apply protection groups' launch settings before a wave launches. Default true. */
  applyLaunchSettings?: boolean;
  /** Retries of StartRecovery on ConflictException / ServiceQuotaExceededException. Default 5. */
  startRetries?: number;
  startRetryDelayMs?: number;
  /** Poll interval of GetAutomationExecution. Default: the job poller settings. */
  actionPoll?: PollerOptions;
  /** Who acts (pause, approve, cancel) when the caller does not say. */
  actor?: string;
  log?: (message: string) => void;
}

export interface StartRunInput {
  plan: RecoveryPlan;
  groups: ProtectionGroup[];
  mode: RunMode;
  /** A preflight report of this plan and mode; run now when absent. */
  preflight?: PreflightReport;
  runId?: string;
}

export class PreflightBlockedError extends Error {
  constructor(readonly report: PreflightReport) {
    super(`Preflight found ${report.findings.filter((f) => f.severity === 'error').length} blocking problem(s):\n${report.findings.filter((f) => f.severity === 'error').map((f) => `- ${f.message} Fix: ${f.fix}`).join('\n')}`);
    this.name = 'PreflightBlockedError';
  }
}

class AbandonedError extends Error {
  constructor() {
    super('The runner was abandoned');
    this.name = 'AbandonedError';
  }
}

export interface WaveTransition {
  wave: string;
  dependsOn: string[];
  /** When the last job of the dependencies was COMPLETED (DRS endDateTime). */
  dependenciesCompletedAt?: string;
  /** When the wave's first StartRecovery was sent. */
  firstStartRecoveryAt?: string;
  /** firstStartRecoveryAt − dependenciesCompletedAt; negative when the wave started before the last dependency job wrapped up. */
  overheadMs?: number;
}

export interface RunnerMetrics {
  api: ApiCallStats;
  apiCalls: number;
  servers: number;
  apiCallsPerServer: number;
  waveTransitions: WaveTransition[];
}

export type RunListener = (event: RunEvent, state: RunState) => void;

/** Notifies every waiter at once; waiters time out on their own. */
class Signal {
  private waiters = new Set<() => void>();

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** A deterministic UUID (SSM ClientToken must be a UUID) for one action attempt of one run. */
export function clientTokenFor(runId: string, stepId: string, attempt: number): string {
  const hex = createHash('sha256').update(`${runId}|${stepId}|${attempt}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function newRunId(planName: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${planName.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 40)}-${randomBytes(3).toString('hex')}`;
}

interface TrackedJob {
  jobId: string;
  region: string;
  lastLogFetch: number;
  onDone?: () => void;
}

/** Limits our own DRS jobs to the concurrent-job and active-server limits. */
class JobSlots {
  private jobs = 0;
  private servers = 0;
  private readonly queue: { servers: number; resolve: () => void }[] = [];

  constructor(private readonly limits: DrsLimits) {}

  acquire(servers: number): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = (): void => {
        this.jobs += 1;
        this.servers += servers;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.jobs -= 1;
          this.servers -= servers;
          this.drain();
        });
      };
      this.queue.push({ servers, resolve: grant });
      this.drain();
    });
  }

  private drain(): void {
    while (this.queue.length) {
      const next = this.queue[0];
      const fits = this.jobs < this.limits.maxConcurrentJobs && (this.servers + next.servers <= this.limits.maxServersInActiveJobs || this.jobs === 0);
      if (!fits) return;
      this.queue.shift();
      next.resolve();
    }
  }
}

export class DrRunner {
  private state: RunState;
  private readonly listeners = new Set<RunListener>();
  private readonly signal = new Signal();
  private readonly monitorWake = new Wakeable();
  private readonly tracked = new Map<string, TrackedJob>();
  private readonly waveTasks = new Map<string, Promise<void>>();
  private readonly slots: JobSlots;
  private readonly abort = new AbortController();
  private readonly poller: AdaptivePoller;
  private abandoned = false;
  private running?: Promise<RunState>;
  private monitorRunning = false;
  private monitorLoop?: Promise<void>;
  private lastMonitorError?: string;
  private readonly releases = new Map<string, () => void>();

  private constructor(private readonly deps: RunnerDeps, private readonly journal: RunJournal, events: RunEvent[]) {
    let state: RunState | undefined;
    for (const event of events) state = applyEvent(state, event);
    if (!state) throw new Error('A run needs its run.created event');
    this.state = state;
    this.slots = new JobSlots(deps.limits ?? DRS_LIMITS);
    this.poller = new AdaptivePoller(deps.poll);
  }

  /**
   * Runs preflight (unless given a report), refuses to start on errors, and creates the run's journal.
   * Call `run()` to execute.
   */
  static async create(deps: RunnerDeps, input: StartRunInput): Promise<DrRunner> {
    const report = input.preflight ?? (await runPreflight({ plan: input.plan, groups: input.groups, reads: deps.reads, mode: input.mode, defaultRegion: deps.defaultRegion, limits: deps.limits }));
    if (!report.ok) throw new PreflightBlockedError(report);
    if (report.planName !== input.plan.name || report.mode !== input.mode) throw new Error('The preflight report is for another plan or mode');
    const runId = input.runId ?? newRunId(input.plan.name);
    const journal = RunJournal.create(deps.journalDir, runId);
    const [created] = journal.append([
      {
        type: 'run.created',
        runId,
        mode: input.mode,
        plan: structuredClone(input.plan),
        groups: structuredClone(input.groups.filter((group) => input.plan.waves.some((wave) => wave.protectionGroups?.includes(group.name)))),
        executionPlan: report.executionPlan,
        preflight: { checkedAt: report.checkedAt, findings: report.findings, launchSettingsDrift: report.launchSettingsDrift, externalActiveJobs: report.externalActiveJobs },
      } as RunEventInput,
    ]);
    return new DrRunner(deps, journal, [created]);
  }

  /** Continues a run from its journal (after a crash or a window reload). Call `run()` to carry on. */
  static resume(deps: RunnerDeps, journalPath: string): DrRunner {
    const { journal, events } = RunJournal.reopen(journalPath);
    return new DrRunner(deps, journal, events);
  }

  /** Reads a run's state from its journal without continuing it. */
  static inspect(journalPath: string): RunState {
    return replayJournal(journalPath).state;
  }

  get runId(): string {
    return this.state.runId;
  }

  get journalPath(): string {
    return this.journal.path;
  }

  /** The live state (do not mutate); use snapshot() for a copy. */
  get current(): Readonly<RunState> {
    return this.state;
  }

  snapshot(): RunState {
    return structuredClone(this.state);
  }

  onEvent(listener: RunListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private get actor(): string {
    return this.deps.actor ?? 'local user';
  }

  private context(wave?: string, reason = ''): DrCallContext {
    return { correlationId: this.state.runId, planName: this.state.planName, waveName: wave, mode: this.state.mode, reason };
  }

  private emit(...inputs: RunEventInput[]): RunEvent[] {
    if (this.abandoned) throw new AbandonedError();
    const events = this.journal.append(inputs);
    for (const event of events) {
      applyEvent(this.state, event);
      for (const listener of this.listeners) {
        try {
          listener(event, this.state);
        } catch (error) {
          this.deps.log?.(`run listener failed: ${(error as Error).message}`);
        }
      }
    }
    this.signal.notify();
    return events;
  }

  private log(message: string): void {
    this.deps.log?.(`[${this.state.runId}] ${message}`);
  }

  // ---- controls ---------------------------------------------------------------------------------

  /** Pause on demand: no new wave or step starts; running jobs go on and stay visible. */
  pause(by = this.actor): void {
    if (TERMINAL_RUN.includes(this.state.status) || this.state.pausedByUser || this.state.cancelRequested) return;
    this.emit({ type: 'run.paused', by });
  }

  /**
   * Resumes a run paused on demand and releases waves held by pauseBeforeWave; with `wave`, releases
   * only that wave.
   */
  resume(wave?: string, by = this.actor): void {
    if (TERMINAL_RUN.includes(this.state.status)) return;
    if (!wave && this.state.pausedByUser) this.emit({ type: 'run.resumed', by });
    for (const ws of Object.values(this.state.waves)) {
      if (wave && ws.name !== wave) continue;
      for (const step of Object.values(ws.steps)) {
        if (step.kind === 'pause' && step.status === 'held') this.emit({ type: 'step.status', wave: ws.name, step: step.id, status: 'succeeded' }, { type: 'wave.status', wave: ws.name, status: 'running' });
      }
    }
  }

  /** Stops waves that have not started; running jobs are followed to their end and stay visible. */
  cancel(by = this.actor): void {
    if (TERMINAL_RUN.includes(this.state.status) || this.state.cancelRequested) return;
    this.emit({ type: 'run.cancelRequested', by });
  }

  /** Answers a manual-approval action. */
  approve(wave: string, stepId: string, approved: boolean, by = this.actor, comment?: string): void {
    const step = this.state.waves[wave]?.steps[stepId];
    if (!step || step.status !== 'waiting-approval') throw new Error(`Step ${stepId} of wave ${wave} is not waiting for approval`);
    this.emit({ type: 'approval.decided', wave, step: stepId, approved, by, comment });
  }

  /** Simulates a crash: stops everything at once without writing anything more. */
  abandon(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    this.abort.abort();
    this.journal.close();
    this.signal.notify();
    this.monitorWake.wake();
  }

  /** Closes the journal of a finished run. */
  dispose(): void {
    this.abandon();
  }

  // ---- execution -----------------------------------------------------------------------------------

  /** Executes (or continues) the run until it ends; returns the final state. */
  run(): Promise<RunState> {
    this.running ??= this.execute();
    return this.running;
  }

  private async execute(): Promise<RunState> {
    try {
      if (!TERMINAL_RUN.includes(this.state.status)) {
        this.startMonitor();
        // Re-attach to jobs that were running when the previous runner stopped.
        for (const job of Object.values(this.state.jobs)) if (job.status !== 'COMPLETED') this.track(job.jobId, job.region);
        await this.scheduleLoop();
        const waves = Object.values(this.state.waves);
        const failed = waves.some((wave) => wave.status === 'failed');
        const status = this.state.cancelRequested ? 'cancelled' : failed ? 'failed' : 'completed';
        this.emit({ type: 'run.status', status });
      }
      if (this.state.cleanup?.status === 'running') await this.finishCleanup();
      // Keep following jobs that are still wrapping up (servers are done, the job is not yet COMPLETED).
      await this.waitForTrackedJobs(10_000);
      return this.state;
    } catch (error) {
      if (error instanceof AbandonedError || this.abandoned) return this.state;
      throw error;
    } finally {
      this.stopMonitor();
    }
  }

  private async scheduleLoop(): Promise<void> {
    for (;;) {
      if (this.abandoned) throw new AbandonedError();
      this.schedule();
      const allDone = this.state.executionPlan.waves.every((wave) => TERMINAL_WAVE.includes(this.state.waves[wave.name].status));
      if (allDone && this.waveTasks.size === 0) return;
      await this.signal.wait(1000);
    }
  }

  private schedule(): void {
    const { executionPlan } = this.state;
    const anyFailed = Object.values(this.state.waves).some((wave) => wave.status === 'failed');
    for (const planned of executionPlan.waves) {
      const ws = this.state.waves[planned.name];
      if (this.waveTasks.has(planned.name)) continue;
      if (ws.status === 'running' || ws.status === 'held') {
        this.startWaveTask(planned); // a wave that was running when the previous runner stopped
        continue;
      }
      if (ws.status !== 'pending') continue;
      if (this.state.cancelRequested) {
        this.emit({ type: 'wave.status', wave: planned.name, status: 'cancelled', error: 'Cancelled before it started.' });
        continue;
      }
      if (anyFailed && executionPlan.failurePolicy === 'stop') {
        this.emit({ type: 'wave.status', wave: planned.name, status: 'skipped', error: 'Not started: an earlier wave failed and the failure policy is "stop".' });
        continue;
      }
      const dependencies = planned.dependsOn.map((name) => this.state.waves[name]);
      if (dependencies.some((dependency) => !TERMINAL_WAVE.includes(dependency.status))) continue;
      const blocked = dependencies.find((dependency) => dependency.status === 'skipped' || dependency.status === 'cancelled');
      if (blocked) {
        this.emit({ type: 'wave.status', wave: planned.name, status: 'skipped', error: `Not started: wave "${blocked.name}" it depends on was ${blocked.status}.` });
        continue;
      }
      if (this.state.pausedByUser) continue;
      this.startWaveTask(planned);
    }
  }

  private startWaveTask(planned: PlannedWave): void {
    const task = this.runWave(planned)
      .catch((error: unknown) => {
        if (error instanceof AbandonedError || this.abandoned) return;
        const message = (error as Error).message ?? String(error);
        this.log(`wave ${planned.name} crashed: ${message}`);
        try {
          this.emit({ type: 'run.error', wave: planned.name, message }, { type: 'wave.status', wave: planned.name, status: 'failed', error: message });
        } catch {
          // abandoned meanwhile
        }
      })
      .finally(() => {
        this.waveTasks.delete(planned.name);
        this.signal.notify();
      });
    this.waveTasks.set(planned.name, task);
  }

  private async runWave(planned: PlannedWave): Promise<void> {
    const ws = this.state.waves[planned.name];
    if (ws.status === 'pending') this.emit({ type: 'wave.status', wave: planned.name, status: 'running' });
    for (let i = 0; i < planned.steps.length; i++) {
      const step = planned.steps[i];
      const ss = ws.steps[step.id];
      if (TERMINAL_STEP.includes(ss.status)) {
        if (ss.status === 'failed') return this.endWave(planned, i + 1, 'failed', ss.error);
        if (ss.status === 'cancelled') return this.endWave(planned, i + 1, 'cancelled', ss.error);
        continue;
      }
      if (ss.status === 'pending') {
        // Step boundary: on-demand pause holds here, cancel stops here.
        while (this.state.pausedByUser && !this.state.cancelRequested) await this.waitChange();
        if (this.state.cancelRequested) return this.endWave(planned, i, 'cancelled', 'Cancelled.');
      }
      const outcome = await this.runStep(planned, step);
      if (outcome.status === 'failed' || outcome.status === 'cancelled') {
        if (ws.steps[step.id].status !== outcome.status) this.emit({ type: 'step.status', wave: planned.name, step: step.id, status: outcome.status, error: outcome.error });
        return this.endWave(planned, i + 1, outcome.status, outcome.error);
      }
      if (ws.steps[step.id].status !== 'succeeded') this.emit({ type: 'step.status', wave: planned.name, step: step.id, status: 'succeeded' });
    }
    this.emit({ type: 'wave.status', wave: planned.name, status: 'completed' });
  }

  private endWave(planned: PlannedWave, fromStep: number, status: 'failed' | 'cancelled', error?: string): void {
    const ws = this.state.waves[planned.name];
    const rest = planned.steps.slice(fromStep).filter((step) => !TERMINAL_STEP.includes(ws.steps[step.id].status));
    this.emit(
      ...rest.map((step): RunEventInput => ({ type: 'step.status', wave: planned.name, step: step.id, status: status === 'cancelled' ? 'cancelled' : 'skipped' })),
      { type: 'wave.status', wave: planned.name, status, error },
    );
  }

  private waitChange(ms = 1000): Promise<void> {
    if (this.abandoned) return Promise.reject(new AbandonedError());
    return this.signal.wait(ms).then(() => {
      if (this.abandoned) throw new AbandonedError();
    });
  }

  private async runStep(planned: PlannedWave, step: PlannedStep): Promise<{ status: 'succeeded' | 'failed' | 'cancelled'; error?: string }> {
    switch (step.kind) {
      case 'pause':
        return this.runPause(planned, step);
      case 'launch':
        return this.runLaunch(planned, step);
      case 'action':
        if (step.action.type === 'wait') return this.runWait(planned, step, step.action.seconds);
        if (step.action.type === 'approval') return this.runApproval(planned, step, step.action.message, step.action.timeoutSeconds);
        return this.runAutomation(planned, step as Extract<PlannedStep, { kind: 'action' }>);
    }
  }

  private setStep(wave: string, step: string, status: StepStatus, error?: string): void {
    if (this.state.waves[wave].steps[step].status !== status) this.emit({ type: 'step.status', wave, step, status, ...(error ? { error } : {}) });
  }

  private async runPause(planned: PlannedWave, step: PlannedStep): Promise<{ status: 'succeeded' | 'cancelled' }> {
    const ss = this.state.waves[planned.name].steps[step.id];
    if (ss.status === 'pending') this.emit({ type: 'step.status', wave: planned.name, step: step.id, status: 'held' }, { type: 'wave.status', wave: planned.name, status: 'held' });
    while (ss.status === 'held') {
      if (this.state.cancelRequested) return { status: 'cancelled' };
      await this.waitChange();
    }
    return { status: 'succeeded' };
  }

  private async runWait(planned: PlannedWave, step: PlannedStep, seconds: number): Promise<{ status: 'succeeded' | 'cancelled' }> {
    const ss = this.state.waves[planned.name].steps[step.id];
    if (!ss.waitUntil) {
      this.setStep(planned.name, step.id, 'running');
      this.emit({ type: 'step.waitUntil', wave: planned.name, step: step.id, until: new Date(Date.now() + seconds * 1000).toISOString() });
    }
    const until = Date.parse(ss.waitUntil!);
    while (Date.now() < until) {
      if (this.state.cancelRequested) return { status: 'cancelled' };
      await this.waitChange(Math.min(1000, until - Date.now()));
    }
    return { status: 'succeeded' };
  }

  private async runApproval(planned: PlannedWave, step: PlannedStep, message: string, timeoutSeconds?: number): Promise<{ status: 'succeeded' | 'failed' | 'cancelled'; error?: string }> {
    const ss = this.state.waves[planned.name].steps[step.id];
    if (!ss.approval) {
      this.emit(
        { type: 'step.status', wave: planned.name, step: step.id, status: 'waiting-approval' },
        { type: 'approval.requested', wave: planned.name, step: step.id, message, ...(timeoutSeconds ? { deadline: new Date(Date.now() + timeoutSeconds * 1000).toISOString() } : {}) },
      );
    }
    for (;;) {
      const approval = ss.approval!;
      if (approval.decidedAt) {
        return approval.approved ? { status: 'succeeded' } : { status: 'failed', error: `Rejected by ${approval.by ?? 'someone'}${approval.comment ? `: ${approval.comment}` : ''}.` };
      }
      if (this.state.cancelRequested) return { status: 'cancelled' };
      if (approval.deadline && Date.now() >= Date.parse(approval.deadline)) return { status: 'failed', error: `Nobody approved "${message}" within ${timeoutSeconds} s.` };
      await this.waitChange(approval.deadline ? Math.max(1, Math.min(1000, Date.parse(approval.deadline) - Date.now())) : 1000);
    }
  }

  private async runAutomation(planned: PlannedWave, step: Extract<PlannedStep, { kind: 'action' }>): Promise<{ status: 'succeeded' | 'failed'; error?: string }> {
    const action = step.action;
    if (action.type !== 'ssmAutomation') throw new Error('not an automation');
    const ss = this.state.waves[planned.name].steps[step.id];
    this.setStep(planned.name, step.id, 'running');
    const maxAttempts = action.retries + 1;
    for (;;) {
      let attempt = ss.attempts[ss.attempts.length - 1];
      if (!attempt || attempt.endedAt) {
        const number = (attempt?.attempt ?? 0) + 1;
        if (number > maxAttempts) {
          return { status: 'failed', error: `${step.label}: ${attempt?.status ?? 'failed'}${attempt?.error ? ` (${attempt.error})` : ''} after ${maxAttempts} attempt${maxAttempts === 1 ? '' : 's'}.` };
        }
        this.emit({ type: 'action.starting', wave: planned.name, step: step.id, attempt: number, clientToken: clientTokenFor(this.state.runId, step.id, number) });
        attempt = ss.attempts[ss.attempts.length - 1];
      }
      if (!attempt.executionId) {
        try {
          const { executionId } = await this.deps.gateway.startAutomation(
            {
              region: step.region,
              documentName: action.documentName,
              documentVersion: action.documentVersion,
              parameters: action.parameters,
              clientToken: attempt.clientToken!,
              tags: { [JOB_TAG_RUN]: this.state.runId, [JOB_TAG_PLAN]: this.state.planName },
            },
            this.context(planned.name, `${this.state.mode} ${this.state.planName}: ${step.phase}-wave action ${step.label} of wave ${planned.name}`),
          );
          this.emit({ type: 'action.started', wave: planned.name, step: step.id, attempt: attempt.attempt, executionId });
        } catch (error) {
          this.emit({ type: 'action.finished', wave: planned.name, step: step.id, attempt: attempt.attempt, status: 'StartFailed', error: describe(error) });
          continue;
        }
      }
      const result = await this.followAutomation(step.region, attempt.executionId!, Date.parse(attempt.startedAt) + action.timeoutSeconds * 1000, planned.name);
      this.emit({ type: 'action.finished', wave: planned.name, step: step.id, attempt: attempt.attempt, status: result.status, ...(result.outputs ? { outputs: result.outputs } : {}), ...(result.error ? { error: result.error } : {}) });
      if (SSM_SUCCESS.has(result.status)) return { status: 'succeeded' };
    }
  }

  private async followAutomation(region: string, executionId: string, deadline: number, wave: string): Promise<{ status: string; outputs?: Record<string, string[]>; error?: string }> {
    const poller = new AdaptivePoller(this.deps.actionPoll ?? this.deps.poll);
    let lastStatus = '';
    for (;;) {
      if (this.abandoned) throw new AbandonedError();
      let changed = false;
      try {
        const execution = await this.deps.reads.getAutomationExecution(region, executionId);
        const status = execution.AutomationExecutionStatus ?? 'Pending';
        changed = status !== lastStatus;
        lastStatus = status;
        if (SSM_TERMINAL.has(status)) return { status, outputs: execution.Outputs, error: execution.FailureMessage };
      } catch (error) {
        if (this.abandoned) throw new AbandonedError();
        this.log(`GetAutomationExecution ${executionId}: ${describe(error)}`);
      }
      if (Date.now() >= deadline) {
        await this.deps.gateway.stopAutomation({ region, executionId }, this.context(wave, `Automation ${executionId} exceeded its timeout`)).catch((error) => this.log(`StopAutomationExecution failed: ${describe(error)}`));
        return { status: 'TimedOut', error: `Did not finish within its timeout; stopped.` };
      }
      await delay(Math.min(poller.next(changed), Math.max(1, deadline - Date.now())), this.abort.signal);
    }
  }

  // ---- launch --------------------------------------------------------------------------------------

  private async runLaunch(planned: PlannedWave, step: Extract<PlannedStep, { kind: 'launch' }>): Promise<{ status: 'succeeded' | 'failed'; error?: string }> {
    const ws = this.state.waves[planned.name];
    const ss = ws.steps[step.id];
    this.setStep(planned.name, step.id, 'running');
    const deadline = Date.parse(ss.startedAt!) + step.maxWaitSeconds * 1000;
    await this.applyLaunchSettings(planned);
    await Promise.all(step.jobs.map((job) => this.startOrAttachJob(planned, job)));

    for (;;) {
      const open = Object.values(ws.servers).filter((server) => !TERMINAL_SERVER.includes(server.launchStatus));
      if (open.length === 0) break;
      if (Date.now() >= deadline) {
        this.emit(
          ...open.map((server): RunEventInput => ({ type: 'server.status', wave: planned.name, sourceServerId: server.sourceServerId, launchStatus: 'TIMED_OUT', error: `Not LAUNCHED or FAILED after ${step.maxWaitSeconds} s (maxWaitSeconds).` })),
        );
        break;
      }
      await this.waitChange(Math.min(1000, Math.max(1, deadline - Date.now())));
    }
    await this.fillEc2InstanceIds(planned);
    const bad = Object.values(ws.servers).filter((server) => server.launchStatus !== 'LAUNCHED');
    if (bad.length === 0) return { status: 'succeeded' };
    const detail = bad.slice(0, 3).map((server) => `${server.hostname}: ${server.launchStatus}${server.error ? ` (${server.error})` : ''}`).join('; ');
    return { status: 'failed', error: `${bad.length} of ${Object.keys(ws.servers).length} servers did not launch: ${detail}${bad.length > 3 ? '; …' : ''}` };
  }

  private async applyLaunchSettings(planned: PlannedWave): Promise<void> {
    if (this.deps.applyLaunchSettings === false) return;
    const ws = this.state.waves[planned.name];
    const done = new Set(ws.launchSettingsApplied ?? []);
    const drift = this.state.preflight.launchSettingsDrift.filter((d) => ws.servers[d.sourceServerId] && !done.has(d.sourceServerId));
    const applied: string[] = [];
    for (const item of drift) {
      try {
        await this.deps.gateway.updateLaunchConfiguration({ region: item.region, sourceServerId: item.sourceServerId, settings: item.settings }, this.context(planned.name, `Apply launch settings of protection group ${item.group} before wave ${planned.name}`));
        applied.push(item.sourceServerId);
      } catch (error) {
        this.emit({ type: 'run.error', wave: planned.name, message: `Launch settings of ${item.sourceServerId} could not be applied (launching with the current ones): ${describe(error)}` });
      }
    }
    if (applied.length) this.emit({ type: 'launchSettings.applied', wave: planned.name, sourceServerIds: applied });
  }

  private async startOrAttachJob(planned: PlannedWave, job: PlannedJob): Promise<void> {
    const ws = this.state.waves[planned.name];
    const key = ws.jobKeys[job.key];
    if (key.jobId) {
      this.track(key.jobId, key.region);
      return;
    }
    if (key.startingAt && !key.error) {
      // The previous runner sent StartRecovery and stopped before recording the answer.
      const outcome = await this.reconcileJob(planned, job, key.startingAt);
      if (outcome !== 'not-started') return;
    }
    if (key.error && Object.values(ws.servers).filter((s) => job.sourceServerIds.includes(s.sourceServerId)).every((s) => TERMINAL_SERVER.includes(s.launchStatus))) return;
    const release = await this.slots.acquire(job.sourceServerIds.length);
    const retries = this.deps.startRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      if (this.abandoned) throw new AbandonedError();
      this.emit({ type: 'job.starting', wave: planned.name, jobKey: job.key, region: job.region, sourceServerIds: job.sourceServerIds });
      let result: Job;
      try {
        ({ job: result } = await this.deps.gateway.startRecovery(
          { region: job.region, sourceServerIds: job.sourceServerIds, isDrill: this.state.mode === 'drill', tags: { [JOB_TAG_RUN]: this.state.runId, [JOB_TAG_KEY]: job.key, [JOB_TAG_PLAN]: this.state.planName } },
          this.context(planned.name, `${this.state.mode === 'drill' ? 'Drill' : 'Recovery'} of wave ${planned.name} of plan ${this.state.planName}: ${job.sourceServerIds.length} server(s)`),
        ));
      } catch (error) {
        if (this.abandoned) throw new AbandonedError();
        const name = (error as { name?: string }).name ?? '';
        const retryable = isConflict(error) || name === 'ServiceQuotaExceededException' || isThrottling(error);
        this.emit({ type: 'job.startFailed', wave: planned.name, jobKey: job.key, error: describe(error) });
        if (retryable && attempt < retries) {
          await delay(Math.min(10_000, (this.deps.startRetryDelayMs ?? 1000) * 2 ** attempt), this.abort.signal);
          continue;
        }
        release();
        this.emit(...job.sourceServerIds.map((id): RunEventInput => ({ type: 'server.status', wave: planned.name, sourceServerId: id, launchStatus: 'FAILED', error: `StartRecovery failed: ${describe(error)}` })));
        return;
      }
      this.recordStartedJob(planned.name, job, result, false);
      this.track(result.jobID!, job.region, release);
      return;
    }
  }

  private recordStartedJob(wave: string, job: PlannedJob, result: Job, recovered: boolean): void {
    const ids = (result.participatingServers ?? []).map((p) => p.sourceServerID).filter((id): id is string => Boolean(id));
    this.emit(
      { type: 'job.started', wave, jobKey: job.key, jobId: result.jobID!, region: job.region, sourceServerIds: ids.length ? ids : job.sourceServerIds, ...(recovered ? { recovered: true } : {}) },
      ...this.serverEvents(wave, result),
    );
  }

  /** Finds a job whose StartRecovery answer was lost; returns what it found. */
  private async reconcileJob(planned: PlannedWave, job: PlannedJob, startingAt: string): Promise<'attached' | 'conflict' | 'not-started'> {
    const fromDate = new Date(Date.parse(startingAt) - 5 * 60_000).toISOString();
    const jobs = await this.deps.reads.describeJobs(job.region, { fromDate });
    const mine = jobs.find((candidate) => candidate.tags?.[JOB_TAG_RUN] === this.state.runId && candidate.tags?.[JOB_TAG_KEY] === job.key);
    if (mine?.jobID) {
      this.log(`re-attached job ${mine.jobID} for ${job.key}`);
      this.recordStartedJob(planned.name, job, mine, true);
      const release = await this.slots.acquire(job.sourceServerIds.length);
      this.track(mine.jobID, job.region, release);
      return 'attached';
    }
    const since = Date.parse(startingAt);
    const other = jobs.find((candidate) => candidate.type === 'LAUNCH' && Date.parse(String(candidate.creationDateTime ?? '')) >= since - 1000 && (candidate.participatingServers ?? []).some((p) => job.sourceServerIds.includes(p.sourceServerID ?? '')));
    if (other) {
      const error = `Job ${other.jobID} (not started by this run) took these servers after the run's StartRecovery request; not starting them again.`;
      this.emit({ type: 'job.startFailed', wave: planned.name, jobKey: job.key, error }, ...job.sourceServerIds.map((id): RunEventInput => ({ type: 'server.status', wave: planned.name, sourceServerId: id, launchStatus: 'FAILED', error })));
      return 'conflict';
    }
    this.log(`no job found for ${job.key}: the StartRecovery request never took effect; sending it now`);
    return 'not-started';
  }

  private serverEvents(wave: string, job: Job, logItems: JobLogEntry[] = []): RunEventInput[] {
    const ws = this.state.waves[wave];
    if (!ws) return [];
    const events: RunEventInput[] = [];
    for (const participant of job.participatingServers ?? []) {
      const id = participant.sourceServerID;
      const server = id ? ws.servers[id] : undefined;
      if (!server || server.launchStatus === 'TIMED_OUT') continue;
      const status = (participant.launchStatus ?? 'PENDING') as ServerLaunchStatus;
      const recoveryInstanceId = participant.recoveryInstanceID;
      if (status === server.launchStatus && (!recoveryInstanceId || recoveryInstanceId === server.recoveryInstanceId)) continue;
      let error: string | undefined;
      if (status === 'FAILED') {
        const failure = [...this.state.jobs[job.jobID!]?.log ?? [], ...logItems].reverse().find((item) => item.sourceServerId === id && /FAIL/.test(item.event));
        error = failure?.rawError ?? failure?.event ?? 'DRS reported the launch as FAILED.';
      }
      events.push({ type: 'server.status', wave, sourceServerId: id!, launchStatus: status, jobId: job.jobID, ...(recoveryInstanceId ? { recoveryInstanceId } : {}), ...(error ? { error } : {}) });
    }
    return events;
  }

  private async fillEc2InstanceIds(planned: PlannedWave): Promise<void> {
    const missing = Object.values(this.state.waves[planned.name].servers).filter((server) => server.recoveryInstanceId && !server.ec2InstanceId);
    const byRegion = new Map<string, string[]>();
    for (const server of missing) byRegion.set(server.region, [...(byRegion.get(server.region) ?? []), server.recoveryInstanceId!]);
    for (const [region, ids] of byRegion) {
      try {
        const instances = await this.deps.reads.describeRecoveryInstances(region, { recoveryInstanceIds: ids });
        const events: RunEventInput[] = [];
        for (const instance of instances) {
          const server = missing.find((s) => s.recoveryInstanceId === instance.recoveryInstanceID);
          if (server && instance.ec2InstanceID) events.push({ type: 'server.status', wave: planned.name, sourceServerId: server.sourceServerId, launchStatus: server.launchStatus, ec2InstanceId: instance.ec2InstanceID });
        }
        this.emit(...events);
      } catch (error) {
        if (this.abandoned) throw new AbandonedError();
        this.emit({ type: 'run.error', wave: planned.name, message: `EC2 instance IDs could not be read: ${describe(error)}` });
      }
    }
  }

  // ---- job monitor -------------------------------------------------------------------------------------

  private track(jobId: string, region: string, onDone?: () => void): void {
    const existing = this.tracked.get(jobId);
    if (existing) {
      existing.onDone ??= onDone;
    } else {
      this.tracked.set(jobId, { jobId, region, lastLogFetch: 0, onDone });
    }
    this.poller.reset();
    this.monitorWake.wake();
  }

  private startMonitor(): void {
    if (this.monitorRunning) return;
    this.monitorRunning = true;
    this.monitorLoop = (async () => {
      while (this.monitorRunning && !this.abandoned) {
        if (this.tracked.size === 0) {
          await this.monitorWake.wait(1000);
          continue;
        }
        let changed = false;
        try {
          changed = await this.pollJobs();
          this.lastMonitorError = undefined;
        } catch (error) {
          if (error instanceof AbandonedError || this.abandoned) return;
          const message = `Following DRS jobs failed (retrying): ${describe(error)}`;
          this.log(message);
          if (message !== this.lastMonitorError) {
            this.lastMonitorError = message;
            try {
              this.emit({ type: 'run.error', message });
            } catch {
              return;
            }
          }
        }
        await this.monitorWake.wait(this.poller.next(changed));
      }
    })();
  }

  private stopMonitor(): void {
    this.monitorRunning = false;
    this.monitorWake.wake();
  }

  private async waitForTrackedJobs(maxMs: number): Promise<void> {
    const until = Date.now() + maxMs;
    while (this.tracked.size > 0 && Date.now() < until && !this.abandoned) await this.waitChange(200);
  }

  /** One monitoring round over every followed job; returns whether anything changed. */
  private async pollJobs(): Promise<boolean> {
    const byRegion = new Map<string, TrackedJob[]>();
    for (const job of this.tracked.values()) byRegion.set(job.region, [...(byRegion.get(job.region) ?? []), job]);
    let changed = false;
    const logInterval = this.deps.logIntervalMs ?? 1000;
    for (const [region, tracked] of byRegion) {
      const jobs = await this.deps.reads.describeJobs(region, { jobIds: tracked.map((t) => t.jobId) });
      const now = Date.now();
      const events: RunEventInput[] = [];
      const done: TrackedJob[] = [];
      await Promise.all(
        jobs.map(async (job) => {
          const t = this.tracked.get(job.jobID ?? '');
          const js = this.state.jobs[job.jobID ?? ''];
          if (!t || !js) return;
          const statusChanged = job.status !== js.status;
          const serverChange = js.wave ? this.serverEvents(js.wave, job).length > 0 : false;
          let logItems: JobLogEntry[] = [];
          if (statusChanged || serverChange || now - t.lastLogFetch >= logInterval || job.status === 'COMPLETED') {
            t.lastLogFetch = now;
            const items = await this.deps.reads.describeJobLogItems(region, job.jobID!);
            logItems = items.slice(js.log.length).map((item) => ({
              at: item.logDateTime ?? new Date().toISOString(),
              event: item.event ?? 'UNKNOWN',
              ...(item.eventData?.sourceServerID ? { sourceServerId: item.eventData.sourceServerID } : {}),
              ...(item.eventData?.targetInstanceID ? { targetInstanceId: item.eventData.targetInstanceID } : {}),
              ...(item.eventData?.conversionServerID ? { conversionServerId: item.eventData.conversionServerID } : {}),
              ...(item.eventData?.rawError ? { rawError: item.eventData.rawError } : {}),
            }));
          }
          if (logItems.length) events.push({ type: 'job.log', jobId: job.jobID!, items: logItems });
          if (js.wave) events.push(...this.serverEvents(js.wave, job, logItems));
          if (statusChanged) events.push({ type: 'job.status', jobId: job.jobID!, status: job.status ?? 'UNKNOWN', ...(job.status === 'COMPLETED' && job.endDateTime ? { endedAt: new Date(job.endDateTime).toISOString() } : {}) });
          if (job.status === 'COMPLETED' && js.wave) {
            // A server the job never launched (e.g. SERVER_SKIPPED) ends here instead of waiting for maxWaitSeconds.
            const reported = new Set(events.filter((e) => e.type === 'server.status').map((e) => (e as { sourceServerId: string }).sourceServerId));
            for (const server of Object.values(this.state.waves[js.wave].servers)) {
              if (server.jobId !== job.jobID || TERMINAL_SERVER.includes(server.launchStatus) || reported.has(server.sourceServerId)) continue;
              const participant = job.participatingServers?.find((p) => p.sourceServerID === server.sourceServerId);
              if (participant && TERMINAL_SERVER.includes(participant.launchStatus as ServerLaunchStatus)) continue;
              const last = [...js.log, ...logItems].reverse().find((item) => item.sourceServerId === server.sourceServerId);
              events.push({ type: 'server.status', wave: js.wave, sourceServerId: server.sourceServerId, launchStatus: 'FAILED', error: `Job ${job.jobID} completed without launching it${last ? ` (last event ${last.event}${last.rawError ? `: ${last.rawError}` : ''})` : ''}.` });
            }
          }
          if (job.status === 'COMPLETED') done.push(t);
        }),
      );
      if (events.length) {
        changed = true;
        this.emit(...events);
      }
      for (const t of done) {
        this.tracked.delete(t.jobId);
        t.onDone?.();
      }
    }
    return changed;
  }

  // ---- drill cleanup -----------------------------------------------------------------------------------

  /**
   * Terminates the recovery instances this drill launched (through the gateway, so guardrails and the
   * audit trail apply) and follows the TERMINATE jobs to their end.
   */
  async cleanupDrill(): Promise<RunState> {
    if (this.state.mode !== 'drill') throw new Error('Only drills are cleaned up; recovery instances of a recovery are the recovered workload.');
    if (!TERMINAL_RUN.includes(this.state.status)) throw new Error('Wait for the drill to end (or cancel it) before cleaning up.');
    if (this.state.cleanup?.status === 'running') return this.finishCleanup();
    const launched = Object.values(this.state.waves).flatMap((wave) => Object.values(wave.servers)).filter((server) => server.recoveryInstanceId && server.launchStatus === 'LAUNCHED');
    if (launched.length === 0) return this.state;
    const byRegion = new Map<string, string[]>();
    for (const server of launched) byRegion.set(server.region, [...(byRegion.get(server.region) ?? []), server.recoveryInstanceId!]);
    for (const [region, ids] of byRegion) {
      const jobIds: string[] = [];
      const batch = this.deps.gateway.terminateBatchSize ?? 100;
      for (let i = 0; i < ids.length; i += batch) {
        const { job } = await this.deps.gateway.terminateRecoveryInstances({ region, recoveryInstanceIds: ids.slice(i, i + batch) }, this.context(undefined, `Clean up drill ${this.state.runId} of plan ${this.state.planName}`));
        jobIds.push(job.jobID!);
      }
      this.emit({ type: 'cleanup.started', jobIds, recoveryInstanceIds: ids, region });
    }
    return this.finishCleanup();
  }

  private async finishCleanup(): Promise<RunState> {
    const cleanup = this.state.cleanup!;
    this.startMonitor();
    try {
      for (const jobId of cleanup.jobIds) if (this.state.jobs[jobId]?.status !== 'COMPLETED') this.track(jobId, this.state.jobs[jobId].region);
      while (cleanup.jobIds.some((jobId) => this.state.jobs[jobId]?.status !== 'COMPLETED')) await this.waitChange();
      const failures = cleanup.jobIds.flatMap((jobId) => this.state.jobs[jobId].log.filter((item) => item.event === 'CLEANUP_FAIL'));
      const events: RunEventInput[] = [];
      for (const wave of Object.values(this.state.waves)) {
        for (const server of Object.values(wave.servers)) {
          if (server.recoveryInstanceId && cleanup.recoveryInstanceIds.includes(server.recoveryInstanceId) && !failures.some((f) => f.sourceServerId === server.sourceServerId)) {
            events.push({ type: 'server.status', wave: wave.name, sourceServerId: server.sourceServerId, launchStatus: 'TERMINATED' });
          }
        }
      }
      events.push({ type: 'cleanup.finished', status: failures.length ? 'failed' : 'completed', ...(failures.length ? { error: failures.map((f) => f.rawError ?? f.event).join('; ') } : {}) });
      this.emit(...events);
      return this.state;
    } finally {
      if (!this.running || TERMINAL_RUN.includes(this.state.status)) this.stopMonitor();
    }
  }

  // ---- metrics ---------------------------------------------------------------------------------------

  metrics(): RunnerMetrics {
    return computeMetrics(this.state, [this.deps.reads.counters, (this.deps.gateway as { counters?: ApiCounters }).counters].filter((c): c is ApiCounters => Boolean(c)));
  }
}

function mergeStats(counters: ApiCounters[]): ApiCallStats {
  const unique = [...new Set(counters)];
  const merged: ApiCallStats = { calls: {}, attempts: {}, throttled: {}, throttlingFailures: 0, failures: {} };
  for (const counter of unique) {
    const stats = counter.snapshot();
    for (const key of ['calls', 'attempts', 'throttled', 'failures'] as const) {
      for (const [op, n] of Object.entries(stats[key])) merged[key][op] = (merged[key][op] ?? 0) + n;
    }
    merged.throttlingFailures += stats.throttlingFailures;
  }
  return merged;
}

/** API calls per server and the gaps between waves, from a run's state and the call counters. */
export function computeMetrics(state: RunState, counters: ApiCounters[] = []): RunnerMetrics {
  const api = mergeStats(counters);
  const apiCalls = Object.values(api.calls).reduce((sum, n) => sum + n, 0);
  const servers = Object.values(state.waves).reduce((sum, wave) => sum + Object.keys(wave.servers).length, 0);
  const jobsOf = (wave: string) => Object.values(state.jobs).filter((job) => job.wave === wave && job.kind === 'launch');
  const waveTransitions: WaveTransition[] = state.executionPlan.waves
    .filter((wave) => wave.dependsOn.length > 0)
    .map((wave) => {
      const dependencyEnds = wave.dependsOn.flatMap((name) => jobsOf(name).map((job) => job.endedAt)).filter((t): t is string => Boolean(t));
      const dependenciesCompletedAt = dependencyEnds.length ? dependencyEnds.reduce((a, b) => (Date.parse(a) > Date.parse(b) ? a : b)) : undefined;
      const starts = Object.values(state.waves[wave.name].jobKeys).map((key) => key.firstStartingAt ?? key.startingAt).filter((t): t is string => Boolean(t));
      const firstStartRecoveryAt = starts.length ? starts.reduce((a, b) => (Date.parse(a) < Date.parse(b) ? a : b)) : undefined;
      return {
        wave: wave.name,
        dependsOn: wave.dependsOn,
        dependenciesCompletedAt,
        firstStartRecoveryAt,
        ...(dependenciesCompletedAt && firstStartRecoveryAt ? { overheadMs: Date.parse(firstStartRecoveryAt) - Date.parse(dependenciesCompletedAt) } : {}),
      };
    });
  return { api, apiCalls, servers, apiCallsPerServer: servers ? apiCalls / servers : 0, waveTransitions };
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return e?.name && e.message ? `${e.name}: ${e.message}` : String(e?.message ?? error);
}

export type { WaveRunState };
