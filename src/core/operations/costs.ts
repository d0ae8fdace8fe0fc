/**
 * Prices for previews, in the operation's region, from the bundled table in src/core/cost/priceData.ts (one
 * source): us-east-1 list prices, other regions approximated with the region's factor; the note says which.
 * Estimates only; the date says how old they are.
 */
import {
  EBS_PER_GB_MONTH_US_EAST_1,
  EBS_SNAPSHOT_PER_GB_MONTH_US_EAST_1,
  ebsPerGbMonth,
  HOURS_PER_MONTH,
  natGatewayHourly,
  PRICE_DATA_AS_OF,
  PUBLIC_IPV4_PER_HOUR,
  NAT_GATEWAY_PER_HOUR_US_EAST_1,
  regionPrices,
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

export interface PreviewPrices {
  ebsPerGbMonth(volumeType: string): number;
  ebsSnapshotPerGbMonth: number;
  publicIpv4PerHour: number;
  natGatewayPerHour: number;
  /** "estimate from us-east-1 list prices as of …" or the region's approximation, for the preview's line. */
  note: string;
}

export function previewPrices(region: string): PreviewPrices {
  const { known, factor } = regionPrices(region);
  return {
    ebsPerGbMonth: (volumeType) => ebsPerGbMonth(volumeType, region),
    ebsSnapshotPerGbMonth: Math.round(EBS_SNAPSHOT_PER_GB_MONTH_US_EAST_1 * factor * 10_000) / 10_000,
    publicIpv4PerHour: PUBLIC_IPV4_PER_HOUR,
    natGatewayPerHour: natGatewayHourly(region),
    note:
      region === 'us-east-1'
        ? `estimate from us-east-1 list prices as of ${PRICE_DATA_AS_OF}`
        : known
          ? `estimate for ${region}: us-east-1 list prices as of ${PRICE_DATA_AS_OF} × the region's factor, an approximation`
          : `estimate from us-east-1 list prices as of ${PRICE_DATA_AS_OF}; ${region} is not in the price table`,
  };
}

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
