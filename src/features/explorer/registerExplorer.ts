import * as vscode from 'vscode';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { EXPLORER_VIEW_ID, ExplorerProvider } from './explorerProvider';
import { ErrorNode, LoadMoreNode } from './nodes';

export function registerExplorer(ctx: PilotLightContext): ExplorerProvider {
  const provider = new ExplorerProvider(ctx);
  const view = vscode.window.createTreeView(EXPLORER_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  ctx.extension.subscriptions.push(
    provider,
    view,
    vscode.commands.registerCommand('pilotLight.explorer.refresh', () => provider.refresh()),
    vscode.commands.registerCommand('pilotLight.explorer.retry', (node?: ErrorNode) => (node ? node.runRetry() : provider.refresh())),
    vscode.commands.registerCommand('pilotLight.explorer.loadMore', (node: LoadMoreNode) => node.owner.loadMore()),
  );
  return provider;
}
