import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { DescribeJobsCommand, DrsClient } from '@aws-sdk/client-drs';
import { readAuditTrail, verifyAuditTrail } from '../../src/core/audit';
import { DrRunner } from '../../src/core/dr/run';
import { resolveGuardrailPolicy, type GuardrailPolicy } from '../../src/core/guardrails';
import type { ApprovalProvider } from '../../src/core/guardrails/approval';
import { plan, productDeps, tempDir, tierGroups } from '../support/dr';
import { clientConfig, resetAndSeed, useEmulatorStack } from '../support/emulators';
import { approvingProvider, denyingProvider } from '../support/operationHarness';

useEmulatorStack();

/** DR runs whose every call, reads included, goes through the operation runner: guardrails, approvals, audit. */
describe('DR runs through the safety core', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let auditPath: string;
  const runners: DrRunner[] = [];
  const twoWavePlan = () =>
    plan(
      'db-then-web',
      [
        { name: 'db', protectionGroups: ['db-tier'] },
        { name: 'web', protectionGroups: ['web-tier'], dependsOn: ['db'] },
      ],
      { failurePolicy: 'stop' },
    );

  beforeEach(async () => {
    await resetAndSeed('sample');
    dir = tempDir();
    auditPath = join(dir.path, 'audit.jsonl');
  });
  afterEach(() => {
    for (const runner of runners.splice(0)) runner.dispose();
    dir.remove();
  });

  async function guardedRunner(approval: ApprovalProvider | undefined, policy?: GuardrailPolicy) {
    const deps = await productDeps(join(dir.path, 'runs'), { auditPath, approval, policy });
    const runner = await DrRunner.create(deps, { plan: twoWavePlan(), groups: tierGroups(), mode: 'drill' });
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
    const results = (operation: string) =>
      runLines.filter((line) => line.operation === operation).map((line) => line.outcome);
    assert.deepEqual(results('drs.recovery.start'), ['approved', 'succeeded', 'approved', 'succeeded']);
    assert.ok(
      results('drs.recoveryInstances.terminate').includes('succeeded'),
      JSON.stringify(results('drs.recoveryInstances.terminate')),
    );
    assert.ok(
      runLines.every((line) => line.callerArn && line.account),
      'caller and account recorded',
    );
    assert.equal((await verifyAuditTrail(auditPath)).ok, true);
  });

  it('reads through the operation runner too: with auditReads, every DR read is an audited read operation', async () => {
    const runner = await guardedRunner(
      approvingProvider(),
      resolveGuardrailPolicy({ settings: { auditReads: true } }).policy,
    );
    const state = await runner.run();
    assert.equal(state.status, 'completed', JSON.stringify(state.errors ?? state));
    const reads = (await readAuditTrail(auditPath, {})).filter((line) => line.operationKind === 'read');
    const operations = new Set(reads.map((line) => `${line.caller} ${line.operation} ${line.outcome}`));
    for (const operation of [
      'drs.sourceServers.list',
      'drs.jobs.list',
      'drs.jobs.logItems',
      'drs.launchConfiguration.get',
      'drs.recoveryInstances.list',
      'ec2.launchTemplates.list',
    ]) {
      assert.ok(operations.has(`command ${operation} succeeded`), `${operation} in ${JSON.stringify([...operations])}`);
    }
  });
});
