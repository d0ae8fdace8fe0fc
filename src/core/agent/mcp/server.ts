import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ApprovalProvider } from '../../guardrails/approval';
import type { Runtime } from '../../runtime/runtime';

/** Where DR plans live for the DR tools: workspace folders holding `.pilotlight/dr`, and where run journals go. */
export interface McpDrOptions {
  /** Workspace folders whose `.pilotlight/dr` recovery plans the DR tools may list and run. */
  workspaceFolders: string[];
  /** Folder for DR run journals (`<runId>.run.jsonl`). */
  journalDir: string;
}

/** How a change that needs an approval or confirmation is asked for. */
export type McpApprovals =
  /** MCP form elicitation to the connected client; a client without the capability is refused. */
  | 'elicitation'
  /** The host's own provider (VS Code: its modal dialog). */
  | ApprovalProvider;

export interface McpServerOptions {
  /** The safety core: policy, runners, audit trail. Every tool call goes through it. */
  runtime: Runtime;
  /** Only read tools are listed and callable; writes are refused at call time too. */
  readOnly: boolean;
  /** Lets `dr_start_recovery` exist (a real recovery, not a drill); it always needs approval. */
  allowRecovery: boolean;
  approvals: McpApprovals;
  /** Shown in audit records beside the client's own name, e.g. "vscode" or "cli". */
  clientLabel?: string;
  /** The AWS profile the runtime's runner uses (default profile when absent). */
  profile?: string;
  /** Clock for plan expiry (tests). */
  now?: () => number;
  /** DR tools are listed only when given. */
  dr?: McpDrOptions;
}

/**
 * Builds the Pilot Light MCP server: tools generated from the operation registry and the agent tool
 * catalogue, plans bound to account/region/policy, approvals asked inside the server (never trusted to
 * the client), and every call audited with caller `mcp`. Connect it to any transport.
 */
export function createMcpServer(options: McpServerOptions): McpServer {
  void options;
  throw new Error('not implemented yet: createMcpServer (h11-mcp-core skeleton)');
}

export { McpServer };
