import { z } from 'zod';
import { resolveEnvironment } from '../guardrails/environment';
import type { GuardrailPolicy } from '../guardrails/policyTypes';
import { kindForOperation, toFacts, type ResourceFact } from '../insights/facts';
import type { RunOutcome } from '../operations/runner';
import type { Caller } from '../operations/types';
import { accountsUnder, withConcurrency, type OrganizationTree } from './directory';

/** Cross-account reads: one registered read operation in many accounts and regions, with partial results. */

/** `all`, a list of account IDs, or `ou:<root or OU ID>` (every account under it). */
export const accountsSelectorSchema = z
  .union([
    z.literal('all'),
    z
      .string()
      .regex(
        /^ou:(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32})$/,
        'Expected ou:<OU or root ID>, e.g. ou:ou-ab12-cd345678.',
      ),
    z
      .array(z.string().regex(/^\d{12}$/, 'Expected 12-digit account IDs.'))
      .min(1)
      .max(500),
  ])
  .describe(
    'Read in several accounts of the AWS organization: "all", a list of account IDs, or "ou:<OU or root ID>". Omitted: the current account only.',
  );

export type AccountsSelector = z.output<typeof accountsSelectorSchema>;

export const regionsSchema = z
  .array(z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'Expected region codes such as eu-west-1.'))
  .min(1)
  .max(30)
  .describe('Regions to read in (with accounts). Omitted: the current region.');

export interface FanOutAccount {
  id: string;
  name?: string;
  environment?: string;
}

/** The accounts a selector names. IDs not in the organization are kept (their reads will say what is wrong). */
export function selectAccounts(
  selector: AccountsSelector,
  tree: OrganizationTree | undefined,
): { accounts: FanOutAccount[]; problem?: string } {
  const describe = (id: string): FanOutAccount => {
    const known = tree?.accounts.find((account) => account.id === id);
    return known ? { id, name: known.name, environment: known.environment.name } : { id };
  };
  if (Array.isArray(selector)) return { accounts: [...new Set(selector)].map(describe) };
  if (!tree)
    return { accounts: [], problem: 'The organization could not be read, so "all" and "ou:" cannot be resolved.' };
  const active = (status: string) => status === 'ACTIVE';
  if (selector === 'all')
    return {
      accounts: tree.accounts.filter((account) => active(account.status)).map((account) => describe(account.id)),
    };
  const unitId = selector.slice(3);
  const under = accountsUnder(tree, unitId);
  if (!under) return { accounts: [], problem: `The organization has no root or organizational unit ${unitId}.` };
  return { accounts: under.filter((account) => active(account.status)).map((account) => describe(account.id)) };
}

export interface FanOutRow {
  accountId: string;
  accountName?: string;
  region: string;
  items: unknown[];
  pages: number;
  /** The page limit was reached before the last page. */
  truncated: boolean;
}

export interface FanOutFailure {
  accountId: string;
  accountName?: string;
  regions: string[];
  code: string;
  message: string;
  hint?: string;
}

export interface FanOutResult {
  operationId: string;
  accounts: FanOutAccount[];
  regions: string[];
  rows: FanOutRow[];
  /** Every account and region that could not be read, grouped by account and error: never dropped. */
  failures: FanOutFailure[];
  /** Read operations run (one per page). */
  calls: number;
}

export interface FanOutOptions {
  operationId: string;
  input?: Record<string, unknown>;
  accounts: FanOutAccount[];
  regions: string[];
  /** The runner of an account (the management account's own, or a member's through its assumed role). */
  runnerFor(
    accountId: string,
  ): Promise<{ run(operationId: string, input: unknown, options: object): Promise<RunOutcome> }>;
  caller: Caller;
  /** Account × region reads at once. Default 8. */
  concurrency?: number;
  /** Pages read per account and region. Default 50. */
  maxPages?: number;
  signal?: AbortSignal;
}

export const DEFAULT_FAN_OUT_CONCURRENCY = 8;
export const MAX_FAN_OUT_CONCURRENCY = 32;

function problemOf(outcome: RunOutcome): { code: string; message: string; hint?: string } {
  if (outcome.error) return { code: outcome.error.code, message: outcome.error.message, hint: outcome.error.hint };
  if (outcome.refusal) return { code: outcome.refusal.code, message: outcome.refusal.message };
  return { code: outcome.status, message: `${outcome.operationId} ended as ${outcome.status}.` };
}

/**
 * Runs a paged read operation in every account and region, at most `concurrency` at a time. Each call goes
 * through that account's runner (validation, throttling retries and circuit breaker per service and region,
 * audit). A failed account or region is reported with its error, never dropped.
 */
export async function fanOutRead(options: FanOutOptions): Promise<FanOutResult> {
  const concurrency = Math.max(
    1,
    Math.min(options.concurrency ?? DEFAULT_FAN_OUT_CONCURRENCY, MAX_FAN_OUT_CONCURRENCY),
  );
  const maxPages = Math.max(1, options.maxPages ?? 50);
  const tasks = options.accounts.flatMap((account) => options.regions.map((region) => ({ account, region })));
  const rows: FanOutRow[] = [];
  const failed: Array<{ account: FanOutAccount; region: string; code: string; message: string; hint?: string }> = [];
  let calls = 0;
  await withConcurrency(tasks, concurrency, async ({ account, region }) => {
    if (options.signal?.aborted) {
      failed.push({ account, region, code: 'Cancelled', message: 'Cancelled before this account was read.' });
      return;
    }
    const row: FanOutRow = {
      accountId: account.id,
      accountName: account.name,
      region,
      items: [],
      pages: 0,
      truncated: false,
    };
    try {
      const runner = await options.runnerFor(account.id);
      let nextToken: string | undefined;
      do {
        calls++;
        const outcome = await runner.run(
          options.operationId,
          { ...(options.input ?? {}), ...(nextToken ? { nextToken } : {}) },
          { caller: options.caller, mode: 'execute', region, signal: options.signal },
        );
        if (outcome.status !== 'succeeded') {
          failed.push({ account, region, ...problemOf(outcome) });
          return;
        }
        const output = outcome.output as { items?: unknown[]; nextToken?: string } | undefined;
        row.items.push(...(Array.isArray(output?.items) ? output!.items : output === undefined ? [] : [output]));
        row.pages++;
        nextToken = output?.nextToken;
      } while (nextToken && row.pages < maxPages);
      row.truncated = Boolean(nextToken);
      rows.push(row);
    } catch (error) {
      const err = error as { name?: string; message?: string };
      failed.push({ account, region, code: err.name ?? 'Error', message: err.message ?? String(error) });
    }
  });
  const order = new Map(tasks.map((task, index) => [`${task.account.id}/${task.region}`, index]));
  rows.sort((a, b) => order.get(`${a.accountId}/${a.region}`)! - order.get(`${b.accountId}/${b.region}`)!);
  const failures: FanOutFailure[] = [];
  for (const entry of failed.sort(
    (a, b) => order.get(`${a.account.id}/${a.region}`)! - order.get(`${b.account.id}/${b.region}`)!,
  )) {
    const same = failures.find((failure) => failure.accountId === entry.account.id && failure.code === entry.code);
    if (same) same.regions.push(entry.region);
    else
      failures.push({
        accountId: entry.account.id,
        accountName: entry.account.name,
        regions: [entry.region],
        code: entry.code,
        message: entry.message,
        hint: entry.hint,
      });
  }
  return {
    operationId: options.operationId,
    accounts: options.accounts,
    regions: options.regions,
    rows,
    failures,
    calls,
  };
}

export interface AccountFact extends ResourceFact {
  accountId: string;
  accountName?: string;
}

/** The rows as resource facts (for lists Pilot Light knows), each with its account; environments per account. */
export function fanOutFacts(result: FanOutResult, policy: GuardrailPolicy): AccountFact[] | undefined {
  const kind = kindForOperation(result.operationId);
  if (!kind) return undefined;
  return result.rows.flatMap((row) =>
    toFacts(kind.type, row.items, kind.global ? 'global' : row.region, (tags) =>
      resolveEnvironment(tags, row.accountId, policy),
    ).map((fact) => ({ ...fact, accountId: row.accountId, accountName: row.accountName })),
  );
}

/** "prod-app (111122223333)" or the ID alone. */
export function accountLabel(account: {
  accountId?: string;
  id?: string;
  accountName?: string;
  name?: string;
}): string {
  const id = account.accountId ?? account.id ?? 'unknown';
  const name = account.accountName ?? account.name;
  return name && name !== id ? `${name} (${id})` : id;
}
