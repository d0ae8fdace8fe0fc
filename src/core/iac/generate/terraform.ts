import type { GeneratedTemplate, GenerateOptions } from './cloudformation';
import { flatRules, managedRoutes, includedResources, userTags, type FlatRule } from './extract';
import { hclBlock, type HclBlock, type HclValue } from './hcl';
import type { AwsRecord, LiveResource } from './live';
import { byNameOrder, NameAllocator } from './names';

const TYPE: Record<LiveResource['kind'], string> = {
  vpc: 'aws_vpc',
  subnet: 'aws_subnet',
  routeTable: 'aws_route_table',
  internetGateway: 'aws_internet_gateway',
  natGateway: 'aws_nat_gateway',
  securityGroup: 'aws_security_group',
  instance: 'aws_instance',
  launchTemplate: 'aws_launch_template',
};

type Attributes = Array<[string, HclValue | undefined]>;

const defined = (attributes: Attributes): Array<[string, HclValue]> =>
  attributes.filter(
    (entry): entry is [string, HclValue] => entry[1] !== undefined && !(Array.isArray(entry[1]) && !entry[1].length),
  );

function tagMap(record: AwsRecord): HclValue | undefined {
  const tags = userTags(record);
  return tags.length ? Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value])) : undefined;
}

/**
 * Terraform HCL for live resources, with an `import` block per resource (Terraform 1.5+), so `terraform plan`
 * adopts the existing resources instead of creating copies. References between generated resources are
 * Terraform references.
 */
export function generateTerraform(live: LiveResource[], options: GenerateOptions): GeneratedTemplate {
  const names = new NameAllocator('terraform');
  const notes: string[] = [];
  const included = includedResources(live, notes);
  const address = new Map<string, string>();
  for (const resource of byNameOrder(included))
    address.set(resource.id, `${TYPE[resource.kind]}.${names.forResource(resource)}`);
  const ref = (id: string | undefined): HclValue | undefined => {
    if (!id) return undefined;
    const target = address.get(id);
    return target ? { traversal: `${target}.id` } : id;
  };
  const blocks: HclBlock[] = [];
  const imports: Array<{ to: string; id: string }> = [];
  const resourceBlock = (addr: string, attributes: Attributes, nested: HclBlock[] = []) => {
    const [type, name] = addr.split('.');
    blocks.push({ keyword: 'resource', labels: [type, name], attributes: defined(attributes), blocks: nested });
  };
  const nestedBlock = (keyword: string, attributes: Attributes, nested: HclBlock[] = []): HclBlock => ({
    keyword,
    labels: [],
    attributes: defined(attributes),
    blocks: nested,
  });

  for (const resource of included) {
    const r = resource.record;
    const addr = address.get(resource.id)!;
    imports.push({ to: addr, id: resource.id });
    switch (resource.kind) {
      case 'vpc':
        resourceBlock(addr, [
          ['cidr_block', r.CidrBlock],
          ['instance_tenancy', r.InstanceTenancy && r.InstanceTenancy !== 'default' ? r.InstanceTenancy : undefined],
          ['tags', tagMap(r)],
        ]);
        break;
      case 'internetGateway':
        resourceBlock(addr, [
          ['vpc_id', ref(((r.Attachments ?? []) as AwsRecord[])[0]?.VpcId)],
          ['tags', tagMap(r)],
        ]);
        break;
      case 'subnet':
        resourceBlock(addr, [
          ['vpc_id', ref(r.VpcId)],
          ['cidr_block', r.CidrBlock],
          ['availability_zone', r.AvailabilityZone],
          ['map_public_ip_on_launch', r.MapPublicIpOnLaunch ? true : undefined],
          ['tags', tagMap(r)],
        ]);
        break;
      case 'natGateway': {
        const allocation = ((r.NatGatewayAddresses ?? []) as AwsRecord[])[0]?.AllocationId;
        resourceBlock(addr, [
          ['allocation_id', r.ConnectivityType === 'private' ? undefined : allocation],
          ['subnet_id', ref(r.SubnetId)],
          ['connectivity_type', r.ConnectivityType && r.ConnectivityType !== 'public' ? r.ConnectivityType : undefined],
          ['tags', tagMap(r)],
        ]);
        break;
      }
      case 'routeTable': {
        const routes = managedRoutes(r).map((route) =>
          nestedBlock('route', [
            ['cidr_block', route.DestinationCidrBlock],
            ['ipv6_cidr_block', route.DestinationIpv6CidrBlock],
            ['destination_prefix_list_id', route.DestinationPrefixListId],
            ['gateway_id', ref(route.GatewayId)],
            ['nat_gateway_id', ref(route.NatGatewayId)],
            ['transit_gateway_id', route.TransitGatewayId],
            ['vpc_peering_connection_id', route.VpcPeeringConnectionId],
            ['network_interface_id', route.NetworkInterfaceId],
            ['vpc_endpoint_id', route.VpcEndpointId],
          ]),
        );
        resourceBlock(
          addr,
          [
            ['vpc_id', ref(r.VpcId)],
            ['tags', tagMap(r)],
          ],
          routes,
        );
        for (const association of (r.Associations ?? []) as AwsRecord[]) {
          if (association.Main || !association.SubnetId) continue;
          const subnetAddress = address.get(association.SubnetId);
          const associationAddress = `aws_route_table_association.${names.take(`${subnetAddress?.split('.')[1] ?? association.SubnetId} association`)}`;
          resourceBlock(associationAddress, [
            ['subnet_id', ref(association.SubnetId)],
            ['route_table_id', { traversal: `${addr}.id` }],
          ]);
          imports.push({ to: associationAddress, id: `${association.SubnetId}/${resource.id}` });
        }
        break;
      }
      case 'securityGroup': {
        const rule = (keyword: 'ingress' | 'egress', flat: FlatRule) =>
          nestedBlock(keyword, [
            ['description', flat.description],
            ['from_port', flat.fromPort ?? 0],
            ['to_port', flat.toPort ?? 0],
            ['protocol', flat.protocol],
            ['cidr_blocks', flat.cidr ? [flat.cidr] : undefined],
            ['ipv6_cidr_blocks', flat.cidr6 ? [flat.cidr6] : undefined],
            ['prefix_list_ids', flat.prefixListId ? [flat.prefixListId] : undefined],
            ['self', flat.groupId === resource.id ? true : undefined],
            // Only groups generated earlier are referenced, so two groups naming each other cannot form a cycle.
            ['security_groups', flat.groupId && flat.groupId !== resource.id ? [earlierRef(flat.groupId)!] : undefined],
          ]);
        const earlierRef = (id: string) =>
          included.indexOf(included.find((candidate) => candidate.id === id)!) < included.indexOf(resource)
            ? ref(id)
            : id;
        resourceBlock(
          addr,
          [
            ['name', r.GroupName],
            ['description', r.Description || undefined],
            ['vpc_id', ref(r.VpcId)],
            ['tags', tagMap(r)],
          ],
          [
            ...flatRules(r.IpPermissions).map((flat) => rule('ingress', flat)),
            ...flatRules(r.IpPermissionsEgress).map((flat) => rule('egress', flat)),
          ],
        );
        break;
      }
      case 'instance': {
        const profile =
          typeof r.IamInstanceProfile?.Arn === 'string' ? r.IamInstanceProfile.Arn.split('/').pop() : undefined;
        resourceBlock(addr, [
          ['ami', r.ImageId],
          ['instance_type', r.InstanceType],
          ['subnet_id', ref(r.SubnetId)],
          ['vpc_security_group_ids', ((r.SecurityGroups ?? []) as AwsRecord[]).map((group) => ref(group.GroupId)!)],
          ['key_name', r.KeyName],
          ['iam_instance_profile', profile],
          ['monitoring', r.Monitoring?.State === 'enabled' ? true : undefined],
          ['ebs_optimized', r.EbsOptimized ? true : undefined],
          ['tags', tagMap(r)],
        ]);
        notes.push(`${addr}: user data and instance attributes outside DescribeInstances are not generated.`);
        break;
      }
      case 'launchTemplate': {
        const data: AwsRecord = r.LaunchTemplateData ?? {};
        const nested: HclBlock[] = [];
        for (const device of (data.BlockDeviceMappings ?? []) as AwsRecord[])
          nested.push(
            nestedBlock(
              'block_device_mappings',
              [['device_name', device.DeviceName]],
              device.Ebs
                ? [
                    nestedBlock('ebs', [
                      ['volume_size', device.Ebs.VolumeSize],
                      ['volume_type', device.Ebs.VolumeType],
                      ['iops', device.Ebs.Iops],
                      ['throughput', device.Ebs.Throughput],
                      ['encrypted', device.Ebs.Encrypted === undefined ? undefined : String(device.Ebs.Encrypted)],
                      [
                        'delete_on_termination',
                        device.Ebs.DeleteOnTermination === undefined
                          ? undefined
                          : String(device.Ebs.DeleteOnTermination),
                      ],
                      ['snapshot_id', device.Ebs.SnapshotId],
                    ]),
                  ]
                : [],
            ),
          );
        if (data.IamInstanceProfile)
          nested.push(
            nestedBlock('iam_instance_profile', [
              ['name', data.IamInstanceProfile.Name],
              ['arn', data.IamInstanceProfile.Arn],
            ]),
          );
        if (data.MetadataOptions)
          nested.push(
            nestedBlock('metadata_options', [
              ['http_endpoint', data.MetadataOptions.HttpEndpoint],
              ['http_tokens', data.MetadataOptions.HttpTokens],
              ['http_put_response_hop_limit', data.MetadataOptions.HttpPutResponseHopLimit],
              ['instance_metadata_tags', data.MetadataOptions.InstanceMetadataTags],
            ]),
          );
        if (data.Monitoring?.Enabled !== undefined)
          nested.push(nestedBlock('monitoring', [['enabled', Boolean(data.Monitoring.Enabled)]]));
        for (const ni of (data.NetworkInterfaces ?? []) as AwsRecord[])
          nested.push(
            nestedBlock('network_interfaces', [
              ['device_index', ni.DeviceIndex],
              ['subnet_id', ref(ni.SubnetId)],
              ['security_groups', Array.isArray(ni.Groups) ? ni.Groups.map((id: string) => ref(id)!) : undefined],
              [
                'associate_public_ip_address',
                ni.AssociatePublicIpAddress === undefined ? undefined : String(ni.AssociatePublicIpAddress),
              ],
              [
                'delete_on_termination',
                ni.DeleteOnTermination === undefined ? undefined : String(ni.DeleteOnTermination),
              ],
            ]),
          );
        for (const spec of (data.TagSpecifications ?? []) as AwsRecord[])
          nested.push(
            nestedBlock('tag_specifications', [
              ['resource_type', spec.ResourceType],
              ['tags', tagMap(spec)],
            ]),
          );
        resourceBlock(
          addr,
          [
            ['name', r.LaunchTemplateName],
            ['image_id', data.ImageId],
            ['instance_type', data.InstanceType],
            ['key_name', data.KeyName],
            [
              'vpc_security_group_ids',
              Array.isArray(data.SecurityGroupIds) ? data.SecurityGroupIds.map((id: string) => ref(id)!) : undefined,
            ],
            ['ebs_optimized', data.EbsOptimized === undefined ? undefined : String(data.EbsOptimized)],
            ['disable_api_termination', data.DisableApiTermination],
            ['tags', tagMap(r)],
          ],
          nested,
        );
        if (data.UserData !== undefined)
          notes.push(`${addr}: user data is not read back (redacted), so it is not generated.`);
        break;
      }
    }
  }
  const header = [
    `# Generated by Pilot Light from ${live.length} live resource(s) in ${options.region}${options.generatedAt ? ` at ${options.generatedAt}` : ''}.`,
    '# The import blocks adopt the existing resources on the next `terraform plan` / `apply` (Terraform 1.5+).',
    ...notes.map((note) => `# Note: ${note}`),
  ];
  const importBlocks = imports.map((entry) =>
    hclBlock({
      keyword: 'import',
      labels: [],
      attributes: [
        ['to', { traversal: entry.to }],
        ['id', entry.id],
      ],
    }),
  );
  const text = `${[header.join('\n'), ...blocks.map((block) => hclBlock(block)), ...importBlocks].join('\n\n')}\n`;
  return { text, names: address, notes };
}
