import {
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  ModifyInstanceAttributeCommand,
  RebootInstancesCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type RunInstancesCommandInput,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { ec2Service } from '../../aws/services';
import { amiBeforeTerminate } from '../../guardrails/backups';
import { instancesMustBeStopped, terminationProtection } from '../../guardrails/dependencyChecks';
import { instanceSizeRank } from '../costs';
import { defineOperation } from '../define';
import {
  instanceId,
  launchTemplateId,
  plural,
  subnetId,
  tagsSchema,
  tagSpecifications,
  tagsToRecord,
} from '../schemaParts';
import type { OperationContext, TargetResource } from '../types';
import { instanceTargets, subnetTargets } from './targets';

const instanceIds = z.array(instanceId).min(1).max(1000).describe('The instances.');

function stateLines(targets: TargetResource[], to: string): string[] {
  return targets
    .filter((target) => target.role !== 'context')
    .map((target) => `${target.id}${target.name ? ` (${target.name})` : ''}: ${target.state ?? 'unknown'} → ${to}`);
}

function unexpectedState(targets: TargetResource[], allowed: string[], verb: string): string[] {
  return targets
    .filter((target) => target.state && !allowed.includes(target.state))
    .map((target) => `${target.id} is ${target.state}; ${verb} may fail or do nothing.`);
}

function transitions(
  list: Array<{ InstanceId?: string; PreviousState?: { Name?: string }; CurrentState?: { Name?: string } }> | undefined,
) {
  return {
    instances: (list ?? []).map((item) => ({
      instanceId: item.InstanceId,
      previousState: item.PreviousState?.Name,
      currentState: item.CurrentState?.Name,
    })),
  };
}

export const startInstances = defineOperation({
  id: 'ec2.instances.start',
  service: 'ec2',
  title: 'Start EC2 instances',
  description: 'Starts stopped EC2 instances.',
  kind: 'write',
  destructive: false,
  costImpact: 'increase',
  rollbackSupported: true,
  rollbackNote: 'stop the instances again',
  input: z.object({ instanceIds }).strict(),
  targets: (ctx, input) => instanceTargets(ctx, input.instanceIds, 'start'),
  preview: (_ctx, input, targets) => ({
    summary: `Start ${plural(input.instanceIds.length, 'instance')}`,
    changes: stateLines(targets, 'running'),
    warnings: unexpectedState(targets, ['stopped'], 'starting'),
    cost: { direction: 'increase', note: 'Compute is billed per second while the instances run.' },
  }),
  checkPermission: (ctx, input) =>
    ctx.probe(ec2Service, new StartInstancesCommand({ InstanceIds: input.instanceIds, DryRun: true })),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    return transitions(
      (await ec2.send(new StartInstancesCommand({ InstanceIds: input.instanceIds }))).StartingInstances,
    );
  },
});

export const stopInstances = defineOperation({
  id: 'ec2.instances.stop',
  service: 'ec2',
  title: 'Stop EC2 instances',
  description:
    'Stops running EC2 instances. Instance-store data is lost and a public IPv4 address without an Elastic IP changes.',
  kind: 'write',
  destructive: false,
  costImpact: 'decrease',
  rollbackSupported: true,
  rollbackNote: 'start the instances again',
  input: z
    .object({
      instanceIds,
      force: z.boolean().optional().describe('Force the stop without a clean OS shutdown.'),
      hibernate: z.boolean().optional(),
    })
    .strict(),
  targets: (ctx, input) => instanceTargets(ctx, input.instanceIds, 'stop'),
  preview: (_ctx, input, targets) => ({
    summary: `Stop ${plural(input.instanceIds.length, 'instance')}${input.force ? ' (forced)' : ''}`,
    changes: stateLines(targets, 'stopped'),
    warnings: [
      ...unexpectedState(targets, ['running', 'pending'], 'stopping'),
      'Data on instance-store volumes is lost; a public IPv4 address that is not an Elastic IP is released.',
    ],
    cost: { direction: 'decrease', note: 'Compute billing stops; attached EBS volumes are still billed.' },
  }),
  checkPermission: (ctx, input) =>
    ctx.probe(ec2Service, new StopInstancesCommand({ InstanceIds: input.instanceIds, DryRun: true })),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    return transitions(
      (
        await ec2.send(
          new StopInstancesCommand({ InstanceIds: input.instanceIds, Force: input.force, Hibernate: input.hibernate }),
        )
      ).StoppingInstances,
    );
  },
});

export const rebootInstances = defineOperation({
  id: 'ec2.instances.reboot',
  service: 'ec2',
  title: 'Reboot EC2 instances',
  description: 'Reboots running EC2 instances (an OS restart; the instances keep their host and addresses).',
  kind: 'write',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: false,
  rollbackNote: 'a reboot cannot be undone',
  input: z.object({ instanceIds }).strict(),
  targets: (ctx, input) => instanceTargets(ctx, input.instanceIds, 'reboot'),
  preview: (_ctx, input, targets) => ({
    summary: `Reboot ${plural(input.instanceIds.length, 'instance')}`,
    changes: stateLines(targets, 'rebooting'),
    warnings: unexpectedState(targets, ['running'], 'rebooting'),
  }),
  checkPermission: (ctx, input) =>
    ctx.probe(ec2Service, new RebootInstancesCommand({ InstanceIds: input.instanceIds, DryRun: true })),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    await ec2.send(new RebootInstancesCommand({ InstanceIds: input.instanceIds }));
    return { rebooted: input.instanceIds };
  },
});

export const terminateInstances = defineOperation({
  id: 'ec2.instances.terminate',
  service: 'ec2',
  title: 'Terminate EC2 instances',
  description: 'Terminates EC2 instances permanently. By policy an AMI backup is created first.',
  kind: 'delete',
  destructive: true,
  costImpact: 'decrease',
  rollbackSupported: false,
  rollbackNote: 'termination is permanent; launch a replacement from the backup AMI',
  input: z.object({ instanceIds }).strict(),
  targets: (ctx, input) => instanceTargets(ctx, input.instanceIds, 'terminate'),
  preview: (_ctx, input, targets) => ({
    summary: `Terminate ${plural(input.instanceIds.length, 'instance')}`,
    changes: stateLines(targets, 'terminated'),
    warnings: ['Volumes with DeleteOnTermination are deleted with the instances.'],
    cost: {
      direction: 'decrease',
      note: 'Compute and deleted volumes stop being billed; a backup AMI keeps its snapshots billed.',
    },
  }),
  checkPermission: (ctx, input) =>
    ctx.probe(ec2Service, new TerminateInstancesCommand({ InstanceIds: input.instanceIds, DryRun: true })),
  checkDependencies: (ctx, input) => terminationProtection(ctx, input.instanceIds),
  backup: amiBeforeTerminate,
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    return transitions(
      (await ec2.send(new TerminateInstancesCommand({ InstanceIds: input.instanceIds }))).TerminatingInstances,
    );
  },
});

export const changeInstanceType = defineOperation({
  id: 'ec2.instances.changeType',
  service: 'ec2',
  title: 'Change EC2 instance type',
  description: 'Changes the instance type of a stopped EC2 instance.',
  kind: 'write',
  destructive: false,
  costImpact: 'variable',
  rollbackSupported: true,
  rollbackNote: 'change the type back while the instance is stopped',
  input: z
    .object({
      instanceId,
      instanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/, 'Expected an instance type such as t3.large.'),
    })
    .strict(),
  targets: (ctx, input) => instanceTargets(ctx, [input.instanceId], 'change type'),
  preview(_ctx, input, targets) {
    const from = targets[0]?.details?.[0];
    const [fromRank, toRank] = [from ? instanceSizeRank(from) : undefined, instanceSizeRank(input.instanceType)];
    const sameFamily = from?.split('.')[0] === input.instanceType.split('.')[0];
    const direction =
      sameFamily && fromRank !== undefined && toRank !== undefined
        ? toRank > fromRank
          ? 'increase'
          : toRank < fromRank
            ? 'decrease'
            : 'none'
        : 'variable';
    return {
      summary: `Change ${input.instanceId} from ${from ?? 'its current type'} to ${input.instanceType}`,
      changes: [`${input.instanceId}: instance type ${from ?? '?'} → ${input.instanceType}`],
      cost: {
        direction,
        note:
          direction === 'variable'
            ? 'Compute price changes with the type (different family; compare prices).'
            : `A ${direction === 'increase' ? 'larger' : direction === 'decrease' ? 'smaller' : 'same-size'} size in the same family: compute cost ${direction === 'none' ? 'stays about the same' : `${direction}s`}.`,
      },
    };
  },
  checkPermission: (ctx, input) =>
    ctx.probe(
      ec2Service,
      new ModifyInstanceAttributeCommand({
        InstanceId: input.instanceId,
        InstanceType: { Value: input.instanceType },
        DryRun: true,
      }),
    ),
  checkDependencies: (ctx, input) => instancesMustBeStopped(ctx, [input.instanceId]),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    await ec2.send(
      new ModifyInstanceAttributeCommand({ InstanceId: input.instanceId, InstanceType: { Value: input.instanceType } }),
    );
    return { instanceId: input.instanceId, instanceType: input.instanceType };
  },
});

const launchInput = z
  .object({
    launchTemplateId: launchTemplateId.optional(),
    launchTemplateName: z.string().min(3).max(128).optional(),
    version: z
      .string()
      .regex(/^(\$Latest|\$Default|\d+)$/, 'Use "$Latest", "$Default" or a version number.')
      .default('$Default'),
    count: z.number().int().min(1).max(100).default(1).describe('How many instances to launch.'),
    subnetId: subnetId.optional(),
    instanceType: z
      .string()
      .regex(/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/, 'Expected an instance type such as t3.large.')
      .optional(),
    tags: tagsSchema.optional(),
    userData: z
      .string()
      .max(16_384)
      .optional()
      .describe('User data script (plain text; it is base64-encoded for you). Never logged or audited.'),
  })
  .strict()
  .refine((input) => Boolean(input.launchTemplateId) !== Boolean(input.launchTemplateName), {
    message: 'Give exactly one of launchTemplateId or launchTemplateName.',
    path: ['launchTemplateId'],
  });

type LaunchInput = z.output<typeof launchInput>;

function templateRef(input: LaunchInput) {
  return {
    LaunchTemplateId: input.launchTemplateId,
    LaunchTemplateName: input.launchTemplateName,
    Version: input.version,
  };
}

function runRequest(ctx: OperationContext, input: LaunchInput): RunInstancesCommandInput {
  return {
    LaunchTemplate: templateRef(input),
    MinCount: input.count,
    MaxCount: input.count,
    SubnetId: input.subnetId,
    InstanceType: input.instanceType as _InstanceType | undefined,
    TagSpecifications: tagSpecifications('instance', input.tags),
    UserData: input.userData === undefined ? undefined : Buffer.from(input.userData, 'utf8').toString('base64'),
    ClientToken: ctx.clientToken('run-instances'),
  };
}

export const launchFromTemplate = defineOperation({
  id: 'ec2.instances.launchFromTemplate',
  service: 'ec2',
  title: 'Launch EC2 instances from a launch template',
  description: 'Launches instances from a launch template version, optionally in a given subnet, with extra tags.',
  kind: 'write',
  destructive: false,
  costImpact: 'increase',
  rollbackSupported: true,
  rollbackNote: 'terminate the launched instances',
  input: launchInput,
  async targets(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    const { LaunchTemplates } = await ec2.send(
      new DescribeLaunchTemplatesCommand(
        input.launchTemplateId
          ? { LaunchTemplateIds: [input.launchTemplateId] }
          : { LaunchTemplateNames: [input.launchTemplateName!] },
      ),
    );
    const template = LaunchTemplates?.[0];
    const { LaunchTemplateVersions } = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: template?.LaunchTemplateId,
        Versions: [input.version],
      }),
    );
    const data = LaunchTemplateVersions?.[0]?.LaunchTemplateData;
    const templateInstanceTags = tagsToRecord(
      data?.TagSpecifications?.find((spec) => spec.ResourceType === 'instance')?.Tags,
    );
    const tags = { ...templateInstanceTags, ...input.tags };
    const instanceType = input.instanceType ?? data?.InstanceType ?? 'type from template';
    const launched: TargetResource[] = Array.from({ length: input.count }, (_, index) => ({
      type: 'ec2:instance',
      id: `(new instance ${index + 1})`,
      name: tags.Name,
      action: 'launch',
      tags,
      details: [instanceType],
    }));
    const context: TargetResource[] = [
      {
        type: 'ec2:launch-template',
        id: template?.LaunchTemplateId ?? input.launchTemplateName!,
        name: template?.LaunchTemplateName,
        role: 'context',
        action: 'use',
        tags: tagsToRecord(template?.Tags),
      },
      ...(input.subnetId ? await subnetTargets(ctx, [input.subnetId], 'launch into') : []),
    ];
    return [...launched, ...context];
  },
  preview(_ctx, input, targets) {
    const template = targets.find((target) => target.type === 'ec2:launch-template');
    return {
      summary: `Launch ${plural(input.count, 'instance')} from ${template?.name ?? template?.id} (version ${input.version})`,
      changes: [
        `${plural(input.count, 'new instance')} of type ${targets[0]?.details?.[0]}`,
        ...(input.subnetId ? [`in subnet ${input.subnetId}`] : []),
        ...(input.tags ? [`tags: ${Object.keys(input.tags).join(', ')}`] : []),
        ...(input.userData !== undefined ? ['with custom user data (not shown)'] : []),
      ],
      cost: { direction: 'increase', note: 'Each instance bills compute per second, plus its EBS volumes.' },
    };
  },
  checkPermission: (ctx, input) =>
    ctx.probe(ec2Service, new RunInstancesCommand({ ...runRequest(ctx, input), ClientToken: undefined, DryRun: true })),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    const result = await ec2.send(new RunInstancesCommand(runRequest(ctx, input)));
    return {
      reservationId: result.ReservationId,
      instanceIds: (result.Instances ?? []).map((instance) => instance.InstanceId!),
    };
  },
  resourceIds: (output) => output.instanceIds,
});

export const instanceOperations = [
  startInstances,
  stopInstances,
  rebootInstances,
  terminateInstances,
  changeInstanceType,
  launchFromTemplate,
];
