/**
 * Explorer actions: which registry operation each context-menu command runs on which resource type, what
 * it asks first, and how its input is built from the resource. The VS Code adapter only asks the prompts and
 * runs the operation through the shared OperationRunner.
 */

/** What the action needs from an explorer resource (a ResourceSummary). */
export interface ActionResource {
  type: string;
  id: string;
  name: string;
  arn?: string;
  tags: Record<string, string>;
  raw?: unknown;
}

export interface PromptSpec {
  key: string;
  title: string;
  kind: 'pick' | 'text';
  placeholder?: string;
  /** Choices for `pick`; `allowOther` adds a free-text entry. */
  options?(resource: ActionResource): Array<{ label: string; description?: string; value: string }>;
  allowOther?: boolean;
  optional?: boolean;
  validate?(value: string, resource: ActionResource): string | undefined;
}

export interface ResourceActionSpec {
  /** Command id, `pilotLight.action.<name>`. */
  command: string;
  title: string;
  types: readonly string[];
  /** Menu group in the explorer's context menu. */
  group: string;
  operationId(resource: ActionResource): string;
  prompts?: PromptSpec[];
  input(resource: ActionResource, answers: Record<string, string>): Record<string, unknown>;
  /** Lines shown after success, e.g. "Stopping web-1". */
  done: string;
}

export const TAGGABLE_TYPES = Object.freeze([
  'ec2:instance',
  'ec2:volume',
  'ec2:snapshot',
  'ec2:elastic-ip',
  'ec2:security-group',
  'ec2:vpc',
  'ec2:subnet',
  'ec2:route-table',
  'ec2:internet-gateway',
  'ec2:nat-gateway',
  'ec2:image',
  'ec2:launch-template',
]);

export const COMMON_INSTANCE_TYPES = Object.freeze([
  't3.micro',
  't3.small',
  't3.medium',
  't3.large',
  't3.xlarge',
  'm5.large',
  'm5.xlarge',
  'c5.large',
  'c5.xlarge',
  'r5.large',
]);

const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
const IPV4_CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;
const IPV6_CIDR = /^[0-9a-fA-F:]+\/\d{1,3}$/;
const SG_ID = /^sg-[0-9a-f]{8,17}$/;

/** "22", "8000-8080" or "all". */
export function parsePorts(text: string): { fromPort: number; toPort: number } | undefined {
  const match = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5}))?\s*$/.exec(text);
  if (!match) return undefined;
  const fromPort = Number(match[1]);
  const toPort = Number(match[2] ?? match[1]);
  if (fromPort > 65535 || toPort > 65535 || fromPort > toPort) return undefined;
  return { fromPort, toPort };
}

/** "Key=Value" (the value may be empty). */
export function parseTag(text: string): { key: string; value: string } | undefined {
  const index = text.indexOf('=');
  if (index <= 0) return undefined;
  const key = text.slice(0, index).trim();
  const value = text.slice(index + 1).trim();
  if (!key || key.length > 128 || value.length > 256 || /^aws:/i.test(key)) return undefined;
  return { key, value };
}

function peerOf(source: string): Record<string, string> {
  if (SG_ID.test(source)) return { sourceSecurityGroupId: source };
  if (IPV6_CIDR.test(source) && source.includes(':')) return { cidrIpv6: source };
  return { cidrIpv4: source };
}

const PROTOCOLS: Record<string, string> = {
  '-1': 'all',
  tcp: 'tcp',
  udp: 'udp',
  icmp: 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
  icmpv6: 'icmpv6',
};

interface RawPermission {
  IpProtocol?: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges?: Array<{ CidrIp?: string }>;
  Ipv6Ranges?: Array<{ CidrIpv6?: string }>;
  UserIdGroupPairs?: Array<{ GroupId?: string }>;
  PrefixListIds?: Array<{ PrefixListId?: string }>;
}

/** A security-group rule node (`sg-…#inbound-0-1`) as the rule input of revokeIngress / revokeEgress. */
export function ruleFromNode(resource: ActionResource): {
  groupId: string;
  direction: 'ingress' | 'egress';
  rule: Record<string, unknown>;
} {
  const match = /^(sg-[0-9a-f]+)#(inbound|outbound)-(\d+)-(\d+)$/.exec(resource.id);
  if (!match) throw new Error(`"${resource.id}" is not a security group rule.`);
  const permission = (resource.raw ?? {}) as RawPermission;
  const peers = [
    ...(permission.IpRanges ?? []).map((range) => ({ cidrIpv4: range.CidrIp })),
    ...(permission.Ipv6Ranges ?? []).map((range) => ({ cidrIpv6: range.CidrIpv6 })),
    ...(permission.UserIdGroupPairs ?? []).map((pair) => ({ sourceSecurityGroupId: pair.GroupId })),
    ...(permission.PrefixListIds ?? []).map((prefix) => ({ prefixListId: prefix.PrefixListId })),
  ];
  const peer = peers[Number(match[4])];
  if (!peer) throw new Error(`The rule ${resource.id} has no source or destination to revoke.`);
  const protocol = PROTOCOLS[String(permission.IpProtocol)] ?? String(permission.IpProtocol);
  const rule: Record<string, unknown> = { protocol, ...peer };
  if (protocol !== 'all') {
    rule.fromPort = permission.FromPort ?? -1;
    rule.toPort = permission.ToPort ?? -1;
  }
  return { groupId: match[1], direction: match[2] === 'inbound' ? 'ingress' : 'egress', rule };
}

/** The role name and policy ARN of an attached-policy node (`<role>/<arn>`). */
export function attachedPolicyOf(resource: ActionResource): { roleName: string; policyArn: string } {
  const index = resource.id.indexOf('/arn:');
  if (index <= 0) throw new Error(`"${resource.id}" is not an attached policy.`);
  return { roleName: resource.id.slice(0, index), policyArn: resource.arn ?? resource.id.slice(index + 1) };
}

const instanceAction = (
  verb: 'start' | 'stop' | 'reboot' | 'terminate',
  title: string,
  group: string,
  done: string,
): ResourceActionSpec => ({
  command: `pilotLight.action.${verb}Instance`,
  title,
  types: ['ec2:instance'],
  group,
  operationId: () => `ec2.instances.${verb}`,
  input: (resource) => ({ instanceIds: [resource.id] }),
  done,
});

interface EcsServiceRecord {
  clusterArn?: string;
  serviceName?: string;
  desiredCount?: number;
}

const COUNT = /^\s*\d{1,5}\s*$/;

/** ECS and EKS actions: scale a service, deploy an image, stop a task, scale a node group. */
const CONTAINER_ACTIONS: ResourceActionSpec[] = [
  {
    command: 'pilotLight.action.scaleEcsService',
    title: 'Scale Service…',
    types: ['ecs:service'],
    group: '2_lifecycle@1',
    operationId: () => 'ecs.services.scale',
    prompts: [
      {
        key: 'desiredCount',
        title: 'Desired task count',
        kind: 'text',
        placeholder: '3',
        validate: (value) => (COUNT.test(value) ? undefined : 'Enter a number of tasks, e.g. 3.'),
      },
    ],
    input: (resource, answers) => {
      const service = (resource.raw ?? {}) as EcsServiceRecord;
      return {
        cluster: service.clusterArn ?? '',
        service: service.serviceName ?? resource.name,
        desiredCount: Number(answers.desiredCount.trim()),
      };
    },
    done: 'Scaling',
  },
  {
    command: 'pilotLight.action.deployEcsImage',
    title: 'Deploy Image…',
    types: ['ecs:service'],
    group: '2_lifecycle@2',
    operationId: () => 'ecs.services.deployImage',
    prompts: [
      {
        key: 'image',
        title: 'Image to deploy (a new task definition revision with only this image changed)',
        kind: 'text',
        placeholder: 'my-api:1.4 (the registry of the current image is kept) or a full image reference',
        validate: (value) =>
          /^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,1023}$/.test(value.trim())
            ? undefined
            : 'Enter an image such as my-api:1.4.',
      },
    ],
    input: (resource, answers) => {
      const service = (resource.raw ?? {}) as EcsServiceRecord;
      return {
        cluster: service.clusterArn ?? '',
        service: service.serviceName ?? resource.name,
        image: answers.image.trim(),
      };
    },
    done: 'Deploying to',
  },
  {
    command: 'pilotLight.action.stopEcsTask',
    title: 'Stop Task…',
    types: ['ecs:task'],
    group: '2_lifecycle@1',
    operationId: () => 'ecs.tasks.stop',
    input: (resource) => ({
      cluster: (resource.raw as { clusterArn?: string } | undefined)?.clusterArn ?? '',
      task: resource.id,
    }),
    done: 'Stopping',
  },
  {
    command: 'pilotLight.action.scaleEksNodegroup',
    title: 'Scale Node Group…',
    types: ['eks:nodegroup'],
    group: '2_lifecycle@1',
    operationId: () => 'eks.nodegroups.scale',
    prompts: [
      {
        key: 'desiredSize',
        title: "Desired node count (within the group's min and max)",
        kind: 'text',
        placeholder: '3',
        validate: (value) => (COUNT.test(value) ? undefined : 'Enter a number of nodes, e.g. 3.'),
      },
    ],
    input: (resource, answers) => {
      const group = (resource.raw ?? {}) as { clusterName?: string; nodegroupName?: string };
      return {
        clusterName: group.clusterName ?? '',
        nodegroupName: group.nodegroupName ?? resource.name,
        desiredSize: Number(answers.desiredSize.trim()),
      };
    },
    done: 'Scaling',
  },
];

export const RESOURCE_ACTIONS: readonly ResourceActionSpec[] = Object.freeze([
  instanceAction('start', 'Start Instance', '2_lifecycle@1', 'Starting'),
  instanceAction('stop', 'Stop Instance', '2_lifecycle@2', 'Stopping'),
  instanceAction('reboot', 'Reboot Instance', '2_lifecycle@3', 'Rebooting'),
  {
    command: 'pilotLight.action.changeInstanceType',
    title: 'Change Instance Type…',
    types: ['ec2:instance'],
    group: '2_lifecycle@4',
    operationId: () => 'ec2.instances.changeType',
    prompts: [
      {
        key: 'instanceType',
        title: 'New instance type (the instance must be stopped)',
        kind: 'pick',
        allowOther: true,
        placeholder: 't3.large',
        options: (resource) =>
          COMMON_INSTANCE_TYPES.map((type) => ({
            label: type,
            value: type,
            description:
              (resource.raw as { InstanceType?: string } | undefined)?.InstanceType === type ? 'current' : undefined,
          })),
        validate: (value) =>
          INSTANCE_TYPE.test(value.trim()) ? undefined : 'Enter an instance type such as t3.large.',
      },
    ],
    input: (resource, answers) => ({ instanceId: resource.id, instanceType: answers.instanceType.trim() }),
    done: 'Changed the type of',
  },
  instanceAction('terminate', 'Terminate Instance…', '4_delete@1', 'Terminating'),
  {
    command: 'pilotLight.action.createSnapshot',
    title: 'Create Snapshot…',
    types: ['ec2:volume'],
    group: '2_lifecycle@1',
    operationId: () => 'ec2.snapshots.create',
    prompts: [
      {
        key: 'description',
        title: 'Snapshot description (optional)',
        kind: 'text',
        optional: true,
        validate: (value) => (value.length > 255 ? 'At most 255 characters.' : undefined),
      },
    ],
    input: (resource, answers) => ({
      volumeId: resource.id,
      ...(answers.description?.trim() ? { description: answers.description.trim() } : {}),
    }),
    done: 'Snapshot started for',
  },
  {
    command: 'pilotLight.action.deleteVolume',
    title: 'Delete Volume…',
    types: ['ec2:volume'],
    group: '4_delete@1',
    operationId: () => 'ec2.volumes.delete',
    input: (resource) => ({ volumeId: resource.id }),
    done: 'Deleted',
  },
  {
    command: 'pilotLight.action.deleteSnapshot',
    title: 'Delete Snapshot…',
    types: ['ec2:snapshot'],
    group: '4_delete@1',
    operationId: () => 'ec2.snapshots.delete',
    input: (resource) => ({ snapshotId: resource.id }),
    done: 'Deleted',
  },
  {
    command: 'pilotLight.action.releaseAddress',
    title: 'Release Elastic IP…',
    types: ['ec2:elastic-ip'],
    group: '4_delete@1',
    operationId: () => 'ec2.addresses.release',
    input: (resource) => ({ allocationId: resource.id }),
    done: 'Released',
  },
  {
    command: 'pilotLight.action.addInboundRule',
    title: 'Add Inbound Rule…',
    types: ['ec2:security-group'],
    group: '2_lifecycle@1',
    operationId: () => 'ec2.securityGroups.authorizeIngress',
    prompts: [
      {
        key: 'protocol',
        title: 'Protocol',
        kind: 'pick',
        options: () => ['tcp', 'udp', 'icmp', 'all'].map((value) => ({ label: value, value })),
      },
      {
        key: 'ports',
        title: 'Port or range, e.g. 443 or 8000-8080 (ignored for "all" and icmp)',
        kind: 'text',
        placeholder: '443',
        validate: (value) =>
          value.trim() === '' || parsePorts(value) ? undefined : 'Enter a port (443) or a range (8000-8080).',
      },
      {
        key: 'source',
        title: 'Source: an IPv4/IPv6 CIDR or a security group ID',
        kind: 'text',
        placeholder: '10.0.0.0/16',
        validate: (value) =>
          IPV4_CIDR.test(value.trim()) || IPV6_CIDR.test(value.trim()) || SG_ID.test(value.trim())
            ? undefined
            : 'Enter a CIDR such as 10.0.0.0/16 or ::/0, or a group ID such as sg-0123456789abcdef0.',
      },
    ],
    input: (resource, answers) => {
      const protocol = answers.protocol;
      const ports =
        protocol === 'all' ? undefined : protocol === 'icmp' ? { fromPort: -1, toPort: -1 } : parsePorts(answers.ports);
      return { groupId: resource.id, rules: [{ protocol, ...(ports ?? {}), ...peerOf(answers.source.trim()) }] };
    },
    done: 'Added a rule to',
  },
  {
    command: 'pilotLight.action.revokeRule',
    title: 'Revoke Rule…',
    types: ['ec2:security-group-rule'],
    group: '4_delete@1',
    operationId: (resource) =>
      ruleFromNode(resource).direction === 'ingress'
        ? 'ec2.securityGroups.revokeIngress'
        : 'ec2.securityGroups.revokeEgress',
    input: (resource) => {
      const { groupId, rule } = ruleFromNode(resource);
      return { groupId, rules: [rule] };
    },
    done: 'Revoked',
  },
  {
    command: 'pilotLight.action.deleteSecurityGroup',
    title: 'Delete Security Group…',
    types: ['ec2:security-group'],
    group: '4_delete@1',
    operationId: () => 'ec2.securityGroups.delete',
    input: (resource) => ({ groupId: resource.id }),
    done: 'Deleted',
  },
  {
    command: 'pilotLight.action.createSecurityGroup',
    title: 'Create Security Group…',
    types: ['ec2:vpc'],
    group: '2_lifecycle@1',
    operationId: () => 'ec2.securityGroups.create',
    prompts: [
      {
        key: 'groupName',
        title: 'Group name',
        kind: 'text',
        validate: (value) =>
          !value.trim()
            ? 'Enter a name.'
            : /^sg-/i.test(value.trim())
              ? 'Names cannot start with "sg-".'
              : value.length > 255
                ? 'At most 255 characters.'
                : undefined,
      },
      {
        key: 'description',
        title: 'Description',
        kind: 'text',
        validate: (value) =>
          !value.trim() ? 'Enter a description.' : value.length > 255 ? 'At most 255 characters.' : undefined,
      },
    ],
    input: (resource, answers) => ({
      vpcId: resource.id,
      groupName: answers.groupName.trim(),
      description: answers.description.trim(),
      ...(resource.tags.Environment ? { tags: { Environment: resource.tags.Environment } } : {}),
    }),
    done: 'Created a security group in',
  },
  {
    command: 'pilotLight.action.deleteVpc',
    title: 'Delete VPC…',
    types: ['ec2:vpc'],
    group: '4_delete@2',
    operationId: () => 'ec2.vpcs.delete',
    input: (resource) => ({ vpcId: resource.id }),
    done: 'Deleted',
  },
  {
    command: 'pilotLight.action.launchFromTemplate',
    title: 'Launch Instances from Template…',
    types: ['ec2:launch-template'],
    group: '2_lifecycle@1',
    operationId: () => 'ec2.instances.launchFromTemplate',
    prompts: [
      {
        key: 'count',
        title: 'How many instances?',
        kind: 'pick',
        options: () => ['1', '2', '3'].map((value) => ({ label: value, value })),
      },
    ],
    input: (resource, answers) => ({ launchTemplateId: resource.id, count: Number(answers.count) || 1 }),
    done: 'Launched from',
  },
  {
    command: 'pilotLight.action.attachRolePolicy',
    title: 'Attach Managed Policy…',
    types: ['iam:role'],
    group: '2_lifecycle@1',
    operationId: () => 'iam.roles.attachPolicy',
    prompts: [
      {
        key: 'policyArn',
        title: 'Managed policy ARN',
        kind: 'pick',
        allowOther: true,
        placeholder: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
        options: () =>
          [
            'ReadOnlyAccess',
            'AmazonSSMManagedInstanceCore',
            'CloudWatchAgentServerPolicy',
            'AmazonS3ReadOnlyAccess',
          ].map((name) => ({ label: name, value: `arn:aws:iam::aws:policy/${name}` })),
        validate: (value) =>
          /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/.+$/.test(value.trim())
            ? undefined
            : 'Enter a policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess.',
      },
    ],
    input: (resource, answers) => ({ roleName: resource.name, policyArn: answers.policyArn.trim() }),
    done: 'Attached a policy to',
  },
  {
    command: 'pilotLight.action.detachRolePolicy',
    title: 'Detach Policy…',
    types: ['iam:attached-policy'],
    group: '4_delete@1',
    operationId: () => 'iam.roles.detachPolicy',
    input: (resource) => attachedPolicyOf(resource),
    done: 'Detached',
  },
  {
    command: 'pilotLight.action.addTag',
    title: 'Add Tag…',
    types: TAGGABLE_TYPES,
    group: '3_tags@1',
    operationId: () => 'ec2.tags.add',
    prompts: [
      {
        key: 'tag',
        title: 'Tag as Key=Value (an existing key gets the new value)',
        kind: 'text',
        placeholder: 'Owner=platform-team',
        validate: (value) => (parseTag(value) ? undefined : 'Enter Key=Value; keys cannot start with "aws:".'),
      },
    ],
    input: (resource, answers) => {
      const tag = parseTag(answers.tag)!;
      return { resourceIds: [resource.id], tags: { [tag.key]: tag.value } };
    },
    done: 'Tagged',
  },
  {
    command: 'pilotLight.action.removeTag',
    title: 'Remove Tag…',
    types: TAGGABLE_TYPES,
    group: '3_tags@2',
    operationId: () => 'ec2.tags.remove',
    prompts: [
      {
        key: 'key',
        title: 'Tag to remove',
        kind: 'pick',
        options: (resource) =>
          Object.entries(resource.tags).map(([key, value]) => ({ label: key, description: value, value: key })),
      },
    ],
    input: (resource, answers) => ({ resourceIds: [resource.id], keys: [answers.key] }),
    done: 'Removed a tag from',
  },
  ...CONTAINER_ACTIONS,
] satisfies ResourceActionSpec[]);

export function resourceAction(command: string): ResourceActionSpec | undefined {
  return RESOURCE_ACTIONS.find((action) => action.command === command);
}

/** The `when` clause that shows an action on its resource types in the explorer. */
export function menuWhen(spec: ResourceActionSpec): string {
  const types = spec.types.map((type) => type.replace(/[.*+?^${}()|[\]\\/]/g, (char) => `\\${char}`));
  const pattern = types.length === 1 ? types[0] : `(${types.join('|')})`;
  return `view == pilotLight.explorer && viewItem =~ /^pilotLight\\.resource ${pattern}( |$)/`;
}
