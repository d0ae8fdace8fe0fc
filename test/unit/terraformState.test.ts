import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseShowJson,
  parseStateV4,
  parseTerraform,
  readTerraformState,
  terraformDrift,
  TfStateError,
} from '../../src/core/iac/terraform';
import type { ResourceReads } from '../../src/core/resources/model';

const STATE = {
  version: 4,
  resources: [
    {
      mode: 'managed',
      type: 'aws_vpc',
      name: 'main',
      instances: [{ attributes: { id: 'vpc-0a1b2c3d', cidr_block: '10.0.0.0/16' } }],
    },
    {
      mode: 'managed',
      type: 'aws_subnet',
      name: 'a',
      instances: [
        { index_key: 0, attributes: { id: 'subnet-00000001' } },
        { index_key: 1, attributes: { id: 'subnet-00000002' } },
      ],
    },
    { mode: 'data', type: 'aws_ami', name: 'al', instances: [{ attributes: { id: 'ami-12345678' } }] },
    {
      module: 'module.net',
      mode: 'managed',
      type: 'aws_vpc',
      name: 'x',
      instances: [{ index_key: 'blue', attributes: { id: 'vpc-0000000f' } }],
    },
  ],
};

/** Reads answered from a fixed list of instances; counts the calls. */
function fakeReads(instances: Array<Record<string, unknown>>): ResourceReads & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async read<Output>(operationId: string, input: Record<string, unknown>): Promise<Output> {
      calls.push(operationId);
      const ids = ((input.filters as Array<{ values: string[] }> | undefined)?.[0]?.values ?? []) as string[];
      const items =
        operationId === 'ec2.instances.list' ? instances.filter((i) => ids.includes(i.InstanceId as string)) : [];
      return { items } as Output;
    },
    account: async () => '123456789012',
  };
}

describe('Terraform state and drift (unit)', () => {
  it('maps state addresses (indexes, data sources, modules) to IDs', () => {
    const state = parseStateV4(JSON.stringify(STATE));
    assert.deepEqual(
      [...state.resources.keys()],
      ['aws_vpc.main', 'aws_subnet.a[0]', 'aws_subnet.a[1]', 'data.aws_ami.al', 'module.net.aws_vpc.x["blue"]'],
    );
    assert.equal(state.resources.get('aws_subnet.a[1]')?.id, 'subnet-00000002');
    assert.equal(state.resources.get('module.net.aws_vpc.x["blue"]')?.blockAddress, 'module.net.aws_vpc.x');
    assert.equal(state.resources.get('module.net.aws_vpc.x["blue"]')?.indexKey, 'blue');
    assert.equal(state.resources.get('aws_subnet.a[1]')?.indexKey, 1);
    assert.equal(state.resources.get('aws_vpc.main')?.indexKey, undefined);
  });

  it('refuses other state versions and broken JSON with a clear error', () => {
    assert.throws(() => parseStateV4('{"version": 3}'), /format version 4/);
    assert.throws(() => parseStateV4('{'), TfStateError);
  });

  it('reads terraform show -json, child modules included', () => {
    const state = parseShowJson(
      JSON.stringify({
        values: {
          root_module: {
            resources: [{ address: 'aws_vpc.main', mode: 'managed', type: 'aws_vpc', values: { id: 'vpc-1' } }],
            child_modules: [
              {
                resources: [
                  {
                    address: 'module.a.aws_subnet.b[0]',
                    mode: 'managed',
                    type: 'aws_subnet',
                    values: { id: 'subnet-1' },
                  },
                ],
              },
            ],
          },
        },
      }),
      '/m',
    );
    assert.equal(state.resources.get('module.a.aws_subnet.b[0]')?.blockAddress, 'module.a.aws_subnet.b');
  });

  it('prefers terraform.tfstate, falls back to the CLI, and says "no state" when neither exists', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'tfstate-'));
    try {
      const missingCli = async () => {
        throw Object.assign(new Error('spawn terraform ENOENT'), { code: 'ENOENT' });
      };
      assert.equal(await readTerraformState(folder, missingCli), undefined);
      const viaCli = await readTerraformState(folder, async (args, cwd) => {
        assert.deepEqual([args, cwd], [['show', '-json'], folder]);
        return JSON.stringify({ values: { root_module: { resources: [] } } });
      });
      assert.equal(viaCli?.source, 'terraform-show');
      await writeFile(join(folder, 'terraform.tfstate'), JSON.stringify(STATE));
      const fromFile = await readTerraformState(folder, async () =>
        assert.fail('the CLI is not run when a state file exists'),
      );
      assert.equal(fromFile?.source, 'state-file');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('never reports an unresolvable value as drift, and marks a missing resource deleted', async () => {
    const tf = `variable "type" {}
resource "aws_instance" "a" {
  ami           = data.aws_ami.al.id
  instance_type = var.type
  tags          = { Name = "a-\${var.type}" }
}
resource "aws_instance" "b" {
  instance_type = "t3.micro"
}
resource "aws_instance" "c" {
  count         = 2
  instance_type = "t3.micro"
}
resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
`;
    const state = parseStateV4(
      JSON.stringify({
        version: 4,
        resources: [
          { mode: 'data', type: 'aws_ami', name: 'al', instances: [{ attributes: { id: 'ami-12345678' } }] },
          {
            mode: 'managed',
            type: 'aws_instance',
            name: 'a',
            instances: [{ attributes: { id: 'i-0000000000000000a' } }],
          },
          {
            mode: 'managed',
            type: 'aws_instance',
            name: 'b',
            instances: [{ attributes: { id: 'i-0000000000000000b' } }],
          },
          { mode: 'managed', type: 'aws_s3_bucket', name: 'logs', instances: [{ attributes: { id: 'logs' } }] },
        ],
      }),
    );
    const reads = fakeReads([
      {
        InstanceId: 'i-0000000000000000a',
        ImageId: 'ami-87654321',
        InstanceType: 'm5.large',
        State: { Name: 'running' },
        Tags: [{ Key: 'Name', Value: 'other' }],
      },
    ]);
    const report = await terraformDrift([{ uri: 'main.tf', doc: await parseTerraform(tf) }], state, reads, 'us-east-1');
    const a = report.resources.find((resource) => resource.address === 'aws_instance.a')!;
    assert.deepEqual(
      a.attributes.map((attribute) => [attribute.attribute, attribute.status]),
      [
        ['ami', 'drifted'],
        ['instance_type', 'unknown'],
        ['tags', 'unknown'],
      ],
    );
    assert.equal(report.resources.find((resource) => resource.address === 'aws_instance.b')?.status, 'deleted');
    // A block with count whose instances are not in the state: not applied, not "in sync".
    const c = report.resources.find((resource) => resource.address === 'aws_instance.c')!;
    assert.equal(c.status, 'not-in-state');
    assert.match(c.reason!, /not in the state/);
    assert.match(
      report.resources.find((resource) => resource.address === 'aws_s3_bucket.logs')!.reason!,
      /not supported yet: live reads for aws_s3_bucket/,
    );
    assert.deepEqual(reads.calls, ['ec2.instances.list'], 'one read for the one type read live');
  });
});
