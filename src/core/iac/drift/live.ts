/**
 * Live state for drift: one registered read per resource type, every resource of the type in it (IDs go in
 * a filter, so a deleted resource is simply missing instead of failing the whole call), mapped to the
 * resource type's template property names.
 */
import type { ResourceReads } from '../../resources/model';
import type { ComparisonRules } from './compare';
import { isRecord } from './values';

export interface LiveResource {
  physicalId: string;
  /** In the template's property names; only what the read covers. */
  properties: Record<string, unknown>;
  /** `Fn::GetAtt` values the read reveals. */
  attributes: Record<string, unknown>;
  state?: string;
  /** Key attributes for a hover, e.g. [['Type', 't3.micro'], ['Private IP', '10.0.0.4']]. */
  facts: Array<[string, string]>;
  /** true when the read shows the resource as gone (e.g. a terminated instance). */
  gone?: boolean;
  /** The API's item as the read returned it (Terraform drift maps it to its own attribute names). */
  record?: Record<string, unknown>;
}

export interface TypeSupport {
  type: string;
  /** Types that share one read share its key; the read runs once for all of them. */
  readKey: string;
  rules: ComparisonRules;
  /** Brings the template's values into the read's canonical form (e.g. protocol numbers to names). */
  normalizeExpected?(properties: Record<string, unknown>): Record<string, unknown>;
  /** A resource that lives inside another's answer (a route in its route table's): read through the parent. */
  child?: ChildSupport;
}

export interface ChildSupport {
  /** The template property naming the parent, e.g. RouteTableId; its value is the ID read. */
  parentProperty: string;
  /**
   * The resource inside its parent's item; undefined when the parent no longer has it. `unresolved` when the
   * template's values cannot tell which entry it is.
   */
  find(parent: Item, physicalId: string, properties: Record<string, unknown>): LiveResource | 'unresolved' | undefined;
}

interface LiveRead {
  operationId: string;
  /** Reads every given ID; returns raw items by physical ID. */
  read(reads: ResourceReads, ids: readonly string[], region: string, calls: { count: number }): Promise<unknown[]>;
  idOf(item: Record<string, unknown>): string | undefined;
  map(item: Record<string, unknown>): LiveResource;
}

type Item = Record<string, unknown>;
const FILTER_VALUES_PER_CALL = 200;
const MAX_PAGES = 50;

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function list(value: unknown): Item[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function tagsOf(item: Item): Array<{ Key: string; Value: string }> {
  return list(item.Tags).map((tag) => ({ Key: String(tag.Key ?? ''), Value: String(tag.Value ?? '') }));
}

function nameTag(item: Item): string | undefined {
  return tagsOf(item).find((tag) => tag.Key === 'Name')?.Value;
}

function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/** An EC2 Describe* list read with the IDs in a filter, 200 per call, paged. */
function filteredRead(operationId: string, filterName: string): LiveRead['read'] {
  return async (reads, ids, region, calls) => {
    const items: unknown[] = [];
    for (let start = 0; start < ids.length; start += FILTER_VALUES_PER_CALL) {
      const values = ids.slice(start, start + FILTER_VALUES_PER_CALL);
      let nextToken: string | undefined;
      let pages = 0;
      do {
        calls.count++;
        const page = await reads.read<{ items: unknown[]; nextToken?: string }>(
          operationId,
          { filters: [{ name: filterName, values }], maxResults: 1000, ...(nextToken ? { nextToken } : {}) },
          region,
        );
        items.push(...page.items);
        nextToken = page.nextToken;
      } while (nextToken && ++pages < MAX_PAGES);
    }
    return items;
  };
}

const PROTOCOLS: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6', all: '-1' };

function protocolName(value: unknown): unknown {
  if (typeof value !== 'string' && typeof value !== 'number') return value;
  const lower = String(value).toLowerCase();
  return PROTOCOLS[lower] ?? lower;
}

/** EC2 IpPermissions → one CloudFormation rule per source, as SecurityGroupIngress/Egress write them. */
export function flattenPermissions(permissions: unknown, direction: 'ingress' | 'egress'): Item[] {
  const rules: Item[] = [];
  for (const permission of list(permissions)) {
    const protocol = protocolName(permission.IpProtocol);
    const allTraffic = protocol === '-1';
    const base = defined({
      IpProtocol: protocol,
      FromPort: permission.FromPort ?? (allTraffic ? -1 : undefined),
      ToPort: permission.ToPort ?? (allTraffic ? -1 : undefined),
    });
    for (const range of list(permission.IpRanges))
      rules.push(defined({ ...base, CidrIp: range.CidrIp, Description: range.Description }));
    for (const range of list(permission.Ipv6Ranges))
      rules.push(defined({ ...base, CidrIpv6: range.CidrIpv6, Description: range.Description }));
    for (const prefix of list(permission.PrefixListIds))
      rules.push(
        defined({
          ...base,
          [direction === 'ingress' ? 'SourcePrefixListId' : 'DestinationPrefixListId']: prefix.PrefixListId,
          Description: prefix.Description,
        }),
      );
    for (const pair of list(permission.UserIdGroupPairs))
      rules.push(
        defined({
          ...base,
          ...(direction === 'ingress'
            ? { SourceSecurityGroupId: pair.GroupId, SourceSecurityGroupOwnerId: pair.UserId }
            : { DestinationSecurityGroupId: pair.GroupId }),
          Description: pair.Description,
        }),
      );
  }
  return rules;
}

function normalizeRules(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((rule) => {
    if (!isRecord(rule)) return rule;
    const protocol = protocolName(rule.IpProtocol);
    const allTraffic = protocol === '-1';
    return defined({
      ...rule,
      IpProtocol: protocol,
      // AWS ignores ports for all traffic and reports none.
      FromPort: allTraffic ? -1 : rule.FromPort,
      ToPort: allTraffic ? -1 : rule.ToPort,
    });
  });
}

const NOT_READ_PER_RESOURCE = 'not read: it needs one call per resource';

const instanceRead: LiveRead = {
  operationId: 'ec2.instances.list',
  read: filteredRead('ec2.instances.list', 'instance-id'),
  idOf: (item) => text(item.InstanceId),
  map(item) {
    const placement = isRecord(item.Placement) ? item.Placement : {};
    const state = isRecord(item.State) ? text(item.State.Name) : undefined;
    const groups = list(item.SecurityGroups);
    const profileArn = isRecord(item.IamInstanceProfile) ? text(item.IamInstanceProfile.Arn) : undefined;
    const monitoring = isRecord(item.Monitoring) ? text(item.Monitoring.State) : undefined;
    return {
      physicalId: String(item.InstanceId),
      state,
      gone: state === 'terminated' || state === 'shutting-down',
      properties: defined({
        ImageId: item.ImageId,
        InstanceType: item.InstanceType,
        KeyName: item.KeyName,
        SubnetId: item.SubnetId,
        PrivateIpAddress: item.PrivateIpAddress,
        AvailabilityZone: placement.AvailabilityZone,
        Tenancy: placement.Tenancy,
        SecurityGroupIds: groups.map((group) => group.GroupId),
        EbsOptimized: item.EbsOptimized,
        SourceDestCheck: item.SourceDestCheck,
        Monitoring: monitoring === undefined ? undefined : monitoring === 'enabled' || monitoring === 'pending',
        IamInstanceProfile: profileArn ? profileArn.slice(profileArn.lastIndexOf('/') + 1) : undefined,
        Tags: tagsOf(item),
      }),
      attributes: defined({
        InstanceId: item.InstanceId,
        AvailabilityZone: placement.AvailabilityZone,
        PrivateDnsName: item.PrivateDnsName,
        PrivateIp: item.PrivateIpAddress,
        PublicDnsName: item.PublicDnsName,
        PublicIp: item.PublicIpAddress,
        VpcId: item.VpcId,
      }),
      facts: [
        ['Name', nameTag(item) ?? '—'],
        ['State', state ?? '?'],
        ['Type', text(item.InstanceType) ?? '?'],
        ['Private IP', text(item.PrivateIpAddress) ?? '—'],
        ['Availability zone', text(placement.AvailabilityZone) ?? '?'],
        ['Subnet', text(item.SubnetId) ?? '—'],
      ],
    };
  },
};

const securityGroupRead: LiveRead = {
  operationId: 'ec2.securityGroups.list',
  read: filteredRead('ec2.securityGroups.list', 'group-id'),
  idOf: (item) => text(item.GroupId),
  map(item) {
    const ingress = flattenPermissions(item.IpPermissions, 'ingress');
    const egress = flattenPermissions(item.IpPermissionsEgress, 'egress');
    return {
      physicalId: String(item.GroupId),
      properties: defined({
        GroupDescription: item.Description,
        GroupName: item.GroupName,
        VpcId: item.VpcId,
        SecurityGroupIngress: ingress,
        SecurityGroupEgress: egress,
        Tags: tagsOf(item),
      }),
      attributes: defined({ GroupId: item.GroupId, VpcId: item.VpcId }),
      facts: [
        ['Name', text(item.GroupName) ?? '?'],
        ['VPC', text(item.VpcId) ?? '—'],
        ['Inbound rules', String(ingress.length)],
        ['Outbound rules', String(egress.length)],
      ],
    };
  },
};

const vpcRead: LiveRead = {
  operationId: 'ec2.vpcs.list',
  read: filteredRead('ec2.vpcs.list', 'vpc-id'),
  idOf: (item) => text(item.VpcId),
  map(item) {
    return {
      physicalId: String(item.VpcId),
      state: text(item.State),
      properties: defined({ CidrBlock: item.CidrBlock, InstanceTenancy: item.InstanceTenancy, Tags: tagsOf(item) }),
      attributes: defined({
        VpcId: item.VpcId,
        CidrBlock: item.CidrBlock,
        CidrBlockAssociations: list(item.CidrBlockAssociationSet).map((association) => association.AssociationId),
      }),
      facts: [
        ['Name', nameTag(item) ?? '—'],
        ['State', text(item.State) ?? '?'],
        ['CIDR', text(item.CidrBlock) ?? '?'],
      ],
    };
  },
};

const subnetRead: LiveRead = {
  operationId: 'ec2.subnets.list',
  read: filteredRead('ec2.subnets.list', 'subnet-id'),
  idOf: (item) => text(item.SubnetId),
  map(item) {
    return {
      physicalId: String(item.SubnetId),
      state: text(item.State),
      properties: defined({
        VpcId: item.VpcId,
        CidrBlock: item.CidrBlock,
        AvailabilityZone: item.AvailabilityZone,
        AvailabilityZoneId: item.AvailabilityZoneId,
        MapPublicIpOnLaunch: item.MapPublicIpOnLaunch,
        AssignIpv6AddressOnCreation: item.AssignIpv6AddressOnCreation,
        Tags: tagsOf(item),
      }),
      attributes: defined({
        SubnetId: item.SubnetId,
        AvailabilityZone: item.AvailabilityZone,
        AvailabilityZoneId: item.AvailabilityZoneId,
        CidrBlock: item.CidrBlock,
        VpcId: item.VpcId,
      }),
      facts: [
        ['Name', nameTag(item) ?? '—'],
        ['CIDR', text(item.CidrBlock) ?? '?'],
        ['Availability zone', text(item.AvailabilityZone) ?? '?'],
        ['Free addresses', text(item.AvailableIpAddressCount) ?? '?'],
      ],
    };
  },
};

const routeTableRead: LiveRead = {
  operationId: 'ec2.routeTables.list',
  read: filteredRead('ec2.routeTables.list', 'route-table-id'),
  idOf: (item) => text(item.RouteTableId),
  map(item) {
    return {
      physicalId: String(item.RouteTableId),
      properties: defined({ VpcId: item.VpcId, Tags: tagsOf(item) }),
      attributes: defined({ RouteTableId: item.RouteTableId }),
      facts: [
        ['Name', nameTag(item) ?? '—'],
        ['VPC', text(item.VpcId) ?? '?'],
        ['Routes', String(list(item.Routes).length)],
      ],
    };
  },
};

const internetGatewayRead: LiveRead = {
  operationId: 'ec2.internetGateways.list',
  read: filteredRead('ec2.internetGateways.list', 'internet-gateway-id'),
  idOf: (item) => text(item.InternetGatewayId),
  map(item) {
    const vpcs = list(item.Attachments).map((attachment) => text(attachment.VpcId) ?? '?');
    return {
      physicalId: String(item.InternetGatewayId),
      properties: defined({ Tags: tagsOf(item) }),
      attributes: defined({ InternetGatewayId: item.InternetGatewayId }),
      facts: [
        ['Name', nameTag(item) ?? '—'],
        ['Attached to', vpcs.join(', ') || 'nothing'],
      ],
    };
  },
};

const natGatewayRead: LiveRead = {
  operationId: 'ec2.natGateways.list',
  read: filteredRead('ec2.natGateways.list', 'nat-gateway-id'),
  idOf: (item) => text(item.NatGatewayId),
  map(item) {
    const state = text(item.State);
    return {
      physicalId: String(item.NatGatewayId),
      state,
      gone: state === 'deleted' || state === 'deleting',
      properties: defined({ SubnetId: item.SubnetId, ConnectivityType: item.ConnectivityType, Tags: tagsOf(item) }),
      attributes: defined({ NatGatewayId: item.NatGatewayId }),
      facts: [
        ['Name', nameTag(item) ?? '—'],
        ['State', state ?? '?'],
        ['Subnet', text(item.SubnetId) ?? '—'],
      ],
    };
  },
};

const launchTemplateRead: LiveRead = {
  operationId: 'ec2.launchTemplates.currentVersions',
  async read(reads, _ids, region, calls) {
    const items: unknown[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      calls.count++;
      const page = await reads.read<{ items: unknown[]; nextToken?: string }>(
        'ec2.launchTemplates.currentVersions',
        nextToken ? { nextToken } : {},
        region,
      );
      items.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken && ++pages < MAX_PAGES);
    // One item per template: the default version, with the latest version number beside it.
    const byId = new Map<string, Item>();
    for (const version of list(items)) {
      const id = text(version.LaunchTemplateId);
      if (!id) continue;
      const known = byId.get(id);
      const latest = Math.max(Number(known?.LatestVersionNumber ?? 0), Number(version.VersionNumber ?? 0));
      const chosen = version.DefaultVersion === true || !known ? version : known;
      byId.set(id, { ...chosen, LatestVersionNumber: latest });
    }
    return [...byId.values()];
  },
  idOf: (item) => text(item.LaunchTemplateId),
  map(item) {
    return {
      physicalId: String(item.LaunchTemplateId),
      properties: defined({
        LaunchTemplateName: item.LaunchTemplateName,
        LaunchTemplateData: isRecord(item.LaunchTemplateData) ? item.LaunchTemplateData : {},
      }),
      attributes: defined({
        LaunchTemplateId: item.LaunchTemplateId,
        DefaultVersionNumber: text(item.VersionNumber),
        LatestVersionNumber: text(item.LatestVersionNumber),
      }),
      facts: [
        ['Name', text(item.LaunchTemplateName) ?? '?'],
        ['Default version', text(item.VersionNumber) ?? '?'],
        ['Latest version', text(item.LatestVersionNumber) ?? '?'],
      ],
    };
  },
};

const ROUTE_TARGETS = [
  'GatewayId',
  'NatGatewayId',
  'InstanceId',
  'NetworkInterfaceId',
  'VpcPeeringConnectionId',
  'TransitGatewayId',
  'EgressOnlyInternetGatewayId',
  'VpcEndpointId',
  'CarrierGatewayId',
  'LocalGatewayId',
  'CoreNetworkArn',
] as const;
const ROUTE_DESTINATIONS = ['DestinationCidrBlock', 'DestinationIpv6CidrBlock', 'DestinationPrefixListId'] as const;

/** AWS::EC2::Route: the route table's route with the template's destination. */
const routeChild: ChildSupport = {
  parentProperty: 'RouteTableId',
  find(parent, physicalId, properties) {
    const destination = ROUTE_DESTINATIONS.find((name) => properties[name] !== undefined);
    if (!destination || typeof properties[destination] !== 'string') return 'unresolved';
    const route = list(parent.Routes).find((candidate) => candidate[destination] === properties[destination]);
    if (!route) return undefined;
    const state = text(route.State);
    const target = ROUTE_TARGETS.find((name) => route[name] !== undefined);
    return {
      physicalId,
      state,
      properties: defined({
        RouteTableId: parent.RouteTableId,
        ...Object.fromEntries(ROUTE_DESTINATIONS.map((name) => [name, route[name]])),
        ...Object.fromEntries(ROUTE_TARGETS.map((name) => [name, route[name]])),
      }),
      attributes: {},
      facts: [
        ['Route table', text(parent.RouteTableId) ?? '?'],
        ['Destination', text(properties[destination]) ?? '?'],
        ['Target', target ? (text(route[target]) ?? '?') : '—'],
        ['State', state ?? '?'],
      ],
      record: route,
    };
  },
};

/** AWS::EC2::SubnetRouteTableAssociation: the association by its ID, or else by the template's subnet. */
const associationChild: ChildSupport = {
  parentProperty: 'RouteTableId',
  find(parent, physicalId, properties) {
    const associations = list(parent.Associations);
    const association =
      associations.find((candidate) => candidate.RouteTableAssociationId === physicalId) ??
      (typeof properties.SubnetId === 'string'
        ? associations.find((candidate) => candidate.SubnetId === properties.SubnetId)
        : undefined);
    if (!association) return typeof properties.SubnetId === 'string' ? undefined : 'unresolved';
    const state = isRecord(association.AssociationState) ? text(association.AssociationState.State) : undefined;
    return {
      physicalId,
      state,
      gone: state === 'disassociated' || state === 'disassociating',
      properties: defined({ RouteTableId: parent.RouteTableId, SubnetId: association.SubnetId }),
      attributes: defined({ Id: association.RouteTableAssociationId }),
      facts: [
        ['Route table', text(parent.RouteTableId) ?? '?'],
        ['Subnet', text(association.SubnetId) ?? '—'],
        ['Association', text(association.RouteTableAssociationId) ?? '?'],
      ],
      record: association,
    };
  },
};

/** AWS::EC2::VPCGatewayAttachment of an internet gateway: the gateway's attachment (it has at most one). */
const gatewayAttachmentChild: ChildSupport = {
  parentProperty: 'InternetGatewayId',
  find(parent, physicalId) {
    const attachment = list(parent.Attachments)[0];
    if (!attachment) return undefined;
    const state = text(attachment.State);
    return {
      physicalId,
      state,
      gone: state === 'detached' || state === 'detaching',
      properties: defined({ InternetGatewayId: parent.InternetGatewayId, VpcId: attachment.VpcId }),
      attributes: {},
      facts: [
        ['Internet gateway', text(parent.InternetGatewayId) ?? '?'],
        ['VPC', text(attachment.VpcId) ?? '?'],
        ['State', state ?? '?'],
      ],
      record: attachment,
    };
  },
};

const READS: Record<string, LiveRead> = {
  instances: instanceRead,
  securityGroups: securityGroupRead,
  vpcs: vpcRead,
  subnets: subnetRead,
  routeTables: routeTableRead,
  internetGateways: internetGatewayRead,
  natGateways: natGatewayRead,
  launchTemplates: launchTemplateRead,
};

/** Every resource type drift can read, with what it compares. */
export const SUPPORTED_TYPES: Readonly<Record<string, TypeSupport>> = {
  'AWS::EC2::Instance': {
    type: 'AWS::EC2::Instance',
    readKey: 'instances',
    rules: {
      compared: [
        'ImageId',
        'InstanceType',
        'KeyName',
        'SubnetId',
        'PrivateIpAddress',
        'AvailabilityZone',
        'Tenancy',
        'SecurityGroupIds',
        'EbsOptimized',
        'SourceDestCheck',
        'Monitoring',
        'IamInstanceProfile',
        'Tags',
      ],
      unordered: ['SecurityGroupIds'],
      notCompared: {
        UserData: NOT_READ_PER_RESOURCE,
        DisableApiTermination: NOT_READ_PER_RESOURCE,
        InstanceInitiatedShutdownBehavior: NOT_READ_PER_RESOURCE,
        LaunchTemplate: 'the launch template a running instance came from is not compared',
        SecurityGroups: 'group names are not compared yet (use SecurityGroupIds)',
      },
    },
  },
  'AWS::EC2::SecurityGroup': {
    type: 'AWS::EC2::SecurityGroup',
    readKey: 'securityGroups',
    rules: {
      compared: ['GroupDescription', 'GroupName', 'VpcId', 'SecurityGroupIngress', 'SecurityGroupEgress', 'Tags'],
      unordered: ['SecurityGroupIngress', 'SecurityGroupEgress'],
    },
    normalizeExpected: (properties) => ({
      ...properties,
      ...(properties.SecurityGroupIngress !== undefined
        ? { SecurityGroupIngress: normalizeRules(properties.SecurityGroupIngress) }
        : {}),
      ...(properties.SecurityGroupEgress !== undefined
        ? { SecurityGroupEgress: normalizeRules(properties.SecurityGroupEgress) }
        : {}),
    }),
  },
  'AWS::EC2::VPC': {
    type: 'AWS::EC2::VPC',
    readKey: 'vpcs',
    rules: {
      compared: ['CidrBlock', 'InstanceTenancy', 'Tags'],
      notCompared: { EnableDnsSupport: NOT_READ_PER_RESOURCE, EnableDnsHostnames: NOT_READ_PER_RESOURCE },
    },
  },
  'AWS::EC2::Subnet': {
    type: 'AWS::EC2::Subnet',
    readKey: 'subnets',
    rules: {
      compared: [
        'VpcId',
        'CidrBlock',
        'AvailabilityZone',
        'AvailabilityZoneId',
        'MapPublicIpOnLaunch',
        'AssignIpv6AddressOnCreation',
        'Tags',
      ],
    },
  },
  'AWS::EC2::RouteTable': {
    type: 'AWS::EC2::RouteTable',
    readKey: 'routeTables',
    rules: { compared: ['VpcId', 'Tags'] },
  },
  'AWS::EC2::Route': {
    type: 'AWS::EC2::Route',
    readKey: 'routeTables',
    rules: { compared: ['RouteTableId', ...ROUTE_DESTINATIONS, ...ROUTE_TARGETS] },
    child: routeChild,
  },
  'AWS::EC2::SubnetRouteTableAssociation': {
    type: 'AWS::EC2::SubnetRouteTableAssociation',
    readKey: 'routeTables',
    rules: { compared: ['RouteTableId', 'SubnetId'] },
    child: associationChild,
  },
  'AWS::EC2::VPCGatewayAttachment': {
    type: 'AWS::EC2::VPCGatewayAttachment',
    readKey: 'internetGateways',
    rules: { compared: ['InternetGatewayId', 'VpcId'] },
    child: gatewayAttachmentChild,
  },
  'AWS::EC2::InternetGateway': {
    type: 'AWS::EC2::InternetGateway',
    readKey: 'internetGateways',
    rules: { compared: ['Tags'] },
  },
  'AWS::EC2::LaunchTemplate': {
    type: 'AWS::EC2::LaunchTemplate',
    readKey: 'launchTemplates',
    rules: {
      compared: ['LaunchTemplateName', 'LaunchTemplateData'],
      unordered: ['LaunchTemplateData.SecurityGroupIds', 'LaunchTemplateData.SecurityGroups'],
      notCompared: {
        TagSpecifications: 'tags of the launch template itself are not compared yet',
        VersionDescription: 'not compared yet',
      },
    },
  },
};

export function supportOf(type: string): TypeSupport | undefined {
  return Object.hasOwn(SUPPORTED_TYPES, type) ? SUPPORTED_TYPES[type] : undefined;
}

export interface LiveReadResult {
  /** By read key, then physical ID. */
  resources: Map<string, LiveResource>;
  /** Read keys whose read failed, with the error message. */
  failures: Map<string, string>;
  apiCalls: number;
}

/**
 * Reads the given physical IDs, grouped by read key: at most one read (with its pages) per key,
 * all keys in parallel. A failed read is reported, never turned into "clean".
 */
export async function readLive(
  reads: ResourceReads,
  idsByReadKey: ReadonlyMap<string, readonly string[]>,
  region: string,
): Promise<LiveReadResult> {
  const resources = new Map<string, LiveResource>();
  const failures = new Map<string, string>();
  const calls = { count: 0 };
  await Promise.all(
    [...idsByReadKey].map(async ([key, ids]) => {
      const live = READS[key];
      if (!live || ids.length === 0) return;
      try {
        const items = await live.read(reads, ids, region, calls);
        const wanted = new Set(ids);
        for (const item of list(items)) {
          const id = live.idOf(item);
          if (id && wanted.has(id)) resources.set(`${key}:${id}`, { ...live.map(item), record: item });
        }
      } catch (error) {
        failures.set(key, error instanceof Error ? error.message : String(error));
      }
    }),
  );
  return { resources, failures, apiCalls: calls.count };
}

export function liveKey(readKey: string, physicalId: string): string {
  return `${readKey}:${physicalId}`;
}
