/**
 * Prices fetched from the AWS Price List (pricing.ec2Prices.get), kept per region with the date each price was
 * read, in one JSON file the adapter places (extension global storage). Bounded: at most MAX_CACHED_REGIONS
 * regions (the least recently fetched go first), MAX_CACHED_TYPES instance types and MAX_CACHED_VOLUMES volume
 * types a region, MAX_PRICE_CACHE_BYTES on disk. Written atomically (temporary file, then rename); every entry
 * is checked on read, and an unreadable file is set aside (`.unreadable`), never silently rewritten over.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isPlausibleRegion } from '../aws/regions';
import { INSTANCE_TYPE_PATTERN, VOLUME_TYPE_PATTERN } from './priceList';

export const PRICE_CACHE_FORMAT = 1;
export const MAX_CACHED_REGIONS = 40;
export const MAX_CACHED_TYPES = 2000;
export const MAX_CACHED_VOLUMES = 50;
export const MAX_PRICE_CACHE_BYTES = 4 * 1024 * 1024;
const MAX_USD = 100_000;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

export interface CachedPrice {
  usd: number;
  /** When this price was read from the Price List (ISO time). */
  fetchedAt: string;
}

export interface CachedRegionPrices {
  region: string;
  source: string;
  /** The newest fetch of any price of the region. */
  fetchedAt: string;
  publicationDate?: string;
  ec2Hourly: Record<string, CachedPrice>;
  ebsPerGbMonth: Record<string, CachedPrice>;
}

export interface PriceCacheContents {
  regions: Record<string, CachedRegionPrices>;
  /** Why the file (or part of it) was not used, when it was not. */
  problem?: string;
}

/** What a Price List read produced, as stored (a subset of the operation's output). */
export interface FetchedPrices {
  region: string;
  fetchedAt: string;
  source: string;
  publicationDate?: string;
  ec2Hourly: Record<string, number>;
  ebsPerGbMonth: Record<string, number>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const validPrice = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < MAX_USD;

function cleanPrices(value: unknown, pattern: RegExp, max: number): Record<string, CachedPrice> {
  const prices: Record<string, CachedPrice> = {};
  if (!isRecord(value)) return prices;
  let count = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key) || !pattern.test(key)) continue;
    const entry = value[key];
    if (
      !isRecord(entry) ||
      !validPrice(entry.usd) ||
      typeof entry.fetchedAt !== 'string' ||
      !ISO_TIME.test(entry.fetchedAt)
    )
      continue;
    prices[key] = { usd: entry.usd, fetchedAt: entry.fetchedAt };
    if (++count >= max) break;
  }
  return prices;
}

function cleanRegion(region: string, value: unknown): CachedRegionPrices | undefined {
  if (!isRecord(value) || !isPlausibleRegion(region) || value.region !== region) return undefined;
  if (typeof value.fetchedAt !== 'string' || !ISO_TIME.test(value.fetchedAt)) return undefined;
  return {
    region,
    source: typeof value.source === 'string' ? value.source.slice(0, 100) : 'AWS Price List Query API',
    fetchedAt: value.fetchedAt,
    ...(typeof value.publicationDate === 'string' && value.publicationDate.length <= 40
      ? { publicationDate: value.publicationDate }
      : {}),
    ec2Hourly: cleanPrices(value.ec2Hourly, INSTANCE_TYPE_PATTERN, MAX_CACHED_TYPES),
    ebsPerGbMonth: cleanPrices(value.ebsPerGbMonth, VOLUME_TYPE_PATTERN, MAX_CACHED_VOLUMES),
  };
}

/** The cache file's text → its regions; anything malformed is left out (the problem says what). */
export function parsePriceCache(text: string): PriceCacheContents {
  if (text.length > MAX_PRICE_CACHE_BYTES) return { regions: {}, problem: 'the price cache is larger than 4 MB' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { regions: {}, problem: 'the price cache is not valid JSON' };
  }
  if (!isRecord(parsed) || parsed.format !== PRICE_CACHE_FORMAT || !isRecord(parsed.regions))
    return { regions: {}, problem: `the price cache is not format ${PRICE_CACHE_FORMAT}` };
  const regions: Record<string, CachedRegionPrices> = {};
  let dropped = 0;
  let count = 0;
  for (const region in parsed.regions) {
    if (!Object.hasOwn(parsed.regions, region)) continue;
    const clean = count < MAX_CACHED_REGIONS ? cleanRegion(region, parsed.regions[region]) : undefined;
    if (clean) {
      regions[region] = clean;
      count++;
    } else dropped++;
  }
  return dropped
    ? { regions, problem: `${dropped} region entr${dropped === 1 ? 'y was' : 'ies were'} not usable` }
    : { regions };
}

/** Adds a fetch to the cache contents: its prices replace older ones of the same region; bounds applied. */
export function mergeFetchedPrices(
  contents: Record<string, CachedRegionPrices>,
  fetched: FetchedPrices,
): Record<string, CachedRegionPrices> {
  if (!isPlausibleRegion(fetched.region)) throw new Error(`"${fetched.region}" is not a region code.`);
  if (!ISO_TIME.test(fetched.fetchedAt)) throw new Error(`"${fetched.fetchedAt}" is not an ISO time.`);
  const previous = contents[fetched.region];
  const stamp = (prices: Record<string, number>, pattern: RegExp) =>
    Object.fromEntries(
      Object.entries(prices)
        .filter(([key, usd]) => pattern.test(key) && validPrice(usd))
        .map(([key, usd]) => [key, { usd, fetchedAt: fetched.fetchedAt }]),
    );
  const bounded = (prices: Record<string, CachedPrice>, max: number) =>
    Object.fromEntries(
      Object.entries(prices)
        // The newest fetches are kept when a region holds more than the bound.
        .sort(([, a], [, b]) => b.fetchedAt.localeCompare(a.fetchedAt))
        .slice(0, max)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  const region: CachedRegionPrices = {
    region: fetched.region,
    source: fetched.source.slice(0, 100),
    fetchedAt: fetched.fetchedAt,
    ...(fetched.publicationDate ? { publicationDate: fetched.publicationDate.slice(0, 40) } : {}),
    ec2Hourly: bounded(
      { ...previous?.ec2Hourly, ...stamp(fetched.ec2Hourly, INSTANCE_TYPE_PATTERN) },
      MAX_CACHED_TYPES,
    ),
    ebsPerGbMonth: bounded(
      { ...previous?.ebsPerGbMonth, ...stamp(fetched.ebsPerGbMonth, VOLUME_TYPE_PATTERN) },
      MAX_CACHED_VOLUMES,
    ),
  };
  const merged = { ...contents, [fetched.region]: region };
  const regions = Object.values(merged).sort((a, b) => b.fetchedAt.localeCompare(a.fetchedAt));
  return Object.fromEntries(regions.slice(0, MAX_CACHED_REGIONS).map((entry) => [entry.region, entry]));
}

/** The cache file: read on demand, written atomically, one write at a time per instance. */
export class PriceCache {
  private writing: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  async read(): Promise<PriceCacheContents> {
    let text: string;
    try {
      const info = await stat(this.path);
      if (info.size > MAX_PRICE_CACHE_BYTES) return { regions: {}, problem: 'the price cache is larger than 4 MB' };
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { regions: {} };
      return { regions: {}, problem: `the price cache could not be read: ${(error as Error).message}` };
    }
    return parsePriceCache(text);
  }

  async region(region: string): Promise<CachedRegionPrices | undefined> {
    const { regions } = await this.read();
    return Object.hasOwn(regions, region) ? regions[region] : undefined;
  }

  /** Stores a fetch; resolves to the region's entry as written. */
  store(fetched: FetchedPrices): Promise<CachedRegionPrices> {
    const next = this.writing.then(async () => {
      const current = await this.read();
      // A file that could not be parsed is kept aside, not overwritten.
      if (current.problem && !Object.keys(current.regions).length)
        await rename(this.path, `${this.path}.unreadable`).catch(() => undefined);
      const regions = mergeFetchedPrices(current.regions, fetched);
      const text = JSON.stringify({ format: PRICE_CACHE_FORMAT, regions });
      if (Buffer.byteLength(text) > MAX_PRICE_CACHE_BYTES)
        throw new Error('The price cache would be larger than 4 MB; nothing was written.');
      await writeAtomically(this.path, text);
      return regions[fetched.region]!;
    });
    this.writing = next.catch(() => undefined);
    return next;
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { encoding: 'utf8', flush: true });
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
