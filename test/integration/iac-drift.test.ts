import * as assert from 'node:assert/strict';
import { resolve } from 'node:path';
import {
  DeleteRouteCommand,
  DetachInternetGatewayCommand,
  EC2Client,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { parseTemplate } from '../../src/core/iac/cloudformation/template';
import { checkStackDrift, type StackDriftReport } from '../../src/core/iac/drift/stackDrift';
import {
  changeIngressPort,
  changeInstanceType,
  deployStack,
  deployThreeTier,
  readThreeTierTemplate,
} from '../../tools/seed/threeTier';
import { emulatorConnection } from '../support/connection';
import { clientConfig, emulatorStack, resetAndSeed, useEmulatorStack } from '../support/emulators';
import { readsThroughRunner } from '../support/resourceReads';

useEmulatorStack();
const REPO_ROOT = resolve(__dirname, '..', '..', '..');

function drifted(report: StackDriftReport): string[] {
  return report.resources
    .flatMap((resource) =>
      resource.properties
        .filter((property) => property.status === 'drifted')
        .map((property) => `${resource.logicalId}.${String(property.path[0])}`),
    )
    .filter((entry, index, all) => all.indexOf(entry) === index)
    .sort();
}

describe('CloudFormation drift against moto (sample three-tier stack)', function () {
  this.timeout(120_000);
  const text = readThreeTierTemplate(REPO_ROOT);
  const template = parseTemplate(text);
  let reads: ReturnType<typeof readsThroughRunner>;
  let physicalIds: Record<string, string>;

  before(async () => {
    await resetAndSeed(false);
    const stack = emulatorStack();
    physicalIds = (await deployThreeTier(stack, REPO_ROOT, 'three-tier')).physicalIds;
    reads = readsThroughRunner(await emulatorConnection());
  });

  it('an untouched stack full of intrinsic functions has zero drift, within one read per resource type', async () => {
    assert.equal(template.hasErrors, false);
    const report = await checkStackDrift({
      template: template.value,
      stackName: 'three-tier',
      region: 'us-east-1',
      reads,
    });
    assert.deepEqual(drifted(report), []);
    assert.equal(report.counts.drifted, 0);
    assert.equal(report.counts.deleted, 0);
    // Every supported resource was compared, and most properties resolved to a value.
    const compared = report.resources.filter((resource) => resource.status === 'in-sync');
    assert.deepEqual(compared.map((resource) => resource.logicalId).sort(), [
      'AppInstance',
      'AppLaunchTemplate',
      'AppSecurityGroup',
      'DbInstance',
      'DbLaunchTemplate',
      'DbSecurityGroup',
      'GatewayAttachment',
      'InternetGateway',
      'PrivateSubnetA',
      'PrivateSubnetB',
      'PublicDefaultRoute',
      'PublicRouteTable',
      'PublicSubnetA',
      'PublicSubnetARoutes',
      'PublicSubnetB',
      'PublicSubnetBRoutes',
      'Vpc',
      'WebInstance',
      'WebLaunchTemplate',
      'WebSecurityGroup',
    ]);
    const inSyncProperties = compared.flatMap((resource) => resource.properties.filter((p) => p.status === 'in-sync'));
    assert.ok(inSyncProperties.length >= 40, `only ${inSyncProperties.length} properties compared in sync`);
    // Every type of the sample is read live now: nothing is "not supported yet"; false conditions are skipped.
    assert.deepEqual(
      report.resources.filter((resource) => resource.status === 'not-supported').map((resource) => resource.message),
      [],
    );
    // Routes, associations and the gateway attachment come out of their parents' answers, property by property.
    const childStatus = (logicalId: string) =>
      Object.fromEntries(
        report.resources
          .find((resource) => resource.logicalId === logicalId)!
          .properties.map((property) => [property.path.join('.'), property.status]),
      );
    assert.deepEqual(childStatus('PublicDefaultRoute'), {
      RouteTableId: 'in-sync',
      DestinationCidrBlock: 'in-sync',
      GatewayId: 'in-sync',
    });
    assert.deepEqual(childStatus('PublicSubnetARoutes'), { SubnetId: 'in-sync', RouteTableId: 'in-sync' });
    assert.deepEqual(childStatus('GatewayAttachment'), { VpcId: 'in-sync', InternetGatewayId: 'in-sync' });
    assert.deepEqual(
      report.resources.filter((resource) => resource.status === 'inactive').map((resource) => resource.logicalId),
      ['AgentRole', 'AgentInstanceProfile'],
    );
    // The instance type came from Fn::FindInMap, the subnet CIDR from Select/Split, the user data from Base64/Sub/If.
    const web = report.resources.find((resource) => resource.logicalId === 'WebInstance')!;
    const status = (path: string) => web.properties.find((p) => p.path.join('.') === path)?.status;
    assert.equal(status('InstanceType'), 'in-sync');
    assert.equal(status('SecurityGroupIds'), 'in-sync');
    assert.equal(status('UserData'), 'unknown', 'user data needs a call per instance: unknown, not clean');
    assert.ok(report.apiCalls <= report.resourceTypes, `${report.apiCalls} calls for ${report.resourceTypes} types`);
  });

  it('reports exactly an out-of-band instance type and security-group rule change, on the right template lines', async () => {
    const stack = emulatorStack();
    await changeInstanceType(stack, physicalIds.WebInstance, 't3.large');
    await changeIngressPort(
      stack,
      physicalIds.WebSecurityGroup,
      { protocol: 'tcp', from: 443, to: 443, cidr: '0.0.0.0/0' },
      8443,
    );
    const report = await checkStackDrift({
      template: template.value,
      stackName: 'three-tier',
      region: 'us-east-1',
      reads,
      secondSource: { pollMs: 10, timeoutMs: 5_000 },
    });
    assert.deepEqual(drifted(report), ['WebInstance.InstanceType', 'WebSecurityGroup.SecurityGroupIngress']);

    const web = report.resources.find((resource) => resource.logicalId === 'WebInstance')!;
    const type = web.properties.find((p) => p.status === 'drifted')!;
    assert.deepEqual(type, { path: ['InstanceType'], status: 'drifted', expected: 't3.micro', live: 't3.large' });
    const typeRange = template.rangeOf(['Resources', 'WebInstance', 'Properties', ...type.path])!;
    const typeLine = text.split('\n')[typeRange.value.startPosition.line];
    assert.match(typeLine, /^\s+InstanceType: !FindInMap \[TierSizes, !Ref Environment, Web\]$/);
    assert.ok(
      typeRange.value.startPosition.line > text.split('\n').findIndex((line) => /^\s+WebInstance:$/.test(line)),
    );

    const group = report.resources.find((resource) => resource.logicalId === 'WebSecurityGroup')!;
    const missing = group.properties.find((p) => p.status === 'drifted' && p.path.length === 2)!;
    assert.deepEqual(missing.path, ['SecurityGroupIngress', 0]);
    const ruleLine =
      text.split('\n')[
        template.rangeOf(['Resources', 'WebSecurityGroup', 'Properties', ...missing.path])!.value.startPosition.line
      ];
    assert.match(ruleLine, /IpProtocol: tcp/);
    const extra = group.properties.find((p) => p.status === 'drifted' && p.path.length === 1)!;
    assert.deepEqual(extra.live, [{ IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443, CidrIp: '0.0.0.0/0' }]);

    // moto has no DetectStackDrift: the second source says so, and the drift above is our own.
    assert.equal(report.source, 'pilot-light');
    assert.equal(report.secondSource?.answered, false);
    assert.match(report.secondSource!.message, /not available/);
  });

  it('marks a resource deleted out of band', async () => {
    const ec2 = new EC2Client(clientConfig());
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [physicalIds.DbInstance] }));
    const report = await checkStackDrift({
      template: template.value,
      stackName: 'three-tier',
      region: 'us-east-1',
      reads,
    });
    const db = report.resources.find((resource) => resource.logicalId === 'DbInstance')!;
    assert.equal(db.status, 'deleted');
    assert.match(db.message!, /deleted out of band/);
  });

  it('marks a route and a gateway attachment removed out of band deleted, and leaves their parents in sync', async () => {
    const ec2 = new EC2Client(clientConfig());
    await ec2.send(
      new DeleteRouteCommand({ RouteTableId: physicalIds.PublicRouteTable, DestinationCidrBlock: '0.0.0.0/0' }),
    );
    await ec2.send(
      new DetachInternetGatewayCommand({ InternetGatewayId: physicalIds.InternetGateway, VpcId: physicalIds.Vpc }),
    );
    const report = await checkStackDrift({
      template: template.value,
      stackName: 'three-tier',
      region: 'us-east-1',
      reads,
    });
    const status = (logicalId: string) => report.resources.find((resource) => resource.logicalId === logicalId)!.status;
    assert.equal(status('PublicDefaultRoute'), 'deleted');
    assert.equal(status('GatewayAttachment'), 'deleted');
    assert.equal(status('PublicSubnetARoutes'), 'in-sync');
    assert.equal(status('PublicRouteTable'), 'in-sync');
    assert.equal(status('InternetGateway'), 'in-sync');
    assert.ok(report.apiCalls <= report.resourceTypes, `${report.apiCalls} calls for ${report.resourceTypes} types`);
  });
});

describe('CloudFormation change sets through the operation runner (moto)', function () {
  this.timeout(120_000);

  it('creates a change set, describes its changes, executes it, and the stack is updated', async () => {
    const stack = emulatorStack();
    const text = readThreeTierTemplate(REPO_ROOT);
    await deployStack(stack, 'change-sets', text, { EnvironmentName: 'change-sets' });
    const reads = readsThroughRunner(await emulatorConnection());
    const run = (operationId: string, input: unknown) =>
      reads.runner.run(operationId, input, { caller: 'command', mode: 'execute', region: 'us-east-1' });
    const changed = text.replace("Value: !Sub '${EnvironmentName}-vpc'", "Value: !Sub '${EnvironmentName}-network'");
    assert.notEqual(changed, text);
    const created = await run('cloudformation.changeSets.create', {
      stackName: 'change-sets',
      changeSetName: 'rename-vpc',
      templateBody: changed,
      usePreviousParameters: ['EnvironmentName'],
      capabilities: ['CAPABILITY_IAM'],
    });
    assert.equal(created.status, 'succeeded', JSON.stringify(created.error ?? created.refusal));
    const described = await reads.read<{ status: string; summary: string[] }>(
      'cloudformation.changeSets.describe',
      { stackName: 'change-sets', changeSetName: 'rename-vpc' },
      'us-east-1',
    );
    assert.equal(described.status, 'CREATE_COMPLETE');
    assert.ok(
      described.summary.some((line) => /Modify Vpc \(AWS::EC2::VPC\)/.test(line)),
      described.summary.join('\n'),
    );
    const dryRun = await reads.runner.run(
      'cloudformation.changeSets.execute',
      { stackName: 'change-sets', changeSetName: 'rename-vpc' },
      { caller: 'command', mode: 'dry-run', region: 'us-east-1' },
    );
    assert.ok(
      dryRun.preview?.changes.some((line) => /Modify Vpc/.test(line)),
      'the dry-run shows the change set',
    );
    const executed = await run('cloudformation.changeSets.execute', {
      stackName: 'change-sets',
      changeSetName: 'rename-vpc',
    });
    assert.equal(executed.status, 'succeeded', JSON.stringify(executed.error ?? executed.refusal));
    const stacks = await reads.read<{ items: Array<{ StackStatus?: string }> }>(
      'cloudformation.stacks.list',
      { stackName: 'change-sets' },
      'us-east-1',
    );
    assert.match(stacks.items[0].StackStatus ?? '', /UPDATE_COMPLETE/);
  });
});
