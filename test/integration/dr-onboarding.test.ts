import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { DescribeJobsCommand, DrsClient } from '@aws-sdk/client-drs';
import { readAuditTrail } from '../../src/core/audit';
import { planFiles, proposeGroups, proposePlan, tagKeysOf, writePlannedFiles } from '../../src/core/dr/onboarding';
import { runPreflight } from '../../src/core/dr/preflight';
import { DrRunner } from '../../src/core/dr/run';
import { toServerInfo } from '../../src/core/dr/selection';
import { loadDrWorkspace, usableDocuments } from '../../src/core/dr/workspace';
import { resolveGuardrailPolicy } from '../../src/core/guardrails';
import { productDeps, tempDir } from '../support/dr';
import { clientConfig, resetAndSeed, useEmulatorStack } from '../support/emulators';
import { approvingProvider } from '../support/operationHarness';

useEmulatorStack();

/** First drill without writing YAML: groups from the seeded servers' tags, a plan from the groups, a drill of it. */
describe('DR onboarding against the DRS emulator', function () {
  this.timeout(90_000);
  let dir: ReturnType<typeof tempDir>;
  const runners: DrRunner[] = [];

  beforeEach(async () => {
    await resetAndSeed('sample');
    dir = tempDir();
  });
  afterEach(() => {
    for (const runner of runners.splice(0)) runner.dispose();
    dir.remove();
  });

  it('creates groups from the Role tag and a db → app → web plan, whose preflight passes and whose drill completes', async () => {
    const auditPath = join(dir.path, 'audit.jsonl');
    const deps = await productDeps(join(dir.path, 'runs'), {
      auditPath,
      approval: approvingProvider(),
      policy: resolveGuardrailPolicy({ settings: { auditReads: true } }).policy,
    });
    const servers = (await deps.reads.listSourceServers('us-east-1')).map((server) =>
      toServerInfo(server, 'us-east-1'),
    );
    assert.ok(servers.length >= 3, `seeded servers: ${servers.length}`);
    assert.ok(tagKeysOf(servers).some((key) => key.key === 'Role'));

    const proposal = proposeGroups(servers, 'Role', { region: 'us-east-1' });
    assert.deepEqual(proposal.groups.map((g) => g.group.name).sort(), ['app', 'db', 'web']);
    const root = join(dir.path, 'workspace');
    await writePlannedFiles(
      planFiles(
        root,
        proposal.groups.map((g) => g.group),
      ).files,
    );

    // The plan is proposed from the files as written, in the given (web, app, db) order: tiers reorder it.
    const written = usableDocuments(await loadDrWorkspace(root)).groups;
    assert.equal(written.length, 3);
    const picked = ['web', 'app', 'db'].map((name) => written.find((g) => g.name === name)!);
    const proposed = proposePlan(
      picked.map((g) => ({ name: g.name, tagValues: Object.values(g.selection.tags ?? {}) })),
      { name: 'first-drill' },
    );
    await writePlannedFiles(planFiles(root, [proposed]).files);
    const workspace = await loadDrWorkspace(root);
    const { groups, plans } = usableDocuments(workspace);
    assert.equal(plans.length, 1, JSON.stringify(workspace.plans.map((p) => p.result.diagnostics)));
    const plan = plans[0];
    assert.deepEqual(
      plan.waves.map((w) => [w.name, w.protectionGroups, w.dependsOn]),
      [
        ['db', ['db'], undefined],
        ['app', ['app'], ['db']],
        ['web', ['web'], ['app']],
      ],
    );

    const report = await runPreflight({ plan, groups, reads: deps.reads, mode: 'drill', defaultRegion: 'us-east-1' });
    assert.equal(report.ok, true, JSON.stringify(report.findings.filter((f) => f.severity === 'error')));
    assert.deepEqual(
      report.resolution.waves.map((w) => w.servers.length),
      proposal.groups
        .slice()
        .sort((a, b) => ['db', 'app', 'web'].indexOf(a.group.name) - ['db', 'app', 'web'].indexOf(b.group.name))
        .map((g) => g.servers.length),
      'each wave holds the servers its group was proposed with',
    );

    const runner = await DrRunner.create(deps, { plan, groups, mode: 'drill' });
    runners.push(runner);
    const state = await runner.run();
    assert.equal(state.status, 'completed', JSON.stringify(state.errors ?? state));
    const drs = new DrsClient(clientConfig());
    try {
      const jobs = (await drs.send(new DescribeJobsCommand({ filters: {} }))).items ?? [];
      assert.equal(jobs.length, 3, 'one drill job per wave');
      assert.ok(
        jobs.every((job) => job.initiatedBy === 'START_DRILL'),
        JSON.stringify(jobs.map((j) => j.initiatedBy)),
      );
    } finally {
      drs.destroy();
    }
    await runner.cleanupDrill();
    const reads = (await readAuditTrail(auditPath, {})).filter((line) => line.operation === 'drs.sourceServers.list');
    assert.ok(reads.length >= 1, 'the source servers were listed through the operation runner');
  });
});
