import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditTrail, exportAuditTrail, readAuditTrail, verifyAuditTrail, type AuditEntry } from '../../src/core/audit';
import { tempDir } from '../support/operationHarness';

function entry(index: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    time: new Date(Date.UTC(2025, 0, 1, 12, index)).toISOString(),
    correlationId: `c-${index}`,
    outcome: index % 2 ? 'succeeded' : 'refused',
    caller: 'command',
    account: '111122223333',
    region: 'us-east-1',
    environment: index % 3 ? 'dev' : 'prod',
    environments: [index % 3 ? 'dev' : 'prod'],
    operation: index % 2 ? 'ec2.instances.stop' : 'ec2.instances.terminate',
    resourceIds: [`i-0000000000000000${index}`],
    input: { instanceIds: [`i-0000000000000000${index}`] },
    durationMs: 5,
    ...overrides,
  };
}

describe('audit trail', () => {
  let dir: ReturnType<typeof tempDir>;
  let path: string;
  beforeEach(() => {
    dir = tempDir();
    path = join(dir.path, 'nested', 'audit.jsonl');
  });
  afterEach(() => dir.cleanup());

  async function writeLines(count: number): Promise<string[]> {
    const trail = new AuditTrail(path);
    for (let index = 1; index <= count; index += 1) await trail.append(entry(index));
    return readFileSync(path, 'utf8').trimEnd().split('\n');
  }

  it('appends one chained JSON line per entry', async () => {
    const lines = await writeLines(3);
    assert.equal(lines.length, 3);
    const records = lines.map((line) => JSON.parse(line));
    assert.equal(records[0].prevHash, '0'.repeat(64));
    assert.equal(records[1].prevHash, records[0].hash);
    assert.deepEqual(records.map((record) => record.seq), [1, 2, 3]);
    assert.deepEqual(await verifyAuditTrail(path), { ok: true, lines: 3, message: 'All 3 lines verified.' });
  });

  it('continues the chain across trail instances (another window, a restart)', async () => {
    await new AuditTrail(path).append(entry(1));
    await new AuditTrail(path).append(entry(2));
    assert.equal((await verifyAuditTrail(path)).ok, true);
  });

  it('redacts secrets before they are written', async () => {
    await new AuditTrail(path).append(entry(1, { input: { userData: 'PASSWORD=hunter2', policy: 'AKIAIOSFODNN7EXAMPLE' } }));
    const text = readFileSync(path, 'utf8');
    assert.ok(!text.includes('hunter2'));
    assert.ok(!text.includes('AKIAIOSFODNN7EXAMPLE'));
  });

  it('detects an edited line and names it', async () => {
    const lines = await writeLines(5);
    lines[2] = lines[2].replace('"outcome":"refused"', '"outcome":"succeeded"').replace('"outcome":"succeeded"', '"outcome":"approved"');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const result = await verifyAuditTrail(path);
    assert.equal(result.ok, false);
    assert.equal(result.firstBadLine, 3);
    assert.equal(result.problem, 'edited');
  });

  it('detects an edited line even when its hash was recomputed', async () => {
    const lines = await writeLines(4);
    const { createHash } = await import('node:crypto');
    const { canonicalJson } = await import('../../src/core/audit/hashing');
    const record = JSON.parse(lines[1]);
    record.resourceIds = ['i-0fffffffffffffff0'];
    const { hash: _old, ...rest } = record;
    record.hash = createHash('sha256').update(canonicalJson(rest)).digest('hex');
    lines[1] = JSON.stringify(record);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const result = await verifyAuditTrail(path);
    assert.equal(result.firstBadLine, 3, 'the next line no longer links to it');
    assert.equal(result.problem, 'chain-broken');
  });

  it('detects a removed line', async () => {
    const lines = await writeLines(5);
    lines.splice(1, 1);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const result = await verifyAuditTrail(path);
    assert.equal(result.ok, false);
    assert.equal(result.firstBadLine, 2);
    assert.equal(result.problem, 'chain-broken');
  });

  it('detects a swapped pair of lines', async () => {
    const lines = await writeLines(5);
    [lines[2], lines[3]] = [lines[3], lines[2]];
    writeFileSync(path, `${lines.join('\n')}\n`);
    const result = await verifyAuditTrail(path);
    assert.equal(result.ok, false);
    assert.equal(result.firstBadLine, 3);
  });

  it('detects removed lines at the end through the head record', async () => {
    const lines = await writeLines(4);
    writeFileSync(path, `${lines.slice(0, 3).join('\n')}\n`);
    const result = await verifyAuditTrail(path);
    assert.equal(result.ok, false);
    assert.equal(result.problem, 'truncated');
    assert.equal(result.firstBadLine, 4);
  });

  it('detects a removed first line and a cut-off line', async () => {
    const lines = await writeLines(3);
    writeFileSync(path, `${lines.slice(1).join('\n')}\n`);
    assert.equal((await verifyAuditTrail(path)).firstBadLine, 1);
    writeFileSync(path, `${lines[0]}\n${lines[1].slice(0, 40)}\n`);
    const cut = await verifyAuditTrail(path);
    assert.equal(cut.firstBadLine, 2);
    assert.equal(cut.problem, 'unparseable');
  });

  it('serializes concurrent writers into whole lines and one chain', async () => {
    const trails = [new AuditTrail(path), new AuditTrail(path), new AuditTrail(path)];
    await Promise.all(Array.from({ length: 30 }, (_, index) => trails[index % 3].append(entry(index + 1))));
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 30);
    for (const line of lines) JSON.parse(line);
    assert.equal((await verifyAuditTrail(path)).ok, true);
  });

  it('reports an empty trail as fine', async () => {
    assert.equal((await verifyAuditTrail(join(dir.path, 'none.jsonl'))).ok, true);
  });

  describe('export', () => {
    beforeEach(async () => {
      await writeLines(6);
    });

    it('filters by time range, operation, outcome and environment', async () => {
      assert.equal((await readAuditTrail(path)).length, 6);
      assert.deepEqual((await readAuditTrail(path, { operations: ['ec2.instances.stop'] })).map((record) => record.seq), [1, 3, 5]);
      assert.deepEqual((await readAuditTrail(path, { outcomes: ['refused'] })).map((record) => record.seq), [2, 4, 6]);
      assert.deepEqual((await readAuditTrail(path, { environments: ['PROD'] })).map((record) => record.seq), [3, 6]);
      assert.deepEqual((await readAuditTrail(path, { from: '2025-01-01T12:02:00Z', to: new Date('2025-01-01T12:04:00Z') })).map((record) => record.seq), [2, 3, 4]);
    });

    it('exports JSON', async () => {
      const json = JSON.parse(await exportAuditTrail(path, 'json', { outcomes: ['succeeded'] }));
      assert.equal(json.length, 3);
      assert.ok(json.every((record: { hash: string }) => /^[0-9a-f]{64}$/.test(record.hash)));
    });

    it('exports CSV with a header, quoting and formula neutralization', async () => {
      await new AuditTrail(path).append(entry(7, { error: { code: 'X', message: '=HYPERLINK("http://evil", "a, b")' } }));
      const csv = await exportAuditTrail(path, 'csv');
      const rows = csv.trimEnd().split('\r\n');
      assert.equal(rows.length, 8);
      assert.ok(rows[0].startsWith('seq,time,outcome,operation'));
      assert.ok(rows[7].includes(`"'=HYPERLINK(""http://evil"", ""a, b"")"`), rows[7]);
    });
  });
});
