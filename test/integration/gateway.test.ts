import * as assert from 'node:assert/strict';
import { request } from 'node:http';
import { DescribeSourceServersCommand, DrsClient } from '@aws-sdk/client-drs';
import { DescribeInstancesCommand, EC2Client, StartInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import {
  CreateDocumentCommand,
  GetAutomationExecutionCommand,
  SSMClient,
  StartAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DrsEmulatorAdmin } from '../../tools/emulators/drs/adminClient';
import { SLEEP_RUNBOOK } from '../support/dr';
import { clientConfig, emulatorStack, resetAndSeed, useEmulatorStack, waitFor } from '../support/emulators';

useEmulatorStack();

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function rawPost(endpoint: string, path: string, service: string, body: string): Promise<RawResponse> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path,
        agent: false,
        headers: {
          'content-type': service === 'drs' ? 'application/json' : 'application/x-www-form-urlencoded; charset=utf-8',
          authorization: `AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('gateway', function () {
  before(async function () {
    this.timeout(60_000);
    await resetAndSeed('sample');
  });

  it('sends STS and EC2 to moto', async function () {
    const sts = new STSClient(clientConfig());
    const ec2 = new EC2Client(clientConfig());
    try {
      const identity = await sts.send(new GetCallerIdentityCommand({}));
      assert.equal(identity.Account, '123456789012');
      const { Reservations } = await ec2.send(new DescribeInstancesCommand({}));
      assert.equal(Reservations?.flatMap((r) => r.Instances ?? []).length, 3);
    } finally {
      sts.destroy();
      ec2.destroy();
    }
  });

  it('shows EC2 instances in transition (stopping, pending) for a while when asked, as AWS does and moto does not', async function () {
    this.timeout(30_000);
    const admin = new DrsEmulatorAdmin(emulatorStack().endpoint);
    const ec2 = new EC2Client(clientConfig());
    const stateOf = async (id: string) =>
      (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0]?.State;
    try {
      const { Reservations } = await ec2.send(new DescribeInstancesCommand({}));
      const id = Reservations?.flatMap((r) => r.Instances ?? []).find(
        (instance) => instance.State?.Name === 'running',
      )?.InstanceId;
      assert.ok(id, 'a running instance in the sample account');

      await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
      assert.equal((await stateOf(id))?.Name, 'stopped', 'off by default: moto stops at once');
      await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));

      const status = await admin.ec2Transitions(1_500);
      assert.equal(status.transitionMs, 1_500);
      await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
      assert.deepEqual(await stateOf(id), { Code: 64, Name: 'stopping' });
      const all =
        (await ec2.send(new DescribeInstancesCommand({}))).Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
      assert.deepEqual(
        all.filter((instance) => instance.State?.Name === 'stopping').map((instance) => instance.InstanceId),
        [id],
        'only that instance',
      );
      await waitFor(async () => ((await stateOf(id))?.Name === 'stopped' ? true : undefined), 'the stop to settle', {
        timeoutMs: 10_000,
        intervalMs: 200,
      });

      await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
      assert.deepEqual(await stateOf(id), { Code: 0, Name: 'pending' });
      await waitFor(async () => ((await stateOf(id))?.Name === 'running' ? true : undefined), 'the start to settle', {
        timeoutMs: 10_000,
        intervalMs: 200,
      });
    } finally {
      await admin.ec2Transitions(null);
      ec2.destroy();
    }
  });

  it('sends requests signed for drs to the DRS emulator', async function () {
    const stack = emulatorStack();
    const before = (await stack.admin.stats()).operations.DescribeSourceServers ?? 0;
    const drs = new DrsClient(clientConfig());
    try {
      const { items } = await drs.send(new DescribeSourceServersCommand({}));
      assert.equal(items?.length, 3);
    } finally {
      drs.destroy();
    }
    assert.equal((await stack.admin.stats()).operations.DescribeSourceServers, before + 1);
    // moto itself has no DRS: the routing is what makes the single endpoint work.
    const direct = await rawPost(stack.motoEndpoint, '/DescribeSourceServers', 'drs', '{}');
    assert.notEqual(direct.status, 200);
  });

  it('proxies moto responses byte for byte', async function () {
    const stack = emulatorStack();
    const form = 'Action=DescribeAvailabilityZones&Version=2016-11-15';
    const [viaGateway, direct] = await Promise.all([
      rawPost(stack.endpoint, '/', 'ec2', form),
      rawPost(stack.motoEndpoint, '/', 'ec2', form),
    ]);
    assert.equal(viaGateway.status, 200);
    assert.equal(viaGateway.status, direct.status);
    assert.equal(viaGateway.headers['content-type'], direct.headers['content-type']);
    assert.ok(viaGateway.body.includes('us-east-1a'));
    assert.ok(viaGateway.body.equals(direct.body), 'identical bodies');
  });

  it('serves the admin API on the gateway URL', async function () {
    const admin = new DrsEmulatorAdmin(emulatorStack().endpoint);
    assert.deepEqual(await admin.health(), { ok: true });
    assert.equal((await admin.stats()).regions['us-east-1'].sourceServers, 3);
  });

  it('keeps DRS state per region, as DRS does', async function () {
    const drs = new DrsClient({ ...clientConfig(), region: 'eu-west-1' });
    try {
      const { items } = await drs.send(new DescribeSourceServersCommand({}));
      assert.deepEqual(items, []);
    } finally {
      drs.destroy();
    }
  });

  it('runs SSM Automation executions, which moto lacks, on the same endpoint', async function () {
    const ssm = new SSMClient(clientConfig({ maxAttempts: 1 }));
    try {
      await ssm.send(
        new CreateDocumentCommand({
          Name: 'Gateway-Sleep',
          DocumentType: 'Automation',
          DocumentFormat: 'JSON',
          Content: SLEEP_RUNBOOK,
        }),
      );
      const { AutomationExecutionId } = await ssm.send(
        new StartAutomationExecutionCommand({
          DocumentName: 'Gateway-Sleep',
          Parameters: { Tier: ['web'], Seconds: ['PT0S'] },
        }),
      );
      assert.match(AutomationExecutionId ?? '', /^[0-9a-f-]{36}$/);
      const execution = (await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId })))
        .AutomationExecution;
      assert.equal(execution?.DocumentName, 'Gateway-Sleep');
      assert.ok(
        ['Pending', 'InProgress', 'Success'].includes(execution?.AutomationExecutionStatus ?? ''),
        execution?.AutomationExecutionStatus,
      );
    } finally {
      ssm.destroy();
    }
  });
});
