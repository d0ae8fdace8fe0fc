// Benchmark of cross-account reads (issue 17): EC2 instances across 20 member accounts × 2 regions, 100 instances
// each, through OrganizationAccess.fanOut: the product runners, assumed-role credentials and the real SDK. Timed
// against the replay endpoint keyed by account and region (moto's answers, recorded once through the same
// fan-out), so the figure is the extension's and the SDK's time, not moto's; once against moto for reference.
// API calls are counted at the endpoint, by action. Writes its result as JSON to PILOT_LIGHT_BENCH_RESULT.
import { writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AwsConnection } from '../../src/core/aws/connection';
import { OrganizationAccess, parseMemberProfileName } from '../../src/core/organizations';
import { DEFAULT_FAN_OUT_CONCURRENCY } from '../../src/core/organizations/fanOut';
import { createRuntime } from '../../src/core/runtime';
import { startMoto } from '../../tools/emulators/moto';
import { ReplayRecording, startReplayServer } from '../../tools/emulators/replay/server';
import { seedOrganization } from '../../tools/seed/organization';

const ACCOUNTS = Number(process.env.PILOT_LIGHT_BENCH_ACCOUNTS ?? 20);
const REGIONS = ['us-east-1', 'eu-west-1'];
const INSTANCES = Number(process.env.PILOT_LIGHT_BENCH_INSTANCES ?? 100);
const REPEATS = Number(process.env.PILOT_LIGHT_BENCH_REPEATS ?? 3);

async function main(): Promise<void> {
  const repoRoot = resolve(__dirname, '..', '..', '..');
  const moto = await startMoto({ repoRoot });
  const dir = mkdtempSync(join(tmpdir(), 'pilot-light-accounts-bench-'));
  try {
    const seedStarted = performance.now();
    const seeded = await seedOrganization({
      endpoint: moto.endpoint,
      accounts: Array.from({ length: ACCOUNTS }, (_, index) => ({
        name: `member-${String(index + 1).padStart(2, '0')}`,
        instances: Object.fromEntries(REGIONS.map((region) => [region, INSTANCES])),
      })),
    });
    const seedMs = performance.now() - seedStarted;
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_CONFIG_FILE: '/nonexistent/pilot-light-bench/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/pilot-light-bench/credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    const ids = seeded.accounts.map((account) => account.id);
    const concurrency = Number(process.env.PILOT_LIGHT_BENCH_CONCURRENCY ?? DEFAULT_FAN_OUT_CONCURRENCY);

    /** One organization access on a fresh connection and runtime (nothing cached), against `endpoint`. */
    const openAccess = async (endpoint: string, repeat: number) => {
      const base = await AwsConnection.open({ endpointUrl: endpoint, region: REGIONS[0] }, process.env);
      await base.identity();
      const holder: { access?: OrganizationAccess } = {};
      const runtime = createRuntime({
        auditPath: join(dir, `audit-${repeat}.jsonl`),
        approvalProvider: {
          id: 'none',
          kind: 'interactive',
          requestApproval: async () => ({ approved: false, reason: 'benchmark' }),
        },
        connection: async (profile) => {
          const member = profile ? parseMemberProfileName(profile) : undefined;
          return member ? holder.access!.memberConnection(member.accountId) : base;
        },
        defaultProfile: async () => base.profileName,
      });
      const access = (holder.access = new OrganizationAccess(
        base,
        { roleName: 'OrganizationAccountAccessRole' },
        { runner: (name) => runtime.runner(name), policy: () => runtime.policy },
      ));
      const fanOut = () =>
        access.fanOut({
          operationId: 'ec2.instances.list',
          accounts: ids,
          regions: REGIONS,
          caller: 'chat',
          concurrency,
        });
      return { access, fanOut, dispose: () => (access.dispose(), base.dispose()) };
    };

    // Against moto itself, once (for reference: moto's own time per page dominates).
    const motoRun = await openAccess(moto.endpoint, -1);
    const motoStarted = performance.now();
    const motoResult = await motoRun.fanOut();
    const motoMs = performance.now() - motoStarted;
    motoRun.dispose();

    // Record moto's answers per account and region through the product's own fan-out, then replay them.
    const recording = new ReplayRecording();
    const recorder = await startReplayServer(recording, { byAccount: true, recordFrom: moto.endpoint });
    const recordRun = await openAccess(recorder.endpoint, -2);
    const recorded = await recordRun.fanOut();
    recordRun.dispose();
    await recorder.stop();
    if (recorded.failures.length)
      throw new Error(`recording failed: ${JSON.stringify(recorded.failures).slice(0, 500)}`);
    const replay = await startReplayServer(recording, { byAccount: true });
    const counted = () => replay.stats().byAction;
    const difference = (after: Record<string, number>, before: Record<string, number>) =>
      Object.fromEntries(
        Object.entries(after)
          .map(([action, count]) => [action, count - (before[action] ?? 0)] as const)
          .filter(([, count]) => count > 0),
      );
    const runs: Array<{
      ms: number;
      /** CPU time of this process during the cold fan-out (user + system): what the machine's load cannot hide. */
      cpuMs: number;
      reads: number;
      assumeRoles: number;
      requests: Record<string, number>;
      instances: number;
      pages: number;
      failures: number;
      warmMs: number;
      warmRequests: Record<string, number>;
    }> = [];
    try {
      for (let repeat = 0; repeat < REPEATS; repeat++) {
        const run = await openAccess(replay.endpoint, repeat);
        const before = counted();
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        const result = await run.fanOut();
        const ms = performance.now() - started;
        const cpu = process.cpuUsage(cpuBefore);
        const cold = counted();
        const warmStarted = performance.now();
        const warm = await run.fanOut();
        const warmMs = performance.now() - warmStarted;
        runs.push({
          ms,
          cpuMs: (cpu.user + cpu.system) / 1000,
          reads: result.calls,
          assumeRoles: run.access.members.assumeRoleCalls,
          requests: difference(cold, before),
          instances: result.rows.reduce((sum, row) => sum + row.items.length, 0),
          pages: result.rows.reduce((sum, row) => sum + row.pages, 0),
          failures: result.failures.length + warm.failures.length,
          warmMs,
          warmRequests: difference(counted(), cold),
        });
        run.dispose();
      }
    } finally {
      await replay.stop();
    }
    const replayStats = replay.stats();
    writeFileSync(
      process.env.PILOT_LIGHT_BENCH_RESULT!,
      JSON.stringify({
        ok: true,
        accounts: ACCOUNTS,
        regions: REGIONS,
        instancesPerAccountRegion: INSTANCES,
        concurrency: Number(process.env.PILOT_LIGHT_BENCH_CONCURRENCY ?? DEFAULT_FAN_OUT_CONCURRENCY),
        seedMs,
        moto: { ms: motoMs, instances: motoResult.rows.reduce((sum, row) => sum + row.items.length, 0) },
        recorded: { answers: recording.size, bytes: recording.bytes },
        refused: { count: replayStats.refused, keys: replayStats.refusedKeys.slice(0, 3) },
        runs,
      }),
    );
  } catch (error) {
    writeFileSync(
      process.env.PILOT_LIGHT_BENCH_RESULT!,
      JSON.stringify({ ok: false, error: (error as Error).stack ?? String(error) }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await moto.stop();
  }
}

void main();
