import * as vscode from 'vscode';
import type { PilotLightContext } from '../shared/pilotLightContext';
import type { McpHost } from './mcpHost';
import { MCP_SETTINGS_SECTION } from './mcpSettings';

/** Must equal `contributes.mcpServerDefinitionProviders[].id` in package.json (a mismatch fails silently). */
export const MCP_PROVIDER_ID = 'pilotLight.mcp';

/**
 * Offers Pilot Light's MCP server to VS Code's agents. Providing definitions reads settings only; the local
 * HTTP server starts when VS Code resolves a definition (first tool use), and the core loads then.
 */
export class PilotLightMcpProvider
  implements vscode.McpServerDefinitionProvider<vscode.McpHttpServerDefinition>, vscode.Disposable
{
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeMcpServerDefinitions = this.changeEmitter.event;
  private host?: Promise<McpHost>;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly ctx: PilotLightContext) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(MCP_SETTINGS_SECTION)) return;
      // Sessions built with other settings end on their next request (the client starts a new one);
      // turned off, the server stops. VS Code asks for the definitions again.
      void this.host?.then((host) => (host.enabled() ? undefined : host.stop()));
      this.changeEmitter.fire();
    });
  }

  private mcpHost(): Promise<McpHost> {
    this.host ??= import('./mcpHost').then(({ McpHost }) => new McpHost(this.ctx));
    return this.host;
  }

  async provideMcpServerDefinitions(): Promise<vscode.McpHttpServerDefinition[]> {
    return (await this.mcpHost()).definitions();
  }

  async resolveMcpServerDefinition(
    server: vscode.McpHttpServerDefinition,
  ): Promise<vscode.McpHttpServerDefinition | undefined> {
    return (await this.mcpHost()).resolve(server);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
    void this.host?.then((host) => host.stop());
  }
}

/** The registered provider, for the extension's own tests (VS Code's API does not list definitions). */
export let registeredMcpProvider: PilotLightMcpProvider | undefined;

export function registerMcp(ctx: PilotLightContext): void {
  if (!vscode.lm?.registerMcpServerDefinitionProvider) return;
  const provider = new PilotLightMcpProvider(ctx);
  registeredMcpProvider = provider;
  ctx.extension.subscriptions.push(provider, vscode.lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, provider));
}
