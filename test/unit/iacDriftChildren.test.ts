import * as assert from 'node:assert/strict';
import { checkStackDrift } from '../../src/core/iac/drift/stackDrift';
import type { ResourceReads } from '../../src/core/resources/model';

/** Registered reads answered from a table, every call recorded. */
function fakeReads(
  answers: Record<string, (input: Record<string, unknown>) => unknown>,
): ResourceReads & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async read<Output>(operationId: string, input: Record<string, unknown>): Promise<Output> {
      calls.push(operationId);
      const answer = answers[operationId];
      if (!answer) throw new Error(`no answer for ${operationId}`);
      return answer(input) as Output;
    },
    account: async () => '123456789012',
  };
}

const template = {
  Parameters: { Destination: { Type: 'String', NoEcho: true } },
  Resources: {
    Igw: { Type: 'AWS::EC2::InternetGateway', Properties: {} },
    Attach: {
      Type: 'AWS::EC2::VPCGatewayAttachment',
      Properties: { VpcId: 'vpc-1', InternetGatewayId: { Ref: 'Igw' } },
    },
    VpnAttach: { Type: 'AWS::EC2::VPCGatewayAttachment', Properties: { VpcId: 'vpc-1', VpnGatewayId: 'vgw-1' } },
    Routes: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: 'vpc-1' } },
    Default: {
      Type: 'AWS::EC2::Route',
      Properties: { RouteTableId: { Ref: 'Routes' }, DestinationCidrBlock: '0.0.0.0/0', GatewayId: { Ref: 'Igw' } },
    },
    Hidden: {
      Type: 'AWS::EC2::Route',
      Properties: { RouteTableId: { Ref: 'Routes' }, DestinationCidrBlock: { Ref: 'Destination' }, GatewayId: 'igw-1' },
    },
    Gone: {
      Type: 'AWS::EC2::Route',
      Properties: { RouteTableId: { Ref: 'Routes' }, DestinationCidrBlock: '10.9.0.0/16', GatewayId: 'igw-1' },
    },
    Assoc: {
      Type: 'AWS::EC2::SubnetRouteTableAssociation',
      Properties: { RouteTableId: { Ref: 'Routes' }, SubnetId: 'subnet-1' },
    },
  },
};

const physical: Record<string, string> = {
  Igw: 'igw-1',
  Attach: 'IGW|vpc-1',
  VpnAttach: 'VGW|vpc-1',
  Routes: 'rtb-1',
  Default: 'rtb-1|0.0.0.0/0',
  Hidden: 'rtb-1|hidden',
  Gone: 'rtb-1|10.9.0.0/16',
  Assoc: 'rtbassoc-1',
};

function answers(gatewayOfDefaultRoute: string) {
  return {
    'cloudformation.stacks.list': () => ({
      items: [
        {
          StackName: 's',
          StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1',
          Parameters: [{ ParameterKey: 'Destination', ParameterValue: '****' }],
        },
      ],
    }),
    'cloudformation.stacks.resources': () => ({
      items: Object.entries(physical).map(([LogicalResourceId, PhysicalResourceId]) => ({
        LogicalResourceId,
        PhysicalResourceId,
      })),
    }),
    'ec2.internetGateways.list': (input: Record<string, unknown>) => {
      assert.deepEqual(
        (input.filters as Array<{ values: string[] }>)[0].values,
        ['igw-1'],
        'the attachment reads its gateway',
      );
      return { items: [{ InternetGatewayId: 'igw-1', Attachments: [{ VpcId: 'vpc-1', State: 'available' }] }] };
    },
    'ec2.routeTables.list': (input: Record<string, unknown>) => {
      assert.deepEqual((input.filters as Array<{ values: string[] }>)[0].values, ['rtb-1'], 'one route table ID, once');
      return {
        items: [
          {
            RouteTableId: 'rtb-1',
            VpcId: 'vpc-1',
            Routes: [
              { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' },
              { DestinationCidrBlock: '0.0.0.0/0', GatewayId: gatewayOfDefaultRoute, State: 'active' },
            ],
            Associations: [
              {
                RouteTableAssociationId: 'rtbassoc-1',
                SubnetId: 'subnet-1',
                AssociationState: { State: 'associated' },
              },
            ],
          },
        ],
      };
    },
  };
}

describe('stack drift: routes, associations and gateway attachments (fake reads)', () => {
  it('reads them out of their parents, one read per parent type, and says what it cannot tell', async () => {
    const reads = fakeReads(answers('igw-1'));
    const report = await checkStackDrift({ template, stackName: 's', region: 'us-east-1', reads });
    const status = Object.fromEntries(report.resources.map((resource) => [resource.logicalId, resource.status]));
    assert.deepEqual(status, {
      Igw: 'in-sync',
      Attach: 'in-sync',
      VpnAttach: 'not-supported',
      Routes: 'in-sync',
      Default: 'in-sync',
      Hidden: 'unknown',
      Gone: 'deleted',
      Assoc: 'in-sync',
    });
    const byId = Object.fromEntries(report.resources.map((resource) => [resource.logicalId, resource]));
    assert.equal(byId.VpnAttach.message, 'not supported yet: AWS::EC2::VPCGatewayAttachment without InternetGatewayId');
    assert.deepEqual(
      byId.Default.properties.map((property) => [property.path.join('.'), property.status]),
      [
        ['RouteTableId', 'in-sync'],
        ['DestinationCidrBlock', 'in-sync'],
        ['GatewayId', 'in-sync'],
      ],
    );
    assert.deepEqual(reads.calls.sort(), [
      'cloudformation.stacks.list',
      'cloudformation.stacks.resources',
      'ec2.internetGateways.list',
      'ec2.routeTables.list',
    ]);
    assert.ok(report.liveReadCalls <= report.resourceTypes);
  });

  it('reports a route whose target changed out of band as drifted on that property', async () => {
    const report = await checkStackDrift({
      template,
      stackName: 's',
      region: 'us-east-1',
      reads: fakeReads(answers('igw-2')),
    });
    const route = report.resources.find((resource) => resource.logicalId === 'Default')!;
    assert.equal(route.status, 'drifted');
    assert.deepEqual(
      route.properties
        .filter((property) => property.status === 'drifted')
        .map((property) => [property.path[0], property.expected, property.live]),
      [['GatewayId', 'igw-1', 'igw-2']],
    );
  });
});
