import * as assert from 'node:assert/strict';
import { Ec2Lifecycle } from '../../tools/emulators/ec2/lifecycle';

const item = (id: string, code: number, name: string) =>
  `<item><instanceId>${id}</instanceId><imageId>ami-1</imageId><networkInterfaceSet><item><attachment><status>attached</status></attachment></item></networkInterfaceSet><instanceState><code>${code}</code><name>${name}</name></instanceState><subnetId>subnet-1</subnetId></item>`;
const answer = (...items: string[]) =>
  `<DescribeInstancesResponse><reservationSet><item><instancesSet>${items.join('')}</instancesSet></item></reservationSet></DescribeInstancesResponse>`;
const stop = (...ids: string[]) =>
  new URLSearchParams([
    ['Action', 'StopInstances'],
    ...ids.map((id, index): [string, string] => [`InstanceId.${index + 1}`, id]),
  ]);

describe('EC2 transitional states in the emulator gateway', () => {
  it('shows a stopped instance as stopping until its transition ends, and leaves the others alone', () => {
    let now = 1_000;
    const lifecycle = new Ec2Lifecycle(() => now);
    lifecycle.configure(3_000);
    lifecycle.observe('StopInstances', stop('i-0a'));
    assert.ok(lifecycle.wantsAnswer('DescribeInstances'));

    const moto = answer(item('i-0a', 80, 'stopped'), item('i-0b', 16, 'running'));
    assert.equal(
      lifecycle.rewriteDescribeInstances(moto),
      answer(item('i-0a', 64, 'stopping'), item('i-0b', 16, 'running')),
    );
    now += 3_000;
    assert.equal(lifecycle.rewriteDescribeInstances(moto), moto, 'moto’s own state once the time is up');
    assert.equal(lifecycle.wantsAnswer('DescribeInstances'), false, 'nothing to rewrite: answers stream through');
  });

  it('takes new instance IDs from the RunInstances answer and shows them pending', () => {
    const lifecycle = new Ec2Lifecycle(() => 0);
    lifecycle.configure(1_000);
    assert.ok(lifecycle.wantsAnswer('RunInstances'));
    lifecycle.observe(
      'RunInstances',
      new URLSearchParams([['Action', 'RunInstances']]),
      answer(item('i-0c', 16, 'running')),
    );
    lifecycle.observe(
      'TerminateInstances',
      new URLSearchParams([
        ['Action', 'TerminateInstances'],
        ['InstanceId.1', 'i-0d'],
      ]),
    );
    assert.deepEqual(lifecycle.status().transitions, {
      'i-0c': { state: 'pending', untilMs: 1_000 },
      'i-0d': { state: 'shutting-down', untilMs: 1_000 },
    });
    assert.equal(
      lifecycle.rewriteDescribeInstances(answer(item('i-0c', 16, 'running'))),
      answer(item('i-0c', 0, 'pending')),
    );
  });

  it('is off by default, forgets transitions when switched off, and rejects a bad duration', () => {
    const lifecycle = new Ec2Lifecycle(() => 0);
    lifecycle.observe('StopInstances', stop('i-0a'));
    assert.equal(lifecycle.wantsAnswer('RunInstances'), false);
    assert.deepEqual(lifecycle.status(), { transitionMs: null, transitions: {} });
    lifecycle.configure(500);
    lifecycle.observe('StopInstances', stop('i-0a'));
    lifecycle.configure(null);
    assert.deepEqual(lifecycle.status().transitions, {});
    assert.throws(() => lifecycle.configure(-1), /positive number of milliseconds/);
  });
});
