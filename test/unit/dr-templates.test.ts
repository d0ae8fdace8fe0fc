import * as assert from 'node:assert/strict';
import { parseGroup, parsePlan, locateInDocument } from '../../src/core/dr/parse';
import { createBundle, importBundle, renderImportMarkdown } from '../../src/core/dr/bundle';
import { renderPreflightMarkdown, runPreflight } from '../../src/core/dr/preflight';
import { writeDocument, defaultPathFor } from '../../src/core/dr/workspace';
import { nameProblem, protectionGroupTemplate, recoveryPlanTemplate } from '../../src/core/dr/templates';
import { FakeDrs } from '../support/fakeDrs';
import { group, plan, tempDir } from '../support/dr';

describe('DR templates, positions and the preflight report', () => {
  it('writes a protection-group template that parses cleanly', () => {
    const text = protectionGroupTemplate({
      name: 'db-tier',
      region: 'eu-west-1',
      tags: { Role: 'db', 'app:name': 'shop' },
    });
    const parsed = parseGroup(text);
    assert.deepEqual(parsed.diagnostics, []);
    assert.equal(parsed.document?.name, 'db-tier');
    assert.equal(parsed.document?.region, 'eu-west-1');
    assert.deepEqual(parsed.document?.selection.tags, { Role: 'db', 'app:name': 'shop' });
    assert.match(text, /^# Protection group/);
  });

  it('writes a recovery-plan template whose waves chain the given groups', () => {
    const text = recoveryPlanTemplate({ name: 'shop', groups: ['db-tier', 'app-tier', 'web-tier'], rtoMinutes: 30 });
    const parsed = parsePlan(text);
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual(
      parsed.document?.waves.map((w) => [w.name, w.protectionGroups, w.dependsOn]),
      [
        ['db', ['db-tier'], undefined],
        ['app', ['app-tier'], ['db']],
        ['web', ['web-tier'], ['app']],
      ],
    );
    assert.equal(parsed.document?.targets?.rtoMinutes, 30);
    assert.deepEqual(
      parsePlan(recoveryPlanTemplate({ name: 'empty' })).diagnostics,
      [],
      'the placeholder plan parses too',
    );
  });

  it('rejects names that cannot be used', () => {
    assert.equal(nameProblem('ok-name_1.2'), undefined);
    assert.match(nameProblem('') ?? '', /Enter a name/);
    assert.match(nameProblem('has space') ?? '', /letters, digits/);
    assert.throws(() => recoveryPlanTemplate({ name: '-x' }), /Invalid recovery plan name "-x"/);
  });

  it('locates a path in the text, falling back to the nearest parent', () => {
    const text =
      'schemaVersion: 2\nkind: RecoveryPlan\nname: shop\nwaves:\n  - name: db\n    protectionGroups: [db]\n  - name: app\n    protectionGroups: [app]\n';
    assert.deepEqual(locateInDocument(text, ['waves', 1, 'name']), {
      start: { line: 7, column: 11 },
      end: { line: 7, column: 14 },
    });
    assert.deepEqual(locateInDocument(text, ['waves', 1, 'nothing']).start, { line: 7, column: 5 });
    assert.deepEqual(locateInDocument(text, ['name']).start, { line: 3, column: 7 });
  });

  it('renders a preflight as Markdown with what is wrong and how to fix it', async () => {
    const fake = new FakeDrs();
    const [id] = fake.addServers(1, { Role: 'db' });
    fake.servers[0].dataReplicationInfo = { dataReplicationState: 'STALLED' };
    const report = await runPreflight({
      plan: plan('shop', [{ name: 'db', protectionGroups: ['db'] }], { targets: { rtoMinutes: 45 } }),
      groups: [group('db', { Role: 'db' })],
      reads: fake,
      mode: 'drill',
      defaultRegion: 'us-east-1',
    });
    const markdown = renderPreflightMarkdown(report);
    assert.match(markdown, /^# Preflight: shop \(drill\)/);
    assert.match(markdown, /\*\*Blocked:\*\* 1 problem\(s\)/);
    assert.match(markdown, /RTO target 45 min/);
    assert.match(markdown, /\*\*What is wrong:\*\* Replication is STALLED, not CONTINUOUS/);
    assert.match(markdown, /\*\*How to fix:\*\* Fix the replication agent/);
    assert.ok(markdown.includes(`\`${id}\``));
  });

  it('flags name conflicts in an import and renders the preview as Markdown', async () => {
    const dir = tempDir();
    try {
      const existing = group('db', { Role: 'db' });
      await writeDocument(defaultPathFor(dir.path, existing), existing);
      const bundle = createBundle(
        [group('db', { Role: 'database' }), group('app', { Role: 'app' })],
        [plan('shop', [{ name: 'w', protectionGroups: ['app'] }])],
      );
      const report = await importBundle(bundle, dir.path, { dryRun: true });
      assert.deepEqual(
        report.items.map((item) => [item.name, item.action, item.conflict ?? false]),
        [
          ['app', 'create', false],
          ['db', 'fail', true],
          ['shop', 'create', false],
        ],
      );
      const markdown = renderImportMarkdown(report, 'b.json');
      assert.match(markdown, /^# Import preview \(dry run, nothing written\): b\.json/);
      assert.match(markdown, /\| Would create \| 2 \|/);
      assert.match(markdown, /\| Would fail \| 1 \|/);
      assert.match(markdown, /1 name conflict\(s\) with different content in the workspace: group db/);
      assert.match(
        renderImportMarkdown({
          ...report,
          diagnostics: [{ severity: 'error', code: 'x', path: [], message: 'not JSON', start: { line: 2, column: 3 } }],
        }),
        /line 2, column 3: not JSON/,
      );
    } finally {
      dir.remove();
    }
  });
});
