/**
 * /unused: unattached volumes, unassociated Elastic IPs, instances stopped for a long time and orphaned
 * snapshots, each with an estimated monthly cost from the bundled, dated price table.
 */
import { PriceBook } from '../cost/priceBook';
import { refOf, type EnvironmentResolver, type ResourceFact, type ResourceRef } from './facts';
import { ebsVolumeMonthly, elasticIpMonthly, PRICE_TABLE, snapshotMonthly } from './prices';
import { readFacts, type ReadOperation } from './reads';

export type UnusedCategory =
  'unattached-volume' | 'unassociated-eip' | 'stopped-instance' | 'orphaned-snapshot' | 'unused-security-group';

export interface UnusedFinding {
  category: UnusedCategory;
  resource: ResourceRef;
  monthlyUsd: number;
  /** Why it counts as unused, e.g. "available (not attached) since 2024-05-01". */
  reason: string;
  /** What the cost covers. */
  costNote: string;
  /** The registry operation that would remove it; offered as a dry-run, never run directly. */
  cleanup?: { operationId: string; input: Record<string, unknown> };
}

/** The lists /unused reads. */
export type UnusedList = 'instances' | 'volumes' | 'addresses' | 'snapshots' | 'images';

export interface UnusedReport {
  findings: UnusedFinding[];
  totalMonthlyUsd: number;
  priceTable: { asOf: string; region: string; currency: string; note: string };
  stoppedDays: number;
  checked: Record<UnusedList, number>;
  /** "<list>: <error>" for every read that failed. */
  errors: string[];
  /** False when a read failed or a list was cut: then the findings are not the whole answer. */
  complete: boolean;
  /** Lists longer than the read limit, of which only the first part was checked. */
  truncated: UnusedList[];
  /** Categories that were not judged at all, with why (a read they need failed or was cut). */
  notChecked: Array<{ category: UnusedCategory; reason: string }>;
}

/** The lists each category needs: its subject, and the lists that prove something is no longer used. */
/** The categories collectUnused judges from its lists (security groups have their own reads: unusedSecurityGroups.ts). */
type ListedCategory = Exclude<UnusedCategory, 'unused-security-group'>;

const CATEGORY_NEEDS: Readonly<Record<ListedCategory, readonly UnusedList[]>> = Object.freeze({
  'unattached-volume': ['volumes'],
  'unassociated-eip': ['addresses'],
  'stopped-instance': ['instances', 'volumes'],
  'orphaned-snapshot': ['snapshots', 'volumes', 'images'],
});

/** Lists whose absence of an item is evidence (a snapshot's volume is gone, no AMI uses it): a cut list cannot prove that. */
const ABSENCE_EVIDENCE: Readonly<Partial<Record<UnusedCategory, readonly UnusedList[]>>> = Object.freeze({
  'orphaned-snapshot': ['volumes', 'images'],
});

export const CATEGORY_TITLES: Readonly<Record<UnusedCategory, string>> = Object.freeze({
  'unattached-volume': 'Unattached EBS volumes',
  'unassociated-eip': 'Unassociated Elastic IPs',
  'stopped-instance': 'Instances stopped for a long time',
  'orphaned-snapshot': 'Orphaned snapshots',
  'unused-security-group': 'Unused security groups',
});

/** The resource types the analysis judges. */
export const UNUSED_TYPES: readonly string[] = Object.freeze([
  'ec2:volume',
  'ec2:elastic-ip',
  'ec2:instance',
  'ec2:snapshot',
]);

const DAY_MS = 24 * 60 * 60 * 1000;

/** When an instance stopped, from its StateTransitionReason, e.g. "User initiated (2024-05-01 10:00:00 GMT)". */
export function stoppedSince(reason: unknown): Date | undefined {
  const match = /\((\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?\s*(GMT|UTC|Z)?\)/.exec(String(reason ?? ''));
  if (!match) return undefined;
  const date = new Date(`${match[1]}T${match[2]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function days(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

function asDate(value: unknown): Date | undefined {
  if (!value) return undefined;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export interface UnusedInputs {
  instances: ResourceFact[];
  volumes: ResourceFact[];
  addresses: ResourceFact[];
  snapshots: ResourceFact[];
  images: ResourceFact[];
}

/** Judges the facts; pure, so the rules are unit-tested without AWS. Categories in `skip` are not judged. */
export function findUnused(
  inputs: UnusedInputs,
  options: { now: Date; stoppedDays: number; skip?: ReadonlySet<UnusedCategory>; prices?: PriceBook },
): UnusedFinding[] {
  const prices = options.prices;
  const findings: UnusedFinding[] = [];
  const volumesById = new Map(inputs.volumes.map((volume) => [volume.id, volume]));
  const judged = (category: UnusedCategory) => !options.skip?.has(category);

  for (const volume of judged('unattached-volume') ? inputs.volumes : []) {
    const attached = (volume.extra.attachedTo as string[] | undefined)?.length;
    if (volume.state !== 'available' || attached) continue;
    const created = asDate(volume.extra.createTime);
    findings.push({
      category: 'unattached-volume',
      resource: refOf(volume),
      monthlyUsd: ebsVolumeMonthly(volume.extra.volumeType as string, volume.extra.sizeGiB as number, prices),
      reason: `not attached to any instance${created ? ` (created ${created.toISOString().slice(0, 10)})` : ''}`,
      costNote: `${volume.extra.sizeGiB ?? '?'} GiB ${volume.extra.volumeType ?? 'gp3'} storage`,
      cleanup: { operationId: 'ec2.volumes.delete', input: { volumeId: volume.id } },
    });
  }

  for (const address of judged('unassociated-eip') ? inputs.addresses : []) {
    if (address.extra.associationId) continue;
    findings.push({
      category: 'unassociated-eip',
      resource: refOf(address),
      monthlyUsd: elasticIpMonthly(prices),
      reason: 'not associated with an instance or network interface',
      costNote: 'public IPv4 address charge',
      cleanup: address.id.startsWith('eipalloc-')
        ? { operationId: 'ec2.addresses.release', input: { allocationId: address.id } }
        : undefined,
    });
  }

  for (const instance of judged('stopped-instance') ? inputs.instances : []) {
    if (instance.state !== 'stopped') continue;
    const since = stoppedSince(instance.extra.stateReason);
    const launched = asDate(instance.extra.launchTime);
    const stoppedFor = since ? days(options.now.getTime() - since.getTime()) : undefined;
    if (
      stoppedFor !== undefined
        ? stoppedFor < options.stoppedDays
        : !launched || days(options.now.getTime() - launched.getTime()) < options.stoppedDays
    )
      continue;
    const volumes = ((instance.extra.volumeIds as string[] | undefined) ?? [])
      .map((id) => volumesById.get(id))
      .filter((volume): volume is ResourceFact => Boolean(volume));
    const storage = volumes.reduce(
      (sum, volume) =>
        sum + ebsVolumeMonthly(volume.extra.volumeType as string, volume.extra.sizeGiB as number, prices),
      0,
    );
    findings.push({
      category: 'stopped-instance',
      resource: refOf(instance),
      monthlyUsd: Math.round(storage * 100) / 100,
      reason:
        stoppedFor !== undefined
          ? `stopped for ${stoppedFor} days (since ${since!.toISOString().slice(0, 10)})`
          : `stopped; AWS does not say since when (launched ${launched!.toISOString().slice(0, 10)})`,
      costNote: volumes.length
        ? `its ${volumes.length} EBS volume(s) (${volumes.reduce((sum, volume) => sum + Number(volume.extra.sizeGiB ?? 0), 0)} GiB) are billed; compute is not while stopped`
        : 'compute is not billed while stopped; no attached volumes found',
      cleanup: { operationId: 'ec2.instances.terminate', input: { instanceIds: [instance.id] } },
    });
  }

  const imageSnapshots = new Set(
    inputs.images.flatMap((image) => (image.extra.snapshotIds as string[] | undefined) ?? []),
  );
  for (const snapshot of judged('orphaned-snapshot') ? inputs.snapshots : []) {
    const volumeId = snapshot.extra.volumeId as string | undefined;
    const sourceGone = !volumeId || volumeId === 'vol-ffffffff' || !volumesById.has(volumeId);
    if (!sourceGone || imageSnapshots.has(snapshot.id)) continue;
    const backupOf = snapshot.tags['PilotLight:BackupOf'];
    findings.push({
      category: 'orphaned-snapshot',
      resource: refOf(snapshot),
      monthlyUsd: snapshotMonthly(snapshot.extra.sizeGiB as number, prices),
      reason: `${volumeId && volumeId !== 'vol-ffffffff' ? `its volume ${volumeId} no longer exists` : 'it has no source volume'} and no AMI uses it${backupOf ? ` (a Pilot Light backup of ${backupOf}: keep it while you may need to restore)` : ''}`,
      costNote: `at most ${snapshot.extra.sizeGiB ?? '?'} GiB of snapshot storage`,
      cleanup: { operationId: 'ec2.snapshots.delete', input: { snapshotId: snapshot.id } },
    });
  }
  return findings.sort((a, b) => b.monthlyUsd - a.monthlyUsd);
}

/**
 * Reads instances, volumes, addresses, snapshots and AMIs through the registry, then judges them. A failed
 * read is never an empty list: the categories that need it are reported as not checked, and the report as
 * incomplete (an unreadable volume list would otherwise make every snapshot look orphaned).
 */
export async function collectUnused(
  read: ReadOperation,
  options: {
    region: string;
    resolveEnvironment: EnvironmentResolver;
    now?: Date;
    stoppedDays?: number;
    /** The region's prices (fetched Price List prices where cached); default: the bundled table for the region. */
    prices?: PriceBook;
  },
): Promise<UnusedReport> {
  const prices = options.prices ?? new PriceBook(options.region);
  const errors: string[] = [];
  const failed = new Map<UnusedList, string>();
  const truncated: UnusedList[] = [];
  const load = async ([list, type]: [UnusedList, string]) => {
    try {
      const result = await readFacts(read, type, options.region, options.resolveEnvironment);
      if (result.truncated) truncated.push(list);
      return result.facts;
    } catch (error) {
      const message = (error as Error).message;
      failed.set(list, message);
      errors.push(`${type}: ${message}`);
      return [];
    }
  };
  const lists: Array<[UnusedList, string]> = [
    ['instances', 'ec2:instance'],
    ['volumes', 'ec2:volume'],
    ['addresses', 'ec2:elastic-ip'],
    ['snapshots', 'ec2:snapshot'],
    ['images', 'ec2:image'],
  ];
  const [instances, volumes, addresses, snapshots, images] = await Promise.all(lists.map(load));
  const notChecked: UnusedReport['notChecked'] = [];
  for (const category of Object.keys(CATEGORY_NEEDS) as ListedCategory[]) {
    const unread = CATEGORY_NEEDS[category].filter((list) => failed.has(list));
    const cut = (ABSENCE_EVIDENCE[category] ?? []).filter((list) => truncated.includes(list));
    if (unread.length) notChecked.push({ category, reason: `the ${unread.join(' and ')} could not be read` });
    else if (cut.length)
      notChecked.push({
        category,
        reason: `the ${cut.join(' and ')} list${cut.length > 1 ? 's were' : ' was'} longer than the read limit, so a missing item proves nothing`,
      });
  }
  const stoppedDays = options.stoppedDays ?? 14;
  const findings = findUnused(
    { instances, volumes, addresses, snapshots, images },
    {
      now: options.now ?? new Date(),
      stoppedDays,
      skip: new Set(notChecked.map((entry) => entry.category)),
      prices,
    },
  );
  return {
    findings,
    totalMonthlyUsd: Math.round(findings.reduce((sum, finding) => sum + finding.monthlyUsd, 0) * 100) / 100,
    priceTable: {
      asOf: prices.asOf(),
      region: options.region,
      currency: PRICE_TABLE.currency,
      note: prices.note(),
    },
    stoppedDays,
    checked: {
      instances: instances.length,
      volumes: volumes.length,
      addresses: addresses.length,
      snapshots: snapshots.length,
      images: images.length,
    },
    errors,
    complete: failed.size === 0 && truncated.length === 0,
    truncated,
    notChecked,
  };
}

/** What the LM tool hands the model: "incomplete" (never a clean count) when a read failed or a list was cut. */
export function unusedToolResult(report: UnusedReport): {
  status: 'succeeded' | 'incomplete';
  summary: string;
  data: unknown;
} {
  const found = report.findings.length
    ? `${report.findings.length} unused resource(s), about $${report.totalMonthlyUsd.toFixed(2)}/month`
    : 'nothing unused';
  const findings = report.findings.map((finding) => ({
    category: finding.category,
    resource: finding.resource.id,
    name: finding.resource.name,
    environment: finding.resource.environment,
    monthlyUsd: finding.monthlyUsd,
    reason: finding.reason,
    covers: finding.costNote,
    cleanupOperation: finding.cleanup?.operationId,
  }));
  if (report.complete)
    return {
      status: 'succeeded',
      summary: `${found[0].toUpperCase()}${found.slice(1)}. ${report.priceTable.note}`,
      data: findings,
    };
  const gaps = [
    ...(report.errors.length ? [`failed reads: ${report.errors.join('; ')}`] : []),
    ...(report.notChecked.length
      ? [
          `not checked: ${report.notChecked.map((entry) => `${CATEGORY_TITLES[entry.category].toLowerCase()} (${entry.reason})`).join('; ')}`,
        ]
      : []),
    ...(report.truncated.length
      ? [`only the first part of these lists was checked: ${report.truncated.join(', ')}`]
      : []),
  ];
  return {
    status: 'incomplete',
    summary: `INCOMPLETE: the check could not run in full, so this is not a clean result. ${gaps.join('. ')}. Among what could be checked: ${found}. ${report.priceTable.note}`,
    data: {
      incomplete: true,
      failedReads: report.errors,
      notChecked: report.notChecked,
      truncatedLists: report.truncated,
      findings,
    },
  };
}
