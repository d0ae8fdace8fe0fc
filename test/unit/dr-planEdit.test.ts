import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { parsePlan } from '../../src/core/dr/parse';
import {
  applyIntent,
  applyTextEdits,
  PlanEditError,
  planProblems,
  planView,
  valuesEqual,
  type PlanIntent,
} from '../../src/core/dr/planEdit';
import { RECOVERY_PLAN_PROTOCOL_VERSION, toWebview } from '../../src/protocol/recoveryPlan';

type Json = Record<string, unknown>;

const SAMPLE = `# Recovery plan for the shop
schemaVersion: 2
kind: RecoveryPlan
name: shop # the name shown in runs
waves:
  # databases first
  - name: db
    protectionGroups: [db-group]
    preActions:
      - type: wait # settle
        seconds: 5
  - name: app # application tier
    protectionGroups:
      - app-group
    dependsOn:
      - db

    pauseBeforeWave: true
# end of plan
`;

describe('recovery plan edits (visual editor)', () => {
  it('writes only the changed node and keeps every comment', () => {
    const result = applyIntent(SAMPLE, { kind: 'setWaveField', wave: 'db', field: 'maxWaitSeconds', value: 900 });
    assert.deepEqual(result.edits, [
      {
        start: SAMPLE.indexOf('    preActions:'),
        end: SAMPLE.indexOf('    preActions:'),
        text: '    maxWaitSeconds: 900\n',
      },
    ]);
    assert.equal(applyTextEdits(SAMPLE, result.edits), result.text);
    for (const comment of SAMPLE.match(/#.*$/gm)!) assert.ok(result.text.includes(comment), comment);
  });

  it('connects in the list style the file uses, and refuses a cycle naming it', () => {
    const added = applyIntent(SAMPLE, {
      kind: 'addWave',
      name: 'web',
      protectionGroups: ['web-group'],
      dependsOn: ['app'],
    });
    assert.match(
      added.text,
      / {2}- name: web\n {4}protectionGroups: \[web-group\]\n {4}dependsOn: \[app\]\n# end of plan\n$/,
    );
    assert.throws(
      () => applyIntent(added.text, { kind: 'connect', from: 'web', to: 'db' }),
      (error: Error) => error instanceof PlanEditError && /db → web → app → db/.test(error.message),
    );
    const block = applyIntent(SAMPLE, { kind: 'renameWave', wave: 'db', newName: 'database' });
    assert.match(block.text, /dependsOn:\n {6}- database\n/);
    assert.equal(block.edits.length, 2, 'the name and the one reference, nothing between them');
  });

  it('refuses unknown waves, duplicate names, invalid names and the last wave', () => {
    assert.throws(() => applyIntent(SAMPLE, { kind: 'removeWave', wave: 'nope' }), /no wave "nope"/);
    assert.throws(() => applyIntent(SAMPLE, { kind: 'renameWave', wave: 'db', newName: 'app' }), /already is a wave/);
    assert.throws(
      () => applyIntent(SAMPLE, { kind: 'renameWave', wave: 'db', newName: 'a b' }),
      /not a valid wave name/,
    );
    const one = applyIntent(SAMPLE, { kind: 'removeWave', wave: 'app' }).text;
    assert.throws(() => applyIntent(one, { kind: 'removeWave', wave: 'db' }), /at least one wave/);
  });

  it('never edits a file with YAML errors, and shows the error with its line', () => {
    const broken = SAMPLE.replace('protectionGroups: [db-group]', 'protectionGroups: [db-group');
    assert.throws(() => applyIntent(broken, { kind: 'removeWave', wave: 'app' }), /YAML errors/);
    const view = planView(broken);
    assert.equal(view.status, 'error');
    assert.ok(view.status === 'error' && view.line >= 8, JSON.stringify(view));
  });

  it('refuses a file over the size limit', () => {
    const huge = SAMPLE + `description: "${'x'.repeat(600 * 1024)}"\n`;
    assert.throws(() => applyIntent(huge, { kind: 'removeWave', wave: 'app' }), /larger than/);
    assert.equal(planView(huge).status, 'error');
  });

  it('lays waves out in dependency layers and puts problems on their waves', () => {
    const text = applyIntent(SAMPLE, { kind: 'addWave', name: 'web', dependsOn: ['app'] }).text;
    const view = planView(text);
    assert.equal(view.status, 'ok');
    if (view.status !== 'ok') return;
    assert.deepEqual(
      view.waves.map((w) => [w.name, w.layer]),
      [
        ['db', 0],
        ['app', 1],
        ['web', 2],
      ],
    );
    const problems = planProblems(
      text,
      view.waves.map((w) => w.name),
    );
    assert.ok(
      problems.some((p) => p.wave === 'web' && /recovers no servers/.test(p.message)),
      JSON.stringify(problems),
    );
  });

  it('shows a backup restore action with its vault and recovery point, and cuts over-long values to the protocol bounds', () => {
    const long = 'x'.repeat(5000);
    const text = `schemaVersion: 2
kind: RecoveryPlan
name: shop
waves:
  - name: db
    protectionGroups: [db-group]
    postActions:
      - type: backupRestore
        backupVaultName: shop-vault
        recoveryPointArn: arn:aws:ec2:us-east-1::snapshot/snap-0123
      - type: ${long}
        name: ${long}
`;
    const view = planView(text);
    assert.equal(view.status, 'ok');
    if (view.status !== 'ok') return;
    const [restore, odd] = view.waves[0].postActions;
    assert.equal(restore.backupVaultName, 'shop-vault');
    assert.equal(restore.recoveryPointArn, 'arn:aws:ec2:us-east-1::snapshot/snap-0123');
    const message = { type: 'view', protocol: RECOVERY_PLAN_PROTOCOL_VERSION, version: 1, view };
    const parsed = toWebview.safeParse(message);
    assert.ok(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3)));
    assert.equal(odd.type.length, 32);
    assert.equal(odd.name?.length, 128);
  });

  describe('random intent sequences (property)', function () {
    // 400 random edit sequences: a harness limit for a loaded machine, not a timing check.
    this.timeout(120_000);
    const NAMES = ['db', 'app', 'web', 'cache', 'queue', 'batch', 'edge', 'auth'];
    const GROUPS = ['db-group', 'app-group', 'web-group', 'shared'];

    interface GenWave {
      name: string;
      groups: string[];
      deps: string[];
      pause: boolean;
      maxWait?: number;
      wait?: number;
      flow: boolean;
      comments: boolean[];
    }

    const planArb = fc
      .record({
        count: fc.integer({ min: 1, max: 6 }),
        seeds: fc.array(
          fc.record({
            groups: fc.subarray(GROUPS, { minLength: 1 }),
            depMask: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
            pause: fc.boolean(),
            maxWait: fc.option(fc.integer({ min: 1, max: 86400 }), { nil: undefined }),
            wait: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
            flow: fc.boolean(),
            comments: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
          }),
          { minLength: 6, maxLength: 6 },
        ),
        failurePolicy: fc.option(fc.constantFrom('stop', 'continue'), { nil: undefined }),
        headerComment: fc.boolean(),
      })
      .map(({ count, seeds, failurePolicy, headerComment }) => {
        const waves: GenWave[] = seeds.slice(0, count).map((seed, i) => ({
          name: NAMES[i],
          groups: seed.groups,
          deps: NAMES.slice(0, i).filter((_, j) => seed.depMask[j]),
          pause: seed.pause,
          maxWait: seed.maxWait,
          wait: seed.wait,
          flow: seed.flow,
          comments: seed.comments,
        }));
        let n = 0;
        const c = (on: boolean, indent: string) => (on ? `${indent}# note ${++n}\n` : '');
        const list = (key: string, items: string[], flow: boolean, indent: string, comment: boolean) =>
          flow
            ? `${indent}${key}: [${items.join(', ')}]${comment ? ` # trailing ${++n}` : ''}\n`
            : `${indent}${key}:\n${items.map((item) => `${indent}  - ${item}\n`).join('')}`;
        let text = headerComment ? '# header\n' : '';
        text += 'schemaVersion: 2\nkind: RecoveryPlan\nname: generated # plan name\n';
        if (failurePolicy) text += `failurePolicy: ${failurePolicy}\n`;
        text += 'waves:\n';
        for (const wave of waves) {
          text += c(wave.comments[0], '  ');
          text += `  - name: ${wave.name}${wave.comments[1] ? ` # wave ${++n}` : ''}\n`;
          text += list('protectionGroups', wave.groups, wave.flow, '    ', wave.comments[2]);
          text += c(wave.comments[3], '    ');
          if (wave.deps.length) text += list('dependsOn', wave.deps, !wave.flow, '    ', wave.comments[4]);
          if (wave.pause) text += '    pauseBeforeWave: true\n';
          if (wave.maxWait !== undefined) text += `    maxWaitSeconds: ${wave.maxWait}\n`;
          if (wave.wait !== undefined)
            text += `    postActions:\n      - type: wait${wave.comments[5] ? ' # pause' : ''}\n        seconds: ${wave.wait}\n`;
        }
        text += '# footer\n';
        return text;
      });

    const waveName = fc.constantFrom(...NAMES, 'new-1', 'new-2');
    const intentArb: fc.Arbitrary<PlanIntent> = fc.oneof(
      fc.record({
        kind: fc.constant('addWave' as const),
        name: waveName,
        protectionGroups: fc.subarray(GROUPS, { minLength: 1 }),
      }),
      fc.record({ kind: fc.constant('removeWave' as const), wave: waveName }),
      fc.record({ kind: fc.constant('renameWave' as const), wave: waveName, newName: waveName }),
      fc.record({ kind: fc.constant('connect' as const), from: waveName, to: waveName }),
      fc.record({ kind: fc.constant('disconnect' as const), from: waveName, to: waveName }),
      fc.record({
        kind: fc.constant('setWaveField' as const),
        wave: waveName,
        field: fc.constant('pauseBeforeWave' as const),
        value: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant('setWaveField' as const),
        wave: waveName,
        field: fc.constant('maxWaitSeconds' as const),
        value: fc.option(fc.integer({ min: 1, max: 86400 }), { nil: null }),
      }),
      fc.record({
        kind: fc.constant('setWaveField' as const),
        wave: waveName,
        field: fc.constant('description' as const),
        value: fc.option(fc.constantFrom('Tier one', 'yes', '123', 'a: b', "it's # not a comment", 'two\nlines'), {
          nil: null,
        }),
      }),
      fc.record({
        kind: fc.constant('setPlanField' as const),
        field: fc.constantFrom('failurePolicy' as const),
        value: fc.constantFrom('stop', 'continue', null),
      }),
      fc.record({
        kind: fc.constant('setPlanField' as const),
        field: fc.constantFrom('rtoMinutes' as const, 'rpoMinutes' as const),
        value: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: null }),
      }),
      fc.record({
        kind: fc.constant('addProtectionGroup' as const),
        wave: waveName,
        group: fc.constantFrom(...GROUPS),
      }),
      fc.record({
        kind: fc.constant('removeProtectionGroup' as const),
        wave: waveName,
        group: fc.constantFrom(...GROUPS),
      }),
      fc.record({
        kind: fc.constant('addAction' as const),
        wave: waveName,
        list: fc.constantFrom('preActions' as const, 'postActions' as const),
        action: fc.oneof(
          fc.record({ type: fc.constant('wait' as const), seconds: fc.integer({ min: 0, max: 100 }) }),
          fc.record({
            type: fc.constant('ssmAutomation' as const),
            documentName: fc.constantFrom('Pilot-HealthCheck', 'AWS-RestartEC2Instance'),
            retries: fc.integer({ min: 0, max: 3 }),
          }),
          fc.record({ type: fc.constant('approval' as const), message: fc.constantFrom('Go?', 'Check "DNS": ok') }),
        ),
      }),
      fc.record({
        kind: fc.constant('removeAction' as const),
        wave: waveName,
        list: fc.constantFrom('preActions' as const, 'postActions' as const),
        index: fc.integer({ min: 0, max: 2 }),
      }),
    );

    /** The reference meaning of each intent on the plain plan, written independently of the text engine. */
    function expectedModel(plan: Json, intent: PlanIntent): Json | 'refused' {
      const next = structuredClone(plan);
      const waves = next.waves as Json[];
      const find = (name: string) => waves.find((w) => w.name === name);
      const dropKeyIfEmpty = (wave: Json, key: string) => {
        if (Array.isArray(wave[key]) && (wave[key] as unknown[]).length === 0) delete wave[key];
      };
      const addTo = (wave: Json, key: string, item: unknown) => {
        const list = (wave[key] as unknown[] | undefined) ?? [];
        if (!list.includes(item)) wave[key] = [...list, item];
      };
      switch (intent.kind) {
        case 'addWave':
          if (find(intent.name!)) return 'refused';
          waves.push({ name: intent.name!, protectionGroups: intent.protectionGroups });
          return next;
        case 'removeWave': {
          const wave = find(intent.wave);
          if (!wave || waves.length === 1) return 'refused';
          waves.splice(waves.indexOf(wave), 1);
          for (const other of waves) {
            if (Array.isArray(other.dependsOn))
              other.dependsOn = (other.dependsOn as string[]).filter((d) => d !== intent.wave);
            dropKeyIfEmpty(other, 'dependsOn');
          }
          return next;
        }
        case 'renameWave': {
          const wave = find(intent.wave);
          if (!wave) return 'refused';
          if (intent.newName === intent.wave) return next;
          if (find(intent.newName)) return 'refused';
          wave.name = intent.newName;
          for (const other of waves)
            if (Array.isArray(other.dependsOn))
              other.dependsOn = (other.dependsOn as string[]).map((d) => (d === intent.wave ? intent.newName : d));
          return next;
        }
        case 'connect': {
          const to = find(intent.to);
          if (!to || !find(intent.from) || intent.from === intent.to) return 'refused';
          // Would `from` reach `to` along dependsOn? Then the new edge closes a cycle.
          const reach = (name: string, seen = new Set<string>()): boolean =>
            name === intent.to ||
            (!seen.has(name) &&
              (seen.add(name), ((find(name)?.dependsOn as string[]) ?? []).some((d) => reach(d, seen))));
          if (reach(intent.from)) return 'refused';
          addTo(to, 'dependsOn', intent.from);
          return next;
        }
        case 'disconnect': {
          const to = find(intent.to);
          if (!to) return 'refused';
          if (Array.isArray(to.dependsOn)) to.dependsOn = (to.dependsOn as string[]).filter((d) => d !== intent.from);
          dropKeyIfEmpty(to, 'dependsOn');
          return next;
        }
        case 'setWaveField': {
          const wave = find(intent.wave);
          if (!wave) return 'refused';
          if (intent.value === null || intent.value === false) delete wave[intent.field];
          else wave[intent.field] = intent.value;
          return next;
        }
        case 'setPlanField': {
          if (intent.field === 'rtoMinutes' || intent.field === 'rpoMinutes') {
            const targets = (next.targets as Json | undefined) ?? {};
            if (intent.value === null) delete targets[intent.field];
            else targets[intent.field] = intent.value;
            if (Object.keys(targets).length) next.targets = targets;
            else delete next.targets;
            return next;
          }
          if (intent.value === null) delete next[intent.field];
          else next[intent.field] = intent.value;
          return next;
        }
        case 'addProtectionGroup': {
          const wave = find(intent.wave);
          if (!wave) return 'refused';
          addTo(wave, 'protectionGroups', intent.group);
          return next;
        }
        case 'removeProtectionGroup': {
          const wave = find(intent.wave);
          if (!wave) return 'refused';
          if (Array.isArray(wave.protectionGroups))
            wave.protectionGroups = (wave.protectionGroups as string[]).filter((g) => g !== intent.group);
          dropKeyIfEmpty(wave, 'protectionGroups');
          return next;
        }
        case 'addAction': {
          const wave = find(intent.wave);
          if (!wave) return 'refused';
          wave[intent.list] = [...((wave[intent.list] as unknown[]) ?? []), intent.action];
          return next;
        }
        case 'removeAction': {
          const wave = find(intent.wave);
          const list = wave?.[intent.list] as unknown[] | undefined;
          if (!wave || !list || intent.index >= list.length) return 'refused';
          list.splice(intent.index, 1);
          dropKeyIfEmpty(wave, intent.list);
          return next;
        }
        default:
          throw new Error(`no reference for ${intent.kind}`);
      }
    }

    /** [start, end) of each wave item (from its dash's line to after its last line). */
    function waveSpans(text: string): Map<string, [number, number]> {
      const doc = parseDocument(text);
      const spans = new Map<string, [number, number]>();
      const waves = doc.get('waves', true);
      if (!isSeq(waves)) return spans;
      for (const item of waves.items as YamlNode[]) {
        const range = item.range!;
        const dash = text.lastIndexOf('-', range[0] - 1);
        const start = text.lastIndexOf('\n', dash) + 1;
        const newline = text.indexOf('\n', range[1] - 1);
        const end = text[range[1] - 1] === '\n' ? range[1] : newline === -1 ? text.length : newline + 1;
        spans.set(String((item as unknown as { get(k: string): unknown }).get('name')), [start, end]);
      }
      return spans;
    }

    /** Where an intent may write: the waves it is about (or, for plan fields, before the waves). */
    function allowedSpans(text: string, intent: PlanIntent): Array<[number, number]> {
      const spans = waveSpans(text);
      const all = [...spans.values()];
      const wavesStart = all.length ? all[0][0] : text.length;
      const wavesEnd = all.length ? all[all.length - 1][1] : text.length;
      switch (intent.kind) {
        case 'addWave':
          return [[wavesEnd, wavesEnd]];
        case 'removeWave':
        case 'renameWave':
          return all;
        case 'setPlanField':
          return [[0, wavesStart]];
        case 'connect':
        case 'disconnect':
          return [spans.get(intent.to)!];
        default:
          return [spans.get(intent.wave)!];
      }
    }

    it('keep the file valid, equal the reference model, and leave bytes outside the edited waves alone', () => {
      const applied = new Map<string, number>();
      fc.assert(
        fc.property(planArb, fc.array(intentArb, { minLength: 1, maxLength: 12 }), (initial, intents) => {
          let text = initial;
          assert.equal(
            parsePlan(text).document?.name,
            'generated',
            parsePlan(text)
              .diagnostics.map((d) => d.message)
              .join('\n'),
          );
          for (const intent of intents) {
            const before = parseDocument(text).toJS() as Json;
            const expected = expectedModel(before, intent);
            let result;
            try {
              result = applyIntent(text, intent);
            } catch (error) {
              if (!(error instanceof PlanEditError)) throw error;
              assert.equal(expected, 'refused', `${JSON.stringify(intent)} was refused: ${error.message}`);
              continue;
            }
            assert.notEqual(expected, 'refused', `${JSON.stringify(intent)} should have been refused`);
            assert.equal(result.rerendered, false, `${JSON.stringify(intent)} needed a re-render of:\n${text}`);
            assert.equal(applyTextEdits(text, result.edits), result.text);
            const spans = allowedSpans(text, intent);
            for (const edit of result.edits)
              assert.ok(
                spans.some(([from, to]) => edit.start >= from && edit.end <= to),
                `${JSON.stringify(intent)}: edit ${JSON.stringify(edit)} outside ${JSON.stringify(spans)} in\n${text}`,
              );
            const reparsed = parseDocument(result.text);
            assert.deepEqual(reparsed.errors, []);
            assert.ok(valuesEqual(reparsed.toJS(), expected), `${JSON.stringify(intent)}\n${result.text}`);
            const problems = parsePlan(result.text).diagnostics.filter(
              (d) => d.severity === 'error' && d.code !== 'empty-wave',
            );
            assert.deepEqual(
              problems.map((d) => d.message),
              [],
              result.text,
            );
            applied.set(intent.kind, (applied.get(intent.kind) ?? 0) + 1);
            text = result.text;
          }
          for (const comment of ['# footer', '# plan name']) assert.ok(text.includes(comment), comment);
        }),
        // Enough runs that every kind of intent is applied (the check below) in practically every random run.
        { numRuns: 400 },
      );
      // Every kind of intent was really applied somewhere, not only refused.
      assert.deepEqual([...applied.keys()].sort(), [
        'addAction',
        'addProtectionGroup',
        'addWave',
        'connect',
        'disconnect',
        'removeAction',
        'removeProtectionGroup',
        'removeWave',
        'renameWave',
        'setPlanField',
        'setWaveField',
      ]);
    });
  });
});
