import * as vscode from 'vscode';
import type { OperationService } from '../shared/operationService';
import { readVia } from '../shared/serviceReads';

/** Read-only: IAM statements that are too broad and security groups open to the internet on admin ports. */
export class SecurityFindingsTool implements vscode.LanguageModelTool<{ scope?: 'all' | 'iam' | 'network' }> {
  constructor(private readonly service: OperationService) {}

  prepareInvocation(): vscode.PreparedToolInvocation {
    return { invocationMessage: 'Checking IAM policies and security groups' };
  }

  async invoke(
    options: vscode.LanguageModelToolInvocationOptions<{ scope?: 'all' | 'iam' | 'network' }>,
  ): Promise<vscode.LanguageModelToolResult> {
    const [{ collectSecurityFindings, securityToolResult }, { toolResultText }] = await Promise.all([
      import('../../core/insights/security'),
      import('../../core/agent/toolResults'),
    ]);
    const scope =
      options.input?.scope === 'iam'
        ? ['iam' as const]
        : options.input?.scope === 'network'
          ? ['network' as const]
          : ['iam' as const, 'network' as const];
    const region = await this.service.currentRegion();
    const report = await collectSecurityFindings(readVia(this.service, 'lm-tool', region), {
      region,
      resolveEnvironment: await this.service.environmentResolver(),
      include: scope,
    });
    const result = securityToolResult(report);
    const text = toolResultText({
      tool: 'pilotLight_findSecurityIssues',
      ...result,
      resources: report.findings.map((finding) => ({
        type: finding.resource.type,
        id: finding.resource.id,
        name: finding.resource.name,
        region: finding.resource.region,
        environment: finding.resource.environment,
      })),
    });
    this.service.recordToolEvent({
      tool: 'pilotLight_findSecurityIssues',
      phase: 'invoke',
      status: result.status,
      text,
    });
    return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
  }
}
