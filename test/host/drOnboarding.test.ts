// "Create Protection Groups from Source Servers…" and "New Recovery Plan from Groups…" in the real extension
// host, against the DRS emulator's seeded servers, every question answered through the DR prompt hooks.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { PilotLightTestApi } from '../../src/extension';
import { parseGroup, parsePlan } from '../../src/core/dr/parse';
import { pilotLight, removeDrFiles, workspaceRoot } from './support/dr';

describe('DR onboarding commands in the extension host @dr', function () {
  this.timeout(120_000);
  let api: PilotLightTestApi;
  const written: string[] = [];
  const asked: string[] = [];

  function decline(): void {
    api.dr.prompts.offer = async () => undefined;
    api.dr.prompts.confirm = async () => undefined;
    api.dr.prompts.inputBox = async () => undefined;
    api.dr.prompts.quickPick = async () => undefined;
    api.dr.prompts.quickPickMany = async () => undefined;
  }

  before(async () => {
    api = await pilotLight();
    decline();
  });

  after(async () => {
    decline();
    removeDrFiles(written);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('creates one group file per Role value after a preview, then a db → app → web plan from them, and opens it', async () => {
    api.dr.prompts.quickPick = async (items, options) => {
      asked.push(`pick: ${options.title}`);
      const wanted = /which tag/.test(options.title ?? '') ? 'Role' : 'Tier order (db → app → web)';
      return items.find((item) => item.label === wanted);
    };
    let groupItems: string[] = [];
    api.dr.prompts.quickPickMany = async (items, options) => {
      asked.push(`pickMany: ${options.title}`);
      if (/to create/.test(options.title ?? '')) {
        groupItems = items.map((item) => `${item.label}|${item.description}`);
        return items;
      }
      // The plan's groups: the ones just created, in reverse tier order on purpose.
      return items.filter((item) => created.includes(item.label)).reverse();
    };
    let confirmDetail = '';
    api.dr.prompts.confirm = async (message, detail, ...actions) => {
      confirmDetail = `${message}\n${detail}`;
      return actions[0];
    };
    let created: string[] = [];

    const result = (await vscode.commands.executeCommand('pilotLight.dr.createGroupsFromServers')) as
      { paths: string[]; groups: string[] } | undefined;
    assert.ok(result, `the command returned nothing; last error: ${JSON.stringify(api.dr.lastError)}`);
    written.push(...result.paths);
    created = result.groups;
    for (const role of ['db', 'app', 'web'])
      assert.ok(
        groupItems.some((item) => item.includes(`Role=${role} · `)),
        `a group for Role=${role} was proposed: ${groupItems.join('; ')}`,
      );
    assert.match(confirmDetail, /Create \d+ protection group\(s\) from tag Role\?/);
    for (const path of result.paths) {
      assert.ok(existsSync(path), path);
      const parsed = parseGroup(readFileSync(path, 'utf8'));
      assert.deepEqual(parsed.diagnostics, [], path);
      assert.equal(Object.keys(parsed.document!.selection.tags ?? {})[0], 'Role');
    }

    api.dr.prompts.inputBox = async (options) => (asked.push(`input: ${options.title}`), 'ht-onboarding-plan');
    const planUri = (await vscode.commands.executeCommand('pilotLight.dr.newPlanFromGroups')) as vscode.Uri | undefined;
    assert.ok(planUri, `no plan; last error: ${JSON.stringify(api.dr.lastError)}`);
    written.push(planUri.fsPath);
    const plan = parsePlan(readFileSync(planUri.fsPath, 'utf8'));
    assert.deepEqual(plan.diagnostics, []);
    const byRole = (role: string) =>
      result.groups[result.paths.findIndex((p) => readFileSync(p, 'utf8').includes(`Role: ${role}`))];
    assert.deepEqual(
      plan.document!.waves.map((wave) => [wave.protectionGroups, wave.dependsOn]),
      [
        [[byRole('db')], undefined],
        [[byRole('app')], ['db']],
        [[byRole('web')], ['app']],
      ].filter(([groups]) => (groups as string[])[0] !== undefined),
    );
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, planUri.fsPath, 'the plan is opened');
    assert.ok(
      asked.some((question) => question.startsWith('pick: Order the groups')),
      asked.join('\n'),
    );
  });

  it('refuses a tag key no server has, and writes nothing', async () => {
    const groupsFolder = join(workspaceRoot(), '.pilotlight', 'dr', 'groups');
    const listing = () => (existsSync(groupsFolder) ? readdirSync(groupsFolder).sort() : []);
    const before = listing();
    await vscode.commands.executeCommand('pilotLight.dr.createGroupsFromServers', 'NoSuchTagKey');
    assert.match(api.dr.lastError?.message ?? '', /No source server in .* has the tag key "NoSuchTagKey"/);
    assert.deepEqual(listing(), before);
  });
});
