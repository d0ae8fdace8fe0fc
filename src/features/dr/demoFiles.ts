import * as path from 'node:path';
import * as vscode from 'vscode';
import { RECOVERY_PLAN_EDITOR_VIEW_TYPE } from '../editors/recoveryPlan/ids';

/**
 * `npm run demo` only: the workbench URL opens one file, so the demo names more in this variable of the
 * extension host's environment (the user's, never the workspace's): absolute paths joined by the platform's
 * path delimiter. Recovery plans open in the visual editor beside the active editor; other files as text.
 */
export const DEMO_OPEN_FILES_ENV = 'PILOT_LIGHT_DEMO_OPEN_FILES';
/** `npm run demo` only: "1" opens the Getting Started walkthrough once the extension is active. */
export const DEMO_WALKTHROUGH_ENV = 'PILOT_LIGHT_DEMO_WALKTHROUGH';
/** The walkthrough's id in package.json (`contributes.walkthroughs`). */
export const WALKTHROUGH_ID = 'pilotLight.gettingStarted';

const MAX_FILES = 5;

/** Paths from the variable that are absolute and inside an open workspace folder (at most MAX_FILES). */
export function demoFilesToOpen(
  value: string | undefined,
  workspaceFolders: readonly string[],
  delimiter = path.delimiter,
): string[] {
  if (!value || value.length > 10_000) return [];
  return value
    .split(delimiter)
    .map((entry) => entry.trim())
    .filter(
      (entry) =>
        path.isAbsolute(entry) &&
        workspaceFolders.some(
          (folder) => path.relative(folder, entry) && !path.relative(folder, entry).startsWith('..'),
        ),
    )
    .slice(0, MAX_FILES);
}

export async function openDemoFiles(log: (message: string) => void): Promise<void> {
  const files = demoFilesToOpen(
    process.env[DEMO_OPEN_FILES_ENV],
    (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath),
  );
  for (const file of files) {
    const uri = vscode.Uri.file(file);
    const options = { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: false };
    try {
      if (file.endsWith('.recovery-plan.yaml'))
        await vscode.commands.executeCommand('vscode.openWith', uri, RECOVERY_PLAN_EDITOR_VIEW_TYPE, options);
      else await vscode.window.showTextDocument(uri, options);
    } catch (error) {
      log(`demo: ${file} could not be opened: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** After the first attempt, the walkthrough is asked for again at these delays (ms), while its tab is active. */
export const WALKTHROUGH_RETRY_DELAYS_MS = [3000, 6000, 9000];

/**
 * Opens the Getting Started walkthrough in the active editor group (the demo's first screen). VS Code registers
 * an extension's walkthroughs some seconds after activation (it waits up to 5 s for its experiment service), and
 * shows one of its own when asked for ours before; the extension API cannot tell which one a tab shows. So ours is
 * asked for again a few times during the first seconds, as long as a walkthrough tab is still the active one.
 */
export async function openDemoWalkthrough(
  extension: vscode.Extension<unknown>,
  log: (message: string) => void,
): Promise<void> {
  const open = () =>
    vscode.commands.executeCommand('workbench.action.openWalkthrough', `${extension.id}#${WALKTHROUGH_ID}`, false);
  const walkthroughActive = () => {
    const label = vscode.window.tabGroups.activeTabGroup.activeTab?.label ?? '';
    return label === 'Welcome' || label.startsWith('Walkthrough: ');
  };
  try {
    const started = Date.now();
    await open();
    for (const delay of WALKTHROUGH_RETRY_DELAYS_MS) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + delay - Date.now())));
      if (!walkthroughActive()) return;
      await open();
    }
  } catch (error) {
    log(`demo: the walkthrough could not be opened: ${error instanceof Error ? error.message : String(error)}`);
  }
}
