import * as vscode from 'vscode';
import { OperationService } from '../shared/operationService';
import type { PilotLightContext } from '../shared/pilotLightContext';

/** Defers loading the core until a tool is first used; activation registers names only. */
class LazyTool implements vscode.LanguageModelTool<unknown> {
  private implementation?: Promise<vscode.LanguageModelTool<unknown>>;

  constructor(private readonly create: () => Promise<vscode.LanguageModelTool<unknown>>) {}

  private tool(): Promise<vscode.LanguageModelTool<unknown>> {
    this.implementation ??= this.create();
    return this.implementation;
  }

  async prepareInvocation(
    options: vscode.LanguageModelToolInvocationPrepareOptions<unknown>,
    token: vscode.CancellationToken,
  ) {
    const tool = await this.tool();
    return tool.prepareInvocation?.(options, token);
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<unknown>, token: vscode.CancellationToken) {
    try {
      return await (await this.tool()).invoke(options, token);
    } catch (error) {
      // E.g. no usable credentials: the model gets a plain answer, and nothing was changed.
      const { redactString } = await import('../../core/audit/redaction');
      const message = redactString(error instanceof Error ? error.message : String(error));
      return new vscode.LanguageModelToolResult([
        new vscode.LanguageModelTextPart(
          JSON.stringify({ status: 'failed', summary: `The tool could not run: ${message}. Nothing was changed.` }),
        ),
      ]);
    }
  }
}

async function createTool(service: OperationService, name: string): Promise<vscode.LanguageModelTool<unknown>> {
  const { toolSpec } = await import('../../core/agent/toolCatalog');
  const spec = toolSpec(name);
  if (!spec) {
    return {
      invoke: async () =>
        new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(`Not supported yet: the tool ${name}.`)]),
    };
  }
  if (spec.shape.kind === 'security')
    return new (await import('./securityFindingsTool')).SecurityFindingsTool(
      service,
    ) as vscode.LanguageModelTool<unknown>;
  if (spec.shape.kind === 'unused')
    return new (await import('./unusedResourcesTool')).UnusedResourcesTool(
      service,
    ) as vscode.LanguageModelTool<unknown>;
  return new (await import('./operationTool')).OperationTool(service, spec);
}

/** The registered tools by name, for the extension's own tests (they call invoke without VS Code's dialog). */
export const registeredTools = new Map<string, vscode.LanguageModelTool<unknown>>();

/**
 * Registers the language-model tools contributed in package.json (generated from the core's tool catalog,
 * whose schemas come from the operation registry).
 */
export function registerTools(ctx: PilotLightContext): void {
  if (!vscode.lm?.registerTool) return;
  const service = OperationService.for(ctx);
  const contributed: Array<{ name: string }> =
    (
      ctx.extension.extension?.packageJSON as
        { contributes?: { languageModelTools?: Array<{ name: string }> } } | undefined
    )?.contributes?.languageModelTools ?? [];
  for (const { name } of contributed) {
    const tool = new LazyTool(() => createTool(service, name));
    registeredTools.set(name, tool);
    ctx.extension.subscriptions.push(vscode.lm.registerTool(name, tool));
  }
}
