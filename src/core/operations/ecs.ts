import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  type Cluster,
  type Service,
  type Tag,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { ecsService } from '../aws/services';
import {
  containerForImage,
  describeChanges,
  diffTaskDefinitions,
  resolveImageReference,
  revisionName,
  withImage,
} from '../containers/taskDefinitions';
import { defineOperation, READ_ONLY } from './define';
import type { OperationContext, TargetResource } from './types';

const NAME_OR_ARN = /^[A-Za-z0-9:/_.-]{1,1600}$/;
const clusterRef = z
  .string()
  .regex(NAME_OR_ARN, 'Expected an ECS cluster name or ARN.')
  .describe('ECS cluster name or ARN');
const serviceRef = z
  .string()
  .regex(NAME_OR_ARN, 'Expected an ECS service name or ARN.')
  .describe('ECS service name or ARN');
const taskRef = z.string().regex(NAME_OR_ARN, 'Expected an ECS task ID or ARN.').describe('ECS task ID or ARN');
const taskDefinitionRef = z
  .string()
  .regex(NAME_OR_ARN, 'Expected a task definition family:revision or ARN.')
  .describe('task definition family:revision (e.g. web:3) or ARN');
const imageRef = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,1023}$/,
    'Expected a container image such as my-api:1.4 or 123.dkr.ecr.us-east-1.amazonaws.com/my-api:1.4.',
  )
  .describe('container image, e.g. my-api:latest (the registry of the current image is kept) or a full reference');
const page = (max: number) => ({
  maxResults: z.number().int().min(1).max(max).optional().describe('Page size.'),
  nextToken: z.string().max(4096).optional().describe('Token from the previous page.'),
});

export interface EcsPage<T> {
  items: T[];
  nextToken?: string;
}

function tagRecord(tags: Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).filter((tag) => tag.key).map((tag) => [tag.key!, tag.value ?? '']));
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}

async function describeServices(ctx: OperationContext, cluster: string, services: string[]): Promise<Service[]> {
  const ecs = await ctx.client(ecsService);
  const out: Service[] = [];
  for (const batch of chunks(services, 10)) {
    const result = await ecs.send(new DescribeServicesCommand({ cluster, services: batch, include: ['TAGS'] }));
    out.push(...(result.services ?? []));
  }
  return out;
}

async function oneService(ctx: OperationContext, cluster: string, service: string): Promise<Service> {
  const [found] = await describeServices(ctx, cluster, [service]);
  if (!found || found.status === 'INACTIVE')
    throw Object.assign(new Error(`There is no active service "${service}" in cluster "${cluster}".`), {
      name: 'ServiceNotFoundException',
    });
  return found;
}

async function clusterTags(ctx: OperationContext, cluster: string): Promise<Record<string, string>> {
  const ecs = await ctx.client(ecsService);
  const result = await ecs.send(new DescribeClustersCommand({ clusters: [cluster], include: ['TAGS'] }));
  return tagRecord(result.clusters?.[0]?.tags);
}

async function taskDefinition(ctx: OperationContext, ref: string): Promise<TaskDefinition> {
  const ecs = await ctx.client(ecsService);
  const result = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }));
  if (!result.taskDefinition)
    throw Object.assign(new Error(`Task definition ${ref} was not found.`), { name: 'ClientException' });
  return result.taskDefinition;
}

/** The service as a target: its own tags over its cluster's, so either can name the environment. */
async function serviceTarget(
  ctx: OperationContext,
  cluster: string,
  service: string,
  action: string,
  details: string[] = [],
): Promise<{ target: TargetResource; service: Service }> {
  const [found, inherited] = await Promise.all([oneService(ctx, cluster, service), clusterTags(ctx, cluster)]);
  return {
    service: found,
    target: {
      type: 'ecs:service',
      id: found.serviceArn ?? service,
      name: found.serviceName ?? service,
      role: 'target',
      action,
      tags: { ...inherited, ...tagRecord(found.tags) },
      state: found.status,
      details: [
        `desired ${found.desiredCount ?? 0}, running ${found.runningCount ?? 0}, pending ${found.pendingCount ?? 0}`,
        `task definition ${revisionName(found.taskDefinition)}`,
        ...details,
      ],
    },
  };
}

// Reads

export const listEcsClusters = defineOperation({
  id: 'ecs.clusters.list',
  service: 'ecs',
  title: 'List ECS clusters',
  description: 'ECS clusters with status, active services, running and pending task counts, and tags.',
  ...READ_ONLY,
  input: z.object({ ...page(100) }).strict(),
  async handler(ctx, input): Promise<EcsPage<Cluster>> {
    const ecs = await ctx.client(ecsService);
    const listed = await ecs.send(
      new ListClustersCommand({ maxResults: input.maxResults, nextToken: input.nextToken }),
    );
    const arns = listed.clusterArns ?? [];
    const items: Cluster[] = [];
    for (const batch of chunks(arns, 100)) {
      const described = await ecs.send(new DescribeClustersCommand({ clusters: batch, include: ['TAGS'] }));
      items.push(...(described.clusters ?? []));
    }
    return { items, nextToken: listed.nextToken || undefined };
  },
});

export const listEcsServices = defineOperation({
  id: 'ecs.services.list',
  service: 'ecs',
  title: 'List ECS services',
  description:
    'The services of an ECS cluster: desired, running and pending counts, task definition, deployments with their rollout state, and tags.',
  ...READ_ONLY,
  input: z.object({ cluster: clusterRef, ...page(100) }).strict(),
  async handler(ctx, input): Promise<EcsPage<Service>> {
    const ecs = await ctx.client(ecsService);
    const listed = await ecs.send(
      new ListServicesCommand({ cluster: input.cluster, maxResults: input.maxResults, nextToken: input.nextToken }),
    );
    const items = await describeServices(ctx, input.cluster, listed.serviceArns ?? []);
    return { items, nextToken: listed.nextToken || undefined };
  },
});

export const describeEcsServices = defineOperation({
  id: 'ecs.services.describe',
  service: 'ecs',
  title: 'Describe ECS services',
  description: 'Up to 10 services of one ECS cluster by name or ARN, with deployments, events and tags.',
  ...READ_ONLY,
  input: z.object({ cluster: clusterRef, services: z.array(serviceRef).min(1).max(10) }).strict(),
  async handler(ctx, input): Promise<EcsPage<Service>> {
    return { items: await describeServices(ctx, input.cluster, input.services) };
  },
});

export const listEcsTasks = defineOperation({
  id: 'ecs.tasks.list',
  service: 'ecs',
  title: 'List ECS tasks',
  description:
    "Tasks of an ECS cluster (optionally of one service): last and desired status, task definition, and each container's last status and exit code.",
  ...READ_ONLY,
  input: z
    .object({
      cluster: clusterRef,
      serviceName: serviceRef.optional(),
      desiredStatus: z.enum(['RUNNING', 'PENDING', 'STOPPED']).optional(),
      ...page(100),
    })
    .strict(),
  async handler(ctx, input): Promise<EcsPage<Task>> {
    const ecs = await ctx.client(ecsService);
    const listed = await ecs.send(
      new ListTasksCommand({
        cluster: input.cluster,
        serviceName: input.serviceName,
        desiredStatus: input.desiredStatus,
        maxResults: input.maxResults,
        nextToken: input.nextToken,
      }),
    );
    const items: Task[] = [];
    for (const batch of chunks(listed.taskArns ?? [], 100)) {
      const described = await ecs.send(
        new DescribeTasksCommand({ cluster: input.cluster, tasks: batch, include: ['TAGS'] }),
      );
      items.push(...(described.tasks ?? []));
    }
    return { items, nextToken: listed.nextToken || undefined };
  },
});

export const describeEcsTasks = defineOperation({
  id: 'ecs.tasks.describe',
  service: 'ecs',
  title: 'Describe ECS tasks',
  description:
    'Up to 100 tasks of one ECS cluster by ID or ARN: status, task definition, containers with last status and exit code.',
  ...READ_ONLY,
  input: z.object({ cluster: clusterRef, tasks: z.array(taskRef).min(1).max(100) }).strict(),
  async handler(ctx, input): Promise<EcsPage<Task>> {
    const ecs = await ctx.client(ecsService);
    const described = await ecs.send(
      new DescribeTasksCommand({ cluster: input.cluster, tasks: input.tasks, include: ['TAGS'] }),
    );
    return { items: described.tasks ?? [] };
  },
});

export const listTaskDefinitionFamilies = defineOperation({
  id: 'ecs.taskDefinitions.families',
  service: 'ecs',
  title: 'List ECS task definition families',
  description: 'The task definition families of the account and region (active ones by default).',
  ...READ_ONLY,
  input: z
    .object({
      familyPrefix: z.string().max(255).optional(),
      status: z.enum(['ACTIVE', 'INACTIVE', 'ALL']).optional(),
      ...page(100),
    })
    .strict(),
  async handler(ctx, input): Promise<EcsPage<string>> {
    const ecs = await ctx.client(ecsService);
    const result = await ecs.send(
      new ListTaskDefinitionFamiliesCommand({
        familyPrefix: input.familyPrefix,
        status: input.status ?? 'ACTIVE',
        maxResults: input.maxResults,
        nextToken: input.nextToken,
      }),
    );
    return { items: result.families ?? [], nextToken: result.nextToken || undefined };
  },
});

export const listTaskDefinitionRevisions = defineOperation({
  id: 'ecs.taskDefinitions.revisions',
  service: 'ecs',
  title: 'List ECS task definition revisions',
  description: 'The revision ARNs of one task definition family, newest first by default.',
  ...READ_ONLY,
  input: z
    .object({
      family: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'Expected a task definition family name.'),
      sort: z.enum(['ASC', 'DESC']).optional(),
      status: z.enum(['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS']).optional(),
      ...page(100),
    })
    .strict(),
  async handler(ctx, input): Promise<EcsPage<string>> {
    const ecs = await ctx.client(ecsService);
    const result = await ecs.send(
      new ListTaskDefinitionsCommand({
        familyPrefix: input.family,
        sort: input.sort ?? 'DESC',
        status: input.status ?? 'ACTIVE',
        maxResults: input.maxResults,
        nextToken: input.nextToken,
      }),
    );
    // familyPrefix matches by prefix: keep this family's revisions only; order the page as asked (moto ignores sort).
    const number = (arn: string) => Number(revisionName(arn).split(':').pop());
    const items = (result.taskDefinitionArns ?? [])
      .filter((arn) => revisionName(arn).replace(/:\d+$/, '') === input.family)
      .sort((a, b) => (input.sort === 'ASC' ? number(a) - number(b) : number(b) - number(a)));
    return { items, nextToken: result.nextToken || undefined };
  },
});

export const describeTaskDefinition = defineOperation({
  id: 'ecs.taskDefinitions.describe',
  service: 'ecs',
  title: 'Describe an ECS task definition',
  description:
    'One task definition revision: containers, images, ports, environment, log configuration, CPU and memory.',
  ...READ_ONLY,
  input: z.object({ taskDefinition: taskDefinitionRef }).strict(),
  async handler(ctx, input): Promise<TaskDefinition> {
    return taskDefinition(ctx, input.taskDefinition);
  },
});

// Writes

export const scaleEcsService = defineOperation({
  id: 'ecs.services.scale',
  service: 'ecs',
  title: 'Scale an ECS service',
  description: 'Sets the desired task count of an ECS service (UpdateService desiredCount).',
  kind: 'write',
  destructive: false,
  costImpact: 'variable',
  rollbackSupported: true,
  rollbackNote: 'Scale the service back to its previous desired count.',
  input: z
    .object({ cluster: clusterRef, service: serviceRef, desiredCount: z.number().int().min(0).max(10_000) })
    .strict(),
  async targets(ctx, input) {
    return [(await serviceTarget(ctx, input.cluster, input.service, 'scale')).target];
  },
  async preview(ctx, input, targets) {
    const current = await oneService(ctx, input.cluster, input.service);
    const before = current.desiredCount ?? 0;
    const name = targets[0]?.name ?? input.service;
    return {
      summary: `Scale ${name}: desired ${before} → ${input.desiredCount}`,
      changes: [
        `desired ${before} → ${input.desiredCount} (running ${current.runningCount ?? 0}, pending ${current.pendingCount ?? 0})`,
      ],
      warnings:
        input.desiredCount === 0
          ? ['Desired 0 stops every task of the service.']
          : before === input.desiredCount
            ? ['The service already has this desired count.']
            : [],
      cost: {
        direction: input.desiredCount > before ? 'increase' : input.desiredCount < before ? 'decrease' : 'none',
        note: 'Each task is billed (Fargate) or takes capacity on the cluster (EC2) while it runs.',
      },
    };
  },
  async handler(ctx, input) {
    const ecs = await ctx.client(ecsService);
    const before = (await oneService(ctx, input.cluster, input.service)).desiredCount;
    const result = await ecs.send(
      new UpdateServiceCommand({ cluster: input.cluster, service: input.service, desiredCount: input.desiredCount }),
    );
    return {
      serviceArn: result.service?.serviceArn ?? input.service,
      previousDesiredCount: before,
      desiredCount: result.service?.desiredCount,
    };
  },
  resourceIds: (output) => [output.serviceArn],
});

export const deployEcsImage = defineOperation({
  id: 'ecs.services.deployImage',
  service: 'ecs',
  title: 'Deploy an image to an ECS service',
  description:
    "Registers a new revision of the service's task definition that differs only in one container's image, then updates the service to it.",
  kind: 'write',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: true,
  rollbackNote: 'Roll the service back to the previous task definition revision (ecs.services.rollback).',
  input: z
    .object({
      cluster: clusterRef,
      service: serviceRef,
      image: imageRef,
      containerName: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,255}$/)
        .optional(),
    })
    .strict(),
  async targets(ctx, input) {
    return [(await serviceTarget(ctx, input.cluster, input.service, 'deploy')).target];
  },
  async preview(ctx, input) {
    const service = await oneService(ctx, input.cluster, input.service);
    const current = await taskDefinition(ctx, service.taskDefinition ?? '');
    const container = containerForImage(current, input.image, input.containerName);
    const image = resolveImageReference(input.image, container.image);
    const warnings =
      container.image === image
        ? [`${container.name} already runs ${image}: the new revision is the same as the current one.`]
        : [];
    return {
      summary: `Deploy ${image} to ${service.serviceName}: new revision of ${current.family} (now ${revisionName(current.taskDefinitionArn)})`,
      changes: [
        `task definition ${revisionName(current.taskDefinitionArn)} → ${current.family}:(next revision)`,
        `containerDefinitions[${container.name}].image: ${container.image ?? '(none)'} → ${image}`,
        'Nothing else in the task definition changes; the service then rolls out the new revision.',
      ],
      warnings,
      cost: {
        direction: 'none',
        note: 'Same task size; a rolling deployment briefly runs old and new tasks side by side.',
      },
    };
  },
  async handler(ctx, input) {
    const ecs = await ctx.client(ecsService);
    const service = await oneService(ctx, input.cluster, input.service);
    const current = await taskDefinition(ctx, service.taskDefinition ?? '');
    const container = containerForImage(current, input.image, input.containerName);
    const image = resolveImageReference(input.image, container.image);
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand(withImage(current, container.name ?? '', image) as never),
    );
    const arn = registered.taskDefinition?.taskDefinitionArn;
    if (!arn) throw new Error('RegisterTaskDefinition returned no task definition ARN.');
    const updated = await ecs.send(
      new UpdateServiceCommand({ cluster: input.cluster, service: input.service, taskDefinition: arn }),
    );
    return {
      serviceArn: updated.service?.serviceArn ?? input.service,
      previousTaskDefinition: current.taskDefinitionArn,
      taskDefinition: arn,
      containerName: container.name,
      image,
    };
  },
  resourceIds: (output) => [output.serviceArn, output.taskDefinition],
});

export const rollbackEcsService = defineOperation({
  id: 'ecs.services.rollback',
  service: 'ecs',
  title: 'Roll back an ECS service',
  description:
    'Updates an ECS service to an earlier task definition revision (UpdateService taskDefinition). The preview lists what differs between the two revisions.',
  kind: 'write',
  destructive: false,
  costImpact: 'variable',
  rollbackSupported: true,
  rollbackNote: 'Roll forward again to the revision the service ran before.',
  input: z.object({ cluster: clusterRef, service: serviceRef, taskDefinition: taskDefinitionRef }).strict(),
  async targets(ctx, input) {
    return [(await serviceTarget(ctx, input.cluster, input.service, 'roll back')).target];
  },
  async preview(ctx, input) {
    const service = await oneService(ctx, input.cluster, input.service);
    const [current, target] = await Promise.all([
      taskDefinition(ctx, service.taskDefinition ?? ''),
      taskDefinition(ctx, input.taskDefinition),
    ]);
    const warnings: string[] = [];
    if (current.family !== target.family)
      warnings.push(
        `The service runs family ${current.family}; ${revisionName(target.taskDefinitionArn)} is another family.`,
      );
    if (current.taskDefinitionArn === target.taskDefinitionArn)
      warnings.push('The service already runs this revision.');
    return {
      summary: `Roll back ${service.serviceName}: task definition ${revisionName(current.taskDefinitionArn)} → ${revisionName(target.taskDefinitionArn)}`,
      changes: [
        `task definition ${revisionName(current.taskDefinitionArn)} → ${revisionName(target.taskDefinitionArn)}`,
        ...describeChanges(diffTaskDefinitions(current, target)),
      ],
      warnings,
      cost: { direction: 'variable', note: 'Follows the CPU and memory of the revision rolled back to.' },
    };
  },
  async handler(ctx, input) {
    const ecs = await ctx.client(ecsService);
    const before = (await oneService(ctx, input.cluster, input.service)).taskDefinition;
    const target = await taskDefinition(ctx, input.taskDefinition);
    const updated = await ecs.send(
      new UpdateServiceCommand({
        cluster: input.cluster,
        service: input.service,
        taskDefinition: target.taskDefinitionArn,
      }),
    );
    return {
      serviceArn: updated.service?.serviceArn ?? input.service,
      previousTaskDefinition: before,
      taskDefinition: target.taskDefinitionArn,
    };
  },
  resourceIds: (output) => [output.serviceArn],
});

export const stopEcsTask = defineOperation({
  id: 'ecs.tasks.stop',
  service: 'ecs',
  title: 'Stop an ECS task',
  description:
    "Stops one running ECS task. A service's scheduler starts a replacement to keep its desired count; a standalone task is gone.",
  kind: 'delete',
  destructive: true,
  costImpact: 'decrease',
  rollbackSupported: false,
  input: z.object({ cluster: clusterRef, task: taskRef, reason: z.string().max(255).optional() }).strict(),
  async targets(ctx, input) {
    const ecs = await ctx.client(ecsService);
    const [described, inherited] = await Promise.all([
      ecs.send(new DescribeTasksCommand({ cluster: input.cluster, tasks: [input.task], include: ['TAGS'] })),
      clusterTags(ctx, input.cluster),
    ]);
    const task = described.tasks?.[0];
    if (!task)
      throw Object.assign(new Error(`There is no task "${input.task}" in cluster "${input.cluster}".`), {
        name: 'InvalidParameterException',
      });
    return [
      {
        type: 'ecs:task',
        id: task.taskArn ?? input.task,
        name: task.taskArn?.split('/').pop(),
        role: 'target' as const,
        action: 'stop',
        tags: { ...inherited, ...tagRecord(task.tags) },
        state: task.lastStatus,
        details: [`group ${task.group ?? '-'}`, `task definition ${revisionName(task.taskDefinitionArn)}`],
      },
    ];
  },
  preview(_ctx, input, targets) {
    const task = targets[0];
    const fromService = task?.details?.[0]?.startsWith('group service:');
    return {
      summary: `Stop task ${task?.name ?? input.task} (${task?.state ?? 'unknown'} → STOPPED)`,
      changes: [`last status ${task?.state ?? 'unknown'} → STOPPED`, ...(task?.details ?? [])],
      warnings: fromService
        ? ['The service starts a replacement task to keep its desired count.']
        : ['A standalone task is not replaced.'],
    };
  },
  async handler(ctx, input) {
    const ecs = await ctx.client(ecsService);
    const result = await ecs.send(
      new StopTaskCommand({
        cluster: input.cluster,
        task: input.task,
        reason: input.reason ?? 'Stopped from Pilot Light.',
      }),
    );
    return { taskArn: result.task?.taskArn ?? input.task, desiredStatus: result.task?.desiredStatus };
  },
  resourceIds: (output) => [output.taskArn],
});

export const ecsReadOperations = [
  listEcsClusters,
  listEcsServices,
  describeEcsServices,
  listEcsTasks,
  describeEcsTasks,
  listTaskDefinitionFamilies,
  listTaskDefinitionRevisions,
  describeTaskDefinition,
];
export const ecsWriteOperations = [scaleEcsService, deployEcsImage, rollbackEcsService, stopEcsTask];
