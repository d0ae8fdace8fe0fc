import type { ApiFilter, ServerFilterSupport } from './filter';
import { clampPageSize, type Page, type ResourceLister, type ResourceReads, type ResourceSummary } from './model';

export interface SummaryContext {
  region: string;
  account: string;
}

/** Runs one registered read operation in the list's region. */
export type ReadOperation = <Output = Page<unknown>>(
  operationId: string,
  input: Record<string, unknown>,
) => Promise<Output>;

// A type, not an interface, so it passes as a read's input record.
export type PageRequest = {
  nextToken?: string;
  maxResults?: number;
  filters?: ApiFilter[];
};

/** A page request's filters after the lister's own (e.g. one VPC's resources), as one read input. */
export function withFilters(base: ApiFilter[], page: PageRequest): Record<string, unknown> {
  const { filters: pushed = [], ...paging } = page;
  const filters = [...base, ...pushed];
  return filters.length ? { ...paging, filters } : paging;
}

export interface PagedListerSpec<Item> {
  type: string;
  title: string;
  /** Page-size limits of the API, or undefined when the API does not page. */
  pageRange?: [number, number];
  /** What the API can filter on (then `page.filters` carries the pushed filter). */
  serverFilter?: ServerFilterSupport;
  /** One page, through registered read operations only (normally one). */
  fetch(read: ReadOperation, page: PageRequest): Promise<{ items: Item[]; nextToken?: string }>;
  summarize(item: Item, context: SummaryContext): ResourceSummary;
  /** Fetches one item by id, for live refresh of transitional states. */
  fetchOne?(read: ReadOperation, id: string): Promise<Item | undefined>;
}

/** Builds a lister that runs exactly one read per page (a subnet page also reads its VPC's route tables). */
export function pagedLister<Item>(spec: PagedListerSpec<Item>): ResourceLister {
  const inRegion =
    (reads: ResourceReads, region: string): ReadOperation =>
    (operationId, input) =>
      reads.read(operationId, input, region);
  const context = async (reads: ResourceReads, region: string): Promise<SummaryContext> => ({
    region,
    account: await reads.account(),
  });
  const lister: ResourceLister = {
    type: spec.type,
    title: spec.title,
    pageRange: spec.pageRange,
    serverFilter: spec.serverFilter,
    async list(reads, { region, nextToken, pageSize, filters }) {
      const maxResults = spec.pageRange ? clampPageSize(pageSize, ...spec.pageRange) : undefined;
      const pushed = spec.serverFilter && filters?.length ? { filters } : {};
      const page = await spec.fetch(inRegion(reads, region), { nextToken, maxResults, ...pushed });
      const summaryContext = await context(reads, region);
      return {
        items: page.items.map((item) => spec.summarize(item, summaryContext)),
        nextToken: page.nextToken || undefined,
      };
    },
  };
  if (spec.fetchOne) {
    const fetchOne = spec.fetchOne;
    lister.refreshOne = async (reads, region, id) => {
      const item = await fetchOne(inRegion(reads, region), id);
      return item === undefined ? undefined : spec.summarize(item, await context(reads, region));
    };
  }
  return lister;
}

/** The items of a read operation's page, typed for the lister. */
export async function readPage<Item>(
  read: ReadOperation,
  operationId: string,
  input: Record<string, unknown>,
): Promise<{ items: Item[]; nextToken?: string }> {
  const page = await read<Page<Item>>(operationId, input);
  return { items: page.items, nextToken: page.nextToken };
}

/**
 * The date part of an API timestamp. Read operations return outputs as the audit trail would record them
 * (redacted, dates as ISO strings), so the SDK's Date fields arrive as strings here.
 */
export function day(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return (typeof value === 'string' ? value : value.toISOString()).slice(0, 10);
}

export function compact(parts: Array<string | number | undefined | null | false>): string[] {
  return parts
    .filter((part): part is string | number => part !== undefined && part !== null && part !== false && part !== '')
    .map(String);
}
