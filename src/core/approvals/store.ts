import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import type { PendingApproval } from './types';

/** Bounds of the store: requests kept, and the file's size. */
export const STORE_LIMITS = Object.freeze({ requests: 200, fileBytes: 4 * 1024 * 1024 });

/**
 * Pending approval requests in one JSON file (under the extension's global storage), so they survive a
 * window reload. Writes go to a temporary file renamed over the old one, so a crash leaves the old or the new
 * file, never half of one. A file that cannot be parsed is never overwritten: every call reports it.
 */
export class PendingApprovalStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  async list(): Promise<PendingApproval[]> {
    await this.queue.catch(() => undefined);
    return this.read();
  }

  async get(id: string): Promise<PendingApproval | undefined> {
    return (await this.list()).find((request) => request.id === id);
  }

  /** Adds or replaces a request; the oldest finished ones make room when the store is full. */
  put(request: PendingApproval): Promise<PendingApproval> {
    return this.change((requests) => {
      const rest = requests.filter((entry) => entry.id !== request.id);
      rest.push(request);
      while (rest.length > STORE_LIMITS.requests) {
        const finished = rest.findIndex((entry) => entry.state !== 'pending' && entry.state !== 'approved');
        if (finished === -1)
          throw new Error(
            `${STORE_LIMITS.requests} approval requests are pending; withdraw some before opening another.`,
          );
        rest.splice(finished, 1);
      }
      return { requests: rest, value: request };
    });
  }

  /** Applies `patch` to a request and returns it (undefined when it is gone). */
  update(
    id: string,
    patch: (request: PendingApproval) => Partial<PendingApproval>,
  ): Promise<PendingApproval | undefined> {
    return this.change((requests) => {
      const index = requests.findIndex((entry) => entry.id === id);
      if (index === -1) return { requests, value: undefined };
      const next = { ...requests[index], ...patch(requests[index]) };
      const copy = [...requests];
      copy[index] = next;
      return { requests: copy, value: next };
    });
  }

  remove(id: string): Promise<void> {
    return this.change((requests) => ({ requests: requests.filter((entry) => entry.id !== id), value: undefined }));
  }

  private change<T>(edit: (requests: PendingApproval[]) => { requests: PendingApproval[]; value: T }): Promise<T> {
    const next = this.queue
      .catch(() => undefined)
      .then(async () => {
        const { requests, value } = edit(await this.read());
        await this.write(requests);
        return value;
      });
    this.queue = next;
    return next;
  }

  private async read(): Promise<PendingApproval[]> {
    let text: string;
    try {
      const stat = await fs.stat(this.path);
      if (stat.size > STORE_LIMITS.fileBytes)
        throw new Error(
          `${this.path} is larger than ${STORE_LIMITS.fileBytes} bytes; it was left as it is. Move it away to start afresh.`,
        );
      text = await fs.readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new Error(
        `The pending approvals file ${this.path} is not valid JSON (${(error as Error).message}); it was left as it is. Move it away to start afresh.`,
        { cause: error },
      );
    }
    const requests = (parsed as { requests?: unknown })?.requests;
    if (!Array.isArray(requests))
      throw new Error(`The pending approvals file ${this.path} has no "requests" list; it was left as it is.`);
    return requests.filter(
      (entry): entry is PendingApproval =>
        Boolean(entry) &&
        typeof entry === 'object' &&
        typeof entry.id === 'string' &&
        typeof entry.ticket?.key === 'string',
    );
  }

  private async write(requests: PendingApproval[]): Promise<void> {
    await fs.mkdir(dirname(this.path), { recursive: true });
    const text = `${JSON.stringify({ version: 1, requests }, null, 2)}\n`;
    if (Buffer.byteLength(text) > STORE_LIMITS.fileBytes)
      throw new Error("The pending approvals would exceed the store's size limit; withdraw some first.");
    const temporary = `${this.path}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(temporary, text, { mode: 0o600 });
    try {
      await fs.rename(temporary, this.path);
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw error;
    }
  }
}
