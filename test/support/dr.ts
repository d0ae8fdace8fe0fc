/** Helpers for DR engine tests: SDK clients on the emulator endpoint, sample groups and plans, temp dirs. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DrsClient } from '@aws-sdk/client-drs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ApiCounters, SdkDrReads, type DrClients } from '../../src/core/dr/aws';
import { SdkDrActionGateway } from './sdkDrActionGateway';
import type { ProtectionGroup, RecoveryPlan, Wave } from '../../src/core/dr/model';
import type { RunnerDeps } from '../../src/core/dr/run';

export interface EndpointConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** SDK clients for the DR engine on one endpoint; destroy() when done. */
export function emulatorClients(config: EndpointConfig, maxAttempts = 3): DrClients & { destroy(): void } {
  const made: { destroy(): void }[] = [];
  const base = { region: config.region, endpoint: config.endpoint, credentials: config.credentials, maxAttempts };
  const cache = new Map<string, unknown>();
  const get = <T extends { destroy(): void }>(key: string, create: () => T): T => {
    if (!cache.has(key)) {
      const client = create();
      made.push(client);
      cache.set(key, client);
    }
    return cache.get(key) as T;
  };
  return {
    drs: async (region) => get(`drs/${region}`, () => new DrsClient({ ...base, region })),
    ec2: async (region) => get(`ec2/${region}`, () => new EC2Client({ ...base, region })),
    ssm: async (region) => get(`ssm/${region}`, () => new SSMClient({ ...base, region })),
    account: async () => (await get('sts', () => new STSClient(base)).send(new GetCallerIdentityCommand({}))).Account,
    destroy: () => made.forEach((client) => client.destroy()),
  };
}

export function runnerDeps(clients: DrClients, journalDir: string, overrides: Partial<RunnerDeps> = {}): RunnerDeps {
  const counters = new ApiCounters();
  return {
    reads: new SdkDrReads(clients, counters, { baseDelayMs: 20, maxDelayMs: 200 }),
    gateway: new SdkDrActionGateway(clients, counters, { baseDelayMs: 20, maxDelayMs: 200 }),
    journalDir,
    defaultRegion: 'us-east-1',
    poll: { minMs: 20, maxMs: 200, factor: 1.5 },
    logIntervalMs: 100,
    startRetryDelayMs: 50,
    ...overrides,
  };
}

export function tempDir(prefix = 'pilot-light-dr-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function group(name: string, tags: Record<string, string>, extra: Partial<ProtectionGroup> = {}): ProtectionGroup {
  return { schemaVersion: 2, kind: 'ProtectionGroup', name, region: 'us-east-1', selection: { tags }, ...extra };
}

/** The sample account's tiers as groups, selected by the Role tag. */
export function tierGroups(): ProtectionGroup[] {
  return [group('db-tier', { Role: 'db' }), group('app-tier', { Role: 'app' }), group('web-tier', { Role: 'web' })];
}

export function plan(name: string, waves: Wave[], extra: Partial<RecoveryPlan> = {}): RecoveryPlan {
  return { schemaVersion: 2, kind: 'RecoveryPlan', name, waves, ...extra };
}

/** db → app → web. */
export function threeTierPlan(extra: Partial<RecoveryPlan> = {}, waveExtra: Partial<Record<'db' | 'app' | 'web', Partial<Wave>>> = {}): RecoveryPlan {
  return plan(
    'three-tier',
    [
      { name: 'db', protectionGroups: ['db-tier'], ...waveExtra.db },
      { name: 'app', protectionGroups: ['app-tier'], dependsOn: ['db'], ...waveExtra.app },
      { name: 'web', protectionGroups: ['web-tier'], dependsOn: ['app'], ...waveExtra.web },
    ],
    { targets: { rtoMinutes: 30, rpoMinutes: 15 }, failurePolicy: 'stop', ...extra },
  );
}

/** An Automation runbook that only sleeps (the one action the SSM Automation emulator runs). */
export const SLEEP_RUNBOOK = JSON.stringify({
  schemaVersion: '0.3',
  description: 'Waits, then reports.',
  parameters: { Tier: { type: 'String' }, Seconds: { type: 'String', default: 'PT2S' } },
  mainSteps: [{ name: 'settle', action: 'aws:sleep', inputs: { Duration: 'PT2S' } }],
  outputs: ['settle.StepStatus'],
});

