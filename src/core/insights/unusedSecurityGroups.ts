/**
 * Unused security groups: no network interface uses them, no other group's rule refers to them and no launch
 * template (default or latest version) names them. Default groups cannot be deleted and are never reported.
 * Security groups cost nothing; they are clutter and review load, so their findings carry no price.
 */
import { refOf, type EnvironmentResolver, type ResourceFact } from './facts';
import { readAll, readFacts, type ReadOperation } from './reads';
import type { UnusedFinding } from './unused';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw SDK items, read defensively with optional chaining
type Raw = Record<string, any>;

/** At most this many launch templates are opened; with more, the check does not run (and says so). */
export const MAX_LAUNCH_TEMPLATES_CHECKED = 100;

export interface SecurityGroupUse {
  /** Raw DescribeNetworkInterfaces items. */
  networkInterfaces: unknown[];
  /** Raw launch template versions (LaunchTemplateData). */
  launchTemplateVersions: unknown[];
}

function groupIdsInRules(permissions: unknown): string[] {
  return Array.isArray(permissions)
    ? permissions.flatMap((permission: Raw) =>
        (permission?.UserIdGroupPairs ?? []).map((pair: Raw) => pair?.GroupId).filter(Boolean),
      )
    : [];
}

/** Judges the groups; pure, so the rules are unit-tested without AWS. */
export function findUnusedSecurityGroups(groups: ResourceFact[], use: SecurityGroupUse): UnusedFinding[] {
  const usedByInterfaces = new Set(
    (use.networkInterfaces as Raw[]).flatMap((eni) => (eni?.Groups ?? []).map((group: Raw) => group?.GroupId)),
  );
  const usedByTemplates = new Set<string>();
  for (const version of use.launchTemplateVersions as Raw[]) {
    const data = version?.LaunchTemplateData ?? {};
    for (const id of data.SecurityGroupIds ?? []) usedByTemplates.add(id);
    for (const name of data.SecurityGroups ?? []) usedByTemplates.add(`name:${name}`);
    for (const eni of data.NetworkInterfaces ?? []) for (const id of eni?.Groups ?? []) usedByTemplates.add(id);
  }
  const referencedBy = new Map<string, string>();
  for (const group of groups) {
    for (const id of [
      ...groupIdsInRules(group.extra.ipPermissions),
      ...groupIdsInRules(group.extra.ipPermissionsEgress),
    ])
      if (id !== group.id && !referencedBy.has(id)) referencedBy.set(id, group.id);
  }
  const findings: UnusedFinding[] = [];
  for (const group of groups) {
    const groupName = String(group.extra.groupName ?? '');
    if (
      groupName === 'default' ||
      usedByInterfaces.has(group.id) ||
      referencedBy.has(group.id) ||
      usedByTemplates.has(group.id) ||
      usedByTemplates.has(`name:${groupName}`)
    )
      continue;
    findings.push({
      category: 'unused-security-group',
      resource: refOf(group),
      monthlyUsd: 0,
      reason: 'no network interface uses it, no other group’s rule refers to it and no launch template names it',
      costNote: 'security groups are free; removing it shortens reviews',
      cleanup: { operationId: 'ec2.securityGroups.delete', input: { groupId: group.id } },
    });
  }
  return findings;
}

/** Reads groups, network interfaces and launch templates through the registry, then judges the groups. */
export async function collectUnusedSecurityGroups(
  read: ReadOperation,
  options: { region: string; resolveEnvironment: EnvironmentResolver },
): Promise<{ findings: UnusedFinding[]; checked: number; errors: string[] }> {
  try {
    const [groups, interfaces, templates] = await Promise.all([
      readFacts(read, 'ec2:security-group', options.region, options.resolveEnvironment),
      readAll(read, 'ec2.networkInterfaces.list', {}, 10_000),
      readAll(read, 'ec2.launchTemplates.list', {}, MAX_LAUNCH_TEMPLATES_CHECKED),
    ]);
    if (groups.truncated || interfaces.truncated)
      throw new Error('more security groups or network interfaces than Pilot Light reads at once');
    if (templates.truncated)
      throw new Error(`more than ${MAX_LAUNCH_TEMPLATES_CHECKED} launch templates, which may name security groups`);
    const versions: unknown[] = [];
    for (const template of templates.items as Raw[]) {
      if (!template?.LaunchTemplateId) continue;
      const page = (await read('ec2.launchTemplates.versions', {
        launchTemplateId: template.LaunchTemplateId,
        versions: ['$Default', '$Latest'],
      })) as { items?: unknown[] } | undefined;
      versions.push(...(page?.items ?? []));
    }
    return {
      findings: findUnusedSecurityGroups(groups.facts, {
        networkInterfaces: interfaces.items,
        launchTemplateVersions: versions,
      }),
      checked: groups.facts.length,
      errors: [],
    };
  } catch (error) {
    // A check that did not finish reports no group as unused.
    return { findings: [], checked: 0, errors: [`security groups: ${(error as Error).message}`] };
  }
}
