/**
 * What an instance schedule's EventBridge Scheduler target is, both ways: building the target for a schedule
 * and reading a stored schedule's target back for the list.
 *
 * - Instance IDs: the universal target `aws-sdk:ec2:stopInstances` / `startInstances` with `{ InstanceIds }`.
 * - A tag: the universal target `aws-sdk:ssm:startAutomationExecution` starting the AWS-owned runbook
 *   AWS-StopEC2Instance / AWS-StartEC2Instance with rate control (`TargetParameterName: InstanceId`,
 *   `Targets: [{ Key: "tag:<key>", Values: [<value>] }]`), so Automation resolves the tag at every run and
 *   instances tagged later are included. Automation accepts ONE tag (or resource group) per execution, so a
 *   second tag cannot narrow the selector; a schedule is bounded to an environment by selecting on the
 *   environment tag itself.
 */

export const INSTANCE_ACTION_TARGETS = {
  stop: 'arn:aws:scheduler:::aws-sdk:ec2:stopInstances',
  start: 'arn:aws:scheduler:::aws-sdk:ec2:startInstances',
} as const;
export const START_AUTOMATION_TARGET = 'arn:aws:scheduler:::aws-sdk:ssm:startAutomationExecution';
export const INSTANCE_AUTOMATION_DOCUMENTS = {
  stop: 'AWS-StopEC2Instance',
  start: 'AWS-StartEC2Instance',
} as const;
/** Instances changed at a time, and failures tolerated before Automation starts no more (rate control). */
export const AUTOMATION_MAX_CONCURRENCY = '10';
export const AUTOMATION_MAX_ERRORS = '10';
/** Scheduler's Input is at most 8192 characters; anything longer is not read. */
const MAX_INPUT_LENGTH = 8192;
/** What an Automation target key may contain (the SSM API's pattern for Target.Key). */
const AUTOMATION_TARGET_KEY = /^[\p{L}\p{Z}\p{N}_.:/=\-@]{1,128}$/u;

export type InstanceAction = 'stop' | 'start';

export interface StartAutomationInput {
  DocumentName: string;
  TargetParameterName: 'InstanceId';
  Targets: [{ Key: string; Values: [string] }];
  MaxConcurrency: string;
  MaxErrors: string;
  Parameters: { AutomationAssumeRole: [string] };
}

/** Why a tag cannot be an Automation target, or undefined when it can. */
export function automationTagProblem(tagKey: string, tagValue: string): string | undefined {
  if (!AUTOMATION_TARGET_KEY.test(tagKey))
    return `The tag key ${JSON.stringify(tagKey)} cannot be an SSM Automation target (letters, digits, spaces and _ . : / = - @ only, at most 128).`;
  if (!tagValue) return 'A schedule that follows a tag needs a tag value.';
  // EC2 filters read * and ? as wildcards, so the instances previewed now would not be the ones Automation picks.
  if (/[*?]/.test(tagValue)) return 'A schedule that follows a tag needs one exact tag value (no * or ? wildcards).';
  return undefined;
}

/** The StartAutomationExecution request a tag schedule sends at every run. */
export function automationInput(
  action: InstanceAction,
  tagKey: string,
  tagValue: string,
  automationRoleArn: string,
): StartAutomationInput {
  return {
    DocumentName: INSTANCE_AUTOMATION_DOCUMENTS[action],
    TargetParameterName: 'InstanceId',
    Targets: [{ Key: `tag:${tagKey}`, Values: [tagValue] }],
    MaxConcurrency: AUTOMATION_MAX_CONCURRENCY,
    MaxErrors: AUTOMATION_MAX_ERRORS,
    Parameters: { AutomationAssumeRole: [automationRoleArn] },
  };
}

export type ScheduleTarget =
  | { kind: 'instance-ids'; action: InstanceAction; instanceIds: string[] }
  | { kind: 'tag'; action: InstanceAction; tagKey: string; tagValue: string; automationRoleArn?: string }
  | { kind: 'other'; target: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A stored schedule's target read back; anything this module did not build is `other`. Never throws. */
export function readScheduleTarget(arn: string | undefined, input: string | undefined): ScheduleTarget {
  const other: ScheduleTarget = { kind: 'other', target: arn ?? '' };
  if (!arn || (input !== undefined && input.length > MAX_INPUT_LENGTH)) return other;
  let parsed: unknown;
  try {
    parsed = JSON.parse(input ?? '{}');
  } catch {
    return other;
  }
  if (!isRecord(parsed)) return other;
  for (const action of ['stop', 'start'] as const) {
    if (arn === INSTANCE_ACTION_TARGETS[action]) {
      const ids = Array.isArray(parsed.InstanceIds)
        ? parsed.InstanceIds.filter((id): id is string => typeof id === 'string')
        : [];
      return { kind: 'instance-ids', action, instanceIds: ids };
    }
  }
  if (arn !== START_AUTOMATION_TARGET) return other;
  const action = (['stop', 'start'] as const).find((a) => parsed.DocumentName === INSTANCE_AUTOMATION_DOCUMENTS[a]);
  const targets = parsed.Targets;
  const first = Array.isArray(targets) && targets.length === 1 && isRecord(targets[0]) ? targets[0] : undefined;
  const key = typeof first?.Key === 'string' && first.Key.startsWith('tag:') ? first.Key.slice(4) : undefined;
  const values = Array.isArray(first?.Values) ? first.Values : [];
  if (!action || parsed.TargetParameterName !== 'InstanceId' || !key || values.length !== 1) return other;
  if (typeof values[0] !== 'string') return other;
  const role = isRecord(parsed.Parameters) ? parsed.Parameters.AutomationAssumeRole : undefined;
  return {
    kind: 'tag',
    action,
    tagKey: key,
    tagValue: values[0],
    ...(Array.isArray(role) && typeof role[0] === 'string' ? { automationRoleArn: role[0] } : {}),
  };
}

/** Whether `key` is one of the environment tag keys (compared without regard to case, as environments are). */
export function isEnvironmentTagKey(key: string, environmentTagKeys: readonly string[]): boolean {
  const lower = key.toLowerCase();
  return environmentTagKeys.some((candidate) => candidate.toLowerCase() === lower);
}

/** "instances tagged Env=dev, resolved when it runs" / "instances i-1, i-2" / the target ARN. */
export function describeSelector(target: ScheduleTarget): string {
  if (target.kind === 'tag') return `instances tagged ${target.tagKey}=${target.tagValue}, resolved when it runs`;
  if (target.kind === 'instance-ids')
    return target.instanceIds.length ? `instances ${target.instanceIds.join(', ')}` : 'no instances';
  return target.target || '(no target)';
}
