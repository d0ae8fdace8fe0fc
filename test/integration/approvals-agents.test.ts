/**
 * Agents and external approvals, in-process against our Jira emulator and moto: an MCP apply_change or an LM
 * tool write under a Jira rule opens the change ticket and answers "pending approval" without running; nothing
 * the agent sends approves it; after someone else approves, a new plan runs only through the person's
 * confirmation (the CLI's elicitation) against a fresh dry-run. Credentials come from environment variables.
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
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createMcpServer } from '../../src/core/agent/mcp/server';
import { invokeToolCall, type AgentToolHost } from '../../src/core/agent/toolInvocation';
import { toolSpec } from '../../src/core/agent/toolCatalog';
import { ApprovalCoordinator, PendingApprovalStore } from '../../src/core/approvals';
import { ticketSystemFromEnv, TICKET_ENV } from '../../src/core/approvals/agentApprovals';
import { AuditTrail, readAuditTrail, verifyAuditTrail } from '../../src/core/audit';
import type { AwsConnection } from '../../src/core/aws/connection';
import { createRuntime, type Runtime } from '../../src/core/runtime';
import { startJiraEmulator, type JiraEmulator } from '../../tools/emulators/jira/server';
import { pickAmazonLinuxImage } from '../../tools/seed/target';
import { emulatorConnection } from '../support/connection';
import { clientConfig, emulatorStack, useEmulatorStack } from '../support/emulators';
import { tempDir } from '../support/operationHarness';

useEmulatorStack();

const JIRA_USERS = [
  { accountId: 'acc-alice', emailAddress: 'alice@example.com', displayName: 'Alice Requester', token: 'tok-alice' },
  { accountId: 'acc-bob', emailAddress: 'bob@example.com', displayName: 'Bob Approver', token: 'tok-bob' },
];

async function admin(base: string, path: string, method = 'POST', body?: unknown): Promise<any> {
  const response = await fetch(`${base}/__emulator${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok, `${method} ${path}: ${response.status}`);
  return response.json();
}

describe('agents open change requests (MCP, LM tools) against the Jira emulator + moto', function () {
  this.timeout(120_000);
  let connection: AwsConnection;
  let ec2: EC2Client;
  let jira: JiraEmulator;
  let dir: ReturnType<typeof tempDir>;
  let auditPath: string;
  let instanceId: string;
  let runtime: Runtime;
  let coordinator: ApprovalCoordinator;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    connection = await emulatorConnection();
    ec2 = new EC2Client(clientConfig());
    jira = await startJiraEmulator({ users: JIRA_USERS, projects: { OPS: {} } });
  });

  after(async () => {
    ec2.destroy();
    connection.dispose();
    await jira.stop();
  });

  beforeEach(async () => {
    await emulatorStack().reset();
    await admin(jira.url, '/reset');
    dir = tempDir('pilot-light-approvals-agents-');
    auditPath = join(dir.path, 'audit.jsonl');
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.41.0.0/16' }))).Vpc!.VpcId!;
    const subnetId = (
      await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.41.1.0/24', AvailabilityZone: 'us-east-1a' }),
      )
    ).Subnet!.SubnetId!;
    instanceId = (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: await pickAmazonLinuxImage(ec2),
          InstanceType: 't3.micro',
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnetId,
          TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Environment', Value: 'production' }] }],
        }),
      )
    ).Instances![0].InstanceId!;
    // As the stand-alone CLI does: credentials from environment variables only.
    env = {
      [TICKET_ENV.jira.url]: jira.url,
      [TICKET_ENV.jira.email]: 'alice@example.com',
      [TICKET_ENV.jira.token]: 'tok-alice',
      [TICKET_ENV.jira.project]: 'OPS',
      [TICKET_ENV.jira.issueType]: 'Change',
    };
    coordinator = new ApprovalCoordinator({
      store: new PendingApprovalStore(join(dir.path, 'approvals', 'pending.json')),
      system: async (id) => ticketSystemFromEnv(id, env),
      audit: new AuditTrail(auditPath),
    });
    runtime = createRuntime({
      settings: { approvals: [{ environments: ['production'], system: 'jira', timeoutMinutes: 30 }] },
      auditPath,
      approvalProvider: {
        id: 'cli-none',
        kind: 'interactive',
        requestApproval: async () => ({ approved: false, reason: 'No approval channel outside the MCP client.' }),
      },
      connection: async () => connection,
      runnerOptions: { backupPollMs: 50, backupTimeoutMs: 20_000 },
    });
  });

  afterEach(() => dir.cleanup());

  async function stateOf(id: string): Promise<string | undefined> {
    const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    return Reservations?.[0]?.Instances?.[0]?.State?.Name;
  }

  async function mcpClient(withExternal: boolean) {
    const forms: string[] = [];
    const server = createMcpServer({
      runtime,
      readOnly: false,
      allowRecovery: false,
      approvals: 'elicitation',
      externalApprovals: withExternal ? coordinator : undefined,
      clientLabel: 'cli',
    });
    const client = new Client({ name: 'agent', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      forms.push(String(request.params.message));
      return { action: 'accept', content: { environment: 'production' } };
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    const call = async (name: string, args: Record<string, unknown>) =>
      (await client.callTool({ name, arguments: args })) as CallToolResult;
    const planAndApply = async () => {
      const planned = await call('plan_change', {
        operation: 'ec2.instances.terminate',
        input: { instanceIds: [instanceId] },
      });
      assert.equal(planned.structuredContent?.status, 'planned', JSON.stringify(planned.structuredContent));
      return call('apply_change', { planId: planned.structuredContent?.planId });
    };
    return { client, call, planAndApply, forms };
  }

  it('MCP apply_change opens the Jira ticket, answers pending approval, and runs only after approval and the person’s confirmation', async () => {
    const { client, call, planAndApply, forms } = await mcpClient(true);
    try {
      const first = await planAndApply();
      const content = first.structuredContent as Record<string, any>;
      assert.equal(content.status, 'pending-approval', JSON.stringify(content));
      assert.match(content.ticket, /^OPS-\d+$/);
      assert.equal(content.timeoutMinutes, 30);
      assert.match(content.summary, /pending approval: ticket OPS-\d+ in jira/);
      assert.match(content.summary, /approvers anyone but the requester/);
      assert.match(content.summary, /timeout 30 minutes/);
      assert.equal(forms.length, 0, 'nobody was asked: nothing can run yet');
      assert.equal(await stateOf(instanceId), 'running');
      const issue = await admin(jira.url, `/issues/${content.ticket}`, 'GET');
      assert.match(JSON.stringify(issue.fields.description), new RegExp(instanceId));

      // Asking again reports the same ticket; no second one is opened.
      const again = (await planAndApply()).structuredContent as Record<string, any>;
      assert.equal(again.status, 'pending-approval');
      assert.equal(again.ticket, content.ticket);
      assert.match(again.summary, /^Already requested/);

      // Nothing in the arguments can approve it.
      const forged = await call('apply_change', { planId: 'x', approved: true, ticket: content.ticket });
      assert.equal(forged.structuredContent?.status, 'refused');
      const planned = await call('plan_change', {
        operation: 'ec2.instances.terminate',
        input: { instanceIds: [instanceId], approvalReference: content.ticket, approved: true },
      });
      assert.notEqual(planned.structuredContent?.status, 'planned', 'extra input fields are refused');

      // The requester approving their own ticket does not count.
      await admin(jira.url, `/issues/${content.ticket}/transition`, 'POST', { status: 'Approved', by: 'acc-alice' });
      const self = (await planAndApply()).structuredContent as Record<string, any>;
      assert.equal(self.status, 'pending-approval');
      assert.notEqual(self.state, 'approved');
      assert.equal(forms.length, 0);
      assert.equal(await stateOf(instanceId), 'running');
    } finally {
      await client.close();
    }
  });

  it('MCP: after someone else approves, a new plan runs through the fresh dry-run and the elicitation, with the ticket audited', async () => {
    const { client, planAndApply, forms } = await mcpClient(true);
    try {
      const opened = (await planAndApply()).structuredContent as Record<string, any>;
      assert.equal(opened.status, 'pending-approval');
      await admin(jira.url, `/issues/${opened.ticket}/transition`, 'POST', { status: 'Approved', by: 'acc-bob' });
      assert.equal(await stateOf(instanceId), 'running', 'an approval alone runs nothing');
      const applied = (await planAndApply()).structuredContent as Record<string, any>;
      assert.equal(applied.status, 'succeeded', JSON.stringify(applied));
      assert.equal(forms.length, 1, 'the person at the client confirmed once');
      assert.match(forms[0], new RegExp(instanceId));
      assert.match((await stateOf(instanceId)) ?? '', /shutting-down|terminated/);
      const records = await readAuditTrail(auditPath);
      assert.equal((await verifyAuditTrail(auditPath)).ok, true);
      const executed = records.find(
        (record) => record.outcome === 'succeeded' && record.operation === 'ec2.instances.terminate',
      );
      assert.equal(executed?.approval?.reference, opened.ticket);
      assert.match(executed?.approval?.approver ?? '', /Bob Approver/);
      assert.ok(
        records.some(
          (record) => record.decision === 'approval-requested' && record.approval?.reference === opened.ticket,
        ),
      );

      // One approved ticket, one execution: the same change again needs a new ticket.
      const next = (await planAndApply()).structuredContent as Record<string, any>;
      assert.notEqual(next.status, 'succeeded');
    } finally {
      await client.close();
    }
  });

  it('MCP without a ticket connection refuses clearly; missing environment variables are named', async () => {
    const { client, planAndApply } = await mcpClient(false);
    try {
      const refused = (await planAndApply()).structuredContent as Record<string, any>;
      assert.equal(refused.status, 'refused');
      assert.match(refused.summary, /not supported here yet/);
    } finally {
      await client.close();
    }
    env = {};
    const { client: second, planAndApply: again } = await mcpClient(true);
    try {
      const refused = (await again()).structuredContent as Record<string, any>;
      assert.equal(refused.status, 'refused');
      assert.match(refused.summary, /PILOTLIGHT_JIRA_URL, PILOTLIGHT_JIRA_TOKEN, PILOTLIGHT_JIRA_PROJECT/);
      assert.equal(await stateOf(instanceId), 'running');
    } finally {
      await second.close();
    }
  });

  it('an LM tool write opens the ticket and answers pending approval; it does not run even once approved', async () => {
    const spec = toolSpec('pilotLight_terminateInstances')!;
    assert.ok(spec);
    const runner = await runtime.runner();
    const host: AgentToolHost = {
      run: (operationId, input, options) => runner.run(operationId, input, { caller: 'lm-tool', ...options }),
      environmentResolver: async () => () => ({ name: 'unknown', protected: false }),
      currentRegion: async () => 'us-east-1',
      externalApprovals: {
        open: (...args) => coordinator.open(...args),
        list: () => coordinator.list(),
        poll: (id, signal) => coordinator.poll(id, signal),
      },
      requestedBy: 'test agent',
    };
    const first = await invokeToolCall(spec, { instanceIds: [instanceId] }, host);
    assert.equal(first.status, 'pending-approval', first.summary);
    const ticket = (first.data as { ticket: string }).ticket;
    assert.match(first.summary, /pending approval: ticket OPS-\d+/);
    assert.equal(await stateOf(instanceId), 'running');
    await admin(jira.url, `/issues/${ticket}/transition`, 'POST', { status: 'Approved', by: 'acc-bob' });
    const approved = await invokeToolCall(spec, { instanceIds: [instanceId] }, host);
    assert.equal(approved.status, 'pending-approval');
    assert.match(approved.summary, /runs it from Pending approvals/);
    assert.equal(await stateOf(instanceId), 'running', 'the agent cannot run it; a person does');
  });
});
