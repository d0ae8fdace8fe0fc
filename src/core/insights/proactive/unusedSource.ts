/**
 * /unused as insights: one insight per category and region ("5 unattached EBS volumes cost about
 * $50/month"), priced from the same dated table as /unused.
 */
import { CATEGORY_TITLES, collectUnused, type UnusedCategory, type UnusedFinding, type UnusedReport } from '../unused';
import { fingerprintOf } from './fingerprint';
import { PartialInsightsError } from './runner';
import { unknownEnvironment, usd, type SourceOptions } from './sourceOptions';
import type { Insight, InsightContext, InsightSource } from './types';

type CostedCategory = Exclude<UnusedCategory, 'unused-security-group'>;

const NOUNS: Record<CostedCategory, [string, string, string]> = {
  'unattached-volume': ['unattached EBS volume', 'unattached EBS volumes', 'Delete'],
  'unassociated-eip': ['unassociated Elastic IP', 'unassociated Elastic IPs', 'Release'],
  'stopped-instance': ['long-stopped instance', 'long-stopped instances', 'Terminate'],
  'orphaned-snapshot': ['orphaned snapshot', 'orphaned snapshots', 'Delete'],
};

/** One /unused read per check run, shared by the sources that judge it. */
const reports = new WeakMap<InsightContext, Promise<UnusedReport>>();

function unusedReport(context: InsightContext, options: SourceOptions): Promise<UnusedReport> {
  let report = reports.get(context);
  if (!report) {
    report = collectUnused(context.read, {
      region: context.region,
      resolveEnvironment: options.resolveEnvironment ?? unknownEnvironment,
      now: context.now,
      stoppedDays: options.stoppedDays,
    });
    reports.set(context, report);
  }
  return report;
}

/** The insight for one category's findings, or undefined when there are none. */
export function unusedCategoryInsight(
  category: CostedCategory,
  findings: readonly UnusedFinding[],
  context: Pick<InsightContext, 'account' | 'region'>,
  stoppedDays = 14,
): Insight | undefined {
  const mine = findings.filter((finding) => finding.category === category);
  if (!mine.length) return undefined;
  const total = Math.round(mine.reduce((sum, finding) => sum + finding.monthlyUsd, 0) * 100) / 100;
  const [one, many, verb] = NOUNS[category];
  const noun = mine.length === 1 ? one : many;
  const costly = [...mine].sort((a, b) => b.monthlyUsd - a.monthlyUsd);
  const top = costly.find((finding) => finding.cleanup);
  const stopped = category === 'stopped-instance' ? ` (stopped ${stoppedDays}+ days)` : '';
  const cost = total > 0 ? ` cost about ${usd(total)}/month` : '';
  const fix =
    category === 'stopped-instance'
      ? {
          title: `Dry-run: terminate ${mine.length === 1 ? 'it' : `all ${mine.length}`}`,
          operationId: 'ec2.instances.terminate',
          input: { instanceIds: mine.slice(0, 50).map((finding) => finding.resource.id) },
        }
      : top?.cleanup
        ? {
            title: `Dry-run: ${verb.toLowerCase()} ${top.resource.name ?? top.resource.id}${mine.length > 1 ? ` (the costliest of ${mine.length})` : ''}`,
            operationId: top.cleanup.operationId,
            input: top.cleanup.input,
          }
        : undefined;
  return {
    id: `unused:${category}:${context.account}:${context.region}`,
    fingerprint: fingerprintOf(mine.map((finding) => finding.resource.id)),
    sourceId: category === 'unattached-volume' ? 'unattached-volumes' : 'unused-resources',
    severity: total >= 100 ? 'medium' : 'low',
    title: `${mine.length} ${noun}${stopped}${cost}`,
    detail: costly
      .slice(0, 10)
      .map(
        (finding) =>
          `${finding.resource.name ?? finding.resource.id}: ${usd(finding.monthlyUsd)}/month, ${finding.reason}`,
      )
      .concat(mine.length > 10 ? [`and ${mine.length - 10} more`] : [])
      .join('\n'),
    resources: costly.map((finding) => ({
      type: finding.resource.type,
      id: finding.resource.id,
      region: finding.resource.region ?? context.region,
      account: context.account,
    })),
    ...(fix ? { fix } : {}),
  };
}

function categorySource(
  id: string,
  title: string,
  categories: readonly CostedCategory[],
  options: SourceOptions,
): InsightSource {
  return {
    id,
    title,
    async collect(context) {
      const report = await unusedReport(context, options);
      const unjudged = report.notChecked.filter((entry) => (categories as readonly string[]).includes(entry.category));
      const insights = categories
        .filter((category) => !unjudged.some((entry) => entry.category === category))
        .map((category) => unusedCategoryInsight(category, report.findings, context, report.stoppedDays))
        .filter((insight): insight is Insight => Boolean(insight));
      if (!unjudged.length) return insights;
      const reason = unjudged
        .map((entry) => `${CATEGORY_TITLES[entry.category].toLowerCase()}: ${entry.reason}`)
        .join('; ');
      if (unjudged.length === categories.length)
        throw new Error(`${reason}${report.errors.length ? ` (${report.errors.join('; ')})` : ''}`);
      throw new PartialInsightsError(reason, insights);
    },
  };
}

export function unattachedVolumesSource(options: SourceOptions = {}): InsightSource {
  return categorySource('unattached-volumes', 'Unattached EBS volumes', ['unattached-volume'], options);
}

export function unusedResourcesSource(options: SourceOptions = {}): InsightSource {
  return categorySource(
    'unused-resources',
    'Unused Elastic IPs, stopped instances and snapshots',
    ['unassociated-eip', 'stopped-instance', 'orphaned-snapshot'],
    options,
  );
}
