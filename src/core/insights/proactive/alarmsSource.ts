import type { Insight, InsightContext, InsightResource, InsightSource } from './types';

interface AlarmRecord {
  AlarmName?: string;
  AlarmArn?: string;
  StateValue?: string;
  StateUpdatedTimestamp?: string | Date;
  MetricName?: string;
  Dimensions?: Array<{ Name?: string; Value?: string }>;
}

const MAX_PAGES = 20;

function isoOf(value: string | Date | undefined): string | undefined {
  if (!value) return undefined;
  const time = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(time) ? new Date(time).toISOString() : undefined;
}

/** "2026-01-31 12:00 UTC". */
function shortTime(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

const RESOURCE_DIMENSIONS: Record<string, string> = {
  InstanceId: 'ec2:instance',
  VolumeId: 'ec2:volume',
  DBInstanceIdentifier: 'rds:db-instance',
  FunctionName: 'lambda:function',
  LoadBalancer: 'elb:load-balancer',
};

/**
 * "N alarms in ALARM since <time>": the metric alarms in state ALARM in one region, with the alarms and the
 * resources they watch. One insight per region; its fingerprint changes when another alarm fires or one
 * fires again, so a dismissal holds only while the same alarms stay in ALARM.
 */
export const alarmsInAlarmSource: InsightSource = {
  id: 'cloudwatch-alarms',
  title: 'CloudWatch alarms in ALARM',
  async collect(context: InsightContext): Promise<Insight[]> {
    const alarms: AlarmRecord[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const output = (await context.read('cloudwatch.alarms.list', {
        stateValue: 'ALARM',
        maxResults: 100,
        ...(nextToken ? { nextToken } : {}),
      })) as { items?: AlarmRecord[]; nextToken?: string };
      alarms.push(...(output.items ?? []).filter((alarm) => alarm.StateValue === 'ALARM'));
      nextToken = output.nextToken;
      if (!nextToken) break;
    }
    if (!alarms.length) return [];
    const times = alarms.map((alarm) => isoOf(alarm.StateUpdatedTimestamp)).filter((time): time is string => !!time);
    const since = times.sort()[0];
    const names = alarms.map((alarm) => alarm.AlarmName ?? alarm.AlarmArn ?? '?');
    const resources: InsightResource[] = [];
    const seen = new Set<string>();
    const add = (resource: InsightResource) => {
      const key = `${resource.type}|${resource.id}`;
      if (seen.has(key)) return;
      seen.add(key);
      resources.push(resource);
    };
    for (const alarm of alarms) {
      add({
        type: 'cloudwatch:alarm',
        id: alarm.AlarmArn ?? alarm.AlarmName ?? '?',
        region: context.region,
        account: context.account,
      });
      for (const dimension of alarm.Dimensions ?? []) {
        const type = dimension.Name && RESOURCE_DIMENSIONS[dimension.Name];
        if (type && dimension.Value)
          add({ type, id: dimension.Value, region: context.region, account: context.account });
      }
    }
    const count = alarms.length;
    const fingerprint = alarms
      .map((alarm) => `${alarm.AlarmArn ?? alarm.AlarmName}@${isoOf(alarm.StateUpdatedTimestamp) ?? ''}`)
      .sort()
      .join(',');
    return [
      {
        id: `alarms-in-alarm:${context.account}:${context.region}`,
        fingerprint,
        sourceId: alarmsInAlarmSource.id,
        severity: 'high',
        title: `${count} alarm${count === 1 ? '' : 's'} in ALARM${since ? ` since ${shortTime(since)}` : ''}`,
        detail: `${names.slice(0, 10).join(', ')}${names.length > 10 ? ` and ${names.length - 10} more` : ''} (${context.region}).`,
        resources,
      },
    ];
  },
};
