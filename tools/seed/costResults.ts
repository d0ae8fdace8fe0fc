/**
 * Seeds Cost Explorer results into moto (POST /moto-api/static/ce/cost-and-usage-results). Moto answers each
 * new GetCostAndUsage request with the next queued result, so seed in the order the code under test asks.
 */
export interface SeedGroup {
  key: string;
  amount: number;
}

/** One GetCostAndUsage answer: one period with its groups (Total left empty, as AWS does with GroupBy). */
export function groupedResult(start: string, end: string, groups: SeedGroup[], keyPrefix = '') {
  return {
    ResultsByTime: [
      {
        TimePeriod: { Start: start, End: end },
        Total: {},
        Groups: groups.map((group) => ({
          Keys: [`${keyPrefix}${group.key}`],
          Metrics: { UnblendedCost: { Amount: group.amount.toFixed(4), Unit: 'USD' } },
        })),
        Estimated: false,
      },
    ],
    DimensionValueAttributes: [],
  };
}

export async function seedCostResults(endpoint: string, accountId: string, results: unknown[]): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/static/ce/cost-and-usage-results`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ account_id: accountId, results }),
  });
  if (response.status !== 201) throw new Error(`moto did not take the cost results: HTTP ${response.status}`);
}
