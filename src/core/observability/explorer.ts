import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { LogGroup, LogStream } from '@aws-sdk/client-cloudwatch-logs';
import type { ResourceLister, ResourceSummary, StateTone } from '../resources/model';
import { compact, day, pagedLister, readPage, type ReadOperation } from '../resources/pagedLister';
import { sparkline } from './sparklines';

/** Alarms are listed by state: ALARM first, then INSUFFICIENT_DATA, then OK. */
export const ALARM_STATE_ORDER = ['ALARM', 'INSUFFICIENT_DATA', 'OK'] as const;

const ALARM_TONES: Record<string, StateTone> = { ALARM: 'error', INSUFFICIENT_DATA: 'stopped', OK: 'ok' };
const OPERATORS: Record<string, string> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '≥',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside band',
  LessThanLowerThreshold: '< lower band',
  GreaterThanUpperThreshold: '> upper band',
};

/** "CPUUtilization > 80 for 1 × 5 min". */
export function alarmCondition(alarm: MetricAlarm): string {
  const operator = OPERATORS[alarm.ComparisonOperator ?? ''] ?? alarm.ComparisonOperator ?? '?';
  const period = alarm.Period ? `${alarm.Period % 60 === 0 ? `${alarm.Period / 60} min` : `${alarm.Period} s`}` : '?';
  return `${alarm.MetricName ?? 'metric'} ${operator} ${alarm.Threshold ?? '?'} for ${alarm.EvaluationPeriods ?? 1} × ${period}`;
}

export function alarmDimensions(alarm: MetricAlarm): string | undefined {
  const dimensions = alarm.Dimensions ?? [];
  return dimensions.length ? dimensions.map((entry) => `${entry.Name}=${entry.Value}`).join(', ') : undefined;
}

/** Sorts alarms ALARM, INSUFFICIENT_DATA, OK; within a state the most recent change first. */
export function sortAlarms<T extends Pick<MetricAlarm, 'StateValue' | 'StateUpdatedTimestamp' | 'AlarmName'>>(
  alarms: readonly T[],
): T[] {
  const rank = (state: string | undefined) => {
    const index = ALARM_STATE_ORDER.indexOf(state as (typeof ALARM_STATE_ORDER)[number]);
    return index < 0 ? ALARM_STATE_ORDER.length : index;
  };
  const time = (value: unknown) =>
    value ? Date.parse(String(value instanceof Date ? value.toISOString() : value)) : 0;
  return [...alarms].sort(
    (a, b) =>
      rank(a.StateValue) - rank(b.StateValue) ||
      time(b.StateUpdatedTimestamp) - time(a.StateUpdatedTimestamp) ||
      String(a.AlarmName).localeCompare(String(b.AlarmName)),
  );
}

function alarmMetricLister(alarm: MetricAlarm): ResourceLister {
  const name = alarm.AlarmName ?? 'alarm';
  return {
    type: 'cloudwatch:alarm-metric',
    title: 'Metric',
    async list(reads, { region }) {
      const base = (suffix: string, label: string, details: string[] = []): ResourceSummary => ({
        type: 'cloudwatch:alarm-metric',
        id: `${alarm.AlarmArn ?? name}#${suffix}`,
        name: label,
        details,
        tags: {},
        raw: undefined,
      });
      const rows: ResourceSummary[] = [
        base(
          'metric',
          `${alarm.Namespace ?? '?'} ${alarm.MetricName ?? '?'}`,
          compact([alarmDimensions(alarm), alarm.Statistic]),
        ),
        base('condition', alarmCondition(alarm)),
      ];
      if (alarm.StateReason) rows.push(base('reason', alarm.StateReason.slice(0, 200)));
      if (alarm.Namespace && alarm.MetricName && alarm.Period) {
        const end = Date.now();
        const output = await reads.read<{ results: Array<{ values: number[]; timestamps: string[] }> }>(
          'cloudwatch.metrics.getData',
          {
            queries: [
              {
                id: 'm0',
                namespace: alarm.Namespace,
                metricName: alarm.MetricName,
                dimensions: (alarm.Dimensions ?? []).map((entry) => ({ name: entry.Name, value: entry.Value })),
                stat: alarm.Statistic ?? 'Average',
                period: alarm.Period,
              },
            ],
            startTime: new Date(end - 3 * 3600_000).toISOString(),
            endTime: new Date(end).toISOString(),
          },
          region,
        );
        const result = output.results[0];
        const points = (result?.timestamps ?? [])
          .map((time, index) => ({ time: Date.parse(time), value: result!.values[index] }))
          .sort((a, b) => a.time - b.time)
          .map((point) => point.value);
        rows.push(
          points.length
            ? base('sparkline', `last 3 hours ${sparkline(points)}`, [
                `latest ${points[points.length - 1]}`,
                `max ${Math.max(...points)}`,
                `threshold ${alarm.Threshold ?? '?'}`,
              ])
            : base('sparkline', 'last 3 hours: no datapoints'),
        );
      }
      return { items: rows };
    },
  };
}

export function summarizeAlarm(alarm: MetricAlarm): ResourceSummary {
  const name = alarm.AlarmName ?? 'unknown';
  return {
    type: 'cloudwatch:alarm',
    id: alarm.AlarmArn ?? name,
    name,
    arn: alarm.AlarmArn,
    state: alarm.StateValue,
    stateTone: ALARM_TONES[alarm.StateValue ?? ''] ?? 'unknown',
    details: compact([
      alarm.StateValue,
      alarmCondition(alarm),
      alarmDimensions(alarm),
      alarm.StateUpdatedTimestamp && `since ${String(alarm.StateUpdatedTimestamp).slice(0, 16).replace('T', ' ')}`,
    ]),
    tags: {},
    raw: alarm,
    children: [alarmMetricLister(alarm)],
  };
}

/** Token of the state-ordered alarm listing: "<state index>:<AWS token>". */
function decodeAlarmToken(token: string | undefined): { state: number; awsToken?: string } {
  if (!token) return { state: 0 };
  const separator = token.indexOf(':');
  const state = Number(token.slice(0, separator));
  if (separator < 0 || !Number.isInteger(state) || state < 0 || state >= ALARM_STATE_ORDER.length)
    throw Object.assign(new Error('Invalid alarm page token.'), { name: 'InvalidNextToken' });
  return { state, awsToken: token.slice(separator + 1) || undefined };
}

/** One page of alarms in state order: reads ALARM, then the next states, until the page is full. */
export async function readAlarmsByState(
  read: ReadOperation,
  page: { nextToken?: string; maxResults?: number },
): Promise<{ items: MetricAlarm[]; nextToken?: string }> {
  const wanted = page.maxResults ?? 100;
  let { state, awsToken } = decodeAlarmToken(page.nextToken);
  const items: MetricAlarm[] = [];
  while (state < ALARM_STATE_ORDER.length) {
    const result = await readPage<MetricAlarm>(read, 'cloudwatch.alarms.list', {
      stateValue: ALARM_STATE_ORDER[state],
      maxResults: Math.max(1, Math.min(100, wanted - items.length)),
      ...(awsToken ? { nextToken: awsToken } : {}),
    });
    items.push(...sortAlarms(result.items));
    if (result.nextToken) return { items, nextToken: `${state}:${result.nextToken}` };
    state++;
    awsToken = undefined;
    if (items.length >= wanted) return { items, nextToken: state < ALARM_STATE_ORDER.length ? `${state}:` : undefined };
  }
  return { items };
}

export const alarmLister = pagedLister({
  type: 'cloudwatch:alarm',
  title: 'Alarms',
  pageRange: [1, 100],
  fetch: (read, page) => readAlarmsByState(read, page),
  summarize: summarizeAlarm,
});

function sizeOf(bytes: number | undefined): string | undefined {
  if (bytes === undefined) return undefined;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB stored`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB stored`;
}

function time(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

export function logStreamLister(logGroupName: string): ResourceLister {
  return pagedLister({
    type: 'logs:log-stream',
    title: 'Streams',
    pageRange: [1, 50],
    fetch: (read, page) => readPage<LogStream>(read, 'logs.streams.list', { logGroupName, ...page }),
    summarize(stream: LogStream): ResourceSummary {
      const name = stream.logStreamName ?? 'unknown';
      return {
        type: 'logs:log-stream',
        id: `${logGroupName}|${name}`,
        name,
        arn: stream.arn,
        details: compact([stream.lastEventTimestamp && `last event ${time(stream.lastEventTimestamp)}`]),
        tags: {},
        raw: { ...stream, logGroupName },
      };
    },
  });
}

export const logGroupLister = pagedLister({
  type: 'logs:log-group',
  title: 'Log groups',
  pageRange: [1, 50],
  fetch: (read, page) => readPage<LogGroup>(read, 'logs.groups.list', page),
  summarize(group: LogGroup): ResourceSummary {
    const name = group.logGroupName ?? 'unknown';
    return {
      type: 'logs:log-group',
      id: name,
      name,
      arn: group.arn,
      details: compact([
        group.retentionInDays ? `retention ${group.retentionInDays} days` : 'never expires',
        sizeOf(group.storedBytes),
        group.creationTime && `created ${day(new Date(group.creationTime).toISOString())}`,
      ]),
      tags: {},
      raw: group,
      children: [logStreamLister(name)],
    };
  },
});
