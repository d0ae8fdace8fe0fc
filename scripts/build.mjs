// Bundles the extension with esbuild into dist/, in three layers loaded as they are needed:
//   dist/extension.js  the VS Code adapters and the light part of the core: all that activation parses;
//   dist/core.js       every core module the adapters import dynamically (operations, guardrails, DR…);
//   dist/sdk/*.js      one bundle per AWS SDK package, required when a client is first created, and
//   dist/sdk/runtime.js the packages those bundles share (@smithy/*, @aws-sdk/core…), each evaluated on first use.
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlibConstants } from 'node:zlib';
import { dirname, join, relative, resolve } from 'node:path';
import { generateCfnEnums } from './lib/cfnEnums.mjs';
import { generateCfnTypes } from './lib/cfnTypes.mjs';
import { thirdPartyNotices } from './lib/thirdPartyNotices.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const showMetafile = process.argv.includes('--metafile');

const SDK_PACKAGE = /^@aws-sdk\/[^/]+$/;
const sdkBundleName = (pkg) => pkg.replace(/^@aws-sdk\//, '');

/**
 * Marks every `@aws-sdk/*` import as external, pointing at its own bundle. A static import (an operation's
 * commands) goes through a lazy shim, so loading the operation registry parses no SDK bundle; a dynamic
 * import (creating a client) requires the bundle itself.
 */
function splitAwsSdk(used) {
  return {
    name: 'split-aws-sdk',
    setup(b) {
      b.onResolve({ filter: /^@aws-sdk\// }, (args) => {
        if (!SDK_PACKAGE.test(args.path))
          return { errors: [{ text: `Import the package root, not a deep path: ${args.path}` }] };
        used.add(args.path);
        const bundle = sdkBundleName(args.path);
        return {
          path: args.kind === 'dynamic-import' ? `./sdk/${bundle}.js` : `./sdk/lazy-${bundle}.js`,
          external: true,
        };
      });
    },
  };
}

/**
 * The SDK bundles share one copy of the packages they have in common: every bare import inside them (the
 * @smithy runtime, @aws-sdk/core, middleware, credential providers…) becomes a lookup in dist/sdk/runtime.js,
 * keyed by the file it resolves to, so two versions of a package stay apart. `shared` collects the keys.
 */
function shareSdkRuntime(shared) {
  return {
    name: 'share-sdk-runtime',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.kind === 'entry-point' || args.pluginData?.sharing || isBuiltin(args.path)) return undefined;
        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: { sharing: true },
        });
        if (resolved.errors.length || resolved.external) return resolved;
        const key = sharedModuleKey(resolved.path);
        // Copies of one version are the same code; the first path in sort order keeps the build reproducible.
        const known = shared.get(key);
        if (!known || resolved.path < known) shared.set(key, resolved.path);
        return { path: key, namespace: 'sdk-runtime' };
      });
      b.onLoad({ filter: /.*/, namespace: 'sdk-runtime' }, (args) => ({
        contents: `module.exports = require('./runtime.js')[${JSON.stringify(args.path)}];`,
        loader: 'js',
      }));
      b.onResolve({ filter: /^\.\/runtime\.js$/, namespace: 'sdk-runtime' }, () => ({
        path: './runtime.js',
        external: true,
      }));
    },
  };
}

/**
 * `name@version/subpath` of a file in node_modules: npm nests the same version of a package under several
 * clients, and those copies are one module here. Outside node_modules, the path itself.
 */
const packageIds = new Map();
function sharedModuleKey(path) {
  const posix = relative(root, path).split('\\').join('/');
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(posix);
  if (!match) return posix;
  let id = packageIds.get(match[1]);
  if (!id) {
    const manifest = JSON.parse(readFileSync(join(root, match[1], 'package.json'), 'utf8'));
    id = `${manifest.name}@${manifest.version}`;
    packageIds.set(match[1], id);
  }
  return `${id}/${match[2]}`;
}

/** dist/sdk/runtime.js: one getter per shared module, so a module is evaluated when a bundle first needs it. */
const sdkRuntimeEntry = (shared) =>
  [...shared]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([key, path]) =>
        `Object.defineProperty(exports, ${JSON.stringify(key)}, { enumerable: true, get: () => require(${JSON.stringify(path)}) });`,
    )
    .join('\n');

const coreDir = join(root, 'src', 'core');
// Also lazy: the webview protocols (zod schemas), which the editor panels import dynamically.
const LAZY_DIRS = [coreDir, join(root, 'src', 'protocol')];

function resolveSource(resolveDir, path) {
  const base = resolve(resolveDir, path);
  return [`${base}.ts`, join(base, 'index.ts'), base].find(
    (candidate) => existsSync(candidate) && candidate.endsWith('.ts'),
  );
}

/**
 * Core modules that get a bundle of their own (dist/<name>.js) instead of a place in dist/core.js: what a
 * feature needs on its first use without loading the whole core (the CloudFormation language features).
 */
const OWN_BUNDLES = new Map([['iac/cloudformation/service', 'iac-cloudformation']]);

/**
 * Sends every dynamic import of a src/core module to dist/core.js, which is required on first use.
 * `modules` collects them (key → source path) for the core build; `own` those of OWN_BUNDLES.
 */
function lazyCore(modules, own = new Map()) {
  return {
    name: 'lazy-core',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const source = resolveSource(args.resolveDir, args.path);
        if (!source || !LAZY_DIRS.some((dir) => source.startsWith(dir))) return undefined;
        const key = relative(coreDir, source).replace(/\.ts$/, '').split('\\').join('/');
        if (OWN_BUNDLES.has(key)) {
          own.set(key, source);
          return { path: `./${OWN_BUNDLES.get(key)}.js`, external: true };
        }
        modules.set(key, source);
        return { path: key, namespace: 'lazy-core' };
      });
      b.onLoad({ filter: /.*/, namespace: 'lazy-core' }, (args) => ({
        contents: `module.exports = require('./core.js')[${JSON.stringify(args.path)}];`,
        loader: 'js',
      }));
      b.onResolve({ filter: /^\.\/core\.js$/, namespace: 'lazy-core' }, () => ({ path: './core.js', external: true }));
    },
  };
}

/**
 * zod's error messages in English only: its `locales` namespace re-exports some forty translations that
 * nothing here selects (zod configures English itself), ~250 KB in every bundle that validates with zod.
 */
function zodEnglishOnly() {
  return {
    name: 'zod-english-only',
    setup(b) {
      b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
        contents: "export { default as en } from './en.js';",
        resolveDir: dirname(args.path),
        loader: 'js',
      }));
    },
  };
}

/**
 * One shared namespace for `vscode`: esbuild wraps every `import * as vscode` of an external CommonJS module
 * in its own __toESM copy (a getter per API member, ~45 modules), all made while activation evaluates the bundle.
 * Through this ES facade the copy is made once.
 */
function sharedVscodeNamespace() {
  return {
    name: 'shared-vscode-namespace',
    setup(b) {
      b.onResolve({ filter: /^vscode$/ }, (args) =>
        args.namespace === 'vscode-facade'
          ? { path: 'vscode', external: true }
          : { path: 'vscode', namespace: 'vscode-facade' },
      );
      b.onLoad({ filter: /.*/, namespace: 'vscode-facade' }, () => ({
        contents: "export * from 'vscode';",
        loader: 'js',
      }));
    },
  };
}

/**
 * node:crypto and node:child_process in dist/extension.js, each loaded on the first call of one of its functions.
 * Plain Node takes 15-30 ms to load either (the extension host has both already), and activation calls neither.
 * Only functions are offered (importing a class or constant fails the build); promisify keeps their custom form.
 */
function lazyNodeBuiltins() {
  return {
    name: 'lazy-node-builtins',
    setup(b) {
      b.onResolve({ filter: /^node:(crypto|child_process)$/ }, (args) =>
        args.namespace === 'lazy-builtin'
          ? { path: args.path, external: true }
          : { path: args.path, namespace: 'lazy-builtin' },
      );
      b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async (args) => {
        const real = (await import(args.path)).default;
        const custom = 'Symbol.for("nodejs.util.promisify.custom")';
        const names = Object.keys(real).filter((name) => /^[a-z]/.test(name) && typeof real[name] === 'function');
        const lines = names.map((name) =>
          [
            `export function ${name}(...args) { return load().${name}(...args); }`,
            ...(real[name][Symbol.for('nodejs.util.promisify.custom')]
              ? [`Object.defineProperty(${name}, ${custom}, { get: () => load().${name}[${custom}] });`]
              : []),
          ].join('\n'),
        );
        return {
          contents: [
            `let loaded;`,
            `const load = () => (loaded ??= require(${JSON.stringify(args.path)}));`,
            ...lines,
          ].join('\n'),
          loader: 'js',
        };
      });
    },
  };
}

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // ES module builds of the AWS SDK let esbuild drop unused code.
  mainFields: ['module', 'main'],
  external: ['vscode'],
  // web-tree-sitter's ES module build needs import.meta.url, which a CommonJS bundle lacks: use its CommonJS build.
  alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/web-tree-sitter.cjs' },
  minify: production,
  sourcemap: production ? false : 'linked',
  legalComments: production ? 'none' : 'inline',
  logLevel: 'warning',
  metafile: true,
  // `await import('@aws-sdk/…')` becomes a require() of the split bundle. Left as import(), Node's ESM loader
  // re-reads the CommonJS bundle to detect its format and lex its exports (~100 ms for client-ec2 on first use).
  supported: { 'dynamic-import': false },
};

await rm(join(root, 'dist'), { recursive: true, force: true });
const usedSdkPackages = new Set();
const lazyModules = new Map();
const ownBundleSources = new Map();
const main = await build({
  ...common,
  entryPoints: { extension: 'src/extension.ts' },
  outdir: 'dist',
  plugins: [
    zodEnglishOnly(),
    sharedVscodeNamespace(),
    lazyNodeBuiltins(),
    splitAwsSdk(usedSdkPackages),
    lazyCore(lazyModules, ownBundleSources),
  ],
});
const ownBundles = await build({
  ...common,
  entryPoints: Object.fromEntries([...ownBundleSources].map(([key, source]) => [OWN_BUNDLES.get(key), source])),
  outdir: 'dist',
  plugins: [zodEnglishOnly(), splitAwsSdk(usedSdkPackages)],
});
// dist/mcp-tools.js: the command-line MCP server's tools (src/cli/mcpTools.ts), required 200 ms after its
// first tools/list or on the first tools/call. It runs on dist/core.js, as the extension does (its core imports
// are dynamic and join core.js's modules), so the VSIX holds the core once.
const mcpTools = await build({
  ...common,
  entryPoints: { 'mcp-tools': 'src/cli/mcpTools.ts' },
  outdir: 'dist',
  plugins: [zodEnglishOnly(), lazyCore(lazyModules, ownBundleSources), splitAwsSdk(usedSdkPackages)],
});
const core = await build({
  ...common,
  stdin: {
    contents: [...lazyModules]
      .map(([key, source]) => `export * as ${JSON.stringify(key)} from ${JSON.stringify(source)};`)
      .join('\n'),
    resolveDir: root,
    sourcefile: 'core-entry.ts',
    loader: 'ts',
  },
  outfile: 'dist/core.js',
  plugins: [zodEnglishOnly(), splitAwsSdk(usedSdkPackages)],
});
const sharedSdkModules = new Map();
const sdk = await build({
  ...common,
  entryPoints: Object.fromEntries([...usedSdkPackages].map((pkg) => [sdkBundleName(pkg), pkg])),
  outdir: 'dist/sdk',
  plugins: [zodEnglishOnly(), shareSdkRuntime(sharedSdkModules)],
});

// The webviews: browser bundles (Lit, @vscode-elements, the shared protocol) with their CSS, all local.
const webview = await build({
  absWorkingDir: root,
  entryPoints: {
    'launch-template': 'webview/launch-template/main.ts',
    'recovery-plan': 'webview/recovery-plan/main.ts',
    'cost-chart': 'webview/cost-chart/main.ts',
  },
  outdir: 'dist/webview',
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  tsconfig: 'webview/tsconfig.json',
  plugins: [zodEnglishOnly()],
});

if (showMetafile) {
  const { analyzeMetafile } = await import('esbuild');
  console.log(await analyzeMetafile(main.metafile));
  console.log(await analyzeMetafile(core.metafile));
  console.log(await analyzeMetafile(sdk.metafile));
  console.log(await analyzeMetafile(webview.metafile));
}
const size = (result) =>
  Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.js') || file.endsWith('.css'))
    .map(([file, { bytes }]) => `${file} ${(bytes / 1024).toFixed(0)} KB`);

// dist/mcp.js: the command-line MCP server (`pilot-light-mcp`), its own entry. It shares dist/sdk/*.js, but
// through small lazy shims (dist/sdk/lazy-*.js) so that an SDK bundle is parsed on first use, not at start:
// `tools/list` answers without loading any AWS SDK. Any SDK package the extension does not use is built too.
function lazyAwsSdk(used) {
  return {
    name: 'lazy-aws-sdk',
    setup(b) {
      b.onResolve({ filter: /^@aws-sdk\// }, (args) => {
        if (!SDK_PACKAGE.test(args.path))
          return { errors: [{ text: `Import the package root, not a deep path: ${args.path}` }] };
        used.add(args.path);
        return { path: `./sdk/lazy-${sdkBundleName(args.path)}.js`, external: true };
      });
    },
  };
}
const lazyShim = (bundle) => `"use strict";
// Loads ./${bundle} on the first use of any of its exports.
let real;
const load = () => (real ??= require('./${bundle}'));
module.exports = new Proxy({}, {
  get: (_, key) => load()[key],
  has: (_, key) => key in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, key) => { const d = Object.getOwnPropertyDescriptor(load(), key); return d && { ...d, configurable: true }; },
});
`;
// Its tool list for every variant of its flags, generated from the registry by the server's own code
// (src/cli/mcpToolList.ts) and built into dist/mcp.js: tools/list answers without loading the tools.
const toolListFile = join(root, 'dist', '.mcp-tool-list.cjs');
await build({
  ...common,
  entryPoints: ['src/cli/mcpToolList.ts'],
  outfile: toolListFile,
  packages: 'external',
  minify: false,
  sourcemap: false,
  metafile: false,
});
const mcpToolList = await createRequire(import.meta.url)(toolListFile).cliToolListManifest();
await rm(toolListFile, { force: true });
// The tools (dist/mcp-tools.js, built with the core above) use dist/mcp.js's MCP SDK through the server object only.
const mcpToolsBundle = {
  name: 'mcp-tools-bundle',
  setup(b) {
    b.onResolve({ filter: /^\.\/mcpTools$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: './mcp-tools.js', external: true } : undefined,
    );
  },
};
const mcpSdkPackages = new Set();
const mcp = await build({
  ...common,
  entryPoints: { mcp: 'src/cli/mcp.ts' },
  outdir: 'dist',
  banner: { js: '#!/usr/bin/env node' },
  define: { PILOT_LIGHT_MCP_TOOL_LIST: JSON.stringify(JSON.stringify(mcpToolList)) },
  plugins: [zodEnglishOnly(), mcpToolsBundle, lazyAwsSdk(mcpSdkPackages)],
});
const sdkCopy = Object.keys(mcpTools.metafile.inputs).filter((input) => input.includes('@modelcontextprotocol'));
if (sdkCopy.length)
  throw new Error(`dist/mcp-tools.js would hold a second copy of the MCP SDK (import types only): ${sdkCopy[0]}`);
const missingSdk = [...mcpSdkPackages].filter((pkg) => !usedSdkPackages.has(pkg));
const extraSdk = missingSdk.length
  ? await build({
      ...common,
      entryPoints: Object.fromEntries(missingSdk.map((pkg) => [sdkBundleName(pkg), pkg])),
      outdir: 'dist/sdk',
      plugins: [zodEnglishOnly(), shareSdkRuntime(sharedSdkModules)],
    })
  : undefined;
const sdkRuntime = await build({
  ...common,
  stdin: { contents: sdkRuntimeEntry(sharedSdkModules), resolveDir: root, sourcefile: 'sdk-runtime.js', loader: 'js' },
  outfile: 'dist/sdk/runtime.js',
});
for (const pkg of new Set([...usedSdkPackages, ...mcpSdkPackages]))
  await writeFile(join(root, 'dist', 'sdk', `lazy-${sdkBundleName(pkg)}.js`), lazyShim(`${sdkBundleName(pkg)}.js`));
console.log(
  `built the MCP server: ${[...size(mcp), ...size(mcpTools)].join(', ')}, ${mcpToolList.tools.length} tools in ${Object.keys(mcpToolList.variants).length} listings${missingSdk.length ? ` (+ SDK bundles ${missingSdk.join(', ')})` : ''}`,
);

// The bundles' metafiles, merged (dist/meta.json, never shipped: .vscodeignore), and the notices of every
// package they contain (dist/THIRD_PARTY_NOTICES.md, shipped). Later bundles (webviews, grammars, wasm)
// add their metafiles or assets here.
const metafiles = [
  main.metafile,
  ownBundles.metafile,
  core.metafile,
  sdk.metafile,
  sdkRuntime.metafile,
  webview.metafile,
  mcp.metafile,
  mcpTools.metafile,
  ...(extraSdk ? [extraSdk.metafile] : []),
];
const merged = {
  inputs: Object.assign({}, ...metafiles.map((m) => m.inputs)),
  outputs: Object.assign({}, ...metafiles.map((m) => m.outputs)),
};
await writeFile(join(root, 'dist', 'meta.json'), JSON.stringify(merged));
// CloudFormation type knowledge, generated from @aws-cdk/aws-service-spec (credited in the notices below).
const cfnTypes = generateCfnTypes(root);
await mkdir(join(root, 'dist', 'iac'), { recursive: true });
// Shipped brotli-compressed at maximum quality (a third of their zip size in the VSIX); the loaders decompress.
const brotli = (text) =>
  brotliCompressSync(Buffer.from(text), {
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: zlibConstants.BROTLI_MAX_QUALITY,
      [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: Buffer.byteLength(text),
    },
  });
// Older uncompressed copies of these files would otherwise stay in dist/ and ship.
await rm(join(root, 'dist', 'iac', 'cfn-types.json'), { force: true });
await rm(join(root, 'dist', 'iac', 'cfn-enums.json'), { force: true });
const cfnTypesJson = JSON.stringify(cfnTypes.data);
const cfnTypesBrotli = brotli(cfnTypesJson);
await writeFile(join(root, 'dist', 'iac', 'cfn-types.json.br'), cfnTypesBrotli);
console.log(
  `CloudFormation types: ${cfnTypes.resourceCount} resource types, ${(cfnTypesJson.length / 1024).toFixed(0)} KB (${(cfnTypesBrotli.length / 1024).toFixed(0)} KB brotli)`,
);
// Allowed property values for value completion: a file of its own, read on the first value completion only.
await writeFile(join(root, 'dist', 'iac', 'cfn-enums.json.br'), brotli(JSON.stringify(generateCfnEnums(root))));
// Terraform parsing (src/core/iac/terraform/parse.ts): the tree-sitter runtime and the HCL grammar, loaded on first use.
const treeSitterAssets = [
  { dir: join(root, 'node_modules', 'web-tree-sitter'), file: 'web-tree-sitter.wasm' },
  { dir: join(root, 'node_modules', '@tree-sitter-grammars', 'tree-sitter-hcl'), file: 'tree-sitter-terraform.wasm' },
];
await mkdir(join(root, 'dist', 'tree-sitter'), { recursive: true });
for (const { dir, file } of treeSitterAssets) await copyFile(join(dir, file), join(root, 'dist', 'tree-sitter', file));
const notices = thirdPartyNotices({
  root,
  metafiles,
  extraAssets: [{ dir: cfnTypes.packageDir }, ...treeSitterAssets.map(({ dir }) => ({ dir }))],
});
await writeFile(join(root, 'dist', 'THIRD_PARTY_NOTICES.md'), notices.text);
console.log(
  `built (${production ? 'production' : 'development'}): ${[...size(main), ...size(ownBundles), ...size(core), ...size(sdk), ...size(webview)].join(', ')}; notices for ${notices.packages.length} packages`,
);
