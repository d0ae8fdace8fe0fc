import { KIND_ORDER, type AwsRecord, type LiveResource } from './live';

/** Tags a template may set: AWS's own (`aws:*`) are left out. */
export function userTags(record: AwsRecord): Array<{ Key: string; Value: string }> {
  return ((record.Tags ?? []) as Array<{ Key?: string; Value?: string }>)
    .filter((tag) => tag.Key && !tag.Key.startsWith('aws:'))
    .map((tag) => ({ Key: tag.Key!, Value: tag.Value ?? '' }))
    .sort((a, b) => a.Key.localeCompare(b.Key));
}

/** One security group rule: a single source (CIDR, IPv6 CIDR, group or prefix list). */
export interface FlatRule {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidr?: string;
  cidr6?: string;
  groupId?: string;
  prefixListId?: string;
  description?: string;
}

export function flatRules(permissions: AwsRecord[] | undefined): FlatRule[] {
  const rules: FlatRule[] = [];
  for (const permission of permissions ?? []) {
    const base = {
      protocol: String(permission.IpProtocol ?? '-1'),
      ...(permission.IpProtocol !== '-1' && permission.FromPort !== undefined ? { fromPort: permission.FromPort } : {}),
      ...(permission.IpProtocol !== '-1' && permission.ToPort !== undefined ? { toPort: permission.ToPort } : {}),
    };
    const described = (description: unknown) => (typeof description === 'string' && description ? { description } : {});
    for (const range of permission.IpRanges ?? [])
      rules.push({ ...base, cidr: range.CidrIp, ...described(range.Description) });
    for (const range of permission.Ipv6Ranges ?? [])
      rules.push({ ...base, cidr6: range.CidrIpv6, ...described(range.Description) });
    for (const pair of permission.UserIdGroupPairs ?? [])
      rules.push({ ...base, groupId: pair.GroupId, ...described(pair.Description) });
    for (const list of permission.PrefixListIds ?? [])
      rules.push({ ...base, prefixListId: list.PrefixListId, ...described(list.Description) });
  }
  return rules;
}

/** The routes a template manages: not the VPC's local route, not propagated ones. */
export function managedRoutes(record: AwsRecord): AwsRecord[] {
  return ((record.Routes ?? []) as AwsRecord[]).filter(
    (route) =>
      route.GatewayId !== 'local' &&
      route.Origin !== 'EnableVgwRoutePropagation' &&
      route.Origin !== 'CreateRouteTable',
  );
}

export const isMainRouteTable = (resource: LiveResource) =>
  resource.kind === 'routeTable' && ((resource.record.Associations ?? []) as AwsRecord[]).some((a) => a.Main);

export const isDefaultSecurityGroup = (resource: LiveResource) =>
  resource.kind === 'securityGroup' && resource.record.GroupName === 'default';

/** Resources that cannot be generated as their own resource, with the reason (written into the output). */
export function skipReason(resource: LiveResource): string | undefined {
  if (isMainRouteTable(resource))
    return `${resource.id} is the VPC's main route table, which the VPC creates itself; it is not generated.`;
  if (isDefaultSecurityGroup(resource))
    return `${resource.id} is the VPC's default security group, which the VPC creates itself; it is not generated.`;
  return undefined;
}

/** Fields of launch template data carried into templates (user data is redacted by the read, so never). */
export const LAUNCH_TEMPLATE_FIELDS = [
  'ImageId',
  'InstanceType',
  'KeyName',
  'SecurityGroupIds',
  'EbsOptimized',
  'IamInstanceProfile',
  'Monitoring',
  'MetadataOptions',
  'BlockDeviceMappings',
  'NetworkInterfaces',
  'TagSpecifications',
  'DisableApiTermination',
] as const;

/** The resources a template will hold, in kind order (what others refer to first); a note for each left out. */
export function includedResources(live: LiveResource[], notes: string[]): LiveResource[] {
  const ordered = [...live].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  return ordered.filter((resource) => {
    const reason = skipReason(resource);
    if (reason) notes.push(reason);
    return !reason;
  });
}
