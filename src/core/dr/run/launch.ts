import type { Job } from '@aws-sdk/client-drs';
import { isThrottling } from '../../guardrails/resilience';
import { delay, isConflict } from '../aws';
import type { PlannedJob, PlannedStep, PlannedWave } from '../planner';
import { TERMINAL_SERVER, type RunEventInput } from '../state';
import type { RunContext } from './context';
import { AbandonedError, describeError } from './errors';
import { JOB_TAG_KEY, JOB_TAG_PLAN, JOB_TAG_RUN } from './ids';
import { serverEvents } from './jobMonitor';

/**
 * The launch step of a wave: apply launch settings, StartRecovery per job (within DRS limits, or re-attach
 * to jobs of a previous runner), then wait until every server is LAUNCHED or FAILED, or maxWaitSeconds.
 */
export async function runLaunch(
  run: RunContext,
  planned: PlannedWave,
  step: Extract<PlannedStep, { kind: 'launch' }>,
): Promise<{ status: 'succeeded' | 'failed'; error?: string }> {
  const ws = run.state.waves[planned.name];
  const ss = ws.steps[step.id];
  run.setStep(planned.name, step.id, 'running');
  const deadline = Date.parse(ss.startedAt!) + step.maxWaitSeconds * 1000;
  await applyLaunchSettings(run, planned);
  await Promise.all(step.jobs.map((job) => startOrAttachJob(run, planned, job)));

  for (;;) {
    const open = Object.values(ws.servers).filter((server) => !TERMINAL_SERVER.includes(server.launchStatus));
    if (open.length === 0) break;
    if (Date.now() >= deadline) {
      run.emit(
        ...open.map((server): RunEventInput => ({
          type: 'server.status',
          wave: planned.name,
          sourceServerId: server.sourceServerId,
          launchStatus: 'TIMED_OUT',
          error: `Not LAUNCHED or FAILED after ${step.maxWaitSeconds} s (maxWaitSeconds).`,
        })),
      );
      break;
    }
    await run.waitChange(Math.min(1000, Math.max(1, deadline - Date.now())));
  }
  // The next wave waits for these servers to be LAUNCHED, not for their EC2 instance IDs: read those meanwhile.
  run.inBackground(fillEc2InstanceIds(run, planned.name));
  const bad = Object.values(ws.servers).filter((server) => server.launchStatus !== 'LAUNCHED');
  if (bad.length === 0) return { status: 'succeeded' };
  const detail = bad
    .slice(0, 3)
    .map((server) => `${server.hostname}: ${server.launchStatus}${server.error ? ` (${server.error})` : ''}`)
    .join('; ');
  return {
    status: 'failed',
    error: `${bad.length} of ${Object.keys(ws.servers).length} servers did not launch: ${detail}${bad.length > 3 ? '; …' : ''}`,
  };
}

async function applyLaunchSettings(run: RunContext, planned: PlannedWave): Promise<void> {
  if (run.deps.applyLaunchSettings === false) return;
  const ws = run.state.waves[planned.name];
  const done = new Set(ws.launchSettingsApplied ?? []);
  const drift = run.state.preflight.launchSettingsDrift.filter(
    (d) => ws.servers[d.sourceServerId] && !done.has(d.sourceServerId),
  );
  const applied: string[] = [];
  for (const item of drift) {
    try {
      await run.deps.gateway.updateLaunchConfiguration(
        { region: item.region, sourceServerId: item.sourceServerId, settings: item.settings },
        run.callContext(
          planned.name,
          `Apply launch settings of protection group ${item.group} before wave ${planned.name}`,
        ),
      );
      applied.push(item.sourceServerId);
    } catch (error) {
      run.emit({
        type: 'run.error',
        wave: planned.name,
        message: `Launch settings of ${item.sourceServerId} could not be applied (launching with the current ones): ${describeError(error)}`,
      });
    }
  }
  if (applied.length) run.emit({ type: 'launchSettings.applied', wave: planned.name, sourceServerIds: applied });
}

async function startOrAttachJob(run: RunContext, planned: PlannedWave, job: PlannedJob): Promise<void> {
  const { state, deps } = run;
  const ws = state.waves[planned.name];
  const key = ws.jobKeys[job.key];
  if (key.jobId) {
    run.monitor.track(key.jobId, key.region);
    return;
  }
  if (key.startingAt && !key.error) {
    // The previous runner sent StartRecovery and stopped before recording the answer.
    const outcome = await reconcileJob(run, planned, job, key.startingAt);
    if (outcome !== 'not-started') return;
  }
  if (
    key.error &&
    Object.values(ws.servers)
      .filter((s) => job.sourceServerIds.includes(s.sourceServerId))
      .every((s) => TERMINAL_SERVER.includes(s.launchStatus))
  )
    return;
  const release = await run.slots.acquire(job.sourceServerIds.length);
  const retries = deps.startRetries ?? 5;
  for (let attempt = 0; ; attempt++) {
    if (run.abandoned) throw new AbandonedError();
    run.emit({
      type: 'job.starting',
      wave: planned.name,
      jobKey: job.key,
      region: job.region,
      sourceServerIds: job.sourceServerIds,
    });
    let result: Job;
    try {
      ({ job: result } = await deps.gateway.startRecovery(
        {
          region: job.region,
          sourceServerIds: job.sourceServerIds,
          isDrill: state.mode === 'drill',
          tags: { [JOB_TAG_RUN]: state.runId, [JOB_TAG_KEY]: job.key, [JOB_TAG_PLAN]: state.planName },
        },
        run.callContext(
          planned.name,
          `${state.mode === 'drill' ? 'Drill' : 'Recovery'} of wave ${planned.name} of plan ${state.planName}: ${job.sourceServerIds.length} server(s)`,
        ),
      ));
    } catch (error) {
      if (run.abandoned) throw new AbandonedError();
      const name = (error as { name?: string }).name ?? '';
      const retryable = isConflict(error) || name === 'ServiceQuotaExceededException' || isThrottling(error);
      run.emit({ type: 'job.startFailed', wave: planned.name, jobKey: job.key, error: describeError(error) });
      if (retryable && attempt < retries) {
        await delay(Math.min(10_000, (deps.startRetryDelayMs ?? 1000) * 2 ** attempt), run.abort.signal);
        continue;
      }
      release();
      run.emit(
        ...job.sourceServerIds.map((id): RunEventInput => ({
          type: 'server.status',
          wave: planned.name,
          sourceServerId: id,
          launchStatus: 'FAILED',
          error: `StartRecovery failed: ${describeError(error)}`,
        })),
      );
      return;
    }
    recordStartedJob(run, planned.name, job, result, false);
    run.monitor.track(result.jobID!, job.region, release);
    return;
  }
}

function recordStartedJob(run: RunContext, wave: string, job: PlannedJob, result: Job, recovered: boolean): void {
  const ids = (result.participatingServers ?? [])
    .map((p) => p.sourceServerID)
    .filter((id): id is string => Boolean(id));
  run.emit(
    {
      type: 'job.started',
      wave,
      jobKey: job.key,
      jobId: result.jobID!,
      region: job.region,
      sourceServerIds: ids.length ? ids : job.sourceServerIds,
      ...(recovered ? { recovered: true } : {}),
    },
    ...serverEvents(run.state, wave, result),
  );
}

/** Finds a job whose StartRecovery answer was lost; returns what it found. */
async function reconcileJob(
  run: RunContext,
  planned: PlannedWave,
  job: PlannedJob,
  startingAt: string,
): Promise<'attached' | 'conflict' | 'not-started'> {
  const fromDate = new Date(Date.parse(startingAt) - 5 * 60_000).toISOString();
  const jobs = await run.deps.reads.describeJobs(job.region, { fromDate });
  const mine = jobs.find(
    (candidate) => candidate.tags?.[JOB_TAG_RUN] === run.state.runId && candidate.tags?.[JOB_TAG_KEY] === job.key,
  );
  if (mine?.jobID) {
    run.log(`re-attached job ${mine.jobID} for ${job.key}`);
    recordStartedJob(run, planned.name, job, mine, true);
    const release = await run.slots.acquire(job.sourceServerIds.length);
    run.monitor.track(mine.jobID, job.region, release);
    return 'attached';
  }
  const since = Date.parse(startingAt);
  const other = jobs.find(
    (candidate) =>
      candidate.type === 'LAUNCH' &&
      Date.parse(String(candidate.creationDateTime ?? '')) >= since - 1000 &&
      (candidate.participatingServers ?? []).some((p) => job.sourceServerIds.includes(p.sourceServerID ?? '')),
  );
  if (other) {
    const error = `Job ${other.jobID} (not started by this run) took these servers after the run's StartRecovery request; not starting them again.`;
    run.emit(
      { type: 'job.startFailed', wave: planned.name, jobKey: job.key, error },
      ...job.sourceServerIds.map((id): RunEventInput => ({
        type: 'server.status',
        wave: planned.name,
        sourceServerId: id,
        launchStatus: 'FAILED',
        error,
      })),
    );
    return 'conflict';
  }
  run.log(`no job found for ${job.key}: the StartRecovery request never took effect; sending it now`);
  return 'not-started';
}

/** Records the EC2 instance behind each recovery instance of a wave (DescribeRecoveryInstances). */
export async function fillEc2InstanceIds(run: RunContext, wave: string): Promise<void> {
  const missing = Object.values(run.state.waves[wave].servers).filter(
    (server) => server.recoveryInstanceId && !server.ec2InstanceId,
  );
  const byRegion = new Map<string, string[]>();
  for (const server of missing)
    byRegion.set(server.region, [...(byRegion.get(server.region) ?? []), server.recoveryInstanceId!]);
  for (const [region, ids] of byRegion) {
    try {
      const instances = await run.deps.reads.describeRecoveryInstances(region, { recoveryInstanceIds: ids });
      const events: RunEventInput[] = [];
      for (const instance of instances) {
        const server = missing.find((s) => s.recoveryInstanceId === instance.recoveryInstanceID);
        if (server && instance.ec2InstanceID)
          events.push({
            type: 'server.status',
            wave,
            sourceServerId: server.sourceServerId,
            launchStatus: server.launchStatus,
            ec2InstanceId: instance.ec2InstanceID,
          });
      }
      run.emit(...events);
    } catch (error) {
      if (run.abandoned) throw new AbandonedError();
      run.emit({ type: 'run.error', wave, message: `EC2 instance IDs could not be read: ${describeError(error)}` });
    }
  }
}
