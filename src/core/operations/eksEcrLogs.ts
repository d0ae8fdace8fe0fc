import {
  DescribeClusterCommand,
  DescribeFargateProfileCommand,
  DescribeNodegroupCommand,
  ListClustersCommand,
  ListFargateProfilesCommand,
  ListNodegroupsCommand,
  UpdateNodegroupConfigCommand,
  type Cluster,
  type FargateProfile,
  type Nodegroup,
} from '@aws-sdk/client-eks';
import {
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  type ImageDetail,
  type Repository,
} from '@aws-sdk/client-ecr';
import { GetLogEventsCommand, type OutputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { z } from 'zod';
import { ecrService, eksService, logsService } from '../aws/services';
import { defineOperation, READ_ONLY } from './define';
import type { OperationContext } from './types';

const eksName = (label: string) =>
  z.string().regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, `Expected an EKS ${label} name.`);
const clusterName = eksName('cluster').describe('EKS cluster name');
const nodegroupName = eksName('node group').describe('EKS node group name');
const repositoryName = z
  .string()
  .regex(/^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/, 'Expected an ECR repository name.')
  .max(256)
  .describe('ECR repository name');
const page = (max: number) => ({
  maxResults: z.number().int().min(1).max(max).optional().describe('Page size.'),
  nextToken: z.string().max(4096).optional().describe('Token from the previous page.'),
});

interface Page<T> {
  items: T[];
  nextToken?: string;
}

// EKS

export const listEksClusters = defineOperation({
  id: 'eks.clusters.list',
  service: 'eks',
  title: 'List EKS clusters',
  description: 'EKS clusters with Kubernetes version, status, endpoint and tags.',
  ...READ_ONLY,
  input: z.object({ ...page(100) }).strict(),
  async handler(ctx, input): Promise<Page<Cluster>> {
    const eks = await ctx.client(eksService);
    const listed = await eks.send(
      new ListClustersCommand({ maxResults: input.maxResults, nextToken: input.nextToken }),
    );
    const items: Cluster[] = [];
    for (const name of listed.clusters ?? []) {
      const described = await eks.send(new DescribeClusterCommand({ name }));
      if (described.cluster) items.push(described.cluster);
    }
    return { items, nextToken: listed.nextToken || undefined };
  },
});

export const listEksNodegroups = defineOperation({
  id: 'eks.nodegroups.list',
  service: 'eks',
  title: 'List EKS node groups',
  description:
    'The managed node groups of an EKS cluster: version, status, scaling (min, desired, max), instance types.',
  ...READ_ONLY,
  input: z.object({ clusterName, ...page(100) }).strict(),
  async handler(ctx, input): Promise<Page<Nodegroup>> {
    const eks = await ctx.client(eksService);
    const listed = await eks.send(
      new ListNodegroupsCommand({
        clusterName: input.clusterName,
        maxResults: input.maxResults,
        nextToken: input.nextToken,
      }),
    );
    const items: Nodegroup[] = [];
    for (const name of listed.nodegroups ?? []) {
      const described = await eks.send(
        new DescribeNodegroupCommand({ clusterName: input.clusterName, nodegroupName: name }),
      );
      if (described.nodegroup) items.push(described.nodegroup);
    }
    return { items, nextToken: listed.nextToken || undefined };
  },
});

export const listEksFargateProfiles = defineOperation({
  id: 'eks.fargateProfiles.list',
  service: 'eks',
  title: 'List EKS Fargate profiles',
  description: 'The Fargate profiles of an EKS cluster: status, selectors (namespaces and labels), subnets.',
  ...READ_ONLY,
  input: z.object({ clusterName, ...page(100) }).strict(),
  async handler(ctx, input): Promise<Page<FargateProfile>> {
    const eks = await ctx.client(eksService);
    const listed = await eks.send(
      new ListFargateProfilesCommand({
        clusterName: input.clusterName,
        maxResults: input.maxResults,
        nextToken: input.nextToken,
      }),
    );
    const items: FargateProfile[] = [];
    for (const name of listed.fargateProfileNames ?? []) {
      const described = await eks.send(
        new DescribeFargateProfileCommand({ clusterName: input.clusterName, fargateProfileName: name }),
      );
      if (described.fargateProfile) items.push(described.fargateProfile);
    }
    return { items, nextToken: listed.nextToken || undefined };
  },
});

async function nodegroup(ctx: OperationContext, cluster: string, name: string): Promise<Nodegroup> {
  const eks = await ctx.client(eksService);
  const described = await eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: name }));
  if (!described.nodegroup)
    throw Object.assign(new Error(`There is no node group "${name}" in EKS cluster "${cluster}".`), {
      name: 'ResourceNotFoundException',
    });
  return described.nodegroup;
}

/** The scaling after the change: given sizes over the current ones; min ≤ desired ≤ max or an error saying which. */
export function nextScaling(
  current: { minSize?: number; maxSize?: number; desiredSize?: number },
  change: { desiredSize: number; minSize?: number; maxSize?: number },
): { minSize: number; maxSize: number; desiredSize: number } {
  const minSize = change.minSize ?? current.minSize ?? 0;
  const maxSize = change.maxSize ?? current.maxSize ?? Math.max(change.desiredSize, 1);
  const { desiredSize } = change;
  if (desiredSize < minSize || desiredSize > maxSize)
    throw Object.assign(
      new Error(
        `Desired size ${desiredSize} is outside the node group's range ${minSize}–${maxSize}. Give minSize or maxSize too.`,
      ),
      { name: 'InvalidParameterException' },
    );
  if (maxSize < 1)
    throw Object.assign(new Error('A node group needs maxSize ≥ 1.'), { name: 'InvalidParameterException' });
  return { minSize, maxSize, desiredSize };
}

export const scaleEksNodegroup = defineOperation({
  id: 'eks.nodegroups.scale',
  service: 'eks',
  title: 'Scale an EKS node group',
  description:
    'Sets the desired size (and optionally min and max) of an EKS managed node group (UpdateNodegroupConfig).',
  kind: 'write',
  destructive: false,
  costImpact: 'variable',
  rollbackSupported: true,
  rollbackNote: 'Scale the node group back to its previous sizes.',
  input: z
    .object({
      clusterName,
      nodegroupName,
      desiredSize: z.number().int().min(0).max(5000),
      minSize: z.number().int().min(0).max(5000).optional(),
      maxSize: z.number().int().min(1).max(5000).optional(),
    })
    .strict(),
  async targets(ctx, input) {
    const group = await nodegroup(ctx, input.clusterName, input.nodegroupName);
    const scaling = group.scalingConfig ?? {};
    return [
      {
        type: 'eks:nodegroup',
        id: group.nodegroupArn ?? `${input.clusterName}/${input.nodegroupName}`,
        name: `${input.clusterName}/${input.nodegroupName}`,
        role: 'target' as const,
        action: 'scale',
        tags: { ...(group.labels ?? {}), ...(group.tags ?? {}) },
        state: group.status,
        details: [
          `min ${scaling.minSize ?? '?'}, desired ${scaling.desiredSize ?? '?'}, max ${scaling.maxSize ?? '?'}`,
        ],
      },
    ];
  },
  async preview(ctx, input) {
    const group = await nodegroup(ctx, input.clusterName, input.nodegroupName);
    const current = group.scalingConfig ?? {};
    const next = nextScaling(current, input);
    const changes = [`desired ${current.desiredSize ?? '?'} → ${next.desiredSize}`];
    if (next.minSize !== current.minSize) changes.push(`min ${current.minSize ?? '?'} → ${next.minSize}`);
    if (next.maxSize !== current.maxSize) changes.push(`max ${current.maxSize ?? '?'} → ${next.maxSize}`);
    const before = current.desiredSize ?? 0;
    return {
      summary: `Scale node group ${input.nodegroupName}: desired ${current.desiredSize ?? '?'} → ${next.desiredSize}`,
      changes,
      warnings: next.desiredSize < before ? ['Nodes are drained and terminated; pods on them are rescheduled.'] : [],
      cost: {
        direction: next.desiredSize > before ? 'increase' : next.desiredSize < before ? 'decrease' : 'none',
        note: `Each node is an EC2 instance (${(group.instanceTypes ?? []).join(', ') || 'instance type of the launch template'}).`,
      },
    };
  },
  async handler(ctx, input) {
    const eks = await ctx.client(eksService);
    const group = await nodegroup(ctx, input.clusterName, input.nodegroupName);
    const scalingConfig = nextScaling(group.scalingConfig ?? {}, input);
    const result = await eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName: input.clusterName,
        nodegroupName: input.nodegroupName,
        scalingConfig,
        clientRequestToken: ctx.clientToken('scale'),
      }),
    );
    return {
      nodegroupArn: group.nodegroupArn ?? input.nodegroupName,
      previous: group.scalingConfig,
      scalingConfig,
      updateId: result.update?.id,
      updateStatus: result.update?.status,
    };
  },
  resourceIds: (output) => [output.nodegroupArn],
});

// ECR

export const listEcrRepositories = defineOperation({
  id: 'ecr.repositories.list',
  service: 'ecr',
  title: 'List ECR repositories',
  description: 'ECR repositories with URI, tag mutability, scan-on-push and creation time.',
  ...READ_ONLY,
  input: z.object({ ...page(1000) }).strict(),
  async handler(ctx, input): Promise<Page<Repository>> {
    const ecr = await ctx.client(ecrService);
    const result = await ecr.send(
      new DescribeRepositoriesCommand({ maxResults: input.maxResults, nextToken: input.nextToken }),
    );
    return { items: result.repositories ?? [], nextToken: result.nextToken || undefined };
  },
});

export const listEcrImages = defineOperation({
  id: 'ecr.images.list',
  service: 'ecr',
  title: 'List ECR images',
  description:
    'The images of an ECR repository: tags, digest, pushed at, size, and the scan findings summary where the image was scanned.',
  ...READ_ONLY,
  input: z.object({ repositoryName, ...page(1000) }).strict(),
  async handler(ctx, input): Promise<Page<ImageDetail>> {
    const ecr = await ctx.client(ecrService);
    const result = await ecr.send(
      new DescribeImagesCommand({
        repositoryName: input.repositoryName,
        maxResults: input.maxResults,
        nextToken: input.nextToken,
      }),
    );
    return { items: result.imageDetails ?? [], nextToken: result.nextToken || undefined };
  },
});

export const describeEcrScanFindings = defineOperation({
  id: 'ecr.images.scanFindings',
  service: 'ecr',
  title: 'Describe ECR image scan findings',
  description: 'The vulnerability findings of one scanned ECR image (name, severity, package), one page.',
  ...READ_ONLY,
  input: z
    .object({
      repositoryName,
      imageDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'Expected an image digest sha256:….'),
      ...page(1000),
    })
    .strict(),
  async handler(ctx, input) {
    const ecr = await ctx.client(ecrService);
    const result = await ecr.send(
      new DescribeImageScanFindingsCommand({
        repositoryName: input.repositoryName,
        imageId: { imageDigest: input.imageDigest },
        maxResults: input.maxResults,
        nextToken: input.nextToken,
      }),
    );
    return {
      status: result.imageScanStatus?.status,
      description: result.imageScanStatus?.description,
      severityCounts: result.imageScanFindings?.findingSeverityCounts ?? {},
      items: result.imageScanFindings?.findings ?? [],
      nextToken: result.nextToken || undefined,
    };
  },
});

// CloudWatch Logs

export const getLogEvents = defineOperation({
  id: 'logs.events.get',
  service: 'logs',
  title: 'Read CloudWatch log events',
  description:
    "One page of the events of one CloudWatch Logs stream, e.g. a container's awslogs stream (<prefix>/<container>/<task ID>). Newest last.",
  ...READ_ONLY,
  input: z
    .object({
      logGroupName: z.string().regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, 'Expected a log group name.'),
      logStreamName: z.string().regex(/^[^:*]{1,512}$/, 'Expected a log stream name.'),
      limit: z.number().int().min(1).max(10_000).optional().describe('Events per page (default 200).'),
      startFromHead: z.boolean().optional().describe('Oldest first (default: the newest events).'),
      nextToken: z.string().max(4096).optional(),
    })
    .strict(),
  async handler(ctx, input): Promise<Page<OutputLogEvent>> {
    const logs = await ctx.client(logsService);
    const result = await logs.send(
      new GetLogEventsCommand({
        logGroupName: input.logGroupName,
        logStreamName: input.logStreamName,
        limit: input.limit ?? 200,
        startFromHead: input.startFromHead ?? false,
        nextToken: input.nextToken,
      }),
    );
    const next = input.startFromHead ? result.nextForwardToken : result.nextBackwardToken;
    // The same token again means the end of the stream.
    return { items: result.events ?? [], nextToken: next && next !== input.nextToken ? next : undefined };
  },
});

export const containerReadOperations = [
  listEksClusters,
  listEksNodegroups,
  listEksFargateProfiles,
  listEcrRepositories,
  listEcrImages,
  describeEcrScanFindings,
  getLogEvents,
];
export const containerWriteOperations = [scaleEksNodegroup];
