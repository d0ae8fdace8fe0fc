import { moduleLoadStartedAt } from './activationClock';
import type * as vscode from 'vscode';
import { registerContextFeature } from './features/context/registerContext';
import { registerExplorer, type ExplorerFeature } from './features/explorer/registerExplorer';
import { PilotLightContext } from './features/shared/pilotLightContext';

/** What `activate` returns: used by the extension-host tests and by other extensions. */
export interface PilotLightApi {
  ctx: PilotLightContext;
  explorer: ExplorerFeature['provider'];
  explorerView: ExplorerFeature['view'];
  /** Time from the bundle's first module to the end of activate(), for benchmarks. */
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): PilotLightApi {
  const ctx = new PilotLightContext(context);
  registerContextFeature(ctx);
  const explorer = registerExplorer(ctx);
  return { ctx, explorer: explorer.provider, explorerView: explorer.view, activationMs: performance.now() - moduleLoadStartedAt };
}

export function deactivate(): void {}
