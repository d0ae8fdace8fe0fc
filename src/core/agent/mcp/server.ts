import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createMcpTools, type McpServerOptions } from './tools';
import { MCP_SERVER_INFO, MCP_SERVER_NAME, MCP_SERVER_OPTIONS, serveTools } from './toolList';

export * from './tools';
export { MCP_SERVER_NAME, McpServer };

/**
 * Builds the Pilot Light MCP server (its tools: ./tools). Connect it to any transport.
 */
export function createMcpServer(options: McpServerOptions): McpServer {
  const mcp = new McpServer(MCP_SERVER_INFO, MCP_SERVER_OPTIONS);
  const tools = createMcpTools(mcp.server, options);
  serveTools(
    mcp.server,
    () => tools.listed(),
    (request, signal) => tools.call(request, signal),
  );
  return mcp;
}
