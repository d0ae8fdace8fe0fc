/**
 * The local runner: executes an execution plan as a drill or a recovery, from this process.
 *
 * - Waves start as soon as their dependencies finish; independent waves run in parallel.
 * - Per wave: [pause] → pre-actions → StartRecovery per job (within DRS limits) → follow the jobs until
 *   every server is LAUNCHED or FAILED → post-actions (steps.ts, launch.ts).
 * - One monitor follows every job of the run with adaptive polling (jobMonitor.ts).
 * - State changes only through journaled events (state.ts), written and fsynced before the runner acts
 *   on them (context.ts). `DrRunner.resume` rebuilds the run from its journal and carries on: running jobs
 *   are re-attached by job ID (or found again by their tags when the crash came between StartRecovery and
 *   its answer); a wave that already started is never started again.
 * - Mutating calls go through DrActionGateway only (see ../gateway.ts), reads through DrReads (../aws.ts).
 */
import type { ApiCounters } from '../aws';
import { RunJournal, replayJournal } from '../journal';
import type { ProtectionGroup, RecoveryPlan } from '../model';
import type { DrRunMode, PlannedWave } from '../planner';
import { runPreflight, type PreflightReport } from '../preflight';
import { TERMINAL_RUN, TERMINAL_STEP, TERMINAL_WAVE, type RunEvent, type RunEventInput, type RunState } from '../state';
import { cleanupDrill, finishCleanup } from './cleanup';
import { RunContext, type RunListener, type RunnerDeps } from './context';
import { AbandonedError } from './errors';
import { newRunId } from './ids';
import { fillEc2InstanceIds } from './launch';
import { computeMetrics, type RunnerMetrics } from './metrics';
import { runStep } from './steps';

export interface StartRunInput {
  plan: RecoveryPlan;
  groups: ProtectionGroup[];
  mode: DrRunMode;
  /** A preflight report of this plan and mode; run now when absent. */
  preflight?: PreflightReport;
  runId?: string;
}

export class PreflightBlockedError extends Error {
  constructor(readonly report: PreflightReport) {
    super(
      `Preflight found ${report.findings.filter((f) => f.severity === 'error').length} blocking problem(s):\n${report.findings
        .filter((f) => f.severity === 'error')
        .map((f) => `- ${f.message} Fix: ${f.fix}`)
        .join('\n')}`,
    );
    this.name = 'PreflightBlockedError';
  }
}

export class DrRunner {
  private readonly ctx: RunContext;
  private readonly waveTasks = new Map<string, Promise<void>>();
  private running?: Promise<RunState>;

  private constructor(deps: RunnerDeps, journal: RunJournal, events: RunEvent[]) {
    this.ctx = new RunContext(deps, journal, events);
  }

  /**
   * Runs preflight (unless given a report), refuses to start on errors, and creates the run's journal.
   * Call `run()` to execute.
   */
  static async create(deps: RunnerDeps, input: StartRunInput): Promise<DrRunner> {
    const report =
      input.preflight ??
      (await runPreflight({
        plan: input.plan,
        groups: input.groups,
        reads: deps.reads,
        mode: input.mode,
        defaultRegion: deps.defaultRegion,
        limits: deps.limits,
      }));
    if (!report.ok) throw new PreflightBlockedError(report);
    if (report.planName !== input.plan.name || report.mode !== input.mode)
      throw new Error('The preflight report is for another plan or mode');
    const runId = input.runId ?? newRunId(input.plan.name);
    const journal = RunJournal.create(deps.journalDir, runId);
    const [created] = journal.append([
      {
        type: 'run.created',
        runId,
        mode: input.mode,
        plan: structuredClone(input.plan),
        groups: structuredClone(
          input.groups.filter((group) => input.plan.waves.some((wave) => wave.protectionGroups?.includes(group.name))),
        ),
        executionPlan: report.executionPlan,
        preflight: {
          checkedAt: report.checkedAt,
          findings: report.findings,
          launchSettingsDrift: report.launchSettingsDrift,
          externalActiveJobs: report.externalActiveJobs,
        },
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

  private get state(): RunState {
    return this.ctx.state;
  }

  get runId(): string {
    return this.state.runId;
  }

  get journalPath(): string {
    return this.ctx.journal.path;
  }

  /** The live state (do not mutate); use snapshot() for a copy. */
  get current(): Readonly<RunState> {
    return this.state;
  }

  snapshot(): RunState {
    return structuredClone(this.state);
  }

  onEvent(listener: RunListener): () => void {
    this.ctx.listeners.add(listener);
    return () => this.ctx.listeners.delete(listener);
  }

  // ---- controls ---------------------------------------------------------------------------------

  /** Pause on demand: no new wave or step starts; running jobs go on and stay visible. */
  pause(by = this.ctx.actor): void {
    if (TERMINAL_RUN.includes(this.state.status) || this.state.pausedByUser || this.state.cancelRequested) return;
    this.ctx.emit({ type: 'run.paused', by });
  }

  /**
   * Resumes a run paused on demand and releases waves held by pauseBeforeWave; with `wave`, releases
   * only that wave.
   */
  resume(wave?: string, by = this.ctx.actor): void {
    if (TERMINAL_RUN.includes(this.state.status)) return;
    if (!wave && this.state.pausedByUser) this.ctx.emit({ type: 'run.resumed', by });
    for (const ws of Object.values(this.state.waves)) {
      if (wave && ws.name !== wave) continue;
      for (const step of Object.values(ws.steps)) {
        if (step.kind === 'pause' && step.status === 'held')
          this.ctx.emit(
            { type: 'step.status', wave: ws.name, step: step.id, status: 'succeeded' },
            { type: 'wave.status', wave: ws.name, status: 'running' },
          );
      }
    }
  }

  /** Stops waves that have not started; running jobs are followed to their end and stay visible. */
  cancel(by = this.ctx.actor): void {
    if (TERMINAL_RUN.includes(this.state.status) || this.state.cancelRequested) return;
    this.ctx.emit({ type: 'run.cancelRequested', by });
  }

  /** Answers a manual-approval action. */
  approve(wave: string, stepId: string, approved: boolean, by = this.ctx.actor, comment?: string): void {
    const step = this.state.waves[wave]?.steps[stepId];
    if (!step || step.status !== 'waiting-approval')
      throw new Error(`Step ${stepId} of wave ${wave} is not waiting for approval`);
    this.ctx.emit({ type: 'approval.decided', wave, step: stepId, approved, by, comment });
  }

  /** Simulates a crash: stops everything at once without writing anything more. */
  abandon(): void {
    const run = this.ctx;
    if (run.abandoned) return;
    run.abandoned = true;
    run.abort.abort();
    run.journal.close();
    run.signal.notify();
    run.monitor.interrupt();
  }

  /** Closes the journal of a finished run. */
  dispose(): void {
    this.abandon();
  }

  // ---- execution -----------------------------------------------------------------------------------

  /** Executes (or continues) the run until it ends; returns the final state. */
  run(): Promise<RunState> {
    this.ctx.executing = true;
    this.running ??= this.execute();
    return this.running;
  }

  private async execute(): Promise<RunState> {
    const run = this.ctx;
    try {
      if (!TERMINAL_RUN.includes(this.state.status)) {
        run.monitor.start();
        // Re-attach to jobs that were running when the previous runner stopped.
        for (const job of Object.values(this.state.jobs))
          if (job.status !== 'COMPLETED') run.monitor.track(job.jobId, job.region);
        await this.scheduleLoop();
        // EC2 instance IDs read while later waves ran; a resumed run reads what its predecessor missed.
        await run.settleBackground();
        for (const wave of Object.keys(this.state.waves)) await fillEc2InstanceIds(run, wave);
        const waves = Object.values(this.state.waves);
        const failed = waves.some((wave) => wave.status === 'failed');
        const status = this.state.cancelRequested ? 'cancelled' : failed ? 'failed' : 'completed';
        run.emit({ type: 'run.status', status });
      }
      if (this.state.cleanup?.status === 'running') await finishCleanup(run);
      // Keep following jobs that are still wrapping up (servers are done, the job is not yet COMPLETED).
      await run.monitor.waitForTracked(10_000);
      return this.state;
    } catch (error) {
      if (error instanceof AbandonedError || run.abandoned) return this.state;
      throw error;
    } finally {
      run.monitor.stop();
    }
  }

  private async scheduleLoop(): Promise<void> {
    for (;;) {
      if (this.ctx.abandoned) throw new AbandonedError();
      this.schedule();
      const allDone = this.state.executionPlan.waves.every((wave) =>
        TERMINAL_WAVE.includes(this.state.waves[wave.name].status),
      );
      if (allDone && this.waveTasks.size === 0) return;
      await this.ctx.signal.wait(1000);
    }
  }

  private schedule(): void {
    const { executionPlan } = this.state;
    const emit = (...inputs: RunEventInput[]) => this.ctx.emit(...inputs);
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
        emit({ type: 'wave.status', wave: planned.name, status: 'cancelled', error: 'Cancelled before it started.' });
        continue;
      }
      if (anyFailed && executionPlan.failurePolicy === 'stop') {
        emit({
          type: 'wave.status',
          wave: planned.name,
          status: 'skipped',
          error: 'Not started: an earlier wave failed and the failure policy is "stop".',
        });
        continue;
      }
      const dependencies = planned.dependsOn.map((name) => this.state.waves[name]);
      if (dependencies.some((dependency) => !TERMINAL_WAVE.includes(dependency.status))) continue;
      const blocked = dependencies.find(
        (dependency) => dependency.status === 'skipped' || dependency.status === 'cancelled',
      );
      if (blocked) {
        emit({
          type: 'wave.status',
          wave: planned.name,
          status: 'skipped',
          error: `Not started: wave "${blocked.name}" it depends on was ${blocked.status}.`,
        });
        continue;
      }
      if (this.state.pausedByUser) continue;
      this.startWaveTask(planned);
    }
  }

  private startWaveTask(planned: PlannedWave): void {
    const run = this.ctx;
    const task = this.runWave(planned)
      .catch((error: unknown) => {
        if (error instanceof AbandonedError || run.abandoned) return;
        const message = (error as Error).message ?? String(error);
        run.log(`wave ${planned.name} crashed: ${message}`);
        try {
          run.emit(
            { type: 'run.error', wave: planned.name, message },
            { type: 'wave.status', wave: planned.name, status: 'failed', error: message },
          );
        } catch {
          // abandoned meanwhile
        }
      })
      .finally(() => {
        this.waveTasks.delete(planned.name);
        run.signal.notify();
      });
    this.waveTasks.set(planned.name, task);
  }

  private async runWave(planned: PlannedWave): Promise<void> {
    const run = this.ctx;
    const ws = this.state.waves[planned.name];
    if (ws.status === 'pending') run.emit({ type: 'wave.status', wave: planned.name, status: 'running' });
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
        while (this.state.pausedByUser && !this.state.cancelRequested) await run.waitChange();
        if (this.state.cancelRequested) return this.endWave(planned, i, 'cancelled', 'Cancelled.');
      }
      const outcome = await runStep(run, planned, step);
      if (outcome.status === 'failed' || outcome.status === 'cancelled') {
        if (ws.steps[step.id].status !== outcome.status)
          run.emit({
            type: 'step.status',
            wave: planned.name,
            step: step.id,
            status: outcome.status,
            error: outcome.error,
          });
        return this.endWave(planned, i + 1, outcome.status, outcome.error);
      }
      if (ws.steps[step.id].status !== 'succeeded')
        run.emit({ type: 'step.status', wave: planned.name, step: step.id, status: 'succeeded' });
    }
    run.emit({ type: 'wave.status', wave: planned.name, status: 'completed' });
  }

  private endWave(planned: PlannedWave, fromStep: number, status: 'failed' | 'cancelled', error?: string): void {
    const ws = this.state.waves[planned.name];
    const rest = planned.steps.slice(fromStep).filter((step) => !TERMINAL_STEP.includes(ws.steps[step.id].status));
    this.ctx.emit(
      ...rest.map((step): RunEventInput => ({
        type: 'step.status',
        wave: planned.name,
        step: step.id,
        status: status === 'cancelled' ? 'cancelled' : 'skipped',
      })),
      { type: 'wave.status', wave: planned.name, status, error },
    );
  }

  // ---- drill cleanup -----------------------------------------------------------------------------------

  /**
   * Terminates the recovery instances this drill launched (through the gateway, so guardrails and the
   * audit trail apply) and follows the TERMINATE jobs to their end.
   */
  cleanupDrill(): Promise<RunState> {
    return cleanupDrill(this.ctx);
  }

  // ---- metrics ---------------------------------------------------------------------------------------

  metrics(): RunnerMetrics {
    const { deps } = this.ctx;
    return computeMetrics(
      this.state,
      [deps.reads.counters, (deps.gateway as { counters?: ApiCounters }).counters].filter((c): c is ApiCounters =>
        Boolean(c),
      ),
    );
  }
}
