import * as assert from 'node:assert/strict';
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { RunJournal, listJournalFiles, readJournal, readJournalHeader, replayJournal } from '../../src/core/dr/journal';
import { DrRunner } from '../../src/core/dr/run';
import { listRunHistory } from '../../src/core/dr/results';
import type { RunEventInput } from '../../src/core/dr/state';
import { FakeDrs } from '../support/fakeDrs';
import { group, plan, tempDir } from '../support/dr';

function created(): RunEventInput {
  return {
    type: 'run.created',
    runId: 'r1',
    mode: 'drill',
    plan: plan('p', [{ name: 'w', sourceServerIds: ['s-00000000000000001'] }]),
    groups: [],
    executionPlan: {
      formatVersion: 1,
      planName: 'p',
      mode: 'drill',
      failurePolicy: 'stop',
      limits: { maxServersPerJob: 100, maxConcurrentJobs: 20, maxServersInActiveJobs: 500 },
      waves: [
        {
          name: 'w',
          dependsOn: [],
          level: 0,
          servers: [{ sourceServerId: 's-00000000000000001', region: 'us-east-1', hostname: 'h', tags: {} }],
          steps: [
            {
              id: 'w/launch',
              kind: 'launch',
              label: 'x',
              maxWaitSeconds: 60,
              jobs: [{ key: 'w#0', index: 0, region: 'us-east-1', sourceServerIds: ['s-00000000000000001'] }],
            },
          ],
        },
      ],
      serverCount: 1,
      jobCount: 1,
      peakParallelJobs: 1,
    },
    preflight: { checkedAt: new Date().toISOString(), findings: [], launchSettingsDrift: [], externalActiveJobs: [] },
  } as RunEventInput;
}

describe('DR run journal', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.remove());

  it('appends whole numbered lines and replays them into the same state', () => {
    const journal = RunJournal.create(dir.path, 'r1');
    journal.append([created()]);
    journal.append([
      { type: 'wave.status', wave: 'w', status: 'running' },
      { type: 'job.starting', wave: 'w', jobKey: 'w#0', region: 'us-east-1', sourceServerIds: ['s-00000000000000001'] },
    ]);
    journal.append([
      {
        type: 'job.started',
        wave: 'w',
        jobKey: 'w#0',
        jobId: 'drsjob-1',
        region: 'us-east-1',
        sourceServerIds: ['s-00000000000000001'],
      },
    ]);
    journal.close();
    const text = readFileSync(journal.path, 'utf8');
    assert.equal(text.split('\n').length, 5, 'four lines and a final newline');
    const { state, events, tornTail } = replayJournal(journal.path);
    assert.equal(tornTail, false);
    assert.deepEqual(
      events.map((e) => e.seq),
      [1, 2, 3, 4],
    );
    assert.equal(state.waves.w.status, 'running');
    assert.equal(state.waves.w.jobKeys['w#0'].jobId, 'drsjob-1');
    assert.equal(state.waves.w.servers['s-00000000000000001'].launchStatus, 'PENDING');
    assert.equal(readJournalHeader(journal.path)!.type, 'run.created');
    assert.throws(() => RunJournal.create(dir.path, 'r1'), /EEXIST/);
  });

  it('ignores a torn last line when reading, and cuts it before appending again', () => {
    const journal = RunJournal.create(dir.path, 'r1');
    journal.append([created(), { type: 'wave.status', wave: 'w', status: 'running' }]);
    journal.close();
    const before = statSync(journal.path).size;
    appendFileSync(journal.path, '{"seq":3,"at":"2026-01-01T00:00:00.000Z","type":"wave.sta');
    const read = readJournal(journal.path);
    assert.equal(read.tornTail, true);
    assert.equal(read.events.length, 2);
    assert.equal(statSync(journal.path).size > before, true, 'reading does not change the file');

    const { journal: reopened, tornTail } = RunJournal.reopen(journal.path);
    assert.equal(tornTail, true);
    assert.equal(statSync(journal.path).size, before);
    const [next] = reopened.append([{ type: 'wave.status', wave: 'w', status: 'completed' }]);
    reopened.close();
    assert.equal(next.seq, 3);
    assert.equal(replayJournal(journal.path).state.waves.w.status, 'completed');
  });

  it('refuses a damaged journal (bad line, sequence gap)', () => {
    const journal = RunJournal.create(dir.path, 'r1');
    journal.append([created(), { type: 'wave.status', wave: 'w', status: 'running' }]);
    journal.close();
    const lines = readFileSync(journal.path, 'utf8').split('\n');
    writeFileSync(journal.path, `${lines[0]}\nnot json\n`);
    assert.throws(() => readJournal(journal.path), /line 2 is not valid JSON/);
    writeFileSync(journal.path, `${lines[0]}\n${lines[1].replace('"seq":2', '"seq":5')}\n`);
    assert.throws(() => readJournal(journal.path), /event 5 follows 1/);
  });

  it('replays a full run to exactly the live state, and lists it in the history', async () => {
    const fake = new FakeDrs();
    const [a] = fake.addServers(3, { Role: 'db' });
    fake.addServers(2, { Role: 'web' }, 'b');
    const deps = {
      reads: fake,
      gateway: fake,
      journalDir: dir.path,
      defaultRegion: 'us-east-1',
      poll: { minMs: 5, maxMs: 20 },
      logIntervalMs: 10,
    };
    const p = plan('replay', [
      { name: 'db', protectionGroups: ['db'] },
      { name: 'web', protectionGroups: ['web'], dependsOn: ['db'], preActions: [{ type: 'wait', seconds: 0.01 }] },
    ]);
    const runner = await DrRunner.create(deps, {
      plan: p,
      groups: [group('db', { Role: 'db' }), group('web', { Role: 'web' })],
      mode: 'drill',
    });
    const live = await runner.run();
    runner.dispose();
    assert.equal(live.status, 'completed');
    const replayed = DrRunner.inspect(runner.journalPath);
    assert.deepEqual(replayed, JSON.parse(JSON.stringify(live)));
    assert.equal(replayed.waves.db.servers[a].launchStatus, 'LAUNCHED');
    const history = listRunHistory(dir.path);
    assert.equal(history.length, 1);
    assert.deepEqual(
      [history[0].planName, history[0].status, history[0].servers, history[0].launched, history[0].resumable],
      ['replay', 'completed', 5, 5, false],
    );
    assert.equal(listJournalFiles(dir.path)[0], runner.journalPath);
  });
});
