/**
 * Containers against moto through the real SDK and the core runtime: scale, deploy and roll back an ECS
 * service (checked with DescribeServices and the task definition revisions), stop a task, scale an EKS node
 * group, a production deploy refused without approval, container logs through awslogs, and the explorer's
 * container listers.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import { DescribeNodegroupCommand, EKSClient } from '@aws-sdk/client-eks';
import { readAuditTrail } from '../../src/core/audit';
import type { AwsConnection } from '../../src/core/aws/connection';
import { findServices, formatLogs, previousRevision, serviceTasks, taskLogs } from '../../src/core/containers/service';
import { answerContainers } from '../../src/core/containers/chat';
import { parseContainerRequest } from '../../src/core/containers/chatIntent';
import { ecrRepositoryLister, ecsClusterLister, eksClusterLister } from '../../src/core/resources/containers';
import type { ResourceReads } from '../../src/core/resources/model';
import { runnerReads } from '../../src/core/resources/runnerReads';
import { createRuntime, type Runtime } from '../../src/core/runtime';
import { emulatorConnection } from '../support/connection';
import { seedContainers, type ContainerSeed } from '../support/containers';
import { clientConfig, emulatorStack, useEmulatorStack } from '../support/emulators';
import {
  approvingProvider,
  denyingProvider,
  tempDir,
  type ScriptedApprovalProvider,
} from '../support/operationHarness';

useEmulatorStack();

describe('containers (ECS, EKS, ECR, Logs) against moto', function () {
  this.timeout(120_000);
  let connection: AwsConnection;
  let ecs: ECSClient;
  let eks: EKSClient;
  let seed: ContainerSeed;
  let dir: ReturnType<typeof tempDir>;

  before(async () => {
    connection = await emulatorConnection();
    ecs = new ECSClient(clientConfig());
    eks = new EKSClient(clientConfig());
  });
  after(() => {
    ecs.destroy();
    eks.destroy();
    connection.dispose();
  });
  beforeEach(async () => {
    dir = tempDir('pilot-light-containers-it-');
    await emulatorStack().reset();
    seed = await seedContainers(clientConfig(), (await connection.identity()).account);
  });
  afterEach(() => dir.cleanup());

  function runtimeWith(provider: ScriptedApprovalProvider): Runtime {
    return createRuntime({
      policyFiles: [],
      auditPath: join(dir.path, 'audit.jsonl'),
      approvalProvider: provider,
      connection: async () => connection,
    });
  }

  async function readsOf(runtime: Runtime) {
    const runner = await runtime.runner();
    return async (operationId: string, input: Record<string, unknown>) => {
      const outcome = await runner.run(operationId, input, { caller: 'chat', mode: 'execute' });
      if (outcome.status !== 'succeeded')
        throw new Error(`${operationId}: ${outcome.error?.message ?? outcome.refusal?.message ?? outcome.status}`);
      return outcome.output;
    };
  }

  async function service(cluster: string, name: string) {
    const result = await ecs.send(new DescribeServicesCommand({ cluster, services: [name] }));
    return result.services![0];
  }

  it('scales a service: the preview says "desired 2 → 5", DescribeServices then says 5', async () => {
    const runtime = runtimeWith(approvingProvider());
    const result = await runtime.dryRunThenExecute(
      {
        operationId: 'ecs.services.scale',
        input: { cluster: 'staging', service: 'web', desiredCount: 5 },
        caller: 'command',
      },
      async (preview) => {
        assert.match(preview.summary, /desired 2 → 5/);
        assert.deepEqual(preview.environments, ['staging']);
        return { approved: true };
      },
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.outcome?.error ?? result.refusal));
    assert.equal((await service('staging', 'web')).desiredCount, 5);
    const records = await readAuditTrail(join(dir.path, 'audit.jsonl'));
    assert.deepEqual(
      records.map((record) => [record.operation, record.outcome]),
      [
        ['ecs.services.scale', 'dry-run'],
        ['ecs.services.scale', 'succeeded'],
      ],
    );
  });

  it('deploys an image as a new revision that differs only in the image, then rolls back to the revision before', async () => {
    const runtime = runtimeWith(approvingProvider());
    const before = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: seed.webRevisions[1] }));
    const deployed = await runtime.dryRunThenExecute(
      {
        operationId: 'ecs.services.deployImage',
        input: { cluster: 'staging', service: 'web', image: 'web:1.2' },
        caller: 'chat',
      },
      async (preview) => {
        const text = JSON.stringify(preview);
        assert.match(text, /web:1\.1 → .*web:1\.2/);
        assert.match(text, /web:2 → web:\(next revision\)/);
        return { approved: true };
      },
    );
    assert.equal(deployed.status, 'succeeded', JSON.stringify(deployed.outcome?.error ?? deployed.refusal));
    const revisions = (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web', sort: 'ASC' })))
      .taskDefinitionArns!;
    assert.equal(revisions.length, 3, revisions.join(', '));
    const current = await service('staging', 'web');
    assert.equal(current.taskDefinition, revisions[2]);
    const after = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: revisions[2] }));
    const registry = `${(await connection.identity()).account}.dkr.ecr.us-east-1.amazonaws.com`;
    assert.equal(after.taskDefinition!.containerDefinitions![0].image, `${registry}/web:1.2`);
    // Only the image differs.
    const strip = (definition: Record<string, unknown>) => {
      const { taskDefinitionArn: _a, revision: _r, registeredAt: _t, containerDefinitions, ...rest } = definition;
      return {
        ...rest,
        containers: (containerDefinitions as Array<Record<string, unknown>>).map(({ image: _i, ...c }) => c),
      };
    };
    assert.deepEqual(
      strip(after.taskDefinition as unknown as Record<string, unknown>),
      strip(before.taskDefinition as unknown as Record<string, unknown>),
    );

    const read = await readsOf(runtime);
    const [found] = await findServices(read, 'web', 'staging');
    const previous = await previousRevision(read, found.service);
    assert.equal(previous, revisions[1]);
    const rolledBack = await runtime.dryRunThenExecute(
      {
        operationId: 'ecs.services.rollback',
        input: { cluster: 'staging', service: 'web', taskDefinition: previous },
        caller: 'command',
      },
      async (preview) => {
        assert.match(preview.summary, /web:3 → web:2/);
        assert.ok(
          preview.changes.some((line) => /containerDefinitions\[web\]\.image: ".*web:1\.2" → ".*web:1\.1"/.test(line)),
          preview.changes.join('\n'),
        );
        return { approved: true };
      },
    );
    assert.equal(rolledBack.status, 'succeeded', JSON.stringify(rolledBack.outcome?.error ?? rolledBack.refusal));
    assert.equal((await service('staging', 'web')).taskDefinition, revisions[1]);
  });

  it('refuses a production deploy that is not approved, and changes nothing', async () => {
    const provider = denyingProvider();
    const runtime = runtimeWith(provider);
    const result = await runtime.dryRunThenExecute(
      {
        operationId: 'ecs.services.deployImage',
        input: { cluster: 'production', service: 'my-api', image: 'my-api:latest' },
        caller: 'chat',
      },
      async () => ({ approved: true }),
    );
    assert.equal(result.preview?.guardrails.verdict, 'needs-approval');
    assert.deepEqual(result.preview?.environments, ['production']);
    assert.equal(provider.requests.length, 1);
    assert.equal(result.status, 'refused');
    assert.equal((await service('production', 'my-api')).taskDefinition, seed.apiRevision);
    const revisions = (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'my-api' }))).taskDefinitionArns!;
    assert.equal(revisions.length, 1, 'no revision was registered');
  });

  it('stops a task: DescribeTasks then says its desired status is STOPPED', async () => {
    const runtime = runtimeWith(approvingProvider());
    const task = seed.webTaskArns[0];
    const result = await runtime.dryRunThenExecute(
      { operationId: 'ecs.tasks.stop', input: { cluster: 'staging', task }, caller: 'explorer' },
      async (preview) => {
        assert.match(preview.summary, /Stop task/);
        return { approved: true };
      },
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.outcome?.error ?? result.refusal));
    const described = await ecs.send(new DescribeTasksCommand({ cluster: 'staging', tasks: [task] }));
    assert.equal(described.tasks![0].desiredStatus, 'STOPPED');
  });

  it('scales a node group within its range and refuses a size outside it', async () => {
    const runtime = runtimeWith(approvingProvider());
    const result = await runtime.dryRunThenExecute(
      {
        operationId: 'eks.nodegroups.scale',
        input: { clusterName: 'platform', nodegroupName: 'general', desiredSize: 4 },
        caller: 'command',
      },
      async (preview) => {
        assert.match(preview.summary, /desired 2 → 4/);
        return { approved: true };
      },
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.outcome?.error ?? result.refusal));
    const group = (await eks.send(new DescribeNodegroupCommand({ clusterName: 'platform', nodegroupName: 'general' })))
      .nodegroup!;
    assert.deepEqual(group.scalingConfig, { minSize: 1, desiredSize: 4, maxSize: 6 });

    const tooBig = await runtime.dryRunThenExecute(
      {
        operationId: 'eks.nodegroups.scale',
        input: { clusterName: 'platform', nodegroupName: 'general', desiredSize: 9 },
        caller: 'command',
      },
      async () => ({ approved: true }),
    );
    assert.notEqual(tooBig.status, 'succeeded');
    const unchanged = (
      await eks.send(new DescribeNodegroupCommand({ clusterName: 'platform', nodegroupName: 'general' }))
    ).nodegroup!;
    assert.equal(unchanged.scalingConfig?.desiredSize, 4);
  });

  it("reads a service's container logs through their awslogs configuration", async () => {
    const runtime = runtimeWith(approvingProvider());
    const read = await readsOf(runtime);
    const tasks = await serviceTasks(read, seed.stagingCluster, 'web');
    assert.equal(tasks.length, 2);
    const logs = (await Promise.all(tasks.map((task) => taskLogs(read, task, { region: 'us-east-1' })))).flat();
    const text = formatLogs(logs);
    assert.match(text, /=== web · task [0-9a-f-]+ · \/ecs\/web ecs\/web\//);
    assert.match(text, /GET \/health 200/);
    for (const arn of seed.webTaskArns) assert.ok(text.includes(`task ${arn.split('/').pop()}`), text);
  });

  it('answers the chat phrases without a model: scale, deploy to production (needs approval), roll back, logs', async () => {
    const runtime = runtimeWith(approvingProvider());
    const runner = await runtime.runner();
    const read = await readsOf(runtime);
    const dryRun = async (operationId: string, input: Record<string, unknown>) => {
      const outcome = await runner.run(operationId, input, { caller: 'chat', mode: 'dry-run' });
      return outcome.status === 'dry-run' && outcome.preview
        ? {
            status: 'dry-run' as const,
            verdict: outcome.preview.guardrails.verdict,
            text: JSON.stringify(outcome.preview),
            correlationId: outcome.correlationId,
          }
        : { status: 'failed' as const, text: outcome.error?.message ?? outcome.refusal?.message ?? outcome.status };
    };
    const ask = (text: string) => answerContainers({ read, dryRun, region: 'us-east-1' }, parseContainerRequest(text)!);

    const scale = await ask('Scale the web service to 5 tasks');
    assert.match(scale.markdown, /desired 2 → 5/);
    assert.deepEqual(scale.actions.find((action) => action.kind === 'run')?.input, {
      cluster: seed.stagingCluster,
      service: 'web',
      desiredCount: 5,
    });

    const deploy = await ask('Deploy my-api:latest to the production cluster');
    const run = deploy.actions.find((action) => action.kind === 'run');
    assert.ok(run, deploy.markdown);
    assert.match(run.title ?? '', /^Approve and run/);
    assert.equal(run.operationId, 'ecs.services.deployImage');
    assert.match(deploy.markdown, /production/);

    const rollback = await ask('Rollback the web service to the previous version');
    assert.match(rollback.markdown, /web:2 → web:1/);

    const logs = await ask('Show me logs from the web containers');
    assert.match(logs.markdown, /GET \/health 200/);
    // Nothing changed: chat only previews.
    assert.equal((await service('staging', 'web')).desiredCount, 2);
  });

  it('lists the container tree through registered reads: clusters → services → deployments, tasks, revisions; EKS; ECR', async () => {
    const runtime = runtimeWith(approvingProvider());
    const reads: ResourceReads = runnerReads(
      () => runtime.runner(),
      () => connection.identity(),
    );
    const options = { region: 'us-east-1', pageSize: 100 };
    const clusters = await ecsClusterLister.list(reads, options);
    const staging = clusters.items.find((item) => item.name === 'staging')!;
    assert.ok(staging, clusters.items.map((item) => item.name).join(', '));
    const [servicesLister, tasksLister] = staging.children!;
    const services = await servicesLister.list(reads, options);
    const web = services.items.find((item) => item.name === 'web')!;
    assert.match(web.details.join(' · '), /desired 2 · running 0 · pending 2 · web:2/);
    const [deployments, serviceTasksLister, revisions] = web.children!;
    assert.equal((await deployments.list(reads, options)).items.length, 1);
    assert.equal((await serviceTasksLister.list(reads, options)).items.length, 2);
    assert.deepEqual(
      (await revisions.list(reads, options)).items.map((item) => item.name),
      ['web:2', 'web:1'],
    );
    const task = (await tasksLister.list(reads, options)).items[0];
    assert.match(task.details.join(' '), /web (PENDING|RUNNING)/);

    const eksClusters = await eksClusterLister.list(reads, options);
    const [nodegroups, fargate] = eksClusters.items[0].children!;
    assert.match((await nodegroups.list(reads, options)).items[0].details.join(' · '), /min 1 · desired 2 · max 6/);
    assert.equal((await fargate.list(reads, options)).items[0].name, 'jobs');

    const repositories = await ecrRepositoryLister.list(reads, options);
    const images = await repositories.items[0].children![0].list(reads, options);
    assert.deepEqual(images.items.map((item) => item.name).sort(), ['1.0', '1.1']);
  });
});
