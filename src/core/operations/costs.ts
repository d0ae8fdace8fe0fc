/**
 * A small bundled price table for previews: us-east-1 on-demand list prices in USD. Estimates only; the
 * date says how old they are. The figures come from the regional table in src/core/cost/priceData.ts (one source).
 */
import {
  EBS_PER_GB_MONTH_US_EAST_1,
  EBS_SNAPSHOT_PER_GB_MONTH_US_EAST_1,
  HOURS_PER_MONTH,
  NAT_GATEWAY_PER_HOUR_US_EAST_1,
  PRICE_DATA_AS_OF,
  PUBLIC_IPV4_PER_HOUR,
} from '../cost/priceData';

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
  return Math.round(hourly * PRICE_TABLE.hoursPerMonth * 100) / 100;
}

export function usd(amount: number): string {
  return `$${amount.toFixed(2)}`;
}

export function priceNote(): string {
  return `estimate from ${PRICE_TABLE.region} list prices as of ${PRICE_TABLE.asOf}`;
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
