import type { ComplianceFinding, ComplianceReport } from '../types';
import { groupByRule, SEVERITY_ORDER, summarize, verdictLine } from './summary';

const MAX_CELL = 500;

/** Text safe inside a Markdown table cell: one line, no table or HTML syntax, bounded. */
export function markdownCell(text: string): string {
  const oneLine = text.replace(/\r?\n|\r/g, ' ').slice(0, MAX_CELL);
  return oneLine.replace(/([\\|`*_[\]<>#])/g, '\\$1');
}

function resourceLabel(finding: ComplianceFinding): string {
  const { resource } = finding;
  const name = resource.name && resource.name !== resource.id ? ` (${resource.name})` : '';
  return `${resource.type} ${resource.id}${name}`;
}

/**
 * The report for people (auditors, a pull request): verdict, counts by severity, findings grouped by rule
 * with the fix, then every check that did not run with why. Never says "clean" when a check did not run.
 */
export function complianceReportMarkdown(report: ComplianceReport): string {
  const summary = summarize(report);
  const lines: string[] = [
    '# Compliance report',
    '',
    `- Account: ${markdownCell(report.account)}`,
    `- Regions: ${markdownCell(report.regions.join(', ') || '(none)')}`,
    `- Generated: ${markdownCell(report.generatedAt)}`,
    `- Checks: ${summary.checksRun} ran, ${summary.checksNotRun.length} did not run`,
    '',
    `**${verdictLine(summary)}**`,
    '',
    '| Severity | Findings |',
    '| --- | ---: |',
    ...SEVERITY_ORDER.map((severity) => `| ${severity} | ${summary.bySeverity[severity]} |`),
    '',
  ];
  const groups = groupByRule(report).filter((group) => group.findings.length);
  if (groups.length) lines.push('## Findings by rule', '');
  for (const group of groups) {
    lines.push(
      `### ${markdownCell(group.ruleTitle)} (${markdownCell(group.ruleId)})`,
      '',
      `Severity: **${group.severity}**, ${group.findings.length} finding${group.findings.length === 1 ? '' : 's'}, source ${group.source}.`,
      '',
      '| Severity | Resource | Account | Region | Finding | Fix |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const finding of group.findings)
      lines.push(
        `| ${finding.severity} | ${markdownCell(resourceLabel(finding))} | ${markdownCell(finding.account)} | ${markdownCell(finding.region)} | ${markdownCell(finding.message)} | ${markdownCell(finding.fix.description)}${finding.fix.operationId ? ` (Pilot Light: ${markdownCell(finding.fix.operationId)})` : ''} |`,
      );
    lines.push('');
  }
  if (summary.checksNotRun.length) {
    lines.push(
      '## Checks that did not run',
      '',
      'These rules were not evaluated; their resources are neither compliant nor non-compliant in this report.',
      '',
    );
    for (const check of summary.checksNotRun)
      lines.push(
        `- ${markdownCell(check.ruleTitle)} (${markdownCell(check.ruleId)}): ${check.status === 'error' ? 'failed' : 'not run'}: ${markdownCell(check.reason ?? 'no reason given')}`,
      );
    lines.push('');
  }
  const passed = report.checks.filter((check) => check.status === 'ran' && !check.findings.length);
  if (passed.length) {
    lines.push('## Checks that ran without findings', '');
    for (const check of passed)
      lines.push(
        `- ${markdownCell(check.ruleTitle)} (${markdownCell(check.ruleId)}): ${check.resourcesEvaluated} resource${check.resourcesEvaluated === 1 ? '' : 's'} evaluated`,
      );
    lines.push('');
  }
  return `${lines.join('\n')}`;
}
