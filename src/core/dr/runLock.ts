/**
 * Who runs a run, and where it came from: two small files next to a run's journal.
 *
 * - `<runId>.lock`: the process that executes the run. Only the holder appends to the journal and
 *   calls AWS for the run; any other process (a second VS Code window, or a window that reloaded while
 *   its old extension host was still shutting down) only watches the journal. The holder refreshes
 *   `heartbeatAt`; a lock is stale when its process is gone (same host) or its heartbeat is old, and a
 *   stale lock can be taken over.
 * - `<runId>.origin.json`: the AWS profile, region, endpoint and account the run was started with, so
 *   a resumed run is never continued against another account.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const RUN_LOCK_SUFFIX = '.lock';
export const RUN_ORIGIN_SUFFIX = '.origin.json';
/**
 * `<runId>.active` exists from a run's start until it no longer needs a process (ended, cleanup done).
 * Listing the folder for it is how a starting window decides, without reading any journal, whether
 * there is anything to continue.
 */
export const RUN_ACTIVE_SUFFIX = '.active';

/** How long a heartbeat stays fresh. The holder refreshes it far more often (every few seconds). */
export const DEFAULT_LOCK_STALE_MS = 60_000;

export interface LockOwner {
  /** Unique per process and acquisition site (e.g. one per extension host). */
  ownerId: string;
  pid: number;
  hostname: string;
  /** Free text for messages, e.g. "VS Code window (pid 1234)". */
  label?: string;
}

export interface LockRecord extends LockOwner {
  runId: string;
  acquiredAt: string;
  heartbeatAt: string;
}

export function newLockOwner(label?: string): LockOwner {
  return {
    ownerId: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    pid: process.pid,
    hostname: hostname(),
    ...(label ? { label } : {}),
  };
}

export function lockPath(dir: string, runId: string): string {
  return join(dir, `${runId}${RUN_LOCK_SUFFIX}`);
}

export function originPath(dir: string, runId: string): string {
  return join(dir, `${runId}${RUN_ORIGIN_SUFFIX}`);
}

/** `process.kill(pid, 0)`: true when a process with this pid exists (EPERM: exists, not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LockOptions {
  staleMs?: number;
  /** Injected in tests. */
  isAlive?: (pid: number) => boolean;
  now?: () => number;
}

/** Why a lock is stale, or undefined when its holder is alive. */
export function lockStaleness(record: LockRecord, options: LockOptions = {}): string | undefined {
  const now = options.now?.() ?? Date.now();
  const isAlive = options.isAlive ?? processAlive;
  if (record.hostname === hostname() && !isAlive(record.pid)) return `process ${record.pid} has exited`;
  const age = now - Date.parse(record.heartbeatAt);
  if (!(age <= (options.staleMs ?? DEFAULT_LOCK_STALE_MS))) return `no heartbeat for ${Math.round(age / 1000)} s`;
  return undefined;
}

export function readLock(dir: string, runId: string): LockRecord | undefined {
  try {
    return JSON.parse(readFileSync(lockPath(dir, runId), 'utf8')) as LockRecord;
  } catch {
    return undefined;
  }
}

export type AcquireResult =
  { acquired: true; lock: RunLock; tookOverFrom?: LockRecord } | { acquired: false; heldBy: LockRecord };

/** The lock on one run, held by this process. */
export class RunLock {
  private released = false;

  private constructor(
    readonly dir: string,
    readonly runId: string,
    readonly owner: LockOwner,
    private record: LockRecord,
  ) {}

  /**
   * Takes the run's lock when it is free or stale. Creation is exclusive (O_EXCL), and a stale lock is
   * first renamed away, so of two processes racing for the same run exactly one wins.
   */
  static tryAcquire(dir: string, runId: string, owner: LockOwner, options: LockOptions = {}): AcquireResult {
    mkdirSync(dir, { recursive: true });
    const path = lockPath(dir, runId);
    let tookOverFrom: LockRecord | undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = new Date(options.now?.() ?? Date.now()).toISOString();
      const record: LockRecord = { ...owner, runId, acquiredAt: now, heartbeatAt: now };
      try {
        const fd = openSync(path, 'wx');
        try {
          writeSync(fd, JSON.stringify(record));
        } finally {
          closeSync(fd);
        }
        return {
          acquired: true,
          lock: new RunLock(dir, runId, owner, record),
          ...(tookOverFrom ? { tookOverFrom } : {}),
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const current = readLock(dir, runId);
      if (!current) continue; // released meanwhile, or being written: try again
      if (current.ownerId === owner.ownerId) return { acquired: true, lock: new RunLock(dir, runId, owner, current) };
      if (!lockStaleness(current, options)) return { acquired: false, heldBy: current };
      const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
      try {
        renameSync(path, aside); // only one racer's rename of this file succeeds
        rmSync(aside, { force: true });
        tookOverFrom = current;
      } catch {
        // someone else moved it first; look again
      }
    }
    const holder = readLock(dir, runId);
    if (holder) return { acquired: false, heldBy: holder };
    throw new Error(`Could not lock run ${runId} in ${dir}`);
  }

  get held(): boolean {
    return !this.released;
  }

  /**
   * Refreshes the heartbeat. Returns false when the lock is no longer ours (someone took it over as
   * stale): the caller must stop working on the run at once.
   */
  heartbeat(now = Date.now()): boolean {
    if (this.released) return false;
    const current = readLock(this.dir, this.runId);
    if (!current || current.ownerId !== this.owner.ownerId) {
      this.released = true;
      return false;
    }
    this.record = { ...this.record, heartbeatAt: new Date(now).toISOString() };
    writeFileSync(lockPath(this.dir, this.runId), JSON.stringify(this.record));
    return true;
  }

  /** Removes the lock file if it is still ours. */
  release(): void {
    if (this.released) return;
    this.released = true;
    const current = readLock(this.dir, this.runId);
    if (current?.ownerId === this.owner.ownerId) {
      try {
        unlinkSync(lockPath(this.dir, this.runId));
      } catch {
        // already gone
      }
    }
  }
}

/** The AWS context a run was started in. */
export interface RunOrigin {
  runId: string;
  /** Profile name as the connection resolved it ("default" for the default chain). */
  profile?: string;
  region: string;
  /** Account of the caller identity when the run started. A resumed run refuses any other account. */
  account?: string;
  /** Endpoint override (LocalStack, emulators), if any. */
  endpoint?: string;
  /** Workspace folder the plan came from. */
  workspace?: string;
  startedBy?: string;
}

/** Where a run starts: the connection's profile, region and endpoint, the caller's account and who started it. */
export function originOf(
  connection: { profileName: string; region: string; endpointFor(service: string): string | undefined },
  account: string,
  startedBy: string,
): Omit<RunOrigin, 'runId'> & { account: string } {
  const endpoint = connection.endpointFor('drs');
  return {
    profile: connection.profileName,
    region: connection.region,
    account,
    ...(endpoint ? { endpoint } : {}),
    startedBy,
  };
}

/** Writes the origin atomically (temporary file + rename). */
export function writeRunOrigin(dir: string, origin: RunOrigin): void {
  mkdirSync(dir, { recursive: true });
  const path = originPath(dir, origin.runId);
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(origin, null, 2)}\n`);
  renameSync(temporary, path);
}

export function readRunOrigin(dir: string, runId: string): RunOrigin | undefined {
  const path = originPath(dir, runId);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunOrigin;
  } catch {
    return undefined;
  }
}

export function activeMarkerPath(dir: string, runId: string): string {
  return join(dir, `${runId}${RUN_ACTIVE_SUFFIX}`);
}

export function markActive(dir: string, runId: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(activeMarkerPath(dir, runId), '');
}

export function clearActive(dir: string, runId: string): void {
  rmSync(activeMarkerPath(dir, runId), { force: true });
}

/** Run IDs with an active marker: runs that may need a process (cheap: one directory listing). */
export function activeRunIds(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(RUN_ACTIVE_SUFFIX))
    .map((name) => name.slice(0, -RUN_ACTIVE_SUFFIX.length));
}

export function removeRunFiles(dir: string, runId: string): void {
  for (const path of [originPath(dir, runId), lockPath(dir, runId), activeMarkerPath(dir, runId)])
    rmSync(path, { force: true });
}
