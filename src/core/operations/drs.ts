import { DescribeJobsCommand, DescribeRecoveryInstancesCommand, DescribeSourceServersCommand } from '@aws-sdk/client-drs';
import { z } from 'zod';
import { drsService } from '../aws/services';
import { defineOperation } from './define';

const page = { maxResults: z.number().int().min(1).max(1000).optional(), nextToken: z.string().optional() };
const sourceServerId = z.string().regex(/^s-[0-9a-zA-Z]{17}$/, 'Expected a source server ID like s-1234567890abcdef0.');

export const listSourceServers = defineOperation({
  id: 'drs.sourceServers.list',
  service: 'drs',
  title: 'List DRS source servers',
  description: 'Elastic Disaster Recovery source servers with replication state and lag.',
  kind: 'read',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: false,
  input: z.object({ sourceServerIds: z.array(sourceServerId).max(200).optional(), ...page }).strict(),
  async handler(ctx, input) {
    const drs = await ctx.client(drsService);
    const result = await drs.send(new DescribeSourceServersCommand({ filters: { sourceServerIDs: input.sourceServerIds }, maxResults: input.maxResults ?? 100, nextToken: input.nextToken }));
    return { items: result.items ?? [], nextToken: result.nextToken || undefined };
  },
});

export const listJobs = defineOperation({
  id: 'drs.jobs.list',
  service: 'drs',
  title: 'List DRS jobs',
  description: 'Elastic Disaster Recovery jobs (launches, drills, terminations) with status.',
  kind: 'read',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: false,
  input: z.object({ jobIds: z.array(z.string().regex(/^drsjob-[0-9a-zA-Z]{17}$/, 'Expected a job ID like drsjob-1234567890abcdef0.')).max(200).optional(), fromDate: z.string().optional(), toDate: z.string().optional(), ...page }).strict(),
  async handler(ctx, input) {
    const drs = await ctx.client(drsService);
    const result = await drs.send(new DescribeJobsCommand({ filters: { jobIDs: input.jobIds, fromDate: input.fromDate, toDate: input.toDate }, maxResults: input.maxResults ?? 100, nextToken: input.nextToken }));
    return { items: result.items ?? [], nextToken: result.nextToken || undefined };
  },
});

export const listRecoveryInstances = defineOperation({
  id: 'drs.recoveryInstances.list',
  service: 'drs',
  title: 'List DRS recovery instances',
  description: 'Elastic Disaster Recovery recovery instances and the source servers they belong to.',
  kind: 'read',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: false,
  input: z.object({ recoveryInstanceIds: z.array(z.string().regex(/^i-[0-9a-f]{8,17}$/, 'Expected a recovery instance ID like i-0123456789abcdef0.')).max(200).optional(), sourceServerIds: z.array(sourceServerId).max(200).optional(), ...page }).strict(),
  async handler(ctx, input) {
    const drs = await ctx.client(drsService);
    const result = await drs.send(new DescribeRecoveryInstancesCommand({ filters: { recoveryInstanceIDs: input.recoveryInstanceIds, sourceServerIDs: input.sourceServerIds }, maxResults: input.maxResults ?? 100, nextToken: input.nextToken }));
    return { items: result.items ?? [], nextToken: result.nextToken || undefined };
  },
});

export const drsOperations = [listSourceServers, listJobs, listRecoveryInstances];
