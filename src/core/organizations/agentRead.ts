import type { ToolPayload } from '../agent/toolResults';
import type { GuardrailPolicy } from '../guardrails/policyTypes';
import type { Caller } from '../operations/types';
import type { OrganizationAccess } from './access';
import { accountLabel, accountsSelectorSchema, fanOutFacts, regionsSchema } from './fanOut';

const MAX_ITEMS = 300;

/**
 * A read tool call with `accounts` (LM tools, chat): the read in each selected account and region, as one
 * payload whose rows name their account, with every account that could not be read and its error.
 */
export async function readAcrossAccounts(
  access: OrganizationAccess,
  request: {
    tool: string;
    operationId: string;
    input: unknown;
    accounts: unknown;
    regions?: unknown;
    defaultRegion: string;
    caller: Caller;
    concurrency?: number;
    signal?: AbortSignal;
  },
  policy: GuardrailPolicy,
): Promise<ToolPayload> {
  const accounts = accountsSelectorSchema.safeParse(request.accounts);
  const regions =
    request.regions === undefined
      ? { success: true as const, data: [request.defaultRegion] }
      : regionsSchema.safeParse(request.regions);
  if (!accounts.success || !regions.success)
    return {
      tool: request.tool,
      status: 'failed',
      operation: request.operationId,
      summary: `Invalid accounts or regions: ${[...(accounts.error?.issues ?? []), ...(regions.success ? [] : regions.error.issues)].map((issue) => issue.message).join('; ')}`,
    };
  const input = request.input && typeof request.input === 'object' ? (request.input as Record<string, unknown>) : {};
  const result = await access.fanOut({
    operationId: request.operationId,
    input,
    accounts: accounts.data,
    regions: [...new Set(regions.data)],
    caller: request.caller,
    concurrency: request.concurrency,
    signal: request.signal,
  });
  if (result.problem)
    return { tool: request.tool, status: 'failed', operation: request.operationId, summary: result.problem };
  const facts = fanOutFacts(result, policy);
  const count = facts ? facts.length : result.rows.reduce((sum, row) => sum + row.items.length, 0);
  const failedAccounts = new Set(result.failures.map((failure) => failure.accountId)).size;
  const summary = `${count} item(s) from ${new Set(result.rows.map((row) => row.accountId)).size} of ${result.accounts.length} account(s) in ${result.regions.join(', ')}.${failedAccounts ? ` ${failedAccounts} account(s) could not be read: ${result.failures.map((failure) => `${accountLabel(failure)} (${failure.regions.join(', ')}): ${failure.code}: ${failure.message}`).join('; ')}.` : ''}`;
  return {
    tool: request.tool,
    status: result.failures.length ? 'incomplete' : 'succeeded',
    operation: request.operationId,
    summary,
    resources: (facts ?? []).slice(0, MAX_ITEMS).map((fact) => ({
      type: fact.type,
      id: fact.id,
      name: fact.name,
      region: fact.region,
      environment: fact.environment,
      account: fact.accountId,
    })),
    data: {
      perAccount: result.rows.map((row) => ({
        account: accountLabel(row),
        region: row.region,
        count: row.items.length,
        truncated: row.truncated,
      })),
      failures: result.failures.map((failure) => ({
        account: accountLabel(failure),
        regions: failure.regions,
        code: failure.code,
        message: failure.message,
      })),
      items: facts
        ? facts.slice(0, MAX_ITEMS).map((fact) => ({
            account: accountLabel(fact),
            region: fact.region,
            type: fact.type,
            id: fact.id,
            name: fact.name,
            state: fact.state,
            environment: fact.environment,
            protected: fact.protected,
            details: fact.details,
          }))
        : result.rows.map((row) => ({ account: accountLabel(row), region: row.region, items: row.items.slice(0, 50) })),
      ...(count > MAX_ITEMS ? { more: `${count - MAX_ITEMS} more not shown` } : {}),
    },
  };
}
