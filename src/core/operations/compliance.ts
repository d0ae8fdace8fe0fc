import { DescribeTrailsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import {
  DescribeComplianceByConfigRuleCommand,
  DescribeConfigurationRecorderStatusCommand,
  GetComplianceDetailsByConfigRuleCommand,
} from '@aws-sdk/client-config-service';
import { GetEbsEncryptionByDefaultCommand } from '@aws-sdk/client-ec2';
import {
  GenerateCredentialReportCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
} from '@aws-sdk/client-iam';
import { GetPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { GetFindingsCommand } from '@aws-sdk/client-securityhub';
import { z } from 'zod';
import {
  cloudTrailService,
  configService,
  ec2Service,
  iamService,
  s3ControlService,
  securityHubService,
} from '../aws/services';
import { defineOperation, READ_ONLY } from './define';

/** Account-level reads for the compliance checks (src/core/compliance): IAM, CloudTrail, EBS, S3, Config, Security Hub. */

const accountId = z.string().regex(/^\d{12}$/, 'Expected a 12-digit AWS account ID.');
const nextToken = z.string().min(1).max(8192).optional().describe('Token from the previous page.');

function errorName(error: unknown): string {
  return (error as { name?: string; Code?: string })?.name ?? '';
}

export const getAccountSummary = defineOperation({
  id: 'iam.accountSummary.get',
  service: 'iam',
  title: 'Get the IAM account summary',
  description: 'IAM entity counts and quotas of the account, including whether the root user has access keys.',
  ...READ_ONLY,
  input: z.object({}).strict(),
  async handler(ctx) {
    const iam = await ctx.client(iamService);
    const output = await iam.send(new GetAccountSummaryCommand({}), { abortSignal: ctx.signal });
    return { summary: output.SummaryMap ?? {} };
  },
});

/** The account password policy, with field names the runner's secret redaction leaves alone. */
export interface AccountLoginPolicy {
  minimumLength?: number;
  reusePrevention?: number;
  maxAgeDays?: number;
  requireSymbols?: boolean;
  requireNumbers?: boolean;
  requireUppercase?: boolean;
  requireLowercase?: boolean;
  usersMayChange?: boolean;
  hardExpiry?: boolean;
}

export const getPasswordPolicy = defineOperation({
  id: 'iam.passwordPolicy.get',
  service: 'iam',
  title: 'Get the IAM password policy',
  description: 'The account password policy for IAM users; `policy` is null when the account has none.',
  ...READ_ONLY,
  input: z.object({}).strict(),
  async handler(ctx): Promise<{ policy: AccountLoginPolicy | null }> {
    const iam = await ctx.client(iamService);
    try {
      const output = await iam.send(new GetAccountPasswordPolicyCommand({}), { abortSignal: ctx.signal });
      const policy = output.PasswordPolicy;
      if (!policy) return { policy: null };
      return {
        policy: {
          minimumLength: policy.MinimumPasswordLength,
          reusePrevention: policy.PasswordReusePrevention,
          maxAgeDays: policy.MaxPasswordAge,
          requireSymbols: policy.RequireSymbols,
          requireNumbers: policy.RequireNumbers,
          requireUppercase: policy.RequireUppercaseCharacters,
          requireLowercase: policy.RequireLowercaseCharacters,
          usersMayChange: policy.AllowUsersToChangePassword,
          hardExpiry: policy.HardExpiry,
        },
      };
    } catch (error) {
      // AWS answers NoSuchEntity when no policy is set: that is a state, not a failure.
      if (errorName(error) === 'NoSuchEntityException' || errorName(error) === 'NoSuchEntity') return { policy: null };
      throw error;
    }
  },
});

export interface CredentialReportUser {
  user: string;
  arn: string;
  /** Has a console password (field named so the runner's secret redaction leaves it alone). */
  consoleAccess: boolean;
  mfaActive: boolean;
  accessKey1Active: boolean;
  accessKey2Active: boolean;
}

const MAX_REPORT_BYTES = 16 * 1024 * 1024;

/** The rows of an IAM credential report (CSV, no quoted fields), in linear time. */
export function parseCredentialReport(csv: string): CredentialReportUser[] {
  if (csv.length > MAX_REPORT_BYTES) throw new Error('The IAM credential report is larger than 16 MB.');
  const lines = csv.split(/\r?\n/).filter((line) => line.length > 0);
  if (!lines.length) return [];
  const header = lines[0].split(',');
  const column = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`The IAM credential report has no "${name}" column.`);
    return index;
  };
  const [user, arn, password, mfa, key1, key2] = [
    'user',
    'arn',
    'password_enabled',
    'mfa_active',
    'access_key_1_active',
    'access_key_2_active',
  ].map(column);
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return {
      user: cells[user] ?? '',
      arn: cells[arn] ?? '',
      consoleAccess: cells[password] === 'true',
      mfaActive: cells[mfa] === 'true',
      accessKey1Active: cells[key1] === 'true',
      accessKey2Active: cells[key2] === 'true',
    };
  });
}

export const getCredentialReport = defineOperation({
  id: 'iam.credentialReport.get',
  service: 'iam',
  title: 'Get the IAM credential report',
  description:
    'Generates (when needed) and reads the IAM credential report: every user with password, MFA and access-key status, the root account included. It holds no secrets.',
  ...READ_ONLY,
  input: z.object({}).strict(),
  async handler(ctx) {
    const iam = await ctx.client(iamService);
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const generated = await iam.send(new GenerateCredentialReportCommand({}), { abortSignal: ctx.signal });
      if (generated.State === 'COMPLETE') break;
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * (attempt + 1), 2000)));
    }
    const report = await iam.send(new GetCredentialReportCommand({}), { abortSignal: ctx.signal });
    const csv = report.Content ? new TextDecoder().decode(report.Content) : '';
    return { generatedAt: report.GeneratedTime?.toISOString(), users: parseCredentialReport(csv) };
  },
});

export const listTrails = defineOperation({
  id: 'cloudtrail.trails.list',
  service: 'cloudtrail',
  title: 'List CloudTrail trails',
  description: 'CloudTrail trails visible in the region, including multi-region trails from other home regions.',
  ...READ_ONLY,
  input: z.object({}).strict(),
  async handler(ctx) {
    const cloudTrail = await ctx.client(cloudTrailService);
    const output = await cloudTrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }), {
      abortSignal: ctx.signal,
    });
    return { items: output.trailList ?? [] };
  },
});

export const getTrailStatus = defineOperation({
  id: 'cloudtrail.trails.status',
  service: 'cloudtrail',
  title: 'Get a CloudTrail trail status',
  description: 'Whether a trail is logging, and its last delivery errors.',
  ...READ_ONLY,
  input: z
    .object({
      trail: z
        .string()
        .regex(/^[A-Za-z0-9:/_.-]{3,2048}$/, 'Expected a trail name or ARN.')
        .describe('Trail name or ARN'),
    })
    .strict(),
  async handler(ctx, input) {
    const cloudTrail = await ctx.client(cloudTrailService);
    const output = await cloudTrail.send(new GetTrailStatusCommand({ Name: input.trail }), { abortSignal: ctx.signal });
    return {
      isLogging: output.IsLogging ?? false,
      latestDeliveryError: output.LatestDeliveryError,
      latestDeliveryTime: output.LatestDeliveryTime?.toISOString(),
    };
  },
});

export const getEbsEncryptionByDefault = defineOperation({
  id: 'ec2.ebsEncryptionByDefault.get',
  service: 'ec2',
  title: 'Get default EBS encryption',
  description: 'Whether new EBS volumes in the region are encrypted by default.',
  ...READ_ONLY,
  input: z.object({}).strict(),
  async handler(ctx) {
    const ec2 = await ctx.client(ec2Service);
    const output = await ec2.send(new GetEbsEncryptionByDefaultCommand({}), { abortSignal: ctx.signal });
    return { enabled: output.EbsEncryptionByDefault ?? false };
  },
});

export const getAccountPublicAccessBlock = defineOperation({
  id: 's3control.publicAccessBlock.get',
  service: 's3control',
  title: 'Get account-level S3 Block Public Access',
  description: 'The account-wide S3 Block Public Access settings; `configuration` is null when none is set.',
  ...READ_ONLY,
  input: z.object({ accountId }).strict(),
  async handler(ctx, input) {
    const s3control = await ctx.client(s3ControlService);
    try {
      const output = await s3control.send(new GetPublicAccessBlockCommand({ AccountId: input.accountId }), {
        abortSignal: ctx.signal,
      });
      return { configuration: output.PublicAccessBlockConfiguration ?? null };
    } catch (error) {
      if (errorName(error) === 'NoSuchPublicAccessBlockConfiguration') return { configuration: null };
      throw error;
    }
  },
});

export const getConfigRecorderStatus = defineOperation({
  id: 'config.recorders.status',
  service: 'config',
  title: 'Get AWS Config recorder status',
  description: 'The AWS Config configuration recorders of the region and whether they are recording.',
  ...READ_ONLY,
  input: z.object({}).strict(),
  async handler(ctx) {
    const config = await ctx.client(configService);
    const output = await config.send(new DescribeConfigurationRecorderStatusCommand({}), { abortSignal: ctx.signal });
    return { items: output.ConfigurationRecordersStatus ?? [] };
  },
});

export const listConfigRuleCompliance = defineOperation({
  id: 'config.ruleCompliance.list',
  service: 'config',
  title: 'List AWS Config rule compliance',
  description: 'Each AWS Config rule with its compliance (COMPLIANT, NON_COMPLIANT, INSUFFICIENT_DATA).',
  ...READ_ONLY,
  input: z
    .object({
      complianceTypes: z
        .array(z.enum(['COMPLIANT', 'NON_COMPLIANT', 'INSUFFICIENT_DATA']))
        .max(3)
        .optional(),
      nextToken,
    })
    .strict(),
  async handler(ctx, input) {
    const config = await ctx.client(configService);
    const output = await config.send(
      new DescribeComplianceByConfigRuleCommand({ ComplianceTypes: input.complianceTypes, NextToken: input.nextToken }),
      { abortSignal: ctx.signal },
    );
    return { items: output.ComplianceByConfigRules ?? [], nextToken: output.NextToken || undefined };
  },
});

export const getConfigRuleComplianceDetails = defineOperation({
  id: 'config.ruleCompliance.details',
  service: 'config',
  title: 'Get AWS Config rule evaluation results',
  description: 'The evaluated resources of one AWS Config rule, with their compliance.',
  ...READ_ONLY,
  input: z
    .object({
      ruleName: z
        .string()
        .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'Expected an AWS Config rule name.')
        .describe('AWS Config rule name'),
      complianceTypes: z
        .array(z.enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA']))
        .max(4)
        .optional(),
      maxResults: z.number().int().min(1).max(100).optional(),
      nextToken,
    })
    .strict(),
  async handler(ctx, input) {
    const config = await ctx.client(configService);
    const output = await config.send(
      new GetComplianceDetailsByConfigRuleCommand({
        ConfigRuleName: input.ruleName,
        ComplianceTypes: input.complianceTypes,
        Limit: input.maxResults ?? 100,
        NextToken: input.nextToken,
      }),
      { abortSignal: ctx.signal },
    );
    return { items: output.EvaluationResults ?? [], nextToken: output.NextToken || undefined };
  },
});

export const listSecurityHubFindings = defineOperation({
  id: 'securityhub.findings.list',
  service: 'securityhub',
  title: 'List Security Hub findings',
  description: 'Active Security Hub findings that are not resolved or suppressed, newest first.',
  ...READ_ONLY,
  input: z.object({ maxResults: z.number().int().min(1).max(100).optional(), nextToken }).strict(),
  async handler(ctx, input) {
    const securityHub = await ctx.client(securityHubService);
    const output = await securityHub.send(
      new GetFindingsCommand({
        Filters: {
          RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
          WorkflowStatus: [
            { Value: 'NEW', Comparison: 'EQUALS' },
            { Value: 'NOTIFIED', Comparison: 'EQUALS' },
          ],
        },
        MaxResults: input.maxResults ?? 100,
        NextToken: input.nextToken,
      }),
      { abortSignal: ctx.signal },
    );
    return { items: output.Findings ?? [], nextToken: output.NextToken || undefined };
  },
});

export const complianceReadOperations = [
  getAccountSummary,
  getPasswordPolicy,
  getCredentialReport,
  listTrails,
  getTrailStatus,
  getEbsEncryptionByDefault,
  getAccountPublicAccessBlock,
  getConfigRecorderStatus,
  listConfigRuleCompliance,
  getConfigRuleComplianceDetails,
  listSecurityHubFindings,
];
