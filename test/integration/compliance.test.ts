/**
 * Every compliance check through the real SDK against moto (and the Config compliance emulator in the
 * gateway), each with a case that fails and one that passes; reads go through the OperationRunner.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTrailCommand,
  CloudTrailClient,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  ConfigServiceClient,
  PutConfigRuleCommand,
  PutConfigurationRecorderCommand,
  PutDeliveryChannelCommand,
  PutEvaluationsCommand,
  StartConfigurationRecorderCommand,
} from '@aws-sdk/client-config-service';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DescribeImagesCommand,
  EC2Client,
  EnableEbsEncryptionByDefaultCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  IAMClient,
  UpdateAccountPasswordPolicyCommand,
} from '@aws-sdk/client-iam';
import { PutPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { BatchImportFindingsCommand, EnableSecurityHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { AwsConnection } from '../../src/core/aws/connection';
import { AuditTrail } from '../../src/core/audit/auditTrail';
import { ALL_CHECKS } from '../../src/core/compliance/checks';
import { awsConfigCheck, securityHubCheck, tagPolicyCheck } from '../../src/core/compliance/checks';
import {
  cloudTrailCheck,
  ebsDefaultEncryptionCheck,
  imdsv1Check,
  openSecurityGroupsCheck,
  passwordPolicyCheck,
  rootAccessKeysCheck,
  s3AccountPublicAccessCheck,
  unencryptedVolumesCheck,
  usersWithoutMfaCheck,
} from '../../src/core/compliance/checks/cis';
import { loadTagPolicy, runComplianceChecks } from '../../src/core/compliance/run';
import type { ComplianceCheck, ComplianceReport } from '../../src/core/compliance/types';
import { reportIsClean } from '../../src/core/compliance/types';
import { resolveGuardrailPolicy } from '../../src/core/guardrails';
import type { ReadOperation } from '../../src/core/insights/reads';
import { createOperationRegistry } from '../../src/core/operations';
import { OperationRunner } from '../../src/core/operations/runner';
import { emulatorConnection } from '../support/connection';
import { clientConfig, emulatorStack, resetAndSeed, useEmulatorStack } from '../support/emulators';

useEmulatorStack();

const ACCOUNT = '123456789012';

/** Registry reads through a real OperationRunner, as the extension's adapters make them. */
function runnerRead(connection: AwsConnection, region?: string): ReadOperation {
  const runner = new OperationRunner({
    registry: createOperationRegistry(),
    connection,
    policy: resolveGuardrailPolicy({}).policy,
    audit: new AuditTrail(join(tmpdir(), `pilot-light-compliance-${process.pid}`, 'audit.jsonl')),
    retry: { sleep: async () => undefined },
  });
  return async (operationId, input) => {
    const outcome = await runner.run(operationId, input, { caller: 'explorer', mode: 'execute', region });
    if (outcome.status === 'succeeded') return outcome.output;
    if (outcome.error) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
    if (outcome.refusal) throw new Error(`Refused (${outcome.refusal.code}): ${outcome.refusal.message}`);
    throw new Error(`${operationId} ended as ${outcome.status}.`);
  };
}

let read: ReadOperation;

async function run(checks: ComplianceCheck[], extra: Partial<Parameters<typeof runComplianceChecks>[0]> = {}) {
  return runComplianceChecks({ read, account: ACCOUNT, regions: [emulatorStack().region], checks, ...extra });
}

function only(report: ComplianceReport) {
  assert.equal(report.checks.length, 1);
  const [check] = report.checks;
  assert.equal(check.status, 'ran', check.reason);
  return check;
}

async function latestImage(ec2: EC2Client): Promise<string> {
  const { Images } = await ec2.send(new DescribeImagesCommand({ MaxResults: 5 }));
  return Images![0].ImageId!;
}

describe('compliance checks through the real SDK (moto)', function () {
  this.timeout(120_000);

  before(async () => {
    await resetAndSeed(false);
    read = runnerRead(await emulatorConnection());
  });

  it('root access keys: none in moto passes; moto cannot create root keys (the failing case is a unit test)', async () => {
    const check = only(await run([rootAccessKeysCheck]));
    assert.equal(check.resourcesEvaluated, 1);
    assert.deepEqual(check.findings, []);
  });

  it('password policy: none and a weak one fail, a CIS-strength one passes', async () => {
    const iam = new IAMClient(clientConfig());
    assert.match(only(await run([passwordPolicyCheck])).findings[0].message, /no IAM password policy/);
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 8, PasswordReusePrevention: 24 }));
    assert.match(only(await run([passwordPolicyCheck])).findings[0].message, /minimum length is 8 \(needs 14\)/);
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 14, PasswordReusePrevention: 24 }));
    assert.deepEqual(only(await run([passwordPolicyCheck])).findings, []);
  });

  it('MFA: a console user without MFA fails, the same user with a device passes (credential report, one call)', async () => {
    const iam = new IAMClient(clientConfig());
    await iam.send(new CreateUserCommand({ UserName: 'console-alice' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'console-alice', Password: 'Correct-horse-battery-1' }));
    await iam.send(new CreateUserCommand({ UserName: 'api-only-bob' }));
    const before = await run([usersWithoutMfaCheck]);
    const failing = only(before);
    assert.deepEqual(
      failing.findings.map((finding) => finding.resource.id),
      ['console-alice'],
      'a user without a console password is not asked for MFA',
    );
    assert.equal(failing.findings[0].resource.type, 'AWS::IAM::User');
    assert.equal(before.apiCalls['iam.credentialReport.get'], 1);
    const device = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'console-alice' }));
    await iam.send(
      new EnableMFADeviceCommand({
        UserName: 'console-alice',
        SerialNumber: device.VirtualMFADevice!.SerialNumber,
        AuthenticationCode1: '123456',
        AuthenticationCode2: '654321',
      }),
    );
    assert.deepEqual(only(await run([usersWithoutMfaCheck])).findings, []);
  });

  it('CloudTrail: no trail fails, a logging multi-region trail passes, a stopped one fails', async () => {
    assert.match(only(await run([cloudTrailCheck])).findings[0].message, /no CloudTrail trail/);
    const bucket = await fetch(`${emulatorStack().motoEndpoint}/compliance-trail-logs`, { method: 'PUT' });
    assert.equal(bucket.status, 200);
    const cloudTrail = new CloudTrailClient(clientConfig());
    await cloudTrail.send(
      new CreateTrailCommand({ Name: 'org-trail', S3BucketName: 'compliance-trail-logs', IsMultiRegionTrail: true }),
    );
    const stopped = only(await run([cloudTrailCheck]));
    assert.match(stopped.findings[0].message, /org-trail is not logging/);
    await cloudTrail.send(new StartLoggingCommand({ Name: 'org-trail' }));
    const logging = await run([cloudTrailCheck]);
    assert.deepEqual(only(logging).findings, []);
    assert.equal(logging.apiCalls['cloudtrail.trails.status'], 1, 'one GetTrailStatus per multi-region trail');
    await cloudTrail.send(new StopLoggingCommand({ Name: 'org-trail' }));
    assert.equal(only(await run([cloudTrailCheck])).findings.length, 1);
  });

  it('EBS default encryption: per region, off fails and on passes', async () => {
    const connection = await emulatorConnection();
    const report = await runComplianceChecks({
      read,
      readInRegion: (region) => runnerRead(connection, region),
      account: ACCOUNT,
      regions: ['us-east-1', 'eu-west-1'],
      checks: [ebsDefaultEncryptionCheck],
    });
    assert.deepEqual(
      only(report)
        .findings.map((finding) => finding.region)
        .sort(),
      ['eu-west-1', 'us-east-1'],
    );
    await new EC2Client(clientConfig()).send(new EnableEbsEncryptionByDefaultCommand({}));
    const after = await runComplianceChecks({
      read,
      readInRegion: (region) => runnerRead(connection, region),
      account: ACCOUNT,
      regions: ['us-east-1', 'eu-west-1'],
      checks: [ebsDefaultEncryptionCheck],
    });
    assert.deepEqual(
      only(after).findings.map((finding) => finding.region),
      ['eu-west-1'],
    );
    assert.equal(after.apiCalls['ec2.ebsEncryptionByDefault.get'], 2);
  });

  it('S3 Block Public Access (account): unset and partial fail with the remediation, all four on passes', async () => {
    const unset = only(await run([s3AccountPublicAccessCheck])).findings[0];
    assert.match(unset.message, /not set/);
    assert.deepEqual(unset.fix, {
      description: unset.fix.description,
      operationId: 's3control.blockPublicAccess',
      input: { accountId: ACCOUNT },
    });
    const s3control = new S3ControlClient({
      ...clientConfig(),
      endpointProvider: () => ({ url: new URL(emulatorStack().endpoint) }),
    });
    const put = (all: boolean) =>
      s3control.send(
        new PutPublicAccessBlockCommand({
          AccountId: ACCOUNT,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: true,
            RestrictPublicBuckets: all,
          },
        }),
      );
    await put(false);
    assert.match(only(await run([s3AccountPublicAccessCheck])).findings[0].message, /RestrictPublicBuckets is off/);
    await put(true);
    assert.deepEqual(only(await run([s3AccountPublicAccessCheck])).findings, []);
  });

  it('security groups: SSH open to 0.0.0.0/0 and all traffic from ::/0 fail, a private HTTPS rule passes', async () => {
    const ec2 = new EC2Client(clientConfig());
    const group = async (name: string, permission: Record<string, unknown>) => {
      const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: name }));
      await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: [permission] }));
      return GroupId!;
    };
    const ssh = await group('ssh-world', {
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      IpRanges: [{ CidrIp: '0.0.0.0/0' }],
    });
    const all = await group('all-v6', { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] });
    const closed = await group('https-private', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      IpRanges: [{ CidrIp: '10.0.0.0/8' }],
    });
    const check = only(await run([openSecurityGroupsCheck]));
    const flagged = new Set(check.findings.map((finding) => finding.resource.id));
    assert.ok(flagged.has(ssh) && flagged.has(all), JSON.stringify([...flagged]));
    assert.ok(!flagged.has(closed));
    assert.ok(check.resourcesEvaluated >= 3);
  });

  it('volumes: an unencrypted volume fails, an encrypted one passes', async () => {
    const ec2 = new EC2Client(clientConfig());
    const zone = `${emulatorStack().region}a`;
    const plain = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: zone, Size: 8, Encrypted: false }));
    const sealed = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: zone, Size: 8, Encrypted: true }));
    const flagged = only(await run([unencryptedVolumesCheck])).findings.map((finding) => finding.resource.id);
    assert.ok(flagged.includes(plain.VolumeId!));
    assert.ok(!flagged.includes(sealed.VolumeId!));
  });

  it('IMDS: an instance allowing IMDSv1 fails with the requireImdsv2 remediation, an IMDSv2-only one passes', async () => {
    const ec2 = new EC2Client(clientConfig());
    const image = await latestImage(ec2);
    const launch = async (tokens: 'optional' | 'required') =>
      (
        await ec2.send(
          new RunInstancesCommand({
            ImageId: image,
            MinCount: 1,
            MaxCount: 1,
            MetadataOptions: { HttpTokens: tokens },
          }),
        )
      ).Instances![0].InstanceId!;
    const v1 = await launch('optional');
    const v2 = await launch('required');
    const findings = only(await run([imdsv1Check])).findings;
    const v1Finding = findings.find((finding) => finding.resource.id === v1);
    assert.ok(v1Finding);
    assert.deepEqual(v1Finding.fix.input, { instanceId: v1 });
    assert.equal(v1Finding.fix.operationId, 'ec2.requireImdsv2');
    assert.ok(!findings.some((finding) => finding.resource.id === v2));
  });

  it('tag policy: missing and disallowed tags fail, compliant resources pass; the workspace file cannot loosen the user policy', async () => {
    const ec2 = new EC2Client(clientConfig());
    const image = await latestImage(ec2);
    const launch = async (tags: Record<string, string>) => {
      const id = (await ec2.send(new RunInstancesCommand({ ImageId: image, MinCount: 1, MaxCount: 1 }))).Instances![0]
        .InstanceId!;
      if (Object.keys(tags).length)
        await ec2.send(
          new CreateTagsCommand({
            Resources: [id],
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        );
      return id;
    };
    const good = await launch({ owner: 'payments', environment: 'production', 'cost-center': 'cc-1' });
    const untagged = await launch({});
    const wrongValue = await launch({ owner: 'payments', environment: 'sandbox', 'cost-center': 'cc-1' });

    const folder = mkdtempSync(join(tmpdir(), 'pilot-light-tag-policy-'));
    try {
      mkdirSync(join(folder, '.pilotlight'));
      // The workspace tries to widen "environment" and to drop "owner"; it also adds "cost-center".
      writeFileSync(
        join(folder, '.pilotlight', 'tag-policy.json'),
        JSON.stringify({
          resourceTypes: {
            'AWS::EC2::Instance': {
              environment: { allowedValues: ['production', 'sandbox'] },
              'cost-center': {},
            },
          },
        }),
      );
      const loaded = await loadTagPolicy({
        userPolicy: {
          resourceTypes: {
            'AWS::EC2::Instance': { owner: {}, environment: { allowedValues: ['production', 'staging'] } },
          },
        },
        workspaceFolder: folder,
      });
      assert.deepEqual(loaded.errors, []);
      assert.deepEqual(loaded.sources, ['user settings', '.pilotlight/tag-policy.json']);
      const report = await run([tagPolicyCheck], { tagPolicy: loaded.policy });
      const findings = only(report).findings;
      const byId = new Map(findings.map((finding) => [finding.resource.id, finding]));
      assert.ok(!byId.has(good), 'a resource with every required tag and allowed values passes');
      assert.match(byId.get(untagged)!.message, /missing owner, environment, cost-center/);
      assert.match(
        byId.get(wrongValue)!.message,
        /value not allowed: environment="sandbox"/,
        'the workspace could not add "sandbox" to the values the user allows',
      );
      assert.equal(byId.get(untagged)!.fix.operationId, 'tagging.enforceTags');
      assert.deepEqual(byId.get(untagged)!.fix.input!.tags, { environment: 'production' });

      // A workspace file that cannot be parsed makes the check an error, never clean.
      writeFileSync(
        join(folder, '.pilotlight', 'tag-policy.json'),
        '{ "resourceTypes": { "AWS::EC2::Instance": [] } }',
      );
      const broken = await loadTagPolicy({ workspaceFolder: folder });
      assert.equal(broken.policy, undefined);
      assert.match(broken.errors[0], /\$\.resourceTypes\["AWS::EC2::Instance"\]: expected an object/);
      const errored = await run([tagPolicyCheck], { tagPolicyErrors: broken.errors });
      assert.equal(errored.checks[0].status, 'error');
      assert.equal(reportIsClean(errored), false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('AWS Config: without a recorder the check is notRun; a NON_COMPLIANT evaluation becomes a finding', async () => {
    const notRun = await run([awsConfigCheck]);
    assert.equal(notRun.checks[0].status, 'notRun');
    assert.match(notRun.checks[0].reason!, /no configuration recorder/);
    assert.equal(reportIsClean(notRun), false);

    const config = new ConfigServiceClient(clientConfig());
    await fetch(`${emulatorStack().motoEndpoint}/compliance-config-logs`, { method: 'PUT' });
    await config.send(
      new PutConfigurationRecorderCommand({
        ConfigurationRecorder: {
          name: 'default',
          roleARN: `arn:aws:iam::${ACCOUNT}:role/config`,
          recordingGroup: { allSupported: true },
        },
      }),
    );
    await config.send(
      new PutDeliveryChannelCommand({ DeliveryChannel: { name: 'default', s3BucketName: 'compliance-config-logs' } }),
    );
    await config.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }));
    for (const name of ['encrypted-volumes', 'restricted-ssh'])
      await config.send(
        new PutConfigRuleCommand({
          ConfigRule: {
            ConfigRuleName: name,
            Source: {
              Owner: 'AWS',
              SourceIdentifier: name === 'encrypted-volumes' ? 'ENCRYPTED_VOLUMES' : 'INCOMING_SSH_DISABLED',
            },
          },
        }),
      );
    const evaluate = (rule: string, id: string, type: 'COMPLIANT' | 'NON_COMPLIANT') =>
      config.send(
        new PutEvaluationsCommand({
          ResultToken: rule,
          Evaluations: [
            {
              ComplianceResourceType: 'AWS::EC2::Volume',
              ComplianceResourceId: id,
              ComplianceType: type,
              OrderingTimestamp: new Date(),
              Annotation: type === 'NON_COMPLIANT' ? 'The volume is not encrypted.' : undefined,
            },
          ],
        }),
      );
    await evaluate('encrypted-volumes', 'vol-0aaa', 'COMPLIANT');
    await evaluate('restricted-ssh', 'vol-0ccc', 'COMPLIANT');
    const clean = only(await run([awsConfigCheck]));
    assert.deepEqual(clean.findings, []);
    await evaluate('encrypted-volumes', 'vol-0bbb', 'NON_COMPLIANT');
    const report = await run([awsConfigCheck]);
    const findings = only(report).findings;
    assert.equal(findings.length, 1);
    assert.equal(findings[0].ruleId, 'config:encrypted-volumes');
    assert.equal(findings[0].source, 'awsConfig');
    assert.deepEqual(findings[0].resource, { type: 'AWS::EC2::Volume', id: 'vol-0bbb' });
    assert.match(findings[0].message, /not encrypted/);
    assert.equal(report.apiCalls['config.ruleCompliance.details'], 1, 'details are read only for non-compliant rules');
  });

  it('Security Hub: a FAILED finding is merged with its severity, a PASSED one is not', async () => {
    const hub = new SecurityHubClient(clientConfig());
    await hub.send(new EnableSecurityHubCommand({}));
    const base = {
      SchemaVersion: '2018-10-08',
      ProductArn: `arn:aws:securityhub:us-east-1:${ACCOUNT}:product/${ACCOUNT}/default`,
      AwsAccountId: ACCOUNT,
      CreatedAt: new Date().toISOString(),
      UpdatedAt: new Date().toISOString(),
      Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
    };
    await hub.send(
      new BatchImportFindingsCommand({
        Findings: [
          {
            ...base,
            Id: 'finding-failed',
            GeneratorId: 'aws-foundational-security-best-practices/v/1.0.0/EC2.19',
            Title: 'Security groups should not allow unrestricted access to high-risk ports',
            Description: 'unrestricted',
            Severity: { Label: 'CRITICAL' },
            Compliance: { Status: 'FAILED' },
            Resources: [
              {
                Type: 'AwsEc2SecurityGroup',
                Id: `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/sg-0abc`,
                Region: 'us-east-1',
              },
            ],
          },
          {
            ...base,
            Id: 'finding-passed',
            GeneratorId: 'aws-foundational-security-best-practices/v/1.0.0/EC2.7',
            Title: 'EBS default encryption should be enabled',
            Description: 'fine',
            Severity: { Label: 'MEDIUM' },
            Compliance: { Status: 'PASSED' },
            Resources: [{ Type: 'AwsAccount', Id: `AWS::::Account:${ACCOUNT}` }],
          },
        ],
      }),
    );
    const findings = only(await run([securityHubCheck])).findings;
    assert.equal(findings.length, 1);
    assert.equal(findings[0].ruleId, 'securityHub:aws-foundational-security-best-practices/v/1.0.0/EC2.19');
    assert.equal(findings[0].severity, 'critical');
    assert.equal(findings[0].source, 'securityHub');
    assert.equal(findings[0].resource.type, 'AwsEc2SecurityGroup');
  });

  it('all checks together: one report, reads shared between checks, never clean while something fails', async () => {
    const report = await run([...ALL_CHECKS]);
    assert.equal(report.checks.length, ALL_CHECKS.length);
    assert.equal(reportIsClean(report), false);
    assert.equal(report.apiCalls['ec2.instances.list'], 1, 'the IMDS check and the tag policy share the instance list');
    const tagCheck = report.checks.find((check) => check.ruleId === 'tagPolicy.requiredTag')!;
    assert.equal(tagCheck.status, 'notRun', 'no tag policy: not run, not clean');
    for (const check of report.checks) assert.notEqual(check.status, 'error', `${check.ruleId}: ${check.reason}`);
  });
});
