import * as assert from 'node:assert/strict';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import * as vscode from 'vscode';
import type { ExplorerNode, ResourceListNode, ResourceNode } from '../../src/features/explorer/nodes';
import { pickAmazonLinuxImage } from '../../tools/seed/target';
import { childrenOf, label, nodeAt, pilotLight, withSettings } from './support/explorerWalk';

// Its own region, so the instances launched here do not change what other tests count in us-east-1.
const REGION = 'sa-east-1';
const FLEET = 12;

const isResourceRow = (row: ExplorerNode): row is ResourceNode => 'resource' in row;

describe('explorer filter applied by the API', function () {
  this.timeout(90_000);

  before(async () => {
    const endpoint = process.env.PILOT_LIGHT_TEST_ENDPOINT;
    assert.ok(endpoint, 'PILOT_LIGHT_TEST_ENDPOINT is set by the host test runner');
    const ec2 = new EC2Client({
      endpoint,
      region: REGION,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    try {
      const imageId = await pickAmazonLinuxImage(ec2);
      for (let index = 1; index <= FLEET; index++) {
        const name = `fleet-${String(index).padStart(2, '0')}`;
        await ec2.send(
          new RunInstancesCommand({
            ImageId: imageId,
            InstanceType: 't3.micro',
            MinCount: 1,
            MaxCount: 1,
            TagSpecifications: [
              {
                ResourceType: 'instance',
                Tags: [
                  { Key: 'Name', Value: name },
                  { Key: 'Team', Value: index === FLEET ? 'Search' : 'core' },
                ],
              },
            ],
          }),
        );
      }
    } finally {
      ec2.destroy();
    }
  });

  it('shows a match on a later page without loading the pages before it, says so, and keeps the loaded rows for after', async () => {
    const { explorer } = await pilotLight();
    await withSettings(
      { 'explorer.pageSize': 5, 'explorer.loadMorePageSize': 5, 'explorer.regions': ['us-east-1', REGION] },
      async () => {
        const instances = (await nodeAt(explorer, [REGION, 'EC2', 'Instances'])) as ResourceListNode;
        let rows = await childrenOf(explorer, instances);
        assert.equal(rows.filter(isResourceRow).length, 5, 'an unfiltered first page of 5');
        assert.equal(rows.at(-1)?.getTreeItem().description, '5 loaded');

        try {
          // The last instance, by name: one call, no "Load more…" (moto pages after filtering, like a small AWS answer).
          await vscode.commands.executeCommand('pilotLight.explorer.filter', 'FLEET-12');
          rows = await childrenOf(explorer, instances);
          assert.deepEqual(rows.map(label), ['fleet-12']);
          assert.equal(instances.list.apiCalls, 2, 'one call for the filter');
          assert.match(String(instances.getTreeItem().description), /filtered by AWS/);

          // A tag, exactly by key and case-insensitively by value.
          await vscode.commands.executeCommand('pilotLight.explorer.filter', 'Team=search');
          assert.deepEqual((await childrenOf(explorer, instances)).map(label), ['fleet-12']);

          // Text that can be part of an instance ID stays on loaded rows, and says so when more pages are left.
          await vscode.commands.executeCommand('pilotLight.explorer.filter', '1');
          rows = await childrenOf(explorer, instances);
          assert.equal(
            rows.at(-1)?.getTreeItem().description,
            `${rows.filter(isResourceRow).length} of 5 loaded match`,
          );
          assert.equal(instances.getTreeItem().description, '5+, filter on loaded rows');

          await vscode.commands.executeCommand('pilotLight.explorer.filter', 'no-such-fleet');
          assert.deepEqual((await childrenOf(explorer, instances)).map(label), [
            'No instances match “no-such-fleet” (searched by AWS)',
          ]);
        } finally {
          await vscode.commands.executeCommand('pilotLight.explorer.clearFilter');
        }
        const callsBefore = instances.list.apiCalls;
        rows = await childrenOf(explorer, instances);
        assert.equal(rows.filter(isResourceRow).length, 5, 'the unfiltered rows are still loaded');
        assert.equal(instances.list.apiCalls, callsBefore, 'and not read again');

        // Rows are compact; the JSON view reads the instance again.
        const first = rows.find(isResourceRow)!;
        assert.equal(first.resource.raw, undefined, 'a row keeps no SDK record');
        await vscode.commands.executeCommand('pilotLight.resource.openJson', first);
        const editor = vscode.window.activeTextEditor;
        assert.ok(
          editor?.document.getText().includes(`"InstanceId": "${first.resource.id}"`),
          'the JSON view shows the instance record',
        );
        await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      },
    );
  });
});
