import type { ApiCallStats, ApiCounters } from '../aws';
import type { RunState } from '../state';

export interface WaveTransition {
  wave: string;
  dependsOn: string[];
  /** When the last job of the dependencies was COMPLETED (DRS endDateTime). */
  dependenciesCompletedAt?: string;
  /** When the wave's first StartRecovery was sent. */
  firstStartRecoveryAt?: string;
  /** firstStartRecoveryAt − dependenciesCompletedAt; negative when the wave started before the last dependency job wrapped up. */
  overheadMs?: number;
}

export interface RunnerMetrics {
  api: ApiCallStats;
  apiCalls: number;
  servers: number;
  apiCallsPerServer: number;
  waveTransitions: WaveTransition[];
}

function mergeStats(counters: ApiCounters[]): ApiCallStats {
  const unique = [...new Set(counters)];
  const merged: ApiCallStats = { calls: {}, attempts: {}, throttled: {}, throttlingFailures: 0, failures: {} };
  for (const counter of unique) {
    const stats = counter.snapshot();
    for (const key of ['calls', 'attempts', 'throttled', 'failures'] as const) {
      for (const [op, n] of Object.entries(stats[key])) merged[key][op] = (merged[key][op] ?? 0) + n;
    }
    merged.throttlingFailures += stats.throttlingFailures;
  }
  return merged;
}

/** API calls per server and the gaps between waves, from a run's state and the call counters. */
export function computeMetrics(state: RunState, counters: ApiCounters[] = []): RunnerMetrics {
  const api = mergeStats(counters);
  const apiCalls = Object.values(api.calls).reduce((sum, n) => sum + n, 0);
  const servers = Object.values(state.waves).reduce((sum, wave) => sum + Object.keys(wave.servers).length, 0);
  const jobsOf = (wave: string) =>
    Object.values(state.jobs).filter((job) => job.wave === wave && job.kind === 'launch');
  const waveTransitions: WaveTransition[] = state.executionPlan.waves
    .filter((wave) => wave.dependsOn.length > 0)
    .map((wave) => {
      const dependencyEnds = wave.dependsOn
        .flatMap((name) => jobsOf(name).map((job) => job.endedAt))
        .filter((t): t is string => Boolean(t));
      const dependenciesCompletedAt = dependencyEnds.length
        ? dependencyEnds.reduce((a, b) => (Date.parse(a) > Date.parse(b) ? a : b))
        : undefined;
      const starts = Object.values(state.waves[wave.name].jobKeys)
        .map((key) => key.firstStartingAt ?? key.startingAt)
        .filter((t): t is string => Boolean(t));
      const firstStartRecoveryAt = starts.length
        ? starts.reduce((a, b) => (Date.parse(a) < Date.parse(b) ? a : b))
        : undefined;
      return {
        wave: wave.name,
        dependsOn: wave.dependsOn,
        dependenciesCompletedAt,
        firstStartRecoveryAt,
        ...(dependenciesCompletedAt && firstStartRecoveryAt
          ? { overheadMs: Date.parse(firstStartRecoveryAt) - Date.parse(dependenciesCompletedAt) }
          : {}),
      };
    });
  return { api, apiCalls, servers, apiCallsPerServer: servers ? apiCalls / servers : 0, waveTransitions };
}
