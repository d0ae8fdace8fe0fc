/**
 * The bundled price table for every commercial region: EC2 on-demand (Linux, shared tenancy) for common
 * families, EBS per GB-month, public IPv4 and NAT gateway hours, in USD. Estimates only, never a bill.
 *
 * Source: us-east-1 list prices from the AWS pricing pages (EC2 on-demand, EBS, VPC) as of 2025-01-01.
 * Other regions apply one factor per region to those figures, approximated from each region's published
 * m5.large on-demand price on the same date; real regional prices differ by a few percent per type.
 * Public IPv4 is $0.005 per hour in every region.
 *
 * Exact regional prices take precedence where the generated table has them (priceTableRegional.ts, written by
 * tools/pricing/refreshPriceTable.ts from the AWS Price List Query API with each region's fetch date).
 */
import { KNOWN_REGIONS } from '../aws/regions';
import { REGIONAL_PRICE_TABLE } from './priceTableRegional';

export type { RegionalPriceTable } from './priceTableTypes';

/** A price from the bundled tables: `exact` unless it is the per-region factor approximation. */
export interface BundledPrice {
  usd: number;
  exact: boolean;
  /** The date the figure is from. */
  asOf: string;
  /** What the figure is, for labels. */
  basis:
    | 'us-east-1 list price'
    | 'generated regional price'
    | 'region factor approximation'
    | 'us-east-1 price for an unknown region';
}

export const PRICE_DATA_AS_OF = '2025-01-01';
export const PRICE_DATA_SOURCE =
  'us-east-1 on-demand list prices from the AWS pricing pages as of 2025-01-01; other regions are approximated with a per-region factor from each region’s m5.large price';
export const HOURS_PER_MONTH = 730;

/** The hourly price of each family's "large" size in us-east-1; other sizes scale linearly (xlarge = 2×). */
export const LARGE_HOURLY_US_EAST_1: Readonly<Record<string, number>> = Object.freeze({
  t3: 0.0832,
  t4g: 0.0672,
  m5: 0.096,
  m6i: 0.096,
  m7g: 0.0816,
  c5: 0.085,
  c6i: 0.085,
  r5: 0.126,
  r6i: 0.126,
});

/** Sizes offered per family, smallest first (downsizing moves one step left). */
export const FAMILY_SIZES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  t3: ['nano', 'micro', 'small', 'medium', 'large', 'xlarge', '2xlarge'],
  t4g: ['nano', 'micro', 'small', 'medium', 'large', 'xlarge', '2xlarge'],
  m5: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge'],
  m6i: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '32xlarge'],
  m7g: ['medium', 'large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'],
  c5: ['large', 'xlarge', '2xlarge', '4xlarge', '9xlarge', '12xlarge', '18xlarge', '24xlarge'],
  c6i: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '32xlarge'],
  r5: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge'],
  r6i: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '32xlarge'],
});

/** EBS per GB-month in us-east-1. */
export const EBS_PER_GB_MONTH_US_EAST_1: Readonly<Record<string, number>> = Object.freeze({
  gp3: 0.08,
  gp2: 0.1,
  io1: 0.125,
  io2: 0.125,
  st1: 0.045,
  sc1: 0.015,
  standard: 0.05,
});
export const EBS_SNAPSHOT_PER_GB_MONTH_US_EAST_1 = 0.05;
export const PUBLIC_IPV4_PER_HOUR = 0.005;
export const NAT_GATEWAY_PER_HOUR_US_EAST_1 = 0.045;

/** Region factor against us-east-1 (m5.large there ÷ m5.large in us-east-1, 2025-01-01, rounded). */
export const REGION_FACTORS: Readonly<Record<string, number>> = Object.freeze({
  'us-east-1': 1,
  'us-east-2': 1,
  'us-west-1': 1.167,
  'us-west-2': 1,
  'af-south-1': 1.323,
  'ap-east-1': 1.375,
  'ap-south-1': 1.052,
  'ap-south-2': 1.052,
  'ap-southeast-1': 1.25,
  'ap-southeast-2': 1.25,
  'ap-southeast-3': 1.25,
  'ap-southeast-4': 1.25,
  'ap-northeast-1': 1.292,
  'ap-northeast-2': 1.229,
  'ap-northeast-3': 1.292,
  'ca-central-1': 1.115,
  'ca-west-1': 1.115,
  'eu-central-1': 1.198,
  'eu-central-2': 1.318,
  'eu-west-1': 1.115,
  'eu-west-2': 1.156,
  'eu-west-3': 1.167,
  'eu-south-1': 1.167,
  'eu-south-2': 1.115,
  'eu-north-1': 1.063,
  'il-central-1': 1.26,
  'me-south-1': 1.229,
  'me-central-1': 1.229,
  'sa-east-1': 1.594,
});

// Every commercial region Pilot Light offers in its pickers has a factor (checked by a unit test too).
for (const { code } of KNOWN_REGIONS)
  if (!(code in REGION_FACTORS)) throw new Error(`priceData: no price factor for region ${code}`);

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

/** How many "large" units a size is: nano 1/16 … medium 1/2, large 1, xlarge 2, Nxlarge 2N. */
export function sizeUnits(size: string): number | undefined {
  const fixed: Record<string, number> = {
    nano: 1 / 16,
    micro: 1 / 8,
    small: 1 / 4,
    medium: 1 / 2,
    large: 1,
    xlarge: 2,
  };
  if (size in fixed) return fixed[size];
  const multiple = /^(\d{1,2})xlarge$/.exec(size);
  return multiple ? 2 * Number(multiple[1]) : undefined;
}

export interface RegionPrices {
  region: string;
  /** True when the region is in the table; false means us-east-1 prices were used. */
  known: boolean;
  factor: number;
}

export function regionPrices(region: string): RegionPrices {
  const factor = REGION_FACTORS[region];
  return factor === undefined ? { region, known: false, factor: 1 } : { region, known: true, factor };
}

function generated(region: string) {
  return Object.hasOwn(REGIONAL_PRICE_TABLE.regions, region) ? REGIONAL_PRICE_TABLE.regions[region] : undefined;
}

function estimated(usUsd: number, region: string): BundledPrice {
  const prices = regionPrices(region);
  if (region === 'us-east-1')
    return { usd: round4(usUsd), exact: true, asOf: PRICE_DATA_AS_OF, basis: 'us-east-1 list price' };
  return {
    usd: round4(usUsd * prices.factor),
    exact: false,
    asOf: PRICE_DATA_AS_OF,
    basis: prices.known ? 'region factor approximation' : 'us-east-1 price for an unknown region',
  };
}

/** On-demand hourly USD for a type the tables know, with how exact it is; undefined for other types. */
export function bundledEc2Price(instanceType: string, region: string): BundledPrice | undefined {
  const exact = generated(region);
  if (exact && Object.hasOwn(exact.ec2Hourly, instanceType))
    return {
      usd: exact.ec2Hourly[instanceType]!,
      exact: true,
      asOf: exact.fetchedAt.slice(0, 10),
      basis: 'generated regional price',
    };
  const [family, size] = instanceType.split('.');
  if (!family || !size) return undefined;
  const large = Object.hasOwn(LARGE_HOURLY_US_EAST_1, family) ? LARGE_HOURLY_US_EAST_1[family] : undefined;
  if (large === undefined || !FAMILY_SIZES[family]?.includes(size)) return undefined;
  const units = sizeUnits(size);
  return units === undefined ? undefined : estimated(large * units, region);
}

/** EBS storage per GB-month (an unknown volume type is priced as gp3). */
export function bundledEbsPrice(volumeType: string, region: string): BundledPrice {
  const exact = generated(region);
  if (exact && Object.hasOwn(exact.ebsPerGbMonth, volumeType))
    return {
      usd: exact.ebsPerGbMonth[volumeType]!,
      exact: true,
      asOf: exact.fetchedAt.slice(0, 10),
      basis: 'generated regional price',
    };
  const base = Object.hasOwn(EBS_PER_GB_MONTH_US_EAST_1, volumeType)
    ? EBS_PER_GB_MONTH_US_EAST_1[volumeType]!
    : EBS_PER_GB_MONTH_US_EAST_1.gp3!;
  return estimated(base, region);
}

/** On-demand hourly USD for a type the table knows (e.g. "m5.xlarge" in eu-west-1), or undefined. */
export function ec2Hourly(instanceType: string, region: string): number | undefined {
  return bundledEc2Price(instanceType, region)?.usd;
}

/** The next smaller size of the same family, or undefined at the smallest or for an unknown family. */
export function oneSizeDown(instanceType: string): string | undefined {
  const [family, size] = instanceType.split('.');
  const sizes = FAMILY_SIZES[family ?? ''];
  const index = sizes?.indexOf(size ?? '') ?? -1;
  return sizes && index > 0 ? `${family}.${sizes[index - 1]}` : undefined;
}

export function ebsPerGbMonth(volumeType: string, region: string): number {
  return bundledEbsPrice(volumeType, region).usd;
}

export function natGatewayHourly(region: string): number {
  return round4(NAT_GATEWAY_PER_HOUR_US_EAST_1 * regionPrices(region).factor);
}

export function snapshotPerGbMonth(region: string): number {
  return round4(EBS_SNAPSHOT_PER_GB_MONTH_US_EAST_1 * regionPrices(region).factor);
}

export function priceSourceNote(region: string): string {
  const prices = regionPrices(region);
  return prices.known
    ? `Estimate from Pilot Light's bundled price table (${PRICE_DATA_SOURCE}).`
    : `Estimate from Pilot Light's bundled price table: ${region} is not in it, so us-east-1 prices as of ${PRICE_DATA_AS_OF} were used.`;
}
