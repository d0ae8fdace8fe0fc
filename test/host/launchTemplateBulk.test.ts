import * as assert from 'node:assert/strict';
import {
  DescribeSourceServersCommand,
  DrsClient,
  GetLaunchConfigurationCommand,
  UpdateLaunchConfigurationCommand,
} from '@aws-sdk/client-drs';
import * as vscode from 'vscode';
import type { BulkApplyReport } from '../../src/core/launchTemplates';
import type { DrPrompts } from '../../src/features/dr/prompts';
import { admin } from './support/dr';
import { approving, endpoint, SAMPLE_REGION, testing } from './support/safety';

const COMMAND = 'pilotLight.drs.bulkChangeLaunchSettings';

/** "Bulk Change Launch Settings…" in the real host: the questions answered through its prompts hook. */
describe('bulk change of launch settings (command, real host)', function () {
  this.timeout(180_000);
  let prompts: DrPrompts;
  let original: Partial<DrPrompts>;
  let drs: DrsClient;
  let productionServers: string[];
  let copyTagsBefore: Map<string, boolean | undefined>;
  const asked: string[] = [];

  before(async () => {
    const { testing: hooks } = await testing();
    prompts = await hooks.bulkChangePrompts();
    original = { ...prompts };
    drs = new DrsClient({
      endpoint: endpoint(),
      region: SAMPLE_REGION,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const listed = await drs.send(new DescribeSourceServersCommand({ filters: {} }));
    productionServers = (listed.items ?? [])
      .filter((server) => server.tags?.Environment === 'production')
      .map((server) => server.sourceServerID!);
    assert.ok(productionServers.length >= 2, 'the sample account has production source servers');
    copyTagsBefore = new Map();
    for (const id of productionServers)
      copyTagsBefore.set(id, (await drs.send(new GetLaunchConfigurationCommand({ sourceServerID: id }))).copyTags);
  });

  after(async () => {
    Object.assign(prompts, original);
    const { testing: hooks } = await testing();
    hooks.setApprovalProvider(undefined);
    await admin()
      .clearFaults()
      .catch(() => undefined);
    // Other host tests read these servers: put their settings back.
    for (const [id, copyTags] of copyTagsBefore ?? [])
      await drs
        .send(new UpdateLaunchConfigurationCommand({ sourceServerID: id, copyTags: copyTags ?? false }))
        .catch(() => undefined);
    drs.destroy();
  });

  /** Answers: servers by tag Environment=production, change "Copy tags" to `wanted`; `apply` and `retry` answer the two questions. */
  function answer(wanted: boolean, apply: boolean, retry: boolean): { confirmations: string[]; offers: string[] } {
    const confirmations: string[] = [];
    const offers: string[] = [];
    prompts.quickPick = (async (items: Array<vscode.QuickPickItem>, options: vscode.QuickPickOptions) => {
      asked.push(options.title ?? '');
      const label = /which source servers/.test(options.title ?? '')
        ? 'By tags'
        : /what to change/.test(options.title ?? '')
          ? 'Copy tags'
          : options.title === 'Copy tags'
            ? wanted
              ? 'On'
              : 'Off'
            : undefined;
      return items.find((item) => item.label === label);
    }) as DrPrompts['quickPick'];
    prompts.inputBox = async (options) => {
      asked.push(options.title ?? '');
      assert.equal(options.validateInput?.('Role'), '"Role" is not Key=Value.', 'the input box checks what is typed');
      return 'Environment=production';
    };
    prompts.confirm = async (message, detail, ...actions) => {
      confirmations.push(`${message} ${detail}`);
      return apply ? actions[0] : undefined;
    };
    prompts.offer = async (message, ...actions) => {
      offers.push(message);
      return retry ? actions[0] : undefined;
    };
    return { confirmations, offers };
  }

  const copyTagsNow = async () =>
    Promise.all(
      productionServers.map(
        async (id) => (await drs.send(new GetLaunchConfigurationCommand({ sourceServerID: id }))).copyTags === true,
      ),
    );

  it('shows the dry-run for every selected server and changes nothing when the confirmation is cancelled', async () => {
    const { testing: hooks } = await testing();
    const approvals = approving();
    hooks.setApprovalProvider(approvals);
    const wanted = !copyTagsBefore.get(productionServers[0]);
    const { confirmations } = answer(wanted, false, false);
    const result = await vscode.commands.executeCommand(COMMAND);
    assert.equal(result, undefined, 'cancelled');
    assert.deepEqual(confirmations.length, 1);
    assert.match(
      confirmations[0],
      new RegExp(`Apply this change to ${productionServers.length} source server\\(s\\)\\?`),
    );
    const preview = vscode.workspace.textDocuments.find((document) =>
      document.getText().startsWith('# Bulk change launch settings: dry-run'),
    );
    assert.ok(preview, 'the dry-run preview is open');
    for (const id of productionServers) assert.match(preview.getText(), new RegExp(`${id}\\).*DRS: copyTags`));
    assert.deepEqual(
      await copyTagsNow(),
      productionServers.map((id) => copyTagsBefore.get(id) === true),
    );
    assert.equal(approvals.requests.length, 0, 'a dry-run asks for no approval');
  });

  it('applies with an approval in production, keeps an injected failure visible and retries it', async () => {
    const { testing: hooks } = await testing();
    const approvals = approving();
    hooks.setApprovalProvider(approvals);
    const wanted = !copyTagsBefore.get(productionServers[0]);
    const victim = productionServers[1];
    await admin().conflict({ sourceServerID: victim, count: 1 });
    const { confirmations, offers } = answer(wanted, true, true);
    const report = (await vscode.commands.executeCommand(COMMAND)) as BulkApplyReport;
    assert.equal(confirmations.length, 1);
    assert.equal(offers.length, 1, 'the failure was offered for retry');
    assert.match(offers[0], /1 server\(s\) failed or were refused/);
    // The returned report is after the retry: the victim applied on the second attempt, like the others.
    assert.deepEqual(
      report.entries.map((entry) => [entry.sourceServerId, entry.status]).sort(),
      productionServers.map((id) => [id, 'applied']).sort(),
    );
    assert.deepEqual(report.failed, []);
    assert.deepEqual(
      await copyTagsNow(),
      productionServers.map(() => wanted),
    );
    assert.ok(approvals.requests.length >= 1, 'the production servers asked for an approval');
    assert.ok(approvals.requests.every((request) => request.environments.includes('production')));
    const results = vscode.workspace.textDocuments.filter((document) =>
      document.getText().startsWith('# Bulk change launch settings: results'),
    );
    assert.ok(results.some((document) => new RegExp(`${victim}\\) \\| failed`).test(document.getText())));
  });
});
