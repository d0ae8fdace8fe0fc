/**
 * "What should I look at?" and /insights in @aws, without a model: the top insights as the start of a
 * conversation, each with its resources and a dry-run of the fix (never run directly).
 */
import type { ChatAction } from '../../conversation/chatAction';
import type { ChatAnswer } from '../../conversation/answers';
import { escapeMarkdown } from '../../conversation/markdown';
import type { EnvironmentResolver } from '../facts';
import type { ReadOperation } from '../reads';
import { visibleInsights, type DismissalState } from './dismissals';
import { collectInsights, type InsightsReport } from './runner';
import { proactiveSources } from './sources';
import type { InsightSource } from './types';

/** "what should I look at?", "anything I should know about?", "what needs my attention?", "insights". */
const INSIGHTS_QUESTION =
  /^\s*(?:insights?|what should i (?:look at|check|worry about|know|fix)(?: first| today| now)?|(?:is there )?anything (?:i should|to) (?:look at|know|worry about|check)(?: about)?|what needs (?:my )?attention|what(?:'s| is) (?:wrong|worth (?:a )?look(?:ing at)?))\s*[?.!]*\s*$/i;

export function isInsightsQuestion(text: string): boolean {
  return text.length <= 200 && INSIGHTS_QUESTION.test(text);
}

const SEVERITY_LABEL = { high: 'High', medium: 'Medium', low: 'Low' } as const;
export const TOP_INSIGHTS = 5;

/** The answer for a report; dismissed insights are left out and counted. */
export function renderInsightsAnswer(report: InsightsReport, dismissals: DismissalState = {}): ChatAnswer {
  const { visible, dismissed } = visibleInsights(dismissals, report.insights);
  const top = visible.slice(0, TOP_INSIGHTS);
  const gaps = report.sources.filter((status) => status.state !== 'ok');
  const lines: string[] = [];
  if (top.length) {
    lines.push(
      `**Here is what I would look at first** (${visible.length} insight${visible.length === 1 ? '' : 's'} in ${escapeMarkdown(report.region, 30)}):`,
      '',
    );
    top.forEach((insight, index) => {
      lines.push(`${index + 1}. **${SEVERITY_LABEL[insight.severity]}:** ${escapeMarkdown(insight.title, 200)}`);
      const firstDetail = insight.detail?.split('\n')[0];
      if (firstDetail) lines.push(`   ${escapeMarkdown(firstDetail, 240)}`);
    });
    if (visible.length > top.length) lines.push('', `And ${visible.length - top.length} more in the Insights view.`);
  } else if (gaps.length) {
    lines.push(
      '**Nothing found among what could be checked**, but not everything could be checked, so this is not a clean bill of health.',
    );
  } else {
    lines.push(`**Nothing to look at right now.** All ${report.sources.length} checks ran in full.`);
  }
  if (gaps.length) {
    lines.push('', '**Not checked in full:**');
    for (const gap of gaps)
      lines.push(
        `- ${escapeMarkdown(gap.title, 80)}: ${gap.state === 'partial' ? 'partly checked' : 'not checked'} (${escapeMarkdown(gap.reason ?? 'unknown reason', 300)})`,
      );
  }
  if (dismissed.length)
    lines.push(
      '',
      `_${dismissed.length} dismissed insight${dismissed.length === 1 ? ' is' : 's are'} hidden until ${dismissed.length === 1 ? 'it changes' : 'they change'}._`,
    );
  const checked = report.sources.filter((status) => status.state === 'ok').map((status) => status.title.toLowerCase());
  if (checked.length) lines.push('', `Checked in full: ${escapeMarkdown(checked.join(', '), 400)}.`);

  const actions: ChatAction[] = [];
  for (const insight of top) {
    if (insight.fix && actions.filter((action) => action.kind === 'dry-run').length < 3)
      actions.push({
        kind: 'dry-run',
        title: insight.fix.title,
        operationId: insight.fix.operationId,
        input: insight.fix.input,
        region: insight.resources[0]?.region ?? report.region,
      });
  }
  const shown = top.flatMap((insight) => insight.resources.slice(0, 1)).slice(0, 2);
  for (const resource of shown) actions.push({ kind: 'show-in-explorer', resource });
  return {
    markdown: lines.join('\n'),
    touched: top.flatMap((insight) => insight.resources).slice(0, 100),
    actions,
    followups: [
      { label: 'Find unused resources', prompt: '', command: 'unused' },
      { label: 'Find security issues', prompt: '', command: 'security' },
    ],
  };
}

/** Runs the sources for the chat's account and region, then answers. */
export async function answerInsights(
  ctx: {
    read: ReadOperation;
    region: string;
    resolveEnvironment: EnvironmentResolver;
    stoppedDays?: number;
    now?: Date;
  },
  options: { account?: string; dismissals?: DismissalState; sources?: InsightSource[] } = {},
): Promise<ChatAnswer> {
  const report = await collectInsights(
    options.sources ?? proactiveSources({ resolveEnvironment: ctx.resolveEnvironment, stoppedDays: ctx.stoppedDays }),
    { read: ctx.read, account: options.account ?? 'current', region: ctx.region, now: ctx.now ?? new Date() },
  );
  return renderInsightsAnswer(report, options.dismissals);
}
