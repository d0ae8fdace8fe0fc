/**
 * Sparklines of a resource's key metric (CPU for instances), read with GetMetricData for all visible rows at
 * once: one `cloudwatch.metrics.getData` call per 500 queries, cached briefly so a repaint reads nothing.
 */

const BLOCKS = '▁▂▃▄▅▆▇█';
export const MAX_QUERIES_PER_CALL = 500;

/** Scales values onto the eight block characters; a flat series is a flat low line, no data is empty. */
export function sparkline(values: readonly number[], range?: { min: number; max: number }): string {
  const finite = values.filter((value) => Number.isFinite(value));
  if (!finite.length) return '';
  let min = range?.min ?? Infinity;
  let max = range?.max ?? -Infinity;
  if (!range)
    for (const value of finite) {
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
  const span = max - min;
  return finite
    .map((value) => {
      if (span <= 0) return BLOCKS[0];
      const clamped = Math.min(max, Math.max(min, value));
      return BLOCKS[Math.min(BLOCKS.length - 1, Math.floor(((clamped - min) / span) * BLOCKS.length))];
    })
    .join('');
}

/** The key metric of a resource type, or undefined when it has none worth a sparkline. */
export interface KeyMetric {
  namespace: string;
  metricName: string;
  dimension: string;
  stat: 'Average' | 'Maximum' | 'Sum';
  unit: string;
  /** Fixed scale (percentages), else the series' own min and max. */
  range?: { min: number; max: number };
}

export const KEY_METRICS: Readonly<Record<string, KeyMetric>> = Object.freeze({
  'ec2:instance': {
    namespace: 'AWS/EC2',
    metricName: 'CPUUtilization',
    dimension: 'InstanceId',
    stat: 'Average',
    unit: '%',
    range: { min: 0, max: 100 },
  },
  'ec2:volume': { namespace: 'AWS/EBS', metricName: 'VolumeReadOps', dimension: 'VolumeId', stat: 'Sum', unit: 'ops' },
});

export interface SparklineRow {
  type: string;
  id: string;
}

export interface Sparkline {
  metric: string;
  line: string;
  latest?: number;
  max?: number;
  points: number;
  unit: string;
  /** The window, e.g. "last 3 hours, 5-minute average". */
  window: string;
}

/** Runs `cloudwatch.metrics.getData` through the registry in the list's region. */
export type MetricRead = (operationId: string, input: Record<string, unknown>) => Promise<unknown>;

interface MetricDataOutput {
  results: Array<{ id: string; timestamps: string[]; values: number[] }>;
  nextToken?: string;
}

export interface SparklineOptions {
  /** How far back (ms); default 3 hours. */
  windowMs?: number;
  /** Seconds per point; default 300. */
  periodSeconds?: number;
  /** How long a series is reused (ms); default 60 s. */
  ttlMs?: number;
  now?: () => number;
}

/** The GetMetricData queries for rows, in calls of at most 500; row i is query `m<i>`. */
export function metricQueries(
  rows: readonly SparklineRow[],
  periodSeconds: number,
): Array<Array<Record<string, unknown>>> {
  const queries = rows.flatMap((row, index) => {
    const metric = KEY_METRICS[row.type];
    if (!metric) return [];
    return [
      {
        id: `m${index}`,
        namespace: metric.namespace,
        metricName: metric.metricName,
        dimensions: [{ name: metric.dimension, value: row.id }],
        stat: metric.stat,
        period: periodSeconds,
      },
    ];
  });
  const batches: Array<Array<Record<string, unknown>>> = [];
  for (let start = 0; start < queries.length; start += MAX_QUERIES_PER_CALL)
    batches.push(queries.slice(start, start + MAX_QUERIES_PER_CALL));
  return batches;
}

/**
 * Sparklines per region and resource. `load` reads the rows not cached (or expired) in batched calls and
 * returns how many calls it made; concurrent loads of the same rows share the calls in flight.
 */
export class SparklineCache {
  private readonly entries = new Map<string, { at: number; sparkline?: Sparkline }>();
  private readonly inFlight = new Map<string, Promise<void>>();
  /** GetMetricData calls made; read by tests and the benchmark. */
  calls = 0;
  private readonly windowMs: number;
  private readonly periodSeconds: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: SparklineOptions = {}) {
    this.windowMs = options.windowMs ?? 3 * 3600_000;
    this.periodSeconds = options.periodSeconds ?? 300;
    this.ttlMs = options.ttlMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  private key(region: string, id: string): string {
    return `${region}/${id}`;
  }

  /** The cached sparkline, or undefined when none was read (yet) or the metric has no data. */
  get(region: string, id: string): Sparkline | undefined {
    return this.entries.get(this.key(region, id))?.sparkline;
  }

  /** Whether `load` would read this row again. */
  isFresh(region: string, id: string): boolean {
    const entry = this.entries.get(this.key(region, id));
    return Boolean(entry && this.now() - entry.at < this.ttlMs);
  }

  async load(read: MetricRead, region: string, rows: readonly SparklineRow[]): Promise<number> {
    const waiting = rows
      .map((row) => this.inFlight.get(this.key(region, row.id)))
      .filter((pending): pending is Promise<void> => Boolean(pending));
    const missing = rows.filter(
      (row) => KEY_METRICS[row.type] && !this.isFresh(region, row.id) && !this.inFlight.has(this.key(region, row.id)),
    );
    const unique = [...new Map(missing.map((row) => [row.id, row])).values()];
    const before = this.calls;
    if (unique.length) {
      const loading = this.read(read, region, unique);
      for (const row of unique) this.inFlight.set(this.key(region, row.id), loading);
      try {
        await loading;
      } finally {
        for (const row of unique) this.inFlight.delete(this.key(region, row.id));
      }
    }
    await Promise.all(waiting);
    return this.calls - before;
  }

  private async read(read: MetricRead, region: string, rows: SparklineRow[]): Promise<void> {
    const end = this.now();
    const endTime = new Date(Math.floor(end / 60_000) * 60_000).toISOString();
    const startTime = new Date(end - this.windowMs).toISOString();
    const series = new Map<string, { timestamps: string[]; values: number[] }>();
    for (const batch of metricQueries(rows, this.periodSeconds)) {
      let nextToken: string | undefined;
      // A call pages only when the datapoints pass 100,800: at most a few pages.
      for (let pageCount = 0; pageCount < 10; pageCount++) {
        this.calls++;
        const output = (await read('cloudwatch.metrics.getData', {
          queries: batch,
          startTime,
          endTime,
          ...(nextToken ? { nextToken } : {}),
        })) as MetricDataOutput;
        for (const result of output.results) {
          const current = series.get(result.id) ?? { timestamps: [], values: [] };
          current.timestamps.push(...result.timestamps);
          current.values.push(...result.values);
          series.set(result.id, current);
        }
        nextToken = output.nextToken;
        if (!nextToken) break;
      }
    }
    const at = this.now();
    const window = `last ${Math.round(this.windowMs / 3600_000)} hours, ${Math.round(this.periodSeconds / 60)}-minute`;
    rows.forEach((row, index) => {
      const metric = KEY_METRICS[row.type]!;
      const found = series.get(`m${index}`);
      const points = found
        ? found.timestamps
            .map((time, position) => ({ time: Date.parse(time), value: found.values[position] }))
            .filter((point) => Number.isFinite(point.value))
            .sort((a, b) => a.time - b.time)
        : [];
      const values = points.map((point) => point.value);
      this.entries.set(this.key(region, row.id), {
        at,
        sparkline: values.length
          ? {
              metric: metric.metricName,
              line: sparkline(values, metric.range),
              latest: values[values.length - 1],
              max: Math.max(...values),
              points: values.length,
              unit: metric.unit,
              window: `${window} ${metric.stat.toLowerCase()}`,
            }
          : undefined,
      });
    });
    this.prune();
  }

  private prune(): void {
    if (this.entries.size <= 5000) return;
    for (const key of [...this.entries.keys()].slice(0, this.entries.size - 5000)) this.entries.delete(key);
  }
}

/** "CPUUtilization ▁▂▅█▃ latest 42.1 %, max 97 % (last 3 hours, 5-minute average)", or why there is none. */
export function sparklineText(spark: Sparkline | undefined, metricName = 'metric'): string {
  if (!spark) return `${metricName}: no datapoints in the last hours`;
  const number = (value: number | undefined) =>
    value === undefined ? '?' : Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${spark.metric} ${spark.line} latest ${number(spark.latest)} ${spark.unit}, max ${number(spark.max)} ${spark.unit} (${spark.window})`;
}
