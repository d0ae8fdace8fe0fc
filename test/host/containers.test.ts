import * as assert from 'node:assert/strict';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import * as vscode from 'vscode';
import { type ContainerSeed, seedContainers } from '../support/containers';
import { childrenOf, label, pilotLight as api, setSetting, walk } from './support/explorerWalk';
import { approving, askAws, denying, newChat, plain, testing } from './support/safety';
import type { ExplorerNode } from '../../src/features/explorer/nodes';
import type { InteractiveRunResult } from '../../src/features/shared/interactiveRun';

const description = (node: ExplorerNode) => String(node.getTreeItem().description ?? '');

describe('container tree in the explorer (ECS, EKS, ECR)', function () {
  this.timeout(90_000);
  let seed: ContainerSeed;
  let config: { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };

  before(async () => {
    const endpoint = vscode.workspace.getConfiguration('pilotLight').get<string>('endpointUrl');
    assert.ok(endpoint, 'the host tests run against the emulator endpoint');
    config = { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    // A made-up subnet ID: EKS only records it, and no VPC is added to the shared account.
    seed = await seedContainers(config, '123456789012', { subnetId: 'subnet-0c0ffee0c0ffee000' });
    (await api()).explorer.refresh();
  });

  it('shows ECS clusters → services (counts, revision) → deployments, tasks with containers, revisions', async () => {
    const { explorer } = await api();
    const clusters = await walk(explorer, ['us-east-1', 'ECS', 'Clusters']);
    const staging = clusters.find((node) => label(node) === 'staging');
    assert.ok(staging, clusters.map(label).join(', '));
    // moto counts no active services on a cluster (0), AWS does: only the shape is checked.
    assert.match(description(staging), /^ACTIVE · \d+ services · \d+ running/);
    const [servicesFolder] = await childrenOf(explorer, staging);
    assert.equal(label(servicesFolder), 'Services');
    const [web] = await childrenOf(explorer, servicesFolder);
    assert.equal(label(web), 'web');
    assert.match(description(web), /desired 2 · running 0 · pending 2 · web:2/);
    assert.match(String(web.getTreeItem().contextValue), /^pilotLight\.resource ecs:service hasArn$/);
    const folders = await childrenOf(explorer, web);
    assert.deepEqual(folders.map(label), ['Deployments', 'Tasks', 'Revisions of web']);
    const [deployment] = await childrenOf(explorer, folders[0]);
    assert.match(label(deployment), /^PRIMARY web:2$/);
    const tasks = await childrenOf(explorer, folders[1]);
    assert.equal(tasks.length, 2, tasks.map(label).join(', '));
    assert.match(description(tasks[0]), /web:2 · web (PENDING|RUNNING)/);
    const [container] = await childrenOf(explorer, tasks[0]);
    assert.equal(label(container), 'web');
    const revisions = await childrenOf(explorer, folders[2]);
    assert.deepEqual(revisions.map(label), ['web:2', 'web:1']);
    assert.equal(description(revisions[0]), 'current');
  });

  it('shows EKS node groups with their scaling and Fargate profiles, and ECR images with tags and size', async () => {
    const { explorer } = await api();
    const [platform] = (await walk(explorer, ['us-east-1', 'EKS'])).filter((node) => label(node) === 'platform');
    assert.ok(platform);
    const [nodegroups, fargate] = await childrenOf(explorer, platform);
    const [general] = await childrenOf(explorer, nodegroups);
    assert.equal(label(general), 'general');
    assert.match(description(general), /min 1 · desired 2 · max 6 · t3\.large/);
    assert.equal(label((await childrenOf(explorer, fargate))[0]), 'jobs');

    const [repository] = (await walk(explorer, ['us-east-1', 'ECR'])).filter((node) => label(node) === 'web');
    assert.ok(repository);
    const images = await childrenOf(explorer, repository);
    assert.deepEqual(images.map(label).sort(), ['1.0', '1.1']);
    assert.match(description(images[0]), /pushed \d{4}-\d{2}-\d{2} \d{2}:\d{2} · \d+(\.\d)? (KB|MB)/);
  });

  const ecs = () => new ECSClient(config);
  async function serviceOf(cluster: string, name: string) {
    const client = ecs();
    try {
      const [found] = (await client.send(new DescribeServicesCommand({ cluster, services: [name] }))).services ?? [];
      assert.ok(found, `${name} in ${cluster}`);
      return found;
    } finally {
      client.destroy();
    }
  }
  const revision = (arn: string | undefined) => arn?.split('/').pop() ?? '';
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('rolls a service back to the revision chosen in the quick pick, after the diff of the two revisions', async () => {
    const { explorer, testing: hooks } = await api();
    assert.ok(hooks);
    // A newer revision than the running one (web:3): the pick lists it first, then the previous one (web:1).
    const client = ecs();
    try {
      const current = (await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: seed.webRevisions[1] })))
        .taskDefinition!;
      await client.send(
        new RegisterTaskDefinitionCommand({
          family: 'web',
          cpu: current.cpu,
          memory: current.memory,
          containerDefinitions: current.containerDefinitions?.map((container) => ({
            ...container,
            image: container.image?.replace(/:1\.1$/, ':1.2'),
          })),
        }),
      );
    } finally {
      client.destroy();
    }
    explorer.refresh();
    const clusters = await walk(explorer, ['us-east-1', 'ECS', 'Clusters']);
    const staging = clusters.find((node) => label(node) === 'staging')!;
    const [servicesFolder] = await childrenOf(explorer, staging);
    const web = (await childrenOf(explorer, servicesFolder)).find((node) => label(node) === 'web');
    assert.ok(web, 'the web service row');
    const approvals = approving();
    hooks.setApprovalProvider(approvals);
    try {
      const diffTab = () =>
        vscode.window.tabGroups.all
          .flatMap((group) => group.tabs)
          .find(
            (tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.original.scheme === 'pilot-light-ecs',
          );
      let settled = false;
      const running = Promise.resolve(
        vscode.commands.executeCommand<InteractiveRunResult | undefined>('pilotLight.containers.rollbackService', web),
      ).finally(() => (settled = true));
      // The real quick pick: once it shows (the revisions are read first), move to the second row and accept it.
      while (!settled && !diffTab()) {
        await sleep(700);
        if (settled || diffTab()) break;
        await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      }
      const result = await running;
      assert.ok(result, 'the rollback ran');
      assert.equal(result.status, 'succeeded', result.message);
      const tab = diffTab();
      assert.ok(tab, 'the two revisions opened in the diff editor');
      assert.equal(tab.label, 'web:2 (running) ↔ web:1 (roll back to)');
      const input = tab.input as vscode.TabInputTextDiff;
      const [original, modified] = await Promise.all([
        vscode.workspace.openTextDocument(input.original),
        vscode.workspace.openTextDocument(input.modified),
      ]);
      assert.match(original.getText(), /web:1\.1/);
      assert.match(modified.getText(), /web:1\.0/);
      assert.match(modified.getText(), /"FEATURE_X"[\s\S]*"off"/);
      assert.equal(approvals.requests.length, 1, 'the change was confirmed once');
      assert.match(approvals.requests[0].preview.summary, /web/);
      assert.equal(revision((await serviceOf('staging', 'web')).taskDefinition), 'web:1');
    } finally {
      hooks.setApprovalProvider(undefined);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  it("shows a task's container logs from CloudWatch Logs through its awslogs configuration", async () => {
    const { explorer } = await api();
    explorer.refresh();
    const clusters = await walk(explorer, ['us-east-1', 'ECS', 'Clusters']);
    const staging = clusters.find((node) => label(node) === 'staging')!;
    const [servicesFolder] = await childrenOf(explorer, staging);
    const web = (await childrenOf(explorer, servicesFolder)).find((node) => label(node) === 'web')!;
    const tasksFolder = (await childrenOf(explorer, web)).find((node) => label(node) === 'Tasks')!;
    const tasks = await childrenOf(explorer, tasksFolder);
    const taskId = seed.webTaskArns[0].split('/').pop()!;
    const task = tasks.find((node) => label(node).includes(taskId.slice(0, 8)));
    assert.ok(task, `the task ${taskId} in ${tasks.map(label).join(', ')}`);
    const shown = await vscode.commands.executeCommand<{ text: string } | undefined>(
      'pilotLight.containers.showLogs',
      task,
    );
    assert.ok(shown, 'the logs were read');
    assert.match(shown.text, new RegExp(`listening on :8080 \\(task ${taskId}\\)`));
    assert.match(shown.text, /GET \/health 200/);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'the logs opened in an editor');
    assert.equal(editor.document.getText(), shown.text);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  describe('@aws container phrases, without a language model', () => {
    const paymentLog = 'charge ch_42 captured';

    before(async () => {
      // The payment service of the example, in production, with one task writing to its awslogs group.
      const client = ecs();
      const logs = new CloudWatchLogsClient(config);
      try {
        const registered = await client.send(
          new RegisterTaskDefinitionCommand({
            family: 'payment-service',
            cpu: '256',
            memory: '512',
            containerDefinitions: [
              {
                name: 'payment',
                image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/payment:3.1',
                essential: true,
                memory: 512,
                logConfiguration: {
                  logDriver: 'awslogs',
                  options: {
                    'awslogs-group': '/ecs/payment',
                    'awslogs-region': 'us-east-1',
                    'awslogs-stream-prefix': 'ecs',
                  },
                },
              },
            ],
          }),
        );
        const arn = registered.taskDefinition!.taskDefinitionArn!;
        await client.send(
          new CreateServiceCommand({
            cluster: 'production',
            serviceName: 'payment-service',
            taskDefinition: arn,
            desiredCount: 1,
            launchType: 'FARGATE',
          }),
        );
        const run = await client.send(
          new RunTaskCommand({
            cluster: 'production',
            taskDefinition: arn,
            count: 1,
            launchType: 'FARGATE',
            group: 'service:payment-service',
            startedBy: 'ecs-svc/seed',
          }),
        );
        const taskId = run.tasks![0].taskArn!.split('/').pop()!;
        await logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/payment' }));
        const stream = `ecs/payment/${taskId}`;
        await logs.send(new CreateLogStreamCommand({ logGroupName: '/ecs/payment', logStreamName: stream }));
        await logs.send(
          new PutLogEventsCommand({
            logGroupName: '/ecs/payment',
            logStreamName: stream,
            logEvents: [{ timestamp: Date.now() - 500, message: paymentLog }],
          }),
        );
      } finally {
        client.destroy();
        logs.destroy();
      }
      await setSetting('chat.useLanguageModel', false);
      await newChat();
    });

    afterEach(async () => (await testing()).testing.setApprovalProvider(undefined));

    after(async () => {
      await setSetting('chat.useLanguageModel', undefined);
      await newChat();
      await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
    });

    it('"Scale the web service to 5 tasks": a dry-run "desired 2 → 5", run from its button', async () => {
      const answer = await askAws('@aws Scale the web service to 5 tasks');
      const text = plain(answer.markdown);
      assert.equal(answer.usedModel, false);
      assert.match(text, /Dry-run of "Scale web to 5 tasks"/);
      assert.match(text, /2 → 5/);
      assert.equal((await serviceOf('staging', 'web')).desiredCount, 2, 'nothing changed yet');
      const run = answer.buttons.find((button) => button.title === 'Run: Scale web to 5 tasks');
      assert.ok(run, JSON.stringify(answer.buttons));
      (await testing()).testing.setApprovalProvider(approving());
      const result = await vscode.commands.executeCommand<InteractiveRunResult>(run.command, ...(run.arguments ?? []));
      assert.equal(result.status, 'succeeded', result.message);
      assert.equal((await serviceOf('staging', 'web')).desiredCount, 5);
    });

    it('"Deploy my-api:latest to the production cluster" needs the typed approval of production', async () => {
      const answer = await askAws('@aws Deploy my-api:latest to the production cluster');
      const text = plain(answer.markdown);
      assert.equal(answer.usedModel, false);
      assert.match(text, /Dry-run of "Deploy my-api:latest to my-api \(production\)"/);
      assert.match(text, /protected environment: running it asks for an approval/);
      const run = answer.buttons.find((button) => button.title.startsWith('Approve and run: Deploy my-api:latest'));
      assert.ok(run, JSON.stringify(answer.buttons));
      const { testing: hooks } = await testing();
      const refusing = denying();
      hooks.setApprovalProvider(refusing);
      const denied = await vscode.commands.executeCommand<InteractiveRunResult>(run.command, ...(run.arguments ?? []));
      assert.notEqual(denied.status, 'succeeded');
      assert.equal(refusing.requests[0]?.level, 'approve');
      assert.ok(refusing.requests[0].protectedEnvironments.includes('production'));
      assert.equal((await serviceOf('production', 'my-api')).taskDefinition, seed.apiRevision, 'not deployed');
      const approvals = approving();
      hooks.setApprovalProvider(approvals);
      const deployed = await vscode.commands.executeCommand<InteractiveRunResult>(
        run.command,
        ...(run.arguments ?? []),
      );
      assert.equal(deployed.status, 'succeeded', deployed.message);
      assert.equal(approvals.requests[0].level, 'approve');
      assert.ok(approvals.requests[0].protectedEnvironments.includes('production'));
      const service = await serviceOf('production', 'my-api');
      assert.notEqual(service.taskDefinition, seed.apiRevision, 'a new revision runs');
      const client = ecs();
      try {
        const definition = (
          await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }))
        ).taskDefinition!;
        assert.deepEqual(
          definition.containerDefinitions?.map((container) => container.image),
          ['123456789012.dkr.ecr.us-east-1.amazonaws.com/my-api:latest'],
        );
      } finally {
        client.destroy();
      }
    });

    it('"Rollback the API service to the previous version" proposes and runs the revision before', async () => {
      const answer = await askAws('@aws Rollback the API service to the previous version');
      const text = plain(answer.markdown);
      assert.equal(answer.usedModel, false);
      const before = revision(seed.apiRevision);
      assert.match(text, new RegExp(`Dry-run of "Roll back my-api to ${before.replace(/[.:]/g, '\\$&')}"`));
      const run = answer.buttons.find((button) => button.title === `Approve and run: Roll back my-api to ${before}`);
      assert.ok(run, JSON.stringify(answer.buttons));
      (await testing()).testing.setApprovalProvider(approving());
      const result = await vscode.commands.executeCommand<InteractiveRunResult>(run.command, ...(run.arguments ?? []));
      assert.equal(result.status, 'succeeded', result.message);
      assert.equal((await serviceOf('production', 'my-api')).taskDefinition, seed.apiRevision);
    });

    it('"Show me logs from the payment-service containers" reads its awslogs events', async () => {
      const answer = await askAws('@aws Show me logs from the payment-service containers');
      const text = plain(answer.markdown);
      assert.equal(answer.usedModel, false);
      assert.match(text, /Logs of payment-service/);
      assert.match(text, new RegExp(paymentLog));
      assert.deepEqual(
        answer.buttons.filter((button) => /run/i.test(button.title)),
        [],
        'logs offer no change',
      );
    });
  });
});
