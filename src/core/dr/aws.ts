/**
 * The AWS reads the DR engine needs (DRS, EC2, SSM), behind one interface so the engine can be tested
 * with fakes, plus per-operation call counters and a throttling-aware retry on top of the SDK's own.
 * Mutating calls are not here: they go through DrActionGateway (gateway.ts).
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
  type LaunchTemplate,
  type ResponseLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import { DescribeDocumentCommand, GetAutomationExecutionCommand, type AutomationExecution, type DocumentDescription, type SSMClient } from '@aws-sdk/client-ssm';
import type { AwsConnection } from '../aws/connection';
import { describeAwsError } from '../aws/errors';
import { drsService, ec2Service, ssmService } from '../aws/services';

/** SSM client definition for the DR engine (services.ts has no SSM entry yet). */

/** Where the engine gets SDK clients from: an AwsConnection in the extension, anything in tests. */
export interface DrClients {
  drs(region: string): Promise<DrsClient>;
  ec2(region: string): Promise<EC2Client>;
  ssm(region: string): Promise<SSMClient>;
  /** The caller's account, to check groups' `account`. */
  account(): Promise<string | undefined>;
}

export function clientsFromConnection(connection: AwsConnection): DrClients {
  return {
    drs: (region) => connection.client(drsService, region),
    ec2: (region) => connection.client(ec2Service, region),
    ssm: (region) => connection.client(ssmService, region),
    account: async () => (await connection.identity()).account,
  };
}

/** Calls by operation: what a benchmark reads to compute API calls per server. */
export interface ApiCallStats {
  /** Logical calls made by the engine, by operation (e.g. "drs:DescribeJobs"). */
  calls: Record<string, number>;
  /** HTTP attempts including the SDK's own retries. */
  attempts: Record<string, number>;
  /** Calls that hit throttling at least once. */
  throttled: Record<string, number>;
  /** Calls that still failed on throttling after every retry. */
  throttlingFailures: number;
  /** Calls that failed for any reason after retries. */
  failures: Record<string, number>;
}

export class ApiCounters {
  private readonly stats: ApiCallStats = { calls: {}, attempts: {}, throttled: {}, throttlingFailures: 0, failures: {} };

  private bump(map: Record<string, number>, key: string, by = 1): void {
    map[key] = (map[key] ?? 0) + by;
  }

  call(operation: string): void {
    this.bump(this.stats.calls, operation);
  }

  attempts(operation: string, count: number): void {
    this.bump(this.stats.attempts, operation, count);
  }

  throttled(operation: string): void {
    this.bump(this.stats.throttled, operation);
  }

  failed(operation: string, throttling: boolean): void {
    this.bump(this.stats.failures, operation);
    if (throttling) this.stats.throttlingFailures += 1;
  }

  snapshot(): ApiCallStats {
    return structuredClone(this.stats);
  }

  total(prefix = ''): number {
    return Object.entries(this.stats.calls).filter(([op]) => op.startsWith(prefix)).reduce((sum, [, n]) => sum + n, 0);
  }
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

export function isThrottling(error: unknown): boolean {
  return describeAwsError(error).kind === 'throttled';
}

export function isConflict(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConflictException';
}

function isTransient(error: unknown): boolean {
  const kind = describeAwsError(error).kind;
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode ?? 0;
  return kind === 'throttled' || kind === 'endpoint-unreachable' || status >= 500;
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs one logical AWS call: counts it, and retries throttling (and, when asked, conflicts) with
 * exponential backoff and jitter after the SDK's own retries gave up.
 */
export async function counted<T>(counters: ApiCounters, operation: string, send: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
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
      const retryable = isTransient(error) || (options.retryConflicts === true && isConflict(error));
      if (!retryable || attempt >= attempts || options.signal?.aborted) {
        counters.failed(operation, throttling);
        throw error;
      }
      const backoff = Math.min(max, base * 2 ** (attempt - 1));
      await delay(backoff / 2 + Math.random() * (backoff / 2), options.signal);
    }
  }
}

export interface LaunchTemplateCheck {
  launchTemplateId: string;
  exists: boolean;
  name?: string;
  defaultVersion?: number;
  data?: ResponseLaunchTemplateData;
  problems: string[];
}

/** The reads the engine uses. */
export interface DrReads {
  readonly counters: ApiCounters;
  listSourceServers(region: string, sourceServerIds?: string[]): Promise<SourceServer[]>;
  describeJobs(region: string, filter: { jobIds?: string[]; fromDate?: string }): Promise<Job[]>;
  describeJobLogItems(region: string, jobId: string): Promise<JobLog[]>;
  describeRecoveryInstances(region: string, filter: { recoveryInstanceIds?: string[]; sourceServerIds?: string[] }): Promise<RecoveryInstance[]>;
  getLaunchConfiguration(region: string, sourceServerId: string): Promise<LaunchConfiguration>;
  checkLaunchTemplates(region: string, launchTemplateIds: string[]): Promise<LaunchTemplateCheck[]>;
  getAutomationExecution(region: string, executionId: string): Promise<AutomationExecution>;
  /** undefined when the document does not exist. */
  describeDocument(region: string, name: string, version?: string): Promise<DocumentDescription | undefined>;
  account(): Promise<string | undefined>;
}

const JOB_FILTER_CHUNK = 100;

export class SdkDrReads implements DrReads {
  readonly counters: ApiCounters;

  constructor(private readonly clients: DrClients, counters?: ApiCounters, private readonly retry: RetryOptions = {}) {
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
        const page = await counted(this.counters, 'drs:DescribeSourceServers', () => drs.send(new DescribeSourceServersCommand({ filters: ids ? { sourceServerIDs: ids } : {}, maxResults: 1000, nextToken })), this.retry);
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
        const page = await counted(this.counters, 'drs:DescribeJobs', () => drs.send(new DescribeJobsCommand({ filters: { ...(ids ? { jobIDs: ids } : {}), ...(filter.fromDate ? { fromDate: filter.fromDate } : {}) }, maxResults: 1000, nextToken })), this.retry);
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
      const page = await counted(this.counters, 'drs:DescribeJobLogItems', () => drs.send(new DescribeJobLogItemsCommand({ jobID: jobId, maxResults: 1000, nextToken })), this.retry);
      items.push(...(page.items ?? []));
      nextToken = page.nextToken || undefined;
    } while (nextToken);
    return items;
  }

  async describeRecoveryInstances(region: string, filter: { recoveryInstanceIds?: string[]; sourceServerIds?: string[] }): Promise<RecoveryInstance[]> {
    const drs = await this.clients.drs(region);
    const items: RecoveryInstance[] = [];
    let nextToken: string | undefined;
    do {
      const page = await counted(this.counters, 'drs:DescribeRecoveryInstances', () => drs.send(new DescribeRecoveryInstancesCommand({ filters: { recoveryInstanceIDs: filter.recoveryInstanceIds, sourceServerIDs: filter.sourceServerIds }, maxResults: 1000, nextToken })), this.retry);
      items.push(...(page.items ?? []));
      nextToken = page.nextToken || undefined;
    } while (nextToken);
    return items;
  }

  async getLaunchConfiguration(region: string, sourceServerId: string): Promise<LaunchConfiguration> {
    const drs = await this.clients.drs(region);
    return counted(this.counters, 'drs:GetLaunchConfiguration', () => drs.send(new GetLaunchConfigurationCommand({ sourceServerID: sourceServerId })), this.retry);
  }

  async checkLaunchTemplates(region: string, launchTemplateIds: string[]): Promise<LaunchTemplateCheck[]> {
    const ec2 = await this.clients.ec2(region);
    const unique = [...new Set(launchTemplateIds)];
    const found = new Map<string, LaunchTemplate>();
    // DescribeLaunchTemplates fails the whole call on one unknown ID, so ask one by one.
    await Promise.all(
      unique.map(async (id) => {
        try {
          const page = await counted(this.counters, 'ec2:DescribeLaunchTemplates', () => ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [id] })), this.retry);
          const template = page.LaunchTemplates?.[0];
          if (template) found.set(id, template);
        } catch (error) {
          if (describeAwsError(error).kind !== 'not-found' && !/NotFound|InvalidLaunchTemplate/i.test(String((error as Error).name))) throw error;
        }
      }),
    );
    const checks: LaunchTemplateCheck[] = [];
    const subnetIds = new Set<string>();
    const groupIds = new Set<string>();
    for (const id of unique) {
      const template = found.get(id);
      if (!template) {
        checks.push({ launchTemplateId: id, exists: false, problems: [`Launch template ${id} does not exist in ${region}.`] });
        continue;
      }
      const check: LaunchTemplateCheck = { launchTemplateId: id, exists: true, name: template.LaunchTemplateName, defaultVersion: template.DefaultVersionNumber, problems: [] };
      try {
        const versions = await counted(this.counters, 'ec2:DescribeLaunchTemplateVersions', () => ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ['$Default'] })), this.retry);
        check.data = versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
        if (!check.data) check.problems.push(`Launch template ${id} has no readable default version.`);
      } catch (error) {
        check.problems.push(`The default version of launch template ${id} cannot be read: ${describeAwsError(error).message}`);
      }
      for (const nic of check.data?.NetworkInterfaces ?? []) {
        if (nic.SubnetId) subnetIds.add(nic.SubnetId);
        for (const group of nic.Groups ?? []) groupIds.add(group);
      }
      for (const group of check.data?.SecurityGroupIds ?? []) groupIds.add(group);
      checks.push(check);
    }
    const missingSubnets = await this.missing(ec2, 'subnet', [...subnetIds]);
    const missingGroups = await this.missing(ec2, 'security-group', [...groupIds]);
    for (const check of checks) {
      for (const nic of check.data?.NetworkInterfaces ?? []) {
        if (nic.SubnetId && missingSubnets.has(nic.SubnetId)) check.problems.push(`Launch template ${check.launchTemplateId} uses subnet ${nic.SubnetId}, which does not exist.`);
        for (const group of nic.Groups ?? []) if (missingGroups.has(group)) check.problems.push(`Launch template ${check.launchTemplateId} uses security group ${group}, which does not exist.`);
      }
      for (const group of check.data?.SecurityGroupIds ?? []) if (missingGroups.has(group)) check.problems.push(`Launch template ${check.launchTemplateId} uses security group ${group}, which does not exist.`);
    }
    return checks;
  }

  /** Which of these subnet or security-group IDs do not exist. */
  private async missing(ec2: EC2Client, kind: 'subnet' | 'security-group', ids: string[]): Promise<Set<string>> {
    const existing = new Set<string>();
    for (const part of chunk(ids, 200)) {
      if (kind === 'subnet') {
        const page = await counted(this.counters, 'ec2:DescribeSubnets', () => ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: part }] })), this.retry);
        for (const subnet of page.Subnets ?? []) if (subnet.SubnetId) existing.add(subnet.SubnetId);
      } else {
        const page = await counted(this.counters, 'ec2:DescribeSecurityGroups', () => ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: part }] })), this.retry);
        for (const group of page.SecurityGroups ?? []) if (group.GroupId) existing.add(group.GroupId);
      }
    }
    return new Set(ids.filter((id) => !existing.has(id)));
  }

  async getAutomationExecution(region: string, executionId: string): Promise<AutomationExecution> {
    const ssm = await this.clients.ssm(region);
    const response = await counted(this.counters, 'ssm:GetAutomationExecution', () => ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: executionId })), this.retry);
    if (!response.AutomationExecution) throw new Error(`GetAutomationExecution returned no execution for ${executionId}`);
    return response.AutomationExecution;
  }

  async describeDocument(region: string, name: string, version?: string): Promise<DocumentDescription | undefined> {
    const ssm = await this.clients.ssm(region);
    try {
      const response = await counted(this.counters, 'ssm:DescribeDocument', () => ssm.send(new DescribeDocumentCommand({ Name: name, DocumentVersion: version && /^[0-9]+$/.test(version) ? version : undefined })), this.retry);
      return response.Document;
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      if (name === 'InvalidDocument' || name === 'InvalidDocumentVersion' || describeAwsError(error).kind === 'not-found') return undefined;
      throw error;
    }
  }
}

export function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
