/** Injected failures: throttling, conflicts and failing launches. */
import type { ConflictFaultRequest, FaultsState, LaunchFailureFaultRequest, ThrottleFaultRequest } from './adminTypes';

interface Counted {
  /** null means until cleared. */
  remaining: number | null;
}

export const DEFAULT_LAUNCH_FAILURE =
  'Failed to launch recovery instance: An error occurred (InsufficientInstanceCapacity) when calling the RunInstances operation: ' +
  'We currently do not have sufficient capacity in the Availability Zone you requested.';

function checkCount(count: number | undefined, required: boolean): void {
  if (count === undefined && !required) return;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    throw new RangeError(`count must be a positive integer, got ${String(count)}`);
  }
}

/** Uses one occurrence of a counted fault; returns whether it applied. */
function consume(fault: Counted | undefined): boolean {
  if (!fault) return false;
  if (fault.remaining === null) return true;
  if (fault.remaining <= 0) return false;
  fault.remaining -= 1;
  return true;
}

export class FaultRegistry {
  private readonly throttles = new Map<string, { remaining: number; retryAfterSeconds?: number }>();
  private readonly conflicts = new Map<string, Counted>();
  private readonly launchFailures = new Map<string, Counted & { rawError: string }>();

  throttle(request: ThrottleFaultRequest): void {
    if (!request.operation) throw new RangeError('operation is required');
    checkCount(request.count, true);
    this.throttles.set(request.operation, { remaining: request.count, retryAfterSeconds: request.retryAfterSeconds });
  }

  conflict(request: ConflictFaultRequest): void {
    if (!request.sourceServerID) throw new RangeError('sourceServerID is required');
    checkCount(request.count, false);
    this.conflicts.set(request.sourceServerID, { remaining: request.count ?? null });
  }

  failLaunch(request: LaunchFailureFaultRequest): void {
    if (!request.sourceServerID) throw new RangeError('sourceServerID is required');
    checkCount(request.count, false);
    this.launchFailures.set(request.sourceServerID, {
      remaining: request.count ?? null,
      rawError: request.rawError ?? DEFAULT_LAUNCH_FAILURE,
    });
  }

  /** Returns the throttle to apply to this call of the operation, if any. */
  takeThrottle(operation: string): { retryAfterSeconds?: number } | undefined {
    for (const key of [operation, '*']) {
      const fault = this.throttles.get(key);
      if (fault && fault.remaining > 0) {
        fault.remaining -= 1;
        if (fault.remaining === 0) this.throttles.delete(key);
        return { retryAfterSeconds: fault.retryAfterSeconds };
      }
    }
    return undefined;
  }

  takeConflict(sourceServerID: string): boolean {
    const applied = consume(this.conflicts.get(sourceServerID));
    if (this.conflicts.get(sourceServerID)?.remaining === 0) this.conflicts.delete(sourceServerID);
    return applied;
  }

  /** Returns the error text of an injected launch failure for this server, if any. */
  takeLaunchFailure(sourceServerID: string): string | undefined {
    const fault = this.launchFailures.get(sourceServerID);
    const applied = consume(fault);
    if (fault?.remaining === 0) this.launchFailures.delete(sourceServerID);
    return applied ? fault!.rawError : undefined;
  }

  clear(): void {
    this.throttles.clear();
    this.conflicts.clear();
    this.launchFailures.clear();
  }

  state(): FaultsState {
    return {
      throttles: [...this.throttles].map(([operation, f]) => ({
        operation,
        remaining: f.remaining,
        retryAfterSeconds: f.retryAfterSeconds,
      })),
      conflicts: [...this.conflicts].map(([sourceServerID, f]) => ({ sourceServerID, remaining: f.remaining })),
      launchFailures: [...this.launchFailures].map(([sourceServerID, f]) => ({
        sourceServerID,
        remaining: f.remaining,
        rawError: f.rawError,
      })),
    };
  }
}
