import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createVscodeStub, installVscodeStub } from '../support/vscodeStub';

const repoRoot = resolve(__dirname, '..', '..', '..');
const bundle = join(repoRoot, 'dist', 'extension.js');

class McpHttpServerDefinition {
  constructor(
    readonly label: string,
    public uri: { toString(): string; query: string },
    public headers: Record<string, string> = {},
    public version?: string,
  ) {}
}

/** The bundled extension activated against the stub, with an `lm` namespace that records MCP providers. */
async function activateWith(settings: Record<string, { globalValue?: unknown; workspaceValue?: unknown } | undefined>) {
  const { api } = createVscodeStub();
  const providers: Array<{ id: string; provider: any }> = [];
  const stub = {
    ...api,
    McpHttpServerDefinition,
    Uri: {
      parse: (value: string) => ({ toString: () => value, query: new URL(value).search.slice(1) }),
      from: (parts: object) => parts,
    },
    lm: {
      registerTool: () => ({ dispose() {} }),
      registerMcpServerDefinitionProvider: (id: string, provider: unknown) => {
        providers.push({ id, provider });
        return { dispose() {} };
      },
    },
    workspace: new Proxy(api.workspace, {
      get: (target, key) =>
        key === 'getConfiguration'
          ? (section?: string) => ({
              get: () => undefined,
              update: async () => undefined,
              inspect: (name: string) => settings[section ? `${section}.${name}` : name],
            })
          : (target as any)[key],
    }),
  };
  const uninstall = installVscodeStub(stub);
  // Earlier test files may have loaded the bundles: start from none, as VS Code does.
  for (const path of Object.keys(require.cache))
    if (path.startsWith(join(repoRoot, 'dist'))) delete require.cache[path];
  const extension = require(bundle);
  await extension.activate({
    subscriptions: [],
    globalStorageUri: { fsPath: '/tmp' },
    extensionUri: { fsPath: repoRoot },
    workspaceState: { get: () => undefined, update: async () => undefined },
  });
  return {
    providers,
    lazyBundles: () =>
      Object.keys(require.cache).filter(
        (path) => path.startsWith(join(repoRoot, 'dist', 'sdk')) || path === join(repoRoot, 'dist', 'core.js'),
      ),
    uninstall: () => {
      uninstall();
      // Other features load the core after activation (e.g. DR journal recovery): leave no bundle behind for later tests.
      for (const path of Object.keys(require.cache))
        if (path.startsWith(join(repoRoot, 'dist'))) delete require.cache[path];
    },
  };
}

describe('MCP server definition provider', () => {
  it('registers under the id the manifest contributes, without loading the core', async () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    const contributed: Array<{ id: string; label: string }> = manifest.contributes.mcpServerDefinitionProviders;
    const run = await activateWith({});
    try {
      assert.deepEqual(
        run.providers.map((entry) => entry.id),
        contributed.map((entry) => entry.id),
      );
      assert.equal(contributed.length, 1);
      assert.deepEqual(run.lazyBundles(), []);
    } finally {
      run.uninstall();
    }
  });

  it('offers nothing by default, and nothing when only the workspace turns it on', async () => {
    for (const settings of [{}, { 'pilotLight.mcp.enabled': { workspaceValue: true } }]) {
      const run = await activateWith(settings);
      try {
        assert.deepEqual(await run.providers[0].provider.provideMcpServerDefinitions(), []);
        const refused = await run.providers[0].provider.resolveMcpServerDefinition(
          new McpHttpServerDefinition('Pilot Light', { toString: () => 'http://127.0.0.1/mcp', query: '' }),
        );
        assert.equal(refused, undefined, 'a definition is not resolved while the server is off');
      } finally {
        run.uninstall();
      }
    }
  });

  it('offers one http definition per profile the user lists, without a token before VS Code resolves it', async () => {
    const run = await activateWith({
      'pilotLight.mcp.enabled': { globalValue: true },
      'pilotLight.mcp.profiles': { globalValue: ['dev', 'prod'] },
    });
    try {
      const definitions: McpHttpServerDefinition[] = await run.providers[0].provider.provideMcpServerDefinitions();
      assert.deepEqual(
        definitions.map((definition) => [definition.label, definition.uri.toString()]),
        [
          ['Pilot Light (dev)', 'http://127.0.0.1/mcp?profile=dev'],
          ['Pilot Light (prod)', 'http://127.0.0.1/mcp?profile=prod'],
        ],
      );
      assert.ok(
        definitions.every((definition) => Object.keys(definition.headers).length === 0),
        'no token before resolve',
      );
    } finally {
      run.uninstall();
    }
  });
});
