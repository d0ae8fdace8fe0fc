import * as vscode from 'vscode';
import type { ActionResource, PromptSpec } from '../../core/actions/resourceActions';
import type { ExplorerFeature } from '../explorer/registerExplorer';
import {
  registerPreviewDocuments,
  runInteractively,
  type InteractiveCaller,
  type InteractiveRunResult,
} from '../shared/interactiveRun';
import { OperationService } from '../shared/operationService';
import { commandRegistrar } from '../shared/commands';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { revealResource } from './revealResource';
import { runVpcWizard } from './vpcWizardPicks';
import { asResourceNode, type ResourceNodeLike } from '../explorer/resourceNodeArg';

/** Arguments of `pilotLight.operations.run` / `.dryRun` from chat buttons, keybindings or other code. */
interface OperationArgs {
  operationId?: string;
  input?: unknown;
  region?: string;
  caller?: string;
  title?: string;
  /** A member account of the active profile's organization (12 digits): the change runs there, by its member role. */
  account?: string;
}

const NOT_SUPPORTED = (what: string) => `Not supported yet: ${what}.`;

/** Asks one prompt of an action; undefined when cancelled. */
async function ask(prompt: PromptSpec, resource: ActionResource): Promise<string | undefined> {
  const validate = (value: string) => prompt.validate?.(value, resource);
  if (prompt.kind === 'pick') {
    const other = '$(edit) Other…';
    const options = prompt.options?.(resource) ?? [];
    if (!options.length && !prompt.allowOther) {
      void vscode.window.showInformationMessage(`${resource.name} has nothing to choose for "${prompt.title}".`);
      return undefined;
    }
    const items: Array<vscode.QuickPickItem & { value?: string }> = options.map((option) => ({
      label: option.label,
      description: option.description,
      value: option.value,
    }));
    if (prompt.allowOther) items.push({ label: other });
    const picked = await vscode.window.showQuickPick(items, {
      title: prompt.title,
      placeHolder: prompt.placeholder,
      ignoreFocusOut: true,
    });
    if (!picked) return undefined;
    if (picked.value !== undefined) return picked.value;
  }
  const value = await vscode.window.showInputBox({
    title: prompt.title,
    placeHolder: prompt.placeholder,
    ignoreFocusOut: true,
    validateInput: (text) => (prompt.optional && !text.trim() ? undefined : validate(text)),
  });
  return value;
}

/** The node to reload after a change: the list the resource is in (for rules: the group's list). */
function nodeToRefresh(node: ResourceNodeLike): unknown {
  const parent = node.parent as { parent?: { parent?: unknown } } | undefined;
  if (node.resource.type === 'ec2:security-group-rule') return parent?.parent?.parent ?? parent;
  if (node.resource.type === 'iam:attached-policy') return parent?.parent ?? parent;
  return parent;
}

/**
 * Explorer context-menu actions and the command-palette entry points. Every one runs a registry operation
 * through the shared runner: dry-run, confirmation or approval, execution, result, refresh.
 */
export function registerActions(ctx: PilotLightContext, explorer: ExplorerFeature): void {
  const service = OperationService.for(ctx);
  const previews = registerPreviewDocuments(ctx.extension);
  const contributed: Array<{ command: string }> =
    (ctx.extension.extension?.packageJSON as { contributes?: { commands?: Array<{ command: string }> } } | undefined)
      ?.contributes?.commands ?? [];
  const actionCommands = contributed
    .map((entry) => entry.command)
    .filter((command) => command.startsWith('pilotLight.action.'));

  const runAction =
    (command: string) =>
    async (arg?: unknown): Promise<InteractiveRunResult | undefined> => {
      const { resourceAction } = await import('../../core/actions/resourceActions');
      const spec = resourceAction(command);
      if (!spec) {
        void vscode.window.showInformationMessage(NOT_SUPPORTED(command));
        return undefined;
      }
      const node = asResourceNode(arg) ?? asResourceNode(explorer.view.selection[0]);
      if (!node || !spec.types.includes(node.resource.type)) {
        void vscode.window.showInformationMessage(
          `Select ${spec.types.length === 1 ? `a ${spec.types[0]}` : 'a resource'} in the AWS explorer first, then use "${spec.title}" from its context menu.`,
        );
        return undefined;
      }
      const resource: ActionResource = {
        type: node.resource.type,
        id: node.resource.id,
        name: node.resource.name,
        arn: node.resource.arn,
        tags: node.resource.tags,
        raw: node.list ? await node.list.record(node.resource).catch(() => undefined) : node.resource.raw,
      };
      const answers: Record<string, string> = {};
      for (const prompt of spec.prompts ?? []) {
        const value = await ask(prompt, resource);
        if (value === undefined) return undefined;
        answers[prompt.key] = value;
      }
      let operationId: string;
      let input: Record<string, unknown>;
      try {
        operationId = spec.operationId(resource);
        input = spec.input(resource, answers);
      } catch (error) {
        void vscode.window.showErrorMessage((error as Error).message);
        return undefined;
      }
      const result = await runInteractively(service, {
        operationId,
        input,
        caller: 'explorer',
        region: node.region,
        profile: node.connection?.profileName,
        title: `${spec.title.replace(/…$/, '')} ${resource.name}`,
      });
      if (result.status === 'succeeded')
        await vscode.commands.executeCommand('pilotLight.explorer.refreshNode', nodeToRefresh(node));
      return result;
    };

  const operationArgs = async (
    args: OperationArgs | undefined,
    mutatingOnly: boolean,
  ): Promise<(Required<Pick<OperationArgs, 'operationId'>> & OperationArgs) | undefined> => {
    if (args?.operationId) return args as Required<Pick<OperationArgs, 'operationId'>> & OperationArgs;
    const registry = await service.registry();
    const picked = await vscode.window.showQuickPick(
      registry.list({ mutating: mutatingOnly ? true : undefined }).map((descriptor) => ({
        label: descriptor.title,
        description: descriptor.id,
        detail: descriptor.description,
        id: descriptor.id,
      })),
      {
        title: mutatingOnly ? 'Run an AWS operation (dry-run first)' : 'Dry-run an AWS operation',
        matchOnDescription: true,
        ignoreFocusOut: true,
      },
    );
    if (!picked) return undefined;
    const schema = registry.describe(picked.id)?.inputJsonSchema as { required?: string[] } | undefined;
    const skeleton = JSON.stringify(Object.fromEntries((schema?.required ?? []).map((key) => [key, null])));
    const text = await vscode.window.showInputBox({
      title: `${picked.label}: input as JSON`,
      prompt: `Input for ${picked.id}. It is validated against the operation's schema before anything runs.`,
      value: skeleton,
      ignoreFocusOut: true,
      validateInput: (value) => {
        try {
          const parsed = JSON.parse(value);
          return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? undefined : 'Enter a JSON object.';
        } catch {
          return 'Enter valid JSON.';
        }
      },
    });
    if (text === undefined) return undefined;
    return { operationId: picked.id, input: JSON.parse(text) };
  };

  const callerOf = (args?: OperationArgs): InteractiveCaller => (args?.caller === 'chat' ? 'chat' : 'command');
  /** The runner key of `args.account` (checked against the organization); undefined: the active profile. */
  const profileOf = async (args?: OperationArgs): Promise<{ profile?: string } | { problem: string }> => {
    if (args?.account === undefined) return {};
    if (typeof args.account !== 'string') return { problem: 'The account must be a 12-digit account ID.' };
    const { organizationsFeature } = await import('../organizations/organizationsFeature');
    return organizationsFeature(ctx).profileForAccount(args.account, callerOf(args));
  };
  const command = commandRegistrar(ctx);

  ctx.extension.subscriptions.push(
    ...actionCommands.map((id) => command(id, runAction(id))),
    command('pilotLight.operations.run', async (args?: OperationArgs) => {
      const request = await operationArgs(args, true);
      if (!request) return undefined;
      const where = await profileOf(args);
      if ('problem' in where) {
        void vscode.window.showErrorMessage(`Nothing was changed: ${where.problem}`);
        return {
          status: 'refused' as const,
          operationId: request.operationId,
          message: where.problem,
          resourceIds: [],
          backups: [],
        };
      }
      return runInteractively(service, {
        operationId: request.operationId,
        input: request.input ?? {},
        caller: callerOf(args),
        region: request.region,
        title: request.title,
        profile: where.profile,
      });
    }),
    command('pilotLight.operations.dryRun', async (args?: OperationArgs) => {
      const request = await operationArgs(args, false);
      if (!request) return undefined;
      const where = await profileOf(args);
      if ('problem' in where) {
        void vscode.window.showErrorMessage(`Nothing was previewed: ${where.problem}`);
        return { status: 'refused', operationId: request.operationId, text: where.problem };
      }
      const { formatPreview } = await import('../../core/operations/preview');
      const outcome = await service.run(request.operationId, request.input ?? {}, {
        caller: callerOf(args),
        mode: 'dry-run',
        region: request.region,
        profile: where.profile,
      });
      const text = outcome.preview
        ? formatPreview(outcome.preview)
        : outcome.error
          ? `${outcome.error.code}: ${outcome.error.message}\n${outcome.error.hint}`
          : outcome.refusal
            ? `Refused (${outcome.refusal.code}): ${outcome.refusal.message}`
            : outcome.status === 'succeeded'
              ? 'A read operation: nothing to preview.'
              : outcome.status;
      await previews.show(
        `dry-run ${request.operationId}`,
        `Dry-run of ${request.operationId} (nothing was changed)\n\n${text}`,
      );
      return {
        status: outcome.status,
        operationId: outcome.operationId,
        correlationId: outcome.correlationId,
        verdict: outcome.preview?.guardrails.verdict,
        text,
      };
    }),
    command('pilotLight.wizard.createVpc', async (node?: unknown) => {
      const result = await runVpcWizard(service, {
        caller: asResourceNode(node) || (node && typeof node === 'object') ? 'explorer' : 'command',
      });
      if (result?.status === 'succeeded') explorer.provider.refresh();
      return result;
    }),
    command('pilotLight.chat.showInExplorer', (args?: { id?: string; type?: string; region?: string }) =>
      args?.id ? revealResource(explorer, args as { id: string; type?: string; region?: string }) : undefined,
    ),
  );
}
