import type { AuditVerification } from '../../core/audit/verify';

/**
 * What `activate` returns to other extensions. Frozen plain data and closures only: nothing in it reaches the
 * context, the operation runners, an approval provider, the DR prompts or the audit trail writer, so no other
 * extension can run a change that would be audited as Pilot Light's own.
 */
export interface PilotLightApi {
  /** Our activation cost, for benchmarks: evaluating the bundle's modules plus activate()'s synchronous step. */
  readonly activationMs: number;
  /** activate()'s second step, in the next task (what nothing shows at startup), for benchmarks. */
  readonly activationDeferredMs: number;
  /** Reloads the AWS explorer, as its Refresh button does. */
  refreshExplorer(): void;
  /** Checks the audit trail's hash chain, as *Verify Audit Trail* does; plain data, no path. */
  verifyAuditTrail(): Promise<AuditVerification>;
}

export function publicApi(parts: {
  activationMs: number;
  activationDeferredMs: number;
  refreshExplorer: () => void;
  auditPath: () => string;
}): PilotLightApi {
  return Object.freeze({
    activationMs: parts.activationMs,
    activationDeferredMs: parts.activationDeferredMs,
    refreshExplorer: Object.freeze(() => parts.refreshExplorer()),
    verifyAuditTrail: Object.freeze(async () => {
      const { verifyAuditTrail } = await import('../../core/audit/verify');
      return Object.freeze(await verifyAuditTrail(parts.auditPath()));
    }),
  });
}
