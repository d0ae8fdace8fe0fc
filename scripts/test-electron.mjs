// The extension-host tests (test/host) under desktop VS Code via
// @vscode/test-electron. Needs internet to download VS Code (cached in
// .vscode-test/; or pass --vscode-executable) and a display (headless Linux: xvfb-run -a).
// Same emulator stack, settings and environment as scripts/run-host-tests.mjs.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { downloadAndUnzipVSCode, resolveCliPathFromVSCodeExecutablePath, runTests } from '@vscode/test-electron';
import { BASE_USER_SETTINGS } from './lib/codeServer.mjs';
import { makeThrowawayDir } from './lib/processes.mjs';
import {
  HOST_SESSIONS,
  HOST_TEST_INDEX,
  sessionEnv,
  REPO_ROOT,
  TEST_WORKSPACE,
  buildExtension,
  buildTests,
  helperExtensionVsixes,
  log,
  startHostTestStack,
  withoutEmulatorsRequested,
} from './lib/vscodeHost.mjs';

const { values: options } = parseArgs({
  options: {
    'without-emulators': { type: 'boolean', default: false },
    'skip-build': { type: 'boolean', default: false },
    'vscode-version': { type: 'string', default: process.env.PILOT_LIGHT_VSCODE_VERSION ?? 'stable' },
    // a VS Code already on this machine instead of a download
    'vscode-executable': { type: 'string', default: process.env.PILOT_LIGHT_VSCODE_EXECUTABLE },
    grep: { type: 'string' },
  },
});

function installHelperExtensions(vscodeExecutablePath, profileArgs, vsixes) {
  if (vsixes.length === 0) return;
  const cli = resolveCliPathFromVSCodeExecutablePath(vscodeExecutablePath);
  const result = spawnSync(cli, [...profileArgs, ...vsixes.flatMap((vsix) => ['--install-extension', vsix])], {
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) throw new Error(`Installing helper extensions failed: ${vsixes.join(', ')}`);
}

async function runElectronHostTests(cleanups) {
  if (options['skip-build']) {
    log('--skip-build: using the existing dist/ and out/ as they are');
  } else {
    buildExtension();
    buildTests();
  }
  const vscodeExecutablePath =
    options['vscode-executable'] ?? (await downloadAndUnzipVSCode({ version: options['vscode-version'] }));

  const stack = await startHostTestStack({
    layer: 'electron',
    withoutEmulators: options['without-emulators'] || withoutEmulatorsRequested(),
  });
  cleanups.push(() => stack.stop());

  // Tests write into the workspace (DR plans, exports): they get a throwaway copy of it.
  const workspace = makeThrowawayDir('electron-workspace');
  cleanups.push(() => workspace.remove());
  cpSync(TEST_WORKSPACE, workspace.path, { recursive: true });

  let exitCode = 0;
  for (const session of options.grep ? [{ name: 'host', grep: options.grep }] : HOST_SESSIONS) {
    const code = await runSession(session, vscodeExecutablePath, stack, workspace.path, cleanups).then(
      (result) => result ?? 0,
      (error) => {
        console.error(`[pilot-light] session "${session.name}" failed: ${describeError(error)}`);
        return typeof error?.code === 'number' ? error.code || 1 : 1;
      },
    );
    log(`electron session "${session.name}" ${code === 0 ? 'passed' : 'failed'}`);
    if (code !== 0) exitCode = code;
  }
  return exitCode;
}

/** One session: a fresh user-data dir, the helpers installed, the suite filtered to the session's tests. */
async function runSession(session, vscodeExecutablePath, stack, workspace, cleanups) {
  const profile = makeThrowawayDir(`vscode-electron-${session.name}`);
  cleanups.push(() => profile.remove());
  const state = makeThrowawayDir(`vscode-electron-${session.name}-state`);
  cleanups.push(() => state.remove());
  const userDataDir = join(profile.path, 'user-data');
  const extensionsDir = join(profile.path, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    `${JSON.stringify({ ...BASE_USER_SETTINGS, ...stack.settings }, null, 2)}\n`,
  );
  const profileArgs = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  const helpers = helperExtensionVsixes();
  installHelperExtensions(vscodeExecutablePath, profileArgs, helpers);

  return runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: REPO_ROOT,
    extensionTestsPath: HOST_TEST_INDEX,
    // undefined values unset inherited variables (Node's spawn skips them)
    extensionTestsEnv: { ...stack.env, ...sessionEnv(session, state.path) },
    launchArgs: [
      workspace,
      ...profileArgs,
      // The extensions dir is throwaway, so only helpers can be in it; without
      // helpers, also turn off anything else (built-ins and ours stay enabled).
      ...(helpers.length === 0 ? ['--disable-extensions'] : []),
      // Desktop VS Code (unlike code-server) blocks proposed APIs of installed extensions;
      // the fake chat model helper needs chatProvider and defaultChatParticipant.
      '--enable-proposed-api',
      'pilot-light-test.fake-chat-model',
      // runTests itself adds --disable-updates, --skip-welcome, --skip-release-notes, --disable-workspace-trust
      '--disable-telemetry',
      '--use-inmemory-secretstorage',
      '--new-window',
    ],
  });
}

const describeError = (error) =>
  process.env.PILOT_LIGHT_DEBUG === '1'
    ? (error?.stack ?? String(error))
    : `${error?.message ?? error} (PILOT_LIGHT_DEBUG=1 shows the stack)`;

const cleanups = [];
let exitCode;
try {
  exitCode = await runElectronHostTests(cleanups);
} catch (error) {
  // runTests rejects with TestRunFailedError when VS Code exits non-zero (tests failed).
  exitCode = typeof error?.code === 'number' ? error.code || 1 : 1;
  console.error(`\n[pilot-light] electron host tests failed: ${describeError(error)}`);
} finally {
  for (const cleanup of cleanups.reverse()) {
    await Promise.resolve()
      .then(cleanup)
      .catch((error) => log(`cleanup failed: ${error.message}`));
  }
}
process.exit(exitCode);
