import type { ResourceReads } from '../../resources/model';

/** An AWS API record: read loosely, field by field, as the describe calls return it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AwsRecord = Record<string, any>;

/** The live resource kinds IaC can be generated from. */
export type LiveKind =
  'vpc' | 'subnet' | 'routeTable' | 'internetGateway' | 'natGateway' | 'securityGroup' | 'instance' | 'launchTemplate';

/** A resource as its describe call returned it; a launch template also carries its default version's data. */
export interface LiveResource {
  kind: LiveKind;
  id: string;
  /** The API's record, as the registered read operation returned it. */
  record: AwsRecord;
}

/** Explorer row types (ResourceSummary.type) that generation accepts. */
export const LIVE_KIND_OF_EXPLORER_TYPE: Record<string, LiveKind> = {
  'ec2:vpc': 'vpc',
  'ec2:subnet': 'subnet',
  'ec2:route-table': 'routeTable',
  'ec2:internet-gateway': 'internetGateway',
  'ec2:nat-gateway': 'natGateway',
  'ec2:security-group': 'securityGroup',
  'ec2:instance': 'instance',
  'ec2:launch-template': 'launchTemplate',
};

interface ListSpec {
  operation: string;
  /** The EC2 filter on the resource ID (a filter, unlike `ids`, does not fail on an ID that no longer exists). */
  idFilter?: string;
  idOf: (record: AwsRecord) => string;
  /** The EC2 filter that selects this kind inside VPCs. */
  vpcFilter?: string;
}

const LISTS: Record<LiveKind, ListSpec> = {
  vpc: { operation: 'ec2.vpcs.list', idOf: (r) => r.VpcId, idFilter: 'vpc-id' },
  subnet: { operation: 'ec2.subnets.list', idOf: (r) => r.SubnetId, vpcFilter: 'vpc-id', idFilter: 'subnet-id' },
  routeTable: {
    operation: 'ec2.routeTables.list',
    idOf: (r) => r.RouteTableId,
    vpcFilter: 'vpc-id',
    idFilter: 'route-table-id',
  },
  internetGateway: {
    operation: 'ec2.internetGateways.list',
    idOf: (r) => r.InternetGatewayId,
    vpcFilter: 'attachment.vpc-id',
    idFilter: 'internet-gateway-id',
  },
  natGateway: {
    operation: 'ec2.natGateways.list',
    idOf: (r) => r.NatGatewayId,
    vpcFilter: 'vpc-id',
    idFilter: 'nat-gateway-id',
  },
  securityGroup: {
    operation: 'ec2.securityGroups.list',
    idOf: (r) => r.GroupId,
    vpcFilter: 'vpc-id',
    idFilter: 'group-id',
  },
  instance: {
    operation: 'ec2.instances.list',
    idOf: (r) => r.InstanceId,
    vpcFilter: 'vpc-id',
    idFilter: 'instance-id',
  },
  launchTemplate: { operation: 'ec2.launchTemplates.list', idOf: (r) => r.LaunchTemplateId },
};

/** Resources read for one generation at most (a VPC with more is refused with a clear message). */
export const MAX_GENERATED_RESOURCES = 500;
const MAX_PAGES = 20;

/** The order resources are generated in: what others refer to comes first. */
export const KIND_ORDER: LiveKind[] = [
  'vpc',
  'internetGateway',
  'subnet',
  'natGateway',
  'routeTable',
  'securityGroup',
  'launchTemplate',
  'instance',
];

async function listAll(
  reads: ResourceReads,
  region: string,
  kind: LiveKind,
  input: Record<string, unknown>,
): Promise<Array<AwsRecord>> {
  const items: Array<AwsRecord> = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const output = await reads.read<{ items: Array<AwsRecord>; nextToken?: string }>(
      LISTS[kind].operation,
      { ...input, ...(nextToken ? { nextToken } : {}) },
      region,
    );
    items.push(...output.items);
    if (items.length > MAX_GENERATED_RESOURCES)
      throw new Error(
        `More than ${MAX_GENERATED_RESOURCES} ${kind} resources: select fewer resources to generate from.`,
      );
    nextToken = output.nextToken;
    if (!nextToken || input.ids) break;
  }
  return items;
}

/**
 * Reads the selected resources (and, for a VPC, what is in it) through registered read operations, batched by
 * kind: one list call per kind (plus one version read per launch template, which has no batch call).
 */
export async function readLiveResources(
  reads: ResourceReads,
  region: string,
  selection: Array<{ kind: LiveKind; id: string }>,
  options: { vpcContents: boolean } = { vpcContents: true },
): Promise<LiveResource[]> {
  const wanted = new Map<LiveKind, Set<string>>();
  for (const { kind, id } of selection) (wanted.get(kind) ?? wanted.set(kind, new Set()).get(kind)!).add(id);
  const found = new Map<string, LiveResource>();
  const add = (kind: LiveKind, record: AwsRecord) => {
    const id = LISTS[kind].idOf(record);
    if (id && !found.has(id)) found.set(id, { kind, id, record });
  };
  for (const [kind, ids] of wanted) {
    if (kind === 'launchTemplate') continue;
    for (const record of await listAll(reads, region, kind, { ids: [...ids] })) add(kind, record);
  }
  const vpcIds = options.vpcContents ? [...(wanted.get('vpc') ?? [])] : [];
  if (vpcIds.length) {
    for (const kind of KIND_ORDER) {
      const filter = LISTS[kind].vpcFilter;
      if (!filter) continue;
      const filters = [{ name: filter, values: vpcIds }];
      if (kind === 'instance')
        filters.push({ name: 'instance-state-name', values: ['pending', 'running', 'stopping', 'stopped'] });
      if (kind === 'natGateway') filters.push({ name: 'state', values: ['pending', 'available'] });
      for (const record of await listAll(reads, region, kind, { filters, maxResults: 1000 })) add(kind, record);
    }
  }
  // Launch templates: the selected ones, and for a VPC those whose default version uses its subnets or groups.
  const inVpc = new Set(
    [...found.values()].filter((r) => r.kind === 'subnet' || r.kind === 'securityGroup').map((r) => r.id),
  );
  const selectedTemplates = wanted.get('launchTemplate') ?? new Set<string>();
  if (selectedTemplates.size || vpcIds.length) {
    const templates = await listAll(
      reads,
      region,
      'launchTemplate',
      selectedTemplates.size && !vpcIds.length ? { ids: [...selectedTemplates] } : { maxResults: 200 },
    );
    for (const template of templates) {
      const id = template.LaunchTemplateId as string;
      const selected = selectedTemplates.has(id);
      if (!selected && !vpcIds.length) continue;
      const versions = await reads.read<{ items: Array<AwsRecord> }>(
        'ec2.launchTemplates.versions',
        { launchTemplateId: id, versions: ['$Default'] },
        region,
      );
      const data = versions.items[0]?.LaunchTemplateData ?? {};
      if (!selected && !usesAny(data, inVpc)) continue;
      found.set(id, { kind: 'launchTemplate', id, record: { ...template, LaunchTemplateData: data } });
    }
  }
  return [...found.values()];
}

/**
 * Reads resources of one kind by ID in as few calls as the API allows (200 IDs per call), through a registered
 * read operation. IDs that no longer exist are simply absent from the result.
 */
export async function readLiveByIds(
  reads: ResourceReads,
  region: string,
  kind: LiveKind,
  ids: string[],
): Promise<{ resources: LiveResource[]; calls: number }> {
  const spec = LISTS[kind];
  const resources: LiveResource[] = [];
  const notFound = (error: unknown) => /NotFound/i.test(`${(error as Error).name} ${(error as Error).message}`);
  let calls = 0;
  for (let start = 0; start < ids.length; start += 200) {
    const chunk = ids.slice(start, start + 200);
    let records: AwsRecord[] = [];
    calls++;
    if (spec.idFilter) {
      records = await listAll(reads, region, kind, {
        filters: [{ name: spec.idFilter, values: chunk }],
        maxResults: 1000,
      });
    } else {
      try {
        records = await listAll(reads, region, kind, { ids: chunk });
      } catch (error) {
        // Without an ID filter one missing ID fails the batch: read them one by one.
        if (!notFound(error) || chunk.length === 1) {
          if (notFound(error)) continue;
          throw error;
        }
        for (const id of chunk) {
          calls++;
          try {
            records.push(...(await listAll(reads, region, kind, { ids: [id] })));
          } catch (single) {
            if (!notFound(single)) throw single;
          }
        }
      }
    }
    for (const record of records) resources.push({ kind, id: spec.idOf(record), record });
  }
  return { resources, calls };
}

/** Whether launch template data names any of these subnet or security group IDs. */
function usesAny(data: AwsRecord, ids: Set<string>): boolean {
  const named = [
    ...(data.SecurityGroupIds ?? []),
    ...((data.NetworkInterfaces ?? []) as Array<AwsRecord>).flatMap((ni) => [ni.SubnetId, ...(ni.Groups ?? [])]),
  ];
  return named.some((id) => ids.has(id));
}
