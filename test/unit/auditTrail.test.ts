import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AuditTrail,
  exportAuditTrail,
  headPathFor,
  readAuditTrail,
  verifyAuditTrail,
  type AuditEntry,
} from '../../src/core/audit';
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
    assert.deepEqual(
      records.map((record) => record.seq),
      [1, 2, 3],
    );
    assert.deepEqual(await verifyAuditTrail(path), { ok: true, lines: 3, message: 'All 3 lines verified.' });
  });

  it('continues the chain across trail instances (another window, a restart)', async () => {
    await new AuditTrail(path).append(entry(1));
    await new AuditTrail(path).append(entry(2));
    assert.equal((await verifyAuditTrail(path)).ok, true);
  });

  it('redacts secrets before they are written', async () => {
    await new AuditTrail(path).append(
      entry(1, { input: { userData: 'PASSWORD=hunter2', policy: 'AKIAIOSFODNN7EXAMPLE' } }),
    );
    const text = readFileSync(path, 'utf8');
    assert.ok(!text.includes('hunter2'));
    assert.ok(!text.includes('AKIAIOSFODNN7EXAMPLE'));
  });

  it('detects an edited line and names it', async () => {
    const lines = await writeLines(5);
    lines[2] = lines[2]
      .replace('"outcome":"refused"', '"outcome":"succeeded"')
      .replace('"outcome":"succeeded"', '"outcome":"approved"');
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

  it('reports a trail that was never written (no file, no head) as empty and fine', async () => {
    const result = await verifyAuditTrail(join(dir.path, 'none.jsonl'));
    assert.equal(result.ok, true);
    assert.equal(result.message, 'The audit trail is empty.');
  });

  it('reports a deleted trail whose head remains as missing, not as empty', async () => {
    await writeLines(3);
    unlinkSync(path);
    assert.ok(existsSync(headPathFor(path)), 'the head stays');
    const result = await verifyAuditTrail(path);
    assert.equal(result.ok, false);
    assert.equal(result.problem, 'missing');
    assert.match(result.message, /missing, but its head records 3 line\(s\)/);
    assert.doesNotMatch(result.message, /empty/);
  });

  it('reports an emptied trail whose head records lines as truncated', async () => {
    await writeLines(3);
    writeFileSync(path, '');
    const result = await verifyAuditTrail(path);
    assert.equal(result.ok, false);
    assert.equal(result.problem, 'truncated');
    assert.equal(result.firstBadLine, 1);
  });

  it('after a deleted trail, the writer chains on from the head, so the gap stays visible', async () => {
    await writeLines(3);
    const head = JSON.parse(readFileSync(headPathFor(path), 'utf8'));
    unlinkSync(path);
    const record = await new AuditTrail(path).append(entry(4));
    assert.equal(record.seq, 4, 'not a fresh chain starting at 1');
    assert.equal(record.prevHash, head.hash);
    const result = await verifyAuditTrail(path);
    assert.equal(result.ok, false);
    assert.equal(result.problem, 'truncated');
    assert.equal(result.firstBadLine, 1);
    assert.match(result.message, /sequence number 4: the 3 line\(s\) before it are missing/);
    await new AuditTrail(path).append(entry(5));
    assert.equal((await verifyAuditTrail(path)).ok, false, 'still reported after more appends');
  });

  it('after lines were cut from the end, the next append does not hide the cut', async () => {
    const lines = await writeLines(5);
    writeFileSync(path, `${lines.slice(0, 3).join('\n')}\n`);
    const record = await new AuditTrail(path).append(entry(6));
    assert.equal(record.seq, 6);
    const result = await verifyAuditTrail(path);
    assert.equal(result.ok, false);
    assert.equal(result.firstBadLine, 4, 'the appended line does not follow line 3');
  });

  it('whatever is removed (the file, its tail, everything), later appends never make the trail verify clean again (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom('none', 'delete', 'empty', 'cut-tail'),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 2 }),
        async (written, tamper, cut, appendedAfter) => {
          const own = tempDir();
          try {
            const file = join(own.path, 'audit.jsonl');
            const trail = new AuditTrail(file);
            for (let index = 1; index <= written; index += 1) await trail.append(entry(index));
            const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
            if (tamper === 'delete') unlinkSync(file);
            if (tamper === 'empty') writeFileSync(file, '');
            if (tamper === 'cut-tail')
              writeFileSync(
                file,
                lines
                  .slice(0, Math.max(0, written - cut))
                  .map((line) => `${line}\n`)
                  .join(''),
              );
            for (let index = 0; index < appendedAfter; index += 1)
              await new AuditTrail(file).append(entry(written + index + 1));
            const result = await verifyAuditTrail(file);
            assert.equal(
              result.ok,
              tamper === 'none',
              `${tamper} of ${written} line(s) (cut ${cut}), then ${appendedAfter} append(s): ${result.message}`,
            );
          } finally {
            own.cleanup();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a head behind the file (a crash between append and head update) is caught up by the next append', async () => {
    await writeLines(3);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    const second = JSON.parse(lines[1]);
    writeFileSync(headPathFor(path), JSON.stringify({ seq: second.seq, hash: second.hash }));
    await new AuditTrail(path).append(entry(4));
    assert.equal((await verifyAuditTrail(path)).ok, true);
  });

  it('a damaged head fails verification and is not rewritten by later appends', async () => {
    await writeLines(2);
    writeFileSync(headPathFor(path), 'garbage');
    const result = await verifyAuditTrail(path);
    assert.equal(result.ok, false);
    assert.equal(result.problem, 'head-damaged');
    await new AuditTrail(path).append(entry(3));
    assert.equal(readFileSync(headPathFor(path), 'utf8'), 'garbage');
    assert.equal((await verifyAuditTrail(path)).problem, 'head-damaged');
  });

  describe('export', () => {
    beforeEach(async () => {
      await writeLines(6);
    });

    it('filters by time range, operation, outcome and environment', async () => {
      assert.equal((await readAuditTrail(path)).length, 6);
      assert.deepEqual(
        (await readAuditTrail(path, { operations: ['ec2.instances.stop'] })).map((record) => record.seq),
        [1, 3, 5],
      );
      assert.deepEqual(
        (await readAuditTrail(path, { outcomes: ['refused'] })).map((record) => record.seq),
        [2, 4, 6],
      );
      assert.deepEqual(
        (await readAuditTrail(path, { environments: ['PROD'] })).map((record) => record.seq),
        [3, 6],
      );
      assert.deepEqual(
        (await readAuditTrail(path, { from: '2025-01-01T12:02:00Z', to: new Date('2025-01-01T12:04:00Z') })).map(
          (record) => record.seq,
        ),
        [2, 3, 4],
      );
    });

    it('exports JSON', async () => {
      const json = JSON.parse(await exportAuditTrail(path, 'json', { outcomes: ['succeeded'] }));
      assert.equal(json.length, 3);
      assert.ok(json.every((record: { hash: string }) => /^[0-9a-f]{64}$/.test(record.hash)));
    });

    it('exports CSV with a header, quoting and formula neutralization', async () => {
      await new AuditTrail(path).append(
        entry(7, { error: { code: 'X', message: '=HYPERLINK("http://evil", "a, b")' } }),
      );
      const csv = await exportAuditTrail(path, 'csv');
      const rows = csv.trimEnd().split('\r\n');
      assert.equal(rows.length, 8);
      assert.ok(rows[0].startsWith('seq,time,outcome,operation'));
      assert.ok(rows[7].includes(`"'=HYPERLINK(""http://evil"", ""a, b"")"`), rows[7]);
    });
  });
});
