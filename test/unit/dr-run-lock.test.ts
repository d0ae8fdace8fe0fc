import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  lockPath,
  lockStaleness,
  newLockOwner,
  readLock,
  readRunOrigin,
  removeRunFiles,
  RunLock,
  writeRunOrigin,
  type LockRecord,
} from '../../src/core/dr/runLock';
import { tempDir } from '../support/dr';

describe('DR run lock and origin', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.remove());

  it('gives a run to one owner at a time and frees it on release', () => {
    const a = newLockOwner('window A');
    const b = newLockOwner('window B');
    const first = RunLock.tryAcquire(dir.path, 'run-1', a);
    assert.equal(first.acquired, true);
    const second = RunLock.tryAcquire(dir.path, 'run-1', b);
    assert.equal(second.acquired, false);
    assert.equal(!second.acquired && second.heldBy.ownerId, a.ownerId);
    assert.equal(!second.acquired && second.heldBy.label, 'window A');
    if (first.acquired) first.lock.release();
    assert.equal(existsSync(lockPath(dir.path, 'run-1')), false);
    const third = RunLock.tryAcquire(dir.path, 'run-1', b);
    assert.equal(third.acquired, true);
    assert.equal(third.acquired && third.tookOverFrom, undefined);
  });

  it('takes over a lock whose process has exited, and the old holder notices on its next heartbeat', () => {
    const a = newLockOwner();
    const first = RunLock.tryAcquire(dir.path, 'run-2', a);
    assert.ok(first.acquired);
    const b = newLockOwner();
    const dead = { isAlive: () => false };
    const second = RunLock.tryAcquire(dir.path, 'run-2', b, dead);
    assert.ok(second.acquired, 'stale lock taken over');
    assert.equal(second.tookOverFrom?.ownerId, a.ownerId);
    assert.equal(readLock(dir.path, 'run-2')?.ownerId, b.ownerId);
    assert.equal(first.lock.heartbeat(), false, 'the old holder lost the lock');
    first.lock.release();
    assert.equal(readLock(dir.path, 'run-2')?.ownerId, b.ownerId, 'releasing a lost lock leaves the new holder alone');
  });

  it('treats an old heartbeat as stale, a fresh one of a live process as held', () => {
    const record: LockRecord = {
      ownerId: 'x',
      pid: process.pid,
      hostname: hostname(),
      runId: 'r',
      acquiredAt: new Date().toISOString(),
      heartbeatAt: new Date().toISOString(),
    };
    assert.equal(lockStaleness(record), undefined);
    assert.match(
      lockStaleness({ ...record, heartbeatAt: new Date(Date.now() - 120_000).toISOString() }) ?? '',
      /no heartbeat for 120 s/,
    );
    assert.match(lockStaleness(record, { isAlive: () => false }) ?? '', /has exited/);
    assert.equal(
      lockStaleness({ ...record, hostname: 'elsewhere' }, { isAlive: () => false }),
      undefined,
      'another host: only the heartbeat counts',
    );
  });

  it('refreshes the heartbeat while held', () => {
    const result = RunLock.tryAcquire(dir.path, 'run-3', newLockOwner());
    assert.ok(result.acquired);
    const later = Date.now() + 10_000;
    assert.equal(result.lock.heartbeat(later), true);
    assert.equal(readLock(dir.path, 'run-3')?.heartbeatAt, new Date(later).toISOString());
  });

  it('replaces a lock left by a process that no longer exists', () => {
    writeFileSync(
      lockPath(dir.path, 'run-4'),
      JSON.stringify({
        ownerId: 'old',
        pid: 999_999_999,
        hostname: hostname(),
        runId: 'run-4',
        acquiredAt: '2020-01-01T00:00:00Z',
        heartbeatAt: '2020-01-01T00:00:00Z',
      }),
    );
    const result = RunLock.tryAcquire(dir.path, 'run-4', newLockOwner());
    assert.ok(result.acquired);
    assert.equal(result.tookOverFrom?.ownerId, 'old');
  });

  it('writes and reads the run origin atomically, and removes the run files', () => {
    writeRunOrigin(dir.path, { runId: 'run-5', profile: 'prod', region: 'eu-west-1', account: '123456789012' });
    assert.deepEqual(readRunOrigin(dir.path, 'run-5'), {
      runId: 'run-5',
      profile: 'prod',
      region: 'eu-west-1',
      account: '123456789012',
    });
    assert.match(readFileSync(`${dir.path}/run-5.origin.json`, 'utf8'), /"account": "123456789012"/);
    assert.equal(readRunOrigin(dir.path, 'missing'), undefined);
    RunLock.tryAcquire(dir.path, 'run-5', newLockOwner());
    removeRunFiles(dir.path, 'run-5');
    assert.equal(readRunOrigin(dir.path, 'run-5'), undefined);
    assert.equal(readLock(dir.path, 'run-5'), undefined);
  });
});
