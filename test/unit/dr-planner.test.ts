import * as assert from 'node:assert/strict';
import { DRS_LIMITS } from '../../src/core/dr/model';
import { buildExecutionPlan, splitIntoJobs } from '../../src/core/dr/planner';
import type { PlanResolution, ServerInfo } from '../../src/core/dr/selection';
import { resolveGroup } from '../../src/core/dr/selection';
import { group, plan } from '../support/dr';

const ids = (n: number, prefix = 'a') =>
  Array.from({ length: n }, (_, i) => `s-${prefix}${String(i).padStart(16, '0')}`);
const servers = (list: string[], region = 'us-east-1'): ServerInfo[] =>
  list.map((id) => ({ sourceServerId: id, region, hostname: id, tags: {} }));

describe('DR planner', () => {
  it('splits waves into the fewest jobs within 100 servers, balanced', () => {
    assert.deepEqual(
      splitIntoJobs(ids(100), 100).map((j) => j.length),
      [100],
    );
    assert.deepEqual(
      splitIntoJobs(ids(101), 100).map((j) => j.length),
      [51, 50],
    );
    assert.deepEqual(
      splitIntoJobs(ids(250), 100).map((j) => j.length),
      [84, 83, 83],
    );
    assert.deepEqual(
      splitIntoJobs(ids(1000), 100).map((j) => j.length),
      Array(10).fill(100),
    );
    assert.deepEqual(splitIntoJobs([], 100), []);
    const all = ids(317);
    const jobs = splitIntoJobs(all, DRS_LIMITS.maxServersPerJob);
    assert.ok(jobs.every((job) => job.length <= 100));
    assert.deepEqual(jobs.flat(), all, 'every server exactly once, in order');
  });

  it('builds waves in dependency order with stable step IDs and per-region jobs', () => {
    const p = plan(
      'p',
      [
        {
          name: 'web',
          sourceServerIds: ['s-0000000000000000w'],
          dependsOn: ['app'],
          postActions: [{ type: 'wait', seconds: 5 }],
        },
        {
          name: 'app',
          protectionGroups: ['big'],
          pauseBeforeWave: true,
          preActions: [
            { type: 'ssmAutomation', documentName: 'PL-Doc', parameters: { A: 'x' } },
            { type: 'approval', message: 'go?' },
          ],
        },
      ],
      { failurePolicy: 'continue', targets: { rtoMinutes: 45 } },
    );
    const resolution: PlanResolution = {
      groups: [],
      inventory: {},
      waves: [
        {
          wave: 'web',
          servers: servers(['s-0000000000000000w']),
          missingGroups: [],
          missingServerIds: [],
          origins: {},
        },
        {
          wave: 'app',
          servers: [...servers(ids(150)), ...servers(ids(30, 'b'), 'eu-west-1')],
          missingGroups: [],
          missingServerIds: [],
          origins: {},
        },
      ],
    };
    const execution = buildExecutionPlan(p, resolution, 'drill', 'us-east-1');
    assert.deepEqual(
      execution.waves.map((w) => w.name),
      ['app', 'web'],
    );
    const app = execution.waves[0];
    assert.deepEqual(
      app.steps.map((s) => s.id),
      ['app/pause', 'app/pre/0', 'app/pre/1', 'app/launch'],
    );
    const launch = app.steps[3];
    assert.equal(launch.kind, 'launch');
    if (launch.kind !== 'launch') return;
    assert.deepEqual(
      launch.jobs.map((j) => [j.key, j.region, j.sourceServerIds.length]),
      [
        ['app#0', 'us-east-1', 75],
        ['app#1', 'us-east-1', 75],
        ['app#2', 'eu-west-1', 30],
      ],
    );
    assert.equal(launch.maxWaitSeconds, 3600);
    const ssm = app.steps[1];
    assert.ok(ssm.kind === 'action' && ssm.action.type === 'ssmAutomation');
    if (ssm.kind === 'action' && ssm.action.type === 'ssmAutomation') {
      assert.deepEqual(ssm.action.parameters, { A: ['x'] });
      assert.equal(ssm.action.timeoutSeconds, 600);
      assert.equal(ssm.action.retries, 0);
    }
    assert.deepEqual(
      execution.waves[1].steps.map((s) => s.id),
      ['web/launch', 'web/post/0'],
    );
    assert.equal(execution.failurePolicy, 'continue');
    assert.equal(execution.rtoMinutes, 45);
    assert.equal(execution.jobCount, 4);
    assert.equal(execution.serverCount, 181);
    assert.deepEqual(JSON.parse(JSON.stringify(execution)), execution, 'plain JSON');
  });

  it('counts the jobs of parallel waves for the concurrency check', () => {
    const waves = Array.from({ length: 5 }, (_, i) => ({ name: `w${i}`, sourceServerIds: ['s-0000000000000000x'] }));
    const resolution: PlanResolution = {
      groups: [],
      inventory: {},
      waves: waves.map((w, i) => ({
        wave: w.name,
        servers: servers(ids(450, String(i))),
        missingGroups: [],
        missingServerIds: [],
        origins: {},
      })),
    };
    const execution = buildExecutionPlan(plan('p', waves), resolution, 'recovery', 'us-east-1');
    assert.equal(execution.peakParallelJobs, 25);
  });

  it('selects servers that carry every tag, plus explicit IDs', () => {
    const inventory: ServerInfo[] = [
      { sourceServerId: 's-00000000000000001', region: 'us-east-1', hostname: 'a', tags: { Role: 'db', Env: 'prod' } },
      { sourceServerId: 's-00000000000000002', region: 'us-east-1', hostname: 'b', tags: { Role: 'db', Env: 'test' } },
      { sourceServerId: 's-00000000000000003', region: 'us-east-1', hostname: 'c', tags: { Role: 'web' } },
    ];
    const resolved = resolveGroup(
      group(
        'g',
        { Role: 'db', Env: 'prod' },
        {
          selection: {
            tags: { Role: 'db', Env: 'prod' },
            sourceServerIds: ['s-00000000000000003', 's-00000000000000009'],
          },
        },
      ),
      inventory,
    );
    assert.deepEqual(
      resolved.servers.map((s) => s.hostname),
      ['a', 'c'],
    );
    assert.deepEqual(resolved.missingServerIds, ['s-00000000000000009']);
    assert.equal(resolved.tagSelectorMatchedNothing, false);
    assert.equal(resolveGroup(group('h', { Role: 'DB' }), inventory).tagSelectorMatchedNothing, true);
  });
});
