/** In-memory records of the DRS emulator, and how they look on the wire. */
import type {
  CPU,
  DataReplicationErrorString,
  DataReplicationInfo,
  DataReplicationState,
  Disk,
  InitiatedBy,
  Job,
  JobLog,
  JobLogEvent,
  JobLogEventData,
  JobStatus,
  JobType,
  LastLaunchResult,
  LaunchConfiguration,
  LaunchDisposition,
  LaunchStatus,
  NetworkInterface,
  RecoveryInstance,
  SourceServer,
  TargetInstanceTypeRightSizingMethod,
  EC2InstanceState,
} from '@aws-sdk/client-drs';

export interface LaunchSettings {
  name: string;
  ec2LaunchTemplateID?: string;
  launchDisposition: LaunchDisposition;
  targetInstanceTypeRightSizingMethod: TargetInstanceTypeRightSizingMethod;
  copyPrivateIp: boolean;
  copyTags: boolean;
  licensing: { osByol: boolean };
  postLaunchEnabled: boolean;
  launchIntoEC2InstanceID?: string;
}

export interface ReplicationStatus {
  state: DataReplicationState;
  since: Date;
  error?: { error: DataReplicationErrorString; rawError?: string };
}

export interface SourceServerRecord {
  sourceServerID: string;
  arn: string;
  hostname: string;
  fqdn: string;
  tags: Record<string, string>;
  hardwareId: string;
  stagingAccountID?: string;
  addedAt: Date;
  replication: ReplicationStatus;
  recommendedInstanceType: string;
  os: string;
  cpus: CPU[];
  ramBytes: number;
  disks: Disk[];
  networkInterfaces: NetworkInterface[];
  awsInstanceID?: string;
  origin?: { accountID: string; region: string; availabilityZone: string };
  launchSettings: LaunchSettings;
  lastLaunch?: { jobID: string; type: 'DRILL' | 'RECOVERY'; apiCallDateTime: Date; status: LaunchStatus };
  lastLaunchResult: LastLaunchResult;
  recoveryInstanceID?: string;
  agentVersion: string;
}

export interface ParticipatingServerRecord {
  sourceServerID: string;
  recoveryInstanceID?: string;
  launchStatus: LaunchStatus;
}

export interface JobLogRecord {
  at: Date;
  event: JobLogEvent;
  data?: JobLogEventData;
}

export interface JobRecord {
  jobID: string;
  arn: string;
  type: JobType;
  initiatedBy: InitiatedBy;
  isDrill: boolean;
  createdAt: Date;
  endedAt?: Date;
  status: JobStatus;
  participatingServers: ParticipatingServerRecord[];
  tags: Record<string, string>;
  log: JobLogRecord[];
}

export interface RecoveryInstanceRecord {
  recoveryInstanceID: string;
  ec2InstanceID: string;
  arn: string;
  jobID: string;
  sourceServerID: string;
  isDrill: boolean;
  tags: Record<string, string>;
  launchedAt: Date;
  pointInTimeSnapshotDateTime: Date;
  originAvailabilityZone?: string;
  originEnvironment: 'AWS' | 'ON_PREMISES';
  hostname: string;
  privateIp?: string;
  cpus: CPU[];
  ramBytes: number;
  os: string;
  disks: Disk[];
}

/** ISO-8601 duration, e.g. P1DT2H3M4S. */
export function isoDuration(ms: number): string {
  let seconds = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(seconds / 86400);
  seconds -= days * 86400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  let time = '';
  if (hours) time += `${hours}H`;
  if (minutes) time += `${minutes}M`;
  if (seconds || (!hours && !minutes)) time += `${seconds}S`;
  return `P${days ? `${days}D` : ''}T${time}`;
}

export const REPLICATION_STATES: readonly DataReplicationState[] = [
  'STOPPED',
  'INITIATING',
  'INITIAL_SYNC',
  'BACKLOG',
  'CREATING_SNAPSHOT',
  'CONTINUOUS',
  'PAUSED',
  'RESCAN',
  'STALLED',
  'DISCONNECTED',
];

const REPLICATING_STATES: ReadonlySet<DataReplicationState> = new Set([
  'CONTINUOUS',
  'BACKLOG',
  'CREATING_SNAPSHOT',
  'RESCAN',
]);

/** States in which no recovery snapshot exists yet. */
export const NOT_YET_REPLICATED_STATES: ReadonlySet<DataReplicationState> = new Set(['INITIATING', 'INITIAL_SYNC']);

function replicationInfo(server: SourceServerRecord, now: Date): DataReplicationInfo {
  const { state, since, error } = server.replication;
  const lagMs = REPLICATING_STATES.has(state) ? 1000 : now.getTime() - since.getTime() + 1000;
  const synced = !NOT_YET_REPLICATED_STATES.has(state);
  const info: DataReplicationInfo = {
    dataReplicationState: state,
    lagDuration: isoDuration(lagMs),
    stagingAvailabilityZone: server.origin?.availabilityZone ?? 'us-east-1a',
    replicatedDisks: server.disks.map((disk) => {
      const total = disk.bytes ?? 0;
      return {
        deviceName: disk.deviceName,
        totalStorageBytes: total,
        replicatedStorageBytes: synced ? total : Math.floor(total / 3),
        rescannedStorageBytes: state === 'RESCAN' ? Math.floor(total / 2) : 0,
        backloggedStorageBytes: state === 'BACKLOG' ? Math.floor(total / 20) : 0,
        volumeStatus: 'REGULAR',
      };
    }),
    dataReplicationInitiation: {
      startDateTime: server.addedAt.toISOString(),
      steps: INITIATION_STEPS.map((name) => ({ name, status: state === 'INITIATING' ? 'IN_PROGRESS' : 'SUCCEEDED' })),
    },
  };
  if (error) info.dataReplicationError = { ...error };
  if (state === 'INITIAL_SYNC') info.etaDateTime = new Date(now.getTime() + 3_600_000).toISOString();
  return info;
}

const INITIATION_STEPS = [
  'WAIT',
  'CREATE_SECURITY_GROUP',
  'LAUNCH_REPLICATION_SERVER',
  'BOOT_REPLICATION_SERVER',
  'AUTHENTICATE_WITH_SERVICE',
  'DOWNLOAD_REPLICATION_SOFTWARE',
  'CREATE_STAGING_DISKS',
  'ATTACH_STAGING_DISKS',
  'PAIR_REPLICATION_SERVER_WITH_AGENT',
  'CONNECT_AGENT_TO_REPLICATION_SERVER',
  'START_DATA_TRANSFER',
] as const;

export function toWireSourceServer(server: SourceServerRecord, now: Date): SourceServer {
  const connected = server.replication.state !== 'DISCONNECTED';
  const lastSeen = connected ? now : server.replication.since;
  const wire: SourceServer = {
    sourceServerID: server.sourceServerID,
    arn: server.arn,
    tags: { ...server.tags },
    lastLaunchResult: server.lastLaunchResult,
    dataReplicationInfo: replicationInfo(server, now),
    lifeCycle: {
      addedToServiceDateTime: server.addedAt.toISOString(),
      firstByteDateTime: new Date(server.addedAt.getTime() + 60_000).toISOString(),
      elapsedReplicationDuration: isoDuration(now.getTime() - server.addedAt.getTime()),
      lastSeenByServiceDateTime: lastSeen.toISOString(),
    },
    sourceProperties: {
      lastUpdatedDateTime: server.addedAt.toISOString(),
      recommendedInstanceType: server.recommendedInstanceType,
      identificationHints: {
        hostname: server.hostname,
        fqdn: server.fqdn,
        ...(server.awsInstanceID ? { awsInstanceID: server.awsInstanceID } : {}),
      },
      networkInterfaces: server.networkInterfaces.map((nic) => ({ ...nic, ips: [...(nic.ips ?? [])] })),
      disks: server.disks.map((disk) => ({ ...disk })),
      cpus: server.cpus.map((cpu) => ({ ...cpu })),
      ramBytes: server.ramBytes,
      os: { fullString: server.os },
      supportsNitroInstances: true,
    },
    stagingArea: server.stagingAccountID
      ? { status: 'EXTENDED', stagingAccountID: server.stagingAccountID }
      : { status: 'NOT_EXTENDED' },
    replicationDirection: 'FAILOVER',
    agentVersion: server.agentVersion,
  };
  if (server.origin) {
    wire.sourceCloudProperties = {
      originAccountID: server.origin.accountID,
      originRegion: server.origin.region,
      originAvailabilityZone: server.origin.availabilityZone,
    };
  }
  if (server.lastLaunch) {
    wire.lifeCycle!.lastLaunch = {
      initiated: {
        apiCallDateTime: server.lastLaunch.apiCallDateTime.toISOString(),
        jobID: server.lastLaunch.jobID,
        type: server.lastLaunch.type,
      },
      status: server.lastLaunch.status,
    };
  }
  if (server.recoveryInstanceID) wire.recoveryInstanceId = server.recoveryInstanceID;
  return wire;
}

export function toWireJob(job: JobRecord): Job {
  const wire: Job = {
    jobID: job.jobID,
    arn: job.arn,
    type: job.type,
    initiatedBy: job.initiatedBy,
    creationDateTime: job.createdAt.toISOString(),
    status: job.status,
    participatingServers: job.participatingServers.map((p) => ({
      sourceServerID: p.sourceServerID,
      launchStatus: p.launchStatus,
      ...(p.recoveryInstanceID ? { recoveryInstanceID: p.recoveryInstanceID } : {}),
    })),
    tags: { ...job.tags },
  };
  if (job.endedAt) wire.endDateTime = job.endedAt.toISOString();
  return wire;
}

export function toWireJobLog(entry: JobLogRecord): JobLog {
  const wire: JobLog = { logDateTime: entry.at.toISOString(), event: entry.event };
  if (entry.data) wire.eventData = { ...entry.data };
  return wire;
}

export function toWireRecoveryInstance(instance: RecoveryInstanceRecord, ec2State: EC2InstanceState): RecoveryInstance {
  return {
    ec2InstanceID: instance.ec2InstanceID,
    ec2InstanceState: ec2State,
    jobID: instance.jobID,
    recoveryInstanceID: instance.recoveryInstanceID,
    sourceServerID: instance.sourceServerID,
    arn: instance.arn,
    tags: { ...instance.tags },
    isDrill: instance.isDrill,
    pointInTimeSnapshotDateTime: instance.pointInTimeSnapshotDateTime.toISOString(),
    originEnvironment: instance.originEnvironment,
    ...(instance.originAvailabilityZone ? { originAvailabilityZone: instance.originAvailabilityZone } : {}),
    recoveryInstanceProperties: {
      lastUpdatedDateTime: instance.launchedAt.toISOString(),
      identificationHints: { hostname: instance.hostname, awsInstanceID: instance.ec2InstanceID },
      networkInterfaces: instance.privateIp ? [{ ips: [instance.privateIp], isPrimary: true }] : [],
      disks: instance.disks.map((d) => ({ internalDeviceName: d.deviceName, bytes: d.bytes })),
      cpus: instance.cpus.map((c) => ({ ...c })),
      ramBytes: instance.ramBytes,
      os: { fullString: instance.os },
    },
  };
}

export function toWireLaunchConfiguration(server: SourceServerRecord): LaunchConfiguration {
  const s = server.launchSettings;
  const wire: LaunchConfiguration = {
    sourceServerID: server.sourceServerID,
    name: s.name,
    launchDisposition: s.launchDisposition,
    targetInstanceTypeRightSizingMethod: s.targetInstanceTypeRightSizingMethod,
    copyPrivateIp: s.copyPrivateIp,
    copyTags: s.copyTags,
    licensing: { ...s.licensing },
    postLaunchEnabled: s.postLaunchEnabled,
  };
  if (s.ec2LaunchTemplateID) wire.ec2LaunchTemplateID = s.ec2LaunchTemplateID;
  if (s.launchIntoEC2InstanceID)
    wire.launchIntoInstanceProperties = { launchIntoEC2InstanceID: s.launchIntoEC2InstanceID };
  return wire;
}
