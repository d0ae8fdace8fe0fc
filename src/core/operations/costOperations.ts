/**
 * Cost operations: Cost Explorer spend, forecast and purchase recommendations, Budgets, CloudWatch
 * utilization for right-sizing and Compute Optimizer (reads), and creating a budget with an e-mail alert
 * (a write). Schedules are in costSchedules.ts.
 */
import { CreateBudgetCommand, DescribeBudgetsCommand, type Budget } from '@aws-sdk/client-budgets';
import { GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { GetEC2InstanceRecommendationsCommand } from '@aws-sdk/client-compute-optimizer';
import {
  GetCostAndUsageCommand,
  GetCostForecastCommand,
  GetReservationPurchaseRecommendationCommand,
  GetSavingsPlansPurchaseRecommendationCommand,
  type GroupDefinition,
} from '@aws-sdk/client-cost-explorer';
import { z } from 'zod';
import { budgetsService, cloudWatchService, computeOptimizerService, costExplorerService } from '../aws/services';
import {
  LOOKBACK_PERIODS,
  parseInstanceRecommendation,
  parseReservationRecommendation,
  parseSavingsPlansRecommendation,
  type OptimizerRecommendation,
  type PurchaseRecommendation,
} from '../cost/savingsRecommendations';
import { defineOperation, READ_ONLY } from './define';
import { instanceId } from './schemaParts';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Expected a date like 2026-01-31.')
  .describe('date, YYYY-MM-DD');
const MAX_COST_PAGES = 20;

/**
 * Sends a command, turning an endpoint that has no such API (HTTP 404/501, e.g. an emulator) into an error
 * named NotAvailableAtEndpoint, so callers can say "not available from this endpoint" instead of a parse error.
 */
async function sendOrUnavailable<T>(api: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    const details = error as { $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number } };
    const status = details.$metadata?.httpStatusCode ?? details.$response?.statusCode;
    // AWS answers its JSON APIs in JSON, errors included; a web page instead means the endpoint lacks the API.
    const answeredWithPage = error instanceof SyntaxError && /"<(!doctype|html)/i.test(error.message);
    if (status === 404 || status === 501 || answeredWithPage)
      throw Object.assign(
        new Error(`${api} is not available from this endpoint (HTTP ${status ?? '?'}, not an AWS answer).`),
        {
          name: 'NotAvailableAtEndpoint',
        },
      );
    throw error;
  }
}

export const COST_GROUP_DIMENSIONS = ['SERVICE', 'LINKED_ACCOUNT', 'REGION'] as const;

const costGroupBy = z
  .union([
    z.object({ dimension: z.enum(COST_GROUP_DIMENSIONS) }).strict(),
    z.object({ tagKey: z.string().min(1).max(128) }).strict(),
  ])
  .describe('Group by a dimension ({"dimension":"SERVICE"}) or a cost allocation tag ({"tagKey":"team"}).');

export interface CostGroup {
  /** The service, account, region, or for tags the tag value ("" when untagged). */
  key: string;
  amount: number;
  unit: string;
}

export interface CostPeriod {
  start: string;
  end: string;
  /** The period's total; with groups, the sum of the groups when AWS leaves Total empty. */
  total: number;
  unit: string;
  estimated: boolean;
  groups: CostGroup[];
}

export interface CostAndUsage {
  metric: string;
  groupBy?: string;
  periods: CostPeriod[];
  /** True when more pages existed than were read. */
  truncated: boolean;
}

const amountOf = (value: { Amount?: string; Unit?: string } | undefined) => ({
  amount: Number(value?.Amount ?? 0) || 0,
  unit: value?.Unit ?? 'USD',
});

export const getCostAndUsage = defineOperation({
  id: 'ce.costAndUsage.get',
  service: 'ce',
  title: 'Get cost and usage',
  description:
    'Spend from Cost Explorer over a period (end exclusive), monthly or daily, optionally grouped by service, linked account, region or a tag.',
  ...READ_ONLY,
  input: z
    .object({
      start: isoDate,
      end: isoDate,
      granularity: z.enum(['MONTHLY', 'DAILY']).default('MONTHLY'),
      metric: z.enum(['UnblendedCost', 'BlendedCost', 'AmortizedCost', 'NetUnblendedCost']).default('UnblendedCost'),
      groupBy: costGroupBy.optional(),
    })
    .strict()
    .refine((input) => input.start < input.end, { message: 'start must be before end.' }),
  async handler(ctx, input): Promise<CostAndUsage> {
    const ce = await ctx.client(costExplorerService);
    const group: GroupDefinition | undefined = input.groupBy
      ? 'dimension' in input.groupBy
        ? { Type: 'DIMENSION', Key: input.groupBy.dimension }
        : { Type: 'TAG', Key: input.groupBy.tagKey }
      : undefined;
    const periods: CostPeriod[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const result = await ce.send(
        new GetCostAndUsageCommand({
          TimePeriod: { Start: input.start, End: input.end },
          Granularity: input.granularity,
          Metrics: [input.metric],
          ...(group ? { GroupBy: [group] } : {}),
          ...(token ? { NextPageToken: token } : {}),
        }),
      );
      for (const period of result.ResultsByTime ?? []) {
        const groups = (period.Groups ?? []).map((entry) => {
          const raw = entry.Keys?.[0] ?? '';
          // Tag keys come back as "team$web" ("team$" when untagged).
          const key = group?.Type === 'TAG' && raw.includes('$') ? raw.slice(raw.indexOf('$') + 1) : raw;
          return { key, ...amountOf(entry.Metrics?.[input.metric]) };
        });
        const reported = period.Total?.[input.metric];
        const total = reported
          ? amountOf(reported)
          : { amount: groups.reduce((sum, entry) => sum + entry.amount, 0), unit: groups[0]?.unit ?? 'USD' };
        periods.push({
          start: period.TimePeriod?.Start ?? input.start,
          end: period.TimePeriod?.End ?? input.end,
          total: total.amount,
          unit: total.unit,
          estimated: period.Estimated ?? false,
          groups,
        });
      }
      token = result.NextPageToken;
      pages++;
    } while (token && pages < MAX_COST_PAGES);
    return {
      metric: input.metric,
      groupBy: group ? `${group.Type}:${group.Key}` : undefined,
      periods,
      truncated: Boolean(token),
    };
  },
});

export interface CostForecast {
  start: string;
  end: string;
  amount: number;
  unit: string;
  lower?: number;
  upper?: number;
}

export const getCostForecast = defineOperation({
  id: 'ce.costForecast.get',
  service: 'ce',
  title: 'Get cost forecast',
  description: 'Cost Explorer forecast of spend between two dates (start today or later, end exclusive).',
  ...READ_ONLY,
  input: z
    .object({
      start: isoDate,
      end: isoDate,
      metric: z
        .enum(['UNBLENDED_COST', 'BLENDED_COST', 'AMORTIZED_COST', 'NET_UNBLENDED_COST'])
        .default('UNBLENDED_COST'),
    })
    .strict()
    .refine((input) => input.start < input.end, { message: 'start must be before end.' }),
  async handler(ctx, input): Promise<CostForecast> {
    const ce = await ctx.client(costExplorerService);
    const result = await sendOrUnavailable('GetCostForecast', () =>
      ce.send(
        new GetCostForecastCommand({
          TimePeriod: { Start: input.start, End: input.end },
          Granularity: 'MONTHLY',
          Metric: input.metric,
          PredictionIntervalLevel: 80,
        }),
      ),
    );
    const interval = result.ForecastResultsByTime?.[0];
    return {
      start: input.start,
      end: input.end,
      ...amountOf(result.Total),
      ...(interval?.PredictionIntervalLowerBound ? { lower: Number(interval.PredictionIntervalLowerBound) } : {}),
      ...(interval?.PredictionIntervalUpperBound ? { upper: Number(interval.PredictionIntervalUpperBound) } : {}),
    };
  },
});

export type { OptimizerRecommendation, PurchaseRecommendation } from '../cost/savingsRecommendations';

const purchaseOptions = {
  term: z.enum(['ONE_YEAR', 'THREE_YEARS']).default('ONE_YEAR').describe('commitment term'),
  paymentOption: z.enum(['NO_UPFRONT', 'PARTIAL_UPFRONT', 'ALL_UPFRONT']).default('NO_UPFRONT'),
  lookbackDays: z
    .union([z.literal(7), z.literal(30), z.literal(60)])
    .default(30)
    .describe('days of past usage Cost Explorer looks at: 7, 30 or 60'),
};
const MAX_RECOMMENDATION_PAGES = 5;

export const getSavingsPlansRecommendation = defineOperation({
  id: 'ce.savingsPlansRecommendation.get',
  service: 'ce',
  title: 'Get Savings Plans purchase recommendation',
  description:
    'Cost Explorer recommendation for a Savings Plan (default: Compute, 1 year, no upfront, last 30 days): hourly commitment and estimated monthly savings.',
  ...READ_ONLY,
  input: z
    .object({
      savingsPlansType: z.enum(['COMPUTE_SP', 'EC2_INSTANCE_SP']).default('COMPUTE_SP'),
      ...purchaseOptions,
    })
    .strict(),
  async handler(ctx, input): Promise<PurchaseRecommendation> {
    const ce = await ctx.client(costExplorerService);
    const result = await sendOrUnavailable('GetSavingsPlansPurchaseRecommendation', () =>
      ce.send(
        new GetSavingsPlansPurchaseRecommendationCommand({
          SavingsPlansType: input.savingsPlansType,
          TermInYears: input.term,
          PaymentOption: input.paymentOption,
          LookbackPeriodInDays: LOOKBACK_PERIODS[input.lookbackDays],
        }),
      ),
    );
    return parseSavingsPlansRecommendation(result, input);
  },
});

export const getReservationRecommendation = defineOperation({
  id: 'ce.reservationRecommendation.get',
  service: 'ce',
  title: 'Get Reserved Instance purchase recommendation',
  description:
    'Cost Explorer recommendation for EC2 Reserved Instances (default: 1 year, no upfront, last 30 days): instances to reserve and estimated monthly savings.',
  ...READ_ONLY,
  input: z.object(purchaseOptions).strict(),
  async handler(ctx, input): Promise<PurchaseRecommendation> {
    const ce = await ctx.client(costExplorerService);
    const service = 'Amazon Elastic Compute Cloud - Compute';
    const pages: unknown[] = [];
    let token: string | undefined;
    do {
      const result = await sendOrUnavailable('GetReservationPurchaseRecommendation', () =>
        ce.send(
          new GetReservationPurchaseRecommendationCommand({
            Service: service,
            TermInYears: input.term,
            PaymentOption: input.paymentOption,
            LookbackPeriodInDays: LOOKBACK_PERIODS[input.lookbackDays],
            ...(token ? { NextPageToken: token } : {}),
          }),
        ),
      );
      pages.push(result);
      token = result.NextPageToken;
    } while (token && pages.length < MAX_RECOMMENDATION_PAGES);
    return parseReservationRecommendation(pages, { ...input, service }, Boolean(token));
  },
});

// Budgets

export interface BudgetSummary {
  name: string;
  limit: number;
  unit: string;
  timeUnit: string;
  actual: number;
  forecasted?: number;
  /** actual ÷ limit × 100, rounded. */
  percentUsed?: number;
}

function summarizeBudget(budget: Budget): BudgetSummary {
  const limit = Number(budget.BudgetLimit?.Amount ?? 0) || 0;
  const actual = Number(budget.CalculatedSpend?.ActualSpend?.Amount ?? 0) || 0;
  const forecast = budget.CalculatedSpend?.ForecastedSpend?.Amount;
  return {
    name: budget.BudgetName ?? '(unnamed)',
    limit,
    unit: budget.BudgetLimit?.Unit ?? 'USD',
    timeUnit: budget.TimeUnit ?? 'MONTHLY',
    actual,
    ...(forecast !== undefined ? { forecasted: Number(forecast) || 0 } : {}),
    ...(limit > 0 ? { percentUsed: Math.round((actual / limit) * 100) } : {}),
  };
}

export const listBudgets = defineOperation({
  id: 'budgets.budgets.list',
  service: 'budgets',
  title: 'List budgets',
  description: 'The account’s AWS Budgets with limit, actual and forecasted spend.',
  ...READ_ONLY,
  input: z.object({}).strict(),
  async handler(ctx): Promise<BudgetSummary[]> {
    const budgets = await ctx.client(budgetsService);
    const out: BudgetSummary[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const result = await budgets.send(
        new DescribeBudgetsCommand({ AccountId: ctx.account, MaxResults: 100, ...(token ? { NextToken: token } : {}) }),
      );
      out.push(...(result.Budgets ?? []).map(summarizeBudget));
      token = result.NextToken;
      pages++;
    } while (token && pages < 10);
    return out;
  },
});

const BUDGET_NAME = /^[^:\\]{1,100}$/;

export const createBudget = defineOperation({
  id: 'budgets.budgets.create',
  service: 'budgets',
  title: 'Create cost budget with alert',
  description:
    'Creates a monthly (or quarterly/annual) cost budget in USD with an e-mail alert when actual spend passes a percentage of the limit.',
  kind: 'write',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: false,
  rollbackNote: 'Delete the budget in the Billing console or with aws budgets delete-budget.',
  input: z
    .object({
      name: z
        .string()
        .regex(BUDGET_NAME, 'A budget name has 1-100 characters and no ":" or "\\".')
        .describe('budget name'),
      limitUsd: z.number().positive().max(1e9).describe('limit in USD'),
      timeUnit: z.enum(['MONTHLY', 'QUARTERLY', 'ANNUALLY']).default('MONTHLY'),
      alertThresholdPercent: z
        .number()
        .min(1)
        .max(1000)
        .default(80)
        .describe('alert when actual spend passes this % of the limit'),
      email: z.string().email().max(254).describe('e-mail address that receives the alert'),
    })
    .strict(),
  async targets(ctx, input) {
    return [
      {
        type: 'budgets:budget',
        id: input.name,
        name: input.name,
        role: 'target' as const,
        action: 'create',
        details: [`account ${ctx.account}`],
      },
    ];
  },
  preview(ctx, input) {
    return {
      summary: `Create budget "${input.name}": ${input.timeUnit.toLowerCase()} limit $${input.limitUsd.toFixed(2)} in account ${ctx.account}`,
      changes: [
        `Account ${ctx.account}: new ${input.timeUnit.toLowerCase()} cost budget "${input.name}", limit $${input.limitUsd.toFixed(2)} USD`,
        `Alert: e-mail to ${input.email} when actual spend passes ${input.alertThresholdPercent}% ($${((input.limitUsd * input.alertThresholdPercent) / 100).toFixed(2)})`,
      ],
      cost: {
        direction: 'none',
        note: 'The first two action-free budgets are free; others cost a little per day (AWS Budgets pricing).',
      },
    };
  },
  async handler(ctx, input) {
    const budgets = await ctx.client(budgetsService);
    await budgets.send(
      new CreateBudgetCommand({
        AccountId: ctx.account,
        Budget: {
          BudgetName: input.name,
          BudgetType: 'COST',
          TimeUnit: input.timeUnit,
          BudgetLimit: { Amount: input.limitUsd.toFixed(2), Unit: 'USD' },
        },
        NotificationsWithSubscribers: [
          {
            Notification: {
              NotificationType: 'ACTUAL',
              ComparisonOperator: 'GREATER_THAN',
              Threshold: input.alertThresholdPercent,
              ThresholdType: 'PERCENTAGE',
            },
            Subscribers: [{ SubscriptionType: 'EMAIL', Address: input.email }],
          },
        ],
      }),
    );
    return { name: input.name, account: ctx.account };
  },
  resourceIds: (output) => [output.name],
});

// Right-sizing inputs

export interface InstanceUtilization {
  instanceId: string;
  /** Highest hourly-or-finer CPU maximum over the window, in percent; undefined without data points. */
  cpuMax?: number;
  cpuAverage?: number;
  networkInBytesPerDay?: number;
  networkOutBytesPerDay?: number;
  /** Days with CPU data. */
  days: number;
}

/** One GetMetricData call takes at most 500 queries: 4 per instance. */
export const QUERIES_PER_CALL = 500;
const QUERIES_PER_INSTANCE = 4;

export const getInstanceUtilization = defineOperation({
  id: 'cloudwatch.instanceUtilization.get',
  service: 'cloudwatch',
  title: 'Get EC2 instance utilization',
  description:
    'CPU maximum and average, and NetworkIn/Out per day, for EC2 instances over the last days (default 14), from CloudWatch GetMetricData in batches of 500 queries.',
  ...READ_ONLY,
  input: z
    .object({
      instanceIds: z.array(instanceId).min(1).max(1000),
      days: z.number().int().min(1).max(63).default(14),
    })
    .strict(),
  async handler(ctx, input): Promise<InstanceUtilization[]> {
    const cloudWatch = await ctx.client(cloudWatchService);
    const end = new Date(Math.ceil(ctx.now.getTime() / 86_400_000) * 86_400_000);
    const start = new Date(end.getTime() - input.days * 86_400_000);
    const queries: MetricDataQuery[] = input.instanceIds.flatMap((id, index) =>
      (
        [
          ['cpumax', 'CPUUtilization', 'Maximum'],
          ['cpuavg', 'CPUUtilization', 'Average'],
          ['netin', 'NetworkIn', 'Sum'],
          ['netout', 'NetworkOut', 'Sum'],
        ] as const
      ).map(([prefix, metric, stat]) => ({
        Id: `${prefix}${index}`,
        MetricStat: {
          Metric: { Namespace: 'AWS/EC2', MetricName: metric, Dimensions: [{ Name: 'InstanceId', Value: id }] },
          Period: 86_400,
          Stat: stat,
        },
        ReturnData: true,
      })),
    );
    const values = new Map<string, number[]>();
    const perCall = Math.floor(QUERIES_PER_CALL / QUERIES_PER_INSTANCE) * QUERIES_PER_INSTANCE;
    for (let offset = 0; offset < queries.length; offset += perCall) {
      let token: string | undefined;
      let pages = 0;
      do {
        const result = await cloudWatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries.slice(offset, offset + perCall),
            StartTime: start,
            EndTime: end,
            ...(token ? { NextToken: token } : {}),
          }),
        );
        for (const series of result.MetricDataResults ?? [])
          if (series.Id) values.set(series.Id, [...(values.get(series.Id) ?? []), ...(series.Values ?? [])]);
        token = result.NextToken;
        pages++;
      } while (token && pages < 20);
    }
    const mean = (list: number[]) => list.reduce((sum, value) => sum + value, 0) / list.length;
    return input.instanceIds.map((id, index) => {
      const cpuMax = values.get(`cpumax${index}`) ?? [];
      const cpuAverage = values.get(`cpuavg${index}`) ?? [];
      const netIn = values.get(`netin${index}`) ?? [];
      const netOut = values.get(`netout${index}`) ?? [];
      return {
        instanceId: id,
        ...(cpuMax.length ? { cpuMax: Math.max(...cpuMax) } : {}),
        ...(cpuAverage.length ? { cpuAverage: mean(cpuAverage) } : {}),
        ...(netIn.length ? { networkInBytesPerDay: mean(netIn) } : {}),
        ...(netOut.length ? { networkOutBytesPerDay: mean(netOut) } : {}),
        days: Math.max(cpuMax.length, cpuAverage.length),
      };
    });
  },
});

export const getComputeOptimizerRecommendations = defineOperation({
  id: 'computeoptimizer.ec2Recommendations.get',
  service: 'computeoptimizer',
  title: 'Get Compute Optimizer EC2 recommendations',
  description:
    'AWS Compute Optimizer findings for EC2 instances (Overprovisioned, Underprovisioned, Optimized, NotOptimized) with the rank-1 instance type, estimated monthly savings and performance risk.',
  ...READ_ONLY,
  input: z
    .object({
      instanceArns: z.array(z.string().max(2048)).max(100).optional(),
      pageSize: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .optional()
        .describe('recommendations per page (AWS default if absent)'),
    })
    .strict(),
  async handler(ctx, input): Promise<OptimizerRecommendation[]> {
    const optimizer = await ctx.client(computeOptimizerService);
    const out: OptimizerRecommendation[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const result = await sendOrUnavailable('GetEC2InstanceRecommendations', () =>
        optimizer.send(
          new GetEC2InstanceRecommendationsCommand({
            ...(input.instanceArns ? { instanceArns: input.instanceArns } : {}),
            ...(input.pageSize ? { maxResults: input.pageSize } : {}),
            ...(token ? { nextToken: token } : {}),
          }),
        ),
      );
      for (const entry of result.instanceRecommendations ?? []) {
        const parsed = parseInstanceRecommendation(entry);
        if (parsed) out.push(parsed);
      }
      token = result.nextToken;
      pages++;
    } while (token && pages < 10);
    return out;
  },
});

export const costReadOperations = [
  getCostAndUsage,
  getCostForecast,
  getSavingsPlansRecommendation,
  getReservationRecommendation,
  listBudgets,
  getInstanceUtilization,
  getComputeOptimizerRecommendations,
] as const;
export const costWriteOperations = [createBudget] as const;
