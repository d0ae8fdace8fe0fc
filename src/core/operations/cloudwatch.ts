import {
  DescribeAlarmsCommand,
  GetDashboardCommand,
  GetMetricDataCommand,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  type MetricAlarm,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { cloudWatchService, ec2Service } from '../aws/services';
import { defineOperation, READ_ONLY } from './define';
import type { OperationContext, TargetResource } from './types';

/** CloudWatch alarm and dashboard operations. Metrics are read in batches of up to 500 queries per call. */

export const ALARM_STATES = ['ALARM', 'INSUFFICIENT_DATA', 'OK'] as const;
export const COMPARISON_OPERATORS = [
  'GreaterThanThreshold',
  'GreaterThanOrEqualToThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
] as const;
export const STATISTICS = ['Average', 'Maximum', 'Minimum', 'Sum', 'SampleCount'] as const;
/** GetMetricData accepts at most this many queries per call. */
export const MAX_METRIC_QUERIES = 500;

const alarmName = z
  .string()
  .min(1)
  .max(255)
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  .regex(/^[^\u0000-\u001f]+$/, 'Expected an alarm name without control characters.')
  .describe('CloudWatch alarm name');
const namespace = z
  .string()
  .regex(/^[A-Za-z0-9./_#:-]{1,255}$/, 'Expected a metric namespace such as AWS/EC2.')
  .describe('metric namespace, e.g. AWS/EC2');
const metricName = z
  .string()
  .regex(/^[A-Za-z0-9./_#:% -]{1,255}$/, 'Expected a metric name such as CPUUtilization.')
  .describe('metric name, e.g. CPUUtilization');
const dimension = z.object({ name: z.string().min(1).max(255), value: z.string().min(1).max(1024) }).strict();
const isoTime = z.string().datetime({ offset: true }).describe('ISO 8601 time');

const metricQuery = z
  .object({
    id: z.string().regex(/^[a-z][A-Za-z0-9_]{0,254}$/, 'Query ids start with a lower-case letter.'),
    namespace,
    metricName,
    dimensions: z.array(dimension).max(30).default([]),
    stat: z.enum(STATISTICS).default('Average'),
    period: z
      .number()
      .int()
      .min(1)
      .max(86_400 * 7),
  })
  .strict();

export interface AlarmPage {
  items: MetricAlarm[];
  nextToken?: string;
}

export interface MetricDataPage {
  results: Array<{ id: string; label?: string; timestamps: string[]; values: number[]; statusCode?: string }>;
  nextToken?: string;
  messages: string[];
}

function toQuery(query: z.output<typeof metricQuery>): MetricDataQuery {
  return {
    Id: query.id,
    MetricStat: {
      Metric: {
        Namespace: query.namespace,
        MetricName: query.metricName,
        Dimensions: query.dimensions.map((entry) => ({ Name: entry.name, Value: entry.value })),
      },
      Period: query.period,
      Stat: query.stat,
    },
    ReturnData: true,
  };
}

// Reads

export const listAlarms = defineOperation({
  id: 'cloudwatch.alarms.list',
  service: 'cloudwatch',
  title: 'List CloudWatch alarms',
  description:
    'CloudWatch metric alarms with state (ALARM, INSUFFICIENT_DATA, OK), state reason and time, metric, threshold and period; optionally one state or a name prefix.',
  ...READ_ONLY,
  input: z
    .object({
      stateValue: z.enum(ALARM_STATES).optional().describe('Only alarms in this state.'),
      alarmNamePrefix: z.string().min(1).max(255).optional(),
      alarmNames: z.array(alarmName).min(1).max(100).optional(),
      maxResults: z.number().int().min(1).max(100).optional().describe('Page size.'),
      nextToken: z.string().max(4096).optional().describe('Token from the previous page.'),
    })
    .strict(),
  async handler(ctx, input): Promise<AlarmPage> {
    const cloudwatch = await ctx.client(cloudWatchService);
    const result = await cloudwatch.send(
      new DescribeAlarmsCommand({
        StateValue: input.stateValue,
        AlarmNamePrefix: input.alarmNamePrefix,
        AlarmNames: input.alarmNames,
        AlarmTypes: ['MetricAlarm'],
        MaxRecords: input.maxResults,
        NextToken: input.nextToken,
      }),
    );
    return { items: result.MetricAlarms ?? [], nextToken: result.NextToken || undefined };
  },
});

export const getMetricData = defineOperation({
  id: 'cloudwatch.metrics.getData',
  service: 'cloudwatch',
  title: 'Read CloudWatch metric data',
  description: `Datapoints of up to ${MAX_METRIC_QUERIES} metrics in one GetMetricData call (namespace, metric name, dimensions, statistic, period) between two times. One page; pass nextToken for more.`,
  ...READ_ONLY,
  input: z
    .object({
      queries: z.array(metricQuery).min(1).max(MAX_METRIC_QUERIES),
      startTime: isoTime,
      endTime: isoTime,
      nextToken: z.string().max(4096).optional(),
    })
    .strict(),
  async handler(ctx, input): Promise<MetricDataPage> {
    const cloudwatch = await ctx.client(cloudWatchService);
    const result = await cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: input.queries.map(toQuery),
        StartTime: new Date(input.startTime),
        EndTime: new Date(input.endTime),
        ScanBy: 'TimestampAscending',
        NextToken: input.nextToken,
      }),
    );
    return {
      results: (result.MetricDataResults ?? []).map((entry) => ({
        id: entry.Id ?? '',
        label: entry.Label,
        timestamps: (entry.Timestamps ?? []).map((time) => new Date(time).toISOString()),
        values: entry.Values ?? [],
        statusCode: entry.StatusCode,
      })),
      nextToken: result.NextToken || undefined,
      messages: (result.Messages ?? []).map((message) => `${message.Code ?? ''} ${message.Value ?? ''}`.trim()),
    };
  },
});

// Writes

const alarmInput = z
  .object({
    alarmName,
    namespace,
    metricName,
    dimensions: z.array(dimension).max(30).default([]),
    statistic: z.enum(STATISTICS).default('Average'),
    period: z.number().int().min(10).max(86_400).describe('Seconds per datapoint (10, 30 or a multiple of 60).'),
    evaluationPeriods: z.number().int().min(1).max(1440).default(1),
    threshold: z.number().finite(),
    comparisonOperator: z.enum(COMPARISON_OPERATORS).default('GreaterThanThreshold'),
    description: z.string().max(1024).optional(),
    alarmActions: z
      .array(z.string().regex(/^arn:[\w-]+:[\w-]+:/, 'Expected an action ARN.'))
      .max(5)
      .optional(),
  })
  .strict()
  .refine((input) => [10, 30].includes(input.period) || input.period % 60 === 0, {
    message: 'period must be 10, 30 or a multiple of 60 seconds.',
    path: ['period'],
  });

const OPERATOR_TEXT: Record<(typeof COMPARISON_OPERATORS)[number], string> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '≥',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
};

/** "5 minutes", "30 seconds", "1 hour". */
export function durationText(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} seconds`;
}

function tagsOf(instance: Instance | undefined): Record<string, string> {
  return Object.fromEntries((instance?.Tags ?? []).filter((tag) => tag.Key).map((tag) => [tag.Key!, tag.Value ?? '']));
}

/** The instances named by InstanceId dimensions, with their tags (their environment is the change's). */
async function watchedInstances(ctx: OperationContext, ids: string[], action: string): Promise<TargetResource[]> {
  const unique = [...new Set(ids)].filter((id) => /^i-[0-9a-f]{8,17}$/.test(id)).slice(0, 200);
  if (!unique.length) return [];
  const ec2 = await ctx.client(ec2Service);
  const result = await ec2.send(new DescribeInstancesCommand({ InstanceIds: unique }));
  const found = (result.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
  return unique.map((id) => {
    const instance = found.find((item) => item.InstanceId === id);
    if (!instance)
      throw Object.assign(new Error(`There is no EC2 instance ${id} in ${ctx.region}.`), {
        name: 'InvalidInstanceID.NotFound',
      });
    const tags = tagsOf(instance);
    return {
      type: 'ec2:instance',
      id,
      name: tags.Name,
      role: 'context' as const,
      action,
      tags,
      state: instance.State?.Name,
    };
  });
}

async function existingAlarm(ctx: OperationContext, name: string): Promise<MetricAlarm | undefined> {
  const cloudwatch = await ctx.client(cloudWatchService);
  const result = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ['MetricAlarm'] }));
  return result.MetricAlarms?.[0];
}

function dimensionText(dimensions: Array<{ name: string; value: string }>): string {
  return dimensions.length ? ` (${dimensions.map((entry) => `${entry.name}=${entry.value}`).join(', ')})` : '';
}

export const putMetricAlarm = defineOperation({
  id: 'cloudwatch.alarms.put',
  service: 'cloudwatch',
  title: 'Create or update a CloudWatch alarm',
  description:
    'Creates (or replaces) a metric alarm with PutMetricAlarm: metric, statistic, period, evaluation periods, comparison and threshold. An alarm on an instance is in that instance’s environment.',
  kind: 'write',
  destructive: false,
  costImpact: 'increase',
  rollbackSupported: false,
  rollbackNote: 'Delete the alarm, or put it again with its previous settings.',
  input: alarmInput,
  async targets(ctx, input) {
    const [existing, instances] = await Promise.all([
      existingAlarm(ctx, input.alarmName),
      watchedInstances(
        ctx,
        input.dimensions.filter((entry) => entry.name === 'InstanceId').map((entry) => entry.value),
        'watched by the alarm',
      ),
    ]);
    // The alarm carries the environment of what it watches.
    const inherited = Object.assign({}, ...instances.map((instance) => instance.tags ?? {})) as Record<string, string>;
    return [
      {
        type: 'cloudwatch:alarm',
        id: existing?.AlarmArn ?? `(new alarm ${input.alarmName})`,
        name: input.alarmName,
        role: 'target',
        action: existing ? 'replace' : 'create',
        tags: inherited,
        state: existing?.StateValue,
      },
      ...instances,
    ];
  },
  async preview(ctx, input, targets) {
    const alarm = targets[0];
    const watched = targets.filter((target) => target.type === 'ec2:instance');
    const condition = `${input.statistic} ${input.metricName} ${OPERATOR_TEXT[input.comparisonOperator]} ${input.threshold} for ${input.evaluationPeriods} × ${durationText(input.period)}`;
    return {
      summary: `${alarm?.action === 'replace' ? 'Replace' : 'Create'} alarm "${input.alarmName}": ${condition} in account ${ctx.account}, ${ctx.region}`,
      changes: [
        `account ${ctx.account}, region ${ctx.region}`,
        `metric ${input.namespace} ${input.metricName}${dimensionText(input.dimensions)}`,
        `threshold ${OPERATOR_TEXT[input.comparisonOperator]} ${input.threshold} (${input.comparisonOperator})`,
        `period ${durationText(input.period)} × ${input.evaluationPeriods} evaluation period${input.evaluationPeriods === 1 ? '' : 's'} (${durationText(input.period * input.evaluationPeriods)})`,
        ...watched.map((instance) => `watches ${instance.name ? `${instance.name} ` : ''}${instance.id}`),
        ...(input.alarmActions?.length
          ? [`actions: ${input.alarmActions.join(', ')}`]
          : ['no alarm actions (state only)']),
      ],
      warnings:
        alarm?.action === 'replace'
          ? [`An alarm "${input.alarmName}" exists (state ${alarm.state}); it is replaced.`]
          : [],
      cost: {
        direction: 'increase',
        note: 'A standard-resolution metric alarm costs about $0.10 per month.',
        monthlyUsd: 0.1,
      },
    };
  },
  async handler(ctx, input) {
    const cloudwatch = await ctx.client(cloudWatchService);
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: input.alarmName,
        AlarmDescription: input.description ?? 'Created with Pilot Light.',
        Namespace: input.namespace,
        MetricName: input.metricName,
        Dimensions: input.dimensions.map((entry) => ({ Name: entry.name, Value: entry.value })),
        Statistic: input.statistic,
        Period: input.period,
        EvaluationPeriods: input.evaluationPeriods,
        Threshold: input.threshold,
        ComparisonOperator: input.comparisonOperator,
        AlarmActions: input.alarmActions,
      }),
    );
    const created = await existingAlarm(ctx, input.alarmName);
    return { alarmName: input.alarmName, alarmArn: created?.AlarmArn, state: created?.StateValue };
  },
  resourceIds: (output) => [output.alarmArn ?? output.alarmName],
});

/** CloudWatch limits a dashboard body to 1 MB; ours stay far below. */
const MAX_DASHBOARD_BODY = 256 * 1024;

/** The InstanceId dimension values a dashboard body names, for its environment. */
export function dashboardInstanceIds(body: string): string[] {
  return [...new Set([...body.matchAll(/"InstanceId"\s*,\s*"(i-[0-9a-f]{8,17})"/g)].map((match) => match[1]))];
}

export const putDashboard = defineOperation({
  id: 'cloudwatch.dashboards.put',
  service: 'cloudwatch',
  title: 'Create or update a CloudWatch dashboard',
  description:
    'Creates (or replaces) a CloudWatch dashboard with PutDashboard from a dashboard body (JSON with widgets). The dry-run shows the body.',
  kind: 'write',
  destructive: false,
  costImpact: 'increase',
  rollbackSupported: false,
  rollbackNote: 'Put the previous body again (the preview shows whether one exists).',
  input: z
    .object({
      dashboardName: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,255}$/, 'Dashboard names use letters, digits, "-" and "_" (up to 255).'),
      dashboardBody: z
        .string()
        .min(2)
        .max(MAX_DASHBOARD_BODY)
        .refine((text) => {
          try {
            const parsed = JSON.parse(text) as { widgets?: unknown };
            return Array.isArray(parsed.widgets);
          } catch {
            return false;
          }
        }, 'The dashboard body must be JSON with a "widgets" array.'),
    })
    .strict(),
  async targets(ctx, input) {
    const cloudwatch = await ctx.client(cloudWatchService);
    let exists = false;
    try {
      await cloudwatch.send(new GetDashboardCommand({ DashboardName: input.dashboardName }));
      exists = true;
    } catch (error) {
      if (
        (error as { name?: string }).name !== 'ResourceNotFound' &&
        (error as { name?: string }).name !== 'ResourceNotFoundException'
      )
        throw error;
    }
    const instances = await watchedInstances(ctx, dashboardInstanceIds(input.dashboardBody), 'shown on the dashboard');
    return [
      {
        type: 'cloudwatch:dashboard',
        id: input.dashboardName,
        name: input.dashboardName,
        role: 'target',
        action: exists ? 'replace' : 'create',
      },
      ...instances,
    ];
  },
  preview(ctx, input, targets) {
    const body = JSON.parse(input.dashboardBody) as { widgets: Array<{ properties?: { title?: string } }> };
    const replace = targets[0]?.action === 'replace';
    return {
      summary: `${replace ? 'Replace' : 'Create'} dashboard "${input.dashboardName}" (${body.widgets.length} widget${body.widgets.length === 1 ? '' : 's'}) in account ${ctx.account}, ${ctx.region}`,
      changes: [
        `account ${ctx.account}, region ${ctx.region}`,
        ...body.widgets.map((widget, index) => `widget ${index + 1}: ${widget.properties?.title ?? 'untitled'}`),
        'dashboard body:',
        ...JSON.stringify(body, null, 2).split('\n'),
      ],
      warnings: replace ? [`A dashboard "${input.dashboardName}" exists; its body is replaced.`] : [],
      cost: { direction: 'increase', note: 'The first 3 dashboards are free; each further one costs $3 per month.' },
    };
  },
  async handler(ctx, input) {
    const cloudwatch = await ctx.client(cloudWatchService);
    const result = await cloudwatch.send(
      new PutDashboardCommand({ DashboardName: input.dashboardName, DashboardBody: input.dashboardBody }),
    );
    return {
      dashboardName: input.dashboardName,
      validationMessages: (result.DashboardValidationMessages ?? []).map((message) => message.Message ?? ''),
    };
  },
  resourceIds: (output) => [output.dashboardName],
});

export const getDashboard = defineOperation({
  id: 'cloudwatch.dashboards.get',
  service: 'cloudwatch',
  title: 'Read a CloudWatch dashboard',
  description: 'The body (JSON) of one CloudWatch dashboard.',
  ...READ_ONLY,
  input: z.object({ dashboardName: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/) }).strict(),
  async handler(ctx, input) {
    const cloudwatch = await ctx.client(cloudWatchService);
    const result = await cloudwatch.send(new GetDashboardCommand({ DashboardName: input.dashboardName }));
    return { dashboardName: result.DashboardName, dashboardArn: result.DashboardArn, body: result.DashboardBody };
  },
});

export const cloudWatchReadOperations = [listAlarms, getMetricData, getDashboard];
export const cloudWatchWriteOperations = [putMetricAlarm, putDashboard];
