import type * as vscode from 'vscode';
import type { SparklineCache } from '../../core/observability/sparklines';
import type { ExplorerNode, PagedList, ResourceNode, RowDecorator } from '../explorer/nodes';

/** What the decorator needs from the explorer tree. */
export interface DecoratedTree {
  repaint(node?: ExplorerNode): void;
  refresh(node?: ExplorerNode): void;
}

const SPARKLINE_TYPES = new Set(['ec2:instance']);
const ALARM_TYPE = 'cloudwatch:alarm';
const SPARKLINE_DELAY_MS = 50;

/**
 * Sparklines for the instance rows a list shows: one batched GetMetricData read (≤ 500 rows per call) per
 * list refresh, cached for a minute; each row repaints once its series arrived. Alarm lists that were shown
 * are reloaded every `pilotLight.observability.alarmRefreshSeconds` while the explorer is visible.
 */
export class ObservabilityDecorator implements RowDecorator, vscode.Disposable {
  private cache?: Promise<SparklineCache>;
  private readonly alarmOwners = new Set<ExplorerNode>();
  private timer?: NodeJS.Timeout;
  /** Sparkline loads and alarm list reloads so far; read by tests. */
  sparklineLoads = 0;
  alarmRefreshes = 0;

  constructor(
    private readonly tree: DecoratedTree,
    private readonly visible: () => boolean,
    private readonly refreshSeconds: () => number,
    private readonly warn: (message: string) => void,
  ) {}

  private sparklines(): Promise<SparklineCache> {
    this.cache ??= import('../../core/observability/sparklines').then(
      ({ SparklineCache }) => (this.loadedCache = new SparklineCache()),
    );
    return this.cache;
  }

  shown(list: PagedList, owner: ExplorerNode, rows: ResourceNode[]): void {
    if (list.lister.type === ALARM_TYPE) {
      this.alarmOwners.add(owner);
      this.schedule();
      return;
    }
    if (!SPARKLINE_TYPES.has(list.lister.type) || !rows.length) return;
    const { reads, region } = list.scope;
    // After the rows are drawn: loading the metrics client must not delay the list's first paint.
    setTimeout(() => void this.loadSparklines(list, rows, reads, region), SPARKLINE_DELAY_MS);
  }

  private async loadSparklines(
    list: PagedList,
    rows: ResourceNode[],
    reads: PagedList['scope']['reads'],
    region: string,
  ): Promise<void> {
    const cache = await this.sparklines();
    const stale = rows.filter(
      (row) => SPARKLINE_TYPES.has(row.resource.type) && !cache.isFresh(region, row.resource.id),
    );
    if (!stale.length) return;
    try {
      this.sparklineLoads++;
      const calls = await cache.load(
        (operationId, input) => reads.read(operationId, input, region),
        region,
        stale.map((row) => ({ type: row.resource.type, id: row.resource.id })),
      );
      if (!calls) return;
      for (const row of stale) {
        // Setting the row's resource again rebuilds its tooltip on the next paint.
        const { resource } = row;
        row.resource = resource;
        this.tree.repaint(row);
      }
    } catch (error) {
      this.warn(
        `Sparklines for ${rows.length} ${list.lister.title.toLowerCase()} in ${region}: ${(error as Error).message}`,
      );
    }
  }

  tooltip(node: ResourceNode): string | undefined {
    // Nothing to show before the first load of a list started.
    const cache = this.loadedCache;
    if (!SPARKLINE_TYPES.has(node.resource.type)) return undefined;
    if (!cache) return undefined;
    const spark = cache.get(node.region, node.resource.id);
    if (spark)
      return `**${spark.metric}** \`${spark.line}\`  \nlatest ${round(spark.latest)} ${spark.unit}, max ${round(spark.max)} ${spark.unit} (${spark.window})`;
    return cache.isFresh(node.region, node.resource.id)
      ? `**CPUUtilization**: no datapoints in the last 3 hours`
      : undefined;
  }

  private loadedCache?: SparklineCache;

  private schedule(): void {
    if (this.timer) return;
    const seconds = Math.max(10, this.refreshSeconds() || 60);
    this.timer = setInterval(() => this.refreshAlarms(), seconds * 1000);
  }

  private refreshAlarms(): void {
    if (!this.visible() || !this.alarmOwners.size) return;
    const owners = [...this.alarmOwners];
    // Shown again after the reload, so each registers anew; lists no longer shown drop out.
    this.alarmOwners.clear();
    for (const owner of owners) {
      this.alarmRefreshes++;
      this.tree.refresh(owner);
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

function round(value: number | undefined): string {
  if (value === undefined) return '?';
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
