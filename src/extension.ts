import { moduleLoadStartedAt } from './activationClock';
import type * as vscode from 'vscode';
import { registerActions } from './features/actions/registerActions';
import { registerContainers } from './features/containers/registerContainers';
import { registerCost } from './features/cost/registerCost';
import { registerBackup } from './features/backup/registerBackup';
import { registerCompliance, type ComplianceFeature } from './features/compliance/registerCompliance';
import { registerApprovals } from './features/approvals/registerApprovals';
import { registerAudit, type AuditFeature } from './features/audit/registerAudit';
import { registerChat } from './features/chat/registerChat';
import { registerContextFeature } from './features/context/registerContext';
import { registerDrFeature, type DrFeature } from './features/dr/registerDr';
import { registerLaunchTemplateEditor } from './features/editors/launchTemplate/registerLaunchTemplateEditor';
import { registerRecoveryPlanEditor } from './features/editors/recoveryPlan/registerRecoveryPlanEditor';
import { registerExplorer, type ExplorerFeature } from './features/explorer/registerExplorer';
import { registerCfnLanguage } from './features/iac/language/registerCfnLanguage';
import { registerGuardrails } from './features/guardrails/registerGuardrails';
import { registerInsights } from './features/insights/registerInsights';
import { registerIacDrift } from './features/iac/drift/registerDrift';
import { registerIacGenerate } from './features/iac/generate/registerGenerate';
import { registerTerraform } from './features/iac/terraform/registerTerraform';
import { registerMcp } from './features/mcp/registerMcp';
import { registerObservability } from './features/observability/registerObservability';
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
  compliance: ComplianceFeature;
  testing: PilotLightTestingApi;
}

/** Resolves in the next task of the event loop, so the host handles its own messages in between. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Two steps. Synchronously: what shows at startup (views, status bar item) and every command of the views and
 * the palette. In the next task: what nothing shows until it is used (chat participant, LM tools, MCP provider,
 * guardrail diagnostics, launch template editor) and the first settings read. VS Code waits for the returned
 * promise, so a command or chat request that activated the extension runs after both.
 */
export async function activate(context: vscode.ExtensionContext): Promise<PilotLightApi | PilotLightTestApi> {
  const activateStartedAt = performance.now();
  const ctx = new PilotLightContext(context);
  const contextFeature = registerContextFeature(ctx);
  const explorer = registerExplorer(ctx);
  registerApprovals(ctx);
  registerActions(ctx, explorer);
  registerContainers(ctx, explorer);
  registerObservability(ctx, explorer);
  registerBackup(ctx, explorer);
  const compliance = registerCompliance(ctx);
  const audit = registerAudit(ctx);
  const dr = registerDrFeature(ctx);
  registerCost(ctx);
  const activationMs = moduleLoadedAt - moduleLoadStartedAt + (performance.now() - activateStartedAt);

  await nextTask();
  const deferredStartedAt = performance.now();
  registerGuardrails(ctx);
  registerLaunchTemplateEditor(ctx);
  const cfnLanguage = registerCfnLanguage(ctx);
  registerIacDrift(ctx, cfnLanguage);
  registerRecoveryPlanEditor(ctx, dr);
  registerTools(ctx);
  registerMcp(ctx);
  registerTerraform(ctx);
  registerIacGenerate(ctx);
  registerInsights(ctx);
  const chat = registerChat(ctx);
  ctx.runDeferred();
  const testing = testingApi(ctx, chat, contextFeature);
  const api = publicApi({
    activationMs,
    activationDeferredMs: performance.now() - deferredStartedAt,
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
    compliance,
    testing,
  } satisfies PilotLightTestApi;
}

export function deactivate(): void {}
