import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  createBundle,
  exportWorkspace,
  importBundle,
  parseBundle,
  serializeBundle,
  type ImportVerifier,
} from '../../src/core/dr/bundle';
import { defaultPathFor, serializeDocument, sha256 } from '../../src/core/dr/workspace';
import type { ProtectionGroup, RecoveryPlan } from '../../src/core/dr/model';
import { group, plan, tempDir } from '../support/dr';

const groups: ProtectionGroup[] = [
  group(
    'db-tier',
    { Role: 'db' },
    {
      description: 'Databases',
      account: '123456789012',
      launchSettings: { copyTags: true, launchDisposition: 'STARTED' },
    },
  ),
  group(
    'web-tier',
    { Role: 'web' },
    { selection: { tags: { Role: 'web' }, sourceServerIds: ['s-0123456789abcdef0'] } },
  ),
];
const plans: RecoveryPlan[] = [
  plan(
    'shop',
    [
      {
        name: 'db',
        protectionGroups: ['db-tier'],
        preActions: [
          {
            type: 'ssmAutomation',
            documentName: 'PL-Check',
            parameters: { Tier: 'db', Hosts: ['a', 'b'] },
            retries: 1,
          },
        ],
      },
      {
        name: 'web',
        protectionGroups: ['web-tier'],
        dependsOn: ['db'],
        pauseBeforeWave: true,
        postActions: [
          { type: 'approval', message: 'Looks good?' },
          { type: 'wait', seconds: 1.5 },
        ],
      },
    ],
    { description: 'Shop', targets: { rtoMinutes: 60, rpoMinutes: 15 }, failurePolicy: 'continue' },
  ),
];

const okVerifier: ImportVerifier = { missingSourceServers: async () => [], missingSsmDocuments: async () => [] };

describe('DR bundle export/import', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.remove());

  it('serializes and parses back to a deep-equal bundle', () => {
    const bundle = createBundle(
      groups,
      plans,
      { account: '123456789012', region: 'us-east-1' },
      new Date('2026-01-01T00:00:00Z'),
    );
    const parsed = parseBundle(serializeBundle(bundle));
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual(parsed.bundle, bundle);
  });

  it('exports a workspace, imports it elsewhere, and exports the same bundle again', async () => {
    const source = join(dir.path, 'a');
    const target = join(dir.path, 'b');
    for (const doc of [...groups, ...plans]) {
      mkdirSync(join(source, 'dr'), { recursive: true });
      writeFileSync(
        join(source, 'dr', `${doc.name}.${doc.kind === 'ProtectionGroup' ? 'protection-group' : 'recovery-plan'}.yaml`),
        serializeDocument(doc),
      );
    }
    const { bundle, skipped } = await exportWorkspace(source);
    assert.deepEqual(skipped, []);
    const dry = await importBundle(serializeBundle(bundle), target, { dryRun: true, verifier: okVerifier });
    assert.deepEqual(
      [dry.created, dry.failed, dry.skipped],
      [['group db-tier', 'group web-tier', 'plan shop'], [], []],
    );
    assert.equal(existsSync(join(target, '.pilotlight')), false, 'a dry run writes nothing');
    const real = await importBundle(serializeBundle(bundle), target, { verifier: okVerifier });
    assert.deepEqual(real.created, dry.created);
    const again = await exportWorkspace(target);
    assert.deepEqual({ ...again.bundle, exportedAt: bundle.exportedAt }, bundle);
    const second = await importBundle(bundle, target, { verifier: okVerifier });
    assert.deepEqual([second.created, second.skipped], [[], ['group db-tier', 'group web-tier', 'plan shop']]);
  });

  it('migrates a version-1 bundle with v1 documents', async () => {
    const v1 = {
      bundleVersion: 1,
      groups: [{ schemaVersion: 1, name: 'db-tier', region: 'us-east-1', tags: { Role: 'db' } }],
      plans: [
        {
          schemaVersion: 1,
          name: 'old',
          continueOnFailure: false,
          waves: [
            { name: 'a', protectionGroups: ['db-tier'] },
            { name: 'b', protectionGroups: ['db-tier'], pauseBefore: true },
          ],
        },
      ],
    };
    const parsed = parseBundle(JSON.stringify(v1));
    assert.equal(parsed.migratedFrom, 1);
    assert.deepEqual(parsed.bundle!.recoveryPlans[0].waves[1], {
      name: 'b',
      protectionGroups: ['db-tier'],
      dependsOn: ['a'],
      pauseBeforeWave: true,
    });
    const report = await importBundle(JSON.stringify(v1), dir.path, { dryRun: true });
    assert.equal(report.migratedFrom, 1);
    assert.deepEqual(report.created, ['group db-tier', 'plan old']);
    assert.match(report.notes[0], /not checked/);
  });

  it('reports conflicts, broken references, unknown servers and documents, and bad versions', async () => {
    await importBundle(createBundle(groups, []), dir.path, { verifier: okVerifier });
    const changed = structuredClone(groups[0]);
    changed.description = 'changed';
    const orphan = plan('orphan', [{ name: 'x', protectionGroups: ['missing-group'] }]);
    const report = await importBundle(createBundle([changed, groups[1]], [...plans, orphan]), dir.path, {
      dryRun: true,
      verifier: {
        missingSourceServers: async (_r, ids) => ids.filter((id) => id === 's-0123456789abcdef0'),
        missingSsmDocuments: async (_r, names) => names,
      },
    });
    const byName = Object.fromEntries(report.items.map((i) => [i.name, i]));
    assert.equal(byName['db-tier'].action, 'fail');
    assert.match(byName['db-tier'].reasons.join(' '), /A different group db-tier exists/);
    assert.equal(byName['web-tier'].action, 'skip', 'identical to the workspace copy, so nothing to verify');
    assert.equal(byName.orphan.action, 'fail');
    assert.match(byName.orphan.reasons.join(' '), /"missing-group"/);
    assert.equal(byName.shop.action, 'fail');
    assert.match(byName.shop.reasons.join(' '), /SSM document "PL-Check" not found/);
    const overwrite = await importBundle(createBundle([changed], []), dir.path, {
      dryRun: true,
      onConflict: 'overwrite',
      verifier: okVerifier,
    });
    assert.deepEqual(overwrite.overwritten, ['group db-tier']);
    const newer = await importBundle('{"bundleVersion": 9}', dir.path, { dryRun: true });
    assert.match(newer.diagnostics[0].message, /newer Pilot Light/);
    const broken = await importBundle('{"bundleVersion": 2,\n "kind": ', dir.path, { dryRun: true });
    assert.equal(broken.diagnostics[0].start!.line, 2);
  });

  it('never overwrites a malformed file in the way', async () => {
    const path = defaultPathFor(dir.path, groups[0]);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, 'schemaVersion: 2\nkind: ProtectionGroup\nname: [\n');
    const before = sha256(readFileSync(path));
    const report = await importBundle(createBundle([groups[0]], []), dir.path, {
      onConflict: 'overwrite',
      verifier: okVerifier,
    });
    assert.deepEqual(report.failed, ['group db-tier']);
    assert.match(report.items[0].reasons[0], /has errors; it is left untouched/);
    assert.equal(sha256(readFileSync(path)), before);
  });
});
