import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import { isPlausibleRegion, KNOWN_REGIONS } from '../../core/aws/regions';
import { consoleUrl } from '../../core/resources/consoleLinks';
import { commandRegistrar } from '../shared/commands';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { EXPLORER_VIEW_ID, ExplorerProvider } from './explorerProvider';
import {
  type ErrorNode,
  type ExplorerNode,
  type LoadMoreNode,
  OTHER_PROFILE_CONTEXT,
  RegionNode,
  ResourceNode,
} from './nodes';
import { RESOURCE_SCHEME, ResourceDocumentProvider } from './resourceDocuments';

export interface ExplorerFeature {
  provider: ExplorerProvider;
  view: vscode.TreeView<ExplorerNode>;
  documents: ResourceDocumentProvider;
}

export function registerExplorer(ctx: PilotLightContext): ExplorerFeature {
  const provider = new ExplorerProvider(ctx);
  const view = vscode.window.createTreeView(EXPLORER_VIEW_ID, {
    treeDataProvider: provider,
    showCollapseAll: true,
    // A selection of resources can be generated as IaC in one file (Generate CloudFormation/Terraform…).
    canSelectMany: true,
  });
  const documents = new ResourceDocumentProvider();
  provider.onFilterChanged = (filter) => (view.description = filter ? `Filter: ${filter}` : undefined);
  const command = commandRegistrar(ctx);
  const requireResource = (node: unknown): ResourceNode | undefined => {
    if (node instanceof ResourceNode) return node;
    void vscode.window.showInformationMessage('Select a resource in the AWS explorer first.');
    return undefined;
  };

  ctx.extension.subscriptions.push(
    provider,
    view,
    documents,
    vscode.workspace.registerTextDocumentContentProvider(RESOURCE_SCHEME, documents),
    command('pilotLight.explorer.refresh', () => provider.refresh()),
    command('pilotLight.explorer.refreshNode', (node?: ExplorerNode) => provider.refresh(node)),
    command('pilotLight.explorer.retry', (node?: ErrorNode) => (node ? node.runRetry() : provider.refresh())),
    command('pilotLight.explorer.loadMore', (node: LoadMoreNode) => node.list.loadMore(node.parent!)),
    command('pilotLight.explorer.loadAll', (node: LoadMoreNode) =>
      vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Loading all ${node.list.lister.title.toLowerCase()}`,
          cancellable: true,
        },
        (progress, cancellation) =>
          node.list.loadAll(
            node.parent!,
            () => cancellation.isCancellationRequested,
            (loaded) => progress.report({ message: `${loaded} loaded` }),
          ),
      ),
    ),
    command('pilotLight.explorer.filter', async (text?: string) => {
      const value =
        typeof text === 'string'
          ? text
          : await vscode.window.showInputBox({
              title: 'Filter the AWS explorer',
              prompt:
                'Text matches names and IDs; Key=Value a tag (key exact, value in any case), e.g. Environment=production; a complete ID that resource. Sent to AWS where the API filters.',
              value: provider.filter(),
            });
      if (value !== undefined) provider.setFilter(value);
    }),
    command('pilotLight.explorer.clearFilter', () => provider.setFilter('')),
    command('pilotLight.explorer.addRegion', async (code?: string) => {
      const connection = await ctx.connection();
      const current = provider.regions(connection);
      const region =
        typeof code === 'string'
          ? code
          : (
              await vscode.window.showQuickPick(
                KNOWN_REGIONS.filter((candidate) => !current.includes(candidate.code)).map((candidate) => ({
                  label: candidate.code,
                  description: candidate.name,
                })),
                { title: 'Add a region to the AWS explorer' },
              )
            )?.label;
      if (!region) return;
      if (!isPlausibleRegion(region)) {
        void vscode.window.showErrorMessage(`"${region}" is not a region code such as eu-central-1.`);
        return;
      }
      if (!current.includes(region))
        await explorerSettings().update('regions', [...current, region], vscode.ConfigurationTarget.Global);
    }),
    command('pilotLight.explorer.removeRegion', async (node?: RegionNode) => {
      if (!(node instanceof RegionNode)) return;
      const current = provider.regions(await ctx.connection());
      const remaining = current.filter((region) => region !== node.region);
      if (!remaining.length) {
        void vscode.window.showInformationMessage('The explorer needs at least one region. Add another region first.');
        return;
      }
      await explorerSettings().update('regions', remaining, vscode.ConfigurationTarget.Global);
    }),
    command('pilotLight.explorer.addProfile', (name?: string) => addProfile(ctx, provider, name)),
    command('pilotLight.explorer.removeProfile', async (node?: ExplorerNode) => {
      const profile =
        node && node.getTreeItem().contextValue === OTHER_PROFILE_CONTEXT
          ? (node as ExplorerNode & { profileName: string }).profileName
          : undefined;
      if (!profile) return;
      await explorerSettings().update(
        'profiles',
        provider.otherProfiles().filter((shown) => shown !== profile),
        vscode.ConfigurationTarget.Global,
      );
    }),
    command('pilotLight.resource.openJson', async (node?: unknown) => {
      const resource = requireResource(node ?? view.selection[0]);
      if (!resource) return undefined;
      // Rows are compact: the record is read again where the row does not keep it.
      const record = await resource.list.record(resource.resource).catch((error: unknown) => {
        void vscode.window.showErrorMessage(
          `Could not read ${resource.resource.id}: ${resource.connection.describeError(error).message}`,
        );
        return undefined;
      });
      if (record === undefined) return undefined;
      return documents.open({ ...resource.resource, raw: record }, resource.region, resource.connection.profileName);
    }),
    command('pilotLight.resource.copyId', async (node?: unknown) => {
      const resource = requireResource(node ?? view.selection[0]);
      if (resource) await vscode.env.clipboard.writeText(resource.resource.id);
    }),
    command('pilotLight.resource.copyArn', async (node?: unknown) => {
      const resource = requireResource(node ?? view.selection[0]);
      if (!resource) return;
      if (!resource.resource.arn)
        return void vscode.window.showInformationMessage(`${resource.resource.name} has no ARN.`);
      await vscode.env.clipboard.writeText(resource.resource.arn);
    }),
    command('pilotLight.resource.openInConsole', async (node?: unknown) => {
      const resource = requireResource(node ?? view.selection[0]);
      if (!resource) return;
      const url = consoleUrl(resource.resource, resource.region);
      if (!url)
        return void vscode.window.showInformationMessage(`The AWS console has no page for ${resource.resource.type}.`);
      await vscode.env.openExternal(vscode.Uri.parse(url));
    }),
    command('pilotLight.signIn', (profile?: string) => signIn(ctx, profile)),
  );
  return { provider, view, documents };
}

const explorerSettings = () => vscode.workspace.getConfiguration('pilotLight.explorer');

/** Shows another profile as its own root; offers the profiles of the shared config and credentials files. */
async function addProfile(ctx: PilotLightContext, provider: ExplorerProvider, name?: string): Promise<void> {
  const { loadProfiles } = await import('../../core/aws/sharedConfig');
  const known = await loadProfiles().catch((error: Error) => {
    void vscode.window.showErrorMessage(`Could not read the AWS config files: ${error.message}`);
    return undefined;
  });
  if (!known) return;
  const active = await ctx.connection().then(
    (connection) => connection.profileName,
    () => ctx.profileSetting() ?? 'default',
  );
  const shown = new Set([active, ...provider.otherProfiles()]);
  let profile = typeof name === 'string' ? name.trim() : undefined;
  if (profile === undefined) {
    const candidates = known.filter((candidate) => !shown.has(candidate.name));
    if (!candidates.length) {
      void vscode.window.showInformationMessage(
        known.length
          ? 'Every profile of your AWS config is already in the explorer.'
          : 'No AWS profiles were found in ~/.aws/config or ~/.aws/credentials (or AWS_CONFIG_FILE). Add one, e.g. with "aws configure --profile NAME".',
      );
      return;
    }
    profile = (
      await vscode.window.showQuickPick(
        candidates.map((candidate) => ({ label: candidate.name, description: candidate.region })),
        { title: 'Show another AWS profile in the explorer' },
      )
    )?.label;
  }
  if (!profile) return;
  if (!known.some((candidate) => candidate.name === profile)) {
    void vscode.window.showErrorMessage(
      `There is no AWS profile "${profile}" in your AWS config files. Add it first, e.g. with "aws configure --profile ${profile}".`,
    );
    return;
  }
  if (shown.has(profile)) return;
  await explorerSettings().update(
    'profiles',
    [...provider.otherProfiles(), profile],
    vscode.ConfigurationTarget.Global,
  );
}

/** Runs `aws sso login` in a terminal when the AWS CLI is installed; otherwise explains what to do. */
async function signIn(ctx: PilotLightContext, profile = ctx.profileSetting() ?? 'default'): Promise<void> {
  const cliVersion = await new Promise<string | undefined>((resolve) =>
    execFile('aws', ['--version'], { timeout: 5000 }, (error, stdout, stderr) =>
      resolve(error ? undefined : (stdout || stderr).trim()),
    ),
  );
  if (!cliVersion) {
    void vscode.window
      .showWarningMessage(
        `Sign-in needs the AWS CLI v2, which is not on the PATH. Install it, then run "aws sso login --profile ${profile}" in a terminal and press Retry in the AWS explorer.`,
        'Open install guide',
      )
      .then(
        (choice) =>
          choice &&
          vscode.env.openExternal(
            vscode.Uri.parse('https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html'),
          ),
      );
    return;
  }
  const terminal = vscode.window.createTerminal({ name: `AWS sign-in (${profile})` });
  terminal.show();
  terminal.sendText(`aws sso login --profile ${profile.replace(/[^\w.@-]/g, '')}`);
  const listener = vscode.window.onDidCloseTerminal((closed) => {
    if (closed !== terminal) return;
    listener.dispose();
    ctx.resetConnection();
  });
  ctx.extension.subscriptions.push(listener);
  ctx.log.info(`Started "aws sso login" for profile ${profile} (${cliVersion}).`);
}
