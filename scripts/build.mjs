// Bundles the extension with esbuild into dist/.
// The AWS SDK is split out: each SDK package becomes its own bundle in dist/sdk/, required only when
// code that needs it first runs. Activation therefore parses a small file and loads no SDK client.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const showMetafile = process.argv.includes('--metafile');

const SDK_PACKAGE = /^@aws-sdk\/[^/]+$/;
const sdkBundleName = (pkg) => pkg.replace(/^@aws-sdk\//, '');

/** Marks every `@aws-sdk/*` import as external, pointing at its own lazily required bundle. */
function splitAwsSdk(used) {
  return {
    name: 'split-aws-sdk',
    setup(b) {
      b.onResolve({ filter: /^@aws-sdk\// }, (args) => {
        if (!SDK_PACKAGE.test(args.path)) return { errors: [{ text: `Import the package root, not a deep path: ${args.path}` }] };
        used.add(args.path);
        return { path: `./sdk/${sdkBundleName(args.path)}.js`, external: true };
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
  minify: production,
  sourcemap: production ? false : 'linked',
  legalComments: production ? 'none' : 'inline',
  logLevel: 'warning',
  metafile: true,
};

await rm(join(root, 'dist'), { recursive: true, force: true });
const usedSdkPackages = new Set();
const main = await build({ ...common, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist', plugins: [splitAwsSdk(usedSdkPackages)] });
const sdk = await build({
  ...common,
  entryPoints: Object.fromEntries([...usedSdkPackages].map((pkg) => [sdkBundleName(pkg), pkg])),
  outdir: 'dist/sdk',
});

if (showMetafile) {
  const { analyzeMetafile } = await import('esbuild');
  console.log(await analyzeMetafile(main.metafile));
  console.log(await analyzeMetafile(sdk.metafile));
}
const size = (result) => Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js')).map(([file, { bytes }]) => `${file} ${(bytes / 1024).toFixed(0)} KB`);
console.log(`built (${production ? 'production' : 'development'}): ${[...size(main), ...size(sdk)].join(', ')}`);
