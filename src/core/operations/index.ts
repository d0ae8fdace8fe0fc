// The public API of the operation layer. Handlers are not part of it: run operations with OperationRunner.
export { createOperationRegistry, BUILTIN_OPERATIONS } from './builtinOperations';
export { defineOperation, type Operation } from './define';
export { formatPreview, type GuardrailVerdict, type OperationPreview, type PreviewResource } from './preview';
export {
  OperationRegistry,
  describeInputIssues,
  type InputIssue,
  type InputValidation,
  type OperationDescriptor,
  type OperationFilter,
} from './registry';
export {
  OperationRunner,
  explainError,
  type OperationConnection,
  type OperationRunnerOptions,
  type RunnerLogger,
  type RunOptions,
  type RunOutcome,
  type RunStatus,
} from './runner';
export { PRICE_TABLE } from './costs';
export {
  CALLERS,
  RUN_MODES,
  type BackupRecord,
  type Caller,
  type CostDirection,
  type CostEstimate,
  type DependencyFinding,
  type OperationKind,
  type PermissionCheck,
  type RunMode,
  type ServiceId,
} from './types';
