/**
 * A small bundled price table for previews: us-east-1 on-demand list prices in USD. Estimates only; the
 * date says how old they are.
 */
export const PRICE_TABLE = Object.freeze({
  asOf: '2025-01-01',
  region: 'us-east-1',
  currency: 'USD',
  hoursPerMonth: 730,
  ebsPerGbMonth: { gp3: 0.08, gp2: 0.1, io1: 0.125, io2: 0.125, st1: 0.045, sc1: 0.015, standard: 0.05 } as Record<
    string,
    number
  >,
  ebsSnapshotPerGbMonth: 0.05,
  publicIpv4PerHour: 0.005,
  natGatewayPerHour: 0.045,
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
