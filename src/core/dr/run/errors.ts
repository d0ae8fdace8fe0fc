/** Thrown inside a run once `abandon()` was called: every task stops without writing anything more. */
export class AbandonedError extends Error {
  constructor() {
    super('The runner was abandoned');
    this.name = 'AbandonedError';
  }
}

/** "Name: message" of an AWS or runner error, for journal lines and logs. */
export function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return e?.name && e.message ? `${e.name}: ${e.message}` : String(e?.message ?? error);
}
