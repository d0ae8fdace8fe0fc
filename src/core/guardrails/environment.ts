import type { GuardrailPolicy } from './policyTypes';

export const UNKNOWN_ENVIRONMENT = 'unknown';

export interface ResolvedEnvironment {
  name: string;
  /** Where the name came from: a tag, the account map, or nowhere. */
  source: 'tag' | 'account' | 'unknown';
  /** The tag key that named it, when the source is a tag. */
  tagKey?: string;
  protected: boolean;
}

/** Whether `name` is protected under the policy, or under its settings-only floor. */
export function isProtectedEnvironment(name: string, policy: GuardrailPolicy): boolean {
  if (name === UNKNOWN_ENVIRONMENT && policy.treatUnknownEnvironmentAsProtected) return true;
  const lower = name.toLowerCase();
  if (policy.protectedEnvironments.some((env) => env.toLowerCase() === lower)) return true;
  return policy.floor ? isProtectedEnvironment(name, policy.floor) : false;
}

/**
 * A resource's environment: its environment tags (keys matched without regard to case; when several
 * disagree, a protected one wins), else the account's mapped environment, else "unknown". Under a policy a
 * workspace tightened, the environment is also resolved under the settings-only floor, and the floor's
 * answer wins when only it is protected: a workspace cannot unprotect a resource (by an added tag key, say).
 */
export function resolveEnvironment(
  tags: Record<string, string> | undefined,
  account: string | undefined,
  policy: GuardrailPolicy,
): ResolvedEnvironment {
  const resolved = resolveUnder(tags, account, policy);
  if (resolved.protected || !policy.floor) return resolved;
  const underFloor = resolveEnvironment(tags, account, policy.floor);
  return underFloor.protected ? underFloor : resolved;
}

function resolveUnder(
  tags: Record<string, string> | undefined,
  account: string | undefined,
  policy: GuardrailPolicy,
): ResolvedEnvironment {
  const candidates: Array<{ key: string; value: string }> = [];
  const entries = Object.entries(tags ?? {});
  for (const wanted of policy.environmentTagKeys) {
    const lower = wanted.toLowerCase();
    for (const [key, value] of entries)
      if (key.toLowerCase() === lower && typeof value === 'string' && value.trim())
        candidates.push({ key, value: value.trim() });
  }
  const chosen = candidates.find((candidate) => isProtectedEnvironment(candidate.value, policy)) ?? candidates[0];
  if (chosen)
    return {
      name: chosen.value,
      source: 'tag',
      tagKey: chosen.key,
      protected: isProtectedEnvironment(chosen.value, policy),
    };
  const mapped =
    account && Object.hasOwn(policy.accountEnvironments, account) ? policy.accountEnvironments[account] : undefined;
  if (mapped) return { name: mapped, source: 'account', protected: isProtectedEnvironment(mapped, policy) };
  return {
    name: UNKNOWN_ENVIRONMENT,
    source: 'unknown',
    protected: isProtectedEnvironment(UNKNOWN_ENVIRONMENT, policy),
  };
}

/** The protection tag a resource carries, if any; a value of "false", "no" or "0" switches it off. */
export function protectionTagOn(tags: Record<string, string> | undefined, policy: GuardrailPolicy): string | undefined {
  for (const [key, value] of Object.entries(tags ?? {})) {
    if (isProtectionTagKey(key, policy) && !/^(false|no|0|off)$/i.test(String(value).trim())) return key;
  }
  return undefined;
}

/** Whether `key` is a protection tag under the policy, or under its settings-only floor. */
export function isProtectionTagKey(key: string, policy: GuardrailPolicy): boolean {
  const lower = key.toLowerCase();
  return (
    policy.protectionTags.some((tag) => tag.toLowerCase() === lower) ||
    (policy.floor ? isProtectionTagKey(key, policy.floor) : false)
  );
}
