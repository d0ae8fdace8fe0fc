/**
 * The state machine role's policy, generated from what the compiled plan calls: one statement per IAM
 * action, never a wildcard action. Resources are ARN patterns with CloudFormation pseudo parameters
 * (`${AWS::Region}`…); '*' only for DescribeJobs, which has no resource-level permissions in DRS, and for
 * AWS Backup's DescribeRestoreJob (a restore job's ARN is not known before the machine starts it).
 */
import type { PlanCall } from './compile';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

const ACTION_PATTERN = /^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/;
/** Actions DRS documents without resource-level permissions: only these may name '*' as resource. */
const NO_RESOURCE_LEVEL = new Set(['drs:DescribeJobs', 'backup:DescribeRestoreJob']);

export function buildExecutionPolicy(calls: PlanCall[]): PolicyDocument {
  const statements = calls.map((call): PolicyStatement => {
    if (!ACTION_PATTERN.test(call.action))
      throw new Error(`Refusing IAM action "${call.action}": only exact service:Action names are allowed.`);
    if (call.resources.length === 0) throw new Error(`IAM action ${call.action} has no resource.`);
    if (call.resources.includes('*') && !NO_RESOURCE_LEVEL.has(call.action))
      throw new Error(`IAM action ${call.action} supports resource-level permissions; '*' is not allowed.`);
    return {
      Sid: call.action.replace(/[^A-Za-z0-9]/g, ''),
      Effect: 'Allow',
      Action: [call.action],
      Resource: [...call.resources],
    };
  });
  return { Version: '2012-10-17', Statement: statements };
}

/** Fills the pseudo parameters for showing or exporting the policy outside CloudFormation. */
export function resolvePolicy(
  policy: PolicyDocument,
  values: { partition: string; region: string; accountId: string; approvalQueueArn: string },
): PolicyDocument {
  const fill = (text: string): string =>
    text
      .replaceAll('${AWS::Partition}', values.partition)
      .replaceAll('${AWS::Region}', values.region)
      .replaceAll('${AWS::AccountId}', values.accountId)
      .replaceAll('${ApprovalQueueArn}', values.approvalQueueArn);
  return {
    Version: policy.Version,
    Statement: policy.Statement.map((statement) => ({ ...statement, Resource: statement.Resource.map(fill) })),
  };
}
