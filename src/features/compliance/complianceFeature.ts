import type * as vscode from 'vscode';
import type { ComplianceFinding, ComplianceReport } from '../../core/compliance/types';
import type { ComplianceNode, ComplianceTreeProvider } from './complianceTree';

export interface ComplianceFeature {
  provider: ComplianceTreeProvider;
  view: vscode.TreeView<ComplianceNode>;
  /** Runs every check; `quiet` (the schedule): no notifications, failures only logged. */
  run(options?: { quiet?: boolean }): Promise<ComplianceReport | undefined>;
  lastReport(): ComplianceReport | undefined;
  findingsFor(resourceId: string): ComplianceFinding[];
  /** The badges and tooltips on explorer rows (registered after activation). */
  decorations: vscode.FileDecorationProvider;
}
