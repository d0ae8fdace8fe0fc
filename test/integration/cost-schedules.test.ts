/**
 * Instance schedules that follow a tag, through the OperationRunner against moto with the real SDK: the
 * schedule's target is SSM Automation (AWS-StopEC2Instance / AWS-StartEC2Instance with a tag target), fired as
 * EventBridge Scheduler would (tools/emulators/scheduler), and the SSM Automation emulator resolves the tag
 * when it runs, so an instance tagged after the schedule was created is included and other environments are
 * not. Listing shows the selector and the next run; deleting removes it; protected environments need an
 * approval (also when nothing matches yet); a tag that is not an environment tag is refused unless accepted.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
  type InstanceStateName,
} from '@aws-sdk/client-ec2';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  GetAutomationExecutionCommand,
  SSMClient,
  StartAutomationExecutionCommand,
  type AutomationExecution,
} from '@aws-sdk/client-ssm';
import type { AwsConnection } from '../../src/core/aws/connection';
import type { InstanceScheduleSummary } from '../../src/core/operations/costSchedules';
import { createRuntime, type Runtime } from '../../src/core/runtime';
import { fireSchedule } from '../../tools/emulators/scheduler/fire';
import { pickAmazonLinuxImage } from '../../tools/seed/target';
import { emulatorConnection } from '../support/connection';
import { clientConfig, emulatorStack, useEmulatorStack, waitFor } from '../support/emulators';
import {
  approvingProvider,
  denyingProvider,
  tempDir,
  type ScriptedApprovalProvider,
} from '../support/operationHarness';

useEmulatorStack();

describe('instance schedules that follow a tag (Scheduler → SSM Automation) against moto', function () {
  this.timeout(120_000);
  let connection: AwsConnection;
  let account: string;
  let dir: ReturnType<typeof tempDir>;
  let ec2: EC2Client;
  let ssm: SSMClient;
  let scheduler: SchedulerClient;

  before(async () => {
    connection = await emulatorConnection();
    account = (await connection.identity()).account;
    ec2 = new EC2Client(clientConfig());
    ssm = new SSMClient(clientConfig());
    scheduler = new SchedulerClient(clientConfig());
  });
  after(() => {
    ec2.destroy();
    ssm.destroy();
    scheduler.destroy();
    connection.dispose();
  });
  beforeEach(async () => {
    dir = tempDir('pilot-light-schedules-it-');
    await emulatorStack().reset();
  });
  afterEach(() => dir.cleanup());

  function runtimeWith(provider: ScriptedApprovalProvider = approvingProvider()): Runtime {
    return createRuntime({
      policyFiles: [],
      auditPath: join(dir.path, 'audit.jsonl'),
      approvalProvider: provider,
      connection: async () => connection,
    });
  }

  async function launch(tags: Record<string, string>): Promise<string> {
    const result = await ec2.send(
      new RunInstancesCommand({
        ImageId: await pickAmazonLinuxImage(ec2),
        InstanceType: 't3.small',
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [
          { ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
        ],
      }),
    );
    return result.Instances![0]!.InstanceId!;
  }

  async function states(ids: string[]): Promise<Record<string, InstanceStateName | undefined>> {
    const result = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    const out: Record<string, InstanceStateName | undefined> = {};
    for (const reservation of result.Reservations ?? [])
      for (const instance of reservation.Instances ?? []) out[instance.InstanceId!] = instance.State?.Name;
    return out;
  }

  async function fire(name: string): Promise<AutomationExecution> {
    const stack = emulatorStack();
    const fired = await fireSchedule({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: stack.credentials,
      name,
    });
    assert.equal(`${fired.service}:${fired.action}`, 'ssm:startAutomationExecution');
    return finished(String(fired.output.AutomationExecutionId));
  }

  function finished(id: string): Promise<AutomationExecution> {
    return waitFor(
      async () => {
        const { AutomationExecution: execution } = await ssm.send(
          new GetAutomationExecutionCommand({ AutomationExecutionId: id }),
        );
        return execution && !['Pending', 'InProgress'].includes(execution.AutomationExecutionStatus ?? '')
          ? execution
          : undefined;
      },
      `automation ${id} to finish`,
      { timeoutMs: 30_000, intervalMs: 50 },
    );
  }

  async function createSchedule(runtime: Runtime, input: Record<string, unknown>) {
    let preview: { summary: string; changes: string[]; warnings?: string[] } | undefined;
    const result = await runtime.dryRunThenExecute(
      { operationId: 'scheduler.instanceSchedules.create', input, caller: 'chat' },
      async (shown) => {
        preview = shown;
        return { approved: true };
      },
    );
    return { result, preview };
  }

  it('stops the instances tagged Environment=dev when it fires, including one tagged after it was created; others keep running', async () => {
    const devA = await launch({ Name: 'dev-a', Environment: 'dev' });
    const devB = await launch({ Name: 'dev-b', Environment: 'dev' });
    const staging = await launch({ Name: 'stage-a', Environment: 'staging' });
    const untagged = await launch({ Name: 'plain' });
    const runtime = runtimeWith();
    const { result, preview } = await createSchedule(runtime, {
      name: 'stop-dev-evenings',
      action: 'stop',
      expression: 'cron(0 18 ? * MON-FRI *)',
      timeZone: 'Europe/Berlin',
      tagKey: 'Environment',
      tagValue: 'dev',
    });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.refusal ?? result.outcome?.error));
    assert.ok(preview);
    assert.match(preview.summary, /stop instances tagged Environment=dev \(2 now\) on cron\(0 18 \? \* MON-FRI \*\)/);
    assert.ok(
      preview.changes.some((line) => line.startsWith('Matches now:') && line.includes(devA) && line.includes(devB)),
      preview.changes.join('\n'),
    );
    assert.ok(!preview.changes.some((line) => line.includes(staging) || line.includes(untagged)));
    assert.ok(
      preview.changes.some((line) => /^Instances tagged Environment=dev later are included when it runs/.test(line)),
    );
    assert.ok(preview.changes.some((line) => /^Bounded to environment "dev"/.test(line)));
    assert.deepEqual(preview.warnings ?? [], []);

    const stored = await scheduler.send(new GetScheduleCommand({ Name: 'stop-dev-evenings', GroupName: 'default' }));
    assert.equal(stored.Target?.Arn, 'arn:aws:scheduler:::aws-sdk:ssm:startAutomationExecution');
    assert.equal(stored.Target?.RoleArn, `arn:aws:iam::${account}:role/PilotLightInstanceScheduler`);
    assert.deepEqual(JSON.parse(stored.Target!.Input!), {
      DocumentName: 'AWS-StopEC2Instance',
      TargetParameterName: 'InstanceId',
      Targets: [{ Key: 'tag:Environment', Values: ['dev'] }],
      MaxConcurrency: '10',
      MaxErrors: '10',
      Parameters: { AutomationAssumeRole: [`arn:aws:iam::${account}:role/PilotLightInstanceSchedulerAutomation`] },
    });

    const devLater = await launch({ Name: 'dev-later', Environment: 'dev' });
    const execution = await fire('stop-dev-evenings');
    assert.equal(execution.AutomationExecutionStatus, 'Success', execution.FailureMessage);
    assert.deepEqual([...(execution.ResolvedTargets?.ParameterValues ?? [])].sort(), [devA, devB, devLater].sort());
    const children = emulatorStack()
      .ssm!.listExecutions()
      .filter((e) => e.parentId === execution.AutomationExecutionId);
    assert.deepEqual(
      children.map((child) => child.status),
      ['Success', 'Success', 'Success'],
    );
    assert.deepEqual(children.map((child) => child.parameters.InstanceId).sort(), [[devA], [devB], [devLater]].sort());
    assert.deepEqual(await states([devA, devB, devLater, staging, untagged]), {
      [devA]: 'stopped',
      [devB]: 'stopped',
      [devLater]: 'stopped',
      [staging]: 'running',
      [untagged]: 'running',
    });
  });

  it('starts the instances tagged Environment=dev when it fires, including one tagged later; a stopped staging instance stays stopped', async () => {
    const devA = await launch({ Name: 'dev-a', Environment: 'dev' });
    const staging = await launch({ Name: 'stage-a', Environment: 'staging' });
    await ec2.send(new StopInstancesCommand({ InstanceIds: [devA, staging] }));
    const runtime = runtimeWith();
    const { result } = await createSchedule(runtime, {
      name: 'start-dev-mornings',
      action: 'start',
      expression: 'cron(0 8 ? * MON-FRI *)',
      timeZone: 'Europe/Berlin',
      tagKey: 'Environment',
      tagValue: 'dev',
    });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.refusal ?? result.outcome?.error));
    const stored = await scheduler.send(new GetScheduleCommand({ Name: 'start-dev-mornings', GroupName: 'default' }));
    assert.equal(JSON.parse(stored.Target!.Input!).DocumentName, 'AWS-StartEC2Instance');

    const devLater = await launch({ Name: 'dev-later', Environment: 'dev' });
    await ec2.send(new StopInstancesCommand({ InstanceIds: [devLater] }));
    const execution = await fire('start-dev-mornings');
    assert.equal(execution.AutomationExecutionStatus, 'Success', execution.FailureMessage);
    assert.deepEqual(await states([devA, devLater, staging]), {
      [devA]: 'running',
      [devLater]: 'running',
      [staging]: 'stopped',
    });
  });

  it('lists a tag schedule with its selector and next run next to an instance-ID schedule (which stops its instance when fired), and deletes both', async () => {
    const devA = await launch({ Name: 'dev-a', Environment: 'dev' });
    const runtime = runtimeWith();
    for (const input of [
      {
        name: 'stop-dev-evenings',
        action: 'stop',
        expression: 'cron(0 18 ? * MON-FRI *)',
        timeZone: 'Europe/Berlin',
        tagKey: 'Environment',
        tagValue: 'dev',
      },
      { name: 'stop-one', action: 'stop', expression: 'cron(30 19 * * ? *)', instanceIds: [devA] },
    ]) {
      const { result } = await createSchedule(runtime, input);
      assert.equal(result.status, 'succeeded', JSON.stringify(result.refusal ?? result.outcome?.error));
    }
    const runner = await runtime.runner();
    const listed = await runner.run('scheduler.instanceSchedules.list', {}, { caller: 'chat', mode: 'execute' });
    assert.equal(listed.status, 'succeeded', listed.error?.message);
    const schedules = listed.output as InstanceScheduleSummary[];
    const tagged = schedules.find((entry) => entry.name === 'stop-dev-evenings');
    const fixed = schedules.find((entry) => entry.name === 'stop-one');
    assert.ok(tagged && fixed, JSON.stringify(schedules));
    assert.equal(tagged.kind, 'tag');
    assert.equal(tagged.action, 'stop');
    assert.equal(tagged.selector, 'instances tagged Environment=dev, resolved when it runs');
    assert.deepEqual(tagged.tag, { key: 'Environment', value: 'dev' });
    assert.equal(tagged.environment, 'dev');
    assert.deepEqual(tagged.instanceIds, []);
    assert.ok(tagged.nextRun, tagged.nextRunNote);
    const berlin = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    }).format(new Date(tagged.nextRun));
    assert.match(berlin, /^(Mon|Tue|Wed|Thu|Fri),? 18:00$/);
    assert.equal(fixed.kind, 'instance-ids');
    assert.equal(fixed.selector, `instances ${devA}`);
    assert.deepEqual(fixed.instanceIds, [devA]);
    assert.match(fixed.nextRun ?? '', /T19:30:00\.000Z$/);
    // The instance-ID schedule calls EC2 itself when it fires.
    const stack = emulatorStack();
    const fired = await fireSchedule({ ...stack, name: 'stop-one' });
    assert.deepEqual(fired, { service: 'ec2', action: 'stopInstances', output: { instanceIds: [devA] } });
    assert.deepEqual(await states([devA]), { [devA]: 'stopped' });

    for (const name of ['stop-dev-evenings', 'stop-one']) {
      const removed = await runtime.dryRunThenExecute(
        { operationId: 'scheduler.instanceSchedules.delete', input: { name }, caller: 'chat' },
        async () => ({ approved: true }),
      );
      assert.equal(removed.status, 'succeeded', JSON.stringify(removed.refusal ?? removed.outcome?.error));
    }
    assert.deepEqual((await scheduler.send(new ListSchedulesCommand({}))).Schedules ?? [], []);
  });

  it('refuses a tag schedule that matches a production instance without approval, and creates nothing', async () => {
    await launch({ Name: 'pay-web', Environment: 'production' });
    const provider = denyingProvider();
    const { result } = await createSchedule(runtimeWith(provider), {
      name: 'stop-prod',
      action: 'stop',
      expression: 'cron(0 18 * * ? *)',
      tagKey: 'Environment',
      tagValue: 'production',
    });
    assert.equal(result.status, 'refused');
    assert.equal(provider.requests.length, 1);
    assert.match(JSON.stringify(provider.requests[0]), /production/);
    assert.equal((await scheduler.send(new ListSchedulesCommand({}))).Schedules?.length ?? 0, 0);
  });

  it('warns when a matched instance carries a second environment tag, and asks for its approval', async () => {
    const mixed = await launch({ Name: 'odd', Environment: 'dev', env: 'production' });
    const provider = approvingProvider();
    const runtime = runtimeWith(provider);
    const runner = await runtime.runner();
    const dryRun = await runner.run(
      'scheduler.instanceSchedules.create',
      { name: 'stop-dev', action: 'stop', expression: 'cron(0 18 * * ? *)', tagKey: 'Environment', tagValue: 'dev' },
      { caller: 'chat', mode: 'dry-run' },
    );
    assert.equal(dryRun.status, 'dry-run', dryRun.error?.message);
    assert.match(
      dryRun.preview?.warnings?.join('\n') ?? '',
      new RegExp(`${mixed} also carries another environment tag`),
    );
    assert.equal(dryRun.preview?.guardrails.verdict, 'needs-approval');
  });

  it('asks for an approval for a production selector even when no instance carries the tag yet', async () => {
    await launch({ Name: 'dev-a', Environment: 'dev' });
    const provider = denyingProvider();
    const { result } = await createSchedule(runtimeWith(provider), {
      name: 'stop-prod-later',
      action: 'stop',
      expression: 'cron(0 18 * * ? *)',
      tagKey: 'Environment',
      tagValue: 'production',
    });
    assert.equal(result.status, 'refused');
    assert.equal(provider.requests.length, 1);
    assert.match(JSON.stringify(provider.requests[0]), /production/);
    assert.equal((await scheduler.send(new ListSchedulesCommand({}))).Schedules?.length ?? 0, 0);
  });

  it('refuses a tag that is not an environment tag unless anyEnvironment is set, and then warns in the preview', async () => {
    const web = await launch({ Name: 'web-a', team: 'web', Environment: 'dev' });
    const runtime = runtimeWith();
    const input = {
      name: 'stop-web',
      action: 'stop',
      expression: 'cron(0 18 * * ? *)',
      tagKey: 'team',
      tagValue: 'web',
    };
    const refused = await createSchedule(runtime, input);
    assert.equal(refused.result.status, 'failed');
    assert.match(refused.result.outcome?.error?.message ?? '', /team is not an environment tag key/);
    assert.equal((await scheduler.send(new ListSchedulesCommand({}))).Schedules?.length ?? 0, 0);

    const accepted = await createSchedule(runtime, { ...input, anyEnvironment: true });
    assert.equal(accepted.result.status, 'succeeded', JSON.stringify(accepted.result.outcome?.error));
    assert.ok(accepted.preview?.changes.some((line) => line.includes(web)));
    assert.ok(accepted.preview?.changes.some((line) => /^Not bounded to an environment/.test(line)));
    assert.match(accepted.preview?.warnings?.join('\n') ?? '', /whatever its environment, production included/);
  });

  it('emulator: refuses two tag targets as AWS does; a failed child fails the parent and MaxErrors 0 starts no more', async () => {
    const devA = await launch({ Name: 'dev-a', Environment: 'dev' });
    const devB = await launch({ Name: 'dev-b', Environment: 'dev' });
    await assert.rejects(
      ssm.send(
        new StartAutomationExecutionCommand({
          DocumentName: 'AWS-StopEC2Instance',
          TargetParameterName: 'InstanceId',
          Targets: [
            { Key: 'tag:Environment', Values: ['dev'] },
            { Key: 'tag:Name', Values: ['dev-a'] },
          ],
        }),
      ),
      (error: Error) =>
        error.name === 'InvalidAutomationExecutionParametersException' &&
        /Only one resource group or tag can be specified at a time/.test(error.message),
    );
    emulatorStack().ssm!.failNext('AWS-StopEC2Instance', 1, 'injected failure');
    const started = await ssm.send(
      new StartAutomationExecutionCommand({
        DocumentName: 'AWS-StopEC2Instance',
        TargetParameterName: 'InstanceId',
        Targets: [{ Key: 'tag:Environment', Values: ['dev'] }],
        MaxConcurrency: '1',
        MaxErrors: '0',
      }),
    );
    const parent = await finished(started.AutomationExecutionId!);
    assert.equal(parent.AutomationExecutionStatus, 'Failed');
    assert.match(parent.FailureMessage ?? '', /^1 of 1 child executions failed; 1 target was not run \(MaxErrors 0\)/);
    assert.deepEqual([...(parent.ResolvedTargets?.ParameterValues ?? [])].sort(), [devA, devB].sort());
    assert.deepEqual(Object.values(await states([devA, devB])), ['running', 'running']);
  });
});
