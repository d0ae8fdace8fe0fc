import { commandRegistrar } from '../shared/commands';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { configureEndpoint, selectProfile, selectRegion, switchContext } from './contextCommands';
import { ConnectionStatusBar } from './statusBar';
import { WorkspaceProposalPrompter } from './workspaceProposalPrompt';

export interface ContextFeature {
  statusBar: ConnectionStatusBar;
  proposals: WorkspaceProposalPrompter;
}

export function registerContextFeature(ctx: PilotLightContext): ContextFeature {
  const command = commandRegistrar(ctx);
  const statusBar = new ConnectionStatusBar(ctx);
  const proposals = new WorkspaceProposalPrompter(ctx);
  const review = () => proposals.review();
  ctx.extension.subscriptions.push(
    statusBar,
    proposals,
    command('pilotLight.selectProfile', () => selectProfile(ctx)),
    command('pilotLight.selectRegion', () => selectRegion(ctx)),
    command('pilotLight.configureEndpoint', () => configureEndpoint(ctx)),
    command('pilotLight.switchContext', () => switchContext(ctx, review)),
    command('pilotLight.reviewWorkspaceSettings', review),
  );
  return { statusBar, proposals };
}
