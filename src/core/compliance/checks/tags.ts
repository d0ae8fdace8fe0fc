/** The tag policy check: every resource of a listed type carries the required tags with allowed values. */
import { requirementsFor, type TagPolicy } from '../tagPolicy';
import { CheckNotRun, defineCheck, readEvery, tagValue, type Tags } from './common';

interface TaggableType {
  /** The registered list read whose items include their tags. */
  operationId: string;
  idOf(item: Record<string, unknown>): string;
  skip?(item: Record<string, unknown>): boolean;
}

/** Resource types whose tags Pilot Light reads (one paged list each, tags included). */
export const TAGGABLE_TYPES: Readonly<Record<string, TaggableType>> = Object.freeze({
  'AWS::EC2::Instance': {
    operationId: 'ec2.instances.list',
    idOf: (item) => String(item.InstanceId),
    skip: (item) => (item.State as { Name?: string } | undefined)?.Name === 'terminated',
  },
  'AWS::EC2::Volume': { operationId: 'ec2.volumes.list', idOf: (item) => String(item.VolumeId) },
  'AWS::EC2::SecurityGroup': { operationId: 'ec2.securityGroups.list', idOf: (item) => String(item.GroupId) },
  'AWS::EC2::VPC': { operationId: 'ec2.vpcs.list', idOf: (item) => String(item.VpcId) },
  'AWS::EC2::Subnet': { operationId: 'ec2.subnets.list', idOf: (item) => String(item.SubnetId) },
});

export const tagPolicyCheck = defineCheck({
  ruleId: 'tagPolicy.requiredTag',
  ruleTitle: 'Resources carry the tags the tag policy requires',
  severity: 'low',
  source: 'tagPolicy',
  scope: 'region',
  async evaluate({ read, tagPolicy }, report) {
    if (!tagPolicy)
      throw new CheckNotRun('No tag policy: set pilotLight.compliance.tagPolicy or add .pilotlight/tag-policy.json.');
    const policy = tagPolicy as TagPolicy;
    const named = Object.keys(policy.resourceTypes).filter((type) => type !== '*');
    const unsupported = named.filter((type) => !TAGGABLE_TYPES[type]);
    const types = policy.resourceTypes['*']
      ? Object.keys(TAGGABLE_TYPES)
      : named.filter((type) => TAGGABLE_TYPES[type]);
    let evaluated = 0;
    for (const type of types) {
      const required = Object.entries(requirementsFor(policy, type));
      if (!required.length) continue;
      const kind = TAGGABLE_TYPES[type];
      const items = await readEvery<Record<string, unknown>>(read, kind.operationId, { maxResults: 1000 });
      for (const item of items) {
        if (kind.skip?.(item)) continue;
        evaluated += 1;
        const tags = item.Tags as Tags;
        const missing: string[] = [];
        const disallowed: string[] = [];
        const known: Record<string, string> = {};
        const allowedValues: Record<string, string[]> = {};
        for (const [key, allowed] of required) {
          const value = tagValue(tags, key);
          if (allowed) allowedValues[key] = [...allowed];
          if (allowed?.length === 1) known[key] = allowed[0];
          if (value === undefined) missing.push(key);
          else if (allowed && !allowed.includes(value)) disallowed.push(`${key}=${JSON.stringify(value)}`);
        }
        if (!missing.length && !disallowed.length) continue;
        const id = kind.idOf(item);
        const problems = [
          missing.length ? `missing ${missing.join(', ')}` : '',
          disallowed.length ? `value not allowed: ${disallowed.join(', ')}` : '',
        ].filter(Boolean);
        const wrongKeys = [...missing, ...disallowed.map((entry) => entry.slice(0, entry.indexOf('=')))];
        report({ type, id, name: tagValue(tags, 'Name') }, `${type} ${id}: ${problems.join('; ')}.`, {
          description: `Tag ${id} with ${wrongKeys
            .map((key) =>
              allowedValues[key]
                ? `${key} (one of ${allowedValues[key].join(', ') || 'no value: the merged policies allow none'})`
                : key,
            )
            .join(', ')}.`,
          operationId: 'tagging.enforceTags',
          input: {
            resourceId: id,
            resourceType: type,
            /** Values known from the policy (a single allowed value); the others need the user's value. */
            tags: Object.fromEntries(wrongKeys.filter((key) => key in known).map((key) => [key, known[key]])),
            missingTags: wrongKeys,
            allowedValues: Object.fromEntries(
              wrongKeys.filter((key) => allowedValues[key]).map((key) => [key, allowedValues[key]]),
            ),
          },
        });
      }
    }
    if (unsupported.length)
      return {
        evaluated,
        incomplete: `Not supported yet: the tag policy names ${unsupported.join(', ')}, whose tags Pilot Light cannot read yet (checked: ${Object.keys(TAGGABLE_TYPES).join(', ')}).`,
      };
    return evaluated;
  },
});
