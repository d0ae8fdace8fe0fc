import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { DrRunManager, RunBlockedError, type RunChange, type RunManagerOptions } from '../../src/core/dr/manager';
import { activeRunIds, lockPath, markActive, newLockOwner, readRunOrigin } from '../../src/core/dr/runLock';
import type { RunState } from '../../src/core/dr/state';
import { runPreflight } from '../../src/core/dr/preflight';
import { StepFunctionsRunFollower } from '../../src/core/dr/stepFunctions/follow';
import { FakeDrs } from '../support/fakeDrs';
import { group, plan, tempDir } from '../support/dr';

const groups = [group('db', { Role: 'db' }), group('app', { Role: 'app' }), group('web', { Role: 'web' })];
const threeWaves = plan('shop', [
  { name: 'db', protectionGroups: ['db'] },
  { name: 'app', protectionGroups: ['app'], dependsOn: ['db'] },
  { name: 'web', protectionGroups: ['web'], dependsOn: ['app'] },
]);

function fakeWithTiers(
  options: ConstructorParameters<typeof FakeDrs>[0] = { startMs: 5, launchMs: 60, completeMs: 80 },
): FakeDrs {
  const fake = new FakeDrs(options);
  fake.addServers(2, { Role: 'db' }, 'd');
  fake.addServers(2, { Role: 'app' }, 'a');
  fake.addServers(1, { Role: 'web' }, 'w');
  return fake;
}

function manager(fake: FakeDrs, dir: string, overrides: Partial<RunManagerOptions> = {}): DrRunManager {
  return new DrRunManager({
    journalDir: dir,
    deps: async () => ({
      reads: fake,
      gateway: fake,
      defaultRegion: 'us-east-1',
      poll: { minMs: 5, maxMs: 20 },
      logIntervalMs: 10,
      startRetryDelayMs: 5,
    }),
    heartbeatMs: 20,
    watchMs: 10,
    ...overrides,
  });
}

const origin = { profile: 'default', region: 'us-east-1', account: '123456789012' };

function untilEvent(m: DrRunManager, predicate: (change: RunChange) => boolean): Promise<RunChange> {
  return new Promise((resolve) => {
    const off = m.onChange((change) => {
      if (predicate(change)) {
        off();
        resolve(change);
      }
    });
  });
}

describe('DR run manager (in-memory DRS)', function () {
  this.timeout(20_000);
  let dir: ReturnType<typeof tempDir>;
  const managers: DrRunManager[] = [];
  beforeEach(() => (dir = tempDir()));
  afterEach(() => {
    for (const m of managers.splice(0)) m.dispose();
    dir.remove();
  });
  const track = (m: DrRunManager) => (managers.push(m), m);

  it('starts a run, reports its events, and releases the lock when it ends', async () => {
    const fake = fakeWithTiers();
    const m = track(manager(fake, dir.path));
    const changes: RunChange[] = [];
    m.onChange((change) => changes.push(change));
    const session = await m.start({ plan: threeWaves, groups, mode: 'drill', origin });
    assert.equal(session.role, 'owner');
    assert.ok(existsSync(lockPath(dir.path, session.runId)), 'locked while running');
    assert.deepEqual(activeRunIds(dir.path), [session.runId], 'marked active while running');
    assert.deepEqual(readRunOrigin(dir.path, session.runId), { ...origin, runId: session.runId });
    const state = await m.whenFinished(session.runId);
    assert.equal(state.status, 'completed');
    assert.equal(m.get(session.runId)?.role, 'finished');
    assert.equal(existsSync(lockPath(dir.path, session.runId)), false, 'lock released');
    assert.deepEqual(activeRunIds(dir.path), [], 'no active marker once ended');
    assert.equal(fake.startCalls.length, 3);
    assert.ok(changes.some((c) => c.kind === 'event' && c.event?.type === 'server.status'));
    assert.equal(changes[0].kind, 'added');
    assert.equal(m.history()[0].status, 'completed');
  });

  it('never continues a Step Functions run here: its journal is only followed', async () => {
    const fake = fakeWithTiers();
    const report = await runPreflight({
      plan: threeWaves,
      groups,
      reads: fake,
      mode: 'drill',
      defaultRegion: 'us-east-1',
    });
    const follower = StepFunctionsRunFollower.create({
      journalDir: dir.path,
      runId: 'sfn-run-1',
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:pilotlight-plan-shop:sfn-run-1',
      plan: threeWaves,
      groups,
      executionPlan: report.executionPlan,
      preflight: report,
      stateRoles: {},
    });
    follower.close();
    markActive(dir.path, 'sfn-run-1'); // even with a marker, as a crashed local run would have
    const m = track(manager(fake, dir.path));
    assert.deepEqual(await m.recover(), []);
    assert.equal(fake.startCalls.length, 0, 'no wave was started locally');
    assert.equal(m.history()[0].status, 'running', 'the journal is listed as it is');
  });

  it('continues a run after its window went away (dispose), starting nothing twice', async () => {
    const fake = fakeWithTiers({ startMs: 5, launchMs: 150, completeMs: 200 });
    const first = track(manager(fake, dir.path));
    const session = await first.start({ plan: threeWaves, groups, mode: 'drill', origin });
    await untilEvent(first, (c) => c.event?.type === 'job.started' && c.event.wave === 'app');
    first.dispose(); // window reload: runners abandoned without writing, locks released
    assert.equal(existsSync(lockPath(dir.path, session.runId)), false);
    assert.deepEqual(activeRunIds(dir.path), [session.runId], 'the unfinished run stays marked for the next window');

    const second = track(manager(fake, dir.path));
    const recovered = await second.recover();
    assert.deepEqual(
      recovered.map((s) => [s.runId, s.role]),
      [[session.runId, 'owner']],
    );
    const state = await second.whenFinished(session.runId);
    assert.equal(state.status, 'completed');
    assert.deepEqual(
      fake.startCalls.map((c) => c.servers.length),
      [2, 2, 1],
      'one StartRecovery per wave in total',
    );
    assert.deepEqual(activeRunIds(dir.path), []);
    assert.ok(Object.values(state.waves).every((wave) => wave.status === 'completed'));
  });

  it('takes over after a crash that left the lock behind', async () => {
    const fake = fakeWithTiers({ startMs: 5, launchMs: 150, completeMs: 200 });
    const first = track(manager(fake, dir.path));
    const session = await first.start({ plan: threeWaves, groups, mode: 'drill', origin });
    await untilEvent(first, (c) => c.event?.type === 'job.started' && c.event.wave === 'db');
    first.dispose({ keepLocks: true }); // crash: the lock file stays
    assert.ok(existsSync(lockPath(dir.path, session.runId)));

    const second = track(manager(fake, dir.path, { lock: { isAlive: () => false } }));
    const [recovered] = await second.recover();
    assert.equal(recovered.role, 'owner');
    assert.equal((await second.whenFinished(session.runId)).status, 'completed');
    assert.equal(fake.startCalls.length, 3);
  });

  it('watches a run another live window executes, refuses to control it there, and sees it finish', async () => {
    const fake = fakeWithTiers({ startMs: 5, launchMs: 100, completeMs: 120 });
    const owner = track(manager(fake, dir.path, { owner: newLockOwner('window A') }));
    const session = await owner.start({ plan: threeWaves, groups, mode: 'drill', origin });
    const watcher = track(manager(fake, dir.path, { owner: newLockOwner('window B') }));
    const [watched] = await watcher.recover();
    assert.equal(watched.role, 'watcher');
    assert.equal(watched.heldBy?.label, 'window A');
    assert.throws(() => watcher.pause(session.runId), /executed by another VS Code window \(window A/);
    const events: string[] = [];
    watcher.onChange((change) => change.event && events.push(change.event.type));
    const [fromOwner, fromWatcher] = await Promise.all([
      owner.whenFinished(session.runId),
      watcher.whenFinished(session.runId),
    ]);
    assert.equal(fromOwner.status, 'completed');
    assert.equal(fromWatcher.status, 'completed');
    assert.equal(fromWatcher.lastSeq, fromOwner.lastSeq, 'the watcher read every event');
    assert.ok(events.includes('run.status'));
    assert.equal(fake.startCalls.length, 3, 'the watcher started nothing');
  });

  it('takes a watched run over when its window closes', async () => {
    const fake = fakeWithTiers({ startMs: 5, launchMs: 150, completeMs: 200 });
    const owner = track(manager(fake, dir.path));
    const session = await owner.start({ plan: threeWaves, groups, mode: 'drill', origin });
    const watcher = track(manager(fake, dir.path));
    assert.equal((await watcher.recover())[0].role, 'watcher');
    const tookOver = untilEvent(watcher, (c) => c.kind === 'role' && c.session.role === 'owner');
    owner.dispose();
    await tookOver;
    assert.equal((await watcher.whenFinished(session.runId)).status, 'completed');
    assert.equal(fake.startCalls.length, 3);
  });

  it('leaves a run blocked while its dependencies refuse (e.g. another account), then continues it', async () => {
    const fake = fakeWithTiers({ startMs: 5, launchMs: 150, completeMs: 200 });
    const first = track(manager(fake, dir.path));
    const session = await first.start({ plan: threeWaves, groups, mode: 'drill', origin });
    await untilEvent(first, (c) => c.event?.type === 'job.started');
    first.dispose();
    let account = '999999999999';
    const second = track(
      manager(fake, dir.path, {
        deps: async (runOrigin) => {
          if (runOrigin?.account !== account)
            throw new RunBlockedError(
              `Run started in account ${runOrigin?.account}; the current account is ${account}.`,
            );
          return {
            reads: fake,
            gateway: fake,
            defaultRegion: 'us-east-1',
            poll: { minMs: 5, maxMs: 20 },
            logIntervalMs: 10,
          };
        },
      }),
    );
    const [blocked] = await second.recover();
    assert.equal(blocked.role, 'blocked');
    assert.match(blocked.blockedReason ?? '', /account 123456789012; the current account is 999999999999/);
    assert.throws(() => second.cancel(session.runId), /not running here: Run started in account/);
    assert.equal(existsSync(lockPath(dir.path, session.runId)), false, 'a blocked run holds no lock');
    account = '123456789012';
    const [resumed] = await second.recover();
    assert.equal(resumed.role, 'owner');
    assert.equal((await second.whenFinished(session.runId)).status, 'completed');
  });

  it('pauses, resumes and cancels an owned run; cleans up a finished drill', async () => {
    const fake = fakeWithTiers({ startMs: 5, launchMs: 60, completeMs: 80 });
    const m = track(manager(fake, dir.path));
    const session = await m.start({ plan: threeWaves, groups, mode: 'drill', origin });
    await untilEvent(m, (c) => c.event?.type === 'job.started' && c.event.wave === 'db');
    m.pause(session.runId, 'tester');
    assert.equal(m.get(session.runId)?.state.status, 'paused');
    m.resume(session.runId, undefined, 'tester');
    await untilEvent(
      m,
      (c) => c.event?.type === 'wave.status' && c.event.wave === 'app' && c.event.status === 'running',
    );
    m.cancel(session.runId, 'tester');
    const state: RunState = await m.whenFinished(session.runId);
    assert.equal(state.status, 'cancelled');
    assert.equal(state.waves.web.status, 'cancelled');
    await assert.rejects(m.cleanupDrill('nope'), /ENOENT|no such file/);
    const cleaned = await m.cleanupDrill(session.runId);
    assert.equal(cleaned.cleanup?.status, 'completed');
    assert.equal(m.get(session.runId)?.role, 'finished');
    assert.equal(existsSync(lockPath(dir.path, session.runId)), false);
  });

  it('clears active markers that need no process', async () => {
    const fake = fakeWithTiers();
    const m = track(manager(fake, dir.path));
    const session = await m.start({ plan: threeWaves, groups, mode: 'drill', origin });
    await m.whenFinished(session.runId);
    markActive(dir.path, session.runId); // as if the window stopped right after the end
    markActive(dir.path, 'no-such-run');
    assert.deepEqual(await track(manager(fake, dir.path)).recover(), []);
    assert.deepEqual(activeRunIds(dir.path), []);
  });

  it('removes the lock and origin when the run cannot be created (preflight blocked)', async () => {
    const fake = fakeWithTiers();
    const m = track(manager(fake, dir.path));
    await assert.rejects(
      m.start({ plan: plan('bad', [{ name: 'w', protectionGroups: ['missing'] }]), groups, mode: 'drill', origin }),
      /not in the workspace/,
    );
    assert.deepEqual(m.list(), []);
    assert.deepEqual(m.history(), []);
    assert.deepEqual(activeRunIds(dir.path), []);
  });
});
