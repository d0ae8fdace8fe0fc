import * as vscode from 'vscode';
import { validateEndpointUrl } from '../../core/aws/resolution';
import { isPlausibleRegion, KNOWN_REGIONS } from '../../core/aws/regions';
import { loadProfiles } from '../../core/aws/sharedConfig';
import type { PilotLightContext } from '../shared/pilotLightContext';

const DEFAULT_CHAIN = '$(key) Default credential chain';

/** Writes the user setting, and says so when an allowed workspace value keeps overriding it. */
async function updateUserSetting(
  ctx: PilotLightContext,
  key: 'profile' | 'region' | 'endpointUrl',
  value: string,
): Promise<void> {
  await ctx.updateSetting(key, value);
  const fromWorkspace = ctx.connectionSettings.current().fromWorkspace[key];
  if (fromWorkspace !== undefined)
    void vscode.window.showInformationMessage(
      `Saved in your user settings, but this workspace's ${key} (${fromWorkspace}) stays in force. Review it with "Pilot Light: Review Workspace Connection Settings".`,
    );
}

export async function selectProfile(ctx: PilotLightContext): Promise<void> {
  let profiles;
  try {
    profiles = await loadProfiles();
  } catch (error) {
    void vscode.window.showErrorMessage(
      `Could not read the AWS config files: ${error instanceof Error ? error.message : String(error)}`,
    );
    return;
  }
  const items: (vscode.QuickPickItem & { profile?: string })[] = profiles.map((profile) => ({
    label: profile.name,
    description: [profile.kind, profile.region].filter(Boolean).join(' · '),
    detail: profile.ssoStartUrl ? `SSO: ${profile.ssoStartUrl}` : undefined,
    profile: profile.name,
  }));
  items.push({ label: DEFAULT_CHAIN, description: 'environment variables, then the default profile' });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Select AWS profile',
    placeHolder: profiles.length
      ? 'Profiles from ~/.aws/config and ~/.aws/credentials'
      : 'No profiles found in ~/.aws/config or ~/.aws/credentials',
  });
  if (!picked) return;
  await updateUserSetting(ctx, 'profile', picked.profile ?? '');
}

export async function selectRegion(ctx: PilotLightContext): Promise<void> {
  const current = (await ctx.connection().catch(() => undefined))?.region;
  const items: vscode.QuickPickItem[] = KNOWN_REGIONS.map((region) => ({
    label: region.code,
    description: region.name + (region.code === current ? ' (current)' : ''),
  }));
  items.push({ label: '$(edit) Other region…' });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Select AWS region',
    placeHolder: current ? `Current: ${current}` : undefined,
  });
  if (!picked) return;
  let region = picked.label;
  if (region.startsWith('$(edit)')) {
    const typed = await vscode.window.showInputBox({
      title: 'AWS region code',
      placeHolder: 'e.g. eu-central-1',
      validateInput: (value) =>
        isPlausibleRegion(value.trim()) ? undefined : 'Enter a region code such as eu-central-1.',
    });
    if (!typed) return;
    region = typed.trim();
  }
  await updateUserSetting(ctx, 'region', region);
}

export async function configureEndpoint(ctx: PilotLightContext): Promise<void> {
  // The user's own value: this command writes user settings (a workspace's endpoint is only ever proposed).
  const current = vscode.workspace.getConfiguration('pilotLight').inspect<string>('endpointUrl')?.globalValue ?? '';
  const value = await vscode.window.showInputBox({
    title: 'AWS endpoint override',
    prompt:
      "Send every AWS call to this URL, e.g. LocalStack or moto. Leave empty to use AWS_ENDPOINT_URL, the profile's endpoint_url, or real AWS.",
    value: current,
    placeHolder: 'http://localhost:4566',
    validateInput: (input) => {
      if (!input.trim()) return undefined;
      try {
        validateEndpointUrl(input.trim(), 'setting');
        return undefined;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    },
  });
  if (value === undefined) return;
  await updateUserSetting(ctx, 'endpointUrl', value.trim());
}

const PROPOSAL_STATES: Record<string, string> = {
  pending: 'not answered yet',
  allowed: 'allowed',
  declined: 'not allowed',
  restricted: 'ignored in Restricted Mode',
};

/** The status bar's picker: profile, region or endpoint, and the workspace's proposal when there is one. */
export async function switchContext(
  ctx: PilotLightContext,
  reviewWorkspaceSettings: () => Promise<void>,
): Promise<void> {
  const connection = await ctx.connection().catch(() => undefined);
  const choices = [
    { label: '$(account) Profile', description: connection?.profileName ?? 'not set', run: selectProfile },
    { label: '$(globe) Region', description: connection?.region ?? 'not set', run: selectRegion },
    { label: '$(plug) Endpoint', description: connection?.endpointFor('ec2') ?? 'AWS default', run: configureEndpoint },
  ];
  const proposalState = PROPOSAL_STATES[ctx.connectionSettings.current().state];
  if (proposalState)
    choices.unshift({
      label: '$(question) Workspace settings',
      description: proposalState,
      run: reviewWorkspaceSettings,
    });
  const picked = await vscode.window.showQuickPick(choices, { title: 'Pilot Light: AWS context' });
  await picked?.run(ctx);
}
