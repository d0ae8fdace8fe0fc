// DR runner benchmark, in plain Node through the real AWS SDK against the emulator stack
// (scripts/bench.mjs starts the stack, then this in its own process so its peak RSS is the runner's):
//   PILOT_LIGHT_BENCH_CONFIG='{"endpoint":…}' PILOT_LIGHT_BENCH_RESULT=out.json node out/test/bench/drBench.js
//
// One drill of `servers` DRS source servers in `waves` waves, each wave depending on the one before,
// with the runner's production settings (poller, retries, DRS limits). `path: 'shipped'` is what the
// extension runs: every read (OperationDrReads) and write (OperationDrActionGateway) a registered operation
// through an OperationRunner (guardrails, approval, audit); `path: 'engine'` is the engine alone on SDK
// clients (test/support/sdkDrReads.ts, sdkDrActionGateway.ts). Figures come from the emulator's own
// timestamps (job creationDateTime = StartRecovery received, a recovery instance's launch time = its server
// LAUNCHED, job endDateTime = COMPLETED) and are cross-checked against the runner's metrics. It measures;
// it asserts nothing about time.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  DescribeJobsCommand,
  DescribeRecoveryInstancesCommand,
  DrsClient,
  type Job,
  type RecoveryInstance,
} from '@aws-sdk/client-drs';
import { ApiCounters } from '../../src/core/dr/aws';
import { SdkDrReads } from '../support/sdkDrReads';
import { SdkDrActionGateway } from '../support/sdkDrActionGateway';
import { AwsConnection } from '../../src/core/aws/connection';
import { readAuditTrail } from '../../src/core/audit';
import { AuditTrail } from '../../src/core/audit/auditTrail';
import {
  OperationDrActionGateway,
  OperationDrReads,
  RunScopedApprovalProvider,
} from '../../src/core/dr/operationGateway';
import { resolveGuardrailPolicy } from '../../src/core/guardrails';
import { createOperationRegistry } from '../../src/core/operations';
import { OperationRunner } from '../../src/core/operations/runner';
import { ScriptedApprovalProvider } from '../support/operationHarness';
import type { ProtectionGroup, RecoveryPlan } from '../../src/core/dr/model';
import { DrRunner, type RunnerDeps } from '../../src/core/dr/run';
import type { RunState } from '../../src/core/dr/state';
import { DrsEmulatorAdmin } from '../../tools/emulators/drs/adminClient';
import { emulatorClients } from '../support/dr';

interface DrBenchConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  servers: number;
  waves: number;
  /** ThrottlingExceptions injected on DescribeJobs and on DescribeJobLogItems when each wave starts. */
  throttlePerWave: number;
  /** 'shipped': the extension's DR path (registry, guardrails, approval, audit for reads and writes); 'engine': the engine alone on SDK clients. */
  path: 'shipped' | 'engine';
}

export interface WaveFigures {
  wave: string;
  servers: number;
  jobs: number;
  launched: number;
  firstStartRecoveryAt?: string;
  /** When the wave's last server was LAUNCHED (its recovery instance's launch time). */
  lastLaunchedAt?: string;
  lastJobCompletedAt?: string;
  /** This wave's first StartRecovery − the previous wave's last server LAUNCHED, when the runner can move on (emulator clock). */
  launchedOverheadMs?: number;
  /** This wave's first StartRecovery − the previous wave's last job COMPLETED (emulator clock); the job wraps up after its servers launched. */
  overheadMs?: number;
  /** The runner's own figure for the same transition (its send time − DRS endDateTime). */
  runnerOverheadMs?: number;
  /** Median job duration in this wave, creation → COMPLETED. */
  jobMedianMs?: number;
}

export interface DrBenchResult {
  ok: boolean;
  error?: string;
  status?: string;
  runMs?: number;
  preflightMs?: number;
  servers?: number;
  launched?: number;
  waves?: WaveFigures[];
  apiCalls?: number;
  apiCallsPerServer?: number;
  apiCallsByOperation?: Record<string, number>;
  attemptsByOperation?: Record<string, number>;
  throttledCalls?: number;
  /** Shipped-path runs: audit lines written, and the StartRecovery calls among them that succeeded. */
  auditLines?: number;
  auditedStartRecoveries?: number;
  /** Approvals the policy asked for (none for the benchmark's untagged servers under the default policy). */
  approvals?: number;
  throttlingFailures?: number;
  throttlesInjected?: number;
  throttlesLeftUnused?: number;
  /** Requests the emulators received during the run (DRS emulator + gateway → moto), per operation. */
  receivedByOperation?: Record<string, number>;
  receivedPerServer?: number;
  peakRssMb?: number;
  sampledPeakRssMb?: number;
  clock?: unknown;
  nodeVersion: string;
}

const median = (values: number[]): number | undefined => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function proxyCounts(endpoint: string): Promise<Record<string, number>> {
  const response = await fetch(new URL('/__emulator/proxy-stats', endpoint));
  if (!response.ok) throw new Error(`GET /__emulator/proxy-stats: HTTP ${response.status}`);
  const stats = (await response.json()) as { operations: Record<string, { count: number }> };
  return Object.fromEntries(Object.entries(stats.operations).map(([op, entry]) => [op, entry.count]));
}

async function receivedCounts(admin: DrsEmulatorAdmin, endpoint: string): Promise<Record<string, number>> {
  const drs = (await admin.stats()).operations;
  return {
    ...Object.fromEntries(Object.entries(drs).map(([op, n]) => [`drs:${op}`, n])),
    ...(await proxyCounts(endpoint)),
  };
}

function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [op, n] of Object.entries(after)) if (n - (before[op] ?? 0) > 0) result[op] = n - (before[op] ?? 0);
  return result;
}

async function describeRecoveryInstances(client: DrsClient, ids: string[]): Promise<RecoveryInstance[]> {
  const instances: RecoveryInstance[] = [];
  for (let i = 0; i < ids.length; i += 200) {
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new DescribeRecoveryInstancesCommand({ filters: { recoveryInstanceIDs: ids.slice(i, i + 200) }, nextToken }),
      );
      instances.push(...(page.items ?? []));
      nextToken = page.nextToken || undefined;
    } while (nextToken);
  }
  return instances;
}

async function describeJobs(client: DrsClient, jobIds: string[]): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let i = 0; i < jobIds.length; i += 100) {
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new DescribeJobsCommand({ filters: { jobIDs: jobIds.slice(i, i + 100) }, nextToken }),
      );
      jobs.push(...(page.items ?? []));
      nextToken = page.nextToken || undefined;
    } while (nextToken);
  }
  return jobs;
}

function waveFigures(
  plan: RecoveryPlan,
  state: RunState,
  jobs: Job[],
  instances: RecoveryInstance[],
  runnerOverheads: Map<string, number | undefined>,
): WaveFigures[] {
  const byId = new Map(jobs.map((job) => [job.jobID!, job]));
  // The emulator sets a recovery instance's lastUpdatedDateTime when it launches it, just before the server shows LAUNCHED.
  const launchedAt = new Map(
    instances.map((instance) => [
      instance.recoveryInstanceID!,
      Date.parse(String(instance.recoveryInstanceProperties?.lastUpdatedDateTime ?? '')),
    ]),
  );
  const figures: WaveFigures[] = [];
  let previous: WaveFigures | undefined;
  for (const wave of plan.waves) {
    const ws = state.waves[wave.name];
    const waveJobs = Object.values(state.jobs)
      .filter((job) => job.wave === wave.name && job.kind === 'launch')
      .map((job) => byId.get(job.jobId))
      .filter((job): job is Job => Boolean(job));
    const created = waveJobs.map((job) => Date.parse(String(job.creationDateTime)));
    const ended = waveJobs.map((job) => Date.parse(String(job.endDateTime ?? ''))).filter(Number.isFinite);
    const servers = Object.values(ws.servers);
    const launched = servers
      .map((server) => launchedAt.get(server.recoveryInstanceId ?? ''))
      .filter((t): t is number => Number.isFinite(t));
    const current: WaveFigures = {
      wave: wave.name,
      servers: Object.keys(ws.servers).length,
      jobs: waveJobs.length,
      launched: Object.values(ws.servers).filter((server) => server.launchStatus === 'LAUNCHED').length,
      ...(created.length ? { firstStartRecoveryAt: new Date(Math.min(...created)).toISOString() } : {}),
      ...(launched.length === servers.length && launched.length
        ? { lastLaunchedAt: new Date(Math.max(...launched)).toISOString() }
        : {}),
      ...(ended.length === waveJobs.length && ended.length
        ? { lastJobCompletedAt: new Date(Math.max(...ended)).toISOString() }
        : {}),
      jobMedianMs: median(
        waveJobs
          .filter((job) => job.endDateTime)
          .map((job) => Date.parse(String(job.endDateTime)) - Date.parse(String(job.creationDateTime))),
      ),
    };
    if (previous?.lastLaunchedAt && current.firstStartRecoveryAt)
      current.launchedOverheadMs = Date.parse(current.firstStartRecoveryAt) - Date.parse(previous.lastLaunchedAt);
    if (previous?.lastJobCompletedAt && current.firstStartRecoveryAt) {
      current.overheadMs = Date.parse(current.firstStartRecoveryAt) - Date.parse(previous.lastJobCompletedAt);
      current.runnerOverheadMs = runnerOverheads.get(wave.name);
    }
    figures.push(current);
    previous = current;
  }
  return figures;
}

/**
 * The DR path the extension uses: each read and each StartRecovery is a registered operation run by an
 * OperationRunner (default policy), approved once for the run as a person would, writes (and, with the
 * default policy, no reads) in the audit trail.
 */
async function shippedDeps(
  config: DrBenchConfig,
  auditPath: string,
  counters: ApiCounters,
): Promise<Pick<RunnerDeps, 'reads' | 'gateway'>> {
  const connection = await AwsConnection.open(
    { endpointUrl: config.endpoint, region: config.region },
    {
      ...process.env,
      AWS_ACCESS_KEY_ID: config.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: config.credentials.secretAccessKey,
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    },
  );
  const policy = resolveGuardrailPolicy({}).policy;
  const runner = new OperationRunner({
    registry: createOperationRegistry(),
    connection,
    policy,
    audit: new AuditTrail(auditPath),
  });
  const approveOnce = new ScriptedApprovalProvider(
    (request) => ({ approved: true, approver: 'bench', typedConfirmation: request.requiredConfirmation }),
    'bench',
  );
  return {
    reads: new OperationDrReads({ runner, identity: () => connection.identity(), counters }),
    gateway: new OperationDrActionGateway({
      runner,
      approvalProvider: new RunScopedApprovalProvider(approveOnce),
      terminateBatchSize: () => policy.maxResourcesPerOperation,
      counters,
    }),
  };
}

async function main(): Promise<void> {
  const resultFile = process.env.PILOT_LIGHT_BENCH_RESULT;
  const config = JSON.parse(process.env.PILOT_LIGHT_BENCH_CONFIG ?? 'null') as DrBenchConfig | null;
  if (!resultFile || !config) throw new Error('PILOT_LIGHT_BENCH_RESULT and PILOT_LIGHT_BENCH_CONFIG must be set');
  const result: DrBenchResult = { ok: false, nodeVersion: process.version };
  let sampledPeak = process.memoryUsage().rss;
  const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss)), 100);
  const journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pilot-light-bench-dr-'));
  const clients = emulatorClients({
    endpoint: config.endpoint,
    region: config.region,
    credentials: config.credentials,
  });
  const drs = new DrsClient({ region: config.region, endpoint: config.endpoint, credentials: config.credentials });
  const admin = new DrsEmulatorAdmin(config.endpoint);
  let runner: DrRunner | undefined;
  try {
    result.clock = await admin.clock();
    // The production wiring: default poller, retries and DRS limits; only the clients point at the emulators.
    const counters = new ApiCounters();
    const auditPath = path.join(journalDir, 'audit.jsonl');
    const deps: RunnerDeps = {
      ...(config.path === 'shipped'
        ? await shippedDeps(config, auditPath, counters)
        : { reads: new SdkDrReads(clients, counters), gateway: new SdkDrActionGateway(clients, counters) }),
      journalDir,
      defaultRegion: config.region,
    };

    const servers = (await new SdkDrReads(clients).listSourceServers(config.region))
      .sort((a, b) => String(a.sourceServerID).localeCompare(String(b.sourceServerID)))
      .slice(0, config.servers);
    if (servers.length < config.servers)
      throw new Error(`the emulator has ${servers.length} source servers, the benchmark needs ${config.servers}`);
    const perWave = Math.ceil(config.servers / config.waves);
    const name = (index: number) => `wave-${String(index + 1).padStart(2, '0')}`;
    const groups: ProtectionGroup[] = Array.from({ length: config.waves }, (_, index) => ({
      schemaVersion: 2,
      kind: 'ProtectionGroup',
      name: `${name(index)}-servers`,
      region: config.region,
      selection: {
        sourceServerIds: servers.slice(index * perWave, (index + 1) * perWave).map((server) => server.sourceServerID!),
      },
    }));
    const plan: RecoveryPlan = {
      schemaVersion: 2,
      kind: 'RecoveryPlan',
      name: 'bench-1000',
      targets: { rtoMinutes: 60 },
      failurePolicy: 'continue',
      waves: groups.map((group, index) => ({
        name: name(index),
        protectionGroups: [group.name],
        ...(index ? { dependsOn: [name(index - 1)] } : {}),
      })),
    };

    const before = await receivedCounts(admin, config.endpoint);
    const started = performance.now();
    runner = await DrRunner.create(deps, { plan, groups, mode: 'drill' });
    result.preflightMs = performance.now() - started;
    let injected = 0;
    const injections: Promise<unknown>[] = [];
    runner.onEvent((event) => {
      if (event.type !== 'wave.status' || event.status !== 'running' || config.throttlePerWave <= 0) return;
      injected += 2 * config.throttlePerWave;
      injections.push(
        admin.throttle({ operation: 'DescribeJobs', count: config.throttlePerWave }),
        admin.throttle({ operation: 'DescribeJobLogItems', count: config.throttlePerWave }),
      );
    });
    const state = await runner.run();
    result.runMs = performance.now() - started;
    await Promise.all(injections);
    const after = await receivedCounts(admin, config.endpoint);
    const faults = await admin.faults();
    await admin.clearFaults();

    const metrics = runner.metrics();
    const runnerOverheads = new Map(metrics.waveTransitions.map((t) => [t.wave, t.overheadMs]));
    const jobs = await describeJobs(drs, Object.keys(state.jobs));
    const recoveryInstanceIds = Object.values(state.waves)
      .flatMap((wave) => Object.values(wave.servers).map((server) => server.recoveryInstanceId))
      .filter((id): id is string => Boolean(id));
    const instances = await describeRecoveryInstances(drs, recoveryInstanceIds);
    result.status = state.status;
    result.waves = waveFigures(plan, state, jobs, instances, runnerOverheads);
    result.servers = metrics.servers;
    result.launched = result.waves.reduce((sum, wave) => sum + wave.launched, 0);
    result.apiCalls = metrics.apiCalls;
    result.apiCallsPerServer = metrics.apiCallsPerServer;
    result.apiCallsByOperation = metrics.api.calls;
    result.attemptsByOperation = metrics.api.attempts;
    result.throttledCalls = Object.values(metrics.api.throttled).reduce((sum, n) => sum + n, 0);
    result.throttlingFailures = metrics.api.throttlingFailures;
    result.throttlesInjected = injected;
    result.throttlesLeftUnused = faults.throttles.reduce((sum, t) => sum + t.remaining, 0);
    result.receivedByOperation = difference(after, before);
    result.receivedPerServer =
      Object.values(result.receivedByOperation).reduce((sum, n) => sum + n, 0) / Math.max(1, metrics.servers);
    if (config.path === 'shipped') {
      const records = await readAuditTrail(auditPath);
      result.auditLines = records.length;
      result.auditedStartRecoveries = records.filter(
        (record) => record.operation === 'drs.recovery.start' && record.outcome === 'succeeded',
      ).length;
      result.approvals = records.filter((record) => record.outcome === 'approved').length;
    }
    result.ok = state.status === 'completed' && result.launched === config.servers;
    if (!result.ok)
      result.error = `run ${state.status}, ${result.launched} of ${config.servers} servers launched${state.errors?.length ? `: ${JSON.stringify(state.errors.slice(0, 3))}` : ''}`;
  } catch (error) {
    result.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
  } finally {
    clearInterval(sampler);
    runner?.dispose();
    clients.destroy();
    drs.destroy();
    fs.rmSync(journalDir, { recursive: true, force: true });
    result.peakRssMb = Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
    result.sampledPeakRssMb = Math.round((sampledPeak / 1024 / 1024) * 10) / 10;
    fs.writeFileSync(resultFile, JSON.stringify(result, null, 2));
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
