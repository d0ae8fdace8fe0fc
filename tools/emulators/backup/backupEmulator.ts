/**
 * AWS Backup emulation for what moto 5.2.5 lacks. moto stores backup plans and vaults; it has no backup
 * selections, no backup jobs, no recovery points and no restore jobs. This handler answers those
 * operations (restJson1, SigV4 scope `backup`) and leaves every other Backup call (plans, vaults, tags)
 * to moto:
 *
 * - CreateBackupSelection, GetBackupSelection, ListBackupSelections, DeleteBackupSelection (the plan must
 *   exist in moto);
 * - StartBackupJob, DescribeBackupJob, ListBackupJobs: an EBS volume gets a real EBS snapshot in moto's EC2,
 *   an EC2 instance a real AMI (CreateImage); the job goes CREATED → RUNNING → COMPLETED after `jobMs` and
 *   then the recovery point exists (the vault must exist in moto);
 * - ListBackupVaults, DescribeBackupVault: moto's answer with NumberOfRecoveryPoints counted here;
 * - ListCopyJobs: always empty (copy jobs come from scheduled rule runs, which the emulator does not run);
 * - ListRecoveryPointsByBackupVault, DescribeRecoveryPoint, GetRecoveryPointRestoreMetadata,
 *   DeleteRecoveryPoint (also deletes the snapshot or deregisters the AMI);
 * - StartRestoreJob, DescribeRestoreJob, ListRestoreJobs: PENDING → RUNNING → COMPLETED after `jobMs`; the
 *   restore creates the real resource in moto (a volume from the snapshot, or an instance from the AMI) and
 *   reports its ARN as CreatedResourceArn. A resource type other than EBS and EC2 fails the job with a message
 *   naming it: the emulator never pretends.
 *
 * Test hooks (never reachable over HTTP): `backdate` moves a recovery point's creation date, `failNextRestore`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BackupClient,
  DescribeBackupVaultCommand,
  GetBackupPlanCommand,
  ListBackupVaultsCommand,
} from '@aws-sdk/client-backup';
import {
  CreateImageCommand,
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeInstancesCommand,
  DescribeVolumesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { readBody, sendJson } from '../drs/http';

export interface BackupEmulatorOptions {
  motoEndpoint: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** How long a backup or restore job runs before it completes, in ms. Default 300. */
  jobMs?: number;
}

interface Selection {
  SelectionId: string;
  BackupPlanId: string;
  BackupSelection: Record<string, unknown>;
  CreationDate: number;
  CreatorRequestId?: string;
}

interface RecoveryPoint {
  RecoveryPointArn: string;
  BackupVaultName: string;
  BackupVaultArn: string;
  ResourceArn: string;
  ResourceType: 'EBS' | 'EC2';
  ResourceName?: string;
  CreationDate: number;
  CompletionDate?: number;
  Status: 'PARTIAL' | 'COMPLETED' | 'DELETING' | 'EXPIRED';
  BackupSizeInBytes: number;
  IamRoleArn?: string;
  Lifecycle?: { MoveToColdStorageAfterDays?: number; DeleteAfterDays?: number };
  CreatedBy?: Record<string, string>;
  restoreMetadata: Record<string, string>;
  /** snapshot ID (EBS) or image ID (EC2). */
  artifactId: string;
  region: string;
  account: string;
}

interface BackupJob {
  BackupJobId: string;
  BackupVaultName: string;
  BackupVaultArn: string;
  RecoveryPointArn?: string;
  ResourceArn: string;
  ResourceType: string;
  CreationDate: number;
  CompletionDate?: number;
  State: 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'ABORTED';
  StatusMessage?: string;
  IamRoleArn?: string;
  BackupSizeInBytes?: number;
  AccountId: string;
  region: string;
}

interface RestoreJob {
  RestoreJobId: string;
  AccountId: string;
  RecoveryPointArn: string;
  CreationDate: number;
  CompletionDate?: number;
  Status: 'PENDING' | 'RUNNING' | 'COMPLETED' | 'ABORTED' | 'FAILED';
  StatusMessage?: string;
  CreatedResourceArn?: string;
  ResourceType?: string;
  IamRoleArn?: string;
  BackupSizeInBytes?: number;
  region: string;
}

class BackupError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const ROUTES: { method: string; pattern: RegExp; operation: string }[] = [
  { method: 'PUT', pattern: /^\/backup\/plans\/([^/]+)\/selections\/?$/, operation: 'CreateBackupSelection' },
  { method: 'GET', pattern: /^\/backup\/plans\/([^/]+)\/selections\/?$/, operation: 'ListBackupSelections' },
  { method: 'GET', pattern: /^\/backup\/plans\/([^/]+)\/selections\/([^/]+)$/, operation: 'GetBackupSelection' },
  {
    method: 'DELETE',
    pattern: /^\/backup\/plans\/([^/]+)\/selections\/([^/]+)$/,
    operation: 'DeleteBackupSelection',
  },
  { method: 'PUT', pattern: /^\/backup-jobs\/?$/, operation: 'StartBackupJob' },
  { method: 'GET', pattern: /^\/backup-jobs\/?$/, operation: 'ListBackupJobs' },
  { method: 'GET', pattern: /^\/backup-jobs\/([^/]+)$/, operation: 'DescribeBackupJob' },
  {
    method: 'GET',
    pattern: /^\/backup-vaults\/([^/]+)\/recovery-points\/?$/,
    operation: 'ListRecoveryPointsByBackupVault',
  },
  {
    method: 'GET',
    pattern: /^\/backup-vaults\/([^/]+)\/recovery-points\/([^/]+)\/restore-metadata$/,
    operation: 'GetRecoveryPointRestoreMetadata',
  },
  {
    method: 'GET',
    pattern: /^\/backup-vaults\/([^/]+)\/recovery-points\/([^/]+)$/,
    operation: 'DescribeRecoveryPoint',
  },
  {
    method: 'DELETE',
    pattern: /^\/backup-vaults\/([^/]+)\/recovery-points\/([^/]+)$/,
    operation: 'DeleteRecoveryPoint',
  },
  { method: 'PUT', pattern: /^\/restore-jobs\/?$/, operation: 'StartRestoreJob' },
  { method: 'GET', pattern: /^\/restore-jobs\/?$/, operation: 'ListRestoreJobs' },
  { method: 'GET', pattern: /^\/restore-jobs\/([^/]+)$/, operation: 'DescribeRestoreJob' },
  { method: 'GET', pattern: /^\/copy-jobs\/?$/, operation: 'ListCopyJobs' },
  { method: 'GET', pattern: /^\/backup-vaults\/?$/, operation: 'ListBackupVaults' },
  { method: 'GET', pattern: /^\/backup-vaults\/([^/]+)$/, operation: 'DescribeBackupVault' },
];

function scope(req: IncomingMessage): { region: string; service: string } | undefined {
  const credential = /Credential=([^,\s]+)/.exec(String(req.headers.authorization ?? ''))?.[1];
  const parts = credential?.split('/') ?? [];
  return parts.length >= 5 ? { region: parts[parts.length - 3], service: parts[parts.length - 2] } : undefined;
}

function route(req: IncomingMessage): { operation: string; params: string[]; query: URLSearchParams } | undefined {
  const url = new URL(req.url ?? '/', 'http://localhost');
  for (const candidate of ROUTES) {
    if (candidate.method !== req.method) continue;
    const match = candidate.pattern.exec(url.pathname);
    if (match)
      return {
        operation: candidate.operation,
        params: match.slice(1).map((part) => decodeURIComponent(part)),
        query: url.searchParams,
      };
  }
  return undefined;
}

const now = (): number => Date.now() / 1000;

/** `arn:aws:ec2:us-east-1:123:volume/vol-1` → { type: volume, id: vol-1 } */
function ec2Resource(arn: string): { type: string; id: string; account: string } | undefined {
  const match = /^arn:aws[a-z-]*:ec2:[a-z0-9-]+:(\d{12}):(volume|instance)\/([A-Za-z0-9-]+)$/.exec(arn);
  return match ? { account: match[1], type: match[2], id: match[3] } : undefined;
}

function page<T>(items: T[], query: URLSearchParams): { items: T[]; nextToken?: string } {
  const max = Math.min(1000, Math.max(1, Number(query.get('maxResults') ?? 1000) || 1000));
  const start = Number(query.get('nextToken') ?? 0) || 0;
  const slice = items.slice(start, start + max);
  return { items: slice, ...(start + max < items.length ? { nextToken: String(start + max) } : {}) };
}

export class BackupEmulator {
  private readonly selections = new Map<string, Selection>();
  private readonly recoveryPoints = new Map<string, RecoveryPoint>();
  private readonly backupJobs = new Map<string, BackupJob>();
  private readonly restoreJobs = new Map<string, RestoreJob>();
  private readonly backupClients = new Map<string, BackupClient>();
  private readonly ec2Clients = new Map<string, EC2Client>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private restoreFailures: { remaining: number; message: string } | undefined;
  private jobMs: number;
  /** Calls per operation, for tests. */
  readonly calls: Record<string, number> = {};

  constructor(private readonly options: BackupEmulatorOptions) {
    this.jobMs = options.jobMs ?? 300;
  }

  /** A Backup request this module answers (everything else about Backup stays with moto). */
  static matches(req: IncomingMessage): boolean {
    return scope(req)?.service === 'backup' && route(req) !== undefined;
  }

  setJobMs(ms: number): void {
    this.jobMs = Math.max(10, ms);
  }

  /** Test hook: moves a recovery point's creation (and completion) date. */
  backdate(recoveryPointArn: string, creationDate: Date): void {
    const point = this.recoveryPoints.get(recoveryPointArn);
    if (!point) throw new Error(`no recovery point ${recoveryPointArn}`);
    point.CreationDate = creationDate.getTime() / 1000;
    point.CompletionDate = point.CreationDate;
  }

  /** Test hook: the next `count` restore jobs fail with `message`. */
  failNextRestore(count = 1, message = 'Restore failed: injected by the Backup emulator'): void {
    this.restoreFailures = { remaining: count, message };
  }

  reset(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.selections.clear();
    this.recoveryPoints.clear();
    this.backupJobs.clear();
    this.restoreJobs.clear();
    this.restoreFailures = undefined;
  }

  stop(): void {
    this.reset();
    for (const client of this.backupClients.values()) client.destroy();
    for (const client of this.ec2Clients.values()) client.destroy();
    this.backupClients.clear();
    this.ec2Clients.clear();
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const matched = route(req);
    const region = scope(req)?.region ?? 'us-east-1';
    if (matched) this.calls[matched.operation] = (this.calls[matched.operation] ?? 0) + 1;
    readBody(req, 1024 * 1024)
      .then(async (body) => {
        if (!matched) throw new BackupError('InvalidRequestException', 'not a Backup emulator operation');
        const input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
        return this.dispatch(matched.operation, matched.params, matched.query, input, region);
      })
      .then(
        (result) => sendJson(res, 200, result ?? {}, { 'x-amzn-requestid': randomUUID() }),
        (error: unknown) => {
          const e =
            error instanceof BackupError
              ? error
              : new BackupError('ServiceUnavailableException', (error as Error).message ?? String(error), 500);
          sendJson(
            res,
            e.status,
            { __type: e.type, Message: e.message, message: e.message },
            { 'x-amzn-errortype': e.type, 'x-amzn-requestid': randomUUID() },
          );
        },
      );
  }

  private backup(region: string): BackupClient {
    let client = this.backupClients.get(region);
    if (!client) {
      client = new BackupClient({
        region,
        endpoint: this.options.motoEndpoint,
        credentials: this.options.credentials ?? { accessKeyId: 'testing', secretAccessKey: 'testing' },
        maxAttempts: 2,
      });
      this.backupClients.set(region, client);
    }
    return client;
  }

  private ec2(region: string): EC2Client {
    let client = this.ec2Clients.get(region);
    if (!client) {
      client = new EC2Client({
        region,
        endpoint: this.options.motoEndpoint,
        credentials: this.options.credentials ?? { accessKeyId: 'testing', secretAccessKey: 'testing' },
        maxAttempts: 2,
      });
      this.ec2Clients.set(region, client);
    }
    return client;
  }

  private later(fn: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void fn();
    }, this.jobMs);
    this.timers.add(timer);
  }

  private async dispatch(
    operation: string,
    params: string[],
    query: URLSearchParams,
    input: Record<string, unknown>,
    region: string,
  ): Promise<unknown> {
    switch (operation) {
      case 'CreateBackupSelection':
        return this.createSelection(region, params[0], input);
      case 'ListBackupSelections': {
        const listed = [...this.selections.values()].filter((s) => s.BackupPlanId === params[0]);
        const { items, nextToken } = page(listed, query);
        return {
          BackupSelectionsList: items.map((s) => ({
            SelectionId: s.SelectionId,
            SelectionName: s.BackupSelection.SelectionName,
            BackupPlanId: s.BackupPlanId,
            CreationDate: s.CreationDate,
            IamRoleArn: s.BackupSelection.IamRoleArn,
            CreatorRequestId: s.CreatorRequestId,
          })),
          NextToken: nextToken,
        };
      }
      case 'GetBackupSelection': {
        const selection = this.selections.get(params[1]);
        if (!selection || selection.BackupPlanId !== params[0])
          throw new BackupError('ResourceNotFoundException', `Backup selection ${params[1]} was not found.`, 404);
        return selection;
      }
      case 'DeleteBackupSelection':
        if (!this.selections.delete(params[1]))
          throw new BackupError('ResourceNotFoundException', `Backup selection ${params[1]} was not found.`, 404);
        return {};
      case 'StartBackupJob':
        return this.startBackupJob(region, input);
      case 'ListBackupJobs': {
        const state = query.get('state');
        const resource = query.get('resourceArn');
        const vault = query.get('backupVaultName');
        const listed = [...this.backupJobs.values()]
          .filter((j) => j.region === region)
          .filter((j) => (!state || j.State === state) && (!resource || j.ResourceArn === resource))
          .filter((j) => !vault || j.BackupVaultName === vault)
          .sort((a, b) => b.CreationDate - a.CreationDate);
        const { items, nextToken } = page(listed, query);
        return { BackupJobs: items.map(({ region: _r, ...job }) => job), NextToken: nextToken };
      }
      case 'DescribeBackupJob': {
        const job = this.backupJobs.get(params[0]);
        if (!job) throw new BackupError('ResourceNotFoundException', `Backup job ${params[0]} was not found.`, 404);
        const { region: _r, ...rest } = job;
        return rest;
      }
      case 'ListRecoveryPointsByBackupVault': {
        await this.vault(region, params[0]);
        const resource = query.get('resourceArn');
        const listed = [...this.recoveryPoints.values()]
          .filter((p) => p.region === region && p.BackupVaultName === params[0])
          .filter((p) => !resource || p.ResourceArn === resource)
          .sort((a, b) => b.CreationDate - a.CreationDate);
        const { items, nextToken } = page(listed, query);
        return { RecoveryPoints: items.map((p) => this.publicPoint(p)), NextToken: nextToken };
      }
      case 'DescribeRecoveryPoint':
        return this.publicPoint(this.point(region, params[0], params[1]));
      case 'GetRecoveryPointRestoreMetadata': {
        const point = this.point(region, params[0], params[1]);
        return {
          BackupVaultArn: point.BackupVaultArn,
          RecoveryPointArn: point.RecoveryPointArn,
          RestoreMetadata: point.restoreMetadata,
          ResourceType: point.ResourceType,
        };
      }
      case 'DeleteRecoveryPoint': {
        const point = this.point(region, params[0], params[1]);
        const ec2 = this.ec2(region);
        if (point.ResourceType === 'EBS') await ec2.send(new DeleteSnapshotCommand({ SnapshotId: point.artifactId }));
        else await ec2.send(new DeregisterImageCommand({ ImageId: point.artifactId }));
        this.recoveryPoints.delete(point.RecoveryPointArn);
        return {};
      }
      case 'StartRestoreJob':
        return this.startRestoreJob(region, input);
      case 'ListRestoreJobs': {
        const status = query.get('status');
        const listed = [...this.restoreJobs.values()]
          .filter((j) => j.region === region && (!status || j.Status === status))
          .sort((a, b) => b.CreationDate - a.CreationDate);
        const { items, nextToken } = page(listed, query);
        return { RestoreJobs: items.map(({ region: _r, ...job }) => job), NextToken: nextToken };
      }
      case 'DescribeRestoreJob': {
        const job = this.restoreJobs.get(params[0]);
        if (!job) throw new BackupError('ResourceNotFoundException', `Restore job ${params[0]} was not found.`, 404);
        const { region: _r, ...rest } = job;
        return rest;
      }
      case 'ListBackupVaults': {
        // moto's vaults, with the number of recovery points this emulator holds in each.
        const listed = await this.backup(region).send(
          new ListBackupVaultsCommand({
            MaxResults: query.get('maxResults') ? Number(query.get('maxResults')) : undefined,
            NextToken: query.get('nextToken') ?? undefined,
          }),
        );
        return {
          BackupVaultList: (listed.BackupVaultList ?? []).map((vault) => this.withCount(region, { ...vault })),
          NextToken: listed.NextToken,
        };
      }
      case 'DescribeBackupVault': {
        let vault;
        try {
          vault = await this.backup(region).send(new DescribeBackupVaultCommand({ BackupVaultName: params[0] }));
        } catch {
          throw new BackupError('ResourceNotFoundException', `Backup vault ${params[0]} does not exist.`, 404);
        }
        const { $metadata: _m, ...rest } = vault;
        return this.withCount(region, rest);
      }
      case 'ListCopyJobs':
        // Copy jobs come from scheduled runs of a rule's CopyActions, which the emulator does not run.
        return { CopyJobs: [] };
      default:
        throw new BackupError('InvalidRequestException', `${operation} is not handled by the Backup emulator`);
    }
  }

  private withCount(region: string, vault: Record<string, unknown>): Record<string, unknown> {
    const count = [...this.recoveryPoints.values()].filter(
      (point) => point.region === region && point.BackupVaultName === vault.BackupVaultName,
    ).length;
    const epochs = Object.fromEntries(
      Object.entries(vault).map(([key, value]) => [key, value instanceof Date ? value.getTime() / 1000 : value]),
    );
    return { ...epochs, NumberOfRecoveryPoints: count };
  }

  private publicPoint(point: RecoveryPoint): Record<string, unknown> {
    const { restoreMetadata: _m, artifactId: _a, region: _r, account: _c, ...rest } = point;
    return rest;
  }

  private point(region: string, vaultName: string, arn: string): RecoveryPoint {
    const point = this.recoveryPoints.get(arn);
    if (!point || point.region !== region || point.BackupVaultName !== vaultName)
      throw new BackupError(
        'ResourceNotFoundException',
        `Recovery point ${arn} was not found in backup vault ${vaultName}.`,
        404,
      );
    return point;
  }

  private async vault(region: string, name: string): Promise<{ arn: string; name: string }> {
    try {
      const vault = await this.backup(region).send(new DescribeBackupVaultCommand({ BackupVaultName: name }));
      return { arn: vault.BackupVaultArn ?? '', name: vault.BackupVaultName ?? name };
    } catch {
      throw new BackupError('ResourceNotFoundException', `Backup vault ${name} does not exist.`, 404);
    }
  }

  private async createSelection(region: string, planId: string, input: Record<string, unknown>): Promise<unknown> {
    try {
      await this.backup(region).send(new GetBackupPlanCommand({ BackupPlanId: planId }));
    } catch {
      throw new BackupError('ResourceNotFoundException', `Backup plan ${planId} was not found.`, 404);
    }
    const selection = input.BackupSelection as Record<string, unknown> | undefined;
    if (!selection || typeof selection.SelectionName !== 'string' || typeof selection.IamRoleArn !== 'string')
      throw new BackupError('InvalidParameterValueException', 'BackupSelection needs SelectionName and IamRoleArn.');
    const hasTags = Array.isArray(selection.ListOfTags) && selection.ListOfTags.length > 0;
    const hasResources = Array.isArray(selection.Resources) && selection.Resources.length > 0;
    const hasConditions = Boolean(selection.Conditions);
    if (!hasTags && !hasResources && !hasConditions)
      throw new BackupError(
        'InvalidParameterValueException',
        'A backup selection needs resources, tags or conditions.',
      );
    const record: Selection = {
      SelectionId: randomUUID(),
      BackupPlanId: planId,
      BackupSelection: selection,
      CreationDate: now(),
      ...(typeof input.CreatorRequestId === 'string' ? { CreatorRequestId: input.CreatorRequestId } : {}),
    };
    this.selections.set(record.SelectionId, record);
    return { SelectionId: record.SelectionId, BackupPlanId: planId, CreationDate: record.CreationDate };
  }

  private async startBackupJob(region: string, input: Record<string, unknown>): Promise<unknown> {
    const vaultName = String(input.BackupVaultName ?? '');
    const resourceArn = String(input.ResourceArn ?? '');
    const vault = await this.vault(region, vaultName);
    const resource = ec2Resource(resourceArn);
    if (!resource)
      throw new BackupError(
        'InvalidParameterValueException',
        `The Backup emulator backs up EBS volumes and EC2 instances only, not ${resourceArn}.`,
      );
    const ec2 = this.ec2(region);
    const job: BackupJob = {
      BackupJobId: randomUUID().toUpperCase(),
      BackupVaultName: vault.name,
      BackupVaultArn: vault.arn,
      ResourceArn: resourceArn,
      ResourceType: resource.type === 'volume' ? 'EBS' : 'EC2',
      CreationDate: now(),
      State: 'CREATED',
      ...(typeof input.IamRoleArn === 'string' ? { IamRoleArn: input.IamRoleArn } : {}),
      AccountId: resource.account,
      region,
    };
    let artifactId: string;
    let size: number;
    let name: string | undefined;
    let metadata: Record<string, string>;
    if (resource.type === 'volume') {
      const volume = (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [resource.id] }))).Volumes?.[0];
      if (!volume) throw new BackupError('InvalidParameterValueException', `Volume ${resource.id} does not exist.`);
      const snapshot = await ec2.send(
        new CreateSnapshotCommand({ VolumeId: resource.id, Description: `AWS Backup job ${job.BackupJobId}` }),
      );
      artifactId = snapshot.SnapshotId!;
      size = (volume.Size ?? 0) * 1024 ** 3;
      name = volume.Tags?.find((t) => t.Key === 'Name')?.Value;
      metadata = {
        volumeId: resource.id,
        availabilityZone: volume.AvailabilityZone ?? `${region}a`,
        volumeType: volume.VolumeType ?? 'gp3',
        volumeSize: String(volume.Size ?? 1),
        encrypted: String(volume.Encrypted ?? false),
      };
    } else {
      const instance = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [resource.id] }))).Reservations?.[0]
        ?.Instances?.[0];
      if (!instance) throw new BackupError('InvalidParameterValueException', `Instance ${resource.id} does not exist.`);
      const image = await ec2.send(
        new CreateImageCommand({ InstanceId: resource.id, Name: `AwsBackup_${resource.id}_${job.BackupJobId}` }),
      );
      artifactId = image.ImageId!;
      size = 8 * 1024 ** 3;
      name = instance.Tags?.find((t) => t.Key === 'Name')?.Value;
      metadata = {
        InstanceType: instance.InstanceType ?? 't3.micro',
        ...(instance.SubnetId ? { SubnetId: instance.SubnetId } : {}),
        ...(instance.Placement?.AvailabilityZone ? { AvailabilityZone: instance.Placement.AvailabilityZone } : {}),
      };
    }
    job.BackupSizeInBytes = size;
    job.State = 'RUNNING';
    this.backupJobs.set(job.BackupJobId, job);
    const lifecycle = input.Lifecycle as RecoveryPoint['Lifecycle'] | undefined;
    const recoveryPointArn =
      resource.type === 'volume'
        ? `arn:aws:ec2:${region}::snapshot/${artifactId}`
        : `arn:aws:ec2:${region}::image/${artifactId}`;
    this.later(async () => {
      job.State = 'COMPLETED';
      job.CompletionDate = now();
      job.RecoveryPointArn = recoveryPointArn;
      this.recoveryPoints.set(recoveryPointArn, {
        RecoveryPointArn: recoveryPointArn,
        BackupVaultName: vault.name,
        BackupVaultArn: vault.arn,
        ResourceArn: resourceArn,
        ResourceType: job.ResourceType as 'EBS' | 'EC2',
        ...(name ? { ResourceName: name } : {}),
        CreationDate: job.CreationDate,
        CompletionDate: job.CompletionDate,
        Status: 'COMPLETED',
        BackupSizeInBytes: size,
        ...(job.IamRoleArn ? { IamRoleArn: job.IamRoleArn } : {}),
        ...(lifecycle ? { Lifecycle: lifecycle } : {}),
        CreatedBy: { BackupJobId: job.BackupJobId },
        restoreMetadata: metadata,
        artifactId,
        region,
        account: resource.account,
      });
    });
    return { BackupJobId: job.BackupJobId, RecoveryPointArn: recoveryPointArn, CreationDate: job.CreationDate };
  }

  private startRestoreJob(region: string, input: Record<string, unknown>): unknown {
    const arn = String(input.RecoveryPointArn ?? '');
    const point = this.recoveryPoints.get(arn);
    if (!point || point.region !== region)
      throw new BackupError('ResourceNotFoundException', `Recovery point ${arn} was not found.`, 404);
    const metadata = (input.Metadata ?? {}) as Record<string, string>;
    if (typeof metadata !== 'object' || Array.isArray(metadata))
      throw new BackupError('InvalidParameterValueException', 'Metadata must be a map of strings.');
    const job: RestoreJob = {
      RestoreJobId: randomUUID().toUpperCase(),
      AccountId: point.account,
      RecoveryPointArn: arn,
      CreationDate: now(),
      Status: 'PENDING',
      ResourceType: point.ResourceType,
      BackupSizeInBytes: point.BackupSizeInBytes,
      ...(typeof input.IamRoleArn === 'string' ? { IamRoleArn: input.IamRoleArn } : {}),
      region,
    };
    this.restoreJobs.set(job.RestoreJobId, job);
    const failure = this.restoreFailures && this.restoreFailures.remaining > 0 ? this.restoreFailures : undefined;
    if (failure) failure.remaining -= 1;
    const merged = { ...point.restoreMetadata, ...metadata };
    job.Status = 'RUNNING';
    this.later(async () => {
      if (failure) {
        job.Status = 'FAILED';
        job.StatusMessage = failure.message;
        job.CompletionDate = now();
        return;
      }
      try {
        const ec2 = this.ec2(region);
        if (point.ResourceType === 'EBS') {
          const volume = await ec2.send(
            new CreateVolumeCommand({
              SnapshotId: point.artifactId,
              AvailabilityZone: merged.availabilityZone ?? `${region}a`,
              VolumeType: (merged.volumeType ?? 'gp3') as 'gp3',
              TagSpecifications: [
                { ResourceType: 'volume', Tags: [{ Key: 'aws:backup:source-resource', Value: point.ResourceArn }] },
              ],
            }),
          );
          job.CreatedResourceArn = `arn:aws:ec2:${region}:${point.account}:volume/${volume.VolumeId}`;
        } else {
          const run = await ec2.send(
            new RunInstancesCommand({
              ImageId: point.artifactId,
              MinCount: 1,
              MaxCount: 1,
              InstanceType: (merged.InstanceType ?? 't3.micro') as 't3.micro',
              ...(merged.SubnetId ? { SubnetId: merged.SubnetId } : {}),
            }),
          );
          job.CreatedResourceArn = `arn:aws:ec2:${region}:${point.account}:instance/${run.Instances?.[0]?.InstanceId}`;
        }
        job.Status = 'COMPLETED';
      } catch (error) {
        job.Status = 'FAILED';
        job.StatusMessage = `Restore into moto failed: ${(error as Error).message}`;
      }
      job.CompletionDate = now();
    });
    return { RestoreJobId: job.RestoreJobId };
  }
}
