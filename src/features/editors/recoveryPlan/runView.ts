// What the visual editor's nodes show of a run (local, or on Step Functions followed from its history).
// No vscode import: tests build the same view from a run's state.
import type { RunState } from '../../../core/dr/state';
import type { RunView } from '../../../protocol/recoveryPlan';

export type RunEngine = 'local' | 'stepFunctions';

/** A run still going before any finished one; among equals, the newest. */
export function newestRun<T extends { state: RunState }>(runs: T[]): T | undefined {
  const going = (run: T) => !['completed', 'failed', 'cancelled'].includes(run.state.status);
  return [...runs].sort(
    (a, b) => Number(going(b)) - Number(going(a)) || b.state.createdAt.localeCompare(a.state.createdAt),
  )[0];
}

export function runView(state: RunState, engine: RunEngine = 'local'): RunView {
  return {
    runId: state.runId.slice(0, 128),
    mode: state.mode,
    engine,
    status: state.status,
    waves: Object.values(state.waves)
      .slice(0, 200)
      .map((wave) => ({
        name: wave.name.slice(0, 256),
        status: wave.status,
        servers: Object.values(wave.servers)
          .slice(0, 3000)
          .map((server) => ({
            id: server.sourceServerId.slice(0, 64),
            hostname: (server.hostname ?? '').slice(0, 256),
            status: server.launchStatus,
          })),
      })),
  };
}
