import * as vscode from 'vscode';
import { commandRegistrar, UserError } from '../../shared/commands';
import { OperationService } from '../../shared/operationService';
import type { PilotLightContext } from '../../shared/pilotLightContext';
import type { LaunchTemplateTarget } from './panel';
import { asResourceNode, type ResourceNodeLike } from '../../explorer/resourceNodeArg';

/** Arguments from other code and tests: `{ templateId, region?, profile?, version? }`. */
interface EditArgs {
  templateId?: string;
  region?: string;
  profile?: string;
  version?: number;
}

const TEMPLATE_ID = /^lt-[0-9a-f]{8,17}$/;
const SOURCE_SERVER_ID = /^s-[0-9a-f]{17}$/;

export const LAUNCH_TEMPLATE_COMMANDS = {
  edit: 'pilotLight.launchTemplate.edit',
  editLaunchSettings: 'pilotLight.drs.editLaunchSettings',
  bulkChange: 'pilotLight.drs.bulkChangeLaunchSettings',
} as const;

/**
 * The launch-template editor's commands. The panel, the webview host and the core load on first use.
 */
export function registerLaunchTemplateEditor(ctx: PilotLightContext): void {
  const command = commandRegistrar(ctx);
  const service = OperationService.for(ctx);

  const accountOf = async (node: ResourceNodeLike | undefined, profile?: string): Promise<string> => {
    const connection = node?.connection ?? (await ctx.connectionFor(profile));
    return (await connection.identity()).account;
  };

  const openPanel = async (target: LaunchTemplateTarget) => {
    const { LaunchTemplatePanel } = await import('./panel');
    return LaunchTemplatePanel.open(ctx, target);
  };

  const pickTemplate = async (region: string, profile?: string): Promise<string | undefined> => {
    const outcome = await service.run(
      'ec2.launchTemplates.list',
      { maxResults: 200 },
      { caller: 'command', mode: 'execute', region, profile },
    );
    if (outcome.status !== 'succeeded')
      throw new UserError(
        `Could not list launch templates in ${region}: ${outcome.error?.message ?? outcome.refusal?.message ?? outcome.status}`,
      );
    const items = (
      (
        outcome.output as
          | {
              items?: Array<{
                LaunchTemplateId?: string;
                LaunchTemplateName?: string;
                DefaultVersionNumber?: number;
                LatestVersionNumber?: number;
              }>;
            }
          | undefined
      )?.items ?? []
    ).filter((item) => item.LaunchTemplateId);
    if (!items.length) throw new UserError(`There are no launch templates in ${region}.`);
    const picked = await vscode.window.showQuickPick(
      items.map((item) => ({
        label: item.LaunchTemplateName || item.LaunchTemplateId!,
        description: item.LaunchTemplateId,
        detail: `default v${item.DefaultVersionNumber}, latest v${item.LatestVersionNumber}`,
        id: item.LaunchTemplateId!,
      })),
      { title: `Edit a launch template (${region})`, matchOnDescription: true, ignoreFocusOut: true },
    );
    return picked?.id;
  };

  ctx.extension.subscriptions.push(
    command(LAUNCH_TEMPLATE_COMMANDS.edit, async (arg?: unknown) => {
      const node = asResourceNode(arg);
      if (node) {
        const isVersion = node.resource.type === 'ec2:launch-template-version';
        if (node.resource.type !== 'ec2:launch-template' && !isVersion)
          throw new UserError('Select a launch template or one of its versions in the AWS explorer.');
        const [templateId, version] = isVersion ? node.resource.id.split(':') : [node.resource.id];
        return openPanel({
          templateId,
          version: version ? Number(version) : undefined,
          region: node.region,
          profile: node.connection?.profileName,
          account: await accountOf(node),
          caller: 'explorer',
          refreshNode: isVersion ? node.parent?.parent : node.parent,
        });
      }
      const args = (arg && typeof arg === 'object' ? arg : {}) as EditArgs;
      const region = args.region ?? (await ctx.connectionFor(args.profile)).region;
      const templateId = args.templateId ?? (await pickTemplate(region, args.profile));
      if (!templateId) return undefined;
      if (!TEMPLATE_ID.test(templateId))
        throw new UserError(`"${templateId.slice(0, 40)}" is not a launch template ID (lt-…).`);
      return openPanel({
        templateId,
        version: args.version,
        region,
        profile: args.profile,
        account: await accountOf(undefined, args.profile),
        caller: 'command',
      });
    }),
    command(LAUNCH_TEMPLATE_COMMANDS.editLaunchSettings, async (arg?: unknown) => {
      const node = asResourceNode(arg);
      const args = (!node && arg && typeof arg === 'object' ? arg : {}) as {
        sourceServerId?: string;
        region?: string;
        profile?: string;
      };
      const sourceServerId = node?.resource.type === 'drs:source-server' ? node.resource.id : args.sourceServerId;
      if (!sourceServerId || !SOURCE_SERVER_ID.test(sourceServerId))
        throw new UserError(
          'Select a DRS source server in the AWS explorer, then use "Edit Launch Settings" from its context menu.',
        );
      const profile = node?.connection?.profileName ?? args.profile;
      const region = node?.region ?? args.region ?? (await ctx.connectionFor(profile)).region;
      const { LAUNCH_TEMPLATE_OPERATION_IDS } = await import('../../../core/launchTemplates');
      const outcome = await service.run(
        LAUNCH_TEMPLATE_OPERATION_IDS.getLaunchConfiguration,
        { sourceServerId },
        { caller: node ? 'explorer' : 'command', mode: 'execute', region, profile },
      );
      if (outcome.status !== 'succeeded')
        throw new UserError(
          `Could not read the DRS launch settings of ${sourceServerId}: ${outcome.error?.message ?? outcome.refusal?.message ?? outcome.status}`,
        );
      const output = (outcome.output ?? {}) as {
        ec2LaunchTemplateID?: string;
        name?: string;
        launchConfiguration?: { ec2LaunchTemplateID?: string; name?: string };
      };
      const templateId = output.ec2LaunchTemplateID ?? output.launchConfiguration?.ec2LaunchTemplateID;
      if (!templateId)
        throw new UserError(
          `${sourceServerId} has no EC2 launch template in its DRS launch configuration. Save its launch settings once in the DRS console, which creates the template.`,
        );
      const hostname = node?.resource.name ?? output.name ?? output.launchConfiguration?.name ?? sourceServerId;
      return openPanel({
        templateId,
        region,
        profile,
        account: await accountOf(node, profile),
        caller: node ? 'explorer' : 'command',
        drs: { sourceServerId, hostname },
      });
    }),
    command(LAUNCH_TEMPLATE_COMMANDS.bulkChange, async () => {
      const { runBulkChange } = await import('./bulkChange');
      return runBulkChange(ctx);
    }),
  );
}
