/**
 * Launch templates core: versions, diff text, minimal deltas, the editor service (save with conflict
 * detection, default, rollback, delete), form field checks, DRS recovery validation and bulk changes.
 * Plain Node; every AWS call goes through an OperationRunner-shaped `run` function.
 */
export type { LaunchTemplateData, FieldChange, Delta } from './delta';
export { normalizeVersionForDiff, changedFields, applyDelta, UnsupportedRemovalError, formatChanges } from './delta';
export {
  decodeUserData,
  encodeUserData,
  describeUserDataSize,
  userDataLanguage,
  UserDataTooLargeError,
  USER_DATA_MAX_BASE64_CHARS,
  USER_DATA_MAX_TEXT_BYTES,
} from './userData';
export type {
  RunFunction,
  RunContext,
  TemplateRef,
  TemplateSummary,
  VersionSummary,
  OpenedTemplate,
  SaveRequest,
  SaveResult,
  RollbackRequest,
  DeleteVersionsRequest,
  WriteResult,
} from './editor';
export { LaunchTemplateEditor, OperationFailedError, describeOutcome } from './editor';
export type { RevealedUserData } from '../operations/ec2/launchTemplates';
export type { FieldCheckInput, FieldFinding, SubnetFacts } from './fieldChecks';
export { checkLaunchTemplateFields, ipv4InCidr, parseIpv4, parseIpv4Cidr, IMDSV2_DEFAULTS } from './fieldChecks';
export { networkRefsOf, loadNetworkFacts, type NetworkFacts, type NetworkRefs } from './network';
export type {
  RecoveryFacts,
  RecoveryFinding,
  RecoveryFindingCode,
  FindingSeverity,
  GatheredFacts,
  ServerForFacts,
} from './recoveryValidation';
export { validateRecoveryLaunch, gatherRecoveryFacts, preflightLaunchValidation } from './recoveryValidation';
export type {
  BulkChange,
  LaunchConfigurationChange,
  BulkServer,
  BulkDryRunEntry,
  BulkDryRunReport,
  BulkApplyEntry,
  BulkApplyReport,
  ServerSelector,
} from './bulk';
export { selectSourceServers, bulkDryRun, bulkApply, retryFailed } from './bulk';

/** The registered operations this module runs (ids are stable). */
export const LAUNCH_TEMPLATE_OPERATION_IDS = Object.freeze({
  listTemplates: 'ec2.launchTemplates.list',
  listVersions: 'ec2.launchTemplates.versions',
  revealUserData: 'ec2.launchTemplates.revealUserData',
  createVersion: 'ec2.launchTemplates.createVersion',
  setDefaultVersion: 'ec2.launchTemplates.setDefaultVersion',
  deleteVersions: 'ec2.launchTemplates.deleteVersions',
  instanceTypeOfferings: 'ec2.instanceTypeOfferings.list',
  getLaunchConfiguration: 'drs.launchConfiguration.get',
  updateLaunchConfiguration: 'drs.launchConfiguration.update',
} as const);
