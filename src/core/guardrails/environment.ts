import type { GuardrailPolicy } from './policy';

export const UNKNOWN_ENVIRONMENT = 'unknown';

export interface ResolvedEnvironment {
  name: string;
  /** Where the name came from: a tag, the account map, or nowhere. */
  source: 'tag' | 'account' | 'unknown';
  /** The tag key that named it, when the source is a tag. */
  tagKey?: string;
  protected: boolean;
}

export function isProtectedEnvironment(name: string, policy: GuardrailPolicy): boolean {
  if (name === UNKNOWN_ENVIRONMENT && policy.treatUnknownEnvironmentAsProtected) return true;
  return policy.protectedEnvironments.some((env) => env.toLowerCase() === name.toLowerCase());
}

/**
 * A resource's environment: its environment tags (keys matched without regard to case; when several
 * disagree, a protected one wins), else the account's mapped environment, else "unknown".
 */
export function resolveEnvironment(tags: Record<string, string> | undefined, account: string | undefined, policy: GuardrailPolicy): ResolvedEnvironment {
  const candidates: Array<{ key: string; value: string }> = [];
  const entries = Object.entries(tags ?? {});
  for (const wanted of policy.environmentTagKeys) {
    for (const [key, value] of entries) if (key.toLowerCase() === wanted.toLowerCase() && value.trim()) candidates.push({ key, value: value.trim() });
  }
  const chosen = candidates.find((candidate) => isProtectedEnvironment(candidate.value, policy)) ?? candidates[0];
  if (chosen) return { name: chosen.value, source: 'tag', tagKey: chosen.key, protected: isProtectedEnvironment(chosen.value, policy) };
  const mapped = account ? policy.accountEnvironments[account] : undefined;
  if (mapped) return { name: mapped, source: 'account', protected: isProtectedEnvironment(mapped, policy) };
  return { name: UNKNOWN_ENVIRONMENT, source: 'unknown', protected: isProtectedEnvironment(UNKNOWN_ENVIRONMENT, policy) };
}

/** The protection tag a resource carries, if any; a value of "false", "no" or "0" switches it off. */
export function protectionTagOn(tags: Record<string, string> | undefined, policy: GuardrailPolicy): string | undefined {
  for (const [key, value] of Object.entries(tags ?? {})) {
    if (policy.protectionTags.some((tag) => tag.toLowerCase() === key.toLowerCase()) && !/^(false|no|0|off)$/i.test(value.trim())) return key;
  }
  return undefined;
}

export function isProtectionTagKey(key: string, policy: GuardrailPolicy): boolean {
  return policy.protectionTags.some((tag) => tag.toLowerCase() === key.toLowerCase());
}
