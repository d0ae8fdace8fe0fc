import * as assert from 'node:assert/strict';
import type { SourceServer } from '@aws-sdk/client-drs';
import { groupReport, markdownCell, renderGroupReport } from '../../src/core/dr/planEdit/groupReport';
import type { ProtectionGroup } from '../../src/core/dr/model';

const server = (
  id: string,
  hostname: string,
  tags: Record<string, string>,
  extra: Partial<SourceServer> = {},
): SourceServer => ({
  sourceServerID: id,
  tags,
  sourceProperties: { identificationHints: { hostname } },
  dataReplicationInfo: { dataReplicationState: 'CONTINUOUS', lagDuration: 'PT5S' },
  ...extra,
});

const INVENTORY = [
  server(
    's-0000000000000000a',
    'db-1',
    { Role: 'db' },
    { recoveryInstanceId: 'i-0123456789abcdef0', lastLaunchResult: 'SUCCEEDED' },
  ),
  server(
    's-0000000000000000b',
    'db-2|<b>x</b>',
    { Role: 'db' },
    { dataReplicationInfo: { dataReplicationState: 'STALLED' } },
  ),
  server('s-0000000000000000c', 'app-1', { Role: 'app' }),
];

const group = (selection: ProtectionGroup['selection']): ProtectionGroup => ({
  schemaVersion: 2,
  kind: 'ProtectionGroup',
  name: 'db',
  region: 'us-east-1',
  selection,
});

describe('protection-group view', () => {
  it('lists the resolved servers with replication, lag and last recovery instance', () => {
    const report = groupReport(group({ tags: { Role: 'db' }, sourceServerIds: ['s-0000000000000000c'] }), INVENTORY);
    assert.deepEqual(
      report.servers.map((row) => [
        row.hostname,
        row.replicationState,
        row.lag,
        row.recoveryInstanceId,
        row.via.join('+'),
      ]),
      [
        ['db-1', 'CONTINUOUS', 'PT5S', 'i-0123456789abcdef0', 'tags'],
        ['db-2|<b>x</b>', 'STALLED', undefined, undefined, 'tags'],
        ['app-1', 'CONTINUOUS', 'PT5S', undefined, 'id'],
      ],
    );
    const markdown = renderGroupReport(report);
    assert.match(
      markdown,
      /\| db-1 \| s-0000000000000000a \| CONTINUOUS \| PT5S \| SUCCEEDED \| i-0123456789abcdef0 \| tags \|/,
    );
    assert.match(markdown, /⚠ STALLED/);
    assert.ok(markdown.includes('db-2\\|\\<b\\>x\\</b\\>'), 'a hostname cannot break the table or add HTML');
  });

  it('flags a tag selector and IDs that match nothing', () => {
    const report = groupReport(
      group({ tags: { Role: 'cache', Tier: 'db' }, sourceServerIds: ['s-0000000000000000z'] }),
      INVENTORY,
    );
    assert.equal(report.servers.length, 0);
    assert.equal(report.tagSelectorMatchedNothing, true);
    assert.deepEqual(report.unmatchedTags, ['Role=cache', 'Tier=db']);
    assert.deepEqual(report.unknownIds, ['s-0000000000000000z']);
    const markdown = renderGroupReport(report);
    assert.match(markdown, /tag selector matches no source server\. No server carries Role=cache, Tier=db/);
    assert.match(markdown, /Unknown source server ID\(s\): s-0000000000000000z/);
  });

  it('escapes Markdown and HTML in cells', () => {
    assert.equal(markdownCell('a|b`c<d>\n#e'), 'a\\|b\\`c\\<d\\> \\#e');
  });
});
