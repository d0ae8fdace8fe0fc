/**
 * One endpoint for everything: requests signed for service `drs` (and the admin API) go to the
 * DRS emulator in-process; every other request is streamed unchanged to moto.
 */
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { ADMIN_PREFIX } from './adminTypes';
import { closeServer, listen, sendJson, sigV4Scope } from './http';
import type { DrsEmulator } from './server';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

export interface GatewayOptions {
  drs: DrsEmulator;
  /** Where everything that is not DRS goes (moto). */
  upstream: string;
  port?: number;
}

export interface RunningGateway {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/** Raw header pairs without hop-by-hop headers, names and order as received. */
function forwardableHeaders(rawHeaders: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (!HOP_BY_HOP.has(rawHeaders[i].toLowerCase())) kept.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return kept;
}

export function isDrsRequest(req: IncomingMessage): boolean {
  const path = (req.url ?? '/').split('?')[0];
  if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) return true;
  return sigV4Scope(req)?.service === 'drs';
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const upstream = new URL(options.upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  const proxy = (req: IncomingMessage, res: ServerResponse): void => {
    const outgoing = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: forwardableHeaders(req.rawHeaders),
        agent,
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, forwardableHeaders(upstreamRes.rawHeaders));
        upstreamRes.pipe(res);
        upstreamRes.on('error', () => res.destroy());
      },
    );
    outgoing.on('error', (error) => {
      if (!res.headersSent) sendJson(res, 502, { message: `gateway could not reach ${options.upstream}: ${error.message}` });
      else res.destroy();
    });
    req.on('aborted', () => outgoing.destroy());
    req.pipe(outgoing);
  };

  const server = createServer((req, res) => {
    if (isDrsRequest(req)) options.drs.handle(req, res);
    else proxy(req, res);
  });
  server.keepAliveTimeout = 5000;
  const port = await listen(server, options.port ?? 0);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      await closeServer(server);
      agent.destroy();
    },
  };
}
