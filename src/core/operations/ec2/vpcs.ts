import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteNatGatewayCommand,
  DeleteNetworkAclCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeAddressesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkAclsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  ReleaseAddressCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { ec2Service } from '../../aws/services';
import { vpcDependents } from '../../guardrails/dependencyChecks';
import { monthly, usd } from '../costs';
import { defineOperation } from '../define';
import { availabilityZone, tagsSchema, vpcId } from '../schemaParts';
import type { OperationContext } from '../types';
import { vpcTargets } from './targets';
import { PriceBook } from '../../cost/priceBook';

export const NAT_EIP_TAG = 'PilotLight:NatForVpc';

const cidrPattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** An IPv4 CIDR as a 32-bit base and prefix length, or undefined when it is not a valid, aligned block. */
export function parseCidr(cidr: string): { base: number; prefix: number } | undefined {
  const match = cidrPattern.exec(cidr);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return undefined;
  const base = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) return undefined;
  return { base, prefix };
}

export function formatCidr(base: number, prefix: number): string {
  return `${[24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256).join('.')}/${prefix}`;
}

/** The index-th block of `prefix` inside the VPC block. */
export function subnetCidr(vpcCidr: string, prefix: number, index: number): string {
  const { base } = parseCidr(vpcCidr)!;
  return formatCidr(base + index * 2 ** (32 - prefix), prefix);
}

const createVpcInput = z
  .object({
    name: z.string().min(1).max(200).describe('Name tag for the VPC; subnets and tables are named after it.'),
    cidrBlock: z
      .string()
      .refine((cidr) => Boolean(parseCidr(cidr)), { message: 'Expected an aligned IPv4 CIDR such as 10.0.0.0/16.' }),
    availabilityZoneCount: z.number().int().min(1).max(6).default(2),
    availabilityZones: z
      .array(availabilityZone)
      .min(1)
      .max(6)
      .optional()
      .describe('Exact AZs; overrides availabilityZoneCount.'),
    publicSubnets: z.boolean().default(true).describe('One public subnet per AZ, routed to an internet gateway.'),
    privateSubnets: z.boolean().default(true).describe('One private subnet per AZ.'),
    subnetPrefixLength: z.number().int().min(16).max(28).default(24),
    natGateways: z
      .enum(['none', 'single', 'per-az'])
      .default('none')
      .describe('NAT for the private subnets: none, one shared, or one per AZ.'),
    tags: tagsSchema.optional(),
  })
  .strict()
  .superRefine((input, issues) => {
    const vpc = parseCidr(input.cidrBlock);
    if (!vpc) return;
    if (vpc.prefix < 16 || vpc.prefix > 28)
      issues.addIssue({ code: 'custom', path: ['cidrBlock'], message: 'A VPC CIDR must be between /16 and /28.' });
    if (input.subnetPrefixLength <= vpc.prefix)
      issues.addIssue({
        code: 'custom',
        path: ['subnetPrefixLength'],
        message: `Subnets must be smaller than the VPC: use a prefix longer than /${vpc.prefix}.`,
      });
    const zones = input.availabilityZones?.length ?? input.availabilityZoneCount;
    const subnets = zones * (Number(input.publicSubnets) + Number(input.privateSubnets));
    if (input.subnetPrefixLength > vpc.prefix && subnets > 2 ** (input.subnetPrefixLength - vpc.prefix)) {
      issues.addIssue({
        code: 'custom',
        path: ['subnetPrefixLength'],
        message: `${subnets} subnets of /${input.subnetPrefixLength} do not fit in ${input.cidrBlock}.`,
      });
    }
    if (!input.publicSubnets && !input.privateSubnets)
      issues.addIssue({
        code: 'custom',
        path: ['publicSubnets'],
        message: 'Ask for public subnets, private subnets, or both.',
      });
    if (input.natGateways !== 'none' && !(input.publicSubnets && input.privateSubnets))
      issues.addIssue({
        code: 'custom',
        path: ['natGateways'],
        message: 'NAT gateways need both public and private subnets.',
      });
  });

type CreateVpcInput = z.output<typeof createVpcInput>;

interface PlannedSubnet {
  tier: 'public' | 'private';
  zoneIndex: number;
  cidr: string;
}

function planSubnets(input: CreateVpcInput, zoneCount: number): PlannedSubnet[] {
  const plan: PlannedSubnet[] = [];
  let index = 0;
  for (const tier of ['public', 'private'] as const) {
    if (tier === 'public' ? !input.publicSubnets : !input.privateSubnets) continue;
    for (let zoneIndex = 0; zoneIndex < zoneCount; zoneIndex += 1)
      plan.push({ tier, zoneIndex, cidr: subnetCidr(input.cidrBlock, input.subnetPrefixLength, index++) });
  }
  return plan;
}

function natCount(input: CreateVpcInput, zoneCount: number): number {
  return input.natGateways === 'none' ? 0 : input.natGateways === 'single' ? 1 : zoneCount;
}

async function chooseZones(ec2: Pick<EC2Client, 'send'>, input: CreateVpcInput): Promise<string[]> {
  if (input.availabilityZones) return input.availabilityZones;
  const { AvailabilityZones } = await ec2.send(
    new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'state', Values: ['available'] }] }),
  );
  const names = (AvailabilityZones ?? [])
    .filter((zone) => !zone.ZoneType || zone.ZoneType === 'availability-zone')
    .map((zone) => zone.ZoneName!)
    .sort();
  if (names.length < input.availabilityZoneCount)
    throw Object.assign(
      new Error(
        `Only ${names.length} availability zones are available in this region; asked for ${input.availabilityZoneCount}.`,
      ),
      { name: 'InsufficientAvailabilityZones' },
    );
  return names.slice(0, input.availabilityZoneCount);
}

function tagList(name: string, input: CreateVpcInput, extra: Record<string, string> = {}) {
  return Object.entries({ ...input.tags, Name: name, ...extra }).map(([Key, Value]) => ({ Key, Value }));
}

async function waitForNat(
  ctx: OperationContext,
  ec2: Pick<EC2Client, 'send'>,
  natId: string,
  wanted: 'available' | 'deleted',
  timeoutMs = 15 * 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { NatGateways } = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natId] }));
    const state = NatGateways?.[0]?.State;
    if (state === wanted || (wanted === 'deleted' && !NatGateways?.length)) return;
    if (state === 'failed' && wanted === 'available')
      throw Object.assign(
        new Error(`NAT gateway ${natId} failed: ${NatGateways?.[0]?.FailureMessage ?? 'no reason given'}`),
        { name: 'NatGatewayFailed' },
      );
    if (Date.now() > deadline)
      throw Object.assign(new Error(`NAT gateway ${natId} did not become ${wanted} in time.`), {
        name: 'NatGatewayTimeout',
      });
    await ctx.sleep(5_000);
  }
}

export const createVpc = defineOperation({
  id: 'ec2.vpcs.create',
  service: 'ec2',
  title: 'Create a VPC with public and private subnets',
  description:
    'Creates a VPC with public and/or private subnets across N availability zones, route tables, an internet gateway and optional NAT gateways. If a step fails, what was created is deleted again.',
  kind: 'write',
  destructive: false,
  costImpact: 'variable',
  rollbackSupported: true,
  rollbackNote: 'a failed creation deletes what it created; afterwards, delete the VPC with ec2.vpcs.delete',
  input: createVpcInput,
  targets: async (_ctx, input) => [
    {
      type: 'ec2:vpc',
      id: '(new VPC)',
      name: input.name,
      action: 'create',
      tags: { ...input.tags, Name: input.name },
      details: [input.cidrBlock],
    },
  ],
  async preview(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    const zones = await chooseZones(ec2, input).catch(() =>
      Array.from({ length: input.availabilityZoneCount }, (_, index) => `AZ ${index + 1}`),
    );
    const subnets = planSubnets(input, zones.length);
    const nats = natCount(input, zones.length);
    const prices = new PriceBook(ctx.region);
    const natMonthly = nats * (monthly(prices.natGatewayHourly().usd) + monthly(prices.publicIpv4Hourly().usd));
    return {
      summary: `Create VPC "${input.name}" (${input.cidrBlock}) across ${zones.length} AZ${zones.length > 1 ? 's' : ''}`,
      changes: [
        `VPC ${input.cidrBlock} with DNS hostnames`,
        ...(input.publicSubnets
          ? ['internet gateway, attached', 'public route table: 0.0.0.0/0 → internet gateway']
          : []),
        ...subnets.map((subnet) => `${subnet.tier} subnet ${subnet.cidr} in ${zones[subnet.zoneIndex]}`),
        ...(nats
          ? [
              `${nats} NAT gateway${nats > 1 ? 's' : ''} with Elastic IP${nats > 1 ? 's' : ''}; private route table${input.natGateways === 'per-az' ? 's' : ''}: 0.0.0.0/0 → NAT`,
            ]
          : input.privateSubnets
            ? ['private route table (no internet route)']
            : []),
      ],
      cost: nats
        ? {
            direction: 'increase',
            monthlyUsd: natMonthly,
            note: `About ${usd(natMonthly)}/month for ${nats} NAT gateway(s) and their public IPv4 addresses, plus data processing per GB ($0.045/GB in us-east-1). ${prices.note()}`,
          }
        : { direction: 'none', note: 'VPCs, subnets, route tables and internet gateways are free.' },
    };
  },
  checkPermission: async () => ({
    status: 'not-checked',
    detail:
      'A composite operation (VPC, subnets, gateways, routes): each call is authorized as it runs, and a failure deletes what was created.',
  }),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    const undo: Array<{ id: string; run: () => Promise<unknown> }> = [];
    const output = {
      vpcId: '',
      internetGatewayId: undefined as string | undefined,
      subnets: [] as Array<{ subnetId: string; tier: string; availabilityZone: string; cidr: string }>,
      routeTableIds: [] as string[],
      natGatewayIds: [] as string[],
      elasticIpAllocationIds: [] as string[],
    };
    try {
      const zones = await chooseZones(ec2, input);
      const vpc = await ec2.send(
        new CreateVpcCommand({
          CidrBlock: input.cidrBlock,
          TagSpecifications: [{ ResourceType: 'vpc', Tags: tagList(input.name, input) }],
        }),
      );
      const newVpcId = vpc.Vpc!.VpcId!;
      output.vpcId = newVpcId;
      undo.push({ id: newVpcId, run: () => ec2.send(new DeleteVpcCommand({ VpcId: newVpcId })) });
      await ec2.send(new ModifyVpcAttributeCommand({ VpcId: newVpcId, EnableDnsHostnames: { Value: true } }));

      let publicRouteTable: string | undefined;
      if (input.publicSubnets) {
        const igw = await ec2.send(
          new CreateInternetGatewayCommand({
            TagSpecifications: [{ ResourceType: 'internet-gateway', Tags: tagList(`${input.name}-igw`, input) }],
          }),
        );
        const igwId = igw.InternetGateway!.InternetGatewayId!;
        output.internetGatewayId = igwId;
        undo.push({ id: igwId, run: () => ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId })) });
        await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: newVpcId }));
        undo.push({
          id: `${igwId} attachment`,
          run: () => ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: newVpcId })),
        });
        publicRouteTable = await createRouteTable(`${input.name}-public`);
        await ec2.send(
          new CreateRouteCommand({
            RouteTableId: publicRouteTable,
            DestinationCidrBlock: '0.0.0.0/0',
            GatewayId: igwId,
          }),
        );
      }

      const subnetIds = new Map<string, string>();
      for (const planned of planSubnets(input, zones.length)) {
        const zone = zones[planned.zoneIndex];
        const subnet = await ec2.send(
          new CreateSubnetCommand({
            VpcId: newVpcId,
            CidrBlock: planned.cidr,
            AvailabilityZone: zone,
            TagSpecifications: [
              {
                ResourceType: 'subnet',
                Tags: tagList(`${input.name}-${planned.tier}-${zone}`, input, { Tier: planned.tier }),
              },
            ],
          }),
        );
        const id = subnet.Subnet!.SubnetId!;
        undo.push({ id, run: () => ec2.send(new DeleteSubnetCommand({ SubnetId: id })) });
        subnetIds.set(`${planned.tier}/${planned.zoneIndex}`, id);
        output.subnets.push({ subnetId: id, tier: planned.tier, availabilityZone: zone, cidr: planned.cidr });
        if (planned.tier === 'public') {
          await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: id, MapPublicIpOnLaunch: { Value: true } }));
          await ec2.send(new AssociateRouteTableCommand({ RouteTableId: publicRouteTable!, SubnetId: id }));
        }
      }

      const nats: string[] = [];
      for (let index = 0; index < natCount(input, zones.length); index += 1) {
        const eip = await ec2.send(
          new AllocateAddressCommand({
            Domain: 'vpc',
            TagSpecifications: [
              {
                ResourceType: 'elastic-ip',
                Tags: tagList(`${input.name}-nat-${zones[index]}`, input, { [NAT_EIP_TAG]: newVpcId }),
              },
            ],
          }),
        );
        const allocation = eip.AllocationId!;
        output.elasticIpAllocationIds.push(allocation);
        undo.push({ id: allocation, run: () => ec2.send(new ReleaseAddressCommand({ AllocationId: allocation })) });
        const nat = await ec2.send(
          new CreateNatGatewayCommand({
            SubnetId: subnetIds.get(`public/${index}`)!,
            AllocationId: allocation,
            ClientToken: ctx.clientToken(`nat-${index}`),
            TagSpecifications: [
              { ResourceType: 'natgateway', Tags: tagList(`${input.name}-nat-${zones[index]}`, input) },
            ],
          }),
        );
        const natId = nat.NatGateway!.NatGatewayId!;
        nats.push(natId);
        output.natGatewayIds.push(natId);
        undo.push({
          id: natId,
          run: async () => {
            await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: natId }));
            await waitForNat(ctx, ec2, natId, 'deleted');
          },
        });
      }
      for (const natId of nats) await waitForNat(ctx, ec2, natId, 'available');

      if (input.privateSubnets) {
        const tables =
          input.natGateways === 'per-az'
            ? zones.map((zone, index) => ({ name: `${input.name}-private-${zone}`, zones: [index], nat: nats[index] }))
            : [{ name: `${input.name}-private`, zones: zones.map((_, index) => index), nat: nats[0] }];
        for (const table of tables) {
          const tableId = await createRouteTable(table.name);
          if (table.nat)
            await ec2.send(
              new CreateRouteCommand({
                RouteTableId: tableId,
                DestinationCidrBlock: '0.0.0.0/0',
                NatGatewayId: table.nat,
              }),
            );
          for (const zoneIndex of table.zones)
            await ec2.send(
              new AssociateRouteTableCommand({
                RouteTableId: tableId,
                SubnetId: subnetIds.get(`private/${zoneIndex}`)!,
              }),
            );
        }
      }
      return output;

      async function createRouteTable(name: string): Promise<string> {
        const table = await ec2.send(
          new CreateRouteTableCommand({
            VpcId: output.vpcId,
            TagSpecifications: [{ ResourceType: 'route-table', Tags: tagList(name, input) }],
          }),
        );
        const tableId = table.RouteTable!.RouteTableId!;
        output.routeTableIds.push(tableId);
        undo.push({ id: tableId, run: () => ec2.send(new DeleteRouteTableCommand({ RouteTableId: tableId })) });
        return tableId;
      }
    } catch (error) {
      const leftovers: string[] = [];
      for (const step of undo.reverse()) await step.run().catch(() => leftovers.push(step.id));
      const err = error as Error;
      err.message =
        `${err.message} ${undo.length ? (leftovers.length ? `Rolling back left these behind: ${leftovers.join(', ')}.` : `The ${undo.length} step(s) done before the failure were undone.`) : ''}`.trim();
      throw err;
    }
  },
  resourceIds: (output) => [
    output.vpcId,
    ...(output.internetGatewayId ? [output.internetGatewayId] : []),
    ...output.subnets.map((subnet) => subnet.subnetId),
    ...output.routeTableIds,
    ...output.natGatewayIds,
    ...output.elasticIpAllocationIds,
  ],
});

interface VpcContents {
  natGatewayIds: string[];
  natElasticIps: string[];
  internetGatewayIds: string[];
  subnetIds: string[];
  routeTableIds: string[];
  routeTableAssociationIds: string[];
  securityGroupIds: string[];
  networkAclIds: string[];
}

async function vpcContents(ec2: Pick<EC2Client, 'send'>, id: string): Promise<VpcContents> {
  const byVpc = [{ Name: 'vpc-id', Values: [id] }];
  const [nats, igws, subnets, tables, groups, acls, addresses] = await Promise.all([
    ec2.send(new DescribeNatGatewaysCommand({ Filter: byVpc })),
    ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [id] }] })),
    ec2.send(new DescribeSubnetsCommand({ Filters: byVpc })),
    ec2.send(new DescribeRouteTablesCommand({ Filters: byVpc })),
    ec2.send(new DescribeSecurityGroupsCommand({ Filters: byVpc })),
    ec2.send(new DescribeNetworkAclsCommand({ Filters: byVpc })),
    ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: `tag:${NAT_EIP_TAG}`, Values: [id] }] })),
  ]);
  return {
    natGatewayIds: (nats.NatGateways ?? [])
      .filter((nat) => nat.VpcId === id && nat.State !== 'deleted' && nat.State !== 'deleting')
      .map((nat) => nat.NatGatewayId!),
    natElasticIps: (addresses.Addresses ?? []).map((address) => address.AllocationId!),
    internetGatewayIds: (igws.InternetGateways ?? []).map((igw) => igw.InternetGatewayId!),
    subnetIds: (subnets.Subnets ?? []).map((subnet) => subnet.SubnetId!),
    routeTableIds: (tables.RouteTables ?? [])
      .filter((table) => !table.Associations?.some((association) => association.Main))
      .map((table) => table.RouteTableId!),
    routeTableAssociationIds: (tables.RouteTables ?? []).flatMap((table) =>
      (table.Associations ?? [])
        .filter((association) => !association.Main && association.SubnetId)
        .map((association) => association.RouteTableAssociationId!),
    ),
    securityGroupIds: (groups.SecurityGroups ?? [])
      .filter((group) => group.GroupName !== 'default')
      .map((group) => group.GroupId!),
    networkAclIds: (acls.NetworkAcls ?? []).filter((acl) => !acl.IsDefault).map((acl) => acl.NetworkAclId!),
  };
}

export const deleteVpc = defineOperation({
  id: 'ec2.vpcs.delete',
  service: 'ec2',
  title: 'Delete a VPC',
  description:
    'Deletes a VPC with its NAT gateways (and the Elastic IPs Pilot Light allocated for them), internet gateways, subnets, route tables, security groups and network ACLs. Refused while instances or other network interfaces remain.',
  kind: 'delete',
  destructive: true,
  costImpact: 'decrease',
  rollbackSupported: false,
  rollbackNote: 'a deleted VPC cannot be restored; recreate it',
  input: z.object({ vpcId }).strict(),
  targets: (ctx, input) => vpcTargets(ctx, [input.vpcId], 'delete'),
  async preview(ctx, input, targets) {
    const contents = await vpcContents(await ctx.client(ec2Service), input.vpcId);
    const line = (label: string, ids: string[]) =>
      ids.length ? [`delete ${ids.length} ${label}: ${ids.join(', ')}`] : [];
    return {
      summary: `Delete VPC ${input.vpcId}${targets[0]?.name ? ` (${targets[0].name})` : ''} and its contents`,
      changes: [
        ...line('NAT gateway(s)', contents.natGatewayIds),
        ...line('NAT Elastic IP(s)', contents.natElasticIps),
        ...line('internet gateway(s)', contents.internetGatewayIds),
        ...line('subnet(s)', contents.subnetIds),
        ...line('route table(s)', contents.routeTableIds),
        ...line('security group(s)', contents.securityGroupIds),
        ...line('network ACL(s)', contents.networkAclIds),
        `delete VPC ${input.vpcId}`,
      ],
      warnings: targets[0]?.details?.includes('default VPC')
        ? ['This is the default VPC; recreating it needs a separate API call.']
        : [],
      cost: contents.natGatewayIds.length
        ? { direction: 'decrease', note: `Stops ${contents.natGatewayIds.length} NAT gateway(s) billing.` }
        : { direction: 'none', note: 'No billable parts found.' },
    };
  },
  checkPermission: (ctx, input) => ctx.probe(ec2Service, new DeleteVpcCommand({ VpcId: input.vpcId, DryRun: true })),
  checkDependencies: (ctx, input) => vpcDependents(ctx, input.vpcId),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    const contents = await vpcContents(ec2, input.vpcId);
    for (const natId of contents.natGatewayIds) await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: natId }));
    for (const natId of contents.natGatewayIds) await waitForNat(ctx, ec2, natId, 'deleted');
    for (const allocation of contents.natElasticIps)
      await ec2.send(new ReleaseAddressCommand({ AllocationId: allocation }));
    for (const igwId of contents.internetGatewayIds) {
      await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: input.vpcId }));
      await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId }));
    }
    for (const associationId of contents.routeTableAssociationIds)
      await ec2.send(new DisassociateRouteTableCommand({ AssociationId: associationId }));
    for (const subnetId of contents.subnetIds) await ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId }));
    for (const tableId of contents.routeTableIds)
      await ec2.send(new DeleteRouteTableCommand({ RouteTableId: tableId }));
    // Rules that reference other groups would block deleting those groups: remove them first.
    const { SecurityGroups } = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [input.vpcId] }] }),
    );
    for (const group of SecurityGroups ?? []) {
      const ingress = (group.IpPermissions ?? []).filter((permission) => permission.UserIdGroupPairs?.length);
      const egress = (group.IpPermissionsEgress ?? []).filter((permission) => permission.UserIdGroupPairs?.length);
      if (ingress.length)
        await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: group.GroupId, IpPermissions: ingress }));
      if (egress.length && group.GroupName !== 'default')
        await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: group.GroupId, IpPermissions: egress }));
    }
    for (const groupId of contents.securityGroupIds)
      await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
    for (const aclId of contents.networkAclIds) await ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: aclId }));
    await ec2.send(new DeleteVpcCommand({ VpcId: input.vpcId }));
    const { routeTableAssociationIds: _associations, ...deleted } = contents;
    return { deleted: input.vpcId, ...deleted };
  },
  resourceIds: (output) => [
    output.deleted,
    ...output.natGatewayIds,
    ...output.natElasticIps,
    ...output.internetGatewayIds,
    ...output.subnetIds,
    ...output.routeTableIds,
    ...output.securityGroupIds,
    ...output.networkAclIds,
  ],
});

export const vpcOperations = [createVpc, deleteVpc];
