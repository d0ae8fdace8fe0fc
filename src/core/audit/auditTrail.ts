import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { hashRecord } from './hashing';
import { redactSecrets } from './redaction';
import { GENESIS_HASH, type AuditEntry, type AuditRecord } from './types';

/** Anything that records attempts; the runner only needs this. */
export interface AuditSink {
  /** Throws when the trail cannot be written, so a change never runs unaudited. */
  preflight(): Promise<void>;
  append(entry: AuditEntry): Promise<AuditRecord>;
}

export interface AuditTrailOptions {
  /** How long to wait for another writer's lock before failing. */
  lockTimeoutMs?: number;
  /** A lock older than this is assumed left by a crashed writer. */
  staleLockMs?: number;
  /** Largest `result` kept per line, in characters of JSON. */
  maxResultChars?: number;
}

/** The last line's sequence number and hash, kept beside the trail so removed tail lines are noticed. */
export interface AuditHead {
  seq: number;
  hash: string;
}

export function headPathFor(trailPath: string): string {
  return `${trailPath}.head`;
}

/**
 * The append-only, hash-chained JSONL trail. Writers in this process are serialized by a queue,
 * writers in other processes (other windows) by a lock file; each line is appended by one write.
 */
export class AuditTrail implements AuditSink {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly lockTimeoutMs: number;
  private readonly staleLockMs: number;
  private readonly maxResultChars: number;

  constructor(
    readonly path: string,
    options: AuditTrailOptions = {},
  ) {
    this.lockTimeoutMs = options.lockTimeoutMs ?? 5_000;
    this.staleLockMs = options.staleLockMs ?? 30_000;
    this.maxResultChars = options.maxResultChars ?? 8_000;
  }

  async preflight(): Promise<void> {
    await fs.mkdir(dirname(this.path), { recursive: true });
    const handle = await fs.open(this.path, 'a');
    await handle.close();
  }

  append(entry: AuditEntry): Promise<AuditRecord> {
    const next = this.queue.then(() => this.appendLocked(entry));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async appendLocked(entry: AuditEntry): Promise<AuditRecord> {
    await fs.mkdir(dirname(this.path), { recursive: true });
    const release = await this.acquireLock();
    try {
      const [last, head] = await Promise.all([readLastRecord(this.path), readHeadState(this.path)]);
      const previous = chainFrom(last, head);
      const safe = redactSecrets(entry);
      const body = {
        ...safe,
        result: this.capResult(safe.result),
        seq: (previous?.seq ?? 0) + 1,
        prevHash: previous?.hash ?? GENESIS_HASH,
      };
      const record = { ...body, hash: hashRecord(body as unknown as Record<string, unknown>) } as AuditRecord;
      // One write of one complete line, opened in append mode.
      await fs.appendFile(this.path, `${JSON.stringify(record)}\n`, { encoding: 'utf8', flag: 'a' });
      // A damaged head stays as it is: rewriting it would erase the evidence verification reports.
      if (head.kind !== 'damaged') await writeHead(this.path, { seq: record.seq, hash: record.hash });
      return record;
    } finally {
      await release();
    }
  }

  private capResult(result: unknown): unknown {
    if (result === undefined) return undefined;
    const text = JSON.stringify(result);
    if (text === undefined || text.length <= this.maxResultChars) return result;
    return { truncated: true, preview: text.slice(0, this.maxResultChars) };
  }

  private async acquireLock(): Promise<() => Promise<void>> {
    const lockPath = `${this.path}.lock`;
    const deadline = Date.now() + this.lockTimeoutMs;
    for (;;) {
      try {
        const handle = await fs.open(lockPath, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        return () => fs.rm(lockPath, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const stat = await fs.stat(lockPath).catch(() => undefined);
        if (stat && Date.now() - stat.mtimeMs > this.staleLockMs) {
          await fs.rm(lockPath, { force: true });
          continue;
        }
        if (Date.now() > deadline)
          throw new Error(`The audit trail ${this.path} is locked by another writer (${lockPath}).`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    }
  }
}

async function writeHead(trailPath: string, head: AuditHead): Promise<void> {
  const headPath = headPathFor(trailPath);
  const temp = `${headPath}.${process.pid}.tmp`;
  await fs.writeFile(temp, JSON.stringify(head));
  await fs.rename(temp, headPath);
}

/** The head file: absent (a trail written before heads existed, or never written), readable, or damaged. */
export type AuditHeadState = { kind: 'absent' } | { kind: 'ok'; head: AuditHead } | { kind: 'damaged'; reason: string };

export async function readHeadState(trailPath: string): Promise<AuditHeadState> {
  let text: string;
  try {
    text = await fs.readFile(headPathFor(trailPath), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    return { kind: 'damaged', reason: (error as Error).message };
  }
  try {
    const head = JSON.parse(text) as AuditHead;
    if (head && Number.isInteger(head.seq) && head.seq >= 0 && typeof head.hash === 'string')
      return { kind: 'ok', head: { seq: head.seq, hash: head.hash } };
  } catch {
    // reported below
  }
  return { kind: 'damaged', reason: 'it is not a {"seq", "hash"} record' };
}

export async function readHead(trailPath: string): Promise<AuditHead | undefined> {
  const state = await readHeadState(trailPath);
  return state.kind === 'ok' ? state.head : undefined;
}

/**
 * What the next line chains on. Normally the file's last line; when the head is ahead of the file (lines
 * removed from its end, or the whole file deleted) or names another last line, the head: the new line then
 * does not follow the file's last one, so verification keeps naming the gap instead of a fresh, clean chain.
 * A head behind the file is a crash between the append and the head update: the file wins.
 */
export function chainFrom(last: AuditHead | undefined, head: AuditHeadState): AuditHead | undefined {
  if (head.kind !== 'ok') return last;
  const fileSeq = last?.seq ?? 0;
  if (head.head.seq > fileSeq) return head.head;
  if (head.head.seq === fileSeq && last && head.head.hash !== last.hash) return head.head;
  return last;
}

/** Reads only the tail of the file to find the last complete line. */
async function readLastRecord(path: string): Promise<Pick<AuditRecord, 'seq' | 'hash'> | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return undefined;
    let chunk = 64 * 1024;
    for (;;) {
      const start = Math.max(0, size - chunk);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      const lines = buffer
        .toString('utf8')
        .split('\n')
        .filter((line) => line.trim());
      const complete = start === 0 ? lines : lines.slice(1);
      const lastLine = complete[complete.length - 1];
      if (lastLine) {
        try {
          const parsed = JSON.parse(lastLine) as AuditRecord;
          return { seq: Number(parsed.seq) || 0, hash: String(parsed.hash) };
        } catch {
          // A damaged last line: chain on from its raw text; verification will name the damage.
          const all = (await fs.readFile(path, 'utf8')).split('\n').filter((line) => line.trim());
          return { seq: all.length, hash: createHash('sha256').update(lastLine).digest('hex') };
        }
      }
      if (start === 0) return undefined;
      chunk *= 4;
    }
  } finally {
    await handle.close();
  }
}
