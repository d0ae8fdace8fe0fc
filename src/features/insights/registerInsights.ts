import * as vscode from 'vscode';
import type { Insight } from '../../core/insights/proactive/types';
import type { InsightsReport } from '../../core/insights/proactive/runner';
import type { InsightSettings, InsightSettingsLayer } from '../../core/insights/proactive/settings';
import { commandRegistrar } from '../shared/commands';
import { OperationService } from '../shared/operationService';
import { CONFIG_SECTION, type PilotLightContext } from '../shared/pilotLightContext';
import { readVia } from '../shared/serviceReads';
import { INSIGHTS_VIEW_ID, InsightNode, InsightsViewProvider } from './insightsView';

/** The first background check waits this long after startup (or runs when the view is first shown). */
const FIRST_BACKGROUND_CHECK_MS = 60_000;
const SETTING_KEYS: Array<keyof InsightSettings> = ['enabled', 'intervalMinutes', 'includeProtected'];

/** What the Insights commands return, for the extension's own tests. */
export interface InsightsSnapshot {
  visible: Insight[];
  dismissedCount: number;
  badge?: number;
  report?: InsightsReport;
  backgroundNote?: string;
}

/**
 * The Insights view: what the proactive checks found, with a badge count (never notifications), dismissals
 * that hold until an insight changes, and an opt-in background check. The checks load on first use.
 */
export class InsightsFeature implements vscode.Disposable {
  readonly provider = new InsightsViewProvider();
  readonly view: vscode.TreeView<unknown>;
  private timer?: ReturnType<typeof setTimeout>;
  private running?: Promise<InsightsSnapshot>;
  private readonly service: OperationService;

  constructor(private readonly ctx: PilotLightContext) {
    this.service = OperationService.for(ctx);
    this.view = vscode.window.createTreeView(INSIGHTS_VIEW_ID, {
      treeDataProvider: this.provider,
      showCollapseAll: true,
    }) as vscode.TreeView<unknown>;
    this.provider.onFirstShown = () => this.start();
  }

  private started = false;

  /** Starts background checking (first check now, when enabled); later calls do nothing. */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.schedule(0);
  }

  /** The settings in force: user settings, tightened by the workspace and its folders. */
  async settings(): Promise<{ settings: InsightSettings; ignored: string[] }> {
    const { resolveInsightSettings } = await import('../../core/insights/proactive/settings');
    const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
    const layer = (scope: 'globalValue' | 'workspaceValue' | 'workspaceFolderValue'): InsightSettingsLayer =>
      Object.fromEntries(SETTING_KEYS.map((key) => [key, config.inspect(`insights.${key}`)?.[scope]]));
    const user = resolveInsightSettings(layer('globalValue'), undefined);
    const workspace = resolveInsightSettings(user.settings, layer('workspaceValue'));
    const folder = resolveInsightSettings(workspace.settings, layer('workspaceFolderValue'));
    return { settings: folder.settings, ignored: [...workspace.ignored, ...folder.ignored] };
  }

  /** Plans the next background check; `delayMs` overrides the interval (0: now, when enabled). */
  async schedule(delayMs?: number): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const generation = ++this.generation;
    const { settings, ignored } = await this.settings();
    for (const note of ignored) this.ctx.log.warn(`Insights: ${note}; the workspace value is ignored.`);
    if (!settings.enabled) {
      this.provider.update({ backgroundNote: 'Background checks are off (pilotLight.insights.enabled)' });
      return;
    }
    this.provider.update({ backgroundNote: `Background check every ${settings.intervalMinutes} min` });
    if (generation !== this.generation) return;
    const wait = delayMs ?? settings.intervalMinutes * 60_000;
    this.timer = setTimeout(() => void this.backgroundCheck(generation), wait);
  }

  /** Each schedule() starts a new chain of checks; an older chain stops at its next step. */
  private generation = 0;

  /** One background step: checks when the settings and the account allow it, else says why in the view. */
  async backgroundCheckNow(): Promise<{ run: true } | { run: false; reason: string }> {
    const [{ backgroundCheckDecision, accountProtection }, loaded, { settings }] = await Promise.all([
      import('../../core/insights/proactive/settings'),
      this.service.policy(),
      this.settings(),
    ]);
    const account = await (await this.ctx.connection()).identity().then(
      (identity) => identity.account,
      () => undefined,
    );
    const decision = backgroundCheckDecision(settings, accountProtection(account, loaded.policy));
    if (decision.run) await this.check();
    else this.provider.update({ backgroundNote: decision.reason });
    return decision;
  }

  private async backgroundCheck(generation: number): Promise<void> {
    try {
      await this.backgroundCheckNow();
    } catch (error) {
      this.ctx.log.warn(`Insights: the background check failed: ${(error as Error).message}`);
    } finally {
      const { settings } = await this.settings().catch(() => ({ settings: undefined }));
      if (settings?.enabled && generation === this.generation)
        this.timer = setTimeout(() => void this.backgroundCheck(generation), settings.intervalMinutes * 60_000);
    }
  }

  /** Runs every source now (one run at a time) and shows the result. */
  check(): Promise<InsightsSnapshot> {
    this.running ??= this.runCheck().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runCheck(): Promise<InsightsSnapshot> {
    this.provider.update({ checking: true, error: undefined });
    try {
      const [{ collectInsights, proactiveSources }, connection, resolveEnvironment] = await Promise.all([
        import('../../core/insights/proactive'),
        this.ctx.connection(),
        this.service.environmentResolver(),
      ]);
      const account = await connection.identity().then(
        (identity) => identity.account,
        () => 'unknown account',
      );
      const stoppedDays = vscode.workspace.getConfiguration(CONFIG_SECTION).get<number>('insights.stoppedInstanceDays');
      const report = await collectInsights(proactiveSources({ resolveEnvironment, stoppedDays }), {
        read: readVia(this.service, 'explorer', connection.region),
        account,
        region: connection.region,
        now: new Date(),
      });
      this.provider.update({ report, checking: false });
      return await this.show();
    } catch (error) {
      this.provider.update({ checking: false, error: (error as Error).message });
      throw error;
    }
  }

  private async store() {
    const { DismissalStore } = await import('../../core/insights/proactive/dismissals');
    return new DismissalStore(this.ctx.extension.globalState);
  }

  /** Drops the last report when the connection now points at another account or region. */
  async connectionChanged(): Promise<void> {
    const report = this.provider.state.report;
    if (!report) return;
    const connection = await this.ctx.connection();
    const account = await connection.identity().then(
      (identity) => identity.account,
      () => undefined,
    );
    if (connection.region === report.region && (account === undefined || account === report.account)) return;
    this.provider.update({ report: undefined, error: undefined });
    await this.show();
    void this.schedule(0);
  }

  /** Applies dismissals to the last report, repaints and sets the badge. */
  async show(): Promise<InsightsSnapshot> {
    const report = this.provider.state.report;
    const { visible, dismissed } = (await this.store()).visible(report?.insights ?? []);
    this.provider.update({ visible, dismissedCount: dismissed.length });
    this.view.badge = visible.length
      ? { value: visible.length, tooltip: `${visible.length} insight${visible.length === 1 ? '' : 's'} to look at` }
      : undefined;
    return this.snapshot();
  }

  snapshot(): InsightsSnapshot {
    return {
      visible: this.provider.state.visible,
      dismissedCount: this.provider.state.dismissedCount,
      badge: this.view.badge?.value,
      report: this.provider.state.report,
      backgroundNote: this.provider.state.backgroundNote,
    };
  }

  private insightOf(target: unknown): Insight | undefined {
    if (target instanceof InsightNode) return target.insight;
    const id = typeof target === 'string' ? target : (target as { id?: unknown } | undefined)?.id;
    return typeof id === 'string'
      ? this.provider.state.report?.insights.find((insight) => insight.id === id)
      : undefined;
  }

  async dismiss(target: unknown): Promise<InsightsSnapshot> {
    const insight = this.insightOf(target);
    if (!insight) throw new Error('Choose an insight in the Insights view to dismiss.');
    await (await this.store()).dismiss(insight);
    return this.show();
  }

  async restoreDismissed(): Promise<InsightsSnapshot> {
    await (await this.store()).restoreAll();
    return this.show();
  }

  /** Opens the fix's dry-run preview through the operation command path; nothing runs. */
  async previewFix(target: unknown): Promise<unknown> {
    const insight = this.insightOf(target);
    if (!insight?.fix) throw new Error('This insight has no operation that fixes it; its details say what to do.');
    return vscode.commands.executeCommand('pilotLight.operations.dryRun', {
      operationId: insight.fix.operationId,
      input: insight.fix.input,
      region: insight.resources[0]?.region,
    });
  }

  async showResource(target: unknown): Promise<unknown> {
    const insight = this.insightOf(target);
    const resource = insight?.resources[0];
    if (!resource) throw new Error('Choose an insight in the Insights view.');
    return vscode.commands.executeCommand('pilotLight.chat.showInExplorer', {
      id: resource.id,
      type: resource.type,
      region: resource.region,
    });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.view.dispose();
    this.provider.dispose();
  }
}

/** The feature, for the extension's own tests. */
export let registeredInsights: InsightsFeature | undefined;

export function registerInsights(ctx: PilotLightContext): InsightsFeature {
  const feature = new InsightsFeature(ctx);
  registeredInsights = feature;
  const command = commandRegistrar(ctx);
  ctx.extension.subscriptions.push(
    feature,
    command('pilotLight.insights.refresh', () => feature.check()),
    command('pilotLight.insights.dismiss', (target?: unknown) => feature.dismiss(target)),
    command('pilotLight.insights.restoreDismissed', () => feature.restoreDismissed()),
    command('pilotLight.insights.previewFix', (target?: unknown) => feature.previewFix(target)),
    command('pilotLight.insights.showResource', (target?: unknown) => feature.showResource(target)),
    ctx.onDidChangeConnection(() =>
      feature.connectionChanged().catch((error) => ctx.log.warn(`Insights: ${(error as Error).message}`)),
    ),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${CONFIG_SECTION}.insights`))
        void feature.schedule(feature.provider.state.report ? undefined : 0);
    }),
  );
  // Background checks start lazily: when the view is first shown, or a while after startup.
  const startup = setTimeout(() => feature.start(), FIRST_BACKGROUND_CHECK_MS);
  ctx.extension.subscriptions.push({ dispose: () => clearTimeout(startup) });
  return feature;
}
