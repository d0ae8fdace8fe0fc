import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { generateCloudFormation, generateTerraform, type LiveResource } from '../../src/core/iac/generate';
import { diagnose, parseTerraform, type TfValue } from '../../src/core/iac/terraform';

const CFN_TAGS = [
  { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
  { tag: '!GetAtt', resolve: (value: string) => ({ 'Fn::GetAtt': value }) },
];

function sample(tagValue = 'web-1'): LiveResource[] {
  const tags = (name: string) => [
    { Key: 'Name', Value: name },
    { Key: 'aws:cloudformation:stack-name', Value: 'old' },
  ];
  return [
    {
      kind: 'vpc',
      id: 'vpc-1',
      record: { VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16', InstanceTenancy: 'default', Tags: tags('main') },
    },
    {
      kind: 'subnet',
      id: 'subnet-1',
      record: {
        SubnetId: 'subnet-1',
        VpcId: 'vpc-1',
        CidrBlock: '10.0.1.0/24',
        AvailabilityZone: 'us-east-1a',
        MapPublicIpOnLaunch: true,
        Tags: tags('public-a'),
      },
    },
    {
      kind: 'internetGateway',
      id: 'igw-1',
      record: { InternetGatewayId: 'igw-1', Attachments: [{ VpcId: 'vpc-1', State: 'available' }], Tags: tags('igw') },
    },
    {
      kind: 'routeTable',
      id: 'rtb-1',
      record: {
        RouteTableId: 'rtb-1',
        VpcId: 'vpc-1',
        Routes: [
          { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable' },
          { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1', Origin: 'CreateRoute' },
        ],
        Associations: [{ SubnetId: 'subnet-1', RouteTableId: 'rtb-1', Main: false }],
        Tags: tags('public'),
      },
    },
    {
      kind: 'routeTable',
      id: 'rtb-main',
      record: { RouteTableId: 'rtb-main', VpcId: 'vpc-1', Associations: [{ Main: true }], Routes: [] },
    },
    {
      kind: 'securityGroup',
      id: 'sg-web',
      record: {
        GroupId: 'sg-web',
        GroupName: 'web-sg',
        Description: 'Web "tier"',
        VpcId: 'vpc-1',
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'https' }] },
        ],
        IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        Tags: tags('web-sg'),
      },
    },
    {
      kind: 'securityGroup',
      id: 'sg-app',
      record: {
        GroupId: 'sg-app',
        GroupName: 'app-sg',
        Description: 'App',
        VpcId: 'vpc-1',
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: 'sg-web' }] }],
        IpPermissionsEgress: [],
      },
    },
    {
      kind: 'securityGroup',
      id: 'sg-default',
      record: { GroupId: 'sg-default', GroupName: 'default', VpcId: 'vpc-1' },
    },
    {
      kind: 'instance',
      id: 'i-1',
      record: {
        InstanceId: 'i-1',
        ImageId: 'ami-1',
        InstanceType: 't3.small',
        SubnetId: 'subnet-1',
        SecurityGroups: [{ GroupId: 'sg-web' }],
        Tags: [
          { Key: 'Name', Value: tagValue },
          { Key: 'Tier', Value: 'web' },
        ],
      },
    },
    {
      kind: 'launchTemplate',
      id: 'lt-1',
      record: {
        LaunchTemplateId: 'lt-1',
        LaunchTemplateName: 'web-template',
        LaunchTemplateData: {
          ImageId: 'ami-1',
          InstanceType: 't3.small',
          SecurityGroupIds: ['sg-web'],
          UserData: '[redacted]',
        },
      },
    },
  ];
}

/** Terraform values as plain data; references as `ref:<text>`. */
function plain(value: TfValue): unknown {
  switch (value.kind) {
    case 'literal':
      return value.value;
    case 'reference':
      return `ref:${value.reference.text}`;
    case 'tuple':
      return value.items.map(plain);
    case 'object':
      return Object.fromEntries(value.entries.map((entry) => [entry.key, plain(entry.value)]));
    default:
      return `?${value.kind}`;
  }
}

describe('IaC generation from live resources', () => {
  it('writes CloudFormation with !Ref between generated resources, Retain policies and no main table or default group', () => {
    const { text, names, notes } = generateCloudFormation(sample(), { region: 'us-east-1' });
    const template = parseYaml(text, { customTags: CFN_TAGS }) as { Resources: Record<string, any> };
    const resources = template.Resources;
    for (const resource of Object.values(resources)) assert.equal(resource.DeletionPolicy, 'Retain');
    assert.equal(resources.PublicA.Properties.VpcId.Ref, 'Main');
    assert.equal(resources.Web1.Properties.SubnetId.Ref, 'PublicA');
    assert.deepEqual(resources.Web1.Properties.SecurityGroupIds, [{ Ref: 'WebSg' }]);
    assert.deepEqual(resources.Web1.Properties.Tags, [
      { Key: 'Name', Value: 'web-1' },
      { Key: 'Tier', Value: 'web' },
    ]);
    assert.equal(resources.WebSg.Properties.GroupDescription, 'Web "tier"');
    const route = Object.values(resources).find((r) => r.Type === 'AWS::EC2::Route');
    assert.deepEqual(route.Properties.GatewayId, { Ref: 'Igw' });
    assert.equal(route.DependsOn, 'IgwAttachment');
    const fromWeb = Object.values(resources).find((r) => r.Type === 'AWS::EC2::SecurityGroupIngress');
    assert.deepEqual(fromWeb.Properties.SourceSecurityGroupId, { Ref: 'WebSg' });
    assert.deepEqual(resources.WebTemplate.Properties.LaunchTemplateData.SecurityGroupIds, [{ Ref: 'WebSg' }]);
    assert.equal(resources.WebTemplate.Properties.LaunchTemplateData.UserData, undefined);
    assert.ok(
      !/\b(vpc-1|subnet-1|sg-web|igw-1)\b/.test(text.replace(/^#.*$/gm, '')),
      'no literal IDs of generated resources',
    );
    assert.ok(
      !Object.values(resources).some((r) => r.Type === 'AWS::EC2::RouteTable' && r.Properties.Tags === undefined),
    );
    assert.equal(names.get('rtb-main'), undefined);
    assert.ok(
      notes.some((note) => note.includes('main route table')) &&
        notes.some((note) => note.includes('default security group')),
    );
    assert.ok(!text.includes('aws:cloudformation'), 'aws: tags are not generated');
  });

  it('writes Terraform with references, import blocks and a clean parse', async () => {
    const { text } = generateTerraform(sample(), { region: 'us-east-1' });
    const doc = await parseTerraform(text);
    assert.deepEqual(doc.problems, []);
    assert.deepEqual(diagnose([{ uri: 'gen.tf', doc }], 'gen.tf'), []);
    const web = doc.blocks.find((block) => block.address === 'aws_instance.web_1')!;
    const attributes = Object.fromEntries(web.attributes.map((a) => [a.name, plain(a.value)]));
    assert.deepEqual(attributes, {
      ami: 'ami-1',
      instance_type: 't3.small',
      subnet_id: 'ref:aws_subnet.public_a.id',
      vpc_security_group_ids: ['ref:aws_security_group.web_sg.id'],
      tags: { Name: 'web-1', Tier: 'web' },
    });
    const imports = doc.blocks.filter((block) => block.kind === 'import');
    const importIds = imports.map((block) => plain(block.attributes.find((a) => a.name === 'id')!.value));
    assert.deepEqual(importIds.sort(), [
      'i-1',
      'igw-1',
      'lt-1',
      'rtb-1',
      'sg-app',
      'sg-web',
      'subnet-1',
      'subnet-1/rtb-1',
      'vpc-1',
    ]);
    const app = doc.blocks.find((block) => block.address === 'aws_security_group.app_sg')!;
    assert.deepEqual(plain(app.blocks[0].attributes.find((a) => a.name === 'security_groups')!.value), [
      'ref:aws_security_group.web_sg.id',
    ]);
  });

  // Any tag value — quotes, backslashes, newlines, YAML and HCL syntax, `${`, control characters, astral
  // characters — must read back unchanged from both formats.
  it('escapes every value so both formats read it back unchanged (property)', async () => {
    const special = fc.constantFrom(
      '"',
      "'",
      '\\',
      '\n',
      '\t',
      '${x}',
      '%{',
      ': ',
      ' #',
      '- ',
      '!Ref',
      'yes',
      'null',
      '~',
      '0x1F',
      '&a',
      '*a',
      '|',
      '>',
      '😀',
      '\u0007',
      ' ',
    );
    const value = fc
      .array(fc.oneof(fc.string({ maxLength: 5 }), special), { maxLength: 6 })
      .map((parts) => parts.join(''));
    await fc.assert(
      fc.asyncProperty(value, async (tagValue) => {
        const cfn = generateCloudFormation(sample(tagValue), { region: 'us-east-1' });
        const template = parseYaml(cfn.text, { customTags: CFN_TAGS }) as { Resources: Record<string, any> };
        const instance = Object.values(template.Resources).find((r) => r.Type === 'AWS::EC2::Instance');
        assert.equal(instance.Properties.Tags.find((tag: { Key: string }) => tag.Key === 'Name').Value, tagValue);
        const tf = await parseTerraform(generateTerraform(sample(tagValue), { region: 'us-east-1' }).text);
        assert.deepEqual(tf.problems, []);
        const block = tf.blocks.find((b) => b.kind === 'resource' && b.labels[0].value === 'aws_instance')!;
        const tags = plain(block.attributes.find((a) => a.name === 'tags')!.value) as Record<string, string>;
        assert.equal(tags.Name, tagValue);
      }),
      { numRuns: 80 },
    );
  });
});

describe('Insert live resource: the snippet', () => {
  it('re-indents CloudFormation resources to the cursor column and reads back under Resources', async () => {
    const { snippetForInsertion } = await import('../../src/core/iac/generate/insert');
    const vpc = sample().slice(0, 1);
    const snippet = snippetForInsertion('cloudformation', generateCloudFormation(vpc, { region: 'us-east-1' }).text, 2);
    assert.match(snippet, /^ {2}Main:\n {4}Type: AWS::EC2::VPC\n {4}DeletionPolicy: Retain\n/);
    const template = `AWSTemplateFormatVersion: 2010-09-09\nResources:\n${snippet}`;
    const parsed = parseYaml(template, { customTags: CFN_TAGS }) as {
      Resources: Record<string, { Properties: { CidrBlock: string } }>;
    };
    assert.equal(parsed.Resources.Main.Properties.CidrBlock, '10.0.0.0/16');
  });

  it('inserts Terraform resource and import blocks without the header comments', async () => {
    const { snippetForInsertion } = await import('../../src/core/iac/generate/insert');
    const snippet = snippetForInsertion(
      'terraform',
      generateTerraform(sample().slice(0, 1), { region: 'us-east-1' }).text,
      0,
    );
    assert.ok(!snippet.includes('# Generated'));
    const doc = await parseTerraform(snippet);
    assert.deepEqual(
      doc.blocks.map((block) => block.kind),
      ['resource', 'import'],
    );
  });
});
