import * as vscode from 'vscode';
import type { ContainerRead } from '../../core/containers/service';
import type { ExplorerFeature } from '../explorer/registerExplorer';
import { asResourceNode, type ResourceNodeLike } from '../explorer/resourceNodeArg';
import { commandRegistrar } from '../shared/commands';
import { runInteractively } from '../shared/interactiveRun';
import { OperationService } from '../shared/operationService';
import type { PilotLightContext } from '../shared/pilotLightContext';

const REVISION_SCHEME = 'pilot-light-ecs';

/** Read-only task definition revisions for the diff editor. */
class RevisionDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'This revision is no longer available.';
  }
  uriFor(label: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: REVISION_SCHEME, path: `/${label.replace(/[^\w.:-]+/g, '-')}.json` });
    this.texts.set(uri.toString(), text);
    if (this.texts.size > 40) this.texts.delete(this.texts.keys().next().value!);
    return uri;
  }
}

function readsFor(service: OperationService, node: ResourceNodeLike): ContainerRead {
  return async (operationId, input) => {
    const outcome = await service.run(operationId, input, {
      caller: 'explorer',
      mode: 'execute',
      region: node.region,
      profile: node.connection?.profileName,
    });
    if (outcome.status === 'succeeded') return outcome.output;
    throw new Error(
      outcome.error
        ? `${outcome.error.code}: ${outcome.error.message}`
        : outcome.refusal
          ? `Refused (${outcome.refusal.code}): ${outcome.refusal.message}`
          : `${operationId} ended as ${outcome.status}.`,
    );
  };
}

interface ServiceRecord {
  clusterArn?: string;
  serviceName?: string;
  taskDefinition?: string;
}

/**
 * Container commands that need more than one prompt: roll a service back to a revision chosen after a diff
 * in VS Code's diff editor, and the awslogs output of a task's (or a service's) containers as a text document.
 * Reads and the rollback run through the operation registry like every other action.
 */
export function registerContainers(ctx: PilotLightContext, explorer: ExplorerFeature): void {
  const service = OperationService.for(ctx);
  const command = commandRegistrar(ctx);
  let documents: RevisionDocuments | undefined;
  const revisionDocuments = () => {
    if (!documents) {
      documents = new RevisionDocuments();
      ctx.extension.subscriptions.push(
        vscode.workspace.registerTextDocumentContentProvider(REVISION_SCHEME, documents),
      );
    }
    return documents;
  };
  const selected = (arg: unknown, types: string[]) => {
    const node = asResourceNode(arg) ?? asResourceNode(explorer.view.selection[0]);
    return node && types.includes(node.resource.type) ? node : undefined;
  };
  const record = async (node: ResourceNodeLike) =>
    (node.list ? await node.list.record(node.resource) : node.resource.raw) as ServiceRecord & {
      taskArn?: string;
      taskDefinitionArn?: string;
    };

  ctx.extension.subscriptions.push(
    command('pilotLight.containers.rollbackService', async (arg?: unknown) => {
      const node = selected(arg, ['ecs:service']);
      if (!node) {
        void vscode.window.showInformationMessage(
          'Select an ECS service in the AWS explorer first, then use "Roll Back Service…".',
        );
        return undefined;
      }
      const [{ revisionName, taskDefinitionText }, { previousRevision }] = await Promise.all([
        import('../../core/containers/taskDefinitions'),
        import('../../core/containers/service'),
      ]);
      const read = readsFor(service, node);
      const current = await record(node);
      if (!current?.taskDefinition || !current.clusterArn) {
        void vscode.window.showErrorMessage(`Could not read the task definition of ${node.resource.name}.`);
        return undefined;
      }
      const family = revisionName(current.taskDefinition).replace(/:\d+$/, '');
      const previous = await previousRevision(read, current as never);
      const revisions = (
        (await read('ecs.taskDefinitions.revisions', { family, sort: 'DESC', maxResults: 100 })) as { items: string[] }
      ).items;
      const picks = revisions
        .filter((arn) => arn !== current.taskDefinition)
        .map((arn) => ({ label: revisionName(arn), description: arn === previous ? 'previous' : undefined, arn }));
      if (!picks.length) {
        void vscode.window.showInformationMessage(`${family} has no other active revision to roll back to.`);
        return undefined;
      }
      const picked = await vscode.window.showQuickPick(picks, {
        title: `Roll back ${node.resource.name} (now ${revisionName(current.taskDefinition)}) to…`,
        placeHolder: 'The diff of the two revisions opens next; nothing changes before you confirm.',
        ignoreFocusOut: true,
      });
      if (!picked) return undefined;
      const [from, to] = await Promise.all([
        read('ecs.taskDefinitions.describe', { taskDefinition: current.taskDefinition }),
        read('ecs.taskDefinitions.describe', { taskDefinition: picked.arn }),
      ]);
      const docs = revisionDocuments();
      await vscode.commands.executeCommand(
        'vscode.diff',
        docs.uriFor(revisionName(current.taskDefinition), taskDefinitionText(from as never)),
        docs.uriFor(picked.label, taskDefinitionText(to as never)),
        `${revisionName(current.taskDefinition)} (running) ↔ ${picked.label} (roll back to)`,
        { preview: true },
      );
      const result = await runInteractively(service, {
        operationId: 'ecs.services.rollback',
        input: {
          cluster: current.clusterArn,
          service: current.serviceName ?? node.resource.name,
          taskDefinition: picked.arn,
        },
        caller: 'explorer',
        region: node.region,
        profile: node.connection?.profileName,
        title: `Roll back ${node.resource.name} to ${picked.label}`,
      });
      if (result.status === 'succeeded')
        await vscode.commands.executeCommand('pilotLight.explorer.refreshNode', node.parent);
      return result;
    }),
    command('pilotLight.containers.showLogs', async (arg?: unknown) => {
      const node = selected(arg, ['ecs:service', 'ecs:task']);
      if (!node) {
        void vscode.window.showInformationMessage(
          'Select an ECS service or task in the AWS explorer first, then use "Show Container Logs".',
        );
        return undefined;
      }
      const { formatLogs, serviceTasks, taskLogs } = await import('../../core/containers/service');
      const read = readsFor(service, node);
      const raw = await record(node);
      const text = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Reading logs of ${node.resource.name}…` },
        async () => {
          const tasks =
            node.resource.type === 'ecs:task'
              ? [{ taskArn: node.resource.id, taskDefinitionArn: raw?.taskDefinitionArn }]
              : await serviceTasks(read, raw?.clusterArn ?? '', raw?.serviceName ?? node.resource.name);
          if (!tasks.length) return `${node.resource.name} has no running tasks.\n`;
          const logs = (
            await Promise.all(tasks.map((task) => taskLogs(read, task, { region: node.region, limit: 200 })))
          ).flat();
          return `Logs of ${node.resource.name} (${node.region}), newest 200 events per container, from CloudWatch Logs (awslogs)\n\n${formatLogs(logs)}`;
        },
      );
      const document = await vscode.workspace.openTextDocument({ content: text, language: 'log' });
      await vscode.window.showTextDocument(document, { preview: true });
      return { text };
    }),
  );
}
