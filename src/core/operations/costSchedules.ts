/**
 * Schedules that stop or start EC2 instances (EventBridge Scheduler universal targets; see
 * cost/scheduleTargets.ts). By instance IDs: `aws-sdk:ec2:stopInstances` / `startInstances` on those IDs. By a
 * tag: `aws-sdk:ssm:startAutomationExecution` starting AWS-StopEC2Instance / AWS-StartEC2Instance with a tag
 * target, so the tag is resolved when the schedule runs and instances tagged later are included.
 *
 * Safety: the instances that match now are the operation's targets (protected environments need an approval
 * as for any change to them), and the selector itself is a context resource carrying the tag, so a selector
 * naming a protected environment needs one even when nothing matches yet. Automation takes one tag per
 * execution, so a tag schedule cannot be narrowed by a second tag: it must select on an environment tag key
 * (from the settings, not widened by a workspace), which bounds it to that environment, or say
 * `anyEnvironment: true`, and the preview warns that any instance given the tag later is included.
 */
import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
} from '@aws-sdk/client-scheduler';
import { z } from 'zod';
import { tagsToRecord } from '../aws/tags';
import { ec2Service, schedulerService } from '../aws/services';
import {
  isKnownTimeZone,
  MAX_EXPRESSION_LENGTH,
  nextRun,
  parseScheduleExpression,
  ScheduleExpressionError,
} from '../cost/scheduleExpression';
import {
  AUTOMATION_MAX_CONCURRENCY,
  AUTOMATION_MAX_ERRORS,
  automationInput,
  automationTagProblem,
  describeSelector,
  INSTANCE_ACTION_TARGETS,
  INSTANCE_AUTOMATION_DOCUMENTS,
  isEnvironmentTagKey,
  readScheduleTarget,
  START_AUTOMATION_TARGET,
  type ScheduleTarget,
} from '../cost/scheduleTargets';
import { defineOperation, READ_ONLY } from './define';
import { instanceId } from './schemaParts';
import type { OperationContext, TargetResource } from './types';

export { INSTANCE_ACTION_TARGETS, START_AUTOMATION_TARGET } from '../cost/scheduleTargets';
/** The role Scheduler assumes when none is given (ec2:StopInstances/StartInstances, or ssm:StartAutomationExecution + iam:PassRole). */
export const DEFAULT_SCHEDULER_ROLE_NAME = 'PilotLightInstanceScheduler';
/** The role Automation assumes for a tag schedule when none is given (ec2:StopInstances, StartInstances, DescribeInstances; trusts ssm.amazonaws.com). */
export const DEFAULT_AUTOMATION_ROLE_NAME = 'PilotLightInstanceSchedulerAutomation';
const MAX_SCHEDULED_INSTANCES = 100;

const roleArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'Expected an IAM role ARN.');

const scheduleName = z
  .string()
  .regex(/^[0-9a-zA-Z_.-]{1,64}$/, 'A schedule name has 1-64 letters, digits, ".", "_" or "-".')
  .describe('schedule name');
const groupName = z
  .string()
  .regex(/^[0-9a-zA-Z_.-]{1,64}$/)
  .default('default')
  .describe('schedule group (default "default")');

const expression = z
  .string()
  .max(MAX_EXPRESSION_LENGTH)
  .superRefine((text, issue) => {
    try {
      parseScheduleExpression(text);
    } catch (error) {
      if (error instanceof ScheduleExpressionError) issue.addIssue({ code: 'custom', message: error.message });
      else throw error;
    }
  })
  .describe('Scheduler expression, e.g. cron(0 18 ? * MON-FRI *)');

const timeZone = z
  .string()
  .max(64)
  .refine(isKnownTimeZone, 'Expected an IANA time zone such as UTC or Europe/Berlin.')
  .default('UTC')
  .describe('IANA time zone, e.g. Europe/Berlin');

async function instancesFor(
  ctx: OperationContext,
  selector: { instanceIds?: string[]; tagKey?: string; tagValue?: string },
): Promise<Instance[]> {
  const ec2 = await ctx.client(ec2Service);
  const out: Instance[] = [];
  let token: string | undefined;
  do {
    const result = await ec2.send(
      new DescribeInstancesCommand({
        ...(selector.instanceIds
          ? { InstanceIds: selector.instanceIds }
          : {
              Filters: [
                { Name: `tag:${selector.tagKey}`, Values: [selector.tagValue ?? ''] },
                { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
              ],
            }),
        ...(token ? { NextToken: token } : {}),
      }),
    );
    for (const reservation of result.Reservations ?? []) out.push(...(reservation.Instances ?? []));
    token = result.NextToken;
  } while (token && out.length <= MAX_SCHEDULED_INSTANCES);
  return out;
}

const selectorText = (input: { instanceIds?: string[]; tagKey?: string; tagValue?: string }) =>
  input.instanceIds
    ? `instances ${input.instanceIds.join(', ')}`
    : `instances tagged ${input.tagKey}=${input.tagValue}`;

const schedulerRole = (ctx: OperationContext, input: { roleArn?: string }) =>
  input.roleArn ?? `arn:aws:iam::${ctx.account}:role/${DEFAULT_SCHEDULER_ROLE_NAME}`;
const automationRole = (ctx: OperationContext, input: { automationRoleArn?: string }) =>
  input.automationRoleArn ?? `arn:aws:iam::${ctx.account}:role/${DEFAULT_AUTOMATION_ROLE_NAME}`;
const SELECTOR_TYPE = 'ec2:instance-selector';

/** The EventBridge Scheduler target a schedule gets: EC2 on fixed IDs, or SSM Automation on a tag. */
export function scheduleTargetFor(
  input: { action: 'stop' | 'start'; instanceIds?: string[]; tagKey?: string; tagValue?: string },
  instanceIds: string[],
  schedulerRoleArn: string,
  automationRoleArn: string,
): { Arn: string; RoleArn: string; Input: string } {
  return input.instanceIds
    ? {
        Arn: INSTANCE_ACTION_TARGETS[input.action],
        RoleArn: schedulerRoleArn,
        Input: JSON.stringify({ InstanceIds: instanceIds }),
      }
    : {
        Arn: START_AUTOMATION_TARGET,
        RoleArn: schedulerRoleArn,
        Input: JSON.stringify(automationInput(input.action, input.tagKey!, input.tagValue!, automationRoleArn)),
      };
}

export const createInstanceSchedule = defineOperation({
  id: 'scheduler.instanceSchedules.create',
  service: 'scheduler',
  title: 'Schedule stopping or starting instances',
  description:
    'Creates an EventBridge Scheduler schedule that stops or starts EC2 instances on a cron/rate expression in a time zone, e.g. stop dev instances at 18:00 on weekdays: by instance IDs (fixed), or by an environment tag such as Environment=dev that SSM Automation (AWS-StopEC2Instance/AWS-StartEC2Instance) resolves at every run, so instances tagged later are included.',
  kind: 'write',
  destructive: false,
  costImpact: 'decrease',
  rollbackSupported: true,
  rollbackNote: 'Delete the schedule (scheduler.instanceSchedules.delete).',
  input: z
    .object({
      name: scheduleName,
      action: z.enum(['stop', 'start']),
      expression,
      timeZone,
      tagKey: z
        .string()
        .min(1)
        .max(128)
        .optional()
        .describe('select instances by this tag key when the schedule runs (an environment tag key, e.g. Environment)'),
      tagValue: z.string().max(256).optional().describe('… and this tag value, e.g. dev'),
      instanceIds: z.array(instanceId).min(1).max(MAX_SCHEDULED_INSTANCES).optional(),
      roleArn: roleArn
        .optional()
        .describe(`role Scheduler assumes (default: role/${DEFAULT_SCHEDULER_ROLE_NAME} in this account)`),
      automationRoleArn: roleArn
        .optional()
        .describe(`tag schedules: role Automation assumes (default: role/${DEFAULT_AUTOMATION_ROLE_NAME})`),
      anyEnvironment: z
        .boolean()
        .optional()
        .describe(
          'tag schedules on a tag that is not an environment tag: accept that instances of any environment given the tag later are included',
        ),
      group: groupName,
    })
    .strict()
    .refine((input) => Boolean(input.instanceIds) !== Boolean(input.tagKey && input.tagValue !== undefined), {
      message: 'Give either instanceIds or tagKey and tagValue.',
    })
    .refine((input) => !input.instanceIds || (!input.automationRoleArn && input.anyEnvironment === undefined), {
      message: 'automationRoleArn and anyEnvironment apply to tag schedules only.',
    }),
  approvalVariant: (input) => (input.instanceIds ? 'instance-ids' : input.anyEnvironment ? 'any-environment' : 'tag'),
  async targets(ctx, input): Promise<TargetResource[]> {
    if (input.tagKey !== undefined && !input.instanceIds) {
      const problem = automationTagProblem(input.tagKey, input.tagValue ?? '');
      if (problem) throw Object.assign(new Error(problem), { name: 'InvalidTagSelector' });
      if (!isEnvironmentTagKey(input.tagKey, ctx.environmentTagKeys) && !input.anyEnvironment)
        throw Object.assign(
          new Error(
            `${input.tagKey} is not an environment tag key (${ctx.environmentTagKeys.join(', ')}), so a schedule on ${input.tagKey}=${input.tagValue} would also reach instances of other environments, production included, that get the tag later: SSM Automation accepts one tag per run, so it cannot also require an environment tag. Select by an environment tag (e.g. ${ctx.environmentTagKeys[0] ?? 'Environment'}=dev), give instanceIds (fixed now), or set anyEnvironment: true to accept that.`,
          ),
          { name: 'UnboundedTagSchedule' },
        );
    }
    const instances = await instancesFor(ctx, input);
    if (!instances.length && input.instanceIds)
      throw Object.assign(new Error(`No instances match: ${selectorText(input)} in ${ctx.region}.`), {
        name: 'NoMatchingInstances',
      });
    if (instances.length > MAX_SCHEDULED_INSTANCES)
      throw Object.assign(
        new Error(`More than ${MAX_SCHEDULED_INSTANCES} instances match ${selectorText(input)}; narrow the selector.`),
        { name: 'TooManyInstances' },
      );
    const matched = instances.map((instance) => {
      const tags = tagsToRecord(instance.Tags);
      return {
        type: 'ec2:instance',
        id: instance.InstanceId ?? '?',
        name: tags.Name,
        role: 'target' as const,
        action: `scheduled ${input.action}`,
        tags,
        state: instance.State?.Name,
        details: [instance.InstanceType ?? ''].filter(Boolean),
      };
    });
    if (input.instanceIds) return matched;
    // The instances the schedule will reach later carry the selector's tag: their environment is the selector's.
    const selector: TargetResource = {
      type: SELECTOR_TYPE,
      id: `(instances tagged ${input.tagKey}=${input.tagValue} when it runs)`,
      role: 'context',
      action: `scheduled ${input.action}`,
      tags: { [input.tagKey!]: input.tagValue! },
    };
    return [...matched, selector];
  },
  preview(ctx, input, targets) {
    const expressionParsed = parseScheduleExpression(input.expression);
    const next = nextRun(expressionParsed, input.timeZone, ctx.now.getTime());
    const role = schedulerRole(ctx, input);
    const instances = targets.filter((target) => target.type !== SELECTOR_TYPE);
    const listed = instances.map((target) => `${target.id}${target.name ? ` (${target.name})` : ''}`).join(', ');
    const plural = (n: number) => `${n} instance${n === 1 ? '' : 's'}`;
    const common = [
      `Account ${ctx.account}, region ${ctx.region}: new EventBridge Scheduler schedule "${input.group}/${input.name}"`,
      `Expression ${input.expression}, time zone ${input.timeZone}; next run ${next === undefined ? 'none within 8 years' : new Date(next).toISOString()}`,
    ];
    const cost = {
      direction: input.action === 'stop' ? ('decrease' as const) : ('increase' as const),
      note: 'Stopped instances are not billed for compute; their EBS volumes still are.',
    };
    if (input.instanceIds) {
      const api = input.action === 'stop' ? 'StopInstances' : 'StartInstances';
      return {
        summary: `Schedule "${input.name}": ${input.action} ${plural(instances.length)} on ${input.expression} (${input.timeZone}) in account ${ctx.account}, ${ctx.region}`,
        changes: [...common, `Calls ec2:${api} on ${listed}`, `Scheduler assumes ${role} (it must allow ec2:${api}).`],
        cost,
      };
    }
    const tag = `${input.tagKey}=${input.tagValue}`;
    const document = INSTANCE_AUTOMATION_DOCUMENTS[input.action];
    const bounded = isEnvironmentTagKey(input.tagKey!, ctx.environmentTagKeys);
    const automation = automationRole(ctx, input);
    // An instance with a second environment tag that says otherwise (Environment=dev, env=production) matches too.
    const conflicting = bounded
      ? instances.filter((target) =>
          Object.entries(target.tags ?? {}).some(
            ([key, value]) =>
              key !== input.tagKey &&
              isEnvironmentTagKey(key, ctx.environmentTagKeys) &&
              value.trim().toLowerCase() !== input.tagValue!.trim().toLowerCase(),
          ),
        )
      : [];
    const warnings = bounded
      ? conflicting.length
        ? [
            `${conflicting.map((target) => target.id).join(', ')} also carr${conflicting.length === 1 ? 'ies' : 'y'} another environment tag; instances tagged ${tag} later are included whatever their other environment tags say.`,
          ]
        : []
      : [
          `Any instance given the tag ${tag} later is ${input.action === 'stop' ? 'stopped' : 'started'} by this schedule whatever its environment, production included, without an approval.`,
        ];
    return {
      summary: `Schedule "${input.name}": ${input.action} instances tagged ${tag} (${instances.length} now) on ${input.expression} (${input.timeZone}) in account ${ctx.account}, ${ctx.region}`,
      changes: [
        ...common,
        `Starts SSM Automation ${document} on the instances tagged ${tag}, resolved when it runs (${AUTOMATION_MAX_CONCURRENCY} at a time; no more are started after ${AUTOMATION_MAX_ERRORS} failures)`,
        instances.length ? `Matches now: ${listed}` : `No instance is tagged ${tag} now.`,
        `Instances tagged ${tag} later are included when it runs; instances that lose the tag are left out.`,
        bounded
          ? `Bounded to environment "${input.tagValue}": the selector is the environment tag ${input.tagKey}, so it cannot reach another environment's instances.`
          : `Not bounded to an environment: ${input.tagKey} is not an environment tag key, and SSM Automation accepts one tag per run.`,
        `Scheduler assumes ${role} (it must allow ssm:StartAutomationExecution on ${document} and iam:PassRole for ${automation}); Automation assumes ${automation} (it must allow ec2:${input.action === 'stop' ? 'StopInstances' : 'StartInstances'} and ec2:DescribeInstances, and trust ssm.amazonaws.com).`,
      ],
      ...(warnings.length ? { warnings } : {}),
      cost,
    };
  },
  async handler(ctx, input, targets) {
    const scheduler = await ctx.client(schedulerService);
    const instanceIds = targets.filter((target) => target.type !== SELECTOR_TYPE).map((target) => target.id);
    const target = scheduleTargetFor(input, instanceIds, schedulerRole(ctx, input), automationRole(ctx, input));
    const result = await scheduler.send(
      new CreateScheduleCommand({
        Name: input.name,
        GroupName: input.group,
        ScheduleExpression: input.expression,
        ScheduleExpressionTimezone: input.timeZone,
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Description:
          `Pilot Light: ${input.action} ${selectorText(input)}${input.instanceIds ? '' : ', resolved when it runs'}`.slice(
            0,
            512,
          ),
        Target: target,
        ClientToken: ctx.clientToken('schedule'),
      }),
    );
    return {
      scheduleArn: result.ScheduleArn,
      name: input.name,
      group: input.group,
      ...(input.instanceIds
        ? { instanceIds }
        : { selector: { tagKey: input.tagKey!, tagValue: input.tagValue! }, matchedNow: instanceIds }),
    };
  },
  resourceIds: (output) => [output.scheduleArn ?? output.name],
});

export interface InstanceScheduleSummary {
  name: string;
  group: string;
  state: string;
  expression?: string;
  timeZone: string;
  /** "stop" / "start" for the targets this module creates, else the target ARN. */
  action: string;
  /** How instances are chosen: fixed IDs, a tag resolved when it runs, or another target. */
  kind: ScheduleTarget['kind'];
  /** Fixed IDs (empty for a tag schedule). */
  instanceIds: string[];
  /** A tag schedule's selector. */
  tag?: { key: string; value: string };
  /** "instances tagged Environment=dev, resolved when it runs", "instances i-1, i-2", or the target ARN. */
  selector: string;
  /** A tag schedule on an environment tag: the environment it is bounded to. */
  environment?: string;
  description?: string;
  createdAt?: string;
  /** ISO time of the next run, computed here; undefined when none or not computable. */
  nextRun?: string;
  /** Why nextRun is missing, e.g. "Not supported yet: the L, W and # modifiers". */
  nextRunNote?: string;
}

const MAX_LISTED_SCHEDULES = 200;

export const listInstanceSchedules = defineOperation({
  id: 'scheduler.instanceSchedules.list',
  service: 'scheduler',
  title: 'List schedules',
  description:
    'EventBridge Scheduler schedules in the region with expression, time zone, what they stop or start (fixed instance IDs, or a tag resolved when the schedule runs) and the next run time.',
  ...READ_ONLY,
  input: z
    .object({
      group: z
        .string()
        .regex(/^[0-9a-zA-Z_.-]{1,64}$/)
        .optional(),
    })
    .strict(),
  async handler(ctx, input): Promise<InstanceScheduleSummary[]> {
    const scheduler = await ctx.client(schedulerService);
    const names: Array<{ name: string; group: string }> = [];
    let token: string | undefined;
    do {
      const page = await scheduler.send(
        new ListSchedulesCommand({
          ...(input.group ? { GroupName: input.group } : {}),
          ...(token ? { NextToken: token } : {}),
        }),
      );
      for (const entry of page.Schedules ?? [])
        if (entry.Name) names.push({ name: entry.Name, group: entry.GroupName ?? 'default' });
      token = page.NextToken;
    } while (token && names.length < MAX_LISTED_SCHEDULES);
    const out: InstanceScheduleSummary[] = [];
    for (const { name, group } of names.slice(0, MAX_LISTED_SCHEDULES)) {
      const schedule = await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: group }));
      const target = readScheduleTarget(schedule.Target?.Arn, schedule.Target?.Input);
      const zone = schedule.ScheduleExpressionTimezone ?? 'UTC';
      let next: string | undefined;
      let nextRunNote: string | undefined;
      if (schedule.State === 'DISABLED') nextRunNote = 'disabled';
      else if (schedule.ScheduleExpression)
        try {
          const when = nextRun(
            parseScheduleExpression(schedule.ScheduleExpression),
            isKnownTimeZone(zone) ? zone : 'UTC',
            ctx.now.getTime(),
            schedule.CreationDate?.getTime(),
          );
          if (when === undefined) nextRunNote = 'no further run';
          else next = new Date(when).toISOString();
        } catch (error) {
          nextRunNote = error instanceof Error ? error.message : String(error);
        }
      out.push({
        name,
        group,
        state: schedule.State ?? 'ENABLED',
        expression: schedule.ScheduleExpression,
        timeZone: zone,
        action: target.kind === 'other' ? target.target : target.action,
        kind: target.kind,
        instanceIds: target.kind === 'instance-ids' ? target.instanceIds : [],
        ...(target.kind === 'tag' ? { tag: { key: target.tagKey, value: target.tagValue } } : {}),
        selector: describeSelector(target),
        ...(target.kind === 'tag' && isEnvironmentTagKey(target.tagKey, ctx.environmentTagKeys)
          ? { environment: target.tagValue }
          : {}),
        description: schedule.Description,
        createdAt: schedule.CreationDate?.toISOString(),
        ...(next ? { nextRun: next } : {}),
        ...(nextRunNote ? { nextRunNote } : {}),
      });
    }
    return out;
  },
});

export const deleteInstanceSchedule = defineOperation({
  id: 'scheduler.instanceSchedules.delete',
  service: 'scheduler',
  title: 'Delete schedule',
  description: 'Deletes an EventBridge Scheduler schedule (the instances it stopped or started are not changed).',
  kind: 'delete',
  destructive: true,
  costImpact: 'variable',
  rollbackSupported: false,
  rollbackNote: 'Create the schedule again.',
  input: z.object({ name: scheduleName, group: groupName }).strict(),
  async targets(ctx, input): Promise<TargetResource[]> {
    const scheduler = await ctx.client(schedulerService);
    const schedule = await scheduler.send(new GetScheduleCommand({ Name: input.name, GroupName: input.group }));
    return [
      {
        type: 'scheduler:schedule',
        id: schedule.Arn ?? input.name,
        name: input.name,
        role: 'target',
        action: 'delete',
        state: schedule.State,
        details: [
          `${schedule.ScheduleExpression ?? ''} (${schedule.ScheduleExpressionTimezone ?? 'UTC'})`,
          describeSelector(readScheduleTarget(schedule.Target?.Arn, schedule.Target?.Input)),
          schedule.Description ?? '',
        ].filter(Boolean),
      },
    ];
  },
  preview(ctx, input, targets) {
    return {
      summary: `Delete schedule "${input.group}/${input.name}" in account ${ctx.account}, ${ctx.region}`,
      changes: [`Delete schedule ${targets[0]?.id ?? input.name}: ${targets[0]?.details?.join('; ') ?? ''}`],
    };
  },
  async handler(ctx, input) {
    const scheduler = await ctx.client(schedulerService);
    await scheduler.send(
      new DeleteScheduleCommand({ Name: input.name, GroupName: input.group, ClientToken: ctx.clientToken('delete') }),
    );
    return { name: input.name, group: input.group };
  },
});

export const scheduleReadOperations = [listInstanceSchedules] as const;
export const scheduleWriteOperations = [createInstanceSchedule, deleteInstanceSchedule] as const;
