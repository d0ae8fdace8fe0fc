import type { Job, JobLog, LaunchConfiguration, RecoveryInstance, SourceServer } from '@aws-sdk/client-drs';
import type { LaunchTemplate, LaunchTemplateVersion, SecurityGroup, Subnet } from '@aws-sdk/client-ec2';
import type { AutomationExecution, DocumentDescription } from '@aws-sdk/client-ssm';
import type { ApprovalDecision, ApprovalProvider, ApprovalRequest } from '../guardrails/approval';
import { isThrottling } from '../guardrails/resilience';
import type { OperationRunner, RunOutcome } from '../operations/runner';
import type { Caller } from '../operations/types';
import { runnerReads } from '../resources/runnerReads';
import type { PreflightLaunchServer, RecoveryFinding } from '../launchTemplates/recoveryValidation';
import {
  ApiCounters,
  checkLaunchTemplates,
  chunk,
  isDocumentMissing,
  isLaunchTemplateMissing,
  type DrReads,
  type LaunchTemplateCheck,
  type RestoreJobState,
} from './aws';
import { describeAwsError } from '../aws/errors';
import type {
  DrActionGateway,
  DrCallContext,
  StartAutomationRequest,
  StartBackupRestoreRequest,
  StartRecoveryRequest,
} from './gateway';
import type { GroupLaunchSettings } from './model';

/** A guardrail refused a DR call; the run stops or continues by its failure policy, with this reason. */
export class DrCallRefusedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly correlationId: string,
  ) {
    super(message);
    this.name = 'DrCallRefusedError';
  }
}

/** Turns a non-successful outcome into an error the DR runner understands (AWS error names are kept for retries). */
function outcomeError(outcome: RunOutcome): Error {
  if (outcome.status === 'refused') {
    return new DrCallRefusedError(
      outcome.refusal?.code ?? 'refused',
      `${outcome.operationId} refused (${outcome.refusal?.code}): ${outcome.refusal?.message}`,
      outcome.correlationId,
    );
  }
  const error = new Error(
    `${outcome.error?.code ?? 'Error'}: ${outcome.error?.message ?? 'the operation failed'}${outcome.error?.hint ? ` — ${outcome.error.hint}` : ''}`,
  );
  error.name = outcome.error?.code ?? 'Error';
  return error;
}

export interface OperationDrActionGatewayOptions {
  runner: OperationRunner;
  approvalProvider?: ApprovalProvider;
  caller?: Caller;
  /** Recovery instances per terminate call; keep it within the policy's maxResourcesPerOperation. */
  terminateBatchSize?: () => number;
  /** Counts each call by AWS action (e.g. "drs:StartRecovery"), for the runner's metrics. */
  counters?: ApiCounters;
}

/** Counts one call made through the operation runner: the call, and a failure (throttling or not) when it failed. */
async function countedRun<T>(counters: ApiCounters | undefined, action: string, call: () => Promise<T>): Promise<T> {
  counters?.call(action);
  try {
    return await call();
  } catch (error) {
    const throttling = isThrottling(error);
    if (throttling) counters?.throttled(action);
    counters?.failed(action, throttling);
    throw error;
  }
}

/**
 * The DR engine's mutating calls as registered operations: each StartRecovery, terminate, launch-settings
 * update and SSM Automation call passes the guardrails and is audited under the run's correlation ID.
 */
export class OperationDrActionGateway implements DrActionGateway {
  readonly counters: ApiCounters;

  constructor(private readonly options: OperationDrActionGatewayOptions) {
    this.counters = options.counters ?? new ApiCounters();
  }

  get terminateBatchSize(): number {
    return Math.max(1, Math.min(100, this.options.terminateBatchSize?.() ?? 100));
  }

  private run<Output>(
    action: string,
    operationId: string,
    input: unknown,
    region: string,
    context: DrCallContext,
  ): Promise<Output> {
    return countedRun(this.counters, action, async () => {
      const outcome = await this.options.runner.run(operationId, input, {
        caller: this.options.caller ?? 'command',
        mode: 'execute',
        approvalProvider: this.options.approvalProvider,
        region,
        correlationId: context.correlationId,
      });
      if (outcome.status !== 'succeeded') throw outcomeError(outcome);
      return outcome.output as Output;
    });
  }

  startRecovery(request: StartRecoveryRequest, context: DrCallContext): Promise<{ job: Job }> {
    return this.run(
      'drs:StartRecovery',
      'drs.recovery.start',
      { sourceServerIds: request.sourceServerIds, isDrill: request.isDrill, tags: request.tags },
      request.region,
      context,
    );
  }

  terminateRecoveryInstances(
    request: { region: string; recoveryInstanceIds: string[] },
    context: DrCallContext,
  ): Promise<{ job: Job }> {
    return this.run(
      'drs:TerminateRecoveryInstances',
      'drs.recoveryInstances.terminate',
      { recoveryInstanceIds: request.recoveryInstanceIds },
      request.region,
      context,
    );
  }

  async updateLaunchConfiguration(
    request: { region: string; sourceServerId: string; settings: GroupLaunchSettings },
    context: DrCallContext,
  ): Promise<void> {
    await this.run(
      'drs:UpdateLaunchConfiguration',
      'drs.launchConfiguration.update',
      { sourceServerId: request.sourceServerId, ...request.settings },
      request.region,
      context,
    );
  }

  startAutomation(request: StartAutomationRequest, context: DrCallContext): Promise<{ executionId: string }> {
    const { region, ...input } = request;
    return this.run('ssm:StartAutomationExecution', 'ssm.automation.start', input, region, context);
  }

  startBackupRestore(request: StartBackupRestoreRequest, context: DrCallContext): Promise<{ restoreJobId: string }> {
    return this.run(
      'backup:StartRestoreJob',
      'backup.restore.start',
      {
        vaultName: request.backupVaultName,
        recoveryPointArn: request.recoveryPointArn,
        ...(request.iamRoleArn ? { iamRoleArn: request.iamRoleArn } : {}),
        ...(Object.keys(request.metadata).length ? { metadata: request.metadata } : {}),
        idempotencyToken: request.idempotencyToken,
      },
      request.region,
      context,
    );
  }

  async stopAutomation(request: { region: string; executionId: string }, context: DrCallContext): Promise<void> {
    await this.run(
      'ssm:StopAutomationExecution',
      'ssm.automation.stop',
      { executionId: request.executionId },
      request.region,
      context,
    );
  }
}

export interface OperationDrReadsOptions {
  runner: Pick<OperationRunner, 'run'>;
  /** The account the reads run in (preflight checks groups' `account`). */
  identity: () => Promise<{ account: string }>;
  caller?: Caller;
  /** Counts each call by AWS action (e.g. "drs:DescribeJobs"), for the runner's metrics. */
  counters?: ApiCounters;
}

interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** The AWS action of each read the launch recovery rules run, for the counters. */
const LAUNCH_RULE_ACTIONS: Record<string, string> = {
  'drs.sourceServers.list': 'drs:DescribeSourceServers',
  'drs.launchConfiguration.get': 'drs:GetLaunchConfiguration',
  'ec2.launchTemplates.versions': 'ec2:DescribeLaunchTemplateVersions',
  'ec2.subnets.list': 'ec2:DescribeSubnets',
  'ec2.securityGroups.list': 'ec2:DescribeSecurityGroups',
  'ec2.instanceTypeOfferings.list': 'ec2:DescribeInstanceTypeOfferings',
  'ec2.vpcs.list': 'ec2:DescribeVpcs',
};

/**
 * The DR engine's reads as registered read operations (drs.jobs.list, drs.jobs.logItems,
 * drs.launchConfiguration.get, ssm.automation.get…), run through the operation runner like the explorer's:
 * input validation, the circuit breaker and throttling retries per service and region, redacted outputs,
 * audit lines when the policy audits reads. A failed read throws the AWS error itself.
 */
export class OperationDrReads implements DrReads {
  readonly counters: ApiCounters;
  private readonly reads: ReturnType<typeof runnerReads>;

  constructor(private readonly options: OperationDrReadsOptions) {
    this.counters = options.counters ?? new ApiCounters();
    this.reads = runnerReads(async () => options.runner, options.identity, options.caller ?? 'command');
  }

  /** The launch recovery rules (launchTemplates/recoveryValidation) through the same runner, counted. */
  async validateLaunches(servers: PreflightLaunchServer[]): Promise<RecoveryFinding[]> {
    const { preflightLaunchValidation } = await import('../launchTemplates/recoveryValidation');
    const run = async (operationId: string, input: unknown, options: Parameters<OperationRunner['run']>[2]) => {
      const action = LAUNCH_RULE_ACTIONS[operationId] ?? operationId;
      this.counters.call(action);
      const outcome = await this.options.runner.run(operationId, input, options);
      if (outcome.status !== 'succeeded') this.counters.failed(action, /Throttl/i.test(outcome.error?.code ?? ''));
      return outcome;
    };
    return preflightLaunchValidation(run, { caller: this.options.caller ?? 'command' })(servers);
  }

  private read<Output>(
    action: string,
    operationId: string,
    input: Record<string, unknown>,
    region: string,
  ): Promise<Output> {
    return countedRun(this.counters, action, () => this.reads.read<Output>(operationId, input, region));
  }

  /** Every page of a paged read, for each chunk of IDs (the operations take at most 200 IDs). */
  private async all<T>(
    action: string,
    operationId: string,
    input: Record<string, unknown>,
    region: string,
  ): Promise<T[]> {
    const items: T[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.read<Page<T>>(
        action,
        operationId,
        { ...input, maxResults: 1000, ...(nextToken ? { nextToken } : {}) },
        region,
      );
      items.push(...page.items);
      nextToken = page.nextToken || undefined;
    } while (nextToken);
    return items;
  }

  private async chunked<T>(
    ids: string[] | undefined,
    size: number,
    list: (part: string[] | undefined) => Promise<T[]>,
  ): Promise<T[]> {
    if (!ids) return list(undefined);
    const items: T[] = [];
    for (const part of chunk(ids, size)) items.push(...(await list(part)));
    return items;
  }

  account(): Promise<string | undefined> {
    return this.reads.account();
  }

  listSourceServers(region: string, sourceServerIds?: string[]): Promise<SourceServer[]> {
    return this.chunked(sourceServerIds, 200, (ids) =>
      this.all<SourceServer>(
        'drs:DescribeSourceServers',
        'drs.sourceServers.list',
        ids ? { sourceServerIds: ids } : {},
        region,
      ),
    );
  }

  describeJobs(region: string, filter: { jobIds?: string[]; fromDate?: string }): Promise<Job[]> {
    return this.chunked(filter.jobIds, 100, (ids) =>
      this.all<Job>(
        'drs:DescribeJobs',
        'drs.jobs.list',
        { ...(ids ? { jobIds: ids } : {}), ...(filter.fromDate ? { fromDate: filter.fromDate } : {}) },
        region,
      ),
    );
  }

  describeJobLogItems(region: string, jobId: string): Promise<JobLog[]> {
    return this.all<JobLog>('drs:DescribeJobLogItems', 'drs.jobs.logItems', { jobId }, region);
  }

  async describeRecoveryInstances(
    region: string,
    filter: { recoveryInstanceIds?: string[]; sourceServerIds?: string[] },
  ): Promise<RecoveryInstance[]> {
    if (filter.recoveryInstanceIds && filter.sourceServerIds)
      throw new Error('Filter recovery instances by recovery instance IDs or by source server IDs, not both.');
    if (filter.recoveryInstanceIds)
      return this.chunked(filter.recoveryInstanceIds, 200, (ids) =>
        this.all<RecoveryInstance>(
          'drs:DescribeRecoveryInstances',
          'drs.recoveryInstances.list',
          { recoveryInstanceIds: ids },
          region,
        ),
      );
    return this.chunked(filter.sourceServerIds, 200, (ids) =>
      this.all<RecoveryInstance>(
        'drs:DescribeRecoveryInstances',
        'drs.recoveryInstances.list',
        ids ? { sourceServerIds: ids } : {},
        region,
      ),
    );
  }

  getLaunchConfiguration(region: string, sourceServerId: string): Promise<LaunchConfiguration> {
    return this.read('drs:GetLaunchConfiguration', 'drs.launchConfiguration.get', { sourceServerId }, region);
  }

  checkLaunchTemplates(region: string, launchTemplateIds: string[]): Promise<LaunchTemplateCheck[]> {
    const existing = async <T>(
      action: string,
      operationId: string,
      filter: string,
      ids: string[],
      idOf: (item: T) => string | undefined,
    ): Promise<Set<string>> => {
      const found = new Set<string>();
      for (const part of chunk(ids, 200)) {
        for (const item of await this.all<T>(
          action,
          operationId,
          { filters: [{ name: filter, values: part }] },
          region,
        )) {
          const id = idOf(item);
          if (id) found.add(id);
        }
      }
      return found;
    };
    return checkLaunchTemplates(region, launchTemplateIds, {
      template: async (id) => {
        try {
          return (
            await this.read<Page<LaunchTemplate>>(
              'ec2:DescribeLaunchTemplates',
              'ec2.launchTemplates.list',
              { ids: [id] },
              region,
            )
          ).items[0];
        } catch (error) {
          if (isLaunchTemplateMissing(error)) return undefined;
          throw error;
        }
      },
      defaultVersion: async (id) =>
        (
          await this.read<Page<LaunchTemplateVersion>>(
            'ec2:DescribeLaunchTemplateVersions',
            'ec2.launchTemplates.versions',
            { launchTemplateId: id, versions: ['$Default'] },
            region,
          )
        ).items[0]?.LaunchTemplateData,
      existingSubnets: (ids) =>
        existing<Subnet>('ec2:DescribeSubnets', 'ec2.subnets.list', 'subnet-id', ids, (subnet) => subnet.SubnetId),
      existingSecurityGroups: (ids) =>
        existing<SecurityGroup>(
          'ec2:DescribeSecurityGroups',
          'ec2.securityGroups.list',
          'group-id',
          ids,
          (group) => group.GroupId,
        ),
    });
  }

  getAutomationExecution(region: string, executionId: string): Promise<AutomationExecution> {
    return this.read('ssm:GetAutomationExecution', 'ssm.automation.get', { executionId }, region);
  }

  async describeRestoreJob(region: string, restoreJobId: string): Promise<RestoreJobState> {
    const job = await this.read<{
      Status?: string;
      StatusMessage?: string;
      CreatedResourceArn?: string;
      CreationDate?: Date | string;
      CompletionDate?: Date | string;
    }>('backup:DescribeRestoreJob', 'backup.restoreJobs.describe', { restoreJobId }, region);
    const iso = (value?: Date | string) => (value ? new Date(value).toISOString() : undefined);
    return {
      status: job.Status ?? 'PENDING',
      ...(job.StatusMessage ? { statusMessage: job.StatusMessage } : {}),
      ...(job.CreatedResourceArn ? { createdResourceArn: job.CreatedResourceArn } : {}),
      ...(job.CreationDate ? { creationDate: iso(job.CreationDate) } : {}),
      ...(job.CompletionDate ? { completionDate: iso(job.CompletionDate) } : {}),
    };
  }

  async describeRecoveryPoint(
    region: string,
    backupVaultName: string,
    recoveryPointArn: string,
  ): Promise<{ status?: string; resourceArn?: string } | undefined> {
    try {
      const point = await this.read<{ Status?: string; ResourceArn?: string }>(
        'backup:DescribeRecoveryPoint',
        'backup.recoveryPoints.describe',
        { vaultName: backupVaultName, recoveryPointArn },
        region,
      );
      return { status: point.Status, resourceArn: point.ResourceArn };
    } catch (error) {
      if (
        describeAwsError(error).kind === 'not-found' ||
        (error as { name?: string }).name === 'ResourceNotFoundException'
      )
        return undefined;
      throw error;
    }
  }

  async describeDocument(region: string, name: string, version?: string): Promise<DocumentDescription | undefined> {
    try {
      return await this.read<DocumentDescription>(
        'ssm:DescribeDocument',
        'ssm.documents.describe',
        { name, ...(version && /^[0-9]+$/.test(version) ? { version } : {}) },
        region,
      );
    } catch (error) {
      if (isDocumentMissing(error)) return undefined;
      throw error;
    }
  }
}

/**
 * Asks once per run: the first approval of a run (a correlation ID) goes to the person or system behind
 * `base`; later requests of the same run in the same protected environments reuse that decision. Every
 * reuse is still checked and audited by the runner, naming the original approver.
 */
export class RunScopedApprovalProvider implements ApprovalProvider {
  readonly id: string;
  readonly kind: ApprovalProvider['kind'];
  private readonly granted = new Map<
    string,
    { environments: Set<string>; decision: ApprovalDecision & { approved: true } }
  >();

  constructor(private readonly base: ApprovalProvider) {
    this.id = `${base.id}+run-scope`;
    this.kind = base.kind;
  }

  async requestApproval(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalDecision> {
    const previous = this.granted.get(request.correlationId);
    const environments = request.protectedEnvironments.map((name) => name.toLowerCase());
    if (previous && request.level === 'approve' && environments.every((name) => previous.environments.has(name))) {
      return { ...previous.decision, typedConfirmation: request.requiredConfirmation };
    }
    if (previous && request.level === 'confirm')
      return { approved: true, approver: previous.decision.approver, reference: previous.decision.reference };
    const decision = await this.base.requestApproval(request, signal);
    if (decision.approved) {
      const entry = this.granted.get(request.correlationId) ?? { environments: new Set<string>(), decision };
      for (const name of environments) entry.environments.add(name);
      this.granted.set(request.correlationId, entry);
    }
    return decision;
  }
}
