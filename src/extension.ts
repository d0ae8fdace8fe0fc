import type * as vscode from 'vscode';
import { registerContextFeature } from './features/context/registerContext';
import { registerExplorer } from './features/explorer/registerExplorer';
import { PilotLightContext } from './features/shared/pilotLightContext';

/** What `activate` returns: used by the extension-host tests and by other extensions. */
export interface PilotLightApi {
  ctx: PilotLightContext;
  explorer: ReturnType<typeof registerExplorer>;
}

export function activate(context: vscode.ExtensionContext): PilotLightApi {
  const ctx = new PilotLightContext(context);
  registerContextFeature(ctx);
  const explorer = registerExplorer(ctx);
  return { ctx, explorer };
}

export function deactivate(): void {}
