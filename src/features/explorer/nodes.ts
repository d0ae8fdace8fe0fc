import * as vscode from 'vscode';
import { resourceUri } from '../shared/resourceUri';
import type { AwsConnection } from '../../core/aws/connection';
import type { AwsErrorInfo } from '../../core/aws/errors';
import { SERVICE_CATALOG, type ServiceCatalogEntry } from '../../core/resources/catalog';
import { apiFiltersFor, matchesParsedFilter, parseFilter, type PushedFilter } from '../../core/resources/filter';
import {
  clampPageSize,
  type ResourceLister,
  type ResourceReads,
  type ResourceSummary,
  type StateTone,
} from '../../core/resources/model';
import { TreeNode } from '../shared/tree';

/** What nodes need from the tree. */
export interface ExplorerHost {
  /** Reloads a node's data (or the whole tree) and repaints it. */
  refresh(node?: ExplorerNode): void;
  /** Repaints a node from the data it already has. */
  repaint(node?: ExplorerNode): void;
  /** Resources asked for per call: a list's first page, or each "Load more…" after it. */
  pageSize(page: 'first' | 'more'): number;
  filter(): string;
  regions(connection: AwsConnection): string[];
  /** How lists of this profile reach AWS: registered read operations, run by that profile's runner. */
  reads(connection: AwsConnection): ResourceReads;
  /** Re-reads a transitional resource with backoff until its state is stable. */
  watchTransitional(node: ResourceNode): void;
  /** The profile's AWS Organization node, once it is known the profile can read one (organizations feature). */
  organizationNode?(profile: ProfileNode): ExplorerNode | undefined;
  /** Features that add to shown rows (metric sparklines in tooltips, live alarm lists). */
  readonly rowDecorators?: readonly RowDecorator[];
}

/** Adds to the rows of lists as they are shown; registered by features (e.g. observability). */
export interface RowDecorator {
  /** The rows a list shows now (after each load, expand or repaint of its owner). */
  shown(list: PagedList, owner: ExplorerNode, rows: ResourceNode[]): void;
  /** Markdown appended to a row's tooltip, or undefined. */
  tooltip(node: ResourceNode): string | undefined;
}

export abstract class ExplorerNode extends TreeNode<ExplorerNode> {
  /** Forgets loaded data, so the next expand reloads it. */
  reset(): void {}
}

const collapsed = vscode.TreeItemCollapsibleState.Collapsed;
const expanded = vscode.TreeItemCollapsibleState.Expanded;
const leaf = vscode.TreeItemCollapsibleState.None;

export class ErrorNode extends ExplorerNode {
  constructor(
    parent: ExplorerNode | undefined,
    id: string,
    readonly error: AwsErrorInfo,
    private readonly retry: () => void,
  ) {
    super(id, parent);
  }
  runRetry(): void {
    this.retry();
  }
  getTreeItem(): vscode.TreeItem {
    const { error } = this;
    return this.treeItem(`${error.code}: ${error.message}`, leaf, {
      description: 'Retry',
      tooltip: new vscode.MarkdownString(
        `**${error.code}**\n\n${error.message}\n\n${error.hint}${error.requestId ? `\n\nRequest ID: \`${error.requestId}\`` : ''}`,
      ),
      iconPath: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
      contextValue: 'pilotLight.error',
      command: { command: 'pilotLight.explorer.retry', title: 'Retry', arguments: [this] },
    });
  }
}

export class MessageNode extends ExplorerNode {
  constructor(
    parent: ExplorerNode | undefined,
    id: string,
    private readonly label: string,
    private readonly icon = 'info',
    private readonly command?: vscode.Command,
  ) {
    super(id, parent);
  }
  getTreeItem(): vscode.TreeItem {
    return this.treeItem(this.label, leaf, {
      iconPath: new vscode.ThemeIcon(this.icon),
      contextValue: this.command ? 'pilotLight.action' : 'pilotLight.message',
      command: this.command,
    });
  }
}

export class LoadMoreNode extends ExplorerNode {
  /** @param loaded what is loaded so far, e.g. "100 loaded" or, with a filter on, "3 of 100 loaded match" */
  constructor(
    owner: ExplorerNode,
    readonly list: PagedList,
    private readonly loaded: string,
  ) {
    super(`${owner.id}/~load-more`, owner);
  }
  getTreeItem(): vscode.TreeItem {
    return this.treeItem('Load more…', leaf, {
      description: this.loaded,
      tooltip: this.list.nextPageHint,
      iconPath: new vscode.ThemeIcon('ellipsis'),
      contextValue: 'pilotLight.loadMore',
      command: { command: 'pilotLight.explorer.loadMore', title: 'Load more', arguments: [this] },
    });
  }
}

const TONE_ICONS: Record<StateTone, vscode.ThemeIcon> = {
  ok: new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('charts.green')),
  transitional: new vscode.ThemeIcon('loading~spin'),
  stopped: new vscode.ThemeIcon('circle-outline'),
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
  unknown: new vscode.ThemeIcon('circle-small'),
};

/** Where a list lives: the connection and region its reads go to. */
interface ListScope {
  connection: AwsConnection;
  reads: ResourceReads;
  region: string;
  host: ExplorerHost;
}

/** One listing of a list: everything, or what one filter pushed to the API returns. */
interface Listing {
  /** The pushed filter, or undefined for the unfiltered listing. */
  pushed?: PushedFilter;
  items: ResourceSummary[];
  nextToken?: string;
  loaded: boolean;
  error?: AwsErrorInfo;
  inFlight?: Promise<void>;
}

/** A pushed filter's pages may hold no match (AWS filters after paging): this many more are read for one. */
const EMPTY_FILTERED_PAGES_FOLLOWED = 3;

/**
 * The paging state of one resource list, shared by every node that shows a list.
 * Pages are appended; concurrent requests share one call, so a double click loads one page.
 * A filter the lister's API can apply (`apiFiltersFor`) gets its own listing, read from the API, beside the
 * unfiltered one (kept, so clearing the filter shows the loaded rows again); other filters apply to loaded rows.
 * Rows are compact: the API's record is dropped where the lister can read one resource again (`refreshOne`).
 */
export class PagedList {
  private readonly listings = new Map<string, Listing>();
  private readonly nodes = new Map<string, ResourceNode>();
  /** API calls made by this list (one per page); read by tests and benchmarks. */
  apiCalls = 0;

  constructor(
    readonly lister: ResourceLister,
    readonly scope: ListScope,
  ) {}

  /** The listing for the current filter: the unfiltered one, or one for a filter the API applies. */
  private get listing(): Listing {
    const pushed = apiFiltersFor(this.lister.serverFilter, this.scope.host.filter());
    const key = pushed ? JSON.stringify(pushed.filters) : '';
    let listing = this.listings.get(key);
    if (!listing) {
      // One filtered listing at a time, beside the unfiltered one.
      for (const other of [...this.listings.keys()]) if (other !== '') this.listings.delete(other);
      this.forgetNodesNotListed();
      listing = { pushed, items: [], loaded: false };
      this.listings.set(key, listing);
    }
    return listing;
  }

  private forgetNodesNotListed(): void {
    const listed = new Set([...this.listings.values()].flatMap((listing) => listing.items.map((item) => item.id)));
    for (const id of [...this.nodes.keys()]) if (!listed.has(id)) this.nodes.delete(id);
  }

  get loadedCount(): number {
    return this.listing.items.length;
  }
  /** Where the filter applies: in the API's answer, on loaded rows, or nowhere (no filter). */
  get filterScope(): 'api' | 'loaded rows' | undefined {
    if (!this.scope.host.filter()) return undefined;
    return this.listing.pushed ? 'api' : 'loaded rows';
  }
  /** What the next "Load more…" asks for: the setting, clamped to the API's limits. */
  get nextPageHint(): string {
    const range = this.lister.pageRange;
    const next = range
      ? `Loads up to ${clampPageSize(this.scope.host.pageSize('more'), ...range)} more (pilotLight.explorer.loadMorePageSize; this API allows ${range[0]} to ${range[1]} per call).`
      : 'Loads the next page (its size is set by the AWS API).';
    const { pushed } = this.listing;
    if (pushed)
      return `${next}\nThe filter was sent to AWS (${pushed.description}): every page holds only matching ${this.lister.title.toLowerCase()}.`;
    return `${next}\nLoad All Pages (the button on this row) loads the rest, so a filter sees them all.`;
  }
  get hasMore(): boolean {
    return Boolean(this.listing.nextToken);
  }
  get isLoaded(): boolean {
    return this.listing.loaded;
  }

  reset(): void {
    this.listings.clear();
    this.nodes.clear();
  }

  async children(owner: ExplorerNode): Promise<ExplorerNode[]> {
    const listing = this.listing;
    if (!listing.loaded && !listing.error) await this.loadPage(listing);
    const filter = this.scope.host.filter();
    const parsed = parseFilter(filter);
    // The API's answer is checked here too: it may hold more than the filter keeps (case variants, pages).
    const matches = (resource: ResourceSummary) => matchesParsedFilter(resource, parsed);
    for (
      let followed = 0;
      listing.pushed &&
      listing.nextToken &&
      !listing.error &&
      followed < EMPTY_FILTERED_PAGES_FOLLOWED &&
      !listing.items.some(matches);
      followed++
    ) {
      await this.loadPage(listing);
    }
    let matching = 0;
    // A resource with children stays visible when it does not match: something under it may.
    const visible = listing.items.filter((resource) => {
      const matched = matches(resource);
      if (matched) matching++;
      return matched || Boolean(resource.children);
    });
    const rows = visible.map((resource) => this.nodeFor(owner, resource));
    for (const decorator of this.scope.host.rowDecorators ?? []) decorator.shown(this, owner, rows);
    const children: ExplorerNode[] = [...rows];
    if (listing.error) {
      children.push(new ErrorNode(owner, `${owner.id}/~error`, listing.error, () => this.retry(owner, listing)));
    } else if (listing.nextToken) {
      // A filter on loaded rows only sees loaded pages, so say how many of them match.
      const loaded = listing.pushed
        ? `${matching} loaded, filtered by AWS`
        : filter
          ? `${matching} of ${listing.items.length} loaded match`
          : `${listing.items.length} loaded`;
      children.push(new LoadMoreNode(owner, this, loaded));
    }
    if (children.length === 0) {
      const what = this.lister.title.toLowerCase();
      const text = listing.pushed
        ? `No ${what} match “${filter}” (searched by AWS)`
        : listing.items.length && filter
          ? `No ${what} match “${filter}”`
          : `No ${what} in ${this.scope.region}`;
      children.push(new MessageNode(owner, `${owner.id}/~empty`, text));
    }
    return children;
  }

  private nodeFor(owner: ExplorerNode, resource: ResourceSummary): ResourceNode {
    let node = this.nodes.get(resource.id);
    if (!node) {
      node = new ResourceNode(owner, resource, this);
      this.nodes.set(resource.id, node);
      if (resource.stateTone === 'transitional' && this.lister.refreshOne) this.scope.host.watchTransitional(node);
    }
    return node;
  }

  /** What a row keeps: the summary, without the API's record when it can be read again. */
  private compact(resource: ResourceSummary): ResourceSummary {
    return this.lister.refreshOne && resource.raw !== undefined ? { ...resource, raw: undefined } : resource;
  }

  /** Replaces one resource after a live refresh; the node object stays the same, so only it repaints. */
  replace(updated: ResourceSummary): void {
    const row = this.compact(updated);
    for (const listing of this.listings.values()) {
      const index = listing.items.findIndex((resource) => resource.id === row.id);
      if (index >= 0) listing.items[index] = row;
    }
    const node = this.nodes.get(row.id);
    if (node) node.resource = row;
  }

  /** The API's full record of a row, read again when the row is compact. */
  async record(resource: ResourceSummary): Promise<unknown> {
    if (resource.raw !== undefined || !this.lister.refreshOne) return resource.raw;
    return (await this.lister.refreshOne(this.scope.reads, this.scope.region, resource.id))?.raw;
  }

  loadMore(owner: ExplorerNode): Promise<void> {
    const listing = this.listing;
    if (!listing.nextToken) return listing.inFlight ?? Promise.resolve();
    return this.loadPage(listing).then(() => this.scope.host.repaint(owner));
  }

  /** Loads the remaining pages one call at a time, showing each, until the last page, an error or `cancelled()`. */
  async loadAll(
    owner: ExplorerNode,
    cancelled: () => boolean = () => false,
    progress?: (loaded: number) => void,
  ): Promise<void> {
    const listing = this.listing;
    while (listing.nextToken && !listing.error && !cancelled()) {
      await this.loadPage(listing);
      progress?.(listing.items.length);
      this.scope.host.repaint(owner);
    }
  }

  private retry(owner: ExplorerNode, listing: Listing): void {
    listing.error = undefined;
    this.scope.host.repaint(owner);
  }

  private loadPage(listing: Listing): Promise<void> {
    if (listing.inFlight) return listing.inFlight;
    const token = listing.nextToken;
    listing.inFlight = (async () => {
      try {
        this.apiCalls++;
        const pageSize = this.scope.host.pageSize(token ? 'more' : 'first');
        const page = await this.lister.list(this.scope.reads, {
          region: this.scope.region,
          nextToken: token,
          pageSize,
          ...(listing.pushed ? { filters: listing.pushed.filters } : {}),
        });
        const rows = page.items.map((resource) => this.compact(resource));
        if (token) listing.items.push(...rows);
        else listing.items = rows;
        listing.nextToken = page.nextToken;
        listing.loaded = true;
        listing.error = undefined;
      } catch (error) {
        listing.error = this.scope.connection.describeError(error);
      } finally {
        listing.inFlight = undefined;
      }
    })();
    return listing.inFlight;
  }
}

/** Children made of one or more resource lists: one list is shown inline, several as folders. */
function listChildren(owner: ExplorerNode, lists: PagedList[]): Promise<ExplorerNode[]> | ExplorerNode[] {
  if (lists.length === 1) return lists[0].children(owner);
  return lists.map((list) => new ResourceListNode(owner, list));
}

export class ResourceNode extends ExplorerNode {
  private lists?: PagedList[];
  private shown: ResourceSummary;
  private item?: vscode.TreeItem;

  constructor(
    parent: ExplorerNode,
    resource: ResourceSummary,
    readonly list: PagedList,
  ) {
    super(`${parent.id}/${resource.id}`, parent);
    this.shown = resource;
  }

  /** The resource this row shows. Replacing it (a live refresh) rebuilds the row on the next paint. */
  get resource(): ResourceSummary {
    return this.shown;
  }
  set resource(updated: ResourceSummary) {
    this.shown = updated;
    this.item = undefined;
  }

  get region(): string {
    return this.list.scope.region;
  }
  get connection(): AwsConnection {
    return this.list.scope.connection;
  }

  /**
   * Built once per resource: after every "Load more…" the tree asks again for the TreeItem of every row
   * of the list, so rebuilding them (tooltip Markdown, description) made paging quadratic in rows.
   */
  getTreeItem(): vscode.TreeItem {
    this.item ??= this.buildTreeItem();
    return this.item;
  }

  private buildTreeItem(): vscode.TreeItem {
    const { resource } = this;
    const tooltip = new vscode.MarkdownString(
      `**${resource.name}**  \n\`${resource.id}\`${resource.state ? `  \nState: ${resource.state}` : ''}${resource.arn ? `  \n\`${resource.arn}\`` : ''}`,
    );
    const tagLines = Object.entries(resource.tags).map(([key, value]) => `- \`${key}\` = ${value}`);
    if (tagLines.length) tooltip.appendMarkdown(`\n\nTags:\n${tagLines.join('\n')}`);
    for (const decorator of this.list.scope.host.rowDecorators ?? []) {
      const extra = decorator.tooltip(this);
      if (extra) tooltip.appendMarkdown(`\n\n${extra}`);
    }
    return this.treeItem(resource.name, resource.children?.length ? collapsed : leaf, {
      description: resource.details.filter((detail) => detail !== resource.name).join(' · '),
      tooltip,
      iconPath: TONE_ICONS[resource.stateTone ?? 'unknown'],
      contextValue: `pilotLight.resource ${resource.type}${resource.arn ? ' hasArn' : ''}`,
      // Compliance findings decorate the row through this URI (badge and hover line).
      resourceUri: resourceUri(resource.id),
    });
  }

  getChildren(): Promise<ExplorerNode[]> | ExplorerNode[] {
    this.lists ??= (this.resource.children ?? []).map((lister) => new PagedList(lister, this.list.scope));
    return listChildren(this, this.lists);
  }

  reset(): void {
    this.lists = undefined;
  }
}

/** A folder for one resource type, e.g. EC2 → Instances. */
export class ResourceListNode extends ExplorerNode {
  constructor(
    parent: ExplorerNode,
    readonly list: PagedList,
  ) {
    super(`${parent.id}/${list.lister.type}`, parent);
  }
  getTreeItem(): vscode.TreeItem {
    const count = this.list.isLoaded ? `${this.list.loadedCount}${this.list.hasMore ? '+' : ''}` : undefined;
    const scope = this.list.filterScope;
    // Where the filter applies: in AWS's answer, or on the rows loaded so far (when more pages are left).
    const description =
      scope === 'api'
        ? `${count ?? ''} filtered by AWS`.trim()
        : scope === 'loaded rows' && this.list.hasMore
          ? `${count}, filter on loaded rows`
          : count;
    return this.treeItem(this.list.lister.title, collapsed, {
      description,
      contextValue: 'pilotLight.resourceList',
      iconPath: new vscode.ThemeIcon('list-tree'),
    });
  }
  getChildren(): Promise<ExplorerNode[]> {
    return this.list.children(this);
  }
  reset(): void {
    this.list.reset();
  }
}

const SDK_PRELOAD_DELAY_MS = 100;

export class ServiceNode extends ExplorerNode {
  private lists?: Promise<PagedList[]>;

  constructor(
    parent: RegionNode,
    readonly service: ServiceCatalogEntry,
    private readonly scope: ListScope,
  ) {
    super(`${parent.id}/${service.id}`, parent);
  }
  getTreeItem(): vscode.TreeItem {
    return this.treeItem(this.service.title, collapsed, {
      contextValue: `pilotLight.service ${this.service.id}`,
      iconPath: new vscode.ThemeIcon('symbol-namespace'),
    });
  }
  async getChildren(): Promise<ExplorerNode[]> {
    if (!this.lists && this.service.preloadSdk) {
      // After the folder's rows are drawn, before the person opens a list.
      const preload = this.service.preloadSdk;
      setTimeout(() => void preload().catch(() => undefined), SDK_PRELOAD_DELAY_MS);
    }
    this.lists ??= this.service.listers().then((listers) => listers.map((lister) => new PagedList(lister, this.scope)));
    return listChildren(this, await this.lists);
  }
  reset(): void {
    this.lists = undefined;
  }
}

export class RegionNode extends ExplorerNode {
  constructor(
    parent: ExplorerNode,
    readonly region: string,
    private readonly connection: AwsConnection,
    private readonly reads: ResourceReads,
    private readonly host: ExplorerHost,
    private readonly showGlobal: boolean,
  ) {
    super(`${parent.id}/${region}`, parent);
  }
  getTreeItem(): vscode.TreeItem {
    return this.treeItem(this.region, expanded, {
      contextValue: 'pilotLight.region',
      iconPath: new vscode.ThemeIcon('globe'),
    });
  }
  private services?: ServiceNode[];

  getChildren(): ExplorerNode[] {
    const scope = { connection: this.connection, reads: this.reads, region: this.region, host: this.host };
    this.services ??= SERVICE_CATALOG.filter((service) => !service.global || this.showGlobal).map(
      (service) => new ServiceNode(this, service, scope),
    );
    return this.services;
  }

  reset(): void {
    this.services = undefined;
  }
}

/** A "Sign in" row when the error is one that signing in fixes (SSO token missing or expired credentials). */
export function signInNode(
  parent: ExplorerNode | undefined,
  idPrefix: string,
  profile: string,
  error: AwsErrorInfo,
): MessageNode | undefined {
  if (error.kind !== 'sso-login-required' && error.kind !== 'expired-credentials') return undefined;
  return new MessageNode(parent, `${idPrefix}/~sign-in`, `Sign in to AWS (profile ${profile})`, 'sign-in', {
    command: 'pilotLight.signIn',
    title: 'Sign in',
    arguments: [profile],
  });
}

const PROFILE_ID = (profile: string) => `profile:${profile}`;
/** contextValue of the roots of profiles shown beside the active one (they can be removed). */
export const OTHER_PROFILE_CONTEXT = 'pilotLight.otherProfile';

/** The root of a profile shown beside the active one whose credentials or identity could not be had. */
export class UnavailableProfileNode extends ExplorerNode {
  constructor(
    readonly profileName: string,
    readonly error: AwsErrorInfo,
    private readonly retry: () => void,
  ) {
    super(PROFILE_ID(profileName), undefined);
  }
  getTreeItem(): vscode.TreeItem {
    return this.treeItem(this.profileName, expanded, {
      description: this.error.code,
      tooltip: `${this.error.message}\n${this.error.hint}`,
      contextValue: OTHER_PROFILE_CONTEXT,
      iconPath: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
    });
  }
  getChildren(): ExplorerNode[] {
    const errorNode = new ErrorNode(this, `${this.id}/~error`, this.error, this.retry);
    const signIn = signInNode(this, this.id, this.profileName, this.error);
    return signIn ? [signIn, errorNode] : [errorNode];
  }
}

export class ProfileNode extends ExplorerNode {
  /** `other`: a profile shown beside the active one (`pilotLight.explorer.profiles`). */
  constructor(
    readonly connection: AwsConnection,
    readonly account: string,
    readonly callerArn: string,
    private readonly host: ExplorerHost,
    readonly other = false,
  ) {
    super(PROFILE_ID(connection.profileName), undefined);
  }
  get profileName(): string {
    return this.connection.profileName;
  }
  getTreeItem(): vscode.TreeItem {
    return this.treeItem(this.connection.profileName, expanded, {
      description: this.account,
      tooltip: `Account ${this.account}\n${this.callerArn}\nCredentials: ${this.connection.credentialSource}${this.other ? '\nShown beside the active profile; its actions run in this account.' : '\nThe active profile (pilotLight.profile): chat, tools and DR plans use it.'}`,
      contextValue: this.other ? OTHER_PROFILE_CONTEXT : 'pilotLight.profile',
      iconPath: new vscode.ThemeIcon(this.other ? 'person' : 'account'),
    });
  }
  private regionNodes?: RegionNode[];

  getChildren(): ExplorerNode[] {
    if (!this.regionNodes) {
      const reads = this.host.reads(this.connection);
      this.regionNodes = this.host
        .regions(this.connection)
        .map((region, index) => new RegionNode(this, region, this.connection, reads, this.host, index === 0));
    }
    const organization = this.host.organizationNode?.(this);
    return organization ? [...this.regionNodes, organization] : this.regionNodes;
  }

  reset(): void {
    this.regionNodes = undefined;
  }
}
