// THE reload test: a drill is running, the window reloads (the extension host restarts), and the run
// appears again and completes with nothing lost and nothing started twice.
//
// Reloading re-runs this test index in a new extension host, so the test has two phases, told apart by a
// marker file in PILOT_LIGHT_TEST_STATE_DIR (a folder the host runner keeps for the session; it survives
// the reload). The runner gives this test a session of its own (`@reload`), so nothing else re-runs.
//   phase 1: start the drill, wait until the first wave's DRS job runs, write the marker, reload; never resolve.
//   phase 2: find the marker, check the run was picked up again from its journal and completed.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { PilotLightTestApi } from '../../src/extension';
import { readJournal } from '../../src/core/dr/journal';
import {
  admin,
  approveEverything,
  groupYaml,
  jobsOfRun,
  pilotLight,
  seedStagingServers,
  startRecoveryCalls,
  untilRun,
  withTimeout,
  writeDrFile,
} from './support/dr';

interface Marker {
  runId: string;
  journalPath: string;
  extensionHostPid: number;
  startRecoveryBefore: number;
  reloadedAt: string;
  eventsBeforeReload: number;
}

const PLAN = [
  'schemaVersion: 2',
  'kind: RecoveryPlan',
  'name: ht-reload',
  'targets: { rtoMinutes: 20 }',
  'waves:',
  '  - name: db',
  '    protectionGroups: [ht-reload-db]',
  '  - name: app',
  '    protectionGroups: [ht-reload-app]',
  '    dependsOn: [db]',
  '  - name: web',
  '    protectionGroups: [ht-reload-web]',
  '    dependsOn: [app]',
  '',
].join('\n');

function markerPath(api: PilotLightTestApi): string {
  const dir =
    process.env.PILOT_LIGHT_TEST_STATE_DIR ?? join(api.ctx!.extension.globalStorageUri.fsPath, 'host-test-state');
  mkdirSync(dir, { recursive: true });
  return join(dir, 'dr-reload-test.json');
}

describe('A recovery run survives a window reload @reload', function () {
  it('continues the drill from its journal after the reload: the run appears again and completes, one StartRecovery per wave', async function () {
    this.timeout(180_000);
    const api = await pilotLight();
    const approvals = approveEverything(api); // none expected: see the staging servers below
    const marker = markerPath(api);

    if (!existsSync(marker)) {
      // ---- phase 1 ---------------------------------------------------------------------------------
      // Servers of a staging environment: the guardrails ask no approval for their drill, so nothing waits for a
      // person on either side of the reload (the sample account's servers are in production).
      await seedStagingServers('reload', ['db', 'app', 'web']);
      writeDrFile('groups/ht-reload-db.protection-group.yaml', groupYaml('ht-reload-db', 'reload-db'));
      writeDrFile('groups/ht-reload-app.protection-group.yaml', groupYaml('ht-reload-app', 'reload-app'));
      writeDrFile('groups/ht-reload-web.protection-group.yaml', groupYaml('ht-reload-web', 'reload-web'));
      const planPath = writeDrFile('plans/ht-reload.recovery-plan.yaml', PLAN);
      await admin().setClock({ timeScale: 2 }); // ~7 s per job: the reload lands inside the first wave
      const startRecoveryBefore = await startRecoveryCalls();
      const runId = await vscode.commands.executeCommand<string>('pilotLight.dr.runDrill', vscode.Uri.file(planPath));
      assert.ok(runId, api.dr.lastError?.message);
      const state = await untilRun(
        api,
        runId,
        'the db wave to launch',
        (s) => Boolean(s.waves.db.jobKeys['db#0']?.jobId) && s.waves.db.status === 'running',
        30_000,
      );
      const session = (await api.dr.services.manager()).get(runId)!;
      const saved: Marker = {
        runId,
        journalPath: session.journalPath,
        extensionHostPid: process.pid,
        startRecoveryBefore,
        reloadedAt: new Date().toISOString(),
        eventsBeforeReload: state.lastSeq,
      };
      writeFileSync(marker, JSON.stringify(saved, null, 2));
      console.log(
        `[reload test] phase 1: run ${runId} is in wave db (job ${state.waves.db.jobKeys['db#0'].jobId}); reloading the window`,
      );
      void vscode.commands.executeCommand('workbench.action.reloadWindow');
      await new Promise<never>(() => undefined); // this extension host ends with the reload
    }

    // ---- phase 2 -----------------------------------------------------------------------------------
    const saved = JSON.parse(readFileSync(marker, 'utf8')) as Marker;
    rmSync(marker); // a failure below must not loop back into phase 2
    try {
      console.log(`[reload test] phase 2: after the reload, looking for run ${saved.runId}`);
      assert.notEqual(process.pid, saved.extensionHostPid, 'a new extension host runs phase 2');
      await withTimeout(api.dr.recovered, 30_000, 'the startup recovery of unfinished runs');
      const manager = await api.dr.services.manager();
      const session = manager.get(saved.runId);
      assert.ok(session, 'the unfinished run was picked up after the reload');
      assert.equal(
        session.role,
        'owner',
        `this window continues the run itself (DrRunner.resume), role ${session.role}${session.blockedReason ? `: ${session.blockedReason}` : ''}`,
      );
      assert.ok(session.state.lastSeq >= saved.eventsBeforeReload, 'every event from before the reload is there');

      const roots = await api.dr.runs.getChildren();
      const node = roots.find((root) => (root as { runId?: string }).runId === saved.runId);
      assert.ok(node, 'the run appears again in Recovery runs');
      assert.match(String(node.getTreeItem().description), /^drill · (running|completed)/);

      const final = await withTimeout(manager.whenFinished(saved.runId), 120_000, 'the resumed drill to end');
      assert.equal(final.status, 'completed', JSON.stringify(final.errors));
      for (const wave of ['db', 'app', 'web']) {
        assert.equal(final.waves[wave].status, 'completed', `wave ${wave}`);
        const key = final.waves[wave].jobKeys[`${wave}#0`];
        assert.equal(key.attempts, 1, `one StartRecovery request for wave ${wave}`);
        assert.ok(key.jobId);
      }
      const servers = Object.values(final.waves).flatMap((wave) => Object.values(wave.servers));
      assert.ok(
        servers.every((server) => server.launchStatus === 'LAUNCHED' && server.ec2InstanceId),
        JSON.stringify(servers),
      );
      assert.equal(
        (await jobsOfRun(saved.runId)).filter((job) => job.type === 'LAUNCH').length,
        3,
        'three LAUNCH jobs carry the run ID',
      );
      assert.equal(
        (await startRecoveryCalls()) - saved.startRecoveryBefore,
        3,
        'one StartRecovery per wave in total, across both extension hosts',
      );
      const { events } = readJournal(saved.journalPath); // throws on a gap or a damaged line
      assert.equal(events[0].type, 'run.created');
      assert.equal(events.filter((event) => event.type === 'run.created').length, 1);
      assert.equal(events.filter((event) => event.type === 'job.started').length, 3);
      assert.equal(events.at(-1)!.seq, events.length, 'contiguous sequence numbers: one writer at a time');
      assert.deepEqual(approvals.requests, [], 'staging servers: no approval was needed');
      await withTimeout(
        (async () => {
          for (;;) {
            if (/^drill · completed/.test(String(node.getTreeItem().description))) return;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        })(),
        10_000,
        'the view to show the completed run',
      );
    } finally {
      await admin().setClock({ timeScale: 1 });
    }
  });
});
