import * as assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { AbortedError, EmulatorClock, MIN_PHASE_MS, sleep } from '../../tools/emulators/drs/clock';
import { DrsError, fieldError } from '../../tools/emulators/drs/errors';
import { FaultRegistry } from '../../tools/emulators/drs/faults';
import { isDrsRequest } from '../../tools/emulators/drs/gateway';
import { sigV4Scope } from '../../tools/emulators/drs/http';
import { drsArn, newJobId, newSourceServerId, parseDrsArn } from '../../tools/emulators/drs/ids';
import { isoDuration } from '../../tools/emulators/drs/model';
import { resolveOperation } from '../../tools/emulators/drs/operations';
import { RegionState } from '../../tools/emulators/drs/state';
import { paginate } from '../../tools/emulators/drs/validation';

function fakeRequest(url: string, authorization?: string): IncomingMessage {
  return { url, headers: authorization ? { authorization } : {} } as IncomingMessage;
}

describe('DRS emulator internals', function () {
  describe('ids and ARNs', function () {
    it('generates DRS-shaped IDs', function () {
      assert.match(newSourceServerId(), /^s-[0-9a-f]{17}$/);
      assert.match(newJobId(), /^drsjob-[0-9a-f]{17}$/);
    });

    it('round-trips ARNs', function () {
      const arn = drsArn('us-east-1', '123456789012', 'recovery-instance', 'i-0abc');
      assert.equal(arn, 'arn:aws:drs:us-east-1:123456789012:recovery-instance/i-0abc');
      assert.deepEqual(parseDrsArn(arn), {
        region: 'us-east-1',
        accountId: '123456789012',
        kind: 'recovery-instance',
        id: 'i-0abc',
      });
      assert.equal(parseDrsArn('arn:aws:ec2:us-east-1:123456789012:instance/i-1'), undefined);
    });
  });

  describe('clock', function () {
    it('scales phase durations but never below the floor', function () {
      const clock = new EmulatorClock({ timeScale: 0.5, phaseDurationsMs: { launch: 1000, finalize: 0 } });
      assert.equal(clock.phaseMs('launch'), 500);
      assert.equal(clock.phaseMs('finalize'), MIN_PHASE_MS);
      clock.configure({ timeScale: 2 });
      assert.equal(clock.state().effectivePhaseMs.launch, 2000);
    });

    it('rejects nonsense settings', function () {
      assert.throws(() => new EmulatorClock({ timeScale: 0 }), RangeError);
      assert.throws(() => new EmulatorClock({ phaseDurationsMs: { warp: 1 } as never }), RangeError);
    });

    it('sleeps can be aborted', async function () {
      const controller = new AbortController();
      const waiting = sleep(60_000, controller.signal);
      controller.abort();
      await assert.rejects(waiting, AbortedError);
    });
  });

  describe('faults', function () {
    it('throttles exactly the next N calls of an operation', function () {
      const faults = new FaultRegistry();
      faults.throttle({ operation: 'DescribeJobs', count: 2 });
      assert.ok(faults.takeThrottle('DescribeJobs'));
      assert.equal(faults.takeThrottle('DescribeSourceServers'), undefined);
      assert.ok(faults.takeThrottle('DescribeJobs'));
      assert.equal(faults.takeThrottle('DescribeJobs'), undefined);
      assert.deepEqual(faults.state().throttles, []);
    });

    it('keeps uncounted faults until cleared', function () {
      const faults = new FaultRegistry();
      faults.failLaunch({ sourceServerID: 's-1' });
      assert.ok(faults.takeLaunchFailure('s-1'));
      assert.ok(faults.takeLaunchFailure('s-1'));
      faults.clear();
      assert.equal(faults.takeLaunchFailure('s-1'), undefined);
      assert.throws(() => faults.conflict({ sourceServerID: 's-1', count: 0 }), RangeError);
    });
  });

  describe('paging', function () {
    it('walks a list with opaque tokens bound to the operation', function () {
      const items = Array.from({ length: 7 }, (_, i) => i);
      const first = paginate(items, 'Op', undefined, 3, 100);
      assert.deepEqual(first.page, [0, 1, 2]);
      const second = paginate(items, 'Op', first.nextToken, 3, 100);
      const third = paginate(items, 'Op', second.nextToken, 3, 100);
      assert.deepEqual(third, { page: [6] });
      assert.throws(() => paginate(items, 'OtherOp', first.nextToken, 3, 100), DrsError);
    });
  });

  describe('routing', function () {
    it('maps restJson1 paths and methods to operations', function () {
      assert.deepEqual(resolveOperation('POST', '/StartRecovery'), { name: 'StartRecovery' });
      assert.equal(resolveOperation('GET', '/StartRecovery'), undefined);
      const arn = 'arn:aws:drs:us-east-1:123456789012:source-server/s-0123456789abcdef0';
      assert.deepEqual(resolveOperation('DELETE', `/tags/${encodeURIComponent(arn)}`), {
        name: 'UntagResource',
        resourceArn: arn,
      });
      assert.equal(resolveOperation('POST', '/DeleteSourceServer'), undefined);
    });

    it('reads the SigV4 credential scope from the header or a presigned query', function () {
      const header =
        'AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/drs/aws4_request, SignedHeaders=host, Signature=0';
      assert.deepEqual(sigV4Scope(fakeRequest('/', header)), {
        accessKeyId: 'AKID',
        region: 'eu-west-1',
        service: 'drs',
      });
      const presigned = `/?X-Amz-Credential=${encodeURIComponent('AKID/20240101/us-east-1/sts/aws4_request')}`;
      assert.deepEqual(sigV4Scope(fakeRequest(presigned)), {
        accessKeyId: 'AKID',
        region: 'us-east-1',
        service: 'sts',
      });
      assert.equal(sigV4Scope(fakeRequest('/')), undefined);
    });

    it('sends drs-signed and admin requests to DRS, the rest to moto', function () {
      const scope = (service: string) =>
        `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/${service}/aws4_request, Signature=0`;
      assert.equal(isDrsRequest(fakeRequest('/DescribeJobs', scope('drs'))), true);
      assert.equal(isDrsRequest(fakeRequest('/', scope('ec2'))), false);
      assert.equal(isDrsRequest(fakeRequest('/__emulator/stats')), true);
      assert.equal(isDrsRequest(fakeRequest('/moto-api/reset')), false);
    });
  });

  describe('models', function () {
    it('formats ISO-8601 durations', function () {
      assert.equal(isoDuration(0), 'PT0S');
      assert.equal(isoDuration(90_000), 'PT1M30S');
      assert.equal(isoDuration(86_400_000 + 3_600_000), 'P1DT1H');
    });

    it('seeds source servers with DRS defaults and refuses duplicates', function () {
      const region = new RegionState('us-east-1', '123456789012');
      const server = region.addSourceServer({ hostname: 'web-9', tags: { Role: 'web' } }, new Date());
      assert.equal(server.replication.state, 'CONTINUOUS');
      assert.equal(server.lastLaunchResult, 'NOT_STARTED');
      assert.equal(server.launchSettings.launchDisposition, 'STARTED');
      assert.equal(server.arn, `arn:aws:drs:us-east-1:123456789012:source-server/${server.sourceServerID}`);
      assert.throws(() =>
        region.addSourceServer({ hostname: 'again', sourceServerID: server.sourceServerID }, new Date()),
      );
    });

    it('renders validation errors like the AWS request validator', function () {
      const error = fieldError('maxResults', 0, 'Member must have value greater than or equal to 1');
      assert.equal(error.statusCode, 400);
      assert.deepEqual(error.body(), {
        message:
          "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
        code: 'ValidationException',
        reason: 'fieldValidationFailed',
        fieldList: [{ name: 'maxResults', message: 'Member must have value greater than or equal to 1' }],
      });
    });
  });
});
