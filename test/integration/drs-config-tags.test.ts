import * as assert from 'node:assert/strict';
import {
  DescribeSourceServersCommand,
  DrsClient,
  DrsServiceException,
  GetLaunchConfigurationCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  StartRecoveryCommand,
  TagResourceCommand,
  TerminateRecoveryInstancesCommand,
  UntagResourceCommand,
  UpdateLaunchConfigurationCommand,
  ValidationException,
} from '@aws-sdk/client-drs';
import type { SampleAccountSummary } from '../../tools/seed/sampleAccount';
import { clientConfig, resetAndSeed, useEmulatorStack, waitForJobCompletion } from '../support/emulators';

useEmulatorStack();

describe('DRS launch configuration, tags and errors', function () {
  let sample: SampleAccountSummary;
  let drs: DrsClient;

  before(async function () {
    this.timeout(60_000);
    sample = (await resetAndSeed('sample')).sample!;
    drs = new DrsClient(clientConfig({ maxAttempts: 1 }));
  });

  after(() => drs.destroy());

  describe('launch configuration', function () {
    it('reads the seeded configuration', async function () {
      const config = await drs.send(
        new GetLaunchConfigurationCommand({ sourceServerID: sample.servers.web.sourceServerId }),
      );
      assert.equal(config.sourceServerID, sample.servers.web.sourceServerId);
      assert.equal(config.name, 'web-1');
      assert.equal(config.ec2LaunchTemplateID, sample.servers.web.launchTemplateId);
      assert.equal(config.launchDisposition, 'STARTED');
      assert.equal(config.targetInstanceTypeRightSizingMethod, 'NONE');
      assert.equal(config.copyPrivateIp, false);
      assert.equal(config.copyTags, true);
      assert.deepEqual(config.licensing, { osByol: true });
      assert.equal(config.postLaunchEnabled, false);
    });

    it('updates only the fields given, and keeps the launch template', async function () {
      const sourceServerID = sample.servers.db.sourceServerId;
      const updated = await drs.send(
        new UpdateLaunchConfigurationCommand({
          sourceServerID,
          launchDisposition: 'STOPPED',
          targetInstanceTypeRightSizingMethod: 'BASIC',
          copyPrivateIp: true,
          licensing: { osByol: false },
        }),
      );
      assert.equal(updated.launchDisposition, 'STOPPED');
      assert.equal(updated.targetInstanceTypeRightSizingMethod, 'BASIC');
      assert.equal(updated.copyPrivateIp, true);
      assert.deepEqual(updated.licensing, { osByol: false });
      assert.equal(updated.copyTags, true, 'untouched');
      assert.equal(updated.ec2LaunchTemplateID, sample.servers.db.launchTemplateId);
      const read = await drs.send(new GetLaunchConfigurationCommand({ sourceServerID }));
      assert.deepEqual({ ...read, $metadata: undefined }, { ...updated, $metadata: undefined });
    });

    it('rejects values outside the DRS enums', async function () {
      await assert.rejects(
        drs.send(
          new UpdateLaunchConfigurationCommand({
            sourceServerID: sample.servers.db.sourceServerId,
            launchDisposition: 'PAUSED' as never,
          }),
        ),
        (error: unknown) => {
          assert.ok(error instanceof ValidationException);
          assert.equal(error.reason, 'fieldValidationFailed');
          assert.deepEqual(
            error.fieldList?.map((f) => f.name),
            ['launchDisposition'],
          );
          assert.match(error.message, /^1 validation error detected: Value 'PAUSED' at 'launchDisposition'/);
          return true;
        },
      );
    });
  });

  describe('tags', function () {
    it('tags, lists and untags a source server, visible in DescribeSourceServers', async function () {
      const { sourceServerId, sourceServerArn } = sample.servers.app;
      await drs.send(
        new TagResourceCommand({ resourceArn: sourceServerArn, tags: { CostCenter: 'cc-42', Tier: 'gold' } }),
      );
      const listed = await drs.send(new ListTagsForResourceCommand({ resourceArn: sourceServerArn }));
      assert.deepEqual(listed.tags, {
        Name: 'app-1',
        Role: 'app',
        Environment: 'production',
        CostCenter: 'cc-42',
        Tier: 'gold',
      });

      await drs.send(new UntagResourceCommand({ resourceArn: sourceServerArn, tagKeys: ['Tier', 'Role'] }));
      const { items } = await drs.send(
        new DescribeSourceServersCommand({ filters: { sourceServerIDs: [sourceServerId] } }),
      );
      assert.deepEqual(items?.[0]?.tags, { Name: 'app-1', Environment: 'production', CostCenter: 'cc-42' });
    });

    it('tags jobs too', async function () {
      const { job } = await drs.send(
        new StartRecoveryCommand({
          sourceServers: [{ sourceServerID: sample.servers.web.sourceServerId }],
          isDrill: true,
        }),
      );
      await drs.send(new TagResourceCommand({ resourceArn: job!.arn, tags: { Ticket: 'DR-7' } }));
      assert.deepEqual((await drs.send(new ListTagsForResourceCommand({ resourceArn: job!.arn }))).tags, {
        Ticket: 'DR-7',
      });
      await waitForJobCompletion(drs, job?.jobID);
    });

    it('refuses reserved aws: keys', async function () {
      await assert.rejects(
        drs.send(
          new TagResourceCommand({ resourceArn: sample.servers.app.sourceServerArn, tags: { 'aws:owner': 'x' } }),
        ),
        ValidationException,
      );
    });
  });

  describe('error shapes', function () {
    it('ResourceNotFoundException for an unknown server, with the SDK class, name, status and resourceId', async function () {
      const missing = 's-0123456789abcdef0';
      await assert.rejects(
        drs.send(new GetLaunchConfigurationCommand({ sourceServerID: missing })),
        (error: unknown) => {
          assert.ok(error instanceof ResourceNotFoundException);
          assert.ok(error instanceof DrsServiceException);
          assert.equal(error.name, 'ResourceNotFoundException');
          assert.equal(error.$fault, 'client');
          assert.equal(error.$metadata.httpStatusCode, 404);
          assert.match(error.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
          assert.equal(error.resourceId, missing);
          assert.equal(error.message, `Source server ${missing} not found`);
          return true;
        },
      );
    });

    it('ResourceNotFoundException for unknown ARNs and recovery instances', async function () {
      const arn = 'arn:aws:drs:us-east-1:123456789012:source-server/s-0123456789abcdef0';
      await assert.rejects(drs.send(new ListTagsForResourceCommand({ resourceArn: arn })), ResourceNotFoundException);
      await assert.rejects(
        drs.send(new TerminateRecoveryInstancesCommand({ recoveryInstanceIDs: ['i-0123456789abcdef0'] })),
        ResourceNotFoundException,
      );
    });

    it('ValidationException for malformed requests', async function () {
      await assert.rejects(drs.send(new StartRecoveryCommand({ sourceServers: [] })), (error: unknown) => {
        assert.ok(error instanceof ValidationException);
        assert.equal(error.$metadata.httpStatusCode, 400);
        assert.deepEqual(
          error.fieldList?.map((f) => f.name),
          ['sourceServers'],
        );
        return true;
      });
      await assert.rejects(
        drs.send(new GetLaunchConfigurationCommand({ sourceServerID: 'web-1' })),
        (error: unknown) => error instanceof ValidationException && /regular expression pattern/.test(error.message),
      );
      await assert.rejects(
        drs.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ec2:us-east-1:123456789012:instance/i-1' })),
        ValidationException,
      );
    });
  });
});
