import type { ResourceSummary } from './model';

const enc = encodeURIComponent;

/** The AWS console page for a resource, or undefined when there is no sensible page. */
export function consoleUrl(
  resource: Pick<ResourceSummary, 'type' | 'id' | 'name' | 'arn'>,
  region: string,
): string | undefined {
  const ec2 = (fragment: string) => `https://${region}.console.aws.amazon.com/ec2/home?region=${region}#${fragment}`;
  const vpc = (fragment: string) =>
    `https://${region}.console.aws.amazon.com/vpcconsole/home?region=${region}#${fragment}`;
  const drs = (fragment: string) => `https://${region}.console.aws.amazon.com/drs/home?region=${region}#/${fragment}`;
  switch (resource.type) {
    case 'ec2:instance':
      return ec2(`InstanceDetails:instanceId=${enc(resource.id)}`);
    case 'ec2:volume':
      return ec2(`VolumeDetails:volumeId=${enc(resource.id)}`);
    case 'ec2:snapshot':
      return ec2(`SnapshotDetails:snapshotId=${enc(resource.id)}`);
    case 'ec2:elastic-ip':
      return ec2(`ElasticIpDetails:AllocationId=${enc(resource.id)}`);
    case 'ec2:key-pair':
      return ec2(`KeyPairs:search=${enc(resource.name)}`);
    case 'ec2:image':
      return ec2(`ImageDetails:imageId=${enc(resource.id)}`);
    case 'ec2:launch-template':
      return ec2(`LaunchTemplateDetails:launchTemplateId=${enc(resource.id)}`);
    case 'ec2:security-group':
      return ec2(`SecurityGroup:groupId=${enc(resource.id)}`);
    case 'ec2:vpc':
      return vpc(`VpcDetails:VpcId=${enc(resource.id)}`);
    case 'ec2:subnet':
      return vpc(`SubnetDetails:subnetId=${enc(resource.id)}`);
    case 'ec2:route-table':
      return vpc(`RouteTableDetails:RouteTableId=${enc(resource.id)}`);
    case 'ec2:internet-gateway':
      return vpc(`InternetGateway:internetGatewayId=${enc(resource.id)}`);
    case 'ec2:nat-gateway':
      return vpc(`NatGatewayDetails:natGatewayId=${enc(resource.id)}`);
    case 'drs:source-server':
      return drs(`sourceServers/${enc(resource.id)}`);
    case 'drs:job':
      return drs(`recoveryJobs/${enc(resource.id)}`);
    case 'drs:recovery-instance':
      return drs(`recoveryInstances/${enc(resource.id)}`);
    case 'cloudformation:stack':
      return `https://${region}.console.aws.amazon.com/cloudformation/home?region=${region}#/stacks/stackinfo?stackId=${enc(resource.arn ?? resource.id)}`;
    case 'iam:role':
      return `https://console.aws.amazon.com/iam/home#/roles/details/${enc(resource.name)}`;
    case 'iam:policy':
      return resource.arn
        ? `https://console.aws.amazon.com/iam/home#/policies/details/${enc(resource.arn)}`
        : undefined;
    default:
      return undefined;
  }
}
