/**
 * The run journal: one append-only JSON Lines file per run. Each append writes whole lines in one
 * write() and fsyncs before returning, so an event the runner acted on is on disk. A crash can only
 * leave a torn last line, which reading ignores and reopening cuts off before appending again.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { applyEvent, type RunEvent, type RunEventInput, type RunState } from './state';

export const JOURNAL_SUFFIX = '.run.jsonl';

export function journalPath(dir: string, runId: string): string {
  return join(dir, `${runId}${JOURNAL_SUFFIX}`);
}

export interface JournalContents {
  events: RunEvent[];
  /** Bytes of valid, newline-terminated lines. */
  validBytes: number;
  /** True when the file ended in an incomplete line (a crash during a write). */
  tornTail: boolean;
}

/** Reads a journal without changing it. */
export function readJournal(path: string): JournalContents {
  const buffer = readFileSync(path);
  const events: RunEvent[] = [];
  let offset = 0;
  let validBytes = 0;
  let tornTail = false;
  while (offset < buffer.length) {
    const newline = buffer.indexOf(0x0a, offset);
    if (newline === -1) {
      tornTail = true;
      break;
    }
    const line = buffer.subarray(offset, newline).toString('utf8');
    if (line.trim()) {
      let event: RunEvent;
      try {
        event = JSON.parse(line) as RunEvent;
      } catch (error) {
        throw new Error(
          `${path}: line ${events.length + 1} is not valid JSON (${(error as Error).message}); the journal is damaged.`,
          { cause: error },
        );
      }
      const previous = events[events.length - 1];
      if (previous && event.seq !== previous.seq + 1)
        throw new Error(`${path}: event ${event.seq} follows ${previous.seq}; the journal is damaged.`);
      events.push(event);
    }
    offset = newline + 1;
    validBytes = offset;
  }
  return { events, validBytes, tornTail };
}

export function replayJournal(path: string): { state: RunState; events: RunEvent[]; tornTail: boolean } {
  const { events, tornTail } = readJournal(path);
  let state: RunState | undefined;
  for (const event of events) state = applyEvent(state, event);
  if (!state) throw new Error(`${path}: the journal has no events`);
  return { state, events, tornTail };
}

export class RunJournal {
  private fd: number | undefined;
  private nextSeq: number;

  private constructor(
    readonly path: string,
    fd: number,
    nextSeq: number,
  ) {
    this.fd = fd;
    this.nextSeq = nextSeq;
  }

  /** A new journal; fails if one exists for this run. */
  static create(dir: string, runId: string): RunJournal {
    mkdirSync(dir, { recursive: true });
    const path = journalPath(dir, runId);
    const fd = openSync(path, 'wx');
    fsyncDirectory(dir);
    return new RunJournal(path, fd, 1);
  }

  /** Opens an existing journal to continue it: cuts a torn last line, then appends after the rest. */
  static reopen(path: string): { journal: RunJournal; events: RunEvent[]; tornTail: boolean } {
    const contents = readJournal(path);
    const fd = openSync(path, 'r+');
    if (contents.tornTail) {
      ftruncateSync(fd, contents.validBytes);
      fsyncSync(fd);
    }
    const last = contents.events[contents.events.length - 1];
    const journal = new RunJournal(path, fd, (last?.seq ?? 0) + 1);
    journal.position = contents.validBytes;
    return { journal, events: contents.events, tornTail: contents.tornTail };
  }

  private position = 0;

  /** Stamps, writes and fsyncs the events; returns them as written. */
  append(inputs: RunEventInput[], now: Date = new Date()): RunEvent[] {
    if (this.fd === undefined) throw new Error(`Journal ${this.path} is closed`);
    if (inputs.length === 0) return [];
    const at = now.toISOString();
    const events = inputs.map((input) => ({ seq: this.nextSeq++, at, ...input }) as RunEvent);
    const data = Buffer.from(events.map((event) => JSON.stringify(event)).join('\n') + '\n', 'utf8');
    let written = 0;
    while (written < data.length)
      written += writeSync(this.fd, data, written, data.length - written, this.position + written);
    this.position += data.length;
    fsyncSync(this.fd);
    return events;
  }

  get closed(): boolean {
    return this.fd === undefined;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function fsyncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not supported on every platform (e.g. Windows); the file's own fsync still applies.
  }
}

/** Journal files in `dir`, newest first by name (run IDs start with a timestamp). */
export function listJournalFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(JOURNAL_SUFFIX))
    .sort()
    .reverse()
    .map((name) => join(dir, name));
}

/** Reads only the first line (run.created), cheaply, for listings. */
export function readJournalHeader(path: string): RunEvent | undefined {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let length = Math.min(size, 64 * 1024);
    for (;;) {
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, 0);
      const newline = buffer.indexOf(0x0a);
      if (newline !== -1) return JSON.parse(buffer.subarray(0, newline).toString('utf8')) as RunEvent;
      if (length >= size) return undefined;
      length = Math.min(size, length * 4);
    }
  } finally {
    closeSync(fd);
  }
}
