import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createVscodeStub, installVscodeStub } from '../support/vscodeStub';

const repoRoot = resolve(__dirname, '..', '..', '..');
const bundle = join(repoRoot, 'dist', 'extension.js');

describe('activation of the bundled extension', () => {
  it('registers its commands without loading the core or any AWS SDK bundle', async () => {
    assert.ok(existsSync(bundle), `${bundle} exists (npm test builds it before the unit layer)`);
    const { api, registeredCommands } = createVscodeStub();
    const uninstall = installVscodeStub(api);
    try {
      delete require.cache[bundle];
      const extension = require(bundle);
      const activation = extension.activate({
        subscriptions: [],
        globalStorageUri: { fsPath: '/tmp' },
        extensionUri: { fsPath: repoRoot },
        workspaceState: { get: () => undefined, update: async () => undefined },
      });
      // The commands of the views and the palette are there at once, before activate()'s second step.
      assert.ok(registeredCommands.includes('pilotLight.selectProfile'));
      assert.ok(registeredCommands.includes('pilotLight.explorer.refresh'));
      const result = await activation;
      assert.ok(registeredCommands.includes('pilotLight.guardrails.showPolicy'), 'and the rest after the second step');
      assert.equal(typeof result.activationMs, 'number');
      assert.equal(typeof result.activationDeferredMs, 'number');
      const lazyBundles = Object.keys(require.cache).filter(
        (path) => path.startsWith(join(repoRoot, 'dist', 'sdk')) || path === join(repoRoot, 'dist', 'core.js'),
      );
      assert.deepEqual(lazyBundles, [], 'neither the core bundle nor an SDK bundle is required during activation');
    } finally {
      uninstall();
      delete require.cache[bundle];
    }
  });
});
