// The protection-group view in the real extension host against the DRS emulator: the servers a group resolves
// to with their replication state, lag and last recovery instance, refreshed from DRS, and the parts of the
// selection that match nothing flagged.
import * as assert from 'node:assert/strict';
import { DescribeJobsCommand, StartRecoveryCommand } from '@aws-sdk/client-drs';
import * as vscode from 'vscode';
import type { PilotLightTestApi } from '../../src/extension';
import {
  admin,
  drsClient,
  eventually,
  pilotLight,
  removeDrFiles,
  seedStagingServers,
  sourceServerIds,
  writeDrFile,
} from './support/dr';

const OPEN_GROUP = 'pilotLight.dr.showProtectionGroup';
const UNKNOWN_ID = 's-0000000000000dead';

describe('Protection-group view in the extension host @dr', function () {
  this.timeout(120_000);
  let api: PilotLightTestApi;
  const written: string[] = [];

  before(async () => {
    api = await pilotLight();
    await seedStagingServers('pgview', ['app', 'web']);
  });

  after(async () => {
    removeDrFiles(written);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  async function viewText(uri: vscode.Uri): Promise<string> {
    return (await vscode.workspace.openTextDocument(uri)).getText();
  }

  function rowOf(markdown: string, sourceServerId: string): string[] {
    const row = markdown.split('\n').find((line) => line.includes(`| ${sourceServerId} |`));
    assert.ok(row, `a row for ${sourceServerId} in:\n${markdown}`);
    return row
      .split('|')
      .map((cell) => cell.trim())
      .slice(1, -1);
  }

  it('shows each server with replication state, lag and last recovery instance, flags an unknown ID, and refreshes from DRS', async () => {
    const [app] = await sourceServerIds('pgview-app');
    const [web] = await sourceServerIds('pgview-web');
    assert.ok(app && web, 'the staging servers are seeded');
    written.push(
      writeDrFile(
        'groups/pgview-front.protection-group.yaml',
        `schemaVersion: 2\nkind: ProtectionGroup\nname: pgview-front\nregion: us-east-1\nselection:\n  tags: { Role: pgview-app }\n  sourceServerIds: [${web}, ${UNKNOWN_ID}]\n`,
      ),
    );
    await admin().setReplicationState(web, { state: 'STALLED', error: 'SNAPSHOTS_FAILURE' });

    const uri = (await vscode.commands.executeCommand(OPEN_GROUP, 'pgview-front')) as vscode.Uri | undefined;
    assert.ok(uri, `the command returned no view; last error: ${JSON.stringify(api.dr.lastError)}`);
    let markdown = await viewText(uri);
    assert.match(markdown, /^# Protection group pgview-front/m);
    assert.match(markdown, /2 server\(s\)/);
    assert.match(markdown, new RegExp(`Unknown source server ID\\(s\\): ${UNKNOWN_ID}`));
    const [appHost, , appReplication, appLag, appLaunch, appInstance, appVia] = rowOf(markdown, app);
    assert.deepEqual(
      [appHost, appReplication, appLaunch, appInstance, appVia],
      [
        'pgview-app-1',
        'CONTINUOUS',
        'NOT\\_STARTED', // Markdown-escaped
        '—',
        'tags',
      ],
    );
    assert.match(appLag, /^PT\d/, 'the lag as DRS reports it');
    const webRow = rowOf(markdown, web);
    assert.equal(webRow[2], '⚠ STALLED', 'an unhealthy replication state is flagged');
    assert.equal(webRow[6], 'id');
    assert.ok(
      vscode.window.tabGroups.all.some((group) => group.tabs.some((tab) => tab.label.includes('pgview-front'))),
      'the view is open in a tab',
    );

    // A drill of the app server outside the extension: the view shows its recovery instance on the next open.
    const drs = drsClient();
    try {
      const { job } = await drs.send(
        new StartRecoveryCommand({ isDrill: true, sourceServers: [{ sourceServerID: app }] }),
      );
      await eventually(
        'the drill job to complete',
        async () => {
          const { items = [] } = await drs.send(new DescribeJobsCommand({ filters: { jobIDs: [job!.jobID!] } }));
          return items[0]?.status === 'COMPLETED' ? items[0] : undefined;
        },
        60_000,
      );
    } finally {
      drs.destroy();
    }
    await admin().setReplicationState(web, { state: 'CONTINUOUS' });
    markdown = await eventually('the recovery instance in the view', async () => {
      await vscode.commands.executeCommand(OPEN_GROUP, 'pgview-front');
      const text = await viewText(uri);
      return rowOf(text, app)[5] !== '—' ? text : undefined;
    });
    const [, , , , launch, instance] = rowOf(markdown, app);
    assert.equal(launch, 'SUCCEEDED');
    assert.match(instance, /^i-[0-9a-f]+$/);
    assert.equal(rowOf(markdown, web)[2], 'CONTINUOUS');
  });

  it('flags a tag selector that matches no server, naming the tag', async () => {
    written.push(
      writeDrFile(
        'groups/pgview-nothing.protection-group.yaml',
        'schemaVersion: 2\nkind: ProtectionGroup\nname: pgview-nothing\nregion: us-east-1\nselection:\n  tags: { Role: pgview-nobody }\n',
      ),
    );
    const uri = (await vscode.commands.executeCommand(OPEN_GROUP, 'pgview-nothing')) as vscode.Uri | undefined;
    assert.ok(uri, `the command returned no view; last error: ${JSON.stringify(api.dr.lastError)}`);
    const markdown = await viewText(uri);
    assert.match(markdown, /The tag selector matches no source server\. No server carries Role=pgview-nobody\./);
    assert.match(markdown, /0 server\(s\)/);
    assert.match(markdown, /No server is in this group\./);
  });
});
