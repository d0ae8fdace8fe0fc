// Pilot Light's MCP server in the real extension host: the definition provider VS Code calls, the local HTTP
// server it starts on resolve, a read through it against the emulators, and an apply in production that
// needs the typed approval (answered through the test-only approval hook, as the modal would be).
import * as assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as vscode from 'vscode';
import {
  approving,
  instanceStates,
  launchInstance,
  mistyping,
  SCRATCH_REGION,
  setSetting,
  terminateDirectly,
  testing,
  useTempAuditTrail,
} from './support/safety';

type Result = CallToolResult & { structuredContent?: Record<string, any> };

async function connect(definition: vscode.McpHttpServerDefinition): Promise<Client> {
  const client = new Client({ name: 'host-test-agent', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(definition.uri.toString(true)), {
      requestInit: { headers: definition.headers },
    }),
  );
  return client;
}

describe('MCP server in VS Code', function () {
  this.timeout(120_000);
  let trail: Awaited<ReturnType<typeof useTempAuditTrail>>;
  const launched: string[] = [];

  before(async () => {
    trail = await useTempAuditTrail();
  });

  after(async () => {
    (await testing()).testing.setApprovalProvider(undefined);
    await vscode.workspace
      .getConfiguration('pilotLight')
      .update('mcp.readOnly', undefined, vscode.ConfigurationTarget.Workspace);
    for (const key of ['mcp.enabled', 'region']) await setSetting(key, undefined);
    await terminateDirectly(launched);
    await trail.restore();
  });

  it('registers the provider and offers nothing until the user turns the server on', async () => {
    const provider = await (await testing()).testing.mcpProvider();
    assert.ok(
      provider,
      'the MCP server definition provider is registered (vscode.lm.registerMcpServerDefinitionProvider exists in this VS Code)',
    );
    assert.deepEqual(await provider.provideMcpServerDefinitions(), []);
    // The setting is application-scoped: VS Code refuses it in workspace settings (the resolver ignores it there too).
    await assert.rejects(
      Promise.resolve(
        vscode.workspace
          .getConfiguration('pilotLight')
          .update('mcp.enabled', true, vscode.ConfigurationTarget.Workspace),
      ),
      /User settings/,
    );
    assert.deepEqual(await provider.provideMcpServerDefinitions(), [], 'a workspace cannot turn it on');
  });

  it('resolves to a token-protected loopback server (idempotently), reads through it, and applies in production only with the typed approval', async () => {
    const { testing: hooks } = await testing();
    const provider = (await hooks.mcpProvider())!;
    await setSetting('region', SCRATCH_REGION);
    await setSetting('mcp.enabled', true);
    const instanceId = await launchInstance({ Name: 'mcp-host-prod', Environment: 'production' });
    launched.push(instanceId);

    const [definition] = await provider.provideMcpServerDefinitions();
    assert.equal(definition.label, 'Pilot Light');
    assert.deepEqual(definition.headers, {});
    const resolved = (await provider.resolveMcpServerDefinition(definition))!;
    const again = (await provider.resolveMcpServerDefinition((await provider.provideMcpServerDefinitions())[0]))!;
    assert.equal(resolved.uri.authority.split(':')[0], '127.0.0.1');
    assert.equal(again.uri.toString(), resolved.uri.toString(), 'resolving twice shares one server');
    assert.match(resolved.headers.Authorization ?? '', /^Bearer [A-Za-z0-9_-]{43}$/);
    assert.equal(again.headers.Authorization, resolved.headers.Authorization);

    const client = await connect(resolved);
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      assert.ok(names.includes('read_resources') && names.includes('apply_change'), names.join(', '));
      const read = (await client.callTool({
        name: 'read_resources',
        arguments: { operation: 'ec2.instances.list', input: {} },
      })) as Result;
      assert.notEqual(read.isError, true, JSON.stringify(read.content));
      assert.ok(
        JSON.stringify(read.structuredContent).includes(instanceId),
        'the read reaches the emulator through the runner',
      );

      const plan = async () => {
        const planned = (await client.callTool({
          name: 'plan_change',
          arguments: { operation: 'ec2.instances.stop', input: { instanceIds: [instanceId] } },
        })) as Result;
        assert.equal(planned.structuredContent?.status, 'planned', JSON.stringify(planned.content));
        return planned.structuredContent!.planId as string;
      };
      const wrong = mistyping();
      hooks.setApprovalProvider(wrong);
      const refused = (await client.callTool({ name: 'apply_change', arguments: { planId: await plan() } })) as Result;
      assert.equal(refused.isError, true);
      assert.equal(wrong.requests.length, 1, 'the approval was asked in the editor');
      assert.equal(wrong.requests[0].requiredConfirmation, 'production');
      assert.equal(
        (await instanceStates([instanceId]))[instanceId],
        'running',
        'a mistyped environment name changes nothing',
      );

      const person = approving();
      hooks.setApprovalProvider(person);
      const applied = (await client.callTool({ name: 'apply_change', arguments: { planId: await plan() } })) as Result;
      assert.equal(applied.structuredContent?.status, 'succeeded', JSON.stringify(applied.content));
      assert.equal(person.requests[0].level, 'approve');
      assert.match(String((await instanceStates([instanceId]))[instanceId]), /stopping|stopped/);
      assert.ok(
        trail
          .records()
          .some(
            (record) =>
              record.caller === 'mcp' && record.operation === 'ec2.instances.stop' && record.outcome === 'succeeded',
          ),
        'the change is in the audit trail as an MCP call',
      );
    } finally {
      await client.close();
    }
  });

  it('is started by VS Code itself, whose MCP client reaches the server through the guard and runs a read', async () => {
    const manifest = (vscode.extensions.all.find((extension) => extension.id.toLowerCase().endsWith('.pilot-light'))
      ?.packageJSON ?? {}) as { publisher: string; name: string };
    // VS Code names an extension's server `<extension id, lower case>/<label>`.
    const serverId = `${manifest.publisher}.${manifest.name}`.toLowerCase() + '/Pilot Light';
    const deadline = Date.now() + 30_000;
    let readTool: vscode.LanguageModelToolInformation | undefined;
    while (!readTool && Date.now() < deadline) {
      await vscode.commands.executeCommand('workbench.mcp.startServer', serverId, { autoTrustChanges: true });
      readTool = vscode.lm.tools.find(
        (tool) => tool.name.endsWith('read_resources') && !tool.name.startsWith('pilotLight_'),
      );
      if (!readTool) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.ok(
      readTool,
      `VS Code lists the MCP server's read tool (tools: ${vscode.lm.tools.map((tool) => tool.name).join(', ')})`,
    );
    const result = await vscode.lm.invokeTool(readTool.name, {
      input: { operation: 'ec2.instances.list', input: {} },
      toolInvocationToken: undefined,
    });
    const text = result.content
      .map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : ''))
      .join('');
    assert.ok(
      text.includes(launched[0]),
      `the read through VS Code's MCP client reaches the emulator: ${text.slice(0, 300)}`,
    );
    const contributed = (
      (manifest as { contributes?: { languageModelTools?: Array<{ name: string }> } }).contributes
        ?.languageModelTools ?? []
    ).map((tool) => tool.name);
    assert.ok(
      !contributed.includes(readTool.name),
      `${readTool.name} is the MCP server's tool, not one of Pilot Light's LM tools`,
    );
    const reads = trail
      .records()
      .filter((record) => record.caller === 'mcp' && (record as { tool?: string }).tool === 'read_resources');
    const clients = reads.map((record) => (record as { client?: { name?: string } }).client?.name);
    assert.ok(
      clients.some((name) => name && name !== 'host-test-agent'),
      `the audit trail names VS Code's own MCP client for a read (clients: ${clients.join(', ')})`,
    );
  });

  it('lists no change tools once the workspace turns read-only on', async () => {
    const provider = (await (await testing()).testing.mcpProvider())!;
    await vscode.workspace
      .getConfiguration('pilotLight')
      .update('mcp.readOnly', true, vscode.ConfigurationTarget.Workspace);
    const resolved = (await provider.resolveMcpServerDefinition((await provider.provideMcpServerDefinitions())[0]))!;
    const client = await connect(resolved);
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      assert.ok(names.includes('read_resources'));
      assert.ok(!names.includes('apply_change'), names.join(', '));
    } finally {
      await client.close();
    }
  });
});
