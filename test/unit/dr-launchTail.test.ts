import * as assert from 'node:assert/strict';
import type { Job } from '@aws-sdk/client-drs';
import { isInLaunchTail } from '../../src/core/dr/run/jobMonitor';

const job = (statuses: string[]): Job =>
  ({ participatingServers: statuses.map((launchStatus, i) => ({ sourceServerID: `s-${i}`, launchStatus })) }) as Job;

describe('DR job monitor: the launch tail (faster polling while a job launches its last servers)', () => {
  it('is on once at least 80% of the servers reached a final status, and off when all did', () => {
    const launched = (n: number, of: number) => [...Array(of)].map((_, i) => (i < n ? 'LAUNCHED' : 'IN_PROGRESS'));
    assert.equal(isInLaunchTail(job(launched(79, 100))), false);
    assert.equal(isInLaunchTail(job(launched(80, 100))), true);
    assert.equal(isInLaunchTail(job(launched(99, 100))), true);
    assert.equal(isInLaunchTail(job(launched(100, 100))), false);
    assert.equal(isInLaunchTail(job([...launched(9, 9), 'FAILED'])), false, 'FAILED is final too');
  });

  it('is off for jobs without participating servers or too small to have a tail', () => {
    assert.equal(isInLaunchTail({} as Job), false);
    assert.equal(isInLaunchTail(job(['PENDING'])), false);
    assert.equal(isInLaunchTail(job(['LAUNCHED', 'PENDING'])), false);
  });
});
