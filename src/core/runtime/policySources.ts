import { formatPolicyProblem, readWorkspaceGuardrailsFile, type LoadedPolicy } from '../guardrails/policy';
import { resolveWorkspacePolicy, WORKSPACE_SETTINGS_SOURCE } from '../settings/guardrailSettings';

/** A workspace guardrails file as read from disk. */
export interface PolicyFile {
  path: string;
  text: string;
}

/** Where the guardrail policy comes from; every adapter (extension, CLI, MCP server) reads these its own way. */
export interface PolicySources {
  /** The user's own guardrail settings (`pilotLight.guardrails`): the only source that may loosen the defaults. */
  settings?: unknown;
  /** Guardrail settings that came with the workspace: they can only tighten. */
  workspaceSettings?: unknown;
  /** Every workspace folder's `.pilotlight/guardrails.json`: they can only tighten. */
  policyFiles?: PolicyFile[];
}

export { WORKSPACE_SETTINGS_SOURCE };

/**
 * The policy in force: user settings over the safe defaults, then tightened by every workspace file and by
 * the workspace settings. Invalid parts are reported as problems and never applied.
 */
export function resolvePolicy(sources: PolicySources): LoadedPolicy {
  return resolveWorkspacePolicy(sources.settings, sources.policyFiles ?? [], sources.workspaceSettings);
}

/**
 * Reads `.pilotlight/guardrails.json` in each folder that has one. A file that exists but cannot be read is
 * reported through `onError` and skipped; the other sources still apply.
 */
export async function readPolicyFiles(
  folders: readonly string[],
  onError?: (folder: string, error: Error) => void,
): Promise<PolicyFile[]> {
  const files: PolicyFile[] = [];
  for (const folder of folders) {
    try {
      const file = await readWorkspaceGuardrailsFile(folder);
      if (file) files.push(file);
    } catch (error) {
      onError?.(folder, error as Error);
    }
  }
  return files;
}

export { formatPolicyProblem };
