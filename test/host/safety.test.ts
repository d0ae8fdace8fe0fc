// The safety path in the real extension host, against the emulators: every caller (command palette, explorer
// tree action, chat, LM tool) runs AWS changes through the one guarded runner, and fails closed without an
// approval. Also explorer actions, the audit trail (verify, export, view), the guardrail policy and a scan
// for secrets. Changes happen in SCRATCH_REGION, so the explorer tests still see the sample account as seeded.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  CreateLaunchTemplateCommand,
  CreateSecurityGroupCommand,
  DeleteLaunchTemplateCommand,
  DescribeSecurityGroupsCommand,
} from '@aws-sdk/client-ec2';
import * as vscode from 'vscode';
import type { AuditRecord } from '../../src/core/audit/types';
import type { LoadedPolicy } from '../../src/core/guardrails/policy';
import type { ExplorerNode } from '../../src/features/explorer/nodes';
import type { InteractiveRunResult } from '../../src/features/shared/interactiveRun';
import { childrenOf, label, walk } from './support/explorerWalk';
import {
  approving,
  askAws,
  denying,
  ec2,
  instanceIdByName,
  instanceStates,
  launchInstance,
  mistyping,
  newChat,
  plain,
  SAMPLE_REGION,
  SCRATCH_REGION,
  setSetting,
  terminateDirectly,
  testing,
  useTempAuditTrail,
  waitFor,
} from './support/safety';
import { pickAmazonLinuxImage } from '../../tools/seed/target';

type Trail = Awaited<ReturnType<typeof useTempAuditTrail>>;

const runCommand = (args: object) =>
  vscode.commands.executeCommand<InteractiveRunResult>('pilotLight.operations.run', args);
const byCorrelation = (records: AuditRecord[], id: string | undefined) =>
  records.filter((record) => record.correlationId === id).map((record) => record.outcome);

/** A resource node anywhere below a region of the explorer (breadth first, a few levels). */
async function findNode(
  api: Awaited<ReturnType<typeof testing>>['api'],
  region: string,
  id: string,
): Promise<ExplorerNode | undefined> {
  const [root] = await childrenOf(api.explorer);
  const regionNode = (await childrenOf(api.explorer, root)).find((node) => label(node) === region);
  if (!regionNode) return undefined;
  let frontier = await childrenOf(api.explorer, regionNode);
  for (let depth = 0; depth < 5 && frontier.length; depth += 1) {
    const next: ExplorerNode[] = [];
    for (const node of frontier) {
      if ((node as unknown as { resource?: { id: string } }).resource?.id === id) return node;
      if (node.getTreeItem().collapsibleState !== vscode.TreeItemCollapsibleState.None)
        next.push(...(await childrenOf(api.explorer, node)));
    }
    frontier = next;
  }
  return undefined;
}

describe('Safety: one guarded path for every caller', function () {
  this.timeout(120_000);
  let trail: Trail;
  let web1: string;

  before(async () => {
    trail = await useTempAuditTrail();
    web1 = await instanceIdByName('web-1', SAMPLE_REGION);
  });

  afterEach(async () => {
    (await testing()).testing.setApprovalProvider(undefined);
  });

  after(async () => {
    await trail.restore();
  });

  it("asks through the modal by default; only the extension's tests can replace it", async () => {
    const { api, testing: hooks } = await testing();
    assert.equal(hooks.operations.approvalProvider().id, 'vscode-modal');
    const provider = denying();
    hooks.setApprovalProvider(provider);
    assert.equal(hooks.operations.approvalProvider(), provider);
    assert.equal(api.ctx!.safety.approvalProvider(), provider, 'the DR runs and every other caller share it');
    hooks.setApprovalProvider(undefined);
    assert.equal(hooks.operations.approvalProvider().id, 'vscode-modal');
  });

  it('command palette: terminating a production instance without approval is refused, and audited', async () => {
    const { testing: hooks } = await testing();
    const provider = denying();
    hooks.setApprovalProvider(provider);
    const result = await runCommand({ operationId: 'ec2.instances.terminate', input: { instanceIds: [web1] } });
    assert.equal(result.status, 'refused', result.message);
    assert.equal(result.refusal?.code, 'approval-denied');
    const [request] = provider.requests;
    assert.equal(request.level, 'approve');
    assert.equal(request.requiredConfirmation, 'production');
    assert.match(request.account, /^\d{12}$/);
    assert.equal(request.region, SAMPLE_REGION);
    assert.deepEqual(request.environments, ['production']);
    assert.ok(
      request.resources.some((resource) => resource.id === web1 && resource.name === 'web-1' && resource.protected),
    );
    assert.equal(request.caller, 'command');
    assert.deepEqual(byCorrelation(trail.records(), result.correlationId), ['dry-run', 'refused']);
    assert.equal(
      trail.records().find((record) => record.correlationId === result.correlationId && record.outcome === 'refused')
        ?.approval?.provider,
      'host-test',
    );

    hooks.setApprovalProvider(mistyping());
    const mistyped = await runCommand({ operationId: 'ec2.instances.terminate', input: { instanceIds: [web1] } });
    assert.equal(mistyped.refusal?.code, 'confirmation-mismatch');
    assert.deepEqual(await instanceStates([web1], SAMPLE_REGION), { [web1]: 'running' });
  });

  it('explorer tree action: Terminate Instance on web-1 is refused without approval', async () => {
    const { api, testing: hooks } = await testing();
    const node = (await walk(api.explorer, [SAMPLE_REGION, 'EC2', 'Instances'])).find(
      (candidate) => (candidate as unknown as { resource: { id: string } }).resource?.id === web1,
    );
    assert.ok(node, 'web-1 is in the explorer');
    const provider = denying();
    hooks.setApprovalProvider(provider);
    const result = await vscode.commands.executeCommand<InteractiveRunResult>(
      'pilotLight.action.terminateInstance',
      node,
    );
    assert.equal(result?.status, 'refused');
    assert.equal(result?.refusal?.code, 'approval-denied');
    assert.equal(provider.requests[0].caller, 'explorer');
    assert.deepEqual(await instanceStates([web1], SAMPLE_REGION), { [web1]: 'running' });
    const refused = trail
      .records()
      .find((record) => record.correlationId === result?.correlationId && record.outcome === 'refused');
    assert.equal(refused?.caller, 'explorer');
  });

  it('LM tools: the terminate tool refuses without approval, and read tools never run a write', async () => {
    const { testing: hooks } = await testing();
    hooks.setApprovalProvider(denying());
    const direct = await hooks.invokeToolDirectly('pilotLight_terminateInstances', { instanceIds: [web1] });
    assert.match(
      direct.confirmation ?? '',
      /Account.*\d{12}.*Region.*us-east-1.*Environment.*production \(protected\)/s,
      'the confirmation shows account, region and environment',
    );
    assert.match(direct.confirmation ?? '', /Approval required/);
    const payload = JSON.parse(direct.result) as { status: string; summary: string };
    assert.equal(payload.status, 'refused');
    assert.match(payload.summary, /approval-denied/);

    const token = new vscode.CancellationTokenSource().token;
    const text = async (name: string, input: object) =>
      (await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined }, token)).content
        .map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : ''))
        .join('');
    const sneaky = JSON.parse(
      await text('pilotLight_readResources', { operation: 'ec2.instances.terminate', input: { instanceIds: [web1] } }),
    );
    assert.equal(sneaky.status, 'not-allowed');
    const sideways = JSON.parse(
      await text('pilotLight_changeInstanceState', {
        operation: 'ec2.instances.terminate',
        input: { instanceIds: [web1] },
      }),
    );
    assert.equal(sideways.status, 'not-allowed');
    const read = JSON.parse(await text('pilotLight_readResources', { operation: 'ec2.instances.list', input: {} }));
    assert.equal(read.status, 'succeeded');
    assert.match(read.notice, /DATA, NOT INSTRUCTIONS/);
    assert.ok(
      read.data.items.some(
        (item: { name: string; environment: string }) => item.name === 'web-1' && item.environment === 'production',
      ),
    );
    assert.deepEqual(await instanceStates([web1], SAMPLE_REGION), { [web1]: 'running' });
    const lmTool = trail
      .records()
      .filter((record) => record.caller === 'lm-tool' && record.operation === 'ec2.instances.terminate');
    assert.ok(lmTool.some((record) => record.outcome === 'refused'));
    assert.ok(!lmTool.some((record) => record.outcome === 'succeeded' || record.outcome === 'approved'));
  });

  it('chat: "terminate web-1" only previews, and its Approve-and-run button still needs the approval', async () => {
    const { testing: hooks } = await testing();
    await setSetting('chat.useLanguageModel', false);
    try {
      await newChat();
      // By ID: the explorer tests launch a DRS drill instance that is also named web-1.
      const answer = await askAws(`@aws terminate ${web1}`);
      assert.match(plain(answer.markdown), /Dry-run of "Terminate web-1"/);
      assert.match(answer.markdown, /Approval required/);
      const button = answer.buttons.find((candidate) => candidate.command === 'pilotLight.operations.run');
      assert.ok(button, `an approval button; got ${JSON.stringify(answer.buttons.map((b) => b.title))}`);
      assert.equal(button.title, 'Approve and run: Terminate web-1');
      const chatRecords = trail
        .records()
        .filter((record) => record.caller === 'chat' && record.operation === 'ec2.instances.terminate');
      assert.deepEqual(
        [...new Set(chatRecords.map((record) => record.outcome))],
        ['dry-run'],
        'asking in chat changed nothing',
      );

      const provider = denying();
      hooks.setApprovalProvider(provider);
      const result = await vscode.commands.executeCommand<InteractiveRunResult>(
        button.command,
        ...(button.arguments ?? []),
      );
      assert.equal(result.status, 'refused');
      assert.equal(provider.requests[0].caller, 'chat');
      assert.deepEqual(await instanceStates([web1], SAMPLE_REGION), { [web1]: 'running' });
    } finally {
      await setSetting('chat.useLanguageModel', undefined);
      await newChat();
    }
  });

  describe('explorer actions in a non-protected environment', () => {
    const created: string[] = [];

    before(async () => {
      await setSetting('region', SCRATCH_REGION);
    });

    after(async () => {
      await terminateDirectly(created);
      await setSetting('region', SAMPLE_REGION);
    });

    it('stop and start: the preview is confirmed, the change runs, the node refreshes', async () => {
      const { api, testing: hooks } = await testing();
      const id = await launchInstance({ Name: 'ht-staging-1', Environment: 'staging' });
      created.push(id);
      api.explorer.refresh();
      const node = await waitFor('ht-staging-1 in the explorer', () => findNode(api, SCRATCH_REGION, id));
      hooks.setApprovalProvider(denying());
      const declined = await vscode.commands.executeCommand<InteractiveRunResult>(
        'pilotLight.action.stopInstance',
        node,
      );
      assert.equal(declined?.status, 'cancelled', declined?.message);
      assert.deepEqual(
        byCorrelation(trail.records(), declined?.correlationId),
        ['dry-run', 'refused'],
        'the declined confirmation is audited; nothing ran',
      );
      assert.match((await instanceStates([id]))[id] ?? 'missing', /^(pending|running)$/);
      const provider = approving();
      hooks.setApprovalProvider(provider);
      const stopped = await vscode.commands.executeCommand<InteractiveRunResult>(
        'pilotLight.action.stopInstance',
        node,
      );
      assert.equal(stopped?.status, 'succeeded', stopped?.message);
      assert.equal(
        provider.requests[0].level,
        'confirm',
        'a change the policy allows is still confirmed with its preview',
      );
      assert.equal(provider.requests[0].preview.summary, 'Stop 1 instance');
      assert.deepEqual(provider.requests[0].environments, ['staging']);
      await waitFor('the instance to stop', async () =>
        (await instanceStates([id]))[id] === 'stopped' ? true : undefined,
      );
      const refreshed = await waitFor('the refreshed node', async () => {
        const found = await findNode(api, SCRATCH_REGION, id);
        return (found as unknown as { resource: { state?: string } } | undefined)?.resource.state === 'stopped'
          ? found
          : undefined;
      });
      const started = await vscode.commands.executeCommand<InteractiveRunResult>(
        'pilotLight.action.startInstance',
        refreshed,
      );
      assert.equal(started?.status, 'succeeded', started?.message);
      assert.deepEqual(byCorrelation(trail.records(), started?.correlationId), ['dry-run', 'succeeded']);
    });

    it('delete a security group: the delete confirmation shows the dry-run preview', async () => {
      const { api, testing: hooks } = await testing();
      const client = ec2();
      let groupId: string;
      try {
        groupId = (
          await client.send(
            new CreateSecurityGroupCommand({
              GroupName: 'ht-delete-me',
              Description: 'host test',
              TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'Environment', Value: 'staging' }] }],
            }),
          )
        ).GroupId!;
      } finally {
        client.destroy();
      }
      api.explorer.refresh();
      const node = await waitFor('the group in the explorer', () => findNode(api, SCRATCH_REGION, groupId));
      const provider = approving();
      hooks.setApprovalProvider(provider);
      const result = await vscode.commands.executeCommand<InteractiveRunResult>(
        'pilotLight.action.deleteSecurityGroup',
        node,
      );
      assert.equal(result?.status, 'succeeded', result?.message);
      assert.equal(provider.requests.length, 1, 'one confirmation: the one the policy requires for deletes');
      assert.equal(provider.requests[0].level, 'confirm');
      assert.match(provider.requests[0].preview.summary, /Delete security group sg-/);
      const check = ec2();
      try {
        await assert.rejects(check.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })), /InvalidGroup/);
      } finally {
        check.destroy();
      }
    });

    it('shows AWS refusals with the code and a plain explanation', async () => {
      const { testing: hooks } = await testing();
      hooks.setApprovalProvider(approving());
      const result = await runCommand({
        operationId: 'ec2.instances.changeType',
        input: { instanceId: created[0], instanceType: 't3.large' },
      });
      // The instance runs, so the dependency check in the dry-run refuses before anything is asked or changed.
      assert.equal(result.status, 'refused');
      assert.equal(result.refusal?.code, 'dependency');
      assert.match(result.message, /would be refused: i-\w+ is running; stop it before changing its type/);
      const missing = await runCommand({
        operationId: 'ec2.instances.stop',
        input: { instanceIds: ['i-0123456789abcdef0'] },
      });
      assert.equal(missing.status, 'failed');
      assert.equal(missing.error?.code, 'InvalidInstanceID.NotFound');
      assert.ok(missing.error?.hint, 'with a plain explanation');
      assert.match(missing.message, /InvalidInstanceID\.NotFound: /);
      const invalid = await runCommand({ operationId: 'ec2.instances.stop', input: { instanceIds: ['not-an-id'] } });
      assert.equal(invalid.status, 'refused');
      assert.match(invalid.message, /invalid-input/);
    });
  });

  describe('audit trail', () => {
    it('verifies, names the first bad line after tampering, and recovers when restored', async () => {
      const verified = await vscode.commands.executeCommand<{ ok: boolean; lines: number; path: string }>(
        'pilotLight.audit.verify',
      );
      assert.equal(verified.path, trail.path);
      assert.equal(verified.ok, true);
      assert.ok(verified.lines >= 4);
      const original = readFileSync(trail.path, 'utf8');
      const lines = original.split('\n').filter(Boolean);
      try {
        writeFileSync(
          trail.path,
          `${[lines[0], lines[1].replace('"refused"', '"succeeded"').replace('"dry-run"', '"succeeded"'), ...lines.slice(2)].join('\n')}\n`,
        );
        const edited = await vscode.commands.executeCommand<{ ok: boolean; firstBadLine?: number; problem?: string }>(
          'pilotLight.audit.verify',
        );
        assert.deepEqual([edited.ok, edited.firstBadLine, edited.problem], [false, 2, 'edited']);
        writeFileSync(trail.path, `${[lines[0], lines[2], lines[1], ...lines.slice(3)].join('\n')}\n`);
        const swapped = await vscode.commands.executeCommand<{ ok: boolean; firstBadLine?: number }>(
          'pilotLight.audit.verify',
        );
        assert.deepEqual([swapped.ok, swapped.firstBadLine], [false, 2]);
        // Deleted, its head kept: missing, never "empty".
        unlinkSync(trail.path);
        const deleted = await vscode.commands.executeCommand<{ ok: boolean; problem?: string; message: string }>(
          'pilotLight.audit.verify',
        );
        assert.deepEqual([deleted.ok, deleted.problem], [false, 'missing']);
        assert.match(deleted.message, new RegExp(`missing, but its head records ${lines.length} line\\(s\\)`));
        assert.deepEqual(
          await (await testing()).api.verifyAuditTrail(),
          { ok: deleted.ok, lines: 0, firstBadLine: 1, problem: 'missing', message: deleted.message },
          'the public API answers the same',
        );
      } finally {
        writeFileSync(trail.path, original);
      }
      assert.equal((await vscode.commands.executeCommand<{ ok: boolean }>('pilotLight.audit.verify')).ok, true);
    });

    it('exports JSON and CSV with filters, and the Audit view filters by outcome, operation and environment', async () => {
      const { api } = await testing();
      const json = join(dirname(trail.path), 'export.json');
      const exported = await vscode.commands.executeCommand<{ count: number }>('pilotLight.audit.export', {
        format: 'json',
        filter: { outcomes: ['refused'], environments: ['production'] },
        path: json,
      });
      const records = JSON.parse(readFileSync(json, 'utf8')) as AuditRecord[];
      assert.equal(records.length, exported.count);
      assert.ok(records.length >= 3);
      assert.ok(records.every((record) => record.outcome === 'refused' && record.environment === 'production'));
      const csv = join(dirname(trail.path), 'export.csv');
      await vscode.commands.executeCommand('pilotLight.audit.export', {
        format: 'csv',
        filter: { operations: ['ec2.instances.terminate'] },
        path: csv,
      });
      const [header, ...rows] = readFileSync(csv, 'utf8').trim().split('\r\n');
      assert.match(header, /^seq,time,outcome,operation,caller/);
      assert.ok(rows.length >= 6 && rows.every((row) => row.includes('ec2.instances.terminate')));

      await vscode.commands.executeCommand('pilotLight.audit.filter', {
        outcomes: ['refused'],
        operations: ['ec2.instances.terminate'],
      });
      const items = await api.audit.getChildren();
      assert.ok(items.length >= 3);
      assert.ok(
        items.every((item) => item.record.outcome === 'refused' && item.record.operation === 'ec2.instances.terminate'),
      );
      assert.ok(items[0].record.seq > items[items.length - 1].record.seq, 'newest first');
      await vscode.commands.executeCommand('pilotLight.audit.filter', { environments: ['staging'] });
      assert.ok((await api.audit.getChildren()).every((item) => item.record.environment === 'staging'));
      await vscode.commands.executeCommand('pilotLight.audit.clearFilter');
      assert.equal((await api.audit.getChildren()).length, trail.records().length);
    });
  });

  describe('secrets', () => {
    const PASSWORD = 'Hunter2-Secret-9f8e7d';
    const API_KEY = 'sk-live-51Hx7QeLmN0pQrStUv';
    const ACCESS_KEY = 'AKIAHOSTTEST12345678';
    let templateId: string | undefined;
    const launched: string[] = [];

    after(async () => {
      await terminateDirectly(launched);
      if (templateId) {
        const client = ec2();
        await client.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: templateId })).catch(() => undefined);
        client.destroy();
      }
    });

    it('never reach the log or the audit trail, even when the input holds them', async () => {
      const { testing: hooks } = await testing();
      const client = ec2();
      try {
        const imageId = await pickAmazonLinuxImage(client);
        templateId = (
          await client.send(
            new CreateLaunchTemplateCommand({
              LaunchTemplateName: 'ht-secrets',
              LaunchTemplateData: { ImageId: imageId, InstanceType: 't3.micro' },
            }),
          )
        ).LaunchTemplate!.LaunchTemplateId!;
      } finally {
        client.destroy();
      }
      hooks.setApprovalProvider(approving());
      const launch = await runCommand({
        operationId: 'ec2.instances.launchFromTemplate',
        region: SCRATCH_REGION,
        input: {
          launchTemplateId: templateId,
          count: 1,
          userData: `#!/bin/bash\nexport DB_PASSWORD=${PASSWORD}\n`,
          tags: { Environment: 'staging', api_key: API_KEY },
        },
      });
      assert.equal(launch.status, 'succeeded', launch.message);
      launched.push(...launch.resourceIds.filter((id) => id.startsWith('i-')));
      const policy = await runCommand({
        operationId: 'iam.policies.create',
        input: {
          policyName: 'ht-secret-policy',
          description: `rotated key ${ACCESS_KEY} password: ${PASSWORD}`,
          policyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
          },
        },
      });
      assert.ok(['succeeded', 'failed'].includes(policy.status), policy.message);
      const bad = await runCommand({
        operationId: 'ec2.instances.launchFromTemplate',
        region: SCRATCH_REGION,
        input: { launchTemplateId: templateId, count: 0, userData: `password=${PASSWORD}`, tags: { api_key: API_KEY } },
      });
      assert.equal(bad.status, 'refused');

      const audit = readFileSync(trail.path, 'utf8');
      const launchLine = trail
        .records()
        .find((record) => record.correlationId === launch.correlationId && record.outcome === 'succeeded');
      assert.equal((launchLine?.input as { userData?: string }).userData, '[REDACTED]');
      const logs = [...hooks.logLines(), ...logFilesOf((await testing()).api.ctx!.extension.logUri.fsPath)].join('\n');
      assert.ok(logs.length > 0);
      for (const secret of [PASSWORD, API_KEY, ACCESS_KEY]) {
        assert.ok(!audit.includes(secret), `the audit trail holds ${secret}`);
        assert.ok(!logs.includes(secret), `the log holds ${secret}`);
      }
    });
  });

  describe('guardrail policy', () => {
    it("applies pilotLight.guardrails.* settings, and shows a workspace file's problems as diagnostics with line and column", async () => {
      await setSetting('guardrails.maxResourcesPerOperation', 3);
      try {
        const loaded = await vscode.commands.executeCommand<LoadedPolicy>('pilotLight.guardrails.showPolicy');
        assert.equal(loaded.policy.maxResourcesPerOperation, 3);
      } finally {
        await setSetting('guardrails.maxResourcesPerOperation', undefined);
      }
      const folder = vscode.workspace.workspaceFolders?.[0];
      assert.ok(folder);
      const file = join(folder.uri.fsPath, '.pilotlight', 'guardrails.json');
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, '{\n  "protectedEnvironments": ["staging"],\n  "maxResourcesPerOperation": "ten"\n}\n');
      try {
        const loaded = await vscode.commands.executeCommand<LoadedPolicy>('pilotLight.guardrails.showPolicy');
        assert.ok(loaded.policy.protectedEnvironments.includes('staging'), 'the valid field applies');
        assert.equal(loaded.policy.maxResourcesPerOperation, 10, 'the invalid field keeps the safe default');
        const diagnostics = await waitFor('diagnostics for the guardrails file', () => {
          const found = vscode.languages.getDiagnostics(vscode.Uri.file(file));
          return found.length ? found : undefined;
        });
        assert.match(diagnostics[0].message, /maxResourcesPerOperation/);
        assert.equal(diagnostics[0].range.start.line, 2);
        assert.equal(diagnostics[0].source, 'Pilot Light guardrails');
      } finally {
        rmSync(file, { force: true });
      }
      await vscode.commands.executeCommand('pilotLight.guardrails.showPolicy');
      assert.deepEqual(vscode.languages.getDiagnostics(vscode.Uri.file(file)), []);
    });
  });
});

/** The text of the extension's log files (the output channel), wherever this VS Code writes them. */
function logFilesOf(extensionLogDir: string): string[] {
  const texts: string[] = [];
  const windowDir = dirname(dirname(extensionLogDir));
  const visit = (dir: string, depth: number) => {
    if (depth > 4 || !existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) visit(path, depth + 1);
      else if (/Pilot Light\.log$|pilot-light.*\.log$/i.test(name)) texts.push(readFileSync(path, 'utf8'));
    }
  };
  visit(windowDir, 0);
  return texts;
}
