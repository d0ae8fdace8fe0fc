// The dry-run of a chat change, in the chat's active account or in the account its resources were found in.
import { crossAccountNote, formatPreview } from '../operations/preview';
import type { RunOutcome } from '../operations/runner';
import type { ChangeRunOptions } from '../runtime/changeFlow';
import type { DryRunResult } from './answers';

export interface ChatChangeHost {
  run(operationId: string, input: unknown, options: ChangeRunOptions): Promise<RunOutcome>;
  /** The chat's active account, if its identity can be read. */
  activeAccount(): Promise<string | undefined>;
  /** The runner key of a change in `account`, checked against the organization (OrganizationAccess.profileForAccount). */
  profileForAccount(account: string): Promise<{ profile: string } | { problem: string }>;
}

/**
 * Dry-runs a change for chat. With `account` (where the resources were found), it runs through that account's
 * runner, so the preview names the account and carries the bold cross-account note; an account that is not
 * the profile's or in its organization is refused, never replaced by the active one.
 */
export async function dryRunInAccount(
  host: ChatChangeHost,
  operationId: string,
  input: Record<string, unknown>,
  region: string,
  account?: string,
): Promise<DryRunResult> {
  let profile: string | undefined;
  if (account) {
    const found = await host.profileForAccount(account);
    if ('problem' in found) return { status: 'refused', text: found.problem };
    profile = found.profile;
  }
  const outcome = await host.run(operationId, input, { caller: 'chat', mode: 'dry-run', region, profile });
  if (outcome.status === 'dry-run' && outcome.preview) {
    const activeAccount = await host.activeAccount().catch(() => undefined);
    return {
      status: 'dry-run',
      correlationId: outcome.correlationId,
      verdict: outcome.preview.guardrails.verdict,
      text: formatPreview(outcome.preview, activeAccount),
      crossAccount: crossAccountNote(outcome.preview, activeAccount),
    };
  }
  const text = outcome.error
    ? `${outcome.error.code}: ${outcome.error.message} ${outcome.error.hint ?? ''}`
    : outcome.refusal
      ? `Refused (${outcome.refusal.code}): ${outcome.refusal.message}`
      : outcome.status;
  return { status: outcome.status === 'refused' ? 'refused' : 'failed', correlationId: outcome.correlationId, text };
}
