import { moduleLoadStartedAt } from './activationClock';
import type * as vscode from 'vscode';
import { registerActions } from './features/actions/registerActions';
import { registerAudit, type AuditFeature } from './features/audit/registerAudit';
import { registerChat } from './features/chat/registerChat';
import { registerContextFeature } from './features/context/registerContext';
import { registerDrFeature, type DrFeature } from './features/dr/registerDr';
import { registerLaunchTemplateEditor } from './features/editors/launchTemplate/registerLaunchTemplateEditor';
import { registerExplorer, type ExplorerFeature } from './features/explorer/registerExplorer';
import { registerGuardrails } from './features/guardrails/registerGuardrails';
import { PilotLightContext } from './features/shared/pilotLightContext';
import { testingApi, type PilotLightTestingApi } from './features/shared/testingApi';
import { registerTools } from './features/tools/registerTools';

/** Every module of the bundle has been evaluated once this line runs. */
const moduleLoadedAt = performance.now();

/** What `activate` returns: used by the extension-host tests and by other extensions. */
export interface PilotLightApi {
  /** Only in the extension's own tests (extension mode Test): the context gives access to the operation runner. */
  ctx?: PilotLightContext;
  explorer: ExplorerFeature['provider'];
  explorerView: ExplorerFeature['view'];
  audit: AuditFeature['provider'];
  dr: DrFeature;
  /** Only in the extension's own tests (extension mode Test). */
  testing?: PilotLightTestingApi;
  /** Our activation cost, for benchmarks: evaluating the bundle's modules plus activate() itself (not the host's work between them). */
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): PilotLightApi {
  const activateStartedAt = performance.now();
  const ctx = new PilotLightContext(context);
  const contextFeature = registerContextFeature(ctx);
  const explorer = registerExplorer(ctx);
  registerGuardrails(ctx);
  registerActions(ctx, explorer);
  const audit = registerAudit(ctx);
  const dr = registerDrFeature(ctx);
  registerLaunchTemplateEditor(ctx);
  registerTools(ctx);
  const chat = registerChat(ctx);
  const testing = testingApi(ctx, chat, contextFeature);
  return { ctx: testing ? ctx : undefined, explorer: explorer.provider, explorerView: explorer.view, audit: audit.provider, dr, testing, activationMs: moduleLoadedAt - moduleLoadStartedAt + (performance.now() - activateStartedAt) };
}

export function deactivate(): void {}
