import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { GetLaunchConfigurationCommand, DrsClient } from '@aws-sdk/client-drs';
import {
  CreateLaunchTemplateCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  type RequestLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import { readAuditTrail } from '../../src/core/audit';
import { AuditTrail } from '../../src/core/audit/auditTrail';
import { resolveGuardrailPolicy } from '../../src/core/guardrails';
import { createOperationRegistry } from '../../src/core/operations';
import { OperationRunner } from '../../src/core/operations/runner';
import {
  bulkApply,
  bulkDryRun,
  checkLaunchTemplateFields,
  encodeUserData,
  gatherRecoveryFacts,
  LaunchTemplateEditor,
  normalizeVersionForDiff,
  retryFailed,
  selectSourceServers,
  validateRecoveryLaunch,
  type RunContext,
  type RunFunction,
} from '../../src/core/launchTemplates';
import { emulatorConnection } from '../support/connection';
import { tempDir } from '../support/dr';
import { clientConfig, emulatorStack, resetAndSeed, useEmulatorStack } from '../support/emulators';
import { approvingProvider } from '../support/operationHarness';

useEmulatorStack();

const USER_DATA = Buffer.from('#!/bin/bash\necho hello\n', 'utf8').toString('base64');

describe('launch templates through the operation runner (moto + DRS emulator)', function () {
  this.timeout(120_000);
  let ec2: EC2Client;
  let drs: DrsClient;
  let dir: ReturnType<typeof tempDir>;
  let run: RunFunction;
  let calls: string[];
  const context: RunContext = { caller: 'command' };
  let net: { vpcA: string; vpcB: string; subnetA: string; az: string; sgA: string; sgB: string };
  let counter = 0;

  before(async () => {
    await resetAndSeed(false);
    ec2 = new EC2Client(clientConfig());
    drs = new DrsClient(clientConfig({ maxAttempts: 1 }));
    dir = tempDir();
    // A bulk change makes up to 3 changes per server; the default limit (30 a minute) would refuse most of them.
    const connection = await emulatorConnection();
    const runner = new OperationRunner({
      registry: createOperationRegistry(),
      connection,
      policy: { ...resolveGuardrailPolicy({}).policy, maxMutationsPerMinute: 1000 },
      audit: new AuditTrail(join(dir.path, 'audit.jsonl')),
    });
    calls = [];
    run = (operationId, input, options) => {
      calls.push(operationId);
      return runner.run(operationId, input, options);
    };
    const vpcA = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
    const vpcB = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (
      await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcA, CidrBlock: '10.20.1.0/24', AvailabilityZone: 'us-east-1a' }),
      )
    ).Subnet!;
    const sgA = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'lt-a', Description: 'a', VpcId: vpcA })))
      .GroupId!;
    const sgB = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'lt-b', Description: 'b', VpcId: vpcB })))
      .GroupId!;
    net = { vpcA, vpcB, subnetA: subnet.SubnetId!, az: subnet.AvailabilityZone!, sgA, sgB };
  });
  after(() => {
    ec2.destroy();
    drs.destroy();
    dir.remove();
  });

  async function createTemplate(
    data: RequestLaunchTemplateData,
    tags: Record<string, string> = { Environment: 'test' },
  ): Promise<string> {
    counter += 1;
    const created = await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: `lt-test-${counter}-${Date.now()}`,
        LaunchTemplateData: data,
        TagSpecifications: [
          { ResourceType: 'launch-template', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
        ],
      }),
    );
    return created.LaunchTemplate!.LaunchTemplateId!;
  }

  async function awsVersion(templateId: string, version: number | string) {
    const result = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId, Versions: [String(version)] }),
    );
    return result.LaunchTemplateVersions![0];
  }

  async function awsTemplate(templateId: string) {
    return (await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [templateId] })))
      .LaunchTemplates![0];
  }

  const baseData = (): RequestLaunchTemplateData => ({
    ImageId: 'ami-12c6146b',
    InstanceType: 't3.micro',
    UserData: USER_DATA,
    MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
    NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: net.subnetA, Groups: [net.sgA] }],
    BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 8 } }],
  });

  describe('editor', () => {
    it('creates a version sending only the changed field; SourceVersion keeps every other field (user data included)', async () => {
      const templateId = await createTemplate(baseData());
      const editor = new LaunchTemplateEditor(run, context);
      const opened = await editor.open({ launchTemplateId: templateId });
      assert.equal(opened.template.latestVersion, 1);
      assert.deepEqual(
        opened.versions.map((version) => [version.versionNumber, version.isDefault]),
        [[1, true]],
      );
      assert.equal(opened.selected.data.InstanceType, 't3.micro');
      assert.equal(opened.selected.data.UserData, '[REDACTED]', 'user data never leaves the runner');

      const saved = await editor.save({
        templateId,
        baseVersion: 1,
        expectedLatestVersion: 1,
        edited: { ...opened.selected.data, InstanceType: 't3.large' },
        description: 'bigger',
      });
      assert.equal(saved.status, 'saved');
      if (saved.status !== 'saved') return;
      assert.equal(saved.versionNumber, 2);
      assert.deepEqual(
        saved.changes.map((change) => change.field),
        ['InstanceType'],
      );
      assert.deepEqual(saved.outcomes[0].preview?.changes, ['InstanceType: "t3.micro" → "t3.large"']);

      const v1 = await awsVersion(templateId, 1);
      const v2 = await awsVersion(templateId, 2);
      assert.equal(v2.VersionDescription, 'bigger');
      assert.equal(v2.LaunchTemplateData?.InstanceType, 't3.large');
      assert.equal(v2.LaunchTemplateData?.UserData, USER_DATA, 'user data kept from the source version');
      assert.deepEqual(v2.LaunchTemplateData?.NetworkInterfaces, v1.LaunchTemplateData?.NetworkInterfaces);
      assert.deepEqual(v2.LaunchTemplateData?.BlockDeviceMappings, v1.LaunchTemplateData?.BlockDeviceMappings);
      assert.deepEqual(v2.LaunchTemplateData?.MetadataOptions?.HttpTokens, 'required');
      assert.equal((await awsTemplate(templateId)).DefaultVersionNumber, 1, 'not made default unless asked');

      // The diff texts of the two versions differ in the instance type line only.
      const text1 = normalizeVersionForDiff(v1.LaunchTemplateData as Record<string, unknown>).split('\n');
      const text2 = normalizeVersionForDiff(v2.LaunchTemplateData as Record<string, unknown>).split('\n');
      assert.equal(text1.length, text2.length);
      assert.deepEqual(
        text1.filter((line, index) => line !== text2[index]),
        ['  "InstanceType": "t3.micro",'],
      );
      assert.ok(text1.includes('echo hello'), 'user data shown decoded');
    });

    it('reveals user data decoded for a person only (audited without content); a version from text user data reads back decoded, and the diff shows both decoded', async () => {
      const templateId = await createTemplate(baseData());
      const editor = new LaunchTemplateEditor(run, context);
      const revealed = await editor.revealUserData(templateId, 1);
      assert.equal(revealed.state, 'text');
      assert.equal(revealed.text, '#!/bin/bash\necho hello\n');
      const auditRecords = async () =>
        (await readAuditTrail(join(dir.path, 'audit.jsonl'))).filter(
          (record) => record.operation === 'ec2.launchTemplates.revealUserData',
        );
      const record = (await auditRecords()).at(-1)!;
      assert.equal(record.outcome, 'succeeded');
      assert.deepEqual(record.result, {
        revealed: 'user data',
        launchTemplateId: templateId,
        versionNumber: 1,
        state: 'text',
        bytes: 23,
      });
      assert.ok(!JSON.stringify(record).includes('echo hello') && !JSON.stringify(record).includes(USER_DATA));

      // The same service run for an agent is refused by the runner, and nothing is revealed.
      await assert.rejects(
        new LaunchTemplateEditor(run, { caller: 'lm-tool' }).revealUserData(templateId, 1),
        /secret|cannot run it/,
      );
      assert.equal((await auditRecords()).at(-1)!.outcome, 'refused');

      // The versions read everyone uses carries user data redacted.
      const opened = await editor.open({ launchTemplateId: templateId });
      assert.equal(opened.selected.data.UserData, '[REDACTED]');

      const script = '#!/bin/bash\necho "héllo ✓ from text"\n';
      const saved = await editor.save({
        templateId,
        baseVersion: 1,
        expectedLatestVersion: 1,
        edited: { ...opened.selected.data, InstanceType: 't3.large', UserData: encodeUserData(script) },
      });
      assert.equal(saved.status, 'saved', JSON.stringify(saved));
      assert.deepEqual(saved.status === 'saved' && saved.changes.map((change) => change.field), [
        'InstanceType',
        'UserData',
      ]);
      assert.ok(
        saved.status === 'saved' && !JSON.stringify(saved.outcomes).includes('from text'),
        'no user data in the outcomes',
      );
      const v2 = await awsVersion(templateId, 2);
      assert.equal(Buffer.from(v2.LaunchTemplateData!.UserData!, 'base64').toString('utf8'), script);
      assert.equal((await editor.revealUserData(templateId, 2)).text, script, 'read back decoded');

      const older = await editor.readVersionWithUserData(templateId, 1);
      const newer = await editor.readVersionWithUserData(templateId, 2);
      assert.ok(older.text.includes('# UserData (base64-decoded)\n#!/bin/bash\necho hello\n'), older.text);
      assert.ok(newer.text.includes('echo "héllo ✓ from text"'), newer.text);
      assert.ok(!older.text.includes('[REDACTED]') && !newer.text.includes('[REDACTED]'));
      const left = older.text.split('\n');
      const right = newer.text.split('\n');
      assert.deepEqual(
        left.filter((line, index) => line !== right[index]),
        ['  "InstanceType": "t3.micro",', 'echo hello'],
        'only the instance type and the user data line differ; unset fields are not changes',
      );
    });

    it('sets the default, rolls back by default and by copy, and creates nothing for an unchanged save', async () => {
      const templateId = await createTemplate(baseData());
      const editor = new LaunchTemplateEditor(run, context);
      const opened = await editor.open({ launchTemplateId: templateId });
      const saved = await editor.save({
        templateId,
        baseVersion: 1,
        expectedLatestVersion: 1,
        edited: { ...opened.selected.data, InstanceType: 't3.small' },
        makeDefault: true,
      });
      assert.equal(saved.status, 'saved');
      assert.equal((await awsTemplate(templateId)).DefaultVersionNumber, 2);

      const unchanged = await editor.save({
        templateId,
        baseVersion: 2,
        expectedLatestVersion: 2,
        edited: (await editor.readVersion(templateId, 2)).data,
      });
      assert.equal(unchanged.status, 'unchanged');
      assert.equal((await awsTemplate(templateId)).LatestVersionNumber, 2, 'no version created');

      const back = await editor.rollback({ templateId, version: 1, mode: 'set-default' });
      assert.equal(back.status, 'succeeded', back.message);
      assert.equal((await awsTemplate(templateId)).DefaultVersionNumber, 1);

      const copied = await editor.rollback({ templateId, version: 2, mode: 'copy-to-new' });
      assert.equal(copied.status, 'succeeded', copied.message);
      assert.equal(copied.versionNumber, 3);
      const template = await awsTemplate(templateId);
      assert.equal(template.DefaultVersionNumber, 3);
      const v3 = await awsVersion(templateId, 3);
      assert.equal(v3.LaunchTemplateData?.InstanceType, 't3.small');
      assert.equal(v3.LaunchTemplateData?.UserData, USER_DATA);
    });

    it('warns when someone else created a version since the template was opened, and creates nothing', async () => {
      const templateId = await createTemplate(baseData());
      const editor = new LaunchTemplateEditor(run, context);
      const opened = await editor.open({ launchTemplateId: templateId });
      const other = await run(
        'ec2.launchTemplates.createVersion',
        { launchTemplateId: templateId, sourceVersion: 1, launchTemplateData: { InstanceType: 'm5.large' } },
        { caller: 'command', mode: 'execute' },
      );
      assert.equal(other.status, 'succeeded');
      const result = await editor.save({
        templateId,
        baseVersion: 1,
        expectedLatestVersion: opened.template.latestVersion,
        edited: { ...opened.selected.data, InstanceType: 't3.nano' },
      });
      assert.equal(result.status, 'conflict');
      if (result.status !== 'conflict') return;
      assert.equal(result.conflict.latest, 2);
      assert.match(result.conflict.diffText, /InstanceType: "m5\.large" → "t3\.nano"/);
      assert.match(result.conflict.latestText, /"InstanceType": "m5\.large"/);
      assert.equal((await awsTemplate(templateId)).LatestVersionNumber, 2);
      // After the user decides, saving against the new latest version goes through.
      const again = await editor.save({
        templateId,
        baseVersion: 2,
        expectedLatestVersion: 2,
        edited: { ...(await editor.readVersion(templateId, 2)).data, InstanceType: 't3.nano' },
      });
      assert.equal(again.status, 'saved');
    });

    it('refuses to delete the default version and to remove a field SourceVersion cannot unset', async () => {
      const templateId = await createTemplate(baseData());
      const editor = new LaunchTemplateEditor(run, context);
      const before = calls.length;
      const refused = await editor.deleteVersions({ templateId, versions: [1] });
      assert.equal(refused.status, 'refused');
      assert.match(refused.message, /default version/);
      assert.deepEqual(calls.slice(before), ['ec2.launchTemplates.list'], 'no delete call was made');
      // The operation itself refuses too (a guardrail refusal, not an AWS error), whoever calls it.
      const direct = await run(
        'ec2.launchTemplates.deleteVersions',
        { launchTemplateId: templateId, versions: [1] },
        { caller: 'lm-tool', mode: 'execute' },
      );
      assert.equal(direct.status, 'refused');
      assert.equal(direct.refusal?.code, 'dependency');

      const opened = await editor.open({ launchTemplateId: templateId });
      const { BlockDeviceMappings: _removed, ...withoutDisks } = opened.selected.data;
      const removal = await editor.save({ templateId, baseVersion: 1, expectedLatestVersion: 1, edited: withoutDisks });
      assert.equal(removal.status, 'refused');
      assert.match((removal as { message: string }).message, /Cannot remove BlockDeviceMappings/);
      assert.equal((await awsTemplate(templateId)).LatestVersionNumber, 1);
    });

    it('deletes non-default versions: they leave the version list, and the default stays', async () => {
      const templateId = await createTemplate(baseData());
      const editor = new LaunchTemplateEditor(run, context);
      for (const type of ['t3.small', 't3.medium']) {
        const latest = (await awsTemplate(templateId)).LatestVersionNumber!;
        const saved = await editor.save({
          templateId,
          baseVersion: latest,
          expectedLatestVersion: latest,
          edited: { ...(await editor.readVersion(templateId, latest)).data, InstanceType: type },
        });
        assert.equal(saved.status, 'saved');
      }
      const preview = await editor.deleteVersions({ templateId, versions: [2], runMode: 'dry-run' });
      assert.equal(preview.status, 'dry-run');
      assert.deepEqual(
        (await editor.open({ launchTemplateId: templateId })).versions.map((version) => version.versionNumber),
        [3, 2, 1],
        'a dry run deletes nothing',
      );
      // Deletes need a confirmation under the default policy.
      const unconfirmed = await editor.deleteVersions({ templateId, versions: [2] });
      assert.equal(unconfirmed.status, 'refused');
      const confirmer = approvingProvider();
      const deleted = await new LaunchTemplateEditor(run, {
        caller: 'command',
        approvalProvider: confirmer,
      }).deleteVersions({ templateId, versions: [2] });
      assert.equal(deleted.status, 'succeeded', deleted.message);
      assert.equal(confirmer.requests.length, 1);
      assert.deepEqual((deleted.outcomes[0].output as { deleted: number[] }).deleted, [2]);
      const opened = await editor.open({ launchTemplateId: templateId });
      assert.deepEqual(
        opened.versions.map((version) => [version.versionNumber, version.isDefault]),
        [
          [3, false],
          [1, true],
        ],
      );
      await assert.rejects(editor.readVersion(templateId, 2), /NotFound/);
    });

    it('needs an approval to change a production template: refused without one, runs with it', async () => {
      const templateId = await createTemplate(baseData(), { Environment: 'prod' });
      const refusedEditor = new LaunchTemplateEditor(run, { caller: 'command' });
      const opened = await refusedEditor.open({ launchTemplateId: templateId });
      const edited = { ...opened.selected.data, InstanceType: 't3.medium' };
      const refused = await refusedEditor.save({ templateId, baseVersion: 1, expectedLatestVersion: 1, edited });
      assert.equal(refused.status, 'refused');
      assert.equal(
        (refused as { outcomes: Array<{ refusal?: { code: string } }> }).outcomes[0].refusal?.code,
        'approval-required',
      );
      assert.equal((await awsTemplate(templateId)).LatestVersionNumber, 1, 'nothing created without approval');

      const approver = approvingProvider();
      const approved = await new LaunchTemplateEditor(run, { caller: 'command', approvalProvider: approver }).save({
        templateId,
        baseVersion: 1,
        expectedLatestVersion: 1,
        edited,
        makeDefault: true,
      });
      assert.equal(approved.status, 'saved', (approved as { message?: string }).message);
      assert.equal(approver.requests.length, 2, 'the new version and the default change were each approved');
      assert.equal((await awsTemplate(templateId)).DefaultVersionNumber, 2);
    });
  });

  describe('form field checks', () => {
    it('flags a group of another VPC, an IP outside the subnet, a type not offered in the AZ and IMDSv1', async () => {
      const bad = await checkLaunchTemplateFields(run, context, {
        data: {
          InstanceType: 'zz9.mega',
          MetadataOptions: { HttpTokens: 'optional' },
          NetworkInterfaces: [
            { DeviceIndex: 0, SubnetId: net.subnetA, PrivateIpAddress: '10.20.2.5', Groups: [net.sgB] },
          ],
        },
      });
      const codes = bad.map((finding) => `${finding.field}:${finding.severity}`).sort();
      assert.deepEqual(codes, [
        'InstanceType:error',
        'MetadataOptions.HttpTokens:warning',
        'NetworkInterfaces[0].PrivateIpAddress:error',
        'SecurityGroupIds:error',
      ]);
      assert.match(
        bad.find((finding) => finding.field === 'SecurityGroupIds')!.message,
        new RegExp(`${net.sgB} is in ${net.vpcB}`),
      );

      const good = await checkLaunchTemplateFields(run, context, {
        data: {
          InstanceType: 't3.micro',
          MetadataOptions: { HttpTokens: 'required' },
          NetworkInterfaces: [
            { DeviceIndex: 0, SubnetId: net.subnetA, PrivateIpAddress: '10.20.1.5', Groups: [net.sgA] },
          ],
        },
      });
      assert.deepEqual(good, []);
    });
  });

  describe('DRS recovery validation', () => {
    async function seedServer(
      data: RequestLaunchTemplateData,
      settings: { rightSizing?: 'NONE' | 'BASIC'; copyPrivateIp?: boolean } = {},
      extra: { privateIps?: string[]; disks?: string[]; tags?: Record<string, string> } = {},
    ) {
      const templateId = await createTemplate(data);
      const [server] = await emulatorStack().admin.seedSourceServers([
        {
          hostname: `host-${counter}`,
          ec2LaunchTemplateID: templateId,
          tags: extra.tags ?? { Environment: 'test' },
          recommendedInstanceType: 't3.large',
          privateIps: extra.privateIps ?? ['10.20.1.10'],
          disks: (extra.disks ?? ['/dev/xvda']).map((deviceName) => ({ deviceName, bytes: 8 * 2 ** 30 })),
          launchConfiguration: {
            targetInstanceTypeRightSizingMethod: settings.rightSizing ?? 'NONE',
            copyPrivateIp: settings.copyPrivateIp ?? false,
          },
        },
      ]);
      return { sourceServerId: server.sourceServerID, templateId };
    }

    async function findingsFor(sourceServerId: string) {
      const gathered = await gatherRecoveryFacts(run, context, [{ sourceServerId }]);
      assert.deepEqual(gathered.errors, []);
      return validateRecoveryLaunch(gathered.facts[0]).map((finding) => finding.code);
    }

    it('finds nothing wrong with a consistent server', async () => {
      const { sourceServerId } = await seedServer(baseData(), { copyPrivateIp: true });
      assert.deepEqual(await findingsFor(sourceServerId), []);
    });

    it('right-sizing BASIC overrides the template instance type', async () => {
      const { sourceServerId } = await seedServer(baseData(), { rightSizing: 'BASIC' });
      assert.deepEqual(await findingsFor(sourceServerId), ['right-sizing-overrides-instance-type']);
    });

    it('device names must match the source disks', async () => {
      const { sourceServerId } = await seedServer({
        ...baseData(),
        BlockDeviceMappings: [{ DeviceName: '/dev/sdf', Ebs: { VolumeSize: 8 } }],
      });
      assert.deepEqual(await findingsFor(sourceServerId), ['device-name-mismatch']);
    });

    it('a copied private IP must lie in the subnet', async () => {
      const { sourceServerId } = await seedServer(baseData(), { copyPrivateIp: true }, { privateIps: ['192.168.9.9'] });
      assert.deepEqual(await findingsFor(sourceServerId), ['private-ip-outside-subnet']);
    });

    it('security groups must be in the subnet VPC', async () => {
      const { sourceServerId } = await seedServer({
        ...baseData(),
        NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: net.subnetA, Groups: [net.sgA, net.sgB] }],
      });
      assert.deepEqual(await findingsFor(sourceServerId), ['security-group-other-vpc']);
    });

    it('the instance type must be offered in the subnet AZ', async () => {
      const { sourceServerId } = await seedServer({ ...baseData(), InstanceType: 'zz9.mega' as never });
      assert.deepEqual(await findingsFor(sourceServerId), ['instance-type-not-offered']);
    });

    it('DRS launches the default version: a newer non-default version is reported', async () => {
      const { sourceServerId, templateId } = await seedServer(baseData());
      const created = await run(
        'ec2.launchTemplates.createVersion',
        { launchTemplateId: templateId, sourceVersion: 1, launchTemplateData: { InstanceType: 't3.small' } },
        { caller: 'command', mode: 'execute' },
      );
      assert.equal(created.status, 'succeeded');
      assert.deepEqual(await findingsFor(sourceServerId), ['launched-version-not-latest']);
    });

    it('without a subnet the region needs a default VPC (moto has one: no finding)', async () => {
      const { NetworkInterfaces: _nics, ...noSubnet } = baseData();
      const { sourceServerId } = await seedServer({ ...noSubnet, SecurityGroupIds: [] });
      const gathered = await gatherRecoveryFacts(run, context, [{ sourceServerId }]);
      assert.equal(gathered.facts[0].hasDefaultVpc, true);
      assert.deepEqual(validateRecoveryLaunch(gathered.facts[0]), []);
      assert.deepEqual(
        validateRecoveryLaunch({ ...gathered.facts[0], hasDefaultVpc: false }).map((finding) => finding.code),
        ['subnet-required'],
      );
    });
  });

  describe('bulk changes over 50 source servers', () => {
    it('dry-runs with at most 2 calls per server, shared reads included, applies with one injected failure kept and retried', async () => {
      const tag = `bulk-${Date.now()}`;
      const templates: string[] = [];
      for (let index = 0; index < 50; index += 1) templates.push(await createTemplate(baseData()));
      const seeded = await emulatorStack().admin.seedSourceServers(
        templates.map((templateId, index) => ({
          hostname: `bulk-${index}`,
          ec2LaunchTemplateID: templateId,
          tags: { Environment: 'test', Batch: tag },
          privateIps: ['10.20.1.20'],
          disks: [{ deviceName: '/dev/xvda', bytes: 2 ** 33 }],
        })),
      );
      const servers = await selectSourceServers(run, context, { tags: { Batch: tag } });
      assert.equal(servers.length, 50);
      const change = {
        templateData: { InstanceType: 't3.large' },
        launchConfiguration: { copyPrivateIp: true },
        description: 'bulk',
      };

      const callsBefore = calls.length;
      const dry = await bulkDryRun(run, context, servers, change);
      const dryCalls = calls.slice(callsBefore);
      assert.equal(dry.entries.length, 50);
      for (const entry of dry.entries) {
        assert.equal(entry.error, undefined);
        assert.ok(templates.includes(entry.launchTemplateId!));
        assert.deepEqual(entry.templateChanges, [{ field: 'InstanceType', old: 't3.micro', new: 't3.large' }]);
        assert.deepEqual(entry.launchConfigurationChanges, [{ field: 'copyPrivateIp', old: false, new: true }]);
        assert.deepEqual(entry.findings, []);
      }
      // GetLaunchConfiguration per server; the templates' $Default/$Latest in account-wide pages of 200 (not one
      // call per template); subnets, groups, offerings once. The report counts every call the runner ran.
      assert.equal(dry.apiCalls, dryCalls.length);
      const count = (id: string) => dryCalls.filter((call) => call === id).length;
      assert.equal(count('drs.launchConfiguration.get'), 50);
      const versionPages = count('ec2.launchTemplates.versions');
      assert.ok(versionPages >= 1 && versionPages <= 3, `${versionPages} DescribeLaunchTemplateVersions calls`);
      assert.equal(dry.apiCalls, 50 + versionPages + 3);
      assert.ok(dry.apiCallsPerServer <= 2);
      assert.equal((await awsTemplate(templates[0])).LatestVersionNumber, 1, 'a dry run changes nothing');

      const victim = seeded[17].sourceServerID;
      await emulatorStack().admin.conflict({ sourceServerID: victim, count: 1 });
      const applied = await bulkApply(run, context, servers, change);
      const failed = applied.entries.filter((entry) => entry.status !== 'applied');
      assert.deepEqual(
        failed.map((entry) => [entry.sourceServerId, entry.status]),
        [[victim, 'failed']],
      );
      assert.match(failed[0].message!, /ConflictException/);
      assert.deepEqual(
        applied.failed.map((server) => server.sourceServerId),
        [victim],
      );
      assert.equal(
        (await drs.send(new GetLaunchConfigurationCommand({ sourceServerID: victim }))).copyPrivateIp,
        false,
      );

      const retried = await retryFailed(run, context, applied);
      assert.deepEqual(retried.failed, []);
      assert.ok(retried.entries.every((entry) => entry.status === 'applied'));
      assert.equal((await drs.send(new GetLaunchConfigurationCommand({ sourceServerID: victim }))).copyPrivateIp, true);
      for (const templateId of templates) {
        const template = await awsTemplate(templateId);
        assert.equal(template.LatestVersionNumber, 2, `${templateId}: exactly one new version, even after the retry`);
        assert.equal(template.DefaultVersionNumber, 2);
      }
      assert.equal((await awsVersion(templates[17], 2)).LaunchTemplateData?.InstanceType, 't3.large');
    });
  });
});
