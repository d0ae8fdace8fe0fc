/**
 * The DR engine against the emulators through the real SDK: moto (EC2, SSM documents), the DRS
 * emulator, and the SSM Automation emulation (moto has no StartAutomationExecution) in front.
 * Runs take the shipped path (productDeps): every read and write is a registered operation run by an
 * OperationRunner (guardrails, one approval per run for the production-tagged sample servers, audit).
 * Only the parallel-waves test takes the engine alone (engineDeps), see there.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  DescribeJobsCommand,
  DrsClient,
  GetLaunchConfigurationCommand,
  StartRecoveryCommand,
} from '@aws-sdk/client-drs';
import { DeleteLaunchTemplateCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';
import { runPreflight, runRemediation } from '../../src/core/dr/preflight';
import { DrRunner, JOB_TAG_KEY, JOB_TAG_RUN, type RunnerDeps } from '../../src/core/dr/run';
import { buildRunResult, listRunHistory, renderMarkdownReport } from '../../src/core/dr/results';
import type { RunEvent, RunState } from '../../src/core/dr/state';
import type { SampleAccountSummary } from '../../tools/seed/sampleAccount';
import { startSsmFront, type SsmFront } from '../../tools/emulators/ssm/front';
import { emulatorStack, resetAndSeed, useEmulatorStack, waitFor } from '../support/emulators';
import { approvingProvider } from '../support/operationHarness';
import {
  emulatorClients,
  engineDeps,
  group,
  plan,
  productDeps,
  tempDir,
  threeTierPlan,
  tierGroups,
  SLEEP_RUNBOOK,
} from '../support/dr';

useEmulatorStack();

interface Interval {
  from: number;
  to: number;
}

function launchInterval(state: RunState, wave: string): Interval {
  const step = state.waves[wave].steps[`${wave}/launch`];
  return { from: Date.parse(step.startedAt!), to: Date.parse(step.endedAt!) };
}

describe('DR runner against the emulators', function () {
  this.timeout(30_000);
  let sample: SampleAccountSummary;
  let front: SsmFront;
  let clients: ReturnType<typeof emulatorClients>;
  let dir: ReturnType<typeof tempDir>;
  let deps: RunnerDeps;
  let ec2: EC2Client;
  let drs: DrsClient;
  const runners: DrRunner[] = [];

  before(async () => {
    const stack = emulatorStack();
    front = await startSsmFront({ upstream: stack.endpoint, motoEndpoint: stack.motoEndpoint, timeScale: 0.02 });
  });
  after(async () => {
    await front.stop();
  });

  beforeEach(async () => {
    sample = (await resetAndSeed('sample')).sample!;
    front.ssm.reset();
    const stack = emulatorStack();
    clients = emulatorClients({ endpoint: front.endpoint, region: stack.region, credentials: stack.credentials });
    dir = tempDir();
    deps = await shippedDeps();
    ec2 = new EC2Client({ region: stack.region, endpoint: stack.endpoint, credentials: stack.credentials });
    drs = new DrsClient({ region: stack.region, endpoint: stack.endpoint, credentials: stack.credentials });
  });
  afterEach(() => {
    for (const runner of runners.splice(0)) runner.dispose();
    clients.destroy();
    ec2.destroy();
    drs.destroy();
    dir.remove();
  });

  function shippedDeps(): Promise<RunnerDeps> {
    return productDeps(dir.path, {
      auditPath: join(dir.path, 'audit.jsonl'),
      approval: approvingProvider(),
      endpointUrl: front.endpoint,
    });
  }

  async function start(
    p = threeTierPlan(),
    groups = tierGroups(),
    mode: 'drill' | 'recovery' = 'drill',
    overrides: Partial<RunnerDeps> = {},
  ): Promise<DrRunner> {
    const runner = await DrRunner.create({ ...deps, ...overrides }, { plan: p, groups, mode });
    runners.push(runner);
    return runner;
  }

  it('drills db → app → web: waves in order, EC2 instances in moto, results, cleanup', async () => {
    const groups = tierGroups();
    groups[0].launchSettings = { osByol: false }; // the emulator's default is true: drift to apply
    const runner = await start(threeTierPlan(), groups);
    assert.equal(runner.current.preflight.findings.find((f) => f.code === 'launch-settings-drift')?.group, 'db-tier');
    const state = await runner.run();
    assert.deepEqual(state.waves.db.launchSettingsApplied, [sample.servers.db.sourceServerId]);
    const configuration = await (
      await clients.drs('us-east-1')
    ).send(new GetLaunchConfigurationCommand({ sourceServerID: sample.servers.db.sourceServerId }));
    assert.equal(configuration.licensing?.osByol, false);
    assert.equal(state.status, 'completed');
    const servers = Object.values(state.waves).flatMap((wave) => Object.values(wave.servers));
    assert.equal(servers.length, 3);
    for (const server of servers) {
      assert.equal(server.launchStatus, 'LAUNCHED');
      assert.match(server.jobId!, /^drsjob-/);
      assert.ok(server.recoveryInstanceId && server.ec2InstanceId && server.launchedAt);
    }
    // Dependency order: a wave's first StartRecovery comes after the previous wave's servers launched.
    const launchedAt = (wave: string) =>
      Math.max(...Object.values(state.waves[wave].servers).map((s) => Date.parse(s.launchedAt!)));
    const startedAt = (wave: string) => Date.parse(Object.values(state.waves[wave].jobKeys)[0].firstStartingAt!);
    assert.ok(startedAt('app') >= launchedAt('db'));
    assert.ok(startedAt('web') >= launchedAt('app'));

    const { Reservations } = await ec2.send(
      new DescribeInstancesCommand({ InstanceIds: servers.map((s) => s.ec2InstanceId!) }),
    );
    const instances = (Reservations ?? []).flatMap((r) => r.Instances ?? []);
    assert.equal(instances.length, 3);
    for (const instance of instances) {
      assert.equal(instance.State?.Name, 'running');
      assert.ok(
        instance.Tags?.some((t) => t.Key === JOB_TAG_RUN && t.Value === state.runId),
        'the job tags reach the instance',
      );
    }
    assert.deepEqual(
      new Set(instances.map((i) => i.Tags?.find((t) => t.Key === 'Name')?.Value)),
      new Set(['db-1', 'app-1', 'web-1']),
    );

    const result = buildRunResult(state);
    assert.equal(result.rto.met, true);
    assert.equal(result.waves.map((w) => w.name).join(), 'db,app,web');
    assert.match(renderMarkdownReport(result), /\| db-1 \| `s-/);
    const metrics = runner.metrics();
    assert.equal(metrics.api.calls['drs:StartRecovery'], 3);
    assert.equal(metrics.api.calls['drs:UpdateLaunchConfiguration'], 1);
    assert.ok(
      metrics.waveTransitions.every((t) => t.overheadMs !== undefined && t.overheadMs < 1000),
      JSON.stringify(metrics.waveTransitions),
    );

    const cleaned = await runner.cleanupDrill();
    runner.dispose();
    assert.equal(cleaned.cleanup?.status, 'completed');
    assert.ok(
      Object.values(cleaned.waves)
        .flatMap((w) => Object.values(w.servers))
        .every((s) => s.launchStatus === 'TERMINATED'),
    );
    const after = await ec2.send(new DescribeInstancesCommand({ InstanceIds: servers.map((s) => s.ec2InstanceId!) }));
    assert.ok(
      (after.Reservations ?? [])
        .flatMap((r) => r.Instances ?? [])
        .every((i) => ['shutting-down', 'terminated'].includes(i.State!.Name!)),
    );
    assert.deepEqual(
      listRunHistory(dir.path).map((h) => [h.runId, h.status]),
      [[state.runId, 'completed']],
    );
  });

  it('runs independent waves in parallel', async () => {
    // About the engine alone (its scheduler): the SDK reads and gateway, without the safety core.
    await emulatorStack().admin.setClock({ timeScale: 0.1 });
    const p = plan('parallel', [
      { name: 'db', protectionGroups: ['db-tier'] },
      { name: 'app', protectionGroups: ['app-tier'] },
      { name: 'web', protectionGroups: ['web-tier'], dependsOn: ['db', 'app'] },
    ]);
    const runner = await start(p, tierGroups(), 'drill', engineDeps(clients, dir.path));
    const state = await runner.run();
    runner.dispose();
    assert.equal(state.status, 'completed');
    const db = launchInterval(state, 'db');
    const app = launchInterval(state, 'app');
    const web = launchInterval(state, 'web');
    assert.ok(db.from < app.to && app.from < db.to, `db ${JSON.stringify(db)} and app ${JSON.stringify(app)} overlap`);
    const overlap = Math.min(db.to, app.to) - Math.max(db.from, app.from);
    assert.ok(overlap > 0.5 * Math.min(db.to - db.from, app.to - app.from), `mostly overlapping (${overlap} ms)`);
    assert.ok(web.from >= Math.max(db.to, app.to) - 5, 'web waits for both');
  });

  it('holds a wave with pauseBeforeWave until resumed, and pauses on demand', async () => {
    const runner = await start(threeTierPlan({}, { app: { pauseBeforeWave: true } }));
    runner.onEvent((event) => {
      if (event.type === 'job.started' && event.wave === 'app') runner.pause('tester'); // on demand, while app's job runs
    });
    const done = runner.run();
    await waitFor(async () => (runner.current.waves.app.status === 'held' ? true : undefined), 'app held');
    assert.equal(runner.current.waves.db.status, 'completed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(runner.current.waves.app.status, 'held');
    assert.equal(
      Object.values(runner.current.waves.app.jobKeys)[0].startingAt,
      undefined,
      'no StartRecovery while held',
    );

    runner.resume('app', 'tester');
    await waitFor(
      async () =>
        runner.current.status === 'paused' && runner.current.waves.app.status === 'completed' ? true : undefined,
      'app done while paused',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(
      runner.current.waves.web.status,
      'pending',
      'a paused run starts no new wave; the running job finished and stays visible',
    );
    runner.resume(undefined, 'tester');
    const state = await done;
    assert.equal(state.status, 'completed');
    assert.equal(state.pauses.length, 1);
    assert.ok(buildRunResult(state).pausedMs >= 600);
  });

  it('cancel stops waves that have not started; started jobs stay visible', async () => {
    const runner = await start(threeTierPlan({}, { app: { pauseBeforeWave: true } }));
    const done = runner.run();
    await waitFor(async () => (runner.current.waves.app.status === 'held' ? true : undefined), 'app held');
    runner.cancel('tester');
    const state = await done;
    runner.dispose();
    assert.equal(state.status, 'cancelled');
    assert.deepEqual(
      [state.waves.db.status, state.waves.app.status, state.waves.web.status],
      ['completed', 'cancelled', 'cancelled'],
    );
    const dbJob = Object.values(state.waves.db.jobKeys)[0].jobId!;
    assert.equal(state.jobs[dbJob].status, 'COMPLETED');
    assert.deepEqual(
      state.jobs[dbJob].log
        .map((item) => item.event)
        .filter((e) => ['JOB_START', 'LAUNCH_START', 'JOB_END'].includes(e)),
      ['JOB_START', 'LAUNCH_START', 'JOB_END'],
    );
    assert.equal(Object.values(state.waves.app.jobKeys)[0].startingAt, undefined);
  });

  it('a failed launch under "stop" ends the run and skips the waves after it', async () => {
    await emulatorStack().admin.failLaunch({
      sourceServerID: sample.servers.app.sourceServerId,
      rawError: 'InsufficientInstanceCapacity in us-east-1b',
    });
    const state = await (await start(threeTierPlan({ failurePolicy: 'stop' }))).run();
    assert.equal(state.status, 'failed');
    assert.deepEqual(
      [state.waves.db.status, state.waves.app.status, state.waves.web.status],
      ['completed', 'failed', 'skipped'],
    );
    const app = state.waves.app.servers[sample.servers.app.sourceServerId];
    assert.equal(app.launchStatus, 'FAILED');
    assert.match(app.error!, /InsufficientInstanceCapacity/);
    assert.match(state.waves.app.error!, /1 of 1 servers did not launch/);
    assert.match(state.waves.web.error!, /failure policy is "stop"/);
  });

  it('a failed launch under "continue" still runs the remaining waves', async () => {
    await emulatorStack().admin.failLaunch({ sourceServerID: sample.servers.app.sourceServerId });
    const state = await (await start(threeTierPlan({ failurePolicy: 'continue' }))).run();
    assert.equal(state.status, 'failed');
    assert.deepEqual(
      [state.waves.db.status, state.waves.app.status, state.waves.web.status],
      ['completed', 'failed', 'completed'],
    );
    assert.equal(state.waves.web.servers[sample.servers.web.sourceServerId].launchStatus, 'LAUNCHED');
    const result = buildRunResult(state);
    assert.deepEqual(result.counts, { servers: 3, launched: 2, failed: 1, other: 0 });
    assert.equal(result.rto.achievedMs, undefined, 'no RTO for a run that did not recover everything');
  });

  it('retries through injected throttling and completes', async () => {
    const { admin } = emulatorStack();
    await admin.throttle({ operation: 'StartRecovery', count: 4 });
    await admin.throttle({ operation: 'DescribeJobs', count: 6 });
    await admin.throttle({ operation: 'DescribeSourceServers', count: 2 });
    const runner = await start();
    const state = await runner.run();
    runner.dispose();
    assert.equal(state.status, 'completed');
    const metrics = runner.metrics();
    assert.equal(metrics.api.throttlingFailures, 0);
    assert.equal(
      metrics.api.calls['drs:StartRecovery'],
      3,
      'the retries happened below the runner (SDK and operation runner)',
    );
    assert.ok(
      (await admin.stats()).operations.StartRecovery >= 3 + 4,
      JSON.stringify((await admin.stats()).operations),
    );
    assert.deepEqual((await admin.faults()).throttles, [], 'every injected throttle was hit');
    const jobs = (await drs.send(new DescribeJobsCommand({ filters: {} }))).items ?? [];
    assert.equal(jobs.length, 3, 'throttled StartRecovery calls created no extra jobs');
  });

  it('runs SSM Automation pre/post actions, retrying a failed attempt, and fails a wave on an action it cannot run', async () => {
    const ssm = new SSMClient({
      region: 'us-east-1',
      endpoint: front.endpoint,
      credentials: emulatorStack().credentials,
    });
    await ssm.send(
      new CreateDocumentCommand({
        Name: 'PL-Sleep',
        DocumentType: 'Automation',
        DocumentFormat: 'JSON',
        Content: SLEEP_RUNBOOK,
      }),
    );
    await ssm.send(
      new CreateDocumentCommand({
        Name: 'PL-RunCommand',
        DocumentType: 'Automation',
        DocumentFormat: 'JSON',
        Content: JSON.stringify({
          schemaVersion: '0.3',
          mainSteps: [{ name: 'restart', action: 'aws:runCommand', inputs: {} }],
        }),
      }),
    );
    ssm.destroy();
    front.ssm.failNext('PL-Sleep', 1, 'replica lag too high');
    const p = threeTierPlan(
      {},
      {
        db: {
          preActions: [
            {
              type: 'ssmAutomation',
              name: 'check db',
              documentName: 'PL-Sleep',
              parameters: { Tier: 'db' },
              retries: 1,
              timeoutSeconds: 30,
            },
          ],
        },
        app: {
          postActions: [
            { type: 'ssmAutomation', name: 'smoke app', documentName: 'PL-Sleep', parameters: { Tier: 'app' } },
          ],
        },
        web: { postActions: [{ type: 'ssmAutomation', name: 'restart web', documentName: 'PL-RunCommand' }] },
      },
    );
    const state = await (await start(p)).run();
    const check = state.waves.db.steps['db/pre/0'];
    assert.equal(check.status, 'succeeded');
    assert.deepEqual(
      check.attempts.map((a) => a.status),
      ['Failed', 'Success'],
    );
    assert.match(check.attempts[0].error!, /replica lag too high/);
    assert.deepEqual(check.attempts[1].outputs, { 'settle.StepStatus': ['Success'] });
    assert.equal(state.waves.app.steps['app/post/0'].status, 'succeeded');
    assert.equal(state.waves.web.status, 'failed');
    assert.match(state.waves.web.error!, /aws:runCommand/);
    assert.equal(
      state.waves.web.servers[sample.servers.web.sourceServerId].launchStatus,
      'LAUNCHED',
      'the launch itself succeeded',
    );
    assert.deepEqual(
      front.ssm
        .listExecutions()
        .map((e) => e.parameters.Tier?.[0] ?? '-')
        .sort(),
      ['-', 'app', 'db', 'db'],
    );
    const markdown = renderMarkdownReport(buildRunResult(state));
    assert.match(markdown, /\| check db \| pre \| succeeded \| 2 \|/);
  });

  it('resumes from the journal after the runner dies mid-run, without restarting started waves', async () => {
    await emulatorStack().admin.setClock({ timeScale: 0.1 });
    const first = await start();
    first.onEvent((event: RunEvent) => {
      if (event.type === 'job.started' && event.wave === 'app') first.abandon(); // crash right after app's job started
    });
    const partial = await first.run();
    assert.equal(partial.waves.db.status, 'completed');
    assert.equal(partial.waves.app.status, 'running');
    assert.equal(partial.waves.web.status, 'pending');

    const fresh = await shippedDeps();
    const second = DrRunner.resume(fresh, first.journalPath);
    runners.push(second);
    assert.equal(second.current.waves.app.status, 'running', 'the journal has everything up to the crash');
    const state = await second.run();
    second.dispose();
    assert.equal(state.status, 'completed');
    assert.ok(
      Object.values(state.waves)
        .flatMap((w) => Object.values(w.servers))
        .every((s) => s.launchStatus === 'LAUNCHED' && s.ec2InstanceId),
    );
    assert.equal(second.metrics().api.calls['drs:StartRecovery'], 1, 'only web was started by the new runner');
    const jobs = ((await drs.send(new DescribeJobsCommand({ filters: {} }))).items ?? []).filter(
      (job) => job.tags?.[JOB_TAG_RUN] === state.runId,
    );
    assert.deepEqual(
      jobs.map((job) => job.tags?.[JOB_TAG_KEY]).sort(),
      ['app#0', 'db#0', 'web#0'],
      'one DRS job per wave',
    );
    assert.deepEqual(DrRunner.inspect(first.journalPath), JSON.parse(JSON.stringify(state)));
  });

  it('preflight finds unhealthy replication, empty selectors, missing templates and documents, active jobs and leftover drills', async () => {
    const { admin } = emulatorStack();
    await admin.setReplicationState(sample.servers.web.sourceServerId, { state: 'STALLED', error: 'AGENT_NOT_SEEN' });
    await ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: sample.servers.app.launchTemplateId }));
    const groups = [...tierGroups(), group('cache-tier', { Role: 'cache' })];
    const p = threeTierPlan(
      {},
      {
        db: {
          protectionGroups: ['db-tier', 'cache-tier'],
          preActions: [{ type: 'ssmAutomation', documentName: 'PL-Missing' }],
        },
      },
    );
    const report = await runPreflight({
      plan: p,
      groups,
      reads: deps.reads,
      mode: 'drill',
      defaultRegion: 'us-east-1',
    });
    assert.equal(report.ok, false);
    const codes = report.findings.map((f) => f.code);
    for (const code of [
      'replication-unhealthy',
      'launch-template-missing',
      'tag-selector-empty',
      'ssm-document-missing',
    ] as const)
      assert.ok(codes.includes(code), `${code} in ${codes}`);
    for (const finding of report.findings) assert.ok(finding.message && finding.fix, 'every finding says what and how');
    assert.match(report.findings.find((f) => f.code === 'replication-unhealthy')!.message, /STALLED.*web-1/);
    assert.match(
      report.findings.find((f) => f.code === 'launch-template-missing')!.message,
      new RegExp(sample.servers.app.launchTemplateId),
    );

    // An active job on a plan server, and leftovers of an earlier drill.
    await resetAndSeed('sample').then((seeded) => (sample = seeded.sample!));
    const drill = await (await start()).run();
    assert.equal(drill.status, 'completed');
    await admin.setClock({ timeScale: 2 });
    const { job } = await drs.send(
      new StartRecoveryCommand({
        sourceServers: [{ sourceServerID: sample.servers.db.sourceServerId }],
        isDrill: true,
      }),
    );
    const busy = await runPreflight({
      plan: threeTierPlan(),
      groups: tierGroups(),
      reads: deps.reads,
      mode: 'drill',
      defaultRegion: 'us-east-1',
    });
    const active = busy.findings.find((f) => f.code === 'server-in-active-job')!;
    assert.match(active.message, new RegExp(job!.jobID!));
    assert.match(active.fix, /Wait for job/);
    const leftover = busy.findings.find((f) => f.code === 'leftover-drill-instances')!;
    assert.equal(leftover.severity, 'warning');
    assert.equal(leftover.remediation?.kind, 'terminateRecoveryInstances');
    assert.equal(
      leftover.remediation?.kind === 'terminateRecoveryInstances' &&
        leftover.remediation.recoveryInstanceIds.length >= 2,
      true,
    );

    // The offered fix, through the gateway: terminate the leftovers, then preflight no longer reports them.
    await admin.setClock({ timeScale: 0.02 });
    await waitFor(
      async () =>
        (await drs.send(new DescribeJobsCommand({ filters: { jobIDs: [job!.jobID!] } }))).items?.[0]?.status ===
        'COMPLETED'
          ? true
          : undefined,
      'the direct job to end',
    );
    const leftoverNow = (
      await runPreflight({
        plan: threeTierPlan(),
        groups: tierGroups(),
        reads: deps.reads,
        mode: 'drill',
        defaultRegion: 'us-east-1',
      })
    ).findings.find((f) => f.code === 'leftover-drill-instances')!;
    const { jobIds } = await runRemediation(leftoverNow.remediation!, deps.gateway, {
      correlationId: 'preflight-test',
    });
    assert.equal(jobIds.length, 1);
    await waitFor(
      async () =>
        (await drs.send(new DescribeJobsCommand({ filters: { jobIDs: jobIds } }))).items?.[0]?.status === 'COMPLETED'
          ? true
          : undefined,
      'terminate job',
    );
    const clean = await runPreflight({
      plan: threeTierPlan(),
      groups: tierGroups(),
      reads: deps.reads,
      mode: 'drill',
      defaultRegion: 'us-east-1',
    });
    assert.deepEqual(
      clean.findings.filter((f) => f.severity !== 'info'),
      [],
    );
    assert.equal(clean.ok, true);
  });
});
