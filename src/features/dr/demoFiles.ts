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

/** How long after the first attempt a fallback walkthrough is replaced by ours, and how often it is looked for. */
const WALKTHROUGH_WATCH_MS = 30_000;
const WALKTHROUGH_POLL_MS = 500;

/**
 * Opens the Getting Started walkthrough in the active editor group (the demo's first screen). VS Code registers
 * an extension's walkthroughs some seconds after activation, and until then shows one of its own instead (a tab
 * titled "Walkthrough: <its title>"; ours is titled "Welcome" or "Walkthrough: <display name>"): for a while,
 * such a tab is closed when seen and ours asked for again.
 */
export async function openDemoWalkthrough(
  extension: vscode.Extension<unknown>,
  log: (message: string) => void,
): Promise<void> {
  const displayName = (extension.packageJSON as { displayName?: string }).displayName ?? extension.id;
  const open = () =>
    vscode.commands.executeCommand('workbench.action.openWalkthrough', `${extension.id}#${WALKTHROUGH_ID}`, false);
  const otherWalkthroughs = () =>
    vscode.window.tabGroups.all.flatMap((group) =>
      group.tabs.filter((tab) => tab.label.startsWith('Walkthrough: ') && tab.label !== `Walkthrough: ${displayName}`),
    );
  try {
    await open();
    for (const deadline = Date.now() + WALKTHROUGH_WATCH_MS; Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, WALKTHROUGH_POLL_MS));
      const others = otherWalkthroughs();
      if (!others.length) continue;
      log(`demo: VS Code showed ${others.map((tab) => tab.label).join(', ')} before it knew ours; asking again`);
      await vscode.window.tabGroups.close(others);
      await open();
    }
  } catch (error) {
    log(`demo: the walkthrough could not be opened: ${error instanceof Error ? error.message : String(error)}`);
  }
}
