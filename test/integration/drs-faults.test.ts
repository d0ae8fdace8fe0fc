import * as assert from 'node:assert/strict';
import {
  ConflictException,
  DescribeJobLogItemsCommand,
  DescribeRecoveryInstancesCommand,
  DescribeSourceServersCommand,
  DrsClient,
  ServiceQuotaExceededException,
  StartRecoveryCommand,
  ThrottlingException,
} from '@aws-sdk/client-drs';
import type { SampleAccountSummary } from '../../tools/seed/sampleAccount';
import {
  clientConfig,
  emulatorStack,
  resetAndSeed,
  restoreTestClock,
  useEmulatorStack,
  waitForJobCompletion,
} from '../support/emulators';

useEmulatorStack();

describe('DRS fault injection', function () {
  let sample: SampleAccountSummary;
  let drs: DrsClient;
  let drsNoRetry: DrsClient;

  beforeEach(async function () {
    this.timeout(60_000);
    sample = (await resetAndSeed('sample')).sample!;
  });

  before(() => {
    drs = new DrsClient(clientConfig());
    drsNoRetry = new DrsClient(clientConfig({ maxAttempts: 1 }));
  });

  after(() => {
    drs.destroy();
    drsNoRetry.destroy();
  });

  it('throttles the next N calls of one operation with ThrottlingException (HTTP 429)', async function () {
    const admin = emulatorStack().admin;
    await admin.throttle({ operation: 'DescribeSourceServers', count: 2 });
    for (let i = 0; i < 2; i++) {
      await assert.rejects(drsNoRetry.send(new DescribeSourceServersCommand({})), (error: unknown) => {
        assert.ok(error instanceof ThrottlingException);
        assert.equal(error.name, 'ThrottlingException');
        assert.equal(error.$metadata.httpStatusCode, 429);
        return true;
      });
    }
    const after = await drsNoRetry.send(new DescribeSourceServersCommand({}));
    assert.equal(after.items?.length, 3);
    assert.deepEqual((await admin.faults()).throttles, []);
    assert.equal((await admin.stats()).operations.DescribeSourceServers, 3);
  });

  it('lets the SDK retry through a single throttled call', async function () {
    await emulatorStack().admin.throttle({ operation: 'DescribeSourceServers', count: 1 });
    const result = await drs.send(new DescribeSourceServersCommand({}));
    assert.equal(result.$metadata.attempts, 2);
    assert.equal(result.items?.length, 3);
  });

  it('answers ConflictException for a server held by another job', async function () {
    const web = sample.servers.web.sourceServerId;
    await emulatorStack().admin.conflict({ sourceServerID: web, count: 1 });
    await assert.rejects(
      drs.send(new StartRecoveryCommand({ sourceServers: [{ sourceServerID: web }], isDrill: true })),
      (error: unknown) => {
        assert.ok(error instanceof ConflictException);
        assert.equal(error.$metadata.httpStatusCode, 409);
        assert.equal(error.resourceId, web);
        assert.match(error.message, /being processed by another job/);
        return true;
      },
    );
    // A real job holds the server too, until it completes.
    const { job } = await drs.send(
      new StartRecoveryCommand({ sourceServers: [{ sourceServerID: web }], isDrill: true }),
    );
    await assert.rejects(
      drs.send(new StartRecoveryCommand({ sourceServers: [{ sourceServerID: web }], isDrill: true })),
      (error: unknown) => {
        assert.ok(error instanceof ConflictException);
        assert.ok(error.message.includes(job!.jobID!), 'names the job holding the server');
        return true;
      },
    );
    await waitForJobCompletion(drs, job?.jobID);
    const again = await drs.send(new StartRecoveryCommand({ sourceServers: [{ sourceServerID: web }], isDrill: true }));
    await waitForJobCompletion(drs, again.job?.jobID);
  });

  it('fails a server launch: LAUNCH_FAILED in the log, FAILED status, no recovery instance', async function () {
    const db = sample.servers.db.sourceServerId;
    await emulatorStack().admin.failLaunch({
      sourceServerID: db,
      rawError: 'InsufficientInstanceCapacity for r5.large',
    });
    const ids = Object.values(sample.servers).map((s) => s.sourceServerId);
    const { job } = await drs.send(
      new StartRecoveryCommand({ sourceServers: ids.map((sourceServerID) => ({ sourceServerID })), isDrill: true }),
    );
    const done = await waitForJobCompletion(drs, job?.jobID);
    assert.equal(done.status, 'COMPLETED', 'a failed launch does not stop the job');
    const statuses = Object.fromEntries(done.participatingServers!.map((p) => [p.sourceServerID, p.launchStatus]));
    assert.deepEqual(statuses, {
      [sample.servers.web.sourceServerId]: 'LAUNCHED',
      [sample.servers.app.sourceServerId]: 'LAUNCHED',
      [db]: 'FAILED',
    });

    const { items: log } = await drs.send(new DescribeJobLogItemsCommand({ jobID: job!.jobID }));
    const failure = log!.find((i) => i.event === 'LAUNCH_FAILED');
    assert.equal(failure?.eventData?.sourceServerID, db);
    assert.equal(failure?.eventData?.rawError, 'InsufficientInstanceCapacity for r5.large');

    const { items: servers } = await drs.send(new DescribeSourceServersCommand({ filters: { sourceServerIDs: [db] } }));
    assert.equal(servers?.[0]?.lastLaunchResult, 'FAILED');
    assert.equal(servers?.[0]?.lifeCycle?.lastLaunch?.status, 'FAILED');
    const { items: recovery } = await drs.send(
      new DescribeRecoveryInstancesCommand({ filters: { sourceServerIDs: [db] } }),
    );
    assert.deepEqual(recovery, []);
  });

  it('fails the launch for real when the launch template is gone from EC2', async function () {
    const [orphan] = await emulatorStack().admin.seedSourceServers([
      { hostname: 'orphan-1', ec2LaunchTemplateID: 'lt-0123456789abcdef0' },
    ]);
    const { job } = await drs.send(
      new StartRecoveryCommand({ sourceServers: [{ sourceServerID: orphan.sourceServerID }], isDrill: true }),
    );
    const done = await waitForJobCompletion(drs, job?.jobID);
    assert.equal(done.participatingServers?.[0]?.launchStatus, 'FAILED');
    const { items: log } = await drs.send(new DescribeJobLogItemsCommand({ jobID: job!.jobID }));
    assert.match(
      log!.find((i) => i.event === 'LAUNCH_FAILED')?.eventData?.rawError ?? '',
      /DescribeLaunchTemplateVersions/,
    );
  });

  it('shows stalled replication in DescribeSourceServers', async function () {
    const app = sample.servers.app.sourceServerId;
    await emulatorStack().admin.setReplicationState(app, { state: 'STALLED' });
    const { items } = await drs.send(new DescribeSourceServersCommand({}));
    const stalled = items!.filter((s) => s.dataReplicationInfo?.dataReplicationState === 'STALLED');
    assert.deepEqual(
      stalled.map((s) => s.sourceServerID),
      [app],
    );
    assert.equal(stalled[0].dataReplicationInfo?.dataReplicationError?.error, 'UNSTABLE_NETWORK');
    assert.match(stalled[0].dataReplicationInfo?.lagDuration ?? '', /^P(\d+D)?T/);
    const healthy = items!.filter((s) => s.sourceServerID !== app);
    assert.ok(
      healthy.every(
        (s) =>
          s.dataReplicationInfo?.dataReplicationState === 'CONTINUOUS' && !s.dataReplicationInfo.dataReplicationError,
      ),
    );
  });

  it('cannot launch a server that has not finished its initial sync', async function () {
    const web = sample.servers.web.sourceServerId;
    await emulatorStack().admin.setReplicationState(web, { state: 'INITIAL_SYNC' });
    const { job } = await drs.send(
      new StartRecoveryCommand({ sourceServers: [{ sourceServerID: web }], isDrill: true }),
    );
    const done = await waitForJobCompletion(drs, job?.jobID);
    assert.equal(done.participatingServers?.[0]?.launchStatus, 'FAILED');
    const { items: log } = await drs.send(new DescribeJobLogItemsCommand({ jobID: job!.jobID }));
    assert.ok(log!.some((i) => i.event === 'SNAPSHOT_FAIL' && i.eventData?.sourceServerID === web));
  });

  it('refuses a 21st concurrent job with ServiceQuotaExceededException', async function () {
    this.timeout(30_000);
    const admin = emulatorStack().admin;
    const seeded = await admin.seedSourceServers(
      Array.from({ length: 21 }, (_, i) => ({ hostname: `quota-${i + 1}` })),
    );
    await admin.setClock({ timeScale: 1, phaseDurationsMs: { pending: 60_000 } });
    try {
      for (const server of seeded.slice(0, 20)) {
        await drs.send(
          new StartRecoveryCommand({ sourceServers: [{ sourceServerID: server.sourceServerID }], isDrill: true }),
        );
      }
      await assert.rejects(
        drs.send(
          new StartRecoveryCommand({ sourceServers: [{ sourceServerID: seeded[20].sourceServerID }], isDrill: true }),
        ),
        (error: unknown) => error instanceof ServiceQuotaExceededException && error.$metadata.httpStatusCode === 402,
      );
    } finally {
      await admin.reset();
      await restoreTestClock();
    }
  });
});
