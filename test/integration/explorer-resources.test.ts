import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { StartRecoveryCommand, DrsClient } from '@aws-sdk/client-drs';
import {
  AllocateAddressCommand,
  CreateImageCommand,
  CreateKeyPairCommand,
  CreateNatGatewayCommand,
  CreateSnapshotCommand,
  CreateVolumeCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import type { AwsConnection } from '../../src/core/aws/connection';
import { stackLister } from '../../src/core/resources/cloudformation';
import { drsJobLister, drsRecoveryInstanceLister, drsSourceServerLister } from '../../src/core/resources/drs';
import {
  ec2AddressLister,
  ec2ImageLister,
  ec2InstanceLister,
  ec2KeyPairLister,
  ec2SnapshotLister,
  ec2VolumeLister,
} from '../../src/core/resources/ec2';
import { attachedRolePolicyLister, iamCustomerPolicyLister, iamRoleLister } from '../../src/core/resources/iam';
import { launchTemplateLister } from '../../src/core/resources/launchTemplates';
import type { ResourceLister, ResourceReads, ResourceSummary } from '../../src/core/resources/model';
import { vpcLister } from '../../src/core/resources/vpc';
import type { SampleAccountSummary } from '../../tools/seed/sampleAccount';
import { pickAmazonLinuxImage } from '../../tools/seed/target';
import { emulatorConnection } from '../support/connection';
import { readsThroughRunner } from '../support/resourceReads';
import { readAuditTrail } from '../../src/core/audit';
import { tempDir } from '../support/operationHarness';
import {
  clientConfig,
  emulatorStack,
  resetAndSeed,
  useEmulatorStack,
  waitForJobCompletion,
} from '../support/emulators';

useEmulatorStack();

/** Follows every page like the explorer's "Load more…", counting the calls. */
async function listAll(
  reads: ResourceReads,
  lister: ResourceLister,
  pageSize = 100,
): Promise<{ items: ResourceSummary[]; calls: number }> {
  const items: ResourceSummary[] = [];
  let nextToken: string | undefined;
  let calls = 0;
  do {
    const page = await lister.list(reads, { region: emulatorStack().region, pageSize, nextToken });
    calls++;
    items.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken && calls < 100);
  return { items, calls };
}

function childLister(resource: ResourceSummary, title: string): ResourceLister {
  const lister = resource.children?.find((child) => child.title === title);
  assert.ok(
    lister,
    `${resource.name} has a "${title}" list; has ${resource.children?.map((child) => child.title).join(', ')}`,
  );
  return lister;
}

describe('explorer resource listers against the emulators', function () {
  this.timeout(120_000);
  let sample: SampleAccountSummary;
  let connection: AwsConnection;
  let reads: ResourceReads;
  const extra: Record<string, string> = {};

  before(async () => {
    sample = (await resetAndSeed('sample')).sample!;
    connection = await emulatorConnection();
    reads = readsThroughRunner(connection);
    const ec2 = new EC2Client(clientConfig());
    const iam = new IAMClient(clientConfig());
    const cfn = new CloudFormationClient(clientConfig());
    try {
      const volume = await ec2.send(
        new CreateVolumeCommand({
          AvailabilityZone: 'us-east-1a',
          Size: 8,
          TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'Name', Value: 'scratch' }] }],
        }),
      );
      extra.volumeId = volume.VolumeId!;
      extra.snapshotId = (
        await ec2.send(new CreateSnapshotCommand({ VolumeId: volume.VolumeId, Description: 'nightly' }))
      ).SnapshotId!;
      extra.allocationId = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId!;
      extra.keyName = (await ec2.send(new CreateKeyPairCommand({ KeyName: 'ops-key' }))).KeyName!;
      extra.imageId = (
        await ec2.send(new CreateImageCommand({ InstanceId: sample.servers.web.instanceId, Name: 'web-golden' }))
      ).ImageId!;
      const natAllocation = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
      extra.natId = (
        await ec2.send(
          new CreateNatGatewayCommand({ SubnetId: sample.subnets.publicA, AllocationId: natAllocation.AllocationId }),
        )
      ).NatGateway!.NatGatewayId!;
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'drs-orchestrator',
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'ssm.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          }),
        }),
      );
      const policy = await iam.send(
        new CreatePolicyCommand({
          PolicyName: 'drs-read',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'drs:Describe*', Resource: '*' }],
          }),
        }),
      );
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'drs-orchestrator', PolicyArn: policy.Policy!.Arn }));
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'drs-orchestrator',
          PolicyName: 'inline-ssm',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'ssm:StartAutomationExecution', Resource: '*' }],
          }),
        }),
      );
      await cfn.send(
        new CreateStackCommand({
          StackName: 'network-extras',
          TemplateBody: JSON.stringify({
            Resources: {
              AdminGroup: {
                Type: 'AWS::EC2::SecurityGroup',
                Properties: { GroupDescription: 'admin', VpcId: sample.vpcId },
              },
            },
            Outputs: { AdminGroupId: { Value: { Ref: 'AdminGroup' } } },
          }),
        }),
      );
      assert.equal(
        (await cfn.send(new DescribeStacksCommand({ StackName: 'network-extras' }))).Stacks?.[0]?.StackStatus,
        'CREATE_COMPLETE',
      );
    } finally {
      ec2.destroy();
      iam.destroy();
      cfn.destroy();
    }
  });

  after(() => connection?.dispose());

  it('lists EC2 instances with name, id, type, private IP and tags', async () => {
    const { items } = await listAll(reads, ec2InstanceLister);
    const web = items.find((item) => item.name === 'web-1');
    assert.ok(web, `web-1 listed among ${items.map((item) => item.name).join(', ')}`);
    assert.equal(web.id, sample.servers.web.instanceId);
    assert.equal(web.state, 'running');
    assert.equal(web.stateTone, 'ok');
    assert.equal(web.tags.Environment, 'production');
    assert.match(web.details.join(' '), /\b10\.0\.\d+\.\d+\b/, 'private IP');
    assert.match(web.arn!, /^arn:aws:ec2:us-east-1:\d{12}:instance\/i-/);
  });

  it('pages instances with one API call per page and no duplicates', async () => {
    const ec2 = new EC2Client(clientConfig());
    try {
      // moto pages DescribeInstances by reservation, so each instance gets its own.
      const imageId = await pickAmazonLinuxImage(ec2);
      for (let index = 0; index < 9; index++)
        await ec2.send(
          new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro' }),
        );
    } finally {
      ec2.destroy();
    }
    const { items, calls } = await listAll(reads, ec2InstanceLister, 5);
    const ids = items.map((item) => item.id);
    assert.ok(items.length >= 12, `12 instances, got ${items.length}`);
    assert.equal(new Set(ids).size, ids.length, 'no instance appears twice');
    assert.equal(calls, Math.ceil(items.length / 5), 'one call per page of 5');
  });

  it('lists volumes, owned snapshots, Elastic IPs, key pairs and owned AMIs', async () => {
    const volumes = (await listAll(reads, ec2VolumeLister)).items;
    const scratch = volumes.find((volume) => volume.id === extra.volumeId);
    assert.ok(scratch);
    assert.equal(scratch.name, 'scratch');
    assert.match(scratch.details.join(' '), /8 GiB.*unattached/);
    assert.ok((await listAll(reads, ec2SnapshotLister)).items.some((snapshot) => snapshot.id === extra.snapshotId));
    const addresses = (await listAll(reads, ec2AddressLister)).items;
    assert.ok(addresses.some((address) => address.id === extra.allocationId && address.state === 'unassociated'));
    assert.ok((await listAll(reads, ec2KeyPairLister)).items.some((keyPair) => keyPair.name === 'ops-key'));
    const images = (await listAll(reads, ec2ImageLister)).items;
    assert.ok(
      images.some((image) => image.id === extra.imageId && image.name === 'web-golden'),
      `owned AMI listed; got ${images.map((image) => image.id).join(', ')}`,
    );
  });

  it('lists VPCs with subnets (AZ, CIDR, public/private), route tables, gateways and security groups with rules', async () => {
    const vpc = (await listAll(reads, vpcLister)).items.find((item) => item.id === sample.vpcId);
    assert.ok(vpc);
    const subnets = (await listAll(reads, childLister(vpc, 'Subnets'))).items;
    assert.equal(subnets.length, 4);
    const publicA = subnets.find((subnet) => subnet.id === sample.subnets.publicA)!;
    const privateA = subnets.find((subnet) => subnet.id === sample.subnets.privateA)!;
    assert.match(publicA.details.join(' '), /us-east-1a .*10\.0\.\d+\.0\/24 public/);
    assert.match(privateA.details.join(' '), /private$/);
    const routeTables = (await listAll(reads, childLister(vpc, 'Route tables'))).items;
    const publicTable = routeTables.find((table) => table.id === sample.publicRouteTableId)!;
    const routes = (await listAll(reads, childLister(publicTable, 'Routes'))).items;
    assert.ok(
      routes.some((route) => route.name === `0.0.0.0/0 → ${sample.internetGatewayId}`),
      routes.map((route) => route.name).join(', '),
    );
    assert.ok(
      (await listAll(reads, childLister(vpc, 'Internet gateways'))).items.some(
        (gateway) => gateway.id === sample.internetGatewayId,
      ),
    );
    assert.ok(
      (await listAll(reads, childLister(vpc, 'NAT gateways'))).items.some((gateway) => gateway.id === extra.natId),
    );
    const groups = (await listAll(reads, childLister(vpc, 'Security groups'))).items;
    const web = groups.find((group) => group.id === sample.securityGroups.web)!;
    assert.ok(web, groups.map((group) => group.name).join(', '));
    const inbound = (await listAll(reads, childLister(web, 'Inbound rules'))).items.map((rule) => rule.name);
    assert.ok(
      inbound.some((rule) => /^tcp\/443 from 0\.0\.0\.0\/0$/.test(rule)),
      inbound.join(', '),
    );
    assert.ok((await listAll(reads, childLister(web, 'Outbound rules'))).items.length > 0);
  });

  it('lists launch templates and their versions with the default marked', async () => {
    const templates = (await listAll(reads, launchTemplateLister)).items;
    const web = templates.find((template) => template.id === sample.servers.web.launchTemplateId);
    assert.ok(web, templates.map((template) => template.name).join(', '));
    const versions = (await listAll(reads, childLister(web, 'Versions'))).items;
    assert.ok(versions.length >= 1);
    assert.ok(versions.some((version) => /\(default\)$/.test(version.name)));
  });

  it('lists DRS source servers, jobs with their servers, and recovery instances', async () => {
    const servers = (await listAll(reads, drsSourceServerLister)).items;
    assert.equal(servers.length, 3);
    assert.ok(servers.every((server) => server.state === 'CONTINUOUS'));
    const drs = new DrsClient(clientConfig());
    try {
      const { job } = await drs.send(
        new StartRecoveryCommand({
          isDrill: true,
          sourceServers: [{ sourceServerID: sample.servers.db.sourceServerId }],
        }),
      );
      await waitForJobCompletion(drs, job?.jobID);
      const jobs = (await listAll(reads, drsJobLister)).items;
      const listed = jobs.find((item) => item.id === job?.jobID);
      assert.ok(listed);
      assert.equal(listed.state, 'COMPLETED');
      assert.match(listed.details.join(' '), /LAUNCH.*drill/);
      const jobServers = (await listAll(reads, childLister(listed, 'Servers'))).items;
      assert.deepEqual(
        jobServers.map((server) => [server.name, server.state]),
        [[sample.servers.db.sourceServerId, 'LAUNCHED']],
      );
      const recovery = (await listAll(reads, drsRecoveryInstanceLister)).items;
      assert.equal(recovery.length, 1);
      assert.match(recovery[0].details.join(' '), /^i-[0-9a-f]+ RUNNING drill/);
    } finally {
      drs.destroy();
    }
  });

  it('pages DRS source servers', async () => {
    await emulatorStack().admin.seedSourceServers(
      Array.from({ length: 9 }, (_, index) => ({ hostname: `batch-${index}.internal` })),
    );
    const { items, calls } = await listAll(reads, drsSourceServerLister, 5);
    assert.equal(items.length, 12);
    assert.equal(calls, 3);
  });

  it('lists CloudFormation stacks with resources (logical id, physical id, type) and outputs', async () => {
    const stack = (await listAll(reads, stackLister)).items.find((item) => item.name === 'network-extras');
    assert.ok(stack);
    assert.equal(stack.state, 'CREATE_COMPLETE');
    const resources = (await listAll(reads, childLister(stack, 'Resources'))).items;
    assert.equal(resources[0].name, 'AdminGroup');
    assert.match(resources[0].details.join(' '), /^sg-[0-9a-f]+ AWS::EC2::SecurityGroup$/);
    const outputs = (await listAll(reads, childLister(stack, 'Outputs'))).items;
    assert.match(outputs.map((output) => `${output.name} ${output.details[0]}`).join(), /AdminGroupId sg-/);
  });

  const tempAuditDir = () => {
    const dir = tempDir('pilot-light-reads-');
    return { path: join(dir.path, 'audit.jsonl'), cleanup: dir.cleanup };
  };

  it('reads only through registered read operations: audited as such when the policy audits reads', async () => {
    const { path, cleanup } = tempAuditDir();
    try {
      const audited = readsThroughRunner(connection, { settings: { auditReads: true } }, path);
      const { items } = await listAll(audited, ec2InstanceLister);
      assert.ok(items.length >= 3);
      const subnets = (
        await listAll(
          audited,
          childLister(
            (await listAll(audited, vpcLister)).items.find((item) => item.id === sample.vpcId)!,
            'Subnets',
          ),
        )
      ).items;
      assert.ok(subnets.length > 0);
      const records = await readAuditTrail(path);
      const operations = records.map((record) => `${record.caller} ${record.operation} ${record.outcome}`);
      assert.deepEqual([...new Set(operations)].sort(), [
        'explorer ec2.instances.list succeeded',
        'explorer ec2.routeTables.list succeeded',
        'explorer ec2.subnets.list succeeded',
        'explorer ec2.vpcs.list succeeded',
      ]);
      assert.ok(
        records.every((record) => record.operationKind === 'read' && record.account === items[0].arn!.split(':')[4]),
      );
    } finally {
      cleanup();
    }
  });

  it('turns a failed read into the AWS error itself, with its code', async () => {
    await assert.rejects(
      listAll(reads, attachedRolePolicyLister('no-such-role')),
      (error: Error) => /^NoSuchEntity/.test(error.name) && /no-such-role/.test(error.message),
    );
  });

  it('lists IAM roles with attached and inline policies, and customer-managed policies', async () => {
    const role = (await listAll(reads, iamRoleLister)).items.find((item) => item.name === 'drs-orchestrator');
    assert.ok(role);
    assert.deepEqual(
      (await listAll(reads, childLister(role, 'Attached policies'))).items.map((policy) => policy.name),
      ['drs-read'],
    );
    assert.deepEqual(
      (await listAll(reads, childLister(role, 'Inline policies'))).items.map((policy) => policy.name),
      ['inline-ssm'],
    );
    const policies = (await listAll(reads, iamCustomerPolicyLister)).items;
    assert.ok(
      policies.some((policy) => policy.name === 'drs-read' && policy.details.includes('1 attachments')),
      policies.map((policy) => `${policy.name} ${policy.details}`).join('; '),
    );
  });
});
