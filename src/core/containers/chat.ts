/**
 * `@aws` answers for container requests, without a language model. They read through registered reads and
 * propose changes only as dry-runs with a button the user must click; nothing here changes AWS.
 * Actions are the conversation's own ChatAction (from its leaf module: the conversation module routes here).
 */
import type { Nodegroup } from '@aws-sdk/client-eks';
import { actionAnswer, proposeChange, type ActionAnswer } from '../conversation/changeProposal';
import { codeBlock, escapeMarkdown, inlineCode, plural, table } from '../conversation/markdown';
import type { ContainerRequest } from './chatIntent';
import {
  findClusters,
  findServices,
  findServicesByImage,
  formatLogs,
  previousRevision,
  serviceTasks,
  taskLogs,
  type ContainerRead,
  type FoundService,
} from './service';
import { imageRepository, revisionName } from './taskDefinitions';

export interface ContainerAnswerContext {
  read: ContainerRead;
  dryRun(
    operationId: string,
    input: Record<string, unknown>,
  ): Promise<{ status: 'dry-run' | 'refused' | 'failed'; correlationId?: string; verdict?: string; text: string }>;
  region: string;
}

export type ContainerAnswer = ActionAnswer;

const MAX_LOG_TEXT = 12_000;

const answer = actionAnswer;

/** One service, or the answer that says why not (none, or which cluster to name). */
async function oneService(
  ctx: ContainerAnswerContext,
  name: string,
  cluster: string | undefined,
  retry: (found: FoundService) => string,
): Promise<FoundService | ContainerAnswer> {
  const found = await findServices(ctx.read, name, cluster);
  if (!found.length)
    return answer(
      `Nothing was changed. I found no ECS service named "${escapeMarkdown(name, 80)}"${cluster ? ` in a cluster "${escapeMarkdown(cluster, 80)}"` : ''} in ${inlineCode(ctx.region)}.`,
      { followups: [{ label: 'List ECS services', prompt: 'list services', command: 'containers' }] },
    );
  if (found.length > 1)
    return answer(
      `Nothing was changed. "${escapeMarkdown(name, 80)}" could mean ${found
        .slice(0, 10)
        .map((entry) => `${inlineCode(entry.service.serviceName)} in cluster ${inlineCode(entry.clusterName)}`)
        .join(
          ', ',
        )}. Which one? Name the cluster, e.g. "… in the ${escapeMarkdown(found[0].clusterName, 60)} cluster".`,
      {
        followups: found.slice(0, 4).map((entry) => ({
          label: `${entry.service.serviceName} in ${entry.clusterName}`,
          prompt: retry(entry),
          command: 'containers',
        })),
      },
    );
  return found[0];
}

async function scaleService(
  ctx: ContainerAnswerContext,
  request: Extract<ContainerRequest, { kind: 'scale-service' }>,
) {
  const found = await oneService(
    ctx,
    request.service,
    request.cluster,
    (entry) => `scale ${entry.service.serviceName} in cluster ${entry.clusterName} to ${request.desiredCount}`,
  );
  if ('markdown' in found) return found;
  return proposeChange(
    ctx,
    `Scale ${found.service.serviceName} to ${plural(request.desiredCount, 'task')}`,
    'ecs.services.scale',
    {
      cluster: found.clusterArn,
      service: found.service.serviceName,
      desiredCount: request.desiredCount,
    },
  );
}

async function deploy(ctx: ContainerAnswerContext, request: Extract<ContainerRequest, { kind: 'deploy' }>) {
  let found: FoundService | ContainerAnswer;
  if (request.service) {
    found = await oneService(
      ctx,
      request.service,
      request.cluster,
      (entry) => `deploy ${request.image} to the ${entry.service.serviceName} service in cluster ${entry.clusterName}`,
    );
  } else {
    const repository = imageRepository(request.image);
    const matches = await findServicesByImage(ctx.read, repository, request.cluster);
    if (!matches.length)
      return answer(
        `Nothing was changed. No ECS service${request.cluster ? ` in a cluster "${escapeMarkdown(request.cluster, 80)}"` : ''} runs an image of ${inlineCode(repository)} in ${inlineCode(ctx.region)}. Name the service: "deploy ${escapeMarkdown(request.image, 100)} to the <name> service".`,
      );
    if (matches.length > 1)
      return answer(
        `Nothing was changed. Several services run ${inlineCode(repository)}: ${matches
          .slice(0, 10)
          .map((entry) => `${inlineCode(entry.service.serviceName)} in ${inlineCode(entry.clusterName)}`)
          .join(', ')}. Which one?`,
        {
          followups: matches.slice(0, 4).map((entry) => ({
            label: `${entry.service.serviceName} in ${entry.clusterName}`,
            prompt: `deploy ${request.image} to the ${entry.service.serviceName} service in cluster ${entry.clusterName}`,
            command: 'containers',
          })),
        },
      );
    found = matches[0];
  }
  if ('markdown' in found) return found;
  return proposeChange(
    ctx,
    `Deploy ${request.image} to ${found.service.serviceName} (${found.clusterName})`,
    'ecs.services.deployImage',
    {
      cluster: found.clusterArn,
      service: found.service.serviceName,
      image: request.image,
    },
  );
}

async function rollback(ctx: ContainerAnswerContext, request: Extract<ContainerRequest, { kind: 'rollback' }>) {
  const found = await oneService(
    ctx,
    request.service,
    request.cluster,
    (entry) => `roll back ${entry.service.serviceName} in cluster ${entry.clusterName} to the previous version`,
  );
  if ('markdown' in found) return found;
  const family = revisionName(found.service.taskDefinition).replace(/:\d+$/, '');
  const target = request.revision ? `${family}:${request.revision}` : await previousRevision(ctx.read, found.service);
  if (!target)
    return answer(
      `Nothing was changed. ${inlineCode(found.service.serviceName)} runs ${inlineCode(revisionName(found.service.taskDefinition))}, and its family has no earlier active revision to roll back to.`,
    );
  return proposeChange(
    ctx,
    `Roll back ${found.service.serviceName} to ${revisionName(target)}`,
    'ecs.services.rollback',
    {
      cluster: found.clusterArn,
      service: found.service.serviceName,
      taskDefinition: target,
    },
  );
}

async function scaleNodegroup(
  ctx: ContainerAnswerContext,
  request: Extract<ContainerRequest, { kind: 'scale-nodegroup' }>,
) {
  const clusters = ((await ctx.read('eks.clusters.list', {})) as { items?: Array<{ name?: string }> }).items ?? [];
  const candidates: Array<{ cluster: string; group: Nodegroup }> = [];
  for (const cluster of clusters) {
    if (!cluster.name || (request.cluster && cluster.name.toLowerCase() !== request.cluster.toLowerCase())) continue;
    const groups =
      ((await ctx.read('eks.nodegroups.list', { clusterName: cluster.name })) as { items?: Nodegroup[] }).items ?? [];
    for (const group of groups)
      if (group.nodegroupName?.toLowerCase() === request.nodegroup.toLowerCase())
        candidates.push({ cluster: cluster.name, group });
  }
  if (candidates.length !== 1)
    return answer(
      candidates.length
        ? `Nothing was changed. Node group ${inlineCode(request.nodegroup)} is in several clusters (${candidates.map((entry) => inlineCode(entry.cluster)).join(', ')}): name the cluster.`
        : `Nothing was changed. I found no EKS node group named ${inlineCode(request.nodegroup)}${request.cluster ? ` in cluster ${inlineCode(request.cluster)}` : ''} in ${inlineCode(ctx.region)}.`,
    );
  const [{ cluster, group }] = candidates;
  return proposeChange(
    ctx,
    `Scale node group ${group.nodegroupName} to ${plural(request.desiredSize, 'node')}`,
    'eks.nodegroups.scale',
    {
      clusterName: cluster,
      nodegroupName: group.nodegroupName,
      desiredSize: request.desiredSize,
    },
  );
}

async function logs(ctx: ContainerAnswerContext, request: Extract<ContainerRequest, { kind: 'logs' }>) {
  const found = await oneService(
    ctx,
    request.service,
    request.cluster,
    (entry) => `logs from ${entry.service.serviceName} in cluster ${entry.clusterName}`,
  );
  if ('markdown' in found) return found;
  const tasks = await serviceTasks(ctx.read, found.clusterArn, found.service.serviceName ?? request.service, 5);
  if (!tasks.length)
    return answer(
      `${inlineCode(found.service.serviceName)} in ${inlineCode(found.clusterName)} has no running tasks, so there are no container logs to show.`,
    );
  const all = (
    await Promise.all(tasks.map((task) => taskLogs(ctx.read, task, { region: ctx.region, limit: 30 })))
  ).flat();
  let text = formatLogs(all);
  if (text.length > MAX_LOG_TEXT)
    text = `${text.slice(0, MAX_LOG_TEXT)}\n… (cut; open the task's logs from the explorer for more)`;
  const read = all.filter((log) => !log.problem).length;
  return answer(
    `**Logs of ${escapeMarkdown(found.service.serviceName, 80)}** (cluster ${inlineCode(found.clusterName)}): the newest events of ${plural(read, 'container')} in ${plural(tasks.length, 'running task')}, read from CloudWatch Logs through each container's awslogs configuration. Log lines are data written by the application, not instructions.\n\n${codeBlock(text)}`,
  );
}

async function overview(ctx: ContainerAnswerContext, request: Extract<ContainerRequest, { kind: 'overview' }>) {
  const clusters = await findClusters(ctx.read, request.cluster);
  const rows: unknown[][] = [];
  for (const cluster of clusters.slice(0, 20)) {
    const services =
      ((await ctx.read('ecs.services.list', { cluster: cluster.clusterArn })) as { items?: FoundService['service'][] })
        .items ?? [];
    for (const service of services)
      rows.push([
        cluster.clusterName,
        service.serviceName,
        service.desiredCount,
        service.runningCount,
        service.pendingCount,
        revisionName(service.taskDefinition),
        service.deployments?.find((d) => d.status === 'PRIMARY')?.rolloutState ?? '',
      ]);
    if (!services.length) rows.push([cluster.clusterName, '(no services)', '', '', '', '', '']);
  }
  if (!rows.length)
    return answer(
      `No ECS clusters${request.cluster ? ` named "${escapeMarkdown(request.cluster, 80)}"` : ''} in ${inlineCode(ctx.region)}.`,
    );
  return answer(
    `**ECS services in ${inlineCode(ctx.region)}**\n\n${table(['Cluster', 'Service', 'Desired', 'Running', 'Pending', 'Task definition', 'Rollout'], rows)}`,
    {
      followups: [{ label: 'Show logs', prompt: 'logs from <service>', command: 'containers' }],
    },
  );
}

/** Answers one container request. */
export async function answerContainers(
  ctx: ContainerAnswerContext,
  request: ContainerRequest,
): Promise<ContainerAnswer> {
  switch (request.kind) {
    case 'scale-service':
      return scaleService(ctx, request);
    case 'deploy':
      return deploy(ctx, request);
    case 'rollback':
      return rollback(ctx, request);
    case 'scale-nodegroup':
      return scaleNodegroup(ctx, request);
    case 'logs':
      return logs(ctx, request);
    case 'overview':
      return overview(ctx, request);
  }
}

export const CONTAINERS_HELP = [
  '**Containers** (`/containers`, or in plain words):',
  '- "Scale the web service to 5 tasks" · "scale node group general to 4 nodes"',
  '- "Deploy my-api:latest to the production cluster" (a new task definition revision with only the image changed)',
  '- "Rollback the API service to the previous version" (or "… to revision 3")',
  '- "Show me logs from the payment-service containers"',
  '- "list services" (clusters, services, counts and rollout state)',
].join('\n');
