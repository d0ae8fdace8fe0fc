// DR assistance commands in the real extension host, against the emulators.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { PilotLightTestApi } from '../../src/extension';
import { parseDrDocument } from '../../src/core/dr/parse';
import { admin, groupYaml, pilotLight, removeDrFiles, sourceServerIds, workspaceRoot, writeDrFile } from './support/dr';

const PLAN = [
  'schemaVersion: 2',
  'kind: RecoveryPlan',
  'name: hta-shop',
  'waves:',
  '  - name: db',
  '    protectionGroups: [hta-db-tier]',
  '  - name: web',
  '    protectionGroups: [hta-web-tier]',
  '    dependsOn: [db]',
  '',
].join('\n');

describe('DR assistance in the extension host @dr', function () {
  this.timeout(60_000);
  let api: PilotLightTestApi;
  const written: string[] = [];
  let stalled = '';

  before(async () => {
    api = await pilotLight();
    written.push(writeDrFile('groups/hta-db-tier.protection-group.yaml', groupYaml('hta-db-tier', 'db')));
    written.push(writeDrFile('groups/hta-web-tier.protection-group.yaml', groupYaml('hta-web-tier', 'web')));
    written.push(writeDrFile('plans/hta-shop.recovery-plan.yaml', PLAN));
    [stalled] = await sourceServerIds('web');
    await admin().setReplicationState(stalled, { state: 'STALLED', error: 'AGENT_NOT_SEEN' });
  });

  after(async () => {
    await admin().setReplicationState(stalled, { state: 'CONTINUOUS' });
    removeDrFiles(written);
    api.dr.prompts.confirm = async () => undefined;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('generates a runbook for a plan file with the live replication states', async () => {
    const uri = (await vscode.commands.executeCommand(
      'pilotLight.dr.generateRunbook',
      vscode.Uri.file(written[2]),
    )) as vscode.Uri;
    assert.ok(uri, `no document: ${api.dr.lastError?.message}`);
    const text = api.dr.documents.text(uri) ?? '';
    assert.match(text, /# DR runbook: hta-shop/);
    assert.match(text, /- RTO: not set/);
    assert.match(
      text,
      new RegExp(`\\| web \\| ${stalled} \\| [^|]+ \\| STALLED \\| [^|]+ \\| AGENT\\\\_NOT\\\\_SEEN \\|`),
    );
    assert.ok(
      text.indexOf('Wave db (level 0)') > 0 && text.indexOf('Wave db (level 0)') < text.indexOf('Wave web (level 1)'),
    );
  });

  it('explains the stalled server from its ID', async () => {
    const uri = (await vscode.commands.executeCommand('pilotLight.dr.explainReplication', stalled)) as vscode.Uri;
    const text = api.dr.documents.text(uri) ?? '';
    assert.match(text, /## AGENT\\_NOT\\_SEEN/);
    assert.match(text, /outbound TCP 443/);
  });

  it('previews a setup from requirements, writes it on "Write files", and never overwrites', async () => {
    const requirement = 'tiers: hta2-db, hta2-web by the Role tag, RTO 20 minutes';
    const paths = [
      'groups/hta2-db-tier.protection-group.yaml',
      'groups/hta2-web-tier.protection-group.yaml',
      'plans/hta2-db-hta2-web-recovery.recovery-plan.yaml',
    ].map((path) => join(workspaceRoot(), '.pilotlight', 'dr', path));
    written.push(...paths);
    let asked = '';
    api.dr.prompts.confirm = async (message, detail) => ((asked = `${message}\n${detail}`), 'Write files');
    await vscode.commands.executeCommand('pilotLight.dr.setupFromRequirements', requirement);
    assert.match(asked, /Write 3 DR files\?/);
    for (const path of paths) {
      assert.ok(existsSync(path), path);
      assert.deepEqual(parseDrDocument(readFileSync(path, 'utf8')).diagnostics, [], path);
    }
    const before = readFileSync(paths[2], 'utf8');
    await vscode.commands.executeCommand('pilotLight.dr.setupFromRequirements', requirement);
    assert.match(api.dr.lastError?.message ?? '', /Nothing written: .*already exist/);
    assert.equal(readFileSync(paths[2], 'utf8'), before);
  });
});
