/** A setting as the editor reports it per scope (VS Code's `inspect()`): only the values matter here. */
export interface ScopedValue<T> {
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/** The MCP settings in force for the editor's local MCP server. */
export interface EditorMcpSettings {
  /** The server is offered to the editor's agents at all. */
  enabled: boolean;
  /** Only read tools are listed and callable. */
  readOnly: boolean;
  /** `dr_start_recovery` (a real recovery) is offered. */
  allowRecovery: boolean;
  /** Profiles offered, each as its own server; empty: only the active profile. */
  profiles: string[];
}

const PROFILE_NAME = /^[A-Za-z0-9._@+=,/-]{1,64}$/;
const MAX_PROFILES = 16;

/**
 * Resolves the MCP settings with the tightening rule: what widens access (enabled, allowRecovery, profiles)
 * comes from user settings only; read-only is in force when any scope sets it. Malformed values count as unset.
 */
export function resolveEditorMcpSettings(inspected: {
  enabled?: ScopedValue<unknown>;
  readOnly?: ScopedValue<unknown>;
  allowRecovery?: ScopedValue<unknown>;
  profiles?: ScopedValue<unknown>;
}): EditorMcpSettings {
  const readOnlyValues = [
    inspected.readOnly?.globalValue,
    inspected.readOnly?.workspaceValue,
    inspected.readOnly?.workspaceFolderValue,
  ];
  const profiles = Array.isArray(inspected.profiles?.globalValue) ? inspected.profiles.globalValue : [];
  return {
    enabled: inspected.enabled?.globalValue === true,
    readOnly: readOnlyValues.includes(true),
    allowRecovery: inspected.allowRecovery?.globalValue === true,
    profiles: [
      ...new Set(
        profiles.filter((profile): profile is string => typeof profile === 'string' && PROFILE_NAME.test(profile)),
      ),
    ].slice(0, MAX_PROFILES),
  };
}
