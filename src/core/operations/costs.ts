/**
 * Helpers for the cost lines of previews. Previews price in the operation's region with a PriceBook
 * (src/core/cost/priceBook.ts: the bundled table, us-east-1 list prices or the region's labelled approximation).
 */
import {
  EBS_PER_GB_MONTH_US_EAST_1,
  EBS_SNAPSHOT_PER_GB_MONTH_US_EAST_1,
  HOURS_PER_MONTH,
  PRICE_DATA_AS_OF,
  PUBLIC_IPV4_PER_HOUR,
  NAT_GATEWAY_PER_HOUR_US_EAST_1,
} from '../cost/priceData';

/** The us-east-1 figures, for estimates made without a region's price book (insights/prices.ts). */
export const PRICE_TABLE = Object.freeze({
  asOf: PRICE_DATA_AS_OF,
  region: 'us-east-1',
  currency: 'USD',
  hoursPerMonth: HOURS_PER_MONTH,
  ebsPerGbMonth: { ...EBS_PER_GB_MONTH_US_EAST_1 } as Record<string, number>,
  ebsSnapshotPerGbMonth: EBS_SNAPSHOT_PER_GB_MONTH_US_EAST_1,
  publicIpv4PerHour: PUBLIC_IPV4_PER_HOUR,
  natGatewayPerHour: NAT_GATEWAY_PER_HOUR_US_EAST_1,
});

export function monthly(hourly: number): number {
  return Math.round(hourly * HOURS_PER_MONTH * 100) / 100;
}

export function usd(amount: number): string {
  return `$${amount.toFixed(2)}`;
}

const SIZE_ORDER = ['nano', 'micro', 'small', 'medium', 'large', 'xlarge'];

/** Relative size of an instance type within its family (t3.micro < t3.large < t3.2xlarge), or undefined. */
export function instanceSizeRank(instanceType: string): number | undefined {
  const size = instanceType.split('.')[1];
  if (!size) return undefined;
  const multiple = /^(\d+)xlarge$/.exec(size);
  if (multiple) return SIZE_ORDER.length - 1 + Number(multiple[1]);
  if (size === 'metal') return 1000;
  const rank = SIZE_ORDER.indexOf(size);
  return rank >= 0 ? rank : undefined;
}
