import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { cidrSubnets, evaluateTemplate, TemplateEvaluator } from '../../src/core/iac/cloudformation/evaluate';
import { compareResource, summarize } from '../../src/core/iac/drift/compare';
import { isUnresolved, Unresolved } from '../../src/core/iac/drift/values';

const template = {
  Parameters: {
    Env: { Type: 'String', Default: 'dev' },
    Name: { Type: 'String', Default: 'demo' },
    Cidrs: { Type: 'CommaDelimitedList', Default: '10.0.0.0/24, 10.0.1.0/24' },
    Secret: { Type: 'String', NoEcho: true },
    Ami: { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/aws/service/ami' },
  },
  Conditions: {
    IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
    NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
    Both: { 'Fn::And': [{ Condition: 'NotProd' }, { 'Fn::Equals': ['a', 'a'] }] },
    Either: { 'Fn::Or': [{ Condition: 'IsProd' }, { 'Fn::Equals': [{ Ref: 'Secret' }, 'x'] }] },
    Loop: { 'Fn::Not': [{ Condition: 'Loop' }] },
  },
  Mappings: { Sizes: { dev: { Web: 't3.micro' }, prod: { Web: 't3.large' } } },
  Resources: {
    Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
    Subnet: {
      Type: 'AWS::EC2::Subnet',
      Properties: {
        VpcId: { Ref: 'Vpc' },
        CidrBlock: { 'Fn::Select': [1, { Ref: 'Cidrs' }] },
        AvailabilityZone: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
      },
    },
    Web: {
      Type: 'AWS::EC2::Instance',
      Properties: {
        InstanceType: { 'Fn::FindInMap': ['Sizes', { Ref: 'Env' }, 'Web'] },
        ImageId: { Ref: 'Ami' },
        SubnetId: { Ref: 'Subnet' },
        KeyName: { 'Fn::If': ['IsProd', 'prod-key', { Ref: 'AWS::NoValue' }] },
        UserData: { 'Fn::Base64': { 'Fn::Sub': '#!/bin/bash\necho ${Name} ${AWS::Region} ${!Literal}' } },
        Tags: [
          { Key: 'Name', Value: { 'Fn::Join': ['-', [{ Ref: 'Name' }, 'web', { Ref: 'AWS::StackName' }]] } },
          { Key: 'Vpc', Value: { 'Fn::Sub': ['${V}/${Vpc.CidrBlock}', { V: { Ref: 'Vpc' } }] } },
          { Key: 'Parts', Value: { 'Fn::Select': [1, { 'Fn::Split': ['/', '10.0.0.0/16'] }] } },
        ],
      },
    },
    ProdOnly: { Type: 'AWS::EC2::VPC', Condition: 'IsProd', Properties: { CidrBlock: '10.9.0.0/16' } },
    Unknowable: { Type: 'AWS::EC2::VPC', Condition: 'Either', Properties: {} },
  },
  Outputs: { Id: { Value: { Ref: 'Web' } } },
};

const context = {
  parameters: { Name: 'shop' },
  pseudo: { region: 'us-east-1', accountId: '123456789012', stackName: 'st' },
  physicalIds: { Vpc: 'vpc-1', Subnet: 'subnet-1', Web: 'i-1' },
  attribute: (logicalId: string, attribute: string) =>
    logicalId === 'Vpc' && attribute === 'CidrBlock' ? '10.0.0.0/16' : undefined,
};

describe('CloudFormation intrinsic evaluation', () => {
  it('resolves parameters, pseudo parameters, Ref, Sub, Join, Select, Split, FindInMap, If and Base64', () => {
    const result = evaluateTemplate(template, context);
    const web = result.resources.find((r) => r.logicalId === 'Web')!;
    assert.equal(web.properties.InstanceType, 't3.micro');
    assert.equal(web.properties.SubnetId, 'subnet-1');
    assert.ok(!('KeyName' in web.properties), 'AWS::NoValue removes the key');
    assert.equal(
      Buffer.from(web.properties.UserData as string, 'base64').toString('utf8'),
      '#!/bin/bash\necho shop us-east-1 ${Literal}',
    );
    assert.deepEqual(web.properties.Tags, [
      { Key: 'Name', Value: 'shop-web-st' },
      { Key: 'Vpc', Value: 'vpc-1/10.0.0.0/16' },
      { Key: 'Parts', Value: '16' },
    ]);
    const subnet = result.resources.find((r) => r.logicalId === 'Subnet')!;
    assert.equal(subnet.properties.CidrBlock, '10.0.1.0/24', 'CommaDelimitedList items are trimmed');
    assert.ok(isUnresolved(subnet.properties.AvailabilityZone), 'GetAZs without known zones is unknown');
    assert.equal(result.outputs.Id, 'i-1');
  });

  it('gives unknown (never a guess) for SSM parameters, NoEcho values and undeployed resources', () => {
    const result = evaluateTemplate(template, { ...context, physicalIds: {} });
    const web = result.resources.find((r) => r.logicalId === 'Web')!;
    assert.ok(isUnresolved(web.properties.ImageId));
    assert.ok(isUnresolved(web.properties.SubnetId));
    const withResolved = evaluateTemplate(template, { ...context, parameters: { Ami: 'ami-123' } });
    assert.equal(withResolved.resources.find((r) => r.logicalId === 'Web')!.properties.ImageId, 'ami-123');
  });

  it('evaluates conditions in three values, including cycles', () => {
    const evaluator = new TemplateEvaluator(template, context);
    assert.equal(evaluator.condition('IsProd'), false);
    assert.equal(evaluator.condition('NotProd'), true);
    assert.equal(evaluator.condition('Both'), true);
    assert.ok(isUnresolved(evaluator.condition('Either')), 'Or with false and unknown is unknown');
    assert.ok(isUnresolved(evaluator.condition('Loop')));
    const result = evaluateTemplate(template, { ...context, parameters: { Env: 'prod' } });
    assert.equal(result.resources.find((r) => r.logicalId === 'ProdOnly')!.active, true);
    assert.equal(result.resources.find((r) => r.logicalId === 'Unknowable')!.active, true, 'Or with true is true');
    const dev = evaluateTemplate(template, context);
    assert.equal(dev.resources.find((r) => r.logicalId === 'ProdOnly')!.active, false);
    assert.equal(dev.resources.find((r) => r.logicalId === 'Unknowable')!.active, 'unknown');
  });

  it('computes Fn::Cidr like CloudFormation', () => {
    assert.deepEqual(cidrSubnets('10.0.0.0/16', 3, 8), ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']);
    assert.deepEqual(cidrSubnets('192.168.0.0/24', 2, 6), ['192.168.0.0/26', '192.168.0.64/26']);
    assert.ok(isUnresolved(cidrSubnets('10.0.0.0/24', 5, 8)));
  });

  it('never throws and never resolves a value built on an unknown (property-based)', () => {
    const leaf = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.integer(),
      fc.constantFrom({ Ref: 'Secret' }, { Ref: 'Nope' }, { 'Fn::GetAtt': ['Vpc', 'Nothing'] }, { 'Fn::GetAZs': '' }),
    );
    const node = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.record({ 'Fn::Join': fc.tuple(fc.constant(','), fc.array(tie('value'), { maxLength: 3 })) }),
        fc.record({ 'Fn::Sub': fc.constantFrom('${Name}', '${Secret}-x', '${Vpc.CidrBlock}', '${!x}') }),
        fc.record({
          'Fn::Select': fc.tuple(fc.integer({ min: -1, max: 3 }), fc.array(tie('value'), { maxLength: 3 })),
        }),
        fc.record({ 'Fn::If': fc.tuple(fc.constantFrom('IsProd', 'Either', 'Missing'), tie('value'), tie('value')) }),
        fc.record({ 'Fn::Base64': tie('value') }),
        fc.array(tie('value'), { maxLength: 3 }),
      ),
    }));
    fc.assert(
      fc.property(node.value, (value) => {
        const evaluator = new TemplateEvaluator(template, context);
        const result = evaluator.value(value);
        // Anything that mentions only unknowable inputs must not come out as a plain string.
        if (JSON.stringify(value) === JSON.stringify({ Ref: 'Secret' })) assert.ok(isUnresolved(result));
        return true;
      }),
      { numRuns: 300 },
    );
  });
});

describe('drift comparison', () => {
  const rules = {
    compared: ['InstanceType', 'SecurityGroupIds', 'Tags', 'SecurityGroupIngress', 'Monitoring'],
    unordered: ['SecurityGroupIds', 'SecurityGroupIngress'],
    notCompared: { UserData: 'not read' },
  };

  it('reports in sync, drifted and unknown per property, with paths', () => {
    const result = compareResource({
      expected: {
        InstanceType: 't3.micro',
        SecurityGroupIds: ['sg-2', 'sg-1'],
        Tags: [
          { Key: 'Name', Value: 'web' },
          { Key: 'Tier', Value: new Unresolved('x') },
        ],
        SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: '443', ToPort: 443, CidrIp: '0.0.0.0/0' }],
        UserData: 'abc',
        Monitoring: true,
      },
      live: {
        InstanceType: 't3.large',
        SecurityGroupIds: ['sg-1', 'sg-2'],
        Tags: [
          { Key: 'Name', Value: 'web' },
          { Key: 'aws:cloudformation:stack-name', Value: 's' },
          { Key: 'Tier', Value: 'web' },
        ],
        SecurityGroupIngress: [
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0', Description: 'x' },
        ],
        Monitoring: 'true',
      },
      rules,
    });
    const byPath = Object.fromEntries(result.map((r) => [r.path.join('/'), r.status]));
    assert.deepEqual(byPath, {
      InstanceType: 'drifted',
      SecurityGroupIds: 'in-sync',
      'Tags/1/Value': 'unknown',
      SecurityGroupIngress: 'in-sync',
      UserData: 'unknown',
      Monitoring: 'in-sync',
    });
    assert.deepEqual(summarize(result), { drifted: 1, unknown: 2, inSync: 3 });
  });

  it('points at the missing rule and names extra live entries', () => {
    const result = compareResource({
      expected: { SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }] },
      live: { SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443, CidrIp: '0.0.0.0/0' }] },
      rules,
    });
    assert.deepEqual(
      result.map((r) => [r.path.join('/'), r.status]),
      [
        ['SecurityGroupIngress/0', 'drifted'],
        ['SecurityGroupIngress', 'drifted'],
      ],
    );
  });

  it('an unresolved value is never drift, whatever the live value (property-based)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...rules.compared, 'Other'), (live, property) => {
        const result = compareResource({
          expected: { [property]: new Unresolved('r') },
          live: { [property]: live },
          rules,
        });
        return result.every((r) => r.status === 'unknown');
      }),
    );
  });

  it('a value always matches itself, and live-only keys are defaults (property-based)', () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...rules.compared.filter((p) => p !== 'Tags')), json),
        json,
        (expected, extra) => {
          const live = Object.fromEntries(
            Object.entries(expected).map(([key, value]) => [
              key,
              value && typeof value === 'object' && !Array.isArray(value) ? { ...value, ZzDefault: extra } : value,
            ]),
          );
          return compareResource({ expected, live, rules }).every((r) => r.status === 'in-sync');
        },
      ),
    );
  });
});
