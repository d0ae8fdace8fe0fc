/** Export → import of groups and plans through files, verified against the emulated account. */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { CreateDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { DrReads } from '../../src/core/dr/aws';
import {
  exportWorkspace,
  importBundle,
  serializeBundle,
  verifierFromReads,
  formatImportReport,
} from '../../src/core/dr/bundle';
import { defaultPathFor, loadDrWorkspace, usableDocuments, writeDocument } from '../../src/core/dr/workspace';
import type { SampleAccountSummary } from '../../tools/seed/sampleAccount';
import { emulatorStack, resetAndSeed, useEmulatorStack } from '../support/emulators';
import { group, productDeps, tempDir, threeTierPlan, tierGroups, SLEEP_RUNBOOK } from '../support/dr';

useEmulatorStack();

describe('DR export/import against the emulators', function () {
  this.timeout(30_000);
  let sample: SampleAccountSummary;
  let reads: DrReads;
  let dir: ReturnType<typeof tempDir>;

  beforeEach(async () => {
    sample = (await resetAndSeed('sample')).sample!;
    dir = tempDir();
    reads = (await productDeps(dir.path, { auditPath: join(dir.path, 'audit.jsonl') })).reads;
    const ssm = new SSMClient({
      region: 'us-east-1',
      endpoint: emulatorStack().endpoint,
      credentials: emulatorStack().credentials,
    });
    await ssm.send(
      new CreateDocumentCommand({
        Name: 'PL-Sleep',
        DocumentType: 'Automation',
        DocumentFormat: 'JSON',
        Content: SLEEP_RUNBOOK,
      }),
    );
    ssm.destroy();
  });
  afterEach(() => {
    dir.remove();
  });

  function documents() {
    const groups = [
      ...tierGroups(),
      group(
        'pinned',
        {},
        {
          account: '123456789012',
          selection: { sourceServerIds: [sample.servers.db.sourceServerId, sample.servers.app.sourceServerId] },
          launchSettings: { copyTags: true, targetInstanceTypeRightSizingMethod: 'BASIC' },
        },
      ),
    ];
    const plan = threeTierPlan(
      { description: 'Shop' },
      {
        db: {
          preActions: [{ type: 'ssmAutomation', documentName: 'PL-Sleep', parameters: { Tier: 'db' }, retries: 1 }],
        },
        web: {
          sourceServerIds: [sample.servers.web.sourceServerId],
          pauseBeforeWave: true,
          postActions: [
            { type: 'approval', message: 'Check the shop' },
            { type: 'wait', seconds: 10 },
          ],
        },
      },
    );
    return { groups, plans: [plan] };
  }

  it('round-trips exactly: export, dry run, import, export again', async () => {
    const source = join(dir.path, 'source');
    const target = join(dir.path, 'target');
    const { groups, plans } = documents();
    for (const doc of [...groups, ...plans]) await writeDocument(defaultPathFor(source, doc), doc);
    const exported = await exportWorkspace(source, { account: '123456789012', region: 'us-east-1' });
    assert.deepEqual(exported.skipped, []);
    assert.equal(exported.bundle.protectionGroups.length, 4);
    const text = serializeBundle(exported.bundle);

    const verifier = verifierFromReads(reads);
    const dry = await importBundle(text, target, { dryRun: true, verifier });
    assert.deepEqual(dry.failed, [], formatImportReport(dry));
    assert.deepEqual(dry.created, [
      'group app-tier',
      'group db-tier',
      'group pinned',
      'group web-tier',
      'plan three-tier',
    ]);
    assert.deepEqual((await loadDrWorkspace(target)).groups, [], 'the dry run wrote nothing');

    const real = await importBundle(text, target, { verifier });
    assert.deepEqual(real.created, dry.created);
    const again = await exportWorkspace(target, { account: '123456789012', region: 'us-east-1' });
    assert.deepEqual({ ...again.bundle, exportedAt: exported.bundle.exportedAt }, exported.bundle);
    const usable = usableDocuments(await loadDrWorkspace(target));
    assert.deepEqual(usable.plans, plans);
    assert.deepEqual(
      new Set(usable.groups.map((g) => JSON.stringify(g))),
      new Set(groups.map((g) => JSON.stringify(g))),
    );

    const repeat = await importBundle(text, target, { dryRun: true, verifier });
    assert.deepEqual([repeat.created.length, repeat.skipped.length, repeat.failed.length], [0, 5, 0]);
  });

  it('fails what the account does not have: unknown source servers and SSM documents', async () => {
    const { groups, plans } = documents();
    groups[3].selection.sourceServerIds = ['s-00000000000000bad'];
    plans[0].waves[0].preActions = [{ type: 'ssmAutomation', documentName: 'PL-Gone' }];
    const bundle = (await exportWorkspace(dir.path)).bundle;
    bundle.protectionGroups = groups;
    bundle.recoveryPlans = plans;
    const report = await importBundle(bundle, join(dir.path, 'target'), {
      dryRun: true,
      verifier: verifierFromReads(reads),
    });
    const byName = Object.fromEntries(report.items.map((item) => [item.name, item]));
    assert.equal(byName.pinned.action, 'fail');
    assert.match(byName.pinned.reasons.join(' '), /s-00000000000000bad does not exist in us-east-1/);
    assert.equal(byName['three-tier'].action, 'fail');
    assert.match(byName['three-tier'].reasons.join(' '), /SSM document "PL-Gone" not found/);
    assert.deepEqual([...report.created].sort(), ['group app-tier', 'group db-tier', 'group web-tier']);
  });
});
