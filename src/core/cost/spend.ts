/**
 * Spend summaries from registered Cost Explorer reads: this month to date, last month, the forecast for the
 * rest of this month, the top services, and spend grouped by a dimension or tag over a period. A figure the
 * endpoint cannot give is reported as unavailable with the reason, never estimated here.
 */
import type { ReadOperation } from '../insights/reads';
import type { CostAndUsage, CostForecast, CostGroup } from '../operations/costOperations';

export interface Period {
  start: string;
  /** Exclusive, as Cost Explorer takes it. */
  end: string;
}

export type Available<T> = { available: true; value: T } | { available: false; reason: string };

export interface SpendSummary {
  account?: string;
  thisMonth: Available<{ period: Period; total: number; unit: string; estimated: boolean; services: CostGroup[] }>;
  lastMonth: Available<{ period: Period; total: number; unit: string; services: CostGroup[] }>;
  forecast: Available<{ period: Period; total: number; unit: string; lower?: number; upper?: number }>;
}

const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10);

/** The periods in UTC (Cost Explorer's days are UTC): this month to date (through today), last month, rest of month. */
export function spendPeriods(now: Date): { thisMonth: Period; lastMonth: Period; forecast: Period } {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const firstOfMonth = Date.UTC(year, month, 1);
  const tomorrow = Date.UTC(year, month, now.getUTCDate() + 1);
  return {
    thisMonth: { start: isoDay(firstOfMonth), end: isoDay(tomorrow) },
    lastMonth: { start: isoDay(Date.UTC(year, month - 1, 1)), end: isoDay(firstOfMonth) },
    forecast: { start: isoDay(Date.UTC(year, month, now.getUTCDate())), end: isoDay(Date.UTC(year, month + 1, 1)) },
  };
}

/** "not available from this endpoint" when the API is missing there; otherwise the error itself. */
export function unavailableReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (
    /NotAvailableAtEndpoint|not available from this endpoint|not.?implemented|UnknownOperation|InvalidAction|UnrecognizedClient|not (yet )?supported|404|Could not find operation|UnknownEndpoint/i.test(
      message,
    )
  )
    return 'not available from this endpoint';
  return `could not be read (${message.slice(0, 200)})`;
}

export async function available<T>(read: () => Promise<T>): Promise<Available<T>> {
  try {
    return { available: true, value: await read() };
  } catch (error) {
    return { available: false, reason: unavailableReason(error) };
  }
}

function byAmount(groups: CostGroup[]): CostGroup[] {
  const merged = new Map<string, CostGroup>();
  for (const group of groups) {
    const seen = merged.get(group.key);
    merged.set(group.key, seen ? { ...seen, amount: seen.amount + group.amount } : { ...group });
  }
  return [...merged.values()].sort((a, b) => b.amount - a.amount || a.key.localeCompare(b.key));
}

function sumPeriods(cost: CostAndUsage): { total: number; unit: string; estimated: boolean; groups: CostGroup[] } {
  return {
    total: cost.periods.reduce((sum, period) => sum + period.total, 0),
    unit: cost.periods[0]?.unit ?? 'USD',
    estimated: cost.periods.some((period) => period.estimated),
    groups: byAmount(cost.periods.flatMap((period) => period.groups)),
  };
}

/**
 * Three reads, one after another in a fixed order (this month by service, last month by service, forecast), so
 * an endpoint answering from a queue of seeded results answers them predictably.
 */
export async function readSpendSummary(read: ReadOperation, now: Date): Promise<SpendSummary> {
  const periods = spendPeriods(now);
  const byService = (period: Period) => async () =>
    sumPeriods(
      (await read('ce.costAndUsage.get', {
        start: period.start,
        end: period.end,
        granularity: 'MONTHLY',
        groupBy: { dimension: 'SERVICE' },
      })) as CostAndUsage,
    );
  const thisMonth = await available(byService(periods.thisMonth));
  const lastMonth = await available(byService(periods.lastMonth));
  const forecast = await available(
    async () =>
      (await read('ce.costForecast.get', { start: periods.forecast.start, end: periods.forecast.end })) as CostForecast,
  );
  return {
    thisMonth: thisMonth.available
      ? {
          available: true,
          value: {
            period: periods.thisMonth,
            total: thisMonth.value.total,
            unit: thisMonth.value.unit,
            estimated: thisMonth.value.estimated,
            services: thisMonth.value.groups,
          },
        }
      : thisMonth,
    lastMonth: lastMonth.available
      ? {
          available: true,
          value: {
            period: periods.lastMonth,
            total: lastMonth.value.total,
            unit: lastMonth.value.unit,
            services: lastMonth.value.groups,
          },
        }
      : lastMonth,
    forecast: forecast.available
      ? {
          available: true,
          value: {
            period: periods.forecast,
            total: forecast.value.amount,
            unit: forecast.value.unit,
            lower: forecast.value.lower,
            upper: forecast.value.upper,
          },
        }
      : forecast,
  };
}

export type SpendGrouping = { dimension: 'SERVICE' | 'LINKED_ACCOUNT' | 'REGION' } | { tagKey: string };

export interface GroupedSpend {
  period: Period;
  grouping: SpendGrouping;
  total: number;
  unit: string;
  groups: CostGroup[];
  /** Per period (month or day), for charts. */
  series: Array<{ start: string; total: number }>;
  truncated: boolean;
}

export async function readGroupedSpend(
  read: ReadOperation,
  period: Period,
  grouping: SpendGrouping,
  granularity: 'MONTHLY' | 'DAILY' = 'MONTHLY',
): Promise<GroupedSpend> {
  const cost = (await read('ce.costAndUsage.get', {
    start: period.start,
    end: period.end,
    granularity,
    groupBy: grouping,
  })) as CostAndUsage;
  const summed = sumPeriods(cost);
  return {
    period,
    grouping,
    total: summed.total,
    unit: summed.unit,
    groups: summed.groups,
    series: cost.periods.map((entry) => ({ start: entry.start, total: entry.total })),
    truncated: cost.truncated,
  };
}

/** The top `count` groups and the rest summed as "Other" (amounts stay exact sums). */
export function topGroups(groups: CostGroup[], count: number): CostGroup[] {
  const sorted = byAmount(groups);
  if (sorted.length <= count) return sorted;
  const rest = sorted.slice(count);
  return [
    ...sorted.slice(0, count),
    { key: `Other (${rest.length})`, amount: rest.reduce((sum, group) => sum + group.amount, 0), unit: rest[0]!.unit },
  ];
}

export function money(amount: number, unit = 'USD'): string {
  const text =
    Math.abs(amount) >= 1000 ? amount.toLocaleString('en-US', { maximumFractionDigits: 0 }) : amount.toFixed(2);
  return unit === 'USD' ? `$${text}` : `${text} ${unit}`;
}
