import type { AwsConnection, ServiceDefinition } from '../aws/connection';
import { clampPageSize, type ResourceLister, type ResourceSummary } from './model';

export interface SummaryContext {
  region: string;
  account: string;
}

export interface PagedListerSpec<Client, Item> {
  type: string;
  title: string;
  service: ServiceDefinition<Client>;
  /** Page-size limits of the API, or undefined when the API does not page. */
  pageRange?: [number, number];
  fetch(client: Client, page: { nextToken?: string; maxResults?: number }): Promise<{ items: Item[]; nextToken?: string }>;
  summarize(item: Item, context: SummaryContext): ResourceSummary;
  /** Fetches one item by id, for live refresh of transitional states. */
  fetchOne?(client: Client, id: string): Promise<Item | undefined>;
}

/** Builds a lister that makes exactly one API call per page. */
export function pagedLister<Client, Item>(spec: PagedListerSpec<Client, Item>): ResourceLister {
  const context = async (connection: AwsConnection, region: string): Promise<SummaryContext> => ({ region, account: (await connection.identity()).account });
  const lister: ResourceLister = {
    type: spec.type,
    title: spec.title,
    async list(connection, { region, nextToken, pageSize }) {
      const client = await connection.client(spec.service, region);
      const maxResults = spec.pageRange ? clampPageSize(pageSize, ...spec.pageRange) : undefined;
      const page = await spec.fetch(client, { nextToken, maxResults });
      const summaryContext = await context(connection, region);
      return { items: page.items.map((item) => spec.summarize(item, summaryContext)), nextToken: page.nextToken || undefined };
    },
  };
  if (spec.fetchOne) {
    const fetchOne = spec.fetchOne;
    lister.refreshOne = async (connection, region, id) => {
      const item = await fetchOne(await connection.client(spec.service, region), id);
      return item === undefined ? undefined : spec.summarize(item, await context(connection, region));
    };
  }
  return lister;
}

export function compact(parts: Array<string | number | undefined | null | false>): string[] {
  return parts.filter((part): part is string | number => part !== undefined && part !== null && part !== false && part !== '').map(String);
}
