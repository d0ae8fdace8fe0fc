// The Jira emulator in a process of its own, for a host test that reloads the window: an emulator started inside
// the extension host would end with it. Run as `node jiraProcess.js` with PILOT_LIGHT_JIRA_USERS (JSON) in the
// environment; prints one JSON line {url, port, pid} when ready. It stops on SIGTERM, or by itself after
// PILOT_LIGHT_JIRA_LIFETIME_MS (default 10 minutes) so a failed test cannot leave it behind.
import { spawn } from 'node:child_process';
import { startJiraEmulator, type JiraUserSeed } from '../../../tools/emulators/jira/server';

export interface DetachedJira {
  url: string;
  port: number;
  pid: number;
}

/** Starts this file as a detached process (it outlives the extension host) and waits for its ready line. */
export async function startDetachedJira(users: JiraUserSeed[], lifetimeMs = 600_000): Promise<DetachedJira> {
  const child = spawn(process.execPath, [__filename], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: {
      ...process.env,
      ELECTRON_RUN_AS_NODE: '1', // the Electron runner's extension host binary runs scripts as node this way
      PILOT_LIGHT_JIRA_USERS: JSON.stringify(users),
      PILOT_LIGHT_JIRA_LIFETIME_MS: String(lifetimeMs),
    },
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(() => reject(new Error('the detached Jira emulator was not ready within 20 s')), 20_000);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the detached Jira emulator exited (code ${code})`)));
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const end = buffered.indexOf('\n');
        if (end >= 0) {
          clearTimeout(timer);
          resolve(buffered.slice(0, end));
        }
      });
    });
    return JSON.parse(line) as DetachedJira;
  } catch (error) {
    child.kill();
    throw error;
  } finally {
    child.stdout!.destroy();
    child.unref();
  }
}

/** Stops a detached emulator started by startDetachedJira (by its process ID). */
export function stopDetachedJira(pid: number): void {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

async function main(): Promise<void> {
  const users = JSON.parse(process.env.PILOT_LIGHT_JIRA_USERS ?? '[]') as JiraUserSeed[];
  const jira = await startJiraEmulator({ users });
  const stop = () => void jira.stop().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  setTimeout(stop, Number(process.env.PILOT_LIGHT_JIRA_LIFETIME_MS) || 600_000).unref();
  // Keeps the process alive until stopped (the server alone would too; this makes it explicit).
  setInterval(() => undefined, 60_000);
  process.stdout.write(`${JSON.stringify({ url: jira.url, port: jira.port, pid: process.pid })}\n`);
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
}
