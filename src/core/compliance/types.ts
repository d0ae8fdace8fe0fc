/**
 * The shared shape of compliance results: checks (CIS-style, tag policy, AWS Config, Security Hub) all
 * produce findings of this shape, and the view, the reports (Markdown, JSON, SARIF) and the remediations
 * read only this. A check that did not run says so (`notRun`/`error`); it never counts as passed.
 */
import type { ReadOperation } from '../insights/reads';

export type ComplianceSeverity = 'critical' | 'high' | 'medium' | 'low' | 'informational';

export type FindingSource = 'pilotlight' | 'tagPolicy' | 'awsConfig' | 'securityHub';

export interface ComplianceResource {
  /** CloudFormation-style type, e.g. AWS::EC2::SecurityGroup, AWS::S3::AccountPublicAccessBlock, AWS::::Account. */
  type: string;
  id: string;
  arn?: string;
  name?: string;
}

export interface ComplianceFix {
  /** What to do, in one sentence a user can follow by hand. */
  description: string;
  /** A registered write that fixes it, offered with preview and guardrails; never run without confirmation. */
  operationId?: string;
  input?: Record<string, unknown>;
}

export interface ComplianceFinding {
  /** Stable rule id, e.g. `cis.rootAccessKeys`, `tagPolicy.requiredTag`, `config:<rule name>`, `securityHub:<generator>`. */
  ruleId: string;
  ruleTitle: string;
  severity: ComplianceSeverity;
  source: FindingSource;
  resource: ComplianceResource;
  account: string;
  region: string;
  /** What is wrong with this resource. */
  message: string;
  fix: ComplianceFix;
}

/** How one check went: `ran` (its findings are the whole answer), `notRun` (skipped, with why), `error`. */
export type CheckStatus = 'ran' | 'notRun' | 'error';

export interface CheckResult {
  ruleId: string;
  ruleTitle: string;
  source: FindingSource;
  status: CheckStatus;
  /** Why it did not run, or the error; absent when it ran. */
  reason?: string;
  resourcesEvaluated: number;
  findings: ComplianceFinding[];
}

export interface ComplianceReport {
  generatedAt: string;
  account: string;
  regions: string[];
  checks: CheckResult[];
  /** Registered read operations called, by operation id (the benchmark's `apiCalls`). */
  apiCalls: Record<string, number>;
}

/** What a check is given: reads go through the operation registry (OperationRunner.run). */
export interface CheckContext {
  read: ReadOperation;
  account: string;
  region: string;
  /** The workspace tag policy, already merged tighten-only over the user's; undefined when there is none. */
  tagPolicy?: unknown;
}

export interface ComplianceCheck {
  ruleId: string;
  ruleTitle: string;
  severity: ComplianceSeverity;
  source: FindingSource;
  run(context: CheckContext): Promise<CheckResult>;
}

/** True when every check ran and none found anything; a check that did not run is never "clean". */
export function reportIsClean(report: ComplianceReport): boolean {
  return (
    report.checks.length > 0 && report.checks.every((check) => check.status === 'ran' && check.findings.length === 0)
  );
}
