/**
 * A small Jira Cloud REST v3 emulator for the calls Pilot Light makes, with the public API's shapes and error
 * bodies: create issue, get issue (with changelog), comments, transitions, a user's groups. Admin hooks under
 * /__emulator move issues through the workflow as a named user, delete them, and inject faults.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listen, LOOPBACK, readBody, sendJson } from '../drs/http';
import { credentialsOf, FaultBox, type TicketFaults } from '../ticketing/faults';

export interface JiraUserSeed {
  accountId: string;
  emailAddress: string;
  displayName: string;
  /** API token (Basic email:token, or Bearer token). */
  token: string;
  groups?: string[];
}

export interface JiraEmulatorOptions {
  port?: number;
  users?: JiraUserSeed[];
  /** Project key → custom fields the create screen requires (field → error message). */
  projects?: Record<string, { requiredFields?: Record<string, string> }>;
}

export const JIRA_STATUSES = {
  initial: 'Waiting for approval',
  approved: 'Approved',
  rejected: 'Declined',
  cancelled: 'Cancelled',
};
const TRANSITIONS = [
  { id: '21', name: 'Approve', to: JIRA_STATUSES.approved },
  { id: '31', name: 'Decline', to: JIRA_STATUSES.rejected },
  { id: '41', name: 'Cancel', to: JIRA_STATUSES.cancelled },
];

interface History {
  id: string;
  author: JiraUserSeed;
  created: string;
  items: Array<{ field: string; fieldtype: string; from: string; fromString: string; to: string; toString: string }>;
}

interface Issue {
  id: string;
  key: string;
  project: string;
  fields: Record<string, unknown>;
  status: string;
  creator: JiraUserSeed;
  histories: History[];
  comments: Array<{ id: string; author: JiraUserSeed; body: unknown; created: string }>;
}

export interface JiraEmulator {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const statusIds: Record<string, string> = {
  'Waiting for approval': '10001',
  Approved: '10002',
  Declined: '10003',
  Cancelled: '10004',
};

function publicUser(user: JiraUserSeed, base: string) {
  return {
    self: `${base}/rest/api/3/user?accountId=${user.accountId}`,
    accountId: user.accountId,
    emailAddress: user.emailAddress,
    displayName: user.displayName,
    active: true,
    accountType: 'atlassian',
  };
}

const errorBody = (messages: string[], errors: Record<string, string> = {}) => ({ errorMessages: messages, errors });

export async function startJiraEmulator(options: JiraEmulatorOptions = {}): Promise<JiraEmulator> {
  const users = new Map<string, JiraUserSeed>();
  const projects = new Map(Object.entries(options.projects ?? { OPS: {} }));
  const issues = new Map<string, Issue>();
  const faults = new FaultBox();
  let nextId = 10000;
  const counters = new Map<string, number>();
  const seed = (list: JiraUserSeed[]) => list.forEach((user) => users.set(user.accountId, user));
  seed(options.users ?? []);
  let base = '';

  const authenticate = (req: IncomingMessage): JiraUserSeed | undefined => {
    const credentials = credentialsOf(req.headers.authorization);
    if (!credentials) return undefined;
    return [...users.values()].find(
      (user) =>
        user.token === credentials.secret && (credentials.user === undefined || credentials.user === user.emailAddress),
    );
  };

  const issueJson = (issue: Issue, expandChangelog: boolean, fieldList?: string[]) => {
    const all: Record<string, unknown> = {
      ...issue.fields,
      project: { key: issue.project },
      status: {
        name: issue.status,
        id: statusIds[issue.status],
        statusCategory: { key: issue.status === JIRA_STATUSES.initial ? 'new' : 'done' },
      },
      creator: publicUser(issue.creator, base),
      reporter: publicUser(issue.creator, base),
    };
    const fields = fieldList ? Object.fromEntries(Object.entries(all).filter(([key]) => fieldList.includes(key))) : all;
    return {
      expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
      id: issue.id,
      self: `${base}/rest/api/3/issue/${issue.id}`,
      key: issue.key,
      fields,
      ...(expandChangelog
        ? {
            changelog: {
              startAt: 0,
              maxResults: issue.histories.length,
              total: issue.histories.length,
              histories: issue.histories.map((history) => ({ ...history, author: publicUser(history.author, base) })),
            },
          }
        : {}),
    };
  };

  const transition = (issue: Issue, to: string, by: JiraUserSeed) => {
    issue.histories.push({
      id: String(nextId++),
      author: by,
      created: new Date().toISOString(),
      items: [
        {
          field: 'status',
          fieldtype: 'jira',
          from: statusIds[issue.status] ?? '0',
          fromString: issue.status,
          to: statusIds[to] ?? '0',
          toString: to,
        },
      ],
    });
    issue.status = to;
  };

  const findIssue = (idOrKey: string) =>
    issues.get(idOrKey.toUpperCase()) ?? [...issues.values()].find((issue) => issue.id === idOrKey);
  const notFound = (res: ServerResponse) =>
    sendJson(res, 404, errorBody(['Issue does not exist or you do not have permission to see it.']));

  async function jsonBody(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | undefined> {
    const raw = (await readBody(req, 1024 * 1024)).toString('utf8');
    try {
      const value = raw ? JSON.parse(raw) : {};
      if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // fall through
    }
    sendJson(res, 400, errorBody(['Unexpected character: was expecting a JSON object.']));
    return undefined;
  }

  async function admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === '/__emulator/health') return sendJson(res, 200, { ok: true });
    if (path === '/__emulator/reset' && req.method === 'POST') {
      issues.clear();
      faults.clear();
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/__emulator/users' && req.method === 'POST') {
      const body = await jsonBody(req, res);
      if (body) seed((body.users as JiraUserSeed[]) ?? []);
      return body ? sendJson(res, 200, { users: users.size }) : undefined;
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
    if (path === '/__emulator/stats') return sendJson(res, 200, { ...faults.stats, issues: issues.size });
    const match = /^\/__emulator\/issues\/([^/]+)(\/transition)?$/.exec(path);
    if (match) {
      const issue = findIssue(decodeURIComponent(match[1]));
      if (!issue) return sendJson(res, 404, { error: 'no such issue' });
      if (req.method === 'DELETE') {
        issues.delete(issue.key);
        return sendJson(res, 200, { deleted: issue.key });
      }
      if (match[2] && req.method === 'POST') {
        const body = await jsonBody(req, res);
        if (!body) return;
        const by = users.get(String(body.by));
        if (!by) return sendJson(res, 400, { error: `no user ${String(body.by)}` });
        transition(issue, String(body.status ?? JIRA_STATUSES.approved), by);
        return sendJson(res, 200, issueJson(issue, true));
      }
      return sendJson(res, 200, { ...issueJson(issue, true), comments: issue.comments });
    }
    return sendJson(res, 404, { error: `unknown admin route ${path}` });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const path = url.pathname;
    if (path.startsWith('/__emulator/')) return admin(req, res, path);
    if (await faults.intercept(res, errorBody(['Rate limit exceeded.']))) return;
    const user = authenticate(req);
    if (!user)
      return sendJson(res, 401, errorBody(['Client must be authenticated to access this resource.']), {
        'www-authenticate': 'Basic realm="protected-area"',
      });

    if (path === '/rest/api/3/issue' && req.method === 'POST') {
      const body = await jsonBody(req, res);
      if (!body) return;
      const fields = (body.fields ?? {}) as Record<string, unknown>;
      const errors: Record<string, string> = {};
      const projectKey = String((fields.project as { key?: unknown } | undefined)?.key ?? '');
      const project = projects.get(projectKey);
      if (!project) errors.project = 'valid project is required';
      const issueType = (fields.issuetype as { name?: unknown } | undefined)?.name;
      if (!['Task', 'Change', 'Story', 'Bug'].includes(String(issueType)))
        errors.issuetype = 'valid issue type is required';
      if (typeof fields.summary !== 'string' || !fields.summary.trim())
        errors.summary = 'You must specify a summary of the issue.';
      else if (fields.summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
      const description = fields.description as { type?: unknown; version?: unknown } | undefined;
      if (description !== undefined && (description?.type !== 'doc' || description.version !== 1))
        errors.description = 'Operation value must be an Atlassian Document (see the Atlassian Document Format).';
      for (const [field, message] of Object.entries(project?.requiredFields ?? {}))
        if (fields[field] === undefined || fields[field] === null || fields[field] === '') errors[field] = message;
      if (Object.keys(errors).length) return sendJson(res, 400, errorBody([], errors));
      const count = (counters.get(projectKey) ?? 0) + 1;
      counters.set(projectKey, count);
      const issue: Issue = {
        id: String(nextId++),
        key: `${projectKey}-${count}`,
        project: projectKey,
        fields: { ...fields, project: undefined, created: new Date().toISOString() },
        status: JIRA_STATUSES.initial,
        creator: user,
        histories: [],
        comments: [],
      };
      issues.set(issue.key, issue);
      return sendJson(res, 201, { id: issue.id, key: issue.key, self: `${base}/rest/api/3/issue/${issue.id}` });
    }

    const issuePath = /^\/rest\/api\/3\/issue\/([^/]+)(\/comment|\/transitions)?$/.exec(path);
    if (issuePath) {
      const issue = findIssue(decodeURIComponent(issuePath[1]));
      if (!issue) return notFound(res);
      if (!issuePath[2] && req.method === 'GET') {
        const fieldList = url.searchParams.get('fields')?.split(',').filter(Boolean);
        const expand = (url.searchParams.get('expand') ?? '').split(',').includes('changelog');
        return sendJson(res, 200, issueJson(issue, expand, fieldList));
      }
      if (issuePath[2] === '/comment' && req.method === 'POST') {
        const body = await jsonBody(req, res);
        if (!body) return;
        if ((body.body as { type?: unknown } | undefined)?.type !== 'doc')
          return sendJson(res, 400, errorBody([], { comment: 'Comment body must be an Atlassian Document.' }));
        const comment = { id: String(nextId++), author: user, body: body.body, created: new Date().toISOString() };
        issue.comments.push(comment);
        return sendJson(res, 201, {
          ...comment,
          author: publicUser(user, base),
          self: `${base}/rest/api/3/issue/${issue.id}/comment/${comment.id}`,
        });
      }
      if (issuePath[2] === '/transitions' && req.method === 'GET')
        return sendJson(res, 200, {
          expand: 'transitions',
          transitions: TRANSITIONS.filter((entry) => entry.to !== issue.status).map((entry) => ({
            id: entry.id,
            name: entry.name,
            to: { name: entry.to, id: statusIds[entry.to] },
            hasScreen: false,
            isAvailable: true,
          })),
        });
      if (issuePath[2] === '/transitions' && req.method === 'POST') {
        const body = await jsonBody(req, res);
        if (!body) return;
        const wanted = TRANSITIONS.find(
          (entry) => entry.id === String((body.transition as { id?: unknown } | undefined)?.id),
        );
        if (!wanted || wanted.to === issue.status)
          return sendJson(res, 400, errorBody(['Transition id is not valid for this issue.']));
        transition(issue, wanted.to, user);
        res.writeHead(204);
        return void res.end();
      }
      return sendJson(res, 405, errorBody([`Method ${req.method} is not allowed here.`]));
    }
    if (path === '/rest/api/3/user/groups' && req.method === 'GET') {
      const subject = users.get(url.searchParams.get('accountId') ?? '');
      if (!subject)
        return sendJson(
          res,
          404,
          errorBody([`The user with account ID '${url.searchParams.get('accountId')}' does not exist.`]),
        );
      return sendJson(
        res,
        200,
        (subject.groups ?? []).map((name) => ({
          name,
          groupId: `g-${name}`,
          self: `${base}/rest/api/3/group?groupId=g-${name}`,
        })),
      );
    }
    if (path === '/rest/api/3/myself') return sendJson(res, 200, publicUser(user, base));
    return sendJson(res, 404, errorBody([`No resource ${path}.`]));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) sendJson(res, 500, errorBody([`Internal server error: ${error.message}`]));
    });
  });
  const port = await listen(server, options.port ?? 0);
  base = `http://${LOOPBACK}:${port}`;
  return { url: base, port, stop: () => closeServer(server) };
}
