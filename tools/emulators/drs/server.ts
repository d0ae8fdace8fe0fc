/** The DRS emulator: restJson1 DRS API plus the admin API, served on 127.0.0.1. */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { handleAdmin } from './admin';
import { ADMIN_PREFIX } from './adminTypes';
import { EmulatorClock, type ClockSettings } from './clock';
import { Ec2Launcher } from './ec2Launcher';
import { DrsError, throttled, validationError } from './errors';
import { FaultRegistry } from './faults';
import { closeServer, listen, readBody, sendJson, sigV4Scope } from './http';
import { DEFAULT_ACCOUNT_ID } from './ids';
import { JobRunner } from './jobs';
import { OPERATIONS, resolveOperation } from './operations';
import { DrsStore } from './state';
import { isObject, type JsonObject } from './validation';

export interface DrsEmulatorOptions {
  /** moto's endpoint; recovery instances are launched there. */
  motoEndpoint: string;
  /** Region for unsigned requests and admin calls without one. Default us-east-1. */
  defaultRegion?: string;
  accountId?: string;
  clock?: ClockSettings;
  /** Page size when a request sets no maxResults. Default 100. */
  defaultPageSize?: number;
  /** Called with unexpected internal errors; defaults to console.error. */
  onError?: (error: unknown) => void;
}

export class DrsEmulator {
  readonly defaultRegion: string;
  readonly store: DrsStore;
  readonly clock: EmulatorClock;
  readonly faults = new FaultRegistry();
  readonly launcher: Ec2Launcher;
  readonly runner: JobRunner;
  readonly operationCounts = new Map<string, number>();
  private readonly defaultPageSize: number;
  private readonly onError: (error: unknown) => void;

  constructor(options: DrsEmulatorOptions) {
    this.defaultRegion = options.defaultRegion ?? 'us-east-1';
    this.store = new DrsStore(options.accountId ?? DEFAULT_ACCOUNT_ID);
    this.clock = new EmulatorClock(options.clock);
    this.defaultPageSize = options.defaultPageSize ?? 100;
    this.onError = options.onError ?? ((error) => console.error('[drs-emulator]', error));
    this.launcher = new Ec2Launcher({ endpoint: options.motoEndpoint });
    this.runner = new JobRunner({
      clock: this.clock,
      launcher: this.launcher,
      faults: this.faults,
      onError: this.onError,
    });
  }

  /** Clears all DRS state, faults and counters, and stops running jobs. The clock keeps its settings. */
  reset(): void {
    this.store.reset();
    this.faults.clear();
    this.operationCounts.clear();
  }

  /** Answers one request: the admin API under /__emulator/, else a DRS operation. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://local');
    const work =
      url.pathname.startsWith(`${ADMIN_PREFIX}/`) || url.pathname === ADMIN_PREFIX
        ? handleAdmin(this, req, res)
        : this.handleApi(req, res, url);
    work.catch((error: unknown) => {
      this.onError(error);
      if (!res.headersSent) sendJson(res, 500, { message: 'internal emulator error' });
      else res.destroy();
    });
  }

  private async handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const requestId = randomUUID();
    const method = req.method ?? 'GET';
    const resolved = resolveOperation(method, url.pathname);
    const body = await readBody(req);
    if (!resolved) {
      sendJson(
        res,
        404,
        { message: `The DRS emulator does not implement ${method} ${url.pathname}` },
        {
          'x-amzn-requestid': requestId,
          'x-amzn-errortype': 'UnknownOperationException',
        },
      );
      return;
    }
    this.operationCounts.set(resolved.name, (this.operationCounts.get(resolved.name) ?? 0) + 1);
    try {
      const throttle = this.faults.takeThrottle(resolved.name);
      if (throttle) throw throttled(throttle.retryAfterSeconds);
      const input = parseInput(body);
      const region = this.store.region(sigV4Scope(req)?.region ?? this.defaultRegion);
      const result = await OPERATIONS[resolved.name](input, {
        region,
        store: this.store,
        clock: this.clock,
        faults: this.faults,
        runner: this.runner,
        launcher: this.launcher,
        defaultPageSize: this.defaultPageSize,
        resourceArn: resolved.resourceArn,
        query: url.searchParams,
      });
      sendJson(res, result.status, result.body, { 'x-amzn-requestid': requestId });
    } catch (error) {
      const drsError = error instanceof DrsError ? error : new DrsError('InternalServerException', String(error));
      if (!(error instanceof DrsError)) this.onError(error);
      sendJson(res, drsError.statusCode, drsError.body(), {
        'x-amzn-requestid': requestId,
        'x-amzn-errortype': drsError.type,
        ...drsError.headers,
      });
    }
  }

  /** Stops running jobs and releases the EC2 client. */
  dispose(): void {
    this.store.reset();
    this.launcher.destroy();
  }
}

function parseInput(body: Buffer): JsonObject {
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw validationError('Could not parse request body as JSON', 'cannotParse');
  }
  if (!isObject(parsed)) throw validationError('Request body must be a JSON object', 'cannotParse');
  return parsed;
}

export interface RunningDrsEmulator {
  emulator: DrsEmulator;
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/** Serves a DRS emulator on 127.0.0.1 (a free port unless one is given). */
export async function startDrsEmulator(options: DrsEmulatorOptions & { port?: number }): Promise<RunningDrsEmulator> {
  const emulator = new DrsEmulator(options);
  const server: Server = createServer((req, res) => emulator.handle(req, res));
  server.keepAliveTimeout = 5000;
  const port = await listen(server, options.port ?? 0);
  return {
    emulator,
    endpoint: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      await closeServer(server);
      emulator.dispose();
    },
  };
}
