import * as assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { completionsAt } from '../../src/core/iac/cloudformation/language';
import { loadCfnEnums } from '../../src/core/iac/cloudformation/languageEnums';
import { parseTemplate } from '../../src/core/iac/cloudformation/template';
import { loadCfnTypeKnowledge } from '../../src/core/iac/cloudformation/typeKnowledge';

const repoRoot = resolve(__dirname, '..', '..', '..');
const TYPES_FILE = join(repoRoot, 'dist', 'iac', 'cfn-types.json.br');
const ENUMS_FILE = join(repoRoot, 'dist', 'iac', 'cfn-enums.json.br');

const YAML = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Size:
    Type: String
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Web:
    Type: AWS::EC2::Instance
    Properties:
      MetadataOptions:
        HttpTokens: CURSOR
`;

/** The labels offered where `typed` replaces CURSOR. */
async function labelsAt(source: string, typed: string): Promise<string[]> {
  const text = source.replace('CURSOR', typed);
  const offset = source.indexOf('CURSOR') + typed.length;
  const [types, enums] = await Promise.all([loadCfnTypeKnowledge(TYPES_FILE), loadCfnEnums(ENUMS_FILE)]);
  return completionsAt(parseTemplate(text), offset, types, enums).map((item) => item.label);
}

describe('CloudFormation value completion (unit)', () => {
  it('offers the allowed values of a property from the specification', async () => {
    assert.deepEqual((await labelsAt(YAML, 're')).sort(), ['optional', 'required']);
    const enums = await loadCfnEnums(ENUMS_FILE);
    assert.deepEqual([...enums.allowedValues('AWS::EC2::Instance', ['MetadataOptions', 'HttpTokens'])!].sort(), [
      'optional',
      'required',
    ]);
    assert.equal(enums.allowedValues('AWS::EC2::Instance', ['ImageId']), undefined, 'a free string has none');
    assert.equal(enums.allowedValues('AWS::Nope::Nope', ['X']), undefined);
  });

  it('completes Ref targets after !Ref and Ref: in every YAML position', async () => {
    const expected = ['Size', 'Vpc', 'Web', 'AWS::Region'];
    for (const typed of ['!Ref ', '\n          - !Ref ', '[!Ref ', '{Ref: ']) {
      const labels = await labelsAt(YAML, typed);
      assert.ok(
        expected.every((label) => labels.includes(label)),
        `${JSON.stringify(typed)}: ${labels.join()}`,
      );
    }
  });

  it('completes Logical.Attribute after !GetAtt and in every Fn::GetAtt form, from the type knowledge', async () => {
    assert.ok((await labelsAt(YAML, '!GetAtt ')).includes('Vpc'));
    const dotted = await labelsAt(YAML, '!GetAtt Vpc.');
    assert.ok(dotted.includes('Vpc.CidrBlock') && dotted.includes('Vpc.DefaultSecurityGroup'), dotted.join());
    assert.ok((await labelsAt(YAML, '\n          Fn::GetAtt: Web.')).includes('Web.PrivateIp'));
    assert.deepEqual(await labelsAt(YAML, '\n          Fn::GetAtt: [W'), ['Vpc', 'Web']);
    assert.ok((await labelsAt(YAML, '\n          Fn::GetAtt: [Web, ')).includes('PrivateIp'));
    const blockList = '\n          Fn::GetAtt:\n            - Web\n            - ';
    assert.ok((await labelsAt(YAML, blockList)).includes('PublicDnsName'));
    assert.deepEqual(await labelsAt(YAML, '\n          Fn::GetAtt:\n            - '), ['Vpc', 'Web']);
  });

  it('completes Ref and Fn::GetAtt in JSON templates', async () => {
    const json = `{
  "Resources": {
    "Vpc": { "Type": "AWS::EC2::VPC", "Properties": { "CidrBlock": "10.0.0.0/16" } },
    "Web": { "Type": "AWS::EC2::Instance", "Properties": { "SubnetId": CURSOR } }
  }
}`;
    assert.ok((await labelsAt(json, '{ "Ref": "')).includes('Vpc'));
    assert.ok((await labelsAt(json, '{ "Fn::GetAtt": ["')).includes('Web'));
    const attributes = await labelsAt(json, '{ "Fn::GetAtt": ["Vpc", "');
    assert.ok(attributes.includes('CidrBlock') && !attributes.includes('Vpc'), attributes.join());
  });
});
