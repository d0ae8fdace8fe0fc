// Recovery plans on Step Functions in the real extension host, against the emulators: the commands deploy the
// plan as a CloudFormation stack in moto, moto executes it (aws-sdk:drs tasks reach the DRS emulator), and the
// run is followed into Recovery runs. Tagged @dr: it launches recovery instances.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { PilotLightTestApi } from '../../src/extension';
import { replayJournal } from '../../src/core/dr/journal';
import type { RunState } from '../../src/core/dr/state';
import {
  admin,
  approveEverything,
  eventually,
  groupYaml,
  pilotLight,
  removeDrFiles,
  stopApproving,
  writeDrFile,
} from './support/dr';

const PLAN = [
  'schemaVersion: 2',
  'kind: RecoveryPlan',
  'name: ht-sfn',
  'waves:',
  '  - name: db',
  '    protectionGroups: [ht-sfn-db]',
  '  - name: app',
  '    protectionGroups: [ht-sfn-app]',
  '    dependsOn: [db]',
  '    pauseBeforeWave: true',
  '  - name: web',
  '    protectionGroups: [ht-sfn-web]',
  '    dependsOn: [app]',
  '',
].join('\n');

async function lensTitles(uri: vscode.Uri): Promise<string[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10);
  return (lenses ?? []).map((lens) => lens.command?.title ?? '').filter((title) => title.includes('Step Functions'));
}

describe('Recovery plans on Step Functions in the extension host @dr', function () {
  this.timeout(180_000);
  let api: PilotLightTestApi;
  const written: string[] = [];
  let planUri: vscode.Uri;

  before(async () => {
    api = await pilotLight();
    approveEverything(api);
    written.push(writeDrFile('groups/ht-sfn-db.protection-group.yaml', groupYaml('ht-sfn-db', 'db')));
    written.push(writeDrFile('groups/ht-sfn-app.protection-group.yaml', groupYaml('ht-sfn-app', 'app')));
    written.push(writeDrFile('groups/ht-sfn-web.protection-group.yaml', groupYaml('ht-sfn-web', 'web')));
    const planPath = writeDrFile('plans/ht-sfn.recovery-plan.yaml', PLAN);
    written.push(planPath);
    planUri = vscode.Uri.file(planPath);
    await vscode.workspace
      .getConfiguration('pilotLight')
      .update('dr.stepFunctionsPollSeconds', 1, vscode.ConfigurationTarget.Workspace);
    await admin().setClock({ timeScale: 0.3 });
  });

  after(async () => {
    stopApproving(api);
    await admin().setClock({ timeScale: 1 });
    await vscode.workspace
      .getConfiguration('pilotLight')
      .update('dr.stepFunctionsPollSeconds', undefined, vscode.ConfigurationTarget.Workspace);
    removeDrFiles(written);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('deploys from the command, the code lens follows, and a drill runs on Step Functions with a resume', async () => {
    await vscode.window.showTextDocument(planUri);
    const before = await eventually('the Step Functions code lens', async () => {
      const titles = await lensTitles(planUri);
      return titles.length ? titles : undefined;
    });
    assert.match(before[0], /Step Functions: not deployed/);

    const deployed = await vscode.commands.executeCommand<{ status: string; stackName: string }>(
      'pilotLight.dr.deployToStepFunctions',
      planUri,
    );
    assert.equal(deployed?.status, 'succeeded', api.dr.lastError?.message);
    assert.equal(deployed.stackName, 'pilotlight-plan-ht-sfn');
    const after = await eventually('the code lens to say in sync', async () => {
      const titles = await lensTitles(planUri);
      return titles.some((t) => /in sync with this file/.test(t)) ? titles : undefined;
    });
    assert.match(after[0], /deployed, in sync with this file/);

    // The plan is open in the visual editor while it runs: its nodes get the run's states.
    await vscode.commands.executeCommand('vscode.openWith', planUri, 'pilotLight.recoveryPlanEditor');
    const editor = await eventually('the visual plan editor', async () =>
      (await api.testing!.recoveryPlanEditors()).find((e) => e.document.uri.fsPath === planUri.fsPath),
    );
    await editor.whenRendered();

    const started = await vscode.commands.executeCommand<{ status: string; runId: string }>(
      'pilotLight.dr.runOnStepFunctions',
      planUri,
      'drill',
    );
    assert.equal(started?.status, 'succeeded', api.dr.lastError?.message);
    const journal = join(api.dr.services.journalDir, `${started.runId}.run.jsonl`);
    const state = (predicate: (s: RunState) => boolean) =>
      eventually(
        'the Step Functions run',
        async () => {
          const current = replayJournal(journal).state;
          return predicate(current) ? current : undefined;
        },
        120_000,
      );
    const held = await state((s) => s.waves.app.status === 'held');
    assert.equal(held.waves.db.status, 'completed');
    assert.equal(held.waves.app.steps['app/launch'].status, 'pending', 'nothing after the pause has started');
    const onNodes = await eventually('the held wave on the editor nodes', async () => {
      const sent = [...editor.messagesSent].reverse().find((message) => message.type === 'run');
      const run = sent?.type === 'run' ? sent.run : undefined;
      return run?.runId === started.runId && run.waves.find((wave) => wave.name === 'app')?.status === 'held'
        ? run
        : undefined;
    });
    assert.equal(onNodes.engine, 'stepFunctions');
    assert.equal(onNodes.waves.find((wave) => wave.name === 'db')?.status, 'completed');
    assert.ok(onNodes.waves.find((wave) => wave.name === 'db')?.servers.every((s) => s.status === 'LAUNCHED'));

    const resumed = await vscode.commands.executeCommand<{ status: string }>(
      'pilotLight.dr.approveStepFunctions',
      started.runId,
    );
    assert.equal(resumed?.status, 'succeeded', api.dr.lastError?.message);
    const done = await state((s) => ['completed', 'failed', 'cancelled'].includes(s.status));
    assert.equal(done.status, 'completed', JSON.stringify(done.errors));
    await eventually('the finished run on the editor nodes', async () => {
      const sent = [...editor.messagesSent].reverse().find((message) => message.type === 'run');
      return sent?.type === 'run' && sent.run?.status === 'completed' ? true : undefined;
    });
    for (const wave of ['db', 'app', 'web']) {
      assert.equal(done.waves[wave].status, 'completed');
      for (const server of Object.values(done.waves[wave].servers)) assert.equal(server.launchStatus, 'LAUNCHED');
    }
    // It is in Recovery runs like a local run.
    const listed = await eventually('the run in Recovery runs', async () =>
      (await api.dr.runs.getChildren()).find((node) => (node as { runId?: string }).runId === started.runId),
    );
    assert.ok(listed);
  });
});
