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
  /** Set for calls from an agent client (MCP): who called, through which tool and plan, and what was decided. */
  client?: AuditClient;
  tool?: string;
  planId?: string;
  /** The front end's decision in a word, e.g. "plan-issued", "approved", "declined", "refused". */
  decision?: string;
}

/** The agent client behind a call, as it named itself (untrusted, recorded as given). */
export interface AuditClient {
  name: string;
  version?: string;
  /** The host the server ran in, e.g. "vscode" or "cli". */
  via?: string;
}

/** Fields a front end adds to every record of one call. */
export type AuditContext = Pick<AuditEntry, 'client' | 'tool' | 'planId' | 'decision'>;

/** One stored line: the entry, its place in the chain and its hash. */
export interface AuditRecord extends AuditEntry {
  seq: number;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);
