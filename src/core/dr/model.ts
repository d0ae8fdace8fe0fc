/**
 * The disaster-recovery document model: protection groups and recovery plans as they are stored in
 * workspace files (YAML), at the current schema version. Free of `vscode`; plain data only, so every
 * value here survives JSON and YAML round trips unchanged.
 */

/** The schema version written by this build. Older versions are migrated on read (see migrate.ts). */
export const CURRENT_SCHEMA_VERSION = 2;
export const SUPPORTED_SCHEMA_VERSIONS = [1, 2] as const;

export const PROTECTION_GROUP_KIND = 'ProtectionGroup';
export const RECOVERY_PLAN_KIND = 'RecoveryPlan';

/** File name suffixes the workspace scanner and the JSON schema associations use. */
export const PROTECTION_GROUP_SUFFIXES = ['.protection-group.yaml', '.protection-group.yml'];
export const RECOVERY_PLAN_SUFFIXES = ['.recovery-plan.yaml', '.recovery-plan.yml'];

/** Names of groups, plans, waves and actions: used as references and in file names. */
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$';
export const SOURCE_SERVER_ID_PATTERN = '^s-[0-9a-zA-Z]{17}$';
export const ACCOUNT_PATTERN = '^[0-9]{12}$';
export const REGION_PATTERN = '^[a-z]{2}(-[a-z]+)+-[0-9]+$';

/** DRS limits enforced before and while running (the same ones a well-known public orchestrator checks). */
export const DRS_LIMITS = {
  maxServersPerJob: 100,
  maxConcurrentJobs: 20,
  maxServersInActiveJobs: 500,
} as const;
export type DrsLimits = { maxServersPerJob: number; maxConcurrentJobs: number; maxServersInActiveJobs: number };

/** Launch settings a protection group wants for its servers (DRS launch configuration fields). */
export interface GroupLaunchSettings {
  launchDisposition?: 'STOPPED' | 'STARTED';
  targetInstanceTypeRightSizingMethod?: 'NONE' | 'BASIC' | 'IN_AWS';
  copyPrivateIp?: boolean;
  copyTags?: boolean;
  osByol?: boolean;
  postLaunchEnabled?: boolean;
}

export interface ServerSelection {
  /** A server matches when it carries every one of these tags with exactly this value. */
  tags?: Record<string, string>;
  /** Source servers included by ID, in addition to the tag matches. */
  sourceServerIds?: string[];
}

export interface ProtectionGroup {
  schemaVersion: 2;
  kind: 'ProtectionGroup';
  name: string;
  description?: string;
  /** 12-digit account ID the servers live in; checked against the caller's identity. */
  account?: string;
  region: string;
  selection: ServerSelection;
  launchSettings?: GroupLaunchSettings;
}

export interface SsmAutomationAction {
  type: 'ssmAutomation';
  name?: string;
  documentName: string;
  documentVersion?: string;
  /** Automation parameters; SSM takes lists of strings, a single string is sent as a one-element list. */
  parameters?: Record<string, string | string[]>;
  /** How long one attempt may run before it is stopped and counted as failed. Default 600. */
  timeoutSeconds?: number;
  /** Extra attempts after a failed or timed-out one. Default 0. */
  retries?: number;
}

export interface WaitAction {
  type: 'wait';
  name?: string;
  seconds: number;
}

export interface ApprovalAction {
  type: 'approval';
  name?: string;
  message: string;
  /** The approval fails (and with it the wave) when nobody answers in time. No limit when absent. */
  timeoutSeconds?: number;
}

/** Restores an AWS Backup recovery point into a new resource (StartRestoreJob) and waits until it is done. */
export interface BackupRestoreAction {
  type: 'backupRestore';
  name?: string;
  backupVaultName: string;
  recoveryPointArn: string;
  /** The role AWS Backup restores with; required by AWS for most resource types. */
  iamRoleArn?: string;
  /** Restore metadata overrides, merged over the recovery point's own (GetRecoveryPointRestoreMetadata). */
  metadata?: Record<string, string>;
  /** How long the restore may run before it counts as failed. Default 3600. */
  timeoutSeconds?: number;
}

export type WaveAction = SsmAutomationAction | WaitAction | ApprovalAction | BackupRestoreAction;

export interface Wave {
  name: string;
  description?: string;
  protectionGroups?: string[];
  sourceServerIds?: string[];
  /** Waves that must finish first. Independent waves run in parallel. */
  dependsOn?: string[];
  /** Hold the wave until someone resumes it. */
  pauseBeforeWave?: boolean;
  preActions?: WaveAction[];
  postActions?: WaveAction[];
  /** How long to wait for every server to be LAUNCHED or FAILED. Default 3600. */
  maxWaitSeconds?: number;
}

export type FailurePolicy = 'stop' | 'continue';

export interface RecoveryPlan {
  schemaVersion: 2;
  kind: 'RecoveryPlan';
  name: string;
  description?: string;
  targets?: { rpoMinutes?: number; rtoMinutes?: number };
  /** stop: no further wave starts after a failure. continue: every wave still runs. Default stop. */
  failurePolicy?: FailurePolicy;
  waves: Wave[];
}

export type DrDocument = ProtectionGroup | RecoveryPlan;

export const DEFAULTS = {
  failurePolicy: 'stop' as FailurePolicy,
  maxWaitSeconds: 3600,
  actionTimeoutSeconds: 600,
  actionRetries: 0,
  backupRestoreTimeoutSeconds: 3600,
};

/** A position in a source file, 1-based, as editors show it. */
export interface SourcePosition {
  line: number;
  column: number;
}

export interface DrDiagnostic {
  severity: 'error' | 'warning';
  message: string;
  /** Path to the offending value, e.g. ["waves", 1, "dependsOn", 0]. */
  path: (string | number)[];
  /** Where it is in the file; absent only for documents that did not come from text. */
  start?: SourcePosition;
  end?: SourcePosition;
  code: string;
}

export function actionLabel(action: WaveAction, index: number): string {
  if (action.name) return action.name;
  switch (action.type) {
    case 'ssmAutomation':
      return `${action.documentName}#${index + 1}`;
    case 'wait':
      return `wait ${action.seconds}s#${index + 1}`;
    case 'approval':
      return `approval#${index + 1}`;
    case 'backupRestore':
      return `restore ${action.recoveryPointArn.split(/[:/]/).pop()}#${index + 1}`;
  }
}
