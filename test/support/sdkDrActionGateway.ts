/** Direct SDK DrActionGateway for engine tests and benchmarks. The product uses OperationDrActionGateway. */
import {
  StartRecoveryCommand,
  TerminateRecoveryInstancesCommand,
  UpdateLaunchConfigurationCommand,
  type Job,
} from '@aws-sdk/client-drs';
import { StartAutomationExecutionCommand, StopAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { ApiCounters } from '../../src/core/dr/aws';
import { counted, type DrClients, type RetryOptions } from './sdkDrReads';
import type {
  DrActionGateway,
  DrCallContext,
  StartAutomationRequest,
  StartRecoveryRequest,
} from '../../src/core/dr/gateway';
import type { GroupLaunchSettings } from '../../src/core/dr/model';

/** Retries throttling but never ConflictException for StartRecovery: the runner decides about conflicts. */
export class SdkDrActionGateway implements DrActionGateway {
  constructor(
    private readonly clients: DrClients,
    readonly counters: ApiCounters = new ApiCounters(),
    private readonly retry: RetryOptions = {},
  ) {}

  async startRecovery(request: StartRecoveryRequest, _context: DrCallContext): Promise<{ job: Job }> {
    const drs = await this.clients.drs(request.region);
    const response = await counted(
      this.counters,
      'drs:StartRecovery',
      () =>
        drs.send(
          new StartRecoveryCommand({
            sourceServers: request.sourceServerIds.map((sourceServerID) => ({ sourceServerID })),
            isDrill: request.isDrill,
            tags: request.tags,
          }),
        ),
      this.retry,
    );
    if (!response.job?.jobID) throw new Error('StartRecovery returned no job');
    return { job: response.job };
  }

  async terminateRecoveryInstances(
    request: { region: string; recoveryInstanceIds: string[] },
    _context: DrCallContext,
  ): Promise<{ job: Job }> {
    const drs = await this.clients.drs(request.region);
    const response = await counted(
      this.counters,
      'drs:TerminateRecoveryInstances',
      () => drs.send(new TerminateRecoveryInstancesCommand({ recoveryInstanceIDs: request.recoveryInstanceIds })),
      this.retry,
    );
    if (!response.job?.jobID) throw new Error('TerminateRecoveryInstances returned no job');
    return { job: response.job };
  }

  async updateLaunchConfiguration(
    request: { region: string; sourceServerId: string; settings: GroupLaunchSettings },
    _context: DrCallContext,
  ): Promise<void> {
    const drs = await this.clients.drs(request.region);
    const { osByol, ...rest } = request.settings;
    await counted(
      this.counters,
      'drs:UpdateLaunchConfiguration',
      () =>
        drs.send(
          new UpdateLaunchConfigurationCommand({
            sourceServerID: request.sourceServerId,
            ...rest,
            ...(osByol !== undefined ? { licensing: { osByol } } : {}),
          }),
        ),
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
    await counted(
      this.counters,
      'ssm:StopAutomationExecution',
      () => ssm.send(new StopAutomationExecutionCommand({ AutomationExecutionId: request.executionId })),
      this.retry,
    );
  }
}
