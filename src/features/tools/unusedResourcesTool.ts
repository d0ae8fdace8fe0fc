import * as vscode from 'vscode';
import type { OperationService } from '../shared/operationService';
import { CONFIG_SECTION } from '../shared/pilotLightContext';
import { readVia } from '../shared/serviceReads';

/** Read-only: unused resources with estimated monthly costs from the bundled, dated price table. */
export class UnusedResourcesTool implements vscode.LanguageModelTool<{ stoppedForDays?: number }> {
  constructor(private readonly service: OperationService) {}

  prepareInvocation(): vscode.PreparedToolInvocation {
    return { invocationMessage: 'Looking for unused resources' };
  }

  async invoke(
    options: vscode.LanguageModelToolInvocationOptions<{ stoppedForDays?: number }>,
  ): Promise<vscode.LanguageModelToolResult> {
    const [{ collectUnused, unusedToolResult }, { toolResultText }] = await Promise.all([
      import('../../core/insights/unused'),
      import('../../core/agent/toolResults'),
    ]);
    const region = await this.service.currentRegion();
    const configured = vscode.workspace.getConfiguration(CONFIG_SECTION).get<number>('insights.stoppedInstanceDays');
    const stoppedDays = Number.isInteger(options.input?.stoppedForDays) ? options.input.stoppedForDays : configured;
    const report = await collectUnused(readVia(this.service, 'lm-tool', region), {
      region,
      resolveEnvironment: await this.service.environmentResolver(),
      stoppedDays,
    });
    const result = unusedToolResult(report);
    const text = toolResultText({
      tool: 'pilotLight_findUnusedResources',
      ...result,
      resources: report.findings.map((finding) => finding.resource),
    });
    this.service.recordToolEvent({
      tool: 'pilotLight_findUnusedResources',
      phase: 'invoke',
      status: result.status,
      text,
    });
    return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
  }
}
