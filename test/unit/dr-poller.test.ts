import * as assert from 'node:assert/strict';
import { AdaptivePoller, Wakeable } from '../../src/core/dr/poller';

describe('DR adaptive poller', () => {
  it('starts fast, backs off while quiet, and snaps back on change', () => {
    const poller = new AdaptivePoller({ minMs: 100, maxMs: 1000, factor: 2 });
    assert.equal(poller.interval, 100);
    assert.deepEqual(
      [false, false, false, false, false].map((c) => poller.next(c)),
      [200, 400, 800, 1000, 1000],
    );
    assert.equal(poller.next(true), 100);
    assert.equal(poller.next(false), 200);
    poller.reset();
    assert.equal(poller.interval, 100);
  });

  it('defaults to 250 ms → 2 s, so a finished job is seen within 2 s even after a long quiet spell', () => {
    const poller = new AdaptivePoller();
    let last = 0;
    for (let i = 0; i < 50; i++) last = poller.next(false);
    assert.equal(last, 2000);
    assert.equal(poller.next(true), 250);
  });

  it('rejects nonsense settings', () => {
    assert.throws(() => new AdaptivePoller({ minMs: 0 }), RangeError);
    assert.throws(() => new AdaptivePoller({ minMs: 500, maxMs: 100 }), RangeError);
    assert.throws(() => new AdaptivePoller({ factor: 0.5 }), RangeError);
  });

  it('wakes a sleeping poll loop at once, and remembers a wake that came first', async () => {
    const wake = new Wakeable();
    const started = Date.now();
    const sleeping = wake.wait(5000);
    setTimeout(() => wake.wake(), 10);
    await sleeping;
    assert.ok(Date.now() - started < 1000);
    wake.wake();
    const again = Date.now();
    await wake.wait(5000);
    assert.ok(Date.now() - again < 50);
  });
});
