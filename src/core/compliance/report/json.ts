import type { CheckResult, ComplianceFinding, ComplianceReport } from '../types';
import { summarize, type ReportSummary } from './summary';

export const REPORT_JSON_FORMAT = 'pilot-light.compliance-report';
export const REPORT_JSON_VERSION = 1;
/** Larger files are refused before parsing. */
export const MAX_REPORT_JSON_BYTES = 50 * 1024 * 1024;

export interface ComplianceReportJson {
  format: typeof REPORT_JSON_FORMAT;
  version: typeof REPORT_JSON_VERSION;
  clean: boolean;
  summary: Omit<ReportSummary, 'checksNotRun' | 'clean'> & { checksNotRun: string[] };
  report: ComplianceReport;
}

/** The report as versioned JSON; `report` is the ComplianceReport exactly, `summary` is derived from it. */
export function complianceReportJson(report: ComplianceReport): string {
  const summary = summarize(report);
  const document: ComplianceReportJson = {
    format: REPORT_JSON_FORMAT,
    version: REPORT_JSON_VERSION,
    clean: summary.clean,
    summary: {
      findings: summary.findings,
      bySeverity: summary.bySeverity,
      checksRun: summary.checksRun,
      rulesWithFindings: summary.rulesWithFindings,
      checksNotRun: summary.checksNotRun.map((check) => check.ruleId),
    },
    report,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';

function fail(path: string, expected: string): never {
  throw new Error(`Not a Pilot Light compliance report: ${path} should be ${expected}.`);
}

function checkFinding(value: unknown, path: string): ComplianceFinding {
  if (!isObject(value)) fail(path, 'an object');
  for (const key of ['ruleId', 'ruleTitle', 'severity', 'source', 'account', 'region', 'message'])
    if (!isString(value[key])) fail(`${path}.${key}`, 'a string');
  if (!isObject(value.resource) || !isString(value.resource.type) || !isString(value.resource.id))
    fail(`${path}.resource`, 'an object with type and id');
  if (!isObject(value.fix) || !isString(value.fix.description)) fail(`${path}.fix`, 'an object with a description');
  return value as unknown as ComplianceFinding;
}

function checkResult(value: unknown, path: string): CheckResult {
  if (!isObject(value)) fail(path, 'an object');
  for (const key of ['ruleId', 'ruleTitle', 'source']) if (!isString(value[key])) fail(`${path}.${key}`, 'a string');
  if (!['ran', 'notRun', 'error'].includes(value.status as string)) fail(`${path}.status`, 'ran, notRun or error');
  if (typeof value.resourcesEvaluated !== 'number') fail(`${path}.resourcesEvaluated`, 'a number');
  if (!Array.isArray(value.findings)) fail(`${path}.findings`, 'an array');
  value.findings.forEach((finding, index) => checkFinding(finding, `${path}.findings[${index}]`));
  return value as unknown as CheckResult;
}

/** Reads a file written by complianceReportJson; throws a clear error for anything else. */
export function parseComplianceReportJson(text: string): ComplianceReport {
  if (text.length > MAX_REPORT_JSON_BYTES) throw new Error('The compliance report is larger than 50 MB.');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new Error(`The compliance report is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isObject(document) || document.format !== REPORT_JSON_FORMAT) fail('format', `"${REPORT_JSON_FORMAT}"`);
  if (document.version !== REPORT_JSON_VERSION)
    throw new Error(
      `Compliance report version ${String(document.version)} is not supported (this Pilot Light reads version ${REPORT_JSON_VERSION}).`,
    );
  const report = document.report;
  if (!isObject(report)) fail('report', 'an object');
  if (!isString(report.generatedAt)) fail('report.generatedAt', 'a string');
  if (!isString(report.account)) fail('report.account', 'a string');
  if (!Array.isArray(report.regions) || !report.regions.every(isString)) fail('report.regions', 'a list of strings');
  if (!Array.isArray(report.checks)) fail('report.checks', 'an array');
  report.checks.forEach((check, index) => checkResult(check, `report.checks[${index}]`));
  if (!isObject(report.apiCalls)) fail('report.apiCalls', 'an object');
  return report as unknown as ComplianceReport;
}
