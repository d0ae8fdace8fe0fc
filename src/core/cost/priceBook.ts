/**
 * One place estimates get prices from, and say where they came from: a region's prices fetched from the AWS
 * Price List (priceCache.ts) where cached, otherwise the bundled table (priceData.ts: us-east-1 list prices,
 * other regions approximated with a per-region factor). Every lookup records its source, so a report's note
 * names exactly the sources and dates its figures used.
 */
import type { CachedRegionPrices, PriceCache } from './priceCache';
import {
  bundledEbsPrice,
  bundledEc2Price,
  EBS_PER_GB_MONTH_US_EAST_1,
  natGatewayHourly,
  PRICE_DATA_AS_OF,
  PUBLIC_IPV4_PER_HOUR,
  regionPrices,
  snapshotPerGbMonth,
  type BundledPrice,
} from './priceData';

export type PriceSourceKind = 'price-list' | 'bundled' | 'bundled-approximation' | 'bundled-other-region';

export interface PriceQuote {
  usd: number;
  kind: PriceSourceKind;
  /** e.g. "AWS Price List, fetched 2026-12-06" or "bundled table, approximation (…)". */
  source: string;
  /** The date the price is from (fetch date, or the bundled table's date). */
  asOf: string;
}

const day = (iso: string) => iso.slice(0, 10);

export class PriceBook {
  private readonly used = new Map<string, { quote: PriceQuote; items: Set<string> }>();

  constructor(
    readonly region: string,
    private readonly fetched?: CachedRegionPrices,
  ) {}

  /** A bundled figure, labelled by how it was made. */
  private fromTable(price: BundledPrice): PriceQuote {
    if (price.basis === 'generated regional price')
      return {
        usd: price.usd,
        kind: 'bundled',
        asOf: price.asOf,
        source: `bundled table (AWS Price List as of ${price.asOf})`,
      };
    return { usd: price.usd, ...this.bundled() };
  }

  /** The bundled table's label for this region's us-east-1-based figures. */
  private bundled(): Omit<PriceQuote, 'usd'> {
    const prices = regionPrices(this.region);
    if (this.region === 'us-east-1')
      return {
        kind: 'bundled',
        asOf: PRICE_DATA_AS_OF,
        source: `bundled table (us-east-1 list prices as of ${PRICE_DATA_AS_OF})`,
      };
    return prices.known
      ? {
          kind: 'bundled-approximation',
          asOf: PRICE_DATA_AS_OF,
          source: `bundled table, approximation (us-east-1 list prices as of ${PRICE_DATA_AS_OF} × a ${this.region} factor of ${prices.factor})`,
        }
      : {
          kind: 'bundled-other-region',
          asOf: PRICE_DATA_AS_OF,
          source: `bundled table: ${this.region} is not in it, so us-east-1 list prices as of ${PRICE_DATA_AS_OF}`,
        };
  }

  private record(quote: PriceQuote, item: string): PriceQuote {
    const entry = this.used.get(quote.source) ?? { quote, items: new Set<string>() };
    if (entry.items.size < 20) entry.items.add(item);
    this.used.set(quote.source, entry);
    return quote;
  }

  private fromPriceList(table: 'ec2Hourly' | 'ebsPerGbMonth', key: string): PriceQuote | undefined {
    const prices = this.fetched?.[table];
    if (!prices || !Object.hasOwn(prices, key)) return undefined;
    const price = prices[key]!;
    return {
      usd: price.usd,
      kind: 'price-list',
      asOf: day(price.fetchedAt),
      source: `AWS Price List, fetched ${day(price.fetchedAt)}`,
    };
  }

  /** On-demand Linux hourly USD, or undefined when neither the Price List cache nor the table has the type. */
  ec2Hourly(instanceType: string): PriceQuote | undefined {
    const fetched = this.fromPriceList('ec2Hourly', instanceType);
    if (fetched) return this.record(fetched, instanceType);
    const price = bundledEc2Price(instanceType, this.region);
    return price === undefined ? undefined : this.record(this.fromTable(price), instanceType);
  }

  /** EBS storage USD per GB-month (an unknown volume type is priced as gp3 from the table, and says so). */
  ebsPerGbMonth(volumeType: string | undefined): PriceQuote {
    const type = volumeType ?? 'gp3';
    const fetched = this.fromPriceList('ebsPerGbMonth', type);
    if (fetched) return this.record(fetched, type);
    const known = Object.hasOwn(EBS_PER_GB_MONTH_US_EAST_1, type);
    return this.record(this.fromTable(bundledEbsPrice(type, this.region)), known ? type : `${type} as gp3`);
  }

  /** Snapshot storage per GB-month: the bundled table (the Price List read does not fetch snapshot prices). */
  snapshotPerGbMonth(): PriceQuote {
    return this.record({ usd: snapshotPerGbMonth(this.region), ...this.bundled() }, 'snapshots');
  }

  /** Public IPv4: $0.005 an hour in every region (AWS, February 2024 on). */
  publicIpv4Hourly(): PriceQuote {
    return this.record(
      {
        usd: PUBLIC_IPV4_PER_HOUR,
        kind: 'bundled',
        asOf: PRICE_DATA_AS_OF,
        source: `bundled table (public IPv4, the same in every region, as of ${PRICE_DATA_AS_OF})`,
      },
      'public IPv4',
    );
  }

  /** NAT gateway per hour: the bundled table (us-east-1, or the region's approximation). */
  natGatewayHourly(): PriceQuote {
    return this.record({ usd: natGatewayHourly(this.region), ...this.bundled() }, 'NAT gateway hours');
  }

  /** The oldest date among the prices used (or the table's date when nothing was looked up yet). */
  asOf(): string {
    const dates = [...this.used.values()].map((entry) => entry.quote.asOf).sort();
    return dates[0] ?? (this.fetched ? day(this.fetched.fetchedAt) : PRICE_DATA_AS_OF);
  }

  /** Which sources the estimates so far used, for what; or, before any lookup, which would be used. */
  note(): string {
    const where = `in ${this.region}`;
    if (!this.used.size)
      return this.fetched
        ? `Prices ${where}: AWS Price List, fetched ${day(this.fetched.fetchedAt)}, where it has the item; otherwise the ${this.bundled().source}. Estimates only, never a bill.`
        : `Prices ${where}: ${this.bundled().source}. Estimates only, never a bill.`;
    const parts = [...this.used.values()].map(({ quote, items }) => `${quote.source} for ${[...items].join(', ')}`);
    return `Prices ${where}: ${parts.join('; ')}. Estimates only, never a bill.`;
  }
}

/** Where fetched prices come from; undefined means only the bundled table. */
export type PriceSource = (region: string) => Promise<PriceBook>;

/** A price book for the region from the cache (a missing or unreadable cache means the bundled table). */
export async function priceBookFrom(cache: PriceCache | undefined, region: string): Promise<PriceBook> {
  const fetched = cache ? await cache.region(region).catch(() => undefined) : undefined;
  return new PriceBook(region, fetched);
}
