/**
 * Jira Cloud REST v3 (the same shapes as Data Center's v2 for the calls used here, except the ADF description):
 * POST /rest/api/3/issue, GET /rest/api/3/issue/{key}?expand=changelog, POST …/comment, GET/POST …/transitions,
 * GET /rest/api/3/user/groups.
 */
import { abortableSleep, checkInstanceUrl, requestJson, type HttpOptions } from './http';
import { ticketLines, ticketTitle } from './ticketText';
import {
  ApprovalSystemError,
  type TicketActor,
  type TicketDraft,
  type TicketRef,
  type TicketStatus,
  type TicketSystem,
} from './types';

export interface JiraSettings {
  baseUrl: string;
  projectKey: string;
  /** Default "Task". */
  issueType?: string;
  /** Statuses that mean approved, e.g. ["Approved"]; compared without regard to case. */
  approvedStatuses: string[];
  rejectedStatuses: string[];
  /** Statuses that mean cancelled (and the status a withdrawal transitions to, when the workflow offers one). */
  cancelledStatuses?: string[];
  /** Extra fields for the create call (required custom fields), merged under the fields Pilot Light sets. */
  fieldsTemplate?: Record<string, unknown>;
}

export interface JiraCredentials {
  /** Atlassian account e-mail (Cloud) with an API token, or a Data Center personal access token alone. */
  email?: string;
  token: string;
}

interface JiraUser {
  accountId?: string;
  name?: string;
  key?: string;
  emailAddress?: string;
  displayName?: string;
}

interface JiraIssue {
  id: string;
  key: string;
  fields?: { status?: { name?: string }; creator?: JiraUser; reporter?: JiraUser };
  changelog?: {
    histories?: Array<{
      author?: JiraUser;
      created?: string;
      items?: Array<{ field?: string; toString?: string | null }>;
    }>;
  };
}

function actorOf(user: JiraUser | undefined): TicketActor | undefined {
  const id = user?.accountId ?? user?.key ?? user?.name;
  if (!id) return undefined;
  const names = [id, user?.name, user?.emailAddress, user?.displayName].filter((name): name is string => Boolean(name));
  return { id, names, display: user?.displayName ?? user?.emailAddress ?? id };
}

function adf(lines: string[]): unknown {
  return {
    type: 'doc',
    version: 1,
    content: lines.map((line) =>
      line ? { type: 'paragraph', content: [{ type: 'text', text: line }] } : { type: 'paragraph', content: [] },
    ),
  };
}

function jiraError(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const { errorMessages, errors } = body as { errorMessages?: unknown; errors?: unknown };
  const parts: string[] = [];
  if (Array.isArray(errorMessages)) parts.push(...errorMessages.filter((m): m is string => typeof m === 'string'));
  if (errors && typeof errors === 'object')
    for (const [field, message] of Object.entries(errors))
      if (typeof message === 'string') parts.push(`${field}: ${message}`);
  return parts.length ? parts.join('; ').slice(0, 500) : undefined;
}

const lower = (values: readonly string[] | undefined) => new Set((values ?? []).map((value) => value.toLowerCase()));

export class JiraTicketSystem implements TicketSystem {
  readonly id = 'jira' as const;
  private readonly base: URL;
  private readonly http: HttpOptions;

  constructor(
    private readonly settings: JiraSettings,
    private readonly credentials: JiraCredentials,
    options: { fetch?: typeof fetch; sleep?: (ms: number, signal?: AbortSignal) => Promise<void> } = {},
  ) {
    this.base = checkInstanceUrl(settings.baseUrl, 'Jira');
    if (!settings.projectKey?.trim())
      throw new ApprovalSystemError(
        'rejected-input',
        'Set the Jira project key (pilotLight.approvals.jira.projectKey).',
      );
    if (!settings.approvedStatuses?.length || !settings.rejectedStatuses?.length)
      throw new ApprovalSystemError(
        'rejected-input',
        'Set the Jira approved and rejected statuses (pilotLight.approvals.jira.approvedStatuses, rejectedStatuses).',
      );
    this.http = {
      fetch: options.fetch,
      sleep: options.sleep ?? abortableSleep,
      describeError: jiraError,
      system: 'Jira',
    };
  }

  private headers(): Record<string, string> {
    const { email, token } = this.credentials;
    return {
      Authorization: email ? `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}` : `Bearer ${token}`,
    };
  }

  private url(path: string, query?: Record<string, string>): URL {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    return url;
  }

  async open(draft: TicketDraft, signal?: AbortSignal): Promise<TicketRef> {
    const fields = {
      ...(this.settings.fieldsTemplate ?? {}),
      project: { key: this.settings.projectKey },
      issuetype: { name: this.settings.issueType || 'Task' },
      summary: ticketTitle(draft, 255),
      description: adf(ticketLines(draft)),
    };
    const created = await requestJson<{ id?: unknown; key?: unknown }>(
      { method: 'POST', url: this.url('/rest/api/3/issue'), headers: this.headers(), body: { fields }, signal },
      this.http,
    );
    if (typeof created?.id !== 'string' || typeof created.key !== 'string')
      throw new ApprovalSystemError('malformed', 'Jira created the issue but did not return its id and key.');
    const issue = await this.issue(created.key, false, signal);
    const requester = actorOf(issue.fields?.creator ?? issue.fields?.reporter);
    if (!requester)
      throw new ApprovalSystemError(
        'malformed',
        `Jira issue ${created.key} names no creator; it cannot be checked for self-approval.`,
      );
    return {
      system: 'jira',
      key: created.key,
      id: created.id,
      url: new URL(
        `${this.base.pathname.replace(/\/$/, '')}/browse/${encodeURIComponent(created.key)}`,
        this.base,
      ).toString(),
      requester: requester.id,
    };
  }

  private async issue(key: string, changelog: boolean, signal?: AbortSignal): Promise<JiraIssue> {
    const issue = await requestJson<JiraIssue>(
      {
        method: 'GET',
        url: this.url(`/rest/api/3/issue/${encodeURIComponent(key)}`, {
          fields: 'status,creator,reporter',
          ...(changelog ? { expand: 'changelog' } : {}),
        }),
        headers: this.headers(),
        signal,
      },
      this.http,
    );
    if (!issue || typeof issue !== 'object' || typeof issue.key !== 'string')
      throw new ApprovalSystemError('malformed', `Jira answered for issue ${key} without an issue key.`);
    return issue;
  }

  async status(ticket: TicketRef, signal?: AbortSignal): Promise<TicketStatus> {
    const issue = await this.issue(ticket.key, true, signal);
    const status = issue.fields?.status?.name;
    if (typeof status !== 'string')
      throw new ApprovalSystemError('malformed', `Jira issue ${ticket.key} has no status.`);
    const approved = lower(this.settings.approvedStatuses);
    const rejected = lower(this.settings.rejectedStatuses);
    const cancelled = lower(this.settings.cancelledStatuses);
    // Everyone who moved the issue into an approved status, in changelog order, once each.
    const approvers = new Map<string, TicketActor>();
    let decidedBy: TicketActor | undefined;
    for (const history of issue.changelog?.histories ?? []) {
      for (const item of history.items ?? []) {
        if (item.field !== 'status' || typeof item.toString !== 'string') continue;
        const actor = actorOf(history.author);
        if (!actor) continue;
        const to = item.toString.toLowerCase();
        if (approved.has(to) && !approvers.has(actor.id)) approvers.set(actor.id, actor);
        if (rejected.has(to) || cancelled.has(to)) decidedBy = actor;
      }
    }
    const now = status.toLowerCase();
    const state = approved.has(now)
      ? 'approved'
      : rejected.has(now)
        ? 'rejected'
        : cancelled.has(now)
          ? 'cancelled'
          : 'pending';
    return {
      state,
      status,
      approvers: [...approvers.values()],
      decidedBy: state === 'rejected' || state === 'cancelled' ? decidedBy : undefined,
    };
  }

  async withdraw(ticket: TicketRef, reason: string, signal?: AbortSignal): Promise<void> {
    await requestJson(
      {
        method: 'POST',
        url: this.url(`/rest/api/3/issue/${encodeURIComponent(ticket.key)}/comment`),
        headers: this.headers(),
        body: { body: adf([`Withdrawn by the requester through Pilot Light: ${reason}`]) },
        signal,
      },
      this.http,
    );
    const cancelled = lower(this.settings.cancelledStatuses);
    if (!cancelled.size) return;
    const { transitions } = await requestJson<{ transitions?: Array<{ id?: string; to?: { name?: string } }> }>(
      {
        method: 'GET',
        url: this.url(`/rest/api/3/issue/${encodeURIComponent(ticket.key)}/transitions`),
        headers: this.headers(),
        signal,
      },
      this.http,
    );
    const cancel = (transitions ?? []).find((transition) => cancelled.has(transition.to?.name?.toLowerCase() ?? ''));
    if (cancel?.id)
      await requestJson(
        {
          method: 'POST',
          url: this.url(`/rest/api/3/issue/${encodeURIComponent(ticket.key)}/transitions`),
          headers: this.headers(),
          body: { transition: { id: cancel.id } },
          signal,
        },
        this.http,
      );
  }

  async isMember(actor: TicketActor, group: string, signal?: AbortSignal): Promise<boolean> {
    const groups = await requestJson<Array<{ name?: string; groupId?: string }>>(
      {
        method: 'GET',
        url: this.url('/rest/api/3/user/groups', { accountId: actor.id }),
        headers: this.headers(),
        signal,
      },
      this.http,
    );
    if (!Array.isArray(groups))
      throw new ApprovalSystemError('malformed', 'Jira answered the group lookup with something other than a list.');
    const wanted = group.toLowerCase();
    return groups.some((entry) => entry.name?.toLowerCase() === wanted || entry.groupId?.toLowerCase() === wanted);
  }
}
