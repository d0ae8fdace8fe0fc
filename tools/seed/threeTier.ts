/**
 * The sample three-tier CloudFormation stack (samples/three-tier/template.yaml) on an emulator, and the
 * out-of-band changes the drift tests and the demo make to it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  AssociateRouteTableCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateTagsCommand,
  EC2Client,
  ModifyInstanceAttributeCommand,
  ModifySubnetAttributeCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { evaluateTemplate } from '../../src/core/iac/cloudformation/evaluate';
import { parseTemplate } from '../../src/core/iac/cloudformation/template';

export interface EndpointTarget {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface StackDeployment {
  stackName: string;
  stackId: string;
  /** Logical ID → physical ID. */
  physicalIds: Record<string, string>;
}

export const THREE_TIER_TEMPLATE = join('samples', 'three-tier', 'template.yaml');

export function readThreeTierTemplate(repoRoot: string): string {
  return readFileSync(join(repoRoot, THREE_TIER_TEMPLATE), 'utf8');
}

function clients(target: EndpointTarget) {
  const config = { endpoint: target.endpoint, region: target.region, credentials: target.credentials, maxAttempts: 2 };
  return { cfn: new CloudFormationClient(config), ec2: new EC2Client(config) };
}

/**
 * Creates a stack and waits until it is complete. moto's CloudFormation leaves out a few properties AWS
 * applies: an instance's SecurityGroupIds (it reads only SecurityGroups), the Tags of internet gateways and
 * route tables, and a subnet's MapPublicIpOnLaunch. They are then set as AWS would have set them, so an
 * untouched stack is what it would be on AWS.
 */
export async function deployStack(
  target: EndpointTarget,
  stackName: string,
  templateBody: string,
  parameters: Record<string, string> = {},
): Promise<StackDeployment> {
  const { cfn, ec2 } = clients(target);
  await cfn.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: templateBody,
      Capabilities: ['CAPABILITY_IAM'],
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
    }),
  );
  let stack;
  for (let attempt = 0; attempt < 120; attempt++) {
    stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    if (stack?.StackStatus && !stack.StackStatus.endsWith('_IN_PROGRESS')) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (stack?.StackStatus !== 'CREATE_COMPLETE')
    throw new Error(`stack ${stackName} ended as ${stack?.StackStatus}: ${stack?.StackStatusReason ?? ''}`);
  const physicalIds: Record<string, string> = {};
  let nextToken: string | undefined;
  do {
    const page = await cfn.send(new ListStackResourcesCommand({ StackName: stackName, NextToken: nextToken }));
    for (const summary of page.StackResourceSummaries ?? [])
      if (summary.LogicalResourceId && summary.PhysicalResourceId)
        physicalIds[summary.LogicalResourceId] = summary.PhysicalResourceId;
    nextToken = page.NextToken;
  } while (nextToken);

  const template = parseTemplate(templateBody).value;
  const evaluated = evaluateTemplate(template, {
    parameters,
    pseudo: { region: target.region, stackName },
    physicalIds,
    attribute: (logicalId, attribute) => (attribute === 'GroupId' ? physicalIds[logicalId] : undefined),
  });
  for (const resource of evaluated.resources) {
    const physicalId = physicalIds[resource.logicalId];
    const { SecurityGroupIds: groups, Tags: tags, MapPublicIpOnLaunch: mapPublicIp } = resource.properties;
    if (!physicalId || resource.active !== true) continue;
    if (resource.type === 'AWS::EC2::Instance' && Array.isArray(groups) && groups.every((g) => typeof g === 'string'))
      await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: physicalId, Groups: groups as string[] }));
    if (
      (resource.type === 'AWS::EC2::InternetGateway' || resource.type === 'AWS::EC2::RouteTable') &&
      Array.isArray(tags) &&
      tags.length
    )
      await ec2.send(
        new CreateTagsCommand({ Resources: [physicalId], Tags: tags as Array<{ Key: string; Value: string }> }),
      );
    // moto's CloudFormation records a SubnetRouteTableAssociation without associating the subnet in EC2.
    const { SubnetId: subnetId, RouteTableId: routeTableId } = resource.properties;
    if (
      resource.type === 'AWS::EC2::SubnetRouteTableAssociation' &&
      typeof subnetId === 'string' &&
      typeof routeTableId === 'string'
    )
      await ec2.send(new AssociateRouteTableCommand({ SubnetId: subnetId, RouteTableId: routeTableId }));
    if (resource.type === 'AWS::EC2::Subnet' && mapPublicIp !== undefined)
      await ec2.send(
        new ModifySubnetAttributeCommand({
          SubnetId: physicalId,
          MapPublicIpOnLaunch: { Value: String(mapPublicIp) === 'true' },
        }),
      );
  }
  return { stackName, stackId: stack.StackId ?? '', physicalIds };
}

export function deployThreeTier(target: EndpointTarget, repoRoot: string, stackName = 'three-tier') {
  return deployStack(target, stackName, readThreeTierTemplate(repoRoot));
}

/** Out of band: the instance type changes behind CloudFormation's back. */
export async function changeInstanceType(target: EndpointTarget, instanceId: string, instanceType: string) {
  await clients(target).ec2.send(
    new ModifyInstanceAttributeCommand({ InstanceId: instanceId, InstanceType: { Value: instanceType } }),
  );
}

/** Out of band: a rule's port changes (revoke the old rule, authorize the new one). */
export async function changeIngressPort(
  target: EndpointTarget,
  groupId: string,
  rule: { protocol: string; from: number; to: number; cidr: string },
  newPort: number,
) {
  const { ec2 } = clients(target);
  await ec2.send(
    new RevokeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: [
        { IpProtocol: rule.protocol, FromPort: rule.from, ToPort: rule.to, IpRanges: [{ CidrIp: rule.cidr }] },
      ],
    }),
  );
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: [
        { IpProtocol: rule.protocol, FromPort: newPort, ToPort: newPort, IpRanges: [{ CidrIp: rule.cidr }] },
      ],
    }),
  );
}
