import * as assert from 'node:assert/strict';
import {
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  paginateDescribeInstances,
  type Instance,
} from '@aws-sdk/client-ec2';
import {
  DescribeSourceServersCommand,
  DrsClient,
  GetLaunchConfigurationCommand,
  type SourceServer,
} from '@aws-sdk/client-drs';
import type { SampleAccountSummary } from '../../tools/seed/sampleAccount';
import { clientConfig, emulatorStack, resetAndSeed, useEmulatorStack } from '../support/emulators';

useEmulatorStack();

function tagsOf(instance: Instance): Record<string, string> {
  return Object.fromEntries((instance.Tags ?? []).map((t) => [t.Key!, t.Value!]));
}

describe('sample account seed', function () {
  let sample: SampleAccountSummary;
  let ec2: EC2Client;
  let drs: DrsClient;

  before(async function () {
    this.timeout(60_000);
    sample = (await resetAndSeed('sample')).sample!;
    ec2 = new EC2Client(clientConfig());
    drs = new DrsClient(clientConfig());
  });

  after(() => {
    ec2.destroy();
    drs.destroy();
  });

  it('creates three tagged, running EC2 instances', async function () {
    const { Reservations } = await ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Environment', Values: ['production'] }] }),
    );
    const instances = (Reservations ?? []).flatMap((r) => r.Instances ?? []);
    assert.equal(instances.length, 3);
    const byName = new Map(instances.map((i) => [tagsOf(i).Name, i]));
    for (const [name, role] of [
      ['web-1', 'web'],
      ['app-1', 'app'],
      ['db-1', 'db'],
    ]) {
      const instance = byName.get(name);
      assert.ok(instance, `instance ${name} exists`);
      assert.equal(tagsOf(instance).Role, role);
      assert.equal(instance.State?.Name, 'running');
      assert.equal(instance.VpcId, sample.vpcId);
      assert.deepEqual(
        instance.SecurityGroups?.map((g) => g.GroupId),
        [sample.securityGroups[role as 'web' | 'app' | 'db']],
      );
    }
    assert.equal(byName.get('web-1')!.SubnetId, sample.subnets.publicA);
    assert.equal(byName.get('db-1')!.Placement?.AvailabilityZone, 'us-east-1b');
  });

  it('creates the VPC with public and private subnets in two AZs behind an internet gateway', async function () {
    const { Vpcs } = await ec2.send(new DescribeVpcsCommand({ VpcIds: [sample.vpcId] }));
    assert.equal(Vpcs?.[0]?.CidrBlock, '10.0.0.0/16');

    const { Subnets } = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [sample.vpcId] }] }),
    );
    assert.equal(Subnets?.length, 4);
    assert.deepEqual(new Set(Subnets!.map((s) => s.AvailabilityZone)), new Set(['us-east-1a', 'us-east-1b']));
    const publicIds = new Set([sample.subnets.publicA, sample.subnets.publicB]);
    for (const subnet of Subnets!)
      assert.equal(subnet.MapPublicIpOnLaunch, publicIds.has(subnet.SubnetId!), `${subnet.SubnetId} public flag`);

    const { InternetGateways } = await ec2.send(
      new DescribeInternetGatewaysCommand({ InternetGatewayIds: [sample.internetGatewayId] }),
    );
    assert.equal(InternetGateways?.[0]?.Attachments?.[0]?.VpcId, sample.vpcId);

    const { RouteTables } = await ec2.send(
      new DescribeRouteTablesCommand({ RouteTableIds: [sample.publicRouteTableId] }),
    );
    const table = RouteTables![0];
    assert.ok(
      table.Routes?.some((r) => r.DestinationCidrBlock === '0.0.0.0/0' && r.GatewayId === sample.internetGatewayId),
    );
    assert.deepEqual(new Set(table.Associations?.map((a) => a.SubnetId)), publicIds);
  });

  it('creates web/app/db security groups that chain tier to tier', async function () {
    const { SecurityGroups } = await ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: Object.values(sample.securityGroups) }),
    );
    const byName = new Map(SecurityGroups!.map((g) => [g.GroupName, g]));
    const web = byName.get('web-sg')!;
    assert.ok(web.IpPermissions?.some((p) => p.FromPort === 443 && p.IpRanges?.some((r) => r.CidrIp === '0.0.0.0/0')));
    const app = byName.get('app-sg')!;
    assert.ok(
      app.IpPermissions?.some(
        (p) => p.FromPort === 8080 && p.UserIdGroupPairs?.some((g) => g.GroupId === sample.securityGroups.web),
      ),
    );
    const db = byName.get('db-sg')!;
    assert.ok(
      db.IpPermissions?.some(
        (p) => p.FromPort === 5432 && p.UserIdGroupPairs?.some((g) => g.GroupId === sample.securityGroups.app),
      ),
    );
    assert.ok(
      !db.IpPermissions?.some((p) => p.IpRanges?.some((r) => r.CidrIp === '0.0.0.0/0')),
      'db is not open to the internet',
    );
  });

  it('creates one DRS-style launch template per server', async function () {
    for (const server of Object.values(sample.servers)) {
      const { LaunchTemplateVersions } = await ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          LaunchTemplateId: server.launchTemplateId,
          Versions: ['$Default'],
        }),
      );
      const data = LaunchTemplateVersions?.[0]?.LaunchTemplateData;
      assert.equal(LaunchTemplateVersions?.[0]?.LaunchTemplateName, `drs-launch-template-${server.sourceServerId}`);
      assert.equal(data?.ImageId, sample.imageId);
      assert.equal(data?.InstanceType, server.instanceType);
      assert.equal(data?.NetworkInterfaces?.[0]?.SubnetId, server.subnetId);
      assert.deepEqual(data?.NetworkInterfaces?.[0]?.Groups, [server.securityGroupId]);
    }
  });

  it('registers a replicating DRS source server per instance, pointing at its launch template', async function () {
    const { items } = await drs.send(new DescribeSourceServersCommand({}));
    assert.equal(items?.length, 3);
    for (const server of Object.values(sample.servers)) {
      const source: SourceServer | undefined = items!.find((s) => s.sourceServerID === server.sourceServerId);
      assert.ok(source, `source server for ${server.name}`);
      assert.equal(source.arn, server.sourceServerArn);
      assert.match(source.sourceServerID!, /^s-[0-9a-f]{17}$/);
      assert.equal(source.sourceProperties?.identificationHints?.hostname, server.name);
      assert.equal(source.sourceProperties?.identificationHints?.awsInstanceID, server.instanceId);
      assert.deepEqual(source.tags, { Name: server.name, Role: server.role, Environment: 'production' });
      assert.equal(source.dataReplicationInfo?.dataReplicationState, 'CONTINUOUS');
      assert.equal(source.lastLaunchResult, 'NOT_STARTED');
      assert.equal(source.sourceCloudProperties?.originAvailabilityZone, server.availabilityZone);

      const config = await drs.send(new GetLaunchConfigurationCommand({ sourceServerID: server.sourceServerId }));
      assert.equal(config.ec2LaunchTemplateID, server.launchTemplateId);
    }
  });
});

describe('scale seed', function () {
  it('creates instances in batches with unique names, plus groups, templates and DRS servers', async function () {
    this.timeout(60_000);
    const { scale } = await resetAndSeed({
      scale: { instances: 60, securityGroups: 4, launchTemplates: 3, drsServers: 75 },
    });
    assert.ok(scale);
    assert.equal(scale.instanceIds.length, 60);
    assert.equal(scale.securityGroupIds.length, 4);
    assert.equal(scale.launchTemplateIds.length, 3);
    assert.equal(scale.sourceServerIds.length, 75);

    const ec2 = new EC2Client(clientConfig());
    const drs = new DrsClient(clientConfig());
    try {
      const names = new Set<string>();
      for await (const page of paginateDescribeInstances(
        { client: ec2 },
        { Filters: [{ Name: 'tag:Environment', Values: ['scale-test'] }] },
      )) {
        for (const reservation of page.Reservations ?? [])
          for (const instance of reservation.Instances ?? []) names.add(tagsOf(instance).Name);
      }
      assert.equal(names.size, 60, 'every instance has its own Name');

      const { items } = await drs.send(new DescribeSourceServersCommand({ maxResults: 1000 }));
      assert.equal(items?.length, 75);
      assert.equal(items![0].sourceProperties?.identificationHints?.awsInstanceID, scale.instanceIds[0]);
      const stats = await emulatorStack().admin.stats();
      assert.equal(stats.regions['us-east-1'].sourceServers, 75);
    } finally {
      ec2.destroy();
      drs.destroy();
    }
  });
});
