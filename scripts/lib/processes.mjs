// Child processes and throwaway folders that never outlive the runner.
//
// Every managed child runs in its own process group, so stopping it stops its
// whole tree. Groups are killed when the runner exits normally, on SIGINT/SIGTERM,
// and (through a small watchdog process) even when the runner is SIGKILLed.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, createWriteStream, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const liveGroups = new Set();
const throwawayDirs = new Set();
let watchdog;
let exitHooksInstalled = false;

// Runs detached and reads lines from stdin: "group <id>" / "dir <path>" to watch,
// "forget-group <id>" / "forget-dir <path>" to let go. When stdin closes (the
// runner is gone, even after SIGKILL) it kills the groups and removes the folders.
const WATCHDOG_SOURCE = `
const { rmSync } = require('node:fs');
const watched = { group: new Set(), dir: new Set() };
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  const lines = pending.split('\\n');
  pending = lines.pop();
  for (const line of lines) {
    const [, forget, kind, value] = /^(forget-)?(group|dir) (.+)$/.exec(line) ?? [];
    if (kind) forget ? watched[kind].delete(value) : watched[kind].add(value);
  }
});
process.stdin.on('close', () => {
  if (watched.group.size === 0 && watched.dir.size === 0) process.exit(0);
  for (const id of watched.group) { try { process.kill(-Number(id), 'SIGTERM'); } catch {} }
  setTimeout(() => {
    for (const id of watched.group) { try { process.kill(-Number(id), 'SIGKILL'); } catch {} }
    for (const dir of watched.dir) { try { rmSync(dir, { recursive: true, force: true }); } catch {} }
    process.exit(0);
  }, 3000);
});
`;

function tellWatchdog(line) {
  if (!watchdog) {
    watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    watchdog.unref();
    watchdog.stdin.on('error', () => {});
    watchdog.stdin.unref();
  }
  watchdog.stdin.write(`${line}\n`);
}

function groupIsAlive(groupId) {
  try {
    process.kill(-groupId, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(groupId, signal) {
  try {
    process.kill(-groupId, signal);
  } catch {
    // already gone
  }
}

function killEverythingNow() {
  for (const groupId of liveGroups) signalGroup(groupId, 'SIGKILL');
  liveGroups.clear();
  for (const dir of throwawayDirs) rmSync(dir, { recursive: true, force: true });
  throwawayDirs.clear();
}

function installExitHooks() {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killEverythingNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      process.stderr.write(`\n[pilot-light] ${signal} received, stopping child processes\n`);
      killEverythingNow();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/** A folder under the OS temp dir that is removed on `remove()` or when the runner exits. */
export function makeThrowawayDir(prefix) {
  installExitHooks();
  const dir = mkdtempSync(join(tmpdir(), `pilot-light-${prefix}-`));
  throwawayDirs.add(dir);
  tellWatchdog(`dir ${dir}`);
  return {
    path: dir,
    remove() {
      throwawayDirs.delete(dir);
      rmSync(dir, { recursive: true, force: true });
      tellWatchdog(`forget-dir ${dir}`);
    },
  };
}

/**
 * Spawns `command` in its own process group. Output goes to `logFile` (if given)
 * and to `onStdoutLine`/`onStderrLine` callbacks. `runsToCompletion`: the child is
 * expected to exit by itself, so its exit is not reported as unexpected.
 * Returns { child, stop(), exited }.
 */
export function spawnManaged(
  command,
  args,
  { name, cwd, env, logFile, onStdoutLine, onStderrLine, keepStdinOpen = false, runsToCompletion = false } = {},
) {
  installExitHooks();
  const child = spawn(command, args, {
    cwd,
    env,
    detached: true,
    stdio: [keepStdinOpen ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const groupId = child.pid;
  if (groupId === undefined) {
    throw new Error(`could not start ${name ?? command}`);
  }
  liveGroups.add(groupId);
  tellWatchdog(`group ${groupId}`);

  let log;
  if (logFile) {
    mkdirSync(dirname(logFile), { recursive: true });
    log = createWriteStream(logFile, { flags: 'a' });
  }
  const recentOutput = [];
  const follow = (stream, onLine) => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      log?.write(chunk);
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        recentOutput.push(line);
        if (recentOutput.length > 80) recentOutput.shift();
        onLine?.(line);
      }
    });
  };
  follow(child.stdout, onStdoutLine);
  follow(child.stderr, onStderrLine);
  child.stdin?.on('error', () => {});

  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
  });

  let stopping;
  exited.then(({ code, signal, error }) => {
    if (stopping || runsToCompletion) return;
    const where = logFile ? `; output in ${logFile}` : '';
    process.stderr.write(
      `[pilot-light] ${name ?? command} exited unexpectedly (${error?.message ?? code ?? signal})${where}\n`,
    );
  });
  const stop = async ({ graceMs = 5000 } = {}) => {
    stopping ??= (async () => {
      child.stdin?.end();
      signalGroup(groupId, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (groupIsAlive(groupId) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (groupIsAlive(groupId)) signalGroup(groupId, 'SIGKILL');
      liveGroups.delete(groupId);
      tellWatchdog(`forget-group ${groupId}`);
      await exited;
      await new Promise((resolve) => (log ? log.end(resolve) : resolve()));
    })();
    return stopping;
  };

  return { child, exited, stop, recentOutput: () => recentOutput.join('\n') };
}

/** Runs a command to completion with inherited output; throws on a non-zero exit. */
export function runOrThrow(command, args, { cwd, env, what } = {}) {
  const result = spawnSync(command, args, { cwd, env, stdio: 'inherit' });
  if (result.error) throw new Error(`${what ?? command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(
      `${what ?? `${command} ${args.join(' ')}`} failed with exit code ${result.status ?? result.signal}`,
    );
  }
}
