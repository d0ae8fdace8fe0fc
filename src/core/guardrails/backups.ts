import {
  CreateImageCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
} from '@aws-sdk/client-ec2';
import { ec2Service } from '../aws/services';
import type { BackupPlan, BackupRecord, OperationContext, TargetResource } from '../operations/types';

const BACKUP_OF_TAG = 'PilotLight:BackupOf';
const CORRELATION_TAG = 'PilotLight:CorrelationId';

function backupTags(target: TargetResource, correlationId: string): Array<{ Key: string; Value: string }> {
  const copied = Object.entries(target.tags ?? {}).filter(([key]) => !key.toLowerCase().startsWith('aws:'));
  return [
    ...copied.map(([Key, Value]) => ({ Key, Value })),
    { Key: BACKUP_OF_TAG, Value: target.id },
    { Key: CORRELATION_TAG, Value: correlationId },
  ];
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

function targetsOnly(targets: TargetResource[]): TargetResource[] {
  return targets.filter((target) => (target.role ?? 'target') === 'target');
}

class BackupNotReadyError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** Polls until `check` reports every backup ready, or fails when one failed or time ran out. */
async function pollUntilReady(
  ctx: OperationContext,
  backups: BackupRecord[],
  timeoutMs: number,
  pollMs: number,
  check: () => Promise<Map<string, string | undefined>>,
  ready: string,
  failed: string,
): Promise<BackupRecord[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await check();
    const current = backups.map((backup) => ({ ...backup, state: states.get(backup.id) ?? backup.state }));
    const broken = current.find((backup) => backup.state === failed);
    if (broken)
      throw new BackupNotReadyError(
        `Backup ${broken.id} of ${broken.sourceId} failed (state ${failed}).`,
        'BackupFailed',
      );
    if (current.every((backup) => backup.state === ready)) return current;
    if (Date.now() >= deadline)
      throw new BackupNotReadyError(
        `Backups ${current
          .filter((backup) => backup.state !== ready)
          .map((backup) => backup.id)
          .join(', ')} were not ${ready} after ${Math.round(timeoutMs / 1000)} s.`,
        'BackupTimeout',
      );
    await ctx.sleep(pollMs);
  }
}

/** An EBS snapshot of each volume before it is deleted. */
export const ebsSnapshotBeforeDelete: BackupPlan = {
  describe: (targets) => targetsOnly(targets).map((target) => `EBS snapshot of ${target.id} before it is deleted`),
  async create(ctx, _input, targets) {
    const ec2 = await ctx.client(ec2Service);
    const backups: BackupRecord[] = [];
    for (const target of targetsOnly(targets)) {
      const snapshot = await ec2.send(
        new CreateSnapshotCommand({
          VolumeId: target.id,
          Description: `Pilot Light backup of ${target.id} before deletion (${ctx.correlationId})`,
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: backupTags(target, ctx.correlationId) }],
        }),
      );
      backups.push({ kind: 'ebs-snapshot', id: snapshot.SnapshotId!, sourceId: target.id, state: snapshot.State });
    }
    return backups;
  },
  async waitUntilReady(ctx, backups, timeoutMs, pollMs) {
    const ec2 = await ctx.client(ec2Service);
    return pollUntilReady(
      ctx,
      backups,
      timeoutMs,
      pollMs,
      async () => {
        const { Snapshots } = await ec2.send(
          new DescribeSnapshotsCommand({ SnapshotIds: backups.map((backup) => backup.id) }),
        );
        return new Map((Snapshots ?? []).map((snapshot) => [snapshot.SnapshotId!, snapshot.State]));
      },
      'completed',
      'error',
    );
  },
};

/** An AMI of each instance (without rebooting it) before it is terminated. */
export const amiBeforeTerminate: BackupPlan = {
  describe: (targets) =>
    targetsOnly(targets).map((target) => `AMI of ${target.id} (no reboot) before it is terminated`),
  async create(ctx, _input, targets) {
    const ec2 = await ctx.client(ec2Service);
    const backups: BackupRecord[] = [];
    for (const target of targetsOnly(targets)) {
      const tags = backupTags(target, ctx.correlationId);
      const image = await ec2.send(
        new CreateImageCommand({
          InstanceId: target.id,
          Name: `pilotlight-backup-${target.id}-${timestamp(ctx.now)}`,
          Description: `Pilot Light backup of ${target.id} before termination (${ctx.correlationId})`,
          NoReboot: true,
          TagSpecifications: [{ ResourceType: 'image', Tags: tags }],
        }),
      );
      backups.push({ kind: 'ami', id: image.ImageId!, sourceId: target.id, state: 'pending' });
    }
    return backups;
  },
  async waitUntilReady(ctx, backups, timeoutMs, pollMs) {
    const ec2 = await ctx.client(ec2Service);
    const snapshotsByImage = new Map<string, string[]>();
    const tagsByImage = new Map<string, Array<{ Key?: string; Value?: string }>>();
    const ready = await pollUntilReady(
      ctx,
      backups,
      timeoutMs,
      pollMs,
      async () => {
        const { Images } = await ec2.send(new DescribeImagesCommand({ ImageIds: backups.map((backup) => backup.id) }));
        for (const image of Images ?? []) {
          snapshotsByImage.set(
            image.ImageId!,
            (image.BlockDeviceMappings ?? [])
              .map((mapping) => mapping.Ebs?.SnapshotId)
              .filter((id): id is string => Boolean(id)),
          );
          tagsByImage.set(image.ImageId!, image.Tags ?? []);
        }
        return new Map((Images ?? []).map((image) => [image.ImageId!, image.State]));
      },
      'available',
      'failed',
    );
    // The AMI's snapshots get the same tags once they exist (tagging them in CreateImage is not supported everywhere).
    for (const backup of ready) {
      const snapshots = snapshotsByImage.get(backup.id) ?? [];
      const tags = (tagsByImage.get(backup.id) ?? []).filter((tag) => tag.Key && !tag.Key.startsWith('aws:'));
      if (snapshots.length && tags.length)
        await ec2.send(new CreateTagsCommand({ Resources: snapshots, Tags: tags })).catch(() => undefined); // labels only; the backup itself is complete
    }
    return ready;
  },
};
