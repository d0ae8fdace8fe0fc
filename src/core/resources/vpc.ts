import type {
  InternetGateway,
  IpPermission,
  NatGateway,
  RouteTable,
  SecurityGroup,
  Subnet,
  Vpc,
} from '@aws-sdk/client-ec2';
import { tagsToRecord } from '../aws/tags';
import { inMemoryLister, type ResourceLister, type ResourceSummary } from './model';
import { compact, pagedLister, readPage, withFilters, type SummaryContext } from './pagedLister';

const ec2Arn = (context: SummaryContext, kind: string, id: string) =>
  `arn:aws:ec2:${context.region}:${context.account}:${kind}/${id}`;
/** Read-operation filters for one VPC's resources (all of them without a VPC). */
const byVpc = (vpcId?: string, name = 'vpc-id') => (vpcId ? { filters: [{ name, values: [vpcId] }] } : {});
const vpcFilters = (vpcId?: string, name = 'vpc-id') => (vpcId ? [{ name, values: [vpcId] }] : []);

/** A subnet is public when its route table (explicit, else the VPC's main one) sends 0.0.0.0/0 to an internet gateway. */
export function isPublicSubnet(subnet: Subnet, routeTables: RouteTable[]): boolean {
  const explicit = routeTables.find((table) =>
    table.Associations?.some((association) => association.SubnetId === subnet.SubnetId),
  );
  const main = routeTables.find(
    (table) => table.VpcId === subnet.VpcId && table.Associations?.some((association) => association.Main),
  );
  const table = explicit ?? main;
  return Boolean(
    table?.Routes?.some(
      (route) =>
        (route.DestinationCidrBlock === '0.0.0.0/0' || route.DestinationIpv6CidrBlock === '::/0') &&
        route.GatewayId?.startsWith('igw-'),
    ),
  );
}

export function subnetLister(vpcId?: string): ResourceLister {
  return pagedLister({
    type: 'ec2:subnet',
    title: 'Subnets',
    pageRange: [5, 1000],
    serverFilter: { idFilter: 'subnet-id', idPrefix: 'subnet', namedByTag: true },
    async fetch(read, page) {
      // Public or private comes from the route tables; one page of them covers a VPC's subnets in practice.
      const [subnets, routeTables] = await Promise.all([
        readPage<Subnet>(read, 'ec2.subnets.list', withFilters(vpcFilters(vpcId), page)),
        readPage<RouteTable>(read, 'ec2.routeTables.list', { ...byVpc(vpcId), maxResults: 1000 }),
      ]);
      return {
        items: subnets.items.map((subnet) => ({ subnet, isPublic: isPublicSubnet(subnet, routeTables.items) })),
        nextToken: subnets.nextToken,
      };
    },
    summarize({ subnet, isPublic }: { subnet: Subnet; isPublic: boolean }, context) {
      const tags = tagsToRecord(subnet.Tags);
      const id = subnet.SubnetId ?? 'unknown';
      return {
        type: 'ec2:subnet',
        id,
        name: tags.Name || id,
        arn: subnet.SubnetArn ?? ec2Arn(context, 'subnet', id),
        state: subnet.State,
        stateTone: subnet.State === 'available' ? 'ok' : 'transitional',
        details: compact([id, subnet.AvailabilityZone, subnet.CidrBlock, isPublic ? 'public' : 'private']),
        tags,
        raw: subnet,
      };
    },
  });
}

export function routeTableLister(vpcId?: string): ResourceLister {
  return pagedLister({
    type: 'ec2:route-table',
    title: 'Route tables',
    pageRange: [5, 100],
    fetch: (read, page) => readPage<RouteTable>(read, 'ec2.routeTables.list', { ...byVpc(vpcId), ...page }),
    summarize(table: RouteTable, context) {
      const tags = tagsToRecord(table.Tags);
      const id = table.RouteTableId ?? 'unknown';
      const main = table.Associations?.some((association) => association.Main);
      const subnets = table.Associations?.filter((association) => association.SubnetId).length ?? 0;
      return {
        type: 'ec2:route-table',
        id,
        name: tags.Name || id,
        arn: ec2Arn(context, 'route-table', id),
        details: compact([id, main && 'main', `${table.Routes?.length ?? 0} routes`, `${subnets} subnets`]),
        tags,
        raw: table,
        children: [
          inMemoryLister(
            'ec2:route',
            'Routes',
            (table.Routes ?? []).map((route, index) => {
              const destination =
                route.DestinationCidrBlock ?? route.DestinationIpv6CidrBlock ?? route.DestinationPrefixListId ?? '?';
              const target =
                route.GatewayId ??
                route.NatGatewayId ??
                route.TransitGatewayId ??
                route.VpcPeeringConnectionId ??
                route.NetworkInterfaceId ??
                route.InstanceId ??
                'local';
              return {
                type: 'ec2:route',
                id: `${id}#${index}`,
                name: `${destination} → ${target}`,
                state: route.State,
                stateTone: route.State === 'blackhole' ? 'error' : 'ok',
                details: compact([route.Origin]),
                tags: {},
                raw: route,
              };
            }),
          ),
        ],
      };
    },
  });
}

export function internetGatewayLister(vpcId?: string): ResourceLister {
  return pagedLister({
    type: 'ec2:internet-gateway',
    title: 'Internet gateways',
    pageRange: [5, 1000],
    serverFilter: { idFilter: 'internet-gateway-id', idPrefix: 'igw', namedByTag: true },
    fetch: (read, page) =>
      readPage<InternetGateway>(
        read,
        'ec2.internetGateways.list',
        withFilters(vpcFilters(vpcId, 'attachment.vpc-id'), page),
      ),
    summarize(gateway, context) {
      const tags = tagsToRecord(gateway.Tags);
      const id = gateway.InternetGatewayId ?? 'unknown';
      const attachment = gateway.Attachments?.[0];
      return {
        type: 'ec2:internet-gateway',
        id,
        name: tags.Name || id,
        arn: ec2Arn(context, 'internet-gateway', id),
        state: attachment?.State ?? 'detached',
        stateTone: attachment ? 'ok' : 'stopped',
        details: compact([id, attachment?.VpcId]),
        tags,
        raw: gateway,
      };
    },
  });
}

export function natGatewayLister(vpcId?: string): ResourceLister {
  return pagedLister({
    type: 'ec2:nat-gateway',
    title: 'NAT gateways',
    pageRange: [5, 1000],
    serverFilter: { idFilter: 'nat-gateway-id', idPrefix: 'nat', namedByTag: true },
    fetch: (read, page) => readPage<NatGateway>(read, 'ec2.natGateways.list', withFilters(vpcFilters(vpcId), page)),
    summarize(gateway, context) {
      const tags = tagsToRecord(gateway.Tags);
      const id = gateway.NatGatewayId ?? 'unknown';
      const state = gateway.State;
      return {
        type: 'ec2:nat-gateway',
        id,
        name: tags.Name || id,
        arn: ec2Arn(context, 'natgateway', id),
        state,
        stateTone:
          state === 'available'
            ? 'ok'
            : state === 'failed'
              ? 'error'
              : state === 'deleted'
                ? 'stopped'
                : 'transitional',
        details: compact([id, gateway.SubnetId, gateway.NatGatewayAddresses?.[0]?.PublicIp, state]),
        tags,
        raw: gateway,
      };
    },
  });
}

function describePeers(permission: IpPermission): string[] {
  return [
    ...(permission.IpRanges ?? []).map((range) => range.CidrIp ?? ''),
    ...(permission.Ipv6Ranges ?? []).map((range) => range.CidrIpv6 ?? ''),
    ...(permission.UserIdGroupPairs ?? []).map((pair) => pair.GroupId ?? ''),
    ...(permission.PrefixListIds ?? []).map((prefixList) => prefixList.PrefixListId ?? ''),
  ].filter(Boolean);
}

export function describePorts(permission: IpPermission): string {
  if (permission.IpProtocol === '-1') return 'all traffic';
  const protocol = permission.IpProtocol ?? '?';
  if (permission.FromPort === undefined || permission.FromPort === -1) return `${protocol} all`;
  return permission.FromPort === permission.ToPort
    ? `${protocol}/${permission.FromPort}`
    : `${protocol}/${permission.FromPort}-${permission.ToPort}`;
}

/** Remote-administration and database ports that should never be open to the internet. */
export const ADMIN_PORTS = [22, 23, 3389, 5985, 5986, 1433, 1521, 3306, 5432, 6379, 9200, 27017, 2375, 2376];

/** True when the rule opens an admin port (or every port) to 0.0.0.0/0 or ::/0. */
export function exposesAdminPort(permission: IpPermission, peer: string): boolean {
  if (peer !== '0.0.0.0/0' && peer !== '::/0') return false;
  if (permission.IpProtocol === '-1' || permission.FromPort === undefined || permission.FromPort === -1) return true;
  const to = permission.ToPort ?? permission.FromPort;
  return ADMIN_PORTS.some((port) => port >= permission.FromPort! && port <= to);
}

function ruleSummaries(
  groupId: string,
  direction: 'inbound' | 'outbound',
  permissions: IpPermission[],
): ResourceSummary[] {
  return permissions.flatMap((permission, index) => {
    const peers = describePeers(permission);
    return (peers.length ? peers : ['(none)']).map((peer, peerIndex) => ({
      type: `ec2:security-group-rule`,
      id: `${groupId}#${direction}-${index}-${peerIndex}`,
      name: `${describePorts(permission)} ${direction === 'inbound' ? 'from' : 'to'} ${peer}`,
      stateTone: direction === 'inbound' && exposesAdminPort(permission, peer) ? ('error' as const) : ('ok' as const),
      details: compact([
        direction,
        direction === 'inbound' && exposesAdminPort(permission, peer) && 'admin port open to the internet',
      ]),
      tags: {},
      raw: permission,
    }));
  });
}

export function summarizeSecurityGroup(group: SecurityGroup, context: SummaryContext): ResourceSummary {
  const tags = tagsToRecord(group.Tags);
  const id = group.GroupId ?? 'unknown';
  return {
    type: 'ec2:security-group',
    id,
    name: group.GroupName || tags.Name || id,
    arn: group.SecurityGroupArn ?? ec2Arn(context, 'security-group', id),
    details: compact([
      id,
      group.VpcId,
      `${group.IpPermissions?.length ?? 0} in / ${group.IpPermissionsEgress?.length ?? 0} out`,
    ]),
    tags,
    raw: group,
    children: [
      inMemoryLister(
        'ec2:security-group-rule:inbound',
        'Inbound rules',
        ruleSummaries(id, 'inbound', group.IpPermissions ?? []),
      ),
      inMemoryLister(
        'ec2:security-group-rule:outbound',
        'Outbound rules',
        ruleSummaries(id, 'outbound', group.IpPermissionsEgress ?? []),
      ),
    ],
  };
}

export function securityGroupLister(vpcId?: string): ResourceLister {
  return pagedLister({
    type: 'ec2:security-group',
    title: 'Security groups',
    pageRange: [5, 1000],
    fetch: (read, page) => readPage<SecurityGroup>(read, 'ec2.securityGroups.list', { ...byVpc(vpcId), ...page }),
    summarize: summarizeSecurityGroup,
  });
}

export const vpcLister = pagedLister({
  type: 'ec2:vpc',
  title: 'VPCs',
  pageRange: [5, 1000],
  fetch: (read, page) => readPage<Vpc>(read, 'ec2.vpcs.list', page),
  summarize(vpc: Vpc, context) {
    const tags = tagsToRecord(vpc.Tags);
    const id = vpc.VpcId ?? 'unknown';
    return {
      type: 'ec2:vpc',
      id,
      name: tags.Name || id,
      arn: ec2Arn(context, 'vpc', id),
      state: vpc.State,
      stateTone: vpc.State === 'available' ? 'ok' : 'transitional',
      details: compact([id, vpc.CidrBlock, vpc.IsDefault && 'default']),
      tags,
      raw: vpc,
      children: [
        subnetLister(id),
        routeTableLister(id),
        internetGatewayLister(id),
        natGatewayLister(id),
        securityGroupLister(id),
      ],
    };
  },
});
