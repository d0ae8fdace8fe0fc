/**
 * The AWS reads the DR engine needs (DRS, EC2, SSM), behind one interface so the engine can be tested
 * with fakes, plus per-operation call counters. The product reads through the operation runner
 * (OperationDrReads in operationGateway.ts: registered read operations, circuit breaker, throttling
 * retries, audit when the policy audits reads). Mutating calls are not here: they go through
 * DrActionGateway (gateway.ts).
 */
import type { Job, JobLog, LaunchConfiguration, RecoveryInstance, SourceServer } from '@aws-sdk/client-drs';
import type { LaunchTemplate, ResponseLaunchTemplateData } from '@aws-sdk/client-ec2';
import type { AutomationExecution, DocumentDescription } from '@aws-sdk/client-ssm';
import { describeAwsError } from '../aws/errors';
import type { PreflightLaunchServer, RecoveryFinding } from '../launchTemplates/recoveryValidation';

/** Calls by operation: what a benchmark reads to compute API calls per server. */
export interface ApiCallStats {
  /** Logical calls made by the engine, by operation (e.g. "drs:DescribeJobs"). */
  calls: Record<string, number>;
  /** HTTP attempts including the SDK's own retries, where the path can see them (not through the operation runner). */
  attempts: Record<string, number>;
  /** Calls that hit throttling at least once (through the operation runner: only those that still failed on it). */
  throttled: Record<string, number>;
  /** Calls that still failed on throttling after every retry. */
  throttlingFailures: number;
  /** Calls that failed for any reason after retries. */
  failures: Record<string, number>;
}

export class ApiCounters {
  private readonly stats: ApiCallStats = {
    calls: {},
    attempts: {},
    throttled: {},
    throttlingFailures: 0,
    failures: {},
  };

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
    return Object.entries(this.stats.calls)
      .filter(([op]) => op.startsWith(prefix))
      .reduce((sum, [, n]) => sum + n, 0);
  }
}

export function isConflict(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConflictException';
}

/** Waits `ms`; resolves early (never rejects) when the signal aborts. */
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
  describeRecoveryInstances(
    region: string,
    filter: { recoveryInstanceIds?: string[]; sourceServerIds?: string[] },
  ): Promise<RecoveryInstance[]>;
  getLaunchConfiguration(region: string, sourceServerId: string): Promise<LaunchConfiguration>;
  checkLaunchTemplates(region: string, launchTemplateIds: string[]): Promise<LaunchTemplateCheck[]>;
  getAutomationExecution(region: string, executionId: string): Promise<AutomationExecution>;
  /** undefined when the document does not exist. */
  describeDocument(region: string, name: string, version?: string): Promise<DocumentDescription | undefined>;
  account(): Promise<string | undefined>;
  /** AWS Backup restore job state (backup.restoreJobs.describe). Absent: backupRestore actions cannot be followed. */
  describeRestoreJob?(region: string, restoreJobId: string): Promise<RestoreJobState>;
  /** The recovery point, or undefined when it does not exist (backup.recoveryPoints.describe). Absent: not checked. */
  describeRecoveryPoint?(
    region: string,
    backupVaultName: string,
    recoveryPointArn: string,
  ): Promise<{ status?: string; resourceArn?: string } | undefined>;
  /**
   * The launch recovery rules for these servers (launchTemplates/recoveryValidation), which preflight runs;
   * a rule whose facts could not be read yields a 'check-not-run' finding. Absent: preflight reports them as not run.
   */
  validateLaunches?(servers: PreflightLaunchServer[]): Promise<RecoveryFinding[]>;
}

export interface RestoreJobState {
  status: string;
  statusMessage?: string;
  createdResourceArn?: string;
  creationDate?: string;
  completionDate?: string;
}

/** What checkLaunchTemplates asks AWS, one function per read. */
export interface LaunchTemplateLookups {
  /** The template, or undefined when it does not exist. */
  template(launchTemplateId: string): Promise<LaunchTemplate | undefined>;
  /** The data of the template's default version, or undefined when there is none. */
  defaultVersion(launchTemplateId: string): Promise<ResponseLaunchTemplateData | undefined>;
  /** Which of these subnet IDs exist. */
  existingSubnets(subnetIds: string[]): Promise<Set<string>>;
  /** Which of these security group IDs exist. */
  existingSecurityGroups(groupIds: string[]): Promise<Set<string>>;
}

/** Whether an error says a launch template does not exist. */
export function isLaunchTemplateMissing(error: unknown): boolean {
  return (
    describeAwsError(error).kind === 'not-found' ||
    /NotFound|InvalidLaunchTemplate/i.test(String((error as Error)?.name))
  );
}

/** Whether an error says an SSM document (or its version) does not exist. */
export function isDocumentMissing(error: unknown): boolean {
  const name = (error as { name?: string })?.name ?? '';
  return (
    name === 'InvalidDocument' || name === 'InvalidDocumentVersion' || describeAwsError(error).kind === 'not-found'
  );
}

/** Launch templates of DRS launch configurations: do they exist, and do their subnets and security groups? */
export async function checkLaunchTemplates(
  region: string,
  launchTemplateIds: string[],
  lookups: LaunchTemplateLookups,
): Promise<LaunchTemplateCheck[]> {
  const unique = [...new Set(launchTemplateIds)];
  const found = new Map<string, LaunchTemplate>();
  // DescribeLaunchTemplates fails the whole call on one unknown ID, so ask one by one.
  await Promise.all(
    unique.map(async (id) => {
      const template = await lookups.template(id);
      if (template) found.set(id, template);
    }),
  );
  const checks: LaunchTemplateCheck[] = [];
  const subnetIds = new Set<string>();
  const groupIds = new Set<string>();
  for (const id of unique) {
    const template = found.get(id);
    if (!template) {
      checks.push({
        launchTemplateId: id,
        exists: false,
        problems: [`Launch template ${id} does not exist in ${region}.`],
      });
      continue;
    }
    const check: LaunchTemplateCheck = {
      launchTemplateId: id,
      exists: true,
      name: template.LaunchTemplateName,
      defaultVersion: template.DefaultVersionNumber,
      problems: [],
    };
    try {
      check.data = await lookups.defaultVersion(id);
      if (!check.data) check.problems.push(`Launch template ${id} has no readable default version.`);
    } catch (error) {
      check.problems.push(
        `The default version of launch template ${id} cannot be read: ${describeAwsError(error).message}`,
      );
    }
    for (const nic of check.data?.NetworkInterfaces ?? []) {
      if (nic.SubnetId) subnetIds.add(nic.SubnetId);
      for (const group of nic.Groups ?? []) groupIds.add(group);
    }
    for (const group of check.data?.SecurityGroupIds ?? []) groupIds.add(group);
    checks.push(check);
  }
  const existingSubnets = subnetIds.size ? await lookups.existingSubnets([...subnetIds]) : new Set<string>();
  const existingGroups = groupIds.size ? await lookups.existingSecurityGroups([...groupIds]) : new Set<string>();
  const missingSubnets = new Set([...subnetIds].filter((id) => !existingSubnets.has(id)));
  const missingGroups = new Set([...groupIds].filter((id) => !existingGroups.has(id)));
  for (const check of checks) {
    for (const nic of check.data?.NetworkInterfaces ?? []) {
      if (nic.SubnetId && missingSubnets.has(nic.SubnetId))
        check.problems.push(
          `Launch template ${check.launchTemplateId} uses subnet ${nic.SubnetId}, which does not exist.`,
        );
      for (const group of nic.Groups ?? [])
        if (missingGroups.has(group))
          check.problems.push(
            `Launch template ${check.launchTemplateId} uses security group ${group}, which does not exist.`,
          );
    }
    for (const group of check.data?.SecurityGroupIds ?? [])
      if (missingGroups.has(group))
        check.problems.push(
          `Launch template ${check.launchTemplateId} uses security group ${group}, which does not exist.`,
        );
  }
  return checks;
}

export function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
