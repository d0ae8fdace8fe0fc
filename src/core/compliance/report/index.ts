export { complianceReportMarkdown, markdownCell } from './markdown';
export { complianceReportJson, parseComplianceReportJson, REPORT_JSON_FORMAT, REPORT_JSON_VERSION } from './json';
export {
  complianceReportSarif,
  complianceReportSarifText,
  resourceQualifiedName,
  sarifLevel,
  SARIF_SCHEMA_URI,
  type SarifLog,
  type SarifOptions,
  type TemplateLocation,
} from './sarif';
export { groupByRule, severityRank, SEVERITY_ORDER, summarize, verdictLine, type RuleGroup } from './summary';

export type ReportFormat = 'markdown' | 'json' | 'sarif';
