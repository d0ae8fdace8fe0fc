import { kindOf, toFacts, type EnvironmentResolver, type ResourceFact } from './facts';

/**
 * Runs a registry read operation and returns its output; throws an Error whose message names the AWS code
 * or the refusal. Adapters implement it with OperationRunner.run, so every read goes through the registry.
 */
export type ReadOperation = (operationId: string, input: Record<string, unknown>) => Promise<unknown>;

export interface PageOutput {
  items?: unknown[];
  nextToken?: string;
}

/** Every item of a paged read operation ({ items, nextToken }), up to `maxItems`. */
export async function readAll(
  read: ReadOperation,
  operationId: string,
  input: Record<string, unknown> = {},
  maxItems = 1000,
): Promise<{ items: unknown[]; truncated: boolean }> {
  const items: unknown[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < 50; page += 1) {
    const output = (await read(operationId, nextToken ? { ...input, nextToken } : input)) as PageOutput | undefined;
    items.push(...(output?.items ?? []));
    nextToken = output?.nextToken;
    if (!nextToken) return { items: items.slice(0, maxItems), truncated: items.length > maxItems };
    if (items.length >= maxItems) return { items: items.slice(0, maxItems), truncated: true };
  }
  return { items: items.slice(0, maxItems), truncated: true };
}

/** The facts for one resource type in one region. */
export async function readFacts(
  read: ReadOperation,
  type: string,
  region: string,
  resolveEnvironment: EnvironmentResolver,
  input: Record<string, unknown> = {},
  maxItems = 1000,
): Promise<{ facts: ResourceFact[]; truncated: boolean }> {
  const kind = kindOf(type);
  if (!kind) throw new Error(`Pilot Light cannot list ${type} yet.`);
  const { items, truncated } = await readAll(read, kind.operation, input, maxItems);
  return { facts: toFacts(type, items, kind.global ? 'global' : region, resolveEnvironment), truncated };
}
