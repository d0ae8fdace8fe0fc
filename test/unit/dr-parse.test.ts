import * as assert from 'node:assert/strict';
import { parseDrDocument, parseGroup, parsePlan, validateDocument } from '../../src/core/dr/parse';

const VALID_PLAN = `schemaVersion: 2
kind: RecoveryPlan
name: three-tier
description: Web shop
targets:
  rpoMinutes: 15
  rtoMinutes: 60
failurePolicy: stop
waves:
  - name: db
    protectionGroups: [db-tier]
    preActions:
      - type: approval
        message: DBA on call?
  - name: app
    protectionGroups: [app-tier]
    dependsOn: [db]
    pauseBeforeWave: true
    postActions:
      - type: ssmAutomation
        documentName: PL-Smoke
        parameters: { Url: http://app, Tries: ["1", "2"] }
        timeoutSeconds: 300
        retries: 2
      - type: wait
        seconds: 30
    maxWaitSeconds: 1800
`;

function only(text: string, kind?: 'ProtectionGroup' | 'RecoveryPlan') {
  const result = parseDrDocument(text, kind);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  return { result, errors };
}

describe('DR file parsing', () => {
  it('parses a valid plan exactly as written (no defaults injected)', () => {
    const result = parsePlan(VALID_PLAN);
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.document!.waves[1].postActions![0].type, 'ssmAutomation');
    assert.deepEqual(result.document!.waves[1].postActions![0], {
      type: 'ssmAutomation',
      documentName: 'PL-Smoke',
      parameters: { Url: 'http://app', Tries: ['1', '2'] },
      timeoutSeconds: 300,
      retries: 2,
    });
    assert.equal('failurePolicy' in parsePlan(VALID_PLAN.replace('failurePolicy: stop\n', '')).document!, false);
  });

  it('parses a valid group (tags and IDs)', () => {
    const result = parseGroup(
      'schemaVersion: 2\nkind: ProtectionGroup\nname: db-tier\naccount: "123456789012"\nregion: us-east-1\nselection:\n  tags: { Role: db }\n  sourceServerIds: [s-0123456789abcdef0]\nlaunchSettings:\n  copyTags: true\n',
    );
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(result.document!.selection, { tags: { Role: 'db' }, sourceServerIds: ['s-0123456789abcdef0'] });
  });

  it('points a YAML syntax error at its line and column', () => {
    const { errors } = only(
      'schemaVersion: 2\nkind: RecoveryPlan\nname: x\nwaves:\n  - name: a\n    protectionGroups: [g\n  - name: b\n',
    );
    assert.equal(errors.length >= 1, true);
    assert.match(errors[0].message, /^YAML: /);
    assert.equal(errors[0].start!.line >= 6, true, JSON.stringify(errors[0]));
  });

  it('reports an unknown property at the key, with a suggestion', () => {
    const { errors } = only(VALID_PLAN.replace('    pauseBeforeWave: true', '    pauseBeforWave: true'));
    assert.equal(errors.length, 1);
    assert.deepEqual(errors[0].start, { line: 18, column: 5 });
    assert.deepEqual(errors[0].end, { line: 18, column: 19 });
    assert.match(errors[0].message, /Unknown property "pauseBeforWave"\. Did you mean "pauseBeforeWave"\?/);
    assert.deepEqual(errors[0].path, ['waves', 1, 'pauseBeforWave']);
  });

  it('reports a wrong enum value at the value', () => {
    const { errors } = only(VALID_PLAN.replace('failurePolicy: stop', 'failurePolicy: stopp'));
    assert.equal(errors.length, 1);
    assert.deepEqual(errors[0].start, { line: 8, column: 16 });
    assert.match(errors[0].message, /Did you mean "stop"/);
  });

  it('reports wrong types and ranges inside actions', () => {
    const { errors } = only(VALID_PLAN.replace('retries: 2', 'retries: -1').replace('seconds: 30', 'seconds: soon'));
    assert.deepEqual(
      errors.map((e) => [e.start!.line, e.start!.column, e.code]),
      [
        [24, 18, 'minimum'],
        [26, 18, 'type'],
      ],
    );
  });

  it('reports an unknown action type with the known ones', () => {
    const { errors } = only(VALID_PLAN.replace('type: wait', 'type: sleep'));
    assert.equal(errors.length, 1);
    assert.deepEqual(errors[0].start, { line: 25, column: 15 });
    assert.match(errors[0].message, /Unknown action type "sleep"; use one of "ssmAutomation", "wait", "approval"/);
  });

  it('reports a missing required property at the parent key', () => {
    const { errors } = only(VALID_PLAN.replace('        message: DBA on call?\n', ''));
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /Missing required property "message"/);
    assert.deepEqual(errors[0].start, { line: 13, column: 9 });
  });

  it('rejects duplicate keys', () => {
    const { errors } = only(
      'schemaVersion: 2\nkind: ProtectionGroup\nname: a\nname: b\nregion: us-east-1\nselection: { tags: { a: b } }\n',
    );
    assert.equal(errors.length, 1);
    assert.equal(errors[0].start!.line, 4);
    assert.match(errors[0].message, /unique/i);
  });

  it('rejects a dependency cycle and names it', () => {
    const text = VALID_PLAN.replace(
      '  - name: db\n    protectionGroups: [db-tier]\n',
      '  - name: db\n    protectionGroups: [db-tier]\n    dependsOn: [app]\n',
    );
    const { errors } = only(text);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 'cycle');
    assert.match(errors[0].message, /db → app → db/);
    assert.deepEqual(errors[0].start, { line: 12, column: 17 });
  });

  it('names a longer cycle and a self-dependency', () => {
    const plan = (deps: Record<string, string[]>) =>
      `schemaVersion: 2\nkind: RecoveryPlan\nname: p\nwaves:\n${Object.entries(deps)
        .map(
          ([name, d]) =>
            `  - name: ${name}\n    sourceServerIds: [s-0123456789abcdef${name.length}]\n    dependsOn: [${d.join(', ')}]\n`,
        )
        .join('')}`;
    const cycle = only(plan({ a: [], b: ['d'], c: ['b'], d: ['c'] })).errors;
    assert.equal(cycle.length, 1);
    assert.match(cycle[0].message, /b → d → c → b/);
    const self = only(plan({ a: ['a'] })).errors;
    assert.match(self[0].message, /depends on itself/);
  });

  it('rejects unknown waves in dependsOn, duplicate wave names and empty waves', () => {
    const { errors } = only(
      'schemaVersion: 2\nkind: RecoveryPlan\nname: p\nwaves:\n  - name: a\n    protectionGroups: [g]\n    dependsOn: [x]\n  - name: a\n    protectionGroups: [g]\n  - name: c\n',
    );
    assert.deepEqual(
      errors.map((e) => [e.code, e.start!.line]),
      [
        ['unknown-wave', 7],
        ['duplicate-wave', 8],
        ['empty-wave', 10],
      ],
    );
  });

  it('rejects the wrong kind, a missing kind, a newer schema version and an empty file', () => {
    assert.match(only(VALID_PLAN, 'ProtectionGroup').errors[0].message, /must hold a ProtectionGroup/);
    assert.match(only('schemaVersion: 2\nname: x\n').errors[0].message, /Missing "kind"/);
    const newer = only(VALID_PLAN.replace('schemaVersion: 2', 'schemaVersion: 7')).errors[0];
    assert.match(newer.message, /newer Pilot Light/);
    assert.deepEqual(newer.start, { line: 1, column: 16 });
    assert.match(only('').errors[0].message, /empty/);
  });

  it('rejects an empty group selection and a numeric account', () => {
    const errors = only(
      'schemaVersion: 2\nkind: ProtectionGroup\nname: a\naccount: 123456789012\nregion: us-east-1\nselection: {}\n',
    ).errors;
    assert.deepEqual(
      errors.map((e) => e.start!.line),
      [4],
    );
    const empty = only('schemaVersion: 2\nkind: ProtectionGroup\nname: a\nregion: us-east-1\nselection: {}\n').errors;
    assert.equal(empty[0].code, 'empty-selection');
    assert.equal(empty[0].start!.line, 5);
  });

  it('validates in-memory documents (bundles) without positions', () => {
    assert.equal(
      validateDocument({ schemaVersion: 2, kind: 'RecoveryPlan', name: 'p', waves: [] }).diagnostics[0].code,
      'minItems',
    );
    assert.ok(validateDocument(parsePlan(VALID_PLAN).document).document);
  });
});
