/** Batched reads of what launch settings refer to: subnets, security groups, instance type offerings, default VPC. */
import type { LaunchTemplateData } from './delta';
import { describeOutcome, type RunContext, type RunFunction } from './editor';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw SDK items, read defensively
type RawItem = Record<string, any>;

export interface SubnetFacts {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  cidrBlock: string;
}

/** What was learned; a value absent from a map was looked for and not found, unless its check is listed in `notChecked`. */
export interface NetworkFacts {
  subnets: Map<string, SubnetFacts>;
  groupVpcs: Map<string, string>;
  /** AZ → instance types offered there (only the types asked about). */
  offerings: Map<string, Set<string>>;
  hasDefaultVpc?: boolean;
  /** Checks that could not run, with why: 'subnets', 'security-groups', 'offerings', 'default-vpc'. */
  notChecked: Map<'subnets' | 'security-groups' | 'offerings' | 'default-vpc', string>;
  apiCalls: number;
}

export interface NetworkRefs {
  subnetId?: string;
  securityGroupIds: string[];
  privateIps: string[];
  instanceType?: string;
  availabilityZone?: string;
}

const CHUNK = 200;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}

/** The subnet, groups, private IPs, instance type and AZ a version's data names. */
export function networkRefsOf(data: LaunchTemplateData): NetworkRefs {
  const interfaces = Array.isArray(data.NetworkInterfaces)
    ? (data.NetworkInterfaces as Array<Record<string, unknown>>)
    : [];
  const primary = interfaces.find((nic) => nic.DeviceIndex === 0 || nic.DeviceIndex === undefined) ?? interfaces[0];
  const groups = new Set<string>();
  for (const id of Array.isArray(data.SecurityGroupIds) ? (data.SecurityGroupIds as string[]) : [])
    groups.add(String(id));
  for (const nic of interfaces)
    for (const id of Array.isArray(nic.Groups) ? (nic.Groups as string[]) : []) groups.add(String(id));
  const ips: string[] = [];
  if (primary && typeof primary.PrivateIpAddress === 'string') ips.push(primary.PrivateIpAddress);
  for (const entry of primary && Array.isArray(primary.PrivateIpAddresses)
    ? (primary.PrivateIpAddresses as Array<{ PrivateIpAddress?: string }>)
    : [])
    if (entry.PrivateIpAddress && !ips.includes(entry.PrivateIpAddress)) ips.push(entry.PrivateIpAddress);
  const placement = (data.Placement ?? {}) as { AvailabilityZone?: string };
  return {
    subnetId: typeof primary?.SubnetId === 'string' ? primary.SubnetId : undefined,
    securityGroupIds: [...groups],
    privateIps: ips,
    instanceType: typeof data.InstanceType === 'string' ? data.InstanceType : undefined,
    availabilityZone: placement.AvailabilityZone,
  };
}

/** Reads subnets and groups by filter (an unknown ID is simply absent), offerings per AZ, and the default VPC when asked. */
export async function loadNetworkFacts(
  run: RunFunction,
  context: RunContext,
  wanted: {
    subnetIds: string[];
    securityGroupIds: string[];
    instanceTypesByAz?: Map<string, Set<string>>;
    defaultVpc?: boolean;
  },
): Promise<NetworkFacts> {
  const facts: NetworkFacts = {
    subnets: new Map(),
    groupVpcs: new Map(),
    offerings: new Map(),
    notChecked: new Map(),
    apiCalls: 0,
  };
  const options = { caller: context.caller, mode: 'execute' as const, region: context.region, signal: context.signal };

  const list = async (operationId: string, input: unknown): Promise<RawItem[] | string> => {
    facts.apiCalls += 1;
    const outcome = await run(operationId, input, options);
    return outcome.status === 'succeeded'
      ? ((outcome.output as { items: RawItem[] }).items ?? [])
      : describeOutcome(outcome);
  };
  for (const ids of chunks([...new Set(wanted.subnetIds)])) {
    const items = await list('ec2.subnets.list', { filters: [{ name: 'subnet-id', values: ids }], maxResults: 1000 });
    if (typeof items === 'string') facts.notChecked.set('subnets', items);
    else
      for (const subnet of items)
        facts.subnets.set(subnet.SubnetId, {
          subnetId: subnet.SubnetId,
          vpcId: subnet.VpcId,
          availabilityZone: subnet.AvailabilityZone,
          cidrBlock: subnet.CidrBlock,
        });
  }
  for (const ids of chunks([...new Set(wanted.securityGroupIds)])) {
    const items = await list('ec2.securityGroups.list', {
      filters: [{ name: 'group-id', values: ids }],
      maxResults: 1000,
    });
    if (typeof items === 'string') facts.notChecked.set('security-groups', items);
    else for (const group of items) facts.groupVpcs.set(group.GroupId, group.VpcId);
  }
  const byAz = wanted.instanceTypesByAz ?? new Map<string, Set<string>>();
  const azs = [...byAz.keys()];
  const types = [...new Set([...byAz.values()].flatMap((set) => [...set]))];
  for (const azChunk of chunks(azs, 50)) {
    for (const typeChunk of chunks(types, 200)) {
      const items = await list('ec2.instanceTypeOfferings.list', {
        locationType: 'availability-zone',
        locations: azChunk,
        instanceTypes: typeChunk,
      });
      if (typeof items === 'string') facts.notChecked.set('offerings', items);
      else
        for (const offering of items)
          (
            facts.offerings.get(offering.location) ??
            facts.offerings.set(offering.location, new Set()).get(offering.location)!
          ).add(offering.instanceType);
    }
  }
  for (const az of azs)
    if (!facts.offerings.has(az) && !facts.notChecked.has('offerings')) facts.offerings.set(az, new Set());
  if (wanted.defaultVpc) {
    const items = await list('ec2.vpcs.list', { filters: [{ name: 'is-default', values: ['true'] }], maxResults: 5 });
    if (typeof items === 'string') facts.notChecked.set('default-vpc', items);
    else facts.hasDefaultVpc = items.length > 0;
  }
  return facts;
}
