import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import fc from 'fast-check';
import {
  freeName,
  nameFromText,
  planFiles,
  proposeGroups,
  proposePlan,
  tagKeysOf,
  tierOf,
  writePlannedFiles,
} from '../../src/core/dr/onboarding';
import { parseGroup, parsePlan } from '../../src/core/dr/parse';
import { defaultPathFor, loadDrWorkspace } from '../../src/core/dr/workspace';
import { resolveGroup, type ServerInfo } from '../../src/core/dr/selection';
import { findCycle } from '../../src/core/dr/graph';
import { tempDir } from '../support/dr';

const server = (n: number, tags: Record<string, string>): ServerInfo => ({
  sourceServerId: `s-${String(n).padStart(17, '0')}`,
  region: 'eu-west-1',
  hostname: `host-${n}`,
  tags,
});

describe('DR onboarding: groups from tags, plans from groups', () => {
  const servers = [
    server(1, { Role: 'web', Env: 'prod' }),
    server(2, { Role: 'db', Env: 'prod' }),
    server(3, { Role: 'app' }),
    server(4, { Env: 'prod' }),
    server(5, { Role: 'db' }),
    server(6, { Role: '' }),
  ];

  it('lists tag keys with their values and servers, the most used first', () => {
    assert.deepEqual(tagKeysOf(servers), [
      { key: 'Role', values: 3, servers: 4 },
      { key: 'Env', values: 1, servers: 3 },
    ]);
  });

  it('proposes one group per tag value and lists the servers without the tag apart', () => {
    const proposal = proposeGroups(servers, 'Role', { region: 'eu-west-1', takenNames: ['web'] });
    assert.deepEqual(
      proposal.groups.map((g) => [g.group.name, g.tagValue, g.servers.map((s) => s.hostname)]),
      [
        ['web-2', 'web', ['host-1']],
        ['db', 'db', ['host-2', 'host-5']],
        ['app', 'app', ['host-3']],
      ],
    );
    assert.deepEqual(
      proposal.untagged.map((s) => s.hostname),
      ['host-4', 'host-6'],
    );
    assert.deepEqual(proposal.groups[1].group.selection, { tags: { Role: 'db' } });
  });

  it('makes valid names from any tag value', () => {
    assert.equal(nameFromText('Front End/EU'), 'Front-End-EU');
    assert.equal(nameFromText('---'), 'group');
    assert.equal(nameFromText('x'.repeat(300)).length, 128);
    assert.equal(freeName('db', ['DB', 'db-2']), 'db-3');
  });

  it('recognises tiers and their synonyms', () => {
    assert.equal(tierOf('database'), 0);
    assert.equal(tierOf('shop-data'), 0);
    assert.equal(tierOf('Backend'), 1);
    assert.equal(tierOf('frontend-tier'), 2);
    assert.equal(tierOf('cache'), undefined);
    assert.equal(tierOf('web-db'), undefined, 'two tiers in one name is ambiguous');
  });

  it('orders waves db → app → web with unknown tiers after, each wave depending on the one before', () => {
    const plan = proposePlan(
      [
        { name: 'frontend' },
        { name: 'queue' },
        { name: 'orders-api', tagValues: ['backend'] },
        { name: 'pg', tagValues: ['database'] },
        { name: 'mysql-db' },
        { name: 'batch' },
      ],
      { name: 'shop' },
    );
    assert.deepEqual(
      plan.waves.map((w) => [w.name, w.protectionGroups, w.dependsOn]),
      [
        ['db', ['pg', 'mysql-db'], undefined],
        ['app', ['orders-api'], ['db']],
        ['web', ['frontend'], ['app']],
        ['queue', ['queue'], ['web']],
        ['batch', ['batch'], ['queue']],
      ],
    );
    const parsed = parsePlan(planFiles('/nowhere', [plan], [], () => false).files[0].text);
    assert.deepEqual(parsed.diagnostics, []);
  });

  it('keeps the given order when tier order is off', () => {
    const plan = proposePlan([{ name: 'web' }, { name: 'db' }], { name: 'p', tierOrder: false });
    assert.deepEqual(
      plan.waves.map((w) => w.name),
      ['web', 'db'],
    );
    assert.throws(() => proposePlan([], { name: 'p' }), /at least one/);
  });

  it('writes group files that re-parse, never over an existing file', async () => {
    const dir = tempDir();
    try {
      const proposal = proposeGroups(servers, 'Role', { region: 'eu-west-1' });
      const existing = defaultPathFor(dir.path, proposal.groups[1].group);
      mkdirSync(dirname(existing), { recursive: true });
      writeFileSync(existing, 'not: [valid');
      const { files, renamed } = planFiles(
        dir.path,
        proposal.groups.map((g) => g.group),
      );
      assert.deepEqual(renamed, [{ from: 'db', to: 'db-2' }]);
      await writePlannedFiles(files);
      assert.equal(readFileSync(existing, 'utf8'), 'not: [valid', 'the existing file is untouched');
      const workspace = await loadDrWorkspace(dir.path);
      assert.deepEqual(
        workspace.groups
          .map((f) => f.result.document?.name)
          .filter(Boolean)
          .sort(),
        ['app', 'db-2', 'web'],
      );

      // A file that appears between planning and writing: nothing of this batch stays.
      const again = planFiles(dir.path, [proposal.groups[0].group, proposal.groups[2].group], ['web', 'app']);
      writeFileSync(again.files[1].path, 'x');
      await assert.rejects(writePlannedFiles(again.files), /already exists/);
      assert.equal(existsSync(again.files[0].path), false);
      assert.equal(readFileSync(again.files[1].path, 'utf8'), 'x');
    } finally {
      dir.remove();
    }
  });

  it('puts every server with the tag in exactly one group, and generated groups re-parse and select them (property)', () => {
    const value = fc.oneof(
      fc.constantFrom('db', 'app', 'web', 'Front End', '', 'é/ü', '--'),
      fc.string({ maxLength: 20 }),
    );
    const serversArb = fc.array(
      fc.record({ Role: fc.option(value, { nil: undefined }), Other: fc.option(value, { nil: undefined }) }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(serversArb, (tagSets) => {
        const inventory = tagSets.map((tags, i) =>
          server(
            i,
            Object.fromEntries(Object.entries(tags).filter(([, v]) => v !== undefined)) as Record<string, string>,
          ),
        );
        const proposal = proposeGroups(inventory, 'Role', { region: 'eu-west-1' });
        const counts = new Map<string, number>();
        for (const g of proposal.groups)
          for (const s of g.servers) counts.set(s.sourceServerId, (counts.get(s.sourceServerId) ?? 0) + 1);
        for (const s of proposal.untagged) counts.set(s.sourceServerId, (counts.get(s.sourceServerId) ?? 0) + 1);
        assert.equal(counts.size, inventory.length);
        for (const n of counts.values()) assert.equal(n, 1);
        const names = proposal.groups.map((g) => g.group.name.toLowerCase());
        assert.equal(new Set(names).size, names.length, 'group names are unique');
        const { files } = planFiles(
          '/nowhere',
          proposal.groups.map((g) => g.group),
          [],
          () => false,
        );
        files.forEach((file, i) => {
          const parsed = parseGroup(file.text);
          assert.deepEqual(parsed.diagnostics, []);
          assert.deepEqual(parsed.document, proposal.groups[i].group);
          assert.deepEqual(
            resolveGroup(parsed.document!, inventory).servers.map((s) => s.sourceServerId),
            proposal.groups[i].servers.map((s) => s.sourceServerId),
          );
        });
      }),
      { numRuns: 200 },
    );
  });

  it('proposes plans that parse, hold every group once and chain without cycles (property)', () => {
    const word = fc.constantFrom('db', 'database', 'app', 'backend', 'web', 'frontend', 'cache', 'queue', 'x');
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(word, fc.nat(99)), { minLength: 1, maxLength: 40, selector: ([w, n]) => `${w}-${n}` }),
        (pairs) => {
          const groups = pairs.map(([w, n]) => ({ name: `${w}-${n}` }));
          const plan = proposePlan(groups, { name: 'p' });
          const { files } = planFiles('/nowhere', [plan], [], () => false);
          const parsed = parsePlan(files[0].text);
          assert.deepEqual(parsed.diagnostics, []);
          const placed = plan.waves.flatMap((w) => w.protectionGroups ?? []);
          assert.deepEqual([...placed].sort(), groups.map((g) => g.name).sort());
          assert.equal(findCycle(plan.waves.map((w) => ({ name: w.name, dependsOn: w.dependsOn ?? [] }))), undefined);
          const tiers = plan.waves.map((w) => tierOf(w.protectionGroups![0]) ?? 3);
          assert.deepEqual(
            tiers,
            [...tiers].sort((a, b) => a - b),
            'known tiers first, in db → app → web order',
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('contributes a Getting Started walkthrough whose steps complete on contributed commands, with local media', () => {
    const root = [resolve(__dirname, '..', '..', '..'), resolve(__dirname, '..', '..')].find((dir) =>
      existsSync(join(dir, 'package.json')),
    )!;
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const commands = new Set<string>(manifest.contributes.commands.map((c: { command: string }) => c.command));
    const views = new Set<string>(
      Object.values(manifest.contributes.views as Record<string, { id: string }[]>).flatMap((list) =>
        list.map((v) => v.id),
      ),
    );
    const walkthrough = manifest.contributes.walkthroughs.find(
      (w: { id: string }) => w.id === 'pilotLight.gettingStarted',
    );
    const steps = walkthrough.steps as { id: string; completionEvents: string[]; media: { markdown: string } }[];
    assert.deepEqual(
      steps.map((step) => step.id),
      ['connect', 'explorer', 'groups', 'plan', 'preflight', 'drill', 'report', 'cleanup'],
    );
    for (const step of steps) {
      assert.ok(step.completionEvents.length > 0, step.id);
      for (const event of step.completionEvents) {
        const [kind, target] = event.split(':');
        if (kind === 'onCommand') assert.ok(commands.has(target), `${step.id}: ${target} is a contributed command`);
        else if (kind === 'onView') assert.ok(views.has(target), `${step.id}: ${target} is a contributed view`);
        else assert.fail(`${step.id}: unexpected completion event ${event}`);
      }
      assert.match(step.media.markdown, /^media\/walkthrough\/[a-z]+\.md$/);
      assert.ok(existsSync(join(root, step.media.markdown)), step.media.markdown);
    }
  });
});
