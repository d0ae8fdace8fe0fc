/** How a resource's state should be read at a glance. */
export type StateTone = 'ok' | 'transitional' | 'stopped' | 'error' | 'unknown';

export interface ResourceSummary {
  /** Resource type id, e.g. `ec2:instance`. */
  type: string;
  id: string;
  /** Human label: the Name tag, hostname, or the id. */
  name: string;
  arn?: string;
  state?: string;
  stateTone?: StateTone;
  /** Short facts shown after the label, in order. */
  details: string[];
  tags: Record<string, string>;
  /** The API's own record, for the JSON view. */
  raw: unknown;
  /** Sub-lists shown when the resource is expanded: a VPC's subnets, a stack's resources. */
  children?: ResourceLister[];
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface ListOptions {
  region: string;
  nextToken?: string;
  pageSize: number;
  /** API filters (from `apiFiltersFor`), for listers with `serverFilter`. */
  filters?: ApiFilter[];
}

/**
 * How listers reach AWS: only by running registered read operations, so explorer reads take the same path
 * as every other AWS action (registry → guardrails → audit → SDK). See `runnerReads`.
 */
export interface ResourceReads {
  /** Runs a read operation of the registry in `region` and returns its output; throws the AWS error when it failed. */
  read<Output = Page<unknown>>(operationId: string, input: Record<string, unknown>, region: string): Promise<Output>;
  /** The account the reads run in (for ARNs). */
  account(): Promise<string>;
}

/** One listable resource type, read with one read operation per page. */
export interface ResourceLister {
  type: string;
  title: string;
  list(reads: ResourceReads, options: ListOptions): Promise<Page<ResourceSummary>>;
  /** The page sizes the API accepts; a page size is clamped into it. Undefined: the API chooses. */
  pageRange?: [number, number];
  /** What the API can filter on; without it the explorer filter applies to loaded rows only. */
  serverFilter?: ServerFilterSupport;
  /** Re-reads one resource, so transitional states can settle without reloading the list. */
  refreshOne?(reads: ResourceReads, region: string, id: string): Promise<ResourceSummary | undefined>;
}

/** Clamps the user's page size into the range an API accepts. */
export function clampPageSize(pageSize: number, min: number, max: number): number {
  return Math.max(min, Math.min(pageSize, max));
}

/** A list that needs no API call: the data came with its parent (security group rules, stack outputs). */
export function inMemoryLister(type: string, title: string, items: ResourceSummary[]): ResourceLister {
  return { type, title, list: async () => ({ items }) };
}

/** What a list's API can filter on (EC2 Describe* Filters). */
export interface ServerFilterSupport {
  /** The filter on the resource ID, e.g. `instance-id`. */
  idFilter: string;
  /** The kind's ID prefix, e.g. `i`. */
  idPrefix: string;
  /** Rows are named by their Name tag, else their ID, so a name is a tag value. */
  namedByTag: boolean;
}

export interface ApiFilter {
  name: string;
  values: string[];
}
