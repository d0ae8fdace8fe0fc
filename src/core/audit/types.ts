/** What happened to one attempt; each is one line in the trail. */
export type AuditOutcome = 'dry-run' | 'refused' | 'approved' | 'succeeded' | 'failed';

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['dry-run', 'refused', 'approved', 'succeeded', 'failed'];

/** What a caller hands to the trail; sequence and hashes are added on append. */
export interface AuditEntry {
  time: string;
  correlationId: string;
  outcome: AuditOutcome;
  caller: string;
  callerArn?: string;
  account?: string;
  region?: string;
  /** The environments involved, joined with ", " (the most protected first). */
  environment?: string;
  environments?: string[];
  operation: string;
  operationKind?: string;
  mode?: string;
  resourceIds: string[];
  /** The input, with secrets redacted. */
  input?: unknown;
  result?: unknown;
  error?: { code: string; message: string; hint?: string };
  refusal?: { code: string; message: string };
  approval?: { provider: string; level: string; approver?: string; reference?: string; reason?: string };
  backups?: Array<{ kind: string; id: string; sourceId: string; state?: string }>;
  durationMs: number;
}

/** One stored line: the entry, its place in the chain and its hash. */
export interface AuditRecord extends AuditEntry {
  seq: number;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);
