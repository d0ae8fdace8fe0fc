/**
 * Results of a run, derived from its journal state: a JSON record (plan snapshot, per wave and server
 * job IDs, launch statuses, instance IDs and times, action outputs, errors, RTO achieved vs target), a
 * Markdown report, live progress figures, and the run history.
 */
import { listJournalFiles, readJournal } from './journal';
import { applyEvent, TERMINAL_RUN, type RunState } from './state';

export const RESULT_FORMAT_VERSION = 1;

export interface ServerResult {
  sourceServerId: string;
  hostname: string;
  region: string;
  jobId?: string;
  launchStatus: string;
  recoveryInstanceId?: string;
  ec2InstanceId?: string;
  startedAt?: string;
  launchedAt?: string;
  endedAt?: string;
  error?: string;
}

export interface ActionResult {
  step: string;
  phase: 'pre' | 'post';
  label: string;
  type: string;
  status: string;
  startedAt?: string;
  endedAt?: string;
  attempts: {
    attempt: number;
    executionId?: string;
    status?: string;
    outputs?: Record<string, string[]>;
    error?: string;
    startedAt: string;
    endedAt?: string;
  }[];
  approval?: { approved?: boolean; by?: string; comment?: string; decidedAt?: string };
  error?: string;
}

export interface WaveResult {
  name: string;
  dependsOn: string[];
  status: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  jobIds: string[];
  servers: ServerResult[];
  actions: ActionResult[];
  error?: string;
}

export interface RunResult {
  formatVersion: number;
  runId: string;
  planName: string;
  mode: string;
  status: string;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  /** Manual pauses (pauseBeforeWave holds, on-demand pauses and approvals included) add to the RTO. */
  pausedMs: number;
  rto: { targetMinutes?: number; achievedMs?: number; met?: boolean; excludingPausesMs?: number };
  rpoTargetMinutes?: number;
  plan: RunState['plan'];
  groups: RunState['groups'];
  counts: { servers: number; launched: number; failed: number; other: number };
  waves: WaveResult[];
  cleanup?: RunState['cleanup'];
  errors: RunState['errors'];
  preflightFindings: RunState['preflight']['findings'];
}

const ms = (from?: string, to?: string): number | undefined =>
  from && to ? Date.parse(to) - Date.parse(from) : undefined;

function heldMs(state: RunState, until: string): number {
  let total = 0;
  for (const pause of state.pauses) total += Date.parse(pause.to ?? until) - Date.parse(pause.from);
  for (const wave of Object.values(state.waves)) {
    for (const step of Object.values(wave.steps)) {
      if (step.kind === 'pause' && step.startedAt)
        total += Date.parse(step.endedAt ?? until) - Date.parse(step.startedAt);
      if (step.approval) total += Date.parse(step.approval.decidedAt ?? until) - Date.parse(step.approval.requestedAt);
    }
  }
  return total;
}

/** When the last server of the run reached LAUNCHED (the recovery point in time of the RTO). */
function recoveredAt(state: RunState): string | undefined {
  const launched = Object.values(state.waves)
    .flatMap((wave) => Object.values(wave.servers))
    .map((server) => server.launchedAt)
    .filter((t): t is string => Boolean(t));
  if (launched.length === 0) return undefined;
  const endOfWaves = Object.values(state.waves)
    .map((wave) => wave.endedAt)
    .filter((t): t is string => Boolean(t));
  return [...launched, ...endOfWaves].reduce((a, b) => (Date.parse(a) > Date.parse(b) ? a : b));
}

export function buildRunResult(state: RunState): RunResult {
  const plannedSteps = new Map(
    state.executionPlan.waves.flatMap((wave) => wave.steps.map((step) => [step.id, step] as const)),
  );
  const waves = state.executionPlan.waves.map((planned): WaveResult => {
    const ws = state.waves[planned.name];
    const servers = Object.values(ws.servers).map((server): ServerResult => ({ ...server }));
    for (const server of servers) delete (server as { jobKey?: string }).jobKey;
    const actions: ActionResult[] = planned.steps
      .filter((step) => step.kind === 'action')
      .map((step) => {
        const ss = ws.steps[step.id];
        const plannedStep = plannedSteps.get(step.id)!;
        return {
          step: step.id,
          phase: plannedStep.kind === 'action' ? plannedStep.phase : 'pre',
          label: step.label,
          type: plannedStep.kind === 'action' ? plannedStep.action.type : step.kind,
          status: ss.status,
          startedAt: ss.startedAt,
          endedAt: ss.endedAt,
          attempts: ss.attempts.map((a) => ({
            attempt: a.attempt,
            executionId: a.executionId,
            status: a.status,
            outputs: a.outputs,
            error: a.error,
            startedAt: a.startedAt,
            endedAt: a.endedAt,
          })),
          ...(ss.approval
            ? {
                approval: {
                  approved: ss.approval.approved,
                  by: ss.approval.by,
                  comment: ss.approval.comment,
                  decidedAt: ss.approval.decidedAt,
                },
              }
            : {}),
          ...(ss.error ? { error: ss.error } : {}),
        };
      });
    return {
      name: planned.name,
      dependsOn: planned.dependsOn,
      status: ws.status,
      startedAt: ws.startedAt,
      endedAt: ws.endedAt,
      durationMs: ms(ws.startedAt, ws.endedAt),
      jobIds: Object.values(ws.jobKeys)
        .map((key) => key.jobId)
        .filter((id): id is string => Boolean(id)),
      servers,
      actions,
      ...(ws.error ? { error: ws.error } : {}),
    };
  });
  const allServers = waves.flatMap((wave) => wave.servers);
  const launched = allServers.filter(
    (s) => s.launchStatus === 'LAUNCHED' || (s.launchStatus === 'TERMINATED' && s.launchedAt),
  ).length;
  const failed = allServers.filter((s) => s.launchStatus === 'FAILED' || s.launchStatus === 'TIMED_OUT').length;
  const end = state.endedAt;
  const recovered = state.status === 'completed' ? recoveredAt(state) : undefined;
  const achievedMs = ms(state.createdAt, recovered);
  const targetMinutes = state.executionPlan.rtoMinutes;
  const pausedMs = heldMs(state, end ?? new Date().toISOString());
  return {
    formatVersion: RESULT_FORMAT_VERSION,
    runId: state.runId,
    planName: state.planName,
    mode: state.mode,
    status: state.status,
    startedAt: state.createdAt,
    endedAt: end,
    durationMs: ms(state.createdAt, end),
    pausedMs,
    rto: {
      targetMinutes,
      achievedMs,
      ...(achievedMs !== undefined && targetMinutes !== undefined ? { met: achievedMs <= targetMinutes * 60_000 } : {}),
      ...(achievedMs !== undefined ? { excludingPausesMs: Math.max(0, achievedMs - pausedMs) } : {}),
    },
    rpoTargetMinutes: state.executionPlan.rpoMinutes,
    plan: state.plan,
    groups: state.groups,
    counts: { servers: allServers.length, launched, failed, other: allServers.length - launched - failed },
    waves,
    ...(state.cleanup ? { cleanup: state.cleanup } : {}),
    errors: state.errors,
    preflightFindings: state.preflight.findings,
  };
}

export function formatDuration(value?: number): string {
  if (value === undefined) return '—';
  if (value < 1000) return `${value} ms`;
  const seconds = value / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds % 60)} s`;
}

const cell = (value: unknown): string =>
  value === undefined || value === null || value === '' ? '—' : String(value).replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A Markdown report of the run. */
export function renderMarkdownReport(result: RunResult): string {
  const lines: string[] = [];
  const title = result.mode === 'drill' ? 'Drill' : 'Recovery';
  lines.push(`# ${title} report: ${result.planName}`, '');
  lines.push(`| | |`, `| --- | --- |`);
  lines.push(`| Run | \`${result.runId}\` |`);
  lines.push(`| Status | **${result.status}** |`);
  lines.push(`| Started | ${result.startedAt} |`);
  lines.push(`| Ended | ${cell(result.endedAt)} |`);
  lines.push(`| Duration | ${formatDuration(result.durationMs)} |`);
  const rto = result.rto;
  const verdict = rto.met === undefined ? '' : rto.met ? ' ✅ met' : ' ❌ missed';
  lines.push(
    `| RTO | ${formatDuration(rto.achievedMs)} achieved${rto.targetMinutes !== undefined ? ` against a target of ${rto.targetMinutes} min${verdict}` : ''}${result.pausedMs ? ` (${formatDuration(rto.excludingPausesMs)} without ${formatDuration(result.pausedMs)} of manual holds)` : ''} |`,
  );
  if (result.rpoTargetMinutes !== undefined) lines.push(`| RPO target | ${result.rpoTargetMinutes} min |`);
  lines.push(
    `| Servers | ${result.counts.launched} launched, ${result.counts.failed} failed${result.counts.other ? `, ${result.counts.other} other` : ''} of ${result.counts.servers} |`,
  );
  if (result.cleanup)
    lines.push(
      `| Drill cleanup | ${result.cleanup.status}, ${result.cleanup.recoveryInstanceIds.length} recovery instance(s)${result.cleanup.error ? `: ${cell(result.cleanup.error)}` : ''} |`,
    );
  lines.push('');
  for (const wave of result.waves) {
    lines.push(`## Wave ${wave.name}: ${wave.status}`, '');
    if (wave.dependsOn.length) lines.push(`Depends on: ${wave.dependsOn.join(', ')}.`, '');
    lines.push(
      `Started ${cell(wave.startedAt)}, ended ${cell(wave.endedAt)} (${formatDuration(wave.durationMs)}). Jobs: ${wave.jobIds.map((id) => `\`${id}\``).join(', ') || '—'}.`,
      '',
    );
    if (wave.error) lines.push(`> ${wave.error}`, '');
    if (wave.actions.length) {
      lines.push(
        '| Action | Phase | Status | Attempts | Execution | Outputs / error |',
        '| --- | --- | --- | --- | --- | --- |',
      );
      for (const action of wave.actions) {
        const last = action.attempts[action.attempts.length - 1];
        const detail =
          action.error ??
          last?.error ??
          (last?.outputs
            ? JSON.stringify(last.outputs)
            : action.approval
              ? `${action.approval.approved ? 'approved' : 'rejected'} by ${action.approval.by ?? '—'}${action.approval.comment ? `: ${action.approval.comment}` : ''}`
              : undefined);
        lines.push(
          `| ${cell(action.label)} | ${action.phase} | ${action.status} | ${action.attempts.length || '—'} | ${cell(last?.executionId)} | ${cell(detail)} |`,
        );
      }
      lines.push('');
    }
    lines.push(
      '| Server | Source server | Job | Status | Recovery instance | EC2 instance | Launched | Error |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const server of wave.servers) {
      lines.push(
        `| ${cell(server.hostname)} | \`${server.sourceServerId}\` | ${cell(server.jobId)} | ${server.launchStatus} | ${cell(server.recoveryInstanceId)} | ${cell(server.ec2InstanceId)} | ${cell(server.launchedAt)} | ${cell(server.error)} |`,
      );
    }
    lines.push('');
  }
  if (result.errors.length) {
    lines.push('## Errors', '');
    for (const error of result.errors)
      lines.push(`- ${error.at}${error.wave ? ` (wave ${error.wave})` : ''}: ${error.message}`);
    lines.push('');
  }
  const findings = result.preflightFindings.filter((f) => f.severity !== 'info');
  if (findings.length) {
    lines.push('## Preflight warnings', '');
    for (const finding of findings) lines.push(`- ${finding.message} ${finding.fix}`);
    lines.push('');
  }
  return lines.join('\n');
}

export function renderJsonResult(result: RunResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

/** Figures for a live progress view. */
export interface RunProgress {
  status: string;
  elapsedMs: number;
  rtoTargetMs?: number;
  /** elapsed / target, 0..∞ */
  rtoFraction?: number;
  waves: {
    name: string;
    status: string;
    servers: number;
    launched: number;
    failed: number;
    inProgress: number;
    currentStep?: string;
  }[];
  servers: { total: number; launched: number; failed: number; inProgress: number };
  awaiting: { wave: string; step: string; kind: 'held' | 'approval'; message?: string }[];
}

export function progressOf(state: RunState, now = Date.now()): RunProgress {
  const end = state.endedAt ? Date.parse(state.endedAt) : now;
  const elapsedMs = end - Date.parse(state.createdAt);
  const rtoTargetMs =
    state.executionPlan.rtoMinutes !== undefined ? state.executionPlan.rtoMinutes * 60_000 : undefined;
  const awaiting: RunProgress['awaiting'] = [];
  const waves = state.executionPlan.waves.map((planned) => {
    const ws = state.waves[planned.name];
    const servers = Object.values(ws.servers);
    const current = planned.steps.find((step) =>
      ['running', 'held', 'waiting-approval'].includes(ws.steps[step.id].status),
    );
    for (const step of planned.steps) {
      const ss = ws.steps[step.id];
      if (ss.status === 'held') awaiting.push({ wave: planned.name, step: step.id, kind: 'held' });
      if (ss.status === 'waiting-approval')
        awaiting.push({ wave: planned.name, step: step.id, kind: 'approval', message: ss.approval?.message });
    }
    return {
      name: planned.name,
      status: ws.status,
      servers: servers.length,
      launched: servers.filter((s) => s.launchStatus === 'LAUNCHED').length,
      failed: servers.filter((s) => s.launchStatus === 'FAILED' || s.launchStatus === 'TIMED_OUT').length,
      inProgress: servers.filter((s) => s.launchStatus === 'PENDING' || s.launchStatus === 'IN_PROGRESS').length,
      ...(current ? { currentStep: current.label } : {}),
    };
  });
  const sum = (key: 'servers' | 'launched' | 'failed' | 'inProgress') =>
    waves.reduce((total, wave) => total + wave[key], 0);
  return {
    status: state.status,
    elapsedMs,
    ...(rtoTargetMs !== undefined ? { rtoTargetMs, rtoFraction: elapsedMs / rtoTargetMs } : {}),
    waves,
    servers: { total: sum('servers'), launched: sum('launched'), failed: sum('failed'), inProgress: sum('inProgress') },
    awaiting,
  };
}

export interface RunHistoryEntry {
  runId: string;
  journalPath: string;
  planName: string;
  mode: string;
  status: string;
  startedAt: string;
  endedAt?: string;
  servers: number;
  launched: number;
  failed: number;
  /** Not ended: a run the UI can resume monitoring of. */
  resumable: boolean;
  /** The journal could not be read. */
  error?: string;
}

/** Every run in the journal folder, newest first. */
export function listRunHistory(journalDir: string): RunHistoryEntry[] {
  return listJournalFiles(journalDir).map((path): RunHistoryEntry => {
    try {
      const { events } = readJournal(path);
      let state: RunState | undefined;
      for (const event of events) state = applyEvent(state, event);
      if (!state) throw new Error('empty journal');
      const servers = Object.values(state.waves).flatMap((wave) => Object.values(wave.servers));
      return {
        runId: state.runId,
        journalPath: path,
        planName: state.planName,
        mode: state.mode,
        status: state.status,
        startedAt: state.createdAt,
        endedAt: state.endedAt,
        servers: servers.length,
        launched: servers.filter(
          (s) => s.launchStatus === 'LAUNCHED' || (s.launchStatus === 'TERMINATED' && s.launchedAt),
        ).length,
        failed: servers.filter((s) => s.launchStatus === 'FAILED' || s.launchStatus === 'TIMED_OUT').length,
        resumable: !TERMINAL_RUN.includes(state.status) || state.cleanup?.status === 'running',
      };
    } catch (error) {
      const name = path.split(/[\\/]/).pop() ?? path;
      return {
        runId: name,
        journalPath: path,
        planName: '?',
        mode: '?',
        status: 'unreadable',
        startedAt: '',
        servers: 0,
        launched: 0,
        failed: 0,
        resumable: false,
        error: (error as Error).message,
      };
    }
  });
}
