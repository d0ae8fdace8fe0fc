/**
 * Recovery plans on Step Functions against the emulators, for real: the compiled plan is deployed as a
 * CloudFormation stack in moto, moto's Step Functions interpreter executes it, and its aws-sdk:drs tasks
 * reach the DRS emulator through the gateway (MOTO_PORT, see tools/emulators/README.md). Every call of the
 * product goes through registered operations (guardrails, approval, audit).
 */
import * as assert from 'node:assert/strict';
import { DescribeStacksCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeRecoveryInstancesCommand, DrsClient } from '@aws-sdk/client-drs';
import { readFileSync } from 'node:fs';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { ProtectionGroup, RecoveryPlan } from '../../src/core/dr/model';
import { DrRunner, type RunnerDeps } from '../../src/core/dr/run';
import { buildRunResult, listRunHistory, renderMarkdownReport } from '../../src/core/dr/results';
import type { RunState } from '../../src/core/dr/state';
import {
  answerWaitingTask,
  deployPlan,
  findDeployedPlan,
  operationSfnReads,
  outputOf,
  prepareDeployment,
  startPlanRun,
  syncState,
  TAG_PLAN_HASH,
  StepFunctionsRunFollower,
} from '../../src/core/dr/stepFunctions';
import { replayJournal } from '../../src/core/dr/journal';
import type { OperationRunner, RunOptions } from '../../src/core/operations';
import { emulatorStack, resetAndSeed, useEmulatorStack, waitFor } from '../support/emulators';
import { approvingProvider } from '../support/operationHarness';
import { plan as plan3, productDeps, SLEEP_RUNBOOK, tempDir, threeTierPlan, tierGroups } from '../support/dr';
import { CreateDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';

useEmulatorStack();

const POLL_SECONDS = 1;

describe('Recovery plans on Step Functions (moto executes, DRS emulator launches)', function () {
  this.timeout(120_000);
  let dir: ReturnType<typeof tempDir>;
  let deps: RunnerDeps & { operations: OperationRunner };
  let options: RunOptions;
  const followers: StepFunctionsRunFollower[] = [];

  beforeEach(async () => {
    await resetAndSeed('sample');
    dir = tempDir();
    deps = await productDeps(dir.path, { auditPath: `${dir.path}/audit.jsonl`, approval: approvingProvider() });
    options = { caller: 'command', mode: 'execute', approvalProvider: approvingProvider() };
  });
  afterEach(() => {
    for (const follower of followers.splice(0)) follower.close();
    dir.remove();
  });

  async function deploy(plan: RecoveryPlan, groups: ProtectionGroup[] = tierGroups()) {
    const prepared = await prepareDeployment({
      plan,
      groups,
      reads: deps.reads,
      region: emulatorStack().region,
      pollSeconds: POLL_SECONDS,
    });
    const outcome = await deployPlan(deps.operations, prepared, options);
    return { prepared, deployed: outputOf(outcome, 'deploy') };
  }

  async function run(plan: RecoveryPlan, onPoll?: (follower: StepFunctionsRunFollower) => Promise<void>) {
    const follower = await startPlanRun({
      operations: deps.operations,
      options,
      journalDir: dir.path,
      plan,
      groups: tierGroups(),
      reads: deps.reads,
      region: emulatorStack().region,
      mode: 'drill',
      pollSeconds: POLL_SECONDS,
    });
    followers.push(follower);
    const sfnReads = operationSfnReads(deps.operations, options);
    const state = await waitFor(
      async () => {
        await follower.poll(sfnReads, deps.reads);
        if (onPoll) await onPoll(follower);
        return follower.done ? follower.snapshot() : undefined;
      },
      'the Step Functions run to end',
      { timeoutMs: 90_000, intervalMs: 300 },
    );
    return { follower, state };
  }

  function waveStarts(state: RunState): string[] {
    return Object.values(state.waves)
      .filter((wave) => wave.startedAt)
      .sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!))
      .map((wave) => wave.name);
  }

  function launched(state: RunState): Record<string, string[]> {
    return Object.fromEntries(
      Object.values(state.waves).map((wave) => [
        wave.name,
        Object.values(wave.servers)
          .filter((server) => server.launchStatus === 'LAUNCHED')
          .map((server) => server.sourceServerId)
          .sort(),
      ]),
    );
  }

  it('deploys the three-wave plan as a stack tagged with the plan hash, in sync with the file', async () => {
    const plan = threeTierPlan();
    const { prepared, deployed } = await deploy(plan);
    assert.equal(deployed.action, 'created');
    assert.match(deployed.stateMachineArn ?? '', /:stateMachine:/);
    const stack = emulatorStack();
    const cfn = new CloudFormationClient({
      region: stack.region,
      endpoint: stack.endpoint,
      credentials: stack.credentials,
    });
    const described = await cfn.send(new DescribeStacksCommand({ StackName: prepared.stackName }));
    assert.equal(described.Stacks?.[0]?.Tags?.find((t) => t.Key === TAG_PLAN_HASH)?.Value, prepared.planHash);
    assert.equal(syncState(plan, await findDeployedPlan(deps.operations, plan.name, options)), 'in-sync');
    // An edited plan is out of sync until deployed again; deploying it updates the same stack.
    const edited = threeTierPlan({ failurePolicy: 'continue' });
    assert.equal(syncState(edited, await findDeployedPlan(deps.operations, edited.name, options)), 'out-of-sync');
    const again = await deploy(edited);
    assert.equal(again.deployed.action, 'updated');
    assert.equal(syncState(edited, await findDeployedPlan(deps.operations, edited.name, options)), 'in-sync');
  });

  it('runs the three-wave drill on Step Functions: instances launched in wave order, recorded like a local run', async () => {
    const plan = threeTierPlan();
    await deploy(plan);
    const { state, follower } = await run(plan);
    assert.equal(state.status, 'completed', JSON.stringify(state.errors));
    assert.deepEqual(waveStarts(state), ['db', 'app', 'web']);
    for (const wave of ['db', 'app', 'web']) {
      assert.equal(state.waves[wave].status, 'completed');
      assert.equal(state.waves[wave].steps[`${wave}/launch`].status, 'succeeded');
    }
    // Each wave started after the previous one ended.
    assert.ok(Date.parse(state.waves.app.startedAt!) >= Date.parse(state.waves.db.endedAt!));
    assert.ok(Date.parse(state.waves.web.startedAt!) >= Date.parse(state.waves.app.endedAt!));
    // The recovery instances exist in DRS, one per server, as drills.
    const stack = emulatorStack();
    const drs = new DrsClient({ region: stack.region, endpoint: stack.endpoint, credentials: stack.credentials });
    const instances = (await drs.send(new DescribeRecoveryInstancesCommand({}))).items ?? [];
    const servers = Object.values(state.waves).flatMap((wave) => Object.values(wave.servers));
    assert.equal(servers.length, 3);
    for (const server of servers) {
      assert.equal(server.launchStatus, 'LAUNCHED');
      const instance = instances.find((i) => i.sourceServerID === server.sourceServerId);
      assert.ok(instance?.isDrill, `recovery instance of ${server.sourceServerId}`);
      assert.equal(server.recoveryInstanceId, instance.recoveryInstanceID);
    }
    // Same history format and reports as local runs.
    const history = listRunHistory(dir.path);
    assert.equal(history[0]?.runId, follower.runId);
    const report = renderMarkdownReport(buildRunResult(state));
    assert.match(report, /db/);
    assert.match(report, /LAUNCHED|launched/i);
  });

  it('runs the same plan both ways: the local runner and Step Functions launch the same servers in the same wave order', async () => {
    const plan = threeTierPlan();
    const runner = await DrRunner.create(deps, { plan, groups: tierGroups(), mode: 'drill' });
    const local = await runner.run();
    runner.dispose();
    assert.equal(local.status, 'completed');
    await deploy(plan);
    const { state: remote } = await run(plan);
    assert.equal(remote.status, 'completed');
    assert.deepEqual(waveStarts(remote), waveStarts(local));
    assert.deepEqual(launched(remote), launched(local));
  });

  it('fan-out with SSM Automation actions: parallel branches after the first wave, health checks before and after', async () => {
    const stack = emulatorStack();
    const ssm = new SSMClient({ region: stack.region, endpoint: stack.endpoint, credentials: stack.credentials });
    await ssm.send(
      new CreateDocumentCommand({
        Name: 'PL-Sleep',
        DocumentType: 'Automation',
        DocumentFormat: 'JSON',
        Content: SLEEP_RUNBOOK,
      }),
    );
    ssm.destroy();
    const check = { type: 'ssmAutomation' as const, documentName: 'PL-Sleep', parameters: { Tier: 'db' } };
    const plan = plan3('fan-out', [
      { name: 'db', protectionGroups: ['db-tier'], preActions: [check], postActions: [check] },
      { name: 'app', protectionGroups: ['app-tier'], dependsOn: ['db'] },
      { name: 'web', protectionGroups: ['web-tier'], dependsOn: ['db'] },
    ]);
    const { prepared } = await deploy(plan);
    assert.ok(
      JSON.stringify(prepared.compiled.definition).includes('"Type":"Parallel"'),
      'app and web are branches of one Parallel state',
    );
    const { state } = await run(plan);
    assert.equal(state.status, 'completed', JSON.stringify(state.errors));
    assert.equal(state.waves.db.steps['db/pre/0'].status, 'succeeded');
    assert.equal(state.waves.db.steps['db/post/0'].status, 'succeeded');
    for (const wave of ['app', 'web']) {
      assert.equal(state.waves[wave].status, 'completed');
      assert.ok(Date.parse(state.waves[wave].startedAt!) >= Date.parse(state.waves.db.endedAt!), `${wave} after db`);
    }
    // Both branches ran side by side: each started before the other ended.
    assert.ok(Date.parse(state.waves.app.startedAt!) < Date.parse(state.waves.web.endedAt!));
    assert.ok(Date.parse(state.waves.web.startedAt!) < Date.parse(state.waves.app.endedAt!));
  });

  it('stop policy: a failed launch fails the execution and later waves never start', async () => {
    const plan = threeTierPlan({ failurePolicy: 'stop' });
    await deploy(plan);
    const appServer = (await deps.reads.listSourceServers(emulatorStack().region)).find(
      (s) => s.sourceProperties?.identificationHints?.hostname === 'app-1',
    )!;
    await emulatorStack().admin.failLaunch({
      sourceServerID: appServer.sourceServerID!,
      rawError: 'InsufficientInstanceCapacity',
    });
    const { state, follower } = await run(plan);
    assert.equal(state.status, 'failed');
    assert.equal(state.waves.db.status, 'completed');
    assert.equal(state.waves.app.status, 'failed');
    assert.equal(state.waves.web.status, 'skipped');
    assert.equal(state.waves.app.servers[appServer.sourceServerID!].launchStatus, 'FAILED');
    const stack = emulatorStack();
    const sfn = new SFNClient({ region: stack.region, endpoint: stack.endpoint, credentials: stack.credentials });
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: readArn(follower) }));
    assert.equal(execution.status, 'FAILED');
  });

  it('continue policy: a failed wave does not stop the next ones; the run ends failed', async () => {
    const plan = threeTierPlan({ failurePolicy: 'continue' });
    await deploy(plan);
    const appServer = (await deps.reads.listSourceServers(emulatorStack().region)).find(
      (s) => s.sourceProperties?.identificationHints?.hostname === 'app-1',
    )!;
    await emulatorStack().admin.failLaunch({
      sourceServerID: appServer.sourceServerID!,
      rawError: 'InsufficientInstanceCapacity',
    });
    const { state } = await run(plan);
    assert.equal(state.waves.app.status, 'failed');
    assert.equal(state.waves.web.status, 'completed');
    assert.deepEqual(waveStarts(state), ['db', 'app', 'web']);
    assert.equal(state.status, 'failed');
  });

  it('approval by task token: the wave waits until SendTaskSuccess, through the guarded operation', async () => {
    const plan = threeTierPlan(
      {},
      {
        app: { pauseBeforeWave: true },
        web: { preActions: [{ type: 'approval', message: 'Open the web tier?' }] },
      },
    );
    await deploy(plan);
    const answered: string[] = [];
    const { state } = await run(plan, async (follower) => {
      for (const task of follower.waitingTasks()) {
        if (answered.includes(task.step)) continue;
        // Nothing after the waiting step has started.
        const snapshot = follower.snapshot();
        if (task.step === 'app/pause') {
          assert.equal(snapshot.waves.app.status, 'held');
          assert.equal(snapshot.waves.app.steps['app/launch'].status, 'pending');
        } else {
          assert.equal(snapshot.waves.web.steps['web/pre/0'].status, 'waiting-approval');
          assert.equal(task.message, 'Open the web tier?');
        }
        answered.push(task.step);
        const outcome = await answerWaitingTask(deps.operations, options, readArn(follower), task, true, 'go');
        assert.equal(outcome.status, 'succeeded', JSON.stringify(outcome.error ?? outcome.refusal));
      }
    });
    assert.deepEqual(answered, ['app/pause', 'web/pre/0']);
    assert.equal(state.status, 'completed');
    assert.equal(state.waves.web.steps['web/pre/0'].approval?.approved, true);
    // The task tokens answer for the execution: they are in its history, never in the audit trail or the journal.
    const stack = emulatorStack();
    const sfn = new SFNClient({ region: stack.region, endpoint: stack.endpoint, credentials: stack.credentials });
    const events =
      (await sfn.send(new GetExecutionHistoryCommand({ executionArn: executionArnOf(state), maxResults: 1000 })))
        .events ?? [];
    const tokens = events
      .filter((e) => e.type === 'TaskScheduled' && /waitForTaskToken/.test(e.taskScheduledEventDetails?.resource ?? ''))
      .map(
        (e) =>
          (JSON.parse(e.taskScheduledEventDetails!.parameters!) as { MessageBody: { taskToken: string } }).MessageBody
            .taskToken,
      );
    assert.equal(tokens.length, 2);
    const audit = readFileSync(`${dir.path}/audit.jsonl`, 'utf8');
    const journal = readFileSync(listRunHistory(dir.path)[0].journalPath, 'utf8');
    assert.match(audit, /sfn\.tasks\.sendSuccess/);
    for (const token of tokens) {
      assert.ok(!audit.includes(token), 'no task token in the audit trail');
      assert.ok(!journal.includes(token), 'no task token in the run journal');
    }
  });

  it('a reopened follower (window reload) carries on from the journal without writing anything twice', async () => {
    const plan = threeTierPlan({}, { app: { pauseBeforeWave: true } });
    await deploy(plan);
    const first = await startPlanRun({
      operations: deps.operations,
      options,
      journalDir: dir.path,
      plan,
      groups: tierGroups(),
      reads: deps.reads,
      region: emulatorStack().region,
      mode: 'drill',
    });
    const sfnReads = operationSfnReads(deps.operations, options);
    await waitFor(
      async () => {
        await first.poll(sfnReads, deps.reads);
        return first.snapshot().waves.app.status === 'held' ? true : undefined;
      },
      'the pause before app',
      { timeoutMs: 60_000, intervalMs: 300 },
    );
    const journalPath = first.journalPath;
    first.close(); // the window goes away
    const second = StepFunctionsRunFollower.reopen(journalPath);
    followers.push(second);
    await second.poll(sfnReads, deps.reads);
    const [task] = second.waitingTasks();
    assert.equal(task?.step, 'app/pause', 'the reopened follower knows what waits');
    assert.equal(
      (await answerWaitingTask(deps.operations, options, second.executionArn, task, true)).status,
      'succeeded',
    );
    const state = await waitFor(
      async () => {
        await second.poll(sfnReads, deps.reads);
        return second.done ? second.snapshot() : undefined;
      },
      'the run to end',
      { timeoutMs: 90_000, intervalMs: 300 },
    );
    assert.equal(state.status, 'completed');
    const events = replayJournal(journalPath).events;
    const count = (predicate: (e: (typeof events)[number]) => boolean) => events.filter(predicate).length;
    for (const wave of ['db', 'app', 'web']) {
      assert.equal(
        count((e) => e.type === 'wave.status' && e.wave === wave && e.status === 'completed'),
        1,
        wave,
      );
      assert.equal(
        count((e) => e.type === 'job.started' && e.wave === wave),
        1,
        `${wave} job`,
      );
    }
    assert.equal(
      count((e) => e.type === 'step.status' && e.step === 'app/pause' && e.status === 'held'),
      1,
    );
    assert.equal(
      count((e) => e.type === 'run.status'),
      1,
    );
  });

  it('a rejected approval fails its wave', async () => {
    const plan = threeTierPlan({}, { app: { preActions: [{ type: 'approval', message: 'Go?' }] } });
    await deploy(plan);
    const { state } = await run(plan, async (follower) => {
      for (const task of follower.waitingTasks())
        await answerWaitingTask(deps.operations, options, readArn(follower), task, false, 'not now');
    });
    assert.equal(state.waves.app.status, 'failed');
    assert.equal(state.waves.app.steps['app/pre/0'].approval?.approved, false);
    assert.equal(state.waves.web.status, 'skipped');
  });

  it('refuses to run a plan whose deployed machine is out of date', async () => {
    await deploy(threeTierPlan());
    await assert.rejects(
      startPlanRun({
        operations: deps.operations,
        options,
        journalDir: dir.path,
        plan: threeTierPlan({ failurePolicy: 'continue' }),
        groups: tierGroups(),
        reads: deps.reads,
        region: emulatorStack().region,
        mode: 'drill',
      }),
      /does not match the plan file/,
    );
  });
});

function executionArnOf(state: RunState): string {
  const stack = emulatorStack();
  return `arn:aws:states:${stack.region}:123456789012:execution:pilotlight-plan-${state.planName}:${state.runId}`;
}

function readArn(follower: StepFunctionsRunFollower): string {
  return follower.executionArn;
}
