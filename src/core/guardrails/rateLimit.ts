import type { Clock } from './resilience';

/** Counts changes in a sliding one-minute window. */
export class MutationRateLimiter {
  private readonly times: number[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly windowMs = 60_000,
  ) {}

  private prune(): void {
    const cutoff = this.clock.now() - this.windowMs;
    while (this.times.length && this.times[0] <= cutoff) this.times.shift();
  }

  countRecent(): number {
    this.prune();
    return this.times.length;
  }

  /** Milliseconds until one more change fits under `limit`. */
  retryAfterMs(limit: number): number {
    this.prune();
    if (this.times.length < limit) return 0;
    return this.times[this.times.length - limit] + this.windowMs - this.clock.now();
  }

  record(): void {
    this.times.push(this.clock.now());
  }
}
