import * as assert from 'node:assert/strict';
import { OperationDrReads } from '../../src/core/dr/operationGateway';
import { withCause } from '../../src/core/operations/outcomeCause';
import { explainError, type OperationRunner, type RunOptions, type RunOutcome } from '../../src/core/operations/runner';

interface Call {
  operationId: string;
  input: Record<string, unknown>;
  options: RunOptions;
}

/** An operation runner that answers reads from a script and records every call. */
function scriptedRunner(answer: (call: Call) => unknown) {
  const calls: Call[] = [];
  const runner = {
    async run(operationId: string, input: unknown, options: RunOptions): Promise<RunOutcome> {
      const call = { operationId, input: input as Record<string, unknown>, options };
      calls.push(call);
      const base: RunOutcome = {
        status: 'succeeded',
        correlationId: 'c',
        operationId,
        mode: options.mode,
        caller: options.caller,
        resourceIds: [],
        backups: [],
        durationMs: 0,
      };
      try {
        return { ...base, output: answer(call) };
      } catch (error) {
        return withCause({ ...base, status: 'failed', error: explainError(error) }, error);
      }
    },
  };
  return { runner: runner as unknown as Pick<OperationRunner, 'run'>, calls };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `s-${String(i).padStart(17, '0')}`);

describe('DR reads through the operation runner', () => {
  it('runs each read as its registered read operation, in chunks the operations accept, every page', async () => {
    const { runner, calls } = scriptedRunner((call) => {
      if (call.operationId === 'drs.sourceServers.list') {
        const wanted = call.input.sourceServerIds as string[];
        return call.input.nextToken
          ? { items: wanted.slice(100).map((id) => ({ sourceServerID: id })) }
          : {
              items: wanted.slice(0, 100).map((id) => ({ sourceServerID: id })),
              nextToken: wanted.length > 100 ? 'more' : undefined,
            };
      }
      throw new Error(`unexpected ${call.operationId}`);
    });
    const reads = new OperationDrReads({ runner, identity: async () => ({ account: '111122223333' }) });
    const servers = await reads.listSourceServers('eu-west-1', ids(250));
    assert.deepEqual(
      servers.map((server) => server.sourceServerID),
      ids(250),
    );
    assert.deepEqual(
      calls.map((call) => [(call.input.sourceServerIds as string[]).length, call.input.nextToken ?? null]),
      [
        [200, null],
        [200, 'more'],
        [50, null],
      ],
    );
    assert.ok(
      calls.every(
        (call) =>
          call.options.mode === 'execute' && call.options.caller === 'command' && call.options.region === 'eu-west-1',
      ),
    );
    assert.equal(reads.counters.snapshot().calls['drs:DescribeSourceServers'], 3);
    assert.equal(await reads.account(), '111122223333');
  });

  it('reads a missing SSM document or launch template as absent, and throws other AWS errors themselves', async () => {
    const { runner } = scriptedRunner((call) => {
      if (call.operationId === 'ssm.documents.describe')
        throw Object.assign(new Error('no such document'), { name: 'InvalidDocument' });
      if (call.operationId === 'ec2.launchTemplates.list')
        throw Object.assign(new Error('gone'), { name: 'InvalidLaunchTemplateId.NotFound' });
      if (call.operationId === 'drs.jobs.list')
        throw Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
      throw new Error(`unexpected ${call.operationId}`);
    });
    const reads = new OperationDrReads({ runner, identity: async () => ({ account: '111122223333' }) });
    assert.equal(await reads.describeDocument('us-east-1', 'PL-Gone'), undefined);
    const [check] = await reads.checkLaunchTemplates('us-east-1', ['lt-0123456789abcdef0']);
    assert.equal(check.exists, false);
    assert.match(check.problems[0], /does not exist in us-east-1/);
    await assert.rejects(reads.describeJobs('us-east-1', { jobIds: ['drsjob-00000000000000001'] }), {
      name: 'ThrottlingException',
    });
    const stats = reads.counters.snapshot();
    assert.equal(stats.throttlingFailures, 1);
    assert.equal(stats.failures['drs:DescribeJobs'], 1);
  });
});
