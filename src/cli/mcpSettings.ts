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
  /** Role assumed in member accounts of the organization (default OrganizationAccountAccessRole). */
  memberRoleName: string;
  /** External ID of that AssumeRole, if the role's trust policy asks for one. */
  externalId?: string;
  /** The user's guardrail settings (may loosen the defaults, like pilotLight.guardrails in user settings). */
  guardrails?: unknown;
}
