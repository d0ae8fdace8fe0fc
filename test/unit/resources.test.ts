import * as assert from 'node:assert/strict';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import * as sinon from 'sinon';
import type { AwsConnection } from '../../src/core/aws/connection';
import { consoleUrl } from '../../src/core/resources/consoleLinks';
import { ec2InstanceLister } from '../../src/core/resources/ec2';
import type { ResourceSummary } from '../../src/core/resources/model';
import { stackStatusTone } from '../../src/core/resources/cloudformation';
import { describePorts, exposesAdminPort, isPublicSubnet } from '../../src/core/resources/vpc';
import { readsThroughRunner } from '../support/resourceReads';

const resource: ResourceSummary = {
  type: 'ec2:instance',
  id: 'i-0abc',
  name: 'web-1',
  details: [],
  tags: { Environment: 'production', Role: 'web' },
  raw: {},
};

// The explorer filter: test/unit/explorerFilter.test.ts.

describe('resource helpers', () => {
  it('classifies subnets as public only when their route table reaches an internet gateway', () => {
    const tables = [
      {
        RouteTableId: 'rtb-main',
        VpcId: 'vpc-1',
        Associations: [{ Main: true }],
        Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local' }],
      },
      {
        RouteTableId: 'rtb-pub',
        VpcId: 'vpc-1',
        Associations: [{ SubnetId: 'subnet-pub' }],
        Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1' }],
      },
      {
        RouteTableId: 'rtb-nat',
        VpcId: 'vpc-1',
        Associations: [{ SubnetId: 'subnet-nat' }],
        Routes: [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1' }],
      },
    ];
    assert.equal(isPublicSubnet({ SubnetId: 'subnet-pub', VpcId: 'vpc-1' }, tables), true);
    assert.equal(isPublicSubnet({ SubnetId: 'subnet-nat', VpcId: 'vpc-1' }, tables), false);
    assert.equal(
      isPublicSubnet({ SubnetId: 'subnet-other', VpcId: 'vpc-1' }, tables),
      false,
      'falls back to the main table',
    );
  });
  it('describes security group ports', () => {
    assert.equal(describePorts({ IpProtocol: '-1' }), 'all traffic');
    assert.equal(describePorts({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22 }), 'tcp/22');
    assert.equal(describePorts({ IpProtocol: 'tcp', FromPort: 1024, ToPort: 2048 }), 'tcp/1024-2048');
  });
  it('flags admin ports open to the internet, not public web ports', () => {
    assert.equal(exposesAdminPort({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22 }, '0.0.0.0/0'), true);
    assert.equal(
      exposesAdminPort({ IpProtocol: 'tcp', FromPort: 3000, ToPort: 4000 }, '::/0'),
      true,
      'a range covering RDP',
    );
    assert.equal(exposesAdminPort({ IpProtocol: '-1' }, '0.0.0.0/0'), true);
    assert.equal(exposesAdminPort({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }, '0.0.0.0/0'), false);
    assert.equal(exposesAdminPort({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22 }, '10.0.0.0/16'), false);
  });
  it('maps CloudFormation statuses to tones', () => {
    assert.equal(stackStatusTone('CREATE_COMPLETE'), 'ok');
    assert.equal(stackStatusTone('UPDATE_IN_PROGRESS'), 'transitional');
    assert.equal(stackStatusTone('UPDATE_ROLLBACK_COMPLETE'), 'error');
    assert.equal(stackStatusTone('CREATE_FAILED'), 'error');
  });
  it('builds console links per type and region', () => {
    assert.equal(
      consoleUrl(resource, 'eu-west-1'),
      'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#InstanceDetails:instanceId=i-0abc',
    );
    assert.match(
      consoleUrl({ type: 'drs:source-server', id: 's-123', name: 'x' }, 'us-east-1') ?? '',
      /drs\/home\?region=us-east-1#\/sourceServers\/s-123$/,
    );
    assert.equal(consoleUrl({ type: 'ec2:route', id: 'r', name: 'r' }, 'us-east-1'), undefined);
  });
});

describe('paged listers', () => {
  const fakeConnection = (send: sinon.SinonStub) =>
    ({
      client: async () => ({ send }),
      identity: async () => ({ account: '123456789012', arn: 'arn:aws:iam::123456789012:user/test', userId: 'x' }),
    }) as unknown as AwsConnection;

  it('makes one DescribeInstances call per page, through the registered read operation, and passes the continuation token', async () => {
    const send = sinon.stub();
    send.onFirstCall().resolves({
      Reservations: [
        { Instances: [{ InstanceId: 'i-1', State: { Name: 'running' }, Tags: [{ Key: 'Name', Value: 'one' }] }] },
      ],
      NextToken: 'page-2',
    });
    send
      .onSecondCall()
      .resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-2', State: { Name: 'pending' } }] }] });
    const reads = readsThroughRunner(fakeConnection(send));
    const first = await ec2InstanceLister.list(reads, { region: 'us-east-1', pageSize: 1 });
    assert.deepEqual(
      first.items.map((item) => [item.id, item.name, item.stateTone]),
      [['i-1', 'one', 'ok']],
    );
    assert.equal(first.nextToken, 'page-2');
    assert.equal(first.items[0].arn, 'arn:aws:ec2:us-east-1:123456789012:instance/i-1');
    const second = await ec2InstanceLister.list(reads, {
      region: 'us-east-1',
      pageSize: 1,
      nextToken: first.nextToken,
    });
    assert.deepEqual(
      second.items.map((item) => [item.id, item.stateTone]),
      [['i-2', 'transitional']],
    );
    assert.equal(second.nextToken, undefined);
    assert.equal(send.callCount, 2);
    const [firstCommand, secondCommand] = send.getCalls().map((call) => call.args[0]);
    assert.ok(firstCommand instanceof DescribeInstancesCommand);
    assert.equal(firstCommand.input.MaxResults, 5, 'page size is clamped to the API minimum');
    assert.equal(firstCommand.input.NextToken, undefined);
    assert.equal(secondCommand.input.NextToken, 'page-2');
  });

  it('throws the AWS error itself when a read fails, and names refusals by their code', async () => {
    const denied = Object.assign(new Error('You are not authorized to perform this operation.'), {
      name: 'UnauthorizedOperation',
      $metadata: { httpStatusCode: 403 },
    });
    const reads = readsThroughRunner(fakeConnection(sinon.stub().rejects(denied)));
    await assert.rejects(
      ec2InstanceLister.list(reads, { region: 'us-east-1', pageSize: 100 }),
      (error) => error === denied,
    );
    await assert.rejects(
      reads.read('ec2.instances.list', { maxResults: 1 }, 'us-east-1'),
      (error: Error) => error.name === 'invalid-input' && /maxResults/.test(error.message),
    );
    await assert.rejects(
      reads.read('ec2.instances.fly', {}, 'us-east-1'),
      (error: Error) => error.name === 'unknown-operation',
    );
  });
});
