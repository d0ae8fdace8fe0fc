import * as assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { resolveEditorMcpSettings } from '../../src/core/agent/mcp/editorSettings';
import {
  checkMcpRequest,
  isLoopbackOrigin,
  MAX_MCP_BODY_BYTES,
  newBearerToken,
  tokensMatch,
} from '../../src/core/agent/mcp/httpGuard';
import { McpSessionRefused, startMcpHttpServer, type RunningMcpHttpServer } from '../../src/core/agent/mcp/httpServer';

const TOKEN = 'x'.repeat(20) + 'TOKEN';
const PORT = 43210;
const good = {
  url: '/mcp',
  headers: { host: `127.0.0.1:${PORT}`, authorization: `Bearer ${TOKEN}`, 'content-length': '10' },
};

describe('MCP HTTP guard', () => {
  it('lets a loopback request with the token, the Host of this server and a small body through', () => {
    assert.equal(checkMcpRequest(good, { token: TOKEN, port: PORT }), undefined);
    assert.equal(
      checkMcpRequest(
        { ...good, headers: { ...good.headers, host: `localhost:${PORT}`, origin: 'http://localhost:3000' } },
        { token: TOKEN, port: PORT },
      ),
      undefined,
    );
    assert.equal(checkMcpRequest({ ...good, url: '/mcp?profile=prod' }, { token: TOKEN, port: PORT }), undefined);
  });

  it('refuses a wrong, missing or malformed token with 401', () => {
    for (const authorization of [
      undefined,
      '',
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(1)}`,
      `Basic ${TOKEN}`,
      `bearer  ${TOKEN}`,
      `Bearer ${TOKEN} `,
    ]) {
      assert.equal(
        checkMcpRequest({ ...good, headers: { ...good.headers, authorization } }, { token: TOKEN, port: PORT })?.status,
        401,
        String(authorization),
      );
    }
  });

  it('refuses a Host other than this loopback server (DNS rebinding) with 403', () => {
    for (const host of [
      undefined,
      'evil.example',
      `evil.example:${PORT}`,
      `127.0.0.1:${PORT + 1}`,
      '127.0.0.1',
      `0.0.0.0:${PORT}`,
      `127.0.0.1:${PORT}.evil.example`,
    ]) {
      assert.equal(
        checkMcpRequest({ ...good, headers: { ...good.headers, host } }, { token: TOKEN, port: PORT })?.status,
        403,
        String(host),
      );
    }
  });

  it('refuses a hostile Origin with 403, even with the right token', () => {
    for (const origin of [
      'https://evil.example',
      'http://127.0.0.1.evil.example',
      'null',
      'file://',
      'http://user:pw@localhost',
      'vscode-webview://abc',
    ]) {
      assert.equal(
        checkMcpRequest({ ...good, headers: { ...good.headers, origin } }, { token: TOKEN, port: PORT })?.status,
        403,
        origin,
      );
    }
  });

  it('refuses a declared body over the limit with 413, and another path with 404', () => {
    assert.equal(
      checkMcpRequest(
        { ...good, headers: { ...good.headers, 'content-length': String(MAX_MCP_BODY_BYTES + 1) } },
        { token: TOKEN, port: PORT },
      )?.status,
      413,
    );
    assert.equal(
      checkMcpRequest({ ...good, headers: { ...good.headers, 'content-length': '1e9' } }, { token: TOKEN, port: PORT })
        ?.status,
      413,
    );
    assert.equal(checkMcpRequest({ ...good, url: '/other' }, { token: TOKEN, port: PORT })?.status, 404);
  });

  it('accepts exactly the token it was given (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }), (a, b) => {
        assert.equal(tokensMatch(a, b), a === b);
      }),
    );
    assert.notEqual(newBearerToken(), newBearerToken());
    assert.ok(newBearerToken().length >= 43);
  });

  it('treats only http(s) loopback pages as local origins (property: other hosts never are)', () => {
    fc.assert(
      fc.property(fc.domain(), (domain) => {
        if (domain === 'localhost') return;
        assert.equal(isLoopbackOrigin(`https://${domain}`), false);
      }),
    );
  });
});

describe('MCP settings from the editor', () => {
  it('takes what widens access from user settings only; any scope may turn read-only on', () => {
    const fromWorkspace = resolveEditorMcpSettings({
      enabled: { workspaceValue: true, workspaceFolderValue: true },
      allowRecovery: { workspaceValue: true },
      profiles: { workspaceValue: ['prod'] },
      readOnly: { globalValue: false, workspaceValue: true },
    });
    assert.deepEqual(fromWorkspace, { enabled: false, readOnly: true, allowRecovery: false, profiles: [] });
    const fromUser = resolveEditorMcpSettings({
      enabled: { globalValue: true },
      allowRecovery: { globalValue: true },
      profiles: { globalValue: ['dev', 'dev', 'bad profile', 7, 'prod'] },
      readOnly: { globalValue: false, workspaceValue: false },
    });
    assert.deepEqual(fromUser, { enabled: true, readOnly: false, allowRecovery: true, profiles: ['dev', 'prod'] });
    assert.deepEqual(resolveEditorMcpSettings({ enabled: { globalValue: 'yes' } }), {
      enabled: false,
      readOnly: false,
      allowRecovery: false,
      profiles: [],
    });
  });
});

/** A raw request, to send what a well-behaved client would not. */
function rawRequest(
  port: number,
  headers: Record<string, string>,
  body: string | Buffer,
  path = '/mcp',
): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe('MCP server on Streamable HTTP (plain Node)', () => {
  let server: RunningMcpHttpServer;
  const profilesAsked: Array<string | undefined> = [];
  const initialize = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
  });

  before(async () => {
    server = await startMcpHttpServer({
      createSession: async ({ profile }) => {
        if (profile === 'forbidden') throw new McpSessionRefused('the profile forbidden is not offered.');
        profilesAsked.push(profile);
        const mcp = new McpServer({ name: 'toy', version: '1.0.0' });
        mcp.registerTool('echo_profile', { description: 'Echoes the session profile' }, async () => ({
          content: [{ type: 'text', text: profile ?? 'default' }],
        }));
        return { server: mcp };
      },
    });
  });

  after(() => server.close());

  it('serves a client that sends the token: tools listed and called', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${server.url}?profile=dev`), {
        requestInit: { headers: server.headers },
      }),
    );
    try {
      assert.deepEqual(
        (await client.listTools()).tools.map((tool) => tool.name),
        ['echo_profile'],
      );
      const result = await client.callTool({ name: 'echo_profile', arguments: {} });
      assert.deepEqual(result.content, [{ type: 'text', text: 'dev' }]);
      assert.deepEqual(profilesAsked, ['dev']);
    } finally {
      await client.close();
    }
  });

  it('refuses a client without the token before a session exists', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await assert.rejects(
      client.connect(
        new StreamableHTTPClientTransport(new URL(server.url), {
          requestInit: { headers: { Authorization: 'Bearer wrong' } },
        }),
      ),
      /401|Unauthorized/,
    );
    assert.equal(profilesAsked.length, 1, 'no session was built for it');
  });

  it('refuses a wrong Host, a hostile Origin, an oversize or chunked-oversize body and a refused profile', async () => {
    const auth = server.headers;
    assert.equal(await rawRequest(server.port, { ...auth, host: `evil.example:${server.port}` }, initialize), 403);
    assert.equal(await rawRequest(server.port, { ...auth, origin: 'https://evil.example' }, initialize), 403);
    assert.equal(await rawRequest(server.port, { authorization: 'Bearer nope' }, initialize), 401);
    assert.equal(await rawRequest(server.port, auth, Buffer.alloc(MAX_MCP_BODY_BYTES + 10, 0x20)), 413);
    assert.equal(
      await rawRequest(
        server.port,
        { ...auth, 'transfer-encoding': 'chunked' },
        Buffer.alloc(MAX_MCP_BODY_BYTES + 10, 0x20),
      ),
      413,
    );
    assert.equal(await rawRequest(server.port, auth, initialize, '/mcp?profile=forbidden'), 403);
    assert.equal(await rawRequest(server.port, auth, '{not json'), 400);
    assert.equal(
      await rawRequest(
        server.port,
        { ...auth, 'mcp-session-id': 'unknown' },
        '{"jsonrpc":"2.0","id":2,"method":"tools/list"}',
      ),
      404,
    );
    assert.equal(
      await rawRequest(server.port, auth, initialize),
      200,
      'the same request with the right headers passes',
    );
  });
});
