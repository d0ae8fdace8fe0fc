/** The emulator's in-memory DRS account, one independent state per region. */
import { setMaxListeners } from 'node:events';
import type { SourceServerSeed } from './adminTypes';
import { drsArn, newHardwareId, newMacAddress, newSourceServerId, SOURCE_SERVER_ID_PATTERN } from './ids';
import { REPLICATION_STATES, type JobRecord, type RecoveryInstanceRecord, type SourceServerRecord } from './model';

const GIB = 1024 ** 3;

export class RegionState {
  readonly sourceServers = new Map<string, SourceServerRecord>();
  readonly jobs = new Map<string, JobRecord>();
  readonly recoveryInstances = new Map<string, RecoveryInstanceRecord>();
  /** Aborted on reset so running jobs stop touching state they no longer own. */
  readonly lifetime = new AbortController();

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {
    // Every waiting job phase listens for the abort; hundreds may wait at once.
    setMaxListeners(0, this.lifetime.signal);
  }

  activeJobs(): JobRecord[] {
    return [...this.jobs.values()].filter((job) => job.status !== 'COMPLETED');
  }

  /** The unfinished job, if any, that holds this source server. */
  activeJobFor(sourceServerID: string): JobRecord | undefined {
    return this.activeJobs().find((job) => job.participatingServers.some((p) => p.sourceServerID === sourceServerID));
  }

  addSourceServer(seed: SourceServerSeed, now: Date): SourceServerRecord {
    const id = seed.sourceServerID ?? newSourceServerId();
    if (!SOURCE_SERVER_ID_PATTERN.test(id)) throw new Error(`invalid sourceServerID '${id}'`);
    if (this.sourceServers.has(id)) throw new Error(`source server ${id} already exists`);
    if (!seed.hostname) throw new Error('hostname is required');
    const addedAt = seed.addedAt ? new Date(seed.addedAt) : new Date(now.getTime() - 86_400_000);
    if (Number.isNaN(addedAt.getTime())) throw new Error(`invalid addedAt '${seed.addedAt}'`);
    const state = seed.replicationState ?? 'CONTINUOUS';
    if (!REPLICATION_STATES.includes(state))
      throw new Error(`replicationState must be one of ${REPLICATION_STATES.join(', ')}`);
    const lc = seed.launchConfiguration ?? {};
    const record: SourceServerRecord = {
      sourceServerID: id,
      arn: drsArn(this.region, this.accountId, 'source-server', id),
      hostname: seed.hostname,
      fqdn: seed.fqdn ?? seed.hostname,
      tags: { ...(seed.tags ?? {}) },
      hardwareId: seed.hardwareId ?? seed.awsInstanceID ?? newHardwareId(),
      stagingAccountID: seed.stagingAccountID,
      addedAt,
      replication: {
        state,
        since: now,
        error: seed.replicationError ?? defaultReplicationError(state),
      },
      recommendedInstanceType: seed.recommendedInstanceType ?? 't3.medium',
      os: seed.os ?? 'Linux version 5.10.205-195.804.amzn2.x86_64',
      cpus: [{ cores: seed.cpuCores ?? 2, modelName: 'Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz' }],
      ramBytes: seed.ramBytes ?? 4 * GIB,
      disks: (seed.disks ?? [{ deviceName: '/dev/xvda', bytes: 20 * GIB }]).map((d) => ({ ...d })),
      networkInterfaces: [{ macAddress: newMacAddress(), ips: [...(seed.privateIps ?? [])], isPrimary: true }],
      awsInstanceID: seed.awsInstanceID,
      origin:
        seed.awsInstanceID || seed.originAvailabilityZone
          ? {
              accountID: seed.originAccountID ?? this.accountId,
              region: seed.originRegion ?? this.region,
              availabilityZone: seed.originAvailabilityZone ?? `${this.region}a`,
            }
          : undefined,
      launchSettings: {
        name: lc.name ?? seed.hostname,
        ec2LaunchTemplateID: seed.ec2LaunchTemplateID,
        launchDisposition: lc.launchDisposition ?? 'STARTED',
        targetInstanceTypeRightSizingMethod: lc.targetInstanceTypeRightSizingMethod ?? 'NONE',
        copyPrivateIp: lc.copyPrivateIp ?? false,
        copyTags: lc.copyTags ?? true,
        licensing: { osByol: lc.osByol ?? true },
        postLaunchEnabled: lc.postLaunchEnabled ?? false,
      },
      lastLaunchResult: 'NOT_STARTED',
      agentVersion: '4.7.1152.0',
    };
    this.sourceServers.set(id, record);
    return record;
  }
}

function defaultReplicationError(state: string): SourceServerRecord['replication']['error'] {
  if (state === 'STALLED') {
    return {
      error: 'UNSTABLE_NETWORK',
      rawError: 'Replication stalled: the network connection to the replication server is unstable',
    };
  }
  return undefined;
}

export class DrsStore {
  private readonly regions = new Map<string, RegionState>();

  constructor(readonly accountId: string) {}

  region(name: string): RegionState {
    let state = this.regions.get(name);
    if (!state) {
      state = new RegionState(name, this.accountId);
      this.regions.set(name, state);
    }
    return state;
  }

  allRegions(): RegionState[] {
    return [...this.regions.values()];
  }

  /** Finds a source server in whichever region holds it (IDs are unique across regions). */
  findSourceServer(sourceServerID: string): { region: RegionState; server: SourceServerRecord } | undefined {
    for (const region of this.regions.values()) {
      const server = region.sourceServers.get(sourceServerID);
      if (server) return { region, server };
    }
    return undefined;
  }

  /** Drops every region's state and stops their running jobs. */
  reset(): void {
    for (const region of this.regions.values()) region.lifetime.abort();
    this.regions.clear();
  }
}
