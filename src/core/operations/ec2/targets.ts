import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeSubnetsCommand,
  DescribeTagsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import { ec2Service } from '../../aws/services';
import { tagsToRecord } from '../schemaParts';
import type { OperationContext, TargetResource } from '../types';
import { ec2TypeOfId } from '../../aws/idPrefixes';

type Role = 'target' | 'context';

export async function instanceTargets(
  ctx: OperationContext,
  instanceIds: string[],
  action: string,
  role: Role = 'target',
): Promise<TargetResource[]> {
  const ec2 = await ctx.client(ec2Service);
  const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }));
  const instances = (Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
  return instanceIds.map((id) => {
    const instance = instances.find((candidate) => candidate.InstanceId === id);
    const tags = tagsToRecord(instance?.Tags);
    return {
      type: 'ec2:instance',
      id,
      name: tags.Name,
      role,
      action,
      tags,
      state: instance?.State?.Name,
      details: [instance?.InstanceType, instance?.Placement?.AvailabilityZone].filter((part): part is string =>
        Boolean(part),
      ),
    };
  });
}

export async function securityGroupTargets(
  ctx: OperationContext,
  groupIds: string[],
  action: string,
  role: Role = 'target',
): Promise<TargetResource[]> {
  const ec2 = await ctx.client(ec2Service);
  const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groupIds }));
  return (SecurityGroups ?? []).map((group) => ({
    type: 'ec2:security-group',
    id: group.GroupId!,
    name: group.GroupName,
    role,
    action,
    tags: tagsToRecord(group.Tags),
    details: [group.VpcId, group.Description].filter((part): part is string => Boolean(part)),
  }));
}

export async function vpcTargets(
  ctx: OperationContext,
  vpcIds: string[],
  action: string,
  role: Role = 'target',
): Promise<TargetResource[]> {
  const ec2 = await ctx.client(ec2Service);
  const { Vpcs } = await ec2.send(new DescribeVpcsCommand({ VpcIds: vpcIds }));
  return (Vpcs ?? []).map((vpc) => {
    const tags = tagsToRecord(vpc.Tags);
    return {
      type: 'ec2:vpc',
      id: vpc.VpcId!,
      name: tags.Name,
      role,
      action,
      tags,
      state: vpc.State,
      details: [vpc.CidrBlock, vpc.IsDefault ? 'default VPC' : undefined].filter((part): part is string =>
        Boolean(part),
      ),
    };
  });
}

export async function subnetTargets(
  ctx: OperationContext,
  subnetIds: string[],
  action: string,
  role: Role = 'context',
): Promise<TargetResource[]> {
  const ec2 = await ctx.client(ec2Service);
  const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }));
  return (Subnets ?? []).map((subnet) => {
    const tags = tagsToRecord(subnet.Tags);
    return {
      type: 'ec2:subnet',
      id: subnet.SubnetId!,
      name: tags.Name,
      role,
      action,
      tags,
      details: [subnet.CidrBlock, subnet.AvailabilityZone].filter((part): part is string => Boolean(part)),
    };
  });
}

export async function volumeTargets(
  ctx: OperationContext,
  volumeIds: string[],
  action: string,
  role: Role = 'target',
): Promise<TargetResource[]> {
  const ec2 = await ctx.client(ec2Service);
  const { Volumes } = await ec2.send(new DescribeVolumesCommand({ VolumeIds: volumeIds }));
  return (Volumes ?? []).map((volume) => {
    const tags = tagsToRecord(volume.Tags);
    return {
      type: 'ec2:volume',
      id: volume.VolumeId!,
      name: tags.Name,
      role,
      action,
      tags,
      state: volume.State,
      details: [
        `${volume.Size} GiB`,
        volume.VolumeType,
        volume.AvailabilityZone,
        ...(volume.Attachments ?? []).map((attachment) => `attached to ${attachment.InstanceId}`),
      ].filter((part): part is string => Boolean(part)),
    };
  });
}

export async function snapshotTargets(
  ctx: OperationContext,
  snapshotIds: string[],
  action: string,
  role: Role = 'target',
): Promise<TargetResource[]> {
  const ec2 = await ctx.client(ec2Service);
  const { Snapshots } = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: snapshotIds }));
  return (Snapshots ?? []).map((snapshot) => {
    const tags = tagsToRecord(snapshot.Tags);
    return {
      type: 'ec2:snapshot',
      id: snapshot.SnapshotId!,
      name: tags.Name,
      role,
      action,
      tags,
      state: snapshot.State,
      details: [`${snapshot.VolumeSize} GiB`, snapshot.VolumeId ? `of ${snapshot.VolumeId}` : undefined].filter(
        (part): part is string => Boolean(part),
      ),
    };
  });
}

export async function addressTargets(
  ctx: OperationContext,
  allocationIds: string[],
  action: string,
): Promise<TargetResource[]> {
  const ec2 = await ctx.client(ec2Service);
  const { Addresses } = await ec2.send(new DescribeAddressesCommand({ AllocationIds: allocationIds }));
  return (Addresses ?? []).map((address) => {
    const tags = tagsToRecord(address.Tags);
    return {
      type: 'ec2:elastic-ip',
      id: address.AllocationId!,
      name: tags.Name ?? address.PublicIp,
      role: 'target',
      action,
      tags,
      details: [
        address.PublicIp,
        address.AssociationId
          ? `associated with ${address.InstanceId ?? address.NetworkInterfaceId}`
          : 'not associated',
      ].filter((part): part is string => Boolean(part)),
    };
  });
}

export function ec2TypeOf(resourceId: string): string {
  return ec2TypeOfId(resourceId) ?? 'ec2:resource';
}

/** Any EC2 resources, with their current tags (one DescribeTags call per page). */
export async function taggedResourceTargets(
  ctx: OperationContext,
  resourceIds: string[],
  action: string,
): Promise<TargetResource[]> {
  const ec2 = await ctx.client(ec2Service);
  const tagsById = new Map<string, Record<string, string>>(resourceIds.map((id) => [id, {}]));
  let nextToken: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: resourceIds }], NextToken: nextToken }),
    );
    for (const tag of page.Tags ?? [])
      if (tag.ResourceId && tag.Key) tagsById.get(tag.ResourceId)![tag.Key] = tag.Value ?? '';
    nextToken = page.NextToken;
  } while (nextToken);
  return resourceIds.map((id) => ({
    type: ec2TypeOf(id),
    id,
    name: tagsById.get(id)!.Name,
    role: 'target',
    action,
    tags: tagsById.get(id),
  }));
}

/** The target IDs, for permission probes and resource IDs. */
export function idsOf(targets: TargetResource[], role: Role = 'target'): string[] {
  return targets.filter((target) => (target.role ?? 'target') === role).map((target) => target.id);
}
