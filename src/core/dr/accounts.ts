import type { ProtectionGroup, RecoveryPlan } from './model';

/**
 * The AWS account a plan runs in: the one account its protection groups name (`account` in the group file).
 * DRS jobs are per account, so a plan whose groups name several accounts cannot run as one; a plan whose
 * groups name none runs in the current account.
 */
export function planAccount(
  plan: Pick<RecoveryPlan, 'waves'>,
  groups: Pick<ProtectionGroup, 'name' | 'account'>[],
): { account?: string; problem?: string } {
  const used = new Set(plan.waves.flatMap((wave) => wave.protectionGroups ?? []));
  const byAccount = new Map<string, string[]>();
  for (const group of groups) {
    if (!used.has(group.name) || !group.account) continue;
    byAccount.set(group.account, [...(byAccount.get(group.account) ?? []), group.name]);
  }
  if (byAccount.size > 1)
    return {
      problem: `The plan's protection groups are in several accounts (${[...byAccount]
        .map(([account, names]) => `${account}: ${names.join(', ')}`)
        .join('; ')}); a plan runs in one account. Split it into one plan per account.`,
    };
  const [account] = byAccount.keys();
  return account ? { account } : {};
}
