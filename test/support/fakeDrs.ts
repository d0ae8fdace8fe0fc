/** An in-memory DRS + SSM for fast runner unit tests: jobs progress with wall time. */
import type { Job, JobLog, LaunchConfiguration, RecoveryInstance, SourceServer } from '@aws-sdk/client-drs';
import type { AutomationExecution, DocumentDescription } from '@aws-sdk/client-ssm';
import { ApiCounters, type DrReads, type LaunchTemplateCheck } from '../../src/core/dr/aws';
import type { DrActionGateway, StartRecoveryRequest } from '../../src/core/dr/gateway';
import type { PreflightLaunchServer, RecoveryFinding } from '../../src/core/launchTemplates/recoveryValidation';

interface FakeJob {
  jobID: string;
  createdAt: number;
  servers: string[];
  tags: Record<string, string>;
  type: 'LAUNCH' | 'TERMINATE';
}

export interface FakeDrsOptions {
  /** ms until a job is STARTED, its servers LAUNCHED, and it is COMPLETED. */
  startMs?: number;
  launchMs?: number;
  completeMs?: number;
  failing?: Set<string>;
}

export class FakeDrs implements DrReads, DrActionGateway {
  readonly counters = new ApiCounters();
  readonly servers: SourceServer[] = [];
  readonly jobs: FakeJob[] = [];
  readonly startCalls: { at: number; servers: string[] }[] = [];
  maxActiveJobs = 0;
  maxActiveServers = 0;
  private seq = 0;
  /** Throw this from the next StartRecovery calls. */
  startErrors: Error[] = [];

  constructor(private readonly options: FakeDrsOptions = {}) {}

  addServers(count: number, tags: Record<string, string>, prefix = 'a'): string[] {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = `s-${prefix}${String(this.servers.length).padStart(16, '0')}`.slice(0, 19);
      this.servers.push({
        sourceServerID: id,
        tags,
        dataReplicationInfo: { dataReplicationState: 'CONTINUOUS' },
        sourceProperties: { identificationHints: { hostname: `host-${this.servers.length}` } },
      });
      ids.push(id);
    }
    return ids;
  }

  private phase(job: FakeJob, now = Date.now()): { status: string; launch: string } {
    const age = now - job.createdAt;
    const { startMs = 5, launchMs = 30, completeMs = 40 } = this.options;
    if (age >= completeMs) return { status: 'COMPLETED', launch: 'LAUNCHED' };
    if (age >= launchMs) return { status: 'STARTED', launch: 'LAUNCHED' };
    if (age >= startMs) return { status: 'STARTED', launch: 'IN_PROGRESS' };
    return { status: 'PENDING', launch: 'PENDING' };
  }

  private toJob(job: FakeJob): Job {
    const { status, launch } = this.phase(job);
    return {
      jobID: job.jobID,
      type: job.type,
      status: status as Job['status'],
      creationDateTime: new Date(job.createdAt).toISOString(),
      ...(status === 'COMPLETED'
        ? { endDateTime: new Date(job.createdAt + (this.options.completeMs ?? 40)).toISOString() }
        : {}),
      tags: job.tags,
      participatingServers: job.servers.map((id) => ({
        sourceServerID: id,
        launchStatus: (launch === 'LAUNCHED' && this.options.failing?.has(id) ? 'FAILED' : launch) as never,
        ...(launch === 'LAUNCHED' && !this.options.failing?.has(id) ? { recoveryInstanceID: `i-${id.slice(2)}` } : {}),
      })),
    };
  }

  async account(): Promise<string | undefined> {
    return '123456789012';
  }
  async listSourceServers(_region: string, ids?: string[]): Promise<SourceServer[]> {
    this.counters.call('drs:DescribeSourceServers');
    return ids ? this.servers.filter((s) => ids.includes(s.sourceServerID!)) : [...this.servers];
  }
  async describeJobs(_region: string, filter: { jobIds?: string[] }): Promise<Job[]> {
    this.counters.call('drs:DescribeJobs');
    return this.jobs.filter((job) => !filter.jobIds || filter.jobIds.includes(job.jobID)).map((job) => this.toJob(job));
  }
  async describeJobLogItems(_region: string, jobId: string): Promise<JobLog[]> {
    this.counters.call('drs:DescribeJobLogItems');
    const job = this.jobs.find((j) => j.jobID === jobId)!;
    const { status } = this.phase(job);
    const items: JobLog[] = [{ event: 'JOB_START', logDateTime: new Date(job.createdAt).toISOString() }];
    if (status === 'COMPLETED') {
      for (const id of job.servers)
        items.push(
          (this.options.failing?.has(id)
            ? { event: 'LAUNCH_FAILED', eventData: { sourceServerID: id, rawError: 'injected' } }
            : { event: 'LAUNCH_END', eventData: { sourceServerID: id } }) as JobLog,
        );
      items.push({ event: 'JOB_END' });
    }
    return items;
  }
  async describeRecoveryInstances(
    _region: string,
    filter: { recoveryInstanceIds?: string[] },
  ): Promise<RecoveryInstance[]> {
    this.counters.call('drs:DescribeRecoveryInstances');
    return (filter.recoveryInstanceIds ?? []).map((id) => ({
      recoveryInstanceID: id,
      ec2InstanceID: id,
      sourceServerID: `s-${id.slice(2)}`,
      isDrill: true,
    }));
  }
  async getLaunchConfiguration(_region: string, sourceServerId: string): Promise<LaunchConfiguration> {
    this.counters.call('drs:GetLaunchConfiguration');
    return {
      sourceServerID: sourceServerId,
      ec2LaunchTemplateID: 'lt-0123456789abcdef0',
      launchDisposition: 'STARTED',
    };
  }
  async checkLaunchTemplates(_region: string, ids: string[]): Promise<LaunchTemplateCheck[]> {
    return [...new Set(ids)].map((id) => ({ launchTemplateId: id, exists: true, problems: [] }));
  }
  /** What the launch recovery rules find per server (none by default: the fake's templates are sound). */
  launchFindings: RecoveryFinding[] = [];
  readonly validatedLaunches: PreflightLaunchServer[][] = [];
  async validateLaunches(servers: PreflightLaunchServer[]): Promise<RecoveryFinding[]> {
    this.validatedLaunches.push(servers);
    const ids = new Set(servers.map((server) => server.sourceServerId));
    return this.launchFindings.filter((finding) => ids.has(finding.sourceServerId));
  }
  async getAutomationExecution(): Promise<AutomationExecution> {
    throw new Error('no SSM in the fake');
  }
  async describeDocument(): Promise<DocumentDescription | undefined> {
    return undefined;
  }

  private activeAt(now: number): FakeJob[] {
    return this.jobs.filter((job) => this.phase(job, now).status !== 'COMPLETED');
  }

  async startRecovery(request: StartRecoveryRequest): Promise<{ job: Job }> {
    this.counters.call('drs:StartRecovery');
    const error = this.startErrors.shift();
    if (error) throw error;
    const now = Date.now();
    const job: FakeJob = {
      jobID: `drsjob-${String(++this.seq).padStart(17, '0')}`,
      createdAt: now,
      servers: request.sourceServerIds,
      tags: request.tags,
      type: 'LAUNCH',
    };
    this.jobs.push(job);
    this.startCalls.push({ at: now, servers: request.sourceServerIds });
    const active = this.activeAt(now);
    this.maxActiveJobs = Math.max(this.maxActiveJobs, active.length);
    this.maxActiveServers = Math.max(
      this.maxActiveServers,
      active.reduce((sum, j) => sum + j.servers.length, 0),
    );
    return { job: this.toJob(job) };
  }
  async terminateRecoveryInstances(request: { recoveryInstanceIds: string[] }): Promise<{ job: Job }> {
    const job: FakeJob = {
      jobID: `drsjob-${String(++this.seq).padStart(17, '0')}`,
      createdAt: Date.now(),
      servers: [],
      tags: {},
      type: 'TERMINATE',
    };
    this.jobs.push(job);
    void request;
    return { job: this.toJob(job) };
  }
  async updateLaunchConfiguration(): Promise<void> {}
  async startAutomation(): Promise<{ executionId: string }> {
    throw new Error('no SSM in the fake');
  }
  async stopAutomation(): Promise<void> {}
}
