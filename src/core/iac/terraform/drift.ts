import type { ResourceReads } from '../../resources/model';
import { compareResource, type PropertyDrift } from '../drift/compare';
import { flattenPermissions, liveKey, readLive, supportOf } from '../drift/live';
import { Unresolved, isRecord } from '../drift/values';
import { readLiveByIds, type AwsRecord } from '../generate/live';
import { definitions, type TfFile } from './analysis';
import { TfEvaluator, type TfInstanceContext } from './evaluate';
import type { SourceRange, TfBlock } from './model';
import type { TfState, TfStateResource } from './state';
import type { TfEvaluated, TfVariables } from './variables';

/** How a live record maps onto Terraform attributes, per resource type Pilot Light can read. */
interface LiveMapping {
  /** The shared drift read (src/core/iac/drift/live.ts) that covers the type. */
  readKey: string;
  attributes(record: AwsRecord): Record<string, unknown>;
  /** Attributes compared as sets (order does not matter). */
  sets?: string[];
  /** Whether the live record says the resource is gone (e.g. a terminated instance). */
  gone?(record: AwsRecord): boolean;
  /** A short live state for lenses and hovers. */
  state?(record: AwsRecord): string | undefined;
}

function tagMap(record: AwsRecord): Record<string, string> {
  return Object.fromEntries(
    ((record.Tags ?? []) as Array<{ Key?: string; Value?: string }>)
      .filter((tag) => tag.Key && !tag.Key.startsWith('aws:'))
      .map((tag) => [tag.Key!, tag.Value ?? '']),
  );
}

/**
 * Launch templates are read with DescribeLaunchTemplates (template tags and default version number), which the
 * CloudFormation read (the default version's data) does not give: the one Terraform-only read.
 */
const LAUNCH_TEMPLATES = 'terraform:launchTemplates';

export const LIVE_MAPPINGS: Record<string, LiveMapping> = {
  aws_vpc: {
    readKey: 'vpcs',
    attributes: (r) => ({ cidr_block: r.CidrBlock, instance_tenancy: r.InstanceTenancy, tags: tagMap(r) }),
    state: (r) => r.State,
  },
  aws_subnet: {
    readKey: 'subnets',
    attributes: (r) => ({
      vpc_id: r.VpcId,
      cidr_block: r.CidrBlock,
      availability_zone: r.AvailabilityZone,
      availability_zone_id: r.AvailabilityZoneId,
      map_public_ip_on_launch: Boolean(r.MapPublicIpOnLaunch),
      tags: tagMap(r),
    }),
    state: (r) => r.State,
  },
  aws_internet_gateway: {
    readKey: 'internetGateways',
    attributes: (r) => ({ vpc_id: ((r.Attachments ?? []) as AwsRecord[])[0]?.VpcId ?? null, tags: tagMap(r) }),
  },
  aws_nat_gateway: {
    readKey: 'natGateways',
    attributes: (r) => ({
      subnet_id: r.SubnetId,
      allocation_id: ((r.NatGatewayAddresses ?? []) as AwsRecord[])[0]?.AllocationId,
      connectivity_type: r.ConnectivityType,
      tags: tagMap(r),
    }),
    gone: (r) => r.State === 'deleted' || r.State === 'deleting',
    state: (r) => r.State,
  },
  aws_route_table: { readKey: 'routeTables', attributes: (r) => ({ vpc_id: r.VpcId, tags: tagMap(r) }) },
  aws_security_group: {
    readKey: 'securityGroups',
    attributes: (r) => ({ name: r.GroupName, description: r.Description, vpc_id: r.VpcId, tags: tagMap(r) }),
  },
  aws_instance: {
    readKey: 'instances',
    attributes: (r) => ({
      ami: r.ImageId,
      instance_type: r.InstanceType,
      subnet_id: r.SubnetId,
      availability_zone: r.Placement?.AvailabilityZone,
      vpc_security_group_ids: ((r.SecurityGroups ?? []) as AwsRecord[]).map((group) => group.GroupId),
      key_name: r.KeyName ?? null,
      private_ip: r.PrivateIpAddress,
      monitoring: r.Monitoring?.State === 'enabled',
      ebs_optimized: Boolean(r.EbsOptimized),
      tags: tagMap(r),
    }),
    sets: ['vpc_security_group_ids'],
    gone: (r) => r.State?.Name === 'terminated' || r.State?.Name === 'shutting-down',
    state: (r) => r.State?.Name,
  },
  aws_launch_template: {
    readKey: LAUNCH_TEMPLATES,
    attributes: (r) => ({ name: r.LaunchTemplateName, default_version: r.DefaultVersionNumber, tags: tagMap(r) }),
  },
};

export type TfDriftStatus = 'drifted' | 'in-sync' | 'unknown';

export interface TfAttributeDrift {
  attribute: string;
  status: TfDriftStatus;
  expected?: unknown;
  live?: unknown;
  /** Why a value is unknown. */
  reason?: string;
  range: SourceRange;
}

export interface TfResourceDrift {
  /** The instance's address: `aws_instance.web`, `aws_instance.web[0]`, `aws_instance.web["a"]`. */
  address: string;
  /** The block the user wrote: `aws_instance.web`. */
  blockAddress: string;
  /** The instance key of a block with `count` or `for_each`. */
  instanceKey?: number | string;
  uri: string;
  /** The block's name label. */
  range: SourceRange;
  id?: string;
  status: 'in-sync' | 'drifted' | 'deleted' | 'not-in-state' | 'not-checked';
  reason?: string;
  liveState?: string;
  attributes: TfAttributeDrift[];
}

export interface TfDriftReport {
  source: TfState['source'];
  stateLocation: string;
  region: string;
  resources: TfResourceDrift[];
  /** Read operations run (one per resource type and 200 IDs). */
  apiCalls: number;
  readTypes: string[];
  /** Variable files that could not be parsed (their variables are unknown). */
  variableProblems: Array<{ file: string; message: string }>;
}

/** Reads the given IDs per Terraform type: the shared drift reads (one per read key, all types in parallel). */
async function readRecords(
  reads: ResourceReads,
  region: string,
  idsByType: ReadonlyMap<string, readonly string[]>,
): Promise<{ records: Map<string, AwsRecord>; apiCalls: number }> {
  const records = new Map<string, AwsRecord>();
  const idsByReadKey = new Map<string, string[]>();
  for (const [type, ids] of idsByType) {
    const key = LIVE_MAPPINGS[type].readKey;
    idsByReadKey.set(key, [...(idsByReadKey.get(key) ?? []), ...ids]);
  }
  const templateIds = idsByReadKey.get(LAUNCH_TEMPLATES);
  idsByReadKey.delete(LAUNCH_TEMPLATES);
  const [shared, templates] = await Promise.all([
    readLive(reads, idsByReadKey, region),
    templateIds ? readLiveByIds(reads, region, 'launchTemplate', templateIds) : undefined,
  ]);
  // A failed read is an error, never "deleted".
  const [failure] = shared.failures;
  if (failure) throw new Error(`Reading ${failure[0]} failed: ${failure[1]}`);
  for (const [key, resource] of shared.resources) if (resource.record) records.set(key, resource.record);
  for (const resource of templates?.resources ?? [])
    records.set(liveKey(LAUNCH_TEMPLATES, resource.id), resource.record);
  return { records, apiCalls: shared.apiCalls + (templates?.calls ?? 0) };
}

/** Terraform's `tags` map in the `[{ Key, Value }]` form the shared comparator knows. */
function tagList(value: unknown): unknown {
  return isRecord(value) ? Object.entries(value).map(([Key, Value]) => ({ Key, Value })) : value;
}

/** One attribute's findings from the shared comparator folded into one status. */
function attributeDrift(
  name: string,
  findings: PropertyDrift[],
  expected: unknown,
  live: unknown,
  range: SourceRange,
): TfAttributeDrift {
  const drifted = findings.find((finding) => finding.status === 'drifted');
  if (drifted) return { attribute: name, status: 'drifted', expected, live, range };
  const unknown = findings.find((finding) => finding.status === 'unknown');
  if (unknown) return { attribute: name, status: 'unknown', reason: unknown.reason, range };
  return { attribute: name, status: 'in-sync', expected, live, range };
}

/** The region of the module's default `aws` provider, when written as a literal. */
export function providerRegion(files: TfFile[]): string | undefined {
  for (const { doc } of files)
    for (const block of doc.blocks) {
      if (block.kind !== 'provider' || block.labels[0]?.value !== 'aws') continue;
      if (block.attributes.some((attribute) => attribute.name === 'alias')) continue;
      const region = block.attributes.find((attribute) => attribute.name === 'region');
      if (region?.value.kind === 'literal' && typeof region.value.value === 'string') return region.value.value;
    }
  return undefined;
}

function hasDefaultTags(files: TfFile[]): boolean {
  return files.some(({ doc }) =>
    doc.blocks.some(
      (block) => block.kind === 'provider' && block.blocks.some((child) => child.keyword === 'default_tags'),
    ),
  );
}

/** The instance context of one state instance: `count.index`, or `each.key` and `each.value`. */
function instanceContext(
  block: TfBlock,
  indexKey: number | string | undefined,
  evaluator: TfEvaluator,
): TfInstanceContext {
  if (typeof indexKey === 'number') return { countIndex: indexKey };
  if (typeof indexKey !== 'string') return {};
  const forEach = block.attributes.find((attribute) => attribute.name === 'for_each');
  const collection = forEach ? evaluator.evaluate(forEach.value) : undefined;
  let eachValue: TfEvaluated;
  // Over a set, each.value is each.key whatever the set holds: `toset(…)` needs no evaluation.
  if (forEach?.value.kind === 'expression' && /^toset\s*\(/.test(forEach.value.text))
    eachValue = { known: true, value: indexKey };
  else if (!collection || !collection.known)
    eachValue = { known: false, reason: `each.value: for_each ${collection ? collection.reason : 'not found'}` };
  else if (Array.isArray(collection.value)) eachValue = { known: true, value: indexKey };
  else if (isRecord(collection.value) && Object.hasOwn(collection.value, indexKey))
    eachValue = { known: true, value: collection.value[indexKey] };
  else eachValue = { known: false, reason: `each.value: for_each has no key "${indexKey}" any more` };
  return { eachKey: indexKey, eachValue };
}

export interface TfDriftOptions {
  /** Variable values (`resolveVariables`); without them every `var.x` is unknown. */
  variables?: TfVariables;
}

/**
 * Terraform drift: for every managed resource instance of the module that the state knows (one per `count`
 * index or `for_each` key), the arguments written in the .tf compared with the live resource. Live resources
 * are read through registered read operations, one call per resource type (per 200 IDs). A value that cannot be
 * resolved is unknown, never drift; arguments not written are not compared, so defaults AWS fills in are not
 * drift.
 */
export async function terraformDrift(
  files: TfFile[],
  state: TfState,
  reads: ResourceReads,
  defaultRegion: string,
  options: TfDriftOptions = {},
): Promise<TfDriftReport> {
  const region = providerRegion(files) ?? defaultRegion;
  const evaluator = new TfEvaluator(files, state, options.variables);
  const defaultTags = hasDefaultTags(files);
  const { byAddress } = definitions(files);
  const blocks = [...byAddress.values()].filter((definition) => definition.block?.kind === 'resource');
  const instancesByBlock = new Map<string, TfStateResource[]>();
  for (const resource of state.resources.values())
    if (resource.mode === 'managed')
      (
        instancesByBlock.get(resource.blockAddress) ??
        instancesByBlock.set(resource.blockAddress, []).get(resource.blockAddress)!
      ).push(resource);
  type Wanted = { definition: (typeof blocks)[number]; stateResource: TfStateResource; evaluator: TfEvaluator };
  const results: TfResourceDrift[] = [];
  const wanted = new Map<string, Wanted[]>();
  for (const definition of blocks) {
    const block = definition.block!;
    const type = block.labels[0].value;
    const base = {
      address: definition.address,
      blockAddress: definition.address,
      uri: definition.uri,
      range: definition.selectionRange,
      attributes: [],
    };
    const repeated = block.attributes.some((attribute) => attribute.name === 'count' || attribute.name === 'for_each');
    const instances = repeated
      ? (instancesByBlock.get(definition.address) ?? []).filter((resource) => resource.indexKey !== undefined)
      : [state.resources.get(definition.address)].filter((resource) => resource !== undefined);
    if (!instances.length || instances.some((resource) => !resource.id)) {
      results.push({
        ...base,
        status: 'not-in-state',
        reason: `${definition.address} is not in the state (not applied yet${repeated ? ', or no instances' : ''}?)`,
      });
      continue;
    }
    for (const stateResource of instances) {
      const instanceBase = {
        ...base,
        address: stateResource.address,
        ...(stateResource.indexKey === undefined ? {} : { instanceKey: stateResource.indexKey }),
      };
      if (!Object.hasOwn(LIVE_MAPPINGS, type)) {
        results.push({
          ...instanceBase,
          id: stateResource.id,
          status: 'not-checked',
          reason: `not supported yet: live reads for ${type}`,
        });
        continue;
      }
      (wanted.get(type) ?? wanted.set(type, []).get(type)!).push({
        definition,
        stateResource,
        evaluator: repeated
          ? evaluator.forInstance(instanceContext(block, stateResource.indexKey, evaluator))
          : evaluator,
      });
    }
  }
  const { records, apiCalls } = await readRecords(
    reads,
    region,
    new Map([...wanted].map(([type, entries]) => [type, entries.map((entry) => entry.stateResource.id!)])),
  );
  for (const [type, entries] of wanted) {
    const mapping = LIVE_MAPPINGS[type];
    for (const { definition, stateResource, evaluator: instanceEvaluator } of entries) {
      const block = definition.block as TfBlock;
      const base = {
        address: stateResource.address,
        blockAddress: definition.address,
        ...(stateResource.indexKey === undefined ? {} : { instanceKey: stateResource.indexKey }),
        uri: definition.uri,
        range: definition.selectionRange,
        id: stateResource.id,
      };
      const record = records.get(liveKey(mapping.readKey, stateResource.id!));
      if (!record || mapping.gone?.(record)) {
        results.push({
          ...base,
          status: 'deleted',
          reason: `${stateResource.id} no longer exists`,
          liveState: record ? mapping.state?.(record) : undefined,
          attributes: [],
        });
        continue;
      }
      const liveAttributes = mapping.attributes(record);
      const attributes: TfAttributeDrift[] = [];
      for (const attribute of block.attributes) {
        if (!(attribute.name in liveAttributes)) continue;
        const range = attribute.valueRange;
        const evaluated: TfEvaluated =
          attribute.name === 'tags' && defaultTags
            ? { known: false, reason: 'the provider adds default_tags' }
            : instanceEvaluator.evaluate(attribute.value);
        const live = liveAttributes[attribute.name];
        const isTags = attribute.name === 'tags';
        const findings = compareResource({
          expected: {
            [attribute.name]: !evaluated.known
              ? new Unresolved(evaluated.reason)
              : isTags
                ? tagList(evaluated.value)
                : evaluated.value,
          },
          live: { [attribute.name]: isTags ? tagList(live) : live },
          rules: { compared: [attribute.name], unordered: mapping.sets, tagPaths: ['tags'] },
        });
        attributes.push(
          attributeDrift(attribute.name, findings, evaluated.known ? evaluated.value : undefined, live, range),
        );
      }
      if (type === 'aws_security_group')
        for (const direction of ['ingress', 'egress'] as const) {
          const drift = ruleDrift(block, direction, record, instanceEvaluator, stateResource.id!);
          if (drift) attributes.push(drift);
        }
      results.push({
        ...base,
        status: attributes.some((attribute) => attribute.status === 'drifted') ? 'drifted' : 'in-sync',
        liveState: mapping.state?.(record),
        attributes,
      });
    }
  }
  results.sort(
    (a, b) =>
      a.uri.localeCompare(b.uri) || a.range.offset - b.range.offset || compareKeys(a.instanceKey, b.instanceKey),
  );
  return {
    source: state.source,
    stateLocation: state.location,
    region,
    resources: results,
    apiCalls,
    readTypes: [...wanted.keys()],
    variableProblems: options.variables?.problems ?? [],
  };
}

function compareKeys(a: number | string | undefined, b: number | string | undefined): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a ?? '').localeCompare(String(b ?? ''));
}

type Rule = Record<string, unknown>;

/** Describes a rule for messages: `tcp 443 0.0.0.0/0 (HTTPS)`. */
function ruleText(rule: unknown): string {
  if (!isRecord(rule)) return String(rule);
  const protocol = String(rule.IpProtocol ?? '-1');
  const from = rule.FromPort as number | undefined;
  const to = rule.ToPort as number | undefined;
  const ports =
    protocol === '-1' || from === undefined ? '' : String(from) === String(to) ? ` ${from}` : ` ${from}-${to}`;
  const source =
    rule.CidrIp ??
    rule.CidrIpv6 ??
    rule.SourceSecurityGroupId ??
    rule.DestinationSecurityGroupId ??
    rule.SourcePrefixListId ??
    rule.DestinationPrefixListId ??
    '';
  const description = rule.Description ? ` (${rule.Description})` : '';
  return `${protocol === '-1' ? 'all' : protocol}${ports} ${source}${description}`.trim();
}

/**
 * Inline `ingress` / `egress` blocks of an aws_security_group compared with the live rules by the shared
 * comparator, as sets of single-source rules in CloudFormation's shape. Unwritten egress is not compared; rules
 * written as separate resources are not either.
 */
function ruleDrift(
  block: TfBlock,
  direction: 'ingress' | 'egress',
  record: AwsRecord,
  evaluator: TfEvaluator,
  groupId: string,
): TfAttributeDrift | undefined {
  const written = block.blocks.filter((child) => child.keyword === direction);
  if (!written.length) return undefined;
  const range: SourceRange = {
    ...written[0].range,
    end: written.at(-1)!.range.end,
    endOffset: written.at(-1)!.range.endOffset,
  };
  const ingress = direction === 'ingress';
  const expected: Rule[] = [];
  for (const rule of written) {
    const values: Record<string, unknown> = {};
    for (const attribute of rule.attributes) {
      const value = evaluator.evaluate(attribute.value);
      if (!value.known) return { attribute: direction, status: 'unknown', reason: value.reason, range };
      values[attribute.name] = value.value;
    }
    const base: Rule = {
      IpProtocol: String(values.protocol ?? '-1'),
      ...(values.from_port === undefined ? {} : { FromPort: Number(values.from_port) }),
      ...(values.to_port === undefined ? {} : { ToPort: Number(values.to_port) }),
      ...(typeof values.description === 'string' && values.description ? { Description: values.description } : {}),
    };
    const list = (name: string) => (Array.isArray(values[name]) ? (values[name] as unknown[]).map(String) : []);
    for (const cidr of list('cidr_blocks')) expected.push({ ...base, CidrIp: cidr });
    for (const cidr of list('ipv6_cidr_blocks')) expected.push({ ...base, CidrIpv6: cidr });
    for (const id of list('prefix_list_ids'))
      expected.push({ ...base, [ingress ? 'SourcePrefixListId' : 'DestinationPrefixListId']: id });
    const groups = [...list('security_groups'), ...(values.self === true ? [groupId] : [])];
    for (const id of groups)
      expected.push({ ...base, [ingress ? 'SourceSecurityGroupId' : 'DestinationSecurityGroupId']: id });
  }
  const property = ingress ? 'SecurityGroupIngress' : 'SecurityGroupEgress';
  const support = supportOf('AWS::EC2::SecurityGroup')!;
  const normalized = (support.normalizeExpected?.({ [property]: expected })[property] ?? expected) as Rule[];
  const live = flattenPermissions(ingress ? record.IpPermissions : record.IpPermissionsEgress, direction);
  const findings = compareResource({
    expected: { [property]: normalized },
    live: { [property]: live },
    rules: { compared: [property], unordered: [property] },
  });
  const missing = findings
    .filter((finding) => finding.status === 'drifted' && finding.path.length === 2)
    .map((finding) => ruleText(finding.expected));
  const extra = findings
    .filter((finding) => finding.status === 'drifted' && finding.path.length === 1)
    .flatMap((finding) => (Array.isArray(finding.live) ? finding.live.map(ruleText) : []));
  const drifted = missing.length > 0 || extra.length > 0;
  return {
    attribute: direction,
    status: drifted ? 'drifted' : 'in-sync',
    expected: drifted ? missing : normalized.map(ruleText),
    live: drifted ? extra : live.map(ruleText),
    ...(drifted ? { reason: `${missing.length} rule(s) missing live, ${extra.length} not in the template` } : {}),
    range,
  };
}

/** A live resource's state and key attributes for a hover: one read operation. Undefined when it is gone. */
export async function readLiveSummary(
  reads: ResourceReads,
  region: string,
  type: string,
  id: string,
): Promise<{ state?: string; attributes: Record<string, unknown> } | undefined> {
  const mapping = Object.hasOwn(LIVE_MAPPINGS, type) ? LIVE_MAPPINGS[type] : undefined;
  if (!mapping) return undefined;
  const record = (await readRecords(reads, region, new Map([[type, [id]]]))).records.get(liveKey(mapping.readKey, id));
  if (!record || mapping.gone?.(record)) return undefined;
  return { state: mapping.state?.(record), attributes: mapping.attributes(record) };
}

/** A value as shown in messages: strings bare, the rest as JSON. */
export function showValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
