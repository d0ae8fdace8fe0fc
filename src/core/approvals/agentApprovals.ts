import type { ApprovalProvider } from '../guardrails/approval';
import type { OperationPreview } from '../operations/preview';
import type { Caller } from '../operations/types';
import { JiraTicketSystem } from './jira';
import { ServiceNowTicketSystem } from './servicenow';
import type { PendingApproval, TicketSystem, TicketSystemId } from './types';

/**
 * External approvals as an agent (MCP, LM tools) sees them: it may open a change ticket and ask where it
 * stands, nothing more. Nothing it sends can mark a ticket approved: the state always comes from the system.
 */
export interface AgentApprovals {
  open(
    preview: OperationPreview,
    input: unknown,
    caller: Caller,
    requestedBy: string,
    profile?: string,
    signal?: AbortSignal,
  ): Promise<PendingApproval>;
  list(): Promise<PendingApproval[]>;
  /** Asks the system once where the ticket stands. */
  poll(id: string, signal?: AbortSignal): Promise<PendingApproval>;
  /**
   * Present only where a person answers the inner provider (the CLI's elicitation): an approved ticket, asked
   * again from the system, then the person's confirmation of the fresh dry-run. Absent (VS Code): an approved
   * change runs from Pending approvals only.
   */
  gate?(inner: ApprovalProvider): ApprovalProvider;
  /** Marks an approved request used by a run that does not pass the gate (one ticket, one run). */
  consume?(id: string, note: string): Promise<PendingApproval | undefined>;
}

/** The stored request for the same operation, account, region and resources, newest first, if any. */
export function matchingRequest(
  requests: readonly PendingApproval[],
  preview: OperationPreview,
  states: ReadonlyArray<PendingApproval['state']>,
): PendingApproval | undefined {
  const wanted = [...new Set(preview.resources.map((resource) => resource.id))].sort();
  return requests
    .filter(
      (entry) =>
        states.includes(entry.state) &&
        entry.operationId === preview.operationId &&
        entry.account === preview.account &&
        entry.region === preview.region &&
        entry.resourceIds.length === wanted.length &&
        [...entry.resourceIds].sort().every((id, index) => id === wanted[index]),
    )
    .at(-1);
}

/** "Pending approval: ticket X, approvers …, timeout …" for an agent or a chat answer. */
export function describeRequest(request: PendingApproval, now = Date.now()): string {
  const { requirement, ticket } = request;
  const approvers = requirement.approvers?.length ? requirement.approvers.join(', ') : 'anyone but the requester';
  const left = Math.max(0, Math.round((Date.parse(request.deadline) - now) / 60_000));
  const state =
    request.state === 'pending' ? 'pending approval' : request.state === 'approved' ? 'approved' : request.state;
  return (
    `${state}: ticket ${ticket.key} in ${ticket.system} (${ticket.url}) for ${request.summary}; approvers ${approvers}, ` +
    `${request.approvers.length} of ${requirement.approvalsNeeded} approvals so far` +
    (request.state === 'pending' ? `, timeout ${requirement.timeoutMinutes} minutes (${left} left)` : '') +
    (request.ticketStatus ? `; ticket status "${request.ticketStatus}"` : '') +
    (request.reason ? `; ${request.reason}` : '') +
    (request.lastError ? `; last poll failed: ${request.lastError}` : '')
  );
}

/**
 * The environment variables the stand-alone CLI reads for ticket systems (it has no SecretStorage). Keep them
 * in the MCP client's server entry or the shell, never in a workspace file.
 */
export const TICKET_ENV = {
  jira: {
    url: 'PILOTLIGHT_JIRA_URL',
    email: 'PILOTLIGHT_JIRA_EMAIL',
    token: 'PILOTLIGHT_JIRA_TOKEN',
    project: 'PILOTLIGHT_JIRA_PROJECT',
    issueType: 'PILOTLIGHT_JIRA_ISSUE_TYPE',
    approvedStatuses: 'PILOTLIGHT_JIRA_APPROVED_STATUSES',
    rejectedStatuses: 'PILOTLIGHT_JIRA_REJECTED_STATUSES',
  },
  servicenow: {
    url: 'PILOTLIGHT_SERVICENOW_URL',
    user: 'PILOTLIGHT_SERVICENOW_USER',
    password: 'PILOTLIGHT_SERVICENOW_PASSWORD',
  },
} as const;

const list = (value: string | undefined, fallback: string[]): string[] => {
  const items = (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .slice(0, 20);
  return items.length ? items : fallback;
};

/** A ticket system configured from environment variables, or an error naming the variables that are missing. */
export function ticketSystemFromEnv(id: TicketSystemId, env: NodeJS.ProcessEnv): TicketSystem {
  if (id === 'jira') {
    const names = TICKET_ENV.jira;
    const missing = [names.url, names.token, names.project].filter((name) => !env[name]?.trim());
    if (missing.length)
      throw new Error(
        `Jira is not set up for the stand-alone server: set ${missing.join(', ')} (and ${names.email} for Jira Cloud) in the MCP server's environment.`,
      );
    return new JiraTicketSystem(
      {
        baseUrl: env[names.url]!.trim(),
        projectKey: env[names.project]!.trim(),
        issueType: env[names.issueType]?.trim() || undefined,
        approvedStatuses: list(env[names.approvedStatuses], ['Approved']),
        rejectedStatuses: list(env[names.rejectedStatuses], ['Declined', 'Rejected']),
        cancelledStatuses: ['Cancelled', 'Canceled'],
      },
      { email: env[names.email]?.trim() || undefined, token: env[names.token]! },
    );
  }
  const names = TICKET_ENV.servicenow;
  const missing = [names.url, names.user, names.password].filter((name) => !env[name]?.trim());
  if (missing.length)
    throw new Error(
      `ServiceNow is not set up for the stand-alone server: set ${missing.join(', ')} in the MCP server's environment.`,
    );
  return new ServiceNowTicketSystem(
    { baseUrl: env[names.url]!.trim() },
    { username: env[names.user]!.trim(), password: env[names.password]! },
  );
}

/** Asks about approval requests ("status of my approval requests", "pending approvals"), in plain words. */
export function isApprovalStatusQuestion(prompt: string): boolean {
  const text = prompt.slice(0, 500).toLowerCase();
  return (
    /\bpending approvals?\b/.test(text) ||
    /\bapprovals?\b.{0,40}\b(requests?|status|tickets?|stand)\b/.test(text) ||
    /\b(status|where)\b.{0,40}\bapprovals?\b/.test(text) ||
    /\bchange requests?\b.{0,30}\b(status|pending)\b/.test(text)
  );
}

/** The chat answer for /approvals: each request, where it stands, newest first; open ones before decided ones. */
export function approvalsMarkdown(requests: readonly PendingApproval[], now = Date.now(), limit = 20): string {
  if (requests.length === 0)
    return 'No approval requests: no change has been sent to Jira or ServiceNow from this machine. A change an approval rule sends there opens its ticket when you run it.';
  const open = requests.filter((entry) => entry.state === 'pending' || entry.state === 'approved');
  const decided = requests.filter((entry) => entry.state !== 'pending' && entry.state !== 'approved');
  const ordered = [...open.reverse(), ...decided.reverse()].slice(0, limit);
  const line = (entry: PendingApproval) => {
    const text = describeRequest(entry, now)
      .replace(/[\\`*_[\]<>|]/g, (char) => `\\${char}`)
      .slice(0, 600);
    const next =
      entry.state === 'approved'
        ? ' Run it from Pending approvals (Run Approved Change).'
        : entry.state === 'pending'
          ? ' Waiting for approval…'
          : '';
    return `- **${entry.ticket.key}** (${entry.ticket.system}): ${text}.${next}`;
  };
  return [
    `**Approval requests**: ${open.filter((entry) => entry.state === 'pending').length} waiting, ${open.filter((entry) => entry.state === 'approved').length} approved and not yet run, ${decided.length} decided.`,
    '',
    ...ordered.map(line),
    ...(requests.length > limit
      ? ['', `(${requests.length - limit} older request(s) not shown; see Pending approvals.)`]
      : []),
  ].join('\n');
}
