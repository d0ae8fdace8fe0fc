import * as vscode from 'vscode';
import type { ReportFormat } from '../../core/compliance/report';
import type { ComplianceFinding, ComplianceReport } from '../../core/compliance/types';
import { commandRegistrar } from '../shared/commands';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { resourceIdOf } from '../shared/resourceUri';
import type { ComplianceFeature } from './complianceFeature';
import { ComplianceTreeProvider, FindingNode } from './complianceTree';

export type { ComplianceFeature } from './complianceFeature';

export const COMPLIANCE_VIEW = 'pilotLight.compliance';
const SCHEDULE_SETTING = 'pilotLight.compliance.scheduleMinutes';

const SEVERITY_COLOR: Record<string, string> = {
  critical: 'list.errorForeground',
  high: 'list.errorForeground',
  medium: 'list.warningForeground',
};

/**
 * The Compliance view (findings grouped by rule, checks not run), its commands (run, export, fix), finding
 * badges on explorer rows, diagnostics in linked IaC templates, and the background schedule. The checks,
 * reports and writes load on first use.
 */
export function registerCompliance(ctx: PilotLightContext): ComplianceFeature {
  const provider = new ComplianceTreeProvider();
  const view = vscode.window.createTreeView(COMPLIANCE_VIEW, { treeDataProvider: provider, showCollapseAll: true });
  const command = commandRegistrar(ctx);
  const decorationsChanged = new vscode.EventEmitter<vscode.Uri[] | undefined>();
  let report: ComplianceReport | undefined;
  let byResource = new Map<string, ComplianceFinding[]>();
  let running: Promise<ComplianceReport | undefined> | undefined;
  let actions: Promise<typeof import('./complianceActions')> | undefined;
  const loadActions = () => (actions ??= import('./complianceActions'));

  const publish = (next: ComplianceReport) => {
    report = next;
    byResource = new Map();
    for (const check of next.checks)
      for (const finding of check.findings)
        for (const key of new Set([finding.resource.id, finding.resource.arn].filter((id): id is string => !!id)))
          byResource.set(key, [...(byResource.get(key) ?? []), finding]);
    provider.setState({ kind: 'report', report: next });
    decorationsChanged.fire(undefined);
    void loadActions().then((loaded) => loaded.updateTemplateDiagnostics(ctx, feature));
  };

  const decorations: vscode.FileDecorationProvider = {
    onDidChangeFileDecorations: decorationsChanged.event,
    provideFileDecoration(uri) {
      const id = resourceIdOf(uri);
      const findings = id ? byResource.get(id) : undefined;
      if (!findings?.length) return undefined;
      const worst =
        findings.find((f) => f.severity === 'critical' || f.severity === 'high') ??
        findings.find((f) => f.severity === 'medium') ??
        findings[0];
      const titles = [...new Set(findings.map((f) => f.ruleTitle))];
      return {
        badge: findings.length > 9 ? '9+' : String(findings.length),
        tooltip: `Compliance: ${findings.length} finding${findings.length === 1 ? '' : 's'} (${titles.join('; ')})`,
        color: SEVERITY_COLOR[worst.severity] ? new vscode.ThemeColor(SEVERITY_COLOR[worst.severity]) : undefined,
      };
    },
  };

  const feature: ComplianceFeature = {
    provider,
    view,
    decorations,
    lastReport: () => report,
    findingsFor: (resourceId) => byResource.get(resourceId) ?? [],
    run: (options = {}) =>
      (running ??= (async () => {
        provider.setState({ kind: 'running', previous: report });
        try {
          const next = await (await loadActions()).runChecks(ctx);
          publish(next);
          if (!options.quiet) {
            const { summarize, verdictLine } = await import('../../core/compliance/report');
            void vscode.window.setStatusBarMessage(`Pilot Light compliance: ${verdictLine(summarize(next))}`, 10_000);
          }
          return next;
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          provider.setState({ kind: 'failed', message, previous: report });
          ctx.log.warn(`Compliance: checks did not run: ${message}`);
          if (!options.quiet) throw error;
          return undefined;
        } finally {
          running = undefined;
        }
      })()),
  };

  const findingOf = (arg: unknown): ComplianceFinding | undefined =>
    arg instanceof FindingNode
      ? arg.finding
      : view.selection[0] instanceof FindingNode
        ? view.selection[0].finding
        : arg && typeof arg === 'object' && 'ruleId' in arg && 'resource' in arg
          ? (arg as ComplianceFinding)
          : undefined;

  ctx.extension.subscriptions.push(
    provider,
    view,
    decorationsChanged,
    command('pilotLight.compliance.run', async () => {
      const next = await feature.run();
      if (!next) return undefined;
      const findings = next.checks.reduce((sum, check) => sum + check.findings.length, 0);
      return {
        findings,
        checksNotRun: next.checks.filter((check) => check.status !== 'ran').map((check) => check.ruleId),
      };
    }),
    command('pilotLight.compliance.export', async (format?: ReportFormat, target?: vscode.Uri) => {
      const current = report ?? (await feature.run());
      if (!current) return undefined;
      return (await loadActions()).exportReport(
        current,
        typeof format === 'string' ? format : undefined,
        target instanceof vscode.Uri ? target : undefined,
      );
    }),
    command('pilotLight.compliance.fix', async (arg?: unknown) => {
      const finding = findingOf(arg);
      if (!finding) {
        void vscode.window.showInformationMessage('Select a finding in the Compliance view first, then use "Fix…".');
        return undefined;
      }
      const result = await (await loadActions()).fixFinding(finding);
      if (result?.status === 'succeeded') void feature.run({ quiet: true });
      return result;
    }),
  );

  ctx.afterActivation(() => {
    ctx.extension.subscriptions.push(vscode.window.registerFileDecorationProvider(feature.decorations));
    void import('../iac/drift/linkedResources').then(({ onDidChangeLinkedResources }) =>
      ctx.extension.subscriptions.push(
        onDidChangeLinkedResources(() => {
          if (report) void loadActions().then((loaded) => loaded.updateTemplateDiagnostics(ctx, feature));
        }),
      ),
    );
    startSchedule(ctx, feature);
  });
  return feature;
}

/** Runs the checks in the background every `pilotLight.compliance.scheduleMinutes` (user settings; 0 = off). */
function startSchedule(ctx: PilotLightContext, feature: ComplianceFeature): void {
  let timer: ReturnType<typeof setInterval> | undefined;
  const apply = async () => {
    const values = vscode.workspace.getConfiguration().inspect(SCHEDULE_SETTING);
    const set = [values?.globalValue, values?.workspaceValue, values?.workspaceFolderValue].some(
      (v) => v !== undefined,
    );
    // Nothing set (the default, off): the core is not loaded at startup for it.
    const { minutes, ignored } = set
      ? (await import('../../core/compliance/schedule')).resolveSchedule(values)
      : { minutes: 0, ignored: [] };
    for (const line of ignored) ctx.log.warn(`${SCHEDULE_SETTING}: ${line}`);
    if (timer) clearInterval(timer);
    timer = undefined;
    if (minutes > 0) {
      timer = setInterval(() => void feature.run({ quiet: true }), minutes * 60_000);
      timer.unref?.();
      ctx.log.info(`Compliance checks run in the background every ${minutes} minutes.`);
    }
  };
  void apply();
  ctx.extension.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration(SCHEDULE_SETTING) && void apply()),
    { dispose: () => timer && clearInterval(timer) },
  );
}
