import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DescribeInstancesCommand, EC2Client, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeDocumentCommand, GetAutomationExecutionCommand, SSMClient } from '@aws-sdk/client-ssm';
import { parseGroup, parsePlan } from '../../src/core/dr/parse';
import { DrRunner } from '../../src/core/dr/run';
import type { ProtectionGroup, RecoveryPlan } from '../../src/core/dr/model';
import { productDeps, tempDir } from '../support/dr';
import { clientConfig, resetAndSeed, useEmulatorStack } from '../support/emulators';
import { approvingProvider } from '../support/operationHarness';

useEmulatorStack();

const SAMPLE = resolve(__dirname, '..', '..', '..', 'samples', 'recovery-plan');

function samplePlan(): { plan: RecoveryPlan; groups: ProtectionGroup[] } {
  const parsed = parsePlan(readFileSync(join(SAMPLE, 'plans', 'three-tier.recovery-plan.yaml'), 'utf8'));
  assert.ok(parsed.document, JSON.stringify(parsed.diagnostics));
  const groups = readdirSync(join(SAMPLE, 'groups')).map((file) => {
    const group = parseGroup(readFileSync(join(SAMPLE, 'groups', file), 'utf8'));
    assert.ok(group.document, `${file}: ${JSON.stringify(group.diagnostics)}`);
    return group.document;
  });
  return { plan: parsed.document, groups };
}

/** The sample plan as the demo ships it, with its SSM health checks, drilled on the emulated account. */
describe('DR: the sample plan and its SSM health checks', function () {
  this.timeout(120_000);
  let dir: ReturnType<typeof tempDir>;
  let ssm: SSMClient;
  let ec2: EC2Client;
  const runners: DrRunner[] = [];

  beforeEach(async () => {
    const seeded = await resetAndSeed('sample');
    assert.deepEqual(seeded.sampleDocuments, [
      'PilotLight-Sample-DependencyCheck',
      'PilotLight-Sample-TierHealthCheck',
    ]);
    dir = tempDir();
    ssm = new SSMClient(clientConfig());
    ec2 = new EC2Client(clientConfig());
  });
  afterEach(() => {
    for (const runner of runners.splice(0)) runner.dispose();
    ssm.destroy();
    ec2.destroy();
    dir.remove();
  });

  async function drill(plan: RecoveryPlan, groups: ProtectionGroup[]) {
    const deps = await productDeps(join(dir.path, 'runs'), {
      auditPath: join(dir.path, 'audit.jsonl'),
      approval: approvingProvider(),
    });
    const runner = await DrRunner.create(deps, { plan, groups, mode: 'drill' });
    runners.push(runner);
    const order: string[] = [];
    runner.onEvent((event) => {
      if (event.type === 'step.status' && event.status === 'held') runner.resume(event.wave);
      if (event.type === 'wave.status' && event.status === 'running') order.push(`${event.wave}:start`);
      if (event.type === 'job.started') order.push(`${event.wave}:launch`);
      if (event.type === 'action.started') order.push(`${event.wave}:${event.step}`);
      if (event.type === 'action.finished') order.push(`${event.wave}:${event.step}:${event.status}`);
    });
    return { runner, order, state: await runner.run() };
  }

  it('the sample seed registers the documents as Automation documents', async () => {
    for (const name of ['PilotLight-Sample-DependencyCheck', 'PilotLight-Sample-TierHealthCheck']) {
      const { Document } = await ssm.send(new DescribeDocumentCommand({ Name: name }));
      assert.equal(Document?.DocumentType, 'Automation', name);
    }
  });

  it('a drill runs each wave pre-check, launch, post-check in order; the checks really read the recovery instances', async () => {
    const { plan, groups } = samplePlan();
    const { runner, order, state } = await drill(plan, groups);
    assert.equal(
      state.status,
      'completed',
      JSON.stringify({
        errors: state.errors,
        order,
        waves: Object.values(state.waves).map((w) => [
          w.name,
          w.status,
          w.error,
          Object.values(w.steps).map((st) => [st.id, st.status, st.attempts]),
        ]),
      }),
    );
    assert.deepEqual(
      order.filter((entry) => !entry.endsWith(':start')),
      [
        'database:launch',
        'database:database/post/0',
        'database:database/post/0:Success',
        'application:application/pre/0',
        'application:application/pre/0:Success',
        'application:launch',
        'application:application/post/0',
        'application:application/post/0:Success',
        'web:web/pre/0',
        'web:web/pre/0:Success',
        'web:launch',
        'web:web/post/0',
        'web:web/post/0:Success',
      ],
    );
    // The post-check's output lists the wave's running recovery instance: the one DRS launched.
    const executionId = state.waves.web.steps['web/post/0']?.attempts.at(-1)?.executionId;
    assert.ok(executionId, JSON.stringify(state.waves.web.steps));
    const { AutomationExecution } = await ssm.send(
      new GetAutomationExecutionCommand({ AutomationExecutionId: executionId }),
    );
    const launched = Object.values(state.waves.web.servers).map(
      (server) => server.ec2InstanceId ?? server.recoveryInstanceId,
    );
    assert.equal(launched.length, 1);
    assert.deepEqual(AutomationExecution?.Outputs?.['listInstances.InstanceIds'], launched);
    await runner.cleanupDrill();
  });

  it('a stopped dependency fails the pre-check and the next wave does not launch', async () => {
    const { plan, groups } = samplePlan();
    // Stop the db tier's recovery instance as soon as the database wave's post-check passed.
    const deps = await productDeps(join(dir.path, 'runs'), {
      auditPath: join(dir.path, 'audit.jsonl'),
      approval: approvingProvider(),
    });
    const runner = await DrRunner.create(deps, { plan, groups, mode: 'drill' });
    runners.push(runner);
    let stopped: Promise<unknown> | undefined;
    runner.onEvent((event, state) => {
      if (event.type === 'action.finished' && event.wave === 'database' && !stopped) {
        const ids = Object.values(state.waves.database.servers).flatMap((s) =>
          s.ec2InstanceId || s.recoveryInstanceId ? [(s.ec2InstanceId ?? s.recoveryInstanceId)!] : [],
        );
        stopped = ec2.send(new StopInstancesCommand({ InstanceIds: ids }));
      }
    });
    // The settle wait (10 s) after the database check leaves the stop time to land before the app pre-check.
    const state = await runner.run();
    await stopped;
    assert.equal(state.status, 'failed');
    assert.ok(
      Object.values(state.waves.application.jobKeys).every((job) => !job.jobId),
      `the application wave started no job: ${JSON.stringify(state.waves.application.jobKeys)}`,
    );
    assert.equal(state.waves.application.steps['application/pre/0'].status, 'failed');
    const reservations = (
      await ec2.send(
        new DescribeInstancesCommand({
          Filters: [
            { Name: 'tag:Role', Values: ['app'] },
            { Name: 'tag:AWSElasticDisasterRecoveryManaged', Values: ['drs.amazonaws.com'] },
          ],
        }),
      )
    ).Reservations;
    assert.equal(reservations?.length ?? 0, 0, 'no app recovery instance was launched');
    assert.match(
      JSON.stringify(state.waves.application),
      /State\.Name is \[\\"stopped\\"\], expected \[\\"running\\"\]/,
    );
    await runner.cleanupDrill();
  });
});
