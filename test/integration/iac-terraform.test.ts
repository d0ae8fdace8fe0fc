import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateLaunchTemplateCommand,
  DeleteLaunchTemplateCommand,
  EC2Client,
  ModifyInstanceAttributeCommand,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { parse as parseYaml } from 'yaml';
import { parseTemplate } from '../../src/core/iac/cloudformation/template';
import { checkStackDrift } from '../../src/core/iac/drift/stackDrift';
import { flatRules, userTags } from '../../src/core/iac/generate/extract';
import {
  generateCloudFormation,
  generateTerraform,
  readLiveResources,
  type LiveResource,
} from '../../src/core/iac/generate';
import { readLiveByIds, type AwsRecord } from '../../src/core/iac/generate/live';
import { diagnose, parseTerraform, readTerraformState, terraformDrift } from '../../src/core/iac/terraform';
import type { SampleAccountSummary, SampleRole } from '../../tools/seed/sampleAccount';
import { sampleTerraformState, type TierLaunchTemplates } from '../../tools/seed/terraformState';
import { emulatorConnection } from '../support/connection';
import { clientConfig, emulatorStack, resetAndSeed, useEmulatorStack } from '../support/emulators';
import { readsThroughRunner } from '../support/resourceReads';

useEmulatorStack();

const SAMPLE_TF = join(__dirname, '..', '..', '..', 'samples', 'three-tier', 'terraform', 'main.tf');
const TIERS: SampleRole[] = ['web', 'app', 'db'];

/** The sample's launch templates (aws_launch_template.<tier>), created through the SDK as Terraform would. */
async function createTierLaunchTemplates(ec2: EC2Client, sample: SampleAccountSummary): Promise<TierLaunchTemplates> {
  const subnets: Record<SampleRole, string> = {
    web: sample.subnets.publicA,
    app: sample.subnets.privateA,
    db: sample.subnets.privateB,
  };
  const ids = {} as TierLaunchTemplates;
  for (const tier of TIERS) {
    const { LaunchTemplate } = await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: `${tier}-tier`,
        LaunchTemplateData: {
          ImageId: sample.imageId,
          InstanceType: sample.servers[tier].instanceType as never,
          NetworkInterfaces: [
            {
              DeviceIndex: 0,
              SubnetId: subnets[tier],
              Groups: [sample.securityGroups[tier]],
              ...(tier === 'web' ? { AssociatePublicIpAddress: true } : {}),
            },
          ],
        },
        TagSpecifications: [
          {
            ResourceType: 'launch-template',
            Tags: [
              { Key: 'Name', Value: `${tier}-tier` },
              { Key: 'Tier', Value: tier },
            ],
          },
        ],
      }),
    );
    ids[tier] = LaunchTemplate!.LaunchTemplateId!;
  }
  return ids;
}

describe('Terraform state drift and IaC generation against moto', function () {
  this.timeout(120_000);
  let sample: SampleAccountSummary;
  let ec2: EC2Client;
  let launchTemplates: TierLaunchTemplates;
  let reads: ReturnType<typeof readsThroughRunner>;
  let folder: string;

  before(async () => {
    sample = (await resetAndSeed('sample')).sample!;
    ec2 = new EC2Client(clientConfig());
    launchTemplates = await createTierLaunchTemplates(ec2, sample);
    reads = readsThroughRunner(await emulatorConnection());
    folder = await mkdtemp(join(tmpdir(), 'pilot-light-tf-'));
    await writeFile(join(folder, 'main.tf'), await readFile(SAMPLE_TF, 'utf8'));
    await writeFile(
      join(folder, 'terraform.tfstate'),
      JSON.stringify(sampleTerraformState(sample, launchTemplates), null, 2),
    );
  });

  after(async () => {
    ec2?.destroy();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  async function drift() {
    const text = await readFile(join(folder, 'main.tf'), 'utf8');
    const files = [{ uri: 'main.tf', doc: await parseTerraform(text) }];
    // The state file is there, so the Terraform CLI is never asked.
    const state = await readTerraformState(folder, async () => assert.fail('terraform show must not run'));
    return { text, report: await terraformDrift(files, state!, reads, emulatorStack().region) };
  }

  it('reports the untouched sample in sync, reading live state with one call per resource type', async () => {
    const { report } = await drift();
    assert.equal(report.source, 'state-file');
    const statuses = Object.fromEntries(report.resources.map((resource) => [resource.address, resource.status]));
    assert.deepEqual(statuses, {
      'aws_vpc.main': 'in-sync',
      'aws_subnet.public_a': 'in-sync',
      'aws_subnet.public_b': 'in-sync',
      'aws_subnet.private_a': 'in-sync',
      'aws_subnet.private_b': 'in-sync',
      'aws_internet_gateway.main': 'in-sync',
      'aws_route_table.public': 'in-sync',
      'aws_route_table_association.public_a': 'not-checked',
      'aws_route_table_association.public_b': 'not-checked',
      'aws_security_group.web': 'in-sync',
      'aws_security_group.app': 'in-sync',
      'aws_security_group.db': 'in-sync',
      'aws_instance.web': 'in-sync',
      'aws_instance.app': 'in-sync',
      'aws_instance.db': 'in-sync',
      'aws_launch_template.web': 'in-sync',
      'aws_launch_template.app': 'in-sync',
      'aws_launch_template.db': 'in-sync',
    });
    const web = report.resources.find((resource) => resource.address === 'aws_instance.web')!;
    assert.equal(web.id, sample.servers.web.instanceId);
    assert.equal(web.liveState, 'running');
    const compared = Object.fromEntries(web.attributes.map((attribute) => [attribute.attribute, attribute.status]));
    // ami comes through data.aws_ami in the state, the subnet and group through their resources' state.
    assert.deepEqual(compared, {
      ami: 'in-sync',
      instance_type: 'in-sync',
      subnet_id: 'in-sync',
      vpc_security_group_ids: 'in-sync',
      tags: 'in-sync',
    });
    const sgWeb = report.resources.find((resource) => resource.address === 'aws_security_group.web')!;
    assert.equal(sgWeb.attributes.find((attribute) => attribute.attribute === 'ingress')?.status, 'in-sync');
    assert.equal(report.readTypes.length, 7);
    assert.ok(
      report.apiCalls <= report.readTypes.length,
      `${report.apiCalls} calls for ${report.readTypes.length} types`,
    );
  });

  it('reports exactly an instance type and a security group rule changed out of band, on their lines', async () => {
    const instanceId = sample.servers.web.instanceId;
    await ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
    await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, InstanceType: { Value: 't3.large' } }));
    await ec2.send(new StartInstancesCommand({ InstanceIds: [instanceId] }));
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: sample.securityGroups.web,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    const { text, report } = await drift();
    const drifted = report.resources.flatMap((resource) =>
      resource.attributes
        .filter((attribute) => attribute.status === 'drifted')
        .map((attribute) => ({ address: resource.address, ...attribute })),
    );
    assert.deepEqual(
      drifted.map((d) => [d.address, d.attribute, d.expected, d.live]),
      [
        ['aws_security_group.web', 'ingress', [], ['tcp 8443 0.0.0.0/0']],
        ['aws_instance.web', 'instance_type', 't3.small', 't3.large'],
      ],
    );
    const typeLine =
      text
        .split('\n')
        .findIndex(
          (line, index, lines) =>
            line.includes('instance_type          = "t3.small"') &&
            lines.slice(0, index).some((l) => l.includes('resource "aws_instance" "web"')),
        ) + 1;
    assert.equal(drifted[1].range.start.line, typeLine);
    assert.equal(text.slice(drifted[1].range.offset, drifted[1].range.endOffset), '"t3.small"');
    assert.ok(text.split('\n')[drifted[0].range.start.line - 1].includes('ingress {'));
    // Nothing else moved: every other compared value is still in sync, and nothing unknown became drift.
    assert.ok(report.resources.every((resource) => resource.status !== 'deleted'));
  });

  it('generates Terraform for the whole VPC: references, import blocks, a clean parse and diagnostics', async () => {
    const live = await readLiveResources(reads, emulatorStack().region, [{ kind: 'vpc', id: sample.vpcId }]);
    const kinds = live.map((resource) => resource.kind).sort();
    assert.equal(kinds.filter((kind) => kind === 'subnet').length, 4);
    assert.equal(kinds.filter((kind) => kind === 'instance').length, 3);
    assert.ok(kinds.filter((kind) => kind === 'launchTemplate').length >= 3, 'launch templates using the VPC');
    const { text } = generateTerraform(live, { region: emulatorStack().region });
    const doc = await parseTerraform(text);
    assert.deepEqual(doc.problems, []);
    assert.deepEqual(diagnose([{ uri: 'generated.tf', doc }], 'generated.tf'), []);
    const resourceText = doc.blocks
      .filter((block) => block.kind === 'resource')
      .map((block) => text.slice(block.range.offset, block.range.endOffset))
      .join('\n');
    for (const id of [
      sample.vpcId,
      ...Object.values(sample.subnets),
      ...Object.values(sample.securityGroups),
      sample.internetGatewayId,
    ])
      assert.ok(!resourceText.includes(id), `${id} is referenced, not written as a literal`);
    const imported = doc.blocks
      .filter((block) => block.kind === 'import')
      .map((block) => {
        const id = block.attributes.find((attribute) => attribute.name === 'id')!.value;
        return id.kind === 'literal' ? id.value : undefined;
      });
    for (const id of [sample.vpcId, sample.servers.web.instanceId, sample.securityGroups.db, launchTemplates.app])
      assert.ok(imported.includes(id), id);
  });

  // Round trip: the generated template deployed on moto's CloudFormation shows no drift in the drift engine
  // beyond what moto's CloudFormation does not apply, and the copies it created have the originals' properties
  // (IDs compared through the logical IDs).
  it('generates CloudFormation whose deployed copies match the originals property by property', async () => {
    const region = emulatorStack().region;
    const live = await readLiveResources(reads, region, [{ kind: 'vpc', id: sample.vpcId }]);
    const generated = generateCloudFormation(live, { region });
    const template = parseYaml(generated.text, {
      customTags: [{ tag: '!Ref', resolve: (value: string) => ({ Ref: value }) }],
    }) as { Resources: Record<string, { Type: string; DeletionPolicy: string; Properties: Record<string, any> }> };
    assert.ok(Object.keys(template.Resources).length >= 20, 'the whole VPC is generated');
    assert.ok(Object.values(template.Resources).every((resource) => resource.DeletionPolicy === 'Retain'));
    // Launch template names are unique per region: a copy cannot exist beside its original, so the originals
    // (already read above) are deleted before the copy is deployed.
    for (const resource of live.filter((candidate) => candidate.kind === 'launchTemplate'))
      await ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: resource.id }));

    const cfn = new CloudFormationClient(clientConfig());
    try {
      await cfn.send(new CreateStackCommand({ StackName: 'generated-round-trip', TemplateBody: generated.text }));
      const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'generated-round-trip' }));
      assert.equal(Stacks?.[0]?.StackStatus, 'CREATE_COMPLETE', Stacks?.[0]?.StackStatusReason);
      // Round trip through the drift engine (src/core/iac/drift): the deployed generated template has zero drift.
      const parsed = parseTemplate(generated.text);
      assert.equal(parsed.hasErrors, false);
      const stackDrift = await checkStackDrift({
        template: parsed.value,
        stackName: 'generated-round-trip',
        region,
        reads,
      });
      // moto's CloudFormation does not apply some properties (read in moto's ec2 models): internet gateway and
      // route table Tags, a subnet's MapPublicIpOnLaunch, an instance's SecurityGroupIds (it reads
      // SecurityGroups only) and inline rule descriptions. The engine rightly reports those as drift; every
      // other property of every resource is in sync.
      const MOTO_GAPS: Record<string, RegExp> = {
        'AWS::EC2::InternetGateway': /^Tags\b/,
        'AWS::EC2::RouteTable': /^Tags\b/,
        'AWS::EC2::Subnet': /^MapPublicIpOnLaunch$/,
        'AWS::EC2::Instance': /^SecurityGroupIds\b/,
        'AWS::EC2::SecurityGroup': /^SecurityGroupIngress\b/,
      };
      const driftedProperties = stackDrift.resources.flatMap((resource) =>
        resource.properties
          .filter((property) => property.status === 'drifted')
          .map((property) => ({ resource, path: property.path.join('.') })),
      );
      assert.deepEqual(
        driftedProperties
          .filter(({ resource, path }) => !MOTO_GAPS[resource.type]?.test(path))
          .map(({ resource, path }) => `${resource.logicalId}.${path}`),
        [],
      );
      // The security group drift is the descriptions only: the rules' other fields match (checked below too).
      // moto's CloudFormation records subnet route table associations without associating the subnets in EC2,
      // so the engine rightly finds them missing live; nothing else is.
      assert.deepEqual(
        stackDrift.resources
          .filter((resource) => resource.status === 'deleted')
          .filter((resource) => resource.type !== 'AWS::EC2::SubnetRouteTableAssociation')
          .map((resource) => resource.logicalId),
        [],
      );
      // Every generated resource was compared, except the separate ingress rules, which moto creates but does not
      // list in the stack.
      const unexpected = stackDrift.resources.filter(
        (resource) =>
          !['in-sync', 'drifted'].includes(resource.status) &&
          !(resource.status === 'deleted' && resource.type === 'AWS::EC2::SubnetRouteTableAssociation') &&
          !(resource.status === 'not-deployed' && resource.type === 'AWS::EC2::SecurityGroupIngress'),
      );
      assert.deepEqual(
        unexpected.map((resource) => [resource.logicalId, resource.status, resource.message]),
        [],
      );
      assert.ok(stackDrift.counts['in-sync'] >= 9, JSON.stringify(stackDrift.counts));

      const { StackResources } = await cfn.send(
        new DescribeStackResourcesCommand({ StackName: 'generated-round-trip' }),
      );
      const physical = new Map(
        (StackResources ?? []).map((resource) => [resource.LogicalResourceId!, resource.PhysicalResourceId!]),
      );

      // Every ID, original or copy, as the logical ID that stands for it.
      const logicalOf = new Map<string, string>();
      for (const [id, logical] of generated.names) {
        logicalOf.set(id, logical);
        const copy = physical.get(logical);
        assert.ok(copy, `${logical} was deployed`);
        logicalOf.set(copy, logical);
      }
      const byLogical = (id: unknown) => (typeof id === 'string' ? (logicalOf.get(id) ?? id) : id);

      const copies: LiveResource[] = [];
      for (const kind of new Set(live.map((resource) => resource.kind))) {
        const ids = [...generated.names]
          .filter(([id]) => live.find((r) => r.id === id)?.kind === kind)
          .map(([, logical]) => physical.get(logical)!);
        if (kind === 'launchTemplate') {
          for (const id of ids) {
            const versions = await reads.read<{ items: AwsRecord[] }>(
              'ec2.launchTemplates.versions',
              { launchTemplateId: id, versions: ['$Default'] },
              region,
            );
            const [record] = (await readLiveByIds(reads, region, kind, [id])).resources;
            copies.push({
              ...record,
              record: { ...record.record, LaunchTemplateData: versions.items[0].LaunchTemplateData },
            });
          }
        } else copies.push(...(await readLiveByIds(reads, region, kind, ids)).resources);
      }

      const comparable = (resource: LiveResource): Record<string, unknown> => {
        const r = resource.record;
        const tags = userTags(r);
        const rules = (permissions: AwsRecord[]) =>
          flatRules(permissions)
            .map((rule) => JSON.stringify({ ...rule, groupId: byLogical(rule.groupId) }))
            .sort();
        switch (resource.kind) {
          case 'vpc':
            return { cidr: r.CidrBlock, tenancy: r.InstanceTenancy, tags };
          case 'subnet':
            return {
              vpc: byLogical(r.VpcId),
              cidr: r.CidrBlock,
              az: r.AvailabilityZone,
              publicIp: Boolean(r.MapPublicIpOnLaunch),
              tags,
            };
          case 'internetGateway':
            return { vpcs: (r.Attachments ?? []).map((a: AwsRecord) => byLogical(a.VpcId)), tags };
          case 'routeTable':
            return {
              vpc: byLogical(r.VpcId),
              routes: (r.Routes ?? [])
                .filter((route: AwsRecord) => route.GatewayId !== 'local')
                .map(
                  (route: AwsRecord) =>
                    `${route.DestinationCidrBlock} via ${byLogical(route.GatewayId ?? route.NatGatewayId)}`,
                )
                .sort(),
              subnets: (r.Associations ?? [])
                .filter((a: AwsRecord) => !a.Main)
                .map((a: AwsRecord) => byLogical(a.SubnetId))
                .sort(),
              tags,
            };
          case 'securityGroup':
            return {
              name: r.GroupName,
              description: r.Description,
              vpc: byLogical(r.VpcId),
              ingress: rules(r.IpPermissions),
              egress: rules(r.IpPermissionsEgress),
              tags,
            };
          case 'instance':
            return {
              image: r.ImageId,
              type: r.InstanceType,
              subnet: byLogical(r.SubnetId),
              groups: (r.SecurityGroups ?? []).map((g: AwsRecord) => byLogical(g.GroupId)).sort(),
              tags,
            };
          case 'launchTemplate': {
            const data = r.LaunchTemplateData ?? {};
            return {
              name: r.LaunchTemplateName,
              image: data.ImageId,
              type: data.InstanceType,
              interfaces: (data.NetworkInterfaces ?? []).map((ni: AwsRecord) => ({
                subnet: byLogical(ni.SubnetId),
                groups: (ni.Groups ?? []).map(byLogical),
              })),
            };
          }
          default:
            return {};
        }
      };
      // What moto's CloudFormation does not apply (read in moto's ec2 models): internet gateway and route table
      // tags, a subnet's MapPublicIpOnLaunch, an instance's SecurityGroupIds (it reads SecurityGroups only),
      // inline rule descriptions, and subnet associations (kept apart from DescribeRouteTables). The template
      // carries each (checked above and here); only the comparison leaves them out, on both sides.
      const resources = template.Resources;
      const ofType = (type: string) => Object.values(resources).filter((resource) => resource.Type === type);
      assert.ok(ofType('AWS::EC2::InternetGateway').every((igw) => igw.Properties.Tags?.length));
      assert.equal(
        ofType('AWS::EC2::Subnet').filter((subnet) => subnet.Properties.MapPublicIpOnLaunch === true).length,
        2,
      );
      assert.ok(ofType('AWS::EC2::Instance').every((instance) => instance.Properties.SecurityGroupIds?.length === 1));
      assert.equal(ofType('AWS::EC2::SubnetRouteTableAssociation').length, 2);
      assert.ok(
        ofType('AWS::EC2::SecurityGroup').some((group) =>
          group.Properties.SecurityGroupIngress?.some((rule: { Description?: string }) => rule.Description === 'HTTPS'),
        ),
      );
      const withoutMotoGaps = (resource: LiveResource, properties: Record<string, unknown>) => {
        const kept = { ...properties };
        if (resource.kind === 'internetGateway' || resource.kind === 'routeTable') delete kept.tags;
        if (resource.kind === 'routeTable') delete kept.subnets;
        if (resource.kind === 'subnet') delete kept.publicIp;
        if (resource.kind === 'instance') delete kept.groups;
        if (resource.kind === 'securityGroup')
          for (const direction of ['ingress', 'egress'])
            kept[direction] = (kept[direction] as string[])
              .map((rule) => JSON.stringify({ ...JSON.parse(rule), description: undefined }))
              .sort();
        return kept;
      };
      const originals = new Map(
        live
          .filter((r) => generated.names.has(r.id))
          .map((r) => [generated.names.get(r.id)!, withoutMotoGaps(r, comparable(r))]),
      );
      const deployed = new Map(copies.map((r) => [logicalOf.get(r.id)!, withoutMotoGaps(r, comparable(r))]));
      assert.equal(deployed.size, originals.size);
      const differences = [...originals].filter(
        ([logical, properties]) => JSON.stringify(properties) !== JSON.stringify(deployed.get(logical)),
      );
      assert.deepEqual(
        differences.map(([logical, properties]) => ({ logical, original: properties, copy: deployed.get(logical) })),
        [],
      );
    } finally {
      cfn.destroy();
    }
  });
});
