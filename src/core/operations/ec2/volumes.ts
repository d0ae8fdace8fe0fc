import {
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DeleteVolumeCommand,
  type VolumeType,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { ec2Service } from '../../aws/services';
import { ebsSnapshotBeforeDelete } from '../../guardrails/backups';
import { snapshotImages, volumeAttachments } from '../../guardrails/dependencyChecks';
import { usd } from '../costs';
import { defineOperation } from '../define';
import { availabilityZone, snapshotId, tagsSchema, tagSpecifications, volumeId } from '../schemaParts';
import { snapshotTargets, volumeTargets } from './targets';
import { PriceBook } from '../../cost/priceBook';

const volumeTypes = ['gp3', 'gp2', 'io1', 'io2', 'st1', 'sc1', 'standard'] as const;

export const createVolume = defineOperation({
  id: 'ec2.volumes.create',
  service: 'ec2',
  title: 'Create an EBS volume',
  description: 'Creates an EBS volume in an availability zone, empty or from a snapshot.',
  kind: 'write',
  destructive: false,
  costImpact: 'increase',
  rollbackSupported: true,
  rollbackNote: 'delete the volume',
  input: z
    .object({
      availabilityZone,
      sizeGiB: z
        .number()
        .int()
        .min(1)
        .max(65536)
        .optional()
        .describe('Size in GiB; optional when created from a snapshot.'),
      volumeType: z.enum(volumeTypes).default('gp3'),
      iops: z.number().int().min(100).max(256000).optional(),
      throughput: z.number().int().min(125).max(2000).optional().describe('gp3 only, MiB/s.'),
      encrypted: z.boolean().optional(),
      kmsKeyId: z.string().min(1).optional(),
      snapshotId: snapshotId.optional(),
      tags: tagsSchema.optional(),
    })
    .strict()
    .refine((input) => input.sizeGiB !== undefined || input.snapshotId !== undefined, {
      message: 'Give sizeGiB, snapshotId, or both.',
      path: ['sizeGiB'],
    }),
  targets: async (_ctx, input) => [
    {
      type: 'ec2:volume',
      id: '(new volume)',
      name: input.tags?.Name,
      action: 'create',
      tags: input.tags ?? {},
      details: [`${input.sizeGiB ?? 'snapshot size'} GiB`, input.volumeType, input.availabilityZone],
    },
  ],
  preview(ctx, input) {
    const prices = new PriceBook(ctx.region);
    const perGb = prices.ebsPerGbMonth(input.volumeType).usd;
    const monthlyUsd = input.sizeGiB && perGb ? Math.round(input.sizeGiB * perGb * 100) / 100 : undefined;
    return {
      summary: `Create a ${input.sizeGiB ? `${input.sizeGiB} GiB ` : ''}${input.volumeType} volume in ${input.availabilityZone}`,
      changes: [
        `new ${input.volumeType} volume${input.snapshotId ? ` from ${input.snapshotId}` : ''}${input.encrypted ? ', encrypted' : ''}`,
      ],
      cost: {
        direction: 'increase',
        monthlyUsd,
        note:
          monthlyUsd !== undefined
            ? `About ${usd(monthlyUsd)}/month for storage${input.iops ? ' plus provisioned IOPS' : ''}. ${prices.note()}`
            : 'Billed per GiB-month of the volume size.',
      },
    };
  },
  checkPermission: (ctx, input) =>
    ctx.probe(
      ec2Service,
      new CreateVolumeCommand({
        AvailabilityZone: input.availabilityZone,
        Size: input.sizeGiB,
        VolumeType: input.volumeType as VolumeType,
        SnapshotId: input.snapshotId,
        DryRun: true,
      }),
    ),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    const volume = await ec2.send(
      new CreateVolumeCommand({
        AvailabilityZone: input.availabilityZone,
        Size: input.sizeGiB,
        VolumeType: input.volumeType as VolumeType,
        Iops: input.iops,
        Throughput: input.throughput,
        Encrypted: input.encrypted,
        KmsKeyId: input.kmsKeyId,
        SnapshotId: input.snapshotId,
        TagSpecifications: tagSpecifications('volume', input.tags),
        ClientToken: ctx.clientToken('create-volume'),
      }),
    );
    return { volumeId: volume.VolumeId!, state: volume.State, sizeGiB: volume.Size };
  },
  resourceIds: (output) => [output.volumeId],
});

export const deleteVolume = defineOperation({
  id: 'ec2.volumes.delete',
  service: 'ec2',
  title: 'Delete an EBS volume',
  description: 'Deletes an unattached EBS volume. By policy a snapshot is taken first.',
  kind: 'delete',
  destructive: true,
  costImpact: 'decrease',
  rollbackSupported: false,
  rollbackNote: 'restore a new volume from the backup snapshot',
  input: z.object({ volumeId }).strict(),
  targets: (ctx, input) => volumeTargets(ctx, [input.volumeId], 'delete'),
  preview: (_ctx, input, targets) => ({
    summary: `Delete volume ${input.volumeId}${targets[0]?.name ? ` (${targets[0].name})` : ''}`,
    changes: [`delete ${input.volumeId} (${targets[0]?.details?.join(', ') ?? ''})`],
    cost: {
      direction: 'decrease',
      note: 'The volume stops being billed; a backup snapshot is billed per GiB-month stored.',
    },
  }),
  checkPermission: (ctx, input) =>
    ctx.probe(ec2Service, new DeleteVolumeCommand({ VolumeId: input.volumeId, DryRun: true })),
  checkDependencies: (ctx, input) => volumeAttachments(ctx, [input.volumeId]),
  backup: ebsSnapshotBeforeDelete,
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    await ec2.send(new DeleteVolumeCommand({ VolumeId: input.volumeId }));
    return { deleted: input.volumeId };
  },
});

export const createSnapshot = defineOperation({
  id: 'ec2.snapshots.create',
  service: 'ec2',
  title: 'Create an EBS snapshot',
  description: 'Creates a point-in-time snapshot of an EBS volume.',
  kind: 'write',
  destructive: false,
  costImpact: 'increase',
  rollbackSupported: true,
  rollbackNote: 'delete the snapshot',
  input: z.object({ volumeId, description: z.string().max(255).optional(), tags: tagsSchema.optional() }).strict(),
  targets: async (ctx, input) => {
    const [volume] = await volumeTargets(ctx, [input.volumeId], 'snapshot', 'context');
    // The snapshot inherits the volume's environment unless its own tags say otherwise.
    return [
      {
        type: 'ec2:snapshot',
        id: '(new snapshot)',
        name: input.tags?.Name,
        action: 'create',
        tags: { ...volume?.tags, ...input.tags },
      },
      ...(volume ? [volume] : []),
    ];
  },
  preview(ctx, input, targets) {
    const prices = new PriceBook(ctx.region);
    const size = Number.parseInt(targets.find((target) => target.type === 'ec2:volume')?.details?.[0] ?? '', 10);
    const upper = Number.isFinite(size) ? Math.round(size * prices.snapshotPerGbMonth().usd * 100) / 100 : undefined;
    return {
      summary: `Snapshot volume ${input.volumeId}`,
      changes: [`new snapshot of ${input.volumeId}${input.description ? `: ${input.description}` : ''}`],
      cost: {
        direction: 'increase',
        monthlyUsd: upper,
        note:
          upper !== undefined
            ? `At most ${usd(upper)}/month (full copy; snapshots are incremental). ${prices.note()}`
            : 'Billed per GiB-month stored.',
      },
    };
  },
  checkPermission: (ctx, input) =>
    ctx.probe(ec2Service, new CreateSnapshotCommand({ VolumeId: input.volumeId, DryRun: true })),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    const snapshot = await ec2.send(
      new CreateSnapshotCommand({
        VolumeId: input.volumeId,
        Description: input.description,
        TagSpecifications: tagSpecifications('snapshot', input.tags),
      }),
    );
    return { snapshotId: snapshot.SnapshotId!, state: snapshot.State };
  },
  resourceIds: (output) => [output.snapshotId],
});

export const deleteSnapshot = defineOperation({
  id: 'ec2.snapshots.delete',
  service: 'ec2',
  title: 'Delete an EBS snapshot',
  description: 'Deletes an EBS snapshot that no AMI uses.',
  kind: 'delete',
  destructive: true,
  costImpact: 'decrease',
  rollbackSupported: false,
  rollbackNote: 'a deleted snapshot cannot be restored (unless the Recycle Bin keeps it)',
  input: z.object({ snapshotId }).strict(),
  targets: (ctx, input) => snapshotTargets(ctx, [input.snapshotId], 'delete'),
  preview: (_ctx, input, targets) => ({
    summary: `Delete snapshot ${input.snapshotId}`,
    changes: [`delete ${input.snapshotId} (${targets[0]?.details?.join(', ') ?? ''})`],
  }),
  checkPermission: (ctx, input) =>
    ctx.probe(ec2Service, new DeleteSnapshotCommand({ SnapshotId: input.snapshotId, DryRun: true })),
  checkDependencies: (ctx, input) => snapshotImages(ctx, [input.snapshotId]),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: input.snapshotId }));
    return { deleted: input.snapshotId };
  },
});

export const volumeOperations = [createVolume, deleteVolume, createSnapshot, deleteSnapshot];
