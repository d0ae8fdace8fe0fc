import * as assert from 'node:assert/strict';
import { parseStateV4, parseTerraform, terraformDrift } from '../../src/core/iac/terraform';
import type { ResourceReads } from '../../src/core/resources/model';

/** Registered reads answered from a table by operation, filtered by the IDs asked for. */
function fakeReads(items: Record<string, Array<Record<string, unknown>>>, idKey: Record<string, string>) {
  const calls: string[] = [];
  const reads: ResourceReads & { calls: string[] } = {
    calls,
    async read<Output>(operationId: string, input: Record<string, unknown>): Promise<Output> {
      calls.push(operationId);
      const ids = (input.filters as Array<{ values: string[] }>)[0].values;
      return {
        items: (items[operationId] ?? []).filter((item) => ids.includes(String(item[idKey[operationId]]))),
      } as Output;
    },
    account: async () => '123456789012',
  };
  return reads;
}

const tf = `resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags       = { Name = "main" }
}
resource "aws_nat_gateway" "nat" {
  subnet_id = "subnet-1"
}
resource "aws_security_group" "web" {
  name = "web"
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;

const state = parseStateV4(
  JSON.stringify({
    version: 4,
    resources: [
      { mode: 'managed', type: 'aws_vpc', name: 'main', instances: [{ attributes: { id: 'vpc-1' } }] },
      { mode: 'managed', type: 'aws_nat_gateway', name: 'nat', instances: [{ attributes: { id: 'nat-1' } }] },
      { mode: 'managed', type: 'aws_security_group', name: 'web', instances: [{ attributes: { id: 'sg-1' } }] },
    ],
  }),
);

const ID_KEYS = {
  'ec2.vpcs.list': 'VpcId',
  'ec2.natGateways.list': 'NatGatewayId',
  'ec2.securityGroups.list': 'GroupId',
};

describe('Terraform drift on the shared comparator and reads (unit)', () => {
  it('has the CloudFormation meaning: extra live tags drift, aws: tags and live-only rule fields do not', async () => {
    const reads = fakeReads(
      {
        'ec2.vpcs.list': [
          {
            VpcId: 'vpc-1',
            CidrBlock: '10.0.0.0/16',
            Tags: [
              { Key: 'Name', Value: 'main' },
              { Key: 'aws:cloudformation:stack-name', Value: 's' },
              { Key: 'Owner', Value: 'someone' },
            ],
          },
        ],
        'ec2.natGateways.list': [{ NatGatewayId: 'nat-1', SubnetId: 'subnet-1', State: 'available' }],
        'ec2.securityGroups.list': [
          {
            GroupId: 'sg-1',
            GroupName: 'web',
            IpPermissions: [
              {
                IpProtocol: 'tcp',
                FromPort: 443,
                ToPort: 443,
                IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'https' }],
              },
            ],
          },
        ],
      },
      ID_KEYS,
    );
    const report = await terraformDrift([{ uri: 'main.tf', doc: await parseTerraform(tf) }], state, reads, 'us-east-1');
    const attributes = (address: string) =>
      Object.fromEntries(
        report.resources
          .find((resource) => resource.address === address)!
          .attributes.map((a) => [a.attribute, a.status]),
      );
    assert.deepEqual(attributes('aws_vpc.main'), { cidr_block: 'in-sync', tags: 'drifted' });
    assert.deepEqual(attributes('aws_nat_gateway.nat'), { subnet_id: 'in-sync' });
    assert.deepEqual(attributes('aws_security_group.web'), { name: 'in-sync', ingress: 'in-sync' });
    assert.deepEqual(reads.calls.sort(), ['ec2.natGateways.list', 'ec2.securityGroups.list', 'ec2.vpcs.list']);
    assert.equal(report.apiCalls, 3);
  });

  it('marks a NAT gateway being deleted as deleted, and a failed read as an error, never as in sync', async () => {
    const deleting = fakeReads({ 'ec2.natGateways.list': [{ NatGatewayId: 'nat-1', State: 'deleting' }] }, ID_KEYS);
    const report = await terraformDrift(
      [{ uri: 'main.tf', doc: await parseTerraform(tf) }],
      state,
      deleting,
      'us-east-1',
    );
    assert.equal(report.resources.find((resource) => resource.address === 'aws_nat_gateway.nat')!.status, 'deleted');
    const failing: ResourceReads = {
      read: async () => {
        throw new Error('UnauthorizedOperation: no');
      },
      account: async () => '123456789012',
    };
    await assert.rejects(
      terraformDrift([{ uri: 'main.tf', doc: await parseTerraform(tf) }], state, failing, 'us-east-1'),
      /UnauthorizedOperation/,
    );
  });
});
