import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importBundle, parseBundle } from '../../src/core/dr/bundle';
import { flowNestingOffset, parseDrDocument, parseGroup, parsePlan } from '../../src/core/dr/parse';
import { DR_LIMITS } from '../../src/core/dr/schema';
import { readDrFile } from '../../src/core/dr/workspace';
import { tempDir } from '../support/dr';

const GROUP_HEAD = 'schemaVersion: 2\nkind: ProtectionGroup\nname: web\nregion: us-east-1\n';
const serverId = (index: number) => `s-${index.toString(16).padStart(17, '0')}`;
const errorsOf = (diagnostics: Array<{ severity: string; code: string; message: string }>) =>
  diagnostics.filter((d) => d.severity === 'error');

describe('DR files and bundles: limits (issue 10)', () => {
  it('does not parse a file over the size limit, and says why', () => {
    const text = `${GROUP_HEAD}description: "${'x'.repeat(DR_LIMITS.documentBytes)}"\nselection: { tags: { a: b } }\n`;
    const result = parseGroup(text);
    assert.equal(result.document, undefined);
    assert.deepEqual(
      result.diagnostics.map((d) => d.code),
      ['too-large'],
    );
    assert.match(result.diagnostics[0].message, /larger than 512 KB.*not parsed/);
  });

  it('refuses deep flow nesting before the YAML parser sees it, at its line', () => {
    const text = `${GROUP_HEAD}selection:\n  tags: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`;
    const result = parseGroup(text);
    assert.deepEqual(
      result.diagnostics.map((d) => d.code),
      ['too-deep'],
    );
    assert.equal(result.diagnostics[0].start?.line, 6);
    assert.equal(
      flowNestingOffset('a: "[[[[[[" # [[[[[[\nb: [1, [2]]\n', 3),
      undefined,
      'quoted text and comments do not count',
    );
    assert.equal(flowNestingOffset("a: 'x\nb: [[[[", 3), 12, 'an unmatched quote ends with its line');
  });

  it('finds duplicate keys in a long mapping in linear time', () => {
    const tags = Array.from({ length: 20_000 }, (_, index) => `    k${index}: v`).join('\n');
    const text = `${GROUP_HEAD}selection:\n  tags:\n${tags}\n    k7: again\n`;
    const started = Date.now();
    const result = parseGroup(text);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 15_000, `took ${elapsed} ms`); // generous: the library's own unique-key check took minutes on such a file
    const duplicate = result.diagnostics.find((d) => d.code === 'yaml-DUPLICATE_KEY');
    assert.ok(duplicate, JSON.stringify(result.diagnostics.slice(0, 3)));
    assert.equal(duplicate.start?.line, 20_007);
    assert.match(duplicate.message, /unique.*"k7"/);
  });

  it('bounds lists and maps in the schema', () => {
    const tags = Object.fromEntries(
      Array.from({ length: DR_LIMITS.selectionTags + 1 }, (_, index) => [`k${index}`, 'v']),
    );
    const group = parseGroup(`${GROUP_HEAD}selection: ${JSON.stringify({ tags })}\n`);
    assert.ok(
      errorsOf(group.diagnostics).some((d) => d.code === 'maxProperties' && /at most 50/.test(d.message)),
      JSON.stringify(group.diagnostics),
    );
    const waves = Array.from({ length: DR_LIMITS.waves + 1 }, (_, index) => ({
      name: `w${index}`,
      sourceServerIds: [serverId(index)],
    }));
    const plan = parsePlan(`schemaVersion: 2\nkind: RecoveryPlan\nname: big\nwaves: ${JSON.stringify(waves)}\n`);
    assert.ok(
      errorsOf(plan.diagnostics).some((d) => d.code === 'maxItems' && /at most 100/.test(d.message)),
      JSON.stringify(plan.diagnostics.slice(0, 3)),
    );
    const servers = parsePlan(
      `schemaVersion: 2\nkind: RecoveryPlan\nname: big\nwaves: [{ name: w, sourceServerIds: ${JSON.stringify(Array.from({ length: DR_LIMITS.sourceServerIds + 1 }, (_, index) => serverId(index)))} }]\n`,
    );
    assert.ok(errorsOf(servers.diagnostics).some((d) => d.code === 'maxItems'));
  });

  it('lists at most 100 problems of a file and counts the rest', () => {
    const ids = Array.from({ length: 500 }, (_, index) => `bad-${index}`);
    const result = parseDrDocument(`${GROUP_HEAD}selection:\n  sourceServerIds: ${JSON.stringify(ids)}\n`);
    assert.equal(result.diagnostics.length, DR_LIMITS.reportedProblems + 1);
    assert.ok(result.diagnostics.some((d) => d.code === 'more-problems' && /^400 more problems/.test(d.message)));
  });

  it('reads only up to the limit of a huge file on disk and reports it', async () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, 'huge.group.yaml');
      writeFileSync(path, `${GROUP_HEAD}description: ${'x'.repeat(3 * DR_LIMITS.documentBytes)}\n`);
      const file = await readDrFile(path);
      assert.equal(file.result.document, undefined);
      assert.equal(file.result.diagnostics[0].code, 'too-large');
    } finally {
      dir.remove();
    }
  });

  it('bundles: refuses an oversized bundle, an alias bomb and too many documents with a diagnostic, not an exception', async () => {
    assert.equal(
      parseBundle(`{"bundleVersion": 2, "pad": "${'x'.repeat(DR_LIMITS.bundleBytes)}"}`).diagnostics[0].code,
      'too-large',
    );
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
    ].join('\n');
    const bombed = parseBundle(bomb);
    assert.equal(bombed.bundle, undefined);
    assert.match(bombed.diagnostics[0].message, /alias/i);
    const many = JSON.stringify({
      bundleVersion: 2,
      kind: 'PilotLightDrBundle',
      exportedAt: '2026-01-01T00:00:00Z',
      protectionGroups: Array.from({ length: DR_LIMITS.bundleDocuments + 1 }, () => ({})),
      recoveryPlans: [],
    });
    const dir = tempDir();
    try {
      const report = await importBundle(many, dir.path, { dryRun: true });
      assert.match(report.diagnostics[0].message, /at most 1000/);
      assert.deepEqual(report.items, []);
    } finally {
      dir.remove();
    }
    const duplicate = parseBundle('{"bundleVersion": 2, "bundleVersion": 1}');
    assert.equal(duplicate.diagnostics[0].code, 'yaml-DUPLICATE_KEY');
  });
});
