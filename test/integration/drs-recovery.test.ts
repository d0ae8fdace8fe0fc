import * as assert from 'node:assert/strict';
import {
  DescribeJobLogItemsCommand,
  DescribeJobsCommand,
  DescribeRecoveryInstancesCommand,
  DescribeSourceServersCommand,
  DrsClient,
  paginateDescribeJobLogItems,
  StartRecoveryCommand,
  TerminateRecoveryInstancesCommand,
  UpdateLaunchConfigurationCommand,
  type JobLog,
} from '@aws-sdk/client-drs';
import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import type { SampleAccountSummary } from '../../tools/seed/sampleAccount';
import {
  clientConfig,
  describeJob,
  emulatorStack,
  resetAndSeed,
  restoreTestClock,
  useEmulatorStack,
  waitFor,
  waitForJobCompletion,
} from '../support/emulators';

useEmulatorStack();

async function ec2Instances(ec2: EC2Client, ids: string[]): Promise<Map<string, Instance>> {
  const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
  return new Map((Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId!, i]));
}

function tagsOf(instance: Instance): Record<string, string> {
  return Object.fromEntries((instance.Tags ?? []).map((t) => [t.Key!, t.Value!]));
}

async function allLogItems(drs: DrsClient, jobID: string): Promise<JobLog[]> {
  const items: JobLog[] = [];
  for await (const page of paginateDescribeJobLogItems({ client: drs, pageSize: 5 }, { jobID }))
    items.push(...(page.items ?? []));
  return items;
}

describe('DRS drill and termination', function () {
  let sample: SampleAccountSummary;
  let drs: DrsClient;
  let ec2: EC2Client;
  let serverIds: string[];

  before(async function () {
    this.timeout(60_000);
    sample = (await resetAndSeed('sample')).sample!;
    serverIds = Object.values(sample.servers).map((s) => s.sourceServerId);
    drs = new DrsClient(clientConfig());
    ec2 = new EC2Client(clientConfig());
  });

  after(() => {
    drs.destroy();
    ec2.destroy();
  });

  let drillJobId: string;
  let recoveryInstanceIds: string[];

  it('runs a drill job to COMPLETED with every server LAUNCHED', async function () {
    const started = await drs.send(
      new StartRecoveryCommand({
        sourceServers: serverIds.map((sourceServerID) => ({ sourceServerID })),
        isDrill: true,
        tags: { Exercise: 'q3-drill' },
      }),
    );
    assert.equal(started.$metadata.httpStatusCode, 202);
    const job = started.job!;
    drillJobId = job.jobID!;
    assert.match(drillJobId, /^drsjob-[0-9a-f]{17}$/);
    assert.equal(job.arn, `arn:aws:drs:us-east-1:123456789012:job/${job.jobID}`);
    assert.equal(job.type, 'LAUNCH');
    assert.equal(job.initiatedBy, 'START_DRILL');
    assert.equal(job.status, 'PENDING');
    assert.deepEqual(job.tags, { Exercise: 'q3-drill' });
    assert.deepEqual(
      job.participatingServers?.map((p) => p.launchStatus),
      ['PENDING', 'PENDING', 'PENDING'],
    );

    const done = await waitForJobCompletion(drs, drillJobId);
    assert.ok(done.endDateTime && done.endDateTime >= done.creationDateTime!);
    for (const participant of done.participatingServers ?? []) {
      assert.equal(participant.launchStatus, 'LAUNCHED', participant.sourceServerID);
      assert.match(participant.recoveryInstanceID ?? '', /^i-[0-9a-f]{17}$/);
    }
    recoveryInstanceIds = done.participatingServers!.map((p) => p.recoveryInstanceID!);
  });

  it('writes the job log in DRS order, per server', async function () {
    const items = await allLogItems(drs, drillJobId);
    assert.equal(items[0].event, 'JOB_START');
    assert.equal(items[items.length - 1].event, 'JOB_END');
    for (const id of serverIds) {
      const events = items.filter((i) => i.eventData?.sourceServerID === id).map((i) => i.event);
      assert.deepEqual(events, [
        'SNAPSHOT_START',
        'SNAPSHOT_END',
        'CONVERSION_START',
        'CONVERSION_END',
        'LAUNCH_START',
      ]);
    }
    const conversion = items.find((i) => i.event === 'CONVERSION_START');
    assert.match(conversion?.eventData?.conversionServerID ?? '', /^i-[0-9a-f]{17}$/);
    const times = items.map((i) => Date.parse(i.logDateTime!));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'log items are in time order',
    );
  });

  it('lists the drill instances in DescribeRecoveryInstances with their EC2 state', async function () {
    const { items } = await drs.send(new DescribeRecoveryInstancesCommand({ filters: { sourceServerIDs: serverIds } }));
    assert.equal(items?.length, 3);
    for (const instance of items!) {
      assert.ok(recoveryInstanceIds.includes(instance.recoveryInstanceID!));
      assert.equal(instance.ec2InstanceID, instance.recoveryInstanceID);
      assert.equal(instance.ec2InstanceState, 'RUNNING');
      assert.equal(instance.jobID, drillJobId);
      assert.equal(instance.isDrill, true);
      assert.equal(instance.arn, `arn:aws:drs:us-east-1:123456789012:recovery-instance/${instance.recoveryInstanceID}`);
    }
    const one = await drs.send(
      new DescribeRecoveryInstancesCommand({ filters: { recoveryInstanceIDs: [recoveryInstanceIds[0]] } }),
    );
    assert.deepEqual(
      one.items?.map((i) => i.recoveryInstanceID),
      [recoveryInstanceIds[0]],
    );
  });

  it('launched the recovery instances in EC2 from each launch template', async function () {
    const instances = await ec2Instances(ec2, recoveryInstanceIds);
    assert.equal(instances.size, 3);
    const { items: sources } = await drs.send(
      new DescribeSourceServersCommand({ filters: { sourceServerIDs: serverIds } }),
    );
    for (const server of Object.values(sample.servers)) {
      const source = sources!.find((s) => s.sourceServerID === server.sourceServerId)!;
      const instance = instances.get(source.recoveryInstanceId!);
      assert.ok(instance, `recovery instance of ${server.name} is in EC2`);
      const tags = tagsOf(instance);
      assert.equal(tags.Name, server.name);
      assert.equal(tags.AWSElasticDisasterRecoveryManaged, 'drs.amazonaws.com');
      assert.equal(tags.AWSElasticDisasterRecoverySourceServerID, server.sourceServerId);
      assert.equal(tags.Exercise, 'q3-drill', 'StartRecovery tags reach the instance');
      assert.equal(tags.Role, server.role, 'copyTags copies the source tags');
      assert.equal(tags['aws:ec2launchtemplate:id'], server.launchTemplateId);
      assert.equal(instance.SubnetId, server.subnetId);
      assert.equal(instance.InstanceType, server.instanceType);
      assert.deepEqual(
        instance.SecurityGroups?.map((g) => g.GroupId),
        [server.securityGroupId],
      );
      assert.equal(instance.ImageId, sample.imageId);

      assert.equal(source.lastLaunchResult, 'SUCCEEDED');
      assert.equal(source.lifeCycle?.lastLaunch?.status, 'LAUNCHED');
      assert.equal(source.lifeCycle?.lastLaunch?.initiated?.type, 'DRILL');
      assert.equal(source.lifeCycle?.lastLaunch?.initiated?.jobID, drillJobId);
    }
  });

  it('terminates the recovery instances in EC2 through a TERMINATE job', async function () {
    const { job } = await drs.send(new TerminateRecoveryInstancesCommand({ recoveryInstanceIDs: recoveryInstanceIds }));
    assert.equal(job?.type, 'TERMINATE');
    assert.equal(job?.initiatedBy, 'TERMINATE_RECOVERY_INSTANCES');
    const done = await waitForJobCompletion(drs, job?.jobID);
    assert.deepEqual(
      done.participatingServers?.map((p) => p.launchStatus),
      ['TERMINATED', 'TERMINATED', 'TERMINATED'],
    );

    const instances = await ec2Instances(ec2, recoveryInstanceIds);
    for (const id of recoveryInstanceIds) assert.equal(instances.get(id)?.State?.Name, 'terminated', id);
    const { items } = await drs.send(new DescribeRecoveryInstancesCommand({}));
    assert.deepEqual(items, []);

    const events = (await allLogItems(drs, job!.jobID!)).map((i) => i.event);
    assert.equal(events.filter((e) => e === 'CLEANUP_END').length, 3);
    const { items: sources } = await drs.send(
      new DescribeSourceServersCommand({ filters: { sourceServerIDs: serverIds } }),
    );
    assert.ok(
      sources!.every((s) => s.recoveryInstanceId === undefined && s.lifeCycle?.lastLaunch?.status === 'TERMINATED'),
    );
  });

  it('keeps every job in DescribeJobs, filterable by date', async function () {
    const { items } = await drs.send(new DescribeJobsCommand({}));
    assert.deepEqual(
      items?.map((j) => j.type),
      ['LAUNCH', 'TERMINATE'],
    );
    const future = new Date(Date.now() + 60_000).toISOString();
    const none = await drs.send(new DescribeJobsCommand({ filters: { fromDate: future } }));
    assert.deepEqual(none.items, []);
    const past = new Date(Date.now() - 60_000).toISOString();
    const both = await drs.send(new DescribeJobsCommand({ filters: { fromDate: past, toDate: future } }));
    assert.equal(both.items?.length, 2);
  });
});

describe('DRS job progression over the clock', function () {
  let sample: SampleAccountSummary;
  let drs: DrsClient;
  let ec2: EC2Client;

  before(async function () {
    this.timeout(60_000);
    sample = (await resetAndSeed('sample')).sample!;
    drs = new DrsClient(clientConfig());
    ec2 = new EC2Client(clientConfig());
  });

  after(() => {
    drs.destroy();
    ec2.destroy();
  });

  it('moves PENDING -> STARTED -> COMPLETED while the server goes PENDING -> IN_PROGRESS -> LAUNCHED', async function () {
    this.timeout(20_000);
    await emulatorStack().admin.setClock({
      timeScale: 1,
      phaseDurationsMs: { pending: 200, snapshot: 400, conversion: 200, launch: 200, finalize: 200 },
    });
    const sourceServerID = sample.servers.app.sourceServerId;
    const seen: string[] = [];
    try {
      const { job } = await drs.send(new StartRecoveryCommand({ sourceServers: [{ sourceServerID }], isDrill: false }));
      assert.equal(job?.initiatedBy, 'START_RECOVERY');
      seen.push(`${job?.status}/${job?.participatingServers?.[0]?.launchStatus}`);
      await waitFor(async () => {
        const current = await describeJob(drs, job?.jobID);
        const state = `${current.status}/${current.participatingServers?.[0]?.launchStatus}`;
        if (seen[seen.length - 1] !== state) seen.push(state);
        return current.status === 'COMPLETED' ? current : undefined;
      }, 'the recovery job');
    } finally {
      await restoreTestClock();
    }
    // The job wraps up (finalize phase) after its last server launched; a slow poll may miss that step.
    const order = ['PENDING/PENDING', 'STARTED/IN_PROGRESS', 'STARTED/LAUNCHED', 'COMPLETED/LAUNCHED'];
    const positions = seen.map((state) => order.indexOf(state));
    assert.ok(
      positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1])),
      `states in order: ${seen.join(', ')}`,
    );
    assert.equal(seen[0], 'PENDING/PENDING');
    assert.ok(seen.includes('STARTED/IN_PROGRESS'), `saw the job running: ${seen.join(', ')}`);
    assert.equal(seen[seen.length - 1], 'COMPLETED/LAUNCHED');

    const { items } = await drs.send(
      new DescribeSourceServersCommand({ filters: { sourceServerIDs: [sourceServerID] } }),
    );
    assert.equal(items?.[0]?.lifeCycle?.lastLaunch?.initiated?.type, 'RECOVERY');
  });

  it('honours launchDisposition STOPPED and replaces the previous recovery instance', async function () {
    const sourceServerID = sample.servers.app.sourceServerId;
    const before = await drs.send(
      new DescribeRecoveryInstancesCommand({ filters: { sourceServerIDs: [sourceServerID] } }),
    );
    const previous = before.items?.[0]?.recoveryInstanceID;
    assert.ok(previous, 'the recovery from the previous test left an instance');

    await drs.send(new UpdateLaunchConfigurationCommand({ sourceServerID, launchDisposition: 'STOPPED' }));
    const { job } = await drs.send(new StartRecoveryCommand({ sourceServers: [{ sourceServerID }], isDrill: true }));
    const done = await waitForJobCompletion(drs, job?.jobID);
    const current = done.participatingServers![0].recoveryInstanceID!;
    assert.notEqual(current, previous);

    const after = await drs.send(
      new DescribeRecoveryInstancesCommand({ filters: { sourceServerIDs: [sourceServerID] } }),
    );
    assert.deepEqual(
      after.items?.map((i) => [i.recoveryInstanceID, i.ec2InstanceState]),
      [[current, 'STOPPED']],
    );
    const instances = await ec2Instances(ec2, [previous, current]);
    assert.equal(instances.get(previous)?.State?.Name, 'terminated');
    assert.equal(instances.get(current)?.State?.Name, 'stopped');
  });

  it('reports an unknown job as ResourceNotFoundException', async function () {
    await assert.rejects(drs.send(new DescribeJobLogItemsCommand({ jobID: 'drsjob-00000000000000000' })), {
      name: 'ResourceNotFoundException',
    });
  });
});
