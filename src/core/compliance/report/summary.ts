import type { CheckResult, ComplianceFinding, ComplianceReport, ComplianceSeverity } from '../types';
import { reportIsClean } from '../types';

/** Most severe first. */
export const SEVERITY_ORDER: readonly ComplianceSeverity[] = ['critical', 'high', 'medium', 'low', 'informational'];

export function severityRank(severity: ComplianceSeverity): number {
  const rank = SEVERITY_ORDER.indexOf(severity);
  return rank < 0 ? SEVERITY_ORDER.length : rank;
}

/** One rule with its findings; `severity` is the most severe of them (or undefined when there are none). */
export interface RuleGroup {
  ruleId: string;
  ruleTitle: string;
  source: CheckResult['source'];
  severity?: ComplianceSeverity;
  findings: ComplianceFinding[];
  checks: CheckResult[];
}

export interface ReportSummary {
  clean: boolean;
  findings: number;
  bySeverity: Record<ComplianceSeverity, number>;
  checksRun: number;
  checksNotRun: CheckResult[];
  rulesWithFindings: number;
}

/** Findings grouped by rule (a rule may come from several check results, e.g. one per region), most severe first. */
export function groupByRule(report: ComplianceReport): RuleGroup[] {
  const groups = new Map<string, RuleGroup>();
  for (const check of report.checks) {
    let group = groups.get(check.ruleId);
    if (!group) {
      group = { ruleId: check.ruleId, ruleTitle: check.ruleTitle, source: check.source, findings: [], checks: [] };
      groups.set(check.ruleId, group);
    }
    group.checks.push(check);
    for (const finding of check.findings) {
      group.findings.push(finding);
      if (!group.severity || severityRank(finding.severity) < severityRank(group.severity))
        group.severity = finding.severity;
    }
  }
  return [...groups.values()].sort(
    (a, b) =>
      severityRank(a.severity ?? 'informational') - severityRank(b.severity ?? 'informational') ||
      b.findings.length - a.findings.length ||
      a.ruleId.localeCompare(b.ruleId),
  );
}

export function summarize(report: ComplianceReport): ReportSummary {
  const bySeverity = Object.fromEntries(SEVERITY_ORDER.map((severity) => [severity, 0])) as Record<
    ComplianceSeverity,
    number
  >;
  let findings = 0;
  for (const check of report.checks)
    for (const finding of check.findings) {
      findings += 1;
      bySeverity[finding.severity] = (bySeverity[finding.severity] ?? 0) + 1;
    }
  const checksNotRun = report.checks.filter((check) => check.status !== 'ran');
  return {
    clean: reportIsClean(report),
    findings,
    bySeverity,
    checksRun: report.checks.length - checksNotRun.length,
    checksNotRun,
    rulesWithFindings: new Set(report.checks.filter((check) => check.findings.length).map((check) => check.ruleId))
      .size,
  };
}

/** The one-line verdict every export and view uses: never "clean" when a check did not run. */
export function verdictLine(summary: ReportSummary): string {
  if (summary.clean) return 'Clean: every check ran and found nothing.';
  if (summary.checksRun === 0 && summary.checksNotRun.length === 0) return 'Incomplete: no check ran.';
  const parts: string[] = [];
  if (summary.findings)
    parts.push(
      `${summary.findings} finding${summary.findings === 1 ? '' : 's'} in ${summary.rulesWithFindings} rule${summary.rulesWithFindings === 1 ? '' : 's'}`,
    );
  else parts.push('No findings from the checks that ran');
  if (summary.checksNotRun.length)
    parts.push(
      `${summary.checksNotRun.length} check${summary.checksNotRun.length === 1 ? '' : 's'} did not run, so the result is incomplete`,
    );
  return `${parts.join('; ')}.`;
}
