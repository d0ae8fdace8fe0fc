// Runs a VS Code test entry (`extensionTestsPath`, a module exporting run()) inside code-server's
// workbench in chromium, as VS Code's own browser tests do. Shared by the host tests
// (scripts/run-host-tests.mjs) and the benchmarks (scripts/bench.mjs).

import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { log } from './vscodeHost.mjs';

// Workbench chatter that reaches codeAutomationLog along with the test output. It is
// kept in the workbench log but not echoed. The gallery errors come from
// the extension gallery being pointed at a closed loopback port.
export const WORKBENCH_NOISE =
  /^(Resolving connection token|Resolved connection token|Creating a socket|Updating additional builtin extensions cache|\[Service Worker\] registered|ChatSessionStore: Migrating|Error while getting the latest version for the extension|connect ECONNREFUSED 127\.0\.0\.1:9)/;

/**
 * Opens a new page of `browser` on `server`'s workbench with `extensionDevelopmentPath` and
 * `extensionTestsPath` in the launch payload. Console output of the test entry goes to
 * `<outputDir>/<logName>` and, with `echo` (default), to stdout/stderr minus WORKBENCH_NOISE.
 * `onPage(page)` is called as soon as the page exists (e.g. to screenshot it on a timeout).
 * Resolves to { page, finished }: `finished` resolves with the exit code the workbench reports
 * (0 when run() resolved) and rejects when the page crashes.
 */
export async function openTestWorkbench({
  browser,
  server,
  extensionDevelopmentPath,
  extensionTestsPath,
  outputDir,
  logName = 'workbench.log',
  echo = true,
  onPage,
}) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  onPage?.(page);

  const workbenchLog = join(outputDir, logName);
  rmSync(workbenchLog, { force: true });
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const text = format(...(Array.isArray(args) ? args : [args]));
    appendFileSync(workbenchLog, `[${type}] ${text}\n`);
    if (echo && !WORKBENCH_NOISE.test(text)) (type === 'error' ? process.stderr : process.stdout).write(`${text}\n`);
  });
  await page.exposeFunction('codeAutomationExit', (code, logs) => {
    if (Array.isArray(logs) && logs.length > 0) {
      writeFileSync(join(outputDir, logName.replace(/\.log$/, '') + '-logs.json'), JSON.stringify(logs, null, 2));
    }
    finish(code);
  });
  page.on('pageerror', (error) => log(`page error: ${error.message}`));
  page.on('crash', () => finish(Promise.reject(new Error('the workbench page crashed'))));

  const payload = [
    ['extensionDevelopmentPath', server.remoteUri(extensionDevelopmentPath)],
    ['extensionTestsPath', server.remoteUri(extensionTestsPath)],
    ['skipWelcome', 'true'],
  ];
  await page.goto(server.workbenchUrl({ payload }));
  return { page, finished };
}
