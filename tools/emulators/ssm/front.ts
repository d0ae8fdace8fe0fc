/**
 * A loopback front door that answers the SSM Automation operations with SsmAutomationEmulator and
 * streams every other request, unchanged, to `upstream` (the emulator gateway). It lets tests use SSM
 * Automation without changing the gateway; once the gateway mounts the handler itself, use it directly.
 */
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen, sendJson } from '../drs/http';
import { SsmAutomationEmulator, type SsmAutomationEmulatorOptions } from './automation';
import { SsmPatchStatesEmulator } from './patchStates';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

function forwardable(rawHeaders: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2)
    if (!HOP_BY_HOP.has(rawHeaders[i].toLowerCase())) kept.push(rawHeaders[i], rawHeaders[i + 1]);
  return kept;
}

export interface SsmFront {
  endpoint: string;
  ssm: SsmAutomationEmulator;
  /** DescribeInstancePatchStates, which moto lacks, from seeded states. */
  patchStates: SsmPatchStatesEmulator;
  stop(): Promise<void>;
}

export async function startSsmFront(
  options: SsmAutomationEmulatorOptions & { upstream: string; port?: number },
): Promise<SsmFront> {
  const ssm = new SsmAutomationEmulator(options);
  const patchStates = new SsmPatchStatesEmulator();
  const upstream = new URL(options.upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const proxy = (req: IncomingMessage, res: ServerResponse): void => {
    const outgoing = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: forwardable(req.rawHeaders),
        agent,
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, forwardable(upstreamRes.rawHeaders));
        upstreamRes.pipe(res);
        upstreamRes.on('error', () => res.destroy());
      },
    );
    outgoing.on('error', (error) => {
      if (!res.headersSent)
        sendJson(res, 502, { message: `SSM front could not reach ${options.upstream}: ${error.message}` });
      else res.destroy();
    });
    req.pipe(outgoing);
  };
  const server = createServer((req, res) => {
    if (SsmAutomationEmulator.matches(req)) ssm.handle(req, res);
    else if (SsmPatchStatesEmulator.matches(req)) patchStates.handle(req, res);
    else proxy(req, res);
  });
  server.keepAliveTimeout = 5000;
  const port = await listen(server, options.port ?? 0);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    ssm,
    patchStates,
    async stop() {
      ssm.stop();
      await closeServer(server);
      agent.destroy();
    },
  };
}
