import * as vscode from 'vscode';
import { AwsConnection, type CallerIdentity } from '../../core/aws/connection';
import type { ConnectionSettings } from '../../core/aws/resolution';
import { ConnectionSettingsSource } from '../context/workspaceSettings';
import { SafetyServices } from './safety';

export const CONFIG_SECTION = 'pilotLight';

function disposeAll(connections: Array<Promise<AwsConnection>>): void {
  for (const connection of connections)
    connection.then(
      (opened) => opened.dispose(),
      () => undefined,
    );
}

/**
 * What every feature shares: the extension context, the log, and the current AWS connection.
 * The connection is opened on first use, so activation does no AWS work.
 */
export class PilotLightContext implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  private connectionPromise?: Promise<AwsConnection>;
  private connectionKey?: string;
  /** Connections for profiles shown beside the active one (explorer), by profile name. */
  private readonly otherConnections = new Map<string, { key: string; connection: Promise<AwsConnection> }>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Fires when the profile, region or endpoint changed; views re-root themselves. */
  readonly onDidChangeConnection = this.changeEmitter.event;
  private readonly identityEmitter = new vscode.EventEmitter<CallerIdentity>();
  /** Fires whenever a feature resolved the caller identity (account and ARN). */
  readonly onDidResolveIdentity = this.identityEmitter.event;

  /** The shared operation runner (guardrails, approvals, audit) every AWS change goes through. */
  readonly safety: SafetyServices;
  /** Profile, region and endpoints in force: user settings, and workspace settings only as the user allowed them. */
  readonly connectionSettings: ConnectionSettingsSource;
  /** Routes member accounts' runner keys (`<profile>::<account>`) to assumed-role connections (organizations feature). */
  memberConnection?: (name: string) => Promise<AwsConnection> | undefined;
  /** Work queued during activate()'s first step; undefined once it ran. */
  private deferred: Array<() => void> | undefined = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Pilot Light', { log: true });
    this.connectionSettings = new ConnectionSettingsSource(extension.workspaceState);
    this.safety = new SafetyServices(this);
    // The first settings read is the costliest call of activation in the extension host: after it.
    this.afterActivation(() => this.connectionSettings.takeBaseline());
    extension.subscriptions.push(
      this,
      this.log,
      this.safety,
      this.changeEmitter,
      this.identityEmitter,
      this.connectionSettings,
      this.connectionSettings.onDidChange(({ cause }) => {
        if (JSON.stringify(this.readConnectionSettings()) !== this.connectionKey) this.resetConnection();
        else if (cause !== 'configuration') this.changeEmitter.fire(); // e.g. explorer profiles allowed
      }),
    );
  }

  /**
   * Runs `work` in activate()'s second step (the task after the first), or now once activation is over:
   * for startup work nothing shows at once, such as the first settings read.
   */
  afterActivation(work: () => void): void {
    if (this.deferred) this.deferred.push(work);
    else work();
  }

  /** Runs the queued startup work (extension.ts, once). */
  runDeferred(): void {
    const queue = this.deferred ?? [];
    this.deferred = undefined;
    for (const work of queue) {
      try {
        work();
      } catch (error) {
        this.log.error(`Startup step failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** The settings AwsConnection.open gets (no explorer profiles). */
  private readConnectionSettings(): ConnectionSettings {
    const { profile, region, endpointUrl, serviceEndpoints } = this.connectionSettings.current().settings;
    return { profile, region, endpointUrl, serviceEndpoints };
  }

  /** The profile named in settings or AWS_PROFILE, if any; no file reads. */
  profileSetting(): string | undefined {
    return this.readConnectionSettings().profile || process.env.AWS_PROFILE || undefined;
  }

  /**
   * The connection for the current settings. Settings are compared on every call, so a caller that
   * runs before the configuration-change event arrives still gets the new profile or region.
   */
  connection(): Promise<AwsConnection> {
    const settings = this.readConnectionSettings();
    const key = JSON.stringify(settings);
    if (this.connectionPromise && key !== this.connectionKey) this.resetConnection();
    if (!this.connectionPromise) {
      this.connectionKey = key;
      this.connectionPromise = AwsConnection.open(settings);
      this.connectionPromise.then(
        (connection) =>
          this.log.info(
            `Connection: profile ${connection.profileName}, region ${connection.region}, credentials from ${connection.credentialSource}${connection.endpointFor('ec2') ? `, endpoint ${connection.endpointFor('ec2')}` : ''}`,
          ),
        (error) =>
          this.log.warn(`Could not open the AWS connection: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
    return this.connectionPromise;
  }

  /**
   * The connection for a named profile with the other settings (region, endpoints) as they are; the active
   * profile's own connection when the name is the active one or missing. Other profiles' connections are
   * cached until the settings change or `resetConnection()`.
   */
  async connectionFor(profile: string | undefined): Promise<AwsConnection> {
    if (!profile) return this.connection();
    const member = this.memberConnection?.(profile);
    if (member) return member;
    const active = await this.connection().then(
      (connection) => connection.profileName,
      () => this.profileSetting() ?? 'default',
    );
    if (profile === active) return this.connection();
    const settings = { ...this.readConnectionSettings(), profile };
    const key = JSON.stringify(settings);
    const cached = this.otherConnections.get(profile);
    if (cached?.key === key) return cached.connection;
    if (cached) disposeAll([cached.connection]);
    const connection = AwsConnection.open(settings);
    this.otherConnections.set(profile, { key, connection });
    connection.catch(
      () => this.otherConnections.get(profile)?.connection === connection && this.otherConnections.delete(profile),
    );
    return connection;
  }

  /** The caller identity of the current connection (STS, cached by the connection). */
  async identity(): Promise<CallerIdentity> {
    const identity = await (await this.connection()).identity();
    this.identityEmitter.fire(identity);
    return identity;
  }

  /** Drops cached clients and identity, and tells every view to reload. */
  resetConnection(): void {
    const previous = this.openConnections();
    this.connectionPromise = undefined;
    this.otherConnections.clear();
    disposeAll(previous);
    this.changeEmitter.fire();
  }

  async updateSetting(key: string, value: unknown): Promise<void> {
    await vscode.workspace.getConfiguration(CONFIG_SECTION).update(key, value, vscode.ConfigurationTarget.Global);
  }

  private openConnections(): Array<Promise<AwsConnection>> {
    const others = [...this.otherConnections.values()].map((entry) => entry.connection);
    return this.connectionPromise ? [this.connectionPromise, ...others] : others;
  }

  dispose(): void {
    disposeAll(this.openConnections());
  }
}
