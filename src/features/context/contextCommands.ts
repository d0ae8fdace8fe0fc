import * as vscode from 'vscode';
import { validateEndpointUrl } from '../../core/aws/resolution';
import { isPlausibleRegion, KNOWN_REGIONS } from '../../core/aws/regions';
import { loadProfiles } from '../../core/aws/sharedConfig';
import type { PilotLightContext } from '../shared/pilotLightContext';

const DEFAULT_CHAIN = '$(key) Default credential chain';

export async function selectProfile(ctx: PilotLightContext): Promise<void> {
  let profiles;
  try {
    profiles = await loadProfiles();
  } catch (error) {
    void vscode.window.showErrorMessage(`Could not read the AWS config files: ${error instanceof Error ? error.message : String(error)}`);
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
    placeHolder: profiles.length ? 'Profiles from ~/.aws/config and ~/.aws/credentials' : 'No profiles found in ~/.aws/config or ~/.aws/credentials',
  });
  if (!picked) return;
  await ctx.updateSetting('profile', picked.profile ?? '');
}

export async function selectRegion(ctx: PilotLightContext): Promise<void> {
  const current = (await ctx.connection().catch(() => undefined))?.region;
  const items: vscode.QuickPickItem[] = KNOWN_REGIONS.map((region) => ({
    label: region.code,
    description: region.name + (region.code === current ? ' (current)' : ''),
  }));
  items.push({ label: '$(edit) Other region…' });
  const picked = await vscode.window.showQuickPick(items, { title: 'Select AWS region', placeHolder: current ? `Current: ${current}` : undefined });
  if (!picked) return;
  let region = picked.label;
  if (region.startsWith('$(edit)')) {
    const typed = await vscode.window.showInputBox({
      title: 'AWS region code',
      placeHolder: 'e.g. eu-central-1',
      validateInput: (value) => (isPlausibleRegion(value.trim()) ? undefined : 'Enter a region code such as eu-central-1.'),
    });
    if (!typed) return;
    region = typed.trim();
  }
  await ctx.updateSetting('region', region);
}

export async function configureEndpoint(ctx: PilotLightContext): Promise<void> {
  const current = vscode.workspace.getConfiguration('pilotLight').get<string>('endpointUrl') ?? '';
  const value = await vscode.window.showInputBox({
    title: 'AWS endpoint override',
    prompt: 'Send every AWS call to this URL, e.g. LocalStack or moto. Leave empty to use AWS_ENDPOINT_URL, the profile\'s endpoint_url, or real AWS.',
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
  await ctx.updateSetting('endpointUrl', value.trim());
}

/** The status bar's picker: profile, region or endpoint. */
export async function switchContext(ctx: PilotLightContext): Promise<void> {
  const connection = await ctx.connection().catch(() => undefined);
  const choices = [
    { label: '$(account) Profile', description: connection?.profileName ?? 'not set', run: selectProfile },
    { label: '$(globe) Region', description: connection?.region ?? 'not set', run: selectRegion },
    { label: '$(plug) Endpoint', description: connection?.endpointFor('ec2') ?? 'AWS default', run: configureEndpoint },
  ];
  const picked = await vscode.window.showQuickPick(choices, { title: 'Pilot Light: AWS context' });
  await picked?.run(ctx);
}
