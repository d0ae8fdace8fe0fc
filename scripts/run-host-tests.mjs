// Runs the extension-host tests (test/host, mocha) inside a real VS Code:
// code-server's workbench in headless chromium, with the extension loaded from
// this repo (extensionDevelopmentPath) against the emulator stack.
// Exit code = mocha's result. Artifacts: test-output/host/.

import { cpSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium } from './lib/chromium.mjs';
import { ensureCodeServer, startCodeServer } from './lib/codeServer.mjs';
import { makeThrowawayDir } from './lib/processes.mjs';
import { openTestWorkbench } from './lib/workbenchTests.mjs';
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

const USAGE = `Usage: node scripts/run-host-tests.mjs [options]
  --without-emulators        run with no emulator stack (also PILOT_LIGHT_WITHOUT_EMULATORS=1)
  --skip-build               use the existing dist/ and out/ instead of building
  --extension-development-path <dir>   load the extension from <dir> (default: repo root)
  --grep <text>              only tests whose title matches <text> (one session)
  --timeout-seconds <n>      overall limit (default 480)
  --headed                   show the browser (needs a display)`;

const { values: options } = parseArgs({
  options: {
    'without-emulators': { type: 'boolean', default: false },
    'skip-build': { type: 'boolean', default: false },
    'extension-development-path': { type: 'string', default: REPO_ROOT },
    grep: { type: 'string' },
    'timeout-seconds': { type: 'string', default: '480' },
    headed: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

const overallTimeoutMs = Number(options['timeout-seconds']) * 1000;
const extensionDevelopmentPath = resolve(options['extension-development-path']);
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

async function runHostTests(cleanups, session) {
  ensureCodeServer(REPO_ROOT);
  if (options['skip-build']) {
    log('--skip-build: using the existing dist/ and out/ as they are');
  } else {
    buildExtension();
    buildTests();
  }
  if (!existsSync(join(extensionDevelopmentPath, 'package.json'))) {
    throw new Error(`No extension at ${extensionDevelopmentPath} (package.json missing)`);
  }
  if (!existsSync(HOST_TEST_INDEX)) throw new Error(`${HOST_TEST_INDEX} is missing; compile the tests first`);

  const stack = await startHostTestStack({
    layer: 'host',
    withoutEmulators: options['without-emulators'] || withoutEmulatorsRequested(),
  });
  cleanups.push(() => stack.stop());

  // Tests write into the workspace (DR plans, exports): they get a throwaway copy of it.
  const workspace = makeThrowawayDir('host-workspace');
  cleanups.push(() => workspace.remove());
  cpSync(TEST_WORKSPACE, workspace.path, { recursive: true });

  const browser = await launchChromium({ headless: !options.headed });
  cleanups.push(() => browser.close());
  let exitCode = 0;
  for (const hostSession of options.grep ? [{ name: 'host', grep: options.grep }] : HOST_SESSIONS) {
    const code = await runSession(hostSession, { stack, browser, workspace: workspace.path, session });
    log(
      `host session "${hostSession.name}" ${code === 0 ? 'passed' : `failed (exit code ${code})`} after ${seconds()}`,
    );
    if (code !== 0) exitCode = code;
  }
  return exitCode;
}

async function runSession({ name, grep, invert = false }, { stack, browser, workspace, session }) {
  const suffix = name === 'host' ? '' : `-${name}`;
  const state = makeThrowawayDir(`host-${name}-state`);
  let server;
  let page;
  try {
    server = await startCodeServer({
      repoRoot: REPO_ROOT,
      workspace,
      settings: stack.settings,
      env: { ...stack.env, ...sessionEnv({ grep, invert }, state.path) },
      extensionsToInstall: helperExtensionVsixes(),
      logFile: join(stack.outputDir, `code-server${suffix}.log`),
      saveLogsTo: join(stack.outputDir, `vscode-logs${suffix}`),
    });
    log(`code-server ready at ${server.url} for the "${name}" session after ${seconds()}`);
    const workbench = await openTestWorkbench({
      browser,
      server,
      extensionDevelopmentPath,
      extensionTestsPath: HOST_TEST_INDEX,
      outputDir: stack.outputDir,
      logName: `workbench${suffix}.log`,
      onPage: (opened) => Object.assign(session, { page: opened, outputDir: stack.outputDir }),
    });
    page = workbench.page;
    const code = await workbench.finished;
    return Number.isInteger(code) ? code : 1;
  } finally {
    await page?.close().catch(() => {});
    await server?.stop();
    state.remove();
  }
}

/** Rejects after the overall limit, leaving a screenshot of the workbench if there is one. */
function overallTimeout(session) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(async () => {
      if (session.page) {
        const screenshot = join(session.outputDir, 'timeout.png');
        await session.page.screenshot({ path: screenshot }).then(
          () => log(`screenshot of the workbench: ${screenshot}`),
          () => {},
        );
      }
      reject(new Error(`Host tests did not finish within ${overallTimeoutMs / 1000} s (--timeout-seconds)`));
    }, overallTimeoutMs);
  });
  return { expired, cancel: () => clearTimeout(timer) };
}

const describeError = (error) =>
  process.env.PILOT_LIGHT_DEBUG === '1'
    ? (error?.stack ?? String(error))
    : `${error?.message ?? error} (PILOT_LIGHT_DEBUG=1 shows the stack)`;

const cleanups = [];
const session = {};
const timeout = overallTimeout(session);
let exitCode;
try {
  const mochaExitCode = await Promise.race([runHostTests(cleanups, session), timeout.expired]);
  exitCode = Number.isInteger(mochaExitCode) ? mochaExitCode : 1;
  log(`host tests ${exitCode === 0 ? 'passed' : `failed (exit code ${exitCode})`} after ${seconds()}`);
} catch (error) {
  console.error(`\n[pilot-light] host tests could not run: ${describeError(error)}`);
  exitCode = 1;
} finally {
  timeout.cancel();
  for (const cleanup of cleanups.reverse()) {
    await Promise.resolve()
      .then(cleanup)
      .catch((error) => log(`cleanup failed: ${error.message}`));
  }
}
process.exit(exitCode);
