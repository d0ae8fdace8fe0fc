import {
  DescribeAddressesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeKeyPairsCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  type Filter,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { ec2Service } from '../../aws/services';
import { defineOperation, READ_ONLY } from '../define';
import { awsId, ec2Filters, launchTemplateId, pageFields } from '../schemaParts';

export interface Page<T = unknown> {
  items: T[];
  nextToken?: string;
}

function toFilters(filters: Array<{ name: string; values: string[] }> | undefined): Filter[] | undefined {
  return filters?.map((filter) => ({ Name: filter.name, Values: filter.values }));
}

interface ListSpec {
  id: string;
  title: string;
  description: string;
  idPrefix: string;
  idLabel: string;
  /** Builds the SDK command from ids, filters and paging. */
  command: (request: { ids?: string[]; filters?: Filter[]; maxResults?: number; nextToken?: string }) => object;
  itemsOf: (output: Record<string, unknown>) => unknown[];
  /** Whether the API pages; those that do not ignore maxResults and nextToken. */
  paged: boolean;
}

function ec2List(spec: ListSpec) {
  return defineOperation({
    id: spec.id,
    service: 'ec2',
    title: spec.title,
    description: spec.description,
    ...READ_ONLY,
    input: z
      .object({
        ids: z.array(awsId(spec.idPrefix, spec.idLabel)).min(1).max(200).optional(),
        filters: ec2Filters.optional(),
        ...pageFields,
      })
      .strict(),
    async handler(ctx, input): Promise<Page> {
      const ec2 = await ctx.client(ec2Service);
      // EC2 rejects MaxResults together with explicit IDs.
      const paging =
        spec.paged && !input.ids ? { maxResults: input.maxResults ?? 100, nextToken: input.nextToken } : {};
      const send = ec2.send as (command: object) => Promise<Record<string, unknown>>;
      const output = await send(spec.command({ ids: input.ids, filters: toFilters(input.filters), ...paging }));
      return { items: spec.itemsOf(output), nextToken: (output.NextToken as string | undefined) || undefined };
    },
  });
}

type Out = Record<string, unknown>;

export const listInstances = ec2List({
  id: 'ec2.instances.list',
  title: 'List EC2 instances',
  description: 'EC2 instances with state, type, addresses and tags.',
  idPrefix: 'i',
  idLabel: 'an EC2 instance',
  paged: true,
  command: (r) =>
    new DescribeInstancesCommand({
      InstanceIds: r.ids,
      Filters: r.filters,
      MaxResults: r.maxResults,
      NextToken: r.nextToken,
    }),
  itemsOf: (o: Out) =>
    ((o.Reservations as Array<{ Instances?: unknown[] }>) ?? []).flatMap((reservation) => reservation.Instances ?? []),
});

export const listVolumes = ec2List({
  id: 'ec2.volumes.list',
  title: 'List EBS volumes',
  description: 'EBS volumes with size, type, state and attachments.',
  idPrefix: 'vol',
  idLabel: 'an EBS volume',
  paged: true,
  command: (r) =>
    new DescribeVolumesCommand({
      VolumeIds: r.ids,
      Filters: r.filters,
      MaxResults: r.maxResults,
      NextToken: r.nextToken,
    }),
  itemsOf: (o: Out) => (o.Volumes as unknown[]) ?? [],
});

export const listSnapshots = ec2List({
  id: 'ec2.snapshots.list',
  title: 'List EBS snapshots',
  description: 'EBS snapshots owned by this account.',
  idPrefix: 'snap',
  idLabel: 'an EBS snapshot',
  paged: true,
  command: (r) =>
    new DescribeSnapshotsCommand({
      SnapshotIds: r.ids,
      OwnerIds: r.ids ? undefined : ['self'],
      Filters: r.filters,
      MaxResults: r.maxResults,
      NextToken: r.nextToken,
    }),
  itemsOf: (o: Out) => (o.Snapshots as unknown[]) ?? [],
});

export const listAddresses = ec2List({
  id: 'ec2.addresses.list',
  title: 'List Elastic IPs',
  description: 'Elastic IP addresses and what they are associated with.',
  idPrefix: 'eipalloc',
  idLabel: 'an Elastic IP allocation',
  paged: false,
  command: (r) => new DescribeAddressesCommand({ AllocationIds: r.ids, Filters: r.filters }),
  itemsOf: (o: Out) => (o.Addresses as unknown[]) ?? [],
});

export const listKeyPairs = ec2List({
  id: 'ec2.keyPairs.list',
  title: 'List key pairs',
  description: 'EC2 key pairs (names and fingerprints; never private keys).',
  idPrefix: 'key',
  idLabel: 'a key pair',
  paged: false,
  command: (r) => new DescribeKeyPairsCommand({ KeyPairIds: r.ids, Filters: r.filters }),
  itemsOf: (o: Out) => (o.KeyPairs as unknown[]) ?? [],
});

export const listImages = ec2List({
  id: 'ec2.images.list',
  title: 'List AMIs',
  description: 'AMIs owned by this account.',
  idPrefix: 'ami',
  idLabel: 'an AMI',
  paged: true,
  command: (r) =>
    new DescribeImagesCommand({
      ImageIds: r.ids,
      Owners: r.ids ? undefined : ['self'],
      Filters: r.filters,
      MaxResults: r.maxResults,
      NextToken: r.nextToken,
    }),
  itemsOf: (o: Out) => (o.Images as unknown[]) ?? [],
});

export const listVpcs = ec2List({
  id: 'ec2.vpcs.list',
  title: 'List VPCs',
  description: 'VPCs with CIDR blocks and tags.',
  idPrefix: 'vpc',
  idLabel: 'a VPC',
  paged: true,
  command: (r) =>
    new DescribeVpcsCommand({ VpcIds: r.ids, Filters: r.filters, MaxResults: r.maxResults, NextToken: r.nextToken }),
  itemsOf: (o: Out) => (o.Vpcs as unknown[]) ?? [],
});

export const listSubnets = ec2List({
  id: 'ec2.subnets.list',
  title: 'List subnets',
  description: 'Subnets with VPC, AZ, CIDR and free addresses.',
  idPrefix: 'subnet',
  idLabel: 'a subnet',
  paged: true,
  command: (r) =>
    new DescribeSubnetsCommand({
      SubnetIds: r.ids,
      Filters: r.filters,
      MaxResults: r.maxResults,
      NextToken: r.nextToken,
    }),
  itemsOf: (o: Out) => (o.Subnets as unknown[]) ?? [],
});

export const listRouteTables = ec2List({
  id: 'ec2.routeTables.list',
  title: 'List route tables',
  description: 'Route tables with routes and subnet associations.',
  idPrefix: 'rtb',
  idLabel: 'a route table',
  paged: true,
  command: (r) =>
    new DescribeRouteTablesCommand({
      RouteTableIds: r.ids,
      Filters: r.filters,
      MaxResults: r.maxResults,
      NextToken: r.nextToken,
    }),
  itemsOf: (o: Out) => (o.RouteTables as unknown[]) ?? [],
});

export const listInternetGateways = ec2List({
  id: 'ec2.internetGateways.list',
  title: 'List internet gateways',
  description: 'Internet gateways and the VPCs they are attached to.',
  idPrefix: 'igw',
  idLabel: 'an internet gateway',
  paged: true,
  command: (r) =>
    new DescribeInternetGatewaysCommand({
      InternetGatewayIds: r.ids,
      Filters: r.filters,
      MaxResults: r.maxResults,
      NextToken: r.nextToken,
    }),
  itemsOf: (o: Out) => (o.InternetGateways as unknown[]) ?? [],
});

export const listNatGateways = ec2List({
  id: 'ec2.natGateways.list',
  title: 'List NAT gateways',
  description: 'NAT gateways with state, subnet and addresses.',
  idPrefix: 'nat',
  idLabel: 'a NAT gateway',
  paged: true,
  command: (r) =>
    new DescribeNatGatewaysCommand({
      NatGatewayIds: r.ids,
      Filter: r.filters,
      MaxResults: r.maxResults,
      NextToken: r.nextToken,
    }),
  itemsOf: (o: Out) => (o.NatGateways as unknown[]) ?? [],
});

export const listSecurityGroups = ec2List({
  id: 'ec2.securityGroups.list',
  title: 'List security groups',
  description: 'Security groups with their ingress and egress rules.',
  idPrefix: 'sg',
  idLabel: 'a security group',
  paged: true,
  command: (r) =>
    new DescribeSecurityGroupsCommand({
      GroupIds: r.ids,
      Filters: r.filters,
      MaxResults: r.maxResults,
      NextToken: r.nextToken,
    }),
  itemsOf: (o: Out) => (o.SecurityGroups as unknown[]) ?? [],
});

export const listNetworkInterfaces = ec2List({
  id: 'ec2.networkInterfaces.list',
  title: 'List network interfaces',
  description: 'Network interfaces with their subnet, security groups and what they are attached to.',
  idPrefix: 'eni',
  idLabel: 'a network interface',
  paged: true,
  command: (r) =>
    new DescribeNetworkInterfacesCommand({
      NetworkInterfaceIds: r.ids,
      Filters: r.filters,
      MaxResults: r.maxResults,
      NextToken: r.nextToken,
    }),
  itemsOf: (o: Out) => (o.NetworkInterfaces as unknown[]) ?? [],
});

export const listLaunchTemplates = ec2List({
  id: 'ec2.launchTemplates.list',
  title: 'List launch templates',
  description: 'Launch templates with default and latest version numbers.',
  idPrefix: 'lt',
  idLabel: 'a launch template',
  paged: true,
  command: (r) =>
    new DescribeLaunchTemplatesCommand({
      LaunchTemplateIds: r.ids,
      Filters: r.filters,
      MaxResults: r.maxResults,
      NextToken: r.nextToken,
    }),
  itemsOf: (o: Out) => (o.LaunchTemplates as unknown[]) ?? [],
});

export const listLaunchTemplateVersions = defineOperation({
  id: 'ec2.launchTemplates.versions',
  service: 'ec2',
  title: 'List launch template versions',
  description:
    'The versions of one launch template and their settings (user data is redacted); without a template, the $Default and/or $Latest version of every template in the region, paged.',
  ...READ_ONLY,
  input: z
    .object({
      launchTemplateId: launchTemplateId.optional(),
      launchTemplateName: z.string().min(3).max(128).optional(),
      versions: z
        .array(z.string().regex(/^(\$Latest|\$Default|\d+)$/))
        .max(200)
        .optional(),
      ...pageFields,
    })
    .strict()
    .refine(
      (input) =>
        Boolean(input.launchTemplateId) !== Boolean(input.launchTemplateName) ||
        (!input.launchTemplateId &&
          !input.launchTemplateName &&
          Boolean(input.versions?.length) &&
          input.versions!.every((version) => version === '$Default' || version === '$Latest')),
      {
        message:
          'Give exactly one of launchTemplateId or launchTemplateName, or neither with versions $Default and/or $Latest (every template).',
        path: ['launchTemplateId'],
      },
    ),
  async handler(ctx, input): Promise<Page> {
    const ec2 = await ctx.client(ec2Service);
    const output = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: input.launchTemplateId,
        LaunchTemplateName: input.launchTemplateName,
        Versions: input.versions,
        // Every template's $Default/$Latest is paged (AWS: MaxResults 1–200); one template's named versions are not.
        MaxResults: !input.versions
          ? (input.maxResults ?? 100)
          : input.launchTemplateId || input.launchTemplateName
            ? undefined
            : Math.min(input.maxResults ?? 200, 200),
        NextToken: input.nextToken,
      }),
    );
    return { items: output.LaunchTemplateVersions ?? [], nextToken: output.NextToken || undefined };
  },
});

export const ec2ReadOperations = [
  listInstances,
  listVolumes,
  listSnapshots,
  listAddresses,
  listKeyPairs,
  listImages,
  listVpcs,
  listSubnets,
  listRouteTables,
  listInternetGateways,
  listNatGateways,
  listSecurityGroups,
  listNetworkInterfaces,
  listLaunchTemplates,
  listLaunchTemplateVersions,
];
