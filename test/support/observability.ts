/**
 * Seeds observability data on moto through the real SDK: tagged instances, CPU datapoints (PutMetricData),
 * log groups with events. Used by the integration, host and benchmark layers.
 */
import { CloudWatchClient, PutMetricDataCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { pickAmazonLinuxImage } from '../../tools/seed/target';

interface ClientConfig {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface SeededInstance {
  id: string;
  name: string;
  environment: string;
}

/** Runs one instance per name, tagged Name and Environment. */
export async function seedInstances(
  config: ClientConfig,
  instances: Array<{ name: string; environment: string }>,
): Promise<SeededInstance[]> {
  const ec2 = new EC2Client(config);
  try {
    const imageId = await pickAmazonLinuxImage(ec2);
    const out: SeededInstance[] = [];
    for (const spec of instances) {
      const result = await ec2.send(
        new RunInstancesCommand({
          ImageId: imageId,
          InstanceType: 't3.micro',
          MinCount: 1,
          MaxCount: 1,
          TagSpecifications: [
            {
              ResourceType: 'instance',
              Tags: [
                { Key: 'Name', Value: spec.name },
                { Key: 'Environment', Value: spec.environment },
              ],
            },
          ],
        }),
      );
      out.push({ id: result.Instances![0].InstanceId!, ...spec });
    }
    return out;
  } finally {
    ec2.destroy();
  }
}

/** Runs `count` instances in one call (the benchmark's 100 visible rows). */
export async function seedManyInstances(
  config: ClientConfig,
  count: number,
  environment = 'staging',
): Promise<string[]> {
  const ec2 = new EC2Client(config);
  try {
    const result = await ec2.send(
      new RunInstancesCommand({
        ImageId: await pickAmazonLinuxImage(ec2),
        InstanceType: 't3.micro',
        MinCount: count,
        MaxCount: count,
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Environment', Value: environment }] }],
      }),
    );
    return result.Instances!.map((instance) => instance.InstanceId!);
  } finally {
    ec2.destroy();
  }
}

/** CPU datapoints every 5 minutes over the last `points` × 5 minutes, `valueAt(instance index, point index)`. */
export async function seedCpu(
  config: ClientConfig,
  instanceIds: string[],
  points: number,
  valueAt: (instance: number, point: number) => number,
  now = Date.now(),
): Promise<void> {
  const cloudwatch = new CloudWatchClient(config);
  try {
    const data = instanceIds.flatMap((id, instance) =>
      Array.from({ length: points }, (_, point) => ({
        MetricName: 'CPUUtilization',
        Dimensions: [{ Name: 'InstanceId', Value: id }],
        Timestamp: new Date(now - (points - point) * 300_000),
        Value: valueAt(instance, point),
        Unit: 'Percent' as const,
      })),
    );
    for (let start = 0; start < data.length; start += 1000)
      await cloudwatch.send(
        new PutMetricDataCommand({ Namespace: 'AWS/EC2', MetricData: data.slice(start, start + 1000) }),
      );
  } finally {
    cloudwatch.destroy();
  }
}

export async function setAlarmState(
  config: ClientConfig,
  alarmName: string,
  state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA',
): Promise<void> {
  const cloudwatch = new CloudWatchClient(config);
  try {
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: state, StateReason: `set to ${state} by the test` }),
    );
  } finally {
    cloudwatch.destroy();
  }
}

/** A log group with one stream and the given messages, one second apart, ending a minute ago. */
export async function seedLogs(
  config: ClientConfig,
  logGroupName: string,
  messages: string[],
  now = Date.now(),
): Promise<{ logStreamName: string; timestamps: number[] }> {
  const logs = new CloudWatchLogsClient(config);
  const logStreamName = 'app/main/1';
  try {
    await logs.send(new CreateLogGroupCommand({ logGroupName }));
    await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
    const timestamps = messages.map((_, index) => now - 60_000 - (messages.length - index) * 1000);
    await logs.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName,
        logEvents: messages.map((message, index) => ({ timestamp: timestamps[index], message })),
      }),
    );
    return { logStreamName, timestamps };
  } finally {
    logs.destroy();
  }
}
