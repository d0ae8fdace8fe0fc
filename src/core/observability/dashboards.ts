import { METRICS, type MetricKey } from './chatIntent';

/** A resource on a dashboard: instances for now (their metrics are AWS/EC2 by InstanceId). */
export interface DashboardResource {
  type: string;
  id: string;
  name?: string;
}

export interface DashboardWidget {
  type: 'metric';
  x: number;
  y: number;
  width: number;
  height: number;
  properties: {
    title: string;
    region: string;
    view: 'timeSeries';
    stat: string;
    period: number;
    metrics: Array<Array<string | { label: string }>>;
  };
}

export interface DashboardBody {
  widgets: DashboardWidget[];
}

const NAMESPACE_BY_TYPE: Record<string, { namespace: string; dimension: string }> = {
  'ec2:instance': { namespace: 'AWS/EC2', dimension: 'InstanceId' },
};

export const MAX_DASHBOARD_RESOURCES = 50;

/** Resources a dashboard cannot chart (their type has no metrics here); the caller names them. */
export function unsupportedResources(resources: readonly DashboardResource[]): DashboardResource[] {
  return resources.filter((resource) => !NAMESPACE_BY_TYPE[resource.type]);
}

/**
 * One time-series widget per metric, each with a line per resource, two widgets per row.
 * Deterministic: the same selection gives the same body, so a dry-run and its execution agree.
 */
export function dashboardBody(
  resources: readonly DashboardResource[],
  metrics: readonly MetricKey[],
  region: string,
): DashboardBody {
  const charted = resources.filter((resource) => NAMESPACE_BY_TYPE[resource.type]).slice(0, MAX_DASHBOARD_RESOURCES);
  if (!charted.length) throw new Error('Select at least one EC2 instance for the dashboard.');
  const keys = [...new Set(metrics.length ? metrics : (['cpu'] as MetricKey[]))];
  const widgets = keys.map((key, index): DashboardWidget => {
    const metric = METRICS[key];
    return {
      type: 'metric',
      x: (index % 2) * 12,
      y: Math.floor(index / 2) * 6,
      width: 12,
      height: 6,
      properties: {
        title: `${metric.label} (${metric.unit})`,
        region,
        view: 'timeSeries',
        stat: metric.statistic,
        period: 300,
        metrics: charted.map((resource) => {
          const { namespace, dimension } = NAMESPACE_BY_TYPE[resource.type];
          return [namespace, metric.metricName, dimension, resource.id, { label: resource.name || resource.id }];
        }),
      },
    };
  });
  return { widgets };
}

/** A dashboard name from resource names: letters, digits, "-" and "_", at most 255. */
export function dashboardName(resources: readonly DashboardResource[]): string {
  const base = resources
    .slice(0, 4)
    .map((resource) => (resource.name || resource.id).replace(/[^A-Za-z0-9_-]+/g, '-'))
    .join('_');
  return `pilot-light_${base || 'resources'}${resources.length > 4 ? `_and-${resources.length - 4}-more` : ''}`.slice(
    0,
    255,
  );
}
