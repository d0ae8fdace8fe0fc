import type { BackupPlansListMember, BackupVaultListMember, RecoveryPointByBackupVault } from '@aws-sdk/client-backup';
import { describeSchedule } from '../backup/schedule';
import type { AnyBackupJob, BackupPlanDetails } from '../operations/backup';
import { type ResourceLister, type ResourceSummary, type StateTone } from './model';
import { compact, day, pagedLister, readPage } from './pagedLister';

const BACKUP_PAGE: [number, number] = [1, 1000];

/** "20.0 GiB", "512 MiB". */
export function formatBytes(bytes: number | undefined): string | undefined {
  if (bytes === undefined || !Number.isFinite(bytes)) return undefined;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

const POINT_TONES: Record<string, StateTone> = {
  COMPLETED: 'ok',
  PARTIAL: 'transitional',
  CREATING: 'transitional',
  DELETING: 'transitional',
  EXPIRED: 'stopped',
  AVAILABLE: 'ok',
  STOPPED: 'stopped',
};

function lifecycleText(lifecycle?: {
  MoveToColdStorageAfterDays?: number;
  DeleteAfterDays?: number;
}): string | undefined {
  if (!lifecycle?.DeleteAfterDays && !lifecycle?.MoveToColdStorageAfterDays) return 'kept until deleted';
  return compact([
    lifecycle.MoveToColdStorageAfterDays && `cold after ${lifecycle.MoveToColdStorageAfterDays} d`,
    lifecycle.DeleteAfterDays && `deleted after ${lifecycle.DeleteAfterDays} d`,
  ]).join(', ');
}

export function summarizeRecoveryPoint(point: RecoveryPointByBackupVault): ResourceSummary {
  const arn = point.RecoveryPointArn ?? 'unknown';
  const resource = point.ResourceName || point.ResourceArn?.split(/[:/]/).pop() || '?';
  return {
    type: 'backup:recovery-point',
    id: arn,
    name: `${resource} ${day(point.CreationDate) ?? ''}`.trim(),
    arn,
    state: point.Status,
    stateTone: (point.Status && POINT_TONES[point.Status]) || 'unknown',
    details: compact([
      point.ResourceType,
      point.Status,
      point.CreationDate && `created ${String(point.CreationDate).replace('T', ' ').slice(0, 16)}`,
      formatBytes(point.BackupSizeInBytes),
      lifecycleText(point.Lifecycle),
      point.ResourceArn,
    ]),
    tags: {},
    raw: point,
  };
}

export function recoveryPointLister(vaultName: string): ResourceLister {
  return pagedLister({
    type: 'backup:recovery-point',
    title: 'Recovery points',
    pageRange: BACKUP_PAGE,
    fetch: (read, page) =>
      readPage<RecoveryPointByBackupVault>(read, 'backup.recoveryPoints.list', { vaultName, ...page }),
    summarize: summarizeRecoveryPoint,
  });
}

export const backupVaultLister = pagedLister({
  type: 'backup:vault',
  title: 'Vaults',
  pageRange: BACKUP_PAGE,
  fetch: (read, page) => readPage<BackupVaultListMember>(read, 'backup.vaults.list', page),
  summarize(vault: BackupVaultListMember): ResourceSummary {
    const name = vault.BackupVaultName ?? 'unknown';
    return {
      type: 'backup:vault',
      id: vault.BackupVaultArn ?? name,
      name,
      arn: vault.BackupVaultArn,
      details: compact([
        `${vault.NumberOfRecoveryPoints ?? 0} recovery points`,
        vault.Locked ? 'locked' : undefined,
        day(vault.CreationDate),
      ]),
      tags: {},
      raw: vault,
      children: [recoveryPointLister(name)],
    };
  },
});

function planDetailsLister(planId: string): ResourceLister {
  return {
    type: 'backup:plan-part',
    title: 'Rules and selections',
    async list(reads, { region }) {
      const plan = await reads.read<BackupPlanDetails>('backup.plans.get', { planId }, region);
      const rules: ResourceSummary[] = plan.rules.map((rule) => ({
        type: 'backup:rule',
        id: `${planId}#rule:${rule.RuleId ?? rule.RuleName}`,
        name: `Rule ${rule.RuleName ?? '?'}`,
        details: compact([
          describeSchedule(rule.ScheduleExpression),
          lifecycleText(rule.Lifecycle),
          `vault ${rule.TargetBackupVaultName ?? '?'}`,
          ...(rule.CopyActions ?? []).map(
            (copy) =>
              `copy to ${copy.DestinationBackupVaultArn?.split(':')[3] ?? '?'} (${copy.DestinationBackupVaultArn?.split(':').pop()})`,
          ),
        ]),
        tags: {},
        raw: rule,
      }));
      const selections: ResourceSummary[] = plan.selections.map((selection) => {
        const tags = [
          ...(selection.ListOfTags ?? []).map((tag) => `${tag.ConditionKey}=${tag.ConditionValue}`),
          ...(selection.Conditions?.StringEquals ?? []).map(
            (condition) => `${condition.ConditionKey?.replace(/^aws:ResourceTag\//, '')}=${condition.ConditionValue}`,
          ),
        ];
        return {
          type: 'backup:selection',
          id: `${planId}#selection:${selection.SelectionId}`,
          name: `Selection ${selection.SelectionName ?? selection.SelectionId}`,
          details: compact([
            tags.length ? `tagged ${tags.join(' and ')}` : undefined,
            (selection.Resources ?? []).join(', ') || undefined,
          ]),
          tags: {},
          raw: selection,
        };
      });
      return { items: [...rules, ...selections] };
    },
  };
}

export const backupPlanLister = pagedLister({
  type: 'backup:plan',
  title: 'Plans',
  pageRange: BACKUP_PAGE,
  fetch: (read, page) => readPage<BackupPlansListMember>(read, 'backup.plans.list', page),
  summarize(plan: BackupPlansListMember): ResourceSummary {
    const id = plan.BackupPlanId ?? 'unknown';
    return {
      type: 'backup:plan',
      id: plan.BackupPlanArn ?? id,
      name: plan.BackupPlanName ?? id,
      arn: plan.BackupPlanArn,
      details: compact([day(plan.CreationDate), plan.LastExecutionDate && `last run ${day(plan.LastExecutionDate)}`]),
      tags: {},
      raw: plan,
      children: [planDetailsLister(id)],
    };
  },
});

const JOB_TONES: Record<string, StateTone> = {
  COMPLETED: 'ok',
  CREATED: 'transitional',
  PENDING: 'transitional',
  RUNNING: 'transitional',
  ABORTING: 'transitional',
  ABORTED: 'stopped',
  FAILED: 'error',
  EXPIRED: 'stopped',
  PARTIAL: 'error',
};

export function summarizeJob(job: AnyBackupJob): ResourceSummary {
  const id = job.kind === 'backup' ? job.BackupJobId : job.kind === 'restore' ? job.RestoreJobId : job.CopyJobId;
  const state = job.kind === 'backup' ? job.State : job.kind === 'restore' ? job.Status : job.State;
  const resource = job.kind === 'restore' ? (job.CreatedResourceArn ?? job.RecoveryPointArn) : job.ResourceArn;
  const started = job.CreationDate;
  const ended = job.CompletionDate;
  const duration =
    started && ended ? Math.round((new Date(ended).getTime() - new Date(started).getTime()) / 1000) : undefined;
  return {
    type: `backup:${job.kind}-job`,
    id: id ?? 'unknown',
    name: `${job.kind} ${resource?.split(/[:/]/).pop() ?? id ?? '?'}`,
    state,
    stateTone: (state && JOB_TONES[state]) || 'unknown',
    details: compact([
      state,
      started && `started ${String(started).replace('T', ' ').slice(0, 16)}`,
      duration !== undefined && `${duration} s`,
      job.StatusMessage,
      resource,
    ]),
    tags: {},
    raw: job,
  };
}

function jobLister(kind: 'backup' | 'restore' | 'copy', title: string): ResourceLister {
  return pagedLister({
    type: `backup:${kind}-job`,
    title,
    pageRange: BACKUP_PAGE,
    fetch: (read, page) => readPage<AnyBackupJob>(read, 'backup.jobs.list', { kind, ...page }),
    summarize: summarizeJob,
  });
}

export const backupJobListers: ResourceLister[] = [
  jobLister('backup', 'Backup jobs'),
  jobLister('restore', 'Restore jobs'),
  jobLister('copy', 'Copy jobs'),
];
