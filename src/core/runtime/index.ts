// The runtime every front end builds on: policy resolution, runners, and the dry-run → confirm → execute flow.
export { createRuntime, type Runtime, type RuntimeOptions } from './runtime';
export {
  describeProblem,
  dryRunThenExecute,
  type ChangeRequest,
  type ChangeResult,
  type ChangeRunOptions,
  type ChangeSteps,
  type ConfirmChange,
  type ConfirmDecision,
} from './changeFlow';
export {
  formatPolicyProblem,
  readPolicyFiles,
  resolvePolicy,
  WORKSPACE_SETTINGS_SOURCE,
  type PolicyFile,
  type PolicySources,
} from './policySources';
