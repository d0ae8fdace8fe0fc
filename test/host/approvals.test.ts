// External approvals in the real extension host: a production terminate from the command opens a Jira ticket
// (our emulator, started here on a free loopback port), shows in Pending approvals, survives a simulated
// re-activation (a new service on the same persisted store: the state a window reload starts from), and runs
// only after the ticket is approved and the user confirms again against a fresh dry-run. The Jira token never
// reaches the log, the audit trail, chat answers or the pending store.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { InteractiveRunResult } from '../../src/features/shared/interactiveRun';
import { startJiraEmulator, type JiraEmulator } from '../../tools/emulators/jira/server';
import {
  approving,
  askAws,
  plain,
  instanceStates,
  launchInstance,
  SCRATCH_REGION,
  setSetting,
  terminateDirectly,
  testing,
  useTempAuditTrail,
  waitFor,
} from './support/safety';

const TOKEN = 'jira-host-secret-7c1f4a9e2b';

describe('external approvals (Jira emulator)', function () {
  this.timeout(120_000);
  let jira: JiraEmulator;
  let trail: Awaited<ReturnType<typeof useTempAuditTrail>>;
  const launched: string[] = [];

  before(async () => {
    jira = await startJiraEmulator({
      users: [
        { accountId: 'acc-host', emailAddress: 'host@example.com', displayName: 'Host Requester', token: TOKEN },
        { accountId: 'acc-bob', emailAddress: 'bob@example.com', displayName: 'Bob Approver', token: 'tok-bob' },
      ],
    });
    trail = await useTempAuditTrail();
    await setSetting('approvals.jira.projectKey', 'OPS');
    await setSetting('approvals.jira.issueType', 'Change');
    await setSetting('guardrails.approvals', [{ environments: ['production'], system: 'jira', timeoutMinutes: 30 }]);
    await vscode.commands.executeCommand('pilotLight.approvals.signInJira', {
      url: jira.url,
      user: 'host@example.com',
      secret: TOKEN,
    });
  });

  after(async () => {
    const { testing: hooks } = await testing();
    hooks.setApprovalProvider(undefined);
    for (const key of [
      'guardrails.approvals',
      'approvals.jira.url',
      'approvals.jira.projectKey',
      'approvals.jira.issueType',
    ])
      await setSetting(key, undefined);
    await terminateDirectly(launched);
    await trail.restore();
    await jira.stop();
  });

  it('a production terminate opens a ticket, survives a re-activation, and runs only after approval and a fresh confirmation', async () => {
    const { api, testing: hooks } = await testing();
    const confirmations = approving();
    hooks.setApprovalProvider(confirmations);
    const instanceId = await launchInstance({ Environment: 'production', Name: 'ht-approval-web' });
    launched.push(instanceId);

    const requested = await vscode.commands.executeCommand<InteractiveRunResult>('pilotLight.operations.run', {
      operationId: 'ec2.instances.terminate',
      region: SCRATCH_REGION,
      input: { instanceIds: [instanceId] },
    });
    assert.equal(requested.status, 'pending-approval', requested.message);
    assert.match(requested.message, /Approval required from: anyone but you \(1 needed\), ticket OPS-\d+ in jira/);
    assert.match(requested.message, /Waiting for approval… \(timeout: 30 minutes\)/);
    assert.equal(confirmations.requests.length, 0, 'nothing is confirmed before the ticket is approved');
    assert.equal((await instanceStates([instanceId]))[instanceId], 'running');

    const feature = await hooks.approvals();
    assert.ok(feature);
    const items = await feature.provider.getChildren();
    const item = items.find((entry) => entry.request.resourceIds.includes(instanceId));
    assert.ok(item, 'the request shows in Pending approvals');
    const key = item.request.ticket.key;
    assert.match(String(item.label), new RegExp(`^${key}: `));
    assert.match(String(item.description), /waiting · 0\/1 approval · 30 min left/);

    // Chat says where it stands, without a model: the slash command and the plain question.
    for (const query of ['@aws /approvals', '@aws status of my approval requests']) {
      const answer = await askAws(query);
      assert.equal(answer.usedModel, false, query);
      const text = plain(answer.markdown);
      assert.match(text, new RegExp(`${key}\\*\\* \\(jira\\): pending approval: ticket ${key} in jira`), text);
      assert.match(text, /Waiting for approval…/);
    }

    // The state a reload starts from: a new service reading the persisted store, polling again.
    const fresh = await feature.reactivateForTests([100, 200]);
    assert.ok(
      (await feature.provider.getChildren()).some((entry) => entry.request.ticket.key === key),
      'it reappears',
    );
    assert.ok(fresh.polling().includes(item.request.id), 'polling resumed');

    await fetch(`${jira.url}/__emulator/issues/${key}/transition`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'Approved', by: 'acc-bob' }),
    });
    const approved = await waitFor('the ticket to be seen approved', async () =>
      (await fresh.list()).find((entry) => entry.id === item.request.id && entry.state === 'approved'),
    );
    assert.deepEqual(approved.approvers, ['Bob Approver']);
    assert.equal((await instanceStates([instanceId]))[instanceId], 'running', 'an approval alone runs nothing');

    const ran = await vscode.commands.executeCommand<{ status: string; message: string; correlationId: string }>(
      'pilotLight.approvals.run',
      item.request.id,
    );
    assert.equal(ran.status, 'succeeded', ran.message);
    assert.equal(confirmations.requests.length, 1, 'asked once more');
    assert.notEqual(confirmations.requests[0].correlationId, item.request.id, 'against a fresh dry-run');
    assert.match((await instanceStates([instanceId]))[instanceId] ?? '', /shutting-down|terminated/);

    const records = trail.records().filter((record) => record.approval?.reference === key);
    assert.deepEqual(
      records.map((record) => record.outcome),
      ['dry-run', 'approved', 'approved', 'succeeded'],
    );
    assert.equal(records.at(-1)?.correlationId, ran.correlationId);

    // The token stays in SecretStorage.
    const store = readFileSync(fresh.storePath(), 'utf8');
    const audit = readFileSync(trail.path, 'utf8');
    const logs = hooks.logLines().join('\n');
    const chat = JSON.stringify(hooks.chatResponses());
    const settings = JSON.stringify(vscode.workspace.getConfiguration('pilotLight.approvals'));
    for (const [where, text] of Object.entries({ store, audit, logs, chat, settings }))
      assert.ok(!text.includes(TOKEN), `the ${where} holds the Jira token`);
    assert.ok(logs.includes('signed in to Jira'), 'the log was scanned');
    void api;
  });
});
