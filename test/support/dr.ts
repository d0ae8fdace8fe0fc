/** Helpers for DR engine tests: SDK clients on the emulator endpoint, sample groups and plans, temp dirs. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DrsClient } from '@aws-sdk/client-drs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { AuditTrail } from '../../src/core/audit/auditTrail';
import { ApiCounters } from '../../src/core/dr/aws';
import {
  OperationDrActionGateway,
  OperationDrReads,
  RunScopedApprovalProvider,
} from '../../src/core/dr/operationGateway';
import type { ProtectionGroup, RecoveryPlan, Wave } from '../../src/core/dr/model';
import type { RunnerDeps } from '../../src/core/dr/run';
import type { ApprovalProvider } from '../../src/core/guardrails/approval';
import { resolveGuardrailPolicy, type GuardrailPolicy } from '../../src/core/guardrails';
import { createOperationRegistry } from '../../src/core/operations';
import { OperationRunner } from '../../src/core/operations/runner';
import { emulatorConnection } from './connection';
import { SdkDrActionGateway } from './sdkDrActionGateway';
import { SdkDrReads, type DrClients } from './sdkDrReads';

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

/** Fast polling for tests; the product uses the runner's defaults. */
const TEST_TIMING: Partial<RunnerDeps> = {
  poll: { minMs: 20, maxMs: 200, factor: 1.5 },
  logIntervalMs: 100,
  startRetryDelayMs: 50,
};

/**
 * The engine alone: reads and writes straight on SDK clients (SdkDrReads, SdkDrActionGateway), no
 * registry, guardrails or audit. Only for tests about the engine itself.
 */
export function engineDeps(clients: DrClients, journalDir: string, overrides: Partial<RunnerDeps> = {}): RunnerDeps {
  const counters = new ApiCounters();
  return {
    reads: new SdkDrReads(clients, counters, { baseDelayMs: 20, maxDelayMs: 200 }),
    gateway: new SdkDrActionGateway(clients, counters, { baseDelayMs: 20, maxDelayMs: 200 }),
    journalDir,
    defaultRegion: 'us-east-1',
    ...TEST_TIMING,
    ...overrides,
  };
}

export interface ProductDepsOptions {
  /** Where the operation runner writes its audit trail. */
  auditPath: string;
  /** Asked (once per run) when the policy wants an approval; without one, such calls are refused. */
  approval?: ApprovalProvider;
  policy?: GuardrailPolicy;
  /** Default: the emulator stack's gateway. */
  endpointUrl?: string;
  overrides?: Partial<RunnerDeps>;
}

/**
 * What the extension ships: every read (OperationDrReads) and every write (OperationDrActionGateway) is a
 * registered operation run by an OperationRunner on a real AwsConnection: guardrails, approval, audit.
 */
export async function productDeps(
  journalDir: string,
  options: ProductDepsOptions,
): Promise<RunnerDeps & { operations: OperationRunner }> {
  const connection = await emulatorConnection(options.endpointUrl ? { endpointUrl: options.endpointUrl } : {});
  const policy = options.policy ?? resolveGuardrailPolicy({}).policy;
  const operations = new OperationRunner({
    registry: createOperationRegistry(),
    connection,
    policy,
    audit: new AuditTrail(options.auditPath),
  });
  const counters = new ApiCounters();
  return {
    operations,
    reads: new OperationDrReads({ runner: operations, identity: () => connection.identity(), counters }),
    gateway: new OperationDrActionGateway({
      runner: operations,
      approvalProvider: options.approval && new RunScopedApprovalProvider(options.approval),
      terminateBatchSize: () => policy.maxResourcesPerOperation,
      counters,
    }),
    journalDir,
    defaultRegion: 'us-east-1',
    ...TEST_TIMING,
    ...options.overrides,
  };
}

export function tempDir(prefix = 'pilot-light-dr-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function group(
  name: string,
  tags: Record<string, string>,
  extra: Partial<ProtectionGroup> = {},
): ProtectionGroup {
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
export function threeTierPlan(
  extra: Partial<RecoveryPlan> = {},
  waveExtra: Partial<Record<'db' | 'app' | 'web', Partial<Wave>>> = {},
): RecoveryPlan {
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
