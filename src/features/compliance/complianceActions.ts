import * as vscode from 'vscode';
import type { ReportFormat, TemplateLocation } from '../../core/compliance/report';
import type { ComplianceFinding, ComplianceReport, ComplianceSeverity } from '../../core/compliance/types';
import { linkedTemplates } from '../iac/drift/linkedResources';
import { UserError } from '../shared/commands';
import { OperationService } from '../shared/operationService';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { readVia } from '../shared/serviceReads';
import type { ComplianceFeature } from './complianceFeature';

export const COMPLIANCE_DIAGNOSTIC_SOURCE = 'Pilot Light compliance';

/** Every check over the connection's account, in its region and the explorer's regions. */
export async function runChecks(ctx: PilotLightContext): Promise<ComplianceReport> {
  const service = OperationService.for(ctx);
  const [{ runComplianceChecks }, { loadTagPolicy }] = await Promise.all([
    import('../../core/compliance/run'),
    import('../../core/compliance/tagPolicy'),
  ]);
  const [identity, region] = await Promise.all([ctx.identity(), service.currentRegion()]);
  const explorerRegions = vscode.workspace.getConfiguration('pilotLight.explorer').get<unknown>('regions');
  const regions = [
    ...new Set([
      region,
      ...(Array.isArray(explorerRegions) ? explorerRegions.filter((r): r is string => typeof r === 'string') : []),
    ]),
  ];
  const tagPolicy = await loadTagPolicy({
    userPolicy: vscode.workspace.getConfiguration().inspect('pilotLight.compliance.tagPolicy')?.globalValue,
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
  });
  const started = Date.now();
  const report = await runComplianceChecks({
    read: readVia(service, 'command', region),
    readInRegion: (other) => readVia(service, 'command', other),
    account: identity.account,
    regions,
    tagPolicy: tagPolicy.policy,
    tagPolicyErrors: tagPolicy.errors,
  });
  const findings = report.checks.reduce((sum, check) => sum + check.findings.length, 0);
  const notRun = report.checks.filter((check) => check.status !== 'ran').length;
  ctx.log.info(
    `Compliance: ${report.checks.length} checks in ${regions.join(', ')}: ${findings} findings, ${notRun} not run (${Date.now() - started} ms).`,
  );
  return report;
}

const EXTENSIONS: Record<ReportFormat, { extension: string; filter: string; label: string }> = {
  markdown: { extension: 'md', filter: 'Markdown', label: 'Markdown report (for people and pull requests)' },
  json: { extension: 'json', filter: 'JSON', label: 'JSON (the report, versioned)' },
  sarif: { extension: 'sarif', filter: 'SARIF', label: 'SARIF 2.1.0 (CI tools, code-scanning pages)' },
};

/** Where each finding's resource is declared in a template linked to its stack (SARIF physical locations). */
function templateLocator(): (finding: ComplianceFinding) => TemplateLocation | undefined {
  const byPhysicalId = new Map<string, TemplateLocation>();
  for (const template of linkedTemplates()) {
    const folder = vscode.workspace.getWorkspaceFolder(template.uri);
    const uri = folder
      ? vscode.workspace.asRelativePath(template.uri, false).replace(/\\/g, '/')
      : template.uri.toString();
    for (const resource of template.resources)
      byPhysicalId.set(resource.physicalId, {
        uri,
        startLine: resource.range.start.line + 1,
        endLine: resource.range.end.line + 1,
      });
  }
  return (finding) =>
    byPhysicalId.get(finding.resource.id) ??
    (finding.resource.arn ? byPhysicalId.get(finding.resource.arn) : undefined);
}

export async function reportText(report: ComplianceReport, format: ReportFormat, version?: string): Promise<string> {
  const { complianceReportJson, complianceReportMarkdown, complianceReportSarifText } =
    await import('../../core/compliance/report');
  if (format === 'markdown') return complianceReportMarkdown(report);
  if (format === 'json') return complianceReportJson(report);
  return complianceReportSarifText(report, { toolVersion: version, locate: templateLocator() });
}

/** Writes next to the target, then renames over it: a reader never sees half a report. */
async function writeAtomically(target: vscode.Uri, text: string): Promise<void> {
  const temporary = target.with({ path: `${target.path}.${process.pid}.${Date.now().toString(36)}.tmp` });
  await vscode.workspace.fs.writeFile(temporary, Buffer.from(text, 'utf8'));
  try {
    await vscode.workspace.fs.rename(temporary, target, { overwrite: true });
  } catch (error) {
    await vscode.workspace.fs.delete(temporary).then(undefined, () => undefined);
    throw error;
  }
}

/** Asks for the format and the file (unless given), writes the report, and returns the file's path. */
export async function exportReport(
  report: ComplianceReport,
  format?: ReportFormat,
  target?: vscode.Uri,
): Promise<string | undefined> {
  if (format && !(format in EXTENSIONS))
    throw new UserError(`"${format}" is not a report format (markdown, json or sarif).`);
  const chosen =
    format ??
    (
      await vscode.window.showQuickPick(
        (Object.keys(EXTENSIONS) as ReportFormat[]).map((key) => ({
          label: EXTENSIONS[key].filter,
          description: EXTENSIONS[key].label,
          key,
        })),
        { title: 'Export compliance report as…' },
      )
    )?.key;
  if (!chosen) return undefined;
  const { extension, filter } = EXTENSIONS[chosen];
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const stamp = report.generatedAt.slice(0, 10);
  const uri =
    target ??
    (await vscode.window.showSaveDialog({
      title: 'Export compliance report',
      defaultUri: folder
        ? vscode.Uri.joinPath(folder, `compliance-${report.account}-${stamp}.${extension}`)
        : undefined,
      filters: { [filter]: [extension] },
    }));
  if (!uri) return undefined;
  const version = vscode.extensions.all.find((extension) => extension.packageJSON?.name === 'pilot-light')?.packageJSON
    ?.version;
  await writeAtomically(uri, await reportText(report, chosen, typeof version === 'string' ? version : undefined));
  if (!target)
    void vscode.window
      .showInformationMessage(`Compliance report written to ${vscode.workspace.asRelativePath(uri)}.`, 'Open')
      .then((choice) => choice && vscode.window.showTextDocument(uri));
  return uri.fsPath;
}

/** Runs the finding's fixing operation through the operation-command path: dry-run preview, guardrails, confirmation. */
export async function fixFinding(finding: ComplianceFinding): Promise<{ status?: string } | undefined> {
  const { fixRequestFor } = await import('../../core/compliance/remediation');
  const request = fixRequestFor(finding);
  if (!request) {
    void vscode.window.showInformationMessage(`No automatic fix for this finding yet. ${finding.fix.description}`);
    return undefined;
  }
  const tags = { ...((request.input.tags as Record<string, string> | undefined) ?? {}) };
  for (const { key, allowed } of request.askValues) {
    const value = allowed?.length
      ? await vscode.window.showQuickPick(allowed, {
          title: `Value of tag ${key} for ${finding.resource.id}`,
          ignoreFocusOut: true,
        })
      : await vscode.window.showInputBox({
          title: `Value of tag ${key} for ${finding.resource.id}`,
          prompt: 'Only missing tags are added; existing values are never overwritten.',
          ignoreFocusOut: true,
          validateInput: (text) => (text.length > 256 ? 'At most 256 characters.' : undefined),
        });
    if (value === undefined) return undefined;
    tags[key] = value;
  }
  const input = request.operationId === 'tagging.enforceTags' ? { ...request.input, tags } : request.input;
  return await vscode.commands.executeCommand<{ status?: string } | undefined>('pilotLight.operations.run', {
    operationId: request.operationId,
    input,
    region: request.region,
    title: request.title,
  });
}

const DIAGNOSTIC_SEVERITY: Record<ComplianceSeverity, vscode.DiagnosticSeverity> = {
  critical: vscode.DiagnosticSeverity.Error,
  high: vscode.DiagnosticSeverity.Error,
  medium: vscode.DiagnosticSeverity.Warning,
  low: vscode.DiagnosticSeverity.Information,
  informational: vscode.DiagnosticSeverity.Information,
};

let diagnostics: vscode.DiagnosticCollection | undefined;

/** A diagnostic on the resource's logical ID in every template linked to its stack, for each finding whose resource it is. */
export function updateTemplateDiagnostics(ctx: PilotLightContext, feature: ComplianceFeature): void {
  if (!diagnostics) {
    diagnostics = vscode.languages.createDiagnosticCollection('pilot-light-compliance');
    ctx.extension.subscriptions.push(diagnostics);
  }
  diagnostics.clear();
  for (const template of linkedTemplates()) {
    const found: vscode.Diagnostic[] = [];
    for (const resource of template.resources)
      for (const finding of feature.findingsFor(resource.physicalId)) {
        const diagnostic = new vscode.Diagnostic(
          resource.range,
          `${finding.ruleTitle}: ${finding.message} Fix: ${finding.fix.description}`,
          DIAGNOSTIC_SEVERITY[finding.severity],
        );
        diagnostic.source = COMPLIANCE_DIAGNOSTIC_SOURCE;
        diagnostic.code = finding.ruleId;
        found.push(diagnostic);
      }
    if (found.length) diagnostics.set(template.uri, found);
  }
}
