/**
 * `@aws /observe` answers without a model: alarms by state, "alarm when CPU exceeds 80 % for 5 minutes on
 * web-1" (a dry-run of `cloudwatch.alarms.put` with a button), "ERROR logs from the API in the last hour" (a
 * Logs Insights query), "dashboard for web-1 and web-2 CPU" (a dry-run of `cloudwatch.dashboards.put` whose
 * preview is the body). Reads are registered reads; nothing here changes AWS.
 */
import { actionAnswer, proposeChange, type ActionAnswer } from '../conversation/changeProposal';
import { codeBlock, inlineCode, table } from '../conversation/markdown';
import { METRICS, parseObservabilityRequest, type ObservabilityRequest } from './chatIntent';
import { dashboardBody, dashboardName } from './dashboards';
import { alarmCondition, sortAlarms } from './explorer';
import { insightsQueryFor, matchingLogGroups, resultsTable, runInsightsQuery, type Read } from './insights';

export interface ObservabilityAnswerContext {
  read: Read;
  dryRun(
    operationId: string,
    input: Record<string, unknown>,
  ): Promise<{ status: 'dry-run' | 'refused' | 'failed'; correlationId?: string; verdict?: string; text: string }>;
  region: string;
  now?: Date;
  /** Logs Insights polling, for tests. */
  sleep?: (ms: number) => Promise<void>;
}

export type ObservabilityAnswer = ActionAnswer;

export const OBSERVE_HELP = [
  '**Observability** (`/observe`, in plain words):',
  '- "alarms" (alarms by state, ALARM first)',
  '- "alarm when CPU exceeds 80 % for 5 minutes on web-1" (a dry-run of the alarm first)',
  '- "ERROR logs from the API in the last hour" (a Logs Insights query over the matching log groups)',
  '- "dashboard for web-1 and web-2 CPU" (a dry-run showing the dashboard body first)',
].join('\n');

const answer = actionAnswer;

interface InstanceRecord {
  InstanceId?: string;
  State?: { Name?: string };
  Tags?: Array<{ Key?: string; Value?: string }>;
}

export interface ResolvedInstance {
  id: string;
  name?: string;
}

const nameOf = (instance: InstanceRecord) => instance.Tags?.find((tag) => tag.Key === 'Name')?.Value;

/** An instance by ID or Name tag, through `ec2.instances.list`; several matches are all returned. */
export async function resolveInstances(read: Read, nameOrId: string): Promise<ResolvedInstance[]> {
  const byId = /^i-[0-9a-f]{8,17}$/.test(nameOrId);
  const output = (await read(
    'ec2.instances.list',
    byId ? { ids: [nameOrId] } : { filters: [{ name: 'tag:Name', values: [nameOrId] }] },
  )) as { items: InstanceRecord[] };
  return output.items
    .filter((instance) => instance.InstanceId && instance.State?.Name !== 'terminated')
    .map((instance) => ({ id: instance.InstanceId!, name: nameOf(instance) }));
}

/** Period and evaluation periods for a duration: 5-minute periods where they fit, else 1-minute ones. */
export function alarmPeriods(durationSeconds: number): { period: number; evaluationPeriods: number } | undefined {
  if (durationSeconds < 60 || durationSeconds % 60 !== 0) return undefined;
  const period = durationSeconds % 300 === 0 ? 300 : 60;
  const evaluationPeriods = durationSeconds / period;
  return evaluationPeriods <= 1440 ? { period, evaluationPeriods } : undefined;
}

/** The `cloudwatch.alarms.put` input for a parsed alarm request on one instance. */
export function alarmInputFor(
  request: Extract<ObservabilityRequest, { kind: 'create-alarm' }>,
  instance: ResolvedInstance,
): Record<string, unknown> | undefined {
  const periods = alarmPeriods(request.durationSeconds);
  if (!periods) return undefined;
  const metric = METRICS[request.metric];
  const above = request.comparison.startsWith('Greater');
  const label = (instance.name ?? instance.id).replace(/[^\w.-]+/g, '-').slice(0, 100);
  return {
    alarmName: `${label}-${metric.metricName}-${above ? 'above' : 'below'}-${request.threshold}`,
    namespace: 'AWS/EC2',
    metricName: metric.metricName,
    dimensions: [{ name: 'InstanceId', value: instance.id }],
    statistic: metric.statistic,
    period: periods.period,
    evaluationPeriods: periods.evaluationPeriods,
    threshold: request.threshold,
    comparisonOperator: request.comparison,
    description: `${metric.label} ${above ? 'above' : 'below'} ${request.threshold} ${metric.unit} on ${instance.name ?? instance.id} (created with Pilot Light)`,
  };
}

async function oneInstance(
  ctx: ObservabilityAnswerContext,
  name: string,
): Promise<ResolvedInstance | ObservabilityAnswer> {
  const found = await resolveInstances(ctx.read, name);
  if (!found.length)
    return answer(
      `Nothing was changed. I found no EC2 instance with ID or Name ${inlineCode(name, 80)} in ${inlineCode(ctx.region)}.`,
    );
  if (found.length > 1)
    return answer(
      `Nothing was changed. ${found.length} instances are named ${inlineCode(name, 80)}: ${found
        .slice(0, 10)
        .map((instance) => inlineCode(instance.id))
        .join(', ')}. Name one by its instance ID.`,
    );
  return found[0];
}

async function createAlarm(
  ctx: ObservabilityAnswerContext,
  request: Extract<ObservabilityRequest, { kind: 'create-alarm' }>,
): Promise<ObservabilityAnswer> {
  const instance = await oneInstance(ctx, request.resource);
  if ('markdown' in instance) return instance;
  const input = alarmInputFor(request, instance);
  if (!input)
    return answer(
      'Nothing was changed. An alarm duration must be whole minutes (at least 1 minute), e.g. "for 5 minutes".',
    );
  return proposeChange(ctx, `create alarm ${String(input.alarmName)}`, 'cloudwatch.alarms.put', input);
}

async function listAlarmsAnswer(ctx: ObservabilityAnswerContext): Promise<ObservabilityAnswer> {
  const output = (await ctx.read('cloudwatch.alarms.list', { maxResults: 100 })) as {
    items: Array<Parameters<typeof alarmCondition>[0]>;
    nextToken?: string;
  };
  const alarms = sortAlarms(output.items);
  if (!alarms.length)
    return answer(`No CloudWatch metric alarms in ${inlineCode(ctx.region)}.`, {
      followups: [
        { label: 'Create a CPU alarm', prompt: 'alarm when CPU exceeds 80 % for 5 minutes on ', command: 'observe' },
      ],
    });
  const firing = alarms.filter((alarm) => alarm.StateValue === 'ALARM').length;
  return answer(
    `**${alarms.length} alarm${alarms.length === 1 ? '' : 's'}** in ${inlineCode(ctx.region)}, ${firing} in ALARM${output.nextToken ? ' (first 100)' : ''}:\n\n${table(
      ['State', 'Alarm', 'Condition', 'Since'],
      alarms.map((alarm) => [
        alarm.StateValue,
        alarm.AlarmName,
        alarmCondition(alarm),
        alarm.StateUpdatedTimestamp ? String(alarm.StateUpdatedTimestamp).slice(0, 16).replace('T', ' ') : '',
      ]),
    )}`,
  );
}

async function logsQuery(
  ctx: ObservabilityAnswerContext,
  request: Extract<ObservabilityRequest, { kind: 'logs-query' }>,
): Promise<ObservabilityAnswer> {
  const groups = await matchingLogGroups(ctx.read, request.source);
  if (!groups.length)
    return answer(
      request.source
        ? `I found no log group whose name contains ${inlineCode(request.source, 80)} in ${inlineCode(ctx.region)}.`
        : `There are no log groups in ${inlineCode(ctx.region)}.`,
    );
  const now = (ctx.now ?? new Date()).getTime();
  const queryString = insightsQueryFor({ level: request.level, text: request.text });
  const result = await runInsightsQuery(
    ctx.read,
    { logGroupNames: groups, queryString, startTime: now - request.sinceMs, endTime: now },
    { sleep: ctx.sleep },
  );
  const hours = request.sinceMs / 3600_000;
  const window =
    hours >= 1
      ? `${Number.isInteger(hours) ? hours : hours.toFixed(1)} hour${hours === 1 ? '' : 's'}`
      : `${Math.round(request.sinceMs / 60_000)} minutes`;
  return answer(
    `**Logs Insights** over ${groups.map((group) => inlineCode(group, 120)).join(', ')}, the last ${window}:\n\n${codeBlock(queryString)}\n\n${resultsTable(result)}`,
  );
}

async function dashboard(
  ctx: ObservabilityAnswerContext,
  request: Extract<ObservabilityRequest, { kind: 'dashboard' }>,
): Promise<ObservabilityAnswer> {
  const instances: ResolvedInstance[] = [];
  for (const name of request.resources) {
    const found = await oneInstance(ctx, name);
    if ('markdown' in found) return found;
    instances.push(found);
  }
  const resources = instances.map((instance) => ({ type: 'ec2:instance', id: instance.id, name: instance.name }));
  const body = dashboardBody(resources, request.metrics, ctx.region);
  const name = dashboardName(resources);
  return proposeChange(ctx, `put dashboard ${name}`, 'cloudwatch.dashboards.put', {
    dashboardName: name,
    dashboardBody: JSON.stringify(body),
  });
}

export async function answerObservability(
  ctx: ObservabilityAnswerContext,
  prompt: string,
): Promise<ObservabilityAnswer> {
  const request = parseObservabilityRequest(prompt);
  if (!request) return answer(OBSERVE_HELP);
  switch (request.kind) {
    case 'alarms':
      return listAlarmsAnswer(ctx);
    case 'create-alarm':
      return createAlarm(ctx, request);
    case 'logs-query':
      return logsQuery(ctx, request);
    case 'dashboard':
      return dashboard(ctx, request);
  }
}
