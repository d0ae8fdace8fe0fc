import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { templateDiagnostics } from '../../src/core/iac/cloudformation/diagnostics';
import {
  completionsAt,
  definitionAt,
  documentSymbols,
  hoverAt,
  referencesAt,
} from '../../src/core/iac/cloudformation/language';
import { parseTemplate as parseWith, type CfnTemplate } from '../../src/core/iac/cloudformation/template';
import { CfnTypeKnowledge, loadCfnTypeKnowledge } from '../../src/core/iac/cloudformation/typeKnowledge';

const repoRoot = resolve(__dirname, '..', '..', '..');
const TYPES_FILE = join(repoRoot, 'dist', 'iac', 'cfn-types.json.br');

const TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  InstanceType:
    Type: String
    Default: t3.micro
Conditions:
  IsProd: !Equals [!Ref "AWS::StackName", prod]
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Web:
    Type: AWS::EC2::Instance
    DependsOn: Vpc
    Condition: IsProd
    Properties:
      ImageId: ami-12345678
      InstanceType: !Ref InstanceType
      SubnetId: !Ref Subnett
      BlockDeviceMappings:
        - DeviceName: /dev/xvda
          Ebs:
            VolumeSize: 20
            VolumeSise: 30
      Tags:
        - Key: Name
          Value: !Sub "\${AWS::StackName}-\${Vpc.CidrBlock}-\${Vpc.NoSuch}"
  Bucket:
    Type: AWS::S3::Buckett
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      VpcId: !GetAtt Vpc.VpcId
      Colour: blue
Outputs:
  WebId:
    Value: !Ref Web
    Condition: IsProd
`;

function at(template: CfnTemplate, needle: string, occurrence = 0, shift = 0): number {
  let index = -1;
  for (let i = 0; i <= occurrence; i++) index = template.text.indexOf(needle, index + 1);
  assert.ok(index >= 0, `${needle} not found`);
  return index + shift;
}

for (const reader of ['auto', 'yaml-package'] as const)
  describe(`CloudFormation language features (core, YAML reader: ${reader})`, () => {
    const parseTemplate = (text: string) => parseWith(text, reader);

    let types: CfnTypeKnowledge;
    before(async function () {
      if (!existsSync(TYPES_FILE)) assert.fail(`${TYPES_FILE} is missing: run npm run build first (it generates it).`);
      types = await loadCfnTypeKnowledge(TYPES_FILE);
    });

    it('type knowledge covers every resource type of the specification, with properties and attributes', () => {
      assert.ok(types.resourceTypeNames.length >= 1500, `${types.resourceTypeNames.length} types`);
      const instance = types.resourceType('AWS::EC2::Instance')!;
      assert.deepEqual(instance.primaryIdentifier, ['InstanceId']);
      assert.equal(instance.properties.get('AvailabilityZone')?.update, 'replacement');
      assert.ok(instance.attributes.has('PrivateIp'));
      assert.equal(
        types.describeType(instance.properties.get('BlockDeviceMappings')!.type),
        'List of BlockDeviceMapping',
      );
      const ebs = types.propertiesAt('AWS::EC2::Instance', ['BlockDeviceMappings', 0, 'Ebs'])!;
      assert.ok(ebs.has('VolumeSize'));
      assert.equal(types.resourceType('AWS::SQS::Queue')!.properties.get('QueueName')?.required, false);
      assert.equal(types.resourceType('AWS::EC2::Subnet')!.properties.get('VpcId')?.required, true);
      assert.throws(() => CfnTypeKnowledge.parse('{"format": 99}'), /format 99/);
    });

    it('the notices credit the specification package the type file comes from', () => {
      const notices = readFileSync(join(repoRoot, 'dist', 'THIRD_PARTY_NOTICES.md'), 'utf8');
      assert.match(notices, /^\| @aws-cdk\/aws-service-spec \| [^|]+ \| Apache-2\.0 \| \[/m);
      const ignore = readFileSync(join(repoRoot, '.vscodeignore'), 'utf8');
      assert.match(ignore, /^!dist\/iac\/\*\.json\.br$/m);
      assert.doesNotMatch(ignore, /^!dist\/iac\/\*\.json$/m, 'only the brotli files ship');
    });

    it('reports broken references, unknown types and attributes, unknown and missing required properties', () => {
      const template = parseTemplate(TEMPLATE);
      const diagnostics = templateDiagnostics(template, types);
      const found = diagnostics.map((d) => [d.code, template.text.slice(d.start, d.end)]);
      assert.deepEqual(found, [
        ['broken-reference', 'Subnett'],
        ['unknown-attribute', 'Vpc'],
        ['unknown-property', 'VolumeSise'],
        ['unknown-type', 'AWS::S3::Buckett'],
        ['unknown-property', 'Colour'],
        ['missing-required-property', 'Properties'],
      ]);
      const byCode = new Map([...diagnostics].reverse().map((d) => [d.code, d.message]));
      assert.match(byCode.get('unknown-type')!, /Did you mean AWS::S3::Bucket\?/);
      assert.match(byCode.get('unknown-property')!, /Did you mean VolumeSize\?/);
      assert.match(byCode.get('missing-required-property')!, /GroupDescription/);
      assert.match(byCode.get('unknown-attribute')!, /NoSuch/);
      assert.ok(diagnostics.every((d) => d.severity === 'error'));
    });

    it('without type knowledge, says the types were not checked instead of passing them', () => {
      const diagnostics = templateDiagnostics(parseTemplate(TEMPLATE), undefined);
      assert.deepEqual(
        diagnostics.map((d) => d.code),
        ['broken-reference', 'types-unavailable'],
      );
    });

    it('a clean template has no diagnostics, JSON too', () => {
      const yaml = `Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "\${AWS::StackName}-q"
      RedrivePolicy: { deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 3 }
  Dlq:
    Type: AWS::SQS::Queue
  Handler:
    Type: Custom::Anything
    Properties:
      Whatever: !GetAtt Dlq.QueueName
Outputs:
  Custom:
    Value: !GetAtt Handler.AnyAttribute
`;
      assert.deepEqual(templateDiagnostics(parseTemplate(yaml), types), []);
      const json = JSON.stringify({
        Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { Ref: 'AWS::StackName' } } } },
      });
      assert.deepEqual(templateDiagnostics(parseTemplate(json), types), []);
    });

    it('outlines sections and their definitions', () => {
      const template = parseTemplate(TEMPLATE);
      const symbols = documentSymbols(template);
      assert.deepEqual(
        symbols.map((s) => s.name),
        ['AWSTemplateFormatVersion', 'Parameters', 'Conditions', 'Resources', 'Outputs'],
      );
      const resources = symbols.find((s) => s.name === 'Resources')!;
      assert.deepEqual(
        resources.children.map((c) => [c.name, c.detail, c.kind]),
        [
          ['Vpc', 'AWS::EC2::VPC', 'resource'],
          ['Web', 'AWS::EC2::Instance', 'resource'],
          ['Bucket', 'AWS::S3::Buckett', 'resource'],
          ['Group', 'AWS::EC2::SecurityGroup', 'resource'],
        ],
      );
      const web = resources.children[1];
      assert.equal(template.text.slice(web.selection.start, web.selection.end), 'Web');
      assert.ok(template.text.slice(web.range.start, web.range.end).includes('VolumeSise'));
    });

    it('goes to definitions and finds references from a reference or a definition', () => {
      const template = parseTemplate(TEMPLATE);
      const fromRef = definitionAt(template, at(template, '!Ref InstanceType', 0, 6))!;
      assert.equal(fromRef.section, 'Parameters');
      assert.equal(template.text.slice(fromRef.keyStart, fromRef.keyEnd), 'InstanceType');
      assert.equal(definitionAt(template, at(template, 'DependsOn: Vpc', 0, 12))!.name, 'Vpc');
      assert.equal(definitionAt(template, at(template, 'Condition: IsProd', 0, 12))!.section, 'Conditions');
      assert.equal(definitionAt(template, at(template, '${Vpc.CidrBlock}', 0, 3))!.name, 'Vpc');
      assert.equal(definitionAt(template, at(template, '!Ref Subnett', 0, 6)), undefined);
      const vpcKey = at(template, '  Vpc:', 0, 3);
      const references = referencesAt(template, vpcKey, true).map((r) => template.text.slice(r.start, r.end));
      assert.deepEqual(references, ['Vpc', 'Vpc', 'Vpc', 'Vpc', 'Vpc']);
      assert.equal(referencesAt(template, at(template, 'IsProd:', 0, 1), false).length, 2);
    });

    it('hovers resource types, properties and references', () => {
      const template = parseTemplate(TEMPLATE);
      const type = hoverAt(template, at(template, 'AWS::EC2::Instance', 0, 3), types)!;
      assert.match(type.markdown, /\*\*AWS::EC2::Instance\*\*/);
      assert.match(type.markdown, /Primary identifier: InstanceId/);
      const property = hoverAt(template, at(template, 'ImageId:', 0, 2), types)!;
      assert.match(property.markdown, /\*\*ImageId\*\* — String/);
      const nested = hoverAt(template, at(template, 'VolumeSize:', 0, 2), types)!;
      assert.match(nested.markdown, /VolumeSize/);
      const reference = hoverAt(template, at(template, '!Ref InstanceType', 0, 7), types)!;
      assert.match(reference.markdown, /parameter \(String\), default `t3.micro`/);
      assert.equal(hoverAt(template, at(template, 'Colour', 0, 1), types), undefined);
    });

    it('completes sections, resource types, properties (nested, in list items) and references', () => {
      const complete = (text: string, marker = '|') => {
        const offset = text.indexOf(marker);
        const template = parseTemplate(text.replace(marker, ''));
        return completionsAt(template, offset, types);
      };
      const typeItems = complete('Resources:\n  A:\n    Type: AWS::S3::B|\n');
      assert.ok(typeItems.some((item) => item.label === 'AWS::S3::Bucket' && item.kind === 'resource-type'));
      assert.ok(typeItems.length >= 1500);
      const props = complete(
        'Resources:\n  A:\n    Type: AWS::EC2::Subnet\n    Properties:\n      CidrBlock: x\n      V|\n',
      );
      assert.ok(props.some((item) => item.label === 'VpcId' && item.preselect));
      assert.ok(!props.some((item) => item.label === 'CidrBlock'), 'present properties are not offered again');
      const nested = complete(
        'Resources:\n  A:\n    Type: AWS::EC2::Instance\n    Properties:\n      BlockDeviceMappings:\n        - DeviceName: x\n          Ebs:\n            V|\n',
      );
      assert.ok(nested.some((item) => item.label === 'VolumeSize'));
      const listItem = complete(
        'Resources:\n  A:\n    Type: AWS::EC2::Instance\n    Properties:\n      BlockDeviceMappings:\n        - D|\n',
      );
      assert.ok(listItem.some((item) => item.label === 'DeviceName'));
      const attributes = complete('Resources:\n  A:\n    Type: AWS::SQS::Queue\n    D|\n');
      assert.ok(attributes.some((item) => item.label === 'DependsOn'));
      const sections = complete('AWSTemplateFormatVersion: "2010-09-09"\nR|\n');
      assert.ok(sections.some((item) => item.label === 'Resources'));
      const refs = complete(
        'Parameters:\n  P:\n    Type: String\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref |\n',
      );
      assert.deepEqual(
        refs.filter((item) => item.detail !== 'pseudo parameter').map((item) => item.label),
        ['P', 'Q'],
      );
      const json = complete('{"Resources": {"A": {"Type": "AWS::SQS::Queue", "Properties": {"Que|"}}}}');
      assert.ok(json.some((item) => item.label === 'QueueName'));
      const jsonType = complete('{"Resources": {"A": {"Type": "AWS::SQS::Q|"}}}');
      assert.ok(jsonType.some((item) => item.label === 'AWS::SQS::Queue'));
    });
  });
