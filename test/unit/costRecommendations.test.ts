// AWS's recommendations in plain Node: Cost Explorer's Savings Plans / RI answers and Compute Optimizer's findings
// parsed (never throwing, whatever the endpoint sent: fast-check), and merged with the CloudWatch verdicts one row
// per instance.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  describePurchase,
  figure,
  mergeRightsizing,
  OPTIMIZER_SOURCE,
  OWN_SOURCE,
  parseInstanceRecommendation,
  parseReservationRecommendation,
  parseSavingsPlansRecommendation,
  type OptimizerRecommendation,
  type OwnFinding,
} from '../../src/core/cost/savingsRecommendations';
import { instanceRecommendation, reservationSeed, savingsPlansSeed } from '../../tools/seed/costRecommendations';

const SP_OPTIONS = {
  savingsPlansType: 'COMPUTE_SP',
  term: 'ONE_YEAR',
  paymentOption: 'NO_UPFRONT',
  lookbackDays: 30,
} as const;
const RI_OPTIONS = {
  service: 'Amazon Elastic Compute Cloud - Compute',
  term: 'THREE_YEARS',
  paymentOption: 'PARTIAL_UPFRONT',
  lookbackDays: 7,
} as const;

/** A response in the wire shape, as the emulator answers it from a seed. */
function savingsPlansResponse(
  seed = savingsPlansSeed({ monthlySavings: 120, percent: 30, hourlyCommitment: 0.125, onDemandSpend: 900 }),
) {
  return {
    Metadata: { RecommendationId: 'r-1', GenerationTimestamp: '2026-12-01T00:00:00Z' },
    SavingsPlansPurchaseRecommendation: {
      SavingsPlansType: seed.savingsPlansType,
      TermInYears: seed.termInYears,
      PaymentOption: seed.paymentOption,
      LookbackPeriodInDays: seed.lookbackPeriodInDays,
      SavingsPlansPurchaseRecommendationSummary: seed.summary,
      SavingsPlansPurchaseRecommendationDetails: seed.details,
    },
  };
}

const arn = (id: string) => `arn:aws:ec2:us-east-1:123456789012:instance/${id}`;

describe('cost recommendations: parsing', () => {
  it('reads a Savings Plans recommendation: savings, percent, hourly commitment, options and source', () => {
    const parsed = parseSavingsPlansRecommendation(savingsPlansResponse(), SP_OPTIONS);
    assert.deepEqual(
      [
        parsed.recommended,
        parsed.monthlySavings,
        parsed.savingsPercent,
        parsed.hourlyCommitment,
        parsed.currentOnDemandSpend,
      ],
      [true, 120, 30, 0.125, 900],
    );
    assert.equal(parsed.source, 'Cost Explorer recommendation, lookback 30 days');
    assert.equal(parsed.generatedAt, '2026-12-01T00:00:00Z');
    assert.deepEqual(parsed.details, [
      'Compute Savings Plan (Any, Any): commit $0.125/hour, about $120.00/month saved',
    ]);
    assert.equal(
      describePurchase(parsed),
      'Compute Savings Plan for a commitment of $0.125/hour (1 year, no upfront): about $120.00/month saved (30%).',
    );
  });

  it('an answer without a summary is "no recommendation", never $0 of savings presented as one', () => {
    const parsed = parseSavingsPlansRecommendation(
      { Metadata: {}, SavingsPlansPurchaseRecommendation: { SavingsPlansPurchaseRecommendationDetails: [] } },
      SP_OPTIONS,
    );
    assert.deepEqual([parsed.recommended, parsed.monthlySavings, parsed.details], [false, 0, []]);
    assert.equal(
      describePurchase(parsed),
      'Cost Explorer has no Compute Savings Plan recommendation (1 year, no upfront) from the last 30 days of usage.',
    );
  });

  it('reads RI pages: the summary once, the details of every page, upfront cost summed', () => {
    const seed = reservationSeed({
      monthlySavings: 80,
      percent: 20,
      details: [
        { instanceType: 'm5.large', region: 'us-east-1', count: 2, monthlySavings: 50 },
        { instanceType: 'c5.large', region: 'us-east-1', count: 1, monthlySavings: 30 },
      ],
    });
    seed.details![1].UpfrontCost = '310.50';
    const page = (details: unknown[]) => ({
      Recommendations: [{ RecommendationSummary: seed.summary, RecommendationDetails: details }],
    });
    const parsed = parseReservationRecommendation(
      [page([seed.details![0]]), page([seed.details![1]])],
      RI_OPTIONS,
      true,
    );
    assert.deepEqual(
      [parsed.recommended, parsed.monthlySavings, parsed.savingsPercent, parsed.upfrontCost, parsed.truncated],
      [true, 80, 20, 310.5, true],
    );
    assert.deepEqual(parsed.details, [
      '2 × m5.large in us-east-1 (Linux/UNIX): about $50.00/month saved',
      '1 × c5.large in us-east-1 (Linux/UNIX): about $30.00/month saved',
    ]);
    assert.equal(
      describePurchase(parsed),
      'EC2 Reserved Instances (3 years, partial upfront, $310.50 upfront): about $80.00/month saved (20%).',
    );
    assert.equal(parseReservationRecommendation([{ Recommendations: [] }], RI_OPTIONS).recommended, false);
  });

  it('takes Compute Optimizer’s rank-1 option whatever the order of the options', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(
          [
            { instanceType: 'm5.large', rank: 1, performanceRisk: 1, monthlySavings: 70 },
            { instanceType: 'r5.large', rank: 2, performanceRisk: 2, monthlySavings: 40 },
            { instanceType: 'c5.xlarge', rank: 3, performanceRisk: 3, monthlySavings: 10 },
          ],
          { minLength: 3, maxLength: 3 },
        ),
        (options) => {
          const parsed = parseInstanceRecommendation(
            instanceRecommendation({
              instanceArn: arn('i-0abc1234def567890'),
              currentType: 'm5.xlarge',
              finding: 'Overprovisioned',
              reasons: ['CPUOverprovisioned'],
              options,
            }),
          )!;
          assert.deepEqual(
            [
              parsed.instanceId,
              parsed.recommendedType,
              parsed.monthlySavings,
              parsed.performanceRisk,
              parsed.lookbackDays,
            ],
            ['i-0abc1234def567890', 'm5.large', 70, 1, 14],
          );
        },
      ),
    );
  });

  it('never throws on anything an endpoint could send, and every figure it keeps is finite (property)', () => {
    const figureLike = fc.oneof(
      fc.double().map(String),
      fc.double(),
      fc.constantFrom('1e999', 'NaN', '-0', '12.5', '', 'abc', '0'),
      fc.string(),
    );
    const loose = fc.oneof(fc.anything(), fc.dictionary(fc.string(), figureLike));
    const spResponse = fc.record(
      {
        Metadata: loose,
        SavingsPlansPurchaseRecommendation: fc.record(
          {
            SavingsPlansPurchaseRecommendationSummary: fc.oneof(
              loose,
              fc.record({
                EstimatedMonthlySavingsAmount: figureLike,
                HourlyCommitmentToPurchase: figureLike,
                TotalRecommendationCount: figureLike,
                EstimatedSavingsPercentage: figureLike,
              }),
            ),
            SavingsPlansPurchaseRecommendationDetails: fc.oneof(loose, fc.array(loose, { maxLength: 30 })),
          },
          { requiredKeys: [] },
        ),
        NextPageToken: loose,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(loose, spResponse), (response) => {
        const parsed = parseSavingsPlansRecommendation(response, SP_OPTIONS);
        assert.ok(Number.isFinite(parsed.monthlySavings) && parsed.monthlySavings >= 0);
        assert.equal(parsed.recommended, parsed.monthlySavings > 0);
        assert.ok(parsed.details.length <= 20);
        for (const value of [parsed.savingsPercent, parsed.hourlyCommitment, parsed.upfrontCost])
          assert.ok(value === undefined || Number.isFinite(value));
        assert.equal(typeof describePurchase(parsed), 'string');
      }),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(fc.array(loose, { maxLength: 5 }), (pages) => {
        const parsed = parseReservationRecommendation(pages, RI_OPTIONS);
        assert.ok(Number.isFinite(parsed.monthlySavings) && parsed.monthlySavings >= 0);
        assert.ok(parsed.details.length <= 20);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          loose,
          fc.record(
            {
              instanceArn: fc.oneof(fc.string(), fc.constant(arn('i-0123456789abcdef0'))),
              finding: loose,
              findingReasonCodes: fc.oneof(loose, fc.array(fc.oneof(fc.string(), fc.integer()))),
              recommendationOptions: fc.oneof(
                loose,
                fc.array(
                  fc.record(
                    { rank: figureLike, performanceRisk: figureLike, instanceType: loose },
                    { requiredKeys: [] },
                  ),
                ),
              ),
            },
            { requiredKeys: [] },
          ),
        ),
        (entry) => {
          const parsed = parseInstanceRecommendation(entry);
          if (!parsed) return;
          assert.match(parsed.instanceId, /^i-[0-9a-zA-Z]+$/);
          assert.ok(
            parsed.performanceRisk === undefined || (parsed.performanceRisk >= 0 && parsed.performanceRisk <= 4),
          );
          assert.ok(parsed.monthlySavings === undefined || Number.isFinite(parsed.monthlySavings));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('reads figures only from plain decimal strings or finite numbers', () => {
    assert.deepEqual(['12.50', '0', ' 7 ', '1e3', 3.5].map(figure), [12.5, 0, 7, 1000, 3.5]);
    for (const junk of ['', 'NaN', 'Infinity', '1e999', '2e12', '12,5', '$3', '0x10', null, undefined, {}, Number.NaN])
      assert.equal(figure(junk), undefined, String(junk));
  });
});

describe('cost recommendations: merging with the CloudWatch verdicts', () => {
  const instanceId = fc.integer({ min: 0, max: 12 }).map((n) => `i-${n.toString(16).padStart(8, '0')}`);
  const own = fc.record({
    instanceId,
    instanceType: fc.constantFrom('t3.small', 'm5.large'),
    verdict: fc.constantFrom('downsize', 'keep', 'not-enough-data' as const),
    reason: fc.constant('measured'),
    monthlySaving: fc.option(fc.double({ min: 0, max: 500, noNaN: true }), { nil: undefined }),
  }) as fc.Arbitrary<OwnFinding>;
  const optimizer = fc.record({
    instanceId,
    finding: fc.constantFrom('Overprovisioned', 'Underprovisioned', 'Optimized', 'NotOptimized'),
    findingReasons: fc.constant([] as string[]),
    currentType: fc.constant('m5.xlarge'),
    recommendedType: fc.constant('m5.large'),
    monthlySavings: fc.option(fc.double({ min: -100, max: 500, noNaN: true }), { nil: undefined }),
  }) as fc.Arbitrary<OptimizerRecommendation>;

  it('one row per instance, from Compute Optimizer exactly where it has one, never a negative saving (property)', () => {
    fc.assert(
      fc.property(fc.array(own, { maxLength: 15 }), fc.array(optimizer, { maxLength: 15 }), (mine, theirs) => {
        const merged = mergeRightsizing(mine, theirs);
        const ids = merged.map((row) => row.instanceId);
        assert.equal(new Set(ids).size, ids.length, 'no duplicates');
        assert.deepEqual(
          [...ids].sort(),
          [...new Set([...mine, ...theirs].map((row) => row.instanceId))].sort(),
          'every instance of either source',
        );
        const optimized = new Set(theirs.map((row) => row.instanceId));
        for (const row of merged) {
          assert.equal(row.source, optimized.has(row.instanceId) ? OPTIMIZER_SOURCE : OWN_SOURCE);
          assert.ok(row.monthlySaving === undefined || row.monthlySaving >= 0);
          if (row.source === OWN_SOURCE)
            assert.deepEqual(row, { ...mine.find((entry) => entry.instanceId === row.instanceId), source: OWN_SOURCE });
          if (row.verdict === 'keep') assert.equal(row.suggestedType, undefined);
        }
        // The CloudWatch rows keep their order, then the instances only Compute Optimizer knows.
        const firstOwn = [...new Set(mine.map((row) => row.instanceId))];
        assert.deepEqual(ids.slice(0, firstOwn.length), firstOwn);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps our verdict beside Compute Optimizer’s for comparison, and maps findings to verdicts', () => {
    const merged = mergeRightsizing(
      [
        {
          instanceId: 'i-1',
          name: 'api',
          instanceType: 'm5.xlarge',
          verdict: 'downsize',
          suggestedType: 'm5.large',
          monthlySaving: 70,
          reason: 'CPU max 12%',
        },
        { instanceId: 'i-2', instanceType: 't3.small', verdict: 'keep', reason: 'busy' },
      ],
      [
        {
          instanceId: 'i-1',
          finding: 'Optimized',
          findingReasons: [],
          currentType: 'm5.xlarge',
          recommendedType: 'm5.xlarge',
          performanceRisk: 0,
        },
        {
          instanceId: 'i-2',
          finding: 'Underprovisioned',
          findingReasons: ['CPUUnderprovisioned'],
          recommendedType: 't3.medium',
          monthlySavings: -15,
        },
        {
          instanceId: 'i-3',
          instanceName: 'batch',
          finding: 'NotOptimized',
          findingReasons: [],
          currentType: 'c5.large',
          recommendedType: 'c6g.large',
          monthlySavings: 9,
        },
      ],
    );
    assert.deepEqual(
      merged.map((row) => [
        row.instanceId,
        row.name,
        row.verdict,
        row.suggestedType,
        row.monthlySaving,
        row.ownEstimate?.verdict,
      ]),
      [
        ['i-1', 'api', 'keep', undefined, undefined, 'downsize'],
        ['i-2', undefined, 'upsize', 't3.medium', undefined, 'keep'],
        ['i-3', 'batch', 'change', 'c6g.large', 9, undefined],
      ],
    );
    assert.equal(merged[0].reason, 'Compute Optimizer: Optimized; performance risk very low (0 of 4)');
  });
});
