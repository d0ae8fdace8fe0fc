/**
 * The error behind a failed run outcome, for in-process callers that need more than `outcome.error` (e.g.
 * the explorer's profile-specific sign-in hint). Not enumerable: outcomes are serialized for LM tools and
 * the audit trail without it. Kept apart from the runner so light adapters can read it.
 */
export function causeOf(outcome: object): unknown {
  return (outcome as { cause?: unknown }).cause;
}

export function withCause<T extends object>(outcome: T, error: unknown): T {
  Object.defineProperty(outcome, 'cause', { value: error, enumerable: false });
  return outcome;
}
