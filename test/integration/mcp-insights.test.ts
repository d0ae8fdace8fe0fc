/**
 * The MCP server's security and unused-resource scans against moto, in-process with the SDK client: the
 * same core checks as `/security`, `/unused` and the LM tools, every read through the runner as caller `mcp`.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVolumeCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createMcpServer } from '../../src/core/agent/mcp/server';
import { readAuditTrail } from '../../src/core/audit';
import type { AwsConnection } from '../../src/core/aws/connection';
import { createRuntime } from '../../src/core/runtime';
import { emulatorConnection } from '../support/connection';
import { tempDir } from '../support/dr';
import { clientConfig, resetAndSeed, useEmulatorStack } from '../support/emulators';

useEmulatorStack();

type Result = CallToolResult & { structuredContent?: Record<string, any> };

describe('MCP security and unused-resource scans against moto', function () {
  this.timeout(120_000);
  let dir: ReturnType<typeof tempDir>;
  let connection: AwsConnection;
  let ec2: EC2Client;
  const closers: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    await resetAndSeed('sample');
    dir = tempDir('pilot-light-mcp-insights-');
    connection = await emulatorConnection();
    ec2 = new EC2Client(clientConfig());
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close().catch(() => undefined);
    ec2.destroy();
    connection.dispose();
    dir.remove();
  });

  async function start() {
    const auditPath = join(dir.path, 'audit.jsonl');
    const runtime = createRuntime({
      auditPath,
      approvalProvider: {
        id: 'none',
        kind: 'interactive',
        requestApproval: async () => ({ approved: false, reason: 'unused' }),
      },
      connection: async () => connection,
    });
    const server = createMcpServer({
      runtime,
      readOnly: true,
      allowRecovery: false,
      approvals: 'elicitation',
      clientLabel: 'test',
      describeConnection: async () => ({ account: (await connection.identity()).account, region: connection.region }),
    });
    const client = new Client({ name: 'scan-agent', version: '1.0.0' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    closers.push(() => client.close());
    const call = async (name: string, args: Record<string, unknown>) =>
      (await client.callTool({ name, arguments: args })) as Result;
    return { call, auditPath };
  }

  it('finds a security group open to the internet on SSH, read-only and audited', async () => {
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'mcp-open-ssh', Description: 'open ssh for the scan' }),
    );
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    const { call, auditPath } = await start();
    const scan = await call('find_security_issues', {});
    const content = scan.structuredContent!;
    assert.ok(['succeeded', 'incomplete'].includes(content.status), JSON.stringify(content).slice(0, 500));
    assert.equal(content.complete, content.status === 'succeeded');
    if (!content.complete) assert.ok((content.couldNotCheck as string[]).length > 0, 'an incomplete scan says why');
    const findings = content.findings as Array<{ resource: string; rule: string; severity: string }>;
    assert.ok(
      findings.some((finding) => finding.resource === GroupId),
      `the open group is found: ${JSON.stringify(findings.map((f) => f.resource))}`,
    );
    const records = await readAuditTrail(auditPath);
    assert.ok(
      records.some((record) => record.operation === 'mcp.find_security_issues' && record.client?.name === 'scan-agent'),
    );
  });

  it('finds an unattached volume with its monthly cost', async () => {
    const volume = await ec2.send(
      new CreateVolumeCommand({ AvailabilityZone: `${connection.region}a`, Size: 50, VolumeType: 'gp3' }),
    );
    const { call } = await start();
    const scan = (await call('find_unused_resources', {})).structuredContent!;
    assert.ok(['succeeded', 'incomplete'].includes(scan.status), JSON.stringify(scan).slice(0, 500));
    const found = (scan.findings as Array<{ resource: string; category: string; monthlyUsd: number }>).find(
      (finding) => finding.resource === volume.VolumeId,
    );
    assert.equal(found?.category, 'unattached-volume', JSON.stringify(scan.findings).slice(0, 500));
    assert.ok(found!.monthlyUsd > 0);
  });
});
