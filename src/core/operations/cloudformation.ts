import { DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { z } from 'zod';
import { cloudFormationService } from '../aws/services';
import { defineOperation, READ_ONLY } from './define';

const stackName = z
  .string()
  .regex(/^([a-zA-Z][-a-zA-Z0-9]{0,127}|arn:aws[a-z-]*:cloudformation:.+)$/, 'Expected a stack name or stack ARN.');

export const listStacks = defineOperation({
  id: 'cloudformation.stacks.list',
  service: 'cloudformation',
  title: 'List CloudFormation stacks',
  description: 'CloudFormation stacks (not deleted) with status, parameters, outputs and tags.',
  ...READ_ONLY,
  input: z.object({ stackName: stackName.optional(), nextToken: z.string().optional() }).strict(),
  async handler(ctx, input) {
    const cfn = await ctx.client(cloudFormationService);
    const page = await cfn.send(new DescribeStacksCommand({ StackName: input.stackName, NextToken: input.nextToken }));
    return { items: page.Stacks ?? [], nextToken: page.NextToken || undefined };
  },
});

export const listStackResources = defineOperation({
  id: 'cloudformation.stacks.resources',
  service: 'cloudformation',
  title: "List a stack's resources",
  description: 'The resources of one CloudFormation stack with their physical IDs and status.',
  ...READ_ONLY,
  input: z.object({ stackName, nextToken: z.string().optional() }).strict(),
  async handler(ctx, input) {
    const cfn = await ctx.client(cloudFormationService);
    const page = await cfn.send(
      new ListStackResourcesCommand({ StackName: input.stackName, NextToken: input.nextToken }),
    );
    return { items: page.StackResourceSummaries ?? [], nextToken: page.NextToken || undefined };
  },
});

export const getStackOutputs = defineOperation({
  id: 'cloudformation.stacks.outputs',
  service: 'cloudformation',
  title: "Show a stack's outputs",
  description: 'The outputs of one CloudFormation stack (secret-looking values are redacted).',
  ...READ_ONLY,
  input: z.object({ stackName }).strict(),
  async handler(ctx, input) {
    const cfn = await ctx.client(cloudFormationService);
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: input.stackName }));
    return { stackName: Stacks?.[0]?.StackName, outputs: Stacks?.[0]?.Outputs ?? [] };
  },
});

export const cloudFormationOperations = [listStacks, listStackResources, getStackOutputs];
