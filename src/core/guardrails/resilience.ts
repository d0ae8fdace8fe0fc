import { describeAwsError } from '../aws/errors';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** Failures that say the service (not the request) is unhealthy: throttling, unreachable endpoint, 5xx. */
export function isServiceHealthFailure(error: unknown): boolean {
  const info = describeAwsError(error);
  return info.kind === 'throttled' || info.kind === 'endpoint-unreachable' || (info.httpStatus ?? 0) >= 500;
}

export function isThrottling(error: unknown): boolean {
  return describeAwsError(error).kind === 'throttled';
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive service failures that open the circuit. */
  failureThreshold?: number;
  /** How long an open circuit refuses calls before letting one trial call through. */
  cooldownMs?: number;
  clock?: Clock;
}

export class CircuitOpenError extends Error {
  readonly code = 'CircuitOpen';
  constructor(
    readonly key: string,
    readonly retryAfterMs: number,
  ) {
    super(
      `Calls to ${key} are paused after repeated failures (circuit open); retry in ${Math.ceil(retryAfterMs / 1000)} s.`,
    );
    this.name = 'CircuitOpen';
  }
}

interface Circuit {
  state: CircuitState;
  failures: number;
  openedAt: number;
  trialInFlight: boolean;
}

/** One circuit per key (service and region): closed → open after N failures → half-open after a cool-down → closed on success. */
export class CircuitBreaker {
  private readonly circuits = new Map<string, Circuit>();
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  private readonly clock: Clock;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 5;
    this.cooldownMs = options.cooldownMs ?? 30_000;
    this.clock = options.clock ?? systemClock;
  }

  private circuit(key: string): Circuit {
    let circuit = this.circuits.get(key);
    if (!circuit)
      this.circuits.set(key, (circuit = { state: 'closed', failures: 0, openedAt: 0, trialInFlight: false }));
    return circuit;
  }

  stateOf(key: string): CircuitState {
    const circuit = this.circuit(key);
    if (circuit.state === 'open' && this.clock.now() - circuit.openedAt >= this.cooldownMs) return 'half-open';
    return circuit.state;
  }

  /** Throws CircuitOpenError when the call must not go out; otherwise reserves the call. */
  acquire(key: string): void {
    const circuit = this.circuit(key);
    if (circuit.state === 'closed') return;
    const waited = this.clock.now() - circuit.openedAt;
    if (circuit.state === 'open' && waited >= this.cooldownMs) circuit.state = 'half-open';
    if (circuit.state === 'half-open' && !circuit.trialInFlight) {
      circuit.trialInFlight = true;
      return;
    }
    throw new CircuitOpenError(key, Math.max(0, this.cooldownMs - waited));
  }

  recordSuccess(key: string): void {
    this.circuits.set(key, { state: 'closed', failures: 0, openedAt: 0, trialInFlight: false });
  }

  /** Counts a failure; only service-health failures move the circuit towards open. */
  recordFailure(key: string, error: unknown): void {
    const circuit = this.circuit(key);
    circuit.trialInFlight = false;
    if (!isServiceHealthFailure(error)) {
      this.recordSuccess(key); // the service answered: it is healthy, the request was not
      return;
    }
    circuit.failures += 1;
    if (circuit.state === 'half-open' || circuit.failures >= this.failureThreshold) {
      circuit.state = 'open';
      circuit.openedAt = this.clock.now();
    }
  }
}

export interface RetryOptions {
  /** Attempts in all, including the first. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: Sleep;
}

/** Deterministic exponential backoff: base·2^(n-1), capped; no jitter, so tests and logs are predictable. */
export function backoffDelay(retryNumber: number, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 8_000;
  return Math.min(cap, base * 2 ** (retryNumber - 1));
}

/**
 * Runs one AWS call behind the circuit for `key`, retrying throttling errors with backoff. The SDK client
 * has its own (adaptive) retries inside each attempt; these outer retries start only once it gave up.
 * A throttled request was not executed, so retrying a non-idempotent call is safe.
 */
export async function callResiliently<T>(
  key: string,
  call: () => Promise<T>,
  breaker: CircuitBreaker,
  retry: RetryOptions = {},
  signal?: AbortSignal,
): Promise<T> {
  const attempts = Math.max(1, retry.maxAttempts ?? 3);
  const sleep = retry.sleep ?? realSleep;
  for (let attempt = 1; ; attempt += 1) {
    breaker.acquire(key);
    try {
      const result = await call();
      breaker.recordSuccess(key);
      return result;
    } catch (error) {
      breaker.recordFailure(key, error);
      if (attempt >= attempts || !isThrottling(error) || signal?.aborted) throw error;
      await sleep(backoffDelay(attempt, retry), signal);
    }
  }
}
