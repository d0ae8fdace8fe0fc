/**
 * External approvals against our Jira and ServiceNow emulators (started here on free loopback ports) and moto:
 * a production terminate opens a ticket, waits, and runs only after approval with a fresh dry-run and a fresh
 * confirmation; rejection, timeout, withdrawal, self-approval, a deleted ticket never run; two approvals,
 * throttling, bad credentials and malformed answers are handled. Every case is audited with the ticket.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  ApprovalCoordinator,
  ApprovalSystemError,
  JiraTicketSystem,
  PendingApprovalStore,
  ServiceNowTicketSystem,
  type OpenedRequest,
  type PendingApproval,
  type TicketSystem,
} from '../../src/core/approvals';
import { AuditTrail, readAuditTrail, verifyAuditTrail } from '../../src/core/audit';
import type { AwsConnection } from '../../src/core/aws/connection';
import type { ApprovalRule } from '../../src/core/guardrails/policySchema';
import { createRuntime, type Runtime } from '../../src/core/runtime';
import type { ChangeResult } from '../../src/core/runtime/changeFlow';
import { startJiraEmulator, type JiraEmulator } from '../../tools/emulators/jira/server';
import { startServiceNowEmulator, type ServiceNowEmulator } from '../../tools/emulators/servicenow/server';
import { pickAmazonLinuxImage } from '../../tools/seed/target';
import { emulatorConnection } from '../support/connection';
import { clientConfig, emulatorStack, useEmulatorStack } from '../support/emulators';
import { approvingProvider, tempDir, type ScriptedApprovalProvider } from '../support/operationHarness';

useEmulatorStack();

const JIRA_USERS = [
  { accountId: 'acc-alice', emailAddress: 'alice@example.com', displayName: 'Alice Requester', token: 'tok-alice' },
  {
    accountId: 'acc-bob',
    emailAddress: 'bob@example.com',
    displayName: 'Bob Approver',
    token: 'tok-bob',
    groups: ['cab'],
  },
  { accountId: 'acc-carol', emailAddress: 'carol@example.com', displayName: 'Carol Approver', token: 'tok-carol' },
];
const SNOW_USERS = [
  { user_name: 'alice', email: 'alice@example.com', name: 'Alice Requester', password: 'pw-alice' },
  { user_name: 'bob', email: 'bob@example.com', name: 'Bob Approver', password: 'pw-bob', groups: ['CAB'] },
  { user_name: 'carol', email: 'carol@example.com', name: 'Carol Approver', password: 'pw-carol' },
];

async function admin(base: string, path: string, method = 'POST', body?: unknown): Promise<any> {
  const response = await fetch(`${base}/__emulator${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
  return response.json();
}

describe('external approvals (Jira, ServiceNow emulators + moto)', function () {
  this.timeout(120_000);
  let connection: AwsConnection;
  let ec2: EC2Client;
  let jira: JiraEmulator;
  let snow: ServiceNowEmulator;
  let dir: ReturnType<typeof tempDir>;
  let auditPath: string;
  let subnetId: string;
  let imageId: string;
  let skewMs: number;
  let sleeps: number[];
  let jiraToken: string;
  let snowPassword: string;

  before(async () => {
    connection = await emulatorConnection();
    ec2 = new EC2Client(clientConfig());
    jira = await startJiraEmulator({
      users: JIRA_USERS,
      projects: { OPS: { requiredFields: { customfield_10050: 'Change category is required.' } } },
    });
    snow = await startServiceNowEmulator({ users: SNOW_USERS });
  });

  after(async () => {
    ec2.destroy();
    connection.dispose();
    await jira.stop();
    await snow.stop();
  });

  beforeEach(async () => {
    await emulatorStack().reset();
    await admin(jira.url, '/reset');
    await admin(snow.url, '/reset');
    dir = tempDir('pilot-light-approvals-it-');
    auditPath = join(dir.path, 'audit', 'audit.jsonl');
    skewMs = 0;
    sleeps = [];
    jiraToken = 'tok-alice';
    snowPassword = 'pw-alice';
    imageId = await pickAmazonLinuxImage(ec2);
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/16' }))).Vpc!.VpcId!;
    subnetId = (
      await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.40.1.0/24', AvailabilityZone: 'us-east-1a' }),
      )
    ).Subnet!.SubnetId!;
  });

  afterEach(() => dir.cleanup());

  async function launch(environment = 'production'): Promise<string> {
    const result = await ec2.send(
      new RunInstancesCommand({
        ImageId: imageId,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnetId,
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Environment', Value: environment }] }],
      }),
    );
    return result.Instances![0].InstanceId!;
  }

  async function stateOf(instanceId: string): Promise<string | undefined> {
    const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return Reservations?.[0]?.Instances?.[0]?.State?.Name;
  }

  const recordingSleep = async (ms: number) => {
    sleeps.push(ms);
  };

  function systemFor(id: 'jira' | 'servicenow'): TicketSystem {
    if (id === 'jira')
      return new JiraTicketSystem(
        {
          baseUrl: jira.url,
          projectKey: 'OPS',
          issueType: 'Change',
          approvedStatuses: ['Approved'],
          rejectedStatuses: ['Declined'],
          cancelledStatuses: ['Cancelled'],
          fieldsTemplate: { customfield_10050: { value: 'Infrastructure' } },
        },
        { email: JIRA_USERS.find((user) => user.token === 'tok-alice')!.emailAddress, token: jiraToken },
        { sleep: recordingSleep },
      );
    return new ServiceNowTicketSystem(
      { baseUrl: snow.url },
      { username: 'alice', password: snowPassword },
      { sleep: recordingSleep },
    );
  }

  interface Setup {
    runtime: Runtime;
    coordinator: ApprovalCoordinator;
    confirmations: ScriptedApprovalProvider;
    store: PendingApprovalStore;
  }

  function setup(rule: ApprovalRule, storePath = join(dir.path, 'approvals', 'pending.json')): Setup {
    const store = new PendingApprovalStore(storePath);
    const coordinator = new ApprovalCoordinator({
      store,
      system: async (id) => systemFor(id),
      audit: new AuditTrail(auditPath),
      clock: () => Date.now() + skewMs,
      sleep: async (ms, signal) => {
        if (signal?.aborted) throw new Error('aborted');
        await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20)));
      },
      pollScheduleMs: [5, 10, 20],
    });
    const confirmations = approvingProvider();
    const runtime = createRuntime({
      settings: { approvals: [rule] },
      auditPath,
      approvalProvider: coordinator.gate(confirmations),
      connection: async () => connection,
      runnerOptions: { backupPollMs: 50, backupTimeoutMs: 20_000 },
    });
    return { runtime, coordinator, confirmations, store };
  }

  async function requestTerminate(context: Setup, instanceId: string): Promise<OpenedRequest> {
    const result = await context.coordinator.begin(
      context.runtime,
      { operationId: 'ec2.instances.terminate', input: { instanceIds: [instanceId] }, caller: 'command' },
      async () => ({ approved: false, reason: 'the plain confirmation must not be asked' }),
      'alice',
    );
    assert.equal(result.status, 'pending', JSON.stringify((result as ChangeResult).refusal ?? result));
    return result as OpenedRequest;
  }

  async function auditFor(request: PendingApproval) {
    const records = await readAuditTrail(auditPath);
    assert.equal((await verifyAuditTrail(auditPath)).ok, true);
    return records.filter((record) => record.approval?.reference === request.ticket.key);
  }

  const JIRA_RULE: ApprovalRule = { environments: ['production'], system: 'jira', timeoutMinutes: 30 };

  it('Jira: opens a ticket with the preview, runs nothing until approved, then runs after a fresh dry-run and confirmation', async () => {
    const instanceId = await launch();
    const context = setup(JIRA_RULE);
    const opened = await requestTerminate(context, instanceId);
    const { request } = opened;
    assert.match(request.ticket.key, /^OPS-\d+$/);
    assert.equal(request.ticket.requester, 'acc-alice');
    const issue = await admin(jira.url, `/issues/${request.ticket.key}`, 'GET');
    const description = JSON.stringify(issue.fields.description);
    assert.match(description, new RegExp(instanceId));
    assert.match(description, /Account \d{12}, region us-east-1, environment production/);
    assert.match(description, /Backup: /);
    assert.deepEqual(
      issue.fields.customfield_10050,
      { value: 'Infrastructure' },
      'the settings template filled the required field',
    );
    assert.equal(issue.fields.issuetype.name, 'Change');

    // Nothing ran, and running without an approved ticket is refused.
    const early = await context.runtime.dryRunThenExecute(
      { operationId: 'ec2.instances.terminate', input: { instanceIds: [instanceId] }, caller: 'command' },
      async () => ({ approved: true }),
    );
    assert.equal(early.status, 'refused');
    assert.match(early.refusal?.message ?? '', /approved jira ticket/);
    assert.equal(await stateOf(instanceId), 'running');
    assert.equal((await context.coordinator.poll(request.id)).state, 'pending');

    await admin(jira.url, `/issues/${request.ticket.key}/transition`, 'POST', { status: 'Approved', by: 'acc-bob' });
    const decided = await context.coordinator.waitForDecision(request.id);
    assert.equal(decided.state, 'approved');
    assert.deepEqual(decided.approvers, ['Bob Approver']);
    assert.equal(await stateOf(instanceId), 'running', 'an approval alone runs nothing');

    const result = await context.coordinator.run(request.id, context.runtime, async () => ({
      approved: false,
      reason: 'not asked',
    }));
    assert.equal(result.status, 'succeeded', JSON.stringify(result.outcome.refusal ?? result.outcome.error));
    assert.notEqual(result.dryRun.correlationId, request.id, 'a fresh dry-run');
    assert.equal(context.confirmations.requests.length, 1, 'the fresh confirmation was asked once');
    assert.equal(context.confirmations.requests[0].preview.correlationId, result.dryRun.correlationId);
    assert.match((await stateOf(instanceId)) ?? '', /shutting-down|terminated/);
    assert.equal((await context.store.get(request.id))?.state, 'executed');

    const records = await auditFor(request);
    assert.deepEqual(
      records.map((record) => [record.outcome, record.decision]),
      [
        ['dry-run', 'approval-requested'],
        ['approved', 'ticket-approved'],
        ['approved', undefined],
        ['succeeded', undefined],
      ],
    );
    assert.equal(records[3].approval?.provider, 'test-modal');
    assert.match(records[3].approval?.approver ?? '', /Bob Approver via jira OPS-\d+; confirmed by alice/);

    // One approved ticket, one execution.
    const again = await context.runtime.dryRunThenExecute(
      { operationId: 'ec2.instances.terminate', input: { instanceIds: [instanceId] }, caller: 'command' },
      async () => ({ approved: true }),
    );
    assert.equal(again.status, 'refused');
  });

  it('Jira: a rejection runs nothing and is audited with the ticket and who rejected', async () => {
    const instanceId = await launch();
    const context = setup(JIRA_RULE);
    const { request } = await requestTerminate(context, instanceId);
    await admin(jira.url, `/issues/${request.ticket.key}/transition`, 'POST', { status: 'Declined', by: 'acc-bob' });
    const decided = await context.coordinator.waitForDecision(request.id);
    assert.equal(decided.state, 'rejected');
    assert.match(decided.reason ?? '', /Rejected in jira \(Declined\) by Bob Approver/);
    await assert.rejects(
      context.coordinator.run(request.id, context.runtime, async () => ({ approved: true })),
      /rejected/,
    );
    assert.equal(await stateOf(instanceId), 'running');
    const records = await auditFor(request);
    const last = records.at(-1)!;
    assert.equal(last.outcome, 'refused');
    assert.equal(last.decision, 'approval-rejected');
    assert.equal(last.refusal?.code, 'approval-denied');
    assert.equal(last.approval?.approver, 'Bob Approver');
  });

  it('Jira: past its timeout the request ends, the ticket is cancelled, nothing runs', async () => {
    const instanceId = await launch();
    const context = setup({ ...JIRA_RULE, timeoutMinutes: 5 });
    const { request } = await requestTerminate(context, instanceId);
    assert.equal((await context.coordinator.poll(request.id)).state, 'pending');
    skewMs = 6 * 60_000;
    const decided = await context.coordinator.waitForDecision(request.id);
    assert.equal(decided.state, 'timed-out');
    const issue = await admin(jira.url, `/issues/${request.ticket.key}`, 'GET');
    assert.equal(issue.fields.status.name, 'Cancelled');
    assert.match(JSON.stringify(issue.comments), /no decision before the deadline/);
    assert.equal(await stateOf(instanceId), 'running');
    assert.equal((await auditFor(request)).at(-1)?.decision, 'approval-timed-out');
  });

  it('Jira: a withdrawn request comments and cancels the ticket, and an approval after it runs nothing', async () => {
    const instanceId = await launch();
    const context = setup(JIRA_RULE);
    const { request } = await requestTerminate(context, instanceId);
    const withdrawn = await context.coordinator.withdraw(request.id, 'wrong instance');
    assert.equal(withdrawn.state, 'withdrawn');
    const issue = await admin(jira.url, `/issues/${request.ticket.key}`, 'GET');
    assert.equal(issue.fields.status.name, 'Cancelled');
    assert.match(JSON.stringify(issue.comments), /wrong instance/);
    await admin(jira.url, `/issues/${request.ticket.key}/transition`, 'POST', { status: 'Approved', by: 'acc-bob' });
    assert.equal((await context.coordinator.poll(request.id)).state, 'withdrawn');
    const late = await context.runtime.dryRunThenExecute(
      { operationId: 'ec2.instances.terminate', input: { instanceIds: [instanceId] }, caller: 'command' },
      async () => ({ approved: true }),
    );
    assert.equal(late.status, 'refused');
    assert.equal(await stateOf(instanceId), 'running');
    assert.equal((await auditFor(request)).at(-1)?.decision, 'approval-withdrawn');
  });

  it('Jira: the requester approving their own ticket is refused', async () => {
    const instanceId = await launch();
    const context = setup(JIRA_RULE);
    const { request } = await requestTerminate(context, instanceId);
    await admin(jira.url, `/issues/${request.ticket.key}/transition`, 'POST', { status: 'Approved', by: 'acc-alice' });
    const decided = await context.coordinator.waitForDecision(request.id);
    assert.equal(decided.state, 'self-approved');
    assert.match(decided.reason ?? '', /requester approved their own ticket/);
    assert.equal(await stateOf(instanceId), 'running');
    const last = (await auditFor(request)).at(-1)!;
    assert.equal(last.outcome, 'refused');
    assert.equal(last.decision, 'approval-self-approved');
  });

  it('Jira: an approver outside the named group does not count; a member of it does', async () => {
    const instanceId = await launch();
    const context = setup({ ...JIRA_RULE, approvers: ['cab'] });
    const { request } = await requestTerminate(context, instanceId);
    await admin(jira.url, `/issues/${request.ticket.key}/transition`, 'POST', { status: 'Approved', by: 'acc-carol' });
    const polled = await context.coordinator.poll(request.id);
    assert.equal(polled.state, 'pending');
    assert.match(polled.reason ?? '', /Carol Approver approved but is not among the approvers/);
    await admin(jira.url, `/issues/${request.ticket.key}/transition`, 'POST', { status: 'Declined', by: 'acc-carol' });
    await admin(jira.url, `/issues/${request.ticket.key}/transition`, 'POST', { status: 'Approved', by: 'acc-bob' });
    const decided = await context.coordinator.poll(request.id);
    assert.equal(decided.state, 'approved');
    assert.deepEqual(decided.approvers, ['Bob Approver']);
  });

  it('Jira: 429 waits Retry-After, 401 and malformed JSON leave the request pending with the reason, a deleted ticket ends it', async () => {
    const instanceId = await launch();
    const context = setup(JIRA_RULE);
    const { request } = await requestTerminate(context, instanceId);

    await admin(jira.url, '/faults', 'POST', { throttle: { count: 2, retryAfterSeconds: 3 } });
    assert.equal((await context.coordinator.poll(request.id)).state, 'pending');
    assert.deepEqual(sleeps, [3000, 3000], 'waited what Retry-After said, twice');
    assert.equal((await context.store.get(request.id))?.lastError, undefined);

    await admin(jira.url, '/faults', 'POST', { malformed: { count: 1 } });
    const malformed = await context.coordinator.poll(request.id);
    assert.equal(malformed.state, 'pending');
    assert.match(malformed.lastError ?? '', /not JSON/);

    jiraToken = 'tok-wrong';
    const unauthorized = await context.coordinator.poll(request.id);
    assert.equal(unauthorized.state, 'pending');
    assert.match(unauthorized.lastError ?? '', /401: Client must be authenticated.*Sign in to Jira/);
    assert.doesNotMatch(JSON.stringify(await context.store.list()), /tok-wrong|tok-alice/);
    jiraToken = 'tok-alice';
    assert.equal((await context.coordinator.poll(request.id)).lastError, undefined);

    await admin(jira.url, `/issues/${request.ticket.key}`, 'DELETE');
    const deleted = await context.coordinator.poll(request.id);
    assert.equal(deleted.state, 'deleted');
    assert.match(deleted.reason ?? '', /no longer exists.*404: Issue does not exist/);
    assert.equal(await stateOf(instanceId), 'running');
    assert.equal((await auditFor(request)).at(-1)?.decision, 'approval-deleted');
    assert.doesNotMatch(JSON.stringify(await readAuditTrail(auditPath)), /tok-alice|tok-wrong|pw-alice/);
  });

  it('Jira: opening a ticket with bad credentials fails clearly and runs nothing; http to a remote host is refused', async () => {
    const instanceId = await launch();
    jiraToken = 'tok-wrong';
    const context = setup(JIRA_RULE);
    await assert.rejects(
      context.coordinator.begin(
        context.runtime,
        { operationId: 'ec2.instances.terminate', input: { instanceIds: [instanceId] }, caller: 'command' },
        async () => ({ approved: true }),
        'alice',
      ),
      (error: Error) => error instanceof ApprovalSystemError && error.kind === 'unauthorized',
    );
    assert.deepEqual(await context.store.list(), []);
    assert.equal(await stateOf(instanceId), 'running');
    assert.throws(
      () =>
        new JiraTicketSystem(
          {
            baseUrl: 'http://jira.example.com',
            projectKey: 'OPS',
            approvedStatuses: ['Approved'],
            rejectedStatuses: ['Declined'],
          },
          { token: 't' },
        ),
      /must use https/,
    );
    assert.throws(
      () => new ServiceNowTicketSystem({ baseUrl: 'http://snow.example.com' }, { username: 'u', password: 'p' }),
      /must use https/,
    );
  });

  it('a stored request reappears for a new coordinator (a reload) and polling resumes', async () => {
    const instanceId = await launch();
    const storePath = join(dir.path, 'approvals', 'pending.json');
    const first = setup(JIRA_RULE, storePath);
    const { request } = await requestTerminate(first, instanceId);
    const second = setup(JIRA_RULE, storePath);
    const listed = await second.coordinator.list();
    assert.deepEqual(
      listed.map((entry) => [entry.ticket.key, entry.state]),
      [[request.ticket.key, 'pending']],
    );
    await admin(jira.url, `/issues/${request.ticket.key}/transition`, 'POST', { status: 'Approved', by: 'acc-bob' });
    assert.equal((await second.coordinator.waitForDecision(request.id)).state, 'approved');
    const result = await second.coordinator.run(request.id, second.runtime, async () => ({ approved: true }));
    assert.equal(result.status, 'succeeded');
  });

  const SNOW_RULE: ApprovalRule = {
    environments: ['production'],
    system: 'servicenow',
    assignmentGroup: 'CAB',
    approvalsNeeded: 2,
  };

  it('ServiceNow: a change_request with risk and assignment group; two distinct approvers other than the requester are needed', async () => {
    const instanceId = await launch();
    const context = setup(SNOW_RULE);
    const { request } = await requestTerminate(context, instanceId);
    assert.match(request.ticket.key, /^CHG\d{7}$/);
    const created = await admin(snow.url, `/changes/${request.ticket.key}`, 'GET');
    assert.equal(created.change.risk, '2', 'a destructive change in production is high risk');
    assert.equal(created.change.type, 'normal');
    assert.match(created.change.description, new RegExp(instanceId));
    assert.match(created.change.assignment_group, /^[0-9a-f]{32}$/);

    await admin(snow.url, `/changes/${request.ticket.key}/approve`, 'POST', { by: 'bob' });
    const one = await context.coordinator.poll(request.id);
    assert.equal(one.state, 'pending', 'ServiceNow says approved, but one approval is not two');
    assert.match(one.reason ?? '', /1 of 2 qualifying approvals/);
    await admin(snow.url, `/changes/${request.ticket.key}/approve`, 'POST', { by: 'alice' });
    const self = await context.coordinator.poll(request.id);
    assert.equal(self.state, 'pending', "the requester's own approval does not count");
    assert.match(self.reason ?? '', /requester approved their own ticket/);
    await admin(snow.url, `/changes/${request.ticket.key}/approve`, 'POST', { by: 'carol' });
    const decided = await context.coordinator.waitForDecision(request.id);
    assert.equal(decided.state, 'approved');
    assert.deepEqual(decided.approvers, ['bob', 'carol']);

    const result = await context.coordinator.run(request.id, context.runtime, async () => ({ approved: true }));
    assert.equal(result.status, 'succeeded', JSON.stringify(result.outcome.refusal ?? result.outcome.error));
    assert.match((await stateOf(instanceId)) ?? '', /shutting-down|terminated/);
    const records = await auditFor(request);
    assert.equal(records.at(-1)?.outcome, 'succeeded');
    assert.equal(records.at(-1)?.approval?.reference, request.ticket.key);
    assert.equal(records.find((record) => record.decision === 'ticket-approved')?.approval?.approver, 'bob, carol');
  });

  it('ServiceNow: rejection and cancellation end the request; 429, 401 and a deleted change are handled', async () => {
    const rule: ApprovalRule = { environments: ['production'], system: 'servicenow' };
    const first = await launch();
    const context = setup(rule);
    const rejected = (await requestTerminate(context, first)).request;
    await admin(snow.url, '/faults', 'POST', { throttle: { count: 1, retryAfterSeconds: 2 } });
    assert.equal((await context.coordinator.poll(rejected.id)).state, 'pending');
    assert.deepEqual(sleeps, [2000]);
    await admin(snow.url, `/changes/${rejected.ticket.key}/reject`, 'POST', { by: 'bob' });
    const decided = await context.coordinator.waitForDecision(rejected.id);
    assert.equal(decided.state, 'rejected');
    assert.match(decided.reason ?? '', /by bob/);
    assert.equal((await auditFor(rejected)).at(-1)?.decision, 'approval-rejected');

    const second = await launch();
    const cancelled = (await requestTerminate(context, second)).request;
    snowPassword = 'wrong';
    const unauthorized = await context.coordinator.poll(cancelled.id);
    assert.match(unauthorized.lastError ?? '', /401: User Not Authenticated/);
    snowPassword = 'pw-alice';
    await admin(snow.url, `/changes/${cancelled.ticket.key}/cancel`, 'POST', {});
    assert.equal((await context.coordinator.poll(cancelled.id)).state, 'cancelled');

    const third = await launch();
    const deleted = (await requestTerminate(context, third)).request;
    await admin(snow.url, `/changes/${deleted.ticket.key}`, 'DELETE');
    const gone = await context.coordinator.poll(deleted.id);
    assert.equal(gone.state, 'deleted');
    assert.match(gone.reason ?? '', /No Record found/);
    for (const instanceId of [first, second, third]) assert.equal(await stateOf(instanceId), 'running');
  });

  it('ServiceNow: an approver group counts its members only (sys_user_grmember)', async () => {
    const instanceId = await launch();
    const context = setup({ environments: ['production'], system: 'servicenow', approvers: ['CAB'] });
    const { request } = await requestTerminate(context, instanceId);
    await admin(snow.url, `/changes/${request.ticket.key}/approve`, 'POST', { by: 'carol' });
    const outsider = await context.coordinator.poll(request.id);
    assert.equal(outsider.state, 'pending');
    assert.match(outsider.reason ?? '', /carol approved but is not among the approvers/);
    await admin(snow.url, `/changes/${request.ticket.key}/approve`, 'POST', { by: 'bob' });
    const decided = await context.coordinator.poll(request.id);
    assert.equal(decided.state, 'approved');
    assert.deepEqual(decided.approvers, ['bob']);
    assert.equal(await stateOf(instanceId), 'running');
  });

  it('ServiceNow: withdrawing cancels the change request (state 4) with a work note', async () => {
    const instanceId = await launch();
    const context = setup({ environments: ['production'], system: 'servicenow' });
    const { request } = await requestTerminate(context, instanceId);
    await context.coordinator.withdraw(request.id, 'not needed');
    const change = await admin(snow.url, `/changes/${request.ticket.key}`, 'GET');
    assert.equal(change.change.state, '4');
    assert.match(change.change.work_notes, /not needed/);
    assert.equal((await auditFor(request)).at(-1)?.decision, 'approval-withdrawn');
  });
});
