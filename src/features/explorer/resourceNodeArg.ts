import type { ResourceSummary } from '../../core/resources/model';

/** What a command gets when it runs on an explorer resource row (duck-typed: ResourceNode). */
export interface ResourceNodeLike {
  resource: ResourceSummary;
  region: string;
  /** The profile whose tree the row is in; its actions run in that profile's account. */
  connection?: { profileName: string; identity(): Promise<{ account: string }> };
  parent?: { parent?: { parent?: unknown } } & object;
  /** The row's list, which reads a compact row's full record again. */
  list?: { record(resource: ResourceSummary): Promise<unknown> };
}

/** The explorer row a command was run on, or undefined when the argument is something else. */
export function asResourceNode(value: unknown): ResourceNodeLike | undefined {
  const node = value as Partial<ResourceNodeLike> | undefined;
  return node &&
    typeof node === 'object' &&
    node.resource &&
    typeof node.resource.id === 'string' &&
    typeof node.region === 'string'
    ? (node as ResourceNodeLike)
    : undefined;
}
