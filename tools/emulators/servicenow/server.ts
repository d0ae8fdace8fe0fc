/**
 * A small ServiceNow Table API emulator for the tables Pilot Light uses (change_request, sys_approval_approver,
 * sys_user_grmember), with the public API's shapes and error bodies: `{ result }` envelopes, reference fields
 * as { link, value } unless sysparm_exclude_reference_link, sysparm_fields with dot-walking, and a subset of
 * encoded queries (=, !=, IN, ^OR, ORDERBY). Admin hooks approve, reject, cancel or delete a change as a named
 * user and inject faults.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listen, LOOPBACK, readBody, sendJson } from '../drs/http';
import { credentialsOf, FaultBox, type TicketFaults } from '../ticketing/faults';

export interface ServiceNowUserSeed {
  user_name: string;
  email: string;
  name: string;
  password: string;
  groups?: string[];
}

export interface ServiceNowEmulatorOptions {
  port?: number;
  users?: ServiceNowUserSeed[];
  /** How many approved approver records make a change `approval=approved` (the approval rule). Default 1. */
  approvalsToApprove?: number;
}

type Row = Record<string, string>;

export interface ServiceNowEmulator {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const REFERENCES: Record<string, Record<string, string>> = {
  change_request: { opened_by: 'sys_user', assignment_group: 'sys_user_group' },
  sys_approval_approver: { approver: 'sys_user', sysapproval: 'change_request' },
  sys_user_grmember: { user: 'sys_user', group: 'sys_user_group' },
};

const failure = (message: string, detail: string | null = null) => ({ error: { message, detail }, status: 'failure' });
const sysId = () => randomBytes(16).toString('hex');
const stamp = () => new Date().toISOString().replace('T', ' ').slice(0, 19);

export async function startServiceNowEmulator(options: ServiceNowEmulatorOptions = {}): Promise<ServiceNowEmulator> {
  const tables: Record<string, Row[]> = {
    change_request: [],
    sys_approval_approver: [],
    sys_user: [],
    sys_user_group: [],
    sys_user_grmember: [],
  };
  const passwords = new Map<string, string>();
  const faults = new FaultBox();
  let approvalsToApprove = options.approvalsToApprove ?? 1;
  let changeNumber = 30000;
  let sequence = 0;
  let base = '';

  const group = (name: string): Row => {
    let row = tables.sys_user_group.find((entry) => entry.name === name);
    if (!row) tables.sys_user_group.push((row = { sys_id: sysId(), name }));
    return row;
  };
  const seed = (users: ServiceNowUserSeed[]) => {
    for (const user of users) {
      const row = { sys_id: sysId(), user_name: user.user_name, email: user.email, name: user.name };
      tables.sys_user.push(row);
      passwords.set(user.user_name, user.password);
      for (const name of user.groups ?? [])
        tables.sys_user_grmember.push({ sys_id: sysId(), user: row.sys_id, group: group(name).sys_id });
    }
  };
  seed(options.users ?? []);

  const byId = (table: string, id: string) => tables[table]?.find((row) => row.sys_id === id);
  const userByName = (name: string) => tables.sys_user.find((row) => row.user_name === name);

  /** A field's value, dot-walking through references ("approver.user_name"). */
  const valueOf = (table: string, row: Row, field: string): string | undefined => {
    const [head, ...rest] = field.split('.');
    if (!rest.length) return row[head];
    const target = REFERENCES[table]?.[head];
    const referenced = target ? byId(target, row[head] ?? '') : undefined;
    return referenced ? valueOf(target!, referenced, rest.join('.')) : undefined;
  };

  const matches = (table: string, row: Row, query: string): boolean => {
    // AND of groups; each group is an OR of conditions ("a=1^ORb=2").
    const groups: string[][] = [];
    for (const part of query.split('^')) {
      if (!part || part.startsWith('ORDERBY')) continue;
      if (part.startsWith('OR') && groups.length) groups[groups.length - 1].push(part.slice(2));
      else groups.push([part]);
    }
    return groups.every((conditions) =>
      conditions.some((condition) => {
        const inMatch = /^([\w.]+)IN(.*)$/.exec(condition);
        if (inMatch) return inMatch[2].split(',').includes(valueOf(table, row, inMatch[1]) ?? '');
        const notMatch = /^([\w.]+)!=(.*)$/.exec(condition);
        if (notMatch) return (valueOf(table, row, notMatch[1]) ?? '') !== notMatch[2];
        const eq = /^([\w.]+)=(.*)$/.exec(condition);
        if (eq) return (valueOf(table, row, eq[1]) ?? '') === eq[2];
        return false;
      }),
    );
  };

  const present = (table: string, row: Row, url: URL): Record<string, unknown> => {
    const fields = url.searchParams.get('sysparm_fields')?.split(',').filter(Boolean);
    const plain = url.searchParams.get('sysparm_exclude_reference_link') === 'true';
    const out: Record<string, unknown> = {};
    for (const field of fields ?? Object.keys(row)) {
      const value = valueOf(table, row, field) ?? '';
      const target = REFERENCES[table]?.[field];
      out[field] = target && !plain && value ? { link: `${base}/api/now/table/${target}/${value}`, value } : value;
    }
    return out;
  };

  const approvalsOf = (change: Row) => tables.sys_approval_approver.filter((row) => row.sysapproval === change.sys_id);

  const decide = (change: Row, userName: string, state: 'approved' | 'rejected'): string | undefined => {
    const user = userByName(userName);
    if (!user) return `no user ${userName}`;
    const existing = approvalsOf(change).find((row) => row.approver === user.sys_id);
    if (existing) Object.assign(existing, { state, sys_updated_on: stamp() });
    else
      tables.sys_approval_approver.push({
        sys_id: sysId(),
        sysapproval: change.sys_id,
        approver: user.sys_id,
        state,
        sys_updated_on: `${stamp()}.${String(++sequence).padStart(4, '0')}`,
      });
    if (state === 'rejected') change.approval = 'rejected';
    else if (approvalsOf(change).filter((row) => row.state === 'approved').length >= approvalsToApprove) {
      change.approval = 'approved';
      change.state = '-2';
    }
    change.sys_updated_on = stamp();
    return undefined;
  };

  async function jsonBody(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | undefined> {
    const raw = (await readBody(req, 1024 * 1024)).toString('utf8');
    try {
      const value = raw ? JSON.parse(raw) : {};
      if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // fall through
    }
    sendJson(res, 400, failure('Exception while reading request', 'The payload is not valid JSON.'));
    return undefined;
  }

  async function admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === '/__emulator/health') return sendJson(res, 200, { ok: true });
    if (path === '/__emulator/reset' && req.method === 'POST') {
      tables.change_request = [];
      tables.sys_approval_approver = [];
      faults.clear();
      approvalsToApprove = options.approvalsToApprove ?? 1;
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/__emulator/settings' && req.method === 'POST') {
      const body = await jsonBody(req, res);
      if (!body) return;
      if (typeof body.approvalsToApprove === 'number') approvalsToApprove = body.approvalsToApprove;
      return sendJson(res, 200, { approvalsToApprove });
    }
    if (path === '/__emulator/users' && req.method === 'POST') {
      const body = await jsonBody(req, res);
      if (body) seed((body.users as ServiceNowUserSeed[]) ?? []);
      return body ? sendJson(res, 200, { users: tables.sys_user.length }) : undefined;
    }
    if (path === '/__emulator/faults') {
      if (req.method === 'DELETE') faults.clear();
      else if (req.method === 'POST') {
        const body = await jsonBody(req, res);
        if (!body) return;
        faults.set(body as TicketFaults);
      }
      return sendJson(res, 200, { faults: faults.current(), stats: faults.stats });
    }
    if (path === '/__emulator/stats')
      return sendJson(res, 200, { ...faults.stats, changes: tables.change_request.length });
    const match = /^\/__emulator\/changes\/([^/]+)(?:\/(approve|reject|cancel))?$/.exec(path);
    if (match) {
      const key = decodeURIComponent(match[1]);
      const change = tables.change_request.find((row) => row.number === key || row.sys_id === key);
      if (!change) return sendJson(res, 404, { error: 'no such change' });
      if (req.method === 'DELETE') {
        tables.change_request = tables.change_request.filter((row) => row !== change);
        tables.sys_approval_approver = tables.sys_approval_approver.filter((row) => row.sysapproval !== change.sys_id);
        return sendJson(res, 200, { deleted: change.number });
      }
      if (match[2] && req.method === 'POST') {
        const body = await jsonBody(req, res);
        if (!body) return;
        if (match[2] === 'cancel') change.state = '4';
        else {
          const problem = decide(change, String(body.by), match[2] === 'approve' ? 'approved' : 'rejected');
          if (problem) return sendJson(res, 400, { error: problem });
        }
        return sendJson(res, 200, { change, approvers: approvalsOf(change) });
      }
      return sendJson(res, 200, { change, approvers: approvalsOf(change) });
    }
    return sendJson(res, 404, { error: `unknown admin route ${path}` });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const path = url.pathname;
    if (path.startsWith('/__emulator/')) return admin(req, res, path);
    if (
      await faults.intercept(
        res,
        failure('Rate limit exceeded', 'Too many requests; retry after the time in Retry-After.'),
      )
    )
      return;
    const credentials = credentialsOf(req.headers.authorization);
    const user = credentials?.user ? userByName(credentials.user) : undefined;
    if (!user || passwords.get(user.user_name) !== credentials?.secret)
      return sendJson(res, 401, failure('User Not Authenticated', 'Required to provide Auth information'));

    const table = /^\/api\/now\/table\/(\w+)(?:\/(\w+))?$/.exec(path);
    if (!table || !tables[table[1]] || table[1] === 'sys_user')
      return sendJson(res, 400, failure('Invalid table', `Invalid table ${table?.[1] ?? path}`));
    const [, name, id] = table;
    if (!id && req.method === 'GET') {
      const query = url.searchParams.get('sysparm_query') ?? '';
      let rows = tables[name].filter((row) => matches(name, row, query));
      const order = /ORDERBY(DESC)?([\w.]+)/.exec(query);
      if (order)
        rows = [...rows].sort((a, b) => (a[order[2]] ?? '').localeCompare(b[order[2]] ?? '') * (order[1] ? -1 : 1));
      const limit = Number(url.searchParams.get('sysparm_limit') ?? '10000');
      return sendJson(
        res,
        200,
        { result: rows.slice(0, limit).map((row) => present(name, row, url)) },
        { 'x-total-count': String(rows.length) },
      );
    }
    if (!id && req.method === 'POST') {
      if (name !== 'change_request')
        return sendJson(
          res,
          403,
          failure('Operation Failed', 'ACL Exception Insert Failed due to security constraints'),
        );
      const body = await jsonBody(req, res);
      if (!body) return;
      const fields = Object.fromEntries(Object.entries(body).map(([key, value]) => [key, String(value ?? '')]));
      if (fields.assignment_group && !/^[0-9a-f]{32}$/.test(fields.assignment_group))
        fields.assignment_group = group(fields.assignment_group).sys_id;
      const row: Row = {
        ...fields,
        sys_id: sysId(),
        number: `CHG00${++changeNumber}`,
        state: '-4',
        approval: 'requested',
        opened_by: user.sys_id,
        sys_created_by: user.user_name,
        sys_created_on: stamp(),
        sys_updated_on: stamp(),
      };
      tables.change_request.push(row);
      return sendJson(res, 201, { result: present(name, row, url) });
    }
    const row = id ? byId(name, id) : undefined;
    if (!row)
      return sendJson(
        res,
        404,
        failure('No Record found', "Record doesn't exist or ACL restricts the record retrieval"),
      );
    if (req.method === 'GET') return sendJson(res, 200, { result: present(name, row, url) });
    if (req.method === 'PATCH' || req.method === 'PUT') {
      const body = await jsonBody(req, res);
      if (!body) return;
      for (const [key, value] of Object.entries(body))
        if (!['sys_id', 'number', 'opened_by', 'approval'].includes(key)) row[key] = String(value ?? '');
      row.sys_updated_on = stamp();
      return sendJson(res, 200, { result: present(name, row, url) });
    }
    return sendJson(res, 405, failure('Method not Supported', `${req.method} is not supported for this resource`));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) sendJson(res, 500, failure('Internal Server Error', error.message));
    });
  });
  const port = await listen(server, options.port ?? 0);
  base = `http://${LOOPBACK}:${port}`;
  return { url: base, port, stop: () => closeServer(server) };
}
