/**
 * Security groups open to the world: /security's rule (admin ports or all traffic from 0.0.0.0/0 or ::/0),
 * one insight per group, fixed by revoking exactly the rules that open it.
 */
import { readAll } from '../reads';
import { analyzeSecurityGroup } from '../security';
import { fingerprintOf } from './fingerprint';
import { unknownEnvironment, type SourceOptions } from './sourceOptions';
import type { Insight, InsightSource } from './types';

type Group = Parameters<typeof analyzeSecurityGroup>[0];
type Permission = NonNullable<Group['IpPermissions']>[number];

const WORLD = new Set(['0.0.0.0/0', '::/0']);
const PROTOCOLS: Record<string, 'tcp' | 'udp' | 'all'> = {
  tcp: 'tcp',
  '6': 'tcp',
  udp: 'udp',
  '17': 'udp',
  '-1': 'all',
};

/** The revoke rules for the world-open ranges of a permission that /security flags. */
function worldRules(permission: Permission): Array<Record<string, unknown>> {
  const protocol = PROTOCOLS[String(permission.IpProtocol)];
  if (!protocol) return [];
  const ports =
    protocol === 'all'
      ? {}
      : {
          fromPort: permission.FromPort ?? -1,
          toPort: permission.ToPort ?? -1,
        };
  return [
    ...(permission.IpRanges ?? [])
      .filter((range) => range.CidrIp && WORLD.has(range.CidrIp))
      .map((range) => ({ protocol, ...ports, cidrIpv4: range.CidrIp })),
    ...(permission.Ipv6Ranges ?? [])
      .filter((range) => range.CidrIpv6 && WORLD.has(range.CidrIpv6))
      .map((range) => ({ protocol, ...ports, cidrIpv6: range.CidrIpv6 })),
  ];
}

/** The insight for one group, or undefined when nothing in it is open to the world. */
export function openGroupInsight(
  group: Group,
  account: string,
  region: string,
  environment?: string,
): Insight | undefined {
  const flagged = (group.IpPermissions ?? []).filter(
    (permission) => analyzeSecurityGroup({ ...group, IpPermissions: [permission] }, region).length > 0,
  );
  if (!flagged.length || !group.GroupId) return undefined;
  const findings = analyzeSecurityGroup(group, region, environment);
  const rules = flagged.flatMap(worldRules).slice(0, 60);
  const name = findings[0].resource.name ?? group.GroupId;
  return {
    id: `open-security-group:${account}:${region}:${group.GroupId}`,
    fingerprint: fingerprintOf(rules.map((rule) => JSON.stringify(rule))),
    sourceId: 'open-security-groups',
    severity: 'high',
    title: `Security group ${name} is open to the internet`,
    detail: findings.map((finding) => `${finding.message} ${finding.fix}`).join('\n'),
    resources: [{ type: 'ec2:security-group', id: group.GroupId, region, account }],
    ...(rules.length
      ? {
          fix: {
            title: `Dry-run: revoke ${rules.length === 1 ? 'the rule' : `the ${rules.length} rules`} open to the internet`,
            operationId: 'ec2.securityGroups.revokeIngress',
            input: { groupId: group.GroupId, rules },
          },
        }
      : {}),
  };
}

export function openSecurityGroupsSource(options: SourceOptions = {}): InsightSource {
  return {
    id: 'open-security-groups',
    title: 'Security groups open to the internet',
    async collect(context) {
      const { items, truncated } = await readAll(context.read, 'ec2.securityGroups.list', {}, 2000);
      if (truncated) throw new Error('more than 2000 security groups; Pilot Light reads at most 2000 at once');
      const resolve = options.resolveEnvironment ?? unknownEnvironment;
      return (items as Group[])
        .map((group) => {
          const tags = Object.fromEntries(
            (group.Tags ?? []).filter((tag) => tag.Key).map((tag) => [tag.Key!, tag.Value ?? '']),
          );
          return openGroupInsight(group, context.account, context.region, resolve(tags).name);
        })
        .filter((insight): insight is Insight => Boolean(insight));
    },
  };
}
