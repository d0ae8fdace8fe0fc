import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecurityGroupCommand,
  EC2Client,
  ModifyInstanceAttributeCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  parseTerraform,
  readTerraformState,
  readVariableFiles,
  resolveVariables,
  terraformDrift,
} from '../../src/core/iac/terraform';
import type { SampleAccountSummary } from '../../tools/seed/sampleAccount';
import { emulatorConnection } from '../support/connection';
import { clientConfig, emulatorStack, resetAndSeed, useEmulatorStack } from '../support/emulators';
import { readsThroughRunner } from '../support/resourceReads';

useEmulatorStack();

/** A module with a count=2 instance and a for_each security group, its values coming from variables. */
function moduleText(sample: SampleAccountSummary): string {
  return `variable "instance_type" {
  default = "t3.nano"
}

variable "groups" {
  type = map(string)
}

locals {
  prefix = "tfplus"
  name   = local.prefix
}

resource "aws_instance" "web" {
  count         = 2
  ami           = "${sample.imageId}"
  instance_type = var.instance_type
  subnet_id     = "${sample.subnets.publicA}"
  tags = {
    Name = "\${local.name}-\${count.index}"
  }
}

resource "aws_security_group" "svc" {
  for_each    = var.groups
  name        = "\${local.prefix}-\${each.key}"
  description = each.value
  vpc_id      = "${sample.vpcId}"
  tags = {
    Service = each.key
  }
}
`;
}

describe('Terraform count and for_each drift, variables from tfvars, against moto', function () {
  this.timeout(120_000);
  let sample: SampleAccountSummary;
  let ec2: EC2Client;
  let reads: ReturnType<typeof readsThroughRunner>;
  let folder: string;
  let instanceIds: string[];

  before(async () => {
    sample = (await resetAndSeed('sample')).sample!;
    ec2 = new EC2Client(clientConfig());
    reads = readsThroughRunner(await emulatorConnection());
    instanceIds = [];
    for (const index of [0, 1]) {
      const { Instances } = await ec2.send(
        new RunInstancesCommand({
          ImageId: sample.imageId,
          InstanceType: 't3.small',
          MinCount: 1,
          MaxCount: 1,
          SubnetId: sample.subnets.publicA,
          TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: `tfplus-${index}` }] }],
        }),
      );
      instanceIds.push(Instances![0].InstanceId!);
    }
    const groups: Record<string, string> = { api: 'API servers', worker: 'Background workers' };
    const groupIds: Record<string, string> = {};
    for (const [key, description] of Object.entries(groups)) {
      const { GroupId } = await ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: `tfplus-${key}`,
          Description: description,
          VpcId: sample.vpcId,
          TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'Service', Value: key }] }],
        }),
      );
      groupIds[key] = GroupId!;
    }
    folder = await mkdtemp(join(tmpdir(), 'pilot-light-tf-instances-'));
    await writeFile(join(folder, 'main.tf'), moduleText(sample));
    // The default (t3.nano) would be drift: the test proves terraform.tfvars wins over it.
    await writeFile(join(folder, 'terraform.tfvars'), 'instance_type = "t3.small"\n');
    await writeFile(join(folder, 'services.auto.tfvars.json'), JSON.stringify({ groups }));
    const state = {
      version: 4,
      resources: [
        {
          mode: 'managed',
          type: 'aws_instance',
          name: 'web',
          instances: instanceIds.map((id, index) => ({ index_key: index, attributes: { id } })),
        },
        {
          mode: 'managed',
          type: 'aws_security_group',
          name: 'svc',
          instances: Object.entries(groupIds).map(([key, id]) => ({ index_key: key, attributes: { id } })),
        },
      ],
    };
    await writeFile(join(folder, 'terraform.tfstate'), JSON.stringify(state, null, 2));
  });

  after(async () => {
    ec2?.destroy();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  async function drift() {
    const text = await readFile(join(folder, 'main.tf'), 'utf8');
    const files = [{ uri: 'main.tf', doc: await parseTerraform(text) }];
    const state = await readTerraformState(folder, async () => assert.fail('terraform show must not run'));
    const variables = resolveVariables(files, await readVariableFiles(folder));
    return { text, report: await terraformDrift(files, state!, reads, emulatorStack().region, { variables }) };
  }

  it('reports every instance in sync, with variables resolved from terraform.tfvars and *.auto.tfvars.json', async () => {
    const { report } = await drift();
    assert.deepEqual(report.variableProblems, []);
    assert.deepEqual(
      report.resources.map((resource) => [resource.address, resource.instanceKey, resource.status]),
      [
        ['aws_instance.web[0]', 0, 'in-sync'],
        ['aws_instance.web[1]', 1, 'in-sync'],
        ['aws_security_group.svc["api"]', 'api', 'in-sync'],
        ['aws_security_group.svc["worker"]', 'worker', 'in-sync'],
      ],
    );
    const web1 = report.resources[1];
    assert.deepEqual(
      web1.attributes.map((attribute) => [attribute.attribute, attribute.status, attribute.expected]),
      [
        ['ami', 'in-sync', sample.imageId],
        ['instance_type', 'in-sync', 't3.small'],
        ['subnet_id', 'in-sync', sample.subnets.publicA],
        ['tags', 'in-sync', { Name: 'tfplus-1' }],
      ],
    );
    const worker = report.resources[3];
    assert.deepEqual(
      worker.attributes.map((attribute) => [attribute.attribute, attribute.status, attribute.expected]),
      [
        ['name', 'in-sync', 'tfplus-worker'],
        ['description', 'in-sync', 'Background workers'],
        ['vpc_id', 'in-sync', sample.vpcId],
        ['tags', 'in-sync', { Service: 'worker' }],
      ],
    );
    assert.ok(report.apiCalls <= 2, `${report.apiCalls} read calls for 2 resource types`);
  });

  it('reports an instance type changed out of band on index 1 only, on the instance_type line', async () => {
    const id = instanceIds[1];
    await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: 't3.large' } }));
    await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    const { text, report } = await drift();
    const drifted = report.resources.flatMap((resource) =>
      resource.attributes
        .filter((attribute) => attribute.status !== 'in-sync')
        .map((attribute) => ({ address: resource.address, ...attribute })),
    );
    assert.deepEqual(
      drifted.map((finding) => [finding.address, finding.attribute, finding.status, finding.expected, finding.live]),
      [['aws_instance.web[1]', 'instance_type', 'drifted', 't3.small', 't3.large']],
    );
    const line = text.split('\n').findIndex((candidate) => candidate.includes('instance_type = var.instance_type')) + 1;
    assert.equal(drifted[0].range.start.line, line);
    assert.equal(text.slice(drifted[0].range.offset, drifted[0].range.endOffset), 'var.instance_type');
    assert.deepEqual(
      report.resources.map((resource) => resource.status),
      ['in-sync', 'drifted', 'in-sync', 'in-sync'],
    );
  });
});
