import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { ec2Service } from '../../aws/services';
import { securityGroupDependents } from '../../guardrails/dependencyChecks';
import { defineOperation } from '../define';
import { plural, securityGroupId, tagsSchema, tagSpecifications, vpcId } from '../schemaParts';
import { securityGroupTargets, vpcTargets } from './targets';

/** Ports that should never be open to the whole internet. */
export const ADMIN_PORTS: Record<number, string> = {
  22: 'SSH',
  3389: 'RDP',
  3306: 'MySQL',
  5432: 'PostgreSQL',
  1433: 'SQL Server',
  6379: 'Redis',
  27017: 'MongoDB',
  9200: 'Elasticsearch',
  2375: 'Docker',
  5900: 'VNC',
  23: 'Telnet',
};

const ruleSchema = z
  .object({
    protocol: z.enum(['tcp', 'udp', 'icmp', 'icmpv6', 'all']).describe('"all" means every protocol and port.'),
    fromPort: z.number().int().min(-1).max(65535).optional(),
    toPort: z.number().int().min(-1).max(65535).optional(),
    cidrIpv4: z
      .string()
      .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, 'Expected an IPv4 CIDR such as 10.0.0.0/16.')
      .optional(),
    cidrIpv6: z
      .string()
      .regex(/^[0-9a-fA-F:]+\/\d{1,3}$/, 'Expected an IPv6 CIDR such as ::/0.')
      .optional(),
    sourceSecurityGroupId: securityGroupId
      .optional()
      .describe('Another security group as the source (ingress) or destination (egress).'),
    prefixListId: z
      .string()
      .regex(/^pl-[0-9a-f]{8,17}$/, 'Expected a prefix list ID such as pl-0123456789abcdef0.')
      .optional(),
    description: z.string().max(255).optional(),
  })
  .strict()
  .refine(
    (rule) =>
      [rule.cidrIpv4, rule.cidrIpv6, rule.sourceSecurityGroupId, rule.prefixListId].filter(Boolean).length === 1,
    { message: 'Give exactly one of cidrIpv4, cidrIpv6, sourceSecurityGroupId or prefixListId.' },
  )
  .refine((rule) => rule.protocol === 'all' || (rule.fromPort !== undefined && rule.toPort !== undefined), {
    message: 'fromPort and toPort are required unless protocol is "all".',
    path: ['fromPort'],
  })
  .refine(
    (rule) =>
      rule.fromPort === undefined ||
      rule.toPort === undefined ||
      rule.protocol.startsWith('icmp') ||
      rule.fromPort <= rule.toPort,
    { message: 'fromPort must not be greater than toPort.', path: ['toPort'] },
  );

type Rule = z.output<typeof ruleSchema>;

const rulesInput = z.object({ groupId: securityGroupId, rules: z.array(ruleSchema).min(1).max(60) }).strict();

function toPermission(rule: Rule): IpPermission {
  const all = rule.protocol === 'all';
  return {
    IpProtocol: all ? '-1' : rule.protocol === 'icmpv6' ? '58' : rule.protocol,
    FromPort: all ? undefined : rule.fromPort,
    ToPort: all ? undefined : rule.toPort,
    IpRanges: rule.cidrIpv4 ? [{ CidrIp: rule.cidrIpv4, Description: rule.description }] : undefined,
    Ipv6Ranges: rule.cidrIpv6 ? [{ CidrIpv6: rule.cidrIpv6, Description: rule.description }] : undefined,
    UserIdGroupPairs: rule.sourceSecurityGroupId
      ? [{ GroupId: rule.sourceSecurityGroupId, Description: rule.description }]
      : undefined,
    PrefixListIds: rule.prefixListId ? [{ PrefixListId: rule.prefixListId, Description: rule.description }] : undefined,
  };
}

export function describeRule(rule: Rule): string {
  const ports =
    rule.protocol === 'all'
      ? 'all traffic'
      : rule.fromPort === rule.toPort
        ? `${rule.protocol} ${rule.fromPort}`
        : `${rule.protocol} ${rule.fromPort}-${rule.toPort}`;
  const peer = rule.cidrIpv4 ?? rule.cidrIpv6 ?? rule.sourceSecurityGroupId ?? rule.prefixListId;
  return `${ports} ${peer}${rule.description ? ` (${rule.description})` : ''}`;
}

/** Warnings for rules that open admin ports, or everything, to the internet. */
export function exposureWarnings(rules: Rule[]): string[] {
  const warnings: string[] = [];
  for (const rule of rules) {
    const world = rule.cidrIpv4 === '0.0.0.0/0' || rule.cidrIpv6 === '::/0';
    if (!world) continue;
    if (rule.protocol === 'all') {
      warnings.push(`Opens all traffic to the internet (${rule.cidrIpv4 ?? rule.cidrIpv6}).`);
      continue;
    }
    const exposed = Object.entries(ADMIN_PORTS).filter(
      ([port]) => Number(port) >= (rule.fromPort ?? 0) && Number(port) <= (rule.toPort ?? 65535),
    );
    if (exposed.length)
      warnings.push(
        `Opens ${exposed.map(([port, name]) => `${name} (${port})`).join(', ')} to the internet (${rule.cidrIpv4 ?? rule.cidrIpv6}).`,
      );
  }
  return warnings;
}

export const createSecurityGroup = defineOperation({
  id: 'ec2.securityGroups.create',
  service: 'ec2',
  title: 'Create a security group',
  description: 'Creates an empty security group in a VPC (egress to anywhere is allowed by default).',
  kind: 'write',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: true,
  rollbackNote: 'delete the group',
  input: z
    .object({
      vpcId,
      groupName: z
        .string()
        .min(1)
        .max(255)
        .refine((name) => !/^sg-/i.test(name), { message: 'Group names cannot start with "sg-".' }),
      description: z.string().min(1).max(255),
      tags: tagsSchema.optional(),
    })
    .strict(),
  targets: async (ctx, input) => [
    {
      type: 'ec2:security-group',
      id: '(new security group)',
      name: input.groupName,
      action: 'create',
      tags: input.tags ?? {},
    },
    ...(await vpcTargets(ctx, [input.vpcId], 'create in', 'context')),
  ],
  preview: (_ctx, input) => ({
    summary: `Create security group "${input.groupName}" in ${input.vpcId}`,
    changes: [
      `new security group ${input.groupName}: ${input.description}`,
      'no ingress rules; egress to anywhere (AWS default)',
    ],
  }),
  checkPermission: (ctx, input) =>
    ctx.probe(
      ec2Service,
      new CreateSecurityGroupCommand({
        VpcId: input.vpcId,
        GroupName: input.groupName,
        Description: input.description,
        DryRun: true,
      }),
    ),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    const result = await ec2.send(
      new CreateSecurityGroupCommand({
        VpcId: input.vpcId,
        GroupName: input.groupName,
        Description: input.description,
        TagSpecifications: tagSpecifications('security-group', input.tags),
      }),
    );
    return { groupId: result.GroupId! };
  },
  resourceIds: (output) => [output.groupId],
});

function ruleOperation(direction: 'ingress' | 'egress', change: 'authorize' | 'revoke') {
  const verb = change === 'authorize' ? 'Allow' : 'Remove';
  type RuleRequest = { GroupId: string; IpPermissions: IpPermission[]; DryRun?: boolean };
  const command = (request: RuleRequest) =>
    direction === 'ingress'
      ? change === 'authorize'
        ? new AuthorizeSecurityGroupIngressCommand(request)
        : new RevokeSecurityGroupIngressCommand(request)
      : change === 'authorize'
        ? new AuthorizeSecurityGroupEgressCommand(request)
        : new RevokeSecurityGroupEgressCommand(request);
  return defineOperation({
    id: `ec2.securityGroups.${change}${direction === 'ingress' ? 'Ingress' : 'Egress'}`,
    service: 'ec2',
    title: `${change === 'authorize' ? 'Authorize' : 'Revoke'} security group ${direction} rules`,
    description: `${verb}s ${direction} rules ${change === 'authorize' ? 'in' : 'from'} a security group.`,
    kind: 'write',
    destructive: false,
    costImpact: 'none',
    rollbackSupported: true,
    rollbackNote: `${change === 'authorize' ? 'revoke' : 'authorize'} the same rules`,
    input: rulesInput,
    targets: (ctx, input) => securityGroupTargets(ctx, [input.groupId], `${change} ${direction}`),
    preview: (_ctx, input) => ({
      summary: `${verb} ${plural(input.rules.length, `${direction} rule`)} ${change === 'authorize' ? 'in' : 'from'} ${input.groupId}`,
      changes: input.rules.map((rule) => `${change === 'authorize' ? '+' : '-'} ${direction} ${describeRule(rule)}`),
      warnings: change === 'authorize' ? exposureWarnings(input.rules) : [],
    }),
    checkPermission: (ctx, input) =>
      ctx.probe(
        ec2Service,
        command({ GroupId: input.groupId, IpPermissions: input.rules.map(toPermission), DryRun: true }),
      ),
    async handler(ctx, input) {
      const ec2 = await ctx.client(ec2Service);
      const send = ec2.send as (
        request: object,
      ) => Promise<{ SecurityGroupRules?: Array<{ SecurityGroupRuleId?: string }> }>;
      const result = await send(command({ GroupId: input.groupId, IpPermissions: input.rules.map(toPermission) }));
      const ruleIds = result.SecurityGroupRules?.map((rule) => rule.SecurityGroupRuleId!);
      return { groupId: input.groupId, rules: input.rules.length, ruleIds };
    },
    resourceIds: (output) => [output.groupId],
  });
}

export const authorizeIngress = ruleOperation('ingress', 'authorize');
export const revokeIngress = ruleOperation('ingress', 'revoke');
export const authorizeEgress = ruleOperation('egress', 'authorize');
export const revokeEgress = ruleOperation('egress', 'revoke');

export const deleteSecurityGroup = defineOperation({
  id: 'ec2.securityGroups.delete',
  service: 'ec2',
  title: 'Delete a security group',
  description: 'Deletes a security group that no network interface or other group still uses.',
  kind: 'delete',
  destructive: true,
  costImpact: 'none',
  rollbackSupported: false,
  rollbackNote: 'a deleted group and its rules cannot be restored; recreate them',
  input: z.object({ groupId: securityGroupId }).strict(),
  targets: (ctx, input) => securityGroupTargets(ctx, [input.groupId], 'delete'),
  preview: (_ctx, input, targets) => ({
    summary: `Delete security group ${input.groupId}${targets[0]?.name ? ` (${targets[0].name})` : ''}`,
    changes: [`delete ${input.groupId} and all its rules`],
  }),
  checkPermission: (ctx, input) =>
    ctx.probe(ec2Service, new DeleteSecurityGroupCommand({ GroupId: input.groupId, DryRun: true })),
  checkDependencies: (ctx, input) => securityGroupDependents(ctx, input.groupId),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: input.groupId }));
    return { deleted: input.groupId };
  },
});

export const securityGroupOperations = [
  createSecurityGroup,
  authorizeIngress,
  revokeIngress,
  authorizeEgress,
  revokeEgress,
  deleteSecurityGroup,
];
