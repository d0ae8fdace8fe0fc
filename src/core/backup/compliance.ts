/**
 * Backup compliance: which resources a plan's tag selection covers have no recovery point inside the window
 * the plan's rule promises (the schedule's longest gap plus its start window). Reads through registered
 * operations only: plans with their selections, the vaults' recovery points (one paged read per vault), and
 * the tagged EC2 volumes and instances (one paged read per type, filtered by tag in the API).
 *
 * Resource types checked: EBS volumes and EC2 instances. Selections that name other types (RDS, EFS,
 * DynamoDB…) are reported as not checked for those types, never as compliant.
 */
import type { CheckResult, ComplianceFinding } from '../compliance/types';
import { readAll, type ReadOperation } from '../insights/reads';
import { expectedWindowMs, describeSchedule, DAY_MS } from './schedule';
import { arnMatches, selectionRules } from './planSpec';

export const BACKUP_RULE_ID = 'backup.missingRecoveryPoint';
export const BACKUP_RULE_TITLE = 'Resources selected for backup have a recent recovery point';

interface PlanSummary {
  BackupPlanId?: string;
  BackupPlanName?: string;
}
interface PlanDetails {
  planId: string;
  name?: string;
  rules: {
    RuleName?: string;
    ScheduleExpression?: string;
    StartWindowMinutes?: number;
    TargetBackupVaultName?: string;
  }[];
  selections: {
    SelectionName?: string;
    Resources?: string[];
    ListOfTags?: { ConditionType?: string; ConditionKey?: string; ConditionValue?: string }[];
    Conditions?: { StringEquals?: { ConditionKey?: string; ConditionValue?: string }[] };
  }[];
}
interface RecoveryPointItem {
  ResourceArn?: string;
  CreationDate?: string | Date;
  Status?: string;
}

export interface CoveredResource {
  arn: string;
  id: string;
  type: 'AWS::EC2::Volume' | 'AWS::EC2::Instance';
  name?: string;
  planName: string;
  ruleName: string;
  schedule: string;
  windowMs: number;
  latestRecoveryPoint?: string;
  compliant: boolean;
}

export interface BackupComplianceResult {
  check: CheckResult;
  resources: CoveredResource[];
  /** Plans, rules or resource types that could not be checked, with the reason. */
  notChecked: string[];
}

const CHECKED_TYPES = [
  {
    pattern: 'arn:aws:ec2:*:*:volume/*',
    type: 'AWS::EC2::Volume' as const,
    operation: 'ec2.volumes.list',
    id: 'VolumeId',
  },
  {
    pattern: 'arn:aws:ec2:*:*:instance/*',
    type: 'AWS::EC2::Instance' as const,
    operation: 'ec2.instances.list',
    id: 'InstanceId',
  },
];

function patternCovers(patterns: string[], typePattern: string): boolean {
  // A selection pattern covers the type when it matches a sample ARN of it (or is a broader glob).
  const sample = typePattern.replace(/\*/g, 'x');
  return patterns.some((pattern) => pattern === '*' || arnMatches(pattern, sample) || pattern === typePattern);
}

export async function checkBackupCompliance(options: {
  read: ReadOperation;
  account: string;
  region: string;
  now?: Date;
}): Promise<BackupComplianceResult> {
  const { read, account, region } = options;
  const now = options.now ?? new Date();
  const notChecked: string[] = [];
  const resources: CoveredResource[] = [];
  const base = { ruleId: BACKUP_RULE_ID, ruleTitle: BACKUP_RULE_TITLE, source: 'pilotlight' as const };
  try {
    const plans = (await readAll(read, 'backup.plans.list')).items as PlanSummary[];
    const vaults = (await readAll(read, 'backup.vaults.list')).items as { BackupVaultName?: string }[];
    // Newest recovery point per resource, over every vault (one paged read per vault).
    const latest = new Map<string, Date>();
    for (const vault of vaults) {
      if (!vault.BackupVaultName) continue;
      const points = (await readAll(read, 'backup.recoveryPoints.list', { vaultName: vault.BackupVaultName }, 100_000))
        .items as RecoveryPointItem[];
      for (const point of points) {
        if (!point.ResourceArn || !point.CreationDate || point.Status !== 'COMPLETED') continue;
        const created = new Date(point.CreationDate);
        const known = latest.get(point.ResourceArn);
        if (!known || created > known) latest.set(point.ResourceArn, created);
      }
    }
    const seen = new Set<string>();
    for (const summary of plans) {
      if (!summary.BackupPlanId) continue;
      const plan = (await read('backup.plans.get', { planId: summary.BackupPlanId })) as PlanDetails;
      const planName = plan.name ?? summary.BackupPlanName ?? plan.planId;
      // The rule with the widest window is what the plan promises at least.
      const windows = plan.rules
        .map((rule) => ({ rule, windowMs: expectedWindowMs(rule) }))
        .filter(
          (entry): entry is { rule: PlanDetails['rules'][number]; windowMs: number } => entry.windowMs !== undefined,
        );
      for (const rule of plan.rules)
        if (expectedWindowMs(rule) === undefined)
          notChecked.push(
            `plan ${planName}, rule ${rule.RuleName ?? '?'}: schedule ${rule.ScheduleExpression ?? '?'} not understood`,
          );
      if (windows.length === 0) continue;
      const tightest = windows.reduce((a, b) => (b.windowMs < a.windowMs ? b : a));
      for (const selection of plan.selections) {
        const rules = selectionRules(selection);
        const tagEntries = Object.entries(rules.tags);
        if (tagEntries.length === 0) {
          notChecked.push(
            `plan ${planName}, selection ${selection.SelectionName ?? '?'}: no tag condition (selects by resource only)`,
          );
          continue;
        }
        const unchecked = rules.resources.filter(
          (pattern) => pattern !== '*' && !CHECKED_TYPES.some((type) => patternCovers([pattern], type.pattern)),
        );
        if (unchecked.length)
          notChecked.push(`plan ${planName}: not supported yet: resource types ${unchecked.join(', ')}`);
        if (rules.resources.includes('*'))
          notChecked.push(
            `plan ${planName}: not supported yet: resource types other than EBS volumes and EC2 instances`,
          );
        for (const type of CHECKED_TYPES) {
          if (!patternCovers(rules.resources, type.pattern)) continue;
          const filters = tagEntries.map(([key, value]) => ({ name: `tag:${key}`, values: [value] }));
          const items = (await readAll(read, type.operation, { filters }, 100_000)).items as Record<string, unknown>[];
          for (const item of items) {
            const id = String(item[type.id] ?? '');
            const state = (item.State as { Name?: string } | string | undefined) ?? undefined;
            const stateName = typeof state === 'string' ? state : state?.Name;
            if (!id || stateName === 'terminated' || stateName === 'deleted') continue;
            const kind = type.type === 'AWS::EC2::Volume' ? 'volume' : 'instance';
            const arn = `arn:aws:ec2:${region}:${account}:${kind}/${id}`;
            if (!rules.resources.some((pattern) => arnMatches(pattern, arn))) continue;
            const key = `${planName}|${arn}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const point = latest.get(arn);
            const compliant = point !== undefined && now.getTime() - point.getTime() <= tightest.windowMs;
            const tags = (item.Tags as { Key?: string; Value?: string }[] | undefined) ?? [];
            resources.push({
              arn,
              id,
              type: type.type,
              name: tags.find((tag) => tag.Key === 'Name')?.Value,
              planName,
              ruleName: tightest.rule.RuleName ?? 'rule',
              schedule: describeSchedule(tightest.rule.ScheduleExpression),
              windowMs: tightest.windowMs,
              ...(point ? { latestRecoveryPoint: point.toISOString() } : {}),
              compliant,
            });
          }
        }
      }
    }
  } catch (error) {
    return {
      check: {
        ...base,
        status: 'error',
        reason: (error as Error).message,
        resourcesEvaluated: resources.length,
        findings: [],
      },
      resources,
      notChecked,
    };
  }
  const findings: ComplianceFinding[] = resources
    .filter((resource) => !resource.compliant)
    .map((resource) => ({
      ...base,
      severity: 'high',
      resource: {
        type: resource.type,
        id: resource.id,
        arn: resource.arn,
        ...(resource.name ? { name: resource.name } : {}),
      },
      account,
      region,
      message: resource.latestRecoveryPoint
        ? `Newest recovery point is from ${resource.latestRecoveryPoint}, older than plan ${resource.planName} allows (${resource.schedule}: within ${Math.round((resource.windowMs / DAY_MS) * 10) / 10} days).`
        : `No recovery point at all, though plan ${resource.planName} selects it (${resource.schedule}).`,
      fix: {
        description: `Check the backup jobs of plan ${resource.planName} for this resource (failed or expired jobs, IAM role permissions), or run an on-demand backup.`,
      },
    }));
  // Nothing checkable but something unchecked: the check did not run (it never reports clean then).
  const didNotRun = resources.length === 0 && notChecked.length > 0;
  return {
    check: {
      ...base,
      status: didNotRun ? 'notRun' : 'ran',
      resourcesEvaluated: resources.length,
      findings,
      ...(didNotRun ? { reason: notChecked.join('; ').slice(0, 2000) } : {}),
    },
    resources,
    notChecked,
  };
}
