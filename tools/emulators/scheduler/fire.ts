/**
 * Fires an EventBridge Scheduler schedule once, the way Scheduler does at a run time: moto 5.2.5 stores
 * schedules but never runs them. `fireSchedule` reads the schedule with GetSchedule and performs its universal
 * target (`arn:aws:scheduler:::aws-sdk:<service>:<action>`, Input = the API request as JSON) with the SDK
 * against the emulator endpoint (the gateway), so SSM Automation reaches our emulator and EC2 reaches moto.
 *
 * Test tooling only. Supported targets: ssm startAutomationExecution, ec2 stopInstances and startInstances;
 * anything else throws "not supported by the emulator". Not emulated: the schedule's RoleArn is not assumed
 * (moto does not enforce IAM), retries, dead-letter queues and flexible time windows.
 */
import { EC2Client, StartInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SSMClient, StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';

export interface FireScheduleOptions {
  /** The emulator endpoint (the gateway), for GetSchedule and for the target call. */
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  name: string;
  group?: string;
}

export interface FiredTarget {
  service: string;
  action: string;
  /** The target API's response (e.g. { AutomationExecutionId }). */
  output: Record<string, unknown>;
}

const UNIVERSAL_TARGET = /^arn:aws[a-z-]*:scheduler:::aws-sdk:([a-z0-9-]{1,40}):([A-Za-z0-9]{1,80})$/;

/** The service and action of a universal target ARN, or undefined for any other target. */
export function universalTarget(arn: string): { service: string; action: string } | undefined {
  const match = UNIVERSAL_TARGET.exec(arn);
  return match ? { service: match[1], action: match[2] } : undefined;
}

export async function fireSchedule(options: FireScheduleOptions): Promise<FiredTarget> {
  const config = {
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    maxAttempts: 1,
  };
  const scheduler = new SchedulerClient(config);
  let schedule;
  try {
    schedule = await scheduler.send(
      new GetScheduleCommand({ Name: options.name, GroupName: options.group ?? 'default' }),
    );
  } finally {
    scheduler.destroy();
  }
  if (schedule.State === 'DISABLED')
    throw new Error(`Schedule ${options.name} is disabled; Scheduler would not run it.`);
  const arn = schedule.Target?.Arn ?? '';
  const target = universalTarget(arn);
  if (!target) throw new Error(`Target ${arn || '(none)'} is not supported by the emulator (universal targets only).`);
  let input: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(schedule.Target?.Input ?? '{}');
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    input = parsed as Record<string, unknown>;
  } catch (error) {
    throw new Error(`Schedule ${options.name}: Input is not a JSON object (${(error as Error).message}).`, {
      cause: error,
    });
  }
  const key = `${target.service}:${target.action}`;
  switch (key) {
    case 'ssm:startAutomationExecution': {
      const ssm = new SSMClient(config);
      try {
        const output = await ssm.send(new StartAutomationExecutionCommand(input as never));
        return { ...target, output: { AutomationExecutionId: output.AutomationExecutionId } };
      } finally {
        ssm.destroy();
      }
    }
    case 'ec2:stopInstances':
    case 'ec2:startInstances': {
      const ec2 = new EC2Client(config);
      try {
        const changes =
          target.action === 'stopInstances'
            ? (await ec2.send(new StopInstancesCommand(input as never))).StoppingInstances
            : (await ec2.send(new StartInstancesCommand(input as never))).StartingInstances;
        return { ...target, output: { instanceIds: (changes ?? []).map((change) => change.InstanceId) } };
      } finally {
        ec2.destroy();
      }
    }
    default:
      throw new Error(`Universal target aws-sdk:${key} is not supported by the emulator.`);
  }
}
