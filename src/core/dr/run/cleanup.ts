import { TERMINAL_RUN, type RunEventInput, type RunState } from '../state';
import type { RunContext } from './context';

/**
 * Terminates the recovery instances a drill launched (through the gateway, so guardrails and the audit
 * trail apply) and follows the TERMINATE jobs to their end.
 */
export async function cleanupDrill(run: RunContext): Promise<RunState> {
  const { state, deps } = run;
  if (state.mode !== 'drill')
    throw new Error('Only drills are cleaned up; recovery instances of a recovery are the recovered workload.');
  if (!TERMINAL_RUN.includes(state.status))
    throw new Error('Wait for the drill to end (or cancel it) before cleaning up.');
  if (state.cleanup?.status === 'running') return finishCleanup(run);
  const launched = Object.values(state.waves)
    .flatMap((wave) => Object.values(wave.servers))
    .filter((server) => server.recoveryInstanceId && server.launchStatus === 'LAUNCHED');
  if (launched.length === 0) return state;
  const byRegion = new Map<string, string[]>();
  for (const server of launched)
    byRegion.set(server.region, [...(byRegion.get(server.region) ?? []), server.recoveryInstanceId!]);
  for (const [region, ids] of byRegion) {
    const jobIds: string[] = [];
    const batch = deps.gateway.terminateBatchSize ?? 100;
    for (let i = 0; i < ids.length; i += batch) {
      const { job } = await deps.gateway.terminateRecoveryInstances(
        { region, recoveryInstanceIds: ids.slice(i, i + batch) },
        run.callContext(undefined, `Clean up drill ${state.runId} of plan ${state.planName}`),
      );
      jobIds.push(job.jobID!);
    }
    run.emit({ type: 'cleanup.started', jobIds, recoveryInstanceIds: ids, region });
  }
  return finishCleanup(run);
}

/** Follows a started cleanup's TERMINATE jobs to their end and records what was terminated. */
export async function finishCleanup(run: RunContext): Promise<RunState> {
  const { state, monitor } = run;
  const cleanup = state.cleanup!;
  monitor.start();
  try {
    for (const jobId of cleanup.jobIds)
      if (state.jobs[jobId]?.status !== 'COMPLETED') monitor.track(jobId, state.jobs[jobId].region);
    while (cleanup.jobIds.some((jobId) => state.jobs[jobId]?.status !== 'COMPLETED')) await run.waitChange();
    const failures = cleanup.jobIds.flatMap((jobId) =>
      state.jobs[jobId].log.filter((item) => item.event === 'CLEANUP_FAIL'),
    );
    const events: RunEventInput[] = [];
    for (const wave of Object.values(state.waves)) {
      for (const server of Object.values(wave.servers)) {
        if (
          server.recoveryInstanceId &&
          cleanup.recoveryInstanceIds.includes(server.recoveryInstanceId) &&
          !failures.some((f) => f.sourceServerId === server.sourceServerId)
        ) {
          events.push({
            type: 'server.status',
            wave: wave.name,
            sourceServerId: server.sourceServerId,
            launchStatus: 'TERMINATED',
          });
        }
      }
    }
    events.push({
      type: 'cleanup.finished',
      status: failures.length ? 'failed' : 'completed',
      ...(failures.length ? { error: failures.map((f) => f.rawError ?? f.event).join('; ') } : {}),
    });
    run.emit(...events);
    return state;
  } finally {
    if (!run.executing || TERMINAL_RUN.includes(state.status)) monitor.stop();
  }
}
