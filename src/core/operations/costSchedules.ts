/**
 * Schedules that stop or start EC2 instances (EventBridge Scheduler, universal target
 * `arn:aws:scheduler:::aws-sdk:ec2:stopInstances` / `startInstances`). StopInstances takes instance IDs, so a
 * tag selector is resolved to IDs when the schedule is created; the preview lists them, and instances tagged
 * later are not covered until the schedule is created again. The instances are the operation's targets, so
 * protected environments need an approval like any change to them.
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
import { defineOperation, READ_ONLY } from './define';
import { instanceId } from './schemaParts';
import type { OperationContext, TargetResource } from './types';

export const INSTANCE_ACTION_TARGETS = {
  stop: 'arn:aws:scheduler:::aws-sdk:ec2:stopInstances',
  start: 'arn:aws:scheduler:::aws-sdk:ec2:startInstances',
} as const;
/** The role Scheduler assumes when none is given; it must allow ec2:StopInstances and ec2:StartInstances. */
export const DEFAULT_SCHEDULER_ROLE_NAME = 'PilotLightInstanceScheduler';
const MAX_SCHEDULED_INSTANCES = 100;

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

export const createInstanceSchedule = defineOperation({
  id: 'scheduler.instanceSchedules.create',
  service: 'scheduler',
  title: 'Schedule stopping or starting instances',
  description:
    'Creates an EventBridge Scheduler schedule that stops or starts EC2 instances (by IDs, or by a tag resolved to IDs now) on a cron/rate expression in a time zone, e.g. stop dev instances at 18:00 on weekdays.',
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
      tagKey: z.string().min(1).max(128).optional().describe('select instances by this tag key'),
      tagValue: z.string().max(256).optional().describe('… and this tag value'),
      instanceIds: z.array(instanceId).min(1).max(MAX_SCHEDULED_INSTANCES).optional(),
      roleArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'Expected an IAM role ARN.')
        .optional()
        .describe(`role Scheduler assumes (default: role/${DEFAULT_SCHEDULER_ROLE_NAME} in this account)`),
      group: groupName,
    })
    .strict()
    .refine((input) => Boolean(input.instanceIds) !== Boolean(input.tagKey && input.tagValue !== undefined), {
      message: 'Give either instanceIds or tagKey and tagValue.',
    }),
  async targets(ctx, input): Promise<TargetResource[]> {
    const instances = await instancesFor(ctx, input);
    if (!instances.length)
      throw Object.assign(new Error(`No instances match: ${selectorText(input)} in ${ctx.region}.`), {
        name: 'NoMatchingInstances',
      });
    if (instances.length > MAX_SCHEDULED_INSTANCES)
      throw Object.assign(
        new Error(`More than ${MAX_SCHEDULED_INSTANCES} instances match ${selectorText(input)}; narrow the selector.`),
        { name: 'TooManyInstances' },
      );
    return instances.map((instance) => {
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
  },
  preview(ctx, input, targets) {
    const expressionParsed = parseScheduleExpression(input.expression);
    const next = nextRun(expressionParsed, input.timeZone, ctx.now.getTime());
    const role = input.roleArn ?? `arn:aws:iam::${ctx.account}:role/${DEFAULT_SCHEDULER_ROLE_NAME}`;
    return {
      summary: `Schedule "${input.name}": ${input.action} ${targets.length} instance${targets.length === 1 ? '' : 's'} on ${input.expression} (${input.timeZone}) in account ${ctx.account}, ${ctx.region}`,
      changes: [
        `Account ${ctx.account}, region ${ctx.region}: new EventBridge Scheduler schedule "${input.group}/${input.name}"`,
        `Expression ${input.expression}, time zone ${input.timeZone}; next run ${next === undefined ? 'none within 8 years' : new Date(next).toISOString()}`,
        `Calls ec2:${input.action === 'stop' ? 'StopInstances' : 'StartInstances'} on ${targets.map((target) => `${target.id}${target.name ? ` (${target.name})` : ''}`).join(', ')}`,
        ...(input.tagKey
          ? [
              `The tag ${input.tagKey}=${input.tagValue} was resolved to these instance IDs now; instances tagged later are not included until the schedule is created again.`,
            ]
          : []),
        `Scheduler assumes ${role} (it must allow ec2:${input.action === 'stop' ? 'StopInstances' : 'StartInstances'}).`,
      ],
      cost: {
        direction: input.action === 'stop' ? 'decrease' : 'increase',
        note: 'Stopped instances are not billed for compute; their EBS volumes still are.',
      },
    };
  },
  async handler(ctx, input, targets) {
    const scheduler = await ctx.client(schedulerService);
    const instanceIds = targets.map((target) => target.id);
    const result = await scheduler.send(
      new CreateScheduleCommand({
        Name: input.name,
        GroupName: input.group,
        ScheduleExpression: input.expression,
        ScheduleExpressionTimezone: input.timeZone,
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Description: `Pilot Light: ${input.action} ${selectorText(input)}`.slice(0, 512),
        Target: {
          Arn: INSTANCE_ACTION_TARGETS[input.action],
          RoleArn: input.roleArn ?? `arn:aws:iam::${ctx.account}:role/${DEFAULT_SCHEDULER_ROLE_NAME}`,
          Input: JSON.stringify({ InstanceIds: instanceIds }),
        },
        ClientToken: ctx.clientToken('schedule'),
      }),
    );
    return { scheduleArn: result.ScheduleArn, name: input.name, group: input.group, instanceIds };
  },
  resourceIds: (output) => [output.scheduleArn ?? output.name],
});

export interface InstanceScheduleSummary {
  name: string;
  group: string;
  state: string;
  expression?: string;
  timeZone: string;
  /** "stop" / "start" for the EC2 universal targets, else the target ARN. */
  action: string;
  instanceIds: string[];
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
    'EventBridge Scheduler schedules in the region with expression, time zone, target (stop/start instances and their IDs) and the next run time.',
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
      const arn = schedule.Target?.Arn ?? '';
      const action =
        arn === INSTANCE_ACTION_TARGETS.stop ? 'stop' : arn === INSTANCE_ACTION_TARGETS.start ? 'start' : arn;
      let instanceIds: string[] = [];
      try {
        const parsed = JSON.parse(schedule.Target?.Input ?? '{}') as { InstanceIds?: unknown };
        if (Array.isArray(parsed.InstanceIds)) instanceIds = parsed.InstanceIds.filter((id) => typeof id === 'string');
      } catch {
        // Not an instance list (another target's input).
      }
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
        action,
        instanceIds,
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
