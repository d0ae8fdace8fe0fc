import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  type LaunchTemplateVersion,
  type RequestLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { createMcpServer } from '../../src/core/agent/mcp/server';
import { preflightVerdict, runPreflight } from '../../src/core/dr/preflight';
import { defaultPathFor, writeDocument } from '../../src/core/dr/workspace';
import { createRuntime } from '../../src/core/runtime';
import { emulatorConnection } from '../support/connection';
import { OperationDrReads } from '../../src/core/dr/operationGateway';
import { plan, productDeps, tempDir, group } from '../support/dr';
import { clientConfig, emulatorStack, resetAndSeed, useEmulatorStack } from '../support/emulators';

useEmulatorStack();

/** DR preflight runs the launch recovery rules of the editor and the bulk change, through the operation runner. */
describe('DR preflight: launch recovery rules (moto + DRS emulator)', function () {
  this.timeout(120_000);
  let ec2: EC2Client;
  let dir: ReturnType<typeof tempDir>;
  let net: { subnet: string; group: string };
  let counter = 0;

  before(async () => {
    await resetAndSeed(false);
    ec2 = new EC2Client(clientConfig());
    dir = tempDir();
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.60.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (
      await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.60.1.0/24', AvailabilityZone: 'us-east-1a' }))
    ).Subnet!.SubnetId!;
    const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'pf-lt', Description: 'pf', VpcId: vpc })))
      .GroupId!;
    net = { subnet, group: sg };
  });
  after(() => {
    ec2.destroy();
    dir.remove();
  });

  const data = (instanceType = 't3.micro'): RequestLaunchTemplateData => ({
    ImageId: 'ami-12c6146b',
    InstanceType: instanceType as never,
    MetadataOptions: { HttpTokens: 'required' },
    NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: net.subnet, Groups: [net.group] }],
    BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 8 } }],
  });

  async function seedServer(tier: string, templateData: RequestLaunchTemplateData) {
    counter += 1;
    const templateId = (
      await ec2.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: `pf-${counter}-${Date.now()}`,
          LaunchTemplateData: templateData,
        }),
      )
    ).LaunchTemplate!.LaunchTemplateId!;
    const [server] = await emulatorStack().admin.seedSourceServers([
      {
        hostname: `pf-host-${counter}`,
        ec2LaunchTemplateID: templateId,
        tags: { Tier: tier, Environment: 'test' },
        privateIps: ['10.60.1.10'],
        disks: [{ deviceName: '/dev/xvda', bytes: 8 * 2 ** 30 }],
        launchConfiguration: { targetInstanceTypeRightSizingMethod: 'NONE', copyPrivateIp: true },
      },
    ]);
    return { sourceServerId: server.sourceServerID, templateId };
  }

  const tierPlan = (tier: string) => plan(`pf-${tier}`, [{ name: 'only', protectionGroups: [tier] }]);

  it('reports per server: the version DRS launches is not the latest, the instance type is not offered in the AZ', async () => {
    const stale = await seedServer('pf-a', data());
    await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: stale.templateId,
        SourceVersion: '1',
        LaunchTemplateData: { InstanceType: 't3.small' },
      }),
    );
    const unoffered = await seedServer('pf-a', data('zz9.mega'));
    const sound = await seedServer('pf-a', data());
    const deps = await productDeps(join(dir.path, 'runs-a'), { auditPath: join(dir.path, 'audit-a.jsonl') });
    const report = await runPreflight({
      plan: tierPlan('pf-a'),
      groups: [group('pf-a', { Tier: 'pf-a' })],
      reads: deps.reads,
      mode: 'drill',
      defaultRegion: 'us-east-1',
    });
    const rules = report.findings
      .filter((finding) => finding.launchRule)
      .map((finding) => [finding.sourceServerIds?.join(), finding.launchRule, finding.severity]);
    assert.deepEqual(
      rules.sort(),
      [
        [stale.sourceServerId, 'launched-version-not-latest', 'warning'],
        [unoffered.sourceServerId, 'instance-type-not-offered', 'error'],
      ].sort(),
      JSON.stringify(report.findings, null, 1),
    );
    assert.ok(!report.findings.some((finding) => finding.sourceServerIds?.includes(sound.sourceServerId)));
    assert.equal(report.ok, false, 'a type not offered in the AZ blocks the run');
    assert.deepEqual(report.unchecked, []);
    assert.match(
      report.findings.find((finding) => finding.launchRule === 'instance-type-not-offered')!.message,
      /zz9\.mega is not offered in us-east-1a/,
    );
    // The rules read through the operation runner: the preflight's counters saw their EC2 reads.
    const calls = deps.reads.counters.snapshot().calls;
    assert.ok(calls['ec2:DescribeInstanceTypeOfferings'] >= 1, JSON.stringify(calls));
    assert.ok(calls['ec2:DescribeLaunchTemplateVersions'] >= 1, JSON.stringify(calls));
    // Preflight gave the rules the launch configurations it read: one GetLaunchConfiguration per server.
    assert.equal(calls['drs:GetLaunchConfiguration'], 3);
  });

  it('a rule whose facts could not be read is "not run", never clean', async () => {
    const server = await seedServer('pf-b', data());
    const deps = await productDeps(join(dir.path, 'runs-b'), { auditPath: join(dir.path, 'audit-b.jsonl') });
    // The same runner, with ec2:DescribeInstanceTypeOfferings denied as an IAM policy would.
    const denying = {
      run: async (...args: Parameters<typeof deps.operations.run>) => {
        const outcome = await deps.operations.run(...args);
        return args[0] === 'ec2.instanceTypeOfferings.list'
          ? {
              ...outcome,
              status: 'failed' as const,
              output: undefined,
              error: {
                code: 'UnauthorizedOperation',
                message: 'not authorized to perform ec2:DescribeInstanceTypeOfferings',
              },
            }
          : outcome;
      },
    };
    const reads = new OperationDrReads({
      runner: denying as never,
      identity: async () => ({ account: '123456789012' }),
    });
    const input = {
      plan: tierPlan('pf-b'),
      groups: [group('pf-b', { Tier: 'pf-b' })],
      reads,
      defaultRegion: 'us-east-1',
    };
    const drill = await runPreflight({ ...input, mode: 'drill' });
    assert.equal(preflightVerdict(drill), 'not fully checked', JSON.stringify(drill.findings, null, 1));
    assert.deepEqual(drill.unchecked, [`launch recovery rules of ${server.sourceServerId}`]);
    const notRun = drill.findings.find((finding) => finding.code === 'check-failed');
    assert.equal(notRun?.launchRule, 'check-not-run');
    assert.match(notRun!.message, /instance type offerings in us-east-1a were not checked/);
    const recovery = await runPreflight({ ...input, mode: 'recovery' });
    assert.equal(preflightVerdict(recovery), 'blocked');
  });

  it('MCP dr_preflight reports the same launch rules per server (one path through the core)', async () => {
    const stale = await seedServer('pf-m', data());
    await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: stale.templateId,
        SourceVersion: '1',
        LaunchTemplateData: { InstanceType: 't3.small' },
      }),
    );
    const folder = join(dir.path, 'mcp-workspace');
    await writeDocument(defaultPathFor(folder, group('pf-m', { Tier: 'pf-m' })), group('pf-m', { Tier: 'pf-m' }));
    await writeDocument(defaultPathFor(folder, tierPlan('pf-m')), tierPlan('pf-m'));
    const connection = await emulatorConnection();
    const runtime = createRuntime({
      auditPath: join(dir.path, 'audit-mcp.jsonl'),
      approvalProvider: {
        id: 'test',
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
      dr: { workspaceFolders: [folder], journalDir: join(dir.path, 'mcp-runs'), connection: async () => connection },
    });
    const client = new Client({ name: 'dr-agent', version: '1.0.0' }, { capabilities: {} });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    try {
      const checked = (await client.callTool({ name: 'dr_preflight', arguments: { plan: 'pf-pf-m' } })) as {
        structuredContent?: Record<string, any>;
      };
      const content = checked.structuredContent!;
      assert.equal(content.ok, true, JSON.stringify(content));
      assert.deepEqual(content.unchecked, []);
      assert.deepEqual(
        content.findings.filter((finding: { launchRule?: string }) => finding.launchRule),
        [
          {
            severity: 'warning',
            code: 'launch-template-invalid',
            launchRule: 'launched-version-not-latest',
            sourceServerIds: [stale.sourceServerId],
            message: content.findings.find((finding: { launchRule?: string }) => finding.launchRule).message,
            fix: 'Make version 2 the default if it is the intended configuration.',
          },
        ],
      );
    } finally {
      await client.close();
      connection.dispose();
    }
  });

  it('the gateway pages DescribeLaunchTemplateVersions over every template as AWS does (moto cuts it short)', async () => {
    const all: LaunchTemplateVersion[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          Versions: ['$Default', '$Latest'],
          MaxResults: 3,
          NextToken: nextToken,
        }),
      );
      assert.ok((page.LaunchTemplateVersions ?? []).length <= 3);
      all.push(...(page.LaunchTemplateVersions ?? []));
      nextToken = page.NextToken;
      pages += 1;
    } while (nextToken && pages < 100);
    const mine = all.filter((version) => version.LaunchTemplateName?.startsWith('pf-'));
    assert.equal(
      new Set(mine.map((version) => version.LaunchTemplateId)).size,
      counter,
      'every template of the account',
    );
    assert.equal(mine.length, 2 * counter, 'its $Default and its $Latest');
    assert.ok(all.length > 3, 'more than one page');
    assert.equal(pages, Math.ceil(all.length / 3));
    await assert.rejects(
      ec2.send(new DescribeLaunchTemplateVersionsCommand({ Versions: ['$Default'], MaxResults: 500 })),
      /between 1 and 200/,
    );
  });
});
