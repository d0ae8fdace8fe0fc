import type { Job, RecoveryInstance, SourceServer } from '@aws-sdk/client-drs';
import { inMemoryLister, type ResourceSummary, type StateTone } from './model';
import { compact, pagedLister, readPage } from './pagedLister';

const REPLICATION_TONES: Record<string, StateTone> = {
  CONTINUOUS: 'ok',
  INITIATING: 'transitional',
  INITIAL_SYNC: 'transitional',
  BACKLOG: 'transitional',
  CREATING_SNAPSHOT: 'transitional',
  RESCAN: 'transitional',
  STOPPED: 'stopped',
  PAUSED: 'stopped',
  STALLED: 'error',
  DISCONNECTED: 'error',
};

export function sourceServerHostname(server: SourceServer): string {
  const hints = server.sourceProperties?.identificationHints;
  return hints?.hostname || hints?.fqdn || server.sourceServerID || 'unknown';
}

/** Replication lag and the last launch's result, when there is one: "lag PT1S", "last launch SUCCEEDED". */
export function replicationDetails(server: SourceServer): string[] {
  const lag = server.dataReplicationInfo?.lagDuration;
  const lastLaunch = server.lastLaunchResult;
  return compact([lag && `lag ${lag}`, lastLaunch && lastLaunch !== 'NOT_STARTED' && `last launch ${lastLaunch}`]);
}

/** How a job started: "drill", "recovery", or DRS's own word (e.g. TERMINATE_RECOVERY_INSTANCES … by DIAGNOSTIC). */
export function jobInitiation(job: Pick<Job, 'initiatedBy'>): string | undefined {
  return job.initiatedBy === 'START_DRILL'
    ? 'drill'
    : job.initiatedBy === 'START_RECOVERY'
      ? 'recovery'
      : job.initiatedBy;
}

export function summarizeSourceServer(server: SourceServer): ResourceSummary {
  const state = server.dataReplicationInfo?.dataReplicationState;
  return {
    type: 'drs:source-server',
    id: server.sourceServerID ?? 'unknown',
    name: sourceServerHostname(server),
    arn: server.arn,
    state,
    stateTone: (state && REPLICATION_TONES[state]) || 'unknown',
    details: [state ?? 'replication unknown', ...replicationDetails(server)],
    tags: { ...(server.tags ?? {}) },
    raw: server,
  };
}

export const drsSourceServerLister = pagedLister({
  type: 'drs:source-server',
  title: 'Source servers',
  pageRange: [1, 1000],
  fetch: (read, page) => readPage<SourceServer>(read, 'drs.sourceServers.list', page),
  summarize: summarizeSourceServer,
  fetchOne: async (read, id) =>
    (await readPage<SourceServer>(read, 'drs.sourceServers.list', { sourceServerIds: [id] })).items[0],
});

const JOB_TONES: Record<string, StateTone> = { PENDING: 'transitional', STARTED: 'transitional', COMPLETED: 'ok' };
const LAUNCH_TONES: Record<string, StateTone> = {
  PENDING: 'transitional',
  IN_PROGRESS: 'transitional',
  LAUNCHED: 'ok',
  FAILED: 'error',
  TERMINATED: 'stopped',
};

export function summarizeJob(job: Job): ResourceSummary {
  const id = job.jobID ?? 'unknown';
  const failed = job.participatingServers?.some((server) => server.launchStatus === 'FAILED');
  return {
    type: 'drs:job',
    id,
    name: id,
    arn: job.arn,
    state: job.status,
    stateTone: job.status === 'COMPLETED' && failed ? 'error' : (job.status && JOB_TONES[job.status]) || 'unknown',
    details: compact([
      job.type,
      job.status,
      jobInitiation(job),
      `${job.participatingServers?.length ?? 0} servers`,
      job.creationDateTime,
    ]),
    tags: { ...(job.tags ?? {}) },
    raw: job,
    children: [
      inMemoryLister(
        'drs:job-server',
        'Servers',
        (job.participatingServers ?? []).map((server) => ({
          type: 'drs:job-server',
          id: `${id}/${server.sourceServerID}`,
          name: server.sourceServerID ?? 'unknown',
          state: server.launchStatus,
          stateTone: (server.launchStatus && LAUNCH_TONES[server.launchStatus]) || 'unknown',
          details: compact([server.launchStatus, server.recoveryInstanceID]),
          tags: {},
          raw: server,
        })),
      ),
    ],
  };
}

export const drsJobLister = pagedLister({
  type: 'drs:job',
  title: 'Jobs',
  pageRange: [1, 1000],
  fetch: (read, page) => readPage<Job>(read, 'drs.jobs.list', page),
  summarize: summarizeJob,
  fetchOne: async (read, id) => (await readPage<Job>(read, 'drs.jobs.list', { jobIds: [id] })).items[0],
});

const EC2_STATE_TONES: Record<string, StateTone> = {
  RUNNING: 'ok',
  PENDING: 'transitional',
  STOPPING: 'transitional',
  'SHUTTING-DOWN': 'transitional',
  STOPPED: 'stopped',
  TERMINATED: 'stopped',
  NOT_FOUND: 'error',
};

export const drsRecoveryInstanceLister = pagedLister({
  type: 'drs:recovery-instance',
  title: 'Recovery instances',
  pageRange: [1, 1000],
  fetch: (read, page) => readPage<RecoveryInstance>(read, 'drs.recoveryInstances.list', page),
  summarize(instance: RecoveryInstance) {
    const id = instance.recoveryInstanceID ?? 'unknown';
    return {
      type: 'drs:recovery-instance',
      id,
      name: instance.tags?.Name || id,
      arn: instance.arn,
      state: instance.ec2InstanceState,
      stateTone: (instance.ec2InstanceState && EC2_STATE_TONES[instance.ec2InstanceState]) || 'unknown',
      details: compact([
        instance.ec2InstanceID,
        instance.ec2InstanceState,
        instance.isDrill ? 'drill' : 'recovery',
        instance.sourceServerID && `from ${instance.sourceServerID}`,
      ]),
      tags: { ...(instance.tags ?? {}) },
      raw: instance,
    };
  },
});
