import * as vscode from 'vscode';
import type { CostChartData } from '../../protocol/costChart';
import { TreeNode, TreeProvider } from '../shared/tree';

export const COST_VIEW_ID = 'pilotLight.cost';

interface RowSpec {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  icon?: string;
  contextValue?: string;
  /** Loads the children on first expand (errors become one error row). */
  children?: () => Promise<RowSpec[]>;
  expanded?: boolean;
  /** What a row's context-menu command needs (a schedule's name and group). */
  value?: Record<string, string>;
}

/** One row of the Cost view; children load on first expand and are kept until a refresh. */
export class CostNode extends TreeNode<CostNode> {
  private loaded?: Promise<CostNode[]>;
  constructor(
    readonly spec: RowSpec,
    parent: CostNode | undefined,
  ) {
    super(spec.id, parent);
  }

  getTreeItem(): vscode.TreeItem {
    const state = this.spec.children
      ? this.spec.expanded
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed
      : vscode.TreeItemCollapsibleState.None;
    return this.treeItem(this.spec.label, state, {
      description: this.spec.description,
      tooltip: this.spec.tooltip,
      iconPath: this.spec.icon ? new vscode.ThemeIcon(this.spec.icon) : undefined,
      contextValue: this.spec.contextValue,
    });
  }

  getChildren(): Promise<CostNode[]> {
    if (!this.spec.children) return Promise.resolve([]);
    this.loaded ??= this.spec.children().then(
      (rows) => rows.map((row) => new CostNode({ ...row, id: `${this.id}/${row.id}` }, this)),
      (error: unknown) => [new CostNode(errorRow(`${this.id}/error`, error), this)],
    );
    return this.loaded;
  }
}

function errorRow(id: string, error: unknown): RowSpec {
  const message = error instanceof Error ? error.message : String(error);
  return { id, label: 'Could not read', description: message.slice(0, 200), tooltip: message, icon: 'error' };
}

export interface CostViewSource {
  /** The top rows; loading them reads Cost Explorer (once per refresh). */
  roots(): Promise<RowSpec[]>;
  /** The chart's data from the last summary read, if any. */
  chartData(): CostChartData | undefined;
}

export type { RowSpec };

/** The Cost view: this month, last month, forecast, top services, then budgets, schedules, right-sizing and savings. */
export class CostViewProvider extends TreeProvider<CostNode> {
  private roots?: Promise<CostNode[]>;
  constructor(private readonly source: () => Promise<CostViewSource>) {
    super();
  }

  protected getRoots(): Promise<CostNode[]> {
    this.roots ??= this.source()
      .then((source) => source.roots())
      .then(
        (rows) => rows.map((row) => new CostNode(row, undefined)),
        (error: unknown) => [new CostNode(errorRow('cost/error', error), undefined)],
      );
    return this.roots;
  }

  /** The rows as shown (top level and loaded children), for tests and the chart. */
  async snapshot(depth = 2): Promise<Array<{ path: string; label: string; description?: string }>> {
    const out: Array<{ path: string; label: string; description?: string }> = [];
    const walk = async (nodes: CostNode[], prefix: string, level: number) => {
      for (const node of nodes) {
        const path = prefix ? `${prefix}/${node.spec.label}` : node.spec.label;
        out.push({ path, label: node.spec.label, description: node.spec.description });
        if (level < depth && node.spec.children) await walk(await node.getChildren(), path, level + 1);
      }
    };
    await walk(await this.getRoots(), '', 1);
    return out;
  }

  override refresh(): void {
    this.roots = undefined;
    super.refresh();
  }
}
