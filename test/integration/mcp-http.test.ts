/**
 * The MCP server as VS Code runs it, in plain Node: the core factory over a runtime against moto, served on
 * Streamable HTTP on 127.0.0.1 with a bearer token, reached by the SDK's HTTP client.
 */
import * as assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  startMcpHttpServer,
  loadMcpServerFactory,
  type RunningMcpHttpServer,
} from '../../src/core/agent/mcp/httpServer';
import { readAuditTrail, verifyAuditTrail } from '../../src/core/audit';
import type { AwsConnection } from '../../src/core/aws/connection';
import { createRuntime, type Runtime } from '../../src/core/runtime';
import { pickAmazonLinuxImage } from '../../tools/seed/target';
import { emulatorConnection } from '../support/connection';
import { clientConfig, emulatorStack, useEmulatorStack } from '../support/emulators';
import { ScriptedApprovalProvider, tempDir } from '../support/operationHarness';

useEmulatorStack();

function post(port: number, headers: Record<string, string>): Promise<number> {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/mcp',
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe('MCP server on Streamable HTTP against moto', function () {
  this.timeout(120_000);
  let connection: AwsConnection;
  let ec2: EC2Client;
  let dir: ReturnType<typeof tempDir>;
  let server: RunningMcpHttpServer;
  let runtime: Runtime;
  let provider: ScriptedApprovalProvider;
  let typed: string | undefined;
  let prodInstance: string;
  let devInstance: string;

  before(async () => {
    connection = await emulatorConnection();
    ec2 = new EC2Client(clientConfig());
    await emulatorStack().reset();
    dir = tempDir('pilot-light-mcp-http-');
    // The approval as the modal gives it: the person types the environment name (or not).
    provider = new ScriptedApprovalProvider(() =>
      typed === undefined
        ? { approved: false, reason: 'The approval dialog was dismissed.' }
        : { approved: true, approver: 'alice', typedConfirmation: typed },
    );
    runtime = createRuntime({
      auditPath: join(dir.path, 'audit.jsonl'),
      approvalProvider: provider,
      connection: async () => connection,
      runnerOptions: { backupPollMs: 50, backupTimeoutMs: 20_000 },
    });
    const imageId = await pickAmazonLinuxImage(ec2);
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/16' }))).Vpc!.VpcId!;
    const subnetId = (
      await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.40.1.0/24', AvailabilityZone: 'us-east-1a' }),
      )
    ).Subnet!.SubnetId!;
    const launch = async (environment: string) =>
      (
        await ec2.send(
          new RunInstancesCommand({
            ImageId: imageId,
            InstanceType: 't3.micro',
            MinCount: 1,
            MaxCount: 1,
            SubnetId: subnetId,
            TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Environment', Value: environment }] }],
          }),
        )
      ).Instances![0].InstanceId!;
    prodInstance = await launch('production');
    devInstance = await launch('dev');
    const createMcpServer = await loadMcpServerFactory();
    server = await startMcpHttpServer({
      createSession: async ({ profile }) => ({
        server: createMcpServer({
          runtime,
          readOnly: false,
          allowRecovery: false,
          approvals: provider,
          clientLabel: 'vscode',
          profile,
        }),
      }),
    });
  });

  after(async () => {
    await server?.close();
    ec2?.destroy();
    connection?.dispose();
    dir?.cleanup();
  });

  async function connectClient(headers: Record<string, string>): Promise<Client> {
    const client = new Client({ name: 'http-agent', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers } }));
    return client;
  }

  const stateOf = async (instanceId: string) =>
    (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations?.[0]?.Instances?.[0]
      ?.State?.Name;

  it('lists the tools and reads instances through the runner, with the token', async () => {
    const client = await connectClient(server.headers);
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      assert.deepEqual(names.slice(0, 5), [
        'read_resources',
        'find_security_issues',
        'find_unused_resources',
        'plan_change',
        'apply_change',
      ]);
      const read = (await client.callTool({
        name: 'read_resources',
        arguments: { operation: 'ec2.instances.list', input: {} },
      })) as CallToolResult & { structuredContent?: any };
      assert.notEqual(read.isError, true, JSON.stringify(read.content));
      const ids = JSON.stringify(read.structuredContent ?? read.content);
      assert.ok(ids.includes(prodInstance) && ids.includes(devInstance), 'both moto instances are in the read');
    } finally {
      await client.close();
    }
  });

  it('applies a change in production only with the typed environment name, through the host approval provider', async () => {
    const client = await connectClient(server.headers);
    try {
      const plan = async () => {
        const planned = (await client.callTool({
          name: 'plan_change',
          arguments: { operation: 'ec2.instances.stop', input: { instanceIds: [prodInstance] } },
        })) as CallToolResult & { structuredContent?: any };
        assert.equal(planned.structuredContent?.status, 'planned', JSON.stringify(planned.content));
        return planned.structuredContent.planId as string;
      };
      typed = undefined;
      const dismissed = (await client.callTool({
        name: 'apply_change',
        arguments: { planId: await plan() },
      })) as CallToolResult & { structuredContent?: any };
      assert.equal(dismissed.isError, true);
      assert.equal(await stateOf(prodInstance), 'running', 'a dismissed approval changes nothing');
      const asked = provider.requests.at(-1)!;
      assert.equal(asked.level, 'approve');
      assert.equal(asked.requiredConfirmation, 'production');

      typed = 'prod';
      const wrongName = (await client.callTool({
        name: 'apply_change',
        arguments: { planId: await plan() },
      })) as CallToolResult & { structuredContent?: any };
      assert.equal(wrongName.isError, true, 'a mistyped environment name is refused by the runner');
      assert.equal(await stateOf(prodInstance), 'running');

      typed = 'production';
      const applied = (await client.callTool({
        name: 'apply_change',
        arguments: { planId: await plan() },
      })) as CallToolResult & { structuredContent?: any };
      assert.equal(applied.structuredContent?.status, 'succeeded', JSON.stringify(applied.content));
      assert.match(String(await stateOf(prodInstance)), /stopping|stopped/);
      const records = await readAuditTrail(join(dir.path, 'audit.jsonl'));
      assert.ok(
        records.some(
          (record) =>
            record.caller === 'mcp' && record.operation === 'ec2.instances.stop' && record.outcome === 'succeeded',
        ),
      );
      assert.equal((await verifyAuditTrail(join(dir.path, 'audit.jsonl'))).ok, true);
    } finally {
      await client.close();
    }
  });

  it('refuses a wrong token, a foreign Host and a hostile Origin', async () => {
    await assert.rejects(connectClient({ Authorization: 'Bearer not-the-token' }), /401|Unauthorized/);
    assert.equal(await post(server.port, { ...server.headers, host: `attacker.example:${server.port}` }), 403);
    assert.equal(await post(server.port, { ...server.headers, origin: 'https://attacker.example' }), 403);
    assert.equal(await post(server.port, { authorization: 'Bearer nope' }), 401);
    assert.equal(await post(server.port, server.headers), 200, 'the same request with the token passes');
  });
});
