/**
 * Right-sizing and savings from registered reads: running instances (EC2), their CPU and network over 14 days
 * (CloudWatch GetMetricData, batched), Compute Optimizer where the endpoint has it, and Cost Explorer purchase
 * recommendations where it has them. Our own figures are labelled as estimates.
 */
import { readAll, type ReadOperation } from '../insights/reads';
import type {
  InstanceUtilization,
  OptimizerRecommendation,
  PurchaseRecommendation,
} from '../operations/costOperations';
import { PriceBook } from './priceBook';
import { HOURS_PER_MONTH, oneSizeDown } from './priceData';
import { describePurchase, mergeRightsizing, type MergedFinding, type OwnFinding } from './savingsRecommendations';
import { available, money, type Available } from './spend';

/**
 * When an instance is worth one size smaller (documented in docs/architecture.md, "Cost"):
 * at least MIN_DAYS days of CPU data, the highest daily CPU maximum below CPU_MAX_PERCENT, the average below
 * CPU_AVERAGE_PERCENT, and (where network metrics exist) under NETWORK_BYTES_PER_DAY in and out, since smaller
 * sizes also get less network bandwidth.
 */
export const RIGHTSIZING_THRESHOLDS = Object.freeze({
  days: 14,
  minDays: 7,
  cpuMaxPercent: 40,
  cpuAveragePercent: 10,
  networkBytesPerDay: 100 * 1024 ** 3,
});

/** A typical discount of a 1-year, no-upfront Compute Savings Plan against on-demand, for our own estimate. */
export const TYPICAL_SAVINGS_PLAN_DISCOUNT = 0.25;
/** Instances running at least this long count as steady usage. */
export const STEADY_DAYS = 30;
const MAX_INSTANCES = 1000;

export interface RunningInstance {
  instanceId: string;
  name?: string;
  instanceType: string;
  launchTime?: string;
  tags: Record<string, string>;
}

/** Our CloudWatch-based finding: the shape the merge with Compute Optimizer takes, with where it came from. */
export interface RightsizingFinding extends OwnFinding {
  /** Where the prices of the saving came from, with their date. */
  priceSource?: string;
  utilization?: InstanceUtilization;
}

export interface RightsizingReport {
  region: string;
  /** One per instance: Compute Optimizer's recommendation where it has one, else the CloudWatch verdict. */
  findings: Array<MergedFinding<RightsizingFinding>>;
  computeOptimizer: Available<OptimizerRecommendation[]>;
  priceNote: string;
  truncated: boolean;
}

interface RawInstance {
  InstanceId?: string;
  InstanceType?: string;
  LaunchTime?: string | Date;
  Tags?: Array<{ Key?: string; Value?: string }>;
}

export async function runningInstances(
  read: ReadOperation,
): Promise<{ instances: RunningInstance[]; truncated: boolean }> {
  const { items, truncated } = await readAll(
    read,
    'ec2.instances.list',
    { filters: [{ name: 'instance-state-name', values: ['running'] }] },
    MAX_INSTANCES,
  );
  return {
    truncated,
    instances: (items as RawInstance[])
      .filter((item) => item.InstanceId && item.InstanceType)
      .map((item) => {
        const tags = Object.fromEntries(
          (item.Tags ?? []).filter((tag) => tag.Key).map((tag) => [tag.Key!, tag.Value ?? '']),
        );
        return {
          instanceId: item.InstanceId!,
          name: tags.Name,
          instanceType: item.InstanceType!,
          launchTime: item.LaunchTime === undefined ? undefined : new Date(item.LaunchTime).toISOString(),
          tags,
        };
      }),
  };
}

const pct = (value: number) => `${value.toFixed(1)}%`;
const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

/** The verdict for one instance from its utilization, on RIGHTSIZING_THRESHOLDS. */
export function judgeInstance(
  instance: RunningInstance,
  utilization: InstanceUtilization | undefined,
  region: string,
  prices: PriceBook = new PriceBook(region),
): RightsizingFinding {
  const base = {
    instanceId: instance.instanceId,
    name: instance.name,
    instanceType: instance.instanceType,
    utilization,
  };
  const t = RIGHTSIZING_THRESHOLDS;
  if (
    !utilization ||
    utilization.cpuMax === undefined ||
    utilization.cpuAverage === undefined ||
    utilization.days < t.minDays
  )
    return {
      ...base,
      verdict: 'not-enough-data',
      reason: `${utilization?.days ?? 0} of ${t.days} days of CPU data (needs ${t.minDays})`,
    };
  const network = Math.max(utilization.networkInBytesPerDay ?? 0, utilization.networkOutBytesPerDay ?? 0);
  const measured = `CPU max ${pct(utilization.cpuMax)}, average ${pct(utilization.cpuAverage)} over ${utilization.days} days${
    utilization.networkInBytesPerDay !== undefined ? `, network ${gib(network)}/day` : ''
  }`;
  if (
    utilization.cpuMax >= t.cpuMaxPercent ||
    utilization.cpuAverage >= t.cpuAveragePercent ||
    network >= t.networkBytesPerDay
  )
    return { ...base, verdict: 'keep', reason: measured };
  const smaller = oneSizeDown(instance.instanceType);
  if (!smaller)
    return { ...base, verdict: 'keep', reason: `${measured}; already the smallest size the price table knows` };
  const now = prices.ec2Hourly(instance.instanceType);
  const then = prices.ec2Hourly(smaller);
  return {
    ...base,
    verdict: 'downsize',
    suggestedType: smaller,
    ...(now !== undefined && then !== undefined
      ? {
          monthlySaving: Math.round((now.usd - then.usd) * HOURS_PER_MONTH * 100) / 100,
          priceSource: now.source === then.source ? now.source : `${now.source}; ${then.source}`,
        }
      : {}),
    reason: `${measured} (below ${t.cpuMaxPercent}% max and ${t.cpuAveragePercent}% average)`,
  };
}

/** Running instances judged on 14 days of metrics (one GetMetricData call per 125 instances). */
export async function rightsizingReport(
  read: ReadOperation,
  region: string,
  prices: PriceBook = new PriceBook(region),
): Promise<RightsizingReport> {
  const { instances, truncated } = await runningInstances(read);
  const utilization = instances.length
    ? ((await read('cloudwatch.instanceUtilization.get', {
        instanceIds: instances.map((instance) => instance.instanceId),
        days: RIGHTSIZING_THRESHOLDS.days,
      })) as InstanceUtilization[])
    : [];
  const byId = new Map(utilization.map((entry) => [entry.instanceId, entry]));
  const computeOptimizer = optedInReason(
    await available(
      async () => (await read('computeoptimizer.ec2Recommendations.get', {})) as OptimizerRecommendation[],
    ),
  );
  const own = instances.map((instance) => judgeInstance(instance, byId.get(instance.instanceId), region, prices));
  return {
    region,
    findings: mergeRightsizing(own, computeOptimizer.available ? computeOptimizer.value : []),
    computeOptimizer,
    priceNote: prices.note(),
    truncated,
  };
}

/** Compute Optimizer answers OptInRequiredException until the account opts in: say so plainly. */
function optedInReason<T>(result: Available<T>): Available<T> {
  return !result.available && /OptInRequired|not opted in/i.test(result.reason)
    ? { available: false, reason: 'the account is not opted in to Compute Optimizer' }
    : result;
}

export interface SavingsReport {
  savingsPlans: Available<PurchaseRecommendation>;
  reservedInstances: Available<PurchaseRecommendation>;
  /** One clear sentence: Cost Explorer's Savings Plans recommendation when it answers, otherwise our estimate. */
  statement: string;
  /** Where the statement comes from. */
  statementSource: 'cost-explorer' | 'estimate';
  /** Our own figure, always labelled an estimate; only when Cost Explorer's Savings Plans recommendation is not available. */
  estimate?: {
    steadyInstances: number;
    onDemandMonthly: number;
    monthlySaving: number;
    discount: number;
    unpriced: string[];
    note: string;
  };
}

/** Steady on-demand spend (instances running ≥ STEADY_DAYS) × the typical discount. */
export function estimateSavings(
  instances: RunningInstance[],
  region: string,
  now: Date,
  prices: PriceBook = new PriceBook(region),
): NonNullable<SavingsReport['estimate']> {
  const steady = instances.filter(
    (instance) => instance.launchTime && now.getTime() - Date.parse(instance.launchTime) >= STEADY_DAYS * 86_400_000,
  );
  let onDemandMonthly = 0;
  const unpriced: string[] = [];
  for (const instance of steady) {
    const hourly = prices.ec2Hourly(instance.instanceType);
    if (hourly === undefined) unpriced.push(instance.instanceType);
    else onDemandMonthly += hourly.usd * HOURS_PER_MONTH;
  }
  onDemandMonthly = Math.round(onDemandMonthly * 100) / 100;
  return {
    steadyInstances: steady.length,
    onDemandMonthly,
    monthlySaving: Math.round(onDemandMonthly * TYPICAL_SAVINGS_PLAN_DISCOUNT * 100) / 100,
    discount: TYPICAL_SAVINGS_PLAN_DISCOUNT,
    unpriced: [...new Set(unpriced)],
    note: `Estimate: ${steady.length} instance(s) running ${STEADY_DAYS}+ days × a typical ${Math.round(TYPICAL_SAVINGS_PLAN_DISCOUNT * 100)}% discount of a 1-year, no-upfront Compute Savings Plan. ${prices.note()}`,
  };
}

export async function savingsReport(
  read: ReadOperation,
  region: string,
  now: Date,
  prices: PriceBook = new PriceBook(region),
): Promise<SavingsReport> {
  const savingsPlans = await available(
    async () => (await read('ce.savingsPlansRecommendation.get', {})) as PurchaseRecommendation,
  );
  const reservedInstances = await available(
    async () => (await read('ce.reservationRecommendation.get', {})) as PurchaseRecommendation,
  );
  if (savingsPlans.available)
    return {
      savingsPlans,
      reservedInstances,
      statement: `${describePurchase(savingsPlans.value)} Source: ${savingsPlans.value.source}.`,
      statementSource: 'cost-explorer',
    };
  const { instances } = await runningInstances(read);
  const estimate = estimateSavings(instances, region, now, prices);
  return {
    savingsPlans,
    reservedInstances,
    estimate,
    statement: `Estimate: about ${money(estimate.monthlySaving)}/month with a 1-year, no-upfront Compute Savings Plan for ${estimate.steadyInstances} steady instance(s) (${money(estimate.onDemandMonthly)}/month on demand × a typical ${Math.round(estimate.discount * 100)}% discount); Cost Explorer's recommendation is ${savingsPlans.reason}.`,
    statementSource: 'estimate',
  };
}
