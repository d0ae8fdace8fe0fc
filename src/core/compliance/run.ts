/**
 * Runs compliance checks over an account and its regions. Every read goes through the given ReadOperation
 * (the operation registry); a read repeated within one run (e.g. the instance list, used by the IMDS check and
 * the tag policy) is made once per region, and the report counts the calls per operation.
 */
import type { ReadOperation } from '../insights/reads';
import { ALL_CHECKS } from './checks';
import type { CheckScope } from './checks/common';
import type { TagPolicy } from './tagPolicy';
import type { CheckResult, ComplianceCheck, ComplianceFinding, ComplianceReport } from './types';

export interface RunComplianceOptions {
  /** Registry reads in the connection's region (or the first of `regions`). */
  read: ReadOperation;
  account: string;
  regions: string[];
  /** The merged policy (loadTagPolicy); without it the tag check is `notRun`. */
  tagPolicy?: TagPolicy;
  /** Errors from loadTagPolicy: the tag check then reports `error` with them, never clean. */
  tagPolicyErrors?: string[];
  checks?: readonly ComplianceCheck[];
  /** Registry reads bound to another region; needed when `regions` has more than one. */
  readInRegion?: (region: string) => ReadOperation;
  /** Checks run at the same time (default 4). */
  concurrency?: number;
}

function scopeOf(check: ComplianceCheck): CheckScope {
  return (check as { scope?: CheckScope }).scope === 'account' ? 'account' : 'region';
}

async function inPool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  return results;
}

/** Counts every registry read by operation id and shares identical reads within a region. */
function sharedRead(read: ReadOperation, apiCalls: Record<string, number>): ReadOperation {
  const pending = new Map<string, Promise<unknown>>();
  return (operationId, input) => {
    const key = `${operationId} ${JSON.stringify(input)}`;
    let call = pending.get(key);
    if (!call) {
      apiCalls[operationId] = (apiCalls[operationId] ?? 0) + 1;
      call = read(operationId, input);
      pending.set(key, call);
    }
    return call;
  };
}

const STATUS_RANK = { ran: 0, notRun: 1, error: 2 } as const;

/** One result per rule: findings of every region; the worst status, with each region's reason. */
function mergeRegional(results: Array<{ region: string; result: CheckResult }>, multiRegion: boolean): CheckResult {
  const first = results[0].result;
  const worst = results.reduce(
    (status, { result }) => (STATUS_RANK[result.status] > STATUS_RANK[status] ? result.status : status),
    first.status,
  );
  const reasons = results
    .filter(({ result }) => result.reason)
    .map(({ region, result }) => (multiRegion ? `${region}: ${result.reason}` : String(result.reason)));
  const seen = new Set<string>();
  const findings: ComplianceFinding[] = [];
  for (const { result } of results)
    for (const finding of result.findings) {
      const key = `${finding.ruleId}|${finding.region}|${finding.resource.type}|${finding.resource.id}|${finding.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(finding);
    }
  return {
    ruleId: first.ruleId,
    ruleTitle: first.ruleTitle,
    source: first.source,
    status: worst,
    ...(reasons.length ? { reason: reasons.join(' ') } : {}),
    resourcesEvaluated: results.reduce((sum, { result }) => sum + result.resourcesEvaluated, 0),
    findings,
  };
}

export async function runComplianceChecks(options: RunComplianceOptions): Promise<ComplianceReport> {
  const regions = [...new Set(options.regions)];
  if (!regions.length) throw new Error('Name at least one region to check.');
  if (!/^\d{12}$/.test(options.account)) throw new Error(`"${options.account}" is not a 12-digit AWS account ID.`);
  if (regions.length > 1 && !options.readInRegion)
    throw new Error('Checking more than one region needs readInRegion (registry reads bound to each region).');
  const apiCalls: Record<string, number> = {};
  const reads = new Map(
    regions.map((region, index) => [
      region,
      sharedRead(index === 0 || !options.readInRegion ? options.read : options.readInRegion(region), apiCalls),
    ]),
  );
  const checks = options.checks ?? ALL_CHECKS;
  const tasks: Array<() => Promise<{ check: ComplianceCheck; region: string; result: CheckResult }>> = [];
  for (const check of checks)
    for (const region of scopeOf(check) === 'account' ? regions.slice(0, 1) : regions)
      tasks.push(async () => {
        const base = {
          ruleId: check.ruleId,
          ruleTitle: check.ruleTitle,
          source: check.source,
          resourcesEvaluated: 0,
          findings: [],
        };
        if (check.source === 'tagPolicy' && options.tagPolicyErrors?.length)
          return {
            check,
            region,
            result: {
              ...base,
              status: 'error',
              reason: `The tag policy cannot be used: ${options.tagPolicyErrors.join(' ')}`,
            },
          };
        try {
          const result = await check.run({
            read: reads.get(region)!,
            account: options.account,
            region,
            tagPolicy: options.tagPolicy,
          });
          return { check, region, result };
        } catch (error) {
          return {
            check,
            region,
            result: { ...base, status: 'error', reason: error instanceof Error ? error.message : String(error) },
          };
        }
      });
  const outcomes = await inPool(tasks, options.concurrency ?? 4);
  const byCheck = new Map<ComplianceCheck, Array<{ region: string; result: CheckResult }>>();
  for (const outcome of outcomes) {
    const list = byCheck.get(outcome.check) ?? [];
    list.push(outcome);
    byCheck.set(outcome.check, list);
  }
  return {
    generatedAt: new Date().toISOString(),
    account: options.account,
    regions,
    checks: checks.map((check) => mergeRegional(byCheck.get(check)!, regions.length > 1)),
    apiCalls,
  };
}

export { ALL_CHECKS } from './checks';
export { loadTagPolicy, mergeTagPolicies, parseTagPolicy, type TagPolicy, type LoadedTagPolicy } from './tagPolicy';
