import fc from 'fast-check';
import type {
  CheckResult,
  ComplianceFinding,
  ComplianceReport,
  ComplianceSeverity,
  FindingSource,
} from '../../src/core/compliance/types';

export const SEVERITIES: ComplianceSeverity[] = ['critical', 'high', 'medium', 'low', 'informational'];
const SOURCES: FindingSource[] = ['pilotlight', 'tagPolicy', 'awsConfig', 'securityHub'];

export function finding(overrides: Partial<ComplianceFinding> = {}): ComplianceFinding {
  return {
    ruleId: 'cis.securityGroupOpenToWorld',
    ruleTitle: 'Security groups open to the world',
    severity: 'high',
    source: 'pilotlight',
    resource: { type: 'AWS::EC2::SecurityGroup', id: 'sg-0123456789abcdef0', name: 'web' },
    account: '123456789012',
    region: 'us-east-1',
    message: 'Port 22 is open to 0.0.0.0/0.',
    fix: { description: 'Remove the rule that allows 0.0.0.0/0.' },
    ...overrides,
  };
}

/** A small report: one rule with two findings, one clean check, one check that did not run. */
export function sampleReport(): ComplianceReport {
  const open = [
    finding(),
    finding({
      resource: { type: 'AWS::EC2::SecurityGroup', id: 'sg-0fedcba9876543210' },
      region: 'eu-west-1',
      message: 'Port 3389 | RDP is open to ::/0.',
    }),
  ];
  const imds = finding({
    ruleId: 'cis.imdsv1',
    ruleTitle: 'IMDSv1 allowed on instances',
    severity: 'medium',
    resource: {
      type: 'AWS::EC2::Instance',
      id: 'i-0123456789abcdef0',
      arn: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0',
    },
    message: 'The instance accepts IMDSv1 requests.',
    fix: {
      description: 'Require IMDSv2.',
      operationId: 'ec2.requireImdsv2',
      input: { instanceId: 'i-0123456789abcdef0' },
    },
  });
  return {
    generatedAt: '2026-12-06T15:00:00.000Z',
    account: '123456789012',
    regions: ['us-east-1', 'eu-west-1'],
    checks: [
      {
        ruleId: open[0].ruleId,
        ruleTitle: open[0].ruleTitle,
        source: 'pilotlight',
        status: 'ran',
        resourcesEvaluated: 5,
        findings: open,
      },
      {
        ruleId: 'cis.imdsv1',
        ruleTitle: 'IMDSv1 allowed on instances',
        source: 'pilotlight',
        status: 'ran',
        resourcesEvaluated: 3,
        findings: [imds],
      },
      {
        ruleId: 'cis.cloudTrail',
        ruleTitle: 'CloudTrail on',
        source: 'pilotlight',
        status: 'ran',
        resourcesEvaluated: 1,
        findings: [],
      },
      {
        ruleId: 'securityHub:findings',
        ruleTitle: 'Security Hub findings',
        source: 'securityHub',
        status: 'notRun',
        reason: 'Security Hub is not enabled in this account',
        resourcesEvaluated: 0,
        findings: [],
      },
    ],
    apiCalls: { 'ec2.securityGroups.list': 2 },
  };
}

const text = fc.string({ minLength: 1, maxLength: 40 });

/** Reports whose findings each carry a unique resource id (a UUID), so an export can be searched for each. */
export const reportArbitrary: fc.Arbitrary<ComplianceReport> = fc
  .array(
    fc.record({
      ruleId: fc.constantFrom('cis.a', 'cis.b', 'tagPolicy.requiredTag', 'config:rule-1', 'securityHub:gen'),
      status: fc.constantFrom<CheckResult['status']>('ran', 'ran', 'notRun', 'error'),
      findings: fc.array(
        fc.record({
          id: fc.uuid(),
          severity: fc.constantFrom(...SEVERITIES),
          source: fc.constantFrom(...SOURCES),
          message: text,
          name: fc.option(text, { nil: undefined }),
          operationId: fc.option(fc.constantFrom('ec2.requireImdsv2', 'tagging.enforceTags'), { nil: undefined }),
        }),
        { maxLength: 6 },
      ),
    }),
    { maxLength: 6 },
  )
  .map((checks) => {
    const seen = new Set<string>();
    return {
      generatedAt: '2026-12-06T15:00:00.000Z',
      account: '123456789012',
      regions: ['us-east-1'],
      apiCalls: {},
      checks: checks.map((check) => ({
        ruleId: check.ruleId,
        ruleTitle: `Rule ${check.ruleId}`,
        source: 'pilotlight' as const,
        status: check.status,
        ...(check.status === 'ran' ? {} : { reason: 'not enabled' }),
        resourcesEvaluated: check.findings.length,
        findings:
          check.status === 'ran'
            ? check.findings
                .filter((item) => !seen.has(item.id) && seen.add(item.id))
                .map((item) =>
                  finding({
                    ruleId: check.ruleId,
                    ruleTitle: `Rule ${check.ruleId}`,
                    severity: item.severity,
                    source: item.source,
                    message: item.message,
                    resource: {
                      type: 'AWS::EC2::Instance',
                      id: `i-${item.id}`,
                      ...(item.name ? { name: item.name } : {}),
                    },
                    fix: { description: 'Fix it.', ...(item.operationId ? { operationId: item.operationId } : {}) },
                  }),
                )
            : [],
      })),
    };
  });
