/** The DR runner, split along its seams: the runner itself, steps, launch, job monitor, cleanup, metrics, slots. */
export { DrRunner, PreflightBlockedError, type StartRunInput } from './runner';
export type { RunListener, RunnerDeps } from './context';
export { clientTokenFor, JOB_TAG_KEY, JOB_TAG_PLAN, JOB_TAG_RUN, newRunId } from './ids';
export { computeMetrics, type RunnerMetrics, type WaveTransition } from './metrics';
export type { WaveRunState } from '../state';
