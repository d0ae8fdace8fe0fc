import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { flattenPermissions } from '../../src/core/iac/drift/live';
import { checkStackDrift } from '../../src/core/iac/drift/stackDrift';
import { findStacks, parseIacMapping, resourceSignature } from '../../src/core/iac/drift/stackLink';
import type { ResourceReads } from '../../src/core/resources/model';

type Answer = (input: Record<string, unknown>) => unknown;

/** Registered reads answered from a table, every call recorded. */
function fakeReads(answers: Record<string, Answer>): ResourceReads & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async read<Output>(operationId: string, input: Record<string, unknown>): Promise<Output> {
      calls.push(operationId);
      const answer = answers[operationId];
      if (!answer) throw Object.assign(new Error(`no answer for ${operationId}`), { name: 'UnexpectedRead' });
      return answer(input) as Output;
    },
    account: async () => '123456789012',
  };
}

const template = {
  Parameters: { Size: { Type: 'String', Default: 't3.micro' }, Secret: { Type: 'String', NoEcho: true } },
  Resources: {
    WebA: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: { Ref: 'Size' }, KeyName: { Ref: 'Secret' } } },
    WebB: {
      Type: 'AWS::EC2::Instance',
      Properties: { InstanceType: 't3.small', Tags: [{ Key: 'Ip', Value: { 'Fn::GetAtt': ['WebA', 'PrivateIp'] } }] },
    },
    Group: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: 'web',
        SecurityGroupIngress: [{ IpProtocol: 6, FromPort: '443', ToPort: 443, CidrIp: '0.0.0.0/0' }],
      },
    },
    Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'x' } },
    New: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
  },
  Outputs: { Ip: { Value: { 'Fn::GetAtt': ['WebB', 'PrivateIp'] } } },
};

function stackAnswers(overrides: Partial<Record<string, Answer>> = {}): Record<string, Answer> {
  return {
    'cloudformation.stacks.list': () => ({
      items: [
        {
          StackName: 's',
          StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1',
          StackStatus: 'UPDATE_COMPLETE',
          Parameters: [
            { ParameterKey: 'Size', ParameterValue: 't3.large' },
            { ParameterKey: 'Secret', ParameterValue: '****' },
          ],
          Outputs: [{ OutputKey: 'Ip', OutputValue: '10.0.0.9' }],
        },
      ],
    }),
    'cloudformation.stacks.resources': () => ({
      items: [
        { LogicalResourceId: 'WebA', PhysicalResourceId: 'i-0000000000000000a', ResourceType: 'AWS::EC2::Instance' },
        { LogicalResourceId: 'WebB', PhysicalResourceId: 'i-0000000000000000b', ResourceType: 'AWS::EC2::Instance' },
        {
          LogicalResourceId: 'Group',
          PhysicalResourceId: 'sg-0000000000000000c',
          ResourceType: 'AWS::EC2::SecurityGroup',
        },
        {
          LogicalResourceId: 'Topic',
          PhysicalResourceId: 'arn:aws:sns:us-east-1:1:x',
          ResourceType: 'AWS::SNS::Topic',
        },
      ],
    }),
    'ec2.instances.list': (input) => {
      const ids = (input.filters as Array<{ values: string[] }>)[0].values;
      assert.deepEqual(ids, ['i-0000000000000000a', 'i-0000000000000000b'], 'both instances in one read');
      return {
        items: [
          {
            InstanceId: 'i-0000000000000000a',
            InstanceType: 't3.large',
            PrivateIpAddress: '10.0.0.4',
            State: { Name: 'running' },
            KeyName: 'k',
          },
          {
            InstanceId: 'i-0000000000000000b',
            InstanceType: 't3.small',
            State: { Name: 'running' },
            Tags: [{ Key: 'Ip', Value: '10.0.0.4' }],
          },
        ],
      };
    },
    'ec2.securityGroups.list': () => ({
      items: [
        {
          GroupId: 'sg-0000000000000000c',
          Description: 'web',
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
          IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        },
      ],
    }),
    ...overrides,
  } as Record<string, Answer>;
}

describe('stack drift engine (fake reads)', () => {
  it('uses the stack values, reads each type once, and never calls unknown or unsupported things clean', async () => {
    const reads = fakeReads(stackAnswers());
    const report = await checkStackDrift({ template, stackName: 's', region: 'us-east-1', reads });
    const byId = Object.fromEntries(report.resources.map((resource) => [resource.logicalId, resource]));
    assert.equal(byId.WebA.status, 'in-sync', 'the stack value t3.large, not the default');
    assert.equal(byId.WebA.properties.find((p) => p.path[0] === 'KeyName')?.status, 'unknown', 'NoEcho is unknown');
    assert.equal(byId.WebB.status, 'in-sync', 'GetAtt from the live attribute');
    assert.equal(byId.Group.status, 'in-sync', 'protocol 6 is tcp; ports as text; default egress is not drift');
    assert.equal(byId.Topic.status, 'not-supported');
    assert.equal(byId.Topic.message, 'not supported yet: AWS::SNS::Topic');
    assert.equal(byId.New.status, 'not-deployed');
    assert.deepEqual(reads.calls.sort(), [
      'cloudformation.stacks.list',
      'cloudformation.stacks.resources',
      'ec2.instances.list',
      'ec2.securityGroups.list',
    ]);
    assert.equal(report.apiCalls, 4);
    assert.equal(report.resourceTypes, 4);
  });

  it('reports a failed live read as such, never as in sync', async () => {
    const reads = fakeReads(
      stackAnswers({
        'ec2.securityGroups.list': () => {
          throw Object.assign(new Error('UnauthorizedOperation: no'), { name: 'UnauthorizedOperation' });
        },
      }),
    );
    const report = await checkStackDrift({ template, stackName: 's', region: 'us-east-1', reads });
    const group = report.resources.find((resource) => resource.logicalId === 'Group')!;
    assert.equal(group.status, 'read-failed');
    assert.match(group.message!, /UnauthorizedOperation/);
  });

  it('marks a resource missing from its read as deleted', async () => {
    const reads = fakeReads(stackAnswers({ 'ec2.securityGroups.list': () => ({ items: [] }) }));
    const report = await checkStackDrift({ template, stackName: 's', region: 'us-east-1', reads });
    assert.equal(report.resources.find((resource) => resource.logicalId === 'Group')!.status, 'deleted');
    assert.equal(report.counts.deleted, 1);
  });
});

describe('live security group rules', () => {
  it('flattens IpPermissions into one CloudFormation rule per source', () => {
    assert.deepEqual(
      flattenPermissions(
        [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: '10.0.0.0/8', Description: 'ssh' }, { CidrIp: '192.168.0.0/16' }],
            UserIdGroupPairs: [{ GroupId: 'sg-1', UserId: '1' }],
          },
          { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
        ],
        'ingress',
      ),
      [
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '10.0.0.0/8', Description: 'ssh' },
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '192.168.0.0/16' },
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, SourceSecurityGroupId: 'sg-1', SourceSecurityGroupOwnerId: '1' },
        { IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv6: '::/0' },
      ],
    );
  });
});

describe('template ↔ stack link', () => {
  it('reads stack names only from .pilotlight/iac.json', () => {
    const mapping = parseIacMapping(
      JSON.stringify({
        cloudformation: {
          'infra/app.yaml': 'app-prod',
          './web.yaml': 'web',
          '/etc/passwd': 'x',
          '../outside.yaml': 'x',
          'endpoint.yaml': { stackName: 'x', endpoint: 'http://evil' },
          'bad.yaml': 'not a stack name!',
        },
        endpointUrl: 'http://evil',
      }),
    );
    assert.deepEqual(
      [...mapping.cloudformation],
      [
        ['infra/app.yaml', 'app-prod'],
        ['web.yaml', 'web'],
      ],
    );
    assert.equal(mapping.problems.length, 5);
    assert.match(parseIacMapping('x'.repeat(70_000)).problems[0], /larger than/);
  });

  it('never throws on any JSON (property-based)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const mapping = parseIacMapping(JSON.stringify(value) ?? 'null');
        for (const stack of mapping.cloudformation.values()) assert.match(stack, /^[a-zA-Z][-a-zA-Z0-9]*$/);
      }),
    );
  });

  it('finds the stack by mapping, by tag, then by the same resources', async () => {
    const parsedTemplates: Record<string, unknown> = {
      a: { Resources: { Web: { Type: 'AWS::EC2::Instance' } } },
      b: { Resources: { Web: { Type: 'AWS::EC2::Instance' }, Db: { Type: 'AWS::EC2::Instance' } } },
    };
    const reads = fakeReads({
      'cloudformation.stacks.list': () => ({
        items: [
          { StackName: 'a', StackStatus: 'CREATE_COMPLETE' },
          {
            StackName: 'b',
            StackStatus: 'CREATE_COMPLETE',
            Tags: [{ Key: 'pilot-light:template', Value: 'other.yaml' }],
          },
        ],
      }),
      'cloudformation.stacks.template': (input) => ({ templateBody: String(input.stackName) }),
    });
    const base = { reads, region: 'us-east-1', parse: (body: string) => parsedTemplates[body] };
    const mapping = parseIacMapping(JSON.stringify({ cloudformation: { 'mapped.yaml': 'c' } }));
    assert.deepEqual(await findStacks({ ...base, relativePath: 'mapped.yaml', template: {}, mapping }), [
      { stackName: 'c', reason: 'mapping' },
    ]);
    assert.deepEqual(
      (await findStacks({ ...base, relativePath: 'other.yaml', template: {} })).map((c) => [c.stackName, c.reason]),
      [['b', 'tag']],
    );
    assert.deepEqual(
      (await findStacks({ ...base, relativePath: 'x.yaml', template: parsedTemplates.a })).map((c) => [
        c.stackName,
        c.reason,
      ]),
      [['a', 'same resources']],
    );
    assert.equal(resourceSignature(parsedTemplates.b), 'Db:AWS::EC2::Instance\nWeb:AWS::EC2::Instance');
  });
});
