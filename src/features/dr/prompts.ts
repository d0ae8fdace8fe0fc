import * as vscode from 'vscode';

/**
 * Every question the DR commands ask the user, in one replaceable object: the extension-host tests
 * answer them (a real input box or modal cannot be typed into from a test), users get VS Code's UI.
 */
export interface DrPrompts {
  inputBox(options: vscode.InputBoxOptions): Thenable<string | undefined>;
  quickPick<T extends vscode.QuickPickItem>(
    items: T[],
    options: vscode.QuickPickOptions & { canPickMany?: false },
  ): Thenable<T | undefined>;
  quickPickMany<T extends vscode.QuickPickItem>(
    items: T[],
    options: vscode.QuickPickOptions,
  ): Thenable<T[] | undefined>;
  /** A modal warning; resolves with the chosen action, undefined when cancelled. */
  confirm(message: string, detail: string, ...actions: string[]): Thenable<string | undefined>;
  /** A non-modal offer (notification with buttons); resolves with the chosen action. */
  offer(message: string, ...actions: string[]): Thenable<string | undefined>;
  saveUri(options: vscode.SaveDialogOptions): Thenable<vscode.Uri | undefined>;
  openUri(options: vscode.OpenDialogOptions): Thenable<vscode.Uri | undefined>;
}

export function vscodePrompts(): DrPrompts {
  return {
    inputBox: (options) => vscode.window.showInputBox(options),
    quickPick: (items, options) => vscode.window.showQuickPick(items, options),
    quickPickMany: (items, options) => vscode.window.showQuickPick(items, { ...options, canPickMany: true }),
    confirm: (message, detail, ...actions) =>
      vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions),
    offer: (message, ...actions) => vscode.window.showWarningMessage(message, ...actions),
    saveUri: (options) => vscode.window.showSaveDialog(options),
    openUri: async (options) => (await vscode.window.showOpenDialog({ ...options, canSelectMany: false }))?.[0],
  };
}

/** A user-facing failure (empty message: cancelled); shared by every command wrapper. */
export { UserError } from '../shared/commands';
