import type { SampleAccountSummary, SampleRole } from './sampleAccount';

/** Launch template IDs of samples/three-tier/terraform's `aws_launch_template.<tier>` resources. */
export type TierLaunchTemplates = Record<SampleRole, string>;

const PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]';

function resource(
  type: string,
  name: string,
  attributes: Record<string, unknown>,
  mode: 'managed' | 'data' = 'managed',
) {
  return { mode, type, name, provider: PROVIDER, instances: [{ schema_version: 0, attributes }] };
}

/**
 * The terraform.tfstate (format 4) that `terraform apply` of samples/three-tier/terraform would have written for
 * the seeded sample account: each address mapped to the seeded resource's ID, with the attributes references use.
 */
export function sampleTerraformState(sample: SampleAccountSummary, launchTemplates: TierLaunchTemplates): object {
  const tiers: SampleRole[] = ['web', 'app', 'db'];
  return {
    version: 4,
    terraform_version: '1.9.8',
    serial: 1,
    lineage: '6f1c2f0e-3a55-4c1e-9d7a-pilotlight00',
    outputs: {},
    resources: [
      resource('aws_ami', 'amazon_linux', { id: sample.imageId, image_id: sample.imageId }, 'data'),
      resource('aws_vpc', 'main', { id: sample.vpcId, cidr_block: '10.0.0.0/16' }),
      resource('aws_subnet', 'public_a', { id: sample.subnets.publicA, vpc_id: sample.vpcId }),
      resource('aws_subnet', 'public_b', { id: sample.subnets.publicB, vpc_id: sample.vpcId }),
      resource('aws_subnet', 'private_a', { id: sample.subnets.privateA, vpc_id: sample.vpcId }),
      resource('aws_subnet', 'private_b', { id: sample.subnets.privateB, vpc_id: sample.vpcId }),
      resource('aws_internet_gateway', 'main', { id: sample.internetGatewayId, vpc_id: sample.vpcId }),
      resource('aws_route_table', 'public', { id: sample.publicRouteTableId, vpc_id: sample.vpcId }),
      resource('aws_route_table_association', 'public_a', {
        id: `rtbassoc-${sample.subnets.publicA}`,
        subnet_id: sample.subnets.publicA,
        route_table_id: sample.publicRouteTableId,
      }),
      resource('aws_route_table_association', 'public_b', {
        id: `rtbassoc-${sample.subnets.publicB}`,
        subnet_id: sample.subnets.publicB,
        route_table_id: sample.publicRouteTableId,
      }),
      ...tiers.map((tier) =>
        resource('aws_security_group', tier, { id: sample.securityGroups[tier], name: `${tier}-sg` }),
      ),
      ...tiers.map((tier) =>
        resource('aws_instance', tier, {
          id: sample.servers[tier].instanceId,
          instance_type: sample.servers[tier].instanceType,
        }),
      ),
      ...tiers.map((tier) =>
        resource('aws_launch_template', tier, { id: launchTemplates[tier], name: `${tier}-tier` }),
      ),
    ],
  };
}
