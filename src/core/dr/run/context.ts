import type { DrReads } from '../aws';
import type { DrActionGateway, DrCallContext } from '../gateway';
import type { RunJournal } from '../journal';
import { DRS_LIMITS, type DrsLimits } from '../model';
import type { PollerOptions } from '../poller';
import { applyEvent, type RunEvent, type RunEventInput, type RunState, type StepStatus } from '../state';
import { AbandonedError } from './errors';
import { JobMonitor } from './jobMonitor';
import { Signal } from './signal';
import { JobSlots } from './slots';

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
  /** Polling interval while a job's last servers launch (default 100 ms; see JobMonitor). */
  tailPollMs?: number;
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

export type RunListener = (event: RunEvent, state: RunState) => void;

/**
 * What every part of a running run shares: its state, journal and dependencies, the one way to change
 * state (`emit`: journaled first, then applied), the change signal, the job monitor and the DRS job slots.
 */
export class RunContext {
  readonly state: RunState;
  readonly listeners = new Set<RunListener>();
  readonly signal = new Signal();
  readonly abort = new AbortController();
  readonly slots: JobSlots;
  readonly monitor: JobMonitor;
  abandoned = false;
  private readonly background = new Set<Promise<void>>();
  /** Set once run() was called: the monitor then belongs to the run, not to a cleanup alone. */
  executing = false;

  constructor(
    readonly deps: RunnerDeps,
    readonly journal: RunJournal,
    events: RunEvent[],
  ) {
    let state: RunState | undefined;
    for (const event of events) state = applyEvent(state, event);
    if (!state) throw new Error('A run needs its run.created event');
    this.state = state;
    this.slots = new JobSlots(deps.limits ?? DRS_LIMITS);
    this.monitor = new JobMonitor(this);
  }

  get actor(): string {
    return this.deps.actor ?? 'local user';
  }

  /** Who asks and why, for the gateway's guardrails, approvals and audit lines. */
  callContext(wave?: string, reason = ''): DrCallContext {
    return {
      correlationId: this.state.runId,
      planName: this.state.planName,
      waveName: wave,
      mode: this.state.mode,
      reason,
    };
  }

  emit(...inputs: RunEventInput[]): RunEvent[] {
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

  setStep(wave: string, step: string, status: StepStatus, error?: string): void {
    if (this.state.waves[wave].steps[step].status !== status)
      this.emit({ type: 'step.status', wave, step, status, ...(error ? { error } : {}) });
  }

  /** Work the run must finish before it ends, but no wave waits for (e.g. reading EC2 instance IDs). */
  inBackground(task: Promise<void>): void {
    const settled: Promise<void> = task.catch(() => undefined).finally(() => this.background.delete(settled));
    this.background.add(settled);
  }

  async settleBackground(): Promise<void> {
    while (this.background.size) await Promise.all([...this.background]);
  }

  log(message: string): void {
    this.deps.log?.(`[${this.state.runId}] ${message}`);
  }

  /** Waits for the next state change (or `ms`); rejects once the run was abandoned. */
  waitChange(ms = 1000): Promise<void> {
    if (this.abandoned) return Promise.reject(new AbandonedError());
    return this.signal.wait(ms).then(() => {
      if (this.abandoned) throw new AbandonedError();
    });
  }
}
