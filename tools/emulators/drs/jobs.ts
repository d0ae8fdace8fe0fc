/** Runs DRS jobs over the emulator clock: each phase is a timer, so state changes as time passes. */
import type { JobLogEvent, JobLogEventData } from '@aws-sdk/client-drs';
import { AbortedError, type EmulatorClock } from './clock';
import { describeEc2Error, type Ec2Launcher, type LaunchedInstance } from './ec2Launcher';
import type { FaultRegistry } from './faults';
import { drsArn, newConversionServerId, newJobId } from './ids';
import {
  NOT_YET_REPLICATED_STATES,
  type JobRecord,
  type ParticipatingServerRecord,
  type RecoveryInstanceRecord,
  type SourceServerRecord,
} from './model';
import type { RegionState } from './state';

export interface JobRunnerDeps {
  clock: EmulatorClock;
  launcher: Ec2Launcher;
  faults: FaultRegistry;
  /** Reports unexpected internal errors (never the job failures DRS itself reports). */
  onError?: (error: unknown) => void;
}

export class JobRunner {
  constructor(private readonly deps: JobRunnerDeps) {}

  /** Creates a LAUNCH job in PENDING state and lets it run in the background. */
  startLaunchJob(
    region: RegionState,
    servers: SourceServerRecord[],
    isDrill: boolean,
    tags: Record<string, string>,
  ): JobRecord {
    const now = this.deps.clock.now();
    const job = this.newJob(region, {
      type: 'LAUNCH',
      initiatedBy: isDrill ? 'START_DRILL' : 'START_RECOVERY',
      isDrill,
      tags,
      participants: servers.map((s) => ({ sourceServerID: s.sourceServerID, launchStatus: 'PENDING' })),
    });
    for (const server of servers) {
      server.lastLaunch = {
        jobID: job.jobID,
        type: isDrill ? 'DRILL' : 'RECOVERY',
        apiCallDateTime: now,
        status: 'PENDING',
      };
      server.lastLaunchResult = 'PENDING';
    }
    this.runInBackground(region, () => this.runLaunch(region, job, servers));
    return job;
  }

  /** Creates a TERMINATE job for these recovery instances and lets it run in the background. */
  startTerminateJob(region: RegionState, instances: RecoveryInstanceRecord[]): JobRecord {
    const job = this.newJob(region, {
      type: 'TERMINATE',
      initiatedBy: 'TERMINATE_RECOVERY_INSTANCES',
      isDrill: false,
      tags: {},
      participants: instances.map((ri) => ({
        sourceServerID: ri.sourceServerID,
        recoveryInstanceID: ri.recoveryInstanceID,
        launchStatus: 'PENDING',
      })),
    });
    this.runInBackground(region, () => this.runTerminate(region, job, instances));
    return job;
  }

  private newJob(
    region: RegionState,
    spec: Pick<JobRecord, 'type' | 'initiatedBy' | 'isDrill' | 'tags'> & { participants: ParticipatingServerRecord[] },
  ): JobRecord {
    const jobID = newJobId();
    const job: JobRecord = {
      jobID,
      arn: drsArn(region.region, region.accountId, 'job', jobID),
      type: spec.type,
      initiatedBy: spec.initiatedBy,
      isDrill: spec.isDrill,
      createdAt: this.deps.clock.now(),
      status: 'PENDING',
      participatingServers: spec.participants,
      tags: { ...spec.tags },
      log: [],
    };
    region.jobs.set(jobID, job);
    return job;
  }

  private runInBackground(region: RegionState, run: () => Promise<void>): void {
    run().catch((error: unknown) => {
      if (error instanceof AbortedError || region.lifetime.signal.aborted) return;
      this.deps.onError?.(error);
    });
  }

  private log(job: JobRecord, event: JobLogEvent, data?: JobLogEventData): void {
    job.log.push({ at: this.deps.clock.now(), event, data });
  }

  private startJob(job: JobRecord): void {
    job.status = 'STARTED';
    this.log(job, 'JOB_START');
    for (const p of job.participatingServers) p.launchStatus = 'IN_PROGRESS';
  }

  private finishJob(job: JobRecord): void {
    this.log(job, 'JOB_END');
    job.status = 'COMPLETED';
    job.endedAt = this.deps.clock.now();
  }

  private async runLaunch(region: RegionState, job: JobRecord, servers: SourceServerRecord[]): Promise<void> {
    const { clock } = this.deps;
    const signal = region.lifetime.signal;
    await clock.waitPhase('pending', signal);
    this.startJob(job);
    for (const server of servers) if (server.lastLaunch?.jobID === job.jobID) server.lastLaunch.status = 'IN_PROGRESS';
    await Promise.all(servers.map((server) => this.launchServer(region, job, server)));
    await clock.waitPhase('finalize', signal);
    this.finishJob(job);
  }

  private async launchServer(region: RegionState, job: JobRecord, server: SourceServerRecord): Promise<void> {
    const { clock, faults, launcher } = this.deps;
    const signal = region.lifetime.signal;
    const participant = job.participatingServers.find((p) => p.sourceServerID === server.sourceServerID)!;
    const sourceServerID = server.sourceServerID;
    const fail = (event: JobLogEvent, rawError: string): void => {
      this.log(job, event, { sourceServerID, rawError });
      participant.launchStatus = 'FAILED';
      this.setLaunchOutcome(server, job, 'FAILED');
    };

    this.log(job, 'SNAPSHOT_START', { sourceServerID });
    await clock.waitPhase('snapshot', signal);
    if (NOT_YET_REPLICATED_STATES.has(server.replication.state)) {
      fail(
        'SNAPSHOT_FAIL',
        `No recovery snapshot is available: source server ${sourceServerID} has not completed its initial sync`,
      );
      return;
    }
    const snapshotAt = clock.now();
    this.log(job, 'SNAPSHOT_END', { sourceServerID });

    const conversionServerID = newConversionServerId();
    this.log(job, 'CONVERSION_START', { sourceServerID, conversionServerID });
    await clock.waitPhase('conversion', signal);
    this.log(job, 'CONVERSION_END', {
      sourceServerID,
      conversionServerID,
      conversionProperties: {
        rootVolumeName: server.disks[0]?.deviceName ?? '/dev/xvda',
        forceUefi: false,
        dataTimestamp: snapshotAt.toISOString(),
        volumeToVolumeSize: Object.fromEntries(server.disks.map((d) => [d.deviceName ?? '', d.bytes ?? 0])),
      },
    });

    this.log(job, 'LAUNCH_START', { sourceServerID });
    const injectedFailure = faults.takeLaunchFailure(sourceServerID);
    const launching: Promise<LaunchedInstance> = injectedFailure
      ? Promise.reject(new Error(injectedFailure))
      : launcher.launch({
          region: region.region,
          accountId: region.accountId,
          server,
          jobID: job.jobID,
          isDrill: job.isDrill,
          jobTags: job.tags,
        });
    const [launched] = await Promise.allSettled([launching, clock.waitPhase('launch', signal)]);
    if (signal.aborted) {
      // The state this job belonged to is gone; do not leave an orphan instance behind.
      if (launched.status === 'fulfilled')
        await launcher.terminate(region.region, [launched.value.instanceId], region.accountId).catch(() => undefined);
      throw new AbortedError();
    }
    if (launched.status === 'rejected') {
      fail('LAUNCH_FAILED', launched.reason instanceof Error ? launched.reason.message : String(launched.reason));
      return;
    }

    const instance = launched.value;
    await this.replacePreviousRecoveryInstance(region, server);
    const recoveryInstance: RecoveryInstanceRecord = {
      recoveryInstanceID: instance.instanceId,
      ec2InstanceID: instance.instanceId,
      arn: drsArn(region.region, region.accountId, 'recovery-instance', instance.instanceId),
      jobID: job.jobID,
      sourceServerID,
      isDrill: job.isDrill,
      tags: { ...job.tags },
      launchedAt: clock.now(),
      pointInTimeSnapshotDateTime: snapshotAt,
      originAvailabilityZone: server.origin?.availabilityZone,
      originEnvironment: server.awsInstanceID ? 'AWS' : 'ON_PREMISES',
      hostname: server.hostname,
      privateIp: instance.privateIp,
      cpus: server.cpus,
      ramBytes: server.ramBytes,
      os: server.os,
      disks: server.disks,
    };
    region.recoveryInstances.set(recoveryInstance.recoveryInstanceID, recoveryInstance);
    server.recoveryInstanceID = recoveryInstance.recoveryInstanceID;
    participant.recoveryInstanceID = recoveryInstance.recoveryInstanceID;
    participant.launchStatus = 'LAUNCHED';
    // DRS has no LAUNCH_END event: success shows as launchStatus LAUNCHED with the recovery instance ID.
    this.setLaunchOutcome(server, job, 'LAUNCHED');
  }

  /** A new launch replaces the server's earlier recovery instance, as DRS does. */
  private async replacePreviousRecoveryInstance(region: RegionState, server: SourceServerRecord): Promise<void> {
    const previousId = server.recoveryInstanceID;
    const previous = previousId ? region.recoveryInstances.get(previousId) : undefined;
    if (!previous) return;
    region.recoveryInstances.delete(previous.recoveryInstanceID);
    server.recoveryInstanceID = undefined;
    await this.deps.launcher
      .terminate(region.region, [previous.ec2InstanceID], region.accountId)
      .catch((error: unknown) => this.deps.onError?.(error));
  }

  private setLaunchOutcome(server: SourceServerRecord, job: JobRecord, status: 'LAUNCHED' | 'FAILED'): void {
    if (server.lastLaunch?.jobID !== job.jobID) return;
    server.lastLaunch.status = status;
    server.lastLaunchResult = status === 'LAUNCHED' ? 'SUCCEEDED' : 'FAILED';
  }

  private async runTerminate(region: RegionState, job: JobRecord, instances: RecoveryInstanceRecord[]): Promise<void> {
    const { clock } = this.deps;
    const signal = region.lifetime.signal;
    await clock.waitPhase('pending', signal);
    this.startJob(job);
    await Promise.all(instances.map((instance) => this.terminateInstance(region, job, instance)));
    await clock.waitPhase('finalize', signal);
    this.finishJob(job);
  }

  private async terminateInstance(
    region: RegionState,
    job: JobRecord,
    instance: RecoveryInstanceRecord,
  ): Promise<void> {
    const { clock, launcher } = this.deps;
    const signal = region.lifetime.signal;
    const participant = job.participatingServers.find((p) => p.recoveryInstanceID === instance.recoveryInstanceID)!;
    const eventData = { sourceServerID: instance.sourceServerID, targetInstanceID: instance.ec2InstanceID };
    this.log(job, 'CLEANUP_START', eventData);
    const [terminated] = await Promise.allSettled([
      launcher.terminate(region.region, [instance.ec2InstanceID], region.accountId),
      clock.waitPhase('cleanup', signal),
    ]);
    if (signal.aborted) throw new AbortedError();
    if (terminated.status === 'rejected') {
      const rawError =
        terminated.reason instanceof Error
          ? terminated.reason.message
          : describeEc2Error('TerminateInstances', terminated.reason);
      this.log(job, 'CLEANUP_FAIL', { ...eventData, rawError });
      participant.launchStatus = 'FAILED';
      return;
    }
    region.recoveryInstances.delete(instance.recoveryInstanceID);
    const server = region.sourceServers.get(instance.sourceServerID);
    if (server?.recoveryInstanceID === instance.recoveryInstanceID) {
      server.recoveryInstanceID = undefined;
      if (server.lastLaunch?.jobID === instance.jobID) server.lastLaunch.status = 'TERMINATED';
    }
    participant.launchStatus = 'TERMINATED';
    this.log(job, 'CLEANUP_END', eventData);
  }
}
