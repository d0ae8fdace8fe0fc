import * as assert from 'node:assert/strict';
import { backoffDelay, callResiliently, CircuitBreaker, CircuitOpenError } from '../../src/core/guardrails';
import { FakeClock } from '../support/operationHarness';

function awsError(name: string, status: number) {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}
const throttled = () => awsError('ThrottlingException', 400);
const serverError = () => awsError('InternalError', 500);
const clientError = () => awsError('InvalidParameterValue', 400);

describe('circuit breaker', () => {
  let clock: FakeClock;
  let breaker: CircuitBreaker;
  beforeEach(() => {
    clock = new FakeClock(1_000_000);
    breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 10_000, clock });
  });

  it('opens after consecutive service failures and refuses with the time left', () => {
    for (let index = 0; index < 3; index += 1) {
      breaker.acquire('ec2/us-east-1');
      breaker.recordFailure('ec2/us-east-1', index % 2 ? serverError() : throttled());
    }
    assert.equal(breaker.stateOf('ec2/us-east-1'), 'open');
    clock.advance(4_000);
    assert.throws(
      () => breaker.acquire('ec2/us-east-1'),
      (error: unknown) => error instanceof CircuitOpenError && error.retryAfterMs === 6_000,
    );
  });

  it('keeps a circuit per service and region', () => {
    for (let index = 0; index < 3; index += 1) breaker.recordFailure('ec2/us-east-1', throttled());
    assert.doesNotThrow(() => breaker.acquire('ec2/eu-west-1'));
    assert.doesNotThrow(() => breaker.acquire('iam/us-east-1'));
  });

  it('does not count client errors; they prove the service answers', () => {
    breaker.recordFailure('k', throttled());
    breaker.recordFailure('k', throttled());
    breaker.recordFailure('k', clientError());
    breaker.recordFailure('k', throttled());
    assert.equal(breaker.stateOf('k'), 'closed');
  });

  it('lets one trial through after the cool-down, and closes on success', () => {
    for (let index = 0; index < 3; index += 1) breaker.recordFailure('k', throttled());
    clock.advance(10_000);
    assert.equal(breaker.stateOf('k'), 'half-open');
    breaker.acquire('k');
    assert.throws(() => breaker.acquire('k'), CircuitOpenError, 'only one trial at a time');
    breaker.recordSuccess('k');
    assert.equal(breaker.stateOf('k'), 'closed');
  });

  it('reopens when the trial fails', () => {
    for (let index = 0; index < 3; index += 1) breaker.recordFailure('k', throttled());
    clock.advance(10_000);
    breaker.acquire('k');
    breaker.recordFailure('k', serverError());
    assert.equal(breaker.stateOf('k'), 'open');
    assert.throws(() => breaker.acquire('k'), CircuitOpenError);
  });
});

describe('throttling retries', () => {
  it('uses deterministic exponential backoff with a cap', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((retry) => backoffDelay(retry, { baseDelayMs: 500, maxDelayMs: 8_000 })),
      [500, 1000, 2000, 4000, 8000, 8000],
    );
  });

  it('retries throttled calls with those delays, then succeeds', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const result = await callResiliently(
      'k',
      async () => (++calls < 3 ? Promise.reject(throttled()) : 'ok'),
      new CircuitBreaker(),
      { maxAttempts: 3, baseDelayMs: 100, sleep: async (ms) => void sleeps.push(ms) },
    );
    assert.equal(result, 'ok');
    assert.equal(calls, 3);
    assert.deepEqual(sleeps, [100, 200]);
  });

  it('gives up after the last attempt with the AWS error', async () => {
    const sleeps: number[] = [];
    await assert.rejects(
      callResiliently('k', async () => Promise.reject(throttled()), new CircuitBreaker(), {
        maxAttempts: 2,
        baseDelayMs: 100,
        sleep: async (ms) => void sleeps.push(ms),
      }),
      /ThrottlingException/,
    );
    assert.deepEqual(sleeps, [100]);
  });

  it('never retries other errors', async () => {
    let calls = 0;
    await assert.rejects(
      callResiliently(
        'k',
        async () => {
          calls += 1;
          throw clientError();
        },
        new CircuitBreaker(),
        { maxAttempts: 5, sleep: async () => undefined },
      ),
    );
    assert.equal(calls, 1);
  });

  it('stops retrying when the circuit opens', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2 });
    let calls = 0;
    await assert.rejects(
      callResiliently(
        'k',
        async () => {
          calls += 1;
          throw throttled();
        },
        breaker,
        { maxAttempts: 5, sleep: async () => undefined },
      ),
      CircuitOpenError,
    );
    assert.equal(calls, 2);
  });
});
