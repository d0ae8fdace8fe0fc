import * as vscode from 'vscode';
import type { ChatAction } from '../../core/conversation/answers';
import type { ResourceRef } from '../../core/insights/facts';
import type { RecordedResponse } from './renderAnswer';

const MAX_ROUNDS = 8;
const MAX_HISTORY_TURNS = 10;
/** Tools whose refused or previewed changes the user may review and approve with buttons. */
const CHANGE_TOOLS = new Set([
  'pilotLight_previewChange',
  'pilotLight_changeInstanceState',
  'pilotLight_terminateInstances',
  'pilotLight_modifyResources',
  'pilotLight_deleteResources',
]);

export interface ModelLoopResult {
  touched: ResourceRef[];
  actions: ChatAction[];
  toolCalls: string[];
}

/** The model could not be used at all (no access, blocked, not found) before it produced anything. */
export class ModelUnavailableError extends Error {}

interface ToolPayload {
  status?: string;
  operation?: string;
  resources?: ResourceRef[];
  data?: { input?: Record<string, unknown> };
}

function parsePayload(result: vscode.LanguageModelToolResult): ToolPayload | undefined {
  const text = result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
  try {
    return JSON.parse(text) as ToolPayload;
  } catch {
    return undefined;
  }
}

/** The earlier turns of this participant's conversation, as text messages. */
function historyMessages(context: vscode.ChatContext, participant: string): vscode.LanguageModelChatMessage[] {
  const messages: vscode.LanguageModelChatMessage[] = [];
  for (const turn of context.history.slice(-MAX_HISTORY_TURNS * 2)) {
    if (turn.participant !== participant) continue;
    if (turn instanceof vscode.ChatRequestTurn)
      messages.push(vscode.LanguageModelChatMessage.User(`${turn.command ? `/${turn.command} ` : ''}${turn.prompt}`));
    else if (turn instanceof vscode.ChatResponseTurn) {
      const text = turn.response
        .map((part) => (part instanceof vscode.ChatResponseMarkdownPart ? part.value.value : ''))
        .join('')
        .trim();
      if (text) messages.push(vscode.LanguageModelChatMessage.Assistant(text.slice(0, 4000)));
    }
  }
  return messages;
}

/**
 * The tool-calling loop over Pilot Light's LM tools. Reads run directly; writes go through VS Code's tool
 * confirmation (which shows the dry-run preview) and then the runner, which asks for any approval the
 * guardrails require. Refused writes become "Dry-run" and "Approve and run" buttons for the user.
 */
export async function runModelLoop(
  request: vscode.ChatRequest,
  context: vscode.ChatContext,
  stream: vscode.ChatResponseStream,
  token: vscode.CancellationToken,
  options: { participant: string; instructions: string; record?: RecordedResponse; region: string },
): Promise<ModelLoopResult> {
  const tools: vscode.LanguageModelChatTool[] = vscode.lm.tools
    .filter((tool) => tool.name.startsWith('pilotLight_'))
    .map((tool) => ({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema }));
  const messages = [
    vscode.LanguageModelChatMessage.User(options.instructions),
    ...historyMessages(context, options.participant),
    vscode.LanguageModelChatMessage.User(request.prompt),
  ];
  const result: ModelLoopResult = { touched: [], actions: [], toolCalls: [] };
  let producedOutput = false;

  for (let round = 0; round < MAX_ROUNDS && !token.isCancellationRequested; round += 1) {
    let response: vscode.LanguageModelChatResponse;
    try {
      response = await request.model.sendRequest(
        messages,
        {
          tools,
          justification: 'Pilot Light answers questions about your AWS resources with its read-only and guarded tools.',
        },
        token,
      );
    } catch (error) {
      if (!producedOutput) throw new ModelUnavailableError((error as Error).message);
      throw error;
    }
    const textParts: vscode.LanguageModelTextPart[] = [];
    const calls: vscode.LanguageModelToolCallPart[] = [];
    try {
      for await (const part of response.stream) {
        if (part instanceof vscode.LanguageModelTextPart) {
          textParts.push(part);
          stream.markdown(part.value);
          if (options.record) options.record.markdown += part.value;
          producedOutput = true;
        } else if (part instanceof vscode.LanguageModelToolCallPart) calls.push(part);
      }
    } catch (error) {
      if (!producedOutput && !calls.length) throw new ModelUnavailableError((error as Error).message);
      throw error;
    }
    if (!calls.length) break;
    producedOutput = true;
    messages.push(vscode.LanguageModelChatMessage.Assistant([...textParts, ...calls]));
    const results: vscode.LanguageModelToolResultPart[] = [];
    for (const call of calls) {
      result.toolCalls.push(call.name);
      options.record?.toolCalls.push(call.name);
      let toolResult: vscode.LanguageModelToolResult;
      if (!call.name.startsWith('pilotLight_')) {
        toolResult = new vscode.LanguageModelToolResult([
          new vscode.LanguageModelTextPart(`Unknown tool ${call.name}; only pilotLight_* tools are available here.`),
        ]);
      } else {
        try {
          toolResult = await vscode.lm.invokeTool(
            call.name,
            { input: call.input, toolInvocationToken: request.toolInvocationToken },
            token,
          );
        } catch (error) {
          toolResult = new vscode.LanguageModelToolResult([
            new vscode.LanguageModelTextPart(`The tool did not run: ${(error as Error).message}. Nothing was changed.`),
          ]);
        }
      }
      const payload = parsePayload(toolResult);
      for (const resource of payload?.resources ?? [])
        if (resource?.id && !result.touched.some((known) => known.id === resource.id))
          result.touched.push({ ...resource, region: resource.region ?? options.region });
      if (
        payload?.operation &&
        (payload.status === 'refused' || payload.status === 'dry-run') &&
        CHANGE_TOOLS.has(call.name)
      ) {
        const input =
          payload.data?.input ??
          (call.input as { input?: Record<string, unknown> }).input ??
          (call.input as Record<string, unknown>);
        // The account the tool call named (checked again when the button runs), so the buttons act there too.
        const named = (call.input as { account?: unknown }).account;
        const where = typeof named === 'string' && /^\d{12}$/.test(named) ? { account: named } : {};
        if (!result.actions.some((action) => action.kind === 'dry-run' && action.operationId === payload.operation)) {
          result.actions.push({
            kind: 'dry-run',
            title: `Dry-run ${payload.operation}`,
            operationId: payload.operation,
            input,
            region: options.region,
            ...where,
          });
          result.actions.push({
            kind: 'run',
            title: `Approve and run ${payload.operation}`,
            operationId: payload.operation,
            input,
            region: options.region,
            ...where,
          });
        }
      }
      results.push(new vscode.LanguageModelToolResultPart(call.callId, toolResult.content));
    }
    messages.push(vscode.LanguageModelChatMessage.User(results));
  }
  return result;
}
