import * as assert from 'node:assert/strict';
import { DrsClient, GetLaunchConfigurationCommand, UpdateLaunchConfigurationCommand } from '@aws-sdk/client-drs';
import {
  CreateLaunchTemplateCommand,
  DeleteLaunchTemplateCommand,
  DescribeLaunchTemplateVersionsCommand,
} from '@aws-sdk/client-ec2';
import * as vscode from 'vscode';
import type { ExplorerNode } from '../../src/features/explorer/nodes';
import type { LaunchTemplatePanel } from '../../src/features/editors/launchTemplate/panel';
import type { ToWebview } from '../../src/protocol/launchTemplate';
import { eventually, label, nodeAt, walk } from './support/explorerWalk';
import { approving, ec2, endpoint, SAMPLE_REGION, testing } from './support/safety';

const TEMPLATE_NAME = `lt-editor-host-${Date.now().toString(36)}`;
const SCRIPT = '#!/bin/bash\necho from-the-editor\n';

async function versionsOf(templateId: string) {
  const output = await ec2(SAMPLE_REGION).send(
    new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId }),
  );
  return output.LaunchTemplateVersions ?? [];
}

function lastOf<T extends ToWebview['type']>(
  panel: LaunchTemplatePanel,
  type: T,
): Extract<ToWebview, { type: T }> | undefined {
  return [...panel.messagesSent]
    .reverse()
    .find((message): message is Extract<ToWebview, { type: T }> => message.type === type);
}

describe('launch-template editor (webview panel)', function () {
  this.timeout(120_000);
  let templateId: string;
  let panel: LaunchTemplatePanel;

  before(async () => {
    const { testing: api } = await testing();
    api.setApprovalProvider(approving());
    const created = await ec2(SAMPLE_REGION).send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: TEMPLATE_NAME,
        VersionDescription: 'first',
        LaunchTemplateData: {
          InstanceType: 't3.micro',
          ImageId: 'ami-12c6146b',
          MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
        },
      }),
    );
    templateId = created.LaunchTemplate!.LaunchTemplateId!;
  });

  after(async () => {
    const { testing: api } = await testing();
    api.setApprovalProvider(undefined);
    panel?.dispose();
    await ec2(SAMPLE_REGION)
      .send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: templateId }))
      .catch(() => undefined);
  });

  it('opens from the launch-template node of the explorer and renders the form in the webview', async () => {
    const { api, testing: hooks } = await testing();
    const list = await nodeAt(api.explorer, [SAMPLE_REGION, 'Launch templates']);
    api.explorer.refresh(list);
    const node = await eventually('the new template in the explorer', async () =>
      (await walk(api.explorer, [SAMPLE_REGION, 'Launch templates'])).find(
        (row: ExplorerNode) => label(row) === TEMPLATE_NAME,
      ),
    );
    assert.ok(node.getTreeItem().contextValue?.startsWith('pilotLight.resource ec2:launch-template'));
    await vscode.commands.executeCommand('pilotLight.launchTemplate.edit', node);
    const panels = await hooks.launchTemplatePanels();
    const opened = panels.find((candidate) => candidate.target.templateId === templateId);
    assert.ok(opened, `a panel for ${templateId}; open: ${panels.map((candidate) => candidate.key).join(', ')}`);
    panel = opened;
    assert.match(panel.key, new RegExp(`^\\d{12}/${SAMPLE_REGION}/${templateId}$`));
    await panel.whenRendered(1);
    const state = lastOf(panel, 'state')?.state;
    assert.ok(state);
    assert.equal(state.templateName, TEMPLATE_NAME);
    assert.equal(state.form.instanceType, 't3.micro');
    assert.equal(state.form.httpTokens, 'required');
    assert.deepEqual(
      state.versions.map((row) => [row.versionNumber, row.isDefault]),
      [[1, true]],
    );

    await vscode.commands.executeCommand('pilotLight.launchTemplate.edit', node);
    assert.equal(
      (await hooks.launchTemplatePanels()).filter((candidate) => candidate.target.templateId === templateId).length,
      1,
      're-opening focuses the same panel',
    );
  });

  it('saves through the message path as exactly one new version with only the changed fields; no change creates nothing', async () => {
    const state = lastOf(panel, 'state')!.state;
    assert.equal((await versionsOf(templateId)).length, 1);
    assert.deepEqual(state.userData, { state: 'unset', summary: 'not set' });

    // User data is edited in a real text editor beside the form; saving the document stages it.
    await panel.deliver({ type: 'editUserData' });
    const userDataEditor = await eventually('the user data editor', async () => {
      const active = vscode.window.activeTextEditor;
      return active?.document.uri.scheme === 'pilotlight-userdata' ? active : undefined;
    });
    assert.match(userDataEditor.document.uri.path, new RegExp(`/${templateId}/version-1/user-data\\.txt$`));
    assert.equal(userDataEditor.document.getText(), '');
    await userDataEditor.edit((edit) => edit.insert(new vscode.Position(0, 0), SCRIPT));
    assert.ok(await userDataEditor.document.save(), 'the user data document saves');
    assert.equal(lastOf(panel, 'userData')?.userData.state, 'staged');
    assert.match(lastOf(panel, 'userData')!.userData.summary, /^changed \(2 lines, 33 bytes\)/);
    assert.equal((await versionsOf(templateId)).length, 1, 'saving the document creates no version');

    await panel.deliver({
      type: 'save',
      requestId: 'host-1',
      form: { ...state.form, instanceType: 't3.large' },
      rawJson: state.rawJson,
      makeDefault: false,
      description: 'bigger',
    });
    const result = lastOf(panel, 'result');
    assert.equal(result?.status, 'saved', result?.message);
    const versions = await versionsOf(templateId);
    assert.equal(versions.length, 2, 'exactly one version was created');
    const created = versions.find((version) => version.VersionNumber === 2);
    assert.equal(created?.LaunchTemplateData?.InstanceType, 't3.large');
    assert.equal(created?.LaunchTemplateData?.ImageId, 'ami-12c6146b', 'unchanged fields come from the source version');
    assert.equal(
      Buffer.from(created?.LaunchTemplateData?.UserData ?? '', 'base64').toString('utf8'),
      '#!/bin/bash\necho from-the-editor\n',
      'user data encoded on save',
    );
    assert.equal(created?.DefaultVersion, false);

    await panel.whenRendered(2);
    const after = lastOf(panel, 'state')!.state;
    assert.equal(after.baseVersion, 2);
    assert.equal(after.latestVersion, 2);
    assert.deepEqual(after.userData, { state: 'set', summary: 'set (not shown here)' });
    assert.ok(!JSON.stringify(panel.messagesSent).includes('from-the-editor'), 'no user data text to the webview');

    // Version 2's user data opens decoded, as a shell script; an edit closed without saving stages nothing.
    await panel.deliver({ type: 'editUserData' });
    const second = await eventually('the user data editor of version 2', async () => {
      const active = vscode.window.activeTextEditor;
      return active?.document.uri.path.includes('/version-2/') ? active : undefined;
    });
    assert.equal(second.document.getText(), SCRIPT);
    assert.equal(second.document.languageId, 'shellscript');
    await second.edit((edit) => edit.insert(new vscode.Position(1, 0), 'rm -rf /tmp/x\n'));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    assert.equal(lastOf(panel, 'userData')?.userData.state, 'staged', 'the last summary is still the earlier one');
    assert.equal(panel.stagedUserData, undefined, 'nothing staged for version 2');
    await panel.deliver({
      type: 'save',
      requestId: 'host-2',
      form: after.form,
      rawJson: after.rawJson,
      makeDefault: false,
      description: '',
    });
    assert.equal(lastOf(panel, 'result')?.status, 'unchanged');
    assert.equal((await versionsOf(templateId)).length, 2, 'no change, no version');
  });

  it('answers an invalid message with an error instead of ignoring it', async () => {
    const before = panel.messagesSent.length;
    await panel.deliver({ type: 'save', requestId: 'host-3', form: { instanceType: '<img src=x onerror=alert(1)>' } });
    const answer = panel.messagesSent.slice(before).find((message) => message.type === 'error');
    assert.ok(answer && answer.type === 'error' && /Invalid message "save"/.test(answer.message));
    assert.equal((await versionsOf(templateId)).length, 2);
  });

  it('compares two versions in VS Code diff editor with the normalized version text', async () => {
    await panel.deliver({ type: 'compare', left: 2, right: 1 });
    const tab = await eventually('the diff editor', async () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputTextDiff && input.original.scheme === 'pilot-light-lt' ? input : undefined;
    });
    const left = (await vscode.workspace.openTextDocument(tab.original)).getText();
    const right = (await vscode.workspace.openTextDocument(tab.modified)).getText();
    assert.equal(
      left,
      [
        '{',
        '  "ImageId": "ami-12c6146b",',
        '  "InstanceType": "t3.micro",',
        '  "MetadataOptions": {',
        '    "HttpEndpoint": "enabled",',
        '    "HttpTokens": "required"',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    assert.match(right, /"InstanceType": "t3\.large"/);
    assert.ok(right.endsWith(`# UserData (base64-decoded)\n${SCRIPT}`), right);
    assert.match(vscode.window.tabGroups.activeTabGroup.activeTab?.label ?? '', /version 1 ↔ version 2/);
  });

  it('makes a version the default and refuses to delete the default', async () => {
    await panel.deliver({ type: 'setDefault', requestId: 'host-4', version: 2 });
    assert.equal(lastOf(panel, 'result')?.status, 'done', lastOf(panel, 'result')?.message);
    assert.equal((await versionsOf(templateId)).find((version) => version.DefaultVersion)?.VersionNumber, 2);
    await panel.deliver({ type: 'deleteVersions', requestId: 'host-5', versions: [2] });
    assert.equal(lastOf(panel, 'result')?.status, 'refused');
    assert.equal((await versionsOf(templateId)).length, 2);
  });

  it('edits the DRS launch settings of a source server from its explorer node', async () => {
    const { api, testing: hooks } = await testing();
    const servers = await walk(api.explorer, [SAMPLE_REGION, 'DRS', 'Source servers']);
    const server = servers[0] as ExplorerNode & { resource?: { id: string } };
    assert.ok(server?.resource?.id.startsWith('s-'), 'a source server row');
    const drs = new DrsClient({
      endpoint: endpoint(),
      region: SAMPLE_REGION,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const before = await drs.send(new GetLaunchConfigurationCommand({ sourceServerID: server.resource!.id }));
    await vscode.commands.executeCommand('pilotLight.drs.editLaunchSettings', server);
    const drsPanel = (await hooks.launchTemplatePanels()).find(
      (candidate) => candidate.target.drs?.sourceServerId === server.resource!.id,
    );
    assert.ok(drsPanel, 'a panel for the server');
    assert.equal(drsPanel.target.templateId, before.ec2LaunchTemplateID);
    const state = await eventually('the DRS settings in the state', async () =>
      [...drsPanel.messagesSent].reverse().find((message) => message.type === 'state' && message.state.drs),
    );
    assert.ok(state.type === 'state' && state.state.drs);
    assert.equal(state.state.drs.settings.copyPrivateIp, before.copyPrivateIp === true);
    const wanted = {
      ...state.state.drs.settings,
      copyPrivateIp: !state.state.drs.settings.copyPrivateIp,
      launchDisposition: 'STARTED' as const,
    };
    try {
      await drsPanel.deliver({ type: 'saveDrsSettings', requestId: 'host-6', settings: wanted });
      assert.equal(lastOf(drsPanel, 'result')?.status, 'done', lastOf(drsPanel, 'result')?.message);
      const after = await drs.send(new GetLaunchConfigurationCommand({ sourceServerID: server.resource!.id }));
      assert.equal(after.copyPrivateIp, wanted.copyPrivateIp);
      assert.equal(after.launchDisposition, 'STARTED');
    } finally {
      // Other host tests read these servers: put their settings back.
      await drs
        .send(
          new UpdateLaunchConfigurationCommand({
            sourceServerID: server.resource!.id,
            copyPrivateIp: before.copyPrivateIp,
            launchDisposition: before.launchDisposition,
          }),
        )
        .catch(() => undefined);
      drsPanel.dispose();
    }
  });
});
