/**
 * Following a log group: live tail (`logs.liveTail.sample`, a few seconds per call) where the endpoint has
 * StartLiveTail, otherwise polling `logs.events.filter` from the last event seen. Both are registered reads.
 */
import type { Read } from './insights';

export interface TailEvent {
  timestamp?: number;
  logStreamName?: string;
  message?: string;
  eventId?: string;
}

export interface TailTarget {
  logGroupName: string;
  logStreamNames?: string[];
  filterPattern?: string;
}

/** Error names that mean the endpoint has no live tail (emulators, older endpoints). */
const UNSUPPORTED =
  /UnknownOperation|NotImplemented|InvalidAction|UnsupportedOperation|UnrecognizedClient|NotFound|404|501/i;

function errorText(error: unknown): { name: string; message: string } {
  const value = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = value?.$metadata?.httpStatusCode;
  return {
    name: `${value?.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}`,
    message: String(value?.message ?? error).slice(0, 300),
  };
}

export class LogFollower {
  mode: 'starting' | 'live' | 'poll' = 'starting';
  /** Why the follow polls instead of live tailing, once known. */
  note?: string;
  private since: number;
  private readonly liveSeconds: number;
  private readonly seenAtEdge = new Set<string>();

  constructor(
    private readonly read: Read,
    private readonly target: TailTarget,
    options: { since: number; liveSeconds?: number },
  ) {
    this.since = options.since;
    this.liveSeconds = options.liveSeconds ?? 5;
  }

  /** The next batch of events: live tail for a few seconds, or one poll. */
  async next(): Promise<TailEvent[]> {
    if (this.mode !== 'poll' && !this.target.logStreamNames?.length) {
      try {
        const output = (await this.read('logs.liveTail.sample', {
          logGroupNames: [this.target.logGroupName],
          ...(this.target.filterPattern ? { filterPattern: this.target.filterPattern } : {}),
          seconds: this.liveSeconds,
        })) as { items: TailEvent[] };
        this.mode = 'live';
        this.advance(output.items);
        return output.items;
      } catch (error) {
        if (this.mode === 'live') throw error;
        const { name, message } = errorText(error);
        this.mode = 'poll';
        this.note = UNSUPPORTED.test(`${name} ${message}`)
          ? `live tail: not supported by this endpoint (${name}); following by polling FilterLogEvents`
          : `live tail failed (${name}: ${message}); following by polling FilterLogEvents`;
      }
    }
    this.mode = 'poll';
    return this.poll();
  }

  private async poll(): Promise<TailEvent[]> {
    const events: TailEvent[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < 10; page++) {
      const output = (await this.read('logs.events.filter', {
        logGroupName: this.target.logGroupName,
        ...(this.target.logStreamNames?.length ? { logStreamNames: this.target.logStreamNames } : {}),
        ...(this.target.filterPattern ? { filterPattern: this.target.filterPattern } : {}),
        startTime: this.since,
        limit: 1000,
        ...(nextToken ? { nextToken } : {}),
      })) as { items: TailEvent[]; nextToken?: string };
      events.push(...output.items);
      nextToken = output.nextToken;
      if (!nextToken) break;
    }
    const fresh = events.filter((event) => !this.seenAtEdge.has(this.key(event)));
    this.advance(fresh);
    return fresh;
  }

  private key(event: TailEvent): string {
    return event.eventId ?? `${event.timestamp}|${event.logStreamName}|${event.message}`;
  }

  /** Moves `since` to the newest event; events at that very millisecond are remembered to skip repeats. */
  private advance(events: TailEvent[]): void {
    const newest = Math.max(this.since, ...events.map((event) => event.timestamp ?? 0));
    if (newest > this.since) this.seenAtEdge.clear();
    for (const event of events) if ((event.timestamp ?? 0) === newest) this.seenAtEdge.add(this.key(event));
    this.since = newest;
  }
}

/** "2026-01-31 12:00:01.123  stream  message" lines. */
export function formatTailEvents(events: readonly TailEvent[]): string {
  return events
    .map(
      (event) =>
        `${event.timestamp ? new Date(event.timestamp).toISOString().replace('T', ' ').slice(0, 23) : '?'}  ${event.logStreamName ?? ''}  ${(event.message ?? '').replace(/\r?\n$/, '')}`,
    )
    .join('\n');
}
