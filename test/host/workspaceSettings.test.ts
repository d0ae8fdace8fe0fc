// Workspace settings arrive with a cloned repository: a profile, region or endpoint in .vscode/settings.json
// is only a proposal. Nothing goes to a proposed endpoint, and the proposed profile is not used, until the
// user allows it; a declined or changed proposal changes nothing.
import * as assert from 'node:assert/strict';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ProposalAnswer } from '../../src/features/context/workspaceProposalPrompt';
import { startCountingProxy, type CountingProxy } from './support/countingProxy';
import { childrenOf, label, walk } from './support/explorerWalk';
import { endpoint, SAMPLE_REGION, testing, waitFor } from './support/safety';

const PROPOSED_PROFILE = 'workspace-proposed';

interface Question {
  message: string;
  answer(value: ProposalAnswer): void;
}

describe('Workspace connection settings: proposals from .vscode/settings.json', function () {
  this.timeout(120_000);
  let proxy: CountingProxy;
  /** Not loopback by Pilot Light's rule (only localhost, 127.0.0.0/8 and [::1] are), yet it reaches the proxy on 127.0.0.1. */
  let proposedEndpoint: string;
  let configFile: string;
  let originalConfig: string;
  let settingsFile: string;
  let originalSettings: string | undefined;
  const questions: Question[] = [];

  async function writeWorkspaceSettings(settings: Record<string, unknown>): Promise<void> {
    await mkdir(join(settingsFile, '..'), { recursive: true });
    await writeFile(settingsFile, JSON.stringify(settings, null, 2));
    await waitFor('VS Code to read the workspace settings', () => {
      const inspected = vscode.workspace.getConfiguration().inspect('pilotLight.endpointUrl');
      return inspected?.workspaceValue === settings['pilotLight.endpointUrl'] || undefined;
    });
  }

  async function exploreInstances(): Promise<string[]> {
    const { api } = await testing();
    api.explorer.refresh();
    return (await walk(api.explorer, [SAMPLE_REGION, 'EC2', 'Instances'])).map(label);
  }

  before(async () => {
    proxy = await startCountingProxy(endpoint());
    proposedEndpoint = `http://[::ffff:7f00:1]:${proxy.port}`;
    configFile = process.env.AWS_CONFIG_FILE!;
    assert.ok(configFile, 'the test runner points AWS_CONFIG_FILE at a throwaway file');
    originalConfig = await readFile(configFile, 'utf8');
    await appendFile(
      configFile,
      `\n[profile ${PROPOSED_PROFILE}]\nregion = ${SAMPLE_REGION}\naws_access_key_id = testing\naws_secret_access_key = testing\n`,
    );
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the host tests run with a workspace folder');
    settingsFile = join(folder.uri.fsPath, '.vscode', 'settings.json');
    originalSettings = await readFile(settingsFile, 'utf8').catch(() => undefined);
    const { testing: hooks } = await testing();
    hooks.answerWorkspaceProposals((message) => new Promise((resolve) => questions.push({ message, answer: resolve })));
  });

  after(async () => {
    const { testing: hooks } = await testing();
    hooks.answerWorkspaceProposals(undefined);
    if (originalSettings === undefined) await rm(settingsFile, { force: true });
    else await writeFile(settingsFile, originalSettings);
    await waitFor(
      'the workspace settings to be gone',
      () =>
        vscode.workspace.getConfiguration().inspect('pilotLight.endpointUrl')?.workspaceValue === undefined ||
        undefined,
    );
    await writeFile(configFile, originalConfig);
    await proxy?.stop();
  });

  it('uses a proposed remote endpoint and profile only after the user allows them', async () => {
    const { api, testing: hooks } = await testing();
    const ctx = api.ctx!;
    await writeWorkspaceSettings({
      'pilotLight.endpointUrl': proposedEndpoint,
      'pilotLight.profile': PROPOSED_PROFILE,
    });
    const question = await waitFor('the question about the proposal', () =>
      questions.find(
        (asked) => asked.message.includes(proposedEndpoint) && asked.message.includes(`profile "${PROPOSED_PROFILE}"`),
      ),
    );

    // Not answered yet: the user's settings (the emulator endpoint, the default profile) stay in force.
    const unanswered = await ctx.connection();
    assert.equal(unanswered.profileName, 'default');
    assert.equal(unanswered.endpointFor('ec2'), endpoint());
    assert.equal(ctx.profileSetting(), undefined, 'the proposed profile is not the profile setting');
    const pendingStatus = await waitFor('the status bar to show the pending proposal', () =>
      hooks.statusBar().text.includes('workspace settings') ? hooks.statusBar() : undefined,
    );
    assert.match(pendingStatus.text, /^\$\(cloud\) default · us-east-1/);
    assert.match(pendingStatus.tooltip, /not answered yet/);
    const instances = await exploreInstances();
    assert.ok(instances.length > 0, "the explorer works with the user's settings meanwhile");
    assert.equal(proxy.requests, 0, 'no request reached the proposed endpoint before the user answered');

    question.answer('allow');
    const allowed = await waitFor('the proposal to be in force', async () => {
      const connection = await ctx.connection();
      return connection.profileName === PROPOSED_PROFILE && connection.endpointFor('ec2') === proposedEndpoint
        ? connection
        : undefined;
    });
    assert.equal(allowed.credentialSource, `profile "${PROPOSED_PROFILE}" (static)`);
    assert.deepEqual(
      await exploreInstances(),
      instances,
      'the same emulated account, now through the proposed endpoint',
    );
    assert.ok(proxy.requests > 0, 'after allowing, requests go to the proposed endpoint');
    const roots = await childrenOf(api.explorer);
    assert.equal(label(roots[0]), PROPOSED_PROFILE, 'the explorer root is the proposed profile');
    const allowedStatus = await waitFor('the status bar to show the allowed proposal', () =>
      hooks.statusBar().tooltip.includes('(allowed)') ? hooks.statusBar() : undefined,
    );
    assert.match(allowedStatus.text, new RegExp(`^\\$\\(cloud\\) ${PROPOSED_PROFILE} · `));
  });

  it('asks again when the proposal changes, and sends nothing to a declined endpoint', async () => {
    const { api, testing: hooks } = await testing();
    const ctx = api.ctx!;
    const asked = questions.length;
    await writeWorkspaceSettings({ 'pilotLight.endpointUrl': proposedEndpoint, 'pilotLight.region': 'eu-west-1' });
    const question = await waitFor('a new question', () =>
      questions
        .slice(asked)
        .find(
          (candidate) => candidate.message.includes('region eu-west-1') && candidate.message.includes(proposedEndpoint),
        ),
    );
    // A changed proposal is not covered by the earlier allow: back to the user's settings until answered.
    const pending = await waitFor('the user settings in force again', async () => {
      const connection = await ctx.connection();
      return connection.profileName === 'default' && connection.endpointFor('ec2') === endpoint()
        ? connection
        : undefined;
    });
    assert.equal(pending.region, SAMPLE_REGION);

    question.answer('decline');
    await waitFor(
      'the status bar to show the declined proposal',
      () => hooks.statusBar().tooltip.includes('Not allowed') || undefined,
    );
    const before = proxy.requests;
    const instances = await exploreInstances();
    assert.ok(instances.length > 0);
    const connection = await ctx.connection();
    assert.equal(connection.endpointFor('ec2'), endpoint());
    assert.equal(connection.region, SAMPLE_REGION, 'the declined region is not used');
    assert.equal(proxy.requests, before, 'nothing reached the declined endpoint');
    assert.match(hooks.statusBar().text, /\$\(circle-slash\)/);
  });
});
