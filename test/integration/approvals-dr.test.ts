/**
 * A DRS recovery in production whose StartRecovery an approval rule sends to Jira: without an approved ticket
 * the first wave starts nothing; with the ticket for the first wave approved (and confirmed again), the run
 * completes, asking once; the audit lines of StartRecovery carry the ticket.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { DescribeJobsCommand, DescribeSourceServersCommand, DrsClient } from '@aws-sdk/client-drs';
import {
  ApprovalCoordinator,
  JiraTicketSystem,
  PendingApprovalStore,
  recoveryApprovalState,
  requestRecoveryApproval,
} from '../../src/core/approvals';
import { AuditTrail, readAuditTrail } from '../../src/core/audit';
import { DrRunner } from '../../src/core/dr/run';
import { resolveGuardrailPolicy } from '../../src/core/guardrails';
import { startJiraEmulator, type JiraEmulator } from '../../tools/emulators/jira/server';
import { plan, productDeps, tempDir, tierGroups } from '../support/dr';
import { clientConfig, resetAndSeed, useEmulatorStack } from '../support/emulators';
import { approvingProvider } from '../support/operationHarness';

useEmulatorStack();

describe('DR recovery behind an external approval (Jira emulator + DRS emulator)', function () {
  this.timeout(90_000);
  let jira: JiraEmulator;
  let dir: ReturnType<typeof tempDir>;
  const runners: DrRunner[] = [];

  before(async () => {
    jira = await startJiraEmulator({
      users: [
        { accountId: 'acc-req', emailAddress: 'req@example.com', displayName: 'Requester', token: 'tok-req' },
        { accountId: 'acc-cab', emailAddress: 'cab@example.com', displayName: 'CAB Member', token: 'tok-cab' },
      ],
    });
  });
  after(() => jira.stop());
  beforeEach(async () => {
    await resetAndSeed('sample');
    dir = tempDir();
  });
  afterEach(() => {
    for (const runner of runners.splice(0)) runner.dispose();
    dir.remove();
  });

  async function drs<T>(body: (client: DrsClient) => Promise<T>): Promise<T> {
    const client = new DrsClient(clientConfig());
    try {
      return await body(client);
    } finally {
      client.destroy();
    }
  }

  it('starts no recovery wave until the ticket for the first wave is approved, then runs asking once; a drill needs no ticket', async () => {
    const auditPath = join(dir.path, 'audit.jsonl');
    const policy = resolveGuardrailPolicy({
      settings: {
        approvals: [{ environments: ['production'], operations: ['drs.recovery.start:recovery'], system: 'jira' }],
      },
    }).policy;
    const coordinator = new ApprovalCoordinator({
      store: new PendingApprovalStore(join(dir.path, 'pending.json')),
      system: async () =>
        new JiraTicketSystem(
          { baseUrl: jira.url, projectKey: 'OPS', approvedStatuses: ['Approved'], rejectedStatuses: ['Declined'] },
          { email: 'req@example.com', token: 'tok-req' },
        ),
      audit: new AuditTrail(auditPath),
    });
    const confirmations = approvingProvider();
    const twoWaves = plan('db-then-web', [
      { name: 'db', protectionGroups: ['db-tier'] },
      { name: 'web', protectionGroups: ['web-tier'], dependsOn: ['db'] },
    ]);
    const start = async (mode: 'recovery' | 'drill' = 'recovery') => {
      const deps = await productDeps(join(dir.path, `runs-${runners.length}`), {
        auditPath,
        approval: coordinator.gate(confirmations),
        policy,
      });
      const runner = await DrRunner.create(deps, { plan: twoWaves, groups: tierGroups(), mode });
      runners.push(runner);
      return { runner, deps };
    };

    const blocked = await (await start()).runner.run();
    assert.equal(blocked.status, 'failed');
    assert.equal(
      await drs(async (client) => (await client.send(new DescribeJobsCommand({ filters: {} }))).items?.length ?? 0),
      0,
    );
    assert.equal(confirmations.requests.length, 0, 'nobody was asked to confirm without a ticket');

    const dbServers = await drs(async (client) =>
      ((await client.send(new DescribeSourceServersCommand({}))).items ?? [])
        .filter((server) => server.tags?.Role === 'db')
        .map((server) => server.sourceServerID!),
    );
    assert.ok(dbServers.length > 0);
    const { deps } = await start();
    const { request, reason } = await requestRecoveryApproval(
      coordinator,
      { run: (operationId, input, options) => deps.operations.run(operationId, input, options) },
      { sourceServerIds: dbServers, requestedBy: 'req' },
    );
    assert.ok(request, reason);
    await fetch(`${jira.url}/__emulator/issues/${request.ticket.key}/transition`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'Approved', by: 'acc-cab' }),
    });
    assert.equal((await coordinator.poll(request.id)).state, 'approved');

    const state = await runners.at(-1)!.run();
    assert.equal(state.status, 'completed', JSON.stringify(state.errors ?? state));
    assert.equal(confirmations.requests.length, 1, 'confirmed once for the whole run');
    const started = (await readAuditTrail(auditPath, {})).filter(
      (line) =>
        line.correlationId === state.runId && line.operation === 'drs.recovery.start' && line.outcome === 'succeeded',
    );
    assert.equal(started.length, 2, 'both waves started');
    assert.ok(
      started.every((line) => line.approval?.reference === request.ticket.key),
      JSON.stringify(started.map((line) => line.approval)),
    );

    // The rule names the recovery variant only: a drill of the same plan asks the ordinary approval, no ticket.
    const drill = await (await start('drill')).runner.run();
    assert.equal(drill.status, 'completed', JSON.stringify(drill.errors ?? drill));
    assert.equal(confirmations.requests.length, 2);
    assert.equal(confirmations.requests[1].requirement, undefined);
    assert.equal((await coordinator.list()).length, 1, 'no ticket for the drill');
  });

  it('before a recovery starts (DRS or Step Functions): opens the first wave ticket once, waits, then says approved; a used approval opens a new ticket', async () => {
    const auditPath = join(dir.path, 'audit.jsonl');
    const policy = resolveGuardrailPolicy({
      settings: {
        approvals: [{ environments: ['production'], operations: ['drs.recovery.start:recovery'], system: 'jira' }],
      },
    }).policy;
    const coordinator = new ApprovalCoordinator({
      store: new PendingApprovalStore(join(dir.path, 'pending.json')),
      system: async () =>
        new JiraTicketSystem(
          { baseUrl: jira.url, projectKey: 'OPS', approvedStatuses: ['Approved'], rejectedStatuses: ['Declined'] },
          { email: 'req@example.com', token: 'tok-req' },
        ),
      audit: new AuditTrail(auditPath),
    });
    const deps = await productDeps(join(dir.path, 'runs'), {
      auditPath,
      approval: coordinator.gate(approvingProvider()),
      policy,
    });
    const steps = { run: deps.operations.run.bind(deps.operations) };
    const dbServers = await drs(async (client) =>
      ((await client.send(new DescribeSourceServersCommand({}))).items ?? [])
        .filter((server) => server.tags?.Role === 'db')
        .map((server) => server.sourceServerID!),
    );
    const input = { sourceServerIds: dbServers, requestedBy: 'req' };

    const first = await recoveryApprovalState(coordinator, steps, input);
    assert.equal(first.state, 'waiting', JSON.stringify(first));
    assert.ok(first.state === 'waiting' && first.opened);
    const again = await recoveryApprovalState(coordinator, steps, input);
    assert.ok(again.state === 'waiting' && !again.opened, 'the open ticket is reused');
    assert.equal(again.request.ticket.key, first.request.ticket.key);
    assert.equal((await coordinator.list()).length, 1);

    await fetch(`${jira.url}/__emulator/issues/${first.request.ticket.key}/transition`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'Approved', by: 'acc-cab' }),
    });
    const approved = await recoveryApprovalState(coordinator, steps, input);
    assert.equal(approved.state, 'approved');
    assert.ok(approved.state === 'approved');
    assert.deepEqual(approved.request.approvers, ['CAB Member']);
    assert.equal(
      await drs(async (client) => (await client.send(new DescribeJobsCommand({ filters: {} }))).items?.length ?? 0),
      0,
      'asking starts nothing',
    );

    // A Step Functions execution uses the approval up; the next recovery needs a new ticket.
    assert.equal((await coordinator.consume(approved.request.id, 'execution started'))?.state, 'executed');
    const next = await recoveryApprovalState(coordinator, steps, input);
    assert.ok(next.state === 'waiting' && next.opened);
    assert.notEqual(next.request.ticket.key, first.request.ticket.key);
  });
});
