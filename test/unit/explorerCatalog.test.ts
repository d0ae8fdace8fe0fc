import * as assert from 'node:assert/strict';
import { SERVICE_CATALOG } from '../../src/core/resources/catalog';

describe('explorer service catalog', () => {
  it('the EC2 folder preloads its SDK bundle without creating a client', async () => {
    const ec2 = SERVICE_CATALOG.find((entry) => entry.id === 'ec2');
    assert.ok(ec2?.preloadSdk, 'EC2 has an SDK preload');
    const sdk = (await ec2.preloadSdk()) as { EC2Client?: unknown; DescribeInstancesCommand?: unknown };
    assert.equal(typeof sdk.EC2Client, 'function');
    assert.equal(typeof sdk.DescribeInstancesCommand, 'function');
  });

  it('every folder has a unique id and at least one lister', async () => {
    const ids = SERVICE_CATALOG.map((entry) => entry.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const entry of SERVICE_CATALOG) assert.ok((await entry.listers()).length > 0, entry.id);
  });
});
