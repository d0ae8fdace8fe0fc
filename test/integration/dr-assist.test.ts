/** DR assistance against the DRS emulator: runbook and explanations from live state, read through registered operations. */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { DrsClient, StartRecoveryCommand } from '@aws-sdk/client-drs';
import { explainJobLive, explainReplicationLive, generateRunbook } from '../../src/core/dr/assist';
import type { DrReads } from '../../src/core/dr/aws';
import type { SampleAccountSummary } from '../../tools/seed/sampleAccount';
import {
  clientConfig,
  emulatorStack,
  resetAndSeed,
  useEmulatorStack,
  waitForJobCompletion,
} from '../support/emulators';
import { productDeps, tempDir, threeTierPlan, tierGroups } from '../support/dr';

useEmulatorStack();

describe('DR assistance against the emulators', function () {
  this.timeout(60_000);
  let sample: SampleAccountSummary;
  let reads: DrReads;
  let dir: ReturnType<typeof tempDir>;

  beforeEach(async () => {
    sample = (await resetAndSeed('sample')).sample!;
    dir = tempDir();
    reads = (await productDeps(dir.path, { auditPath: join(dir.path, 'audit.jsonl') })).reads;
  });
  afterEach(async () => {
    await emulatorStack().admin.clearFaults();
    dir.remove();
  });

  it('builds a runbook with live replication states, a stalled server and launch settings, and explains the stall', async () => {
    const app = sample.servers.app.sourceServerId;
    await emulatorStack().admin.setReplicationState(app, {
      state: 'STALLED',
      error: 'FAILED_TO_CONNECT_AGENT_TO_REPLICATION_SERVER',
      rawError: 'timeout connecting to 10.0.1.20:1500',
    });
    const plan = threeTierPlan({}, { web: { postActions: [{ type: 'approval', message: 'Is the shop up?' }] } });

    const markdown = await generateRunbook({ plan, groups: tierGroups(), reads, defaultRegion: 'us-east-1' });
    assert.match(markdown, /# DR runbook: three-tier/);
    assert.match(markdown, /- RTO: 30 minutes/);
    for (const tier of ['db', 'app', 'web'] as const) {
      const id = sample.servers[tier].sourceServerId;
      const row = markdown.split('\n').find((line) => line.startsWith(`| ${tier} | ${id} |`));
      assert.ok(row, `row for ${tier}`);
      if (tier === 'app')
        assert.match(row!, /\| STALLED \| .* \| FAILED\\_TO\\_CONNECT\\_AGENT\\_TO\\_REPLICATION\\_SERVER \|$/);
      else assert.doesNotMatch(row!, /STALLED|could not read|not found/);
      assert.match(markdown, new RegExp(`- ${id}: disposition \\w+`), `launch settings of ${tier} read live`);
    }
    assert.match(markdown, /1 server with a replication problem/);
    assert.match(markdown, /Wave web: Post-action approval: “Is the shop up\?”/);
    assert.ok(
      markdown.indexOf('Wave db (level 0)') < markdown.indexOf('Wave app (level 1)') &&
        markdown.indexOf('Wave app (level 1)') < markdown.indexOf('Wave web (level 2)'),
    );
    assert.match(markdown, /Currently 0 recovery instances/);

    const explained = await explainReplicationLive(reads, { sourceServerId: app, region: 'us-east-1' });
    assert.match(explained, /- State: STALLED/);
    assert.match(explained, /TCP 1500/);
    assert.match(explained, /timeout connecting to 10\.0\.1\.20:1500/);
    assert.match(explained, new RegExp(`#/sourceServers/${app}\\)`));
  });

  it('shows a failed live read as "could not read", never omits it', async () => {
    await emulatorStack().admin.throttle({ operation: 'GetLaunchConfiguration', count: 1000 });
    const markdown = await generateRunbook({
      plan: threeTierPlan(),
      groups: tierGroups(),
      reads,
      defaultRegion: 'us-east-1',
    });
    for (const tier of ['db', 'app', 'web'] as const)
      assert.match(markdown, new RegExp(`- ${sample.servers[tier].sourceServerId}: could not read: \`\\w+\``));
    assert.match(markdown, /\| db \| s-\w+ \| [^|]+ \| (?!could not read)\w+ \|/, 'the other reads still worked');
  });

  it('explains a failed drill launch from the job log', async () => {
    const db = sample.servers.db.sourceServerId;
    await emulatorStack().admin.failLaunch({
      sourceServerID: db,
      rawError: 'InsufficientInstanceCapacity for r5.large',
    });
    const drs = new DrsClient(clientConfig());
    try {
      const { job } = await drs.send(
        new StartRecoveryCommand({ sourceServers: [{ sourceServerID: db }], isDrill: true }),
      );
      await waitForJobCompletion(drs, job?.jobID);
      const markdown = await explainJobLive(reads, { jobId: job!.jobID!, region: 'us-east-1' });
      assert.match(markdown, new RegExp(`## LAUNCH\\\\_FAILED on ${db}`));
      assert.match(markdown, /InsufficientInstanceCapacity for r5\.large/);
      assert.match(markdown, /quotas/);
      assert.match(markdown, new RegExp(`#/recoveryJobs/${job!.jobID}\\)`));
    } finally {
      drs.destroy();
    }
  });
});
