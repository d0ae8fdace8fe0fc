import { commandRegistrar } from '../shared/commands';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { configureEndpoint, selectProfile, selectRegion, switchContext } from './contextCommands';
import { ConnectionStatusBar } from './statusBar';

export function registerContextFeature(ctx: PilotLightContext): void {
  const command = commandRegistrar(ctx);
  ctx.extension.subscriptions.push(
    new ConnectionStatusBar(ctx),
    command('pilotLight.selectProfile', () => selectProfile(ctx)),
    command('pilotLight.selectRegion', () => selectRegion(ctx)),
    command('pilotLight.configureEndpoint', () => configureEndpoint(ctx)),
    command('pilotLight.switchContext', () => switchContext(ctx)),
  );
}
