import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { ec2Service } from '../aws/services';
import { tagsToRecord, type ResourceLister, type ResourceSummary, type StateTone } from './model';

const INSTANCE_TONES: Record<string, StateTone> = {
  running: 'ok',
  pending: 'transitional',
  stopping: 'transitional',
  'shutting-down': 'transitional',
  stopped: 'stopped',
  terminated: 'stopped',
};

export function summarizeInstance(instance: Instance, region: string, account?: string): ResourceSummary {
  const tags = tagsToRecord(instance.Tags);
  const id = instance.InstanceId ?? 'unknown';
  const state = instance.State?.Name;
  return {
    type: 'ec2:instance',
    id,
    name: tags.Name || id,
    arn: account ? `arn:aws:ec2:${region}:${account}:instance/${id}` : undefined,
    state,
    stateTone: (state && INSTANCE_TONES[state]) || 'unknown',
    details: [id, instance.InstanceType, instance.PrivateIpAddress, state].filter((part): part is string => Boolean(part)),
    tags,
    raw: instance,
  };
}

export const ec2InstanceLister: ResourceLister = {
  type: 'ec2:instance',
  title: 'Instances',
  async list(connection, { region, nextToken, pageSize }) {
    const client = await connection.client(ec2Service, region);
    const response = await client.send(new DescribeInstancesCommand({ MaxResults: Math.max(5, Math.min(pageSize, 1000)), NextToken: nextToken }));
    const { account } = await connection.identity();
    const items = (response.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []).map((instance) => summarizeInstance(instance, region, account));
    return { items, nextToken: response.NextToken || undefined };
  },
};
