/** Fault injection shared by the Jira and ServiceNow emulators: throttling, malformed answers, delays. */
import type { ServerResponse } from 'node:http';

export interface TicketFaults {
  /** The next `count` API calls answer 429 with this Retry-After (seconds). */
  throttle?: { count: number; retryAfterSeconds?: number };
  /** The next `count` API calls answer 200 with a body that is not JSON. */
  malformed?: { count: number };
  /** Every API call waits this long first. */
  delayMs?: number;
}

export class FaultBox {
  private faults: TicketFaults = {};
  readonly stats = { calls: 0, throttled: 0, malformed: 0 };

  set(faults: TicketFaults): void {
    this.faults = { ...this.faults, ...faults };
  }

  clear(): void {
    this.faults = {};
  }

  current(): TicketFaults {
    return this.faults;
  }

  /** Applies the delay, and answers the call itself when a fault is due; true when it did. */
  async intercept(res: ServerResponse, throttleBody: unknown): Promise<boolean> {
    this.stats.calls += 1;
    if (this.faults.delayMs) await new Promise((resolve) => setTimeout(resolve, this.faults.delayMs));
    const throttle = this.faults.throttle;
    if (throttle && throttle.count > 0) {
      throttle.count -= 1;
      this.stats.throttled += 1;
      const payload = JSON.stringify(throttleBody);
      res.writeHead(429, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        ...(throttle.retryAfterSeconds === undefined ? {} : { 'retry-after': String(throttle.retryAfterSeconds) }),
      });
      res.end(payload);
      return true;
    }
    const malformed = this.faults.malformed;
    if (malformed && malformed.count > 0) {
      malformed.count -= 1;
      this.stats.malformed += 1;
      const payload = '<html><body>Service temporarily unavailable</body></html>{"truncated":';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
      res.end(payload);
      return true;
    }
    return false;
  }
}

/** Basic credentials of a request, or a bearer token. */
export function credentialsOf(header: string | undefined): { user?: string; secret: string } | undefined {
  if (!header) return undefined;
  const basic = /^Basic\s+(.+)$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return undefined;
    return { user: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
  const bearer = /^Bearer\s+(.+)$/i.exec(header);
  return bearer ? { secret: bearer[1] } : undefined;
}
