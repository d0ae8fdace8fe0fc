import { moduleLoadStartedAt } from './activationClock';
import type * as vscode from 'vscode';
import { registerActions } from './features/actions/registerActions';
import { registerAudit, type AuditFeature } from './features/audit/registerAudit';
import { registerChat } from './features/chat/registerChat';
import { registerContextFeature } from './features/context/registerContext';
import { registerDrFeature, type DrFeature } from './features/dr/registerDr';
import { registerLaunchTemplateEditor } from './features/editors/launchTemplate/registerLaunchTemplateEditor';
import { registerRecoveryPlanEditor } from './features/editors/recoveryPlan/registerRecoveryPlanEditor';
import { registerExplorer, type ExplorerFeature } from './features/explorer/registerExplorer';
import { registerGuardrails } from './features/guardrails/registerGuardrails';
import { registerMcp } from './features/mcp/registerMcp';
import { PilotLightContext } from './features/shared/pilotLightContext';
import { publicApi, type PilotLightApi } from './features/shared/publicApi';
import { testingApi, type PilotLightTestingApi } from './features/shared/testingApi';
import { registerTools } from './features/tools/registerTools';

/** Every module of the bundle has been evaluated once this line runs. */
const moduleLoadedAt = performance.now();

export type { PilotLightApi } from './features/shared/publicApi';

/**
 * What `activate` returns in the extension's own tests (extension mode Test) only: the features themselves,
 * whose context reaches the operation runner. Everyone else gets the frozen PilotLightApi.
 */
export interface PilotLightTestApi extends PilotLightApi {
  ctx: PilotLightContext;
  explorer: ExplorerFeature['provider'];
  explorerView: ExplorerFeature['view'];
  audit: AuditFeature['provider'];
  dr: DrFeature;
  testing: PilotLightTestingApi;
}

export function activate(context: vscode.ExtensionContext): PilotLightApi | PilotLightTestApi {
  const activateStartedAt = performance.now();
  const ctx = new PilotLightContext(context);
  const contextFeature = registerContextFeature(ctx);
  const explorer = registerExplorer(ctx);
  registerGuardrails(ctx);
  registerActions(ctx, explorer);
  const audit = registerAudit(ctx);
  const dr = registerDrFeature(ctx);
  registerLaunchTemplateEditor(ctx);
  registerRecoveryPlanEditor(ctx, dr);
  registerTools(ctx);
  registerMcp(ctx);
  const chat = registerChat(ctx);
  const testing = testingApi(ctx, chat, contextFeature);
  const api = publicApi({
    activationMs: moduleLoadedAt - moduleLoadStartedAt + (performance.now() - activateStartedAt),
    refreshExplorer: () => explorer.provider.refresh(),
    auditPath: () => ctx.safety.auditPath(),
  });
  if (!testing) return api;
  return {
    ...api,
    ctx,
    explorer: explorer.provider,
    explorerView: explorer.view,
    audit: audit.provider,
    dr,
    testing,
  } satisfies PilotLightTestApi;
}

export function deactivate(): void {}
