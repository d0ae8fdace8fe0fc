import { basename } from 'node:path';
import * as vscode from 'vscode';
import { DR_REPORT_SCHEME } from '../../dr/reportDocuments';
import type { DrFeature } from '../../dr/registerDr';
import { UserError } from '../../shared/commands';
import type { PilotLightContext } from '../../shared/pilotLightContext';

/** While the view is open it is refreshed this often, for at most REFRESH_FOR_MS. */
const REFRESH_MS = 15_000;
const REFRESH_FOR_MS = 30 * 60_000;
const refreshing = new Map<string, ReturnType<typeof setInterval>>();

function groupArg(arg: unknown): { name?: string; path?: string } {
  if (arg instanceof vscode.Uri) return { path: arg.fsPath };
  if (typeof arg === 'string') return /[\\/]|\.ya?ml$/i.test(arg) ? { path: arg } : { name: arg };
  const active = vscode.window.activeTextEditor?.document;
  if (active && /\.protection-group\.ya?ml$/i.test(active.fileName)) return { path: active.fileName };
  return {};
}

/**
 * The protection-group view: the group's servers as DRS reports them now (replication state, lag, last
 * recovery instance), with tags and IDs that match nothing flagged. A Markdown preview, refreshed while open.
 */
export async function showProtectionGroup(ctx: PilotLightContext, dr: DrFeature, arg: unknown): Promise<vscode.Uri> {
  const wanted = groupArg(arg);
  const services = dr.services;
  const ws = await import('../../../core/dr/workspace');
  const roots = services.folders().map((folder) => folder.uri.fsPath);
  const files = (await Promise.all(roots.map((root) => ws.loadDrWorkspace(root)))).flatMap((w) => w.groups);
  let file = files.find((f) => (wanted.path ? f.path === wanted.path : f.result.document?.name === wanted.name));
  if (!file && !wanted.path && !wanted.name) {
    const picked = await services.prompts.quickPick(
      files.map((f) => ({
        label: f.result.document?.name ?? basename(f.path),
        description: vscode.workspace.asRelativePath(f.path),
        f,
      })),
      { title: 'Which protection group?' },
    );
    file = picked?.f;
    if (!file) throw new UserError('');
  }
  if (!file)
    throw new UserError(`No protection group ${wanted.name ? `"${wanted.name}"` : wanted.path} in the workspace.`);
  if (!file.result.document) throw services.fileErrors(file);
  const group = file.result.document;
  const uri = vscode.Uri.from({ scheme: DR_REPORT_SCHEME, path: `/group/${group.name.replace(/[^\w.-]/g, '-')}.md` });
  const render = async (): Promise<string> => {
    const aws = await services.aws();
    const { groupReport, renderGroupReport } = await import('../../../core/dr/planEdit/groupReport');
    return renderGroupReport(groupReport(group, await aws.reads.listSourceServers(group.region)));
  };
  await dr.documents.show(uri, await render());
  const key = uri.toString();
  if (!refreshing.has(key)) {
    const started = Date.now();
    const isOpen = () =>
      vscode.window.tabGroups.all.some((g) =>
        g.tabs.some((tab) => {
          const input = tab.input as { uri?: vscode.Uri } | undefined;
          return input?.uri?.toString() === key || tab.label.includes(basename(uri.path));
        }),
      );
    const timer = setInterval(() => {
      if (Date.now() - started > REFRESH_FOR_MS || !isOpen()) {
        clearInterval(timer);
        refreshing.delete(key);
        return;
      }
      render()
        .then((markdown) => dr.documents.show(uri, markdown, { preview: false }))
        .catch((error) => ctx.log.warn(`Protection group view ${group.name}: ${(error as Error).message}`));
    }, REFRESH_MS);
    timer.unref?.();
    refreshing.set(key, timer);
    ctx.extension.subscriptions.push({ dispose: () => clearInterval(timer) });
  }
  return uri;
}
