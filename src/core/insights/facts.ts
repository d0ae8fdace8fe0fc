/**
 * Compact, plain facts about resources, made from the raw items the registry's read operations return.
 * Chat answers, LM tool results and the /unused and /resources logic work on these, never on SDK types.
 */
import { jobInitiation, replicationDetails, sourceServerHostname } from '../resources/drs';
import { ec2TypeOfId } from '../aws/idPrefixes';

export interface ResolvedEnvironmentLike {
  name: string;
  protected: boolean;
}

/** Resolves a resource's environment from its tags the way the guardrails do. */
export type EnvironmentResolver = (tags: Record<string, string>) => ResolvedEnvironmentLike;

export interface ResourceRef {
  type: string;
  id: string;
  name?: string;
  region?: string;
  environment?: string;
  /** The 12-digit account it was found in (a read across accounts); absent: the active account. */
  account?: string;
}

export interface ResourceFact extends ResourceRef {
  name: string;
  region: string;
  state?: string;
  environment: string;
  protected: boolean;
  tags: Record<string, string>;
  /** Short facts: instance type, size, CIDR, attachment. */
  details: string[];
  arn?: string;
  /** Extra fields some insights need (sizes, attachments, times), never shown verbatim. */
  extra: Record<string, unknown>;
}

/** One listable kind of resource: its registry read operation and the words people use for it. */
export interface ResourceKind {
  type: string;
  title: string;
  operation: string;
  /** Phrases matched as whole words, longest first. */
  words: string[];
  /** Region-less (IAM). */
  global?: boolean;
}

export const RESOURCE_KINDS: readonly ResourceKind[] = Object.freeze([
  {
    type: 'ec2:instance',
    title: 'EC2 instances',
    operation: 'ec2.instances.list',
    words: [
      'ec2 instances',
      'ec2 instance',
      'instances',
      'instance',
      'servers',
      'server',
      'vms',
      'vm',
      'machines',
      'machine',
      'hosts',
      'host',
      'ec2',
    ],
  },
  {
    type: 'ec2:volume',
    title: 'EBS volumes',
    operation: 'ec2.volumes.list',
    words: ['ebs volumes', 'ebs volume', 'volumes', 'volume', 'disks', 'disk', 'ebs'],
  },
  { type: 'ec2:snapshot', title: 'EBS snapshots', operation: 'ec2.snapshots.list', words: ['snapshots', 'snapshot'] },
  {
    type: 'ec2:elastic-ip',
    title: 'Elastic IPs',
    operation: 'ec2.addresses.list',
    words: ['elastic ips', 'elastic ip', 'eips', 'eip', 'ip addresses', 'addresses', 'public ips'],
  },
  {
    type: 'ec2:security-group',
    title: 'Security groups',
    operation: 'ec2.securityGroups.list',
    words: ['security groups', 'security group', 'sgs', 'sg', 'firewalls', 'firewall'],
  },
  { type: 'ec2:vpc', title: 'VPCs', operation: 'ec2.vpcs.list', words: ['vpcs', 'vpc', 'networks'] },
  { type: 'ec2:subnet', title: 'Subnets', operation: 'ec2.subnets.list', words: ['subnets', 'subnet'] },
  { type: 'ec2:image', title: 'AMIs', operation: 'ec2.images.list', words: ['amis', 'ami', 'images', 'image'] },
  {
    type: 'ec2:launch-template',
    title: 'Launch templates',
    operation: 'ec2.launchTemplates.list',
    words: ['launch templates', 'launch template', 'templates'],
  },
  {
    type: 'ec2:key-pair',
    title: 'Key pairs',
    operation: 'ec2.keyPairs.list',
    words: ['key pairs', 'key pair', 'keypairs', 'keypair'],
  },
  {
    type: 'iam:role',
    title: 'IAM roles',
    operation: 'iam.roles.list',
    words: ['iam roles', 'iam role', 'roles', 'role'],
    global: true,
  },
  {
    type: 'drs:source-server',
    title: 'DRS source servers',
    operation: 'drs.sourceServers.list',
    words: [
      'drs source servers',
      'drs source server',
      'source servers',
      'source server',
      'replicating servers',
      'drs servers',
      'replication',
      'drs',
    ],
  },
  {
    type: 'drs:job',
    title: 'DRS jobs',
    operation: 'drs.jobs.list',
    words: ['drs jobs', 'drs job', 'recovery jobs', 'recovery job', 'drill jobs', 'drills', 'drill', 'jobs'],
  },
  {
    type: 'drs:recovery-instance',
    title: 'DRS recovery instances',
    operation: 'drs.recoveryInstances.list',
    words: ['drs recovery instances', 'recovery instances', 'recovery instance'],
  },
] satisfies ResourceKind[]);

export function kindOf(type: string): ResourceKind | undefined {
  return RESOURCE_KINDS.find((kind) => kind.type === type);
}

export function kindForOperation(operationId: string): ResourceKind | undefined {
  return RESOURCE_KINDS.find((kind) => kind.operation === operationId);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw SDK items, read defensively with optional chaining
type Raw = Record<string, any>;

/** Tags as EC2 and IAM give them ([{ Key, Value }]) or as DRS does ({ key: value }). */
function tagRecord(tags: unknown): Record<string, string> {
  const record: Record<string, string> = {};
  if (Array.isArray(tags)) {
    for (const tag of tags) if (tag && typeof tag.Key === 'string') record[tag.Key] = String(tag.Value ?? '');
  } else if (tags && typeof tags === 'object') {
    for (const [key, value] of Object.entries(tags)) record[key] = String(value ?? '');
  }
  return record;
}

function compact(parts: unknown[]): string[] {
  return parts.filter((part) => part !== undefined && part !== null && part !== '' && part !== false).map(String);
}

interface Draft {
  id: string;
  name?: string;
  state?: string;
  tags: Record<string, string>;
  details: string[];
  arn?: string;
  extra?: Record<string, unknown>;
}

const SUMMARIZERS: Record<string, (item: Raw) => Draft> = {
  'ec2:instance': (item) => ({
    id: item.InstanceId,
    state: item.State?.Name,
    tags: tagRecord(item.Tags),
    details: compact([item.InstanceType, item.Placement?.AvailabilityZone, item.PrivateIpAddress]),
    extra: {
      instanceType: item.InstanceType,
      stateReason: item.StateTransitionReason,
      launchTime: item.LaunchTime,
      subnetId: item.SubnetId,
      volumeIds: (item.BlockDeviceMappings ?? []).map((mapping: Raw) => mapping.Ebs?.VolumeId).filter(Boolean),
    },
  }),
  'ec2:volume': (item) => ({
    id: item.VolumeId,
    state: item.State,
    tags: tagRecord(item.Tags),
    details: compact([
      item.Size !== undefined && `${item.Size} GiB`,
      item.VolumeType,
      item.AvailabilityZone,
      ...(item.Attachments ?? []).map((attachment: Raw) => `attached to ${attachment.InstanceId}`),
    ]),
    extra: {
      sizeGiB: item.Size,
      volumeType: item.VolumeType,
      attachedTo: (item.Attachments ?? []).map((attachment: Raw) => attachment.InstanceId).filter(Boolean),
      createTime: item.CreateTime,
    },
  }),
  'ec2:snapshot': (item) => ({
    id: item.SnapshotId,
    name: item.Description || undefined,
    state: item.State,
    tags: tagRecord(item.Tags),
    details: compact([
      item.VolumeSize !== undefined && `${item.VolumeSize} GiB`,
      item.VolumeId && `of ${item.VolumeId}`,
    ]),
    extra: { sizeGiB: item.VolumeSize, volumeId: item.VolumeId, startTime: item.StartTime },
  }),
  'ec2:elastic-ip': (item) => ({
    id: item.AllocationId ?? item.PublicIp,
    name: item.PublicIp,
    state: item.AssociationId ? 'associated' : 'unassociated',
    tags: tagRecord(item.Tags),
    details: compact([
      item.PublicIp,
      item.AssociationId ? `associated with ${item.InstanceId ?? item.NetworkInterfaceId}` : 'not associated',
    ]),
    extra: { associationId: item.AssociationId, publicIp: item.PublicIp },
  }),
  'ec2:security-group': (item) => ({
    id: item.GroupId,
    name: item.GroupName,
    tags: tagRecord(item.Tags),
    details: compact([
      item.VpcId,
      `${item.IpPermissions?.length ?? 0} in / ${item.IpPermissionsEgress?.length ?? 0} out`,
    ]),
    arn: item.SecurityGroupArn,
    extra: {
      vpcId: item.VpcId,
      groupName: item.GroupName,
      ipPermissions: item.IpPermissions ?? [],
      ipPermissionsEgress: item.IpPermissionsEgress ?? [],
    },
  }),
  'ec2:vpc': (item) => ({
    id: item.VpcId,
    state: item.State,
    tags: tagRecord(item.Tags),
    details: compact([item.CidrBlock, item.IsDefault && 'default VPC']),
  }),
  'ec2:subnet': (item) => ({
    id: item.SubnetId,
    state: item.State,
    tags: tagRecord(item.Tags),
    details: compact([item.VpcId, item.CidrBlock, item.AvailabilityZone]),
    arn: item.SubnetArn,
  }),
  'ec2:image': (item) => ({
    id: item.ImageId,
    name: item.Name,
    state: item.State,
    tags: tagRecord(item.Tags),
    details: compact([item.Architecture, item.CreationDate]),
    extra: {
      snapshotIds: (item.BlockDeviceMappings ?? []).map((mapping: Raw) => mapping.Ebs?.SnapshotId).filter(Boolean),
      createdAt: item.CreationDate,
    },
  }),
  'ec2:launch-template': (item) => ({
    id: item.LaunchTemplateId,
    name: item.LaunchTemplateName,
    tags: tagRecord(item.Tags),
    details: compact([`default v${item.DefaultVersionNumber}`, `latest v${item.LatestVersionNumber}`]),
    extra: { createdAt: item.CreateTime },
  }),
  'ec2:key-pair': (item) => ({
    id: item.KeyPairId ?? item.KeyName,
    name: item.KeyName,
    tags: tagRecord(item.Tags),
    details: compact([item.KeyType]),
    extra: { createdAt: item.CreateTime },
  }),
  'iam:role': (item) => ({
    id: item.RoleName,
    name: item.RoleName,
    tags: tagRecord(item.Tags),
    details: compact([item.Path !== '/' && item.Path, item.Description]),
    arn: item.Arn,
    extra: { createdAt: item.CreateDate },
  }),
  'drs:source-server': (item) => ({
    id: item.sourceServerID,
    name: sourceServerHostname(item),
    state: item.dataReplicationInfo?.dataReplicationState,
    tags: tagRecord(item.tags),
    details: [
      ...replicationDetails(item),
      ...compact([item.recoveryInstanceId && `recovery instance ${item.recoveryInstanceId}`]),
    ],
    arn: item.arn,
  }),
  'drs:job': (item) => ({
    id: item.jobID,
    state: item.status,
    tags: tagRecord(item.tags),
    details: compact([
      item.type,
      jobInitiation(item),
      `${item.participatingServers?.length ?? 0} servers`,
      item.creationDateTime,
    ]),
    arn: item.arn,
    extra: { createdAt: item.creationDateTime },
  }),
  'drs:recovery-instance': (item) => ({
    id: item.recoveryInstanceID,
    name: item.ec2InstanceID,
    state: item.ec2InstanceState,
    tags: tagRecord(item.tags),
    details: compact([item.sourceServerID && `of ${item.sourceServerID}`, item.isDrill ? 'drill' : 'recovery']),
    arn: item.arn,
  }),
};

/** Facts for the raw items of one kind; items without an ID are skipped. */
export function toFacts(
  type: string,
  items: unknown[],
  region: string,
  resolveEnvironment: EnvironmentResolver,
): ResourceFact[] {
  const summarize = SUMMARIZERS[type];
  if (!summarize) return [];
  const facts: ResourceFact[] = [];
  for (const item of items) {
    if (!item || typeof item !== 'object') continue;
    const draft = summarize(item as Raw);
    if (!draft.id) continue;
    const environment = resolveEnvironment(draft.tags);
    facts.push({
      type,
      id: String(draft.id),
      name: draft.tags.Name || draft.name || String(draft.id),
      region,
      state: draft.state,
      environment: environment.name,
      protected: environment.protected,
      tags: draft.tags,
      details: draft.details,
      arn: draft.arn,
      extra: draft.extra ?? {},
    });
  }
  return facts;
}

export function refOf(fact: ResourceFact): ResourceRef {
  return { type: fact.type, id: fact.id, name: fact.name, region: fact.region, environment: fact.environment };
}

export const RESOURCE_ID_PATTERN = /\b(i|vol|snap|sg|vpc|subnet|eipalloc|ami|lt|igw|nat|rtb)-[0-9a-f]{8,17}\b/g;

export function typeOfId(id: string): string | undefined {
  return ec2TypeOfId(id);
}

/** Every AWS resource ID mentioned in a text, in order, without duplicates. */
export function resourceIdsIn(text: string): string[] {
  return [...new Set([...text.matchAll(RESOURCE_ID_PATTERN)].map((match) => match[0]))];
}
