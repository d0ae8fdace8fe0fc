import * as vscode from 'vscode';
import type { AgentToolHost, PreparedCalls } from '../../core/agent/toolInvocation';
import type { ToolSpec } from '../../core/agent/toolCatalog';
import type { OperationService } from '../shared/operationService';

function textResult(text: string): vscode.LanguageModelToolResult {
  return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
}

function signalFor(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

/**
 * A tool over registry operations: reads, dry-runs, or writes (src/core/agent/toolInvocation.ts, shared with
 * the coming MCP server). Writes show the dry-run preview (account, region, environment) in their
 * confirmation, and invoke runs the operation through the core runtime, which checks every guardrail again
 * and asks for the approval the policy requires: without it, nothing changes. A tool only runs the
 * operations its spec lists, whatever the model sends.
 */
export class OperationTool implements vscode.LanguageModelTool<unknown> {
  private preparedCalls?: PreparedCalls;

  constructor(
    private readonly service: OperationService,
    private readonly spec: ToolSpec,
  ) {}

  private host(): AgentToolHost {
    return {
      run: (operationId, input, options) => this.service.run(operationId, input, { caller: 'lm-tool', ...options }),
      environmentResolver: () => this.service.environmentResolver(),
      currentRegion: () => this.service.currentRegion(),
      activeAccount: () => this.service.activeAccount(),
      profileForAccount: async (account) => {
        const { organizationsFeature } = await import('../organizations/organizationsFeature');
        return organizationsFeature(this.service.context).profileForAccount(account, 'lm-tool');
      },
      readAcrossAccounts: async (operationId, input, across, signal) => {
        const [{ readAcrossAccounts }, { organizationsFeature }] = await Promise.all([
          import('../../core/organizations/agentRead'),
          import('../organizations/organizationsFeature'),
        ]);
        const feature = organizationsFeature(this.service.context);
        return readAcrossAccounts(
          await feature.access(),
          {
            tool: this.spec.name,
            operationId,
            input,
            ...across,
            defaultRegion: await this.service.currentRegion(),
            caller: 'lm-tool',
            concurrency: feature.settings().concurrency,
            signal,
          },
          (await this.service.policy()).policy,
        );
      },
      externalApprovals: this.service.agentApprovals,
      requestedBy: 'AI agent in VS Code chat',
    };
  }

  private async prepared(): Promise<PreparedCalls> {
    if (!this.preparedCalls) {
      const { PreparedCalls } = await import('../../core/agent/toolInvocation');
      this.preparedCalls ??= new PreparedCalls();
    }
    return this.preparedCalls;
  }

  async prepareInvocation(
    options: vscode.LanguageModelToolInvocationPrepareOptions<unknown>,
    token: vscode.CancellationToken,
  ): Promise<vscode.PreparedToolInvocation> {
    const { prepareToolCall } = await import('../../core/agent/toolInvocation');
    const prepared = await prepareToolCall(this.spec, options.input, this.host(), signalFor(token));
    switch (prepared.kind) {
      case 'message':
        if (prepared.problem)
          this.service.recordToolEvent({
            tool: this.spec.name,
            phase: 'prepare',
            operationId: prepared.operationId,
            status: prepared.status,
            text: prepared.problem,
          });
        return { invocationMessage: prepared.message };
      case 'unpreviewed':
        this.service.recordToolEvent({
          tool: this.spec.name,
          phase: 'prepare',
          operationId: prepared.operationId,
          status: prepared.status,
          text: prepared.problem,
        });
        // The failure may be transient, so the call could run later: it is confirmed like every write.
        return {
          invocationMessage: prepared.operationId,
          confirmationMessages: { title: prepared.title, message: new vscode.MarkdownString(prepared.markdown) },
        };
      case 'preview': {
        (await this.prepared()).remember(prepared.operationId, prepared.input, prepared.correlationId);
        this.service.recordToolEvent({
          tool: this.spec.name,
          phase: 'prepare',
          operationId: prepared.operationId,
          status: prepared.status,
          text: `${prepared.title}\n${prepared.markdown}`,
        });
        return {
          invocationMessage: prepared.message,
          confirmationMessages: { title: prepared.title, message: new vscode.MarkdownString(prepared.markdown) },
        };
      }
    }
  }

  async invoke(
    options: vscode.LanguageModelToolInvocationOptions<unknown>,
    token: vscode.CancellationToken,
  ): Promise<vscode.LanguageModelToolResult> {
    const [{ invokeToolCall }, { operationCall, isWriteTool }, { toolResultText }] = await Promise.all([
      import('../../core/agent/toolInvocation'),
      import('../../core/agent/toolCatalog'),
      import('../../core/agent/toolResults'),
    ]);
    // A write: VS Code has shown prepareInvocation's confirmation (in a chat, or as a dialog outside one)
    // unless the user chose "always allow" for this tool; approvals the policy requires are asked by the runtime.
    const call = operationCall(this.spec, options.input);
    const correlationId =
      call.ok && isWriteTool(this.spec) ? (await this.prepared()).take(call.operationId, call.input) : undefined;
    const payload = await invokeToolCall(this.spec, options.input, this.host(), {
      correlationId,
      signal: signalFor(token),
    });
    const text = toolResultText(payload);
    this.service.recordToolEvent({
      tool: this.spec.name,
      phase: 'invoke',
      operationId: payload.operation,
      status: payload.status,
      text,
      withChatToken: Boolean(options.toolInvocationToken),
    });
    return textResult(text);
  }
}
