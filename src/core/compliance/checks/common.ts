import type { ReadOperation } from '../../insights/reads';
import type {
  CheckContext,
  CheckResult,
  ComplianceCheck,
  ComplianceFinding,
  ComplianceFix,
  ComplianceResource,
  ComplianceSeverity,
  FindingSource,
} from '../types';

/** Account-wide checks (IAM, S3 account settings, CloudTrail) run once; regional ones once per region. */
export type CheckScope = 'account' | 'region';

export interface ScopedComplianceCheck extends ComplianceCheck {
  scope: CheckScope;
}

/** A check could not run: the service is off or not subscribed in this account/region. */
export class CheckNotRun extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CheckNotRun';
  }
}

/** A list was longer than the check reads: it did not see everything, so it cannot pass. */
export class ListTruncated extends Error {
  constructor(operationId: string, pages: number) {
    super(`${operationId} returned more than ${pages} pages; the check did not see every resource.`);
    this.name = 'ListTruncated';
  }
}

/** The AWS error code of a failed read (ReadOperation errors read "Code: message"). */
export function errorCode(error: unknown): string {
  const name = (error as { name?: string })?.name;
  if (name && name !== 'Error') return name;
  const message = error instanceof Error ? error.message : String(error);
  return /^([A-Za-z][A-Za-z0-9.]*):/.exec(message)?.[1] ?? '';
}

/** Every item of a paged read ({ items, nextToken }); throws ListTruncated beyond `maxPages`. */
export async function readEvery<T = Record<string, unknown>>(
  read: ReadOperation,
  operationId: string,
  input: Record<string, unknown> = {},
  maxPages = 200,
): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < maxPages; page += 1) {
    const output = (await read(operationId, nextToken ? { ...input, nextToken } : input)) as
      { items?: T[]; nextToken?: string } | undefined;
    items.push(...(output?.items ?? []));
    nextToken = output?.nextToken;
    if (!nextToken) return items;
  }
  throw new ListTruncated(operationId, maxPages);
}

export type Tags = Array<{ Key?: string; Value?: string }> | undefined;

export function tagValue(tags: Tags, key: string): string | undefined {
  return tags?.find((tag) => tag.Key === key)?.Value;
}

export interface CheckDefinition {
  ruleId: string;
  ruleTitle: string;
  severity: ComplianceSeverity;
  source?: FindingSource;
  scope: CheckScope;
  /**
   * Reports problems and returns how many resources it evaluated, or `{ evaluated, incomplete }` when part
   * could not be checked (an `error` result that keeps its findings). Throw CheckNotRun when it cannot run.
   */
  evaluate(context: CheckContext, report: FindingReporter): Promise<number | { evaluated: number; incomplete: string }>;
}

export interface FindingReporter {
  (
    resource: ComplianceResource,
    message: string,
    fix: ComplianceFix,
    overrides?: Partial<Pick<ComplianceFinding, 'ruleId' | 'ruleTitle' | 'severity' | 'region' | 'source'>>,
  ): void;
}

/** Builds a ComplianceCheck whose failures become `error`/`notRun` results, never a pass. */
export function defineCheck(definition: CheckDefinition): ScopedComplianceCheck {
  const source = definition.source ?? 'pilotlight';
  const base = { ruleId: definition.ruleId, ruleTitle: definition.ruleTitle, source };
  return {
    ...base,
    severity: definition.severity,
    scope: definition.scope,
    async run(context: CheckContext): Promise<CheckResult> {
      const findings: ComplianceFinding[] = [];
      const region = definition.scope === 'account' ? 'global' : context.region;
      const report: FindingReporter = (resource, message, fix, overrides = {}) =>
        findings.push({
          ruleId: definition.ruleId,
          ruleTitle: definition.ruleTitle,
          severity: definition.severity,
          source,
          resource,
          account: context.account,
          region,
          message,
          fix,
          ...overrides,
        });
      try {
        const outcome = await definition.evaluate(context, report);
        if (typeof outcome === 'number') return { ...base, status: 'ran', resourcesEvaluated: outcome, findings };
        return {
          ...base,
          status: 'error',
          reason: outcome.incomplete,
          resourcesEvaluated: outcome.evaluated,
          findings,
        };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (error instanceof CheckNotRun)
          return { ...base, status: 'notRun', reason, resourcesEvaluated: 0, findings: [] };
        return { ...base, status: 'error', reason, resourcesEvaluated: 0, findings: [] };
      }
    },
  };
}

export function accountResource(account: string): ComplianceResource {
  return { type: 'AWS::::Account', id: account };
}
