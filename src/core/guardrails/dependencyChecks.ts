import {
  DescribeAddressesCommand,
  DescribeImagesCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVolumesCommand,
} from '@aws-sdk/client-ec2';
import { ec2Service } from '../aws/services';
import type { DependencyFinding, OperationContext } from '../operations/types';

/** Network interfaces using the group, other groups whose rules reference it, and the default group. */
export async function securityGroupDependents(ctx: OperationContext, groupId: string): Promise<DependencyFinding[]> {
  const ec2 = await ctx.client(ec2Service);
  const findings: DependencyFinding[] = [];
  const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
  if (SecurityGroups?.[0]?.GroupName === 'default')
    findings.push({
      resourceId: groupId,
      dependents: [],
      message: `${groupId} is the VPC's default security group, which cannot be deleted.`,
    });
  const { NetworkInterfaces } = await ec2.send(
    new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
  );
  if (NetworkInterfaces?.length) {
    const users = NetworkInterfaces.map((eni) =>
      eni.Attachment?.InstanceId ? `${eni.NetworkInterfaceId} (${eni.Attachment.InstanceId})` : eni.NetworkInterfaceId!,
    );
    findings.push({
      resourceId: groupId,
      dependents: NetworkInterfaces.map((eni) => eni.NetworkInterfaceId!),
      message: `${groupId} is still used by ${NetworkInterfaces.length} network interface(s): ${users.join(', ')}.`,
    });
  }
  const referencing = new Set<string>();
  for (const name of ['ip-permission.group-id', 'egress.ip-permission.group-id']) {
    const { SecurityGroups: groups } = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: name, Values: [groupId] }] }),
    );
    for (const group of groups ?? []) if (group.GroupId !== groupId) referencing.add(group.GroupId!);
  }
  if (referencing.size)
    findings.push({
      resourceId: groupId,
      dependents: [...referencing],
      message: `Rules in ${[...referencing].join(', ')} reference ${groupId}.`,
    });
  return findings;
}

export async function volumeAttachments(ctx: OperationContext, volumeIds: string[]): Promise<DependencyFinding[]> {
  const ec2 = await ctx.client(ec2Service);
  const { Volumes } = await ec2.send(new DescribeVolumesCommand({ VolumeIds: volumeIds }));
  return (Volumes ?? [])
    .filter((volume) => volume.Attachments?.length || volume.State === 'in-use')
    .map((volume) => {
      const instances = (volume.Attachments ?? []).map((attachment) => attachment.InstanceId!).filter(Boolean);
      return {
        resourceId: volume.VolumeId!,
        dependents: instances,
        message: `${volume.VolumeId} is attached to ${instances.join(', ') || 'an instance'}; detach it first.`,
      };
    });
}

/** AMIs owned by this account that were registered from the snapshot. */
export async function snapshotImages(ctx: OperationContext, snapshotIds: string[]): Promise<DependencyFinding[]> {
  const ec2 = await ctx.client(ec2Service);
  // Filtered client-side: not every endpoint supports the block-device-mapping.snapshot-id filter.
  const { Images } = await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
  return snapshotIds.flatMap((snapshotId) => {
    const images = (Images ?? []).filter((image) =>
      image.BlockDeviceMappings?.some((mapping) => mapping.Ebs?.SnapshotId === snapshotId),
    );
    return images.length
      ? [
          {
            resourceId: snapshotId,
            dependents: images.map((image) => image.ImageId!),
            message: `${snapshotId} backs AMI ${images.map((image) => image.ImageId).join(', ')}; deregister the AMI first.`,
          },
        ]
      : [];
  });
}

export async function addressAssociations(
  ctx: OperationContext,
  allocationIds: string[],
): Promise<DependencyFinding[]> {
  const ec2 = await ctx.client(ec2Service);
  const { Addresses } = await ec2.send(new DescribeAddressesCommand({ AllocationIds: allocationIds }));
  return (Addresses ?? [])
    .filter((address) => address.AssociationId)
    .map((address) => ({
      resourceId: address.AllocationId!,
      dependents: [address.InstanceId ?? address.NetworkInterfaceId ?? address.AssociationId!],
      message: `${address.AllocationId} (${address.PublicIp}) is associated with ${address.InstanceId ?? address.NetworkInterfaceId}; disassociate it first.`,
    }));
}

export async function terminationProtection(
  ctx: OperationContext,
  instanceIds: string[],
): Promise<DependencyFinding[]> {
  const ec2 = await ctx.client(ec2Service);
  const findings: DependencyFinding[] = [];
  for (const instanceId of instanceIds) {
    const { DisableApiTermination } = await ec2.send(
      new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' }),
    );
    if (DisableApiTermination?.Value)
      findings.push({
        resourceId: instanceId,
        dependents: [],
        message: `${instanceId} has termination protection on.`,
      });
  }
  return findings;
}

/** What still lives in a VPC besides what deleting it removes (subnets, route tables, gateways, groups, NAT). */
export async function vpcDependents(ctx: OperationContext, vpcId: string): Promise<DependencyFinding[]> {
  const ec2 = await ctx.client(ec2Service);
  const findings: DependencyFinding[] = [];
  const { Reservations } = await ec2.send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'] },
      ],
    }),
  );
  const instances = (Reservations ?? [])
    .flatMap((reservation) => reservation.Instances ?? [])
    .map((instance) => instance.InstanceId!);
  if (instances.length)
    findings.push({
      resourceId: vpcId,
      dependents: instances,
      message: `${vpcId} still has ${instances.length} instance(s): ${instances.join(', ')}.`,
    });
  // NAT gateways are deleted with the VPC, so their interfaces do not count.
  const { NatGateways } = await ec2.send(
    new DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [vpcId] }] }),
  );
  const natInterfaces = new Set(
    (NatGateways ?? []).flatMap((nat) => (nat.NatGatewayAddresses ?? []).map((address) => address.NetworkInterfaceId)),
  );
  const { NetworkInterfaces } = await ec2.send(
    new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
  );
  const others = (NetworkInterfaces ?? []).filter(
    (eni) =>
      !natInterfaces.has(eni.NetworkInterfaceId) &&
      String(eni.InterfaceType) !== 'nat_gateway' &&
      !/NAT Gateway/i.test(eni.Description ?? '') &&
      !(eni.Attachment?.InstanceId && instances.includes(eni.Attachment.InstanceId)),
  );
  if (others.length)
    findings.push({
      resourceId: vpcId,
      dependents: others.map((eni) => eni.NetworkInterfaceId!),
      message: `${vpcId} still has network interfaces in use: ${others.map((eni) => `${eni.NetworkInterfaceId}${eni.Description ? ` (${eni.Description})` : ''}`).join(', ')}.`,
    });
  return findings;
}

export async function instancesMustBeStopped(
  ctx: OperationContext,
  instanceIds: string[],
): Promise<DependencyFinding[]> {
  const ec2 = await ctx.client(ec2Service);
  const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }));
  return (Reservations ?? [])
    .flatMap((reservation) => reservation.Instances ?? [])
    .filter((instance) => instance.State?.Name !== 'stopped')
    .map((instance) => ({
      resourceId: instance.InstanceId!,
      dependents: [],
      message: `${instance.InstanceId} is ${instance.State?.Name}; stop it before changing its type.`,
    }));
}
