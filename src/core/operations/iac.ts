// Operations for templates and drift: the stack's deployed template, CloudFormation's own drift detection,
// change sets (preview, then execute), and the one-call read of every launch template's current versions.
import {
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DescribeStacksCommand,
  DetectStackDriftCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  type Change,
} from '@aws-sdk/client-cloudformation';
import { DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { cloudFormationService, ec2Service } from '../aws/services';
import { tagsToRecord } from '../aws/tags';
import { defineOperation, READ_ONLY } from './define';
import type { OperationContext, TargetResource } from './types';

const stackName = z
  .string()
  .regex(/^([a-zA-Z][-a-zA-Z0-9]{0,127}|arn:aws[a-z-]*:cloudformation:.+)$/, 'Expected a stack name or stack ARN.');
const changeSetName = z
  .string()
  .regex(/^([a-zA-Z][-a-zA-Z0-9]{0,127}|arn:aws[a-z-]*:cloudformation:.+)$/, 'Expected a change set name or ARN.');
/** CloudFormation's own limit for a template passed in the request. */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;

export const getStackTemplate = defineOperation({
  id: 'cloudformation.stacks.template',
  service: 'cloudformation',
  title: "Show a stack's deployed template",
  description: 'The template body a CloudFormation stack was deployed with (as submitted).',
  ...READ_ONLY,
  input: z.object({ stackName }).strict(),
  async handler(ctx, input) {
    const cfn = await ctx.client(cloudFormationService);
    const output = await cfn.send(new GetTemplateCommand({ StackName: input.stackName, TemplateStage: 'Original' }));
    return { templateBody: output.TemplateBody ?? '' };
  },
});

export const detectStackDrift = defineOperation({
  id: 'cloudformation.stacks.detectDrift',
  service: 'cloudformation',
  title: 'Start CloudFormation drift detection',
  description:
    "Asks CloudFormation to detect drift on a stack's resources (changes nothing); returns the detection ID.",
  ...READ_ONLY,
  input: z.object({ stackName }).strict(),
  async handler(ctx, input) {
    const cfn = await ctx.client(cloudFormationService);
    const output = await cfn.send(new DetectStackDriftCommand({ StackName: input.stackName }));
    return { detectionId: output.StackDriftDetectionId ?? '' };
  },
});

export const stackDriftStatus = defineOperation({
  id: 'cloudformation.stacks.driftStatus',
  service: 'cloudformation',
  title: 'Show a drift detection status',
  description: 'Whether a CloudFormation drift detection finished, and the stack drift status it found.',
  ...READ_ONLY,
  input: z.object({ detectionId: z.string().min(1).max(256) }).strict(),
  async handler(ctx, input) {
    const cfn = await ctx.client(cloudFormationService);
    const output = await cfn.send(
      new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId: input.detectionId }),
    );
    return {
      detectionStatus: output.DetectionStatus,
      stackDriftStatus: output.StackDriftStatus,
      reason: output.DetectionStatusReason,
    };
  },
});

export const stackResourceDrifts = defineOperation({
  id: 'cloudformation.stacks.resourceDrifts',
  service: 'cloudformation',
  title: "List a stack's resource drifts",
  description: 'CloudFormation drift detection results per resource and property.',
  ...READ_ONLY,
  input: z.object({ stackName, nextToken: z.string().optional() }).strict(),
  async handler(ctx, input) {
    const cfn = await ctx.client(cloudFormationService);
    const output = await cfn.send(
      new DescribeStackResourceDriftsCommand({
        StackName: input.stackName,
        NextToken: input.nextToken,
        MaxResults: 100,
      }),
    );
    return { items: output.StackResourceDrifts ?? [], nextToken: output.NextToken || undefined };
  },
});

async function stackTargets(ctx: OperationContext, name: string, action: string): Promise<TargetResource[]> {
  const cfn = await ctx.client(cloudFormationService);
  try {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
    return [
      {
        type: 'cloudformation-stack',
        id: stack?.StackName ?? name,
        action,
        state: stack?.StackStatus,
        tags: tagsToRecord(stack?.Tags),
      },
    ];
  } catch (error) {
    // A stack that does not exist yet is created by the change set.
    if (error instanceof Error && /does not exist/i.test(error.message))
      return [{ type: 'cloudformation-stack', id: name, action: 'create' }];
    throw error;
  }
}

export function describeChange(change: Change): string {
  const resource = change.ResourceChange;
  if (!resource) return String(change.Type ?? 'change');
  const properties = (resource.Details ?? [])
    .map((detail) => detail.Target?.Name ?? detail.Target?.Attribute)
    .filter((name): name is string => Boolean(name));
  const replacement =
    resource.Replacement === 'True'
      ? ' — REPLACES the resource'
      : resource.Replacement === 'Conditional'
        ? ' — may replace'
        : '';
  return `${resource.Action ?? '?'} ${resource.LogicalResourceId ?? '?'} (${resource.ResourceType ?? '?'})${
    properties.length ? `: ${[...new Set(properties)].join(', ')}` : ''
  }${replacement}`;
}

export const createChangeSet = defineOperation({
  id: 'cloudformation.changeSets.create',
  service: 'cloudformation',
  title: 'Create a CloudFormation change set',
  description:
    'Creates a change set for a stack from a template (nothing is deployed until the change set is executed).',
  kind: 'write',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: true,
  rollbackNote: 'delete the change set; the stack is unchanged until it is executed',
  input: z
    .object({
      stackName,
      changeSetName,
      templateBody: z
        .string()
        .min(1)
        .refine((body) => Buffer.byteLength(body, 'utf8') <= MAX_TEMPLATE_BODY_BYTES, {
          message: `A template passed directly can be at most ${MAX_TEMPLATE_BODY_BYTES} bytes.`,
        }),
      parameters: z.record(z.string().min(1).max(255), z.string().max(4096)).optional(),
      usePreviousParameters: z.array(z.string().min(1).max(255)).max(200).optional(),
      capabilities: z
        .array(z.enum(['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND']))
        .max(3)
        .optional(),
      changeSetType: z.enum(['UPDATE', 'CREATE']).default('UPDATE'),
    })
    .strict(),
  targets: (ctx, input) =>
    stackTargets(ctx, input.stackName, input.changeSetType === 'CREATE' ? 'create' : 'change set'),
  preview: (_ctx, input) => ({
    summary: `Create change set ${input.changeSetName} for stack ${input.stackName}`,
    changes: [
      `${input.changeSetType === 'CREATE' ? 'new stack' : 'stack'} ${input.stackName}: change set from a ${Buffer.byteLength(input.templateBody, 'utf8')}-byte template`,
      ...Object.keys(input.parameters ?? {}).map((key) => `parameter ${key} set`),
    ],
  }),
  async handler(ctx, input) {
    const cfn = await ctx.client(cloudFormationService);
    const output = await cfn.send(
      new CreateChangeSetCommand({
        StackName: input.stackName,
        ChangeSetName: input.changeSetName,
        TemplateBody: input.templateBody,
        ChangeSetType: input.changeSetType,
        Capabilities: input.capabilities,
        Parameters: [
          ...Object.entries(input.parameters ?? {}).map(([ParameterKey, ParameterValue]) => ({
            ParameterKey,
            ParameterValue,
          })),
          ...(input.usePreviousParameters ?? [])
            .filter((key) => !Object.hasOwn(input.parameters ?? {}, key))
            .map((ParameterKey) => ({ ParameterKey, UsePreviousValue: true })),
        ],
      }),
    );
    return { changeSetId: output.Id ?? '', stackId: output.StackId ?? '' };
  },
  resourceIds: (output) => [output.changeSetId].filter(Boolean),
});

export const describeChangeSet = defineOperation({
  id: 'cloudformation.changeSets.describe',
  service: 'cloudformation',
  title: 'Show a CloudFormation change set',
  description: 'The status of a change set and the resource changes it would make.',
  ...READ_ONLY,
  input: z.object({ stackName, changeSetName }).strict(),
  async handler(ctx, input) {
    const cfn = await ctx.client(cloudFormationService);
    const changes: Change[] = [];
    let nextToken: string | undefined;
    let status: string | undefined;
    let executionStatus: string | undefined;
    let statusReason: string | undefined;
    let pages = 0;
    do {
      const page = await cfn.send(
        new DescribeChangeSetCommand({
          StackName: input.stackName,
          ChangeSetName: input.changeSetName,
          NextToken: nextToken,
        }),
      );
      status = page.Status;
      executionStatus = page.ExecutionStatus;
      statusReason = page.StatusReason;
      changes.push(...(page.Changes ?? []));
      nextToken = page.NextToken || undefined;
    } while (nextToken && ++pages < 20);
    return { status, executionStatus, statusReason, changes, summary: changes.map(describeChange) };
  },
});

export const executeChangeSet = defineOperation({
  id: 'cloudformation.changeSets.execute',
  service: 'cloudformation',
  title: 'Execute a CloudFormation change set (deploy)',
  description: 'Deploys a change set: CloudFormation updates, replaces or deletes resources as the change set lists.',
  kind: 'write',
  destructive: true,
  costImpact: 'variable',
  rollbackSupported: false,
  rollbackNote:
    'CloudFormation rolls back a failed update on its own; a succeeded one is undone by deploying the old template',
  input: z.object({ stackName, changeSetName }).strict(),
  targets: (ctx, input) => stackTargets(ctx, input.stackName, 'deploy'),
  async preview(ctx, input) {
    const cfn = await ctx.client(cloudFormationService);
    const page = await cfn.send(
      new DescribeChangeSetCommand({ StackName: input.stackName, ChangeSetName: input.changeSetName }),
    );
    const changes = (page.Changes ?? []).map(describeChange);
    const removals = (page.Changes ?? []).filter(
      (change) => change.ResourceChange?.Action === 'Remove' || change.ResourceChange?.Replacement === 'True',
    );
    return {
      summary: `Deploy change set ${input.changeSetName} to ${input.stackName} (${changes.length} change${changes.length === 1 ? '' : 's'})`,
      changes: changes.length ? changes : ['no resource changes listed'],
      warnings: removals.length
        ? [`${removals.length} resource${removals.length === 1 ? ' is' : 's are'} removed or replaced`]
        : undefined,
      cost: { direction: 'variable', note: 'Depends on the resources the change set adds, changes or removes.' },
    };
  },
  async handler(ctx, input) {
    const cfn = await ctx.client(cloudFormationService);
    await cfn.send(new ExecuteChangeSetCommand({ StackName: input.stackName, ChangeSetName: input.changeSetName }));
    return { stackName: input.stackName, changeSetName: input.changeSetName };
  },
});

export const currentLaunchTemplateVersions = defineOperation({
  id: 'ec2.launchTemplates.currentVersions',
  service: 'ec2',
  title: "List every launch template's current versions",
  description: 'The default and latest version of every launch template in one read (user data included as base64).',
  ...READ_ONLY,
  input: z
    .object({
      maxResults: z.number().int().min(1).max(200).optional(),
      nextToken: z.string().optional(),
    })
    .strict(),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    const output = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        Versions: ['$Default', '$Latest'],
        MaxResults: input.maxResults ?? 200,
        NextToken: input.nextToken,
      }),
    );
    return { items: output.LaunchTemplateVersions ?? [], nextToken: output.NextToken || undefined };
  },
});

export const iacReadOperations = [
  getStackTemplate,
  detectStackDrift,
  stackDriftStatus,
  stackResourceDrifts,
  describeChangeSet,
  currentLaunchTemplateVersions,
];
export const iacWriteOperations = [createChangeSet, executeChangeSet];
