import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { seedContainers } from '../support/containers';
import { childrenOf, label, pilotLight as api, walk } from './support/explorerWalk';
import type { ExplorerNode } from '../../src/features/explorer/nodes';

const description = (node: ExplorerNode) => String(node.getTreeItem().description ?? '');

describe('container tree in the explorer (ECS, EKS, ECR)', function () {
  this.timeout(90_000);

  before(async () => {
    const endpoint = vscode.workspace.getConfiguration('pilotLight').get<string>('endpointUrl');
    assert.ok(endpoint, 'the host tests run against the emulator endpoint');
    // A made-up subnet ID: EKS only records it, and no VPC is added to the shared account.
    await seedContainers(
      { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } },
      '123456789012',
      { subnetId: 'subnet-0c0ffee0c0ffee000' },
    );
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
});
