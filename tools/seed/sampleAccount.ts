/**
 * A small production-like account: one VPC over two AZs, a web/app/db tier on three EC2 instances,
 * and each instance replicated by DRS with its own launch template.
 */
import {
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateLaunchTemplateCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  RunInstancesCommand,
  type EC2Client,
  type IpPermission,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { newSourceServerId } from '../emulators/drs/ids';
import { DRS_MANAGED_TAG, DRS_SOURCE_SERVER_TAG } from '../emulators/drs/ec2Launcher';
import { ec2ClientFor, fromTags, pickAmazonLinuxImage, toTags, type SeedTarget } from './target';

export { seedScale, type ScaleSeedOptions, type ScaleSeedSummary } from './scale';
export type { SeedTarget } from './target';

export type SampleRole = 'web' | 'app' | 'db';

export interface SampleServerSummary {
  name: string;
  role: SampleRole;
  instanceId: string;
  instanceType: string;
  privateIp: string;
  subnetId: string;
  availabilityZone: string;
  securityGroupId: string;
  launchTemplateId: string;
  launchTemplateName: string;
  sourceServerId: string;
  sourceServerArn: string;
}

export interface SampleAccountSummary {
  region: string;
  imageId: string;
  vpcId: string;
  internetGatewayId: string;
  publicRouteTableId: string;
  subnets: { publicA: string; publicB: string; privateA: string; privateB: string };
  securityGroups: Record<SampleRole, string>;
  servers: Record<SampleRole, SampleServerSummary>;
}

const GIB = 1024 ** 3;

interface ServerPlan {
  name: string;
  role: SampleRole;
  instanceType: _InstanceType;
  subnet: keyof SampleAccountSummary['subnets'];
  cpuCores: number;
  ramBytes: number;
  diskBytes: number;
}

const SERVER_PLANS: ServerPlan[] = [
  {
    name: 'web-1',
    role: 'web',
    instanceType: 't3.small',
    subnet: 'publicA',
    cpuCores: 2,
    ramBytes: 2 * GIB,
    diskBytes: 20 * GIB,
  },
  {
    name: 'app-1',
    role: 'app',
    instanceType: 't3.medium',
    subnet: 'privateA',
    cpuCores: 2,
    ramBytes: 4 * GIB,
    diskBytes: 40 * GIB,
  },
  {
    name: 'db-1',
    role: 'db',
    instanceType: 'r5.large',
    subnet: 'privateB',
    cpuCores: 2,
    ramBytes: 16 * GIB,
    diskBytes: 200 * GIB,
  },
];

function nameTag(resourceType: string, name: string, extra: Record<string, string> = {}) {
  return [{ ResourceType: resourceType as never, Tags: toTags({ Name: name, Environment: 'production', ...extra }) }];
}

async function createSubnet(
  ec2: EC2Client,
  vpcId: string,
  cidr: string,
  az: string,
  name: string,
  isPublic: boolean,
): Promise<string> {
  const { Subnet } = await ec2.send(
    new CreateSubnetCommand({
      VpcId: vpcId,
      CidrBlock: cidr,
      AvailabilityZone: az,
      TagSpecifications: nameTag('subnet', name, { Tier: isPublic ? 'public' : 'private' }),
    }),
  );
  if (isPublic)
    await ec2.send(
      new ModifySubnetAttributeCommand({ SubnetId: Subnet!.SubnetId!, MapPublicIpOnLaunch: { Value: true } }),
    );
  return Subnet!.SubnetId!;
}

async function createSecurityGroup(
  ec2: EC2Client,
  vpcId: string,
  role: SampleRole,
  description: string,
): Promise<string> {
  const { GroupId } = await ec2.send(
    new CreateSecurityGroupCommand({
      VpcId: vpcId,
      GroupName: `${role}-sg`,
      Description: description,
      TagSpecifications: nameTag('security-group', `${role}-sg`, { Role: role }),
    }),
  );
  return GroupId!;
}

function tcpFrom(port: number, source: { cidr?: string; groupId?: string }, description: string): IpPermission {
  return {
    IpProtocol: 'tcp',
    FromPort: port,
    ToPort: port,
    ...(source.cidr ? { IpRanges: [{ CidrIp: source.cidr, Description: description }] } : {}),
    ...(source.groupId ? { UserIdGroupPairs: [{ GroupId: source.groupId, Description: description }] } : {}),
  };
}

/** Creates the sample account through the real SDK and the DRS admin API; returns every ID it made. */
export async function seedSampleAccount(target: SeedTarget): Promise<SampleAccountSummary> {
  const ec2 = ec2ClientFor(target);
  try {
    const region = target.region;
    const [azA, azB] = [`${region}a`, `${region}b`];
    const imageId = await pickAmazonLinuxImage(ec2);

    const { Vpc } = await ec2.send(
      new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', TagSpecifications: nameTag('vpc', 'production-vpc') }),
    );
    const vpcId = Vpc!.VpcId!;
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));

    const subnets = {
      publicA: await createSubnet(ec2, vpcId, '10.0.0.0/24', azA, 'production-public-a', true),
      publicB: await createSubnet(ec2, vpcId, '10.0.1.0/24', azB, 'production-public-b', true),
      privateA: await createSubnet(ec2, vpcId, '10.0.10.0/24', azA, 'production-private-a', false),
      privateB: await createSubnet(ec2, vpcId, '10.0.11.0/24', azB, 'production-private-b', false),
    };

    const { InternetGateway } = await ec2.send(
      new CreateInternetGatewayCommand({ TagSpecifications: nameTag('internet-gateway', 'production-igw') }),
    );
    const internetGatewayId = InternetGateway!.InternetGatewayId!;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: internetGatewayId, VpcId: vpcId }));
    const { RouteTable } = await ec2.send(
      new CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: nameTag('route-table', 'production-public-rt') }),
    );
    const publicRouteTableId = RouteTable!.RouteTableId!;
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: publicRouteTableId,
        DestinationCidrBlock: '0.0.0.0/0',
        GatewayId: internetGatewayId,
      }),
    );
    for (const subnetId of [subnets.publicA, subnets.publicB]) {
      await ec2.send(new AssociateRouteTableCommand({ RouteTableId: publicRouteTableId, SubnetId: subnetId }));
    }

    const securityGroups: Record<SampleRole, string> = {
      web: await createSecurityGroup(ec2, vpcId, 'web', 'Web tier: HTTP and HTTPS from the internet'),
      app: await createSecurityGroup(ec2, vpcId, 'app', 'App tier: 8080 from the web tier'),
      db: await createSecurityGroup(ec2, vpcId, 'db', 'Database tier: PostgreSQL from the app tier'),
    };
    const rules: Record<SampleRole, IpPermission[]> = {
      web: [
        tcpFrom(80, { cidr: '0.0.0.0/0' }, 'HTTP'),
        tcpFrom(443, { cidr: '0.0.0.0/0' }, 'HTTPS'),
        tcpFrom(22, { cidr: '10.0.0.0/16' }, 'SSH from the VPC'),
      ],
      app: [
        tcpFrom(8080, { groupId: securityGroups.web }, 'App port from web'),
        tcpFrom(22, { cidr: '10.0.0.0/16' }, 'SSH from the VPC'),
      ],
      db: [
        tcpFrom(5432, { groupId: securityGroups.app }, 'PostgreSQL from app'),
        tcpFrom(22, { cidr: '10.0.0.0/16' }, 'SSH from the VPC'),
      ],
    };
    for (const role of Object.keys(rules) as SampleRole[]) {
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: securityGroups[role], IpPermissions: rules[role] }),
      );
    }

    const servers = {} as Record<SampleRole, SampleServerSummary>;
    for (const plan of SERVER_PLANS) {
      const subnetId = subnets[plan.subnet];
      const instanceTags = { Name: plan.name, Role: plan.role, Environment: 'production' };
      const { Instances } = await ec2.send(
        new RunInstancesCommand({
          ImageId: imageId,
          InstanceType: plan.instanceType,
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnetId,
          SecurityGroupIds: [securityGroups[plan.role]],
          TagSpecifications: [{ ResourceType: 'instance', Tags: toTags(instanceTags) }],
        }),
      );
      const instance = Instances![0];
      const instanceId = instance.InstanceId!;
      const availabilityZone = instance.Placement?.AvailabilityZone ?? (plan.subnet.endsWith('A') ? azA : azB);

      // DRS names each server's launch template after the source server, so pick the ID first.
      const sourceServerId = newSourceServerId();
      const launchTemplateName = `drs-launch-template-${sourceServerId}`;
      const { LaunchTemplate } = await ec2.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: launchTemplateName,
          VersionDescription: `DRS launch template for ${plan.name}`,
          LaunchTemplateData: {
            ImageId: imageId,
            InstanceType: plan.instanceType,
            NetworkInterfaces: [
              {
                DeviceIndex: 0,
                SubnetId: subnetId,
                Groups: [securityGroups[plan.role]],
                AssociatePublicIpAddress: plan.role === 'web',
                DeleteOnTermination: true,
              },
            ],
          },
          TagSpecifications: [
            {
              ResourceType: 'launch-template',
              Tags: toTags({
                Name: plan.name,
                [DRS_MANAGED_TAG]: 'drs.amazonaws.com',
                [DRS_SOURCE_SERVER_TAG]: sourceServerId,
              }),
            },
          ],
        }),
      );
      const launchTemplateId = LaunchTemplate!.LaunchTemplateId!;

      const [seeded] = await target.admin.seedSourceServers(
        [
          {
            sourceServerID: sourceServerId,
            hostname: plan.name,
            fqdn: instance.PrivateDnsName || `${plan.name}.ec2.internal`,
            tags: fromTags(instance.Tags ?? toTags(instanceTags)),
            replicationState: 'CONTINUOUS',
            ec2LaunchTemplateID: launchTemplateId,
            awsInstanceID: instanceId,
            originAvailabilityZone: availabilityZone,
            recommendedInstanceType: plan.instanceType,
            os: 'Linux version 5.10.205-195.804.amzn2.x86_64 (Amazon Linux 2)',
            cpuCores: plan.cpuCores,
            ramBytes: plan.ramBytes,
            disks: [{ deviceName: '/dev/xvda', bytes: plan.diskBytes }],
            privateIps: instance.PrivateIpAddress ? [instance.PrivateIpAddress] : [],
          },
        ],
        region,
      );

      servers[plan.role] = {
        name: plan.name,
        role: plan.role,
        instanceId,
        instanceType: plan.instanceType,
        privateIp: instance.PrivateIpAddress ?? '',
        subnetId,
        availabilityZone,
        securityGroupId: securityGroups[plan.role],
        launchTemplateId,
        launchTemplateName,
        sourceServerId: seeded.sourceServerID,
        sourceServerArn: seeded.arn,
      };
    }

    return { region, imageId, vpcId, internetGatewayId, publicRouteTableId, subnets, securityGroups, servers };
  } finally {
    ec2.destroy();
  }
}
