import * as assert from 'node:assert/strict';
import { toFacts, resourceIdsIn, typeOfId } from '../../src/core/insights/facts';
import { PRICE_TABLE } from '../../src/core/insights/prices';
import { readAll } from '../../src/core/insights/reads';
import fc from 'fast-check';
import { parsePolicyStatements } from '../../src/core/operations/iamPolicyDocument';
import {
  analyzePolicyDocument,
  analyzeSecurityGroup,
  analyzeTrustPolicy,
  collectSecurityFindings,
  securityToolResult,
  UnreadablePolicyDocumentError,
} from '../../src/core/insights/security';
import { collectUnused, findUnused, stoppedSince, unusedToolResult } from '../../src/core/insights/unused';
import { renderSecurityReport, renderUnusedReport } from '../../src/core/conversation/render';

const env = (tags: Record<string, string>) => ({
  name: tags.Environment ?? 'unknown',
  protected: /^prod/i.test(tags.Environment ?? ''),
});
const role = { resource: { type: 'iam:role', id: 'r', name: 'r', region: 'global' }, policy: 'p' };

describe('insights: IAM statements', () => {
  it('flags Action "*" on every resource as full administrator, once', () => {
    const findings = analyzePolicyDocument(
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
      role,
    );
    assert.deepEqual(
      findings.map((finding) => [finding.rule, finding.severity, finding.statement]),
      [['action-wildcard', 'high', 'Statement 1']],
    );
    assert.match(findings[0].message, /full administrator/);
  });

  it('flags NotAction, NotResource, iam:PassRole on *, service wildcards and write actions on Resource "*"', () => {
    const document = {
      Statement: [
        { Sid: 'Not', Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
        { Effect: 'Allow', Action: ['iam:PassRole'], Resource: '*' },
        { Effect: 'Allow', Action: 's3:*', Resource: '*' },
        { Effect: 'Allow', Action: ['ec2:TerminateInstances', 'ec2:DescribeInstances'], Resource: '*' },
        { Effect: 'Allow', Action: ['ec2:Describe*', 's3:GetObject'], Resource: '*' },
        { Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::secret/*' },
        { Effect: 'Deny', Action: '*', Resource: '*' },
      ],
    };
    const rules = analyzePolicyDocument(document, role).map((finding) => `${finding.statement}:${finding.rule}`);
    assert.deepEqual(rules, [
      'Statement "Not":not-action',
      'Statement 2:passrole-wildcard',
      'Statement 3:service-wildcard',
      'Statement 4:resource-wildcard',
      'Statement 6:not-resource',
    ]);
  });

  it('reads documents given as JSON text or URL-encoded, and refuses to call a non-document clean', () => {
    const text = JSON.stringify({ Statement: { Effect: 'Allow', Action: '*', Resource: '*' } });
    assert.equal(analyzePolicyDocument(text, role).length, 1);
    assert.equal(analyzePolicyDocument(encodeURIComponent(text), role).length, 1);
    for (const unreadable of [
      'not json',
      '%E0%A4%A',
      '{"Version":"2012-10-17"}',
      '[]',
      { Statement: ['Allow *'] },
      undefined,
      42,
    ]) {
      assert.throws(
        () => analyzePolicyDocument(unreadable, role),
        UnreadablePolicyDocumentError,
        `analyze ${JSON.stringify(unreadable)}`,
      );
      assert.throws(
        () => analyzeTrustPolicy(unreadable, role),
        UnreadablePolicyDocumentError,
        `trust ${JSON.stringify(unreadable)}`,
      );
      assert.equal(parsePolicyStatements(unreadable).ok, false);
    }
    assert.deepEqual(
      parsePolicyStatements({ Statement: [] }),
      { ok: true, statements: [] },
      'a document without statements allows nothing',
    );
  });

  it('parses any value without throwing, and an unreadable one is never analyzed as clean (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.anything()), (value) => {
        const parsed = parsePolicyStatements(value);
        assert.equal(typeof parsed.ok, 'boolean');
        if (!parsed.ok) assert.throws(() => analyzePolicyDocument(value, role), UnreadablePolicyDocumentError);
      }),
      { numRuns: 300 },
    );
  });

  it('flags wildcard principals in trust policies, less severely with conditions', () => {
    const open = analyzeTrustPolicy(
      { Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] },
      role,
    );
    assert.deepEqual(
      open.map((finding) => [finding.rule, finding.severity]),
      [['wildcard-principal', 'high']],
    );
    const conditioned = analyzeTrustPolicy(
      {
        Statement: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } },
          },
        ],
      },
      role,
    );
    assert.equal(conditioned[0].severity, 'medium');
    assert.deepEqual(
      analyzeTrustPolicy(
        { Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
        role,
      ),
      [],
    );
  });
});

describe('insights: security groups', () => {
  it('flags admin ports and all traffic open to 0.0.0.0/0 or ::/0, not web ports or private ranges', () => {
    const group = {
      GroupId: 'sg-0123456789abcdef0',
      GroupName: 'mixed',
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/16' }] },
        { IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
        { IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      ],
    };
    const findings = analyzeSecurityGroup(group, 'us-east-1', 'staging');
    assert.deepEqual(
      findings.map((finding) => finding.rule),
      ['admin-port-open', 'admin-port-open', 'all-traffic-open'],
    );
    assert.match(findings[0].message, /::\/0 opens RDP \(3389\)/);
    assert.match(findings[1].message, /and \d+ more admin ports/);
    assert.equal(findings[0].resource.environment, 'staging');
  });
});

describe('insights: collecting through registry reads', () => {
  it('reads every page, and stops at the item limit', async () => {
    const pages: Record<string, { items: number[]; nextToken?: string }> = {
      '': { items: [1, 2], nextToken: 'a' },
      a: { items: [3], nextToken: 'b' },
      b: { items: [4] },
    };
    const calls: unknown[] = [];
    const read = async (_id: string, input: Record<string, unknown>) => (
      calls.push(input),
      pages[(input.nextToken as string) ?? '']
    );
    assert.deepEqual(await readAll(read, 'x.y.list'), { items: [1, 2, 3, 4], truncated: false });
    assert.deepEqual(calls, [{}, { nextToken: 'a' }, { nextToken: 'b' }]);
    assert.deepEqual(await readAll(read, 'x.y.list', {}, 2), { items: [1, 2], truncated: true });
  });

  it('collects IAM and network findings and reports what it could not read', async () => {
    const read = async (id: string, input: Record<string, unknown>) => {
      switch (id) {
        case 'iam.roles.list':
          return {
            items: [
              {
                RoleName: 'open',
                Arn: 'arn:aws:iam::123456789012:role/open',
                Path: '/',
                AssumeRolePolicyDocument: {
                  Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }],
                },
              },
              { RoleName: 'AWSServiceRoleForX', Path: '/aws-service-role/x/' },
            ],
          };
        case 'iam.roles.policies':
          assert.equal(input.roleName, 'open');
          return {
            attached: [{ PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
            inline: [
              {
                policyName: 'inline',
                document: { Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }] },
              },
            ],
          };
        case 'iam.policies.list':
          return {
            items: [{ PolicyName: 'admin', Arn: 'arn:aws:iam::123456789012:policy/admin', AttachmentCount: 0 }],
          };
        case 'iam.policies.document':
          return { document: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };
        case 'ec2.securityGroups.list':
          throw new Error('UnauthorizedOperation: no');
        default:
          throw new Error(`unexpected ${id}`);
      }
    };
    const report = await collectSecurityFindings(read, { region: 'us-east-1', resolveEnvironment: env });
    assert.deepEqual(report.findings.map((finding) => finding.rule).sort(), [
      'action-wildcard',
      'broad-managed-policy',
      'passrole-wildcard',
      'wildcard-principal',
    ]);
    assert.deepEqual(report.checked, { roles: 1, policies: 1, securityGroups: 0 });
    assert.deepEqual(report.errors, ['Security groups: UnauthorizedOperation: no']);
    assert.match(
      report.findings.find((finding) => finding.rule === 'action-wildcard')!.message,
      /not attached to anything yet/,
    );
    assert.equal(report.complete, false);
    const result = securityToolResult(report);
    assert.equal(result.status, 'incomplete');
    assert.match(result.summary, /^INCOMPLETE: .*could not check: Security groups: UnauthorizedOperation: no/);
  });

  it('reports a policy document that cannot be parsed as not checked, never as clean', async () => {
    const read = async (id: string) => {
      switch (id) {
        case 'iam.roles.list':
          return {
            items: [
              {
                RoleName: 'garbled',
                Arn: 'arn:aws:iam::123456789012:role/garbled',
                Path: '/',
                AssumeRolePolicyDocument: 'not a policy',
              },
            ],
          };
        case 'iam.roles.policies':
          return {
            attached: [],
            inline: [{ policyName: 'cut', document: '{"Statement": [{"Effect": "Allow", "Action": "*"' }],
          };
        case 'iam.policies.list':
          return {
            items: [{ PolicyName: 'empty', Arn: 'arn:aws:iam::123456789012:policy/empty', AttachmentCount: 1 }],
          };
        case 'iam.policies.document':
          return {};
        default:
          return { items: [] };
      }
    };
    const report = await collectSecurityFindings(read, {
      region: 'us-east-1',
      resolveEnvironment: env,
      include: ['iam'],
    });
    assert.deepEqual(report.findings, []);
    assert.equal(report.complete, false);
    assert.equal(report.errors.length, 3, report.errors.join('\n'));
    assert.match(
      report.errors[0],
      /^IAM role garbled trust policy: The policy document cannot be parsed \(the document is not valid JSON\)/,
    );
    assert.match(report.errors[1], /^IAM role garbled inline policy cut: .*not valid JSON/);
    assert.match(report.errors[2], /^IAM policy empty: .*there is no policy document/);
    const result = securityToolResult(report);
    assert.equal(result.status, 'incomplete');
    assert.doesNotMatch(result.summary, /^0 finding/);
    const markdown = renderSecurityReport(report);
    assert.doesNotMatch(markdown, /No security findings/);
    assert.match(markdown, /Incomplete scan/);
  });

  it('reports a cut list as incomplete and a full, clean scan as succeeded', async () => {
    const many = Array.from({ length: 3 }, (_, index) => ({ GroupId: `sg-${index}`, IpPermissions: [] }));
    const cut = await collectSecurityFindings(
      async (_id, input) => (input.nextToken ? { items: many } : { items: many, nextToken: 'more' }),
      { region: 'us-east-1', resolveEnvironment: env, include: ['network'] },
    );
    assert.equal(cut.truncated, false, 'two pages of three fit the limit');
    assert.equal(cut.complete, true);
    assert.equal(securityToolResult(cut).status, 'succeeded');
    const clean = await collectSecurityFindings(async () => ({ items: [] }), {
      region: 'us-east-1',
      resolveEnvironment: env,
    });
    assert.equal(clean.complete, true);
    assert.match(securityToolResult(clean).summary, /^0 finding\(s\); checked 0 roles/);
    const truncated = await collectSecurityFindings(
      async () => ({
        items: [
          { RoleName: 'a', AssumeRolePolicyDocument: { Statement: [] } },
          { RoleName: 'b', AssumeRolePolicyDocument: { Statement: [] } },
        ],
        nextToken: 'more',
      }),
      { region: 'us-east-1', resolveEnvironment: env, include: ['iam'], maxRoles: 1, maxPolicies: 1 },
    );
    assert.equal(truncated.truncated, true);
    assert.equal(truncated.complete, false);
    assert.equal(securityToolResult(truncated).status, 'incomplete');
  });
});

describe('insights: unused resources', () => {
  const now = new Date('2025-06-30T00:00:00Z');
  const facts = (type: string, items: object[]) => toFacts(type, items, 'us-east-1', env);

  it('reads the stop time from StateTransitionReason', () => {
    assert.equal(stoppedSince('User initiated (2025-05-01 10:00:00 GMT)')?.toISOString(), '2025-05-01T10:00:00.000Z');
    assert.equal(stoppedSince('User initiated (2025-05-01 10:00:00 UTC)')?.toISOString(), '2025-05-01T10:00:00.000Z');
    assert.equal(stoppedSince(''), undefined);
  });

  it('finds each kind with a monthly cost from the dated price table', () => {
    const findings = findUnused(
      {
        volumes: facts('ec2:volume', [
          {
            VolumeId: 'vol-0000000000000000a',
            State: 'available',
            Size: 100,
            VolumeType: 'gp3',
            Tags: [{ Key: 'Environment', Value: 'staging' }],
          },
          {
            VolumeId: 'vol-0000000000000000b',
            State: 'in-use',
            Size: 8,
            VolumeType: 'gp2',
            Attachments: [{ InstanceId: 'i-0000000000000000b' }],
          },
          {
            VolumeId: 'vol-0000000000000000c',
            State: 'in-use',
            Size: 50,
            VolumeType: 'gp2',
            Attachments: [{ InstanceId: 'i-0000000000000000c' }],
          },
        ]),
        addresses: facts('ec2:elastic-ip', [
          { AllocationId: 'eipalloc-0000000000000000a', PublicIp: '1.2.3.4' },
          { AllocationId: 'eipalloc-0000000000000000b', PublicIp: '1.2.3.5', AssociationId: 'eipassoc-1' },
        ]),
        instances: facts('ec2:instance', [
          {
            InstanceId: 'i-0000000000000000c',
            State: { Name: 'stopped' },
            StateTransitionReason: 'User initiated (2025-05-01 10:00:00 GMT)',
            BlockDeviceMappings: [{ Ebs: { VolumeId: 'vol-0000000000000000c' } }],
          },
          {
            InstanceId: 'i-0000000000000000d',
            State: { Name: 'stopped' },
            StateTransitionReason: 'User initiated (2025-06-25 10:00:00 GMT)',
          },
          { InstanceId: 'i-0000000000000000b', State: { Name: 'running' } },
        ]),
        snapshots: facts('ec2:snapshot', [
          { SnapshotId: 'snap-0000000000000000a', VolumeId: 'vol-0000000000000dead', VolumeSize: 20 },
          { SnapshotId: 'snap-0000000000000000b', VolumeId: 'vol-0000000000000000b', VolumeSize: 8 },
          { SnapshotId: 'snap-0000000000000000c', VolumeId: 'vol-0000000000000dead', VolumeSize: 8 },
        ]),
        images: facts('ec2:image', [
          {
            ImageId: 'ami-0000000000000000a',
            BlockDeviceMappings: [{ Ebs: { SnapshotId: 'snap-0000000000000000c' } }],
          },
        ]),
      },
      { now, stoppedDays: 14 },
    );
    const byId = Object.fromEntries(findings.map((finding) => [finding.resource.id, finding]));
    assert.deepEqual(Object.keys(byId).sort(), [
      'eipalloc-0000000000000000a',
      'i-0000000000000000c',
      'snap-0000000000000000a',
      'vol-0000000000000000a',
    ]);
    assert.equal(byId['vol-0000000000000000a'].monthlyUsd, 100 * PRICE_TABLE.ebsPerGbMonth.gp3);
    assert.equal(byId['vol-0000000000000000a'].resource.environment, 'staging');
    assert.equal(
      byId['eipalloc-0000000000000000a'].monthlyUsd,
      Math.round(PRICE_TABLE.publicIpv4PerHour * 730 * 100) / 100,
    );
    assert.equal(byId['i-0000000000000000c'].monthlyUsd, 50 * PRICE_TABLE.ebsPerGbMonth.gp2);
    assert.match(byId['i-0000000000000000c'].reason, /stopped for 59 days/);
    assert.equal(byId['snap-0000000000000000a'].monthlyUsd, 20 * PRICE_TABLE.ebsSnapshotPerGbMonth);
    assert.deepEqual(byId['vol-0000000000000000a'].cleanup, {
      operationId: 'ec2.volumes.delete',
      input: { volumeId: 'vol-0000000000000000a' },
    });
    assert.deepEqual(
      findings.map((finding) => finding.monthlyUsd),
      [...findings.map((finding) => finding.monthlyUsd)].sort((a, b) => b - a),
    );
  });

  it('never turns a failed read into an empty list: the categories that need it are not checked, the report is incomplete', async () => {
    const read = async (id: string) => {
      switch (id) {
        case 'ec2.volumes.list':
          throw new Error('UnauthorizedOperation: You are not authorized to perform this operation.');
        case 'ec2.addresses.list':
          return { items: [{ AllocationId: 'eipalloc-0000000000000000a', PublicIp: '1.2.3.4' }] };
        case 'ec2.snapshots.list':
          // Its volume may well exist: the volume list could not be read, so it must not look orphaned.
          return {
            items: [{ SnapshotId: 'snap-0000000000000000a', VolumeId: 'vol-0000000000000000a', VolumeSize: 20 }],
          };
        default:
          return { items: [] };
      }
    };
    const report = await collectUnused(read, { region: 'us-east-1', resolveEnvironment: env, now });
    assert.equal(report.complete, false);
    assert.deepEqual(report.errors, [
      'ec2:volume: UnauthorizedOperation: You are not authorized to perform this operation.',
    ]);
    assert.deepEqual(
      report.notChecked.map((entry) => entry.category),
      ['unattached-volume', 'stopped-instance', 'orphaned-snapshot'],
    );
    assert.deepEqual(
      report.findings.map((finding) => finding.resource.id),
      ['eipalloc-0000000000000000a'],
      'only the category whose read worked is judged',
    );
    const result = unusedToolResult(report);
    assert.equal(result.status, 'incomplete');
    assert.match(result.summary, /^INCOMPLETE: .*failed reads: ec2:volume: UnauthorizedOperation/);
    assert.match(result.summary, /not checked: unattached ebs volumes \(the volumes could not be read\)/);
    assert.deepEqual((result.data as { failedReads: string[] }).failedReads, report.errors);
    const markdown = renderUnusedReport(report);
    assert.match(markdown, /\*\*Incomplete:\*\*/);
  });

  it('with every read failing, says incomplete and never "0 unused"', async () => {
    const report = await collectUnused(
      async () => {
        throw new Error('AccessDenied: no');
      },
      { region: 'us-east-1', resolveEnvironment: env, now },
    );
    assert.equal(report.errors.length, 5);
    assert.equal(report.notChecked.length, 4);
    const result = unusedToolResult(report);
    assert.equal(result.status, 'incomplete');
    assert.doesNotMatch(result.summary, /\b0 unused/);
    assert.doesNotMatch(renderUnusedReport(report), /Nothing unused found/);
  });

  it('does not call snapshots orphaned when the volume list was cut', async () => {
    const read = async (id: string, input: Record<string, unknown>) => {
      if (id === 'ec2.volumes.list')
        return {
          items: [
            {
              VolumeId: `vol-0000000000000${String(input.nextToken ?? 0).padStart(4, '0')}`,
              State: 'in-use',
              Attachments: [{ InstanceId: 'i-1' }],
            },
          ],
          nextToken: String(Number(input.nextToken ?? 0) + 1),
        };
      if (id === 'ec2.snapshots.list')
        return { items: [{ SnapshotId: 'snap-0000000000000000a', VolumeId: 'vol-0000000000009999', VolumeSize: 20 }] };
      return { items: [] };
    };
    const report = await collectUnused(read, { region: 'us-east-1', resolveEnvironment: env, now });
    assert.deepEqual(report.truncated, ['volumes']);
    assert.equal(report.complete, false);
    assert.deepEqual(
      report.notChecked.map((entry) => entry.category),
      ['orphaned-snapshot'],
    );
    assert.deepEqual(report.findings, []);
    assert.equal(unusedToolResult(report).status, 'incomplete');
  });

  it('a complete read with nothing unused succeeds and says so', async () => {
    const report = await collectUnused(async () => ({ items: [] }), {
      region: 'us-east-1',
      resolveEnvironment: env,
      now,
    });
    assert.equal(report.complete, true);
    const result = unusedToolResult(report);
    assert.equal(result.status, 'succeeded');
    assert.match(result.summary, /^Nothing unused\./);
  });

  it('states the price table date in every report', async () => {
    const read = async () => ({ items: [] });
    const report = await collectUnused(read, { region: 'us-east-1', resolveEnvironment: env, now });
    assert.equal(report.priceTable.asOf, PRICE_TABLE.asOf);
    assert.match(report.priceTable.note, new RegExp(`as of ${PRICE_TABLE.asOf}`));
    assert.match(report.priceTable.note, /^Prices in us-east-1: bundled table \(us-east-1 list prices as of /);
    assert.equal(report.totalMonthlyUsd, 0);
  });
});

describe('insights: facts', () => {
  it('summarizes raw items with their environment and finds IDs in text', () => {
    const [instance] = toFacts(
      'ec2:instance',
      [
        {
          InstanceId: 'i-0123456789abcdef0',
          State: { Name: 'running' },
          InstanceType: 't3.small',
          Tags: [
            { Key: 'Name', Value: 'web-1' },
            { Key: 'Environment', Value: 'production' },
          ],
        },
      ],
      'us-east-1',
      env,
    );
    assert.deepEqual(
      [instance.name, instance.state, instance.environment, instance.protected, instance.details[0]],
      ['web-1', 'running', 'production', true, 't3.small'],
    );
    assert.deepEqual(resourceIdsIn('stop i-0123456789abcdef0 and vol-0123456789abcdef0, i-0123456789abcdef0'), [
      'i-0123456789abcdef0',
      'vol-0123456789abcdef0',
    ]);
    assert.equal(typeOfId('eipalloc-0123456789abcdef0'), 'ec2:elastic-ip');
  });
});
