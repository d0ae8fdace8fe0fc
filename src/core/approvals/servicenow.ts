/**
 * ServiceNow Table API: POST/GET/PATCH /api/now/table/change_request, GET /api/now/table/sys_approval_approver,
 * GET /api/now/table/sys_user_grmember. Reference fields are read as plain sys_ids
 * (sysparm_exclude_reference_link=true) and approvers' names by dot-walking in sysparm_fields.
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

export interface ServiceNowSettings {
  baseUrl: string;
  /** Extra change_request fields (e.g. category, cmdb_ci), merged under the fields Pilot Light sets. */
  fieldsTemplate?: Record<string, unknown>;
}

export interface ServiceNowCredentials {
  username: string;
  password: string;
}

/** change_request.state values of the default change model. */
const STATE_NAMES: Record<string, string> = {
  '-5': 'New',
  '-4': 'Assess',
  '-3': 'Authorize',
  '-2': 'Scheduled',
  '-1': 'Implement',
  '0': 'Review',
  '3': 'Closed',
  '4': 'Canceled',
};

/** Risk from the operation's metadata: 2 High (destructive or a delete in a protected environment), 3 Moderate, 4 Low. */
export function riskOf(draft: TicketDraft): { risk: string; impact: string } {
  const { preview } = draft;
  const protectedChange = preview.protectedEnvironments.length > 0;
  if ((preview.destructive || preview.kind === 'delete') && protectedChange) return { risk: '2', impact: '1' };
  if (preview.destructive || preview.kind === 'delete' || protectedChange) return { risk: '3', impact: '2' };
  return { risk: '4', impact: '3' };
}

function serviceNowError(body: unknown): string | undefined {
  const error = (body as { error?: { message?: unknown; detail?: unknown } } | undefined)?.error;
  if (!error || typeof error !== 'object') return undefined;
  return (
    [error.message, error.detail]
      .filter((part) => typeof part === 'string' && part)
      .join(': ')
      .slice(0, 500) || undefined
  );
}

interface ChangeRow {
  sys_id?: string;
  number?: string;
  approval?: string;
  state?: string;
  opened_by?: string;
}

interface ApproverRow {
  state?: string;
  approver?: string;
  'approver.user_name'?: string;
  'approver.email'?: string;
  'approver.name'?: string;
}

export class ServiceNowTicketSystem implements TicketSystem {
  readonly id = 'servicenow' as const;
  private readonly base: URL;
  private readonly http: HttpOptions;

  constructor(
    private readonly settings: ServiceNowSettings,
    private readonly credentials: ServiceNowCredentials,
    options: { fetch?: typeof fetch; sleep?: (ms: number, signal?: AbortSignal) => Promise<void> } = {},
  ) {
    this.base = checkInstanceUrl(settings.baseUrl, 'ServiceNow');
    this.http = {
      fetch: options.fetch,
      sleep: options.sleep ?? abortableSleep,
      describeError: serviceNowError,
      system: 'ServiceNow',
    };
  }

  private headers(): Record<string, string> {
    const { username, password } = this.credentials;
    return { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
  }

  private url(path: string, query: Record<string, string> = {}): URL {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    url.searchParams.set('sysparm_exclude_reference_link', 'true');
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url;
  }

  private async result<T>(promise: Promise<{ result?: T } | undefined>, what: string): Promise<T> {
    const body = await promise;
    if (!body || typeof body !== 'object' || body.result === undefined || body.result === null)
      throw new ApprovalSystemError('malformed', `ServiceNow answered ${what} without a "result".`);
    return body.result;
  }

  async open(draft: TicketDraft, signal?: AbortSignal): Promise<TicketRef> {
    const { risk, impact } = riskOf(draft);
    const body = {
      ...(this.settings.fieldsTemplate ?? {}),
      type: 'normal',
      short_description: ticketTitle(draft, 160),
      description: ticketLines(draft).join('\n'),
      justification: `Requested through Pilot Light by ${draft.requestedBy}.`,
      risk,
      impact,
      ...(draft.requirement.assignmentGroup ? { assignment_group: draft.requirement.assignmentGroup } : {}),
    };
    const row = await this.result<ChangeRow>(
      requestJson(
        { method: 'POST', url: this.url('/api/now/table/change_request'), headers: this.headers(), body, signal },
        this.http,
      ),
      'the new change request',
    );
    if (
      typeof row.sys_id !== 'string' ||
      typeof row.number !== 'string' ||
      typeof row.opened_by !== 'string' ||
      !row.opened_by
    )
      throw new ApprovalSystemError(
        'malformed',
        'ServiceNow created the change request but did not return sys_id, number and opened_by.',
      );
    const url = new URL(`${this.base.pathname.replace(/\/$/, '')}/nav_to.do`, this.base);
    url.searchParams.set('uri', `change_request.do?sys_id=${row.sys_id}`);
    return { system: 'servicenow', key: row.number, id: row.sys_id, url: url.toString(), requester: row.opened_by };
  }

  async status(ticket: TicketRef, signal?: AbortSignal): Promise<TicketStatus> {
    const row = await this.result<ChangeRow>(
      requestJson(
        {
          method: 'GET',
          url: this.url(`/api/now/table/change_request/${encodeURIComponent(ticket.id)}`, {
            sysparm_fields: 'sys_id,number,approval,state,opened_by',
          }),
          headers: this.headers(),
          signal,
        },
        this.http,
      ),
      `change request ${ticket.key}`,
    );
    if (typeof row.approval !== 'string' || typeof row.state !== 'string')
      throw new ApprovalSystemError('malformed', `ServiceNow change request ${ticket.key} has no approval or state.`);
    const rows = await this.result<ApproverRow[]>(
      requestJson(
        {
          method: 'GET',
          url: this.url('/api/now/table/sys_approval_approver', {
            sysparm_query: `sysapproval=${ticket.id}^stateINapproved,rejected^ORDERBYsys_updated_on`,
            sysparm_fields: 'state,approver,approver.user_name,approver.email,approver.name',
            sysparm_limit: '100',
          }),
          headers: this.headers(),
          signal,
        },
        this.http,
      ),
      `the approvers of ${ticket.key}`,
    );
    if (!Array.isArray(rows))
      throw new ApprovalSystemError(
        'malformed',
        `ServiceNow listed the approvers of ${ticket.key} as something other than a list.`,
      );
    const actor = (entry: ApproverRow): TicketActor | undefined => {
      if (!entry.approver) return undefined;
      const names = [
        entry.approver,
        entry['approver.user_name'],
        entry['approver.email'],
        entry['approver.name'],
      ].filter((name): name is string => Boolean(name));
      return {
        id: entry.approver,
        names,
        display: entry['approver.user_name'] || entry['approver.name'] || entry.approver,
      };
    };
    const approvers = new Map<string, TicketActor>();
    let rejecter: TicketActor | undefined;
    for (const entry of rows) {
      const person = actor(entry);
      if (!person) continue;
      if (entry.state === 'approved' && !approvers.has(person.id)) approvers.set(person.id, person);
      if (entry.state === 'rejected') rejecter = person;
    }
    const status = `approval=${row.approval}, state=${STATE_NAMES[row.state] ?? row.state}`;
    const state =
      row.state === '4'
        ? 'cancelled'
        : row.approval === 'rejected'
          ? 'rejected'
          : row.approval === 'approved'
            ? 'approved'
            : 'pending';
    return {
      state,
      status,
      approvers: [...approvers.values()],
      decidedBy: state === 'rejected' ? rejecter : undefined,
    };
  }

  async withdraw(ticket: TicketRef, reason: string, signal?: AbortSignal): Promise<void> {
    await requestJson(
      {
        method: 'PATCH',
        url: this.url(`/api/now/table/change_request/${encodeURIComponent(ticket.id)}`),
        headers: this.headers(),
        body: { state: '4', work_notes: `Withdrawn by the requester through Pilot Light: ${reason}` },
        signal,
      },
      this.http,
    );
  }

  async isMember(actor: TicketActor, group: string, signal?: AbortSignal): Promise<boolean> {
    const rows = await this.result<unknown[]>(
      requestJson(
        {
          method: 'GET',
          url: this.url('/api/now/table/sys_user_grmember', {
            sysparm_query: `user=${actor.id}^group.name=${group.replace(/\^/g, '')}^ORgroup=${group.replace(/\^/g, '')}`,
            sysparm_fields: 'sys_id',
            sysparm_limit: '1',
          }),
          headers: this.headers(),
          signal,
        },
        this.http,
      ),
      'the group membership',
    );
    return Array.isArray(rows) && rows.length > 0;
  }
}
