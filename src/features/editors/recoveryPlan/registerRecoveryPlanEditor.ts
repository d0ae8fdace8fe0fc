import * as vscode from 'vscode';
import type { DrFeature } from '../../dr/registerDr';
import { commandRegistrar, UserError } from '../../shared/commands';
import type { PilotLightContext } from '../../shared/pilotLightContext';

import { RECOVERY_PLAN_EDITOR_COMMANDS, RECOVERY_PLAN_EDITOR_VIEW_TYPE } from './ids';

export { RECOVERY_PLAN_EDITOR_COMMANDS, RECOVERY_PLAN_EDITOR_VIEW_TYPE };

function planUri(arg: unknown): vscode.Uri {
  if (arg instanceof vscode.Uri) return arg;
  const active = vscode.window.activeTextEditor?.document.uri ?? activeCustomEditorUri();
  if (active && /\.recovery-plan\.ya?ml$/i.test(active.path)) return active;
  throw new UserError('Open a recovery plan (*.recovery-plan.yaml) first.');
}

function activeCustomEditorUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText ? input.uri : undefined;
}

/**
 * The visual recovery-plan editor: a custom text editor offered in "Open With…" for *.recovery-plan.yaml,
 * and the commands that switch between it and the text. The editor itself loads on first use.
 */
export function registerRecoveryPlanEditor(ctx: PilotLightContext, dr: DrFeature): void {
  const command = commandRegistrar(ctx);
  const provider: vscode.CustomTextEditorProvider = {
    async resolveCustomTextEditor(document, panel, token) {
      const { RecoveryPlanEditor } = await import('./planEditor');
      await RecoveryPlanEditor.resolve(ctx, dr, document, panel, token);
    },
  };
  ctx.extension.subscriptions.push(
    vscode.window.registerCustomEditorProvider(RECOVERY_PLAN_EDITOR_VIEW_TYPE, provider, {
      supportsMultipleEditorsPerDocument: true,
      webviewOptions: { retainContextWhenHidden: false },
    }),
    command(RECOVERY_PLAN_EDITOR_COMMANDS.openVisual, (arg?: unknown) =>
      vscode.commands.executeCommand('vscode.openWith', planUri(arg), RECOVERY_PLAN_EDITOR_VIEW_TYPE),
    ),
    command(RECOVERY_PLAN_EDITOR_COMMANDS.openText, (arg?: unknown) =>
      vscode.commands.executeCommand('vscode.openWith', planUri(arg), 'default'),
    ),
    command(RECOVERY_PLAN_EDITOR_COMMANDS.openGroup, async (arg?: unknown) => {
      const { showProtectionGroup } = await import('./groupView');
      return showProtectionGroup(ctx, dr, arg);
    }),
  );
}
