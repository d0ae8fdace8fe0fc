// Benchmark of cross-account reads (issue 17): EC2 instances across 20 member accounts × 2 regions, 100 instances
// each, in moto (its own server), through OrganizationAccess.fanOut: the product runners, assumed-role credentials
// and the real SDK. Writes its result as JSON to PILOT_LIGHT_BENCH_RESULT.
import { writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AwsConnection } from '../../src/core/aws/connection';
import { OrganizationAccess, parseMemberProfileName } from '../../src/core/organizations';
import { createRuntime } from '../../src/core/runtime';
import { startMoto } from '../../tools/emulators/moto';
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
    const runs: Array<{
      ms: number;
      reads: number;
      assumeRoles: number;
      instances: number;
      pages: number;
      failures: number;
      warmMs: number;
      warmReads: number;
      warmAssumeRoles: number;
    }> = [];
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      const base = await AwsConnection.open({ endpointUrl: moto.endpoint, region: REGIONS[0] }, process.env);
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
        {
          runner: (name) => runtime.runner(name),
          policy: () => runtime.policy,
        },
      ));
      const started = performance.now();
      const result = await access.fanOut({
        operationId: 'ec2.instances.list',
        accounts: ids,
        regions: REGIONS,
        caller: 'chat',
      });
      const ms = performance.now() - started;
      const assumeRoles = access.members.assumeRoleCalls;
      const warmStarted = performance.now();
      const warm = await access.fanOut({
        operationId: 'ec2.instances.list',
        accounts: ids,
        regions: REGIONS,
        caller: 'chat',
      });
      const warmMs = performance.now() - warmStarted;
      runs.push({
        ms,
        reads: result.calls,
        assumeRoles,
        instances: result.rows.reduce((sum, row) => sum + row.items.length, 0),
        pages: result.rows.reduce((sum, row) => sum + row.pages, 0),
        failures: result.failures.length + warm.failures.length,
        warmMs,
        warmReads: warm.calls,
        warmAssumeRoles: access.members.assumeRoleCalls - assumeRoles,
      });
      access.dispose();
      base.dispose();
    }
    writeFileSync(
      process.env.PILOT_LIGHT_BENCH_RESULT!,
      JSON.stringify({
        ok: true,
        accounts: ACCOUNTS,
        regions: REGIONS,
        instancesPerAccountRegion: INSTANCES,
        seedMs,
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
