export {
  confirmationMatches,
  type ApprovalDecision,
  type ApprovalLevel,
  type ApprovalProvider,
  type ApprovalRequest,
} from './approval';
export { checkChangeWindows, isWindowOpen, localTime, windowsGoverning, type ChangeWindowCheck } from './changeWindows';
export {
  isProtectedEnvironment,
  protectionTagOn,
  resolveEnvironment,
  UNKNOWN_ENVIRONMENT,
  type ResolvedEnvironment,
} from './environment';
export {
  evaluateGuardrails,
  type GuardrailEvaluation,
  type GuardrailFacts,
  type Refusal,
  type RefusalCode,
} from './evaluate';
export {
  DEFAULT_GUARDRAIL_POLICY,
  GUARDRAILS_FILE,
  formatPolicyProblem,
  parseGuardrailsFile,
  readWorkspaceGuardrailsFile,
  resolveGuardrailPolicy,
  tightenPolicy,
  type BackupMode,
  type GuardrailPolicy,
  type LoadedPolicy,
  type PolicyInputs,
  type PolicyProblem,
  type SourcedChangeWindow,
} from './policy';
export { guardrailsJsonSchema, guardrailsFileSchema, POLICY_LIMITS, type ChangeWindow } from './policySchema';
export { MutationRateLimiter } from './rateLimit';
export {
  backoffDelay,
  callResiliently,
  CircuitBreaker,
  CircuitOpenError,
  isServiceHealthFailure,
  isThrottling,
  systemClock,
  type CircuitBreakerOptions,
  type CircuitState,
  type Clock,
  type RetryOptions,
  type Sleep,
} from './resilience';
export {
  approvalRequirement,
  combineRequirements,
  DEFAULT_APPROVAL_TIMEOUT_MINUTES,
  isExternalSystem,
  unsatisfiableReason,
  type ApprovalRequirement,
} from './approvalPolicy';
