import * as assert from 'node:assert/strict';
import { DrsClient, StartRecoveryCommand } from '@aws-sdk/client-drs';
import { EC2Client, StartInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import * as vscode from 'vscode';
import type { ExplorerNode, LoadMoreNode, ResourceNode } from '../../src/features/explorer/nodes';
import { DrsEmulatorAdmin } from '../../tools/emulators/drs/adminClient';
import {
  childrenOf,
  eventually,
  label,
  nodeAt,
  pilotLight,
  setSetting,
  walk,
  withSettings,
} from './support/explorerWalk';

const endpoint = process.env.PILOT_LIGHT_TEST_ENDPOINT;

function requireEmulators(): string {
  assert.ok(endpoint, 'PILOT_LIGHT_TEST_ENDPOINT is set by the host test runner');
  return endpoint;
}

// The extension runs from its bundle, so its classes are not the ones compiled for tests: check by shape.
const isResourceRow = (row: ExplorerNode): row is ResourceNode => 'resource' in row;
const isLoadMoreRow = (row: ExplorerNode | undefined): row is LoadMoreNode =>
  row?.getTreeItem().contextValue === 'pilotLight.loadMore';

describe('explorer paging, errors, filter and live states', function () {
  this.timeout(90_000);

  it('pages a second region with "Load more…" at its own page size, never loading a page twice on a double click', async () => {
    const admin = new DrsEmulatorAdmin(requireEmulators());
    await admin.seedSourceServers(
      Array.from({ length: 12 }, (_, index) => ({ hostname: `west-${String(index).padStart(2, '0')}.internal` })),
      'us-west-2',
    );
    const { explorer } = await pilotLight();
    await withSettings(
      { 'explorer.pageSize': 5, 'explorer.loadMorePageSize': 6, 'explorer.regions': ['us-east-1', 'us-west-2'] },
      async () => {
        const regions = await childrenOf(explorer, (await childrenOf(explorer))[0]);
        assert.deepEqual(regions.map(label), ['us-east-1', 'us-west-2']);

        const list = await nodeAt(explorer, ['us-west-2', 'DRS', 'Source servers']);
        let rows = await childrenOf(explorer, list);
        assert.equal(
          rows.filter((row) => isResourceRow(row)).length,
          5,
          `five rows on the first page: ${rows.map(label).join(', ')}`,
        );
        const loadMore = rows.at(-1);
        assert.ok(isLoadMoreRow(loadMore), 'the last row is "Load more…"');
        assert.equal(label(loadMore), 'Load more…');
        assert.match(String(loadMore.getTreeItem().tooltip), /up to 6 more/);

        await Promise.all([
          vscode.commands.executeCommand('pilotLight.explorer.loadMore', loadMore),
          vscode.commands.executeCommand('pilotLight.explorer.loadMore', loadMore),
        ]);
        assert.equal(loadMore.list.apiCalls, 2, 'a double click loads one page');
        rows = await childrenOf(explorer, list);
        assert.equal(
          rows.filter((row) => isResourceRow(row)).length,
          11,
          'the second page has loadMorePageSize (6) rows',
        );

        // A filter sees only loaded pages, and "Load more…" says so.
        const loadedMatches = rows.filter((row) => isResourceRow(row) && label(row).startsWith('west-0')).length;
        await vscode.commands.executeCommand('pilotLight.explorer.filter', 'west-0');
        try {
          const filtered = await childrenOf(explorer, list);
          assert.equal(filtered.filter((row) => isResourceRow(row)).length, loadedMatches);
          assert.equal(filtered.at(-1)?.getTreeItem().description, `${loadedMatches} of 11 loaded match`);
        } finally {
          await vscode.commands.executeCommand('pilotLight.explorer.clearFilter');
        }
        rows = await childrenOf(explorer, list);

        await vscode.commands.executeCommand('pilotLight.explorer.loadMore', rows.at(-1));
        rows = await childrenOf(explorer, list);
        const names = rows.map(label);
        assert.equal(names.length, 12, 'all servers, and no "Load more…" after the last page');
        assert.equal(new Set(names).size, 12, 'no server twice');
        assert.equal(loadMore.list.apiCalls, 3);
        assert.ok(
          names.every((name) => name.startsWith('west-')),
          'the second region lists its own servers',
        );

        await setSetting('explorer.loadMorePageSize', 'lots');
        assert.equal(explorer.pageSize('more'), 1000, 'a hand-edited value that is not a number counts as the default');
      },
    );
  });

  it('loads every remaining page with "Load All Pages", one call per page, so the filter sees them all', async () => {
    const admin = new DrsEmulatorAdmin(requireEmulators());
    await admin.seedSourceServers(
      Array.from({ length: 9 }, (_, index) => ({ hostname: `ca-${String(index).padStart(2, '0')}.internal` })),
      'ca-central-1',
    );
    const { explorer } = await pilotLight();
    await withSettings(
      { 'explorer.pageSize': 5, 'explorer.loadMorePageSize': 5, 'explorer.regions': ['us-east-1', 'ca-central-1'] },
      async () => {
        const list = await nodeAt(explorer, ['ca-central-1', 'DRS', 'Source servers']);
        let rows = await childrenOf(explorer, list);
        const loadMore = rows.at(-1);
        assert.ok(isLoadMoreRow(loadMore), 'a first page of 5, then "Load more…"');
        assert.match(String(loadMore.getTreeItem().tooltip), /Load All Pages/);

        // A failing page stops the loop at an error node; it does not call again and again.
        await admin.throttle({ operation: 'DescribeSourceServers', count: 50 });
        try {
          await vscode.commands.executeCommand('pilotLight.explorer.loadAll', loadMore);
        } finally {
          await admin.clearFaults();
        }
        rows = await childrenOf(explorer, list);
        assert.equal(rows.at(-1)?.getTreeItem().contextValue, 'pilotLight.error');
        assert.equal(loadMore.list.apiCalls, 2, 'one failed page, then it stopped');
        const retry = rows.at(-1)!.getTreeItem().command!;
        await vscode.commands.executeCommand(retry.command, ...(retry.arguments ?? []));

        await vscode.commands.executeCommand('pilotLight.explorer.filter', 'ca-0');
        try {
          await vscode.commands.executeCommand(
            'pilotLight.explorer.loadAll',
            (await childrenOf(explorer, list)).at(-1),
          );
          rows = await childrenOf(explorer, list);
          assert.equal(loadMore.list.apiCalls, 3, 'then the last page of 4 in one call');
          const expected = Array.from({ length: 9 }, (_, index) => `ca-0${index}.internal`);
          assert.deepEqual(rows.map(label).sort(), expected, 'the filter sees all nine, and no "Load more…" is left');
        } finally {
          await vscode.commands.executeCommand('pilotLight.explorer.clearFilter');
        }
      },
    );
  });

  it('shows an error node with the AWS error code for an injected fault, then recovers on Retry', async () => {
    const admin = new DrsEmulatorAdmin(requireEmulators());
    const { explorer } = await pilotLight();
    explorer.refresh();
    await admin.throttle({ operation: 'DescribeJobs', count: 50 });
    try {
      const list = await nodeAt(explorer, ['us-east-1', 'DRS', 'Jobs']);
      const [errorRow] = await childrenOf(explorer, list);
      const item = errorRow.getTreeItem();
      assert.equal(item.contextValue, 'pilotLight.error');
      assert.match(String(item.label), /^ThrottlingException: /);
      assert.equal(item.command?.command, 'pilotLight.explorer.retry');
      await admin.clearFaults();
      await vscode.commands.executeCommand(item.command.command, ...(item.command.arguments ?? []));
      const rows = await childrenOf(explorer, list);
      assert.ok(
        rows.every((row) => row.getTreeItem().contextValue !== 'pilotLight.error'),
        'the error is gone after Retry',
      );
    } finally {
      await admin.clearFaults();
    }
  });

  it('filters by name, id or tag, shows the filter in the view description, and clears it', async () => {
    const api = await pilotLight();
    const { explorer, explorerView } = api;
    try {
      // 'db-1', not 'db': a random hex instance ID can contain "db".
      await vscode.commands.executeCommand('pilotLight.explorer.filter', 'db-1');
      assert.equal(explorerView.description, 'Filter: db-1');
      assert.deepEqual((await walk(explorer, ['us-east-1', 'EC2', 'Instances'])).map(label), ['db-1']);
      await vscode.commands.executeCommand('pilotLight.explorer.filter', 'Role=web');
      const [web] = await walk(explorer, ['us-east-1', 'EC2', 'Instances']);
      assert.deepEqual([label(web)], ['web-1']);
      await vscode.commands.executeCommand('pilotLight.explorer.filter', (web as ResourceNode).resource.id);
      assert.deepEqual(
        (await walk(explorer, ['us-east-1', 'EC2', 'Instances'])).map(label),
        ['web-1'],
        'by instance ID',
      );
      await vscode.commands.executeCommand('pilotLight.explorer.filter', 'nothing-matches-this');
      assert.deepEqual((await walk(explorer, ['us-east-1', 'EC2', 'Instances'])).map(label), [
        'No instances match “nothing-matches-this” (searched by AWS)',
      ]);
    } finally {
      await vscode.commands.executeCommand('pilotLight.explorer.clearFilter');
    }
    assert.equal(explorerView.description, undefined);
    assert.equal((await walk(explorer, ['us-east-1', 'EC2', 'Instances'])).length, 3);
  });

  it('refreshes only an instance that is stopping, backing off, until it is stopped', async () => {
    const admin = new DrsEmulatorAdmin(requireEmulators());
    const { explorer } = await pilotLight();
    const ec2 = new EC2Client({
      endpoint: requireEmulators(),
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const instancesNode = await nodeAt(explorer, ['us-east-1', 'EC2', 'Instances']);
    explorer.refresh(instancesNode);
    const running = (await childrenOf(explorer, instancesNode)).find(
      (row): row is ResourceNode => isResourceRow(row) && row.resource.state === 'running',
    );
    assert.ok(running, 'a running instance');
    const id = running.resource.id;
    // AWS shows a stopping instance for a while; moto stops at once, so the gateway plays the transition.
    await admin.ec2Transitions(3_000);
    try {
      await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
      explorer.refresh(instancesNode);
      const row = (await childrenOf(explorer, instancesNode)).find(
        (candidate): candidate is ResourceNode => isResourceRow(candidate) && candidate.resource.id === id,
      );
      assert.ok(row, `${id} is listed`);
      assert.equal(row.resource.state, 'stopping');
      assert.equal(row.resource.stateTone, 'transitional');
      const [callsBefore, refreshesBefore, rootBefore] = [
        row.list.apiCalls,
        explorer.liveRefreshCount,
        (await childrenOf(explorer))[0],
      ];

      const settled = await eventually(
        'the instance to stop',
        async () => (row.resource.state === 'stopped' ? row.resource : undefined),
        30_000,
      );
      assert.equal(settled.stateTone, 'stopped');
      assert.ok(
        explorer.liveRefreshCount >= refreshesBefore + 2,
        `still stopping at the first live refresh (2 s), stopped at a later one: ${explorer.liveRefreshCount - refreshesBefore} refreshes`,
      );
      assert.equal(row.list.apiCalls, callsBefore, 'the list was not reloaded: only the node was re-read');
      assert.equal((await childrenOf(explorer))[0], rootBefore, 'the tree was not reloaded');
    } finally {
      await admin.ec2Transitions(null);
      await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
      explorer.refresh(instancesNode);
      ec2.destroy();
    }
  });

  it('refreshes only a DRS job in a transitional state until it settles', async () => {
    const stackEndpoint = requireEmulators();
    const { explorer } = await pilotLight();
    const drs = new DrsClient({
      endpoint: stackEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    try {
      const servers = await walk(explorer, ['us-east-1', 'DRS', 'Source servers']);
      const serverId = (servers[0] as ResourceNode).resource.id;
      const { job } = await drs.send(
        new StartRecoveryCommand({ isDrill: true, sourceServers: [{ sourceServerID: serverId }] }),
      );
      assert.ok(job?.jobID);

      const jobsNode = await nodeAt(explorer, ['us-east-1', 'DRS', 'Jobs']);
      explorer.refresh(jobsNode);
      const rows = await childrenOf(explorer, jobsNode);
      const jobRow = rows.find((row): row is ResourceNode => isResourceRow(row) && row.resource.id === job.jobID);
      assert.ok(jobRow, `the new job ${job.jobID} is listed: ${rows.map(label).join(', ')}`);
      assert.match(jobRow.resource.state ?? '', /PENDING|STARTED/);
      assert.equal(jobRow.resource.stateTone, 'transitional');
      const rootBefore = (await childrenOf(explorer))[0];
      const refreshesBefore = explorer.liveRefreshCount;

      const settled = await eventually(
        'the job to settle',
        async () => (jobRow.resource.state === 'COMPLETED' ? jobRow.resource : undefined),
        60_000,
      );
      assert.equal(settled.stateTone, 'ok');
      assert.ok(explorer.liveRefreshCount > refreshesBefore, 'settled through live refreshes');
      assert.equal((await childrenOf(explorer))[0], rootBefore, 'the tree was not reloaded');
      assert.equal(
        (await childrenOf(explorer, jobsNode)).find((row) => row === jobRow),
        jobRow,
        'the same node object was updated in place',
      );
    } finally {
      drs.destroy();
    }
  });
});
