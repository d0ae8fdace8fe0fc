import * as assert from 'node:assert/strict';
import { CreateVolumeCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { createOperationRegistry } from '../../src/core/operations';
import { ec2InstanceLister, ec2VolumeLister } from '../../src/core/resources/ec2';
import { apiFiltersFor, matchesFilter, type ApiFilter } from '../../src/core/resources/filter';
import type { ResourceLister, ResourceReads, ResourceSummary } from '../../src/core/resources/model';
import type { SampleAccountSummary } from '../../tools/seed/sampleAccount';
import { pickAmazonLinuxImage } from '../../tools/seed/target';
import { emulatorConnection } from '../support/connection';
import { readsThroughRunner } from '../support/resourceReads';
import { clientConfig, emulatorStack, resetAndSeed, useEmulatorStack } from '../support/emulators';

useEmulatorStack();

async function listAll(
  reads: ResourceReads,
  lister: ResourceLister,
  filters?: ApiFilter[],
): Promise<{ items: ResourceSummary[]; calls: number }> {
  const items: ResourceSummary[] = [];
  let nextToken: string | undefined;
  let calls = 0;
  do {
    const page = await lister.list(reads, { region: emulatorStack().region, pageSize: 5, nextToken, filters });
    calls++;
    items.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken && calls < 100);
  return { items, calls };
}

const names = (items: ResourceSummary[]) => items.map((item) => item.name).sort();

describe('explorer filters pushed to EC2 (moto, real SDK, registered reads)', function () {
  this.timeout(120_000);
  let sample: SampleAccountSummary;
  let reads: ResourceReads;

  before(async () => {
    sample = (await resetAndSeed('sample')).sample!;
    reads = readsThroughRunner(await emulatorConnection());
    const ec2 = new EC2Client(clientConfig());
    try {
      const imageId = await pickAmazonLinuxImage(ec2);
      // Names that differ from the sample's only in case, and enough instances for several pages.
      for (const name of ['WEB-canary', 'Web-2', 'batch-7', 'batch-8', 'batch-9', 'batch-10']) {
        await ec2.send(
          new RunInstancesCommand({
            ImageId: imageId,
            InstanceType: 't3.micro',
            MinCount: 1,
            MaxCount: 1,
            SubnetId: sample.subnets.privateA,
            TagSpecifications: [
              {
                ResourceType: 'instance',
                Tags: [
                  { Key: 'Name', Value: name },
                  { Key: 'Role', Value: name.startsWith('batch') ? 'Batch' : 'web' },
                ],
              },
            ],
          }),
        );
      }
      await ec2.send(
        new CreateVolumeCommand({
          AvailabilityZone: 'us-east-1a',
          Size: 8,
          TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'Name', Value: 'Scratch-data' }] }],
        }),
      );
      await ec2.send(
        new CreateVolumeCommand({
          AvailabilityZone: 'us-east-1a',
          Size: 8,
          TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'Name', Value: 'logs' }] }],
        }),
      );
    } finally {
      ec2.destroy();
    }
  });

  it("declares filters in the registered list operations' input schemas", () => {
    const registry = createOperationRegistry();
    for (const id of [
      'ec2.instances.list',
      'ec2.volumes.list',
      'ec2.snapshots.list',
      'ec2.images.list',
      'ec2.subnets.list',
      'ec2.internetGateways.list',
      'ec2.natGateways.list',
    ]) {
      const schema = registry.describe(id)?.inputJsonSchema as { properties?: Record<string, unknown> } | undefined;
      assert.ok(schema?.properties?.filters, `${id} takes filters`);
    }
  });

  it('finds names, tags and IDs through the API, the same rows as filtering everything loaded', async () => {
    const everything = await listAll(reads, ec2InstanceLister);
    assert.equal(everything.items.length, 3 + 6);
    const web1 = everything.items.find((item) => item.name === 'web-1')!;
    const cases: Array<[string, string[]]> = [
      ['web', ['WEB-canary', 'Web-2', 'web-1']],
      ['BATCH-1', ['batch-10']],
      ['Role=BATCH', ['batch-10', 'batch-7', 'batch-8', 'batch-9']],
      ['Role=web', ['WEB-canary', 'Web-2', 'web-1']],
      ['Environment=production', ['app-1', 'db-1', 'web-1']],
      [web1.id, ['web-1']],
      ['nothing-like-this', []],
    ];
    for (const [filter, expected] of cases) {
      const pushed = apiFiltersFor(ec2InstanceLister.serverFilter, filter);
      assert.ok(pushed, `"${filter}" is pushed to the API`);
      const fromApi = await listAll(reads, ec2InstanceLister, pushed.filters);
      assert.ok(
        fromApi.items.length < everything.items.length,
        `"${filter}": the API narrowed the list (${fromApi.items.length} rows)`,
      );
      const kept = fromApi.items.filter((item) => matchesFilter(item, filter));
      assert.deepEqual(names(kept), expected, `"${filter}" through ${JSON.stringify(pushed.filters).slice(0, 120)}`);
      assert.deepEqual(
        names(kept),
        names(everything.items.filter((item) => matchesFilter(item, filter))),
        `"${filter}": the same rows as filtering everything`,
      );
    }
  });

  it('pages a filtered listing like an unfiltered one', async () => {
    const pushed = apiFiltersFor(ec2InstanceLister.serverFilter, 'Role=Batch')!;
    const first = await ec2InstanceLister.list(reads, {
      region: emulatorStack().region,
      pageSize: 5,
      filters: pushed.filters,
    });
    // moto pages after filtering: 4 matches fit one page of 5.
    assert.equal(first.items.length, 4);
    assert.equal(first.nextToken, undefined);
  });

  it('filters volumes by name', async () => {
    const pushed = apiFiltersFor(ec2VolumeLister.serverFilter, 'scratch')!;
    const fromApi = await listAll(reads, ec2VolumeLister, pushed.filters);
    assert.deepEqual(names(fromApi.items.filter((item) => matchesFilter(item, 'scratch'))), ['Scratch-data']);
    assert.ok(!fromApi.items.some((item) => item.name === 'logs'));
  });
});
