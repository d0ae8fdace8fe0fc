/**
 * A backup plan as a person asks for it (frequency, time, retention, which tagged resources, copies to
 * other regions), turned into the CreateBackupPlan and CreateBackupSelection inputs and a preview. Plain
 * data; the chat parser and the form both produce a BackupPlanSpec.
 */

export type BackupFrequency = 'hourly' | 'daily' | 'weekly' | 'monthly';
/** Resource kinds a selection can be narrowed to (AWS Backup resource ARN patterns). */
export type BackupResourceKind = 'databases' | 'volumes' | 'instances' | 'filesystems' | 'tables';

export const RESOURCE_KIND_ARNS: Record<BackupResourceKind, string[]> = {
  databases: ['arn:aws:rds:*:*:db:*', 'arn:aws:rds:*:*:cluster:*'],
  volumes: ['arn:aws:ec2:*:*:volume/*'],
  instances: ['arn:aws:ec2:*:*:instance/*'],
  filesystems: ['arn:aws:elasticfilesystem:*:*:file-system/*'],
  tables: ['arn:aws:dynamodb:*:*:table/*'],
};

export interface BackupPlanSpec {
  name: string;
  frequency: BackupFrequency;
  /** UTC hour of the backup (daily, weekly, monthly), 0-23. Default 5. */
  hourUtc?: number;
  /** hourly: every n hours (1-12). */
  everyHours?: number;
  /** weekly: day of the week (SUN…SAT). Default SUN. */
  weekday?: string;
  retentionDays: number;
  /** Move to cold storage after n days (≥ 1; retention must then be ≥ 90 days later). */
  coldStorageAfterDays?: number;
  vaultName: string;
  /** Resources carrying every one of these tags are backed up. */
  selectionTags: Record<string, string>;
  /** Narrow the selection to these kinds; empty or absent: every supported resource type. */
  resourceKinds?: BackupResourceKind[];
  iamRoleArn: string;
  copyTo?: { region: string; vaultName: string; retentionDays?: number }[];
}

export const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const NAME = /^[A-Za-z0-9_.-]{1,50}$/;
const VAULT = /^[A-Za-z0-9_.-]{2,50}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Problems with a spec, as sentences; empty when it can be created. */
export function validatePlanSpec(spec: BackupPlanSpec): string[] {
  const problems: string[] = [];
  if (!NAME.test(spec.name)) problems.push('The plan name must be 1-50 letters, digits, "_", "." or "-".');
  if (!VAULT.test(spec.vaultName)) problems.push('The vault name must be 2-50 letters, digits, "_", "." or "-".');
  if (!Number.isInteger(spec.retentionDays) || spec.retentionDays < 1 || spec.retentionDays > 36_500)
    problems.push('Retention must be a whole number of days from 1 to 36500.');
  if (spec.hourUtc !== undefined && (!Number.isInteger(spec.hourUtc) || spec.hourUtc < 0 || spec.hourUtc > 23))
    problems.push('The hour must be 0-23 (UTC).');
  if (spec.frequency === 'hourly' && spec.everyHours !== undefined && ![1, 2, 3, 4, 6, 8, 12].includes(spec.everyHours))
    problems.push('Hourly backups run every 1, 2, 3, 4, 6, 8 or 12 hours.');
  if (spec.weekday !== undefined && !WEEKDAYS.includes(spec.weekday)) problems.push('The weekday must be SUN…SAT.');
  if (spec.coldStorageAfterDays !== undefined && spec.retentionDays < spec.coldStorageAfterDays + 90)
    problems.push('Backups moved to cold storage must be kept at least 90 days longer (AWS Backup rule).');
  const tags = Object.entries(spec.selectionTags);
  if (tags.length === 0) problems.push('Select resources by at least one tag (e.g. Environment=production).');
  if (tags.length > 30) problems.push('At most 30 selection tags.');
  for (const [key, value] of tags)
    if (!key || key.length > 128 || value.length > 256 || key.startsWith('aws:'))
      problems.push(`Selection tag "${key.slice(0, 40)}" is not a valid tag (key 1-128 characters, not aws:).`);
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(spec.iamRoleArn))
    problems.push('The IAM role must be a role ARN (arn:aws:iam::<account>:role/<name>) AWS Backup can assume.');
  for (const copy of spec.copyTo ?? []) {
    if (!REGION.test(copy.region)) problems.push(`"${copy.region.slice(0, 40)}" is not a region.`);
    if (!VAULT.test(copy.vaultName)) problems.push(`Copy vault "${copy.vaultName.slice(0, 60)}" is not a vault name.`);
  }
  if ((spec.copyTo?.length ?? 0) > 5) problems.push('At most 5 copy targets.');
  return problems;
}

export function scheduleExpressionOf(spec: BackupPlanSpec): string {
  const hour = spec.hourUtc ?? 5;
  switch (spec.frequency) {
    case 'hourly':
      return `cron(0 0/${spec.everyHours ?? 1} * * ? *)`;
    case 'daily':
      return `cron(0 ${hour} * * ? *)`;
    case 'weekly':
      return `cron(0 ${hour} ? * ${spec.weekday ?? 'SUN'} *)`;
    case 'monthly':
      return `cron(0 ${hour} 1 * ? *)`;
  }
}

const vaultArn = (region: string, account: string, vault: string): string =>
  `arn:aws:backup:${region}:${account}:backup-vault:${vault}`;

/** The CreateBackupPlan `BackupPlan` document for the spec (account: for copy destination vault ARNs). */
export function backupPlanDocument(spec: BackupPlanSpec, account: string) {
  return {
    BackupPlanName: spec.name,
    Rules: [
      {
        RuleName: `${spec.frequency}-${spec.retentionDays}d`,
        TargetBackupVaultName: spec.vaultName,
        ScheduleExpression: scheduleExpressionOf(spec),
        StartWindowMinutes: spec.frequency === 'hourly' ? 60 : 480,
        CompletionWindowMinutes: spec.frequency === 'hourly' ? 120 : 10_080,
        Lifecycle: {
          DeleteAfterDays: spec.retentionDays,
          ...(spec.coldStorageAfterDays ? { MoveToColdStorageAfterDays: spec.coldStorageAfterDays } : {}),
        },
        ...(spec.copyTo?.length
          ? {
              CopyActions: spec.copyTo.map((copy) => ({
                DestinationBackupVaultArn: vaultArn(copy.region, account, copy.vaultName),
                Lifecycle: { DeleteAfterDays: copy.retentionDays ?? spec.retentionDays },
              })),
            }
          : {}),
      },
    ],
  };
}

/**
 * The CreateBackupSelection `BackupSelection`: tags as StringEquals conditions (all must match), narrowed
 * to the resource kinds' ARN patterns (or every resource, `*`).
 */
export function backupSelectionDocument(spec: BackupPlanSpec) {
  const kinds = spec.resourceKinds ?? [];
  return {
    SelectionName: `${spec.name}-selection`.slice(0, 50),
    IamRoleArn: spec.iamRoleArn,
    Resources: kinds.length ? kinds.flatMap((kind) => RESOURCE_KIND_ARNS[kind]) : ['*'],
    Conditions: {
      StringEquals: Object.entries(spec.selectionTags).map(([key, value]) => ({
        ConditionKey: `aws:ResourceTag/${key}`,
        ConditionValue: value,
      })),
    },
  };
}

/** Lines for a preview: schedule, retention, selection, copies. */
export function describePlanSpec(spec: BackupPlanSpec): string[] {
  const frequency =
    spec.frequency === 'hourly'
      ? `every ${spec.everyHours ?? 1} h`
      : spec.frequency === 'weekly'
        ? `weekly on ${spec.weekday ?? 'SUN'} at ${String(spec.hourUtc ?? 5).padStart(2, '0')}:00 UTC`
        : `${spec.frequency} at ${String(spec.hourUtc ?? 5).padStart(2, '0')}:00 UTC${spec.frequency === 'monthly' ? ' on day 1' : ''}`;
  const tags = Object.entries(spec.selectionTags)
    .map(([key, value]) => `${key}=${value}`)
    .join(' and ');
  return [
    `schedule: ${frequency} (${scheduleExpressionOf(spec)})`,
    `retention: ${spec.retentionDays} days${spec.coldStorageAfterDays ? `, cold storage after ${spec.coldStorageAfterDays} days` : ''}`,
    `vault: ${spec.vaultName}`,
    `selection: ${spec.resourceKinds?.length ? spec.resourceKinds.join(', ') : 'all supported resources'} tagged ${tags}`,
    `role: ${spec.iamRoleArn}`,
    ...(spec.copyTo?.length
      ? spec.copyTo.map(
          (copy) =>
            `copy to ${copy.region} vault ${copy.vaultName}, kept ${copy.retentionDays ?? spec.retentionDays} days`,
        )
      : ['copies: none']),
  ];
}

export interface SelectionRules {
  /** Every tag must match (ListOfTags entries and StringEquals conditions). */
  tags: Record<string, string>;
  /** ARN patterns with `*`; ['*'] for all. */
  resources: string[];
}

/** The tags and resource patterns a stored selection asks for (ListOfTags, Conditions.StringEquals, Resources). */
export function selectionRules(selection: {
  Resources?: string[];
  ListOfTags?: { ConditionType?: string; ConditionKey?: string; ConditionValue?: string }[];
  Conditions?: { StringEquals?: { ConditionKey?: string; ConditionValue?: string }[] };
}): SelectionRules {
  const tags: Record<string, string> = {};
  for (const entry of selection.ListOfTags ?? [])
    if (entry.ConditionKey && (entry.ConditionType ?? 'STRINGEQUALS') === 'STRINGEQUALS')
      tags[entry.ConditionKey.replace(/^aws:ResourceTag\//, '')] = entry.ConditionValue ?? '';
  for (const entry of selection.Conditions?.StringEquals ?? [])
    if (entry.ConditionKey) tags[entry.ConditionKey.replace(/^aws:ResourceTag\//, '')] = entry.ConditionValue ?? '';
  return { tags, resources: selection.Resources?.length ? selection.Resources : ['*'] };
}

/** Whether an ARN matches an AWS Backup resource pattern (`*` matches any run of characters). */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  // Iterative glob match, linear in practice for the short patterns AWS Backup allows.
  let p = 0;
  let a = 0;
  let star = -1;
  let mark = 0;
  while (a < arn.length) {
    if (p < pattern.length && pattern[p] === arn[a]) {
      p++;
      a++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = a;
    } else if (star >= 0) {
      p = star + 1;
      a = ++mark;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
