import * as vscode from 'vscode';
import type { AwsConnection } from '../../core/aws/connection';
import type { MemberAccessOptions, OrganizationAccess } from '../../core/organizations';
import type { PilotLightContext } from '../shared/pilotLightContext';

const SECTION = 'pilotLight.organizations';
const MEMBER_NAME = /^(.+)::(\d{12})$/;

/** The organization settings as the USER set them; workspace values are ignored (they could redirect the role). */
export interface OrganizationSettings extends MemberAccessOptions {
  concurrency: number;
  /** Settings a workspace tried to set, which were ignored. */
  ignoredWorkspaceKeys: string[];
}

function userValue<T>(key: string): { value: T | undefined; workspace: boolean } {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<T>(key);
  return {
    value: inspected?.globalValue ?? inspected?.defaultValue,
    workspace: inspected?.workspaceValue !== undefined || inspected?.workspaceFolderValue !== undefined,
  };
}

export function readOrganizationSettings(): OrganizationSettings {
  const ignored: string[] = [];
  const read = <T>(key: string): T | undefined => {
    const { value, workspace } = userValue<T>(key);
    if (workspace) ignored.push(`${SECTION}.${key}`);
    return value;
  };
  const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
  const roleName = text(read('memberRoleName')) ?? 'OrganizationAccountAccessRole';
  const duration = read<number>('sessionDurationSeconds');
  const concurrency = read<number>('concurrency');
  return {
    roleName,
    externalId: text(read('externalId')),
    mfaSerial: text(read('mfaSerial')),
    durationSeconds: typeof duration === 'number' ? duration : undefined,
    concurrency:
      typeof concurrency === 'number' && Number.isInteger(concurrency) ? Math.min(Math.max(concurrency, 1), 32) : 8,
    ignoredWorkspaceKeys: ignored,
  };
}

/**
 * The editor's side of AWS Organizations: one OrganizationAccess per profile (its member connections and the
 * tree), rebuilt when the user's organization settings or the connection change. Member accounts' runner keys
 * (`<profile>::<account>`) are routed to their assumed-role connections here.
 */
export class OrganizationsFeature implements vscode.Disposable {
  private readonly accesses = new Map<string, Promise<OrganizationAccess>>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private warnedIgnored = false;

  constructor(private readonly ctx: PilotLightContext) {
    ctx.memberConnection = (name) => {
      const match = MEMBER_NAME.exec(name);
      if (!match) return undefined;
      return this.access(match[1]).then((access) => access.memberConnection(match[2]));
    };
    this.subscriptions.push(
      ctx.onDidChangeConnection(() => this.reset()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(SECTION)) {
          this.reset();
          void ctx.safety.runtime().then((runtime) => runtime.dropRunners());
        }
      }),
    );
  }

  settings(): OrganizationSettings {
    const settings = readOrganizationSettings();
    if (settings.ignoredWorkspaceKeys.length && !this.warnedIgnored) {
      this.warnedIgnored = true;
      this.ctx.log.warn(
        `Ignored workspace values for ${settings.ignoredWorkspaceKeys.join(', ')}: which role and account Pilot Light uses comes from your user settings only.`,
      );
    }
    return settings;
  }

  /** The organization as seen from `profile` (default: the active profile). */
  access(profile?: string): Promise<OrganizationAccess> {
    const key = profile ?? '';
    let access = this.accesses.get(key);
    if (!access) {
      access = (async () => {
        const [{ OrganizationAccess }, connection] = await Promise.all([
          import('../../core/organizations'),
          profile ? this.ctx.connectionFor(profile) : this.ctx.connection(),
        ]);
        return new OrganizationAccess(connection as AwsConnection, this.settings(), {
          runner: (name) => this.ctx.safety.runner(name),
          policy: async () => (await this.ctx.safety.loadPolicy()).policy,
          mfaToken: async (serial) =>
            (
              await vscode.window.showInputBox({
                title: 'MFA code for AWS Organizations',
                prompt: `The current code of ${serial}, to assume the member role`,
                password: true,
                ignoreFocusOut: true,
                validateInput: (value) => (/^\d{6}$/.test(value.trim()) ? undefined : 'Six digits'),
              })
            )?.trim() ?? '',
        });
      })();
      this.accesses.set(key, access);
      access.catch(() => this.accesses.get(key) === access && this.accesses.delete(key));
    }
    return access;
  }

  /** The runner key of a change in `accountId` from the active profile, checked against its organization. */
  async profileForAccount(
    accountId: string,
    caller: import('../../core/operations/types').Caller,
  ): Promise<{ profile: string } | { problem: string }> {
    try {
      // The access runner keys route to (`<profile>::<account>`), so the connection named here is the one used.
      const profile = (await this.ctx.connection()).profileName;
      return await (await this.access(profile)).profileForAccount(accountId, caller);
    } catch (error) {
      return { problem: `Account ${accountId.slice(0, 20)} cannot be reached: ${(error as Error).message}` };
    }
  }

  reset(): void {
    const previous = [...this.accesses.values()];
    this.accesses.clear();
    for (const access of previous)
      access.then(
        (opened) => opened.dispose(),
        () => undefined,
      );
  }

  dispose(): void {
    this.reset();
    this.ctx.memberConnection = undefined;
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}

const features = new WeakMap<PilotLightContext, OrganizationsFeature>();

/** The feature of this extension context, created on first use. */
export function organizationsFeature(ctx: PilotLightContext): OrganizationsFeature {
  let feature = features.get(ctx);
  if (!feature) {
    feature = new OrganizationsFeature(ctx);
    features.set(ctx, feature);
    ctx.extension.subscriptions.push(feature);
  }
  return feature;
}
