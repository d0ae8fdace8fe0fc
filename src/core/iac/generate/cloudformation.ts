import { Document, Scalar, type YAMLMap } from 'yaml';
import { flatRules, LAUNCH_TEMPLATE_FIELDS, managedRoutes, includedResources, userTags } from './extract';
import type { AwsRecord, LiveResource } from './live';
import { byNameOrder, NameAllocator } from './names';

export interface GeneratedTemplate {
  text: string;
  /** Live ID → the generated resource's name (logical ID or Terraform address). */
  names: Map<string, string>;
  /** What was left out or cannot be carried, also written into the file as comments. */
  notes: string[];
}

export interface GenerateOptions {
  region: string;
  /** ISO time written in the header; tests pass a fixed one. */
  generatedAt?: string;
}

const TYPE: Record<LiveResource['kind'], string> = {
  vpc: 'AWS::EC2::VPC',
  subnet: 'AWS::EC2::Subnet',
  routeTable: 'AWS::EC2::RouteTable',
  internetGateway: 'AWS::EC2::InternetGateway',
  natGateway: 'AWS::EC2::NatGateway',
  securityGroup: 'AWS::EC2::SecurityGroup',
  instance: 'AWS::EC2::Instance',
  launchTemplate: 'AWS::EC2::LaunchTemplate',
};

function tagged(tag: '!Ref' | '!GetAtt', value: string): Scalar {
  const scalar = new Scalar(value);
  scalar.tag = tag;
  return scalar;
}

type Node = Scalar | string | number | boolean | Node[] | { [key: string]: Node | undefined };

/** Drops undefined properties and empty lists, so the template holds only what was set. */
function compact(properties: Record<string, Node | undefined>): Record<string, Node> {
  return Object.fromEntries(
    Object.entries(properties).filter(([, value]) => value !== undefined && !(Array.isArray(value) && !value.length)),
  ) as Record<string, Node>;
}

/**
 * CloudFormation YAML for live resources. References between generated resources are `!Ref`; every resource
 * has `DeletionPolicy: Retain` (and `UpdateReplacePolicy: Retain`), so deleting the stack never deletes them.
 */
export function generateCloudFormation(live: LiveResource[], options: GenerateOptions): GeneratedTemplate {
  const names = new NameAllocator('cloudformation');
  const notes: string[] = [];
  const included = includedResources(live, notes);
  const logical = new Map<string, string>();
  for (const resource of byNameOrder(included)) logical.set(resource.id, names.forResource(resource));
  const ref = (id: string | undefined): Node | undefined => {
    if (!id) return undefined;
    const name = logical.get(id);
    return name ? tagged('!Ref', name) : id;
  };
  const tags = (record: AwsRecord) => {
    const list = userTags(record);
    return list.length ? list : undefined;
  };
  const resources: Record<string, { Type: string; DependsOn?: string | string[]; Properties: Record<string, Node> }> =
    {};
  const add = (name: string, type: string, properties: Record<string, Node | undefined>, dependsOn?: string[]) => {
    resources[name] = {
      Type: type,
      ...(dependsOn?.length ? { DependsOn: dependsOn.length === 1 ? dependsOn[0] : dependsOn } : {}),
      Properties: compact(properties),
    };
  };
  const attachments = new Map<string, string>(); // internet gateway ID → its attachment's logical ID

  for (const resource of included) {
    const r = resource.record;
    const name = logical.get(resource.id)!;
    switch (resource.kind) {
      case 'vpc':
        add(name, TYPE.vpc, {
          CidrBlock: r.CidrBlock,
          InstanceTenancy: r.InstanceTenancy && r.InstanceTenancy !== 'default' ? r.InstanceTenancy : undefined,
          Tags: tags(r),
        });
        break;
      case 'internetGateway': {
        add(name, TYPE.internetGateway, { Tags: tags(r) });
        for (const attachment of (r.Attachments ?? []) as AwsRecord[]) {
          if (!attachment.VpcId) continue;
          const attachmentName = names.take(`${name} Attachment`);
          attachments.set(resource.id, attachmentName);
          add(attachmentName, 'AWS::EC2::VPCGatewayAttachment', {
            VpcId: ref(attachment.VpcId),
            InternetGatewayId: tagged('!Ref', name),
          });
        }
        break;
      }
      case 'subnet':
        add(name, TYPE.subnet, {
          VpcId: ref(r.VpcId),
          CidrBlock: r.CidrBlock,
          AvailabilityZone: r.AvailabilityZone,
          MapPublicIpOnLaunch: r.MapPublicIpOnLaunch ? true : undefined,
          Tags: tags(r),
        });
        break;
      case 'natGateway': {
        const address = ((r.NatGatewayAddresses ?? []) as AwsRecord[])[0];
        add(name, TYPE.natGateway, {
          SubnetId: ref(r.SubnetId),
          AllocationId: r.ConnectivityType === 'private' ? undefined : address?.AllocationId,
          ConnectivityType: r.ConnectivityType && r.ConnectivityType !== 'public' ? r.ConnectivityType : undefined,
          Tags: tags(r),
        });
        break;
      }
      case 'routeTable': {
        add(name, TYPE.routeTable, { VpcId: ref(r.VpcId), Tags: tags(r) });
        for (const route of managedRoutes(r)) {
          const destination =
            route.DestinationCidrBlock ?? route.DestinationIpv6CidrBlock ?? route.DestinationPrefixListId;
          const routeName = names.take(`${name} Route ${destination ?? ''}`);
          const viaGateway = typeof route.GatewayId === 'string' && route.GatewayId.startsWith('igw-');
          add(
            routeName,
            'AWS::EC2::Route',
            {
              RouteTableId: tagged('!Ref', name),
              DestinationCidrBlock: route.DestinationCidrBlock,
              DestinationIpv6CidrBlock: route.DestinationIpv6CidrBlock,
              DestinationPrefixListId: route.DestinationPrefixListId,
              GatewayId: ref(route.GatewayId),
              NatGatewayId: ref(route.NatGatewayId),
              TransitGatewayId: route.TransitGatewayId,
              VpcPeeringConnectionId: route.VpcPeeringConnectionId,
              NetworkInterfaceId: route.NetworkInterfaceId,
              VpcEndpointId: route.VpcEndpointId,
            },
            // A route through an internet gateway needs the gateway attached first.
            viaGateway && attachments.has(route.GatewayId) ? [attachments.get(route.GatewayId)!] : undefined,
          );
        }
        for (const association of (r.Associations ?? []) as AwsRecord[]) {
          if (association.Main || !association.SubnetId) continue;
          const subnetName = logical.get(association.SubnetId) ?? association.SubnetId;
          add(names.take(`${subnetName} Route Table Association`), 'AWS::EC2::SubnetRouteTableAssociation', {
            SubnetId: ref(association.SubnetId),
            RouteTableId: tagged('!Ref', name),
          });
        }
        break;
      }
      case 'securityGroup': {
        // Rules naming another group become their own resources: inline they could form a dependency cycle.
        const inline = (rules: ReturnType<typeof flatRules>, direction: 'in' | 'out') =>
          rules
            .filter((rule) => !rule.groupId)
            .map((rule) =>
              compact({
                IpProtocol: rule.protocol,
                FromPort: rule.fromPort,
                ToPort: rule.toPort,
                ...(direction === 'in'
                  ? { CidrIp: rule.cidr, CidrIpv6: rule.cidr6, SourcePrefixListId: rule.prefixListId }
                  : { CidrIp: rule.cidr, CidrIpv6: rule.cidr6, DestinationPrefixListId: rule.prefixListId }),
                Description: rule.description,
              }),
            );
        const ingress = flatRules(r.IpPermissions);
        const egress = flatRules(r.IpPermissionsEgress);
        add(name, TYPE.securityGroup, {
          GroupName: r.GroupName,
          GroupDescription: r.Description || r.GroupName || 'Generated by Pilot Light',
          VpcId: ref(r.VpcId),
          SecurityGroupIngress: inline(ingress, 'in'),
          SecurityGroupEgress: inline(egress, 'out'),
          Tags: tags(r),
        });
        for (const [rules, type, direction] of [
          [ingress, 'AWS::EC2::SecurityGroupIngress', 'in'],
          [egress, 'AWS::EC2::SecurityGroupEgress', 'out'],
        ] as const) {
          for (const rule of rules.filter((candidate) => candidate.groupId)) {
            const source = logical.get(rule.groupId!) ?? rule.groupId!;
            add(
              names.take(
                `${name} ${direction === 'in' ? 'From' : 'To'} ${source} ${rule.protocol} ${rule.fromPort ?? ''}`,
              ),
              type,
              {
                GroupId: tagged('!Ref', name),
                IpProtocol: rule.protocol,
                FromPort: rule.fromPort,
                ToPort: rule.toPort,
                ...(direction === 'in'
                  ? { SourceSecurityGroupId: ref(rule.groupId) }
                  : { DestinationSecurityGroupId: ref(rule.groupId) }),
                Description: rule.description,
              },
            );
          }
        }
        break;
      }
      case 'instance': {
        const groups = ((r.SecurityGroups ?? []) as AwsRecord[]).map((group) => ref(group.GroupId)!);
        const profile =
          typeof r.IamInstanceProfile?.Arn === 'string' ? r.IamInstanceProfile.Arn.split('/').pop() : undefined;
        add(name, TYPE.instance, {
          ImageId: r.ImageId,
          InstanceType: r.InstanceType,
          SubnetId: ref(r.SubnetId),
          SecurityGroupIds: groups,
          KeyName: r.KeyName,
          IamInstanceProfile: profile,
          Monitoring: r.Monitoring?.State === 'enabled' ? true : undefined,
          EbsOptimized: r.EbsOptimized ? true : undefined,
          Tags: tags(r),
        });
        break;
      }
      case 'launchTemplate': {
        const data = r.LaunchTemplateData ?? {};
        const carried: Record<string, Node | undefined> = {};
        for (const field of LAUNCH_TEMPLATE_FIELDS) if (data[field] !== undefined) carried[field] = data[field] as Node;
        if (Array.isArray(data.SecurityGroupIds))
          carried.SecurityGroupIds = data.SecurityGroupIds.map((id: string) => ref(id)!);
        if (Array.isArray(data.NetworkInterfaces))
          carried.NetworkInterfaces = data.NetworkInterfaces.map((ni: AwsRecord) =>
            compact({
              ...ni,
              SubnetId: ref(ni.SubnetId),
              Groups: Array.isArray(ni.Groups) ? ni.Groups.map((id: string) => ref(id)!) : undefined,
            }),
          );
        if (data.UserData !== undefined)
          notes.push(
            `${r.LaunchTemplateName ?? resource.id}: user data is not read back (redacted), so it is not generated.`,
          );
        add(name, TYPE.launchTemplate, {
          LaunchTemplateName: r.LaunchTemplateName,
          LaunchTemplateData: compact(carried),
        });
        break;
      }
    }
  }
  for (const resource of included) {
    if (resource.kind === 'instance')
      notes.push(
        `${logical.get(resource.id)}: user data and instance attributes outside DescribeInstances are not generated.`,
      );
  }

  const doc = new Document({
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Generated by Pilot Light from live resources in ${options.region}`,
    Resources: {},
  });
  const resourcesNode = doc.get('Resources') as YAMLMap;
  for (const [name, resource] of Object.entries(resources)) {
    resourcesNode.set(
      name,
      doc.createNode({
        Type: resource.Type,
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        ...(resource.DependsOn ? { DependsOn: resource.DependsOn } : {}),
        Properties: resource.Properties,
      }),
    );
  }
  doc.commentBefore = [
    ` Generated by Pilot Light from ${live.length} live resource(s) in ${options.region}${options.generatedAt ? ` at ${options.generatedAt}` : ''}.`,
    ' Every resource has DeletionPolicy: Retain. To manage the existing resources with this template, use a',
    ' CloudFormation resource import (IMPORT change set); deploying it as a new stack creates copies.',
    ...notes.map((note) => ` Note: ${note}`),
  ].join('\n');
  return { text: doc.toString({ lineWidth: 0 }), names: logical, notes };
}
