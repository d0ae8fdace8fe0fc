import * as assert from 'node:assert/strict';
import type { Job, JobLog, LaunchConfiguration, RecoveryInstance, SourceServer } from '@aws-sdk/client-drs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import {
  JOB_FAILURE_EVENTS,
  REPLICATION_ERRORS,
  buildRunbook,
  explainJob,
  explainReplication,
  generateRunbook,
  generateRunbookForWorkspace,
  parseRequirementsText,
  planFromRequirements,
  readRunbookLiveState,
  type RunbookReads,
} from '../../src/core/dr/assist';
import type { DrReads } from '../../src/core/dr/aws';
import { parseDrDocument, parseGroup, parsePlan } from '../../src/core/dr/parse';
import { buildExecutionPlan } from '../../src/core/dr/planner';
import type { PlanResolution, ServerInfo } from '../../src/core/dr/selection';
import { threeTierPlan, tierGroups } from '../support/dr';

const DRS_MODELS = require.resolve('@aws-sdk/client-drs/dist-types/models/models_0.d.ts');

const id = (n: number) => `s-${String(n).padStart(17, '0')}`;
const info = (n: number, role: string, hostname = `${role}-${n}`): ServerInfo => ({
  sourceServerId: id(n),
  region: 'us-east-1',
  hostname,
  tags: { Role: role },
});

function resolution(byWave: Record<string, ServerInfo[]>): PlanResolution {
  return {
    waves: Object.entries(byWave).map(([wave, servers]) => ({
      wave,
      servers,
      missingServerIds: [],
      missingGroups: [],
      origins: {},
    })),
    groups: [],
    inventory: {},
  };
}

function liveServer(n: number, state: string, error?: string, rawError?: string): SourceServer {
  return {
    sourceServerID: id(n),
    dataReplicationInfo: {
      dataReplicationState: state as never,
      lagDuration: 'PT5S',
      ...(error ? { dataReplicationError: { error: error as never, rawError } } : {}),
    },
  } as SourceServer;
}

describe('DR assistance: runbook', () => {
  const plan = threeTierPlan(
    {},
    {
      db: {
        preActions: [{ type: 'ssmAutomation', documentName: 'PL-Quiesce', parameters: { Tier: 'db' }, retries: 1 }],
      },
      web: {
        pauseBeforeWave: true,
        postActions: [
          { type: 'approval', message: 'Check the shop', timeoutSeconds: 600 },
          { type: 'wait', seconds: 30 },
        ],
      },
    },
  );
  const execution = buildExecutionPlan(
    plan,
    resolution({ db: [info(1, 'db')], app: [info(2, 'app')], web: [info(3, 'web')] }),
    'drill',
    'us-east-1',
  );

  it('lists targets, replication, launch settings, approvals, steps in DAG order and roll back', () => {
    const markdown = buildRunbook({
      plan: execution,
      groups: tierGroups(),
      generatedAt: new Date('2026-01-01T00:00:00Z'),
      live: {
        sourceServers: {
          'us-east-1': { ok: true, value: [liveServer(1, 'CONTINUOUS'), liveServer(2, 'STALLED', 'UNSTABLE_NETWORK')] },
        },
        launchConfigurations: {
          [id(1)]: { ok: true, value: { launchDisposition: 'STARTED', copyTags: true } as LaunchConfiguration },
          [id(2)]: { ok: false, code: 'AccessDeniedException' },
        },
        recoveryInstances: {
          'us-east-1': {
            ok: true,
            value: [
              {
                recoveryInstanceID: 'i-0123456789abcdef0',
                ec2InstanceID: 'i-0abc',
                ec2InstanceState: 'RUNNING',
                isDrill: true,
                sourceServerID: id(1),
              } as RecoveryInstance,
            ],
          },
        },
      },
    });
    assert.match(markdown, /- RTO: 30 minutes/);
    assert.match(markdown, /- RPO: 15 minutes/);
    assert.match(markdown, /\| db \| s-0+1 \| db-1 \| CONTINUOUS \| PT5S \| — \|/);
    assert.match(markdown, /\| app \| s-0+2 \| app-2 \| STALLED \| PT5S \| UNSTABLE\\_NETWORK \|/);
    assert.match(markdown, /\| web \| s-0+3 \| web-3 \| not found \|/);
    assert.match(markdown, /s-0+1: disposition STARTED, right-sizing —, copy private IP —, copy tags true/);
    assert.match(markdown, /s-0+2: could not read: `AccessDeniedException`/);
    assert.match(markdown, /s-0+3: not read \(more than/, 'a launch configuration that was not read is said so');
    assert.match(markdown, /Wave web: Pause/);
    assert.match(markdown, /Wave web: Post-action approval: “Check the shop” \(fails after 600s/);
    const order = ['### 1. Wave db', '### 2. Wave app', '### 3. Wave web'].map((heading) => markdown.indexOf(heading));
    assert.ok(
      order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1])),
      'waves in dependency order',
    );
    assert.match(markdown, /1\. Pre-action SSM Automation `PL-Quiesce` with `Tier`=`db` \(timeout 600s, 1 retry\)/);
    assert.match(markdown, /i-0123456789abcdef0 \(EC2 i-0abc, RUNNING, drill true\)/);
    assert.match(markdown, /Currently 1 recovery instance:/);
  });

  it('says "not set" for missing targets and "could not read" for failed regional reads', () => {
    const bare = buildExecutionPlan(
      { ...plan, targets: undefined },
      resolution({ db: [info(1, 'db')] }),
      'drill',
      'us-east-1',
    );
    const markdown = buildRunbook({
      plan: bare,
      groups: [],
      live: {
        sourceServers: { 'us-east-1': { ok: false, code: 'ThrottlingException' } },
        launchConfigurations: {},
        recoveryInstances: { 'us-east-1': { ok: false, code: 'UnrecognizedClientException' } },
      },
    });
    assert.match(markdown, /- RTO: not set/);
    assert.match(markdown, /- RPO: not set/);
    assert.match(markdown, /Source servers in `us-east-1`: could not read: `ThrottlingException`/);
    assert.match(markdown, /\| db \| s-0+1 \| db-1 \| could not read: ThrottlingException \|/);
    assert.match(markdown, /Recovery instances in `us-east-1`: could not read: `UnrecognizedClientException`/);
  });

  it('escapes hostile names from files and AWS', () => {
    const hostile = '[click](https://evil.example) <img src=x> `code` # heading | pipe\n## injected';
    const hostileExecution = buildExecutionPlan(
      {
        ...plan,
        waves: [{ name: 'db', protectionGroups: ['db-tier'], postActions: [{ type: 'approval', message: hostile }] }],
      },
      resolution({ db: [info(1, 'db', hostile)] }),
      'drill',
      'us-east-1',
    );
    const markdown = buildRunbook({
      plan: hostileExecution,
      groups: [{ ...tierGroups()[0], selection: { tags: { Role: hostile } } }],
      live: {
        sourceServers: { 'us-east-1': { ok: true, value: [liveServer(1, hostile, hostile)] } },
        launchConfigurations: { [id(1)]: { ok: true, value: { launchDisposition: hostile } as never } },
        recoveryInstances: {
          'us-east-1': { ok: true, value: [{ recoveryInstanceID: hostile, ec2InstanceID: hostile }] },
        },
      },
    });
    const outsideCode = markdown.replace(/`[^`\n]*`/g, '');
    assert.match(
      markdown,
      /`Role`=`\[click\]\(https:\/\/evil\.example\) <img src=x> 'code' # heading …`/,
      'tag values stay inside a code span that cannot be closed early',
    );
    assert.doesNotMatch(outsideCode, /(?<!\\)\]\(https:\/\/evil/, 'no live link');
    assert.doesNotMatch(outsideCode, /(?<!\\)<img/, 'no raw HTML');
    assert.doesNotMatch(markdown, /^## injected/m, 'no injected heading');
    assert.doesNotMatch(markdown, /^# heading/m);
    for (const line of markdown.split('\n').filter((l) => l.startsWith('| db |')))
      assert.equal(line.split(/(?<!\\)\|/).length, 8, 'table row keeps 6 cells');
  });

  it('reads live state through the reads interface and records failures per read', async () => {
    const calls: string[] = [];
    const reads: RunbookReads = {
      listSourceServers: async (region, ids) => (
        calls.push(`list ${region} ${ids?.length}`),
        [liveServer(1, 'CONTINUOUS')]
      ),
      describeRecoveryInstances: async () => {
        calls.push('instances');
        throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
      },
      getLaunchConfiguration: async (_region, sourceServerId) => (
        calls.push(`launch ${sourceServerId}`),
        { sourceServerID: sourceServerId, copyTags: false }
      ),
    };
    const live = await readRunbookLiveState(execution, reads);
    assert.deepEqual(calls, ['list us-east-1 3', 'instances', `launch ${id(1)}`, `launch ${id(2)}`, `launch ${id(3)}`]);
    assert.deepEqual(live.recoveryInstances['us-east-1'], { ok: false, code: 'AccessDeniedException' });
    assert.equal(live.sourceServers['us-east-1'].ok, true);
  });

  it('finds a plan of a workspace folder by name, and names the plans it has when the name is unknown', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pl-assist-'));
    try {
      const setup = planFromRequirements('db and web by the Role tag');
      assert.ok(setup.ok);
      for (const file of setup.files) {
        mkdirSync(dirname(join(root, file.path)), { recursive: true });
        writeFileSync(join(root, file.path), file.text);
      }
      const reads = {
        listSourceServers: async () => [],
        describeRecoveryInstances: async () => [],
        getLaunchConfiguration: async () => ({}),
      } as unknown as DrReads;
      const markdown = await generateRunbookForWorkspace(
        root,
        { planName: 'db-web-recovery' },
        { reads, defaultRegion: 'us-east-1' },
      );
      assert.match(markdown, /# DR runbook: db-web-recovery/);
      assert.match(markdown, /\*\*db-tier\*\* in `us-east-1`: tags `Role`=`db`/);
      await assert.rejects(
        generateRunbookForWorkspace(root, { planName: 'nope' }, { reads, defaultRegion: 'us-east-1' }),
        /No usable recovery plan named "nope".*Plans: db-web-recovery/,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('generateRunbook reports a failed server listing instead of omitting it', async () => {
    const failing = {
      listSourceServers: async () => Promise.reject(Object.assign(new Error('x'), { name: 'ExpiredTokenException' })),
    } as unknown as DrReads;
    const markdown = await generateRunbook({ plan, groups: tierGroups(), reads: failing, defaultRegion: 'us-east-1' });
    assert.match(markdown, /Servers: could not read: `ExpiredTokenException`/);
    assert.match(markdown, /No servers resolved for this plan/);
  });
});

describe('DR assistance: troubleshooting', () => {
  it('has an explanation for every DataReplicationErrorString of the DRS SDK', () => {
    const models = require('node:fs').readFileSync(DRS_MODELS, 'utf8') as string;
    const block = /export declare const DataReplicationErrorString: \{([^}]*)\}/.exec(models)?.[1] ?? '';
    const codes = [...block.matchAll(/readonly (\w+):/g)].map((match) => match[1]);
    assert.ok(codes.length >= 14, `found ${codes.length} codes`);
    assert.deepEqual(
      codes.filter((code) => !REPLICATION_ERRORS[code]),
      [],
    );
    for (const event of ['LAUNCH_FAILED', 'CONVERSION_FAIL', 'SNAPSHOT_FAIL'])
      assert.ok(JOB_FAILURE_EVENTS[event], event);
  });

  it('explains a stalled replication with the fix and a console link', () => {
    const markdown = explainReplication(
      liveServer(1, 'STALLED', 'FAILED_TO_CONNECT_AGENT_TO_REPLICATION_SERVER', 'connect timeout to 10.0.0.5:1500'),
      'eu-west-1',
    );
    assert.match(markdown, /## FAILED\\_TO\\_CONNECT\\_AGENT\\_TO\\_REPLICATION\\_SERVER/);
    assert.match(markdown, /TCP 1500/);
    assert.match(markdown, /connect timeout to 10\.0\.0\.5:1500/);
    assert.match(
      markdown,
      /\(https:\/\/eu-west-1\.console\.aws\.amazon\.com\/drs\/home\?region=eu-west-1#\/sourceServers\/s-0+1\)/,
    );
  });

  it('says honestly when a code is unknown, and keeps a raw error inside its code block', () => {
    const markdown = explainReplication(liveServer(1, 'STALLED', 'NEW_FANCY_ERROR', '```\n# owned'), 'us-east-1');
    assert.match(markdown, /Unknown error code `NEW_FANCY_ERROR`/);
    assert.match(markdown, /````text\n```\n# owned\n````/);
    assert.doesNotMatch(
      explainReplication({ ...liveServer(1, 'STALLED'), sourceServerID: undefined }, 'us-east-1'),
      /console/,
    );
    assert.match(explainReplication(liveServer(1, 'CONTINUOUS'), 'us-east-1'), /no replication error/);
  });

  it('explains a failed launch job from its log events', () => {
    const job: Job = {
      jobID: 'drsjob-00000000000000001',
      type: 'LAUNCH',
      status: 'COMPLETED',
      initiatedBy: 'START_DRILL',
      participatingServers: [{ sourceServerID: id(1), launchStatus: 'FAILED' }],
    };
    const log: JobLog[] = [
      { event: 'JOB_START', logDateTime: '2026-01-01T00:00:00Z' },
      {
        event: 'LAUNCH_FAILED',
        logDateTime: '2026-01-01T00:05:00Z',
        eventData: { sourceServerID: id(1), rawError: 'InsufficientInstanceCapacity' },
      },
      { event: 'WEIRD_FAIL' as never, eventData: { sourceServerID: id(1) } },
    ];
    const markdown = explainJob(job, log, 'us-east-1');
    assert.match(markdown, /## LAUNCH\\_FAILED on s-0+1/);
    assert.match(markdown, /vCPU/);
    assert.match(markdown, /InsufficientInstanceCapacity/);
    assert.match(markdown, /Unknown error code `WEIRD_FAIL`/);
    assert.match(markdown, /#\/recoveryJobs\/drsjob-0+1\)/);
    assert.match(explainJob({ ...job }, [], 'us-east-1'), /1 server\(s\) FAILED but the job log has no failure event/);
  });
});

describe('DR assistance: setup from requirements', () => {
  it('turns the example sentence into three groups and a db → app → web plan', () => {
    const result = planFromRequirements('web, app and db by the Role tag, RTO 30 minutes');
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.deepEqual(
      result.files.map((file) => file.path),
      [
        '.pilotlight/dr/groups/db-tier.protection-group.yaml',
        '.pilotlight/dr/groups/app-tier.protection-group.yaml',
        '.pilotlight/dr/groups/web-tier.protection-group.yaml',
        '.pilotlight/dr/plans/db-app-web-recovery.recovery-plan.yaml',
      ],
    );
    const groups = result.files.slice(0, 3).map((file) => parseGroup(file.text).document!);
    assert.deepEqual(
      groups.map((group) => group.selection.tags),
      [{ Role: 'db' }, { Role: 'app' }, { Role: 'web' }],
    );
    const plan = parsePlan(result.files[3].text).document!;
    assert.equal(plan.targets?.rtoMinutes, 30);
    assert.deepEqual(
      plan.waves.map((wave) => [wave.name, wave.protectionGroups, wave.dependsOn ?? []]),
      [
        ['db', ['db-tier'], []],
        ['app', ['app-tier'], ['db']],
        ['web', ['web-tier'], ['app']],
      ],
    );
  });

  it('reads tag key, RTO in hours, RPO and region; explicit tier lists keep their order', () => {
    const parsed = parseRequirementsText(
      'tiers: cache, api, spa using the Tier tag, RTO 2 hours, RPO 5 min in eu-central-1',
    );
    assert.deepEqual(parsed.requirements, {
      tiers: ['cache', 'api', 'spa'],
      tagKey: 'Tier',
      rtoMinutes: 120,
      rpoMinutes: 5,
      region: 'eu-central-1',
    });
  });

  it('explains what it understood when the text has no tiers', () => {
    const result = planFromRequirements('please make it resilient, RTO 15 minutes');
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.message, /No tiers found.*Understood: RTO: 15 minutes/);
    assert.equal(planFromRequirements('x'.repeat(5000)).ok, false);
    const bad = planFromRequirements({ tiers: ['ok', 'bad tier!'] });
    assert.match(bad.ok ? '' : bad.message, /tiers\.1/);
    assert.match((planFromRequirements({ tiers: ['db', 'DB'] }) as { message: string }).message, /listed twice/);
  });

  it('any tier list yields files that parse without problems (property)', () => {
    const tier = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(tier, { minLength: 1, maxLength: 8, selector: (value) => value.toLowerCase() }),
        fc.stringMatching(/^[A-Za-z][A-Za-z0-9:_-]{0,30}$/),
        fc.option(fc.integer({ min: 1, max: 10080 }), { nil: undefined }),
        (tiers, tagKey, rtoMinutes) => {
          const result = planFromRequirements({ tiers, tagKey, ...(rtoMinutes ? { rtoMinutes } : {}) });
          assert.ok(result.ok, result.ok ? '' : result.message);
          assert.equal(result.files.length, tiers.length + 1);
          for (const file of result.files) assert.deepEqual(parseDrDocument(file.text).diagnostics, [], file.path);
          const plan = parsePlan(result.files[tiers.length].text).document!;
          assert.deepEqual(
            plan.waves.flatMap((wave) => wave.protectionGroups),
            tiers.map((t) => `${t}-tier`),
          );
          plan.waves.forEach((wave, index) =>
            assert.deepEqual(wave.dependsOn ?? [], index ? [plan.waves[index - 1].name] : []),
          );
          if (rtoMinutes) assert.equal(plan.targets?.rtoMinutes, rtoMinutes);
          result.files
            .slice(0, tiers.length)
            .forEach((file, index) =>
              assert.deepEqual(parseGroup(file.text).document?.selection.tags, { [tagKey]: tiers[index] }),
            );
        },
      ),
      { numRuns: 150 },
    );
  });
});
