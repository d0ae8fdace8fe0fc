import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createVscodeStub, installVscodeStub } from '../support/vscodeStub';

const repoRoot = resolve(__dirname, '..', '..', '..');
const bundle = join(repoRoot, 'dist', 'extension.js');
const EXTENSION_MODE = { Production: 1, Development: 2, Test: 3 } as const;

/** Classes of the safety core and of what reaches it (the development bundle keeps class names). */
const FORBIDDEN_CLASSES = new Set([
  'PilotLightContext',
  'SafetyServices',
  'OperationRunner',
  'OperationService',
  'ModalApprovalProvider',
  'DrServices',
  'AuditTrail',
]);

/** What a reached value is, if it is something another extension must never get. */
function forbiddenKind(value: object): string | undefined {
  const className = (value as { constructor?: { name?: string } }).constructor?.name;
  if (className && FORBIDDEN_CLASSES.has(className)) return className;
  const has = (name: string) => {
    try {
      return typeof (value as Record<string, unknown>)[name] === 'function';
    } catch {
      return false;
    }
  };
  if (has('requestApproval')) return 'an ApprovalProvider';
  if (has('runner') || has('approvalProvider')) return 'the SafetyServices';
  if (has('run') && 'registry' in value) return 'an OperationRunner';
  if ('safety' in value && 'extension' in value) return 'the PilotLightContext';
  if (has('confirm') && has('inputBox') && has('offer')) return 'the DR prompts';
  return undefined;
}

/** A prototype of the language or of Node (Object, Function, AsyncFunction, Array, Map, Promise…). */
function isBuiltIn(prototype: object): boolean {
  const constructor = (prototype as { constructor?: unknown }).constructor;
  return (
    typeof constructor === 'function' &&
    /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(constructor))
  );
}

interface Walk {
  forbidden: string[];
  functions: string[];
  accessors: string[];
  unfrozen: string[];
  classInstances: string[];
}

/**
 * Walks everything reachable from `root` without calling anything: own properties (getters are recorded,
 * not invoked), prototypes' own properties, Map and Set entries, arrays; cycle-safe, depth bounded.
 */
function walk(root: unknown, maxDepth = 12): Walk {
  const result: Walk = { forbidden: [], functions: [], accessors: [], unfrozen: [], classInstances: [] };
  const seen = new Set<unknown>();
  const visit = (value: unknown, path: string, depth: number): void => {
    if (
      value === null ||
      (typeof value !== 'object' && typeof value !== 'function') ||
      seen.has(value) ||
      depth > maxDepth
    )
      return;
    seen.add(value);
    const kind = forbiddenKind(value);
    if (kind) result.forbidden.push(`${path}: ${kind}`);
    if (typeof value === 'function') result.functions.push(path);
    if (!Object.isFrozen(value)) result.unfrozen.push(path);
    const prototype = Object.getPrototypeOf(value);
    if (typeof value === 'object' && prototype !== Object.prototype && prototype !== null && !Array.isArray(value))
      result.classInstances.push(`${path} (${prototype?.constructor?.name ?? '?'})`);
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
      const child = `${path}.${String(key)}`;
      if (descriptor.get || descriptor.set) {
        result.accessors.push(child);
        continue;
      }
      visit(descriptor.value, child, depth + 1);
    }
    if (value instanceof Map) {
      for (const [key, item] of value) {
        visit(key, `${path}<key>`, depth + 1);
        visit(item, `${path}<value>`, depth + 1);
      }
    }
    if (value instanceof Set) for (const item of value) visit(item, `${path}<item>`, depth + 1);
    // Methods live on prototypes: walk them too (the built-in ones are not interesting).
    if (prototype && !isBuiltIn(prototype)) {
      visit(prototype, `${path}.<prototype>`, depth + 1);
    }
  };
  visit(root, 'api', 0);
  return result;
}

async function activateIn(mode: number): Promise<{ api: Record<string, unknown>; done: () => void }> {
  assert.ok(existsSync(bundle), `${bundle} exists (npm test builds it before the unit layer)`);
  const { api: stub } = createVscodeStub();
  const uninstall = installVscodeStub(stub);
  delete require.cache[bundle];
  const extension = require(bundle);
  const context = {
    subscriptions: [] as Array<{ dispose(): void }>,
    extensionMode: mode,
    globalStorageUri: { fsPath: '/tmp/pilot-light-public-api-test' },
    logUri: { fsPath: '/tmp/pilot-light-public-api-test' },
    extensionUri: { fsPath: repoRoot },
    workspaceState: { get: () => undefined, update: async () => undefined },
  };
  const api = await extension.activate(context);
  return {
    api,
    done: () => {
      for (const subscription of context.subscriptions) subscription.dispose?.();
      uninstall();
      // Forget every bundle, so the next activation (and the activation test) starts from nothing loaded.
      for (const path of Object.keys(require.cache))
        if (path.startsWith(join(repoRoot, 'dist'))) delete require.cache[path];
    },
  };
}

describe('the API other extensions get from activate()', () => {
  for (const [name, mode] of [
    ['Production', EXTENSION_MODE.Production],
    ['Development', EXTENSION_MODE.Development],
  ] as const) {
    it(`in ${name} mode reaches nothing of the safety core: frozen plain data and two closures`, async () => {
      const { api, done } = await activateIn(mode);
      try {
        const reached = walk(api);
        assert.deepEqual(reached.forbidden, []);
        assert.deepEqual(
          reached.functions.sort(),
          ['api.refreshExplorer', 'api.verifyAuditTrail'],
          'every function handed out is reviewed: add it here only if it cannot return anything of the core',
        );
        assert.deepEqual(reached.accessors, [], 'no getter could hand something out later');
        assert.deepEqual(reached.unfrozen, [], 'nothing can be replaced or added');
        assert.deepEqual(reached.classInstances, []);
        assert.deepEqual(Object.keys(api).sort(), [
          'activationDeferredMs',
          'activationMs',
          'refreshExplorer',
          'verifyAuditTrail',
        ]);
        assert.throws(() => Object.assign(api, { dr: {} }), TypeError);
      } finally {
        done();
      }
    });
  }

  it("the walker does find the core where it is exposed: the Test-mode API of the extension's own tests", async () => {
    const { api, done } = await activateIn(EXTENSION_MODE.Test);
    try {
      const forbidden = walk(api).forbidden;
      for (const expected of [
        /^api\.ctx: PilotLightContext$/,
        /: SafetyServices$/,
        /: ModalApprovalProvider$/,
        /: the DR prompts$/,
        /: DrServices$/,
      ]) {
        assert.ok(
          forbidden.some((entry) => expected.test(entry)),
          `${expected} among ${forbidden.join(', ')}`,
        );
      }
      // What the public API used to hand out: each part on its own reaches the core.
      assert.match(
        walk(api.explorer).forbidden.join(', '),
        /PilotLightContext/,
        'the explorer provider holds the context',
      );
      const dr = walk(api.dr).forbidden.join(', ');
      assert.match(dr, /DrServices/);
      assert.match(dr, /: the DR prompts/);
    } finally {
      done();
    }
  });

  it('verifyAuditTrail answers plain, frozen data', async () => {
    const { api, done } = await activateIn(EXTENSION_MODE.Production);
    try {
      const verification = await (api.verifyAuditTrail as () => Promise<Record<string, unknown>>)();
      assert.equal(typeof verification.ok, 'boolean');
      assert.ok(Object.isFrozen(verification));
      assert.deepEqual(walk(verification).forbidden, []);
    } finally {
      done();
    }
  });
});
