import type { Job } from '@aws-sdk/client-drs';
import { AdaptivePoller, Wakeable } from '../poller';
import {
  TERMINAL_SERVER,
  type JobLogEntry,
  type RunEventInput,
  type RunState,
  type ServerLaunchStatus,
} from '../state';
import type { DrReads } from '../aws';
import type { PollerOptions } from '../poller';
import { AbandonedError, describeError } from './errors';

interface TrackedJob {
  jobId: string;
  region: string;
  lastLogFetch: number;
  onDone?: () => void;
}

/**
 * Follows every DRS job of a run with adaptive polling: DescribeJobs for all jobs of a region at once,
 * DescribeJobLogItems when something moved (or at least every `logIntervalMs`), so a finished job is
 * noticed within one short interval. What it sees becomes journaled events.
 */
/** What the monitor needs of its run (a narrow view of RunContext, which owns the monitor). */
export interface MonitoredRun {
  readonly deps: {
    readonly reads: DrReads;
    readonly poll?: PollerOptions;
    readonly logIntervalMs?: number;
    readonly tailPollMs?: number;
  };
  readonly state: RunState;
  readonly abandoned: boolean;
  emit(...inputs: RunEventInput[]): unknown;
  log(message: string): void;
  waitChange(ms?: number): Promise<void>;
}

/** Polling interval while a job's last servers are launching (a few extra DescribeJobs per wave at most). */
export const DEFAULT_TAIL_POLL_MS = 100;

/** At least 80% of the job's servers have reached a final launch status, but not all. */
export function isInLaunchTail(job: Job): boolean {
  const servers = job.participatingServers ?? [];
  if (!servers.length) return false;
  const done = servers.filter((server) => TERMINAL_SERVER.includes(server.launchStatus as ServerLaunchStatus)).length;
  return done < servers.length && done >= Math.ceil(servers.length * 0.8);
}

export class JobMonitor {
  private readonly tracked = new Map<string, TrackedJob>();
  private readonly wake = new Wakeable();
  private readonly poller: AdaptivePoller;
  private running = false;
  private lastError?: string;
  /** A followed job has launched most of its servers: its last ones gate the next wave, so poll faster. */
  private inLaunchTail = false;

  constructor(private readonly run: MonitoredRun) {
    this.poller = new AdaptivePoller(run.deps.poll);
  }

  get size(): number {
    return this.tracked.size;
  }

  /** Follows a job; `onDone` runs once it is COMPLETED (e.g. to free its job slot). */
  track(jobId: string, region: string, onDone?: () => void): void {
    const existing = this.tracked.get(jobId);
    if (existing) {
      existing.onDone ??= onDone;
    } else {
      this.tracked.set(jobId, { jobId, region, lastLogFetch: 0, onDone });
    }
    this.poller.reset();
    this.wake.wake();
  }

  /** Wakes the loop now (e.g. when the run is abandoned). */
  interrupt(): void {
    this.wake.wake();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void (async () => {
      while (this.running && !this.run.abandoned) {
        if (this.tracked.size === 0) {
          await this.wake.wait(1000);
          continue;
        }
        let changed = false;
        try {
          changed = await this.pollJobs();
          this.lastError = undefined;
        } catch (error) {
          if (error instanceof AbandonedError || this.run.abandoned) return;
          const message = `Following DRS jobs failed (retrying): ${describeError(error)}`;
          this.run.log(message);
          if (message !== this.lastError) {
            this.lastError = message;
            try {
              this.run.emit({ type: 'run.error', message });
            } catch {
              return;
            }
          }
        }
        const interval = this.poller.next(changed);
        await this.wake.wait(
          this.inLaunchTail ? Math.min(interval, this.run.deps.tailPollMs ?? DEFAULT_TAIL_POLL_MS) : interval,
        );
      }
    })();
  }

  stop(): void {
    this.running = false;
    this.wake.wake();
  }

  /** Waits until every followed job is COMPLETED, at most `maxMs`. */
  async waitForTracked(maxMs: number): Promise<void> {
    const until = Date.now() + maxMs;
    while (this.tracked.size > 0 && Date.now() < until && !this.run.abandoned) await this.run.waitChange(200);
  }

  /** One monitoring round over every followed job; returns whether anything changed. */
  private async pollJobs(): Promise<boolean> {
    const { state, deps } = this.run;
    const byRegion = new Map<string, TrackedJob[]>();
    for (const job of this.tracked.values()) byRegion.set(job.region, [...(byRegion.get(job.region) ?? []), job]);
    let changed = false;
    let inLaunchTail = false;
    const logInterval = deps.logIntervalMs ?? 1000;
    for (const [region, tracked] of byRegion) {
      const jobs = await deps.reads.describeJobs(region, { jobIds: tracked.map((t) => t.jobId) });
      const now = Date.now();
      const events: RunEventInput[] = [];
      const done: TrackedJob[] = [];
      await Promise.all(
        jobs.map(async (job) => {
          const t = this.tracked.get(job.jobID ?? '');
          const js = state.jobs[job.jobID ?? ''];
          if (!t || !js) return;
          const statusChanged = job.status !== js.status;
          if (job.status !== 'COMPLETED' && isInLaunchTail(job)) inLaunchTail = true;
          const moved = js.wave ? serverEvents(state, js.wave, job) : [];
          const serverChange = moved.length > 0;
          // A launch needs nothing from the log: report it before reading the log, so the next wave does not
          // wait for that read. A failure waits for the log, which holds its reason.
          if (moved.length && !moved.some((event) => (event as { launchStatus?: string }).launchStatus === 'FAILED')) {
            changed = true;
            this.run.emit(...moved);
          }
          let logItems: JobLogEntry[] = [];
          if (statusChanged || serverChange || now - t.lastLogFetch >= logInterval || job.status === 'COMPLETED') {
            t.lastLogFetch = now;
            const items = await deps.reads.describeJobLogItems(region, job.jobID!);
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
          if (js.wave) events.push(...serverEvents(state, js.wave, job, logItems));
          if (statusChanged)
            events.push({
              type: 'job.status',
              jobId: job.jobID!,
              status: job.status ?? 'UNKNOWN',
              ...(job.status === 'COMPLETED' && job.endDateTime
                ? { endedAt: new Date(job.endDateTime).toISOString() }
                : {}),
            });
          if (job.status === 'COMPLETED' && js.wave) {
            // A server the job never launched (e.g. SERVER_SKIPPED) ends here instead of waiting for maxWaitSeconds.
            const reported = new Set(
              events
                .filter((e) => e.type === 'server.status')
                .map((e) => (e as { sourceServerId: string }).sourceServerId),
            );
            for (const server of Object.values(state.waves[js.wave].servers)) {
              if (
                server.jobId !== job.jobID ||
                TERMINAL_SERVER.includes(server.launchStatus) ||
                reported.has(server.sourceServerId)
              )
                continue;
              const participant = job.participatingServers?.find((p) => p.sourceServerID === server.sourceServerId);
              if (participant && TERMINAL_SERVER.includes(participant.launchStatus as ServerLaunchStatus)) continue;
              const last = [...js.log, ...logItems]
                .reverse()
                .find((item) => item.sourceServerId === server.sourceServerId);
              events.push({
                type: 'server.status',
                wave: js.wave,
                sourceServerId: server.sourceServerId,
                launchStatus: 'FAILED',
                error: `Job ${job.jobID} completed without launching it${last ? ` (last event ${last.event}${last.rawError ? `: ${last.rawError}` : ''})` : ''}.`,
              });
            }
          }
          if (job.status === 'COMPLETED') done.push(t);
        }),
      );
      if (events.length) {
        changed = true;
        this.run.emit(...events);
      }
      for (const t of done) {
        this.tracked.delete(t.jobId);
        t.onDone?.();
      }
    }
    this.inLaunchTail = inLaunchTail;
    return changed;
  }
}

/** The server.status events a job's participating servers call for (only what changed). */
export function serverEvents(state: RunState, wave: string, job: Job, logItems: JobLogEntry[] = []): RunEventInput[] {
  const ws = state.waves[wave];
  if (!ws) return [];
  const events: RunEventInput[] = [];
  for (const participant of job.participatingServers ?? []) {
    const id = participant.sourceServerID;
    const server = id ? ws.servers[id] : undefined;
    if (!server || server.launchStatus === 'TIMED_OUT') continue;
    const status = (participant.launchStatus ?? 'PENDING') as ServerLaunchStatus;
    const recoveryInstanceId = participant.recoveryInstanceID;
    if (status === server.launchStatus && (!recoveryInstanceId || recoveryInstanceId === server.recoveryInstanceId))
      continue;
    let error: string | undefined;
    if (status === 'FAILED') {
      const failure = [...(state.jobs[job.jobID!]?.log ?? []), ...logItems]
        .reverse()
        .find((item) => item.sourceServerId === id && /FAIL/.test(item.event));
      error = failure?.rawError ?? failure?.event ?? 'DRS reported the launch as FAILED.';
    }
    events.push({
      type: 'server.status',
      wave,
      sourceServerId: id!,
      launchStatus: status,
      jobId: job.jobID,
      ...(recoveryInstanceId ? { recoveryInstanceId } : {}),
      ...(error ? { error } : {}),
    });
  }
  return events;
}
