// The one test command: lints, builds, then runs every layer in order (unit, integration, host, e2e).
// `npm test -- unit host` runs only the named layers. A layer that cannot run fails; none is skipped.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ALL_LAYERS = ['unit', 'integration', 'host', 'e2e'];
const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const unknown = requested.filter((layer) => !ALL_LAYERS.includes(layer));
if (unknown.length) {
  console.error(`Unknown test layer(s): ${unknown.join(', ')}. Layers: ${ALL_LAYERS.join(', ')}.`);
  process.exit(2);
}
const layers = requested.length ? requested : ALL_LAYERS;
const mocha = join(root, 'node_modules/mocha/bin/mocha.js');

const LAYER_COMMANDS = {
  unit: [process.execPath, [mocha, 'out/test/unit/**/*.test.js', '--timeout', '10000', '--exit']],
  integration: [process.execPath, [mocha, 'out/test/integration/**/*.test.js', '--timeout', '120000', '--exit']],
  host: [process.execPath, ['scripts/run-host-tests.mjs', '--skip-build']],
  e2e: [process.execPath, [mocha, 'out/test/e2e/**/*.test.js', '--timeout', '300000', '--exit']],
};

/** Runs a command, echoing its output, and returns the exit code with the mocha counts it printed. */
function run(command, args, { countTests = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let text = '';
    const forward = (stream, target) =>
      stream.on('data', (chunk) => {
        target.write(chunk);
        if (countTests) text += chunk.toString();
      });
    forward(child.stdout, process.stdout);
    forward(child.stderr, process.stderr);
    child.on('close', (code, signal) => {
      const count = (word) =>
        [...text.matchAll(new RegExp(`(\\d+) ${word}`, 'g'))].reduce((sum, match) => sum + Number(match[1]), 0);
      resolve({
        code: code ?? (signal ? 1 : 0),
        passed: count('passing'),
        failed: count('failing'),
        pending: count('pending'),
      });
    });
  });
}

const started = Date.now();
const results = [];
const step = async (title, command, args) => {
  console.log(`\n▶ ${title}`);
  const { code } = await run(command, args);
  if (code !== 0) {
    console.error(`✖ ${title} failed (exit ${code})`);
    process.exit(code);
  }
};

await step('lint (eslint)', process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '.']);
await step('format (prettier --check)', process.execPath, [
  join(root, 'node_modules/prettier/bin/prettier.cjs'),
  '--check',
  '--log-level',
  'warn',
  '.',
]);
await step('build extension', process.execPath, ['scripts/build.mjs']);
await step('compile tests and tools', process.execPath, [
  join(root, 'node_modules/typescript/bin/tsc'),
  '-p',
  'tsconfig.test.json',
]);
await step('typecheck webviews', process.execPath, [
  join(root, 'node_modules/typescript/bin/tsc'),
  '-p',
  'webview/tsconfig.json',
]);
// The unit layer's grammar test tokenises with VS Code's own grammars from the code-server build the host
// layers use: install it first, so no layer depends on another having run.
if (layers.some((layer) => layer !== 'integration'))
  await step('install code-server (.cache/vscode-host)', process.execPath, [
    '--input-type=module',
    '-e',
    `import { ensureCodeServer } from './scripts/lib/codeServer.mjs'; ensureCodeServer(${JSON.stringify(root)});`,
  ]);

for (const layer of layers) {
  const layerStart = Date.now();
  console.log(`\n━━━ ${layer} ━━━`);
  const [command, args] = LAYER_COMMANDS[layer];
  const result = await run(command, args, { countTests: true });
  const seconds = ((Date.now() - layerStart) / 1000).toFixed(1);
  if (result.code !== 0 && result.failed === 0) result.failed = 1; // crashed before reporting
  if (result.code === 0 && result.passed === 0) {
    console.error(`✖ layer ${layer} ran no tests`);
    result.failed = Math.max(result.failed, 1);
    result.code = 1;
  }
  results.push({ layer, seconds, ...result });
}

console.log('\n━━━ summary ━━━');
for (const r of results)
  console.log(
    `${r.layer.padEnd(12)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed ${String(r.pending).padStart(3)} pending  ${r.seconds}s${r.code ? '  ✖' : ''}`,
  );
const total = (key) => results.reduce((sum, r) => sum + r[key], 0);
console.log(`wall time ${((Date.now() - started) / 1000).toFixed(1)}s`);
console.log(`${total('passed')} passed, ${total('failed')} failed, ${total('pending')} skipped`);
process.exit(results.some((r) => r.code !== 0) ? 1 : 0);
