/**
 * `@aws /compliance`, without a language model: runs the checks through registered reads and answers with
 * a table of the failing rules, and lists the checks that did not run (never "all clear" while one did not).
 */
import type { ChatFollowup } from '../conversation/chatAction';
import { escapeMarkdown, inlineCode, plural, table } from '../conversation/markdown';
import type { ReadOperation } from '../insights/reads';
import { runComplianceChecks } from './run';
import type { TagPolicy } from './tagPolicy';
import { reportIsClean, type ComplianceReport, type ComplianceSeverity } from './types';

export interface ComplianceChatContext {
  read: ReadOperation;
  region: string;
  account: string | undefined;
  tagPolicy?: TagPolicy;
  tagPolicyErrors?: string[];
}

export interface ComplianceChatAnswer {
  markdown: string;
  touched: never[];
  actions: never[];
  followups: ChatFollowup[];
}

const SEVERITY_ORDER: ComplianceSeverity[] = ['critical', 'high', 'medium', 'low', 'informational'];

/** The summary a person reads: failing rules by severity, then the checks that did not run. */
export function renderComplianceSummary(report: ComplianceReport): string {
  const where = `account ${inlineCode(report.account)}, ${report.regions.map((region) => inlineCode(region)).join(', ')}`;
  const failing = report.checks
    .flatMap((check) => {
      const byRule = new Map<string, { title: string; severity: ComplianceSeverity; count: number; example: string }>();
      for (const finding of check.findings) {
        const entry = byRule.get(finding.ruleId) ?? {
          title: finding.ruleTitle,
          severity: finding.severity,
          count: 0,
          example: finding.resource.name ?? finding.resource.id,
        };
        entry.count += 1;
        if (SEVERITY_ORDER.indexOf(finding.severity) < SEVERITY_ORDER.indexOf(entry.severity))
          entry.severity = finding.severity;
        byRule.set(finding.ruleId, entry);
      }
      return [...byRule.entries()].map(([ruleId, entry]) => ({ ruleId, ...entry }));
    })
    .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || b.count - a.count);
  const notRun = report.checks.filter((check) => check.status !== 'ran');
  const lines: string[] = [];
  if (reportIsClean(report))
    lines.push(`**Compliance: every check ran and passed** (${plural(report.checks.length, 'check')}, ${where}).`);
  else if (failing.length)
    lines.push(
      `**Compliance: ${plural(failing.length, 'failing rule')}, ${plural(
        failing.reduce((sum, rule) => sum + rule.count, 0),
        'finding',
      )}** (${where}).`,
      '',
      table(
        ['Severity', 'Rule', 'Id', 'Findings', 'For example'],
        failing.slice(0, 40).map((rule) => [rule.severity, rule.title, rule.ruleId, rule.count, rule.example]),
      ),
    );
  else lines.push(`**Compliance: no findings, but not every check ran** (${where}).`);
  if (failing.length > 40)
    lines.push('', `…and ${failing.length - 40} more rules: open the Compliance view for all of them.`);
  if (notRun.length)
    lines.push(
      '',
      `**Not checked** (${plural(notRun.length, 'check')}; these are not passes):`,
      ...notRun.map(
        (check) =>
          `- ${escapeMarkdown(check.ruleTitle, 100)} (${check.status === 'notRun' ? 'not run' : 'error'}): ${escapeMarkdown(check.reason ?? 'no reason given', 300)}`,
      ),
    );
  const calls = Object.values(report.apiCalls).reduce((sum, count) => sum + count, 0);
  lines.push('', `_${plural(calls, 'registered read')}; nothing was changed._`);
  return lines.join('\n');
}

export async function answerCompliance(ctx: ComplianceChatContext): Promise<ComplianceChatAnswer> {
  const answer = (markdown: string): ComplianceChatAnswer => ({
    markdown,
    touched: [],
    actions: [],
    followups: [{ label: 'Find security issues', prompt: '', command: 'security' }],
  });
  if (!ctx.account)
    return answer('I could not tell which AWS account this is (sign in with `/context`), so nothing was checked.');
  const report = await runComplianceChecks({
    read: ctx.read,
    account: ctx.account,
    regions: [ctx.region],
    tagPolicy: ctx.tagPolicy,
    tagPolicyErrors: ctx.tagPolicyErrors,
  });
  return answer(renderComplianceSummary(report));
}
