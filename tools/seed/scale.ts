/** Bulk seeding for benchmarks: many instances, security groups, launch templates and DRS servers. */
import {
  CreateLaunchTemplateCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { SourceServerSeed } from '../emulators/drs/adminTypes';
import { ec2ClientFor, mapLimit, pickAmazonLinuxImage, toTags, type SeedTarget } from './target';

export interface ScaleSeedOptions {
  instances?: number;
  securityGroups?: number;
  launchTemplates?: number;
  drsServers?: number;
  /** Prefix of every Name; default 'scale'. */
  namePrefix?: string;
  /** Parallel EC2 calls; default 8. */
  concurrency?: number;
  /** Give every instance its own Name tag (set at launch, no extra call); default true. */
  uniqueInstanceNames?: boolean;
  /**
   * Instances per RunInstances call (one reservation each); default 1. AWS pages DescribeInstances by
   * instance, but moto pages by reservation, so only one instance per reservation gives AWS-like pages
   * (MaxResults 100 → 100 instances). Larger batches seed faster but collapse the pages.
   */
  instancesPerReservation?: number;
}

export interface ScaleSeedSummary {
  vpcId: string;
  subnetIds: string[];
  securityGroupIds: string[];
  instanceIds: string[];
  launchTemplateIds: string[];
  sourceServerIds: string[];
  durationMs: number;
}

const DRS_SEED_BATCH = 1000;
const ROLES = ['web', 'app', 'db', 'cache', 'worker'];

function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return value;
}

export async function seedScale(target: SeedTarget, options: ScaleSeedOptions): Promise<ScaleSeedSummary> {
  const started = Date.now();
  const instances = checkCount('instances', options.instances ?? 0);
  const securityGroups = checkCount('securityGroups', options.securityGroups ?? 0);
  const launchTemplates = checkCount('launchTemplates', options.launchTemplates ?? 0);
  const drsServers = checkCount('drsServers', options.drsServers ?? 0);
  const prefix = options.namePrefix ?? 'scale';
  const concurrency = options.concurrency ?? 8;
  const ec2 = ec2ClientFor(target);
  try {
    const imageId = await pickAmazonLinuxImage(ec2);
    const { Vpc } = await ec2.send(
      new CreateVpcCommand({
        CidrBlock: '10.100.0.0/16',
        TagSpecifications: [{ ResourceType: 'vpc', Tags: toTags({ Name: `${prefix}-vpc` }) }],
      }),
    );
    const vpcId = Vpc!.VpcId!;
    const subnetIds: string[] = [];
    for (const [index, cidr] of ['10.100.0.0/17', '10.100.128.0/17'].entries()) {
      const az = `${target.region}${index === 0 ? 'a' : 'b'}`;
      const { Subnet } = await ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: cidr,
          AvailabilityZone: az,
          TagSpecifications: [{ ResourceType: 'subnet', Tags: toTags({ Name: `${prefix}-subnet-${az}` }) }],
        }),
      );
      subnetIds.push(Subnet!.SubnetId!);
    }

    const securityGroupIds = await mapLimit(Array.from({ length: securityGroups }), concurrency, async (_, i) => {
      const { GroupId } = await ec2.send(
        new CreateSecurityGroupCommand({
          VpcId: vpcId,
          GroupName: `${prefix}-sg-${i + 1}`,
          Description: `Scale test security group ${i + 1}`,
          TagSpecifications: [{ ResourceType: 'security-group', Tags: toTags({ Name: `${prefix}-sg-${i + 1}` }) }],
        }),
      );
      return GroupId!;
    });

    // One RunInstances call per batch; a batch of one instance gets its unique Name at launch.
    const perReservation = options.instancesPerReservation ?? 1;
    if (!Number.isInteger(perReservation) || perReservation < 1)
      throw new RangeError(`instancesPerReservation must be a positive integer, got ${perReservation}`);
    const uniqueNames = options.uniqueInstanceNames ?? true;
    const batches: Array<{ first: number; count: number }> = [];
    for (let first = 0; first < instances; first += perReservation)
      batches.push({ first, count: Math.min(perReservation, instances - first) });
    const batchIds = await mapLimit(batches, concurrency, async ({ first, count }, batch) => {
      const role = ROLES[batch % ROLES.length];
      const name = uniqueNames && count === 1 ? `${prefix}-${first + 1}` : `${prefix}-${role}`;
      const { Instances } = await ec2.send(
        new RunInstancesCommand({
          ImageId: imageId,
          InstanceType: 't3.micro',
          MinCount: count,
          MaxCount: count,
          SubnetId: subnetIds[batch % subnetIds.length],
          ...(securityGroupIds.length ? { SecurityGroupIds: [securityGroupIds[batch % securityGroupIds.length]] } : {}),
          TagSpecifications: [
            { ResourceType: 'instance', Tags: toTags({ Name: name, Role: role, Environment: 'scale-test' }) },
          ],
        }),
      );
      return (Instances ?? []).map((i) => i.InstanceId!);
    });
    const instanceIds = batchIds.flat();
    if (uniqueNames && perReservation > 1) {
      await mapLimit(instanceIds, concurrency, (id, i) =>
        ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'Name', Value: `${prefix}-${i + 1}` }] })),
      );
    }

    const launchTemplateIds = await mapLimit(Array.from({ length: launchTemplates }), concurrency, async (_, i) => {
      const { LaunchTemplate } = await ec2.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: `${prefix}-lt-${i + 1}`,
          LaunchTemplateData: {
            ImageId: imageId,
            InstanceType: 't3.micro',
            NetworkInterfaces: [
              {
                DeviceIndex: 0,
                SubnetId: subnetIds[i % subnetIds.length],
                ...(securityGroupIds.length ? { Groups: [securityGroupIds[i % securityGroupIds.length]] } : {}),
              },
            ],
          },
        }),
      );
      return LaunchTemplate!.LaunchTemplateId!;
    });

    const sourceServerIds: string[] = [];
    for (let offset = 0; offset < drsServers; offset += DRS_SEED_BATCH) {
      const seeds: SourceServerSeed[] = [];
      for (let i = offset; i < Math.min(drsServers, offset + DRS_SEED_BATCH); i++) {
        const role = ROLES[i % ROLES.length];
        seeds.push({
          hostname: `${prefix}-${i + 1}`,
          tags: { Name: `${prefix}-${i + 1}`, Role: role, Environment: 'scale-test' },
          awsInstanceID: instanceIds[i],
          ec2LaunchTemplateID: launchTemplateIds.length ? launchTemplateIds[i % launchTemplateIds.length] : undefined,
          recommendedInstanceType: 't3.micro',
          originAvailabilityZone: `${target.region}${i % 2 === 0 ? 'a' : 'b'}`,
        });
      }
      const seeded = await target.admin.seedSourceServers(seeds, target.region);
      sourceServerIds.push(...seeded.map((s) => s.sourceServerID));
    }

    return {
      vpcId,
      subnetIds,
      securityGroupIds,
      instanceIds,
      launchTemplateIds,
      sourceServerIds,
      durationMs: Date.now() - started,
    };
  } finally {
    ec2.destroy();
  }
}
