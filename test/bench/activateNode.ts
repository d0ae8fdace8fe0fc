// Cross-check of activation cost in plain Node: require the bundled extension with a stub `vscode`
// module and call activate(). Run once per fresh process (scripts/bench.mjs starts it several times):
//   node out/test/bench/activateNode.js <extension folder> [--fill-gaps]
// (--fill-gaps: answer vscode APIs the shared stub lacks with an inert no-op; the Proxy costs a little.)
// prints one JSON line { requireMs, activateCallMs, activateNodeMs, activationMs, activationDeferredMs,
// sdkBundlesLoaded, stubGapsFilled } (activateCallMs: activate()'s synchronous step, until it returns its promise).

import * as path from 'path';
import { createVscodeStub, installVscodeStub } from '../support/vscodeStub';

/**
 * The shared stub, with any API it lacks (the extension grows faster than the stub) answered by an
 * inert callable that returns itself, so activation still runs its real code path. The names filled
 * in are reported, so a figure measured with them is never mistaken for one without.
 */
function withGapsFilled(stub: object, filled: Set<string>): object {
  const inert: object = new Proxy(function inert() {}, {
    get: (_target, key) => (key === 'then' ? undefined : key === Symbol.toPrimitive ? () => '' : inert),
    apply: () => inert,
    construct: () => inert,
  });
  const wrapped = new WeakMap<object, object>();
  const wrap = <T>(value: T, where: string): T => {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function') || value === inert) return value;
    const target = value as unknown as object;
    const known = wrapped.get(target);
    if (known) return known as T;
    const proxy = new Proxy(target, {
      get(inner, key, receiver) {
        const found = Reflect.get(inner, key, receiver);
        if (typeof key !== 'string' || key === 'then' || key === 'prototype' || key.startsWith('__')) return found;
        if (found === undefined && !(key in inner)) {
          filled.add(`${where}${key}`);
          return inert;
        }
        return wrap(found, `${where}${key}.`);
      },
      apply: (fn, self, args) => wrap(Reflect.apply(fn as (...a: unknown[]) => unknown, self, args), `${where}(): `),
      construct: (cls, args, newTarget) =>
        wrap(Reflect.construct(cls as new (...a: unknown[]) => object, args, newTarget), `new ${where}: `),
    });
    wrapped.set(target, proxy);
    return proxy as T;
  };
  return wrap(stub, 'vscode.');
}

async function main(): Promise<void> {
  const extensionDir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', '..'));
  const bundle = path.join(extensionDir, 'dist', 'extension.js');
  const filled = new Set<string>();
  const stub = createVscodeStub().api;
  installVscodeStub(process.argv.includes('--fill-gaps') ? withGapsFilled(stub, filled) : stub);
  const context = {
    subscriptions: [] as { dispose(): void }[],
    globalStorageUri: { fsPath: extensionDir },
    extensionUri: { fsPath: extensionDir },
    workspaceState: { get: () => undefined, update: async () => undefined },
  };

  const started = performance.now();

  const extension = require(bundle) as {
    activate(context: unknown): Promise<{ activationMs: number; activationDeferredMs: number }>;
  };
  const required = performance.now();
  // activate() returns at the end of its synchronous step; its second step runs in the next task.
  const pending = extension.activate(context);
  const activated = performance.now();
  const result = await pending;

  const sdkDir = path.join(extensionDir, 'dist', 'sdk');
  process.stdout.write(
    `${JSON.stringify({
      requireMs: required - started,
      activateCallMs: activated - required,
      activateNodeMs: activated - started,
      activationMs: result.activationMs,
      activationDeferredMs: result.activationDeferredMs,
      sdkBundlesLoaded: Object.keys(require.cache).filter((file) => file.startsWith(sdkDir)).length,
      stubGapsFilled: [...filled].sort(),
    })}\n`,
  );
  for (const subscription of context.subscriptions) {
    try {
      subscription.dispose();
    } catch {
      // the stub's disposables
    }
  }
  process.exit(0);
}

void main();
