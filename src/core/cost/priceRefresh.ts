/**
 * Refreshing a region's prices: pricing.ec2Prices.get through the runner (a registered read), then the dated
 * cache. A read that finds no price at all stores nothing and says so (never a price of zero).
 */
import type { ReadOperation } from '../insights/reads';
import type { Ec2PriceSheet } from '../operations/pricing';
import type { CachedRegionPrices, PriceCache } from './priceCache';

export interface PriceRefreshResult {
  region: string;
  sheet: Ec2PriceSheet;
  /** The region's cache entry after the refresh; undefined when nothing was priced (nothing stored). */
  stored?: CachedRegionPrices;
  /** Plain text: what was fetched, from where and when, and what has no price. */
  summary: string;
}

export async function refreshRegionPrices(
  read: ReadOperation,
  cache: PriceCache | undefined,
  region: string,
  options: { instanceTypes?: string[]; maxPages?: number } = {},
): Promise<PriceRefreshResult> {
  const sheet = (await read('pricing.ec2Prices.get', {
    region,
    ...(options.instanceTypes?.length ? { instanceTypes: options.instanceTypes } : {}),
    ...(options.maxPages ? { maxPages: options.maxPages } : {}),
  })) as Ec2PriceSheet;
  const types = Object.keys(sheet.ec2Hourly).length;
  const volumes = Object.keys(sheet.ebsPerGbMonth).length;
  const priced = types + volumes > 0;
  const stored = priced && cache ? await cache.store(sheet) : undefined;
  const lines = [
    priced
      ? `${region}: ${types} EC2 instance type price(s) and ${volumes} EBS volume type price(s) from the ${sheet.source}, fetched ${sheet.fetchedAt.slice(0, 10)}${sheet.publicationDate ? ` (AWS publication ${sheet.publicationDate.slice(0, 10)})` : ''}.`
      : `${region}: no price. The ${sheet.source} returned no matching EC2 or EBS price for this region, so nothing was stored and estimates keep using the bundled table.`,
  ];
  if (sheet.notPriced.length)
    lines.push(`No price for: ${sheet.notPriced.join(', ')} (not zero: these stay unpriced).`);
  if (sheet.truncated) lines.push('More pages existed than were read: the list is partial.');
  if (sheet.skippedItems)
    lines.push(`${sheet.skippedItems} item(s) could not be read: ${sheet.skippedReasons.join('; ')}.`);
  if (priced && !cache) lines.push('Not stored: no price cache is available here.');
  return { region, sheet, stored, summary: lines.join(' ') };
}
