/**
 * Adaptive polling: start fast, back off while nothing changes, and snap back to the fastest interval
 * on any change, so the end of a job is seen within one short interval instead of a fixed 30 s tick.
 */

export interface PollerOptions {
  /** First and post-change interval. Default 250 ms. */
  minMs?: number;
  /** Longest interval while nothing changes. Default 2000 ms. */
  maxMs?: number;
  /** Growth per quiet poll. Default 1.5. */
  factor?: number;
}

export const DEFAULT_POLLER: Required<PollerOptions> = { minMs: 250, maxMs: 2000, factor: 1.5 };

export class AdaptivePoller {
  private readonly options: Required<PollerOptions>;
  private current: number;

  constructor(options: PollerOptions = {}) {
    this.options = { ...DEFAULT_POLLER, ...options };
    if (!(this.options.minMs > 0) || this.options.maxMs < this.options.minMs || !(this.options.factor >= 1)) {
      throw new RangeError(`Invalid poller options ${JSON.stringify(this.options)}`);
    }
    this.current = this.options.minMs;
  }

  /** The interval to wait before the next poll, given whether the last poll saw a change. */
  next(changed: boolean): number {
    if (changed) this.current = this.options.minMs;
    else this.current = Math.min(this.options.maxMs, Math.round(this.current * this.options.factor));
    return this.current;
  }

  /** Back to the fastest interval (e.g. a new job to follow). */
  reset(): void {
    this.current = this.options.minMs;
  }

  get interval(): number {
    return this.current;
  }
}

/** A wake-able sleep: `wait(ms)` resolves after ms, or as soon as `wake()` is called. */
export class Wakeable {
  private wakeUp?: () => void;
  private pending = false;

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.pending = true;
  }
}
