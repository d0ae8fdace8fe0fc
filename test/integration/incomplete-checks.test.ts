/**
 * Checks that cannot run say so through the real SDK: /unused with a credential that may not list volumes
 * (moto enforcing IAM), and DR preflight when DescribeJobs keeps failing (the DRS emulator's fault injection).
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSnapshotCommand, CreateVolumeCommand, DeleteVolumeCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AwsConnection } from '../../src/core/aws/connection';
import { preflightVerdict, runPreflight } from '../../src/core/dr/preflight';
import { collectUnused, unusedToolResult } from '../../src/core/insights/unused';
import { emulatorConnection } from '../support/connection';
import { emulatorClients, productDeps, tempDir, threeTierPlan, tierGroups } from '../support/dr';
import { clientConfig, emulatorStack, resetAndSeed, useEmulatorStack } from '../support/emulators';
import { readsThroughRunner } from '../support/resourceReads';

useEmulatorStack();

const resolveEnvironment = (tags: Record<string, string>) => ({
  name: tags.Environment ?? 'unknown',
  protected: tags.Environment === 'production',
});

/** Switches moto's IAM enforcement: after `count` more requests every request is checked against IAM ("inf": off). */
async function motoAuthAfter(count: number | 'inf'): Promise<void> {
  const response = await fetch(`${emulatorStack().motoEndpoint}/moto-api/reset-auth`, {
    method: 'POST',
    body: String(count),
  });
  assert.equal(response.status, 200, await response.text());
}

describe('checks that could not run, through the real SDK', function () {
  this.timeout(120_000);

  it('/unused with a credential denied DescribeVolumes: incomplete, the volume categories not checked, never "0 unused"', async () => {
    await resetAndSeed(false);
    const ec2 = new EC2Client(clientConfig());
    const iam = new IAMClient(clientConfig());
    const credentialsDir = mkdtempSync(join(tmpdir(), 'pilot-light-limited-'));
    const savedCredentialsFile = process.env.AWS_SHARED_CREDENTIALS_FILE;
    try {
      // An unattached volume, and a snapshot whose volume is gone: both unused with full access.
      const zone = `${emulatorStack().region}a`;
      const { VolumeId } = await ec2.send(
        new CreateVolumeCommand({ AvailabilityZone: zone, Size: 10, VolumeType: 'gp3' }),
      );
      const gone = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: zone, Size: 4, VolumeType: 'gp3' }));
      await ec2.send(new CreateSnapshotCommand({ VolumeId: gone.VolumeId }));
      await ec2.send(new DeleteVolumeCommand({ VolumeId: gone.VolumeId }));

      // moto ignores DescribeSnapshots' OwnerIds=self and holds more than 1,000 snapshots of its bundled AMIs:
      // only the first 1,000 are read, which the report now says instead of presenting a partial list as all.
      const full = await collectUnused(readsThroughRunnerRead(await emulatorConnection()), {
        region: emulatorStack().region,
        resolveEnvironment,
      });
      assert.deepEqual(full.errors, []);
      assert.deepEqual(full.truncated, ['snapshots']);
      assert.equal(full.complete, false);
      assert.equal(unusedToolResult(full).status, 'incomplete');
      assert.match(unusedToolResult(full).summary, /only the first part of these lists was checked: snapshots/);
      assert.ok(
        full.findings.some((finding) => finding.category === 'unattached-volume' && finding.resource.id === VolumeId),
        'with full access the unattached volume is found',
      );

      // A user who may list everything but volumes.
      await iam.send(new CreateUserCommand({ UserName: 'no-volumes' }));
      const allowed = [
        'ec2:DescribeInstances',
        'ec2:DescribeAddresses',
        'ec2:DescribeSnapshots',
        'ec2:DescribeImages',
        'sts:GetCallerIdentity',
      ];
      await iam.send(
        new PutUserPolicyCommand({
          UserName: 'no-volumes',
          PolicyName: 'all-but-volumes',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: allowed, Resource: '*' }],
          }),
        }),
      );
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'no-volumes' }));
      const credentialsFile = join(credentialsDir, 'credentials');
      writeFileSync(
        credentialsFile,
        `[no-volumes]\naws_access_key_id = ${AccessKey!.AccessKeyId}\naws_secret_access_key = ${AccessKey!.SecretAccessKey}\n`,
      );
      process.env.AWS_SHARED_CREDENTIALS_FILE = credentialsFile;
      const limited = await AwsConnection.open(
        { profile: 'no-volumes', endpointUrl: emulatorStack().endpoint, region: emulatorStack().region },
        process.env,
      );

      await motoAuthAfter(0);
      let report;
      try {
        report = await collectUnused(readsThroughRunnerRead(limited), {
          region: emulatorStack().region,
          resolveEnvironment,
        });
      } finally {
        await motoAuthAfter('inf');
        limited.dispose();
      }
      assert.equal(report.complete, false);
      assert.equal(report.errors.length, 1, report.errors.join('; '));
      assert.equal(report.checked.snapshots, 1000, 'the lists the user may read were read with the limited credential');
      assert.match(report.errors[0], /^ec2:volume: .*(UnauthorizedOperation|AccessDenied|not authorized)/i);
      assert.deepEqual(
        report.notChecked.map((entry) => entry.category),
        ['unattached-volume', 'stopped-instance', 'orphaned-snapshot'],
      );
      assert.deepEqual(
        report.findings,
        [],
        'the orphaned-looking snapshot is not reported: its volume list could not be read',
      );
      const result = unusedToolResult(report);
      assert.equal(result.status, 'incomplete');
      assert.match(result.summary, /^INCOMPLETE: .*failed reads: ec2:volume/);
      assert.doesNotMatch(result.summary, /\b0 unused/);
    } finally {
      process.env.AWS_SHARED_CREDENTIALS_FILE = savedCredentialsFile;
      rmSync(credentialsDir, { recursive: true, force: true });
      ec2.destroy();
      iam.destroy();
    }
  });

  it('DR preflight when DescribeJobs keeps failing: a recovery is blocked, a drill is "not fully checked", never ready', async () => {
    await resetAndSeed('sample');
    const stack = emulatorStack();
    const clients = emulatorClients(
      { endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials },
      1,
    );
    const dir = tempDir();
    try {
      const deps = await productDeps(dir.path, { auditPath: join(dir.path, 'audit.jsonl') });
      const input = { plan: threeTierPlan(), groups: tierGroups(), reads: deps.reads, defaultRegion: stack.region };
      const healthy = await runPreflight({ ...input, mode: 'recovery' });
      assert.equal(preflightVerdict(healthy), 'ready', JSON.stringify(healthy.findings));

      await stack.admin.throttle({ operation: 'DescribeJobs', count: 1000 });
      try {
        const recovery = await runPreflight({ ...input, mode: 'recovery' });
        assert.equal(recovery.ok, false);
        assert.deepEqual(recovery.unchecked, [`active DRS jobs in ${stack.region}`]);
        const failed = recovery.findings.find((finding) => finding.code === 'check-failed');
        assert.equal(failed?.severity, 'error');
        assert.match(failed!.message, /could not be listed: Rate exceeded/);

        const drill = await runPreflight({ ...input, mode: 'drill' });
        assert.equal(drill.ok, true);
        assert.equal(preflightVerdict(drill), 'not fully checked');
        assert.equal(drill.findings.find((finding) => finding.code === 'check-failed')?.severity, 'warning');
      } finally {
        await stack.admin.clearFaults();
      }
    } finally {
      clients.destroy();
      dir.remove();
    }
  });
});

function readsThroughRunnerRead(connection: AwsConnection) {
  const reads = readsThroughRunner(connection);
  return (operationId: string, input: Record<string, unknown>) =>
    reads.read(operationId, input, emulatorStack().region);
}
