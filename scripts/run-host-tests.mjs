// Runs the extension-host tests (test/host, mocha) inside a real VS Code:
// code-server's workbench in headless chromium, with the extension loaded from
// this repo (extensionDevelopmentPath) against the emulator stack.
// Exit code = mocha's result. Artifacts: test-output/host/.

import { appendFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { format, parseArgs } from 'node:util';
import { launchChromium } from './lib/chromium.mjs';
import { ensureCodeServer, startCodeServer } from './lib/codeServer.mjs';
import {
  HOST_TEST_INDEX,
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
  --grep <text>              only tests whose title contains <text>
  --timeout-seconds <n>      overall limit (default 300)
  --headed                   show the browser (needs a display)`;

const { values: options } = parseArgs({
  options: {
    'without-emulators': { type: 'boolean', default: false },
    'skip-build': { type: 'boolean', default: false },
    'extension-development-path': { type: 'string', default: REPO_ROOT },
    grep: { type: 'string' },
    'timeout-seconds': { type: 'string', default: '300' },
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

// Workbench chatter that reaches codeAutomationLog along with the test output. It is
// kept in test-output/host/workbench.log but not echoed. The gallery errors come from
// the extension gallery being pointed at a closed loopback port.
const WORKBENCH_NOISE =
  /^(Resolving connection token|Resolved connection token|Creating a socket|Updating additional builtin extensions cache|\[Service Worker\] registered|ChatSessionStore: Migrating|Error while getting the latest version for the extension|connect ECONNREFUSED 127\.0\.0\.1:9)/;

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

  const server = await startCodeServer({
    repoRoot: REPO_ROOT,
    workspace: TEST_WORKSPACE,
    settings: stack.settings,
    env: { ...stack.env, PILOT_LIGHT_HOST_GREP: options.grep },
    extensionsToInstall: helperExtensionVsixes(),
    logFile: join(stack.outputDir, 'code-server.log'),
    saveLogsTo: join(stack.outputDir, 'vscode-logs'),
  });
  cleanups.push(() => server.stop());
  log(`code-server ready at ${server.url} after ${seconds()}`);

  const browser = await launchChromium({ headless: !options.headed });
  cleanups.push(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  Object.assign(session, { page, outputDir: stack.outputDir });

  const workbenchLog = join(stack.outputDir, 'workbench.log');
  rmSync(workbenchLog, { force: true });
  let finish;
  const testsFinished = new Promise((resolve) => (finish = resolve));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const text = format(...(Array.isArray(args) ? args : [args]));
    appendFileSync(workbenchLog, `[${type}] ${text}\n`);
    if (!WORKBENCH_NOISE.test(text)) (type === 'error' ? process.stderr : process.stdout).write(`${text}\n`);
  });
  await page.exposeFunction('codeAutomationExit', (code, logs) => {
    if (Array.isArray(logs) && logs.length > 0) {
      writeFileSync(join(stack.outputDir, 'workbench-logs.json'), JSON.stringify(logs, null, 2));
    }
    finish(code);
  });
  page.on('pageerror', (error) => log(`page error: ${error.message}`));
  page.on('crash', () => finish(Promise.reject(new Error('the workbench page crashed'))));

  const payload = [
    ['extensionDevelopmentPath', server.remoteUri(extensionDevelopmentPath)],
    ['extensionTestsPath', server.remoteUri(HOST_TEST_INDEX)],
    ['skipWelcome', 'true'],
  ];
  await page.goto(server.workbenchUrl({ payload }));
  return testsFinished;
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
  process.env.PILOT_LIGHT_DEBUG === '1' ? (error?.stack ?? String(error)) : `${error?.message ?? error} (PILOT_LIGHT_DEBUG=1 shows the stack)`;

const cleanups = [];
const session = {};
const timeout = overallTimeout(session);
let exitCode = 1;
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
