import type { Cluster as EcsCluster, Container, Deployment, Service, Task } from '@aws-sdk/client-ecs';
import type { Cluster as EksCluster, FargateProfile, Nodegroup } from '@aws-sdk/client-eks';
import type { ImageDetail, Repository } from '@aws-sdk/client-ecr';
import { revisionName } from '../containers/taskDefinitions';
import { inMemoryLister, type ResourceLister, type ResourceSummary, type StateTone } from './model';
import { compact, day, pagedLister, readPage } from './pagedLister';

const ECS_PAGE: [number, number] = [1, 100];

function ecsTags(tags: Array<{ key?: string; value?: string }> | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).filter((tag) => tag.key).map((tag) => [tag.key!, tag.value ?? '']));
}

/** "desired 2 · running 1 · pending 1". */
export function countsOf(item: { desiredCount?: number; runningCount?: number; pendingCount?: number }): string {
  return `desired ${item.desiredCount ?? 0} · running ${item.runningCount ?? 0} · pending ${item.pendingCount ?? 0}`;
}

/** A service is settled when its primary deployment completed and every desired task runs. */
export function serviceTone(service: Service): StateTone {
  if (service.status === 'DRAINING') return 'transitional';
  if (service.status !== 'ACTIVE') return 'stopped';
  const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  if (primary?.rolloutState === 'FAILED') return 'error';
  if (primary?.rolloutState === 'IN_PROGRESS' || (service.deployments?.length ?? 0) > 1) return 'transitional';
  if ((service.pendingCount ?? 0) > 0) return 'transitional';
  return (service.runningCount ?? 0) >= (service.desiredCount ?? 0) ? 'ok' : 'error';
}

const ROLLOUT_TONES: Record<string, StateTone> = { COMPLETED: 'ok', IN_PROGRESS: 'transitional', FAILED: 'error' };

function deploymentSummary(serviceArn: string, deployment: Deployment): ResourceSummary {
  return {
    type: 'ecs:deployment',
    id: `${serviceArn}#${deployment.id ?? '?'}`,
    name: `${deployment.status ?? 'deployment'} ${revisionName(deployment.taskDefinition)}`,
    state: deployment.rolloutState ?? deployment.status,
    stateTone: (deployment.rolloutState && ROLLOUT_TONES[deployment.rolloutState]) || 'unknown',
    details: compact([
      deployment.rolloutState && `rollout ${deployment.rolloutState}`,
      countsOf(deployment),
      deployment.failedTasks ? `${deployment.failedTasks} failed tasks` : undefined,
      day(deployment.updatedAt ?? deployment.createdAt),
    ]),
    tags: {},
    raw: deployment,
  };
}

const TASK_TONES: Record<string, StateTone> = {
  RUNNING: 'ok',
  PROVISIONING: 'transitional',
  PENDING: 'transitional',
  ACTIVATING: 'transitional',
  DEACTIVATING: 'transitional',
  STOPPING: 'transitional',
  DEPROVISIONING: 'transitional',
  STOPPED: 'stopped',
};

/** "web RUNNING", "worker STOPPED exit 1". */
export function containerState(container: Container): string {
  const exit =
    container.exitCode !== undefined && container.lastStatus === 'STOPPED' ? ` exit ${container.exitCode}` : '';
  return `${container.name ?? '?'} ${container.lastStatus ?? 'UNKNOWN'}${exit}`;
}

export function summarizeTask(task: Task): ResourceSummary {
  const arn = task.taskArn ?? 'unknown';
  const id = arn.split('/').pop() ?? arn;
  const failed = task.containers?.some(
    (container) => container.exitCode !== undefined && container.exitCode !== 0 && container.lastStatus === 'STOPPED',
  );
  return {
    type: 'ecs:task',
    id: arn,
    name: id,
    arn,
    state: task.lastStatus,
    stateTone: failed ? 'error' : (task.lastStatus && TASK_TONES[task.lastStatus]) || 'unknown',
    details: compact([
      task.lastStatus,
      task.desiredStatus && task.desiredStatus !== task.lastStatus && `→ ${task.desiredStatus}`,
      revisionName(task.taskDefinitionArn),
      ...(task.containers ?? []).map(containerState),
      task.stoppedReason,
    ]),
    tags: ecsTags(task.tags),
    raw: task,
    children: [
      inMemoryLister(
        'ecs:container',
        'Containers',
        (task.containers ?? []).map((container) => ({
          type: 'ecs:container',
          id: `${arn}#${container.name ?? '?'}`,
          name: container.name ?? '?',
          state: container.lastStatus,
          stateTone:
            container.lastStatus === 'STOPPED' && container.exitCode
              ? 'error'
              : (container.lastStatus && TASK_TONES[container.lastStatus]) || 'unknown',
          details: compact([
            container.lastStatus,
            container.exitCode !== undefined && container.lastStatus === 'STOPPED' && `exit ${container.exitCode}`,
            container.image,
            container.reason,
          ]),
          tags: {},
          raw: container,
        })),
      ),
    ],
  };
}

/** A task a service started has the group `service:<name>` (AWS sets it; it also holds where an API ignores serviceName). */
export function belongsToService(task: Task, serviceName: string): boolean {
  return task.group === `service:${serviceName}`;
}

export function ecsTaskLister(cluster: string, serviceName?: string): ResourceLister {
  return pagedLister({
    type: 'ecs:task',
    title: 'Tasks',
    pageRange: ECS_PAGE,
    async fetch(read, page) {
      const result = await readPage<Task>(read, 'ecs.tasks.list', {
        cluster,
        ...(serviceName ? { serviceName } : {}),
        ...page,
      });
      return serviceName
        ? { ...result, items: result.items.filter((task) => belongsToService(task, serviceName)) }
        : result;
    },
    summarize: summarizeTask,
  });
}

/** The revisions of one family, newest first. */
export function taskDefinitionRevisionLister(family: string, current?: string): ResourceLister {
  return pagedLister({
    type: 'ecs:task-definition',
    title: `Revisions of ${family}`,
    pageRange: ECS_PAGE,
    fetch: (read, page) => readPage<string>(read, 'ecs.taskDefinitions.revisions', { family, ...page }),
    summarize(arn: string): ResourceSummary {
      const name = revisionName(arn);
      return {
        type: 'ecs:task-definition',
        id: arn,
        name,
        arn,
        details: compact([current && arn === current && 'current']),
        tags: {},
        raw: { taskDefinitionArn: arn, family },
      };
    },
  });
}

export function summarizeService(service: Service): ResourceSummary {
  const arn = service.serviceArn ?? service.serviceName ?? 'unknown';
  const cluster = service.clusterArn ?? '';
  const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  const family = revisionName(service.taskDefinition).replace(/:\d+$/, '');
  return {
    type: 'ecs:service',
    id: arn,
    name: service.serviceName ?? arn,
    arn: service.serviceArn,
    state: service.status,
    stateTone: serviceTone(service),
    details: compact([
      countsOf(service),
      revisionName(service.taskDefinition),
      primary?.rolloutState && `rollout ${primary.rolloutState}`,
      (service.deployments?.length ?? 0) > 1 && `${service.deployments!.length} deployments`,
      service.launchType,
    ]),
    tags: ecsTags(service.tags),
    raw: service,
    children: [
      inMemoryLister(
        'ecs:deployment',
        'Deployments',
        (service.deployments ?? []).map((deployment) => deploymentSummary(arn, deployment)),
      ),
      ecsTaskLister(cluster, service.serviceName),
      ...(family && family !== 'unknown' ? [taskDefinitionRevisionLister(family, service.taskDefinition)] : []),
    ],
  };
}

export function ecsServiceLister(cluster: string): ResourceLister {
  return pagedLister({
    type: 'ecs:service',
    title: 'Services',
    pageRange: ECS_PAGE,
    fetch: (read, page) => readPage<Service>(read, 'ecs.services.list', { cluster, ...page }),
    summarize: summarizeService,
    fetchOne: async (read, id) =>
      (await readPage<Service>(read, 'ecs.services.describe', { cluster, services: [id] })).items[0],
  });
}

export const ecsClusterLister = pagedLister({
  type: 'ecs:cluster',
  title: 'Clusters',
  pageRange: ECS_PAGE,
  fetch: (read, page) => readPage<EcsCluster>(read, 'ecs.clusters.list', page),
  summarize(cluster: EcsCluster): ResourceSummary {
    const arn = cluster.clusterArn ?? cluster.clusterName ?? 'unknown';
    return {
      type: 'ecs:cluster',
      id: arn,
      name: cluster.clusterName ?? arn,
      arn: cluster.clusterArn,
      state: cluster.status,
      stateTone: cluster.status === 'ACTIVE' ? 'ok' : cluster.status === 'PROVISIONING' ? 'transitional' : 'stopped',
      details: compact([
        cluster.status,
        `${cluster.activeServicesCount ?? 0} services`,
        `${cluster.runningTasksCount ?? 0} running`,
        cluster.pendingTasksCount ? `${cluster.pendingTasksCount} pending` : undefined,
      ]),
      tags: ecsTags(cluster.tags),
      raw: cluster,
      children: [ecsServiceLister(arn), ecsTaskLister(arn)],
    };
  },
});

export const taskDefinitionFamilyLister = pagedLister({
  type: 'ecs:task-definition-family',
  title: 'Task definitions',
  pageRange: ECS_PAGE,
  fetch: (read, page) => readPage<string>(read, 'ecs.taskDefinitions.families', page),
  summarize(family: string): ResourceSummary {
    return {
      type: 'ecs:task-definition-family',
      id: family,
      name: family,
      details: [],
      tags: {},
      raw: { family },
      children: [taskDefinitionRevisionLister(family)],
    };
  },
});

// EKS

const EKS_TONES: Record<string, StateTone> = {
  ACTIVE: 'ok',
  CREATING: 'transitional',
  UPDATING: 'transitional',
  DELETING: 'transitional',
  FAILED: 'error',
  DEGRADED: 'error',
  CREATE_FAILED: 'error',
  DELETE_FAILED: 'error',
  PENDING: 'transitional',
};

export function scalingOf(group: Nodegroup): string {
  const scaling = group.scalingConfig ?? {};
  return `min ${scaling.minSize ?? '?'} · desired ${scaling.desiredSize ?? '?'} · max ${scaling.maxSize ?? '?'}`;
}

export function eksNodegroupLister(clusterName: string): ResourceLister {
  return pagedLister({
    type: 'eks:nodegroup',
    title: 'Node groups',
    pageRange: ECS_PAGE,
    fetch: (read, page) => readPage<Nodegroup>(read, 'eks.nodegroups.list', { clusterName, ...page }),
    summarize(group: Nodegroup): ResourceSummary {
      const name = group.nodegroupName ?? 'unknown';
      return {
        type: 'eks:nodegroup',
        id: group.nodegroupArn ?? `${clusterName}/${name}`,
        name,
        arn: group.nodegroupArn,
        state: group.status,
        stateTone: (group.status && EKS_TONES[group.status]) || 'unknown',
        details: compact([
          group.status,
          group.version && `v${group.version}`,
          scalingOf(group),
          (group.instanceTypes ?? []).join(', '),
          group.capacityType,
        ]),
        tags: { ...(group.tags ?? {}) },
        raw: group,
      };
    },
  });
}

export function eksFargateProfileLister(clusterName: string): ResourceLister {
  return pagedLister({
    type: 'eks:fargate-profile',
    title: 'Fargate profiles',
    pageRange: ECS_PAGE,
    fetch: (read, page) => readPage<FargateProfile>(read, 'eks.fargateProfiles.list', { clusterName, ...page }),
    summarize(profile: FargateProfile): ResourceSummary {
      const name = profile.fargateProfileName ?? 'unknown';
      return {
        type: 'eks:fargate-profile',
        id: profile.fargateProfileArn ?? `${clusterName}/${name}`,
        name,
        arn: profile.fargateProfileArn,
        state: profile.status,
        stateTone: (profile.status && EKS_TONES[profile.status]) || 'unknown',
        details: compact([
          profile.status,
          ...(profile.selectors ?? []).map((selector) => `namespace ${selector.namespace ?? '*'}`),
          `${profile.subnets?.length ?? 0} subnets`,
        ]),
        tags: { ...(profile.tags ?? {}) },
        raw: profile,
      };
    },
  });
}

export const eksClusterLister = pagedLister({
  type: 'eks:cluster',
  title: 'Clusters',
  pageRange: ECS_PAGE,
  fetch: (read, page) => readPage<EksCluster>(read, 'eks.clusters.list', page),
  summarize(cluster: EksCluster): ResourceSummary {
    const name = cluster.name ?? 'unknown';
    return {
      type: 'eks:cluster',
      id: cluster.arn ?? name,
      name,
      arn: cluster.arn,
      state: cluster.status,
      stateTone: (cluster.status && EKS_TONES[cluster.status]) || 'unknown',
      details: compact([cluster.status, cluster.version && `Kubernetes ${cluster.version}`, cluster.platformVersion]),
      tags: { ...(cluster.tags ?? {}) },
      raw: cluster,
      children: [eksNodegroupLister(name), eksFargateProfileLister(name)],
    };
  },
});

// ECR

/** "3 CRITICAL, 1 HIGH" from a scan summary, or the scan status; undefined when the image was never scanned. */
export function scanSummary(image: ImageDetail): string | undefined {
  const counts = image.imageScanFindingsSummary?.findingSeverityCounts;
  if (counts && Object.keys(counts).length) {
    const order = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'];
    return `scan: ${Object.entries(counts)
      .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
      .map(([severity, count]) => `${count} ${severity}`)
      .join(', ')}`;
  }
  if (image.imageScanStatus?.status) return `scan ${image.imageScanStatus.status}`;
  if (image.imageScanFindingsSummary) return 'scan: no findings';
  return undefined;
}

export function sizeText(bytes: number | undefined): string | undefined {
  if (bytes === undefined) return undefined;
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function ecrImageLister(repositoryName: string): ResourceLister {
  return pagedLister({
    type: 'ecr:image',
    title: 'Images',
    pageRange: [1, 1000],
    fetch: (read, page) => readPage<ImageDetail>(read, 'ecr.images.list', { repositoryName, ...page }),
    summarize(image: ImageDetail): ResourceSummary {
      const digest = image.imageDigest ?? 'unknown';
      const tags = image.imageTags ?? [];
      return {
        type: 'ecr:image',
        id: `${repositoryName}@${digest}`,
        name: tags.length ? tags.join(', ') : `untagged ${digest.slice(0, 19)}`,
        details: compact([
          image.imagePushedAt && `pushed ${String(image.imagePushedAt).slice(0, 16).replace('T', ' ')}`,
          sizeText(image.imageSizeInBytes),
          scanSummary(image),
          digest.slice(0, 19),
        ]),
        stateTone:
          image.imageScanFindingsSummary?.findingSeverityCounts?.CRITICAL ||
          image.imageScanFindingsSummary?.findingSeverityCounts?.HIGH
            ? 'error'
            : 'unknown',
        tags: {},
        raw: image,
      };
    },
  });
}

export const ecrRepositoryLister = pagedLister({
  type: 'ecr:repository',
  title: 'Repositories',
  pageRange: [1, 1000],
  fetch: (read, page) => readPage<Repository>(read, 'ecr.repositories.list', page),
  summarize(repository: Repository): ResourceSummary {
    const name = repository.repositoryName ?? 'unknown';
    return {
      type: 'ecr:repository',
      id: repository.repositoryArn ?? name,
      name,
      arn: repository.repositoryArn,
      details: compact([
        repository.repositoryUri,
        repository.imageTagMutability,
        repository.imageScanningConfiguration?.scanOnPush && 'scan on push',
        day(repository.createdAt),
      ]),
      tags: {},
      raw: repository,
      children: [ecrImageLister(name)],
    };
  },
});
