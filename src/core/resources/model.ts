import type { AwsConnection } from '../aws/connection';

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
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface ListOptions {
  region: string;
  nextToken?: string;
  pageSize: number;
}

/** One listable resource type, read with one API call per page. */
export interface ResourceLister {
  type: string;
  title: string;
  list(connection: AwsConnection, options: ListOptions): Promise<Page<ResourceSummary>>;
}

export function tagsToRecord(tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key) record[tag.Key] = tag.Value ?? '';
  return record;
}
