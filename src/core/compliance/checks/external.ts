/** AWS Config rule results and Security Hub findings, merged into the same findings list. */
import type { ComplianceSeverity } from '../types';
import { CheckNotRun, defineCheck, errorCode, readEvery } from './common';

/** Error codes that mean "the service is not set up here", which is notRun, not an error and never clean. */
const NOT_ENABLED = new Set([
  'NoSuchConfigurationRecorderException',
  'NoAvailableConfigurationRecorderException',
  'InvalidAccessException',
  'SubscriptionRequiredException',
  'OptInRequired',
]);

async function guard<T>(service: string, region: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (NOT_ENABLED.has(errorCode(error)))
      throw new CheckNotRun(`${service} is not enabled in ${region} (${(error as Error).message}).`);
    throw error;
  }
}

interface RuleCompliance {
  ConfigRuleName?: string;
  Compliance?: { ComplianceType?: string };
}

interface EvaluationResult {
  EvaluationResultIdentifier?: {
    EvaluationResultQualifier?: { ConfigRuleName?: string; ResourceType?: string; ResourceId?: string };
  };
  ComplianceType?: string;
  Annotation?: string;
}

/** GetComplianceDetailsByConfigRule is per rule (AWS has no batch form across rules): one read per failing rule. */
export const awsConfigCheck = defineCheck({
  ruleId: 'awsConfig',
  ruleTitle: 'AWS Config rules are compliant',
  severity: 'medium',
  source: 'awsConfig',
  scope: 'region',
  async evaluate({ read, region }, report) {
    return guard('AWS Config', region, async () => {
      const { items: recorders } = (await read('config.recorders.status', {})) as {
        items: Array<{ name?: string; recording?: boolean }>;
      };
      if (!recorders.length) throw new CheckNotRun(`AWS Config has no configuration recorder in ${region}.`);
      if (!recorders.some((recorder) => recorder.recording))
        throw new CheckNotRun(`AWS Config's recorder in ${region} is not recording.`);
      const rules = await readEvery<RuleCompliance>(read, 'config.ruleCompliance.list', {});
      let evaluated = 0;
      for (const rule of rules) {
        const name = rule.ConfigRuleName;
        if (!name || rule.Compliance?.ComplianceType !== 'NON_COMPLIANT') continue;
        const results = await readEvery<EvaluationResult>(read, 'config.ruleCompliance.details', {
          ruleName: name,
          complianceTypes: ['NON_COMPLIANT'],
        });
        evaluated += results.length;
        for (const result of results) {
          const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
          report(
            { type: qualifier?.ResourceType ?? 'unknown', id: qualifier?.ResourceId ?? 'unknown' },
            result.Annotation ? `${name}: ${result.Annotation}` : `Non-compliant with AWS Config rule ${name}.`,
            {
              description: `See AWS Config rule ${name} for what it requires, fix the resource, then re-evaluate the rule.`,
            },
            { ruleId: `config:${name}`, ruleTitle: `AWS Config rule ${name}` },
          );
        }
      }
      return Math.max(evaluated, rules.length);
    });
  },
});

const SECURITY_HUB_SEVERITY: Record<string, ComplianceSeverity> = {
  CRITICAL: 'critical',
  HIGH: 'high',
  MEDIUM: 'medium',
  LOW: 'low',
  INFORMATIONAL: 'informational',
};

interface SecurityHubFinding {
  Id?: string;
  GeneratorId?: string;
  Title?: string;
  Description?: string;
  Region?: string;
  AwsAccountId?: string;
  Severity?: { Label?: string };
  RecordState?: string;
  Workflow?: { Status?: string };
  Compliance?: { Status?: string };
  Remediation?: { Recommendation?: { Text?: string; Url?: string } };
  Resources?: Array<{ Type?: string; Id?: string; Region?: string }>;
}

export const securityHubCheck = defineCheck({
  ruleId: 'securityHub',
  ruleTitle: 'Security Hub has no active failed findings',
  severity: 'medium',
  source: 'securityHub',
  scope: 'region',
  async evaluate({ read, region }, report) {
    return guard('Security Hub', region, async () => {
      const findings = await readEvery<SecurityHubFinding>(read, 'securityhub.findings.list', { maxResults: 100 }, 100);
      let evaluated = 0;
      for (const finding of findings) {
        evaluated += 1;
        if (finding.RecordState && finding.RecordState !== 'ACTIVE') continue;
        if (finding.Workflow?.Status === 'RESOLVED' || finding.Workflow?.Status === 'SUPPRESSED') continue;
        if (finding.Compliance?.Status === 'PASSED') continue;
        const resource = finding.Resources?.[0];
        const generator = finding.GeneratorId ?? 'unknown';
        const recommendation = finding.Remediation?.Recommendation;
        report(
          {
            type: resource?.Type ?? 'unknown',
            id: resource?.Id ?? 'unknown',
            arn: resource?.Id?.startsWith('arn:') ? resource.Id : undefined,
          },
          finding.Title ?? finding.Description ?? `Security Hub finding ${finding.Id}`,
          {
            description:
              [recommendation?.Text, recommendation?.Url].filter(Boolean).join(' ') ||
              'See the finding in Security Hub for the recommended fix.',
          },
          {
            ruleId: `securityHub:${generator}`,
            ruleTitle: finding.Title ?? generator,
            severity: SECURITY_HUB_SEVERITY[finding.Severity?.Label ?? ''] ?? 'medium',
            region: resource?.Region ?? finding.Region ?? region,
          },
        );
      }
      return evaluated;
    });
  },
});
