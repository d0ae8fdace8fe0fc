/** Everything the CLI runs with, from flags over the config file. */
export interface CliSettings {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  readOnly: boolean;
  auditPath: string;
  workspaces: string[];
  allowRecovery: boolean;
  journalDir: string;
  /** The user's guardrail settings (may loosen the defaults, like pilotLight.guardrails in user settings). */
  guardrails?: unknown;
}
