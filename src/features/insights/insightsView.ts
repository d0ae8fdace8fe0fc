import * as vscode from 'vscode';
import type { Insight, InsightResource } from '../../core/insights/proactive/types';
import type { InsightsReport, SourceStatus } from '../../core/insights/proactive/runner';
import { TreeNode, TreeProvider } from '../shared/tree';

export const INSIGHTS_VIEW_ID = 'pilotLight.insights';

export type InsightsNode = InsightNode | InsightResourceNode | InsightDetailNode | StatusNode;

const SEVERITY_ICON: Record<Insight['severity'], vscode.ThemeIcon> = {
  high: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  medium: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  low: new vscode.ThemeIcon('info'),
};

export class InsightNode extends TreeNode<InsightsNode> {
  constructor(readonly insight: Insight) {
    super(`insight:${insight.id}`, undefined);
  }

  getTreeItem(): vscode.TreeItem {
    const tooltip = new vscode.MarkdownString(undefined, false);
    tooltip.appendText(`${this.insight.title}\n\n${this.insight.detail ?? ''}`);
    return this.treeItem(this.insight.title, vscode.TreeItemCollapsibleState.Collapsed, {
      description: this.insight.severity,
      tooltip,
      iconPath: SEVERITY_ICON[this.insight.severity],
      contextValue: this.insight.fix ? 'pilotLight.insight.fixable' : 'pilotLight.insight',
    });
  }

  getChildren(): InsightsNode[] {
    const children: InsightsNode[] = [];
    if (this.insight.fix) children.push(new InsightDetailNode(this, 'fix', this.insight.fix.title, 'wrench'));
    for (const line of (this.insight.detail ?? '').split('\n').filter(Boolean).slice(0, 11))
      children.push(new InsightDetailNode(this, `detail:${children.length}`, line, 'note'));
    for (const resource of this.insight.resources.slice(0, 100)) children.push(new InsightResourceNode(this, resource));
    return children;
  }
}

export class InsightResourceNode extends TreeNode<InsightsNode> {
  constructor(
    parent: InsightNode,
    readonly resource: InsightResource,
  ) {
    super(`${parent.id}/resource:${resource.type}:${resource.id}`, parent);
  }

  getTreeItem(): vscode.TreeItem {
    return this.treeItem(this.resource.id, vscode.TreeItemCollapsibleState.None, {
      description: `${this.resource.type} · ${this.resource.region}`,
      iconPath: new vscode.ThemeIcon('symbol-field'),
      contextValue: 'pilotLight.insightResource',
      command: {
        title: 'Show in explorer',
        command: 'pilotLight.chat.showInExplorer',
        arguments: [{ id: this.resource.id, type: this.resource.type, region: this.resource.region }],
      },
    });
  }
}

export class InsightDetailNode extends TreeNode<InsightsNode> {
  constructor(
    readonly insightNode: InsightNode,
    key: string,
    readonly text: string,
    private readonly icon: string,
  ) {
    super(`${insightNode.id}/${key}`, insightNode);
  }

  getTreeItem(): vscode.TreeItem {
    const fix = this.insightNode.insight.fix;
    return this.treeItem(this.text, vscode.TreeItemCollapsibleState.None, {
      iconPath: new vscode.ThemeIcon(this.icon),
      tooltip: this.text,
      ...(this.icon === 'wrench' && fix
        ? {
            contextValue: 'pilotLight.insightFix',
            command: { title: fix.title, command: 'pilotLight.insights.previewFix', arguments: [this.insightNode] },
          }
        : {}),
    });
  }
}

/** A line about the check itself: when it ran, what could not be checked, why background checks are off. */
export class StatusNode extends TreeNode<InsightsNode> {
  constructor(
    key: string,
    private readonly label: string,
    private readonly description: string | undefined,
    private readonly icon: string,
    private readonly command?: vscode.Command,
  ) {
    super(`status:${key}`, undefined);
  }

  getTreeItem(): vscode.TreeItem {
    return this.treeItem(this.label, vscode.TreeItemCollapsibleState.None, {
      description: this.description,
      tooltip: this.description ? `${this.label}: ${this.description}` : this.label,
      iconPath: new vscode.ThemeIcon(this.icon),
      contextValue: 'pilotLight.insightStatus',
      command: this.command,
    });
  }
}

export interface InsightsViewState {
  report?: InsightsReport;
  visible: Insight[];
  dismissedCount: number;
  checking: boolean;
  /** Why the background check does not run (settings, protected account), if it does not. */
  backgroundNote?: string;
  error?: string;
}

function sourceLine(status: SourceStatus): StatusNode {
  return new StatusNode(
    `source:${status.id}`,
    `${status.state === 'partial' ? 'Partly checked' : 'Not checked'}: ${status.title}`,
    status.reason,
    'circle-slash',
  );
}

export class InsightsViewProvider extends TreeProvider<InsightsNode> {
  state: InsightsViewState = { visible: [], dismissedCount: 0, checking: false };
  /** Called the first time VS Code asks for the view's rows. */
  onFirstShown?: () => void;
  private shown = false;

  update(state: Partial<InsightsViewState>): void {
    this.state = { ...this.state, ...state };
    this.repaint();
  }

  protected getRoots(): InsightsNode[] {
    if (!this.shown) {
      this.shown = true;
      this.onFirstShown?.();
    }
    const { report, visible, dismissedCount, checking, backgroundNote, error } = this.state;
    const checkNow: vscode.Command = { title: 'Check now', command: 'pilotLight.insights.refresh' };
    const roots: InsightsNode[] = visible.map((insight) => new InsightNode(insight));
    if (checking) roots.unshift(new StatusNode('checking', 'Checking…', undefined, 'loading~spin'));
    if (error) roots.push(new StatusNode('error', 'The check failed', error, 'error', checkNow));
    if (report) {
      roots.push(...report.sources.filter((status) => status.state !== 'ok').map(sourceLine));
      const gaps = report.sources.filter((status) => status.state !== 'ok').length;
      const when = new Date(report.checkedAt).toLocaleTimeString();
      roots.push(
        new StatusNode(
          'checked',
          !visible.length
            ? gaps
              ? 'Nothing found among what could be checked'
              : 'Nothing to look at'
            : `Checked ${report.sources.length - gaps} of ${report.sources.length} in full`,
          `${report.account} · ${report.region} · ${when}`,
          'history',
          checkNow,
        ),
      );
      if (dismissedCount)
        roots.push(
          new StatusNode('dismissed', `${dismissedCount} dismissed`, 'hidden until they change', 'eye-closed', {
            title: 'Restore dismissed insights',
            command: 'pilotLight.insights.restoreDismissed',
          }),
        );
    } else if (!checking && !error) {
      roots.push(new StatusNode('never', 'Not checked yet', 'click to check now', 'play', checkNow));
    }
    if (backgroundNote) roots.push(new StatusNode('background', backgroundNote, undefined, 'clock'));
    return roots;
  }
}
