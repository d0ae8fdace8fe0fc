// A pending external approval survives a REAL window reload: a production terminate opens a Jira ticket and shows in
// Pending approvals; the window reloads (a new extension host activates the extension again); the request
// reappears, polling resumes, and the change runs only after the ticket is approved by someone else AND the user
// confirms again against a fresh dry-run.
//
// As in drReload.test.ts, the reload re-runs this test index, so the test has two phases told apart by a marker
// file in PILOT_LIGHT_TEST_STATE_DIR, and a session of its own (`@approvalsReload`, see scripts/lib/vscodeHost.mjs).
// The Jira emulator runs in a detached process (support/jiraProcess.ts) so it outlives the first extension host;
// phase 2 stops it by its process ID.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { PilotLightTestApi } from '../../src/extension';
import type { AuditRecord } from '../../src/core/audit/types';
import type { InteractiveRunResult } from '../../src/features/shared/interactiveRun';
import { startDetachedJira, stopDetachedJira } from './support/jiraProcess';
import {
  approving,
  denying,
  instanceStates,
  launchInstance,
  SCRATCH_REGION,
  setSetting,
  terminateDirectly,
  testing,
  useTempAuditTrail,
  waitFor,
} from './support/safety';

const TOKEN = 'jira-reload-secret-3d8e51b0a6';

interface Marker {
  extensionHostPid: number;
  jiraUrl: string;
  jiraPid: number;
  auditPath: string;
  instanceId: string;
  requestId: string;
  key: string;
}

function markerPath(api: PilotLightTestApi): string {
  const dir =
    process.env.PILOT_LIGHT_TEST_STATE_DIR ?? join(api.ctx!.extension.globalStorageUri.fsPath, 'host-test-state');
  mkdirSync(dir, { recursive: true });
  return join(dir, 'approvals-reload-test.json');
}

function auditRecords(path: string): AuditRecord[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRecord);
}

describe('A pending Jira approval survives a window reload @approvalsReload', function () {
  it('a production terminate opens a ticket, shows in Pending approvals, survives the reload, and runs only after approval and a fresh confirmation', async function () {
    this.timeout(180_000);
    const { api, testing: hooks } = await testing();
    const marker = markerPath(api);

    if (!existsSync(marker)) {
      // ---- phase 1 ---------------------------------------------------------------------------------
      const jira = await startDetachedJira([
        { accountId: 'acc-host', emailAddress: 'host@example.com', displayName: 'Host Requester', token: TOKEN },
        { accountId: 'acc-bob', emailAddress: 'bob@example.com', displayName: 'Bob Approver', token: 'tok-bob' },
      ]);
      try {
        const trail = await useTempAuditTrail();
        await setSetting('approvals.jira.projectKey', 'OPS');
        await setSetting('approvals.jira.issueType', 'Change');
        await setSetting('guardrails.approvals', [
          { environments: ['production'], system: 'jira', timeoutMinutes: 30 },
        ]);
        await vscode.commands.executeCommand('pilotLight.approvals.signInJira', {
          url: jira.url,
          user: 'host@example.com',
          secret: TOKEN,
        });
        const confirmations = approving();
        hooks.setApprovalProvider(confirmations);
        const instanceId = await launchInstance({ Environment: 'production', Name: 'ht-approval-reload' });

        const requested = await vscode.commands.executeCommand<InteractiveRunResult>('pilotLight.operations.run', {
          operationId: 'ec2.instances.terminate',
          region: SCRATCH_REGION,
          input: { instanceIds: [instanceId] },
        });
        assert.equal(requested.status, 'pending-approval', requested.message);
        assert.match(requested.message, /ticket OPS-\d+ in jira/);
        assert.equal(confirmations.requests.length, 0, 'nothing is confirmed before the ticket is approved');

        const feature = await hooks.approvals();
        assert.ok(feature);
        const item = (await feature.provider.getChildren()).find((entry) =>
          entry.request.resourceIds.includes(instanceId),
        );
        assert.ok(item, 'the request shows in Pending approvals');
        const issue = (await (await fetch(`${jira.url}/__emulator/issues/${item.request.ticket.key}`)).json()) as {
          fields: { status: { name: string } };
        };
        assert.equal(issue.fields.status.name, 'Waiting for approval', 'the ticket exists in Jira');

        const saved: Marker = {
          extensionHostPid: process.pid,
          jiraUrl: jira.url,
          jiraPid: jira.pid,
          auditPath: trail.path,
          instanceId,
          requestId: item.request.id,
          key: item.request.ticket.key,
        };
        writeFileSync(marker, JSON.stringify(saved, null, 2));
      } catch (error) {
        stopDetachedJira(jira.pid);
        throw error;
      }
      console.log('[approvals reload test] phase 1: the request is pending in Jira; reloading the window');
      void vscode.commands.executeCommand('workbench.action.reloadWindow');
      await new Promise<never>(() => undefined); // this extension host ends with the reload
    }

    // ---- phase 2 -----------------------------------------------------------------------------------
    const saved = JSON.parse(readFileSync(marker, 'utf8')) as Marker;
    rmSync(marker); // a failure below must not loop back into phase 2
    try {
      console.log(`[approvals reload test] phase 2: after the reload, looking for ${saved.key}`);
      assert.notEqual(process.pid, saved.extensionHostPid, 'a new extension host runs phase 2');
      const feature = await hooks.approvals();
      assert.ok(feature);
      const item = await waitFor('the request to reappear in Pending approvals', async () =>
        (await feature.provider.getChildren()).find((entry) => entry.request.id === saved.requestId),
      );
      assert.equal(item.request.ticket.key, saved.key);
      assert.equal(item.request.state, 'pending');
      assert.match(String(item.description), /waiting · 0\/1 approval/);
      const service = await feature.service();
      await waitFor('polling to resume after the reload', () => service.polling().includes(saved.requestId));

      // Not before approval: the request cannot run while the ticket waits.
      const confirmations = approving();
      hooks.setApprovalProvider(confirmations);
      await vscode.commands.executeCommand('pilotLight.approvals.run', saved.requestId).then(
        (result) => assert.notEqual((result as { status?: string } | undefined)?.status, 'succeeded'),
        () => undefined, // refused: only an approved request can run
      );
      assert.equal(confirmations.requests.length, 0, 'no confirmation is asked while the ticket waits');
      assert.equal((await instanceStates([saved.instanceId]))[saved.instanceId], 'running');

      // Someone else approves in Jira; the resumed polling sees it.
      const transition = await fetch(`${saved.jiraUrl}/__emulator/issues/${saved.key}/transition`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'Approved', by: 'acc-bob' }),
      });
      assert.equal(transition.status, 200);
      const approved = await waitFor(
        'the resumed polling to see the ticket approved',
        async () => (await service.list()).find((entry) => entry.id === saved.requestId && entry.state === 'approved'),
        90_000,
      );
      assert.deepEqual(approved.approvers, ['Bob Approver']);
      assert.equal(
        (await instanceStates([saved.instanceId]))[saved.instanceId],
        'running',
        'an approval alone runs nothing',
      );

      // Not without the fresh confirmation: declining it leaves the instance running.
      const declining = denying();
      hooks.setApprovalProvider(declining);
      const declined = await vscode.commands.executeCommand<{ status: string; message: string }>(
        'pilotLight.approvals.run',
        saved.requestId,
      );
      assert.notEqual(declined.status, 'succeeded', declined.message);
      assert.equal(declining.requests.length, 1, 'the fresh confirmation was asked');
      assert.equal((await instanceStates([saved.instanceId]))[saved.instanceId], 'running');

      // Approved and confirmed against a fresh dry-run: it runs.
      hooks.setApprovalProvider(confirmations);
      const ran = await vscode.commands.executeCommand<{ status: string; message: string; correlationId: string }>(
        'pilotLight.approvals.run',
        saved.requestId,
      );
      assert.equal(ran.status, 'succeeded', ran.message);
      assert.equal(confirmations.requests.length, 1, 'asked once more');
      assert.notEqual(confirmations.requests[0].correlationId, saved.requestId, 'against a fresh dry-run');
      assert.match((await instanceStates([saved.instanceId]))[saved.instanceId] ?? '', /shutting-down|terminated/);

      const records = auditRecords(saved.auditPath).filter((record) => record.approval?.reference === saved.key);
      assert.equal(records[0]?.outcome, 'dry-run', 'the request was audited with the ticket before the reload');
      assert.deepEqual(
        records.filter((record) => record.outcome === 'succeeded').map((record) => record.correlationId),
        [ran.correlationId],
        'one change ran, with the ticket reference',
      );
      assert.equal(records.at(-1)?.outcome, 'succeeded');
      assert.ok(!readFileSync(saved.auditPath, 'utf8').includes(TOKEN), 'the audit trail holds the Jira token');
    } finally {
      stopDetachedJira(saved.jiraPid);
      hooks.setApprovalProvider(undefined);
      for (const key of [
        'guardrails.approvals',
        'approvals.jira.url',
        'approvals.jira.projectKey',
        'approvals.jira.issueType',
        'audit.path',
      ])
        await setSetting(key, undefined);
      await terminateDirectly([saved.instanceId]).catch(() => undefined);
      rmSync(dirname(saved.auditPath), { recursive: true, force: true });
    }
  });
});
