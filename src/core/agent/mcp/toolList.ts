/**
 * The light part of the MCP server: its identity, the two tool request handlers, and the tool list as data.
 * The command-line server answers `tools/list` from a list generated at build time (dist/mcp.js) and loads the
 * tools themselves (runtime, registry, AWS SDK, DR engine, scans) on the first `tools/call`.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { UNTRUSTED_NOTICE } from '../untrustedNotice';

export const MCP_SERVER_NAME = 'pilot-light';
export const MCP_SERVER_INFO = { name: MCP_SERVER_NAME, version: '1.0.0' };
export const MCP_SERVER_OPTIONS = {
  capabilities: { tools: { listChanged: false } },
  instructions:
    'Pilot Light: guarded AWS operations. Read with read_resources. To change anything: plan_change (dry-run, returns a planId), show the plan to the user, then apply_change with that planId. The server asks the user itself and may refuse; never retry a refused change another way. ' +
    UNTRUSTED_NOTICE,
};

/** A `tools/call` as the tools see it. */
export interface ToolCallRequest {
  name: string;
  arguments?: Record<string, unknown>;
}

/** What a server lists and how it answers a call. */
export interface McpToolSet {
  listed(): Tool[];
  call(request: ToolCallRequest, signal: AbortSignal): Promise<CallToolResult>;
}

/** Answers `tools/list` and `tools/call` from a tool set, which may be loaded on first use. */
export function serveTools(
  server: Server,
  list: () => Tool[] | Promise<Tool[]>,
  call: (request: ToolCallRequest, signal: AbortSignal) => Promise<CallToolResult>,
): void {
  server.registerCapabilities({ tools: { listChanged: false } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: await list() }));
  server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    call({ name: request.params.name, arguments: request.params.arguments }, extra.signal),
  );
}

/** The server options that change which tools are listed, or how. */
export interface ToolListVariant {
  readOnly: boolean;
  allowRecovery: boolean;
  /** DR tools are offered (the CLI: a workspace was given). */
  dr: boolean;
}

/** Every variant's tool list; tools listed by several variants are kept once. */
export interface ToolListManifest {
  tools: Tool[];
  variants: Record<string, number[]>;
}

const variantKey = (variant: ToolListVariant): string =>
  `readOnly=${Number(variant.readOnly)},allowRecovery=${Number(variant.allowRecovery)},dr=${Number(variant.dr)}`;

export const TOOL_LIST_VARIANTS: readonly ToolListVariant[] = [false, true].flatMap((readOnly) =>
  [false, true].flatMap((allowRecovery) => [false, true].map((dr) => ({ readOnly, allowRecovery, dr }))),
);

/** The manifest of every variant, from a function that lists one (build time). */
export function toolListManifest(listing: (variant: ToolListVariant) => Tool[]): ToolListManifest {
  const tools: Tool[] = [];
  const index = new Map<string, number>();
  const variants: Record<string, number[]> = {};
  for (const variant of TOOL_LIST_VARIANTS) {
    variants[variantKey(variant)] = listing(variant).map((tool) => {
      const text = JSON.stringify(tool);
      let at = index.get(text);
      if (at === undefined) index.set(text, (at = tools.push(tool) - 1));
      return at;
    });
  }
  return { tools, variants };
}

/** One variant's tools from a manifest; undefined when the manifest lacks it. */
export function toolsOfVariant(manifest: ToolListManifest, variant: ToolListVariant): Tool[] | undefined {
  return manifest.variants[variantKey(variant)]?.map((at) => manifest.tools[at]);
}
