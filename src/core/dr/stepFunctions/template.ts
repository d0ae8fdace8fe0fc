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
  const cleaned = planName.replace(/[^A-Za-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
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

/** Fn::Sub reads `${…}` as a variable: keep every other `${` literal. */
function escapeForSub(text: string, variables: string[]): string {
  return text.replace(/\$\{([^}]*)\}/g, (match, name: string) =>
    variables.includes(name) || name.startsWith('AWS::') ? match : `\${!${name}}`,
  );
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
  const tags = stackTags(planName, planHash, compiled);
  const policy = buildExecutionPolicy(compiled.calls);
  const definition = escapeForSub(JSON.stringify(compiled.definition, null, 2), [
    APPROVAL_QUEUE_PLACEHOLDER.slice(2, -1),
  ]);
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Pilot Light recovery plan "${planName}" on AWS Step Functions (plan hash ${planHash}).`,
    Metadata: { PilotLight: { plan: planName, planHash, compilerVersion: COMPILER_VERSION, warnings: compiled.warnings } },
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
          StateMachineType: 'STANDARD',
          RoleArn: { 'Fn::GetAtt': ['ExecutionRole', 'Arn'] },
          DefinitionString: { 'Fn::Sub': [definition, { ApprovalQueueUrl: { Ref: 'ApprovalQueue' } }] },
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
