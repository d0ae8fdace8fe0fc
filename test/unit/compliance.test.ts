import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { renderComplianceSummary } from '../../src/core/compliance/chat';
import { ALL_CHECKS, awsConfigCheck, securityHubCheck, tagPolicyCheck } from '../../src/core/compliance/checks';
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
import { runComplianceChecks } from '../../src/core/compliance/run';
import {
  mergeTagPolicies,
  parseTagPolicy,
  requirementsFor,
  TagPolicyError,
  validateTagPolicy,
  type TagPolicy,
} from '../../src/core/compliance/tagPolicy';
import { reportIsClean, type ComplianceCheck } from '../../src/core/compliance/types';
import type { ReadOperation } from '../../src/core/insights/reads';
import { parseCredentialReport } from '../../src/core/operations/compliance';

const ACCOUNT = '111122223333';

type Answer = unknown | ((input: Record<string, unknown>) => unknown);

/** A fake registry read: answers by operation id, throws "Code: message" for Error answers, records calls. */
function fakeRead(answers: Record<string, Answer>): ReadOperation & { calls: string[] } {
  const calls: string[] = [];
  const read = async (operationId: string, input: Record<string, unknown>) => {
    calls.push(operationId);
    if (!(operationId in answers)) throw new Error(`AccessDenied: no fake for ${operationId}`);
    const answer = answers[operationId];
    const value =
      typeof answer === 'function' ? (answer as (input: Record<string, unknown>) => unknown)(input) : answer;
    if (value instanceof Error) throw value;
    return value;
  };
  return Object.assign(read, { calls });
}

async function runOne(check: ComplianceCheck, answers: Record<string, Answer>, tagPolicy?: TagPolicy) {
  const report = await runComplianceChecks({
    read: fakeRead(answers),
    account: ACCOUNT,
    regions: ['eu-west-1'],
    checks: [check],
    tagPolicy,
  });
  return report.checks[0];
}

describe('compliance checks (fakes)', () => {
  it('root access keys: present is critical, absent passes, a missing field is an error', async () => {
    const bad = await runOne(rootAccessKeysCheck, {
      'iam.accountSummary.get': { summary: { AccountAccessKeysPresent: 1 } },
    });
    assert.equal(bad.findings[0].severity, 'critical');
    assert.equal(bad.findings[0].region, 'global');
    const good = await runOne(rootAccessKeysCheck, {
      'iam.accountSummary.get': { summary: { AccountAccessKeysPresent: 0 } },
    });
    assert.equal(good.status, 'ran');
    assert.deepEqual(good.findings, []);
    const odd = await runOne(rootAccessKeysCheck, { 'iam.accountSummary.get': { summary: {} } });
    assert.equal(odd.status, 'error');
  });

  it('password policy: missing, weak, strong', async () => {
    assert.equal(
      (await runOne(passwordPolicyCheck, { 'iam.passwordPolicy.get': { policy: null } })).findings.length,
      1,
    );
    const weak = await runOne(passwordPolicyCheck, {
      'iam.passwordPolicy.get': { policy: { minimumLength: 14, reusePrevention: 5 } },
    });
    assert.match(weak.findings[0].message, /reuse prevention is 5 \(needs 24\)/);
    const strong = await runOne(passwordPolicyCheck, {
      'iam.passwordPolicy.get': { policy: { minimumLength: 16, reusePrevention: 24 } },
    });
    assert.deepEqual(strong.findings, []);
  });

  it('MFA: console users without MFA and a root without MFA fail; API-only users and MFA users pass', async () => {
    const row = (user: string, consoleAccess: boolean, mfaActive: boolean) => ({
      user,
      arn: `arn:aws:iam::${ACCOUNT}:${user === '<root_account>' ? 'root' : `user/${user}`}`,
      consoleAccess,
      mfaActive,
    });
    const check = await runOne(usersWithoutMfaCheck, {
      'iam.credentialReport.get': {
        users: [
          row('<root_account>', true, false),
          row('a', true, false),
          row('b', false, false),
          row('c', true, true),
        ],
      },
    });
    assert.deepEqual(
      check.findings.map((finding) => [finding.resource.id, finding.severity]),
      [
        [ACCOUNT, 'critical'],
        ['a', 'high'],
      ],
    );
    assert.equal(check.resourcesEvaluated, 4);
  });

  it('parses the credential report CSV by column name', () => {
    const csv =
      'user,arn,user_creation_time,password_enabled,mfa_active,access_key_1_active,access_key_2_active\n' +
      'x,arn:aws:iam::1:user/x,t,true,false,true,false\n';
    assert.deepEqual(parseCredentialReport(csv), [
      {
        user: 'x',
        arn: 'arn:aws:iam::1:user/x',
        consoleAccess: true,
        mfaActive: false,
        accessKey1Active: true,
        accessKey2Active: false,
      },
    ]);
    assert.throws(() => parseCredentialReport('user,arn\nx,y\n'), /no "password_enabled" column/);
  });

  it('CloudTrail: none, single-region only, stopped, logging', async () => {
    const trail = (name: string, multi: boolean) => ({
      Name: name,
      TrailARN: `arn:${name}`,
      IsMultiRegionTrail: multi,
    });
    assert.match(
      (await runOne(cloudTrailCheck, { 'cloudtrail.trails.list': { items: [] } })).findings[0].message,
      /no CloudTrail/,
    );
    assert.match(
      (await runOne(cloudTrailCheck, { 'cloudtrail.trails.list': { items: [trail('a', false)] } })).findings[0].message,
      /No trail covers every region/,
    );
    const stopped = await runOne(cloudTrailCheck, {
      'cloudtrail.trails.list': { items: [trail('m', true)] },
      'cloudtrail.trails.status': { isLogging: false },
    });
    assert.match(stopped.findings[0].message, /m is not logging/);
    const logging = await runOne(cloudTrailCheck, {
      'cloudtrail.trails.list': { items: [trail('m', true), trail('m', true)] },
      'cloudtrail.trails.status': { isLogging: true },
    });
    assert.deepEqual(logging.findings, []);
  });

  it('EBS default encryption and S3 account Block Public Access', async () => {
    assert.equal(
      (await runOne(ebsDefaultEncryptionCheck, { 'ec2.ebsEncryptionByDefault.get': { enabled: false } })).findings[0]
        .region,
      'eu-west-1',
    );
    assert.deepEqual(
      (await runOne(ebsDefaultEncryptionCheck, { 'ec2.ebsEncryptionByDefault.get': { enabled: true } })).findings,
      [],
    );
    const all = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
    assert.deepEqual(
      (await runOne(s3AccountPublicAccessCheck, { 's3control.publicAccessBlock.get': { configuration: all } }))
        .findings,
      [],
    );
    const partial = await runOne(s3AccountPublicAccessCheck, {
      's3control.publicAccessBlock.get': { configuration: { ...all, IgnorePublicAcls: false } },
    });
    assert.match(partial.findings[0].message, /IgnorePublicAcls is off/);
    assert.equal(partial.findings[0].fix.operationId, 's3control.blockPublicAccess');
  });

  it('security groups, volumes and IMDS', async () => {
    const sgs = await runOne(openSecurityGroupsCheck, {
      'ec2.securityGroups.list': {
        items: [
          {
            GroupId: 'sg-1',
            IpPermissions: [{ IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
          },
          {
            GroupId: 'sg-2',
            IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
          },
        ],
      },
    });
    assert.deepEqual(
      sgs.findings.map((finding) => finding.resource.id),
      ['sg-1'],
    );
    const volumes = await runOne(unencryptedVolumesCheck, {
      'ec2.volumes.list': {
        items: [
          { VolumeId: 'vol-1', Encrypted: false },
          { VolumeId: 'vol-2', Encrypted: true },
        ],
      },
    });
    assert.deepEqual(
      volumes.findings.map((finding) => finding.resource.id),
      ['vol-1'],
    );
    const instances = await runOne(imdsv1Check, {
      'ec2.instances.list': {
        items: [
          { InstanceId: 'i-1', State: { Name: 'running' }, MetadataOptions: { HttpTokens: 'optional' } },
          { InstanceId: 'i-2', State: { Name: 'running' }, MetadataOptions: { HttpTokens: 'required' } },
          { InstanceId: 'i-3', State: { Name: 'terminated' }, MetadataOptions: { HttpTokens: 'optional' } },
          {
            InstanceId: 'i-4',
            State: { Name: 'stopped' },
            MetadataOptions: { HttpEndpoint: 'disabled', HttpTokens: 'optional' },
          },
        ],
      },
    });
    assert.deepEqual(
      instances.findings.map((finding) => finding.fix.input),
      [{ instanceId: 'i-1' }],
    );
    assert.equal(instances.resourcesEvaluated, 3);
  });

  it('a list longer than the pages read is an error, never a pass', async () => {
    const endless = await runOne(unencryptedVolumesCheck, { 'ec2.volumes.list': { items: [], nextToken: 'more' } });
    assert.equal(endless.status, 'error');
    assert.match(endless.reason!, /more than 200 pages/);
  });

  it('tag policy: not run without a policy; unsupported types make it an error that keeps its findings', async () => {
    assert.equal((await runOne(tagPolicyCheck, {})).status, 'notRun');
    const policy = validateTagPolicy(
      { resourceTypes: { 'AWS::EC2::Volume': { owner: {} }, 'AWS::RDS::DBInstance': { owner: {} } } },
      'test',
    );
    const result = await runOne(
      tagPolicyCheck,
      { 'ec2.volumes.list': { items: [{ VolumeId: 'vol-1', Tags: [] }] } },
      policy,
    );
    assert.equal(result.status, 'error');
    assert.match(result.reason!, /Not supported yet: .*AWS::RDS::DBInstance/);
    assert.equal(result.findings.length, 1);
  });

  it('AWS Config: no recorder or not recording is notRun; an access error is an error', async () => {
    assert.equal((await runOne(awsConfigCheck, { 'config.recorders.status': { items: [] } })).status, 'notRun');
    const stopped = await runOne(awsConfigCheck, {
      'config.recorders.status': { items: [{ name: 'default', recording: false }] },
    });
    assert.match(stopped.reason!, /not recording/);
    const denied = await runOne(awsConfigCheck, { 'config.recorders.status': new Error('AccessDeniedException: no') });
    assert.equal(denied.status, 'error');
    const missing = await runOne(awsConfigCheck, {
      'config.recorders.status': new Error('NoSuchConfigurationRecorderException: none'),
    });
    assert.equal(missing.status, 'notRun');
  });

  it('Security Hub: not subscribed is notRun; severities map; resolved and passed findings are left out', async () => {
    const off = await runOne(securityHubCheck, {
      'securityhub.findings.list': new Error('InvalidAccessException: Account is not subscribed to AWS Security Hub'),
    });
    assert.equal(off.status, 'notRun');
    assert.match(off.reason!, /Security Hub is not enabled in eu-west-1/);
    const finding = (id: string, extra: Record<string, unknown>) => ({
      Id: id,
      GeneratorId: `gen-${id}`,
      Title: `title ${id}`,
      Severity: { Label: 'LOW' },
      Resources: [{ Type: 'AwsS3Bucket', Id: 'arn:aws:s3:::b' }],
      ...extra,
    });
    const on = await runOne(securityHubCheck, {
      'securityhub.findings.list': {
        items: [
          finding('1', { Severity: { Label: 'HIGH' } }),
          finding('2', { Workflow: { Status: 'RESOLVED' } }),
          finding('3', { Compliance: { Status: 'PASSED' } }),
          finding('4', { RecordState: 'ARCHIVED' }),
        ],
      },
    });
    assert.deepEqual(
      on.findings.map((f) => [f.ruleId, f.severity, f.resource.arn]),
      [['securityHub:gen-1', 'high', 'arn:aws:s3:::b']],
    );
  });
});

describe('runComplianceChecks', () => {
  it('runs account checks once and regional checks per region, counts calls, shares identical reads', async () => {
    const reads = new Map<string, ReturnType<typeof fakeRead>>();
    const regionRead = (region: string) => {
      const read = fakeRead({
        'ec2.ebsEncryptionByDefault.get': { enabled: region === 'us-east-1' },
        'ec2.instances.list': { items: [{ InstanceId: `i-${region}`, State: { Name: 'running' } }] },
        'iam.accountSummary.get': { summary: { AccountAccessKeysPresent: 0 } },
      });
      reads.set(region, read);
      return read;
    };
    const report = await runComplianceChecks({
      read: regionRead('us-east-1'),
      readInRegion: regionRead,
      account: ACCOUNT,
      regions: ['us-east-1', 'eu-west-1'],
      checks: [rootAccessKeysCheck, ebsDefaultEncryptionCheck, imdsv1Check, tagPolicyCheck],
      tagPolicy: validateTagPolicy({ resourceTypes: { 'AWS::EC2::Instance': { owner: {} } } }, 'test'),
    });
    assert.deepEqual(report.apiCalls, {
      'iam.accountSummary.get': 1,
      'ec2.ebsEncryptionByDefault.get': 2,
      'ec2.instances.list': 2,
    });
    assert.equal(reads.get('eu-west-1')!.calls.filter((id) => id === 'ec2.instances.list').length, 1);
    assert.deepEqual(
      report.checks.find((check) => check.ruleId === 'cis.ebsDefaultEncryption')!.findings.map((f) => f.region),
      ['eu-west-1'],
    );
    assert.equal(report.checks.find((check) => check.ruleId === 'tagPolicy.requiredTag')!.findings.length, 2);
  });

  it('a region where a check did not run makes the merged result notRun with that region named', async () => {
    const report = await runComplianceChecks({
      read: fakeRead({
        'config.recorders.status': { items: [{ name: 'd', recording: true }] },
        'config.ruleCompliance.list': { items: [] },
      }),
      readInRegion: () => fakeRead({ 'config.recorders.status': { items: [] } }),
      account: ACCOUNT,
      regions: ['us-east-1', 'ap-south-1'],
      checks: [awsConfigCheck],
    });
    assert.equal(report.checks[0].status, 'notRun');
    assert.match(report.checks[0].reason!, /^ap-south-1: AWS Config has no configuration recorder/);
    assert.equal(reportIsClean(report), false);
  });

  it('a check that throws becomes an error; a tag policy error is reported; bad input is refused', async () => {
    const throwing: ComplianceCheck = {
      ruleId: 'x',
      ruleTitle: 'x',
      severity: 'low',
      source: 'pilotlight',
      run: async () => {
        throw new Error('boom');
      },
    };
    const report = await runComplianceChecks({
      read: fakeRead({}),
      account: ACCOUNT,
      regions: ['us-east-1'],
      checks: [throwing, tagPolicyCheck],
      tagPolicyErrors: ['bad file'],
    });
    assert.deepEqual(
      report.checks.map((check) => [check.status, check.reason]),
      [
        ['error', 'boom'],
        ['error', 'The tag policy cannot be used: bad file'],
      ],
    );
    await assert.rejects(runComplianceChecks({ read: fakeRead({}), account: 'x', regions: ['us-east-1'] }), /12-digit/);
    await assert.rejects(
      runComplianceChecks({ read: fakeRead({}), account: ACCOUNT, regions: [] }),
      /at least one region/,
    );
    await assert.rejects(
      runComplianceChecks({ read: fakeRead({}), account: ACCOUNT, regions: ['a', 'b'] }),
      /readInRegion/,
    );
  });

  it('every shipped check has a unique rule id, and a denied read is never a pass', async () => {
    assert.equal(new Set(ALL_CHECKS.map((check) => check.ruleId)).size, ALL_CHECKS.length);
    const report = await runComplianceChecks({
      read: fakeRead({}),
      account: ACCOUNT,
      regions: ['us-east-1'],
      tagPolicy: validateTagPolicy({ resourceTypes: { '*': { owner: {} } } }, 'test'),
    });
    for (const check of report.checks) assert.notEqual(check.status, 'ran', check.ruleId);
    assert.equal(reportIsClean(report), false);
    assert.match(renderComplianceSummary(report), /Not checked\*\* \(12 checks; these are not passes\)/);
  });

  it('the chat summary lists failing rules by severity', async () => {
    const report = await runComplianceChecks({
      read: fakeRead({
        'iam.accountSummary.get': { summary: { AccountAccessKeysPresent: 1 } },
        'ec2.volumes.list': { items: [{ VolumeId: 'vol-1' }, { VolumeId: 'vol-2' }] },
      }),
      account: ACCOUNT,
      regions: ['us-east-1'],
      checks: [unencryptedVolumesCheck, rootAccessKeysCheck],
    });
    const text = renderComplianceSummary(report);
    assert.match(text, /2 failing rules, 3 findings/);
    assert.ok(text.indexOf('cis.rootAccessKeys') < text.indexOf('cis.unencryptedVolume'), text);
  });
});

describe('tag policy', () => {
  it('names the JSON path of what is wrong', () => {
    const cases: Array<[unknown, RegExp]> = [
      [[], /\$: expected an object/],
      [
        { resourceTypes: { 'EC2 Instance': {} } },
        /\$\.resourceTypes\["EC2 Instance"\]: expected "\*" or a resource type/,
      ],
      [
        { resourceTypes: { '*': { owner: { allowedValues: ['a', 3] } } } },
        /\$\.resourceTypes\["\*"\]\.owner\.allowedValues\[1\]: expected a string/,
      ],
      [{ resourceTypes: { '*': { 'aws:x': {} } } }, /cannot start with "aws:"/],
      [{ resourceTypes: { '*': { owner: { allowed: [] } } } }, /\.owner\.allowed: unknown property/],
      [{ resourceTypes: {}, extra: 1 }, /\$\.extra: unknown property/],
    ];
    for (const [value, message] of cases) assert.throws(() => validateTagPolicy(value, 'f'), message);
  });

  it('reports JSON syntax errors with line and column, and refuses oversized files', () => {
    assert.throws(
      () => parseTagPolicy('{\n  "resourceTypes": {,}\n}'),
      (error: unknown) =>
        error instanceof TagPolicyError && /not valid JSON \(line 2, column \d+\)/.test(error.message),
    );
    assert.throws(() => parseTagPolicy(' '.repeat(300 * 1024)), /larger than 256 KB/);
  });

  it('keeps "__proto__" and "constructor" as plain tag keys', () => {
    const policy = parseTagPolicy('{"resourceTypes":{"*":{"__proto__":{},"constructor":{"allowedValues":["x"]}}}}');
    assert.deepEqual(Object.keys(requirementsFor(policy, 'AWS::EC2::Instance')).sort(), ['__proto__', 'constructor']);
  });

  const tagKey = fc.constantFrom('owner', 'env', 'team', 'cost', '__proto__');
  const value = fc.constantFrom('a', 'b', 'c', 'd');
  const rule = fc.option(fc.uniqueArray(value, { maxLength: 4 }), { nil: undefined });
  const tags = fc.dictionary(tagKey, rule, { maxKeys: 4 });
  const policyArbitrary: fc.Arbitrary<TagPolicy> = fc
    .dictionary(fc.constantFrom('*', 'AWS::EC2::Instance', 'AWS::EC2::Volume'), tags, { maxKeys: 3 })
    .map((resourceTypes) =>
      validateTagPolicy(
        {
          resourceTypes: Object.fromEntries(
            Object.entries(resourceTypes).map(([type, required]) => [
              type,
              Object.fromEntries(
                Object.entries(required).map(([key, allowed]) => [key, allowed ? { allowedValues: allowed } : {}]),
              ),
            ]),
          ),
        },
        'generated',
      ),
    );
  const resourceTags = fc.dictionary(tagKey, value, { maxKeys: 5 });

  /** Would a resource of `type` with `tags` pass `policy`? */
  const passes = (policy: TagPolicy, type: string, resource: Record<string, string>) =>
    Object.entries(requirementsFor(policy, type)).every(
      ([key, allowed]) =>
        Object.prototype.hasOwnProperty.call(resource, key) && (!allowed || allowed.includes(resource[key])),
    );

  it('merging is tighten-only: the merged policy is never looser than either input (property)', () => {
    fc.assert(
      fc.property(policyArbitrary, policyArbitrary, (user, workspace) => {
        const merged = mergeTagPolicies(user, workspace)!;
        for (const input of [user, workspace])
          for (const type of ['AWS::EC2::Instance', 'AWS::EC2::Volume']) {
            const required = requirementsFor(input, type);
            const tightened = requirementsFor(merged, type);
            for (const [key, allowed] of Object.entries(required)) {
              assert.ok(Object.prototype.hasOwnProperty.call(tightened, key), `${type}.${key} still required`);
              if (allowed) {
                assert.ok(tightened[key], `${type}.${key} still restricted`);
                assert.ok(
                  tightened[key]!.every((v) => allowed.includes(v)),
                  `${type}.${key} not widened`,
                );
              }
            }
          }
      }),
      { numRuns: 300 },
    );
  });

  it('a resource that passes the merged policy passes both inputs (property)', () => {
    fc.assert(
      fc.property(
        policyArbitrary,
        policyArbitrary,
        resourceTags,
        fc.constantFrom('AWS::EC2::Instance', 'AWS::EC2::Volume'),
        (a, b, resource, type) => {
          const record: Record<string, string> = Object.create(null);
          for (const [key, v] of Object.entries(resource)) record[key] = v;
          if (passes(mergeTagPolicies(a, b)!, type, record)) {
            assert.ok(passes(a, type, record));
            assert.ok(passes(b, type, record));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('merging with nothing keeps the policy, and merging nothing gives none', () => {
    const policy = validateTagPolicy({ resourceTypes: { '*': { owner: { allowedValues: ['x'] } } } }, 't');
    assert.deepEqual(
      requirementsFor(mergeTagPolicies(policy, undefined)!, 'AWS::EC2::VPC'),
      requirementsFor(policy, 'AWS::EC2::VPC'),
    );
    assert.equal(mergeTagPolicies(undefined, undefined), undefined);
  });
});
