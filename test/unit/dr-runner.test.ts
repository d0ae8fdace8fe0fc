import * as assert from 'node:assert/strict';
import { DrRunner, PreflightBlockedError, clientTokenFor, computeMetrics } from '../../src/core/dr/run';
import type { RunnerDeps } from '../../src/core/dr/run';
import type { DrActionGateway } from '../../src/core/dr/gateway';
import { buildRunResult, progressOf, renderMarkdownReport } from '../../src/core/dr/results';
import { FakeDrs } from '../support/fakeDrs';
import { group, plan, tempDir } from '../support/dr';

function deps(fake: FakeDrs, dir: string, overrides: Partial<RunnerDeps> = {}): RunnerDeps {
  return {
    reads: fake,
    gateway: fake,
    journalDir: dir,
    defaultRegion: 'us-east-1',
    poll: { minMs: 5, maxMs: 20 },
    logIntervalMs: 10,
    startRetryDelayMs: 5,
    ...overrides,
  };
}

describe('DR runner (in-memory DRS)', function () {
  this.timeout(20_000);
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.remove());

  it('keeps parallel waves within 500 servers across active jobs', async () => {
    const fake = new FakeDrs({ startMs: 5, launchMs: 40, completeMs: 50 });
    const waves = Array.from({ length: 12 }, (_, i) => {
      fake.addServers(100, { Wave: String(i) }, String.fromCharCode(97 + i));
      return { name: `w${i}`, protectionGroups: [`g${i}`] };
    });
    const groups = waves.map((_, i) => group(`g${i}`, { Wave: String(i) }));
    const runner = await DrRunner.create(deps(fake, dir.path), { plan: plan('wide', waves), groups, mode: 'drill' });
    const state = await runner.run();
    runner.dispose();
    assert.equal(state.status, 'completed');
    assert.equal(fake.startCalls.length, 12);
    assert.ok(fake.startCalls.every((call) => call.servers.length <= 100));
    assert.ok(fake.maxActiveServers <= 500, `max ${fake.maxActiveServers} servers in active jobs`);
    assert.equal(fake.maxActiveServers, 500, 'uses the whole allowance');
  });

  it('keeps parallel waves within 20 concurrent jobs', async () => {
    // Jobs outlive the time it takes to start twenty, so reaching the limit does not depend on machine load.
    const fake = new FakeDrs({ startMs: 5, launchMs: 1000, completeMs: 1500 });
    const waves = Array.from({ length: 30 }, (_, i) => {
      fake.addServers(3, { Wave: String(i) }, String.fromCharCode(65 + i));
      return { name: `w${i}`, protectionGroups: [`g${i}`] };
    });
    const runner = await DrRunner.create(deps(fake, dir.path), {
      plan: plan('many', waves),
      groups: waves.map((_, i) => group(`g${i}`, { Wave: String(i) })),
      mode: 'drill',
    });
    assert.equal((await runner.run()).status, 'completed');
    runner.dispose();
    assert.equal(fake.startCalls.length, 30);
    assert.ok(fake.maxActiveJobs <= 20, `max ${fake.maxActiveJobs} active jobs`);
    assert.equal(fake.maxActiveJobs, 20);
  });

  it('splits a 250-server wave into three jobs', async () => {
    const fake = new FakeDrs();
    fake.addServers(250, { Role: 'big' });
    const runner = await DrRunner.create(deps(fake, dir.path), {
      plan: plan('big', [{ name: 'all', protectionGroups: ['big'] }]),
      groups: [group('big', { Role: 'big' })],
      mode: 'recovery',
    });
    const state = await runner.run();
    runner.dispose();
    assert.deepEqual(
      fake.startCalls.map((c) => c.servers.length),
      [84, 83, 83],
    );
    assert.equal(Object.values(state.waves.all.servers).filter((s) => s.launchStatus === 'LAUNCHED').length, 250);
    assert.ok(state.preflight.findings.some((f) => f.code === 'wave-split'));
  });

  it('starts the next wave without waiting for the EC2 instance IDs of the last one; the run ends with all of them', async () => {
    const fake = new FakeDrs();
    const db = fake.addServers(2, { Role: 'db' }, 'd');
    fake.addServers(2, { Role: 'web' }, 'w');
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const describe = fake.describeRecoveryInstances.bind(fake);
    const startedWhileBlocked: string[][] = [];
    fake.describeRecoveryInstances = async (region, filter) => {
      if (filter.recoveryInstanceIds?.length) {
        await released;
      }
      return describe(region, filter);
    };
    const p = plan('two', [
      { name: 'db', protectionGroups: ['db'] },
      { name: 'web', protectionGroups: ['web'], dependsOn: ['db'] },
    ]);
    const runner = await DrRunner.create(deps(fake, dir.path), {
      plan: p,
      groups: [group('db', { Role: 'db' }), group('web', { Role: 'web' })],
      mode: 'drill',
    });
    runner.onEvent((event) => {
      if (event.type === 'job.started' && event.wave === 'web') {
        startedWhileBlocked.push(
          Object.values(runner.current.waves.db.servers).map((server) => server.ec2InstanceId ?? 'none'),
        );
        release();
      }
    });
    const state = await runner.run();
    runner.dispose();
    assert.equal(state.status, 'completed');
    assert.deepEqual(
      startedWhileBlocked,
      [['none', 'none']],
      "web started while the db wave's EC2 instance IDs were still being read",
    );
    const servers = Object.values(state.waves).flatMap((wave) => Object.values(wave.servers));
    assert.equal(servers.length, 4);
    assert.ok(
      servers.every((server) => server.ec2InstanceId),
      JSON.stringify(servers),
    );
    assert.ok(db.every((id) => state.waves.db.servers[id].ec2InstanceId));
  });

  it('refuses to start when preflight finds errors', async () => {
    const fake = new FakeDrs();
    fake.addServers(1, { Role: 'db' });
    await assert.rejects(
      DrRunner.create(deps(fake, dir.path), {
        plan: plan('p', [{ name: 'w', protectionGroups: ['nope'] }]),
        groups: [],
        mode: 'drill',
      }),
      (error: unknown) => {
        assert.ok(error instanceof PreflightBlockedError);
        assert.match(error.message, /protection group "nope", which is not in the workspace/);
        return true;
      },
    );
  });

  it('retries a conflicting StartRecovery, then completes', async () => {
    const fake = new FakeDrs();
    fake.addServers(2, { Role: 'db' });
    fake.startErrors.push(
      Object.assign(new Error('Source server is being processed by another job'), { name: 'ConflictException' }),
    );
    const runner = await DrRunner.create(deps(fake, dir.path), {
      plan: plan('p', [{ name: 'w', protectionGroups: ['db'] }]),
      groups: [group('db', { Role: 'db' })],
      mode: 'drill',
    });
    const state = await runner.run();
    runner.dispose();
    assert.equal(state.status, 'completed');
    assert.equal(state.waves.w.jobKeys['w#0'].attempts, 2);
    assert.equal(fake.jobs.length, 1);
  });

  it('after a crash between StartRecovery and its answer, finds the job by its tags instead of starting it again', async () => {
    const fake = new FakeDrs({ completeMs: 60, launchMs: 50 });
    fake.addServers(2, { Role: 'db' });
    let victim: DrRunner | undefined; // eslint-disable-line prefer-const -- the gateway below refers to it before it exists
    const crashing: DrActionGateway = {
      ...fake,
      startRecovery: async (request, _context) => {
        await fake.startRecovery(request);
        victim!.abandon(); // the process dies before the answer is journaled
        throw new Error('process died');
      },
      terminateRecoveryInstances: fake.terminateRecoveryInstances.bind(fake),
      updateLaunchConfiguration: fake.updateLaunchConfiguration.bind(fake),
      startAutomation: fake.startAutomation.bind(fake),
      stopAutomation: fake.stopAutomation.bind(fake),
    };
    const p = plan('p', [{ name: 'w', protectionGroups: ['db'] }]);
    victim = await DrRunner.create(deps(fake, dir.path, { gateway: crashing }), {
      plan: p,
      groups: [group('db', { Role: 'db' })],
      mode: 'drill',
    });
    await victim.run();
    assert.equal(fake.jobs.length, 1);
    assert.equal(
      DrRunner.inspect(victim.journalPath).waves.w.jobKeys['w#0'].jobId,
      undefined,
      'the answer never reached the journal',
    );

    const resumed = DrRunner.resume(deps(fake, dir.path), victim.journalPath);
    const state = await resumed.run();
    resumed.dispose();
    assert.equal(state.status, 'completed');
    assert.equal(fake.jobs.length, 1, 'no second StartRecovery');
    assert.equal(state.jobs[fake.jobs[0].jobID].recovered, true);
  });

  it('derives results, a Markdown report, progress and metrics from the state', async () => {
    const fake = new FakeDrs();
    fake.addServers(2, { Role: 'db' });
    fake.addServers(1, { Role: 'web' }, 'w');
    const p = plan(
      'report',
      [
        { name: 'db', protectionGroups: ['db'], postActions: [{ type: 'wait', seconds: 0.01, name: 'settle' }] },
        { name: 'web', protectionGroups: ['web'], dependsOn: ['db'] },
      ],
      { targets: { rtoMinutes: 5 } },
    );
    const runner = await DrRunner.create(deps(fake, dir.path), {
      plan: p,
      groups: [group('db', { Role: 'db' }), group('web', { Role: 'web' })],
      mode: 'drill',
    });
    const state = await runner.run();
    runner.dispose();
    const result = buildRunResult(state);
    assert.equal(result.status, 'completed');
    assert.equal(result.rto.targetMinutes, 5);
    assert.equal(result.rto.met, true);
    assert.deepEqual(result.counts, { servers: 3, launched: 3, failed: 0, other: 0 });
    assert.ok(result.waves[0].servers.every((s) => s.jobId && s.recoveryInstanceId && s.ec2InstanceId && s.launchedAt));
    assert.equal(result.waves[0].actions[0].label, 'settle');
    assert.deepEqual(result.plan, p);
    const markdown = renderMarkdownReport(result);
    assert.match(markdown, /# Drill report: report/);
    assert.match(markdown, /## Wave web: completed/);
    assert.match(markdown, /against a target of 5 min ✅ met/);
    const progress = progressOf(state);
    assert.deepEqual(progress.servers, { total: 3, launched: 3, failed: 0, inProgress: 0 });
    assert.ok(progress.rtoFraction! < 1);
    const metrics = runner.metrics();
    assert.equal(metrics.servers, 3);
    assert.equal(metrics.api.calls['drs:StartRecovery'], 2);
    assert.equal(metrics.waveTransitions.length, 1);
    assert.equal(typeof metrics.waveTransitions[0].overheadMs, 'number');
    assert.equal(computeMetrics(state).servers, 3);
  });

  it('waits for a manual approval; a rejection fails the wave, and the journal records who decided', async () => {
    const fake = new FakeDrs();
    fake.addServers(1, { Role: 'db' });
    fake.addServers(1, { Role: 'web' }, 'w');
    const p = plan('approve', [
      { name: 'db', protectionGroups: ['db'], postActions: [{ type: 'approval', message: 'Database consistent?' }] },
      {
        name: 'web',
        protectionGroups: ['web'],
        dependsOn: ['db'],
        preActions: [{ type: 'approval', message: 'Open the shop?', timeoutSeconds: 60 }],
      },
    ]);
    const runner = await DrRunner.create(deps(fake, dir.path), {
      plan: p,
      groups: [group('db', { Role: 'db' }), group('web', { Role: 'web' })],
      mode: 'recovery',
    });
    const asked: string[] = [];
    runner.onEvent((event) => {
      if (event.type !== 'approval.requested') return;
      asked.push(event.message);
      setTimeout(
        () =>
          runner.approve(
            event.wave,
            event.step,
            event.wave === 'db',
            'alice',
            event.wave === 'db' ? undefined : 'not yet',
          ),
        20,
      );
    });
    assert.equal(progressOf(runner.current).awaiting.length, 0);
    const state = await runner.run();
    runner.dispose();
    assert.deepEqual(asked, ['Database consistent?', 'Open the shop?']);
    assert.equal(state.waves.db.status, 'completed');
    assert.equal(state.waves.web.status, 'failed');
    assert.match(state.waves.web.error!, /Rejected by alice: not yet/);
    assert.equal(state.waves.web.steps['web/launch'].status, 'skipped');
    assert.equal(fake.startCalls.length, 1, 'web never launched');
    assert.throws(() => runner.approve('web', 'web/pre/0', true), /not waiting for approval/);
  });

  it('starts the next wave once the servers launched, without waiting for the job log read', async function () {
    // The fallback only keeps a regression from hanging; it is long so that a loaded machine cannot trip it.
    this.timeout(30_000);
    const launchMs = 40;
    const fake = new FakeDrs({ startMs: 5, launchMs, completeMs: 4000 });
    fake.addServers(2, { Tier: 'db' }, 'd');
    fake.addServers(2, { Tier: 'web' }, 'w');
    // Log reads after the first wave launched are held until the second wave starts (or 12 s, as a fallback).
    let openedBy: string | undefined;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const fallback = setTimeout(() => {
      openedBy ??= 'the 12 s fallback';
      open();
    }, 12_000);
    const readLog = fake.describeJobLogItems.bind(fake);
    fake.describeJobLogItems = async (region, jobId) => {
      if (fake.startCalls.length === 1 && Date.now() - fake.startCalls[0].at >= launchMs) await gate;
      return readLog(region, jobId);
    };
    const startRecovery = fake.startRecovery.bind(fake);
    fake.startRecovery = async (request) => {
      if (fake.startCalls.length === 1) {
        openedBy ??= 'the second wave';
        open();
      }
      return startRecovery(request);
    };
    const runner = await DrRunner.create(deps(fake, dir.path, { logIntervalMs: 5 }), {
      plan: plan('two', [
        { name: 'db', protectionGroups: ['db'] },
        { name: 'web', protectionGroups: ['web'], dependsOn: ['db'] },
      ]),
      groups: [group('db', { Tier: 'db' }), group('web', { Tier: 'web' })],
      mode: 'drill',
    });
    try {
      const state = await runner.run();
      assert.equal(state.status, 'completed');
      assert.equal(openedBy, 'the second wave');
      assert.ok(state.jobs[Object.keys(state.jobs)[0]].log.length > 0, 'the log was still read and journaled');
    } finally {
      clearTimeout(fallback);
      runner.dispose();
    }
  });

  it('makes SSM client tokens deterministic UUIDs', () => {
    const token = clientTokenFor('run', 'w/pre/0', 1);
    assert.match(token, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(token, clientTokenFor('run', 'w/pre/0', 1));
    assert.notEqual(token, clientTokenFor('run', 'w/pre/0', 2));
  });
});
