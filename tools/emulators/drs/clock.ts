/** Job timing for the DRS emulator: realistic phase durations scaled by a speed factor. */

export interface PhaseDurations {
  /** Job accepted, waiting to start (job PENDING). */
  pending: number;
  /** Taking the point-in-time snapshot. */
  snapshot: number;
  /** Converting the snapshot on a conversion server. */
  conversion: number;
  /** Launching the recovery instance in EC2. */
  launch: number;
  /** Terminating recovery instances (TERMINATE jobs). */
  cleanup: number;
  /** Wrapping the job up after the last server finished. */
  finalize: number;
}

export type JobPhase = keyof PhaseDurations;

export interface ClockSettings {
  /** Multiplies every phase duration: 1 is the default pace, 0.05 is 20 times faster. */
  timeScale?: number;
  /** Unscaled phase durations in milliseconds. */
  phaseDurationsMs?: Partial<PhaseDurations>;
}

export interface ClockState {
  timeScale: number;
  phaseDurationsMs: PhaseDurations;
  /** What each phase actually takes now, after scaling and the floor. */
  effectivePhaseMs: PhaseDurations;
}

/** Default pace: a launch job takes about three and a half seconds. */
export const DEFAULT_PHASE_DURATIONS_MS: Readonly<PhaseDurations> = {
  pending: 400,
  snapshot: 700,
  conversion: 1000,
  launch: 1000,
  cleanup: 800,
  finalize: 200,
};

/** No phase is shorter than this, so no job ever completes inside the call that started it. */
export const MIN_PHASE_MS = 10;

export class AbortedError extends Error {
  constructor() {
    super('aborted');
  }
}

export class EmulatorClock {
  private timeScale = 1;
  private durations: PhaseDurations = { ...DEFAULT_PHASE_DURATIONS_MS };

  constructor(settings: ClockSettings = {}) {
    this.configure(settings);
  }

  configure(settings: ClockSettings): ClockState {
    if (settings.timeScale !== undefined) {
      if (!Number.isFinite(settings.timeScale) || settings.timeScale <= 0) {
        throw new RangeError(`timeScale must be a positive number, got ${settings.timeScale}`);
      }
      this.timeScale = settings.timeScale;
    }
    for (const [phase, ms] of Object.entries(settings.phaseDurationsMs ?? {})) {
      if (!(phase in this.durations)) throw new RangeError(`unknown job phase '${phase}'`);
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        throw new RangeError(`duration of phase '${phase}' must be a non-negative number of ms`);
      }
      this.durations[phase as JobPhase] = ms;
    }
    return this.state();
  }

  state(): ClockState {
    const effective = {} as PhaseDurations;
    for (const phase of Object.keys(this.durations) as JobPhase[]) effective[phase] = this.phaseMs(phase);
    return { timeScale: this.timeScale, phaseDurationsMs: { ...this.durations }, effectivePhaseMs: effective };
  }

  phaseMs(phase: JobPhase): number {
    return Math.max(MIN_PHASE_MS, Math.round(this.durations[phase] * this.timeScale));
  }

  now(): Date {
    return new Date();
  }

  /** Waits for one phase. The timer is unref'd so it never keeps the process alive on its own. */
  waitPhase(phase: JobPhase, signal: AbortSignal): Promise<void> {
    return sleep(this.phaseMs(phase), signal);
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new AbortedError());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
