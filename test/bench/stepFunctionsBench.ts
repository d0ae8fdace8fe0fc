/**
 * Step Functions figures for `npm run bench -- step-functions` (key planEditor):
 * - compileMs: compile a 1,000-server, 10-wave execution plan to ASL (median of repeated runs);
 * - sfnWaveOverheadMs beside the local runner's: the same three-wave plan run both ways on the emulators
 *   (moto executes the state machine, its aws-sdk:drs tasks reach the DRS emulator), per transition:
 *   the previous wave's last server LAUNCHED → this wave's first StartRecovery, on the emulator's clock.
 * Writes JSON to PILOT_LIGHT_BENCH_RESULT (or stdout). Usage: node out/test/bench/stepFunctionsBench.js
 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DescribeJobsCommand, DescribeRecoveryInstancesCommand, DrsClient, type Job } from '@aws-sdk/client-drs';
import type { RecoveryPlan, Wave } from '../../src/core/dr/model';
import { buildExecutionPlan } from '../../src/core/dr/planner';
import { DrRunner } from '../../src/core/dr/run';
import type { PlanResolution } from '../../src/core/dr/selection';
import type { RunState } from '../../src/core/dr/state';
import {
  compilePlan,
  deployPlan,
  operationSfnReads,
  outputOf,
  prepareDeployment,
  startPlanRun,
} from '../../src/core/dr/stepFunctions';
import type { RunOptions } from '../../src/core/operations';
import { startEmulatorStack } from '../../tools/emulators/stack';
import { AuditTrail } from '../../src/core/audit/auditTrail';
import { AwsConnection } from '../../src/core/aws/connection';
import { ApiCounters } from '../../src/core/dr/aws';
import {
  OperationDrActionGateway,
  OperationDrReads,
  RunScopedApprovalProvider,
} from '../../src/core/dr/operationGateway';
import type { RunnerDeps } from '../../src/core/dr/run';
import { resolveGuardrailPolicy } from '../../src/core/guardrails';
import { createOperationRegistry } from '../../src/core/operations';
import { OperationRunner } from '../../src/core/operations/runner';
import { approvingProvider } from '../support/operationHarness';
import { tempDir, threeTierPlan, tierGroups } from '../support/dr';

/** The shipped path on the bench's own emulator stack: every call a registered operation. */
async function shippedDeps(stack: { endpoint: string; region: string }, dir: string) {
  // The SDK's credential chain reads process.env itself.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });
  delete process.env.AWS_PROFILE;
  const connection = await AwsConnection.open(
    { endpointUrl: stack.endpoint, region: stack.region },
    {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    },
  );
  const policy = resolveGuardrailPolicy({}).policy;
  const operations = new OperationRunner({
    registry: createOperationRegistry(),
    connection,
    policy,
    audit: new AuditTrail(`${dir}/audit.jsonl`),
  });
  const counters = new ApiCounters();
  const deps: RunnerDeps & { operations: OperationRunner } = {
    operations,
    reads: new OperationDrReads({ runner: operations, identity: () => connection.identity(), counters }),
    gateway: new OperationDrActionGateway({
      runner: operations,
      approvalProvider: new RunScopedApprovalProvider(approvingProvider()),
      terminateBatchSize: () => policy.maxResourcesPerOperation,
      counters,
    }),
    journalDir: dir,
    defaultRegion: stack.region,
  };
  return deps;
}

// out/test/bench/stepFunctionsBench.js → the repository root (or the working directory when bundled elsewhere).
const REPO_ROOT = [resolve(__dirname, '..', '..', '..'), process.cwd()].find((dir) =>
  existsSync(resolve(dir, 'package.json')),
)!;
const COMPILE_RUNS = Number(process.env.PILOT_LIGHT_BENCH_COMPILE_RUNS ?? 30);
const RUNS_EACH_WAY = Number(process.env.PILOT_LIGHT_BENCH_SFN_RUNS ?? 3);
const POLL_SECONDS = 1;

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function measureCompile(): { samples: number[]; states: number; servers: number; waves: number } {
  const waves: Wave[] = Array.from({ length: 10 }, (_, i) => ({
    name: `wave-${i + 1}`,
    protectionGroups: [`g${i}`],
    ...(i > 0 ? { dependsOn: [`wave-${i}`] } : {}),
  }));
  const plan: RecoveryPlan = { schemaVersion: 2, kind: 'RecoveryPlan', name: 'bench', waves };
  const resolution: PlanResolution = {
    groups: [],
    inventory: {},
    waves: waves.map((wave, w) => ({
      wave: wave.name,
      servers: Array.from({ length: 100 }, (_, i) => {
        const id = `s-${String(w).padStart(2, '0')}${String(i).padStart(15, '0')}`;
        return { sourceServerId: id, region: 'us-east-1', hostname: id, tags: {} };
      }),
      missingServerIds: [],
      missingGroups: [],
      origins: {},
    })),
  };
  const execution = buildExecutionPlan(plan, resolution, 'drill', 'us-east-1');
  const samples: number[] = [];
  let states = 0;
  for (let i = 0; i < COMPILE_RUNS + 3; i++) {
    const started = process.hrtime.bigint();
    const compiled = compilePlan(execution, { region: 'us-east-1' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (i >= 3) samples.push(ms); // the first runs warm the JIT
    states = Object.keys(compiled.stateRoles).length;
  }
  return { samples, states, servers: execution.serverCount, waves: execution.waves.length };
}

/** Per transition of the chain: this wave's first StartRecovery − the previous wave's last server LAUNCHED. */
async function transitions(drs: DrsClient, plan: RecoveryPlan, state: RunState): Promise<number[]> {
  const jobIds = Object.values(state.jobs).map((job) => job.jobId);
  const jobs: Job[] = jobIds.length
    ? ((await drs.send(new DescribeJobsCommand({ filters: { jobIDs: jobIds } }))).items ?? [])
    : [];
  const instances = (await drs.send(new DescribeRecoveryInstancesCommand({}))).items ?? [];
  // The emulator sets lastUpdatedDateTime when it launches the instance, just before the server shows LAUNCHED.
  const launchedAt = new Map(
    instances.map((i) => [
      i.recoveryInstanceID!,
      Date.parse(String(i.recoveryInstanceProperties?.lastUpdatedDateTime ?? '')),
    ]),
  );
  const result: number[] = [];
  let previousLaunched: number | undefined;
  for (const wave of plan.waves) {
    const waveJobs = jobs.filter((job) => state.jobs[job.jobID!]?.wave === wave.name);
    const created = Math.min(...waveJobs.map((job) => Date.parse(String(job.creationDateTime))));
    if (previousLaunched !== undefined && Number.isFinite(created)) result.push(created - previousLaunched);
    const launched = Object.values(state.waves[wave.name].servers).map((s) =>
      launchedAt.get(s.recoveryInstanceId ?? ''),
    );
    previousLaunched = launched.every((t) => Number.isFinite(t)) ? Math.max(...(launched as number[])) : undefined;
  }
  return result;
}

async function main(): Promise<void> {
  const compile = measureCompile();
  const result: Record<string, unknown> = { compile, pollSeconds: POLL_SECONDS, runsEachWay: RUNS_EACH_WAY };
  const stack = await startEmulatorStack({ repoRoot: REPO_ROOT, drsClock: { timeScale: 0.05 } });
  const local: number[] = [];
  const sfn: number[] = [];
  try {
    const drs = new DrsClient({ region: stack.region, endpoint: stack.endpoint, credentials: stack.credentials });
    for (let run = 0; run < RUNS_EACH_WAY; run++) {
      for (const way of ['local', 'sfn'] as const) {
        await stack.resetAndSeed('sample');
        const dir = tempDir();
        try {
          const deps = await shippedDeps(stack, dir.path);
          const plan = threeTierPlan();
          const options: RunOptions = { caller: 'command', mode: 'execute', approvalProvider: approvingProvider() };
          let state: RunState;
          if (way === 'local') {
            const runner = await DrRunner.create(deps, { plan, groups: tierGroups(), mode: 'drill' });
            state = await runner.run();
            runner.dispose();
          } else {
            const prepared = await prepareDeployment({
              plan,
              groups: tierGroups(),
              reads: deps.reads,
              region: stack.region,
              pollSeconds: POLL_SECONDS,
            });
            outputOf(await deployPlan(deps.operations, prepared, options), 'deploy');
            const follower = await startPlanRun({
              operations: deps.operations,
              options,
              journalDir: dir.path,
              plan,
              groups: tierGroups(),
              reads: deps.reads,
              region: stack.region,
              mode: 'drill',
              pollSeconds: POLL_SECONDS,
            });
            const reads = operationSfnReads(deps.operations, options);
            const deadline = Date.now() + 120_000;
            while (!follower.done && Date.now() < deadline) {
              await follower.poll(reads, deps.reads);
              await new Promise((done) => setTimeout(done, 250));
            }
            state = follower.snapshot();
            follower.close();
          }
          if (state.status !== 'completed')
            throw new Error(`${way} run ended ${state.status}: ${JSON.stringify(state.errors)}`);
          (way === 'local' ? local : sfn).push(...(await transitions(drs, plan, state)));
        } finally {
          dir.remove();
        }
      }
    }
  } finally {
    await stack.stop();
  }
  result.local = { samples: local, median: median(local) };
  result.sfn = { samples: sfn, median: median(sfn) };
  result.compileMedianMs = median(compile.samples);
  const text = JSON.stringify(result, null, 2);
  if (process.env.PILOT_LIGHT_BENCH_RESULT) writeFileSync(process.env.PILOT_LIGHT_BENCH_RESULT, text);
  else process.stdout.write(`${text}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const text = JSON.stringify({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    if (process.env.PILOT_LIGHT_BENCH_RESULT) writeFileSync(process.env.PILOT_LIGHT_BENCH_RESULT, text);
    else process.stderr.write(`${text}\n`);
    process.exit(1);
  },
);
