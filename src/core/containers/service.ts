/**
 * Container questions answered from registered reads only: find a service by name, its previous revision,
 * and the awslogs output of a task's containers. Shared by chat, the explorer commands and tests.
 */
import type { Service, Task } from '@aws-sdk/client-ecs';
import type { OutputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { awsLogsTargets, imageRepository, revisionName, taskIdOf, type TaskDefinitionLike } from './taskDefinitions';

/** Runs a registered read operation (through the runner) and returns its output. */
export type ContainerRead = (operationId: string, input: Record<string, unknown>) => Promise<unknown>;

interface Page<T> {
  items?: T[];
  nextToken?: string;
}

const MAX_PAGES = 10;

async function all<T>(read: ContainerRead, operationId: string, input: Record<string, unknown>): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const output = (await read(operationId, nextToken ? { ...input, nextToken } : input)) as Page<T>;
    items.push(...(output.items ?? []));
    nextToken = output.nextToken;
    if (!nextToken) break;
  }
  return items;
}

export interface FoundService {
  clusterArn: string;
  clusterName: string;
  service: Service;
}

const normalize = (text: string) => text.toLowerCase().replace(/[\s_]+/g, '-');

/** Clusters whose name is `name` (case and -/_ apart), else those containing it. */
export async function findClusters(
  read: ContainerRead,
  name?: string,
): Promise<Array<{ clusterArn: string; clusterName: string; tags: Record<string, string> }>> {
  const clusters = (
    await all<{ clusterArn?: string; clusterName?: string; tags?: Array<{ key?: string; value?: string }> }>(
      read,
      'ecs.clusters.list',
      {},
    )
  ).map((cluster) => ({
    clusterArn: cluster.clusterArn ?? '',
    clusterName: cluster.clusterName ?? '',
    tags: Object.fromEntries((cluster.tags ?? []).map((tag) => [tag.key ?? '', tag.value ?? ''])),
  }));
  if (!name) return clusters;
  const wanted = normalize(name);
  const exact = clusters.filter((cluster) => normalize(cluster.clusterName) === wanted);
  if (exact.length) return exact;
  const byEnvironment = clusters.filter((cluster) =>
    Object.entries(cluster.tags).some(
      ([key, value]) => /^(environment|env|stage)$/i.test(key) && normalize(value) === wanted,
    ),
  );
  if (byEnvironment.length) return byEnvironment;
  return clusters.filter((cluster) => normalize(cluster.clusterName).includes(wanted));
}

/**
 * Services named `name` in the clusters matching `cluster` (all clusters when none is given): exact names
 * first; otherwise names containing it ("API service" finds "my-api").
 */
export async function findServices(read: ContainerRead, name: string, cluster?: string): Promise<FoundService[]> {
  const clusters = await findClusters(read, cluster);
  const found: FoundService[] = [];
  for (const entry of clusters) {
    const services = await all<Service>(read, 'ecs.services.list', { cluster: entry.clusterArn });
    for (const service of services)
      if (service.status !== 'INACTIVE')
        found.push({ clusterArn: entry.clusterArn, clusterName: entry.clusterName, service });
  }
  const wanted = normalize(name);
  const exact = found.filter((entry) => normalize(entry.service.serviceName ?? '') === wanted);
  if (exact.length) return exact;
  return found.filter((entry) => normalize(entry.service.serviceName ?? '').includes(wanted));
}

/** Services running an image of `repository` (the part before the tag), in the clusters matching `cluster`. */
export async function findServicesByImage(
  read: ContainerRead,
  repository: string,
  cluster?: string,
): Promise<FoundService[]> {
  const clusters = await findClusters(read, cluster);
  const found: FoundService[] = [];
  for (const entry of clusters) {
    for (const service of await all<Service>(read, 'ecs.services.list', { cluster: entry.clusterArn })) {
      if (service.status === 'INACTIVE' || !service.taskDefinition) continue;
      const definition = (await read('ecs.taskDefinitions.describe', {
        taskDefinition: service.taskDefinition,
      })) as TaskDefinitionLike;
      if (
        (definition.containerDefinitions ?? []).some(
          (container) => container.image && imageRepository(container.image) === repository,
        )
      )
        found.push({ clusterArn: entry.clusterArn, clusterName: entry.clusterName, service });
    }
  }
  return found;
}

/** The revision before the service's current one: the newest active revision of its family below it. */
export async function previousRevision(read: ContainerRead, service: Service): Promise<string | undefined> {
  const current = service.taskDefinition;
  if (!current) return undefined;
  const name = revisionName(current);
  const family = name.replace(/:\d+$/, '');
  const revision = Number(name.split(':').pop());
  const revisions = await all<string>(read, 'ecs.taskDefinitions.revisions', { family, sort: 'DESC' });
  return revisions
    .map((arn) => ({ arn, number: Number(revisionName(arn).split(':').pop()) }))
    .filter((entry) => entry.number < revision)
    .sort((a, b) => b.number - a.number)[0]?.arn;
}

export interface ContainerLog {
  taskId: string;
  containerName: string;
  logGroupName?: string;
  logStreamName?: string;
  events: Array<{ timestamp?: number; message?: string }>;
  /** Why there are no events to show (no awslogs, another region, the read failed). */
  problem?: string;
}

/** The newest `limit` events of each container of a task, through its awslogs configuration. */
export async function taskLogs(
  read: ContainerRead,
  task: Pick<Task, 'taskArn' | 'taskDefinitionArn'>,
  options: { region: string; limit?: number },
): Promise<ContainerLog[]> {
  const taskId = taskIdOf(task.taskArn ?? '');
  if (!task.taskDefinitionArn)
    return [{ taskId, containerName: '*', events: [], problem: 'the task has no task definition' }];
  const definition = (await read('ecs.taskDefinitions.describe', {
    taskDefinition: task.taskDefinitionArn,
  })) as TaskDefinitionLike;
  const { targets, unsupported } = awsLogsTargets(definition, taskId);
  const out: ContainerLog[] = unsupported.map((entry) => ({
    taskId,
    containerName: entry.containerName,
    events: [],
    problem: `its log driver is ${entry.logDriver}; only awslogs (CloudWatch Logs) can be read`,
  }));
  for (const target of targets) {
    const base = {
      taskId,
      containerName: target.containerName,
      logGroupName: target.logGroupName,
      logStreamName: target.logStreamName,
    };
    if (!target.logStreamName) {
      out.push({
        ...base,
        events: [],
        problem: 'its awslogs configuration has no awslogs-stream-prefix, so the stream name is unknown',
      });
      continue;
    }
    if (target.region && target.region !== options.region) {
      out.push({
        ...base,
        events: [],
        problem: `its logs are in ${target.region}; switch to that region to read them`,
      });
      continue;
    }
    try {
      const page = (await read('logs.events.get', {
        logGroupName: target.logGroupName,
        logStreamName: target.logStreamName,
        limit: options.limit ?? 100,
      })) as Page<OutputLogEvent>;
      out.push({
        ...base,
        events: (page.items ?? []).map((event) => ({ timestamp: event.timestamp, message: event.message })),
      });
    } catch (error) {
      out.push({ ...base, events: [], problem: (error as Error).message });
    }
  }
  return out;
}

/** Tasks of a service that run now (or are about to), at most `maxTasks`. */
export async function serviceTasks(
  read: ContainerRead,
  clusterArn: string,
  serviceName: string,
  maxTasks = 10,
): Promise<Task[]> {
  const tasks = await all<Task>(read, 'ecs.tasks.list', { cluster: clusterArn, serviceName, desiredStatus: 'RUNNING' });
  // A task a service started has the group service:<name> (moto ignores serviceName; AWS sets the group).
  return tasks.filter((task) => task.group === `service:${serviceName}`).slice(0, maxTasks);
}

/** Plain text of the logs: a header per container, then one line per event with its UTC time. */
export function formatLogs(logs: ContainerLog[]): string {
  const lines: string[] = [];
  for (const log of logs) {
    lines.push(
      `=== ${log.containerName} · task ${log.taskId}${log.logStreamName ? ` · ${log.logGroupName} ${log.logStreamName}` : ''}`,
    );
    if (log.problem) lines.push(`(not read: ${log.problem})`);
    else if (!log.events.length) lines.push('(no events)');
    for (const event of log.events)
      lines.push(
        `${event.timestamp !== undefined ? new Date(event.timestamp).toISOString() : '?'}  ${event.message?.replace(/\s+$/, '') ?? ''}`,
      );
    lines.push('');
  }
  return lines.join('\n');
}
