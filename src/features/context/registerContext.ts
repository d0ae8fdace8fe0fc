import * as vscode from 'vscode';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { configureEndpoint, selectProfile, selectRegion, switchContext } from './contextCommands';
import { ConnectionStatusBar } from './statusBar';

export function registerContextFeature(ctx: PilotLightContext): void {
  ctx.extension.subscriptions.push(
    new ConnectionStatusBar(ctx),
    vscode.commands.registerCommand('pilotLight.selectProfile', () => selectProfile(ctx)),
    vscode.commands.registerCommand('pilotLight.selectRegion', () => selectRegion(ctx)),
    vscode.commands.registerCommand('pilotLight.configureEndpoint', () => configureEndpoint(ctx)),
    vscode.commands.registerCommand('pilotLight.switchContext', () => switchContext(ctx)),
  );
}
