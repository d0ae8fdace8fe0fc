/**
 * Builders for the recommendations emulator's seed (tools/emulators/costRecommendations), in the wire shapes of
 * Cost Explorer and Compute Optimizer, and the demo's seed: a Compute Savings Plan, EC2 Reserved Instances and
 * Compute Optimizer findings for the sample instances. The figures are made up for the demo, not computed.
 */
import type {
  CostRecommendationsSeed,
  ReservationSeed,
  SavingsPlansSeed,
} from '../emulators/costRecommendations/costRecommendations';

const amount = (value: number, digits = 2) => value.toFixed(digits);

export function savingsPlansSeed(figures: {
  monthlySavings: number;
  percent: number;
  hourlyCommitment: number;
  onDemandSpend: number;
  type?: SavingsPlansSeed['savingsPlansType'];
  term?: SavingsPlansSeed['termInYears'];
  paymentOption?: SavingsPlansSeed['paymentOption'];
  lookback?: SavingsPlansSeed['lookbackPeriodInDays'];
  accountId?: string;
}): SavingsPlansSeed {
  const spCost = figures.hourlyCommitment * 24 * 30;
  return {
    savingsPlansType: figures.type ?? 'COMPUTE_SP',
    termInYears: figures.term ?? 'ONE_YEAR',
    paymentOption: figures.paymentOption ?? 'NO_UPFRONT',
    lookbackPeriodInDays: figures.lookback ?? 'THIRTY_DAYS',
    summary: {
      CurrencyCode: 'USD',
      EstimatedMonthlySavingsAmount: amount(figures.monthlySavings),
      EstimatedSavingsPercentage: amount(figures.percent),
      HourlyCommitmentToPurchase: amount(figures.hourlyCommitment, 3),
      DailyCommitmentToPurchase: amount(figures.hourlyCommitment * 24, 3),
      CurrentOnDemandSpend: amount(figures.onDemandSpend),
      EstimatedTotalCost: amount(spCost),
      EstimatedSavingsAmount: amount(figures.monthlySavings),
      EstimatedROI: amount((figures.monthlySavings / Math.max(spCost, 0.01)) * 100),
      EstimatedOnDemandCostWithCurrentCommitment: amount(figures.onDemandSpend),
      TotalRecommendationCount: '1',
    },
    details: [
      {
        ...(figures.accountId ? { AccountId: figures.accountId } : {}),
        SavingsPlansDetails: { Region: 'Any', InstanceFamily: 'Any', OfferingId: '0c6b3c13-demo' },
        CurrencyCode: 'USD',
        UpfrontCost: '0.00',
        HourlyCommitmentToPurchase: amount(figures.hourlyCommitment, 3),
        EstimatedMonthlySavingsAmount: amount(figures.monthlySavings),
        EstimatedSavingsPercentage: amount(figures.percent),
        EstimatedSPCost: amount(spCost),
        EstimatedAverageUtilization: '98.50',
      },
    ],
  };
}

export function reservationSeed(figures: {
  monthlySavings: number;
  percent: number;
  details: Array<{ instanceType: string; region: string; count: number; monthlySavings: number }>;
  term?: ReservationSeed['termInYears'];
  paymentOption?: ReservationSeed['paymentOption'];
  lookback?: ReservationSeed['lookbackPeriodInDays'];
}): ReservationSeed {
  return {
    service: 'Amazon Elastic Compute Cloud - Compute',
    termInYears: figures.term ?? 'ONE_YEAR',
    paymentOption: figures.paymentOption ?? 'NO_UPFRONT',
    lookbackPeriodInDays: figures.lookback ?? 'THIRTY_DAYS',
    summary: {
      TotalEstimatedMonthlySavingsAmount: amount(figures.monthlySavings),
      TotalEstimatedMonthlySavingsPercentage: amount(figures.percent),
      CurrencyCode: 'USD',
    },
    details: figures.details.map((detail) => ({
      InstanceDetails: {
        EC2InstanceDetails: {
          Family: detail.instanceType.split('.')[0],
          InstanceType: detail.instanceType,
          Region: detail.region,
          Platform: 'Linux/UNIX',
          Tenancy: 'shared',
          CurrentGeneration: true,
          SizeFlexEligible: true,
        },
      },
      RecommendedNumberOfInstancesToPurchase: String(detail.count),
      AverageNumberOfInstancesUsedPerHour: amount(detail.count),
      AverageUtilization: '100.0',
      CurrencyCode: 'USD',
      EstimatedMonthlySavingsAmount: amount(detail.monthlySavings),
      UpfrontCost: '0.00',
    })),
  };
}

export function instanceRecommendation(entry: {
  instanceArn: string;
  name?: string;
  currentType: string;
  finding: 'Overprovisioned' | 'Underprovisioned' | 'Optimized' | 'NotOptimized';
  reasons: string[];
  options: Array<{ instanceType: string; rank: number; performanceRisk: number; monthlySavings: number }>;
  cpuMax?: number;
}): Record<string, unknown> {
  const total = entry.options.length ? Math.max(...entry.options.map((option) => Math.abs(option.monthlySavings))) : 0;
  return {
    instanceArn: entry.instanceArn,
    accountId: entry.instanceArn.split(':')[4],
    ...(entry.name ? { instanceName: entry.name } : {}),
    currentInstanceType: entry.currentType,
    finding: entry.finding,
    findingReasonCodes: entry.reasons,
    utilizationMetrics: [{ name: 'Cpu', statistic: 'Maximum', value: entry.cpuMax ?? 12.5 }],
    lookBackPeriodInDays: 14,
    recommendationOptions: entry.options.map((option) => ({
      instanceType: option.instanceType,
      rank: option.rank,
      performanceRisk: option.performanceRisk,
      projectedUtilizationMetrics: [{ name: 'Cpu', statistic: 'Maximum', value: 40 }],
      savingsOpportunity: {
        savingsOpportunityPercentage: total ? Math.round((option.monthlySavings / (total * 2)) * 1000) / 10 : 0,
        estimatedMonthlySavings: { currency: 'USD', value: option.monthlySavings },
      },
      migrationEffort: 'VeryLow',
    })),
    recommendationSources: [{ recommendationSourceArn: entry.instanceArn, recommendationSourceType: 'Ec2Instance' }],
    lastRefreshTimestamp: new Date().toISOString(),
    currentPerformanceRisk: entry.finding === 'Underprovisioned' ? 'High' : 'VeryLow',
    instanceState: 'running',
  };
}

export interface DemoInstance {
  arn: string;
  name: string;
  type: string;
}

/**
 * The demo's recommendations: a Compute Savings Plan and EC2 RIs for steady use, and Compute Optimizer finding
 * `oversized` over-provisioned (one size down, `saving` a month) and `rightSized` optimized.
 */
export function demoRecommendations(
  region: string,
  oversized: DemoInstance & { suggestedType: string; saving: number },
  rightSized: DemoInstance,
): CostRecommendationsSeed {
  return {
    savingsPlans: [
      savingsPlansSeed({ monthlySavings: 212.35, percent: 27.4, hourlyCommitment: 0.78, onDemandSpend: 1548.9 }),
    ],
    reservations: [
      reservationSeed({
        monthlySavings: 143.1,
        percent: 21.8,
        details: [
          { instanceType: rightSized.type, region, count: 1, monthlySavings: 91.2 },
          { instanceType: oversized.suggestedType, region, count: 2, monthlySavings: 51.9 },
        ],
      }),
    ],
    computeOptimizer: [
      {
        region,
        optedIn: true,
        instanceRecommendations: [
          instanceRecommendation({
            instanceArn: oversized.arn,
            name: oversized.name,
            currentType: oversized.type,
            finding: 'Overprovisioned',
            reasons: ['CPUOverprovisioned', 'MemoryOverprovisioned'],
            options: [
              { instanceType: oversized.suggestedType, rank: 1, performanceRisk: 1, monthlySavings: oversized.saving },
            ],
          }),
          instanceRecommendation({
            instanceArn: rightSized.arn,
            name: rightSized.name,
            currentType: rightSized.type,
            finding: 'Optimized',
            reasons: [],
            cpuMax: 61,
            options: [{ instanceType: rightSized.type, rank: 1, performanceRisk: 0, monthlySavings: 0 }],
          }),
        ],
      },
    ],
  };
}
