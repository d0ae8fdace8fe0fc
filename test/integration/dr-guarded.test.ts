import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { DescribeJobsCommand, DrsClient } from '@aws-sdk/client-drs';
import { readAuditTrail, verifyAuditTrail } from '../../src/core/audit';
import { AuditTrail } from '../../src/core/audit/auditTrail';
import { OperationDrActionGateway, RunScopedApprovalProvider } from '../../src/core/dr/operationGateway';
import { DrRunner } from '../../src/core/dr/run';
import { resolveGuardrailPolicy } from '../../src/core/guardrails';
import { createOperationRegistry } from '../../src/core/operations';
import { OperationRunner } from '../../src/core/operations/runner';
import { emulatorConnection } from '../support/connection';
import { emulatorClients, plan, runnerDeps, tempDir, tierGroups } from '../support/dr';
import { clientConfig, emulatorStack, resetAndSeed, useEmulatorStack } from '../support/emulators';
import { approvingProvider, denyingProvider } from '../support/operationHarness';

useEmulatorStack();

/** DR runs whose every mutating call goes through the operation runner: guardrails, approvals, audit. */
describe('DR runs through the safety core', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let clients: ReturnType<typeof emulatorClients>;
  let auditPath: string;
  const runners: DrRunner[] = [];
  const twoWavePlan = () => plan('db-then-web', [
    { name: 'db', protectionGroups: ['db-tier'] },
    { name: 'web', protectionGroups: ['web-tier'], dependsOn: ['db'] },
  ], { failurePolicy: 'stop' });

  beforeEach(async () => {
    await resetAndSeed('sample');
    dir = tempDir();
    auditPath = join(dir.path, 'audit.jsonl');
    const stack = emulatorStack();
    clients = emulatorClients({ endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials });
  });
  afterEach(() => {
    for (const runner of runners.splice(0)) runner.dispose();
    clients.destroy();
    dir.remove();
  });

  async function guardedRunner(approval: ConstructorParameters<typeof RunScopedApprovalProvider>[0] | undefined) {
    const connection = await emulatorConnection();
    const policy = resolveGuardrailPolicy({}).policy;
    const operations = new OperationRunner({ registry: createOperationRegistry(), connection, policy, audit: new AuditTrail(auditPath) });
    const gateway = new OperationDrActionGateway({
      runner: operations,
      approvalProvider: approval && new RunScopedApprovalProvider(approval),
      terminateBatchSize: () => policy.maxResourcesPerOperation,
    });
    const runner = await DrRunner.create(runnerDeps(clients, join(dir.path, 'runs'), { gateway }), { plan: twoWavePlan(), groups: tierGroups(), mode: 'drill' });
    runners.push(runner);
    return runner;
  }

  async function jobCount(): Promise<number> {
    const drs = new DrsClient(clientConfig());
    try {
      return (await drs.send(new DescribeJobsCommand({ filters: {} }))).items?.length ?? 0;
    } finally {
      drs.destroy();
    }
  }

  it('refuses a drill of production servers without an approval: no DRS job starts, the refusal is audited', async () => {
    const runner = await guardedRunner(undefined);
    const state = await runner.run();
    assert.equal(state.status, 'failed');
    assert.equal(await jobCount(), 0, 'no StartRecovery reached DRS');
    const lines = await readAuditTrail(auditPath, {});
    const refused = lines.filter((line) => line.operation === 'drs.recovery.start' && line.outcome === 'refused');
    assert.ok(refused.length >= 1, JSON.stringify(lines.map((line) => [line.operation, line.outcome])));
    assert.equal(refused[0].environment, 'production');
    assert.equal(refused[0].correlationId, state.runId, 'audit lines carry the run ID');
  });

  it('a denied approval stops the run before any job starts', async () => {
    const denying = denyingProvider();
    const runner = await guardedRunner(denying);
    const state = await runner.run();
    assert.equal(state.status, 'failed');
    assert.equal(denying.requests.length, 1);
    assert.equal(await jobCount(), 0);
  });

  it('asks once per run, then every StartRecovery and the drill cleanup are approved, executed and audited', async () => {
    const approving = approvingProvider();
    const runner = await guardedRunner(approving);
    const state = await runner.run();
    assert.equal(state.status, 'completed', JSON.stringify(state.errors ?? state));
    assert.equal(approving.requests.length, 1, 'one question for the whole run');
    assert.match(approving.requests[0].requiredConfirmation ?? '', /production/);
    assert.equal(await jobCount(), 2, 'one LAUNCH job per wave');

    await runner.cleanupDrill();
    const lines = await readAuditTrail(auditPath, {});
    const runLines = lines.filter((line) => line.correlationId === state.runId);
    const results = (operation: string) => runLines.filter((line) => line.operation === operation).map((line) => line.outcome);
    assert.deepEqual(results('drs.recovery.start'), ['approved', 'succeeded', 'approved', 'succeeded']);
    assert.ok(results('drs.recoveryInstances.terminate').includes('succeeded'), JSON.stringify(results('drs.recoveryInstances.terminate')));
    assert.ok(runLines.every((line) => line.callerArn && line.account), 'caller and account recorded');
    assert.equal((await verifyAuditTrail(auditPath)).ok, true);
  });
});
