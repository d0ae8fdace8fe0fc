/**
 * AWS's own recommendations, parsed from the SDK's answers: Cost Explorer's Savings Plans and Reserved Instance
 * purchase recommendations, and Compute Optimizer's EC2 findings, merged with Pilot Light's CloudWatch-based
 * right-sizing (one row per instance, each naming its source). Parsers take whatever the endpoint sent and never
 * throw: a missing or malformed figure is left out, never guessed.
 */

export type Term = 'ONE_YEAR' | 'THREE_YEARS';
export type PaymentOption = 'NO_UPFRONT' | 'PARTIAL_UPFRONT' | 'ALL_UPFRONT';
export type LookbackDays = 7 | 30 | 60;

export const LOOKBACK_PERIODS: Record<LookbackDays, 'SEVEN_DAYS' | 'THIRTY_DAYS' | 'SIXTY_DAYS'> = {
  7: 'SEVEN_DAYS',
  30: 'THIRTY_DAYS',
  60: 'SIXTY_DAYS',
};

export interface PurchaseOptions {
  term: Term;
  paymentOption: PaymentOption;
  lookbackDays: LookbackDays;
}

export interface PurchaseRecommendation extends PurchaseOptions {
  kind: 'savings-plans' | 'reserved-instances';
  /** False when Cost Explorer answered but has nothing to recommend for these options. */
  recommended: boolean;
  /** Estimated monthly saving as Cost Explorer reports it (0 without a recommendation). */
  monthlySavings: number;
  savingsPercent?: number;
  currency: string;
  /** Savings Plans: the commitment to buy, per hour. */
  hourlyCommitment?: number;
  /** Savings Plans: what the covered usage cost on demand over the lookback period. */
  currentOnDemandSpend?: number;
  upfrontCost?: number;
  savingsPlansType?: string;
  /** Reserved Instances: the service, e.g. "Amazon Elastic Compute Cloud - Compute". */
  service?: string;
  /** e.g. "Cost Explorer recommendation, lookback 30 days". */
  source: string;
  generatedAt?: string;
  /** One line per recommended purchase (at most 20). */
  details: string[];
  /** True when more detail pages existed than were read. */
  truncated: boolean;
}

export interface OptimizerRecommendation {
  instanceId: string;
  instanceArn?: string;
  accountId?: string;
  instanceName?: string;
  /** Compute Optimizer's finding: Overprovisioned, Underprovisioned, Optimized or NotOptimized. */
  finding: string;
  findingReasons: string[];
  currentType?: string;
  /** The rank-1 option. */
  recommendedType?: string;
  monthlySavings?: number;
  savingsPercent?: number;
  currency?: string;
  /** The rank-1 option's performance risk, 0 (very low) to 4 (very high). */
  performanceRisk?: number;
  lookbackDays?: number;
}

const MAX_DETAILS = 20;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const objectAt = (value: unknown, key: string): Json | undefined => {
  const inner = isObject(value) ? value[key] : undefined;
  return isObject(inner) ? inner : undefined;
};
const listAt = (value: unknown, key: string): unknown[] => {
  const inner = isObject(value) ? value[key] : undefined;
  return Array.isArray(inner) ? inner : [];
};
const textAt = (value: unknown, key: string, max = 200): string | undefined => {
  const inner = isObject(value) ? value[key] : undefined;
  return typeof inner === 'string' && inner.length ? inner.slice(0, max) : undefined;
};
/** Larger amounts are not a bill: they are left out rather than shown. */
const MAX_FIGURE = 1e12;

/** A finite number from Cost Explorer's decimal strings (or a number), at most 1e12 in size; undefined otherwise. */
export function figure(value: unknown): number | undefined {
  let parsed: number;
  if (typeof value === 'number') parsed = value;
  else if (typeof value === 'string' && value.length <= 40 && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(value))
    parsed = Number(value);
  else return undefined;
  return Number.isFinite(parsed) && Math.abs(parsed) <= MAX_FIGURE ? parsed : undefined;
}
const figureAt = (value: unknown, key: string) => figure(isObject(value) ? value[key] : undefined);
const cents = (value: number) => Math.round(value * 100) / 100;
const optionalCents = (value: number | undefined) => (value === undefined ? undefined : cents(value));

export function describeTerm(term: string): string {
  return term === 'THREE_YEARS' ? '3 years' : term === 'ONE_YEAR' ? '1 year' : term;
}

export function describePayment(option: string): string {
  return option.toLowerCase().replace(/_/g, ' ');
}

export function describeSavingsPlansType(type: string | undefined): string {
  switch (type) {
    case 'COMPUTE_SP':
      return 'Compute Savings Plan';
    case 'EC2_INSTANCE_SP':
      return 'EC2 Instance Savings Plan';
    case 'SAGEMAKER_SP':
      return 'SageMaker Savings Plan';
    case 'DATABASE_SP':
      return 'Database Savings Plan';
    default:
      return 'Savings Plan';
  }
}

const usd = (value: number, currency = 'USD', digits = 2) =>
  `${currency === 'USD' ? '$' : `${currency} `}${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: digits })}`;
/** An hourly commitment keeps a third decimal ($0.125/hour). */
export const hourlyMoney = (value: number, currency = 'USD') => `${usd(value, currency, 3)}/hour`;

function sourceOf(options: PurchaseOptions): string {
  return `Cost Explorer recommendation, lookback ${options.lookbackDays} days`;
}

/** GetSavingsPlansPurchaseRecommendation's answer for the options it was asked with. */
export function parseSavingsPlansRecommendation(
  response: unknown,
  options: PurchaseOptions & { savingsPlansType: string },
): PurchaseRecommendation {
  const recommendation = objectAt(response, 'SavingsPlansPurchaseRecommendation');
  const summary = objectAt(recommendation, 'SavingsPlansPurchaseRecommendationSummary');
  // Rounded to cents first: a saving that rounds to $0.00 is no recommendation.
  const monthly = optionalCents(figureAt(summary, 'EstimatedMonthlySavingsAmount'));
  const count = figureAt(summary, 'TotalRecommendationCount');
  const hourly = figureAt(summary, 'HourlyCommitmentToPurchase');
  const currency = textAt(summary, 'CurrencyCode', 8) ?? 'USD';
  const recommended = monthly !== undefined && monthly > 0 && count !== 0 && (hourly === undefined || hourly > 0);
  const type = textAt(recommendation, 'SavingsPlansType', 40) ?? options.savingsPlansType;
  const details = listAt(recommendation, 'SavingsPlansPurchaseRecommendationDetails');
  const upfront = details.reduce<number>((sum, detail) => sum + (figureAt(detail, 'UpfrontCost') ?? 0), 0);
  return {
    kind: 'savings-plans',
    ...options,
    savingsPlansType: type,
    recommended,
    monthlySavings: recommended ? cents(monthly) : 0,
    ...(recommended && figureAt(summary, 'EstimatedSavingsPercentage') !== undefined
      ? { savingsPercent: cents(figureAt(summary, 'EstimatedSavingsPercentage')!) }
      : {}),
    currency,
    ...(recommended && hourly !== undefined ? { hourlyCommitment: hourly } : {}),
    ...(recommended && figureAt(summary, 'CurrentOnDemandSpend') !== undefined
      ? { currentOnDemandSpend: cents(figureAt(summary, 'CurrentOnDemandSpend')!) }
      : {}),
    ...(recommended && upfront > 0 ? { upfrontCost: cents(upfront) } : {}),
    source: sourceOf(options),
    ...(textAt(objectAt(response, 'Metadata'), 'GenerationTimestamp', 40)
      ? { generatedAt: textAt(objectAt(response, 'Metadata'), 'GenerationTimestamp', 40) }
      : {}),
    details: recommended
      ? details.slice(0, MAX_DETAILS).map((detail) => {
          const plan = objectAt(detail, 'SavingsPlansDetails');
          const scope = [
            textAt(plan, 'InstanceFamily', 40),
            textAt(plan, 'Region', 40),
            textAt(detail, 'AccountId', 20),
          ]
            .filter(Boolean)
            .join(', ');
          const commit = figureAt(detail, 'HourlyCommitmentToPurchase');
          const saving = figureAt(detail, 'EstimatedMonthlySavingsAmount');
          return `${describeSavingsPlansType(type)}${scope ? ` (${scope})` : ''}: commit ${commit !== undefined ? hourlyMoney(commit, currency) : 'an amount not given'}, about ${saving !== undefined ? usd(saving, currency) : '?'}/month saved`;
        })
      : [],
    truncated: details.length > MAX_DETAILS || Boolean(textAt(response, 'NextPageToken', 4096)),
  };
}

/** GetReservationPurchaseRecommendation's answer (one or more pages) for the options it was asked with. */
export function parseReservationRecommendation(
  pages: unknown[],
  options: PurchaseOptions & { service: string },
  truncated = false,
): PurchaseRecommendation {
  const recommendations = pages.flatMap((page) => listAt(page, 'Recommendations'));
  const summaries = recommendations.map((entry) => objectAt(entry, 'RecommendationSummary'));
  // Every page repeats the summary: take the first that has one.
  const summary = summaries.find((entry) => figureAt(entry, 'TotalEstimatedMonthlySavingsAmount') !== undefined);
  const monthly = optionalCents(figureAt(summary, 'TotalEstimatedMonthlySavingsAmount'));
  const currency = textAt(summary, 'CurrencyCode', 8) ?? 'USD';
  const details = recommendations.flatMap((entry) => listAt(entry, 'RecommendationDetails'));
  const recommended = monthly !== undefined && monthly > 0;
  const upfront = details.reduce<number>((sum, detail) => sum + (figureAt(detail, 'UpfrontCost') ?? 0), 0);
  const metadata = objectAt(pages[0], 'Metadata');
  return {
    kind: 'reserved-instances',
    ...options,
    recommended,
    monthlySavings: recommended ? cents(monthly) : 0,
    ...(recommended && figureAt(summary, 'TotalEstimatedMonthlySavingsPercentage') !== undefined
      ? { savingsPercent: cents(figureAt(summary, 'TotalEstimatedMonthlySavingsPercentage')!) }
      : {}),
    currency,
    ...(recommended && upfront > 0 ? { upfrontCost: cents(upfront) } : {}),
    source: sourceOf(options),
    ...(textAt(metadata, 'GenerationTimestamp', 40)
      ? { generatedAt: textAt(metadata, 'GenerationTimestamp', 40) }
      : {}),
    details: recommended
      ? details.slice(0, MAX_DETAILS).map((detail) => {
          const ec2 = objectAt(objectAt(detail, 'InstanceDetails'), 'EC2InstanceDetails');
          const count = textAt(detail, 'RecommendedNumberOfInstancesToPurchase', 20) ?? '?';
          const saving = figureAt(detail, 'EstimatedMonthlySavingsAmount');
          const platform = textAt(ec2, 'Platform', 60);
          return `${count} × ${textAt(ec2, 'InstanceType', 40) ?? 'instance'} in ${textAt(ec2, 'Region', 40) ?? textAt(ec2, 'AvailabilityZone', 40) ?? '?'}${platform ? ` (${platform})` : ''}: about ${saving !== undefined ? usd(saving, currency) : '?'}/month saved`;
        })
      : [],
    truncated: truncated || details.length > MAX_DETAILS,
  };
}

/** One InstanceRecommendation of GetEC2InstanceRecommendations; undefined without an instance ARN. */
export function parseInstanceRecommendation(entry: unknown): OptimizerRecommendation | undefined {
  const arn = textAt(entry, 'instanceArn', 2048);
  const instanceId = arn ? /instance\/(i-[0-9a-zA-Z]+)$/.exec(arn)?.[1] : undefined;
  if (!arn || !instanceId) return undefined;
  const options = listAt(entry, 'recommendationOptions').filter(isObject);
  const ranked = options
    .map((option, index) => ({ option, rank: figureAt(option, 'rank') ?? Number.MAX_SAFE_INTEGER, index }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index);
  const best = ranked[0]?.option;
  const savings = objectAt(best, 'savingsOpportunity');
  const monthly = objectAt(savings, 'estimatedMonthlySavings');
  const monthlySavings = figureAt(monthly, 'value');
  const risk = figureAt(best, 'performanceRisk');
  const lookback = figureAt(entry, 'lookBackPeriodInDays');
  return {
    instanceId,
    instanceArn: arn,
    ...(textAt(entry, 'accountId', 20) ? { accountId: textAt(entry, 'accountId', 20) } : {}),
    ...(textAt(entry, 'instanceName', 256) ? { instanceName: textAt(entry, 'instanceName', 256) } : {}),
    finding: textAt(entry, 'finding', 40) ?? 'Unknown',
    findingReasons: listAt(entry, 'findingReasonCodes')
      .filter((code): code is string => typeof code === 'string')
      .slice(0, 20)
      .map((code) => code.slice(0, 60)),
    ...(textAt(entry, 'currentInstanceType', 40) ? { currentType: textAt(entry, 'currentInstanceType', 40) } : {}),
    ...(textAt(best, 'instanceType', 40) ? { recommendedType: textAt(best, 'instanceType', 40) } : {}),
    ...(monthlySavings !== undefined ? { monthlySavings: cents(monthlySavings) } : {}),
    ...(figureAt(savings, 'savingsOpportunityPercentage') !== undefined
      ? { savingsPercent: cents(figureAt(savings, 'savingsOpportunityPercentage')!) }
      : {}),
    ...(textAt(monthly, 'currency', 8) ? { currency: textAt(monthly, 'currency', 8) } : {}),
    ...(risk !== undefined && risk >= 0 && risk <= 4 ? { performanceRisk: risk } : {}),
    ...(lookback !== undefined && lookback > 0 ? { lookbackDays: lookback } : {}),
  };
}

// Merging with Pilot Light's own right-sizing

export const OWN_SOURCE = 'CloudWatch estimate (Pilot Light)';
export const OPTIMIZER_SOURCE = 'Compute Optimizer';

export type Verdict = 'downsize' | 'upsize' | 'change' | 'keep' | 'not-enough-data';

/** A CloudWatch-based finding as the merge needs it (rightsizing.ts extends it). */
export interface OwnFinding {
  instanceId: string;
  name?: string;
  instanceType: string;
  verdict: 'downsize' | 'keep' | 'not-enough-data';
  suggestedType?: string;
  /** Monthly USD saved by the suggested type; undefined when a price is not in the table. */
  monthlySaving?: number;
  reason: string;
}

export type MergedFinding<T extends OwnFinding = OwnFinding> = Omit<T, 'verdict'> & {
  verdict: Verdict;
  source: typeof OWN_SOURCE | typeof OPTIMIZER_SOURCE;
  /** Compute Optimizer's finding and performance risk, when it is the source. */
  optimizerFinding?: string;
  performanceRisk?: number;
  /** With Compute Optimizer as the source: Pilot Light's own CloudWatch verdict, for comparison. */
  ownEstimate?: Pick<OwnFinding, 'verdict' | 'suggestedType' | 'monthlySaving' | 'reason'>;
};

export function verdictOf(finding: string): Verdict {
  switch (finding.toLowerCase()) {
    case 'overprovisioned':
      return 'downsize';
    case 'underprovisioned':
      return 'upsize';
    case 'optimized':
      return 'keep';
    default:
      return 'change';
  }
}

export function describeRisk(risk: number): string {
  const label = risk < 1 ? 'very low' : risk < 2 ? 'low' : risk < 3 ? 'medium' : risk < 4 ? 'high' : 'very high';
  return `performance risk ${label} (${Number(risk.toFixed(1))} of 4)`;
}

function optimizerReason(recommendation: OptimizerRecommendation): string {
  const reasons = recommendation.findingReasons.length ? ` (${recommendation.findingReasons.join(', ')})` : '';
  const risk = recommendation.performanceRisk !== undefined ? `; ${describeRisk(recommendation.performanceRisk)}` : '';
  const lookback = recommendation.lookbackDays ? ` over ${recommendation.lookbackDays} days` : '';
  return `Compute Optimizer: ${recommendation.finding}${reasons}${lookback}${risk}`;
}

/**
 * One row per instance: Compute Optimizer's recommendation (its saving only when positive: a larger type costs
 * more) where it has one (it also weighs memory, disk and
 * network), otherwise Pilot Light's CloudWatch verdict; instances Compute Optimizer knows but the EC2 read did
 * not return (e.g. stopped ones) are added after them.
 */
export function mergeRightsizing<T extends OwnFinding>(
  own: T[],
  optimizer: OptimizerRecommendation[],
): Array<MergedFinding<T> | MergedFinding<OwnFinding>> {
  const byInstance = new Map<string, OptimizerRecommendation>();
  for (const recommendation of optimizer)
    if (!byInstance.has(recommendation.instanceId)) byInstance.set(recommendation.instanceId, recommendation);
  const seen = new Set<string>();
  const merged: Array<MergedFinding<T> | MergedFinding<OwnFinding>> = [];
  for (const finding of own) {
    if (seen.has(finding.instanceId)) continue;
    seen.add(finding.instanceId);
    const recommendation = byInstance.get(finding.instanceId);
    if (!recommendation) {
      merged.push({ ...finding, source: OWN_SOURCE });
      continue;
    }
    const { verdict, suggestedType, monthlySaving, reason, ...rest } = finding;
    merged.push({
      ...rest,
      verdict: verdictOf(recommendation.finding),
      ...(recommendation.recommendedType && verdictOf(recommendation.finding) !== 'keep'
        ? { suggestedType: recommendation.recommendedType }
        : {}),
      ...(recommendation.monthlySavings !== undefined &&
      recommendation.monthlySavings > 0 &&
      verdictOf(recommendation.finding) !== 'keep'
        ? { monthlySaving: recommendation.monthlySavings }
        : {}),
      reason: optimizerReason(recommendation),
      source: OPTIMIZER_SOURCE,
      optimizerFinding: recommendation.finding,
      ...(recommendation.performanceRisk !== undefined ? { performanceRisk: recommendation.performanceRisk } : {}),
      ownEstimate: {
        verdict,
        ...(suggestedType !== undefined ? { suggestedType } : {}),
        ...(monthlySaving !== undefined ? { monthlySaving } : {}),
        reason,
      },
    } as MergedFinding<T>);
  }
  for (const recommendation of byInstance.values()) {
    if (seen.has(recommendation.instanceId)) continue;
    seen.add(recommendation.instanceId);
    const verdict = verdictOf(recommendation.finding);
    merged.push({
      instanceId: recommendation.instanceId,
      ...(recommendation.instanceName ? { name: recommendation.instanceName } : {}),
      instanceType: recommendation.currentType ?? '?',
      verdict,
      ...(recommendation.recommendedType && verdict !== 'keep'
        ? { suggestedType: recommendation.recommendedType }
        : {}),
      ...(recommendation.monthlySavings !== undefined && recommendation.monthlySavings > 0 && verdict !== 'keep'
        ? { monthlySaving: recommendation.monthlySavings }
        : {}),
      reason: optimizerReason(recommendation),
      source: OPTIMIZER_SOURCE,
      optimizerFinding: recommendation.finding,
      ...(recommendation.performanceRisk !== undefined ? { performanceRisk: recommendation.performanceRisk } : {}),
    });
  }
  return merged;
}

/** One sentence on what a purchase recommendation says (or that there is none). */
export function describePurchase(recommendation: PurchaseRecommendation): string {
  const options = `${describeTerm(recommendation.term)}, ${describePayment(recommendation.paymentOption)}`;
  const what =
    recommendation.kind === 'savings-plans'
      ? describeSavingsPlansType(recommendation.savingsPlansType)
      : `${recommendation.service === 'Amazon Elastic Compute Cloud - Compute' || !recommendation.service ? 'EC2' : recommendation.service} Reserved Instances`;
  if (!recommendation.recommended)
    return `Cost Explorer has no ${what} recommendation (${options}) from the last ${recommendation.lookbackDays} days of usage.`;
  const percent = recommendation.savingsPercent !== undefined ? ` (${recommendation.savingsPercent}%)` : '';
  const commitment =
    recommendation.hourlyCommitment !== undefined
      ? ` for a commitment of ${hourlyMoney(recommendation.hourlyCommitment, recommendation.currency)}`
      : '';
  const upfront =
    recommendation.upfrontCost !== undefined
      ? `, ${usd(recommendation.upfrontCost, recommendation.currency)} upfront`
      : '';
  return `${what}${commitment} (${options}${upfront}): about ${usd(recommendation.monthlySavings, recommendation.currency)}/month saved${percent}.`;
}
