// What every real-VS-Code test run shares, whatever starts VS Code (code-server
// or @vscode/test-electron): builds, the emulator stack, the user settings and
// the environment of the extension host.

import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildHelperExtensions } from './helperExtensions.mjs';
import { makeThrowawayDir, runOrThrow, spawnManaged } from './processes.mjs';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXTENSION_ID = 'pilot-light.pilot-light';
export const TEST_REGION = 'us-east-1';
export const TEST_WORKSPACE = join(REPO_ROOT, 'test', 'fixtures', 'workspace');
export const HELPER_EXTENSIONS_DIR = join(REPO_ROOT, 'test', 'fixtures', 'extensions');
export const HOST_TEST_INDEX = join(REPO_ROOT, 'out', 'test', 'host', 'index.js');
export const EMULATOR_CLI = join(REPO_ROOT, 'out', 'tools', 'emulators', 'cli.js');
// scripts/package.mjs writes here (PILOT_LIGHT_VSIX relocates it).
// The host suite runs in sessions, each a fresh VS Code (fresh user data) on the same emulator stack and
// workspace. Both runners (code-server and @vscode/test-electron) use this list:
//   host    every test not tagged @dr, @reload or @approvalsReload (the explorer tests expect the sample account
//           as seeded);
//   dr      the disaster-recovery tests, which launch and terminate recovery instances;
//   reload  the window-reload test: reloading re-runs the test index, so it runs alone. It finds its
//           phase in PILOT_LIGHT_TEST_STATE_DIR, which survives the reload.
//   approvalsReload  the pending-approval window-reload test, alone for the same reason (a tag no other grep
//           matches: `@reload\b` would match `@reload-…`).
// --grep runs one session with that filter.
export const HOST_SESSIONS = Object.freeze([
  { name: 'host', grep: '@dr\\b|@reload\\b|@approvalsReload\\b', invert: true },
  { name: 'dr', grep: '@dr\\b' },
  { name: 'reload', grep: '@reload\\b' },
  { name: 'approvalsReload', grep: '@approvalsReload\\b' },
]);

/** The environment a session's extension host gets on top of the stack's. */
export function sessionEnv({ grep, invert = false }, stateDir) {
  return {
    PILOT_LIGHT_HOST_GREP: grep,
    PILOT_LIGHT_HOST_GREP_INVERT: invert ? '1' : undefined,
    PILOT_LIGHT_TEST_STATE_DIR: stateDir,
  };
}

export const PACKAGED_VSIX = process.env.PILOT_LIGHT_VSIX
  ? resolve(process.env.PILOT_LIGHT_VSIX)
  : join(REPO_ROOT, 'pilot-light.vsix');
// Nothing listens here: with the emulators left out, the extension still never reaches real AWS.
const CLOSED_LOOPBACK_ENDPOINT = 'http://127.0.0.1:9';

export const log = (message) => process.stderr.write(`[pilot-light] ${message}\n`);

/** `test-output/<layer>/`, created if needed; `fresh` empties it first. */
export function testOutputDir(layer, { fresh = false } = {}) {
  const dir = join(REPO_ROOT, 'test-output', layer);
  if (fresh) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

function requireFile(path, producedBy) {
  if (!existsSync(path)) throw new Error(`${producedBy} did not produce ${path}`);
}

/** `npm run build` → dist/extension.js */
export function buildExtension() {
  runOrThrow('npm', ['run', 'build'], { cwd: REPO_ROOT, what: 'npm run build' });
  requireFile(join(REPO_ROOT, 'dist', 'extension.js'), 'npm run build');
}

/** `tsc -p tsconfig.test.json` → out/ (tests and tools, CommonJS) */
export function buildTests() {
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  runOrThrow(process.execPath, [tsc, '-p', 'tsconfig.test.json'], {
    cwd: REPO_ROOT,
    what: 'tsc -p tsconfig.test.json',
  });
}

/** `npm run package` → pilot-light.vsix (PACKAGED_VSIX) */
let packagedInThisProcess = false;

/** `npm run package`, once per process: the e2e files of one mocha run share the VSIX. */
export function packageExtension() {
  if (packagedInThisProcess && existsSync(PACKAGED_VSIX)) return PACKAGED_VSIX;
  rmSync(PACKAGED_VSIX, { force: true });
  runOrThrow('npm', ['run', 'package'], { cwd: REPO_ROOT, what: 'npm run package' });
  requireFile(PACKAGED_VSIX, 'npm run package');
  packagedInThisProcess = true;
  return PACKAGED_VSIX;
}

/**
 * Helper extensions (e.g. a fake chat model) to pre-install: test/fixtures/extensions/*.vsix,
 * first (re)built from their folders there when out of date (see helperExtensions.mjs).
 */
export function helperExtensionVsixes() {
  if (!existsSync(HELPER_EXTENSIONS_DIR)) return [];
  buildHelperExtensions(REPO_ROOT);
  return readdirSync(HELPER_EXTENSIONS_DIR)
    .filter((name) => name.endsWith('.vsix'))
    .sort()
    .map((name) => join(HELPER_EXTENSIONS_DIR, name));
}

function assertLoopback(endpoint) {
  if (new URL(endpoint).hostname !== '127.0.0.1') {
    throw new Error(`The emulator stack must listen on 127.0.0.1, but reported ${endpoint}`);
  }
}

/**
 * Starts `node out/tools/emulators/cli.js --seed <seed> [...args]` and waits for the JSON
 * line it prints when ready. Returns { endpoint, region, ready, stop() }, where
 * `ready` is that whole JSON object (it may carry a seeding summary). `args` adds
 * CLI flags (e.g. `--scale-instances 5000`); large seeds need a longer `timeoutMs`.
 */
export async function startEmulatorStack({ seed = 'sample', args = [], env, logFile, timeoutMs = 120_000 } = {}) {
  if (!existsSync(EMULATOR_CLI)) {
    throw new Error(
      `The emulator stack is missing: ${EMULATOR_CLI} does not exist (built by tsc from tools/emulators/cli.ts).\n` +
        'Run without it only on purpose: pass --without-emulators (or set PILOT_LIGHT_WITHOUT_EMULATORS=1).',
    );
  }
  let resolveReady;
  const readyLine = new Promise((r) => (resolveReady = r));
  const stack = spawnManaged(process.execPath, [EMULATOR_CLI, '--seed', seed, ...args], {
    name: 'emulator stack',
    cwd: REPO_ROOT,
    env,
    logFile,
    keepStdinOpen: true, // the stack exits when this closes
    onStdoutLine: (line) => {
      if (!line.trimStart().startsWith('{')) return;
      try {
        const message = JSON.parse(line);
        if (typeof message.endpoint === 'string') resolveReady(message);
      } catch {
        // not the ready line
      }
    },
  });
  let timer;
  try {
    const ready = await Promise.race([
      readyLine,
      stack.exited.then(({ code, signal, error }) => {
        throw new Error(
          `The emulator stack exited before it was ready (${error?.message ?? code ?? signal}):\n${stack.recentOutput()}`,
        );
      }),
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(`The emulator stack was not ready within ${timeoutMs / 1000} s:\n${stack.recentOutput()}`),
            ),
          timeoutMs,
        );
      }),
    ]);
    assertLoopback(ready.endpoint);
    return { endpoint: ready.endpoint, region: ready.region ?? TEST_REGION, ready, stop: () => stack.stop() };
  } catch (error) {
    await stack.stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Fake credentials in throwaway AWS config files, so ~/.aws is never read. */
export function createAwsSandbox(region = TEST_REGION) {
  const scratch = makeThrowawayDir('aws');
  const configFile = join(scratch.path, 'config');
  const credentialsFile = join(scratch.path, 'credentials');
  writeFileSync(configFile, `[default]\nregion = ${region}\noutput = json\n`);
  writeFileSync(credentialsFile, '[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n');
  return { configFile, credentialsFile, remove: () => scratch.remove() };
}

/**
 * Fake-credential environment: every inherited AWS_* variable is removed
 * (undefined, see mergeEnv) and replaced by the sandbox's.
 */
export function awsSandboxEnv(awsSandbox) {
  const env = {};
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) env[key] = undefined;
  return Object.assign(env, {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_CONFIG_FILE: awsSandbox.configFile,
    AWS_SHARED_CREDENTIALS_FILE: awsSandbox.credentialsFile,
    AWS_EC2_METADATA_DISABLED: 'true', // no instance-metadata lookups off loopback
  });
}

/** Environment for the extension host: the AWS sandbox plus PILOT_LIGHT_TEST_* for tests. */
export function hostTestEnv({ endpoint, awsSandbox, withoutEmulators = false }) {
  const env = awsSandboxEnv(awsSandbox);
  for (const key of Object.keys(process.env)) if (key.startsWith('PILOT_LIGHT_TEST_')) env[key] = undefined;
  if (withoutEmulators) env.PILOT_LIGHT_TEST_WITHOUT_EMULATORS = '1';
  else env.PILOT_LIGHT_TEST_ENDPOINT = endpoint;
  return env;
}

/** User settings pointing the extension at the emulators. */
export function hostTestSettings({ endpoint, region = TEST_REGION }) {
  return { 'pilotLight.endpointUrl': endpoint, 'pilotLight.region': region };
}

/** `{...base, ...overrides}` with keys whose override is undefined removed. */
export function mergeEnv(base, overrides) {
  const merged = { ...base, ...overrides };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  return merged;
}

/**
 * Emulators (unless `withoutEmulators`), AWS sandbox, settings and env for one
 * test run. Logs go to test-output/<layer>/. `emulatorArgs` and `readyTimeoutMs`
 * reach startEmulatorStack (e.g. a scale seed for benchmarks). Returns
 * { endpoint, region, ready, settings, env, withoutEmulators, stop() }.
 */
export async function startHostTestStack({
  layer,
  withoutEmulators = false,
  seed = 'sample',
  emulatorArgs = [],
  readyTimeoutMs,
}) {
  const outputDir = testOutputDir(layer, { fresh: true });
  const awsSandbox = createAwsSandbox();
  let stack;
  try {
    if (withoutEmulators) {
      log('=====================================================================');
      log(`WITHOUT EMULATORS: ${layer} tests run with no AWS emulator behind them.`);
      log(`pilotLight.endpointUrl points at ${CLOSED_LOOPBACK_ENDPOINT}, where nothing listens.`);
      log('=====================================================================');
    } else {
      const started = Date.now();
      const emulatorEnv = mergeEnv(process.env, awsSandboxEnv(awsSandbox));
      stack = await startEmulatorStack({
        seed,
        args: emulatorArgs,
        env: emulatorEnv,
        logFile: join(outputDir, 'emulators.log'),
        timeoutMs: readyTimeoutMs,
      });
      log(`emulator stack ready at ${stack.endpoint} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    const endpoint = stack?.endpoint ?? CLOSED_LOOPBACK_ENDPOINT;
    const region = stack?.region ?? TEST_REGION;
    return {
      endpoint,
      region,
      ready: stack?.ready,
      withoutEmulators,
      outputDir,
      settings: hostTestSettings({ endpoint, region }),
      env: hostTestEnv({ endpoint, awsSandbox, withoutEmulators }),
      async stop() {
        await stack?.stop();
        awsSandbox.remove();
      },
    };
  } catch (error) {
    await stack?.stop();
    awsSandbox.remove();
    throw error;
  }
}

/** True when --without-emulators was passed or PILOT_LIGHT_WITHOUT_EMULATORS=1. */
export function withoutEmulatorsRequested(argv = process.argv) {
  return argv.includes('--without-emulators') || process.env.PILOT_LIGHT_WITHOUT_EMULATORS === '1';
}
