import * as vscode from 'vscode';
import type { AwsConnection } from '../../core/aws/connection';
import { describeAwsError } from '../../core/aws/errors';
import type { ResourceReads } from '../../core/resources/model';
import { runnerReads } from '../../core/resources/runnerReads';
import { organizationsFeature } from '../organizations/organizationsFeature';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { TreeProvider } from '../shared/tree';
import { OrganizationNode } from './organizationNodes';
import {
  ErrorNode,
  type ExplorerNode,
  ProfileNode,
  signInNode,
  UnavailableProfileNode,
  type ExplorerHost,
  type ResourceNode,
  type RowDecorator,
} from './nodes';

export const EXPLORER_VIEW_ID = 'pilotLight.explorer';
const NEEDS_CREDENTIALS_KEY = 'pilotLight.needsCredentials';
const FILTER_ACTIVE_KEY = 'pilotLight.explorerFiltered';

/** A list setting of the explorer (regions, profiles): trimmed, without blanks or repeats, in order. */
function explorerListSetting(key: 'regions' | 'profiles'): string[] {
  const configured = vscode.workspace.getConfiguration('pilotLight.explorer').get<unknown[]>(key) ?? [];
  return [...new Set(configured.map((value) => String(value).trim()).filter(Boolean))];
}

/** Backoff for transitional states: 2 s, 4 s, 8 s … capped at 60 s. */
export const LIVE_REFRESH_FIRST_MS = 2_000;
const LIVE_REFRESH_MAX_MS = 60_000;

export class ExplorerProvider extends TreeProvider<ExplorerNode> implements ExplorerHost {
  private roots?: Promise<ExplorerNode[]>;
  private filterText = '';
  private readonly liveTimers = new Map<ResourceNode, NodeJS.Timeout>();
  /** Called whenever the filter changes, so the view can show it. */
  onFilterChanged?: (filter: string) => void;
  /** True while the welcome view (no usable credentials) is showing. */
  needsCredentials = false;
  /** Live refreshes done so far; read by tests. */
  liveRefreshCount = 0;
  /** Added to by features (observability: sparklines, live alarms). */
  readonly rowDecorators: RowDecorator[] = [];
  /** Per profile root: its organization node, or why there is none (being read, not an organization). */
  private readonly organizations = new Map<string, OrganizationNode | 'reading' | 'none'>();

  constructor(private readonly ctx: PilotLightContext) {
    super();
    this.subscriptions.push(
      ctx.onDidChangeConnection(() => this.refresh()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('pilotLight.explorer') || event.affectsConfiguration('pilotLight.organizations'))
          this.refresh();
      }),
    );
  }

  refresh(node?: ExplorerNode): void {
    if (!node) {
      this.roots = undefined;
      this.organizations.clear();
      this.stopLiveRefreshes();
    } else {
      node.reset();
    }
    this.changeEmitter.fire(node);
  }

  /** The page size setting; a value that is not a positive whole number (hand-edited settings.json) counts as the default. */
  pageSize(page: 'first' | 'more' = 'first'): number {
    const [key, fallback] = page === 'first' ? ['pageSize', 100] : ['loadMorePageSize', 1000];
    const value = vscode.workspace.getConfiguration('pilotLight.explorer').get<unknown>(key);
    return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
  }

  filter(): string {
    return this.filterText;
  }

  setFilter(text: string): void {
    this.filterText = text.trim();
    void vscode.commands.executeCommand('setContext', FILTER_ACTIVE_KEY, Boolean(this.filterText));
    this.onFilterChanged?.(this.filterText);
    this.changeEmitter.fire(undefined);
  }

  /** Profiles shown beside the active one (`pilotLight.explorer.profiles`; a workspace's list only once allowed), in order, without repeats. */
  otherProfiles(): string[] {
    return this.ctx.connectionSettings.current().settings.explorerProfiles;
  }

  reads(connection: AwsConnection): ResourceReads {
    return runnerReads(
      () => this.ctx.safety.runner(connection.profileName),
      () => connection.identity(),
    );
  }

  regions(connection: AwsConnection): string[] {
    const configured = explorerListSetting('regions');
    return configured.length ? configured : [connection.region];
  }

  /**
   * The Organization node of a profile root. The first call starts reading the organization in the background;
   * the node appears when the profile's account can read it (the management or a delegated administrator
   * account), and never for an account outside an organization (`pilotLight.organizations.showInExplorer`).
   */
  organizationNode(profile: ProfileNode): ExplorerNode | undefined {
    const mode = vscode.workspace.getConfiguration('pilotLight.organizations').get<string>('showInExplorer', 'auto');
    if (mode === 'never') return undefined;
    const state = this.organizations.get(profile.id);
    if (state instanceof OrganizationNode) return state;
    if (state) return undefined;
    this.organizations.set(profile.id, 'reading');
    void (async () => {
      try {
        const access = await organizationsFeature(this.ctx).access(profile.other ? profile.profileName : undefined);
        const tree = await access.tree('explorer');
        if (this.organizations.get(profile.id) !== 'reading') return;
        this.organizations.set(profile.id, new OrganizationNode(profile, access, tree, this));
        this.changeEmitter.fire(profile);
      } catch (error) {
        if (this.organizations.get(profile.id) === 'reading') this.organizations.set(profile.id, 'none');
        this.ctx.log.info(
          `Explorer: no AWS Organization for profile ${profile.profileName} (${describeAwsError(error).code}: ${describeAwsError(error).message})`,
        );
      }
    })();
    return undefined;
  }

  /** Resolves once every organization read started so far has ended (tests). */
  organizationsSettled(): boolean {
    return ![...this.organizations.values()].includes('reading');
  }

  watchTransitional(node: ResourceNode, delay = LIVE_REFRESH_FIRST_MS): void {
    if (this.liveTimers.has(node)) return;
    const timer = setTimeout(async () => {
      this.liveTimers.delete(node);
      const refreshOne = node.list.lister.refreshOne;
      if (!refreshOne) return;
      let settled = false;
      try {
        const updated = await refreshOne(node.list.scope.reads, node.region, node.resource.id);
        this.liveRefreshCount++;
        if (updated) {
          node.list.replace(updated);
          settled = updated.stateTone !== 'transitional';
          this.changeEmitter.fire(node);
        } else {
          settled = true;
        }
      } catch (error) {
        this.ctx.log.warn(`Live refresh of ${node.resource.id} failed: ${describeAwsError(error).message}`);
      }
      if (!settled) this.watchTransitional(node, Math.min(delay * 2, LIVE_REFRESH_MAX_MS));
    }, delay);
    this.liveTimers.set(node, timer);
  }

  get watchedCount(): number {
    return this.liveTimers.size;
  }

  private stopLiveRefreshes(): void {
    for (const timer of this.liveTimers.values()) clearTimeout(timer);
    this.liveTimers.clear();
  }

  protected getRoots(): Promise<ExplorerNode[]> {
    this.roots ??= this.loadRoots();
    return this.roots;
  }

  /** The active profile first, then the other profiles the user added; each root loads on its own. */
  private async loadRoots(): Promise<ExplorerNode[]> {
    const activeName = await this.ctx.connection().then(
      (connection) => connection.profileName,
      () => this.ctx.profileSetting() ?? 'default',
    );
    const others = this.otherProfiles().filter((profile) => profile !== activeName);
    const [active, ...rest] = await Promise.all([
      this.loadActiveRoot(others.length > 0),
      ...others.map((profile) => this.loadOtherRoot(profile)),
    ]);
    return [...active, ...rest];
  }

  private async loadOtherRoot(profile: string): Promise<ExplorerNode> {
    let connection: AwsConnection | undefined;
    try {
      connection = await this.ctx.connectionFor(profile);
      const identity = await connection.identity();
      return new ProfileNode(connection, identity.account, identity.arn, this, true);
    } catch (error) {
      const info = connection ? connection.describeError(error) : describeAwsError(error, profile);
      this.ctx.log.warn(`Explorer, profile ${profile}: ${info.code}: ${info.message}`);
      return new UnavailableProfileNode(profile, info, () => this.refresh());
    }
  }

  /**
   * The active profile's root needs the caller identity (account). Credential problems get specific nodes,
   * or the welcome view when nothing else is shown.
   */
  private async loadActiveRoot(othersShown: boolean): Promise<ExplorerNode[]> {
    let connection: AwsConnection | undefined;
    try {
      connection = await this.ctx.connection();
      const identity = await this.ctx.identity();
      await this.setNeedsCredentials(false);
      return [new ProfileNode(connection, identity.account, identity.arn, this)];
    } catch (error) {
      const info = connection ? connection.describeError(error) : describeAwsError(error, this.ctx.profileSetting());
      this.ctx.log.warn(`Explorer: ${info.code}: ${info.message}`);
      if (info.kind === 'no-credentials' && !othersShown) {
        await this.setNeedsCredentials(true);
        return [];
      }
      await this.setNeedsCredentials(false);
      const errorNode = new ErrorNode(undefined, 'root/~error', info, () => this.refresh());
      const signIn = signInNode(
        undefined,
        'root',
        connection?.profileName ?? this.ctx.profileSetting() ?? 'default',
        info,
      );
      return signIn ? [signIn, errorNode] : [errorNode];
    }
  }

  private async setNeedsCredentials(value: boolean): Promise<void> {
    this.needsCredentials = value;
    await vscode.commands.executeCommand('setContext', NEEDS_CREDENTIALS_KEY, value);
  }

  dispose(): void {
    this.stopLiveRefreshes();
    super.dispose();
  }
}
