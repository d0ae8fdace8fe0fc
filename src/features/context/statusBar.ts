import * as vscode from 'vscode';
import type { PilotLightContext } from '../shared/pilotLightContext';

/** Shows profile · region · account; the account appears once something has resolved the identity. */
export class ConnectionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('pilotLight.connection', vscode.StatusBarAlignment.Left, 10);
  private generation = 0;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly ctx: PilotLightContext) {
    this.item.name = 'Pilot Light AWS context';
    this.item.command = 'pilotLight.switchContext';
    this.subscriptions.push(
      ctx.onDidChangeConnection(() => this.update()),
      ctx.onDidResolveIdentity((identity) => this.update(identity.account)),
    );
    this.update();
    this.item.show();
  }

  /** Renders what is known without AWS calls, then adds the account if the identity is already cached or resolves. */
  update(account?: string): void {
    const generation = ++this.generation;
    void this.ctx.connection().then(
      (connection) => {
        if (generation !== this.generation) return;
        this.item.text = `$(cloud) ${[connection.profileName, connection.region, account].filter(Boolean).join(' · ')}`;
        const endpoint = connection.endpointFor('ec2');
        this.item.tooltip = `AWS profile ${connection.profileName}, region ${connection.region}${account ? `, account ${account}` : ''}\nCredentials: ${connection.credentialSource}${endpoint ? `\nEndpoint: ${endpoint}` : ''}\nClick to switch.`;
        this.item.backgroundColor = undefined;
      },
      (error) => {
        if (generation !== this.generation) return;
        this.item.text = '$(cloud) AWS: not connected';
        this.item.tooltip = `${error instanceof Error ? error.message : String(error)}\nClick to select a profile.`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      },
    );
  }

  dispose(): void {
    vscode.Disposable.from(this.item, ...this.subscriptions).dispose();
  }
}
