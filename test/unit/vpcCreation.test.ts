import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteRouteTableCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeAvailabilityZonesCommand,
  DescribeNatGatewaysCommand,
  DetachInternetGatewayCommand,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  ReleaseAddressCommand,
} from '@aws-sdk/client-ec2';
import { AuditTrail, readAuditTrail } from '../../src/core/audit';
import { resolveGuardrailPolicy } from '../../src/core/guardrails';
import { createOperationRegistry, OperationRunner } from '../../src/core/operations';
import { FakeAwsClient, tempDir } from '../support/operationHarness';

describe('VPC creation', () => {
  function fakeEc2(failNat: boolean) {
    let counter = 0;
    const id = (prefix: string) => `${prefix}-0000000000000000${(counter++).toString(16)}`;
    const ok = () => ({});
    return new FakeAwsClient()
      .on(DescribeAvailabilityZonesCommand, () => ({
        AvailabilityZones: ['us-east-1c', 'us-east-1a', 'us-east-1b'].map((ZoneName) => ({
          ZoneName,
          ZoneType: 'availability-zone',
        })),
      }))
      .on(CreateVpcCommand, () => ({ Vpc: { VpcId: id('vpc') } }))
      .on(ModifyVpcAttributeCommand, ok)
      .on(CreateInternetGatewayCommand, () => ({ InternetGateway: { InternetGatewayId: id('igw') } }))
      .on(AttachInternetGatewayCommand, ok)
      .on(CreateRouteTableCommand, () => ({ RouteTable: { RouteTableId: id('rtb') } }))
      .on(CreateRouteCommand, ok)
      .on(CreateSubnetCommand, () => ({ Subnet: { SubnetId: id('subnet') } }))
      .on(ModifySubnetAttributeCommand, ok)
      .on(AssociateRouteTableCommand, ok)
      .on(AllocateAddressCommand, () => ({ AllocationId: id('eipalloc') }))
      .on(CreateNatGatewayCommand, () => {
        if (failNat)
          throw Object.assign(new Error('NAT gateway limit exceeded'), {
            name: 'NatGatewayLimitExceeded',
            $metadata: { httpStatusCode: 400 },
          });
        return { NatGateway: { NatGatewayId: id('nat') } };
      })
      .on(DescribeNatGatewaysCommand, (input) => ({
        NatGateways: (input.NatGatewayIds ?? []).map((NatGatewayId) => ({ NatGatewayId, State: 'available' })),
      }))
      .on(ReleaseAddressCommand, ok)
      .on(DeleteSubnetCommand, ok)
      .on(DeleteRouteTableCommand, ok)
      .on(DetachInternetGatewayCommand, ok)
      .on(DeleteInternetGatewayCommand, ok)
      .on(DeleteVpcCommand, ok);
  }

  async function run(fake: FakeAwsClient) {
    const dir = tempDir();
    const runner = new OperationRunner({
      registry: createOperationRegistry(),
      connection: {
        region: 'us-east-1',
        identity: async () => ({ account: '111122223333', arn: 'arn:aws:iam::111122223333:user/x' }),
        client: async <C>() => fake as unknown as C,
      },
      policy: resolveGuardrailPolicy({}).policy,
      audit: new AuditTrail(join(dir.path, 'audit.jsonl')),
      sleep: async () => undefined,
    });
    const outcome = await runner.run(
      'ec2.vpcs.create',
      {
        name: 'shop',
        cidrBlock: '10.1.0.0/16',
        availabilityZoneCount: 2,
        natGateways: 'single',
        tags: { Environment: 'dev' },
      },
      { caller: 'chat', mode: 'execute' },
    );
    const records = await readAuditTrail(join(dir.path, 'audit.jsonl'));
    dir.cleanup();
    return { outcome, records };
  }

  it('lays subnets out across the first N zones in order, public then private', async () => {
    const fake = fakeEc2(false);
    const { outcome } = await run(fake);
    assert.equal(outcome.status, 'succeeded', JSON.stringify(outcome.error));
    const subnets = fake.inputsOf(CreateSubnetCommand).map((input) => `${input.CidrBlock}@${input.AvailabilityZone}`);
    assert.deepEqual(subnets, [
      '10.1.0.0/24@us-east-1a',
      '10.1.1.0/24@us-east-1b',
      '10.1.2.0/24@us-east-1a',
      '10.1.3.0/24@us-east-1b',
    ]);
    const routes = fake.inputsOf(CreateRouteCommand);
    assert.ok(routes[0].GatewayId?.startsWith('igw-'), 'public default route via the internet gateway');
    assert.ok(routes[1].NatGatewayId?.startsWith('nat-'), 'private default route via the NAT gateway');
    assert.equal(fake.inputsOf(AssociateRouteTableCommand).length, 4);
    assert.ok(outcome.resourceIds.some((resourceId) => resourceId.startsWith('vpc-')));
  });

  it('undoes every step in reverse order when a later step fails, and says so', async () => {
    const fake = fakeEc2(true);
    const { outcome, records } = await run(fake);
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.error?.code, 'NatGatewayLimitExceeded');
    assert.match(outcome.error!.message, /The 9 step\(s\) done before the failure were undone\./);
    const undo = fake.names().slice(fake.names().indexOf('CreateNatGateway') + 1);
    assert.deepEqual(undo, [
      'ReleaseAddress',
      'DeleteSubnet',
      'DeleteSubnet',
      'DeleteSubnet',
      'DeleteSubnet',
      'DeleteRouteTable',
      'DetachInternetGateway',
      'DeleteInternetGateway',
      'DeleteVpc',
    ]);
    assert.equal(records.at(-1)?.outcome, 'failed');
  });
});
