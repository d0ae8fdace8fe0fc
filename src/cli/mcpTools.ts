/**
 * The command-line MCP server's tools and the runtime they run on. dist/mcp.js answers tools/list without them
 * and loads this module (dist/mcp-tools.js) 200 ms after the first tools/list or on the first tools/call.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import type { McpToolSet } from '../core/agent/mcp/toolList';
import type { AwsConnection as Connection } from '../core/aws/connection';
import type { OrganizationAccess } from '../core/organizations/access';
import type { PolicyFile } from '../core/runtime/policySources';
import type { CliSettings } from './mcpSettings';

export { drMain } from './dr';

/** The largest `.vscode/settings.json` read (as for --config). */
const MAX_CONFIG_BYTES = 256 * 1024;

/** A workspace's `.vscode/settings.json` `pilotLight.guardrails`, as a tighten-only policy layer. */
export async function workspaceSettingsLayer(folder: string): Promise<PolicyFile | undefined> {
  const path = join(folder, '.vscode', 'settings.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  if (text.length > MAX_CONFIG_BYTES) return { path: `${path} (pilotLight.guardrails)`, text: '"too large"' };
  const errors: ParseError[] = [];
  const value = parseJsonc(text, errors, { allowTrailingComma: true }) as Record<string, unknown> | undefined;
  const block = value?.['pilotLight.guardrails'];
  if (block === undefined)
    return errors.length ? { path: `${path} (pilotLight.guardrails)`, text: '"unreadable"' } : undefined;
  return { path: `${path} (pilotLight.guardrails)`, text: JSON.stringify(block) };
}

/** The CLI's tools: its runtime (policy files, audit trail, AWS connection) and the MCP tool set on it. */
export async function cliTools(config: CliSettings, server: Server): Promise<McpToolSet> {
  const [
    { createMcpTools },
    { createRuntime, readPolicyFiles, formatPolicyProblem },
    { AwsConnection },
    { OrganizationAccess, parseMemberProfileName },
  ] = await Promise.all([
    import('../core/agent/mcp/tools'),
    import('../core/runtime'),
    import('../core/aws/connection'),
    import('../core/organizations'),
  ]);
  const log = (message: string) => process.stderr.write(`pilot-light-mcp: ${message}\n`);
  let connection: Promise<Connection> | undefined;
  const open = () =>
    (connection ??= AwsConnection.open(
      { profile: config.profile, region: config.region, endpointUrl: config.endpointUrl },
      process.env,
    ));
  const policyFiles = await readPolicyFiles(config.workspaces, (folder, error) =>
    log(`cannot read ${folder}/.pilotlight/guardrails.json: ${error.message}`),
  );
  for (const folder of config.workspaces) {
    const layer = await workspaceSettingsLayer(folder);
    if (layer) policyFiles.push(layer);
  }
  const runtime = createRuntime({
    auditPath: config.auditPath,
    settings: config.guardrails,
    policyFiles,
    // Approvals are asked by the MCP server itself (elicitation); the runtime's own provider refuses.
    approvalProvider: {
      id: 'cli-none',
      kind: 'interactive',
      requestApproval: async () => ({ approved: false, reason: 'No approval channel outside the MCP client.' }),
    },
    // Member accounts' runner keys (`<profile>::<account>`) are their assumed-role connections.
    connection: async (profile) => {
      const member = profile ? parseMemberProfileName(profile) : undefined;
      return member ? (await openOrganization()).memberConnection(member.accountId) : open();
    },
    logger: { info: () => undefined, warn: log, error: log },
  });
  let organization: Promise<OrganizationAccess> | undefined;
  // The member role from --member-role / --external-id (default: the AWS Organizations role).
  const openOrganization = () =>
    (organization ??= open().then(
      (base) =>
        new OrganizationAccess(
          base,
          { roleName: config.memberRoleName, ...(config.externalId ? { externalId: config.externalId } : {}) },
          { runner: (name) => runtime.runner(name), policy: () => runtime.policy },
        ),
    ));
  for (const problem of runtime.problems) log(formatPolicyProblem(problem));
  // Jira/ServiceNow change requests: credentials from environment variables (TICKET_ENV), requests beside the audit trail.
  const [{ ApprovalCoordinator, PendingApprovalStore }, { ticketSystemFromEnv }, { AuditTrail }] = await Promise.all([
    import('../core/approvals'),
    import('../core/approvals/agentApprovals'),
    import('../core/audit/auditTrail'),
  ]);
  const externalApprovals = new ApprovalCoordinator({
    store: new PendingApprovalStore(join(dirname(config.auditPath), 'approvals', 'pending.json')),
    system: async (id) => ticketSystemFromEnv(id, process.env),
    audit: new AuditTrail(config.auditPath),
  });
  return createMcpTools(server, {
    runtime,
    readOnly: config.readOnly,
    allowRecovery: config.allowRecovery,
    approvals: 'elicitation',
    externalApprovals,
    clientLabel: 'cli',
    organization: openOrganization,
    describeConnection: async () => {
      const active = await open();
      return {
        region: active.region,
        account: await active.identity().then(
          (identity) => identity.account,
          () => undefined,
        ),
      };
    },
    dr: config.workspaces.length
      ? {
          workspaceFolders: config.workspaces,
          journalDir: config.journalDir,
          connection: open,
          actor: 'pilot-light-mcp',
        }
      : undefined,
  });
}
