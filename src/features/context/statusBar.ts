import * as vscode from 'vscode';
import { describeWorkspaceValues, type ConnectionSettingsDecision } from '../../core/aws/workspaceProposal';
import type { PilotLightContext } from '../shared/pilotLightContext';

/** What the status bar adds about the workspace's proposal: a marker for the text and a line for the tooltip. */
export function workspaceProposalNote(decision: ConnectionSettingsDecision): {
  marker: string;
  line?: string;
  warn: boolean;
} {
  const fromWorkspace = describeWorkspaceValues(decision.fromWorkspace);
  switch (decision.state) {
    case 'pending':
      return {
        marker: ' · $(question) workspace settings',
        line: `This workspace asks to use ${describeWorkspaceValues(decision.proposal)}: not answered yet, so your user settings apply.`,
        warn: true,
      };
    case 'declined':
      return {
        marker: ' $(circle-slash)',
        line: `Not allowed: this workspace's ${describeWorkspaceValues(decision.proposal)}.${fromWorkspace ? ` From the workspace (loopback): ${fromWorkspace}.` : ''}`,
        warn: false,
      };
    case 'allowed':
      return { marker: ' $(folder)', line: `From this workspace's settings (allowed): ${fromWorkspace}.`, warn: false };
    case 'restricted':
      return {
        marker: ' $(shield)',
        line: `Restricted Mode: this workspace's ${describeWorkspaceValues(decision.ignored)} ignored.`,
        warn: false,
      };
    default:
      return fromWorkspace
        ? {
            marker: ' $(folder)',
            line: `From this workspace's settings (loopback, no question needed): ${fromWorkspace}.`,
            warn: false,
          }
        : { marker: '', warn: false };
  }
}

/** Shows profile · region · account; the account appears once something has resolved the identity. */
export class ConnectionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'pilotLight.connection',
    vscode.StatusBarAlignment.Left,
    10,
  );
  private generation = 0;
  private account?: string;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly ctx: PilotLightContext) {
    this.item.name = 'Pilot Light AWS context';
    this.item.command = 'pilotLight.switchContext';
    this.subscriptions.push(
      ctx.onDidChangeConnection(() => this.update()),
      ctx.connectionSettings.onDidChange(() => this.update(this.account)),
      ctx.onDidResolveIdentity((identity) => this.update(identity.account)),
    );
    this.item.text = '$(cloud) AWS';
    this.item.show();
    // Reading the settings is activation's costliest call: the item is filled in right after activation.
    ctx.afterActivation(() => this.update());
  }

  /** What the item shows now (read by tests). */
  get shown(): { text: string; tooltip: string } {
    return { text: this.item.text, tooltip: String(this.item.tooltip ?? '') };
  }

  /** Renders what is known without AWS calls, then adds the account if the identity is already cached or resolves. */
  update(account?: string): void {
    const generation = ++this.generation;
    this.account = account;
    const note = workspaceProposalNote(this.ctx.connectionSettings.current());
    const noteLine = note.line ? `\n${note.line}` : '';
    void this.ctx.connection().then(
      (connection) => {
        if (generation !== this.generation) return;
        this.item.text = `$(cloud) ${[connection.profileName, connection.region, account].filter(Boolean).join(' · ')}${note.marker}`;
        const endpoint = connection.endpointFor('ec2');
        this.item.tooltip = `AWS profile ${connection.profileName}, region ${connection.region}${account ? `, account ${account}` : ''}\nCredentials: ${connection.credentialSource}${endpoint ? `\nEndpoint: ${endpoint}` : ''}${noteLine}\nClick to switch.`;
        this.item.backgroundColor = note.warn ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
      },
      (error) => {
        if (generation !== this.generation) return;
        this.item.text = `$(cloud) AWS: not connected${note.marker}`;
        this.item.tooltip = `${error instanceof Error ? error.message : String(error)}${noteLine}\nClick to select a profile.`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      },
    );
  }

  dispose(): void {
    vscode.Disposable.from(this.item, ...this.subscriptions).dispose();
  }
}
