/**
 * The CloudFormation template that holds a compiled plan: the state machine, its execution role (the
 * generated least-privilege policy) and the SQS queue that receives pause and approval task tokens.
 * Deployed by *Deploy Plan to Step Functions*, written out by *Export as CloudFormation template*.
 */
import { APPROVAL_QUEUE_PLACEHOLDER, type CompiledStateMachine } from './compile';
import { COMPILER_VERSION, definitionHash } from './hash';
import { buildExecutionPolicy } from './policy';

export const TAG_PLAN = 'pilotlight:plan';
export const TAG_PLAN_HASH = 'pilotlight:plan-hash';
export const TAG_DEFINITION_HASH = 'pilotlight:definition-hash';
export const TAG_COMPILER = 'pilotlight:compiler';

/** The stack a plan deploys to: `pilotlight-plan-<name>` with characters CloudFormation refuses replaced. */
export function stackNameFor(planName: string): string {
  const cleaned = planName
    .replace(/[^A-Za-z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return `pilotlight-plan-${cleaned || 'plan'}`.slice(0, 128);
}

export interface StackTag {
  Key: string;
  Value: string;
}

export function stackTags(planName: string, planHash: string, compiled: CompiledStateMachine): StackTag[] {
  return [
    { Key: TAG_PLAN, Value: planName },
    { Key: TAG_PLAN_HASH, Value: planHash },
    { Key: TAG_DEFINITION_HASH, Value: definitionHash(compiled.definition) },
    { Key: TAG_COMPILER, Value: COMPILER_VERSION },
  ];
}

/**
 * The definition with the approval queue's URL put in by Fn::Join (not Fn::Sub: the definition is full of
 * `$` paths, and approval messages may hold `${`, which Fn::Sub would read as variables).
 */
function definitionWithQueueUrl(definition: string): unknown {
  const parts = definition.split(APPROVAL_QUEUE_PLACEHOLDER);
  if (parts.length === 1) return definition;
  const joined: unknown[] = [];
  parts.forEach((part, index) => {
    if (index > 0) joined.push({ Ref: 'ApprovalQueue' });
    if (part) joined.push(part);
  });
  return { 'Fn::Join': ['', joined] };
}

function sub(text: string): unknown {
  return text.includes('${ApprovalQueueArn}')
    ? { 'Fn::Sub': [text, { ApprovalQueueArn: { 'Fn::GetAtt': ['ApprovalQueue', 'Arn'] } }] }
    : { 'Fn::Sub': text };
}

export interface PlanTemplateInput {
  planName: string;
  planHash: string;
  compiled: CompiledStateMachine;
}

export function buildPlanTemplate({ planName, planHash, compiled }: PlanTemplateInput): Record<string, unknown> {
  const stateMachineName = stackNameFor(planName).slice(0, 80);
  const tags = stackTags(planName, planHash, compiled);
  const policy = buildExecutionPolicy(compiled.calls);
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Pilot Light recovery plan "${planName}" on AWS Step Functions (plan hash ${planHash}).`,
    Metadata: {
      PilotLight: { plan: planName, planHash, compilerVersion: COMPILER_VERSION, warnings: compiled.warnings },
    },
    Resources: {
      ApprovalQueue: {
        Type: 'AWS::SQS::Queue',
        Properties: { MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true, Tags: tags },
      },
      ExecutionRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Description: `Runs the Pilot Light recovery plan "${planName}" (generated, least privilege).`,
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'states.amazonaws.com' },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'recovery-plan',
              PolicyDocument: {
                Version: policy.Version,
                Statement: policy.Statement.map((statement) => ({
                  ...statement,
                  Resource: statement.Resource.map((resource) => (resource === '*' ? '*' : sub(resource))),
                })),
              },
            },
          ],
          Tags: tags,
        },
      },
      StateMachine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          StateMachineName: stateMachineName,
          StateMachineType: 'STANDARD',
          RoleArn: { 'Fn::GetAtt': ['ExecutionRole', 'Arn'] },
          DefinitionString: definitionWithQueueUrl(JSON.stringify(compiled.definition, null, 2)),
          Tags: tags,
        },
      },
    },
    Outputs: {
      StateMachineArn: { Value: { Ref: 'StateMachine' } },
      ApprovalQueueUrl: { Value: { Ref: 'ApprovalQueue' } },
      ExecutionRoleArn: { Value: { 'Fn::GetAtt': ['ExecutionRole', 'Arn'] } },
    },
  };
}
