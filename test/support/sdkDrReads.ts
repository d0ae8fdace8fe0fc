/**
 * The DR engine's reads straight on SDK clients, without the operation runner: for tests and benchmark
 * runs about the engine alone. The product reads through OperationDrReads (src/core/dr/operationGateway.ts).
 */
import {
  DescribeJobLogItemsCommand,
  DescribeJobsCommand,
  DescribeRecoveryInstancesCommand,
  DescribeSourceServersCommand,
  GetLaunchConfigurationCommand,
  type DrsClient,
  type Job,
  type JobLog,
  type LaunchConfiguration,
  type RecoveryInstance,
  type SourceServer,
} from '@aws-sdk/client-drs';
import {
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeDocumentCommand,
  GetAutomationExecutionCommand,
  type AutomationExecution,
  type DocumentDescription,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import {
  ApiCounters,
  checkLaunchTemplates,
  chunk,
  delay,
  isConflict,
  isDocumentMissing,
  isLaunchTemplateMissing,
  type DrReads,
  type LaunchTemplateCheck,
} from '../../src/core/dr/aws';
import { isServiceHealthFailure, isThrottling } from '../../src/core/guardrails/resilience';

/** Where the engine-only path gets SDK clients from. */
export interface DrClients {
  drs(region: string): Promise<DrsClient>;
  ec2(region: string): Promise<EC2Client>;
  ssm(region: string): Promise<SSMClient>;
  /** The caller's account, to check groups' `account`. */
  account(): Promise<string | undefined>;
}

export interface RetryOptions {
  /** Attempts on top of the SDK's own retries. Default 6. */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Also retry ConflictException (a server busy in another job). */
  retryConflicts?: boolean;
  signal?: AbortSignal;
}

/**
 * Runs one logical AWS call: counts it, and retries service-health failures (throttling, unreachable, 5xx;
 * and, when asked, conflicts) with exponential backoff and jitter after the SDK's own retries gave up.
 */
export async function counted<T>(
  counters: ApiCounters,
  operation: string,
  send: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 6;
  const base = options.baseDelayMs ?? 200;
  const max = options.maxDelayMs ?? 5000;
  counters.call(operation);
  let throttledOnce = false;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await send();
      const sdkAttempts = (result as { $metadata?: { attempts?: number } })?.$metadata?.attempts ?? 1;
      counters.attempts(operation, sdkAttempts);
      if (sdkAttempts > 1 && !throttledOnce) {
        throttledOnce = true;
        counters.throttled(operation);
      }
      return result;
    } catch (error) {
      counters.attempts(operation, (error as { $metadata?: { attempts?: number } })?.$metadata?.attempts ?? 1);
      const throttling = isThrottling(error);
      if (throttling && !throttledOnce) {
        throttledOnce = true;
        counters.throttled(operation);
      }
      const retryable = isServiceHealthFailure(error) || (options.retryConflicts === true && isConflict(error));
      if (!retryable || attempt >= attempts || options.signal?.aborted) {
        counters.failed(operation, throttling);
        throw error;
      }
      const backoff = Math.min(max, base * 2 ** (attempt - 1));
      await delay(backoff / 2 + Math.random() * (backoff / 2), options.signal);
    }
  }
}

const JOB_FILTER_CHUNK = 100;

/** DrReads straight on SDK clients, with counted calls and retries: the engine-only path of tests and the benchmark. */
export class SdkDrReads implements DrReads {
  readonly counters: ApiCounters;

  constructor(
    private readonly clients: DrClients,
    counters?: ApiCounters,
    private readonly retry: RetryOptions = {},
  ) {
    this.counters = counters ?? new ApiCounters();
  }

  account(): Promise<string | undefined> {
    return this.clients.account();
  }

  async listSourceServers(region: string, sourceServerIds?: string[]): Promise<SourceServer[]> {
    const drs = await this.clients.drs(region);
    const servers: SourceServer[] = [];
    const chunks = sourceServerIds ? chunk(sourceServerIds, 200) : [undefined];
    for (const ids of chunks) {
      let nextToken: string | undefined;
      do {
        const page = await counted(
          this.counters,
          'drs:DescribeSourceServers',
          () =>
            drs.send(
              new DescribeSourceServersCommand({
                filters: ids ? { sourceServerIDs: ids } : {},
                maxResults: 1000,
                nextToken,
              }),
            ),
          this.retry,
        );
        servers.push(...(page.items ?? []));
        nextToken = page.nextToken || undefined;
      } while (nextToken);
    }
    return servers;
  }

  async describeJobs(region: string, filter: { jobIds?: string[]; fromDate?: string }): Promise<Job[]> {
    const drs = await this.clients.drs(region);
    const jobs: Job[] = [];
    const chunks = filter.jobIds ? chunk(filter.jobIds, JOB_FILTER_CHUNK) : [undefined];
    for (const ids of chunks) {
      let nextToken: string | undefined;
      do {
        const page = await counted(
          this.counters,
          'drs:DescribeJobs',
          () =>
            drs.send(
              new DescribeJobsCommand({
                filters: { ...(ids ? { jobIDs: ids } : {}), ...(filter.fromDate ? { fromDate: filter.fromDate } : {}) },
                maxResults: 1000,
                nextToken,
              }),
            ),
          this.retry,
        );
        jobs.push(...(page.items ?? []));
        nextToken = page.nextToken || undefined;
      } while (nextToken);
    }
    return jobs;
  }

  async describeJobLogItems(region: string, jobId: string): Promise<JobLog[]> {
    const drs = await this.clients.drs(region);
    const items: JobLog[] = [];
    let nextToken: string | undefined;
    do {
      const page = await counted(
        this.counters,
        'drs:DescribeJobLogItems',
        () => drs.send(new DescribeJobLogItemsCommand({ jobID: jobId, maxResults: 1000, nextToken })),
        this.retry,
      );
      items.push(...(page.items ?? []));
      nextToken = page.nextToken || undefined;
    } while (nextToken);
    return items;
  }

  async describeRecoveryInstances(
    region: string,
    filter: { recoveryInstanceIds?: string[]; sourceServerIds?: string[] },
  ): Promise<RecoveryInstance[]> {
    const drs = await this.clients.drs(region);
    const items: RecoveryInstance[] = [];
    let nextToken: string | undefined;
    do {
      const page = await counted(
        this.counters,
        'drs:DescribeRecoveryInstances',
        () =>
          drs.send(
            new DescribeRecoveryInstancesCommand({
              filters: { recoveryInstanceIDs: filter.recoveryInstanceIds, sourceServerIDs: filter.sourceServerIds },
              maxResults: 1000,
              nextToken,
            }),
          ),
        this.retry,
      );
      items.push(...(page.items ?? []));
      nextToken = page.nextToken || undefined;
    } while (nextToken);
    return items;
  }

  async getLaunchConfiguration(region: string, sourceServerId: string): Promise<LaunchConfiguration> {
    const drs = await this.clients.drs(region);
    return counted(
      this.counters,
      'drs:GetLaunchConfiguration',
      () => drs.send(new GetLaunchConfigurationCommand({ sourceServerID: sourceServerId })),
      this.retry,
    );
  }

  async checkLaunchTemplates(region: string, launchTemplateIds: string[]): Promise<LaunchTemplateCheck[]> {
    const ec2 = await this.clients.ec2(region);
    return checkLaunchTemplates(region, launchTemplateIds, {
      template: async (id) => {
        try {
          return (
            await counted(
              this.counters,
              'ec2:DescribeLaunchTemplates',
              () => ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [id] })),
              this.retry,
            )
          ).LaunchTemplates?.[0];
        } catch (error) {
          if (isLaunchTemplateMissing(error)) return undefined;
          throw error;
        }
      },
      defaultVersion: async (id) =>
        (
          await counted(
            this.counters,
            'ec2:DescribeLaunchTemplateVersions',
            () => ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ['$Default'] })),
            this.retry,
          )
        ).LaunchTemplateVersions?.[0]?.LaunchTemplateData,
      existingSubnets: async (ids) => {
        const existing = new Set<string>();
        for (const part of chunk(ids, 200)) {
          const page = await counted(
            this.counters,
            'ec2:DescribeSubnets',
            () => ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: part }] })),
            this.retry,
          );
          for (const subnet of page.Subnets ?? []) if (subnet.SubnetId) existing.add(subnet.SubnetId);
        }
        return existing;
      },
      existingSecurityGroups: async (ids) => {
        const existing = new Set<string>();
        for (const part of chunk(ids, 200)) {
          const page = await counted(
            this.counters,
            'ec2:DescribeSecurityGroups',
            () => ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: part }] })),
            this.retry,
          );
          for (const group of page.SecurityGroups ?? []) if (group.GroupId) existing.add(group.GroupId);
        }
        return existing;
      },
    });
  }

  async getAutomationExecution(region: string, executionId: string): Promise<AutomationExecution> {
    const ssm = await this.clients.ssm(region);
    const response = await counted(
      this.counters,
      'ssm:GetAutomationExecution',
      () => ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: executionId })),
      this.retry,
    );
    if (!response.AutomationExecution)
      throw new Error(`GetAutomationExecution returned no execution for ${executionId}`);
    return response.AutomationExecution;
  }

  async describeDocument(region: string, name: string, version?: string): Promise<DocumentDescription | undefined> {
    const ssm = await this.clients.ssm(region);
    try {
      const response = await counted(
        this.counters,
        'ssm:DescribeDocument',
        () =>
          ssm.send(
            new DescribeDocumentCommand({
              Name: name,
              DocumentVersion: version && /^[0-9]+$/.test(version) ? version : undefined,
            }),
          ),
        this.retry,
      );
      return response.Document;
    } catch (error) {
      if (isDocumentMissing(error)) return undefined;
      throw error;
    }
  }
}
