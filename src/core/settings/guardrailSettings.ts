/**
 * The guardrail policy of a workspace: user settings (which may loosen the defaults) tightened by every
 * workspace folder's `.pilotlight/guardrails.json` (which can only tighten).
 */
import { parseGuardrailsFile, resolveGuardrailPolicy, tightenPolicy, type LoadedPolicy } from '../guardrails/policy';
import { policyFields } from '../guardrails/policySchema';

/** Every `pilotLight.guardrails.<field>` setting, in the order of the policy schema. */
export const GUARDRAIL_SETTING_FIELDS = Object.freeze(Object.keys(policyFields));

/**
 * Settings as the runner's policy input: only fields the user set explicitly (user scope), so an unset
 * field keeps the safe default even when a contributed default differs.
 */
export function guardrailSettingsFrom(read: (field: string) => unknown): Record<string, unknown> | undefined {
  const settings: Record<string, unknown> = {};
  for (const field of GUARDRAIL_SETTING_FIELDS) {
    const value = read(field);
    if (value !== undefined && value !== null) settings[field] = value;
  }
  return Object.keys(settings).length ? settings : undefined;
}

/**
 * User settings tightened by each workspace folder's guardrails file and, when given, by the workspace
 * settings' `pilotLight.guardrails` value; problems (including ignored loosening values) are collected.
 */
export function resolveWorkspacePolicy(
  settings: unknown,
  files: Array<{ path: string; text: string }>,
  workspaceSettings?: unknown,
): LoadedPolicy {
  const [first, ...rest] = files;
  const loaded = resolveGuardrailPolicy({ settings, workspaceFile: first });
  const layers = [...rest];
  if (workspaceSettings !== undefined && workspaceSettings !== null)
    layers.push({ path: WORKSPACE_SETTINGS_SOURCE, text: JSON.stringify(workspaceSettings) ?? '' });
  for (const file of layers) {
    const parsed = parseGuardrailsFile(file.text, file.path);
    loaded.problems.push(...parsed.problems);
    if (parsed.value) {
      loaded.policy = tightenPolicy(loaded.policy, parsed.value, file.path, loaded.problems);
      loaded.sources.push(file.path);
    }
  }
  return loaded;
}

/** How workspace settings are named in problems and change-window sources. */
export const WORKSPACE_SETTINGS_SOURCE = 'workspace settings (pilotLight.guardrails)';
