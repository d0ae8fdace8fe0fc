import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  BodyTooLargeError,
  checkMcpRequest,
  MAX_MCP_BODY_BYTES,
  MCP_HTTP_PATH,
  newBearerToken,
  readBoundedBody,
} from './httpGuard';

/** Sessions kept open at once; the oldest is closed beyond this (a local editor needs one or two). */
const MAX_SESSIONS = 16;

/** What the initialize request of a new session asked for. */
export interface McpSessionRequest {
  /** The `profile` query parameter of the endpoint URL, if any. */
  profile?: string;
}

/** One client session's MCP server. */
export interface McpSession {
  server: McpServer;
  /** True when the session must end (e.g. the policy it was built with changed): the client gets 404 and starts a new one. */
  stale?(): Promise<boolean>;
}

/** Thrown by `createSession` to refuse a session (e.g. a profile that is not offered): answered with 403. */
export class McpSessionRefused extends Error {}

export interface McpHttpServerOptions {
  /** Builds the MCP server for one client session (an McpServer connects to exactly one transport). */
  createSession: (request: McpSessionRequest) => Promise<McpSession>;
  /** Default: a new random token. */
  token?: string;
  /** Default: a free port. The server always binds 127.0.0.1. */
  port?: number;
  maxBodyBytes?: number;
  log?: { warn(message: string): void };
}

export interface RunningMcpHttpServer {
  /** http://127.0.0.1:<port>/mcp */
  readonly url: string;
  readonly port: number;
  /** The headers a client must send (the bearer token). Never log them. */
  readonly headers: Record<string, string>;
  close(): Promise<void>;
}

interface Session extends McpSession {
  transport: StreamableHTTPServerTransport;
}

function refuse(response: ServerResponse, status: number, message: string): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  response.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  response.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

function isInitialize(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some(
    (message) =>
      typeof message === 'object' && message !== null && (message as { method?: unknown }).method === 'initialize',
  );
}

/**
 * The MCP server on Streamable HTTP for local clients (the editor's agents): bound to 127.0.0.1 on a free
 * port, every request checked by checkMcpRequest (Host, Origin, bearer token, path, body size) before its
 * body is read, bodies read up to a limit, one MCP session per client.
 */
export async function startMcpHttpServer(options: McpHttpServerOptions): Promise<RunningMcpHttpServer> {
  const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
  const token = options.token ?? newBearerToken();
  const maxBodyBytes = options.maxBodyBytes ?? MAX_MCP_BODY_BYTES;
  const sessions = new Map<string, Session>();
  let port = 0;

  async function closeSession(id: string): Promise<void> {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    await session.server.close().catch(() => undefined);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const refusal = checkMcpRequest(request, { token, port, maxBodyBytes });
    if (refusal) {
      request.resume();
      return refuse(response, refusal.status, refusal.message);
    }
    let body: unknown;
    if (request.method === 'POST') {
      let raw: Buffer;
      try {
        raw = await readBoundedBody(request, maxBodyBytes);
      } catch (error) {
        return refuse(
          response,
          error instanceof BodyTooLargeError ? 413 : 400,
          error instanceof BodyTooLargeError ? 'Payload too large.' : 'The request body could not be read.',
        );
      }
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return refuse(response, 400, 'Parse error: the body is not JSON.');
      }
    }
    const sessionHeader = request.headers['mcp-session-id'];
    const sessionId = typeof sessionHeader === 'string' ? sessionHeader : undefined;
    const existing = sessionId ? sessions.get(sessionId) : undefined;
    if (existing && sessionId && (await existing.stale?.())) await closeSession(sessionId);
    else if (existing) return existing.transport.handleRequest(request, response, body);
    if (sessionId) return refuse(response, 404, 'Session not found: start a new session.');
    if (request.method !== 'POST' || !isInitialize(body))
      return refuse(response, 400, 'Bad request: start a session with an initialize request.');
    const profile = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('profile') ?? undefined;
    let session: McpSession;
    try {
      session = await options.createSession({ profile });
    } catch (error) {
      if (error instanceof McpSessionRefused) return refuse(response, 403, `Forbidden: ${error.message}`);
      throw error;
    }
    const { server } = session;
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { ...session, transport });
        while (sessions.size > MAX_SESSIONS) void closeSession(sessions.keys().next().value as string);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(request, response, body);
  }

  const http: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.log?.warn(`MCP server: a request failed: ${error instanceof Error ? error.message : String(error)}`);
      refuse(response, 500, 'Internal error.');
    });
  });
  http.requestTimeout = 0; // server-sent event streams stay open
  http.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${MCP_HTTP_PATH}`,
    port,
    headers: { Authorization: `Bearer ${token}` },
    close: async () => {
      await Promise.all([...sessions.keys()].map(closeSession));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/**
 * The core MCP server factory, loaded on demand: the MCP SDK is evaluated only when a client starts a
 * session, not when the rest of the core is first used.
 */
export async function loadMcpServerFactory(): Promise<typeof import('./server').createMcpServer> {
  return (await import('./server')).createMcpServer;
}
