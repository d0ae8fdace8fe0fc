import {
  DescribeJobLogItemsCommand,
  DescribeJobsCommand,
  DescribeRecoveryInstancesCommand,
  DescribeSourceServersCommand,
  GetLaunchConfigurationCommand,
  StartRecoveryCommand,
  TerminateRecoveryInstancesCommand,
  UpdateLaunchConfigurationCommand,
  type Job,
  type LaunchConfiguration,
  type SourceServer,
} from '@aws-sdk/client-drs';
import { z } from 'zod';
import { drsService } from '../aws/services';
import { defineOperation, READ_ONLY } from './define';
import type { OperationContext, TargetResource } from './types';

const page = { maxResults: z.number().int().min(1).max(1000).optional(), nextToken: z.string().optional() };
const sourceServerId = z.string().regex(/^s-[0-9a-zA-Z]{17}$/, 'Expected a source server ID like s-1234567890abcdef0.');

export const listSourceServers = defineOperation({
  id: 'drs.sourceServers.list',
  service: 'drs',
  title: 'List DRS source servers',
  description: 'Elastic Disaster Recovery source servers with replication state and lag.',
  ...READ_ONLY,
  input: z.object({ sourceServerIds: z.array(sourceServerId).max(200).optional(), ...page }).strict(),
  async handler(ctx, input) {
    const drs = await ctx.client(drsService);
    const result = await drs.send(
      new DescribeSourceServersCommand({
        filters: { sourceServerIDs: input.sourceServerIds },
        maxResults: input.maxResults ?? 100,
        nextToken: input.nextToken,
      }),
    );
    return { items: result.items ?? [], nextToken: result.nextToken || undefined };
  },
});

export const listJobs = defineOperation({
  id: 'drs.jobs.list',
  service: 'drs',
  title: 'List DRS jobs',
  description: 'Elastic Disaster Recovery jobs (launches, drills, terminations) with status.',
  ...READ_ONLY,
  input: z
    .object({
      jobIds: z
        .array(z.string().regex(/^drsjob-[0-9a-zA-Z]{17}$/, 'Expected a job ID like drsjob-1234567890abcdef0.'))
        .max(200)
        .optional(),
      fromDate: z.string().optional(),
      toDate: z.string().optional(),
      ...page,
    })
    .strict(),
  async handler(ctx, input) {
    const drs = await ctx.client(drsService);
    const result = await drs.send(
      new DescribeJobsCommand({
        filters: { jobIDs: input.jobIds, fromDate: input.fromDate, toDate: input.toDate },
        maxResults: input.maxResults ?? 100,
        nextToken: input.nextToken,
      }),
    );
    return { items: result.items ?? [], nextToken: result.nextToken || undefined };
  },
});

export const listRecoveryInstances = defineOperation({
  id: 'drs.recoveryInstances.list',
  service: 'drs',
  title: 'List DRS recovery instances',
  description: 'Elastic Disaster Recovery recovery instances and the source servers they belong to.',
  ...READ_ONLY,
  input: z
    .object({
      recoveryInstanceIds: z
        .array(z.string().regex(/^i-[0-9a-f]{8,17}$/, 'Expected a recovery instance ID like i-0123456789abcdef0.'))
        .max(200)
        .optional(),
      sourceServerIds: z.array(sourceServerId).max(200).optional(),
      ...page,
    })
    .strict(),
  async handler(ctx, input) {
    const drs = await ctx.client(drsService);
    const result = await drs.send(
      new DescribeRecoveryInstancesCommand({
        filters: { recoveryInstanceIDs: input.recoveryInstanceIds, sourceServerIDs: input.sourceServerIds },
        maxResults: input.maxResults ?? 100,
        nextToken: input.nextToken,
      }),
    );
    return { items: result.items ?? [], nextToken: result.nextToken || undefined };
  },
});

const jobId = z.string().regex(/^drsjob-[0-9a-zA-Z]{17}$/, 'Expected a job ID like drsjob-1234567890abcdef0.');

export const listJobLogItems = defineOperation({
  id: 'drs.jobs.logItems',
  service: 'drs',
  title: 'List the log of a DRS job',
  description:
    'The events of one Elastic Disaster Recovery job (snapshots, conversion, launch, failures) with the source servers they concern.',
  ...READ_ONLY,
  input: z.object({ jobId, ...page }).strict(),
  async handler(ctx, input) {
    const drs = await ctx.client(drsService);
    const result = await drs.send(
      new DescribeJobLogItemsCommand({
        jobID: input.jobId,
        maxResults: input.maxResults ?? 100,
        nextToken: input.nextToken,
      }),
    );
    return { items: result.items ?? [], nextToken: result.nextToken || undefined };
  },
});

export const getLaunchConfiguration = defineOperation({
  id: 'drs.launchConfiguration.get',
  service: 'drs',
  title: 'Get a DRS launch configuration',
  description:
    'How DRS launches one source server: launch template, launch disposition, right-sizing, private IP and tag copying, BYOL licensing.',
  ...READ_ONLY,
  input: z.object({ sourceServerId }).strict(),
  async handler(ctx, input): Promise<LaunchConfiguration> {
    const drs = await ctx.client(drsService);
    const { $metadata: _metadata, ...configuration } = await drs.send(
      new GetLaunchConfigurationCommand({ sourceServerID: input.sourceServerId }),
    );
    return configuration;
  },
});

export const drsOperations = [
  listSourceServers,
  listJobs,
  listRecoveryInstances,
  listJobLogItems,
  getLaunchConfiguration,
];

// Writes used by the DR runner. Each declares the source servers (or recovery instances) it touches, so
// their Environment tags decide protection, approval and change windows like any other change.

const recoveryInstanceId = z
  .string()
  .regex(/^i-[0-9a-f]{8,17}$/, 'Expected a recovery instance ID like i-0123456789abcdef0.');

export async function sourceServerTargets(
  ctx: OperationContext,
  sourceServerIds: string[],
  action: string,
  role: 'target' | 'context',
): Promise<TargetResource[]> {
  const drs = await ctx.client(drsService);
  const found = new Map<string, SourceServer>();
  for (let index = 0; index < sourceServerIds.length; index += 200) {
    const result = await drs.send(
      new DescribeSourceServersCommand({
        filters: { sourceServerIDs: sourceServerIds.slice(index, index + 200) },
        maxResults: 200,
      }),
    );
    for (const server of result.items ?? []) if (server.sourceServerID) found.set(server.sourceServerID, server);
  }
  const missing = sourceServerIds.filter((id) => !found.has(id));
  if (missing.length)
    throw Object.assign(new Error(`Source server(s) not found: ${missing.join(', ')}.`), {
      name: 'ResourceNotFoundException',
    });
  return sourceServerIds.map((id) => {
    const server = found.get(id)!;
    return {
      type: 'drs:source-server',
      id,
      name: server.sourceProperties?.identificationHints?.hostname,
      role,
      action,
      tags: { ...(server.tags ?? {}) },
      state: server.dataReplicationInfo?.dataReplicationState,
    };
  });
}

export const startRecovery = defineOperation({
  id: 'drs.recovery.start',
  service: 'drs',
  title: 'Start a DRS drill or recovery',
  description:
    'Launches recovery instances for DRS source servers, as a drill (isDrill) or a real recovery. One DRS job, at most 100 servers.',
  kind: 'write',
  destructive: false,
  costImpact: 'increase',
  rollbackSupported: true,
  rollbackNote: 'Terminate the recovery instances the job launched (drs.recoveryInstances.terminate).',
  input: z
    .object({
      sourceServerIds: z.array(sourceServerId).min(1).max(100),
      isDrill: z.boolean(),
      tags: z.record(z.string(), z.string()).optional(),
    })
    .strict(),
  async targets(ctx, input) {
    // The source servers only give the environment; what is created is one job's recovery instances.
    const servers = await sourceServerTargets(
      ctx,
      input.sourceServerIds,
      input.isDrill ? 'drill from' : 'recover from',
      'context',
    );
    // Recovery instances copy their source's tags, so the new job carries the tags every source shares.
    const sharedTags = Object.fromEntries(
      Object.entries(servers[0].tags ?? {}).filter(([key, value]) =>
        servers.every((server) => server.tags?.[key] === value),
      ),
    );
    return [
      ...servers,
      {
        type: 'drs:job',
        id: `(new ${input.isDrill ? 'drill' : 'recovery'} job)`,
        role: 'target',
        action: 'launch',
        tags: sharedTags,
        details: [`${input.sourceServerIds.length} recovery instance(s)`],
      },
    ];
  },
  preview(_ctx, input) {
    const what = input.isDrill ? 'drill' : 'RECOVERY';
    return {
      summary: `Start a ${what} of ${input.sourceServerIds.length} source server(s)`,
      changes: [
        `Launch ${input.sourceServerIds.length} recovery instance(s) from: ${input.sourceServerIds.join(', ')}`,
      ],
      warnings: input.isDrill
        ? undefined
        : ['A recovery launches the recovered workload; it is not cleaned up automatically.'],
      cost: { direction: 'increase', note: 'Recovery instances and their volumes are billed while they run.' },
    };
  },
  approvalVariant: (input) => (input.isDrill ? 'drill' : 'recovery'),
  async handler(ctx, input): Promise<{ job: Job }> {
    const drs = await ctx.client(drsService);
    const result = await drs.send(
      new StartRecoveryCommand({
        sourceServers: input.sourceServerIds.map((sourceServerID) => ({ sourceServerID })),
        isDrill: input.isDrill,
        tags: input.tags,
      }),
    );
    if (!result.job?.jobID) throw new Error('StartRecovery returned no job.');
    return { job: result.job };
  },
  resourceIds: (output) => [output.job.jobID!],
});

export const terminateRecoveryInstances = defineOperation({
  id: 'drs.recoveryInstances.terminate',
  service: 'drs',
  title: 'Terminate DRS recovery instances',
  description:
    'Terminates recovery instances (and their EC2 instances), e.g. to clean up after a drill. Returns the TERMINATE job.',
  kind: 'delete',
  destructive: true,
  costImpact: 'decrease',
  rollbackSupported: false,
  input: z.object({ recoveryInstanceIds: z.array(recoveryInstanceId).min(1).max(100) }).strict(),
  async targets(ctx, input) {
    const drs = await ctx.client(drsService);
    const result = await drs.send(
      new DescribeRecoveryInstancesCommand({
        filters: { recoveryInstanceIDs: input.recoveryInstanceIds },
        maxResults: 200,
      }),
    );
    const found = new Map((result.items ?? []).map((instance) => [instance.recoveryInstanceID, instance]));
    const missing = input.recoveryInstanceIds.filter((id) => !found.has(id));
    if (missing.length)
      throw Object.assign(new Error(`Recovery instance(s) not found: ${missing.join(', ')}.`), {
        name: 'ResourceNotFoundException',
      });
    return input.recoveryInstanceIds.map((id) => {
      const instance = found.get(id)!;
      return {
        type: 'drs:recovery-instance',
        id,
        role: 'target' as const,
        action: 'terminate',
        tags: { ...(instance.tags ?? {}) },
        state: instance.ec2InstanceState,
        details: [instance.isDrill ? 'drill' : 'recovery', `from ${instance.sourceServerID}`],
      };
    });
  },
  preview(_ctx, input, targets) {
    const recoveries = targets.filter((target) => target.details?.includes('recovery'));
    return {
      summary: `Terminate ${input.recoveryInstanceIds.length} recovery instance(s)`,
      changes: targets.map((target) => `Terminate ${target.id} (${target.details?.join(', ')})`),
      warnings: recoveries.length
        ? [`${recoveries.length} of them belong to a real recovery, not a drill.`]
        : undefined,
      cost: { direction: 'decrease', note: 'Their EC2 instances stop being billed.' },
    };
  },
  async handler(ctx, input): Promise<{ job: Job }> {
    const drs = await ctx.client(drsService);
    const result = await drs.send(
      new TerminateRecoveryInstancesCommand({ recoveryInstanceIDs: input.recoveryInstanceIds }),
    );
    if (!result.job?.jobID) throw new Error('TerminateRecoveryInstances returned no job.');
    return { job: result.job };
  },
  resourceIds: (_output, input) => input.recoveryInstanceIds,
});

export const updateLaunchConfiguration = defineOperation({
  id: 'drs.launchConfiguration.update',
  service: 'drs',
  title: 'Update a DRS launch configuration',
  description:
    'Changes how DRS launches a source server: launch disposition, right-sizing, private IP and tag copying, BYOL licensing.',
  kind: 'write',
  destructive: false,
  costImpact: 'variable',
  rollbackSupported: true,
  rollbackNote: 'Apply the previous settings again (GetLaunchConfiguration shows them).',
  input: z
    .object({
      sourceServerId,
      launchDisposition: z.enum(['STOPPED', 'STARTED']).optional(),
      targetInstanceTypeRightSizingMethod: z.enum(['NONE', 'BASIC', 'IN_AWS']).optional(),
      copyPrivateIp: z.boolean().optional(),
      copyTags: z.boolean().optional(),
      osByol: z.boolean().optional(),
      postLaunchEnabled: z.boolean().optional(),
    })
    .strict(),
  targets: (ctx, input) => sourceServerTargets(ctx, [input.sourceServerId], 'update launch configuration', 'target'),
  preview(_ctx, input) {
    const { sourceServerId: id, ...settings } = input;
    return {
      summary: `Update the launch configuration of ${id}`,
      changes: Object.entries(settings).map(([key, value]) => `${key} = ${value}`),
    };
  },
  async handler(ctx, input) {
    const drs = await ctx.client(drsService);
    const { sourceServerId: sourceServerID, osByol, ...rest } = input;
    await drs.send(
      new UpdateLaunchConfigurationCommand({
        sourceServerID,
        ...rest,
        ...(osByol !== undefined ? { licensing: { osByol } } : {}),
      }),
    );
    return { sourceServerId: sourceServerID };
  },
});

export const drsWriteOperations = [startRecovery, terminateRecoveryInstances, updateLaunchConfiguration];
