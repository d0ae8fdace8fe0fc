import * as vscode from 'vscode';
import type { ApprovalProvider } from '../../core/guardrails/approval';
import type { AwsChatParticipant } from '../chat/participant';
import type { RecordedResponse } from '../chat/renderAnswer';
import type { ContextFeature } from '../context/registerContext';
import type { ProposalPrompt } from '../context/workspaceProposalPrompt';
import { OperationService, type ToolEvent } from './operationService';
import type { PilotLightContext } from './pilotLightContext';
import { isTestMode } from './safety';

/** Hooks for the extension's own host tests. Only present when VS Code runs the extension in test mode. */
export interface PilotLightTestingApi {
  /** Replaces the modal approval provider (undefined: the modal again). */
  setApprovalProvider(provider: ApprovalProvider | undefined): void;
  operations: OperationService;
  chatResponses(): RecordedResponse[];
  toolEvents(): ToolEvent[];
  /** Everything Pilot Light logged in this session (the output channel's lines). */
  logLines(): string[];
  /**
   * Calls a registered LM tool's prepareInvocation and invoke directly, without a chat token and without
   * VS Code's confirmation dialog: what any caller that reached the tool's implementation could do.
   */
  invokeToolDirectly(name: string, input: unknown): Promise<{ confirmation?: string; result: string }>;
  /** Answers a workspace's profile/region/endpoint proposals instead of the notification (undefined: the notification again). */
  answerWorkspaceProposals(prompt: ProposalPrompt | undefined): void;
  /** What the connection status bar item shows. */
  statusBar(): { text: string; tooltip: string };
  /** The registered MCP server definition provider (VS Code's API does not let an extension list definitions). */
  mcpProvider(): Promise<import('../mcp/registerMcp').PilotLightMcpProvider | undefined>;
  /** The external approvals feature (Pending approvals view, its service, a simulated re-activation). */
  approvals(): Promise<import('../approvals/registerApprovals').ApprovalsFeature | undefined>;
  /** The open launch-template editor panels (deliver messages as the webview would). */
  launchTemplatePanels(): Promise<Array<import('../editors/launchTemplate/panel').LaunchTemplatePanel>>;
  /** The questions of "Bulk Change Launch Settings…": replace its members to answer them. */
  bulkChangePrompts(): Promise<import('../dr/prompts').DrPrompts>;
  /** The drift controller (loads it when no template has yet). */
  driftController(): Promise<import('../iac/drift/driftController').DriftController | undefined>;
  /** The open visual recovery-plan editors (deliver messages as the webview would). */
  recoveryPlanEditors(): Promise<Array<import('../editors/recoveryPlan/planEditor').RecoveryPlanEditor>>;
  /** The Cost view and its chart panel. */
  cost(): Promise<import('../cost/registerCost').CostFeature | undefined>;
  /** The Insights view's feature (view, provider, checks, dismissals). */
  insights(): Promise<import('../insights/registerInsights').InsightsFeature | undefined>;
}

export function testingApi(
  ctx: PilotLightContext,
  chat: AwsChatParticipant | undefined,
  context: ContextFeature,
): PilotLightTestingApi | undefined {
  if (!isTestMode(ctx.extension)) return undefined;
  const service = OperationService.for(ctx);
  // Mirror everything written to the output channel (the runner's lines too), to scan it for secrets.
  const lines: string[] = [];
  for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'appendLine'] as const) {
    const original = (ctx.log[level] as (...args: unknown[]) => void).bind(ctx.log);
    (ctx.log as unknown as Record<string, unknown>)[level] = (...args: unknown[]) => {
      lines.push(`[${level}] ${args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(' ')}`);
      if (lines.length > 5000) lines.splice(0, lines.length - 5000);
      original(...args);
    };
  }
  return {
    setApprovalProvider: (provider) => service.setApprovalProviderForTests(provider),
    operations: service,
    chatResponses: () => chat?.recorded ?? [],
    toolEvents: () => service.toolEvents,
    logLines: () => lines,
    answerWorkspaceProposals: (prompt) => context.proposals.setPromptForTests(prompt),
    statusBar: () => context.statusBar.shown,
    mcpProvider: async () => (await import('../mcp/registerMcp')).registeredMcpProvider,
    approvals: async () => (await import('../approvals/registerApprovals')).registeredApprovals,
    launchTemplatePanels: async () => (await import('../editors/launchTemplate/panel')).openLaunchTemplatePanels(),
    bulkChangePrompts: async () => (await import('../editors/launchTemplate/bulkChange')).bulkChangePrompts,
    driftController: async () => (await import('../iac/drift/registerDrift')).registeredDriftFeature?.controller(),
    recoveryPlanEditors: async () => (await import('../editors/recoveryPlan/planEditor')).openRecoveryPlanEditors(),
    cost: async () => (await import('../cost/registerCost')).registeredCostFeature,
    insights: async () => (await import('../insights/registerInsights')).registeredInsights,
    invokeToolDirectly: async (name, input) => {
      const { registeredTools } = await import('../tools/registerTools');
      const tool = registeredTools.get(name);
      if (!tool) throw new Error(`No tool ${name} is registered.`);
      const token = new vscode.CancellationTokenSource().token;
      const prepared = await tool.prepareInvocation?.({ input }, token);
      const confirmation = prepared?.confirmationMessages
        ? `${prepared.confirmationMessages.title}\n${typeof prepared.confirmationMessages.message === 'string' ? prepared.confirmationMessages.message : prepared.confirmationMessages.message.value}`
        : undefined;
      const result = await tool.invoke({ input, toolInvocationToken: undefined }, token);
      return {
        confirmation,
        result: (result?.content ?? [])
          .map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : ''))
          .join(''),
      };
    },
  };
}
