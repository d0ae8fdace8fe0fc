/**
 * Cost estimates from the bundled price table (src/core/operations/costs.ts), which states its date and
 * region. One table serves previews and /unused, so both quote the same prices.
 */
import { PRICE_TABLE } from '../operations/costs';

export { PRICE_TABLE };

const round = (amount: number) => Math.round(amount * 100) / 100;

/** How the estimates were made, for every answer that quotes one. */
export function priceTableNote(): string {
  return `Estimates from Pilot Light's bundled price table: ${PRICE_TABLE.region} on-demand list prices in ${PRICE_TABLE.currency} as of ${PRICE_TABLE.asOf}. Other regions, discounts and free tiers change the real bill.`;
}

export function ebsVolumeMonthly(volumeType: string | undefined, sizeGiB: number | undefined): number {
  const perGb = PRICE_TABLE.ebsPerGbMonth[volumeType ?? 'gp3'] ?? PRICE_TABLE.ebsPerGbMonth.gp3;
  return round((sizeGiB ?? 0) * perGb);
}

/** An upper bound: snapshots are incremental, so the stored size is at most the volume size. */
export function snapshotMonthly(sizeGiB: number | undefined): number {
  return round((sizeGiB ?? 0) * PRICE_TABLE.ebsSnapshotPerGbMonth);
}

export function elasticIpMonthly(): number {
  return round(PRICE_TABLE.publicIpv4PerHour * PRICE_TABLE.hoursPerMonth);
}
