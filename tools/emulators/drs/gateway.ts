/**
 * One endpoint for everything: requests signed for service `drs` (and the admin API) go to the
 * DRS emulator in-process; every other request is streamed unchanged to moto.
 */
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  AccountWideVersionPages,
  ec2ErrorXml,
  isAccountWideVersionsDescribe,
  isSourceVersionCreate,
  LaunchTemplateVersionDeletions,
  resolveSourceVersion,
} from '../ec2/launchTemplates';
import { Ec2Lifecycle } from '../ec2/lifecycle';
import { ADMIN_PREFIX } from './adminTypes';
import { closeServer, listen, readBody, sendJson, sigV4Scope } from './http';
import type { DrsEmulator } from './server';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

/** An emulator for operations moto lacks, mounted in front of the moto proxy. */
export interface GatewayHandler {
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): void;
}

export interface GatewayOptions {
  drs: DrsEmulator;
  /** Where everything that is not DRS goes (moto). */
  upstream: string;
  port?: number;
  /** Checked in order before the moto proxy, e.g. SSM Automation executions. */
  handlers?: GatewayHandler[];
  /** Show EC2 instances in transition for this long after a change (off by default; the admin API switches it too). */
  ec2TransitionMs?: number;
}

export interface RunningGateway {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/** Raw header pairs without hop-by-hop headers (and any `dropped`), names and order as received. */
function forwardableHeaders(rawHeaders: string[], dropped: string[] = []): string[] {
  const kept: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (!HOP_BY_HOP.has(name) && !dropped.includes(name)) kept.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return kept;
}

/** Admin route for the proxy counters: GET reads them, DELETE clears them. */
export const PROXY_STATS_PATH = `${ADMIN_PREFIX}/proxy-stats`;
/** Admin route for transitional EC2 states: GET reads them, PUT {"transitionMs": n} switches on, DELETE off. */
export const EC2_LIFECYCLE_PATH = `${ADMIN_PREFIX}/ec2-lifecycle`;
const MAX_DURATIONS_KEPT = 10_000;

/** Requests the gateway passed to moto, per `service:Operation` (e.g. `ec2:DescribeInstances`). */
export interface ProxyStats {
  /** When counting started (gateway start or the last DELETE). */
  since: string;
  operations: Record<string, { count: number; totalMs: number; maxMs: number; durationsMs: number[] }>;
}

/** The operation of a proxied request: X-Amz-Target (JSON protocols) or Action (query protocols, in the URL or the form body). */
function operationName(req: IncomingMessage, bodyStart: string): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.includes('.')) return target.slice(target.lastIndexOf('.') + 1);
  const fromUrl = new URL(req.url ?? '/', 'http://local').searchParams.get('Action');
  if (fromUrl) return fromUrl;
  return (
    /(?:^|&)Action=([A-Za-z0-9]+)/.exec(bodyStart)?.[1] ?? `${req.method ?? 'GET'} ${(req.url ?? '/').split('?')[0]}`
  );
}

export function isDrsRequest(req: IncomingMessage): boolean {
  const path = (req.url ?? '/').split('?')[0];
  if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) return true;
  return sigV4Scope(req)?.service === 'drs';
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const upstream = new URL(options.upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let stats: ProxyStats = { since: new Date().toISOString(), operations: {} };
  const lifecycle = new Ec2Lifecycle();
  const deletions = new LaunchTemplateVersionDeletions();
  const versionPages = new AccountWideVersionPages();
  if (options.ec2TransitionMs) lifecycle.configure(options.ec2TransitionMs);

  /** Counts one proxied request and its time from arrival to the last byte of moto's answer. */
  const countProxied = (req: IncomingMessage, res: ServerResponse, body?: Buffer): void => {
    const started = performance.now();
    let bodyStart = body ? body.toString('latin1', 0, Math.min(body.length, 2048)) : '';
    if (!body) {
      req.on('data', (chunk: Buffer) => {
        if (bodyStart.length < 2048) bodyStart += chunk.toString('latin1', 0, Math.min(chunk.length, 2048));
      });
    }
    res.on('finish', () => {
      const key = `${sigV4Scope(req)?.service ?? 'unsigned'}:${operationName(req, bodyStart)}`;
      const ms = performance.now() - started;
      const entry = (stats.operations[key] ??= { count: 0, totalMs: 0, maxMs: 0, durationsMs: [] });
      entry.count += 1;
      entry.totalMs += ms;
      entry.maxMs = Math.max(entry.maxMs, ms);
      if (entry.durationsMs.length < MAX_DURATIONS_KEPT) entry.durationsMs.push(Math.round(ms * 10) / 10);
    });
  };

  /**
   * Passes a request to moto. With `body` the request was read already; with `rewrite` moto's answer is
   * read whole and changed before it is sent on (else it streams through untouched).
   */
  const proxy = (
    req: IncomingMessage,
    res: ServerResponse,
    body?: Buffer,
    rewrite?: (answer: string, status: number) => string,
  ): void => {
    countProxied(req, res, body);
    const outgoing = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        // A body read here may have been rewritten, so its length is set anew.
        headers: body
          ? [...forwardableHeaders(req.rawHeaders, ['content-length']), 'Content-Length', String(body.length)]
          : forwardableHeaders(req.rawHeaders),
        agent,
      },
      (upstreamRes) => {
        upstreamRes.on('error', () => res.destroy());
        if (!rewrite) {
          res.writeHead(
            upstreamRes.statusCode ?? 502,
            upstreamRes.statusMessage,
            forwardableHeaders(upstreamRes.rawHeaders),
          );
          upstreamRes.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        upstreamRes.on('data', (chunk: Buffer) => chunks.push(chunk));
        upstreamRes.on('end', () => {
          const status = upstreamRes.statusCode ?? 502;
          const answer = Buffer.from(rewrite(Buffer.concat(chunks).toString('utf8'), status), 'utf8');
          const headers = forwardableHeaders(upstreamRes.rawHeaders, ['content-length']);
          res.writeHead(status, upstreamRes.statusMessage, [...headers, 'Content-Length', String(answer.length)]);
          res.end(answer);
        });
      },
    );
    outgoing.on('error', (error) => {
      if (!res.headersSent)
        sendJson(res, 502, { message: `gateway could not reach ${options.upstream}: ${error.message}` });
      else res.destroy();
    });
    req.on('aborted', () => outgoing.destroy());
    if (body) outgoing.end(body);
    else req.pipe(outgoing);
  };

  /**
   * EC2 calls are read whole: CreateLaunchTemplateVersion with SourceVersion gets the source version's
   * fields (moto ignores SourceVersion); with transitional states on, moto's answer is learned from or rewritten.
   */
  const proxyEc2 = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let body = await readBody(req);
    const params = new URLSearchParams(body.toString('utf8'));
    const action = params.get('Action') ?? '';
    const region = sigV4Scope(req)?.region ?? 'us-east-1';
    const answerXml = (status: number, xml: string): void => {
      res.writeHead(status, { 'Content-Type': 'text/xml' });
      res.end(xml);
    };
    // moto 5.2.5 ignores DryRun on ModifyInstanceMetadataOptions and changes the instance; AWS answers 412.
    if (action === 'ModifyInstanceMetadataOptions' && params.get('DryRun') === 'true')
      return answerXml(412, ec2ErrorXml('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.'));
    if (action === 'DeleteLaunchTemplateVersions') {
      const answer = await deletions.delete(params, options.upstream, region);
      return answerXml(answer.status, answer.xml);
    }
    const namedDeleted = deletions.active ? deletions.namedDeletedVersion(params) : undefined;
    if (namedDeleted) return answerXml(namedDeleted.status, ec2ErrorXml(namedDeleted.code, namedDeleted.message));
    if (isSourceVersionCreate(params)) {
      const resolved = await resolveSourceVersion(params, options.upstream, region);
      if ('error' in resolved) {
        res.writeHead(resolved.error.status, { 'Content-Type': 'text/xml' });
        res.end(ec2ErrorXml(resolved.error.code, resolved.error.message));
        return;
      }
      body = Buffer.from(resolved.body, 'utf8');
    }
    if (isAccountWideVersionsDescribe(params)) {
      const planned = versionPages.plan(params);
      if ('error' in planned)
        return answerXml(planned.error.status, ec2ErrorXml(planned.error.code, planned.error.message));
      if ('xml' in planned) return answerXml(200, planned.xml);
      return proxy(req, res, Buffer.from(planned.body, 'utf8'), (answer, status) =>
        status === 200 ? versionPages.fromMoto(deletions.filterDescribeAnswer(answer), planned.request) : answer,
      );
    }
    if (action === 'DescribeLaunchTemplateVersions' && deletions.active)
      return proxy(req, res, body, (answer, status) =>
        status === 200 ? deletions.filterDescribeAnswer(answer) : answer,
      );
    if (!lifecycle.enabled) return proxy(req, res, body);
    const rewrite = lifecycle.wantsAnswer(action)
      ? (answer: string, status: number) => {
          if (status !== 200) return answer;
          lifecycle.observe(action, params, answer);
          return action === 'DescribeInstances' ? lifecycle.rewriteDescribeInstances(answer) : answer;
        }
      : undefined;
    if (!rewrite) res.on('finish', () => res.statusCode === 200 && lifecycle.observe(action, params));
    proxy(req, res, body, rewrite);
  };

  const ec2LifecycleAdmin = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    try {
      if (req.method === 'PUT') lifecycle.configure(JSON.parse(body.toString('utf8') || '{}').transitionMs ?? null);
      else if (req.method === 'DELETE') lifecycle.configure(null);
      else if (req.method !== 'GET')
        return sendJson(res, 405, { error: `${req.method} ${EC2_LIFECYCLE_PATH}: use GET, PUT or DELETE` });
      sendJson(res, 200, lifecycle.status());
    } catch (error) {
      sendJson(res, 400, { error: (error as Error).message });
    }
  };

  const server = createServer((req, res) => {
    if ((req.url ?? '/').split('?')[0] === PROXY_STATS_PATH) {
      if (req.method === 'DELETE') stats = { since: new Date().toISOString(), operations: {} };
      if (req.method === 'GET' || req.method === 'DELETE') sendJson(res, 200, stats);
      else sendJson(res, 405, { error: `${req.method} ${PROXY_STATS_PATH}: use GET or DELETE` });
      req.resume();
    } else if ((req.url ?? '/').split('?')[0] === EC2_LIFECYCLE_PATH) {
      void ec2LifecycleAdmin(req, res);
    } else if (isDrsRequest(req)) options.drs.handle(req, res);
    else {
      const handler = options.handlers?.find((candidate) => candidate.matches(req));
      if (handler) handler.handle(req, res);
      else if (sigV4Scope(req)?.service === 'ec2') {
        proxyEc2(req, res).catch((error: Error) => {
          if (!res.headersSent) sendJson(res, 400, { message: `gateway: ${error.message}` });
          else res.destroy();
        });
      } else proxy(req, res);
    }
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
