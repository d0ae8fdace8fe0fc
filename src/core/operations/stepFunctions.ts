import {
  CreateStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  type DescribeExecutionOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { cloudFormationService, sfnService } from '../aws/services';
import { defineOperation, READ_ONLY } from './define';
import { sourceServerTargets } from './drs';
import type { OperationContext, TargetResource } from './types';

/** CloudFormation's limit for a template passed inline (TemplateBody). */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;
const STACK_WAIT_MS = 15 * 60_000;

const stackName = z.string().regex(/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/, 'Expected a CloudFormation stack name.');
const stateMachineArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/,
    'Expected a state machine ARN.',
  );
const executionArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:execution:[A-Za-z0-9_-]{1,80}:[A-Za-z0-9._-]{1,80}$/,
    'Expected a Step Functions execution ARN.',
  );
const sourceServerIds = z
  .array(z.string().regex(/^s-[0-9a-zA-Z]{17}$/))
  .max(2000)
  .default([]);
const environmentTags = z.record(z.string(), z.string()).optional();
/**
 * A plan whose protection groups are in another account than the state machine: its tasks assume `roleArn`
 * there. The servers as preflight read them in that account (with the member role), for the guardrails: the
 * operation's own account cannot see them.
 */
const actsIn = z
  .object({
    account: z.string().regex(/^\d{12}$/, 'Expected an AWS account ID.'),
    roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@-]{1,64}$/, 'Expected an IAM role ARN.'),
    servers: z
      .array(
        z
          .object({
            id: z.string().regex(/^s-[0-9a-zA-Z]{17}$/),
            name: z.string().max(255).optional(),
            tags: z.record(z.string().max(128), z.string().max(256)),
          })
          .strict(),
      )
      .max(2000),
  })
  .strict()
  .refine((value) => value.roleArn.split(':')[4] === value.account, 'The role must be in that account.')
  .optional();
const stepId = z.string().min(1).max(300);

/**
 * The task token of the pause or approval `step` is waiting on, read from the execution history inside the
 * handler: a token answers for the execution, so it never leaves this function (not in outputs, not in the
 * audit trail).
 */
async function waitingTaskToken(ctx: OperationContext, executionArn: string, step: string): Promise<string> {
  const sfn = await ctx.client(sfnService);
  let nextToken: string | undefined;
  for (let page = 0; page < 50; page++) {
    const result = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1000, nextToken }),
    );
    for (const event of result.events ?? []) {
      if (event.type !== 'TaskScheduled' || !/waitForTaskToken$/.test(event.taskScheduledEventDetails?.resource ?? ''))
        continue;
      let parameters: { MessageBody?: unknown } = {};
      try {
        parameters = JSON.parse(event.taskScheduledEventDetails?.parameters ?? '{}') as typeof parameters;
      } catch {
        continue;
      }
      const body = (
        typeof parameters.MessageBody === 'string' ? JSON.parse(parameters.MessageBody) : parameters.MessageBody
      ) as { step?: string; taskToken?: string } | undefined;
      if (body?.step === step && typeof body.taskToken === 'string') return body.taskToken;
    }
    nextToken = result.nextToken;
    if (!nextToken) break;
  }
  throw Object.assign(new Error(`The execution is not waiting on step ${step}.`), { name: 'TaskNotWaiting' });
}

/**
 * The plan's servers tell the environment (their Environment tags decide protection and approvals). In another
 * account (`actsIn`), they are the servers preflight read there, and the role the machine assumes is named.
 */
async function planContext(
  ctx: OperationContext,
  ids: string[],
  action: string,
  other?: z.infer<typeof actsIn>,
): Promise<TargetResource[]> {
  if (!other || other.account === ctx.account)
    return ids.length ? sourceServerTargets(ctx, ids, action, 'context') : [];
  const read = new Map(other.servers.map((server) => [server.id, server]));
  const missing = ids.filter((id) => !read.has(id));
  if (missing.length)
    throw Object.assign(new Error(`Source server(s) not read in account ${other.account}: ${missing.join(', ')}.`), {
      name: 'ResourceNotFoundException',
    });
  return [
    {
      type: 'iam:role',
      id: other.roleArn,
      role: 'context',
      action: `assumed by the state machine's tasks (account ${other.account})`,
      tags: {},
    },
    ...ids.map((id) => ({
      type: 'drs:source-server',
      id,
      name: read.get(id)!.name,
      role: 'context' as const,
      action: `${action} in account ${other.account}`,
      tags: { ...read.get(id)!.tags },
    })),
  ];
}

function accountsLine(ctx: OperationContext, other: z.infer<typeof actsIn>): string[] {
  return other && other.account !== ctx.account
    ? [`Runs in account ${ctx.account}, acts in account ${other.account} through ${other.roleArn.split(':').pop()}`]
    : [];
}

function isMissingStack(error: unknown): boolean {
  return (error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message);
}

async function describeStack(ctx: OperationContext, name: string): Promise<Stack | undefined> {
  const cfn = await ctx.client(cloudFormationService);
  try {
    return (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch (error) {
    if (isMissingStack(error)) return undefined;
    throw error;
  }
}

export const deployRecoveryPlanStack = defineOperation({
  id: 'cloudformation.stacks.deployRecoveryPlan',
  service: 'cloudformation',
  title: 'Deploy a recovery plan to Step Functions',
  description:
    'Creates or updates the CloudFormation stack that holds a compiled recovery plan: the Step Functions state machine, its least-privilege role and its approval queue.',
  kind: 'write',
  destructive: false,
  costImpact: 'variable',
  rollbackSupported: true,
  rollbackNote: 'Deploy the previous plan version again, or delete the stack.',
  input: z
    .object({
      stackName,
      planName: z.string().min(1).max(128),
      templateBody: z.string().min(2).max(MAX_TEMPLATE_BODY_BYTES),
      tags: z.array(z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256) }).strict()).max(50),
      /** Shown in the preview: IAM actions the role gets, and compiler notes. */
      summary: z.array(z.string().max(500)).max(50).default([]),
      sourceServerIds,
      actsIn,
    })
    .strict(),
  async targets(ctx, input) {
    const existing = await describeStack(ctx, input.stackName);
    const stackTags = Object.fromEntries(input.tags.map((tag) => [tag.Key, tag.Value]));
    return [
      {
        type: 'cloudformation:stack',
        id: input.stackName,
        role: 'target' as const,
        action: existing ? 'update' : 'create',
        tags: { ...Object.fromEntries((existing?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])), ...stackTags },
        state: existing?.StackStatus,
      },
      ...(await planContext(ctx, input.sourceServerIds, 'run by the plan', input.actsIn)),
    ];
  },
  preview(ctx, input, targets) {
    const update = targets[0]?.action === 'update';
    return {
      summary: `${update ? 'Update' : 'Create'} stack ${input.stackName} with the Step Functions state machine of plan "${input.planName}"`,
      changes: [
        'Resources: AWS::StepFunctions::StateMachine, AWS::IAM::Role (generated policy), AWS::SQS::Queue (approval tokens)',
        ...accountsLine(ctx, input.actsIn),
        ...input.summary.filter((line) => !line.startsWith('Runs in account ')),
      ],
      warnings: ['The stack creates an IAM role (CAPABILITY_IAM).'],
      cost: { direction: 'variable', note: 'Step Functions state transitions and SQS messages per run.' },
    };
  },
  async handler(ctx, input) {
    const cfn = await ctx.client(cloudFormationService);
    const existing = await describeStack(ctx, input.stackName);
    if (existing?.StackStatus === 'ROLLBACK_COMPLETE')
      throw new Error(
        `Stack ${input.stackName} is in ROLLBACK_COMPLETE (its creation failed) and cannot be updated. Delete it, then deploy again.`,
      );
    let action: 'created' | 'updated' | 'unchanged';
    const common = {
      StackName: input.stackName,
      TemplateBody: input.templateBody,
      Capabilities: ['CAPABILITY_IAM' as const],
      Tags: input.tags,
    };
    if (!existing) {
      await cfn.send(new CreateStackCommand(common));
      action = 'created';
    } else {
      try {
        await cfn.send(new UpdateStackCommand(common));
        action = 'updated';
      } catch (error) {
        if (!/No updates are to be performed/.test((error as Error).message)) throw error;
        action = 'unchanged';
      }
    }
    const deadline = Date.now() + STACK_WAIT_MS;
    for (;;) {
      const stack = await describeStack(ctx, input.stackName);
      const status = stack?.StackStatus ?? 'UNKNOWN';
      if (/_COMPLETE$/.test(status) && !/ROLLBACK/.test(status)) {
        const output = (key: string) => stack?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
        return {
          stackName: input.stackName,
          stackId: stack?.StackId,
          action,
          status,
          stateMachineArn: output('StateMachineArn'),
          approvalQueueUrl: output('ApprovalQueueUrl'),
        };
      }
      if (/FAILED$|ROLLBACK/.test(status) && !/IN_PROGRESS$/.test(status))
        throw new Error(
          `Stack ${input.stackName} ended in ${status}: ${stack?.StackStatusReason ?? 'see its events'}.`,
        );
      if (Date.now() > deadline) throw new Error(`Stack ${input.stackName} is still ${status} after 15 minutes.`);
      await ctx.sleep(1000);
    }
  },
  resourceIds: (output) => [output.stackId ?? output.stackName],
});

export const startPlanExecution = defineOperation({
  id: 'sfn.executions.start',
  service: 'sfn',
  title: 'Run a recovery plan on Step Functions',
  description:
    'Starts an execution of a deployed recovery-plan state machine, as a drill or a real recovery. The execution launches DRS recovery instances wave by wave.',
  kind: 'write',
  destructive: false,
  costImpact: 'increase',
  rollbackSupported: true,
  rollbackNote: 'Stop the execution; terminate the recovery instances it launched.',
  input: z
    .object({
      stateMachineArn,
      name: z.string().regex(/^[A-Za-z0-9._-]{1,80}$/, 'Expected an execution name (letters, digits, ., - and _).'),
      drill: z.boolean(),
      sourceServerIds,
      actsIn,
    })
    .strict(),
  async targets(ctx, input) {
    return [
      {
        type: 'sfn:execution',
        id: `(new ${input.drill ? 'drill' : 'recovery'} execution ${input.name})`,
        role: 'target' as const,
        action: input.drill ? 'drill' : 'recover',
        tags: {},
      },
      ...(await planContext(ctx, input.sourceServerIds, input.drill ? 'drill from' : 'recover from', input.actsIn)),
    ];
  },
  preview(ctx, input) {
    return {
      summary: `Start a ${input.drill ? 'drill' : 'RECOVERY'} of ${input.sourceServerIds.length} server(s) on Step Functions (${input.name})`,
      changes: [
        `State machine ${input.stateMachineArn}`,
        `Input {"drill": ${input.drill}}`,
        ...accountsLine(ctx, input.actsIn),
      ],
      warnings: input.drill ? [] : ['A recovery launches production recovery instances.'],
      cost: { direction: 'increase', note: 'Recovery instances run until terminated.' },
    };
  },
  async handler(ctx, input) {
    const sfn = await ctx.client(sfnService);
    const result = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: input.stateMachineArn,
        name: input.name,
        input: JSON.stringify({ drill: input.drill }),
      }),
    );
    return { executionArn: result.executionArn!, startDate: result.startDate?.toISOString() };
  },
  resourceIds: (output) => [output.executionArn],
});

export const describePlanExecution = defineOperation({
  id: 'sfn.executions.describe',
  service: 'sfn',
  title: 'Describe a Step Functions execution',
  description: 'Status, input, output and failure of one Step Functions execution.',
  ...READ_ONLY,
  input: z.object({ executionArn }).strict(),
  async handler(ctx, input): Promise<Omit<DescribeExecutionOutput, '$metadata'>> {
    const sfn = await ctx.client(sfnService);
    const { $metadata: _metadata, ...execution } = await sfn.send(
      new DescribeExecutionCommand({ executionArn: input.executionArn }),
    );
    return execution;
  },
});

export const getPlanExecutionHistory = defineOperation({
  id: 'sfn.executions.history',
  service: 'sfn',
  title: 'Read a Step Functions execution history',
  description: 'One page of the events of a Step Functions execution (states entered and exited, tasks, failures).',
  ...READ_ONLY,
  input: z
    .object({
      executionArn,
      nextToken: z.string().max(4096).optional(),
      maxResults: z.number().int().min(1).max(1000).optional(),
    })
    .strict(),
  async handler(ctx, input): Promise<{ items: HistoryEvent[]; nextToken?: string }> {
    const sfn = await ctx.client(sfnService);
    const page = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn: input.executionArn,
        nextToken: input.nextToken,
        maxResults: input.maxResults ?? 1000,
      }),
    );
    return { items: page.events ?? [], nextToken: page.nextToken || undefined };
  },
});

const executionTarget = (arn: string, action: string, tags: Record<string, string> = {}): TargetResource[] => [
  { type: 'sfn:execution', id: arn, role: 'target', action, tags },
];

export const sendTaskSuccess = defineOperation({
  id: 'sfn.tasks.sendSuccess',
  service: 'sfn',
  title: 'Approve or resume a Step Functions wave',
  description: 'Answers a waiting pause or approval of a recovery plan running on Step Functions (SendTaskSuccess).',
  kind: 'write',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: false,
  input: z
    .object({
      executionArn,
      /** The planned step that waits (e.g. "app/pause", "web/pre/0"). */
      step: stepId,
      /** What is being answered, for the preview and the audit trail. */
      label: z.string().max(300),
      comment: z.string().max(1000).optional(),
      environmentTags,
    })
    .strict(),
  targets: async (_ctx, input) => executionTarget(input.executionArn, 'approve', input.environmentTags),
  preview: (_ctx, input) => ({ summary: `Approve: ${input.label}`, changes: ['The waiting wave goes on'] }),
  async handler(ctx, input) {
    const sfn = await ctx.client(sfnService);
    await sfn.send(
      new SendTaskSuccessCommand({
        taskToken: await waitingTaskToken(ctx, input.executionArn, input.step),
        output: JSON.stringify({ approved: true, ...(input.comment ? { comment: input.comment } : {}) }),
      }),
    );
    return { executionArn: input.executionArn, approved: true };
  },
});

export const sendTaskFailure = defineOperation({
  id: 'sfn.tasks.sendFailure',
  service: 'sfn',
  title: 'Reject a Step Functions approval',
  description: 'Rejects a waiting approval of a recovery plan on Step Functions (SendTaskFailure); the wave fails.',
  kind: 'write',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: false,
  input: z
    .object({
      executionArn,
      step: stepId,
      label: z.string().max(300),
      comment: z.string().max(256).optional(),
      environmentTags,
    })
    .strict(),
  targets: async (_ctx, input) => executionTarget(input.executionArn, 'reject', input.environmentTags),
  preview: (_ctx, input) => ({ summary: `Reject: ${input.label}`, changes: ['The waiting wave fails'] }),
  async handler(ctx, input) {
    const sfn = await ctx.client(sfnService);
    await sfn.send(
      new SendTaskFailureCommand({
        taskToken: await waitingTaskToken(ctx, input.executionArn, input.step),
        error: 'Rejected',
        cause: input.comment ?? 'Rejected.',
      }),
    );
    return { executionArn: input.executionArn, approved: false };
  },
});

export const stopPlanExecution = defineOperation({
  id: 'sfn.executions.stop',
  service: 'sfn',
  title: 'Stop a Step Functions execution',
  description:
    'Stops a recovery plan running on Step Functions. DRS jobs already started go on; recovery instances stay until terminated.',
  kind: 'write',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: false,
  input: z.object({ executionArn, cause: z.string().max(256).optional(), environmentTags }).strict(),
  targets: async (_ctx, input) => executionTarget(input.executionArn, 'stop', input.environmentTags),
  preview: (_ctx, input) => ({
    summary: `Stop the execution ${input.executionArn.split(':').pop()}`,
    changes: ['No further wave starts', 'DRS jobs already started go on'],
  }),
  async handler(ctx, input) {
    const sfn = await ctx.client(sfnService);
    const result = await sfn.send(
      new StopExecutionCommand({ executionArn: input.executionArn, cause: input.cause ?? 'Stopped from Pilot Light.' }),
    );
    return { executionArn: input.executionArn, stopDate: result.stopDate?.toISOString() };
  },
});

export const stepFunctionsReadOperations = [describePlanExecution, getPlanExecutionHistory];
export const stepFunctionsWriteOperations = [
  deployRecoveryPlanStack,
  startPlanExecution,
  sendTaskSuccess,
  sendTaskFailure,
  stopPlanExecution,
];
