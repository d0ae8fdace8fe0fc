/**
 * What LM tools hand back to the model: compact JSON, secrets redacted, size capped, and marked as untrusted
 * data so that instructions hidden in names or tags are not mistaken for the user's.
 */
import { redactSecrets } from '../audit/redaction';
import { kindForOperation, refOf, toFacts, type EnvironmentResolver, type ResourceRef } from '../insights/facts';

import { UNTRUSTED_NOTICE } from './untrustedNotice';

export { UNTRUSTED_NOTICE };

export const MAX_TOOL_RESULT_CHARS = 12_000;

export interface ToolPayload {
  tool: string;
  status: 'succeeded' | 'incomplete' | 'dry-run' | 'refused' | 'failed' | 'not-allowed' | 'pending-approval';
  operation?: string;
  /** Plain sentence for the model to relay. */
  summary: string;
  resources?: ResourceRef[];
  data?: unknown;
  correlationId?: string;
}

const MAX_STRING_CHARS = 2_000;

/** A copy with long strings cut (a model needs no more, and redaction stays fast), depth bounded. */
function capStrings(value: unknown, depth = 0): unknown {
  if (typeof value === 'string')
    return value.length > MAX_STRING_CHARS ? `${value.slice(0, MAX_STRING_CHARS)}…(cut)` : value;
  if (!value || typeof value !== 'object' || depth > 20) return depth > 20 ? '(too deep)' : value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.slice(0, 500).map((item) => capStrings(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, capStrings(item, depth + 1)]),
  );
}

/** JSON text for a tool result; `data` is redacted and cut to fit. */
export function toolResultText(payload: ToolPayload, maxChars = MAX_TOOL_RESULT_CHARS): string {
  const safe = redactSecrets(capStrings({ notice: UNTRUSTED_NOTICE, ...payload }) as ToolPayload & { notice: string });
  const text = JSON.stringify(safe);
  if (text.length <= maxChars) return text;
  const { data, ...rest } = safe;
  const head = JSON.stringify({ ...rest, truncated: true, data: '' });
  const room = Math.max(0, maxChars - head.length - 20);
  // Already redacted: cutting the JSON text of the data cannot reveal anything new.
  return JSON.stringify({ ...rest, truncated: true, data: JSON.stringify(data ?? null).slice(0, room) });
}

/** A read operation's output in compact form: facts for lists Pilot Light knows, else the raw output. */
export function compactReadOutput(
  operationId: string,
  output: unknown,
  region: string,
  resolveEnvironment: EnvironmentResolver,
): { data: unknown; resources: ResourceRef[]; count?: number } {
  const kind = kindForOperation(operationId);
  const page = output as { items?: unknown[]; nextToken?: string } | undefined;
  if (kind && Array.isArray(page?.items)) {
    const facts = toFacts(kind.type, page!.items, kind.global ? 'global' : region, resolveEnvironment);
    return {
      data: {
        count: facts.length,
        ...(page!.nextToken
          ? { nextToken: page!.nextToken, more: 'Call again with this nextToken for the next page.' }
          : {}),
        items: facts.map((fact) => ({
          type: fact.type,
          id: fact.id,
          name: fact.name,
          state: fact.state,
          environment: fact.environment,
          protected: fact.protected,
          tags: fact.tags,
          details: fact.details,
        })),
      },
      resources: facts.map(refOf),
      count: facts.length,
    };
  }
  return { data: output, resources: [] };
}
