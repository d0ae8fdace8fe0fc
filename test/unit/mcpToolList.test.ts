import * as assert from 'node:assert/strict';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { cliToolList } from '../../src/cli/mcpToolList';
import {
  MCP_SERVER_INFO,
  MCP_SERVER_OPTIONS,
  serveTools,
  TOOL_LIST_VARIANTS,
  toolListManifest,
  toolsOfVariant,
} from '../../src/core/agent/mcp/toolList';
import { tempDir } from '../support/operationHarness';

const tool = (name: string): Tool => ({ name, inputSchema: { type: 'object' } });

describe('MCP tool list as data (the CLI answers tools/list without loading the tools)', () => {
  it('keeps a tool listed by several variants once and gives each variant its own list back, in order', () => {
    const manifest = toolListManifest((variant) => [
      tool('read'),
      ...(variant.readOnly ? [] : [tool('apply')]),
      ...(variant.dr ? [tool('dr')] : []),
    ]);
    assert.deepEqual(
      manifest.tools.map((t) => t.name),
      ['read', 'apply', 'dr'],
    );
    assert.equal(Object.keys(manifest.variants).length, TOOL_LIST_VARIANTS.length);
    const restored = JSON.parse(JSON.stringify(manifest)) as typeof manifest;
    assert.deepEqual(
      toolsOfVariant(restored, { readOnly: true, allowRecovery: false, dr: true })?.map((t) => t.name),
      ['read', 'dr'],
    );
    assert.equal(toolsOfVariant({ tools: [], variants: {} }, TOOL_LIST_VARIANTS[0]), undefined);
  });

  it("the CLI's lists per variant: read-only drops the change tools, DR tools only with a workspace, recovery only when allowed", async () => {
    const dir = tempDir('pilot-light-mcp-list-');
    try {
      const names = async (readOnly: boolean, allowRecovery: boolean, dr: boolean) =>
        (await cliToolList({ readOnly, allowRecovery, dr }, dir.path)).map((t) => t.name);
      const full = await names(false, true, true);
      assert.ok(full.includes('apply_change') && full.includes('dr_start_recovery'));
      assert.ok(!(await names(true, true, true)).includes('apply_change'));
      assert.ok(!(await names(false, false, true)).includes('dr_start_recovery'));
      assert.ok(!(await names(false, true, false)).some((name) => name.startsWith('dr_')));
    } finally {
      dir.cleanup();
    }
  });

  it('serves a list given as data and loads the tool set only on the first call', async () => {
    const server = new Server(MCP_SERVER_INFO, MCP_SERVER_OPTIONS);
    let loads = 0;
    serveTools(
      server,
      () => [tool('read')],
      async (request) => {
        loads++;
        return { content: [{ type: 'text', text: `called ${request.name}` }] };
      },
    );
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(clientSide);
    assert.deepEqual(
      (await client.listTools()).tools.map((t) => t.name),
      ['read'],
    );
    assert.equal(loads, 0);
    const answer = await client.callTool({ name: 'read', arguments: {} });
    assert.deepEqual(answer.content, [{ type: 'text', text: 'called read' }]);
    assert.equal(loads, 1);
    await client.close();
  });
});
