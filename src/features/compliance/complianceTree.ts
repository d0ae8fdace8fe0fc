import * as vscode from 'vscode';
import type { CheckResult, ComplianceFinding, ComplianceReport, ComplianceSeverity } from '../../core/compliance/types';
import { TreeNode, TreeProvider } from '../shared/tree';

const leaf = vscode.TreeItemCollapsibleState.None;
const collapsed = vscode.TreeItemCollapsibleState.Collapsed;
const expanded = vscode.TreeItemCollapsibleState.Expanded;

const SEVERITY_RANK: Record<ComplianceSeverity, number> = { critical: 0, high: 1, medium: 2, low: 3, informational: 4 };

export function severityIcon(severity: ComplianceSeverity | undefined): vscode.ThemeIcon {
  switch (severity) {
    case 'critical':
    case 'high':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    case 'medium':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground'));
    case 'low':
    case 'informational':
      return new vscode.ThemeIcon('info', new vscode.ThemeColor('editorInfo.foreground'));
    default:
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
  }
}

export type ComplianceNode = MessageNode | RuleNode | FindingNode | GroupNode | CheckNode;

/** What the view shows: nothing yet, a run under way, a report, or why the run failed. */
export type ComplianceViewState =
  | { kind: 'empty' }
  | { kind: 'running'; previous?: ComplianceReport }
  | { kind: 'report'; report: ComplianceReport }
  | { kind: 'failed'; message: string; previous?: ComplianceReport };

export class MessageNode extends TreeNode<ComplianceNode> {
  constructor(
    id: string,
    readonly text: string,
    private readonly icon: vscode.ThemeIcon,
    private readonly tooltip?: string,
  ) {
    super(id, undefined);
  }
  getTreeItem(): vscode.TreeItem {
    return this.treeItem(this.text, leaf, {
      iconPath: this.icon,
      tooltip: this.tooltip ?? this.text,
      contextValue: 'pilotLight.complianceMessage',
    });
  }
}

export class RuleNode extends TreeNode<ComplianceNode> {
  constructor(
    readonly ruleId: string,
    readonly ruleTitle: string,
    readonly severity: ComplianceSeverity,
    readonly findings: ComplianceFinding[],
  ) {
    super(`rule:${ruleId}`, undefined);
  }
  getTreeItem(): vscode.TreeItem {
    return this.treeItem(this.ruleTitle, collapsed, {
      description: `${this.findings.length} · ${this.severity}`,
      tooltip: new vscode.MarkdownString(
        `**${this.ruleTitle}**  \n\`${this.ruleId}\`  \n${this.findings.length} finding${this.findings.length === 1 ? '' : 's'}, ${this.severity}`,
      ),
      iconPath: severityIcon(this.severity),
      contextValue: 'pilotLight.complianceRule',
    });
  }
  getChildren(): ComplianceNode[] {
    return this.findings.map((finding, index) => new FindingNode(this, finding, index));
  }
}

export class FindingNode extends TreeNode<ComplianceNode> {
  constructor(
    parent: RuleNode,
    readonly finding: ComplianceFinding,
    index: number,
  ) {
    super(`${parent.id}/${finding.region}/${finding.resource.id}/${index}`, parent);
  }
  getTreeItem(): vscode.TreeItem {
    const { finding } = this;
    const label = finding.resource.name ? `${finding.resource.name} (${finding.resource.id})` : finding.resource.id;
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(`${finding.message}\n\n`);
    tooltip.appendMarkdown(`**Fix:** `);
    tooltip.appendText(`${finding.fix.description}\n\n`);
    tooltip.appendText(
      `${finding.resource.type} · account ${finding.account} · ${finding.region} · ${finding.severity}`,
    );
    return this.treeItem(label, leaf, {
      description: `${finding.region} · ${finding.message}`,
      tooltip,
      iconPath: severityIcon(finding.severity),
      contextValue: `pilotLight.complianceFinding${finding.fix.operationId ? ' fixable' : ''}`,
    });
  }
}

export class CheckNode extends TreeNode<ComplianceNode> {
  constructor(
    parent: GroupNode,
    readonly check: CheckResult,
  ) {
    super(`${parent.id}/${check.ruleId}`, parent);
  }
  getTreeItem(): vscode.TreeItem {
    const { check } = this;
    const notRun = check.status !== 'ran';
    return this.treeItem(check.ruleTitle, leaf, {
      description: notRun
        ? `${check.status === 'error' ? 'failed' : 'not run'}: ${check.reason ?? 'no reason given'}`
        : `${check.resourcesEvaluated} evaluated`,
      tooltip: `${check.ruleId}${notRun ? `\n${check.status === 'error' ? 'Failed' : 'Did not run'}: ${check.reason ?? ''}\nNot evaluated: neither compliant nor non-compliant.` : ''}`,
      iconPath: notRun
        ? new vscode.ThemeIcon(
            check.status === 'error' ? 'error' : 'circle-slash',
            new vscode.ThemeColor('disabledForeground'),
          )
        : severityIcon(undefined),
      contextValue: notRun ? 'pilotLight.complianceCheckNotRun' : 'pilotLight.complianceCheckPassed',
    });
  }
}

export class GroupNode extends TreeNode<ComplianceNode> {
  constructor(
    id: string,
    private readonly label: string,
    private readonly checks: CheckResult[],
    private readonly notRun: boolean,
  ) {
    super(id, undefined);
  }
  getTreeItem(): vscode.TreeItem {
    return this.treeItem(this.label, this.notRun ? expanded : collapsed, {
      description: String(this.checks.length),
      iconPath: new vscode.ThemeIcon(this.notRun ? 'circle-slash' : 'pass'),
      contextValue: this.notRun ? 'pilotLight.complianceNotRunGroup' : 'pilotLight.compliancePassedGroup',
    });
  }
  getChildren(): ComplianceNode[] {
    return this.checks.map((check) => new CheckNode(this, check));
  }
}

/** Rules with findings (most severe first), then the checks that did not run, then those that passed. */
export function rootsFor(state: ComplianceViewState): ComplianceNode[] {
  const report = state.kind === 'report' ? state.report : state.kind === 'empty' ? undefined : state.previous;
  const roots: ComplianceNode[] = [];
  if (state.kind === 'running')
    roots.push(new MessageNode('status', 'Running compliance checks…', new vscode.ThemeIcon('loading~spin')));
  if (state.kind === 'failed')
    roots.push(
      new MessageNode('status', `Checks did not run: ${state.message}`, new vscode.ThemeIcon('error'), state.message),
    );
  if (!report) return roots;
  const byRule = new Map<string, RuleNode>();
  for (const check of report.checks)
    for (const finding of check.findings) {
      let node = byRule.get(finding.ruleId);
      if (!node) {
        node = new RuleNode(finding.ruleId, finding.ruleTitle, finding.severity, []);
        byRule.set(finding.ruleId, node);
      }
      node.findings.push(finding);
      if (SEVERITY_RANK[finding.severity] < SEVERITY_RANK[node.severity])
        byRule.set(finding.ruleId, new RuleNode(node.ruleId, node.ruleTitle, finding.severity, node.findings));
    }
  const notRun = report.checks.filter((check) => check.status !== 'ran');
  const passed = report.checks.filter((check) => check.status === 'ran' && !check.findings.length);
  const findings = [...byRule.values()].reduce((sum, node) => sum + node.findings.length, 0);
  const verdict =
    notRun.length === 0 && findings === 0 && report.checks.length
      ? 'Clean: every check ran and found nothing'
      : `${findings} finding${findings === 1 ? '' : 's'}${notRun.length ? ` · ${notRun.length} check${notRun.length === 1 ? '' : 's'} not run (incomplete)` : ''}`;
  if (state.kind === 'report')
    roots.push(
      new MessageNode(
        'status',
        verdict,
        new vscode.ThemeIcon(findings ? 'shield' : notRun.length ? 'question' : 'pass'),
        `Account ${report.account} · ${report.regions.join(', ')} · ${report.generatedAt}`,
      ),
    );
  roots.push(
    ...[...byRule.values()].sort(
      (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.findings.length - a.findings.length,
    ),
  );
  if (notRun.length) roots.push(new GroupNode('group:notRun', 'Checks not run', notRun, true));
  if (passed.length) roots.push(new GroupNode('group:passed', 'Checks without findings', passed, false));
  return roots;
}

export class ComplianceTreeProvider extends TreeProvider<ComplianceNode> {
  private state: ComplianceViewState = { kind: 'empty' };

  get current(): ComplianceViewState {
    return this.state;
  }

  setState(state: ComplianceViewState): void {
    this.state = state;
    this.repaint();
  }

  protected getRoots(): ComplianceNode[] {
    return rootsFor(this.state);
  }
}
