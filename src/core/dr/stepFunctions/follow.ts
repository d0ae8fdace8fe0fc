/**
 * Follows a recovery plan running on Step Functions from its execution history and records it as run
 * events in the same journal format as local runs, so *Recovery runs*, the run history and the reports
 * work unchanged. The compiled machine's state roles (compile.ts) say what each state stands for; DRS
 * DescribeJobs fills in each server's launch result. Task tokens never reach this module: the answer
 * operations read them from the history themselves (they answer for the execution).
 */
import { mkdirSync } from 'node:fs';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { DrReads } from '../aws';
import { journalPath, RunJournal, replayJournal } from '../journal';
import type { ProtectionGroup, RecoveryPlan } from '../model';
import type { ExecutionPlan } from '../planner';
import type { PreflightReport } from '../preflight';
import {
  applyEvent,
  TERMINAL_RUN,
  TERMINAL_STEP,
  TERMINAL_WAVE,
  type RunEvent,
  type RunEventInput,
  type RunState,
} from '../state';
import { JOB_TAG_KEY } from '../run/ids';
import type { StateRole } from './compile';
import { readSidecar, writeSidecar } from './sidecar';

export interface SfnReads {
  history(executionArn: string, nextToken?: string): Promise<{ items: HistoryEvent[]; nextToken?: string }>;
}

export interface WaitingTask {
  wave: string;
  step: string;
  kind: 'pause' | 'approval';
  message: string;
  since: string;
}

export interface FollowInput {
  journalDir: string;
  /** The execution's name; also the run ID. */
  runId: string;
  executionArn: string;
  plan: RecoveryPlan;
  groups: ProtectionGroup[];
  executionPlan: ExecutionPlan;
  preflight: PreflightReport;
  stateRoles: Record<string, StateRole>;
}

const STATE_ENTERED = /StateEntered$/;

export class StepFunctionsRunFollower {
  private state: RunState;
  private lastEventId = 0;
  private readonly names = new Map<number, string>();
  private readonly scheduled = new Map<string, { parameters: Record<string, unknown>; at: string }>();
  private readonly waiting = new Map<string, WaitingTask>();
  private readonly jobs = new Map<string, { wave: string; region: string }>();
  private lastError: string | undefined;

  private constructor(
    private readonly journal: RunJournal,
    events: RunEvent[],
    readonly executionArn: string,
    private readonly stateRoles: Record<string, StateRole>,
  ) {
    let state: RunState | undefined;
    for (const event of events) state = applyEvent(state, event);
    this.state = state!;
  }

  static create(input: FollowInput): StepFunctionsRunFollower {
    // The sidecar first: a journal without it could be taken for a local run and continued here.
    mkdirSync(input.journalDir, { recursive: true });
    writeSidecar(journalPath(input.journalDir, input.runId), {
      executionArn: input.executionArn,
      stateRoles: input.stateRoles,
    });
    const journal = RunJournal.create(input.journalDir, input.runId);
    const events = journal.append([
      {
        type: 'run.created',
        runId: input.runId,
        mode: input.executionPlan.mode,
        plan: structuredClone(input.plan),
        groups: structuredClone(input.groups),
        executionPlan: input.executionPlan,
        preflight: {
          checkedAt: input.preflight.checkedAt,
          findings: input.preflight.findings,
          launchSettingsDrift: input.preflight.launchSettingsDrift,
          externalActiveJobs: input.preflight.externalActiveJobs,
        },
      } as RunEventInput,
    ]);
    return new StepFunctionsRunFollower(journal, events, input.executionArn, input.stateRoles);
  }

  /**
   * Continues following a run after a window reload: the journal as written, the execution from its sidecar;
   * the history is read again from the start and only what the journal does not hold yet is added.
   */
  static reopen(path: string): StepFunctionsRunFollower {
    const sidecar = readSidecar(path);
    if (!sidecar) throw new Error(`${path} is not the journal of a Step Functions run.`);
    const { journal, events } = RunJournal.reopen(path);
    const follower = new StepFunctionsRunFollower(journal, events, sidecar.executionArn, sidecar.stateRoles);
    for (const job of Object.values(follower.state.jobs))
      if (job.wave) follower.jobs.set(job.jobId, { wave: job.wave, region: job.region });
    return follower;
  }

  get runId(): string {
    return this.state.runId;
  }

  get journalPath(): string {
    return this.journal.path;
  }

  snapshot(): RunState {
    return structuredClone(this.state);
  }

  get done(): boolean {
    return TERMINAL_RUN.includes(this.state.status);
  }

  /** Pauses and approvals the execution waits for now (with the task token to answer them). */
  waitingTasks(): WaitingTask[] {
    return [...this.waiting.values()];
  }

  close(): void {
    this.journal.close();
  }

  private emit(at: string, ...inputs: RunEventInput[]): void {
    if (inputs.length === 0) return;
    for (const event of this.journal.append(inputs, new Date(at))) this.state = applyEvent(this.state, event);
  }

  /** Reads new history events (and job results) and journals what they mean. Returns the state after. */
  async poll(sfn: SfnReads, drs: Pick<DrReads, 'describeJobs'>): Promise<RunState> {
    const fresh: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.history(this.executionArn, nextToken);
      fresh.push(...page.items.filter((event) => (event.id ?? 0) > this.lastEventId));
      nextToken = page.nextToken;
    } while (nextToken);
    fresh.sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
    const launchesEnded: string[] = [];
    for (const event of fresh) {
      this.lastEventId = Math.max(this.lastEventId, event.id ?? 0);
      const ended = this.apply(event);
      if (ended) launchesEnded.push(ended);
    }
    await this.refreshServers(drs, launchesEnded);
    return this.state;
  }

  private stateOf(event: HistoryEvent): string | undefined {
    let id = event.previousEventId;
    for (let hops = 0; id !== undefined && hops < 10; hops++) {
      const name = this.names.get(id);
      if (name) return name;
      id = this.previous.get(id);
    }
    return undefined;
  }

  private readonly previous = new Map<number, number>();

  /** Applies one history event; returns a wave name when its launch step just ended. */
  private apply(event: HistoryEvent): string | undefined {
    // Dates arrive as strings when the event passed the operation runner's (JSON) output.
    const at = new Date((event.timestamp as Date | string | undefined) ?? Date.now()).toISOString();
    const id = event.id ?? 0;
    if (event.previousEventId !== undefined) this.previous.set(id, event.previousEventId);
    const type = event.type ?? '';
    if (STATE_ENTERED.test(type)) {
      const name = event.stateEnteredEventDetails?.name ?? '';
      this.names.set(id, name);
      return this.entered(name, at);
    }
    const stateName = this.stateOf(event);
    const role = stateName ? this.stateRoles[stateName] : undefined;
    switch (type) {
      case 'TaskScheduled': {
        if (!stateName) return undefined;
        let parameters: Record<string, unknown> = {};
        try {
          parameters = JSON.parse(event.taskScheduledEventDetails?.parameters ?? '{}') as Record<string, unknown>;
        } catch {
          // not JSON: nothing to read from it
        }
        this.scheduled.set(stateName, { parameters, at });
        if (role?.role === 'step.waiting') this.recordWaiting(role, at);
        return undefined;
      }
      case 'TaskSucceeded': {
        if (role?.role === 'job.started') this.jobStarted(role, stateName!, event, at);
        if (role?.role === 'step.waiting') this.decided(role, true, at);
        return undefined;
      }
      case 'TaskFailed':
      case 'TaskTimedOut': {
        const details = event.taskFailedEventDetails ?? event.taskTimedOutEventDetails;
        this.lastError = [details?.error, details?.cause].filter(Boolean).join(': ') || type;
        if (role?.role === 'step.waiting') this.decided(role, false, at, this.lastError);
        return undefined;
      }
      case 'MapStateFailed':
      case 'ExecutionFailed':
      case 'ExecutionTimedOut':
      case 'ExecutionAborted':
      case 'ExecutionSucceeded':
        return this.executionEvent(type, event, at);
      default:
        return undefined;
    }
  }

  private entered(name: string, at: string): string | undefined {
    const role = this.stateRoles[name];
    if (!role) return undefined;
    const wave = this.state.waves[role.wave];
    if (!wave) return undefined;
    switch (role.role) {
      case 'wave.started':
        if (wave.status === 'pending') this.emit(at, { type: 'wave.status', wave: role.wave, status: 'running' });
        return undefined;
      case 'step.started':
      case 'step.waiting':
      case 'job.started': {
        if (!role.step || wave.steps[role.step]?.status !== 'pending') return undefined;
        this.finishRunningSteps(role.wave, at, role.step);
        this.emit(at, { type: 'step.status', wave: role.wave, step: role.step, status: 'running' });
        return undefined;
      }
      case 'wave.completed': {
        if (TERMINAL_WAVE.includes(wave.status)) return undefined; // already journaled (a reopened follower)
        const launchEnded = this.finishRunningSteps(role.wave, at);
        this.emit(at, { type: 'wave.status', wave: role.wave, status: 'completed' });
        return launchEnded ? role.wave : undefined;
      }
      case 'wave.failed': {
        if (TERMINAL_WAVE.includes(wave.status)) return undefined;
        const error = this.lastError ?? 'The wave failed.';
        const events: RunEventInput[] = [];
        let launchEnded = false;
        for (const step of Object.values(wave.steps)) {
          if (step.status === 'running' || step.status === 'waiting-approval' || step.status === 'held') {
            events.push({ type: 'step.status', wave: role.wave, step: step.id, status: 'failed', error });
            if (step.kind === 'launch') launchEnded = true;
          } else if (step.status === 'pending')
            events.push({ type: 'step.status', wave: role.wave, step: step.id, status: 'skipped' });
        }
        events.push({ type: 'wave.status', wave: role.wave, status: 'failed', error });
        this.emit(at, ...events);
        return launchEnded ? role.wave : undefined;
      }
    }
  }

  /** Marks the wave's running steps succeeded (a later step or the wave's end was reached). */
  private finishRunningSteps(waveName: string, at: string, except?: string): boolean {
    const wave = this.state.waves[waveName];
    let launchEnded = false;
    const events: RunEventInput[] = [];
    for (const step of Object.values(wave.steps)) {
      if (step.id === except || TERMINAL_STEP.includes(step.status) || step.status === 'pending') continue;
      events.push({ type: 'step.status', wave: waveName, step: step.id, status: 'succeeded' });
      if (step.kind === 'launch') launchEnded = true;
    }
    this.emit(at, ...events);
    return launchEnded;
  }

  private recordWaiting(role: StateRole, at: string): void {
    if (!role.step) return;
    const planned = this.state.executionPlan.waves
      .find((wave) => wave.name === role.wave)
      ?.steps.find((step) => step.id === role.step);
    if (!planned) return;
    const kind = planned.kind === 'pause' ? 'pause' : 'approval';
    const message =
      planned.kind === 'action' && planned.action.type === 'approval' ? planned.action.message : planned.label;
    const status = this.state.waves[role.wave]?.steps[role.step]?.status;
    if (status && TERMINAL_STEP.includes(status)) return; // answered before this follower was reopened
    this.waiting.set(role.step, { wave: role.wave, step: role.step, kind, message, since: at });
    if (status !== 'running') return; // held or waiting already journaled
    if (kind === 'pause') {
      this.emit(
        at,
        { type: 'step.status', wave: role.wave, step: role.step, status: 'held' },
        { type: 'wave.status', wave: role.wave, status: 'held' },
      );
    } else {
      this.emit(
        at,
        { type: 'approval.requested', wave: role.wave, step: role.step, message },
        { type: 'step.status', wave: role.wave, step: role.step, status: 'waiting-approval' },
      );
    }
  }

  private decided(role: StateRole, approved: boolean, at: string, error?: string): void {
    if (!role.step) return;
    const waiting = this.waiting.get(role.step);
    this.waiting.delete(role.step);
    const status = this.state.waves[role.wave]?.steps[role.step]?.status;
    if (status && TERMINAL_STEP.includes(status)) return;
    const events: RunEventInput[] = [];
    if (waiting?.kind === 'approval' || this.state.waves[role.wave]?.steps[role.step]?.status === 'waiting-approval')
      events.push({
        type: 'approval.decided',
        wave: role.wave,
        step: role.step,
        approved,
        by: 'Step Functions task token',
        ...(error ? { comment: error } : {}),
      });
    if (approved) {
      events.push({ type: 'step.status', wave: role.wave, step: role.step, status: 'succeeded' });
      if (this.state.waves[role.wave]?.status === 'held')
        events.push({ type: 'wave.status', wave: role.wave, status: 'running' });
    }
    this.emit(at, ...events);
  }

  private jobStarted(role: StateRole, stateName: string, event: HistoryEvent, at: string): void {
    let output: {
      Job?: {
        JobId?: string;
        JobID?: string;
        ParticipatingServers?: { SourceServerId?: string; SourceServerID?: string }[];
      };
    } = {};
    try {
      output = JSON.parse(event.taskSucceededEventDetails?.output ?? '{}') as typeof output;
    } catch {
      return;
    }
    const jobId = output.Job?.JobId ?? output.Job?.JobID;
    if (!jobId) return;
    const parameters = this.scheduled.get(stateName)?.parameters ?? {};
    const tags = (parameters.Tags ?? {}) as Record<string, string>;
    const wave = this.state.waves[role.wave];
    const jobKey = tags[JOB_TAG_KEY] ?? Object.keys(wave.jobKeys)[0];
    const planned = wave.jobKeys[jobKey];
    const sourceServerIds =
      planned?.sourceServerIds ??
      (output.Job?.ParticipatingServers ?? []).map((s) => s.SourceServerId ?? s.SourceServerID ?? '').filter(Boolean);
    const region =
      planned?.region ?? this.state.executionPlan.waves.find((w) => w.name === role.wave)?.servers[0]?.region ?? '';
    this.jobs.set(jobId, { wave: role.wave, region });
    if (this.state.jobs[jobId]) return;
    this.emit(
      at,
      { type: 'job.starting', wave: role.wave, jobKey, region, sourceServerIds },
      { type: 'job.started', wave: role.wave, jobKey, jobId, region, sourceServerIds },
    );
  }

  private executionEvent(type: string, event: HistoryEvent, at: string): undefined {
    if (type === 'MapStateFailed' || TERMINAL_RUN.includes(this.state.status)) return undefined;
    const failedDetails =
      event.executionFailedEventDetails ?? event.executionTimedOutEventDetails ?? event.executionAbortedEventDetails;
    const error = [failedDetails?.error, failedDetails?.cause].filter(Boolean).join(': ');
    const events: RunEventInput[] = [];
    const cancelled = type === 'ExecutionAborted';
    for (const wave of Object.values(this.state.waves)) {
      if (wave.status === 'pending')
        events.push({
          type: 'wave.status',
          wave: wave.name,
          status: cancelled ? 'cancelled' : 'skipped',
          error: cancelled ? 'The execution was stopped.' : 'Not started: the execution ended first.',
        });
      else if (wave.status === 'running' || wave.status === 'held')
        events.push({
          type: 'wave.status',
          wave: wave.name,
          status: cancelled ? 'cancelled' : 'failed',
          error: error || 'The execution ended while the wave ran.',
        });
    }
    this.waiting.clear();
    const anyFailed =
      type !== 'ExecutionSucceeded' ||
      Object.values(this.state.waves).some((wave) => wave.status === 'failed') ||
      events.some((e) => e.type === 'wave.status' && e.status === 'failed');
    if (error) events.push({ type: 'run.error', message: error });
    events.push({
      type: 'run.status',
      status: cancelled ? 'cancelled' : anyFailed ? 'failed' : 'completed',
      ...(error ? { reason: error } : {}),
    });
    this.pendingFinal = events.map((e) => ({ event: e, at }));
    return undefined;
  }

  private pendingFinal: { event: RunEventInput; at: string }[] = [];

  /** Reads the jobs whose launch ended (or all running ones) from DRS and records each server's result. */
  private async refreshServers(drs: Pick<DrReads, 'describeJobs'>, launchesEnded: string[]): Promise<void> {
    const byRegion = new Map<string, string[]>();
    for (const [jobId, job] of this.jobs) {
      const known = this.state.jobs[jobId];
      if (known?.status === 'COMPLETED' && !launchesEnded.includes(job.wave) && this.pendingFinal.length === 0)
        continue;
      byRegion.set(job.region, [...(byRegion.get(job.region) ?? []), jobId]);
    }
    const now = new Date().toISOString();
    for (const [region, jobIds] of byRegion) {
      for (let i = 0; i < jobIds.length; i += 100) {
        const jobs = await drs.describeJobs(region, { jobIds: jobIds.slice(i, i + 100) });
        for (const job of jobs) {
          const jobId = job.jobID ?? '';
          const wave = this.jobs.get(jobId)?.wave;
          if (!wave) continue;
          const events: RunEventInput[] = [];
          if (job.status && this.state.jobs[jobId]?.status !== job.status)
            events.push({
              type: 'job.status',
              jobId,
              status: job.status,
              ...(job.endDateTime ? { endedAt: job.endDateTime } : {}),
            });
          for (const server of job.participatingServers ?? []) {
            const id = server.sourceServerID ?? '';
            const current = this.state.waves[wave]?.servers[id];
            if (!current) continue;
            const launchStatus = (server.launchStatus ??
              'PENDING') as RunState['waves'][string]['servers'][string]['launchStatus'];
            if (current.launchStatus === launchStatus && current.recoveryInstanceId === server.recoveryInstanceID)
              continue;
            events.push({
              type: 'server.status',
              wave,
              sourceServerId: id,
              launchStatus,
              jobId,
              ...(server.recoveryInstanceID
                ? { recoveryInstanceId: server.recoveryInstanceID, ec2InstanceId: server.recoveryInstanceID }
                : {}),
            });
          }
          this.emit(now, ...events);
        }
      }
    }
    if (this.pendingFinal.length) {
      const final = this.pendingFinal;
      this.pendingFinal = [];
      this.emit(final[0].at, ...final.map((f) => f.event));
    }
  }

  /** Reopens a follower's journal (e.g. after a window reload) to read it. */
  static inspect(journalPath: string): RunState {
    return replayJournal(journalPath).state;
  }
}
