import * as assert from 'node:assert/strict';
import {
  DescribeSourceServersCommand,
  DrsClient,
  paginateDescribeSourceServers,
  ValidationException,
} from '@aws-sdk/client-drs';
import type { SourceServerSeed } from '../../tools/emulators/drs/adminTypes';
import { clientConfig, resetAndSeed, useEmulatorStack } from '../support/emulators';

useEmulatorStack();

const SERVER_COUNT = 250;

function fleet(): SourceServerSeed[] {
  return Array.from({ length: SERVER_COUNT }, (_, i) => ({
    hostname: `host-${String(i + 1).padStart(3, '0')}`,
    tags: { Team: i % 2 === 0 ? 'blue' : 'green' },
    hardwareId: `hw-${i + 1}`,
    ...(i < 5 ? { stagingAccountID: '210987654321' } : {}),
  }));
}

describe('DRS source server listing', function () {
  let drs: DrsClient;
  let seededIds: string[];

  before(async function () {
    this.timeout(30_000);
    const { sourceServers } = await resetAndSeed({ sourceServers: fleet() });
    seededIds = sourceServers!.map((s) => s.sourceServerID);
    drs = new DrsClient(clientConfig());
  });

  after(() => drs.destroy());

  it('pages through every server with paginateDescribeSourceServers', async function () {
    const pages: number[] = [];
    const ids: string[] = [];
    for await (const page of paginateDescribeSourceServers({ client: drs, pageSize: 100 }, {})) {
      pages.push(page.items?.length ?? 0);
      ids.push(...(page.items ?? []).map((s) => s.sourceServerID!));
    }
    assert.deepEqual(pages, [100, 100, 50]);
    assert.deepEqual(ids, seededIds, 'every server once, in registration order');
  });

  it('pages with the default page size when maxResults is absent', async function () {
    const first = await drs.send(new DescribeSourceServersCommand({}));
    assert.equal(first.items?.length, 100);
    assert.ok(first.nextToken);
    const second = await drs.send(new DescribeSourceServersCommand({ nextToken: first.nextToken }));
    assert.equal(second.items?.[0]?.sourceServerID, seededIds[100]);
  });

  it('filters by sourceServerIDs, hardwareId and stagingAccountIDs', async function () {
    const wanted = [seededIds[3], seededIds[200]];
    const byId = await drs.send(new DescribeSourceServersCommand({ filters: { sourceServerIDs: wanted } }));
    assert.deepEqual(
      byId.items?.map((s) => s.sourceServerID),
      wanted,
    );

    const byHardware = await drs.send(new DescribeSourceServersCommand({ filters: { hardwareId: 'hw-42' } }));
    assert.deepEqual(
      byHardware.items?.map((s) => s.sourceProperties?.identificationHints?.hostname),
      ['host-042'],
    );

    const byStaging = await drs.send(
      new DescribeSourceServersCommand({ filters: { stagingAccountIDs: ['210987654321'] } }),
    );
    assert.equal(byStaging.items?.length, 5);
    assert.ok(
      byStaging.items!.every(
        (s) => s.stagingArea?.status === 'EXTENDED' && s.stagingArea.stagingAccountID === '210987654321',
      ),
    );
  });

  it('rejects out-of-range maxResults and foreign page tokens with ValidationException', async function () {
    await assert.rejects(drs.send(new DescribeSourceServersCommand({ maxResults: 0 })), (error: unknown) => {
      assert.ok(error instanceof ValidationException);
      assert.equal(error.$metadata.httpStatusCode, 400);
      assert.equal(error.fieldList?.[0]?.name, 'maxResults');
      return true;
    });
    await assert.rejects(drs.send(new DescribeSourceServersCommand({ nextToken: 'not-a-token' })), ValidationException);
    await assert.rejects(
      drs.send(new DescribeSourceServersCommand({ filters: { sourceServerIDs: ['i-123'] } })),
      (error: unknown) => error instanceof ValidationException && /sourceServerIDs/.test(error.message),
    );
  });
});
