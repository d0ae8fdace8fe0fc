/**
 * Purchase and right-sizing recommendations, which moto 5.2.5 lacks (its Cost Explorer has cost categories,
 * tags and GetCostAndUsage only; it has no Compute Optimizer). Mounted in the gateway before moto, this
 * answers, in the real wire shapes of @aws-sdk/client-cost-explorer and @aws-sdk/client-compute-optimizer:
 *
 * - Cost Explorer (awsJson1_1, `AWSInsightsIndexService.*`): GetSavingsPlansPurchaseRecommendation and
 *   GetReservationPurchaseRecommendation. Every other Cost Explorer operation still goes to moto.
 * - Compute Optimizer (awsJson1_0, `ComputeOptimizerService.*`): GetEC2InstanceRecommendations, per region,
 *   with maxResults/nextToken paging, instanceArns and Finding/FindingReasonCodes filters.
 *
 * The recommendations are SEEDED, never computed: a test or the demo stores them through the admin API below,
 * and a request gets the seeded recommendation with the same options (Savings Plans type, term, payment,
 * lookback; for RIs the service too). Without one it gets what AWS answers when there is nothing to recommend:
 * the options echoed, Metadata, no summary and no details. Compute Optimizer answers OptInRequiredException
 * until a seed opts the account in (the default on AWS is not opted in). Inputs are validated like AWS:
 * required members, enum values, ranges, tokens (ValidationException, InvalidNextTokenException,
 * InvalidParameterValueException). Not emulated: Cost Explorer's Filter and AccountId (accepted, not applied;
 * AccountScope is checked and matched like the other options) and Compute Optimizer's recommendationPreferences
 * (ignored; its accountIds, instanceArns and filters are applied). AWS documents no defaults
 * for the optional RI options; here an omitted term, payment option or lookback means ONE_YEAR, NO_UPFRONT
 * and SEVEN_DAYS.
 *
 * Admin API (on the gateway): POST /__cost-recommendations/seed with a CostRecommendationsSeed (replaces what
 * it names), POST /__cost-recommendations/reset, GET /__cost-recommendations (what is stored, and call counts).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson, sigV4Scope } from '../drs/http';

export const COST_RECOMMENDATIONS_ADMIN_PATH = '/__cost-recommendations';

const CE_TARGET = 'AWSInsightsIndexService.';
const OPTIMIZER_TARGET = 'ComputeOptimizerService.';
export const EMULATED_OPERATIONS = [
  `${CE_TARGET}GetSavingsPlansPurchaseRecommendation`,
  `${CE_TARGET}GetReservationPurchaseRecommendation`,
  `${OPTIMIZER_TARGET}GetEC2InstanceRecommendations`,
] as const;

const SAVINGS_PLANS_TYPES = ['COMPUTE_SP', 'EC2_INSTANCE_SP', 'SAGEMAKER_SP', 'DATABASE_SP'] as const;
const TERMS = ['ONE_YEAR', 'THREE_YEARS'] as const;
const PAYMENT_OPTIONS = [
  'NO_UPFRONT',
  'PARTIAL_UPFRONT',
  'ALL_UPFRONT',
  'LIGHT_UTILIZATION',
  'MEDIUM_UTILIZATION',
  'HEAVY_UTILIZATION',
] as const;
/** Savings Plans are bought with these only; the other three are legacy RI options. */
const SAVINGS_PLANS_PAYMENT_OPTIONS = ['NO_UPFRONT', 'PARTIAL_UPFRONT', 'ALL_UPFRONT'];
const LOOKBACKS = ['SEVEN_DAYS', 'THIRTY_DAYS', 'SIXTY_DAYS'] as const;
const ACCOUNT_SCOPES = ['PAYER', 'LINKED'] as const;
/** The services Cost Explorer gives reservation recommendations for. */
export const RESERVATION_SERVICES = [
  'Amazon Elastic Compute Cloud - Compute',
  'Amazon Relational Database Service',
  'Amazon Redshift',
  'Amazon ElastiCache',
  'Amazon OpenSearch Service',
  'Amazon MemoryDB',
] as const;
const FINDINGS = ['Underprovisioned', 'Overprovisioned', 'Optimized', 'NotOptimized'];
const OPTIMIZER_FILTERS = ['Finding', 'FindingReasonCodes', 'RecommendationSourceType', 'InferredWorkloadTypes'];
const INSTANCE_ARN = /^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{12}:instance\/i-[0-9a-f]{8,17}$/;
const MAX_SEEDED = 10_000;

/** A Savings Plans recommendation to store; summary and details in the SDK's (wire) shape. */
export interface SavingsPlansSeed {
  savingsPlansType: (typeof SAVINGS_PLANS_TYPES)[number];
  termInYears: (typeof TERMS)[number];
  paymentOption: (typeof PAYMENT_OPTIONS)[number];
  lookbackPeriodInDays: (typeof LOOKBACKS)[number];
  accountScope?: (typeof ACCOUNT_SCOPES)[number];
  summary: Record<string, string>;
  details?: Array<Record<string, unknown>>;
}

export interface ReservationSeed {
  service: string;
  termInYears: (typeof TERMS)[number];
  paymentOption: (typeof PAYMENT_OPTIONS)[number];
  lookbackPeriodInDays: (typeof LOOKBACKS)[number];
  accountScope?: (typeof ACCOUNT_SCOPES)[number];
  offeringClass?: 'STANDARD' | 'CONVERTIBLE';
  summary: Record<string, string>;
  details?: Array<Record<string, unknown>>;
}

/** Compute Optimizer state of one region: InstanceRecommendation objects in the wire shape. */
export interface ComputeOptimizerSeed {
  region: string;
  optedIn: boolean;
  /** lastRefreshTimestamp may be an ISO string or epoch seconds; it is sent as epoch seconds. */
  instanceRecommendations?: Array<Record<string, unknown>>;
}

export interface CostRecommendationsSeed {
  savingsPlans?: SavingsPlansSeed[];
  reservations?: ReservationSeed[];
  computeOptimizer?: ComputeOptimizerSeed[];
}

class EmulatedError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** The Coral-style message AWS gives for a constraint on one member. */
function validation(violations: string[]): EmulatedError {
  return new EmulatedError(
    'ValidationException',
    `${violations.length} validation error${violations.length === 1 ? '' : 's'} detected: ${violations.join('; ')}`,
  );
}

function checkEnum(
  violations: string[],
  input: Record<string, unknown>,
  member: string,
  values: readonly string[],
  required: boolean,
): void {
  const value = input[member];
  const wire = member[0].toLowerCase() + member.slice(1);
  if (value === undefined || value === null) {
    if (required) violations.push(`Value null at '${wire}' failed to satisfy constraint: Member must not be null`);
    return;
  }
  if (typeof value !== 'string' || !values.includes(value))
    violations.push(
      `Value '${String(value).slice(0, 100)}' at '${wire}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`,
    );
}

function checkPageSize(violations: string[], value: unknown, member: string, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max)
    violations.push(
      `Value '${String(value).slice(0, 40)}' at '${member}' failed to satisfy constraint: Member must have value between 0 and ${max}`,
    );
}

/** Opaque tokens: base64 of "<kind>:<offset>"; anything else is rejected as AWS rejects a foreign token. */
function encodeToken(kind: string, offset: number): string {
  return Buffer.from(`${kind}:${offset}`).toString('base64');
}

function decodeToken(kind: string, token: unknown, errorType: string): number {
  if (token === undefined || token === null || token === '') return 0;
  const text = typeof token === 'string' && token.length <= 200 ? Buffer.from(token, 'base64').toString('utf8') : '';
  const match = /^([a-z-]+):(\d{1,7})$/.exec(text);
  if (!match || match[1] !== kind) throw new EmulatedError(errorType, 'The pagination token is invalid.');
  return Number(match[2]);
}

function epochSeconds(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value) / 1000;
  return undefined;
}

export class CostRecommendationsEmulator {
  private savingsPlans: SavingsPlansSeed[] = [];
  private reservations: ReservationSeed[] = [];
  private readonly optimizer = new Map<string, ComputeOptimizerSeed>();
  readonly calls: Record<string, number> = {};

  static matches(req: IncomingMessage): boolean {
    const path = (req.url ?? '/').split('?')[0];
    if (path === COST_RECOMMENDATIONS_ADMIN_PATH || path.startsWith(`${COST_RECOMMENDATIONS_ADMIN_PATH}/`)) return true;
    const target = String(req.headers['x-amz-target'] ?? '');
    return req.method === 'POST' && (EMULATED_OPERATIONS as readonly string[]).includes(target);
  }

  reset(): void {
    this.savingsPlans = [];
    this.reservations = [];
    this.optimizer.clear();
    for (const key of Object.keys(this.calls)) delete this.calls[key];
  }

  /** Stores recommendations; each kind the seed names replaces the stored ones with the same options. */
  seed(seed: CostRecommendationsSeed): void {
    for (const entry of seed.savingsPlans ?? []) {
      const violations: string[] = [];
      const asInput = {
        SavingsPlansType: entry.savingsPlansType,
        TermInYears: entry.termInYears,
        PaymentOption: entry.paymentOption,
        LookbackPeriodInDays: entry.lookbackPeriodInDays,
      };
      checkEnum(violations, asInput, 'SavingsPlansType', SAVINGS_PLANS_TYPES, true);
      checkEnum(violations, asInput, 'TermInYears', TERMS, true);
      checkEnum(violations, asInput, 'PaymentOption', SAVINGS_PLANS_PAYMENT_OPTIONS, true);
      checkEnum(violations, asInput, 'LookbackPeriodInDays', LOOKBACKS, true);
      if (violations.length) throw validation(violations);
      if (!entry.summary || typeof entry.summary !== 'object') throw new Error('a Savings Plans seed needs a summary');
      this.savingsPlans = this.savingsPlans.filter((stored) => !sameSavingsPlanOptions(stored, entry));
      this.savingsPlans.push(structuredClone(entry));
    }
    for (const entry of seed.reservations ?? []) {
      const violations: string[] = [];
      const asInput = {
        Service: entry.service,
        TermInYears: entry.termInYears,
        PaymentOption: entry.paymentOption,
        LookbackPeriodInDays: entry.lookbackPeriodInDays,
      };
      checkEnum(violations, asInput, 'Service', RESERVATION_SERVICES, true);
      checkEnum(violations, asInput, 'TermInYears', TERMS, true);
      checkEnum(violations, asInput, 'PaymentOption', PAYMENT_OPTIONS, true);
      checkEnum(violations, asInput, 'LookbackPeriodInDays', LOOKBACKS, true);
      if (violations.length) throw validation(violations);
      if (!entry.summary || typeof entry.summary !== 'object') throw new Error('a reservation seed needs a summary');
      this.reservations = this.reservations.filter((stored) => !sameReservationOptions(stored, entry));
      this.reservations.push(structuredClone(entry));
    }
    for (const entry of seed.computeOptimizer ?? []) {
      if (typeof entry.region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(entry.region))
        throw new Error(`a Compute Optimizer seed needs a region (got ${JSON.stringify(entry.region)})`);
      const recommendations = entry.instanceRecommendations ?? [];
      if (recommendations.length > MAX_SEEDED) throw new Error(`at most ${MAX_SEEDED} instance recommendations`);
      for (const recommendation of recommendations) {
        if (typeof recommendation.instanceArn !== 'string' || !INSTANCE_ARN.test(recommendation.instanceArn))
          throw new Error(`instanceArn ${JSON.stringify(recommendation.instanceArn)} is not an EC2 instance ARN`);
        if (!FINDINGS.includes(String(recommendation.finding)))
          throw new Error(`finding ${JSON.stringify(recommendation.finding)} is not one of ${FINDINGS.join(', ')}`);
      }
      this.optimizer.set(entry.region, { ...structuredClone(entry), instanceRecommendations: recommendations });
    }
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path.startsWith(COST_RECOMMENDATIONS_ADMIN_PATH)) {
      void this.admin(req, res, path);
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.indexOf('.') + 1);
    const jsonVersion = target.startsWith(OPTIMIZER_TARGET) ? '1.0' : '1.1';
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
    readBody(req, 1024 * 1024)
      .then((body) => {
        let input: Record<string, unknown>;
        try {
          input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
        } catch {
          throw new EmulatedError('SerializationException', 'The request body is not valid JSON.');
        }
        if (!input || typeof input !== 'object' || Array.isArray(input))
          throw new EmulatedError('SerializationException', 'The request body must be a JSON object.');
        switch (operation) {
          case 'GetSavingsPlansPurchaseRecommendation':
            return this.savingsPlansRecommendation(input);
          case 'GetReservationPurchaseRecommendation':
            return this.reservationRecommendation(input);
          default:
            return this.instanceRecommendations(sigV4Scope(req)?.region ?? 'us-east-1', input);
        }
      })
      .then(
        (output) =>
          sendJson(res, 200, output, {
            'content-type': `application/x-amz-json-${jsonVersion}`,
            'x-amzn-requestid': randomUUID(),
          }),
        (error: unknown) => {
          const known =
            error instanceof EmulatedError ? error : new EmulatedError('InternalServerException', String(error), 500);
          sendJson(
            res,
            known.status,
            { __type: known.type, message: known.message, Message: known.message },
            {
              'content-type': `application/x-amz-json-${jsonVersion}`,
              'x-amzn-errortype': known.type,
              'x-amzn-requestid': randomUUID(),
            },
          );
        },
      );
  }

  private async admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    try {
      const body = await readBody(req, 16 * 1024 * 1024);
      if (req.method === 'GET' && path === COST_RECOMMENDATIONS_ADMIN_PATH)
        return sendJson(res, 200, {
          savingsPlans: this.savingsPlans.length,
          reservations: this.reservations.length,
          computeOptimizer: [...this.optimizer.values()].map((entry) => ({
            region: entry.region,
            optedIn: entry.optedIn,
            instanceRecommendations: entry.instanceRecommendations?.length ?? 0,
          })),
          calls: this.calls,
        });
      if (req.method === 'POST' && path === `${COST_RECOMMENDATIONS_ADMIN_PATH}/reset`) {
        this.reset();
        return sendJson(res, 200, { reset: true });
      }
      if (req.method === 'POST' && path === `${COST_RECOMMENDATIONS_ADMIN_PATH}/seed`) {
        this.seed(JSON.parse(body.toString('utf8') || '{}') as CostRecommendationsSeed);
        return sendJson(res, 201, { seeded: true });
      }
      sendJson(res, 404, { error: `${req.method} ${path}: use POST /seed, POST /reset or GET` });
    } catch (error) {
      sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  private savingsPlansRecommendation(input: Record<string, unknown>) {
    const violations: string[] = [];
    checkEnum(violations, input, 'SavingsPlansType', SAVINGS_PLANS_TYPES, true);
    checkEnum(violations, input, 'TermInYears', TERMS, true);
    checkEnum(violations, input, 'PaymentOption', PAYMENT_OPTIONS, true);
    checkEnum(violations, input, 'LookbackPeriodInDays', LOOKBACKS, true);
    checkEnum(violations, input, 'AccountScope', ACCOUNT_SCOPES, false);
    checkPageSize(violations, input.PageSize, 'pageSize', 1000);
    if (violations.length) throw validation(violations);
    if (!SAVINGS_PLANS_PAYMENT_OPTIONS.includes(String(input.PaymentOption)))
      throw new EmulatedError(
        'ValidationException',
        `Payment option ${String(input.PaymentOption)} is not supported for Savings Plans: use NO_UPFRONT, PARTIAL_UPFRONT or ALL_UPFRONT.`,
      );
    const offset = decodeToken('sp', input.NextPageToken, 'InvalidNextTokenException');
    const options = {
      savingsPlansType: input.SavingsPlansType,
      termInYears: input.TermInYears,
      paymentOption: input.PaymentOption,
      lookbackPeriodInDays: input.LookbackPeriodInDays,
      accountScope: input.AccountScope ?? 'PAYER',
    } as SavingsPlansSeed;
    const stored = this.savingsPlans.find((entry) => sameSavingsPlanOptions(entry, options));
    const details = stored?.details ?? [];
    const size = typeof input.PageSize === 'number' && input.PageSize > 0 ? input.PageSize : details.length || 1;
    const next = offset + size < details.length ? encodeToken('sp', offset + size) : undefined;
    return {
      Metadata: {
        RecommendationId: randomUUID(),
        GenerationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        AdditionalMetadata: stored
          ? 'Seeded in the emulator, not computed.'
          : 'No recommendation seeded for these options.',
      },
      SavingsPlansPurchaseRecommendation: {
        AccountScope: options.accountScope,
        SavingsPlansType: options.savingsPlansType,
        TermInYears: options.termInYears,
        PaymentOption: options.paymentOption,
        LookbackPeriodInDays: options.lookbackPeriodInDays,
        SavingsPlansPurchaseRecommendationDetails: details.slice(offset, offset + size),
        ...(stored ? { SavingsPlansPurchaseRecommendationSummary: stored.summary } : {}),
      },
      ...(next ? { NextPageToken: next } : {}),
    };
  }

  private reservationRecommendation(input: Record<string, unknown>) {
    const violations: string[] = [];
    if (input.Service === undefined || input.Service === null)
      violations.push(`Value null at 'service' failed to satisfy constraint: Member must not be null`);
    checkEnum(violations, input, 'TermInYears', TERMS, false);
    checkEnum(violations, input, 'PaymentOption', PAYMENT_OPTIONS, false);
    checkEnum(violations, input, 'LookbackPeriodInDays', LOOKBACKS, false);
    checkEnum(violations, input, 'AccountScope', ACCOUNT_SCOPES, false);
    checkPageSize(violations, input.PageSize, 'pageSize', 1000);
    if (violations.length) throw validation(violations);
    if (!(RESERVATION_SERVICES as readonly string[]).includes(String(input.Service)))
      throw new EmulatedError(
        'ValidationException',
        `Reservation recommendations are not available for service "${String(input.Service).slice(0, 100)}".`,
      );
    const offset = decodeToken('ri', input.NextPageToken, 'InvalidNextTokenException');
    const spec = input.ServiceSpecification as { EC2Specification?: { OfferingClass?: string } } | undefined;
    const options = {
      service: String(input.Service),
      termInYears: (input.TermInYears ?? 'ONE_YEAR') as ReservationSeed['termInYears'],
      paymentOption: (input.PaymentOption ?? 'NO_UPFRONT') as ReservationSeed['paymentOption'],
      lookbackPeriodInDays: (input.LookbackPeriodInDays ?? 'SEVEN_DAYS') as ReservationSeed['lookbackPeriodInDays'],
      accountScope: (input.AccountScope ?? 'PAYER') as ReservationSeed['accountScope'],
      offeringClass: spec?.EC2Specification?.OfferingClass as ReservationSeed['offeringClass'],
    } as ReservationSeed;
    const stored = this.reservations.find((entry) => sameReservationOptions(entry, options));
    const details = stored?.details ?? [];
    const size = typeof input.PageSize === 'number' && input.PageSize > 0 ? input.PageSize : details.length || 1;
    const next = offset + size < details.length ? encodeToken('ri', offset + size) : undefined;
    return {
      Metadata: {
        RecommendationId: randomUUID(),
        GenerationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        AdditionalMetadata: stored
          ? 'Seeded in the emulator, not computed.'
          : 'No recommendation seeded for these options.',
      },
      // AWS answers an empty list when nothing is worth reserving.
      Recommendations: stored
        ? [
            {
              AccountScope: options.accountScope,
              LookbackPeriodInDays: options.lookbackPeriodInDays,
              TermInYears: options.termInYears,
              PaymentOption: options.paymentOption,
              ...(options.service === RESERVATION_SERVICES[0]
                ? { ServiceSpecification: { EC2Specification: { OfferingClass: stored.offeringClass ?? 'STANDARD' } } }
                : {}),
              RecommendationDetails: details.slice(offset, offset + size),
              RecommendationSummary: stored.summary,
            },
          ]
        : [],
      ...(next ? { NextPageToken: next } : {}),
    };
  }

  private instanceRecommendations(region: string, input: Record<string, unknown>) {
    const state = this.optimizer.get(region);
    if (!state?.optedIn)
      throw new EmulatedError(
        'OptInRequiredException',
        'The account is not opted in to AWS Compute Optimizer. Opt in at the Compute Optimizer console or with UpdateEnrollmentStatus.',
      );
    const invalid = (message: string) => new EmulatedError('InvalidParameterValueException', message);
    const maxResults = input.maxResults;
    if (
      maxResults !== undefined &&
      (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000)
    )
      throw invalid('maxResults must be an integer between 0 and 1000.');
    const arns = input.instanceArns;
    if (arns !== undefined) {
      if (!Array.isArray(arns)) throw invalid('instanceArns must be a list of instance ARNs.');
      for (const arn of arns)
        if (typeof arn !== 'string' || !INSTANCE_ARN.test(arn))
          throw invalid(`The instance ARN ${JSON.stringify(arn).slice(0, 200)} is not valid.`);
    }
    const accountIds = input.accountIds;
    if (accountIds !== undefined && (!Array.isArray(accountIds) || accountIds.length > 1))
      throw invalid('Only one account ID can be specified per request.');
    const filters = (input.filters ?? []) as Array<{ name?: unknown; values?: unknown }>;
    if (!Array.isArray(filters)) throw invalid('filters must be a list.');
    for (const filter of filters)
      if (!OPTIMIZER_FILTERS.includes(String(filter?.name)) || !Array.isArray(filter.values))
        throw invalid(
          `Filter name ${JSON.stringify(filter?.name)} is not valid: use one of ${OPTIMIZER_FILTERS.join(', ')}.`,
        );
    const offset = decodeToken('co', input.nextToken, 'InvalidParameterValueException');
    let all = state.instanceRecommendations ?? [];
    if (Array.isArray(accountIds) && accountIds.length)
      all = all.filter((entry) => String(entry.instanceArn).split(':')[4] === accountIds[0]);
    if (Array.isArray(arns) && arns.length) all = all.filter((entry) => arns.includes(entry.instanceArn));
    for (const filter of filters) {
      const values = (filter.values as unknown[]).map(String);
      if (filter.name === 'Finding') all = all.filter((entry) => values.includes(String(entry.finding)));
      else if (filter.name === 'FindingReasonCodes')
        all = all.filter((entry) =>
          ((entry.findingReasonCodes as string[] | undefined) ?? []).some((code) => values.includes(code)),
        );
      else if (filter.name === 'RecommendationSourceType')
        all = all.filter((entry) =>
          (
            (entry.recommendationSources as Array<{ recommendationSourceType?: string }> | undefined) ?? [
              { recommendationSourceType: 'Ec2Instance' },
            ]
          ).some((source) => values.includes(String(source.recommendationSourceType))),
        );
    }
    // maxResults 0 (or none) means the service's own page size.
    const size = typeof maxResults === 'number' && maxResults > 0 ? maxResults : 100;
    const page = all.slice(offset, offset + size).map((entry) => {
      const refreshed = epochSeconds(entry.lastRefreshTimestamp);
      return { ...entry, ...(refreshed !== undefined ? { lastRefreshTimestamp: refreshed } : {}) };
    });
    const next = offset + size < all.length ? encodeToken('co', offset + size) : undefined;
    return { instanceRecommendations: page, errors: [], ...(next ? { nextToken: next } : {}) };
  }
}

function sameSavingsPlanOptions(a: SavingsPlansSeed, b: SavingsPlansSeed): boolean {
  return (
    a.savingsPlansType === b.savingsPlansType &&
    a.termInYears === b.termInYears &&
    a.paymentOption === b.paymentOption &&
    a.lookbackPeriodInDays === b.lookbackPeriodInDays &&
    (a.accountScope ?? 'PAYER') === (b.accountScope ?? 'PAYER')
  );
}

function sameReservationOptions(a: ReservationSeed, b: ReservationSeed): boolean {
  return (
    a.service === b.service &&
    a.termInYears === b.termInYears &&
    a.paymentOption === b.paymentOption &&
    a.lookbackPeriodInDays === b.lookbackPeriodInDays &&
    (a.accountScope ?? 'PAYER') === (b.accountScope ?? 'PAYER') &&
    (a.offeringClass ?? 'STANDARD') === (b.offeringClass ?? 'STANDARD')
  );
}

/** Seeds recommendations through the gateway's admin API (for tests and the demo seed). */
export async function seedCostRecommendations(endpoint: string, seed: CostRecommendationsSeed): Promise<void> {
  const response = await fetch(`${endpoint}${COST_RECOMMENDATIONS_ADMIN_PATH}/seed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(seed),
  });
  if (response.status !== 201)
    throw new Error(`the recommendations emulator refused the seed: HTTP ${response.status} ${await response.text()}`);
}
