import * as vscode from 'vscode';
import type { AuditFilter } from '../../core/audit/export';
import type { AuditRecord } from '../../core/audit/types';
import { TreeNode, TreeProvider } from '../shared/tree';

export const AUDIT_VIEW_ID = 'pilotLight.audit';
const MAX_ENTRIES = 500;

const OUTCOME_ICONS: Record<string, vscode.ThemeIcon> = {
  succeeded: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
  refused: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('list.warningForeground')),
  approved: new vscode.ThemeIcon('verified'),
  'dry-run': new vscode.ThemeIcon('eye'),
};

/** One audit line in the view. */
export class AuditEntryItem extends TreeNode<AuditEntryItem> {
  private item?: vscode.TreeItem;

  constructor(readonly record: AuditRecord) {
    super(`audit-${record.seq}-${record.hash.slice(0, 12)}`, undefined);
  }

  getTreeItem(): vscode.TreeItem {
    this.item ??= this.buildTreeItem();
    return this.item;
  }

  private buildTreeItem(): vscode.TreeItem {
    const { record } = this;
    const time = new Date(record.time);
    const tooltip = new vscode.MarkdownString(undefined, false);
    tooltip.appendText(`${record.outcome}: ${record.operation} (line ${record.seq})\n`);
    tooltip.appendText(`${record.time} · caller ${record.caller}${record.callerArn ? ` (${record.callerArn})` : ''}\n`);
    tooltip.appendText(
      `Account ${record.account ?? '?'} · region ${record.region ?? '?'} · environment ${record.environment || 'n/a'}\n`,
    );
    if (record.resourceIds.length) tooltip.appendText(`Resources: ${record.resourceIds.join(', ')}\n`);
    if (record.refusal) tooltip.appendText(`Refused (${record.refusal.code}): ${record.refusal.message}\n`);
    if (record.error) tooltip.appendText(`Error ${record.error.code}: ${record.error.message}\n`);
    if (record.approval)
      tooltip.appendText(
        `Approval: ${record.approval.level} via ${record.approval.provider}${record.approval.approver ? ` by ${record.approval.approver}` : ''}\n`,
      );
    tooltip.appendText(`Correlation ID ${record.correlationId}`);
    return this.treeItem(`${record.outcome} · ${record.operation}`, vscode.TreeItemCollapsibleState.None, {
      description: [
        Number.isNaN(time.getTime()) ? record.time : time.toLocaleString(),
        record.environment,
        record.resourceIds.slice(0, 3).join(', ') + (record.resourceIds.length > 3 ? ', …' : ''),
      ]
        .filter(Boolean)
        .join(' · '),
      tooltip,
      iconPath: OUTCOME_ICONS[record.outcome] ?? new vscode.ThemeIcon('circle-small'),
      contextValue: `pilotLight.auditEntry ${record.outcome}`,
      command: { command: 'pilotLight.audit.showEntry', title: 'Show Entry', arguments: [this] },
    });
  }
}

/** The Audit view: the trail, newest first, filterable by outcome, operation, environment and caller. */
export class AuditViewProvider extends TreeProvider<AuditEntryItem> {
  private filterState: AuditFilter = {};
  /** The entries last shown, for tests and the export command. */
  lastEntries: AuditRecord[] = [];
  onFilterChanged?: (description: string | undefined) => void;

  constructor(private readonly trailPath: () => string) {
    super();
  }

  get filter(): AuditFilter {
    return this.filterState;
  }

  setFilter(filter: AuditFilter): void {
    this.filterState = Object.fromEntries(
      Object.entries(filter).filter(([, value]) => value !== undefined && (!Array.isArray(value) || value.length)),
    ) as AuditFilter;
    void vscode.commands.executeCommand(
      'setContext',
      'pilotLight.auditFiltered',
      Object.keys(this.filterState).length > 0,
    );
    this.onFilterChanged?.(describeFilter(this.filterState));
    this.refresh();
  }

  protected async getRoots(): Promise<AuditEntryItem[]> {
    const { readAuditTrail } = await import('../../core/audit/export');
    const records = await readAuditTrail(this.trailPath(), this.filterState).catch(() => [] as AuditRecord[]);
    this.lastEntries = records.slice(-MAX_ENTRIES).reverse();
    return this.lastEntries.map((record) => new AuditEntryItem(record));
  }
}

export function describeFilter(filter: AuditFilter): string | undefined {
  const parts = [
    filter.outcomes?.length && `outcome: ${filter.outcomes.join(', ')}`,
    filter.operations?.length && `operation: ${filter.operations.join(', ')}`,
    filter.environments?.length && `environment: ${filter.environments.join(', ')}`,
    filter.callers?.length && `caller: ${filter.callers.join(', ')}`,
    filter.from && `from ${String(filter.from)}`,
    filter.to && `to ${String(filter.to)}`,
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : undefined;
}
