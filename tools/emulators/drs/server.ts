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
  /**
   * Keep each AWS account's DRS state apart, the account of a request being the one moto assigns to its access
   * key (asked once per key with sts:GetCallerIdentity; moto tells accounts apart by access key ID and does not
   * check signatures). Off: every request acts in `accountId`.
   */
  separateAccounts?: boolean;
}

export class DrsEmulator {
  readonly defaultRegion: string;
  /** The default account's state (admin calls without an account, requests when accounts are not separated). */
  readonly store: DrsStore;
  private readonly stores = new Map<string, DrsStore>();
  private readonly accountsByAccessKey = new Map<string, Promise<string>>();
  /** The last credentials seen per account, so recovery instances launch in that account in moto. */
  private readonly accessKeysByAccount = new Map<string, { accessKeyId: string; sessionToken?: string }>();
  private readonly motoEndpoint: string;
  private readonly separateAccounts: boolean;
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
    this.stores.set(this.store.accountId, this.store);
    this.motoEndpoint = options.motoEndpoint;
    this.separateAccounts = options.separateAccounts ?? false;
    this.clock = new EmulatorClock(options.clock);
    this.defaultPageSize = options.defaultPageSize ?? 100;
    this.onError = options.onError ?? ((error) => console.error('[drs-emulator]', error));
    this.launcher = new Ec2Launcher({
      endpoint: options.motoEndpoint,
      credentialsFor: (accountId) => {
        if (accountId === this.store.accountId) return undefined;
        const seen = this.accessKeysByAccount.get(accountId);
        // moto does not check the secret; it picks the account by access key ID.
        return seen ? { ...seen, secretAccessKey: 'not-known-to-the-emulator' } : undefined;
      },
    });
    this.runner = new JobRunner({
      clock: this.clock,
      launcher: this.launcher,
      faults: this.faults,
      onError: this.onError,
    });
  }

  /** Clears all DRS state, faults and counters, and stops running jobs. The clock keeps its settings. */
  reset(): void {
    for (const store of this.stores.values()) store.reset();
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
      const store = await this.storeOfRequest(req);
      const region = store.region(sigV4Scope(req)?.region ?? this.defaultRegion);
      const result = await OPERATIONS[resolved.name](input, {
        region,
        store,
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

  /** The state of one account (created on first use). */
  storeFor(accountId: string | undefined): DrsStore {
    if (!accountId) return this.store;
    let store = this.stores.get(accountId);
    if (!store) {
      store = new DrsStore(accountId);
      this.stores.set(accountId, store);
    }
    return store;
  }

  /** Every account's state. */
  allStores(): DrsStore[] {
    return [...this.stores.values()];
  }

  private async storeOfRequest(req: IncomingMessage): Promise<DrsStore> {
    if (!this.separateAccounts) return this.store;
    const accessKeyId = sigV4Scope(req)?.accessKeyId;
    if (!accessKeyId) return this.store;
    let account = this.accountsByAccessKey.get(accessKeyId);
    if (!account) {
      account = this.accountOfAccessKey(accessKeyId, headerText(req.headers['x-amz-security-token']));
      this.accountsByAccessKey.set(accessKeyId, account);
      account.catch(() => this.accountsByAccessKey.delete(accessKeyId));
    }
    const accountId = await account;
    if (accountId !== this.store.accountId)
      this.accessKeysByAccount.set(accountId, {
        accessKeyId,
        sessionToken: headerText(req.headers['x-amz-security-token']),
      });
    return this.storeFor(accountId);
  }

  /** The account moto assigns to an access key: sts:GetCallerIdentity signed with that key ID. */
  private async accountOfAccessKey(accessKeyId: string, sessionToken: string | undefined): Promise<string> {
    const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const sts = new STSClient({
      region: this.defaultRegion,
      endpoint: this.motoEndpoint,
      credentials: { accessKeyId, secretAccessKey: 'not-known-to-the-emulator', sessionToken },
      maxAttempts: 2,
    });
    try {
      const identity = await sts.send(new GetCallerIdentityCommand({}));
      if (!identity.Account || !/^\d{12}$/.test(identity.Account))
        throw new Error(`moto named no account for access key ${accessKeyId}`);
      return identity.Account;
    } finally {
      sts.destroy();
    }
  }

  /** Stops running jobs and releases the EC2 client. */
  dispose(): void {
    for (const store of this.stores.values()) store.reset();
    this.launcher.destroy();
  }
}

function headerText(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
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
