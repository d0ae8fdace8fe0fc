/**
 * Every mutating AWS call the DR engine makes goes through this narrow interface, and nowhere else.
 *
 * The product implements it with OperationDrActionGateway (./operationGateway.ts): each call is a registered
 * operation (drs.recovery.start, drs.recoveryInstances.terminate, drs.launchConfiguration.update,
 * ssm.automation.start, ssm.automation.stop) run through the safety core: guardrails, approval, audit.
 * Engine-only tests and the benchmark's engine figure use the direct SDK gateway in test/support/sdkDrActionGateway.ts.
 */
import type { Job } from '@aws-sdk/client-drs';
import type { GroupLaunchSettings } from './model';

/** Who asks for a mutating call and why: for guardrails, approvals and the audit trail. */
export interface DrCallContext {
  /** Correlates every call of one run (the run ID) or of one preflight remediation. */
  correlationId: string;
  planName?: string;
  waveName?: string;
  mode?: 'drill' | 'recovery';
  /** Plain words for the audit line and an approval prompt. */
  reason: string;
}

export interface StartRecoveryRequest {
  region: string;
  sourceServerIds: string[];
  isDrill: boolean;
  /** Tags on the DRS job; the runner tags jobs with its run ID and job key so it can find them again. */
  tags: Record<string, string>;
}

export interface StartAutomationRequest {
  region: string;
  documentName: string;
  documentVersion?: string;
  parameters: Record<string, string[]>;
  /** Idempotency token: the same token returns the same execution (used when a run resumes). */
  clientToken: string;
  tags?: Record<string, string>;
}

export interface StartBackupRestoreRequest {
  region: string;
  backupVaultName: string;
  recoveryPointArn: string;
  iamRoleArn?: string;
  /** Overrides merged over the recovery point's own restore metadata. */
  metadata: Record<string, string>;
  /** Idempotency token: the same token returns the same restore job (used when a run resumes). */
  idempotencyToken: string;
}

export interface DrActionGateway {
  /** Recovery instances per terminate call (default 100, the DRS limit); a guarded gateway keeps it within policy. */
  readonly terminateBatchSize?: number;
  startRecovery(request: StartRecoveryRequest, context: DrCallContext): Promise<{ job: Job }>;
  terminateRecoveryInstances(
    request: { region: string; recoveryInstanceIds: string[] },
    context: DrCallContext,
  ): Promise<{ job: Job }>;
  updateLaunchConfiguration(
    request: { region: string; sourceServerId: string; settings: GroupLaunchSettings },
    context: DrCallContext,
  ): Promise<void>;
  startAutomation(request: StartAutomationRequest, context: DrCallContext): Promise<{ executionId: string }>;
  stopAutomation(request: { region: string; executionId: string }, context: DrCallContext): Promise<void>;
  /** AWS Backup restore into a new resource (backup.restore.start). Absent: backupRestore actions fail, saying so. */
  startBackupRestore?(request: StartBackupRestoreRequest, context: DrCallContext): Promise<{ restoreJobId: string }>;
}
