import * as vscode from 'vscode';
import {
  decideConnectionSettings,
  rememberDecision,
  type ConnectionSettingScopes,
  type ConnectionSettingsDecision,
  type ProposalDecision,
} from '../../core/aws/workspaceProposal';

/** The settings that can redirect or re-sign AWS requests: a workspace may only propose them. */
export const CONNECTION_SETTINGS: Record<keyof ConnectionSettingScopes, string> = {
  profile: 'pilotLight.profile',
  region: 'pilotLight.region',
  endpointUrl: 'pilotLight.endpointUrl',
  serviceEndpoints: 'pilotLight.serviceEndpoints',
  explorerProfiles: 'pilotLight.explorer.profiles',
};
const DECISIONS_KEY = 'pilotLight.workspaceProposalDecisions';

/**
 * Reads the connection settings per scope (`inspect()`), and decides with the core which are in force:
 * user values as they are, workspace values only as the user allowed them (see core/aws/workspaceProposal).
 */
export interface ConnectionSettingsChange {
  decision: ConnectionSettingsDecision;
  /** configuration: a settings file changed (views that watch settings reload themselves); answer: the user answered a proposal; trust: the workspace became trusted. */
  cause: 'configuration' | 'answer' | 'trust';
}

export class ConnectionSettingsSource implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ConnectionSettingsChange>();
  /** Fires when the settings in force or the proposal's state changed. */
  readonly onDidChange = this.changeEmitter.event;
  private lastSeen?: string;
  private readonly subscriptions: vscode.Disposable[];

  /** `decisions`: per-workspace storage (the extension's workspaceState). */
  constructor(private readonly decisions: vscode.Memento) {
    this.subscriptions = [
      this.changeEmitter,
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (Object.values(CONNECTION_SETTINGS).some((key) => event.affectsConfiguration(key)))
          this.check('configuration');
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.check('trust')),
    ];
  }

  /** Takes what is in force now as the state changes are compared with (reads the settings; after activation). */
  takeBaseline(): void {
    this.lastSeen ??= this.fingerprint(this.current());
  }

  current(): ConnectionSettingsDecision {
    const configuration = vscode.workspace.getConfiguration();
    const scopes = Object.fromEntries(
      Object.entries(CONNECTION_SETTINGS).map(([name, key]) => {
        const inspected = configuration.inspect(key);
        return [
          name,
          { user: inspected?.globalValue, workspace: inspected?.workspaceFolderValue ?? inspected?.workspaceValue },
        ];
      }),
    ) as unknown as ConnectionSettingScopes;
    const remembered = this.remembered();
    return decideConnectionSettings(scopes, {
      trusted: vscode.workspace.isTrusted,
      decisionFor: (key) => remembered[key],
    });
  }

  /** Remembers the user's answer to a proposal for this workspace. */
  async remember(proposalKey: string, decision: ProposalDecision): Promise<void> {
    await this.decisions.update(DECISIONS_KEY, rememberDecision(this.remembered(), proposalKey, decision));
    this.check('answer');
  }

  private remembered(): Record<string, ProposalDecision> {
    const stored = this.decisions.get<unknown>(DECISIONS_KEY);
    return stored && typeof stored === 'object' && !Array.isArray(stored)
      ? (stored as Record<string, ProposalDecision>)
      : {};
  }

  /** Fires onDidChange when what is in force, or the proposal's state, differs from last time (or no baseline was taken yet). */
  private check(cause: ConnectionSettingsChange['cause']): void {
    const decision = this.current();
    const seen = this.fingerprint(decision);
    if (seen === this.lastSeen) return;
    this.lastSeen = seen;
    this.changeEmitter.fire({ decision, cause });
  }

  private fingerprint(decision: ConnectionSettingsDecision): string {
    return JSON.stringify([decision.settings, decision.state, decision.proposalKey]);
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}
