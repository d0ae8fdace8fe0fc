/** DRS recovery validation: what a recovery would get wrong, found before the recovery. */
import type { LaunchConfiguration, SourceServer } from '@aws-sdk/client-drs';
import type { LaunchTemplateData } from './delta';
import { describeOutcome, type RunContext, type RunFunction } from './editor';
import { ipv4InCidr } from './fieldChecks';
import { loadNetworkFacts, networkRefsOf, type NetworkFacts, type SubnetFacts } from './network';

export type FindingSeverity = 'error' | 'warning' | 'info';

export type RecoveryFindingCode =
  | 'right-sizing-overrides-instance-type'
  | 'device-name-mismatch'
  | 'subnet-required'
  | 'private-ip-outside-subnet'
  | 'security-group-other-vpc'
  | 'security-group-missing'
  | 'subnet-missing'
  | 'launched-version-not-latest'
  | 'instance-type-not-offered'
  | 'launch-template-missing'
  | 'check-not-run';

export interface RecoveryFinding {
  sourceServerId: string;
  code: RecoveryFindingCode;
  severity: FindingSeverity;
  message: string;
  fix: string;
}

/** What validation needs about one source server; gathered in batches by gatherRecoveryFacts. */
export interface RecoveryFacts {
  sourceServerId: string;
  hostname?: string;
  launchConfiguration: Pick<
    LaunchConfiguration,
    'ec2LaunchTemplateID' | 'targetInstanceTypeRightSizingMethod' | 'copyPrivateIp'
  >;
  /** The whole GetLaunchConfiguration answer, when read. */
  fullLaunchConfiguration?: LaunchConfiguration;
  /** Device names of the source server's disks (e.g. /dev/xvda); undefined when unknown. */
  sourceDiskDevices?: string[];
  /** The source server's private IPs (copyPrivateIp copies the first). */
  sourcePrivateIps: string[];
  recommendedInstanceType?: string;
  /** The template's default version (what DRS launches); undefined when the template is missing. */
  template?: { launchTemplateId: string; defaultVersion: number; latestVersion: number; data: LaunchTemplateData };
  /** The subnet the template launches into; undefined when the template names none or it does not exist. */
  subnet?: SubnetFacts;
  /** Whether the template names a subnet that was looked up and not found. */
  subnetMissing?: boolean;
  /** Whether the region has a default VPC; undefined when not checked. */
  hasDefaultVpc?: boolean;
  /** VPC of each security group the template names; a missing entry means it was not found. Undefined when not checked. */
  securityGroupVpcs?: Record<string, string>;
  /** Instance types offered in the subnet's AZ (of those asked about); undefined when not checked. */
  offeredInstanceTypes?: ReadonlySet<string>;
}

/** Pure: every rule over one server's facts. A rule whose facts are missing reports 'check-not-run', never clean. */
export function validateRecoveryLaunch(facts: RecoveryFacts): RecoveryFinding[] {
  const id = facts.sourceServerId;
  const label = facts.hostname ? `${facts.hostname} (${id})` : id;
  const findings: RecoveryFinding[] = [];
  const add = (code: RecoveryFindingCode, severity: FindingSeverity, message: string, fix: string) =>
    findings.push({ sourceServerId: id, code, severity, message, fix });
  const template = facts.template;
  if (!template) {
    add(
      'launch-template-missing',
      'error',
      `${label} has no usable EC2 launch template${facts.launchConfiguration.ec2LaunchTemplateID ? ` (${facts.launchConfiguration.ec2LaunchTemplateID} was not found)` : ''}.`,
      "Save the server's launch settings in DRS, which creates its template.",
    );
    return findings;
  }
  const data = template.data;
  const refs = networkRefsOf(data);
  const rightSizing = facts.launchConfiguration.targetInstanceTypeRightSizingMethod;

  // 1. Right-sizing replaces the template's instance type.
  if ((rightSizing === 'BASIC' || rightSizing === 'IN_AWS') && refs.instanceType) {
    add(
      'right-sizing-overrides-instance-type',
      'warning',
      `${label}: right-sizing ${rightSizing} launches ${facts.recommendedInstanceType ?? 'the type DRS recommends'}, not the template's ${refs.instanceType}.`,
      `Set targetInstanceTypeRightSizingMethod to NONE to launch ${refs.instanceType}, or leave InstanceType to DRS.`,
    );
  }
  // 2. Block device names must be the source server's.
  const mappings = Array.isArray(data.BlockDeviceMappings)
    ? (data.BlockDeviceMappings as Array<{ DeviceName?: string }>)
    : [];
  if (mappings.length) {
    if (!facts.sourceDiskDevices)
      add(
        'check-not-run',
        'warning',
        `${label}: the source server's disks are unknown, so the template's device names were not checked.`,
        "Check that DescribeSourceServers lists the server's disks, then validate again.",
      );
    else {
      const unknown = mappings
        .map((mapping) => mapping.DeviceName)
        .filter((name): name is string => Boolean(name) && !facts.sourceDiskDevices!.includes(name!));
      if (unknown.length)
        add(
          'device-name-mismatch',
          'error',
          `${label}: block device ${unknown.join(', ')} in the template matches no disk of the source server (${facts.sourceDiskDevices.join(', ') || 'none'}).`,
          "Use the source server's device names in BlockDeviceMappings.",
        );
    }
  }
  // 3. Without a subnet, EC2 needs a default VPC.
  if (!refs.subnetId) {
    if (facts.hasDefaultVpc === undefined)
      add(
        'check-not-run',
        'warning',
        `${label}: the template names no subnet and whether the region has a default VPC was not checked.`,
        'Set a subnet in the template.',
      );
    else if (!facts.hasDefaultVpc)
      add(
        'subnet-required',
        'error',
        `${label}: the template names no subnet and the region has no default VPC, so the launch fails.`,
        'Set NetworkInterfaces[0].SubnetId in a new default version.',
      );
  } else if (facts.subnetMissing) {
    add(
      'subnet-missing',
      'error',
      `${label}: subnet ${refs.subnetId} does not exist.`,
      'Pick an existing subnet in a new default version.',
    );
  } else if (!facts.subnet) {
    add(
      'check-not-run',
      'warning',
      `${label}: subnet ${refs.subnetId} could not be read, so the private IP, security groups and instance type were not checked against it.`,
      'Check ec2:DescribeSubnets permission, then validate again.',
    );
  }
  const subnet = facts.subnet;
  // 4. A copied private IP must lie in the subnet.
  if (facts.launchConfiguration.copyPrivateIp && subnet) {
    const ip = facts.sourcePrivateIps[0];
    if (!ip)
      add(
        'check-not-run',
        'warning',
        `${label}: copyPrivateIp is on but the source server reports no private IP.`,
        'Check the replication agent, or turn copyPrivateIp off.',
      );
    else if (!ipv4InCidr(ip, subnet.cidrBlock))
      add(
        'private-ip-outside-subnet',
        'error',
        `${label}: copyPrivateIp copies ${ip}, which is outside subnet ${subnet.subnetId} (${subnet.cidrBlock}).`,
        `Pick a subnet whose CIDR contains ${ip}, or turn copyPrivateIp off.`,
      );
  }
  // 5. Security groups must be in the subnet's VPC.
  if (refs.securityGroupIds.length) {
    if (!facts.securityGroupVpcs)
      add(
        'check-not-run',
        'warning',
        `${label}: the security groups could not be read.`,
        'Check ec2:DescribeSecurityGroups permission, then validate again.',
      );
    else {
      for (const group of refs.securityGroupIds) {
        const vpc = facts.securityGroupVpcs[group];
        if (!vpc)
          add(
            'security-group-missing',
            'error',
            `${label}: security group ${group} does not exist.`,
            'Remove it from the template or pick an existing group.',
          );
        else if (subnet && vpc !== subnet.vpcId)
          add(
            'security-group-other-vpc',
            'error',
            `${label}: security group ${group} is in ${vpc}, but subnet ${subnet.subnetId} is in ${subnet.vpcId}.`,
            `Use security groups of ${subnet.vpcId}.`,
          );
      }
    }
  }
  // 6. DRS launches the default version.
  if (template.latestVersion > template.defaultVersion) {
    add(
      'launched-version-not-latest',
      'warning',
      `${label}: DRS launches version ${template.defaultVersion} (the default) of ${template.launchTemplateId}; the newer version ${template.latestVersion} is not used.`,
      `Make version ${template.latestVersion} the default if it is the intended configuration.`,
    );
  }
  // 7. The launched instance type must be offered in the AZ.
  const launchedType =
    rightSizing === 'BASIC' || rightSizing === 'IN_AWS' ? facts.recommendedInstanceType : refs.instanceType;
  if (launchedType && subnet) {
    if (!facts.offeredInstanceTypes)
      add(
        'check-not-run',
        'warning',
        `${label}: instance type offerings in ${subnet.availabilityZone} were not checked.`,
        'Check ec2:DescribeInstanceTypeOfferings permission, then validate again.',
      );
    else if (!facts.offeredInstanceTypes.has(launchedType))
      add(
        'instance-type-not-offered',
        'error',
        `${label}: ${launchedType} is not offered in ${subnet.availabilityZone}.`,
        `Pick an instance type offered in ${subnet.availabilityZone}, or a subnet in another AZ.`,
      );
  }
  return findings;
}

/**
 * A source server with what gathering needs; DescribeSourceServers items fit. A launch configuration
 * already read (preflight reads them) saves the GetLaunchConfiguration call.
 */
export type ServerForFacts = {
  sourceServerId: string;
  hostname?: string;
  source?: SourceServer;
  launchConfiguration?: LaunchConfiguration;
};

export interface GatheredFacts {
  facts: RecoveryFacts[];
  errors: Array<{ sourceServerId: string; message: string }>;
  apiCalls: number;
}

const CONCURRENCY = 32;
/**
 * From this many servers (and templates) on, the templates' $Default/$Latest versions are read with
 * account-wide DescribeLaunchTemplateVersions pages (200 versions each) instead of one call per template.
 */
export const ACCOUNT_WIDE_TEMPLATE_THRESHOLD = 20;
/** Account-wide pages read at most (10,000 versions); templates not found by then are read one by one. */
const MAX_ACCOUNT_WIDE_PAGES = 50;

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index]);
      }
    }),
  );
  return results;
}

type RawVersion = {
  LaunchTemplateId?: string;
  VersionNumber?: number;
  DefaultVersion?: boolean;
  LaunchTemplateData?: LaunchTemplateData;
};
type TemplateRead = { template: NonNullable<RecoveryFacts['template']> } | { missing: true } | { error: string };

function templateOf(launchTemplateId: string, items: RawVersion[]): TemplateRead {
  const defaultVersion = items.find((item) => item.DefaultVersion) ?? items[0];
  if (!defaultVersion?.VersionNumber) return { missing: true };
  return {
    template: {
      launchTemplateId,
      defaultVersion: defaultVersion.VersionNumber,
      latestVersion: Math.max(...items.map((item) => item.VersionNumber ?? 0)),
      data: defaultVersion.LaunchTemplateData ?? {},
    },
  };
}

/**
 * Every template's $Default and $Latest version in account-wide DescribeLaunchTemplateVersions pages, read
 * while the launch configurations are (which name the templates). Once `want` says which templates matter,
 * paging stops as soon as every one was seen, or at once when they are too few to be worth it.
 */
class AccountWideListing {
  private wanted?: Set<string>;
  readonly seen = new Map<string, RawVersion[]>();
  complete = false;
  readonly done: Promise<void>;

  constructor(
    private readonly run: RunFunction,
    private readonly options: Parameters<RunFunction>[2],
    private readonly countCall: () => void,
  ) {
    this.done = this.read();
  }

  want(templateIds: Set<string>): void {
    this.wanted = templateIds;
    for (const id of [...this.seen.keys()]) if (!templateIds.has(id)) this.seen.delete(id);
  }

  /** Both aliases of a template may straddle a page boundary: seen whole means two items. */
  seenWhole(id: string): boolean {
    return (this.seen.get(id)?.length ?? 0) >= 2;
  }

  private async read(): Promise<void> {
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_ACCOUNT_WIDE_PAGES; page += 1) {
      const wanted = this.wanted;
      if (wanted && (wanted.size < ACCOUNT_WIDE_TEMPLATE_THRESHOLD || [...wanted].every((id) => this.seenWhole(id))))
        return;
      this.countCall();
      const outcome = await this.run(
        'ec2.launchTemplates.versions',
        { versions: ['$Default', '$Latest'], maxResults: 200, ...(nextToken ? { nextToken } : {}) },
        this.options,
      );
      if (outcome.status !== 'succeeded') return; // what was not seen is read per template
      const output = outcome.output as { items: RawVersion[]; nextToken?: string };
      for (const item of output.items) {
        const id = item.LaunchTemplateId;
        if (id && (!this.wanted || this.wanted.has(id)))
          (this.seen.get(id) ?? this.seen.set(id, []).get(id)!).push(item);
      }
      nextToken = output.nextToken || undefined;
      if (!nextToken) {
        this.complete = true;
        return;
      }
    }
  }
}

/**
 * The default and latest version of each template: from the account-wide listing when there is one (a
 * template missing from a complete listing does not exist), one DescribeLaunchTemplateVersions per template
 * for the rest.
 */
async function readTemplates(
  run: RunFunction,
  options: Parameters<RunFunction>[2],
  templateIds: string[],
  countCall: () => void,
  listing: AccountWideListing | undefined,
): Promise<Map<string, TemplateRead>> {
  const reads = new Map<string, TemplateRead>();
  if (listing) {
    listing.want(new Set(templateIds));
    await listing.done;
    for (const id of templateIds) {
      const items = listing.seen.get(id);
      if (items?.length && (listing.complete || listing.seenWhole(id))) reads.set(id, templateOf(id, items));
      else if (listing.complete) reads.set(id, { missing: true });
    }
  }
  const rest = templateIds.filter((id) => !reads.has(id));
  await mapLimited(rest, CONCURRENCY, async (id) => {
    countCall();
    const outcome = await run(
      'ec2.launchTemplates.versions',
      { launchTemplateId: id, versions: ['$Default', '$Latest'] },
      options,
    );
    if (outcome.status === 'succeeded')
      reads.set(id, templateOf(id, (outcome.output as { items: RawVersion[] }).items));
    else if (outcome.error?.code && /NotFound/i.test(outcome.error.code)) reads.set(id, { missing: true });
    else reads.set(id, { error: describeOutcome(outcome) });
  });
  return reads;
}

/**
 * Reads the facts for many servers: DescribeSourceServers per 200 (unless given), GetLaunchConfiguration per
 * server (unless given), the templates' $Default and $Latest versions (per template, or account-wide pages
 * for many), and subnets, groups, offerings once for all.
 * `override` changes a server's template data and launch configuration before the network facts are read
 * (bulk dry-runs validate the result of a change).
 */
export async function gatherRecoveryFacts(
  run: RunFunction,
  context: RunContext,
  servers: ServerForFacts[],
  override?: (fact: RecoveryFacts) => RecoveryFacts,
): Promise<GatheredFacts> {
  const options = { caller: context.caller, mode: 'execute' as const, region: context.region, signal: context.signal };
  let apiCalls = 0;
  const errors: GatheredFacts['errors'] = [];
  const sources = new Map<string, SourceServer>();
  for (const server of servers) if (server.source) sources.set(server.sourceServerId, server.source);
  const unknown = servers.filter((server) => !server.source).map((server) => server.sourceServerId);
  for (let index = 0; index < unknown.length; index += 200) {
    apiCalls += 1;
    const outcome = await run(
      'drs.sourceServers.list',
      { sourceServerIds: unknown.slice(index, index + 200), maxResults: 200 },
      options,
    );
    if (outcome.status === 'succeeded')
      for (const item of (outcome.output as { items: SourceServer[] }).items)
        if (item.sourceServerID) sources.set(item.sourceServerID, item);
  }

  const countCall = () => (apiCalls += 1);
  // Many servers have many templates: list them all meanwhile instead of one call per template.
  const listing =
    servers.length >= ACCOUNT_WIDE_TEMPLATE_THRESHOLD ? new AccountWideListing(run, options, countCall) : undefined;
  const configured = await mapLimited(servers, CONCURRENCY, async (server): Promise<RecoveryFacts | undefined> => {
    let configuration = server.launchConfiguration;
    if (!configuration) {
      apiCalls += 1;
      const outcome = await run('drs.launchConfiguration.get', { sourceServerId: server.sourceServerId }, options);
      if (outcome.status !== 'succeeded') {
        errors.push({ sourceServerId: server.sourceServerId, message: describeOutcome(outcome) });
        return undefined;
      }
      configuration = outcome.output as LaunchConfiguration;
    }
    const source = sources.get(server.sourceServerId);
    return {
      sourceServerId: server.sourceServerId,
      hostname: server.hostname ?? source?.sourceProperties?.identificationHints?.hostname,
      launchConfiguration: {
        ec2LaunchTemplateID: configuration.ec2LaunchTemplateID,
        targetInstanceTypeRightSizingMethod: configuration.targetInstanceTypeRightSizingMethod,
        copyPrivateIp: configuration.copyPrivateIp,
      },
      fullLaunchConfiguration: configuration,
      sourceDiskDevices: source?.sourceProperties?.disks
        ? source.sourceProperties.disks.map((disk) => disk.deviceName ?? '').filter(Boolean)
        : undefined,
      sourcePrivateIps: (source?.sourceProperties?.networkInterfaces ?? []).flatMap((nic) => nic.ips ?? []),
      recommendedInstanceType: source?.sourceProperties?.recommendedInstanceType,
    };
  });
  const templateIds = [
    ...new Set(
      configured.map((fact) => fact?.launchConfiguration.ec2LaunchTemplateID).filter((id): id is string => Boolean(id)),
    ),
  ];
  const templates = await readTemplates(run, options, templateIds, countCall, listing);
  const facts: RecoveryFacts[] = [];
  for (const fact of configured) {
    if (!fact) continue;
    const templateId = fact.launchConfiguration.ec2LaunchTemplateID;
    const read = templateId ? templates.get(templateId) : undefined;
    if (read && 'error' in read) {
      errors.push({ sourceServerId: fact.sourceServerId, message: read.error });
      continue;
    }
    if (read && 'template' in read) fact.template = { ...read.template };
    facts.push(override ? override(fact) : fact);
  }

  // Shared reads for every server at once.
  const subnetIds = new Set<string>();
  const groupIds = new Set<string>();
  let needDefaultVpc = false;
  for (const fact of facts) {
    if (!fact.template) continue;
    const refs = networkRefsOf(fact.template.data);
    if (refs.subnetId) subnetIds.add(refs.subnetId);
    else needDefaultVpc = true;
    for (const group of refs.securityGroupIds) groupIds.add(group);
  }
  const network = await loadNetworkFacts(run, context, {
    subnetIds: [...subnetIds],
    securityGroupIds: [...groupIds],
    defaultVpc: needDefaultVpc,
  });
  const typesByAz = new Map<string, Set<string>>();
  for (const fact of facts) {
    if (!fact.template) continue;
    const refs = networkRefsOf(fact.template.data);
    const subnet = refs.subnetId ? network.subnets.get(refs.subnetId) : undefined;
    const rightSizing = fact.launchConfiguration.targetInstanceTypeRightSizingMethod;
    const type = rightSizing === 'BASIC' || rightSizing === 'IN_AWS' ? fact.recommendedInstanceType : refs.instanceType;
    if (subnet && type)
      (
        typesByAz.get(subnet.availabilityZone) ??
        typesByAz.set(subnet.availabilityZone, new Set()).get(subnet.availabilityZone)!
      ).add(type);
  }
  const offerings = typesByAz.size
    ? await loadNetworkFacts(run, context, { subnetIds: [], securityGroupIds: [], instanceTypesByAz: typesByAz })
    : undefined;
  apiCalls += network.apiCalls + (offerings?.apiCalls ?? 0);
  for (const fact of facts) applyNetworkFacts(fact, network, offerings);
  return { facts, errors, apiCalls };
}

function applyNetworkFacts(fact: RecoveryFacts, network: NetworkFacts, offerings: NetworkFacts | undefined): void {
  if (!fact.template) return;
  const refs = networkRefsOf(fact.template.data);
  if (refs.subnetId && !network.notChecked.has('subnets')) {
    fact.subnet = network.subnets.get(refs.subnetId);
    fact.subnetMissing = !fact.subnet;
  }
  if (!refs.subnetId && !network.notChecked.has('default-vpc')) fact.hasDefaultVpc = network.hasDefaultVpc;
  if (!network.notChecked.has('security-groups'))
    fact.securityGroupVpcs = Object.fromEntries(
      refs.securityGroupIds
        .filter((group) => network.groupVpcs.has(group))
        .map((group) => [group, network.groupVpcs.get(group)!]),
    );
  if (fact.subnet && offerings && !offerings.notChecked.has('offerings'))
    fact.offeredInstanceTypes = offerings.offerings.get(fact.subnet.availabilityZone) ?? new Set();
}

/** A server preflight validates: its launch configuration when preflight read it already. */
export type PreflightLaunchServer = ServerForFacts & { region: string; hostname: string };

/**
 * The recovery checks for DR preflight (PreflightInput.launchValidation): facts gathered per region, every
 * rule run; a server whose facts could not be read gets a 'check-not-run' finding.
 */
export function preflightLaunchValidation(
  run: RunFunction,
  context: RunContext,
): (servers: PreflightLaunchServer[]) => Promise<RecoveryFinding[]> {
  return async (servers) => {
    const byRegion = new Map<string, PreflightLaunchServer[]>();
    for (const server of servers) byRegion.set(server.region, [...(byRegion.get(server.region) ?? []), server]);
    const findings: RecoveryFinding[] = [];
    for (const [region, inRegion] of byRegion) {
      const gathered = await gatherRecoveryFacts(run, { ...context, region }, inRegion);
      for (const fact of gathered.facts) findings.push(...validateRecoveryLaunch(fact));
      for (const error of gathered.errors)
        findings.push({
          sourceServerId: error.sourceServerId,
          code: 'check-not-run',
          severity: 'warning',
          message: `${error.sourceServerId}: launch settings could not be read for validation: ${error.message}`,
          fix: 'Check the EC2 and DRS read permissions, then run preflight again.',
        });
    }
    return findings;
  };
}
