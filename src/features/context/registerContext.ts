import * as vscode from 'vscode';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { configureEndpoint, selectProfile, selectRegion, switchContext } from './contextCommands';
import { ConnectionStatusBar } from './statusBar';
import { WorkspaceProposalPrompter } from './workspaceProposalPrompt';

export interface ContextFeature {
  statusBar: ConnectionStatusBar;
  proposals: WorkspaceProposalPrompter;
}

export function registerContextFeature(ctx: PilotLightContext): ContextFeature {
  const statusBar = new ConnectionStatusBar(ctx);
  const proposals = new WorkspaceProposalPrompter(ctx);
  const review = () => proposals.review();
  ctx.extension.subscriptions.push(
    statusBar,
    proposals,
    vscode.commands.registerCommand('pilotLight.selectProfile', () => selectProfile(ctx)),
    vscode.commands.registerCommand('pilotLight.selectRegion', () => selectRegion(ctx)),
    vscode.commands.registerCommand('pilotLight.configureEndpoint', () => configureEndpoint(ctx)),
    vscode.commands.registerCommand('pilotLight.switchContext', () => switchContext(ctx, review)),
    vscode.commands.registerCommand('pilotLight.reviewWorkspaceSettings', review),
  );
  return { statusBar, proposals };
}
