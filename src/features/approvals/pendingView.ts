import * as vscode from 'vscode';
import type { PendingApproval } from '../../core/approvals/types';

export const PENDING_APPROVALS_VIEW_ID = 'pilotLight.pendingApprovals';

function duration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ${minutes % 60} min` : `${Math.floor(hours / 24)} d`;
}

/** Where a request stands, in one line: state, age, approvers, time left. */
export function describeRequest(request: PendingApproval, now = Date.now()): string {
  const age = `${duration(now - Date.parse(request.createdAt))} old`;
  const needed = request.requirement.approvalsNeeded;
  const approvals = `${request.approvers.length}/${needed} approval${needed > 1 ? 's' : ''}`;
  if (request.state === 'pending')
    return `waiting · ${approvals} · ${duration(Date.parse(request.deadline) - now)} left · ${age}`;
  if (request.state === 'approved') return `approved by ${request.approvers.join(', ')} · run it to confirm · ${age}`;
  return `${request.state} · ${age}`;
}

export class PendingApprovalItem extends vscode.TreeItem {
  constructor(readonly request: PendingApproval) {
    super(`${request.ticket.key}: ${request.summary}`, vscode.TreeItemCollapsibleState.None);
    this.description = describeRequest(request);
    const final = request.state !== 'pending' && request.state !== 'approved';
    this.contextValue = `pilotLight.approval.${final ? 'final' : request.state}`;
    this.iconPath = new vscode.ThemeIcon(
      request.state === 'approved'
        ? 'pass'
        : request.state === 'pending'
          ? 'watch'
          : request.state === 'executed'
            ? 'check-all'
            : 'circle-slash',
    );
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${request.ticket.system} ${request.ticket.key}** — ${request.state}\n\n`);
    tooltip.appendText(
      [
        request.summary,
        `Account ${request.account}, region ${request.region}, environment ${request.environments.join(', ')}`,
        `Approvers: ${request.requirement.approvers?.join(', ') ?? 'anyone but the requester'} (${request.requirement.approvalsNeeded} needed)`,
        `Approved by: ${request.approvers.join(', ') || 'nobody yet'}`,
        `Deadline: ${new Date(request.deadline).toLocaleString()}`,
        request.ticketStatus ? `Ticket status: ${request.ticketStatus}` : '',
        request.reason ?? '',
        request.lastError ? `Last poll failed: ${request.lastError}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
    this.tooltip = tooltip;
    this.command = { command: 'pilotLight.approvals.openTicket', title: 'Open Ticket', arguments: [this] };
  }
}

/** The Pending approvals view: every stored request, newest first. */
export class PendingApprovalsProvider implements vscode.TreeDataProvider<PendingApprovalItem> {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private requests: PendingApproval[] = [];

  constructor(private readonly load: () => Promise<PendingApproval[]>) {}

  refresh(): void {
    this.emitter.fire();
  }

  /** The requests shown (after the last load). */
  current(): PendingApproval[] {
    return this.requests;
  }

  async getChildren(): Promise<PendingApprovalItem[]> {
    this.requests = await this.load().catch(() => this.requests);
    return [...this.requests]
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((request) => new PendingApprovalItem(request));
  }

  getTreeItem(item: PendingApprovalItem): vscode.TreeItem {
    return item;
  }
}
