import * as vscode from 'vscode';
import type { ChatAction, ChatAnswer } from '../../core/conversation/answers';
import type { ResourceRef } from '../../core/insights/facts';

/** A recording of what was streamed, kept in the extension's own tests to assert on answers. */
export interface RecordedResponse {
  prompt: string;
  command?: string;
  markdown: string;
  buttons: Array<{ title: string; command: string; arguments?: unknown[] }>;
  anchors: string[];
  usedModel: boolean;
  toolCalls: string[];
}

export function buttonFor(action: ChatAction): vscode.Command {
  switch (action.kind) {
    case 'show-in-explorer':
      return {
        title: `Show ${action.resource.name ?? action.resource.id} in explorer`,
        command: 'pilotLight.chat.showInExplorer',
        arguments: [{ id: action.resource.id, type: action.resource.type, region: action.resource.region }],
      };
    case 'dry-run':
      return {
        title: action.title ?? `Dry-run ${action.operationId}`,
        command: 'pilotLight.operations.dryRun',
        arguments: [
          {
            operationId: action.operationId,
            input: action.input,
            region: action.region,
            caller: 'chat',
            ...(action.account ? { account: action.account } : {}),
          },
        ],
      };
    case 'run':
      return {
        title: action.title ?? `Approve and run ${action.operationId}`,
        command: 'pilotLight.operations.run',
        arguments: [
          {
            operationId: action.operationId,
            input: action.input,
            region: action.region,
            caller: 'chat',
            title: action.title?.replace(/^(Approve and run|Run): /, ''),
            ...(action.account ? { account: action.account } : {}),
          },
        ],
      };
  }
}

/** Anchors to the AWS console for the resources an answer mentions. */
export async function anchorResources(
  stream: vscode.ChatResponseStream,
  resources: ResourceRef[],
  record?: RecordedResponse,
): Promise<void> {
  const { consoleUrl } = await import('../../core/resources/consoleLinks');
  const linked = resources
    .slice(0, 8)
    .map((resource) => ({
      resource,
      url: consoleUrl(
        { type: resource.type, id: resource.id, name: resource.name ?? resource.id },
        resource.region && resource.region !== 'global' ? resource.region : 'us-east-1',
      ),
    }))
    .filter((entry): entry is { resource: ResourceRef; url: string } => Boolean(entry.url));
  if (!linked.length) return;
  stream.markdown('\n\nOpen in the AWS console: ');
  linked.forEach(({ resource, url }, index) => {
    if (index) stream.markdown(', ');
    stream.anchor(vscode.Uri.parse(url), `${resource.name ?? resource.id} (${resource.id})`);
    record?.anchors.push(resource.id);
  });
}

/** Streams a deterministic answer: markdown (untrusted: no command links), anchors and buttons. */
export async function renderAnswer(
  stream: vscode.ChatResponseStream,
  answer: ChatAnswer,
  record?: RecordedResponse,
): Promise<void> {
  stream.markdown(new vscode.MarkdownString(answer.markdown));
  if (record) record.markdown += answer.markdown;
  await anchorResources(stream, answer.touched, record);
  renderActions(stream, answer.actions, record);
}

export function renderActions(
  stream: vscode.ChatResponseStream,
  actions: ChatAction[],
  record?: RecordedResponse,
): void {
  for (const action of actions.slice(0, 6)) {
    const button = buttonFor(action);
    stream.button(button);
    record?.buttons.push({ title: button.title, command: button.command, arguments: button.arguments });
  }
}
