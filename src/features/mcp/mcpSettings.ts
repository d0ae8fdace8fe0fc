import * as vscode from 'vscode';
import { resolveEditorMcpSettings, type EditorMcpSettings } from '../../core/agent/mcp/editorSettings';

export const MCP_SETTINGS_SECTION = 'pilotLight.mcp';

/** The MCP settings in force: a workspace may turn read-only on, never enable the server or widen it. */
export function readMcpSettings(): EditorMcpSettings {
  const config = vscode.workspace.getConfiguration(MCP_SETTINGS_SECTION);
  return resolveEditorMcpSettings({
    enabled: config.inspect('enabled'),
    readOnly: config.inspect('readOnly'),
    allowRecovery: config.inspect('allowRecovery'),
    profiles: config.inspect('profiles'),
  });
}
