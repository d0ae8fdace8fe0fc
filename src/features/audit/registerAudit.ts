import { writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { AuditExportFormat, AuditFilter } from '../../core/audit/export';
import type { AuditOutcome } from '../../core/audit/types';
import type { AuditVerification } from '../../core/audit/verify';
import { commandRegistrar } from '../shared/commands';
import { registerPreviewDocuments } from '../shared/interactiveRun';
import { OperationService } from '../shared/operationService';
import { CONFIG_SECTION, type PilotLightContext } from '../shared/pilotLightContext';
import { AUDIT_VIEW_ID, type AuditEntryItem, AuditViewProvider, describeFilter } from './auditView';

const OUTCOMES: AuditOutcome[] = ['dry-run', 'refused', 'approved', 'succeeded', 'failed'];

export interface AuditFeature {
  provider: AuditViewProvider;
  view: vscode.TreeView<AuditEntryItem>;
}

interface ExportArgs {
  format?: AuditExportFormat;
  filter?: AuditFilter;
  /** Where to write; without it a save dialog asks. */
  path?: string;
}

/** Distinct values of a field across the trail, for filter pickers. */
async function valuesIn(
  path: string,
  pick: (record: { operation: string; environments?: string[]; environment?: string; caller: string }) => string[],
): Promise<string[]> {
  const { readAuditTrail } = await import('../../core/audit/export');
  const values = new Set<string>();
  for (const record of await readAuditTrail(path).catch(() => []))
    for (const value of pick(record)) if (value) values.add(value);
  return [...values].sort();
}

/** Asks which filters to apply: dimensions, then values (several per dimension). */
async function pickFilter(path: string, current: AuditFilter): Promise<AuditFilter | undefined> {
  const dimensions = await vscode.window.showQuickPick(
    [
      { label: 'Outcome', key: 'outcomes' as const, picked: Boolean(current.outcomes?.length) },
      { label: 'Operation', key: 'operations' as const, picked: Boolean(current.operations?.length) },
      { label: 'Environment', key: 'environments' as const, picked: Boolean(current.environments?.length) },
      { label: 'Caller', key: 'callers' as const, picked: Boolean(current.callers?.length) },
    ],
    { title: 'Filter the audit trail by…', canPickMany: true, ignoreFocusOut: true },
  );
  if (!dimensions) return undefined;
  const filter: AuditFilter = {};
  for (const dimension of dimensions) {
    const values =
      dimension.key === 'outcomes'
        ? OUTCOMES
        : await valuesIn(path, (record) =>
            dimension.key === 'operations'
              ? [record.operation]
              : dimension.key === 'callers'
                ? [record.caller]
                : (record.environments ?? (record.environment ? [record.environment] : [])),
          );
    const chosen = await vscode.window.showQuickPick(
      values.map((value) => ({
        label: value,
        picked: (current[dimension.key] as string[] | undefined)?.includes(value),
      })),
      { title: `${dimension.label}: show only`, canPickMany: true, ignoreFocusOut: true },
    );
    if (chosen === undefined) return undefined;
    if (chosen.length) (filter as Record<string, string[]>)[dimension.key] = chosen.map((item) => item.label);
  }
  return filter;
}

/** The Audit view and the "Verify audit trail" / "Export audit trail" commands. */
export function registerAudit(ctx: PilotLightContext): AuditFeature {
  const service = OperationService.for(ctx);
  const provider = new AuditViewProvider(() => service.auditPath());
  const view = vscode.window.createTreeView(AUDIT_VIEW_ID, { treeDataProvider: provider });
  const previews = registerPreviewDocuments(ctx.extension);
  const command = commandRegistrar(ctx);
  provider.onFilterChanged = (description) => (view.description = description ? `Filter: ${description}` : undefined);
  let refreshTimer: NodeJS.Timeout | undefined;
  const refreshSoon = () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => provider.refresh(), 250);
  };
  let trailWatcher: vscode.Disposable | undefined;
  const watchTrail = () => {
    trailWatcher?.dispose();
    const path = service.auditPath();
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(dirname(path)), basename(path)),
    );
    trailWatcher = vscode.Disposable.from(
      watcher,
      watcher.onDidChange(refreshSoon),
      watcher.onDidCreate(refreshSoon),
      watcher.onDidDelete(refreshSoon),
    );
  };
  // Only once the view is shown: watching costs nothing at activation.
  const visibility = view.onDidChangeVisibility((event) => event.visible && !trailWatcher && watchTrail());

  ctx.extension.subscriptions.push(
    provider,
    view,
    visibility,
    { dispose: () => (clearTimeout(refreshTimer), trailWatcher?.dispose()) },
    service.onDidRun(refreshSoon),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(`${CONFIG_SECTION}.audit.path`)) return;
      if (trailWatcher) watchTrail();
      provider.refresh();
    }),
    command('pilotLight.audit.refresh', () => provider.refresh()),
    command('pilotLight.audit.verify', async (): Promise<AuditVerification & { path: string }> => {
      const { verifyAuditTrail } = await import('../../core/audit/verify');
      const path = service.auditPath();
      const verification = await verifyAuditTrail(path);
      if (verification.ok) void vscode.window.showInformationMessage(`Audit trail verified: ${verification.message}`);
      else {
        // A deleted trail has nothing to open.
        void vscode.window
          .showErrorMessage(
            `Audit trail check failed: ${verification.message}`,
            ...(verification.problem === 'missing' ? [] : ['Open Trail']),
          )
          .then(async (choice) => {
            if (!choice) return;
            const line = Math.max(0, (verification.firstBadLine ?? 1) - 1);
            await vscode.window.showTextDocument(vscode.Uri.file(path), {
              selection: new vscode.Range(line, 0, line, 0),
            });
          });
      }
      service.log(verification.ok ? 'info' : 'warn', `Audit verification of ${path}: ${verification.message}`);
      return { ...verification, path };
    }),
    command('pilotLight.audit.export', async (args?: ExportArgs) => {
      const { exportAuditTrail, readAuditTrail } = await import('../../core/audit/export');
      const trail = service.auditPath();
      let format = args?.format;
      if (!format) {
        const picked = await vscode.window.showQuickPick(
          [
            { label: 'JSON', format: 'json' as const },
            { label: 'CSV', format: 'csv' as const },
          ],
          { title: 'Export the audit trail as', ignoreFocusOut: true },
        );
        if (!picked) return undefined;
        format = picked.format;
      }
      let filter = args?.filter;
      if (!filter) {
        const choice = await vscode.window.showQuickPick(
          [
            { label: 'Everything', id: 'all' },
            { label: "The Audit view's filter", description: describeFilter(provider.filter) ?? 'none', id: 'view' },
            { label: 'Choose filters…', id: 'choose' },
          ],
          { title: 'Which entries?', ignoreFocusOut: true },
        );
        if (!choice) return undefined;
        filter =
          choice.id === 'all' ? {} : choice.id === 'view' ? provider.filter : await pickFilter(trail, provider.filter);
        if (!filter) return undefined;
      }
      let target = args?.path;
      if (!target) {
        const uri = await vscode.window.showSaveDialog({
          title: 'Export audit trail',
          defaultUri: vscode.Uri.file(`pilot-light-audit-${new Date().toISOString().slice(0, 10)}.${format}`),
          filters: format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
        });
        if (!uri) return undefined;
        target = uri.fsPath;
      }
      const text = await exportAuditTrail(trail, format, filter);
      await writeFile(target, text, 'utf8');
      const count = (await readAuditTrail(trail, filter)).length;
      void vscode.window.showInformationMessage(`Exported ${count} audit entries to ${target}.`);
      return { path: target, format, count };
    }),
    command('pilotLight.audit.filter', async (filter?: AuditFilter) => {
      const chosen =
        filter && typeof filter === 'object' ? filter : await pickFilter(service.auditPath(), provider.filter);
      if (chosen) provider.setFilter(chosen);
      return provider.filter;
    }),
    command('pilotLight.audit.clearFilter', () => provider.setFilter({})),
    command('pilotLight.audit.openTrail', async () => {
      const path = service.auditPath();
      try {
        await vscode.window.showTextDocument(vscode.Uri.file(path), { preview: true });
      } catch {
        void vscode.window.showInformationMessage(`The audit trail ${path} has no entries yet.`);
      }
    }),
    command('pilotLight.audit.showEntry', async (item?: AuditEntryItem) => {
      const record = item?.record ?? (view.selection[0] as AuditEntryItem | undefined)?.record;
      if (!record) return;
      await previews.show(`audit-${record.seq}`, `${JSON.stringify(record, null, 2)}\n`);
    }),
  );
  return { provider, view };
}
