/**
 * The safety core against moto through the real SDK: every guardrail branch, backups, dependency checks,
 * dry-run, the audit trail, and a scan for secrets after operations whose input holds them.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AssociateAddressCommand,
  AttachVolumeCommand,
  CreateImageCommand,
  CreateLaunchTemplateCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVolumeCommand,
  CreateVpcCommand,
  DeleteNetworkInterfaceCommand,
  DescribeAddressesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  DisassociateAddressCommand,
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import {
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { AuditTrail, readAuditTrail, verifyAuditTrail, type AuditRecord } from '../../src/core/audit';
import type { AwsConnection } from '../../src/core/aws/connection';
import { resolveGuardrailPolicy } from '../../src/core/guardrails';
import { createOperationRegistry, OperationRunner, type RunOptions, type RunOutcome } from '../../src/core/operations';
import { pickAmazonLinuxImage } from '../../tools/seed/target';
import { emulatorConnection } from '../support/connection';
import { clientConfig, emulatorStack, resetAndSeed, useEmulatorStack } from '../support/emulators';
import {
  approvingProvider,
  denyingProvider,
  FakeClock,
  ScriptedApprovalProvider,
  tempDir,
} from '../support/operationHarness';

useEmulatorStack();

const confirmer = () => new ScriptedApprovalProvider(() => ({ approved: true, approver: 'it-user' }));

function tags(record: Record<string, string>): Tag[] {
  return Object.entries(record).map(([Key, Value]) => ({ Key, Value }));
}

function tagsOf(list: Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map((tag) => [tag.Key!, tag.Value!]));
}

describe('safety core against moto', function () {
  this.timeout(120_000);
  let connection: AwsConnection;
  let ec2: EC2Client;
  let iam: IAMClient;
  let dir: ReturnType<typeof tempDir>;
  let auditPath: string;
  let logs: string[];
  let imageId: string;
  let subnetId: string;
  let vpcId: string;

  before(async () => {
    connection = await emulatorConnection();
    ec2 = new EC2Client(clientConfig());
    iam = new IAMClient(clientConfig());
  });

  after(() => {
    ec2.destroy();
    iam.destroy();
    connection.dispose();
  });

  beforeEach(async () => {
    await emulatorStack().reset();
    dir = tempDir('pilot-light-it-');
    auditPath = join(dir.path, 'audit.jsonl');
    logs = [];
    imageId = await pickAmazonLinuxImage(ec2);
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
    subnetId = (
      await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.1.0/24', AvailabilityZone: 'us-east-1a' }),
      )
    ).Subnet!.SubnetId!;
  });

  afterEach(() => dir.cleanup());

  function runnerWith(settings: Record<string, unknown> = {}, clock?: FakeClock): OperationRunner {
    return new OperationRunner({
      registry: createOperationRegistry(),
      connection,
      policy: resolveGuardrailPolicy({ settings }).policy,
      audit: new AuditTrail(auditPath),
      clock,
      logger: {
        info: (message) => logs.push(message),
        warn: (message) => logs.push(message),
        error: (message) => logs.push(message),
      },
      backupPollMs: 50,
      backupTimeoutMs: 20_000,
    });
  }

  async function launch(
    instanceTags: Record<string, string>,
    extra: { securityGroupIds?: string[]; count?: number } = {},
  ): Promise<string[]> {
    const result = await ec2.send(
      new RunInstancesCommand({
        ImageId: imageId,
        InstanceType: 't3.micro',
        MinCount: extra.count ?? 1,
        MaxCount: extra.count ?? 1,
        SubnetId: subnetId,
        SecurityGroupIds: extra.securityGroupIds,
        TagSpecifications: [{ ResourceType: 'instance', Tags: tags(instanceTags) }],
      }),
    );
    return result.Instances!.map((instance) => instance.InstanceId!);
  }

  async function stateOf(instanceId: string): Promise<string | undefined> {
    const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return Reservations?.[0]?.Instances?.[0]?.State?.Name;
  }

  async function ownImages(): Promise<Array<{ id: string; tags: Record<string, string> }>> {
    const { Images } = await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
    return (Images ?? []).map((image) => ({ id: image.ImageId!, tags: tagsOf(image.Tags) }));
  }

  const audit = (): Promise<AuditRecord[]> => readAuditTrail(auditPath);
  const execute = (extra: Partial<RunOptions> = {}): RunOptions => ({ caller: 'command', mode: 'execute', ...extra });

  describe('dry-run', () => {
    it('previews a terminate with resources, environment, cost, backup plan and the real DryRun permission check, and changes nothing', async () => {
      const [instanceId] = await launch({ Name: 'web', Environment: 'production' });
      const outcome = await runnerWith().run(
        'ec2.instances.terminate',
        { instanceIds: [instanceId] },
        { caller: 'chat', mode: 'dry-run' },
      );
      assert.equal(outcome.status, 'dry-run');
      const preview = outcome.preview!;
      assert.equal(preview.account, '123456789012');
      assert.equal(preview.region, 'us-east-1');
      assert.deepEqual(preview.environments, ['production']);
      assert.deepEqual(
        preview.resources.map((resource) => [resource.id, resource.name, resource.environmentSource]),
        [[instanceId, 'web', 'tag']],
      );
      assert.equal(preview.permission.status, 'allowed', 'moto answered DryRunOperation');
      assert.equal(preview.cost.direction, 'decrease');
      assert.deepEqual(preview.backups, {
        required: true,
        planned: [`AMI of ${instanceId} (no reboot) before it is terminated`],
      });
      assert.equal(preview.guardrails.verdict, 'needs-approval');
      assert.equal(await stateOf(instanceId), 'running');
      assert.deepEqual(await ownImages(), []);
      const records = await audit();
      assert.equal(records.length, 1);
      assert.equal(records[0].outcome, 'dry-run');
      assert.equal(records[0].caller, 'chat');
    });

    it('changes nothing for any mutating operation in dry-run mode', async () => {
      const [instanceId] = await launch({ Environment: 'dev' });
      const volumeId = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 4 }))).VolumeId!;
      const groupId = (
        await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: 'dry', Description: 'dry' }))
      ).GroupId!;
      const count = async () => ({
        vpcs: (await ec2.send(new DescribeVpcsCommand({}))).Vpcs!.length,
        groups: (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups!.length,
        volumes: (await ec2.send(new DescribeVolumesCommand({}))).Volumes!.length,
        snapshots: (await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots!.length,
        addresses: (await ec2.send(new DescribeAddressesCommand({}))).Addresses!.length,
        state: await stateOf(instanceId),
      });
      const before = await count();
      const runner = runnerWith();
      const dry = { caller: 'lm-tool' as const, mode: 'dry-run' as const, approvalProvider: approvingProvider() };
      const outcomes = [
        await runner.run('ec2.vpcs.create', { name: 'dry', cidrBlock: '10.30.0.0/16', natGateways: 'single' }, dry),
        await runner.run('ec2.securityGroups.create', { vpcId, groupName: 'dry2', description: 'x' }, dry),
        await runner.run(
          'ec2.securityGroups.authorizeIngress',
          { groupId, rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' }] },
          dry,
        ),
        await runner.run('ec2.volumes.create', { availabilityZone: 'us-east-1a', sizeGiB: 100 }, dry),
        await runner.run('ec2.volumes.delete', { volumeId }, dry),
        await runner.run('ec2.snapshots.create', { volumeId }, dry),
        await runner.run('ec2.addresses.allocate', {}, dry),
        await runner.run('ec2.instances.stop', { instanceIds: [instanceId] }, dry),
        await runner.run('ec2.instances.terminate', { instanceIds: [instanceId] }, dry),
        await runner.run('ec2.tags.add', { resourceIds: [instanceId], tags: { Owner: 'me' } }, dry),
      ];
      assert.deepEqual(
        outcomes.map((outcome) => outcome.status),
        outcomes.map(() => 'dry-run'),
      );
      assert.deepEqual(await count(), before);
      assert.equal(outcomes[0].preview!.permission.status, 'not-checked', 'composite VPC creation is not probed');
      assert.match(outcomes[0].preview!.cost.note, /NAT gateway/);
      assert.ok(outcomes[0].preview!.cost.monthlyUsd! > 30);
      assert.match(outcomes[2].preview!.warnings.join(' '), /Opens SSH \(22\) to the internet/);
      assert.equal(outcomes[3].preview!.cost.monthlyUsd, 8);
      assert.match(outcomes[3].preview!.cost.note!, /us-east-1 list prices as of \d{4}-\d{2}-\d{2}\) for gp3/);
      assert.deepEqual(outcomes.filter((outcome) => outcome.preview!.permission.status === 'allowed').length, 9);
      assert.equal((await audit()).filter((record) => record.outcome === 'dry-run').length, 10);
      // In another region the preview prices there, and says its figure is an approximation.
      const ireland = await runner.run(
        'ec2.volumes.create',
        { availabilityZone: 'eu-west-1a', sizeGiB: 100 },
        { ...dry, region: 'eu-west-1' },
      );
      assert.equal(ireland.status, 'dry-run');
      assert.ok(ireland.preview!.cost.monthlyUsd! > 8, String(ireland.preview!.cost.monthlyUsd));
      assert.match(ireland.preview!.cost.note!, /approximation .*eu-west-1 factor/);
    });
  });

  describe('protected environments and approval', () => {
    it('refuses a production change without an approval provider and leaves the instance alone', async () => {
      const [instanceId] = await launch({ Environment: 'production' });
      const outcome = await runnerWith().run(
        'ec2.instances.stop',
        { instanceIds: [instanceId] },
        execute({ caller: 'lm-tool' }),
      );
      assert.equal(outcome.refusal?.code, 'approval-required');
      assert.equal(await stateOf(instanceId), 'running');
      const [record] = await audit();
      assert.equal(record.outcome, 'refused');
      assert.equal(record.environment, 'production');
      assert.deepEqual(record.resourceIds, [instanceId]);
    });

    it('refuses and audits a denied approval', async () => {
      const [instanceId] = await launch({ Environment: 'production' });
      const outcome = await runnerWith().run(
        'ec2.instances.stop',
        { instanceIds: [instanceId] },
        execute({ approvalProvider: denyingProvider() }),
      );
      assert.equal(outcome.refusal?.code, 'approval-denied');
      assert.equal(await stateOf(instanceId), 'running');
      assert.equal((await audit())[0].approval?.approver, 'bob');
    });

    it('runs an approved production change and audits the approval and the result', async () => {
      const [instanceId] = await launch({ Environment: 'production' });
      const provider = approvingProvider();
      const outcome = await runnerWith().run(
        'ec2.instances.stop',
        { instanceIds: [instanceId] },
        execute({ approvalProvider: provider, caller: 'explorer' }),
      );
      assert.equal(outcome.status, 'succeeded', JSON.stringify(outcome.error ?? outcome.refusal));
      assert.equal(provider.requests[0].requiredConfirmation, 'production');
      assert.equal(provider.requests[0].account, '123456789012');
      assert.ok(['stopping', 'stopped'].includes((await stateOf(instanceId))!));
      const records = await audit();
      assert.deepEqual(
        records.map((record) => record.outcome),
        ['approved', 'succeeded'],
      );
      assert.equal(records[0].correlationId, records[1].correlationId);
      assert.equal(records[1].callerArn, 'arn:aws:sts::123456789012:user/moto');
    });

    it('takes the environment from the account map when a resource has no tag', async () => {
      const [instanceId] = await launch({ Name: 'untagged' });
      const outcome = await runnerWith({ accountEnvironments: { '123456789012': 'prod' } }).run(
        'ec2.instances.stop',
        { instanceIds: [instanceId] },
        execute(),
      );
      assert.equal(outcome.refusal?.code, 'approval-required');
      assert.equal(outcome.preview?.resources[0].environmentSource, 'account');
    });
  });

  describe('policy refusals', () => {
    it('refuses outside the change window', async () => {
      const [instanceId] = await launch({ Environment: 'production' });
      const saturday = new FakeClock(Date.parse('2025-01-11T15:00:00Z'));
      const runner = runnerWith(
        {
          changeWindows: [
            { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00', timeZone: 'America/New_York' },
          ],
        },
        saturday,
      );
      const outcome = await runner.run(
        'ec2.instances.stop',
        { instanceIds: [instanceId] },
        execute({ approvalProvider: approvingProvider() }),
      );
      assert.equal(outcome.refusal?.code, 'change-window');
      assert.equal(await stateOf(instanceId), 'running');
      assert.equal((await audit())[0].refusal?.code, 'change-window');
    });

    it('refuses more resources than the limit', async () => {
      const ids = await launch({ Environment: 'dev' }, { count: 3 });
      const outcome = await runnerWith({ maxResourcesPerOperation: 2 }).run(
        'ec2.instances.stop',
        { instanceIds: ids },
        execute(),
      );
      assert.equal(outcome.refusal?.code, 'max-resources');
      for (const id of ids) assert.equal(await stateOf(id), 'running');
      const [record] = await audit();
      assert.deepEqual(
        [record.outcome, record.refusal?.code, record.resourceIds.length],
        ['refused', 'max-resources', 3],
      );
    });

    it('refuses to terminate an instance tagged DoNotDelete, and to drop the tag without approval', async () => {
      const [instanceId] = await launch({ Environment: 'dev', DoNotDelete: 'true' });
      const runner = runnerWith();
      const outcome = await runner.run(
        'ec2.instances.terminate',
        { instanceIds: [instanceId] },
        execute({ approvalProvider: confirmer() }),
      );
      assert.equal(outcome.refusal?.code, 'protection-tag');
      assert.equal(await stateOf(instanceId), 'running');
      assert.deepEqual(await ownImages(), [], 'no backup was taken for a refused delete');
      assert.deepEqual(
        (await audit()).map((record) => [record.outcome, record.refusal?.code]),
        [['refused', 'protection-tag']],
      );
      const untag = await runner.run(
        'ec2.tags.remove',
        { resourceIds: [instanceId], keys: ['DoNotDelete'] },
        execute({ approvalProvider: confirmer() }),
      );
      assert.equal(
        untag.refusal?.code,
        'confirmation-mismatch',
        'a plain confirmation is not enough to drop protection',
      );
      const approved = await runner.run(
        'ec2.tags.remove',
        { resourceIds: [instanceId], keys: ['DoNotDelete'] },
        execute({ approvalProvider: approvingProvider() }),
      );
      assert.equal(approved.status, 'succeeded');
    });
  });

  describe('backup before delete', () => {
    it('creates an AMI before terminating, and records it', async () => {
      const [instanceId] = await launch({ Name: 'old-worker', Environment: 'dev' });
      const outcome = await runnerWith().run(
        'ec2.instances.terminate',
        { instanceIds: [instanceId] },
        execute({ approvalProvider: confirmer() }),
      );
      assert.equal(outcome.status, 'succeeded', JSON.stringify(outcome.error ?? outcome.refusal));
      const [backup] = outcome.backups;
      assert.equal(backup.kind, 'ami');
      assert.equal(backup.sourceId, instanceId);
      assert.equal(backup.state, 'available');
      const images = await ownImages();
      assert.deepEqual(
        images.map((image) => image.id),
        [backup.id],
      );
      assert.equal(images[0].tags['PilotLight:BackupOf'], instanceId);
      assert.equal(images[0].tags.Name, 'old-worker', 'the backup keeps the instance tags');
      const { Images } = await ec2.send(new DescribeImagesCommand({ ImageIds: [backup.id] }));
      const snapshotIds = (Images![0].BlockDeviceMappings ?? [])
        .map((mapping) => mapping.Ebs?.SnapshotId)
        .filter((id): id is string => Boolean(id));
      assert.ok(snapshotIds.length > 0, 'the AMI has snapshots');
      const { Snapshots } = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: snapshotIds }));
      assert.ok(
        Snapshots!.every((snapshot) => tagsOf(snapshot.Tags)['PilotLight:BackupOf'] === instanceId),
        'its snapshots are labelled too',
      );
      assert.ok(['shutting-down', 'terminated'].includes((await stateOf(instanceId))!));
      const records = await audit();
      assert.deepEqual(
        records.map((record) => record.outcome),
        ['approved', 'succeeded'],
      );
      assert.equal(records[0].approval?.level, 'confirm');
      assert.deepEqual(records[1].backups, [backup]);
    });

    it('snapshots a volume before deleting it, and records it', async () => {
      const volumeId = (
        await ec2.send(
          new CreateVolumeCommand({
            AvailabilityZone: 'us-east-1a',
            Size: 8,
            TagSpecifications: [{ ResourceType: 'volume', Tags: tags({ Environment: 'dev' }) }],
          }),
        )
      ).VolumeId!;
      const outcome = await runnerWith().run(
        'ec2.volumes.delete',
        { volumeId },
        execute({ approvalProvider: confirmer() }),
      );
      assert.equal(outcome.status, 'succeeded', JSON.stringify(outcome.error ?? outcome.refusal));
      const [backup] = outcome.backups;
      assert.equal(backup.kind, 'ebs-snapshot');
      const { Snapshots } = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [backup.id] }));
      assert.equal(Snapshots![0].VolumeId, volumeId);
      assert.equal(tagsOf(Snapshots![0].Tags)['PilotLight:BackupOf'], volumeId);
      const { Volumes } = await ec2.send(
        new DescribeVolumesCommand({ Filters: [{ Name: 'volume-id', Values: [volumeId] }] }),
      );
      assert.equal(Volumes!.length, 0, 'the volume is gone');
      assert.deepEqual((await audit()).at(-1)?.backups, [backup]);
    });

    it('skips backups where the policy limits them to protected environments', async () => {
      const volumeId = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8 }))).VolumeId!;
      const outcome = await runnerWith({ backupBeforeDelete: 'protected' }).run(
        'ec2.volumes.delete',
        { volumeId },
        execute({ approvalProvider: confirmer() }),
      );
      assert.equal(outcome.status, 'succeeded');
      assert.deepEqual(outcome.backups, []);
    });
  });

  describe('dependency checks', () => {
    it('blocks deleting a security group while an instance uses it', async () => {
      const groupId = (
        await ec2.send(
          new CreateSecurityGroupCommand({
            VpcId: vpcId,
            GroupName: 'app',
            Description: 'app',
            TagSpecifications: [{ ResourceType: 'security-group', Tags: tags({ env: 'dev' }) }],
          }),
        )
      ).GroupId!;
      const [instanceId] = await launch({ env: 'dev' }, { securityGroupIds: [groupId] });
      const blocked = await runnerWith().run(
        'ec2.securityGroups.delete',
        { groupId },
        execute({ approvalProvider: confirmer() }),
      );
      assert.equal(blocked.refusal?.code, 'dependency', JSON.stringify(blocked));
      assert.match(blocked.refusal!.message, new RegExp(`still used by 1 network interface.*${instanceId}`));
      assert.equal(
        (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups!.length,
        1,
      );
      assert.deepEqual(
        (await audit()).map((record) => [record.outcome, record.refusal?.code, record.operation]),
        [['refused', 'dependency', 'ec2.securityGroups.delete']],
      );
    });

    it('blocks deleting a security group while a network interface uses it, and allows it once the interface is gone', async () => {
      const groupId = (
        await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: 'db', Description: 'db' }))
      ).GroupId!;
      const eniId = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [groupId] })))
        .NetworkInterface!.NetworkInterfaceId!;
      const runner = runnerWith();
      const blocked = await runner.run(
        'ec2.securityGroups.delete',
        { groupId },
        execute({ approvalProvider: confirmer() }),
      );
      assert.equal(blocked.refusal?.code, 'dependency');
      assert.match(blocked.refusal!.message, new RegExp(eniId));
      await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eniId }));
      const allowed = await runner.run(
        'ec2.securityGroups.delete',
        { groupId },
        execute({ approvalProvider: confirmer() }),
      );
      assert.equal(allowed.status, 'succeeded', JSON.stringify(allowed.refusal ?? allowed.error));
      assert.equal(
        (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] })))
          .SecurityGroups!.length,
        0,
      );
    });

    it('blocks deleting an attached volume', async () => {
      const [instanceId] = await launch({ Environment: 'dev' });
      const volumeId = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8 }))).VolumeId!;
      await ec2.send(new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, Device: '/dev/sdf' }));
      const snapshotsBefore = (await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots!.length;
      const outcome = await runnerWith().run(
        'ec2.volumes.delete',
        { volumeId },
        execute({ approvalProvider: confirmer() }),
      );
      assert.equal(outcome.refusal?.code, 'dependency');
      assert.match(outcome.refusal!.message, new RegExp(`attached to ${instanceId}`));
      const { Snapshots } = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
      assert.equal(Snapshots!.length, snapshotsBefore, 'no backup for a refused delete');
    });

    it('requires an instance to be stopped before its type changes', async () => {
      const [instanceId] = await launch({ Environment: 'dev' });
      const runner = runnerWith();
      assert.equal(
        (await runner.run('ec2.instances.changeType', { instanceId, instanceType: 't3.large' }, execute())).refusal
          ?.code,
        'dependency',
      );
      await ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
      const changed = await runner.run('ec2.instances.changeType', { instanceId, instanceType: 't3.large' }, execute());
      assert.equal(changed.status, 'succeeded', JSON.stringify(changed.refusal ?? changed.error));
      assert.equal(changed.preview?.cost.direction, 'increase');
      const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      assert.equal(Reservations![0].Instances![0].InstanceType, 't3.large');
    });
  });

  describe('more operations', () => {
    it('authorizes and revokes security group rules', async () => {
      const groupId = (
        await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: 'web', Description: 'web' }))
      ).GroupId!;
      const runner = runnerWith();
      const rules = [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0', description: 'https' }];
      assert.equal(
        (await runner.run('ec2.securityGroups.authorizeIngress', { groupId, rules }, execute())).status,
        'succeeded',
      );
      const ingress = async () =>
        (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups![0].IpPermissions ??
        [];
      assert.ok((await ingress()).some((permission) => permission.FromPort === 443));
      assert.equal(
        (await runner.run('ec2.securityGroups.revokeIngress', { groupId, rules }, execute())).status,
        'succeeded',
      );
      assert.ok(!(await ingress()).some((permission) => permission.FromPort === 443));
    });

    it('allocates an Elastic IP, refuses to release it while associated, then releases it', async () => {
      const runner = runnerWith();
      const allocated = await runner.run('ec2.addresses.allocate', { tags: { Environment: 'dev' } }, execute());
      const allocationId = (allocated.output as { allocationId: string }).allocationId;
      const [instanceId] = await launch({ Environment: 'dev' });
      const { AssociationId } = await ec2.send(
        new AssociateAddressCommand({ AllocationId: allocationId, InstanceId: instanceId }),
      );
      assert.equal(
        (await runner.run('ec2.addresses.release', { allocationId }, execute({ approvalProvider: confirmer() })))
          .refusal?.code,
        'dependency',
      );
      await ec2.send(new DisassociateAddressCommand({ AssociationId }));
      assert.equal(
        (await runner.run('ec2.addresses.release', { allocationId }, execute({ approvalProvider: confirmer() })))
          .status,
        'succeeded',
      );
      assert.equal((await ec2.send(new DescribeAddressesCommand({}))).Addresses!.length, 0);
    });

    it('creates a snapshot, and refuses to delete one that backs an AMI', async () => {
      const runner = runnerWith({ backupBeforeDelete: 'never' });
      const volumeId = (
        await ec2.send(
          new CreateVolumeCommand({
            AvailabilityZone: 'us-east-1a',
            Size: 2,
            TagSpecifications: [{ ResourceType: 'volume', Tags: tags({ Environment: 'dev' }) }],
          }),
        )
      ).VolumeId!;
      const created = await runner.run('ec2.snapshots.create', { volumeId, description: 'before upgrade' }, execute());
      assert.equal(created.status, 'succeeded');
      assert.deepEqual(created.preview?.environments, ['dev'], "a new snapshot inherits the volume's environment");
      const snapshotId = (created.output as { snapshotId: string }).snapshotId;
      assert.equal(
        (await runner.run('ec2.snapshots.delete', { snapshotId }, execute({ approvalProvider: confirmer() }))).status,
        'succeeded',
      );
      const [instanceId] = await launch({ Environment: 'dev' });
      const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'golden' }));
      const { Images } = await ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }));
      const amiSnapshot = Images![0].BlockDeviceMappings!.find((mapping) => mapping.Ebs?.SnapshotId)!.Ebs!.SnapshotId!;
      const blocked = await runner.run(
        'ec2.snapshots.delete',
        { snapshotId: amiSnapshot },
        execute({ approvalProvider: confirmer() }),
      );
      assert.equal(blocked.refusal?.code, 'dependency');
      assert.match(blocked.refusal!.message, new RegExp(`backs AMI ${ImageId}`));
    });
  });

  describe('composite and IAM operations', () => {
    it('creates a VPC with public and private subnets in two AZs and a NAT gateway, then deletes all of it', async () => {
      const runner = runnerWith();
      const created = await runner.run(
        'ec2.vpcs.create',
        {
          name: 'shop',
          cidrBlock: '10.40.0.0/16',
          availabilityZoneCount: 2,
          natGateways: 'single',
          tags: { Environment: 'staging' },
        },
        execute(),
      );
      assert.equal(created.status, 'succeeded', JSON.stringify(created.error ?? created.refusal));
      const output = created.output as {
        vpcId: string;
        subnets: Array<{ tier: string; availabilityZone: string }>;
        natGatewayIds: string[];
        internetGatewayId: string;
      };
      assert.deepEqual(
        output.subnets.map((subnet) => `${subnet.tier}/${subnet.availabilityZone}`),
        ['public/us-east-1a', 'public/us-east-1b', 'private/us-east-1a', 'private/us-east-1b'],
      );
      const newVpc = output.vpcId;
      const { RouteTables } = await ec2.send(
        new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [newVpc] }] }),
      );
      const routes = RouteTables!.flatMap((table) => table.Routes ?? []);
      assert.ok(
        routes.some(
          (route) => route.GatewayId === output.internetGatewayId && route.DestinationCidrBlock === '0.0.0.0/0',
        ),
      );
      assert.ok(routes.some((route) => route.NatGatewayId === output.natGatewayIds[0]));
      const deleted = await runner.run(
        'ec2.vpcs.delete',
        { vpcId: newVpc },
        execute({ approvalProvider: confirmer() }),
      );
      assert.equal(deleted.status, 'succeeded', JSON.stringify(deleted.error ?? deleted.refusal));
      assert.equal(
        (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: [newVpc] }] }))).Vpcs!.length,
        0,
      );
      assert.equal(
        (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [newVpc] }] }))).Subnets!
          .length,
        0,
      );
      assert.equal(
        (
          await ec2.send(
            new DescribeInternetGatewaysCommand({
              InternetGatewayIds: undefined,
              Filters: [{ Name: 'internet-gateway-id', Values: [output.internetGatewayId] }],
            }),
          )
        ).InternetGateways!.length,
        0,
      );
      const nats =
        (await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: output.natGatewayIds }))).NatGateways ?? [];
      assert.ok(nats.every((nat) => nat.State === 'deleted'));
      assert.equal(
        (await ec2.send(new DescribeAddressesCommand({}))).Addresses!.length,
        0,
        'the NAT address was released',
      );
      assert.deepEqual(
        (await audit()).map((record) => record.outcome),
        ['succeeded', 'approved', 'succeeded'],
      );
    });

    it('blocks deleting a VPC that still has instances', async () => {
      await launch({ Environment: 'dev' });
      const outcome = await runnerWith().run('ec2.vpcs.delete', { vpcId }, execute({ approvalProvider: confirmer() }));
      assert.equal(outcome.refusal?.code, 'dependency');
      assert.equal((await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs!.length, 1);
    });

    it('creates a role with a trust policy and a policy, attaches and detaches it', async () => {
      const runner = runnerWith();
      const trustPolicy = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      };
      const role = await runner.run(
        'iam.roles.create',
        { roleName: 'app-role', trustPolicy, tags: { Environment: 'dev' } },
        execute(),
      );
      assert.equal(role.status, 'succeeded', JSON.stringify(role.error ?? role.refusal));
      const policy = await runner.run(
        'iam.policies.create',
        {
          policyName: 'app-read',
          policyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::app/*' }],
          }),
        },
        execute(),
      );
      const policyArn = (policy.output as { policyArn: string }).policyArn;
      assert.equal(
        (await runner.run('iam.roles.attachPolicy', { roleName: 'app-role', policyArn }, execute())).status,
        'succeeded',
      );
      assert.deepEqual(
        (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'app-role' }))).AttachedPolicies!.map(
          (attached) => attached.PolicyArn,
        ),
        [policyArn],
      );
      const read = await runner.run(
        'iam.roles.policies',
        { roleName: 'app-role' },
        { caller: 'chat', mode: 'execute' },
      );
      assert.deepEqual((read.output as { trustPolicy: unknown }).trustPolicy, trustPolicy);
      assert.equal(
        (await runner.run('iam.roles.detachPolicy', { roleName: 'app-role', policyArn }, execute())).status,
        'succeeded',
      );
      assert.equal(
        (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'app-role' }))).AttachedPolicies!.length,
        0,
      );
      assert.ok((await iam.send(new GetRoleCommand({ RoleName: 'app-role' }))).Role);
    });
  });

  describe('audit trail and secrets', () => {
    it('keeps secrets out of the audit trail, the logs and returned results', async () => {
      const password = 'Tr0ub4dor&3-not-real';
      const accessKey = 'AKIAIOSFODNN7EXAMPLE';
      const secretKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
      const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAtestonlynotarealkey\n-----END RSA PRIVATE KEY-----';
      const { LaunchTemplate } = await ec2.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: 'web',
          LaunchTemplateData: {
            ImageId: imageId,
            InstanceType: 't3.micro',
            UserData: Buffer.from(`#!/bin/bash\nDB_PASSWORD=${password}\n`).toString('base64'),
          },
          TagSpecifications: [{ ResourceType: 'launch-template', Tags: tags({ Environment: 'dev' }) }],
        }),
      );
      const runner = runnerWith({ auditReads: true });
      const outcomes: RunOutcome[] = [];
      outcomes.push(
        await runner.run(
          'ec2.instances.launchFromTemplate',
          {
            launchTemplateId: LaunchTemplate!.LaunchTemplateId,
            subnetId,
            userData: `#!/bin/bash\necho "password: ${password}"\nexport AWS_SECRET_ACCESS_KEY=${secretKey}\ncat > key.pem <<EOF\n${pem}\nEOF\n`,
          },
          execute(),
        ),
      );
      outcomes.push(
        await runner.run(
          'iam.policies.create',
          {
            policyName: 'leaky',
            policyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 's3:GetObject',
                  Resource: '*',
                  Condition: { StringEquals: { 'aws:PrincipalTag/key': accessKey } },
                },
              ],
            },
            description: `rotated ${accessKey}`,
          },
          execute(),
        ),
      );
      outcomes.push(
        await runner.run('ec2.tags.add', { resourceIds: [vpcId], tags: { db_password: password } }, execute()),
      );
      outcomes.push(
        await runner.run(
          'ec2.launchTemplates.versions',
          { launchTemplateId: LaunchTemplate!.LaunchTemplateId },
          { caller: 'lm-tool', mode: 'execute' },
        ),
      );
      outcomes.push(
        await runner.run(
          'ec2.instances.launchFromTemplate',
          { launchTemplateId: LaunchTemplate!.LaunchTemplateId, userData: `PASSWORD=${password}`, count: 200 },
          execute(),
        ),
      );
      assert.deepEqual(
        outcomes.map((outcome) => outcome.status),
        ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'refused'],
      );
      // The values did reach AWS.
      const launched = (outcomes[0].output as { instanceIds: string[] }).instanceIds;
      assert.equal(launched.length, 1);
      const policyArn = (outcomes[1].output as { policyArn: string }).policyArn;
      const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v1' }));
      assert.ok(decodeURIComponent(version.PolicyVersion!.Document!).includes(accessKey));
      const haystack = [readFileSync(auditPath, 'utf8'), logs.join('\n'), JSON.stringify(outcomes)].join('\n');
      const base64UserData = Buffer.from(`#!/bin/bash\nDB_PASSWORD=${password}\n`).toString('base64');
      for (const secret of [password, accessKey, secretKey, 'MIIEpAIBAAKCAQEAtestonlynotarealkey', base64UserData]) {
        assert.ok(
          !haystack.includes(secret),
          `found a secret in the audit trail, logs or results: ${secret.slice(0, 6)}…`,
        );
      }
      assert.ok(logs.length > 0, 'the runner logged');
      assert.equal((await verifyAuditTrail(auditPath)).ok, true);
    });

    it('writes a verifiable trail of every attempt, which catches tampering', async () => {
      const [devId] = await launch({ Environment: 'dev' });
      const [prodId] = await launch({ Environment: 'production' });
      const runner = runnerWith();
      await runner.run('ec2.instances.stop', { instanceIds: [devId] }, { caller: 'chat', mode: 'dry-run' });
      await runner.run('ec2.instances.stop', { instanceIds: [prodId] }, execute());
      await runner.run(
        'ec2.instances.stop',
        { instanceIds: [prodId] },
        execute({ approvalProvider: approvingProvider() }),
      );
      await runner.run('ec2.instances.reboot', { instanceIds: ['i-0ffffffffffffffff'] }, execute());
      const records = await audit();
      assert.deepEqual(
        records.map((record) => record.outcome),
        ['dry-run', 'refused', 'approved', 'succeeded', 'failed'],
      );
      for (const record of records) {
        for (const field of [
          'time',
          'correlationId',
          'callerArn',
          'account',
          'region',
          'operation',
          'resourceIds',
          'durationMs',
          'prevHash',
          'hash',
        ] as const)
          assert.ok(record[field] !== undefined, `${record.outcome} has ${field}`);
      }
      assert.equal(records[4].error?.code, 'InvalidInstanceID.NotFound');
      assert.equal((await verifyAuditTrail(auditPath)).ok, true);
      const lines = readFileSync(auditPath, 'utf8').trimEnd().split('\n');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(auditPath, `${[lines[0], lines[2], lines[1], ...lines.slice(3)].join('\n')}\n`);
      const verdict = await verifyAuditTrail(auditPath);
      assert.equal(verdict.ok, false);
      assert.equal(verdict.firstBadLine, 2);
    });
  });

  describe('reads', () => {
    it('runs every read operation against the seeded emulator account', async () => {
      const sample = (await resetAndSeed('sample')).sample!;
      const runner = runnerWith();
      const read = async (id: string, input: unknown = {}) => {
        const outcome = await runner.run(id, input, { caller: 'explorer', mode: 'execute' });
        assert.equal(outcome.status, 'succeeded', `${id}: ${JSON.stringify(outcome.error ?? outcome.refusal)}`);
        return outcome.output as { items?: unknown[] } & Record<string, unknown>;
      };
      assert.equal(
        (await read('ec2.instances.list', { filters: [{ name: 'tag:Environment', values: ['production'] }] })).items!
          .length,
        3,
      );
      assert.equal((await read('ec2.vpcs.list', { ids: [sample.vpcId] })).items!.length, 1);
      assert.ok(
        (await read('ec2.subnets.list', { filters: [{ name: 'vpc-id', values: [sample.vpcId] }] })).items!.length >= 4,
      );
      assert.equal((await read('ec2.securityGroups.list', { ids: [sample.securityGroups.web] })).items!.length, 1);
      assert.ok((await read('ec2.routeTables.list')).items!.length > 0);
      assert.ok((await read('ec2.internetGateways.list')).items!.length > 0);
      assert.ok((await read('ec2.launchTemplates.list')).items!.length >= 3);
      assert.ok(
        (await read('ec2.launchTemplates.versions', { launchTemplateId: sample.servers.web.launchTemplateId })).items!
          .length >= 1,
      );
      for (const id of [
        'ec2.volumes.list',
        'ec2.snapshots.list',
        'ec2.addresses.list',
        'ec2.keyPairs.list',
        'ec2.images.list',
        'ec2.natGateways.list',
        'cloudformation.stacks.list',
        'iam.roles.list',
        'iam.policies.list',
      ])
        await read(id);
      const servers = await read('drs.sourceServers.list');
      assert.equal(servers.items!.length, 3, 'DRS reads go through the gateway to the DRS emulator');
      await read('drs.jobs.list');
      await read('drs.recoveryInstances.list');
      assert.equal((await audit()).length, 0, 'reads are not audited by default');
    });
  });
});
