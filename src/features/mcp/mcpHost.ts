import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RunningMcpHttpServer } from '../../core/agent/mcp/httpServer';
import type { ApprovalProvider } from '../../core/guardrails/approval';
import { RUN_JOURNAL_FOLDER } from '../dr/drServices';
import { approverName } from '../shared/modalApprovalProvider';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { readMcpSettings } from './mcpSettings';

const LABEL = 'Pilot Light';
/** Stands in for the port until the server runs; resolve puts the real URI in. */
const PLACEHOLDER_URI = 'http://127.0.0.1/mcp';

function profileOf(uri: vscode.Uri): string | undefined {
  return new URLSearchParams(uri.query).get('profile') ?? undefined;
}

/**
 * Runs the local MCP server for VS Code's agents: one HTTP server on 127.0.0.1 with a random token, started
 * on the first resolve (concurrent or repeated resolves share it), one MCP session per client built from the
 * extension's runtime, and approvals through the same provider as everywhere (the modal dialog).
 */
export class McpHost {
  private running?: Promise<RunningMcpHttpServer>;

  constructor(private readonly ctx: PilotLightContext) {}

  enabled(): boolean {
    return readMcpSettings().enabled;
  }

  /** One definition per offered profile (none when the server is off). Reads settings only. */
  async definitions(): Promise<vscode.McpHttpServerDefinition[]> {
    const settings = readMcpSettings();
    if (!settings.enabled) return [];
    const version = createHash('sha256')
      .update(JSON.stringify([settings.readOnly, settings.allowRecovery]))
      .digest('hex')
      .slice(0, 12);
    const profiles: Array<string | undefined> = settings.profiles.length ? settings.profiles : [undefined];
    return profiles.map((profile) => {
      const uri = vscode.Uri.parse(
        profile ? `${PLACEHOLDER_URI}?profile=${encodeURIComponent(profile)}` : PLACEHOLDER_URI,
      );
      return new vscode.McpHttpServerDefinition(profile ? `${LABEL} (${profile})` : LABEL, uri, {}, version);
    });
  }

  /** Starts the server if needed and points the definition at it with the token; undefined when it is not offered. */
  async resolve(definition: vscode.McpHttpServerDefinition): Promise<vscode.McpHttpServerDefinition | undefined> {
    const settings = readMcpSettings();
    if (!settings.enabled) return undefined;
    const profile = profileOf(definition.uri);
    if (profile !== undefined && !settings.profiles.includes(profile)) return undefined;
    const running = await this.start();
    const query = profile ? `?profile=${encodeURIComponent(profile)}` : '';
    definition.uri = vscode.Uri.parse(`${running.url}${query}`);
    definition.headers = { ...definition.headers, ...running.headers };
    return definition;
  }

  /** The running server (started once; a failed start is retried on the next call). */
  start(): Promise<RunningMcpHttpServer> {
    if (!this.running) {
      const starting = this.startServer();
      this.running = starting;
      starting.then(
        (server) => this.ctx.log.info(`MCP: local server listening on ${server.url} (token required)`),
        (error: unknown) => {
          if (this.running === starting) this.running = undefined;
          this.ctx.log.warn(
            `MCP: the local server could not start: ${error instanceof Error ? error.message : String(error)}`,
          );
        },
      );
    }
    return this.running;
  }

  /** Closes the server and its sessions; the next resolve starts a new one (new port, new token). */
  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (running) await (await running.catch(() => undefined))?.close();
  }

  private async startServer(): Promise<RunningMcpHttpServer> {
    const { startMcpHttpServer, loadMcpServerFactory, McpSessionRefused } =
      await import('../../core/agent/mcp/httpServer');
    const createMcpServer = await loadMcpServerFactory();
    const safety = this.ctx.safety;
    // The provider in force when asked (tests may replace the modal): the same one every other caller uses.
    const approvals: ApprovalProvider = {
      get id() {
        return safety.approvalProvider().id;
      },
      get kind() {
        return safety.approvalProvider().kind;
      },
      requestApproval: (request, signal) => safety.approvalProvider().requestApproval(request, signal),
    };
    return startMcpHttpServer({
      log: this.ctx.log,
      createSession: async ({ profile }) => {
        const settings = readMcpSettings();
        if (!settings.enabled) throw new McpSessionRefused('the MCP server is turned off (pilotLight.mcp.enabled).');
        if (profile !== undefined && !settings.profiles.includes(profile))
          throw new McpSessionRefused(`the profile ${profile} is not offered (pilotLight.mcp.profiles).`);
        const runtime = await safety.runtime();
        const connection = () => (profile ? this.ctx.connectionFor(profile) : this.ctx.connection());
        const server = createMcpServer({
          runtime,
          readOnly: settings.readOnly,
          allowRecovery: settings.allowRecovery,
          approvals,
          externalApprovals: safety.agentApprovals,
          clientLabel: 'vscode',
          profile,
          stoppedInstanceDays: vscode.workspace
            .getConfiguration('pilotLight')
            .get<number>('insights.stoppedInstanceDays'),
          organization: async () =>
            (await import('../organizations/organizationsFeature')).organizationsFeature(this.ctx).access(profile),
          describeConnection: async () => {
            const opened = await connection();
            return { account: (await opened.identity().catch(() => undefined))?.account, region: opened.region };
          },
          dr: {
            connection,
            actor: approverName(),
            workspaceFolders: (vscode.workspace.workspaceFolders ?? [])
              .filter((folder) => folder.uri.scheme === 'file')
              .map((folder) => folder.uri.fsPath),
            journalDir: join(this.ctx.extension.globalStorageUri.fsPath, RUN_JOURNAL_FOLDER),
          },
        });
        // A session built with an older policy or other settings ends; the client starts a new one.
        const key = JSON.stringify(settings);
        return {
          server,
          stale: async () => (await safety.runtime()) !== runtime || JSON.stringify(readMcpSettings()) !== key,
        };
      },
    });
  }
}
