/** The admin API under /__emulator/: seeding, faults, clock and reset, as JSON over HTTP. */
import type { DataReplicationErrorString } from '@aws-sdk/client-drs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ADMIN_PREFIX,
  type ConflictFaultRequest,
  type EmulatorStats,
  type LaunchFailureFaultRequest,
  type SeedSourceServersRequest,
  type SeedSourceServersResponse,
  type SetReplicationStateRequest,
  type ThrottleFaultRequest,
} from './adminTypes';
import type { ClockSettings } from './clock';
import { readBody, sendJson } from './http';
import { REPLICATION_STATES } from './model';
import type { DrsEmulator } from './server';
import { isObject } from './validation';

class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function jsonBody<T>(req: IncomingMessage): Promise<T> {
  const raw = (await readBody(req)).toString('utf8');
  if (raw.trim() === '') return {} as T;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new AdminError(400, 'body is not valid JSON');
  }
  if (!isObject(parsed)) throw new AdminError(400, 'body must be a JSON object');
  return parsed as T;
}

export async function handleAdmin(emulator: DrsEmulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const path = url.pathname.slice(ADMIN_PREFIX.length) || '/';
  const method = req.method ?? 'GET';
  try {
    const result = await route(emulator, method, path, url, req);
    sendJson(res, 200, result ?? { ok: true });
  } catch (error) {
    const status = error instanceof AdminError ? error.status : error instanceof RangeError ? 400 : 500;
    sendJson(res, status, { error: error instanceof Error ? error.message : String(error) });
  }
}

async function route(
  emulator: DrsEmulator,
  method: string,
  path: string,
  url: URL,
  req: IncomingMessage,
): Promise<unknown> {
  const key = `${method} ${path}`;
  switch (key) {
    case 'GET /health':
      return { ok: true };
    case 'POST /reset':
      emulator.reset();
      return { ok: true };
    case 'POST /source-servers': {
      const body = await jsonBody<SeedSourceServersRequest>(req);
      if (!Array.isArray(body.servers)) throw new AdminError(400, 'servers must be an array');
      if (body.accountId !== undefined && !/^\d{12}$/.test(String(body.accountId)))
        throw new AdminError(400, 'accountId must be a 12-digit account ID');
      const region = emulator.storeFor(body.accountId).region(body.region ?? emulator.defaultRegion);
      const now = emulator.clock.now();
      const created: SeedSourceServersResponse = { sourceServers: [] };
      for (const seed of body.servers) {
        try {
          const server = region.addSourceServer(seed, now);
          created.sourceServers.push({
            sourceServerID: server.sourceServerID,
            arn: server.arn,
            hostname: server.hostname,
          });
        } catch (error) {
          throw new AdminError(400, error instanceof Error ? error.message : String(error));
        }
      }
      return created;
    }
    case 'GET /faults':
      return emulator.faults.state();
    case 'DELETE /faults':
      emulator.faults.clear();
      return emulator.faults.state();
    case 'POST /faults/throttle':
      emulator.faults.throttle(await jsonBody<ThrottleFaultRequest>(req));
      return emulator.faults.state();
    case 'POST /faults/conflict':
      emulator.faults.conflict(await jsonBody<ConflictFaultRequest>(req));
      return emulator.faults.state();
    case 'POST /faults/launch-failure':
      emulator.faults.failLaunch(await jsonBody<LaunchFailureFaultRequest>(req));
      return emulator.faults.state();
    case 'GET /clock':
      return emulator.clock.state();
    case 'POST /clock':
      return emulator.clock.configure(await jsonBody<ClockSettings>(req));
    case 'GET /stats':
      return stats(emulator);
    default:
      break;
  }
  const replication = /^\/source-servers\/([^/]+)\/replication$/.exec(path);
  if (replication && method === 'POST') {
    return setReplication(
      emulator,
      decodeURIComponent(replication[1]),
      await jsonBody<SetReplicationStateRequest>(req),
    );
  }
  throw new AdminError(404, `no admin route ${method} ${url.pathname}`);
}

function setReplication(emulator: DrsEmulator, sourceServerID: string, body: SetReplicationStateRequest): unknown {
  const found = emulator
    .allStores()
    .map((store) => store.findSourceServer(sourceServerID))
    .find(Boolean);
  if (!found) throw new AdminError(404, `source server ${sourceServerID} not found`);
  if (!REPLICATION_STATES.includes(body.state)) {
    throw new AdminError(400, `state must be one of ${REPLICATION_STATES.join(', ')}`);
  }
  const { server } = found;
  const error: DataReplicationErrorString | undefined =
    body.error ?? (body.state === 'STALLED' ? 'UNSTABLE_NETWORK' : undefined);
  server.replication = {
    state: body.state,
    since: emulator.clock.now(),
    error: error ? { error, rawError: body.rawError ?? defaultRawError(error) } : undefined,
  };
  return { sourceServerID, state: server.replication.state, error: server.replication.error };
}

function defaultRawError(error: DataReplicationErrorString): string {
  return `Replication error ${error}`;
}

function stats(emulator: DrsEmulator): EmulatorStats {
  const regions: EmulatorStats['regions'] = {};
  for (const region of emulator.store.allRegions()) {
    regions[region.region] = {
      sourceServers: region.sourceServers.size,
      jobs: region.jobs.size,
      activeJobs: region.activeJobs().length,
      recoveryInstances: region.recoveryInstances.size,
    };
  }
  return { operations: Object.fromEntries(emulator.operationCounts), regions };
}
