/**
 * Cost estimates from the bundled price table (src/core/operations/costs.ts), which states its date and
 * region. One table serves previews and /unused, so both quote the same prices.
 */
import type { PriceBook } from '../cost/priceBook';
import { PRICE_TABLE } from '../operations/costs';

export { PRICE_TABLE };

const round = (amount: number) => Math.round(amount * 100) / 100;

/** How the estimates were made, for every answer that quotes one. */
export function priceTableNote(): string {
  return `Estimates from Pilot Light's bundled price table: ${PRICE_TABLE.region} on-demand list prices in ${PRICE_TABLE.currency} as of ${PRICE_TABLE.asOf}. Other regions, discounts and free tiers change the real bill.`;
}

/** With a price book, its regional price (fetched or bundled, recorded in its note); else the us-east-1 table. */
export function ebsVolumeMonthly(
  volumeType: string | undefined,
  sizeGiB: number | undefined,
  prices?: PriceBook,
): number {
  const perGb = prices
    ? prices.ebsPerGbMonth(volumeType).usd
    : (PRICE_TABLE.ebsPerGbMonth[volumeType ?? 'gp3'] ?? PRICE_TABLE.ebsPerGbMonth.gp3);
  return round((sizeGiB ?? 0) * perGb);
}

/** An upper bound: snapshots are incremental, so the stored size is at most the volume size. */
export function snapshotMonthly(sizeGiB: number | undefined, prices?: PriceBook): number {
  return round((sizeGiB ?? 0) * (prices ? prices.snapshotPerGbMonth().usd : PRICE_TABLE.ebsSnapshotPerGbMonth));
}

export function elasticIpMonthly(prices?: PriceBook): number {
  return round((prices ? prices.publicIpv4Hourly().usd : PRICE_TABLE.publicIpv4PerHour) * PRICE_TABLE.hoursPerMonth);
}
