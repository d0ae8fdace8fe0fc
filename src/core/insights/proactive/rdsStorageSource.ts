/** RDS instances near storage full: allocated storage (DescribeDBInstances) against FreeStorageSpace (CloudWatch). */
import { readAll } from '../reads';
import { fingerprintOf } from './fingerprint';
import { PartialInsightsError } from './runner';
import type { Insight, InsightSource } from './types';

/** Used share of storage at which an instance is reported, and at which it is urgent. */
export const STORAGE_WARN_PERCENT = 80;
export const STORAGE_HIGH_PERCENT = 90;
const GIB = 1024 ** 3;

interface DbInstance {
  DBInstanceIdentifier?: string;
  AllocatedStorage?: number;
  MaxAllocatedStorage?: number;
  Engine?: string;
  DBInstanceStatus?: string;
}

/** The insight for one instance, or undefined below the threshold. */
export function storageInsight(
  db: { id: string; allocatedGiB: number; freeBytes: number; engine?: string; maxAllocatedGiB?: number },
  account: string,
  region: string,
): Insight | undefined {
  if (!(db.allocatedGiB > 0)) return undefined;
  const total = db.allocatedGiB * GIB;
  const usedPercent = Math.max(0, Math.min(100, ((total - db.freeBytes) / total) * 100));
  if (usedPercent < STORAGE_WARN_PERCENT) return undefined;
  const rounded = Math.floor(usedPercent);
  const autoscaling =
    db.maxAllocatedGiB && db.maxAllocatedGiB > db.allocatedGiB
      ? ` Storage autoscaling may grow it up to ${db.maxAllocatedGiB} GiB.`
      : ' Storage autoscaling is off.';
  return {
    id: `rds-storage:${account}:${region}:${db.id}`,
    // Shows again after a dismissal once usage crosses the next 5 % step.
    fingerprint: fingerprintOf([db.id, String(Math.floor(usedPercent / 5) * 5)]),
    sourceId: 'rds-storage',
    severity: usedPercent >= STORAGE_HIGH_PERCENT ? 'high' : 'medium',
    title: `RDS instance ${db.id} is at ${rounded} % of its storage`,
    detail: `${((total - db.freeBytes) / GIB).toFixed(1)} of ${db.allocatedGiB} GiB used${db.engine ? ` (${db.engine})` : ''}.${autoscaling} Increase the allocated storage or enable storage autoscaling; Pilot Light has no operation for that yet, so do it in the console or your IaC.`,
    resources: [{ type: 'rds:db-instance', id: db.id, region, account }],
  };
}

export function rdsStorageSource(): InsightSource {
  return {
    id: 'rds-storage',
    title: 'RDS storage',
    async collect(context) {
      const { items, truncated } = await readAll(context.read, 'rds.instances.list', {}, 500);
      if (truncated) throw new Error('more than 500 RDS instances; Pilot Light reads at most 500 at once');
      const dbs = (items as DbInstance[]).filter(
        (db) => db.DBInstanceIdentifier && (db.AllocatedStorage ?? 0) > 0 && db.DBInstanceStatus !== 'deleting',
      );
      const insights: Insight[] = [];
      const noData: string[] = [];
      for (let start = 0; start < dbs.length; start += 100) {
        const batch = dbs.slice(start, start + 100);
        const output = (await context.read('rds.instances.storageMetrics', {
          dbInstanceIdentifiers: batch.map((db) => db.DBInstanceIdentifier!),
        })) as { items?: Array<{ dbInstanceIdentifier: string; freeBytes?: number }> };
        const metrics = new Map((output?.items ?? []).map((metric) => [metric.dbInstanceIdentifier, metric.freeBytes]));
        for (const db of batch) {
          const freeBytes = metrics.get(db.DBInstanceIdentifier!);
          if (freeBytes === undefined) {
            noData.push(db.DBInstanceIdentifier!);
            continue;
          }
          const insight = storageInsight(
            {
              id: db.DBInstanceIdentifier!,
              allocatedGiB: db.AllocatedStorage!,
              freeBytes,
              engine: db.Engine,
              maxAllocatedGiB: db.MaxAllocatedStorage,
            },
            context.account,
            context.region,
          );
          if (insight) insights.push(insight);
        }
      }
      if (noData.length) {
        const reason = `CloudWatch has no recent FreeStorageSpace data for ${noData.slice(0, 5).join(', ')}${noData.length > 5 ? ` and ${noData.length - 5} more` : ''}`;
        if (noData.length === dbs.length) throw new Error(reason);
        throw new PartialInsightsError(reason, insights);
      }
      return insights;
    },
  };
}
