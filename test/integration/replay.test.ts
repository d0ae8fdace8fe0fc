import * as assert from 'node:assert/strict';
import { DescribeInstancesCommand, EC2Client, type DescribeInstancesCommandInput } from '@aws-sdk/client-ec2';
import {
  recordExchanges,
  ReplayRecording,
  startReplayServer,
  type ReplayServer,
} from '../../tools/emulators/replay/server';
import { clientConfig, resetAndSeed, useEmulatorStack } from '../support/emulators';

useEmulatorStack();

const ids = (output: { Reservations?: Array<{ Instances?: Array<{ InstanceId?: string }> }> }) =>
  (output.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId);

describe('replay endpoint (DescribeInstances recorded from moto)', function () {
  this.timeout(120_000);
  const recording = new ReplayRecording();
  let replay: ReplayServer;
  let replayClient: EC2Client;
  const fromMoto: Array<{ input: DescribeInstancesCommandInput; ids: Array<string | undefined> }> = [];

  before(async () => {
    await resetAndSeed('sample');
    const moto = new EC2Client(clientConfig());
    recordExchanges(moto, recording);
    try {
      let nextToken: string | undefined;
      do {
        const input = { MaxResults: 5, NextToken: nextToken };
        const output = await moto.send(new DescribeInstancesCommand(input));
        fromMoto.push({ input, ids: ids(output) });
        nextToken = output.NextToken;
      } while (nextToken);
      const filtered = { MaxResults: 5, Filters: [{ Name: 'tag:Name', Values: ['*web*', '*WEB*'] }] };
      fromMoto.push({ input: filtered, ids: ids(await moto.send(new DescribeInstancesCommand(filtered))) });
    } finally {
      moto.destroy();
    }
    replay = await startReplayServer(recording);
    replayClient = new EC2Client({ ...clientConfig({ maxAttempts: 1 }), endpoint: replay.endpoint });
  });

  after(async () => {
    replayClient?.destroy();
    await replay?.stop();
  });

  it('answers each recorded request with what moto answered, through the real SDK', async () => {
    assert.equal(recording.size, fromMoto.length);
    for (const { input, ids: expected } of fromMoto) {
      assert.deepEqual(
        ids(await replayClient.send(new DescribeInstancesCommand(input))),
        expected,
        JSON.stringify(input),
      );
    }
    assert.equal(replay.stats().answered, fromMoto.length);
  });

  it('answers 400 to anything not recorded: another page size, token, filter or action', async () => {
    const before = replay.stats().refused;
    const unrecorded: DescribeInstancesCommandInput[] = [
      { MaxResults: 6 },
      { MaxResults: 5, NextToken: 'not-a-recorded-token' },
      { MaxResults: 5, Filters: [{ Name: 'tag:Name', Values: ['*db*'] }] },
      { MaxResults: 5, Filters: [{ Name: 'tag:Name', Values: ['*web*'] }] },
      { InstanceIds: ['i-0123456789abcdef0'] },
    ];
    for (const input of unrecorded) {
      await assert.rejects(
        replayClient.send(new DescribeInstancesCommand(input)),
        (error: { name?: string; $metadata?: { httpStatusCode?: number } }) => {
          assert.equal(error.$metadata?.httpStatusCode, 400, JSON.stringify(input));
          assert.equal(error.name, 'ReplayNotRecorded');
          return true;
        },
      );
    }
    const plain = await fetch(replay.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeVolumes&Version=2016-11-15',
    });
    assert.equal(plain.status, 400);
    assert.equal(replay.stats().refused - before, unrecorded.length + 1);
  });
});
