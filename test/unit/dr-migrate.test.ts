import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrateDocument } from '../../src/core/dr/migrate';
import { parseGroup, parsePlan } from '../../src/core/dr/parse';
import { upgradeFile } from '../../src/core/dr/workspace';
import { tempDir } from '../support/dr';

const V1_PLAN = `schemaVersion: 1
kind: RecoveryPlan
name: legacy
rtoMinutes: 60
rpoMinutes: 5
continueOnFailure: true
waves:
  - name: db
    protectionGroups: [db-tier]
    pauseBefore: true
  - name: app
    protectionGroups: [app-tier]
    waitAfterSeconds: 30
  - name: web
    protectionGroups: [web-tier]
`;

const V1_GROUP = `schemaVersion: 1
kind: ProtectionGroup
name: db-tier
accountId: "123456789012"
region: us-east-1
tags:
  Role: db
sourceServerIds: [s-0123456789abcdef0]
`;

describe('DR schema migration v1 → v2', () => {
  it('migrates a v1 plan: sequential waves become explicit dependsOn', () => {
    const result = parsePlan(V1_PLAN);
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.migratedFrom, 1);
    assert.deepEqual(result.document, {
      schemaVersion: 2,
      kind: 'RecoveryPlan',
      name: 'legacy',
      targets: { rpoMinutes: 5, rtoMinutes: 60 },
      failurePolicy: 'continue',
      waves: [
        { name: 'db', protectionGroups: ['db-tier'], pauseBeforeWave: true },
        {
          name: 'app',
          protectionGroups: ['app-tier'],
          dependsOn: ['db'],
          postActions: [{ type: 'wait', seconds: 30 }],
        },
        { name: 'web', protectionGroups: ['web-tier'], dependsOn: ['app'] },
      ],
    });
    assert.ok(result.migrationNotes!.some((note) => /dependsOn/.test(note)));
  });

  it('migrates a v1 group: selection and account', () => {
    const result = parseGroup(V1_GROUP);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(result.document, {
      schemaVersion: 2,
      kind: 'ProtectionGroup',
      name: 'db-tier',
      account: '123456789012',
      region: 'us-east-1',
      selection: { tags: { Role: 'db' }, sourceServerIds: ['s-0123456789abcdef0'] },
    });
  });

  it('points errors in a v1 file at the v1 keys', () => {
    const bad = parsePlan(
      V1_PLAN.replace('pauseBefore: true', 'pauseBefore: maybe').replace(
        'waitAfterSeconds: 30',
        'waitAfterSeconds: -3',
      ),
    );
    assert.deepEqual(
      bad.diagnostics.map((d) => [d.start!.line, d.start!.column]),
      [
        [10, 18],
        [13, 23],
      ],
    );
    const group = parseGroup(V1_GROUP.replace('"123456789012"', '"12345"'));
    assert.deepEqual(
      group.diagnostics.map((d) => d.start!.line),
      [4],
    );
  });

  it('leaves current documents alone and refuses unknown versions', () => {
    const current = { schemaVersion: 2, kind: 'ProtectionGroup', name: 'x' };
    assert.equal(migrateDocument(current)!.value, current);
    assert.equal(migrateDocument({ schemaVersion: 3 }), undefined);
  });

  it('upgrades a clean v1 file in place, and never touches a malformed one', async () => {
    const dir = tempDir();
    try {
      const good = join(dir.path, 'legacy.recovery-plan.yaml');
      writeFileSync(good, V1_PLAN);
      const notes = await upgradeFile(good);
      assert.ok(notes && notes.length > 0);
      const upgraded = parsePlan(readFileSync(good, 'utf8'));
      assert.equal(upgraded.migratedFrom, undefined);
      assert.deepEqual(upgraded.document, parsePlan(V1_PLAN).document);
      assert.equal(await upgradeFile(good), undefined, 'nothing to do the second time');

      const bad = join(dir.path, 'bad.recovery-plan.yaml');
      const text = V1_PLAN.replace('pauseBefore: true', 'pauseBefore: [');
      writeFileSync(bad, text);
      await assert.rejects(upgradeFile(bad), /left untouched/);
      assert.equal(readFileSync(bad, 'utf8'), text);
    } finally {
      dir.remove();
    }
  });
});
