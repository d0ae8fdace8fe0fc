import * as vscode from 'vscode';
import type { ToolSpec } from '../../core/agent/toolCatalog';
import type { OperationPreview } from '../../core/operations/preview';
import type { OperationService } from '../shared/operationService';

const MAX_PREPARED = 50;

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
 * A tool over registry operations: reads, dry-runs, or writes. Writes show the dry-run preview (account,
 * region, environment) in their confirmation, and invoke runs the operation through the core runtime,
 * which checks every guardrail again and asks for the approval the policy requires: without it, nothing
 * changes. A tool only runs the operations its spec lists, whatever the model sends.
 */
export class OperationTool implements vscode.LanguageModelTool<unknown> {
  /** Dry-run correlation IDs by call, so the audit links the confirmed preview with the execution. */
  private readonly prepared = new Map<string, string>();

  constructor(
    private readonly service: OperationService,
    private readonly spec: ToolSpec,
  ) {}

  private get writes(): boolean {
    return this.spec.kind === 'write' || this.spec.kind === 'delete';
  }

  async prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<unknown>, token: vscode.CancellationToken): Promise<vscode.PreparedToolInvocation> {
    const [{ operationCall }, { describeProblem: problemOf }] = await Promise.all([import('../../core/agent/toolCatalog'), import('../../core/runtime/changeFlow')]);
    const call = operationCall(this.spec, options.input);
    if (!call.ok) return { invocationMessage: call.message };
    if (!this.writes) return { invocationMessage: `${this.spec.kind === 'dry-run' ? 'Dry-running' : 'Reading'} ${call.operationId}` };
    const [{ formatPreview }, { renderConfirmation }] = await Promise.all([import('../../core/operations/preview'), import('../../core/conversation/render')]);
    const dryRun = await this.service.run(call.operationId, call.input, { caller: 'lm-tool', mode: 'dry-run', signal: signalFor(token) });
    if (!dryRun.preview) {
      this.service.recordToolEvent({ tool: this.spec.name, phase: 'prepare', operationId: call.operationId, status: dryRun.status, text: problemOf(dryRun) });
      // Invalid input is refused again, deterministically, by invoke: nothing to confirm.
      if (dryRun.refusal?.code === 'invalid-input' || dryRun.refusal?.code === 'unknown-operation') return { invocationMessage: `${call.operationId}: ${problemOf(dryRun)}` };
      // Any other failure may be transient, so the call could run later: it is confirmed like every write.
      const { escapeMarkdown } = await import('../../core/conversation/markdown');
      return {
        invocationMessage: call.operationId,
        confirmationMessages: {
          title: `Run ${call.operationId} without a preview?`,
          message: new vscode.MarkdownString(`Pilot Light could not preview this change: ${escapeMarkdown(problemOf(dryRun), 600)}\n\nIf you continue, every guardrail is still checked and approvals are still asked.`),
        },
      };
    }
    this.remember(call.operationId, call.input, dryRun.correlationId);
    const preview: OperationPreview = dryRun.preview;
    const message = renderConfirmation(preview, formatPreview(preview));
    const title = preview.guardrails.verdict === 'refused' ? `Pilot Light will refuse: ${preview.summary}` : `${preview.summary}?`;
    this.service.recordToolEvent({ tool: this.spec.name, phase: 'prepare', operationId: call.operationId, status: preview.guardrails.verdict, text: `${title}\n${message}` });
    return {
      invocationMessage: `${preview.summary} (account ${preview.account}, ${preview.region}, ${preview.environments.join(', ') || 'unknown'})`,
      confirmationMessages: { title, message: new vscode.MarkdownString(message) },
    };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<unknown>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const [{ operationCall }, { toolResultText, compactReadOutput }, { describeProblem: problemOf }] = await Promise.all([import('../../core/agent/toolCatalog'), import('../../core/agent/toolResults'), import('../../core/runtime/changeFlow')]);
    const call = operationCall(this.spec, options.input);
    const finish = (payload: Parameters<typeof toolResultText>[0]) => {
      const text = toolResultText(payload);
      this.service.recordToolEvent({ tool: this.spec.name, phase: 'invoke', operationId: payload.operation, status: payload.status, text, withChatToken: Boolean(options.toolInvocationToken) });
      return textResult(text);
    };
    if (!call.ok) return finish({ tool: this.spec.name, status: 'not-allowed', summary: call.message });
    const signal = signalFor(token);

    if (this.spec.kind === 'read') {
      const outcome = await this.service.run(call.operationId, call.input, { caller: 'lm-tool', mode: 'execute', signal });
      if (outcome.status !== 'succeeded') return finish({ tool: this.spec.name, status: outcome.status === 'refused' ? 'refused' : 'failed', operation: call.operationId, summary: problemOf(outcome) });
      const resolve = await this.service.environmentResolver();
      const region = (outcome.preview?.region ?? undefined) || (await this.service.currentRegion());
      const compact = compactReadOutput(call.operationId, outcome.output, region, resolve);
      return finish({ tool: this.spec.name, status: 'succeeded', operation: call.operationId, summary: compact.count !== undefined ? `${compact.count} item(s).` : 'Done.', resources: compact.resources, data: compact.data });
    }

    const { formatPreview } = await import('../../core/operations/preview');
    if (this.spec.kind === 'dry-run') {
      const outcome = await this.service.run(call.operationId, call.input, { caller: 'lm-tool', mode: 'dry-run', signal });
      if (!outcome.preview) return finish({ tool: this.spec.name, status: outcome.status === 'refused' ? 'refused' : 'failed', operation: call.operationId, summary: problemOf(outcome) });
      return finish({
        tool: this.spec.name,
        status: 'dry-run',
        operation: call.operationId,
        summary: `Dry-run only, nothing changed. Verdict: ${outcome.preview.guardrails.verdict}.`,
        resources: outcome.preview.resources.filter((resource) => resource.role === 'target' && !resource.id.startsWith('(')).map((resource) => ({ type: resource.type, id: resource.id, name: resource.name, environment: resource.environment, region: outcome.preview!.region })),
        data: { preview: formatPreview(outcome.preview), input: call.input },
        correlationId: outcome.correlationId,
      });
    }

    // A write. VS Code has shown prepareInvocation's confirmation (in a chat, or as a dialog outside one)
    // unless the user chose "always allow" for this tool; approvals the policy requires are asked below.
    const correlationId = this.take(call.operationId, call.input);
    const outcome = await this.service.run(call.operationId, call.input, { caller: 'lm-tool', mode: 'execute', correlationId, signal });
    const resources = (outcome.preview?.resources ?? []).filter((resource) => resource.role === 'target' && !resource.id.startsWith('(')).map((resource) => ({ type: resource.type, id: resource.id, name: resource.name, environment: resource.environment, region: outcome.preview!.region }));
    if (outcome.status === 'succeeded') {
      const backups = outcome.backups.length ? ` Backups: ${outcome.backups.map((backup) => `${backup.kind} ${backup.id}`).join(', ')}.` : '';
      return finish({ tool: this.spec.name, status: 'succeeded', operation: call.operationId, summary: `${outcome.preview?.summary ?? call.operationId}: done.${backups}`, resources, data: outcome.output, correlationId: outcome.correlationId });
    }
    return finish({
      tool: this.spec.name,
      status: outcome.status === 'refused' ? 'refused' : 'failed',
      operation: call.operationId,
      summary: `${problemOf(outcome)} Nothing was changed${outcome.status === 'failed' ? ' (unless the error says otherwise)' : ''}. Tell the user; do not retry it another way. They can review it with the Dry-run button and approve it themselves.`,
      resources,
      data: { input: call.input },
      correlationId: outcome.correlationId,
    });
  }

  private key(operationId: string, input: unknown): string {
    return JSON.stringify([operationId, input]);
  }

  private remember(operationId: string, input: unknown, correlationId: string): void {
    this.prepared.set(this.key(operationId, input), correlationId);
    if (this.prepared.size > MAX_PREPARED) this.prepared.delete(this.prepared.keys().next().value!);
  }

  private take(operationId: string, input: unknown): string | undefined {
    const key = this.key(operationId, input);
    const id = this.prepared.get(key);
    this.prepared.delete(key);
    return id;
  }
}
