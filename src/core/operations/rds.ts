import { GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand, type DBInstance } from '@aws-sdk/client-rds';
import { z } from 'zod';
import { cloudWatchService, rdsService } from '../aws/services';
import { defineOperation, READ_ONLY } from './define';

export interface RdsPage<T> {
  items: T[];
  nextToken?: string;
}

const dbInstanceIdentifier = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9-]{0,62}$/, 'Expected an RDS DB instance identifier such as orders-db.');

export const listDbInstances = defineOperation({
  id: 'rds.instances.list',
  service: 'rds',
  title: 'List RDS DB instances',
  description: 'RDS DB instances of the region: engine, class, status, allocated storage and tags.',
  ...READ_ONLY,
  input: z
    .object({
      maxResults: z.number().int().min(20).max(100).optional().describe('Page size.'),
      nextToken: z.string().max(4096).optional().describe('Token from the previous page.'),
    })
    .strict(),
  async handler(ctx, input): Promise<RdsPage<DBInstance>> {
    const rds = await ctx.client(rdsService);
    const result = await rds.send(
      new DescribeDBInstancesCommand({ MaxRecords: input.maxResults, Marker: input.nextToken }),
    );
    return { items: result.DBInstances ?? [], nextToken: result.Marker };
  },
});

export interface StorageMetric {
  dbInstanceIdentifier: string;
  /** The lowest FreeStorageSpace (bytes) in the latest period with data; absent when CloudWatch has none. */
  freeBytes?: number;
  at?: string;
}

/**
 * FreeStorageSpace of RDS instances from CloudWatch (namespace AWS/RDS), one GetMetricData call for up to
 * 100 instances. A read of the `rds` family so that it has no id in common with the CloudWatch operations.
 */
export const dbStorageMetrics = defineOperation({
  id: 'rds.instances.storageMetrics',
  service: 'rds',
  title: 'Read RDS free storage metrics',
  description:
    'The latest FreeStorageSpace (bytes, minimum per 5 minutes) of up to 100 RDS DB instances, from CloudWatch GetMetricData.',
  ...READ_ONLY,
  input: z
    .object({
      dbInstanceIdentifiers: z.array(dbInstanceIdentifier).min(1).max(100),
      hours: z.number().int().min(1).max(168).default(3).describe('How far back to look for data.'),
    })
    .strict(),
  async handler(ctx, input): Promise<{ items: StorageMetric[] }> {
    const cloudWatch = await ctx.client(cloudWatchService);
    const queries: MetricDataQuery[] = input.dbInstanceIdentifiers.map((id, index) => ({
      Id: `m${index}`,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/RDS',
          MetricName: 'FreeStorageSpace',
          Dimensions: [{ Name: 'DBInstanceIdentifier', Value: id }],
        },
        Period: 300,
        Stat: 'Minimum',
      },
      ReturnData: true,
    }));
    const end = ctx.now;
    const start = new Date(end.getTime() - input.hours * 60 * 60 * 1000);
    const latest = new Map<string, { value: number; at: Date }>();
    let nextToken: string | undefined;
    for (let page = 0; page < 20; page += 1) {
      const result = await cloudWatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: start,
          EndTime: end,
          ScanBy: 'TimestampDescending',
          NextToken: nextToken,
        }),
      );
      for (const series of result.MetricDataResults ?? []) {
        const index = Number(series.Id?.slice(1));
        const id = input.dbInstanceIdentifiers[index];
        if (id === undefined) continue;
        (series.Timestamps ?? []).forEach((timestamp, position) => {
          const value = series.Values?.[position];
          if (value === undefined) return;
          const at = new Date(timestamp);
          const known = latest.get(id);
          if (!known || at > known.at) latest.set(id, { value, at });
        });
      }
      nextToken = result.NextToken;
      if (!nextToken) break;
    }
    return {
      items: input.dbInstanceIdentifiers.map((id) => {
        const point = latest.get(id);
        return point
          ? { dbInstanceIdentifier: id, freeBytes: point.value, at: point.at.toISOString() }
          : { dbInstanceIdentifier: id };
      }),
    };
  },
});

export const rdsReadOperations = [listDbInstances, dbStorageMetrics];
