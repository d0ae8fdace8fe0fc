export {
  ApprovalCoordinator,
  beginChange,
  POLL_SCHEDULE_MS,
  pollDelayMs,
  type ApprovalCoordinatorOptions,
  type OpenedRequest,
} from './coordinator';
export { checkInstanceUrl, retryAfterMs } from './http';
export { JiraTicketSystem, type JiraCredentials, type JiraSettings } from './jira';
export { riskOf, ServiceNowTicketSystem, type ServiceNowCredentials, type ServiceNowSettings } from './servicenow';
export { PendingApprovalStore, STORE_LIMITS } from './store';
export {
  ApprovalSystemError,
  FINAL_STATES,
  type PendingApproval,
  type PendingState,
  type TicketRef,
  type TicketStatus,
  type TicketSystem,
  type TicketSystemId,
} from './types';
export {
  recoveryApprovalState,
  requestRecoveryApproval,
  type RecoveryApprovalInput,
  type RecoveryApprovalState,
} from './dr';
