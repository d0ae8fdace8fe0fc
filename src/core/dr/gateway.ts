/**
 * Every mutating AWS call the DR engine makes goes through this narrow interface, and nowhere else.
 *
 * The project's safety core (issue 4: operation registry → guardrails → audit → SDK, under
 * src/core/operations, src/core/guardrails and src/core/audit) plugs in HERE: implement
 * DrActionGateway by running the matching registered operations (e.g. `drs.startRecovery`,
 * `drs.terminateRecoveryInstances`, `drs.updateLaunchConfiguration`, `ssm.startAutomationExecution`,
 * `ssm.stopAutomationExecution`) through the operation runner, passing `DrCallContext` along for the
 * audit line and the approval prompt, and hand that gateway to DrRunner / preflight remediation
 * instead of SdkDrActionGateway. Until then SdkDrActionGateway calls the SDK directly.
 */
import { StartRecoveryCommand, TerminateRecoveryInstancesCommand, UpdateLaunchConfigurationCommand, type Job } from '@aws-sdk/client-drs';
import { StartAutomationExecutionCommand, StopAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { ApiCounters, counted, type DrClients, type RetryOptions } from './aws';
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

export interface DrActionGateway {
  /** Recovery instances per terminate call (default 100, the DRS limit); a guarded gateway keeps it within policy. */
  readonly terminateBatchSize?: number;
  startRecovery(request: StartRecoveryRequest, context: DrCallContext): Promise<{ job: Job }>;
  terminateRecoveryInstances(request: { region: string; recoveryInstanceIds: string[] }, context: DrCallContext): Promise<{ job: Job }>;
  updateLaunchConfiguration(request: { region: string; sourceServerId: string; settings: GroupLaunchSettings }, context: DrCallContext): Promise<void>;
  startAutomation(request: StartAutomationRequest, context: DrCallContext): Promise<{ executionId: string }>;
  stopAutomation(request: { region: string; executionId: string }, context: DrCallContext): Promise<void>;
}

/**
 * Direct SDK implementation, used until the safety core is wired in (see the header). It retries
 * throttling but never ConflictException for StartRecovery: the runner decides about conflicts.
 */
export class SdkDrActionGateway implements DrActionGateway {
  constructor(private readonly clients: DrClients, readonly counters: ApiCounters = new ApiCounters(), private readonly retry: RetryOptions = {}) {}

  async startRecovery(request: StartRecoveryRequest, _context: DrCallContext): Promise<{ job: Job }> {
    const drs = await this.clients.drs(request.region);
    const response = await counted(
      this.counters,
      'drs:StartRecovery',
      () => drs.send(new StartRecoveryCommand({ sourceServers: request.sourceServerIds.map((sourceServerID) => ({ sourceServerID })), isDrill: request.isDrill, tags: request.tags })),
      this.retry,
    );
    if (!response.job?.jobID) throw new Error('StartRecovery returned no job');
    return { job: response.job };
  }

  async terminateRecoveryInstances(request: { region: string; recoveryInstanceIds: string[] }, _context: DrCallContext): Promise<{ job: Job }> {
    const drs = await this.clients.drs(request.region);
    const response = await counted(this.counters, 'drs:TerminateRecoveryInstances', () => drs.send(new TerminateRecoveryInstancesCommand({ recoveryInstanceIDs: request.recoveryInstanceIds })), this.retry);
    if (!response.job?.jobID) throw new Error('TerminateRecoveryInstances returned no job');
    return { job: response.job };
  }

  async updateLaunchConfiguration(request: { region: string; sourceServerId: string; settings: GroupLaunchSettings }, _context: DrCallContext): Promise<void> {
    const drs = await this.clients.drs(request.region);
    const { osByol, ...rest } = request.settings;
    await counted(
      this.counters,
      'drs:UpdateLaunchConfiguration',
      () => drs.send(new UpdateLaunchConfigurationCommand({ sourceServerID: request.sourceServerId, ...rest, ...(osByol !== undefined ? { licensing: { osByol } } : {}) })),
      this.retry,
    );
  }

  async startAutomation(request: StartAutomationRequest, _context: DrCallContext): Promise<{ executionId: string }> {
    const ssm = await this.clients.ssm(request.region);
    const response = await counted(
      this.counters,
      'ssm:StartAutomationExecution',
      () =>
        ssm.send(
          new StartAutomationExecutionCommand({
            DocumentName: request.documentName,
            DocumentVersion: request.documentVersion,
            Parameters: request.parameters,
            ClientToken: request.clientToken,
            Tags: Object.entries(request.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
          }),
        ),
      this.retry,
    );
    if (!response.AutomationExecutionId) throw new Error('StartAutomationExecution returned no execution ID');
    return { executionId: response.AutomationExecutionId };
  }

  async stopAutomation(request: { region: string; executionId: string }, _context: DrCallContext): Promise<void> {
    const ssm = await this.clients.ssm(request.region);
    await counted(this.counters, 'ssm:StopAutomationExecution', () => ssm.send(new StopAutomationExecutionCommand({ AutomationExecutionId: request.executionId })), this.retry);
  }
}
