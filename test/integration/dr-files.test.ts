/** Malformed plan and group files: precise errors, and the files are never modified by anything. */
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createBundle, exportWorkspace, importBundle } from '../../src/core/dr/bundle';
import { formatDiagnostic } from '../../src/core/dr/parse';
import { loadDrWorkspace, sha256, upgradeFile, writeDocument } from '../../src/core/dr/workspace';
import { tempDir, threeTierPlan, tierGroups } from '../support/dr';

const MALFORMED: Record<string, { text: string; expect: [number, number, RegExp][] }> = {
  'syntax.recovery-plan.yaml': {
    text: 'schemaVersion: 2\nkind: RecoveryPlan\nname: syntax\nwaves:\n  - name: db\n    protectionGroups: [db-tier\n  - name: app\n',
    expect: [[7, 3, /^YAML: /]],
  },
  'cycle.recovery-plan.yaml': {
    text: 'schemaVersion: 2\nkind: RecoveryPlan\nname: cycle\nwaves:\n  - name: db\n    protectionGroups: [db-tier]\n    dependsOn: [web]\n  - name: app\n    protectionGroups: [app-tier]\n    dependsOn: [db]\n  - name: web\n    protectionGroups: [web-tier]\n    dependsOn: [app]\n',
    expect: [[7, 17, /Dependency cycle between waves: db → web → app → db/]],
  },
  'typos.recovery-plan.yaml': {
    text: 'schemaVersion: 2\nkind: RecoveryPlan\nname: typos\nfailurePolicy: contine\nwaves:\n  - name: db\n    protectionGroups: [db-tier]\n    maxWaitSecond: 60\n    preActions:\n      - type: ssmAutomation\n        documentName: PL-Sleep\n        retries: eleven\n',
    expect: [
      [4, 16, /Did you mean "continue"/],
      [8, 5, /Unknown property "maxWaitSecond"\. Did you mean "maxWaitSeconds"\?/],
      [12, 18, /Expected a whole number, got "eleven"/],
    ],
  },
  'tabs.protection-group.yaml': {
    text: 'schemaVersion: 2\nkind: ProtectionGroup\nname: tabs\nregion: us-east-1\nselection:\n\ttags: { Role: db }\n',
    expect: [[6, 1, /^YAML: /]],
  },
  'mixed.protection-group.yaml': {
    text: '{"schemaVersion": 2, "kind": "RecoveryPlan", "name": "x", "waves": []}\n',
    expect: [[1, 30, /must hold a ProtectionGroup/]],
  },
};

describe('DR malformed files', () => {
  let dir: ReturnType<typeof tempDir>;
  let folder: string;
  const hashes = new Map<string, string>();

  beforeEach(() => {
    dir = tempDir();
    folder = join(dir.path, 'dr');
    mkdirSync(folder, { recursive: true });
    hashes.clear();
    for (const [name, { text }] of Object.entries(MALFORMED)) {
      writeFileSync(join(folder, name), text);
      hashes.set(join(folder, name), sha256(text));
    }
  });
  afterEach(() => dir.remove());

  function assertUntouched(): void {
    for (const [path, hash] of hashes) assert.equal(sha256(readFileSync(path)), hash, `${path} changed`);
  }

  it('reports each error at its line and column', async () => {
    const workspace = await loadDrWorkspace(dir.path);
    const files = [...workspace.groups, ...workspace.plans];
    assert.equal(files.length, Object.keys(MALFORMED).length);
    for (const file of files) {
      const name = file.path.split(/[\\/]/).pop()!;
      const errors = file.result.diagnostics.filter((d) => d.severity === 'error');
      assert.equal(file.result.document, undefined, name);
      const expected = MALFORMED[name].expect;
      assert.equal(
        errors.length,
        expected.length,
        `${name}: ${errors.map((e) => formatDiagnostic(name, e)).join('\n')}`,
      );
      expected.forEach(([line, column, message], i) => {
        assert.deepEqual(
          [errors[i].start!.line, errors[i].start!.column],
          [line, column],
          `${name}: ${formatDiagnostic(name, errors[i])}`,
        );
        assert.match(errors[i].message, message);
      });
    }
    assert.match(
      formatDiagnostic(
        'cycle.recovery-plan.yaml',
        workspace.plans.find((p) => p.path.includes('cycle'))!.result.diagnostics[0],
      ),
      /^cycle\.recovery-plan\.yaml:7:17: error: Dependency cycle/,
    );
    assertUntouched();
  });

  it('never modifies them: not by export, import, upgrade or save', async () => {
    const exported = await exportWorkspace(dir.path);
    assert.equal(exported.skipped.length, Object.keys(MALFORMED).length);
    assert.equal(exported.bundle.recoveryPlans.length, 0);

    const plan = { ...threeTierPlan(), name: 'cycle' };
    const target = join(folder, 'cycle.recovery-plan.yaml');
    await assert.rejects(writeDocument(target, plan, { overwrite: true }), /has errors; it is left untouched/);
    for (const path of hashes.keys()) await assert.rejects(upgradeFile(path), /left untouched/);

    // An import whose file would land on a malformed file fails that item and leaves the file alone.
    const landing = join(dir.path, '.pilotlight', 'dr', 'plans', 'three-tier.recovery-plan.yaml');
    mkdirSync(join(landing, '..'), { recursive: true });
    writeFileSync(landing, 'schemaVersion: 2\nkind: RecoveryPlan\nname: three-tier\nwaves: [\n');
    hashes.set(landing, sha256(readFileSync(landing)));
    const report = await importBundle(createBundle(tierGroups(), [threeTierPlan()]), dir.path, {
      onConflict: 'overwrite',
    });
    assert.deepEqual(report.failed, ['plan three-tier']);
    assert.deepEqual(report.created, ['group app-tier', 'group db-tier', 'group web-tier']);
    assertUntouched();
  });
});
