/** Typed client for the DRS emulator's admin API (works against the DRS endpoint or the gateway). */
import { request } from 'node:http';
import type { Ec2LifecycleStatus } from '../ec2/lifecycle';
import {
  ADMIN_PREFIX,
  type ClockSettings,
  type ClockState,
  type ConflictFaultRequest,
  type EmulatorStats,
  type FaultsState,
  type LaunchFailureFaultRequest,
  type SeededSourceServer,
  type SeedSourceServersResponse,
  type SetReplicationStateRequest,
  type SourceServerSeed,
  type ThrottleFaultRequest,
} from './adminTypes';

export class DrsAdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'DrsAdminError';
  }
}

export class DrsEmulatorAdmin {
  private readonly base: URL;

  /** @param endpoint the DRS emulator's or the gateway's base URL */
  constructor(endpoint: string) {
    this.base = new URL(endpoint);
    if (this.base.hostname !== '127.0.0.1' && this.base.hostname !== 'localhost') {
      throw new Error(`the DRS emulator only runs on loopback, not ${this.base.hostname}`);
    }
  }

  health(): Promise<{ ok: boolean }> {
    return this.call('GET', '/health');
  }

  /** Drops all DRS state (servers, jobs, recovery instances) and all faults. */
  async reset(): Promise<void> {
    await this.call('POST', '/reset');
  }

  /** Registers source servers, in bulk. */
  async seedSourceServers(
    servers: SourceServerSeed[],
    region?: string,
    accountId?: string,
  ): Promise<SeededSourceServer[]> {
    const response = await this.call<SeedSourceServersResponse>('POST', '/source-servers', {
      region,
      servers,
      ...(accountId ? { accountId } : {}),
    });
    return response.sourceServers;
  }

  /** Sets a server's replication state, e.g. STALLED, with an optional replication error. */
  setReplicationState(sourceServerID: string, request: SetReplicationStateRequest): Promise<unknown> {
    return this.call('POST', `/source-servers/${encodeURIComponent(sourceServerID)}/replication`, request);
  }

  /** The next `count` calls of `operation` ('*' for any) fail with ThrottlingException (HTTP 429). */
  throttle(request: ThrottleFaultRequest): Promise<FaultsState> {
    return this.call('POST', '/faults/throttle', request);
  }

  /** Calls that start work on this server fail with ConflictException. */
  conflict(request: ConflictFaultRequest): Promise<FaultsState> {
    return this.call('POST', '/faults/conflict', request);
  }

  /** Launches of this server end in LAUNCH_FAILED. */
  failLaunch(request: LaunchFailureFaultRequest): Promise<FaultsState> {
    return this.call('POST', '/faults/launch-failure', request);
  }

  faults(): Promise<FaultsState> {
    return this.call('GET', '/faults');
  }

  clearFaults(): Promise<FaultsState> {
    return this.call('DELETE', '/faults');
  }

  clock(): Promise<ClockState> {
    return this.call('GET', '/clock');
  }

  setClock(settings: ClockSettings): Promise<ClockState> {
    return this.call('POST', '/clock', settings);
  }

  stats(): Promise<EmulatorStats> {
    return this.call('GET', '/stats');
  }

  /**
   * Gateway only: after StartInstances, StopInstances, TerminateInstances or RunInstances through the gateway,
   * DescribeInstances shows those instances pending, stopping or shutting-down for `transitionMs`, as AWS
   * does and moto does not. null switches this off (the default).
   */
  ec2Transitions(transitionMs: number | null): Promise<Ec2LifecycleStatus> {
    return transitionMs === null
      ? this.call('DELETE', '/ec2-lifecycle')
      : this.call('PUT', '/ec2-lifecycle', { transitionMs });
  }

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = request(
        {
          host: this.base.hostname,
          port: this.base.port,
          method,
          path: `${this.base.pathname.replace(/\/$/, '')}${ADMIN_PREFIX}${path}`,
          headers:
            payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = text ? JSON.parse(text) : {};
            } catch {
              reject(new DrsAdminError(res.statusCode ?? 0, `admin API answered non-JSON: ${text.slice(0, 200)}`));
              return;
            }
            if ((res.statusCode ?? 500) >= 400) {
              const message = (parsed as { error?: string }).error ?? text;
              reject(new DrsAdminError(res.statusCode ?? 500, `${method} ${path}: ${message}`));
              return;
            }
            resolve(parsed as T);
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}

export type {
  ClockSettings,
  ClockState,
  ConflictFaultRequest,
  EmulatorStats,
  FaultsState,
  LaunchFailureFaultRequest,
  SeededSourceServer,
  SetReplicationStateRequest,
  SourceServerSeed,
  ThrottleFaultRequest,
};
