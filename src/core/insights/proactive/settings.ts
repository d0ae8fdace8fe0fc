/**
 * The background check's settings. User (or application) settings decide; a workspace may only tighten:
 * it can turn the check off, lengthen the interval or keep protected accounts out, never the reverse.
 */
import { isProtectedEnvironment } from '../../guardrails/environment';
import type { GuardrailPolicy } from '../../guardrails/policyTypes';
export interface InsightSettings {
  enabled: boolean;
  intervalMinutes: number;
  includeProtected: boolean;
}

export const INTERVAL_MINUTES = Object.freeze({ min: 15, max: 1440, default: 60 });
export const DEFAULT_INSIGHT_SETTINGS: InsightSettings = Object.freeze({
  enabled: false,
  intervalMinutes: INTERVAL_MINUTES.default,
  includeProtected: false,
});

export type InsightSettingsLayer = Partial<Record<keyof InsightSettings, unknown>>;

function interval(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return Math.min(INTERVAL_MINUTES.max, Math.max(INTERVAL_MINUTES.min, Math.round(value)));
}

/** The settings in force, with a note for every workspace value that was ignored because it would loosen them. */
export function resolveInsightSettings(
  user: InsightSettingsLayer | undefined,
  workspace: InsightSettingsLayer | undefined,
): { settings: InsightSettings; ignored: string[] } {
  const settings: InsightSettings = {
    enabled: typeof user?.enabled === 'boolean' ? user.enabled : DEFAULT_INSIGHT_SETTINGS.enabled,
    intervalMinutes: interval(user?.intervalMinutes) ?? DEFAULT_INSIGHT_SETTINGS.intervalMinutes,
    includeProtected:
      typeof user?.includeProtected === 'boolean' ? user.includeProtected : DEFAULT_INSIGHT_SETTINGS.includeProtected,
  };
  const ignored: string[] = [];
  if (workspace?.enabled === false) settings.enabled = false;
  else if (workspace?.enabled === true && !settings.enabled)
    ignored.push('pilotLight.insights.enabled: a workspace cannot turn the background check on');
  const workspaceInterval = interval(workspace?.intervalMinutes);
  if (workspaceInterval !== undefined) {
    if (workspaceInterval >= settings.intervalMinutes) settings.intervalMinutes = workspaceInterval;
    else ignored.push('pilotLight.insights.intervalMinutes: a workspace can only lengthen the interval');
  }
  if (workspace?.includeProtected === false) settings.includeProtected = false;
  else if (workspace?.includeProtected === true && !settings.includeProtected)
    ignored.push('pilotLight.insights.includeProtected: a workspace cannot include protected accounts');
  return { settings, ignored };
}

/** Whether the background check may run now; when not, why (shown in the view, never a notification). */
export function backgroundCheckDecision(
  settings: InsightSettings,
  account: { protected: boolean; environment?: string },
): { run: true } | { run: false; reason: string } {
  if (!settings.enabled)
    return { run: false, reason: 'Background checks are off (setting pilotLight.insights.enabled).' };
  if (account.protected && !settings.includeProtected)
    return {
      run: false,
      reason: `Background checks skip this account: it maps to a protected environment${account.environment ? ` (${account.environment})` : ''}. Set pilotLight.insights.includeProtected to include it.`,
    };
  return { run: true };
}

/** Whether an account counts as protected for background checks: its mapped environment is protected. */
export function accountProtection(
  account: string | undefined,
  policy: GuardrailPolicy,
): { protected: boolean; environment?: string } {
  const mapped = (candidate: GuardrailPolicy | undefined): string | undefined =>
    account && candidate && Object.hasOwn(candidate.accountEnvironments, account)
      ? candidate.accountEnvironments[account]
      : undefined;
  const environment = mapped(policy) ?? mapped(policy.floor);
  if (!environment) return { protected: false };
  return { protected: isProtectedEnvironment(environment, policy), environment };
}
