/**
 * AWS Backup: reads for the explorer, compliance and restore tests (vaults, recovery points, plans with
 * rules and selections, jobs), and the writes that create a plan with its tag selection and start a restore.
 */
import {
  CreateBackupPlanCommand,
  CreateBackupSelectionCommand,
  DeleteBackupPlanCommand,
  DescribeRecoveryPointCommand,
  DescribeRestoreJobCommand,
  GetBackupPlanCommand,
  GetBackupSelectionCommand,
  GetRecoveryPointRestoreMetadataCommand,
  ListBackupJobsCommand,
  ListBackupPlansCommand,
  ListBackupSelectionsCommand,
  ListBackupVaultsCommand,
  ListCopyJobsCommand,
  ListRecoveryPointsByBackupVaultCommand,
  ListRestoreJobsCommand,
  StartRestoreJobCommand,
  type BackupJob,
  type BackupPlansListMember,
  type BackupSelection,
  type BackupVaultListMember,
  type CopyJob,
  type DescribeRecoveryPointCommandOutput,
  type DescribeRestoreJobCommandOutput,
  type RecoveryPointByBackupVault,
  type RestoreJobsListMember,
  type BackupRule,
} from '@aws-sdk/client-backup';
import { z } from 'zod';
import { backupService } from '../aws/services';
import {
  backupPlanDocument,
  backupSelectionDocument,
  describePlanSpec,
  validatePlanSpec,
  WEEKDAYS,
  type BackupPlanSpec,
} from '../backup/planSpec';
import { defineOperation, READ_ONLY } from './define';

export interface BackupPage<T> {
  items: T[];
  nextToken?: string;
}

const VAULT = /^[A-Za-z0-9_.-]{2,50}$/;
const vaultName = z.string().regex(VAULT, 'Expected a backup vault name.').describe('backup vault name');
const recoveryPointArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:[A-Za-z0-9:/_.+=-]{1,1024}$/, 'Expected a recovery point ARN.')
  .describe('recovery point ARN');
const planId = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,128}$/, 'Expected a backup plan ID.')
  .describe('backup plan ID');
const restoreJobId = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,128}$/, 'Expected a restore job ID.')
  .describe('restore job ID');
const page = (max: number) => ({
  maxResults: z.number().int().min(1).max(max).optional().describe('Page size.'),
  nextToken: z.string().max(4096).optional().describe('Token from the previous page.'),
});
const tagKey = z.string().min(1).max(128);
const tagValue = z.string().max(256);
const metadataSchema = z
  .record(z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/), z.string().max(2048))
  .refine((value) => Object.keys(value).length <= 50, 'At most 50 metadata keys.');

// Reads

export const listBackupVaults = defineOperation({
  id: 'backup.vaults.list',
  service: 'backup',
  title: 'List backup vaults',
  description: 'AWS Backup vaults with their number of recovery points, encryption key and lock state.',
  ...READ_ONLY,
  input: z.object({ ...page(1000) }).strict(),
  async handler(ctx, input): Promise<BackupPage<BackupVaultListMember>> {
    const backup = await ctx.client(backupService);
    const result = await backup.send(
      new ListBackupVaultsCommand({ MaxResults: input.maxResults, NextToken: input.nextToken }),
    );
    return { items: result.BackupVaultList ?? [], nextToken: result.NextToken || undefined };
  },
});

export const listRecoveryPoints = defineOperation({
  id: 'backup.recoveryPoints.list',
  service: 'backup',
  title: 'List recovery points of a backup vault',
  description:
    'Recovery points in one backup vault, newest first: resource, resource type, created, size, status and lifecycle.',
  ...READ_ONLY,
  input: z
    .object({
      vaultName,
      resourceArn: z.string().max(1600).optional().describe('Only recovery points of this resource.'),
      ...page(1000),
    })
    .strict(),
  async handler(ctx, input): Promise<BackupPage<RecoveryPointByBackupVault>> {
    const backup = await ctx.client(backupService);
    const result = await backup.send(
      new ListRecoveryPointsByBackupVaultCommand({
        BackupVaultName: input.vaultName,
        ByResourceArn: input.resourceArn,
        MaxResults: input.maxResults,
        NextToken: input.nextToken,
      }),
    );
    return { items: result.RecoveryPoints ?? [], nextToken: result.NextToken || undefined };
  },
});

export const describeRecoveryPoint = defineOperation({
  id: 'backup.recoveryPoints.describe',
  service: 'backup',
  title: 'Describe a recovery point',
  description: 'One recovery point: its resource, status, creation and completion dates, size and lifecycle.',
  ...READ_ONLY,
  input: z.object({ vaultName, recoveryPointArn }).strict(),
  async handler(ctx, input): Promise<Omit<DescribeRecoveryPointCommandOutput, '$metadata'>> {
    const backup = await ctx.client(backupService);
    const { $metadata: _m, ...point } = await backup.send(
      new DescribeRecoveryPointCommand({ BackupVaultName: input.vaultName, RecoveryPointArn: input.recoveryPointArn }),
    );
    return point;
  },
});

export const getRestoreMetadata = defineOperation({
  id: 'backup.recoveryPoints.restoreMetadata',
  service: 'backup',
  title: 'Get the restore metadata of a recovery point',
  description: 'The metadata StartRestoreJob needs to restore this recovery point into a new resource.',
  ...READ_ONLY,
  input: z.object({ vaultName, recoveryPointArn }).strict(),
  async handler(ctx, input): Promise<{ resourceType?: string; metadata: Record<string, string> }> {
    const backup = await ctx.client(backupService);
    const result = await backup.send(
      new GetRecoveryPointRestoreMetadataCommand({
        BackupVaultName: input.vaultName,
        RecoveryPointArn: input.recoveryPointArn,
      }),
    );
    return { resourceType: result.ResourceType, metadata: result.RestoreMetadata ?? {} };
  },
});

export const listBackupPlans = defineOperation({
  id: 'backup.plans.list',
  service: 'backup',
  title: 'List backup plans',
  description: 'AWS Backup plans: name, ID, version and last execution.',
  ...READ_ONLY,
  input: z.object({ ...page(1000) }).strict(),
  async handler(ctx, input): Promise<BackupPage<BackupPlansListMember>> {
    const backup = await ctx.client(backupService);
    const result = await backup.send(
      new ListBackupPlansCommand({ MaxResults: input.maxResults, NextToken: input.nextToken }),
    );
    return { items: result.BackupPlansList ?? [], nextToken: result.NextToken || undefined };
  },
});

export interface BackupPlanDetails {
  planId: string;
  planArn?: string;
  name?: string;
  rules: BackupRule[];
  selections: (BackupSelection & { SelectionId: string })[];
}

export const getBackupPlan = defineOperation({
  id: 'backup.plans.get',
  service: 'backup',
  title: 'Get a backup plan with its selections',
  description: "One backup plan: its rules (schedule, retention, copies) and every selection's tags and resources.",
  ...READ_ONLY,
  input: z.object({ planId }).strict(),
  async handler(ctx, input): Promise<BackupPlanDetails> {
    const backup = await ctx.client(backupService);
    const plan = await backup.send(new GetBackupPlanCommand({ BackupPlanId: input.planId }));
    const selections: BackupPlanDetails['selections'] = [];
    let token: string | undefined;
    do {
      const listed = await backup.send(
        new ListBackupSelectionsCommand({ BackupPlanId: input.planId, NextToken: token }),
      );
      for (const entry of listed.BackupSelectionsList ?? []) {
        if (!entry.SelectionId) continue;
        const selection = await backup.send(
          new GetBackupSelectionCommand({ BackupPlanId: input.planId, SelectionId: entry.SelectionId }),
        );
        if (selection.BackupSelection)
          selections.push({ ...selection.BackupSelection, SelectionId: entry.SelectionId });
      }
      token = listed.NextToken || undefined;
    } while (token && selections.length < 1000);
    return {
      planId: input.planId,
      planArn: plan.BackupPlanArn,
      name: plan.BackupPlan?.BackupPlanName,
      rules: plan.BackupPlan?.Rules ?? [],
      selections,
    };
  },
});

export type BackupJobKind = 'backup' | 'restore' | 'copy';
export type AnyBackupJob =
  ({ kind: 'backup' } & BackupJob) | ({ kind: 'restore' } & RestoreJobsListMember) | ({ kind: 'copy' } & CopyJob);

export const listBackupJobs = defineOperation({
  id: 'backup.jobs.list',
  service: 'backup',
  title: 'List recent backup, restore or copy jobs',
  description: 'Recent AWS Backup jobs of one kind (backup, restore or copy), newest first, with their state.',
  ...READ_ONLY,
  input: z
    .object({
      kind: z.enum(['backup', 'restore', 'copy']).describe('Which jobs.'),
      ...page(1000),
    })
    .strict(),
  async handler(ctx, input): Promise<BackupPage<AnyBackupJob>> {
    const backup = await ctx.client(backupService);
    const paging = { MaxResults: input.maxResults, NextToken: input.nextToken };
    if (input.kind === 'backup') {
      const result = await backup.send(new ListBackupJobsCommand(paging));
      return {
        items: (result.BackupJobs ?? []).map((job) => ({ kind: 'backup' as const, ...job })),
        nextToken: result.NextToken || undefined,
      };
    }
    if (input.kind === 'restore') {
      const result = await backup.send(new ListRestoreJobsCommand(paging));
      return {
        items: (result.RestoreJobs ?? []).map((job) => ({ kind: 'restore' as const, ...job })),
        nextToken: result.NextToken || undefined,
      };
    }
    const result = await backup.send(new ListCopyJobsCommand(paging));
    return {
      items: (result.CopyJobs ?? []).map((job) => ({ kind: 'copy' as const, ...job })),
      nextToken: result.NextToken || undefined,
    };
  },
});

export const describeRestoreJob = defineOperation({
  id: 'backup.restoreJobs.describe',
  service: 'backup',
  title: 'Describe a restore job',
  description: 'One restore job: status, created and completed dates, the restored resource ARN, or its error.',
  ...READ_ONLY,
  input: z.object({ restoreJobId }).strict(),
  async handler(ctx, input): Promise<Omit<DescribeRestoreJobCommandOutput, '$metadata'>> {
    const backup = await ctx.client(backupService);
    const { $metadata: _m, ...job } = await backup.send(
      new DescribeRestoreJobCommand({ RestoreJobId: input.restoreJobId }),
    );
    return job;
  },
});

// Writes

const planSpecSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,50}$/, 'Plan names are 1-50 letters, digits, "_", "." or "-".'),
    frequency: z.enum(['hourly', 'daily', 'weekly', 'monthly']),
    hourUtc: z.number().int().min(0).max(23).optional(),
    everyHours: z.number().int().min(1).max(12).optional(),
    weekday: z.enum(WEEKDAYS as [string, ...string[]]).optional(),
    retentionDays: z.number().int().min(1).max(36_500),
    coldStorageAfterDays: z.number().int().min(1).max(36_000).optional(),
    vaultName,
    selectionTags: z.record(tagKey, tagValue).refine((tags) => Object.keys(tags).length <= 30, 'At most 30 tags.'),
    resourceKinds: z
      .array(z.enum(['databases', 'volumes', 'instances', 'filesystems', 'tables']))
      .max(5)
      .optional(),
    iamRoleArn: z.string().max(2048),
    copyTo: z
      .array(
        z
          .object({
            region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/),
            vaultName,
            retentionDays: z.number().int().min(1).max(36_500).optional(),
          })
          .strict(),
      )
      .max(5)
      .optional(),
  })
  .strict()
  .superRefine((spec, issue) => {
    for (const problem of validatePlanSpec(spec as BackupPlanSpec))
      issue.addIssue({ code: 'custom', message: problem });
  });

export const createBackupPlan = defineOperation({
  id: 'backup.plans.create',
  service: 'backup',
  title: 'Create a backup plan with a tag selection',
  description:
    'Creates an AWS Backup plan (one rule: schedule, retention, optional cold storage and copies to other regions) and a selection of the resources carrying the given tags.',
  kind: 'write',
  destructive: false,
  costImpact: 'increase',
  rollbackSupported: true,
  rollbackNote: 'Delete the backup selection and then the plan (existing recovery points stay until they expire).',
  input: planSpecSchema,
  async targets(_ctx, input) {
    return [
      {
        type: 'backup:plan',
        id: '(new backup plan)',
        name: input.name,
        role: 'target',
        action: 'create',
        // The selection's tags name the environment the plan protects.
        tags: { ...input.selectionTags },
        details: describePlanSpec(input as BackupPlanSpec),
      },
    ];
  },
  preview(ctx, input) {
    const spec = input as BackupPlanSpec;
    return {
      summary: `Create backup plan ${spec.name} in ${ctx.account} / ${ctx.region}`,
      changes: [
        `account ${ctx.account}, region ${ctx.region}`,
        ...describePlanSpec(spec),
        'CreateBackupPlan, then CreateBackupSelection (the plan is deleted again if the selection fails)',
      ],
      warnings: spec.copyTo?.length
        ? [
            'Copies to another region need the destination vault to exist there; AWS Backup fails the copy job otherwise.',
          ]
        : [],
      cost: {
        direction: 'increase',
        note: 'Backup storage is billed per GB-month for as long as recovery points are kept; cross-region copies also bill transfer.',
      },
    };
  },
  async handler(ctx, input) {
    const spec = input as BackupPlanSpec;
    const backup = await ctx.client(backupService);
    const plan = await backup.send(
      new CreateBackupPlanCommand({
        BackupPlan: backupPlanDocument(spec, ctx.account),
        CreatorRequestId: ctx.clientToken('plan'),
      }),
    );
    const planIdValue = plan.BackupPlanId!;
    try {
      const selection = await backup.send(
        new CreateBackupSelectionCommand({
          BackupPlanId: planIdValue,
          BackupSelection: backupSelectionDocument(spec),
          CreatorRequestId: ctx.clientToken('selection'),
        }),
      );
      return { backupPlanId: planIdValue, backupPlanArn: plan.BackupPlanArn, selectionId: selection.SelectionId };
    } catch (error) {
      // No half-created plan: a plan without its selection would back up nothing.
      await backup.send(new DeleteBackupPlanCommand({ BackupPlanId: planIdValue })).catch(() => undefined);
      throw error;
    }
  },
  resourceIds: (output) => [output.backupPlanArn ?? output.backupPlanId],
});

export const startRestoreJob = defineOperation({
  id: 'backup.restore.start',
  service: 'backup',
  title: 'Restore a recovery point into a new resource',
  description:
    "Starts an AWS Backup restore job of one recovery point into a NEW resource, with the recovery point's own restore metadata (overridable). Nothing existing is overwritten.",
  kind: 'write',
  destructive: false,
  costImpact: 'increase',
  rollbackSupported: true,
  rollbackNote: 'Delete the restored resource (its ARN is in the restore job) when you no longer need it.',
  input: z
    .object({
      vaultName,
      recoveryPointArn,
      iamRoleArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/)
        .optional(),
      metadata: metadataSchema.optional().describe('Restore metadata overrides (merged over the recovery point’s).'),
      idempotencyToken: z.string().max(128).optional(),
    })
    .strict(),
  async targets(ctx, input) {
    const backup = await ctx.client(backupService);
    const point = await backup.send(
      new DescribeRecoveryPointCommand({ BackupVaultName: input.vaultName, RecoveryPointArn: input.recoveryPointArn }),
    );
    return [
      {
        type: 'backup:recoveryPoint',
        id: input.recoveryPointArn,
        name: point.ResourceName ?? point.ResourceArn,
        role: 'target',
        action: 'restore',
        state: point.Status,
        details: [
          `resource ${point.ResourceArn ?? '?'} (${point.ResourceType ?? '?'})`,
          `created ${point.CreationDate?.toISOString() ?? '?'}`,
        ],
      },
    ];
  },
  async preview(ctx, input, targets) {
    const backup = await ctx.client(backupService);
    const meta = await backup.send(
      new GetRecoveryPointRestoreMetadataCommand({
        BackupVaultName: input.vaultName,
        RecoveryPointArn: input.recoveryPointArn,
      }),
    );
    const merged = { ...(meta.RestoreMetadata ?? {}), ...(input.metadata ?? {}) };
    return {
      summary: `Restore ${targets[0]?.name ?? input.recoveryPointArn} into a new ${meta.ResourceType ?? 'resource'} in ${ctx.account} / ${ctx.region}`,
      changes: [
        `recovery point ${input.recoveryPointArn} (vault ${input.vaultName})`,
        ...(targets[0]?.details ?? []),
        `restore metadata: ${Object.entries(merged)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')
          .slice(0, 600)}`,
        'a NEW resource is created; the original is not touched',
      ],
      warnings: [],
      cost: { direction: 'increase', note: 'The restored resource is billed until it is deleted.' },
    };
  },
  async handler(ctx, input) {
    const backup = await ctx.client(backupService);
    const meta = await backup.send(
      new GetRecoveryPointRestoreMetadataCommand({
        BackupVaultName: input.vaultName,
        RecoveryPointArn: input.recoveryPointArn,
      }),
    );
    const result = await backup.send(
      new StartRestoreJobCommand({
        RecoveryPointArn: input.recoveryPointArn,
        Metadata: { ...(meta.RestoreMetadata ?? {}), ...(input.metadata ?? {}) },
        IamRoleArn: input.iamRoleArn,
        ResourceType: meta.ResourceType,
        IdempotencyToken: input.idempotencyToken ?? ctx.clientToken('restore'),
      }),
    );
    return { restoreJobId: result.RestoreJobId!, resourceType: meta.ResourceType };
  },
  resourceIds: (output) => [output.restoreJobId],
});

export const backupReadOperations = [
  listBackupVaults,
  listRecoveryPoints,
  describeRecoveryPoint,
  getRestoreMetadata,
  listBackupPlans,
  getBackupPlan,
  listBackupJobs,
  describeRestoreJob,
];
export const backupWriteOperations = [createBackupPlan, startRestoreJob];
