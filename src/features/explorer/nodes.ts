import * as vscode from 'vscode';
import type { AwsConnection } from '../../core/aws/connection';
import type { AwsErrorInfo } from '../../core/aws/errors';
import { SERVICE_CATALOG, type ServiceCatalogEntry } from '../../core/resources/catalog';
import type { ResourceLister, ResourceSummary, StateTone } from '../../core/resources/model';

/** What nodes need from the tree: repaint a node, and settings. */
export interface ExplorerHost {
  refresh(node?: ExplorerNode): void;
  pageSize(): number;
}

export abstract class ExplorerNode {
  constructor(readonly id: string, readonly parent: ExplorerNode | undefined) {}
  abstract getTreeItem(): vscode.TreeItem;
  getChildren(): Promise<ExplorerNode[]> | ExplorerNode[] {
    return [];
  }
}

function item(node: ExplorerNode, label: string, collapsible: vscode.TreeItemCollapsibleState, extras: Partial<vscode.TreeItem> = {}): vscode.TreeItem {
  const treeItem = new vscode.TreeItem(label, collapsible);
  treeItem.id = node.id;
  return Object.assign(treeItem, extras);
}

export class ErrorNode extends ExplorerNode {
  constructor(parent: ExplorerNode | undefined, id: string, readonly error: AwsErrorInfo, private readonly retry: () => void) {
    super(id, parent);
  }
  runRetry(): void {
    this.retry();
  }
  getTreeItem(): vscode.TreeItem {
    return item(this, `${this.error.code}: ${this.error.message}`, vscode.TreeItemCollapsibleState.None, {
      description: 'Retry',
      tooltip: new vscode.MarkdownString(`**${this.error.code}**\n\n${this.error.message}\n\n${this.error.hint}${this.error.requestId ? `\n\nRequest ID: \`${this.error.requestId}\`` : ''}`),
      iconPath: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
      contextValue: 'pilotLight.error',
      command: { command: 'pilotLight.explorer.retry', title: 'Retry', arguments: [this] },
    });
  }
}

export class MessageNode extends ExplorerNode {
  constructor(parent: ExplorerNode | undefined, id: string, private readonly label: string, private readonly icon = 'info') {
    super(id, parent);
  }
  getTreeItem(): vscode.TreeItem {
    return item(this, this.label, vscode.TreeItemCollapsibleState.None, { iconPath: new vscode.ThemeIcon(this.icon), contextValue: 'pilotLight.message' });
  }
}

export class LoadMoreNode extends ExplorerNode {
  constructor(readonly owner: ResourceListNode) {
    super(`${owner.id}/~load-more`, owner);
  }
  getTreeItem(): vscode.TreeItem {
    return item(this, 'Load more…', vscode.TreeItemCollapsibleState.None, {
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
  unknown: new vscode.ThemeIcon('question'),
};

export class ResourceNode extends ExplorerNode {
  constructor(parent: ResourceListNode, readonly resource: ResourceSummary) {
    super(`${parent.id}/${resource.id}`, parent);
  }
  getTreeItem(): vscode.TreeItem {
    const { resource } = this;
    const tooltip = new vscode.MarkdownString(`**${resource.name}**  \n\`${resource.id}\`${resource.state ? `  \nState: ${resource.state}` : ''}`);
    const tagLines = Object.entries(resource.tags).map(([key, value]) => `- \`${key}\` = ${value}`);
    if (tagLines.length) tooltip.appendMarkdown(`\n\nTags:\n${tagLines.join('\n')}`);
    return item(this, resource.name, vscode.TreeItemCollapsibleState.None, {
      description: resource.details.filter((detail) => detail !== resource.name).join(' · '),
      tooltip,
      iconPath: TONE_ICONS[resource.stateTone ?? 'unknown'],
      contextValue: `pilotLight.resource.${resource.type}`,
    });
  }
}

/** A paged list of one resource type. Pages are appended; a page is never requested twice. */
export class ResourceListNode extends ExplorerNode {
  private items: ResourceSummary[] = [];
  private nextToken?: string;
  private loaded = false;
  private inFlight?: Promise<void>;
  private error?: AwsErrorInfo;
  /** Number of API calls this node made; exposed for tests and benchmarks. */
  apiCalls = 0;

  constructor(parent: ExplorerNode, readonly lister: ResourceLister, private readonly connection: AwsConnection, private readonly region: string, private readonly host: ExplorerHost) {
    super(`${parent.id}/${lister.type}`, parent);
  }

  getTreeItem(): vscode.TreeItem {
    const count = this.loaded ? `${this.items.length}${this.nextToken ? '+' : ''}` : undefined;
    return item(this, this.lister.title, vscode.TreeItemCollapsibleState.Collapsed, { description: count, contextValue: 'pilotLight.resourceList', iconPath: new vscode.ThemeIcon('list-tree') });
  }

  async getChildren(): Promise<ExplorerNode[]> {
    if (!this.loaded && !this.error) await this.loadPage();
    const children: ExplorerNode[] = this.items.map((resource) => new ResourceNode(this, resource));
    if (this.error) {
      children.push(new ErrorNode(this, `${this.id}/~error`, this.error, () => this.retry()));
    } else if (this.nextToken) {
      children.push(new LoadMoreNode(this));
    } else if (children.length === 0) {
      children.push(new MessageNode(this, `${this.id}/~empty`, `No ${this.lister.title.toLowerCase()} in ${this.region}`));
    }
    return children;
  }

  /** Loads the next page; concurrent calls share one request, so a double click loads one page. */
  loadMore(): Promise<void> {
    if (!this.nextToken) return this.inFlight ?? Promise.resolve();
    return this.loadPage().then(() => this.host.refresh(this));
  }

  retry(): void {
    this.error = undefined;
    this.host.refresh(this);
  }

  private loadPage(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const token = this.nextToken;
    this.inFlight = (async () => {
      try {
        this.apiCalls++;
        const page = await this.lister.list(this.connection, { region: this.region, nextToken: token, pageSize: this.host.pageSize() });
        this.items = token ? [...this.items, ...page.items] : page.items;
        this.nextToken = page.nextToken;
        this.loaded = true;
        this.error = undefined;
      } catch (error) {
        this.error = this.connection.describeError(error);
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }

  get loadedItems(): readonly ResourceSummary[] {
    return this.items;
  }
  get hasMore(): boolean {
    return Boolean(this.nextToken);
  }
}

export class ServiceNode extends ExplorerNode {
  constructor(parent: RegionNode, readonly service: ServiceCatalogEntry, private readonly connection: AwsConnection, private readonly host: ExplorerHost) {
    super(`${parent.id}/${service.id}`, parent);
  }
  get region(): string {
    return (this.parent as RegionNode).region;
  }
  getTreeItem(): vscode.TreeItem {
    return item(this, this.service.title, vscode.TreeItemCollapsibleState.Collapsed, { contextValue: `pilotLight.service.${this.service.id}`, iconPath: new vscode.ThemeIcon('symbol-namespace') });
  }
  async getChildren(): Promise<ExplorerNode[]> {
    const listers = await this.service.listers();
    return listers.map((lister) => new ResourceListNode(this, lister, this.connection, this.region, this.host));
  }
}

export class RegionNode extends ExplorerNode {
  constructor(parent: ProfileNode, readonly region: string, private readonly connection: AwsConnection, private readonly host: ExplorerHost) {
    super(`${parent.id}/${region}`, parent);
  }
  getTreeItem(): vscode.TreeItem {
    return item(this, this.region, vscode.TreeItemCollapsibleState.Expanded, { contextValue: 'pilotLight.region', iconPath: new vscode.ThemeIcon('globe') });
  }
  getChildren(): ExplorerNode[] {
    return SERVICE_CATALOG.map((service) => new ServiceNode(this, service, this.connection, this.host));
  }
}

export class ProfileNode extends ExplorerNode {
  constructor(readonly connection: AwsConnection, readonly account: string, readonly callerArn: string, private readonly host: ExplorerHost) {
    super(`profile:${connection.profileName}`, undefined);
  }
  getTreeItem(): vscode.TreeItem {
    return item(this, this.connection.profileName, vscode.TreeItemCollapsibleState.Expanded, {
      description: this.account,
      tooltip: `Account ${this.account}\n${this.callerArn}\nCredentials: ${this.connection.credentialSource}`,
      contextValue: 'pilotLight.profile',
      iconPath: new vscode.ThemeIcon('account'),
    });
  }
  getChildren(): ExplorerNode[] {
    return [new RegionNode(this, this.connection.region, this.connection, this.host)];
  }
}
