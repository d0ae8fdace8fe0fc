export {
  AuditTrail,
  chainFrom,
  headPathFor,
  readHead,
  readHeadState,
  type AuditHead,
  type AuditHeadState,
  type AuditSink,
  type AuditTrailOptions,
} from './auditTrail';
export {
  exportAuditTrail,
  readAuditTrail,
  matchesFilter,
  toCsv,
  CSV_COLUMNS,
  type AuditExportFormat,
  type AuditFilter,
} from './export';
export { canonicalJson, hashRecord } from './hashing';
export { REDACTED, containsSecretLikeValue, isSecretKey, redactSecrets, redactString } from './redaction';
export {
  AUDIT_OUTCOMES,
  GENESIS_HASH,
  type AuditClient,
  type AuditContext,
  type AuditEntry,
  type AuditOutcome,
  type AuditRecord,
} from './types';
export { verifyAuditTrail, type AuditProblem, type AuditVerification } from './verify';
