import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { LoadedPolicy } from '../../core/guardrails/policy';
import { commandRegistrar } from '../shared/commands';
import { registerPreviewDocuments } from '../shared/interactiveRun';
import type { PilotLightContext } from '../shared/pilotLightContext';

const WORKSPACE_FILE = join('.pilotlight', 'guardrails.json');

/**
 * Guardrail policy in the editor. The shared safety services load it and report the workspace file's
 * problems as diagnostics (line and column); this feature loads it at startup when a workspace has such a
 * file (so problems show at once), warns about invalid settings, and offers commands to inspect and edit it.
 */
export function registerGuardrails(ctx: PilotLightContext): void {
  const previews = registerPreviewDocuments(ctx.extension);
  const command = commandRegistrar(ctx);
  let lastSettingsProblems = '';
  const warnAboutSettings = (loaded: LoadedPolicy) => {
    const summary = loaded.problems
      .filter((problem) => !problem.source.endsWith('.json'))
      .map((problem) => `${problem.field ?? 'guardrails'}: ${problem.message}`)
      .join(' ');
    if (summary && summary !== lastSettingsProblems)
      void vscode.window.showWarningMessage(`Pilot Light guardrail settings: ${summary}`);
    lastSettingsProblems = summary;
  };
  ctx.extension.subscriptions.push(
    ctx.safety.onDidLoadPolicy(warnAboutSettings),
    command('pilotLight.guardrails.showPolicy', async () => {
      const loaded = await ctx.safety.loadPolicy(true);
      const text = [
        '// The guardrail policy in force (read-only).',
        `// Sources, in order: ${loaded.sources.join(' → ')}`,
        ...loaded.problems.map(
          (problem) =>
            `// Problem: ${problem.source}${problem.line ? `:${problem.line}:${problem.column ?? 1}` : ''}: ${problem.field ? `${problem.field}: ` : ''}${problem.message}`,
        ),
        JSON.stringify(loaded.policy, null, 2),
      ].join('\n');
      await previews.show('guardrail-policy', text);
      return loaded;
    }),
    command('pilotLight.guardrails.openWorkspacePolicy', async () => {
      const folder = vscode.workspace.workspaceFolders?.find((candidate) => candidate.uri.scheme === 'file');
      if (!folder)
        return void vscode.window.showInformationMessage(
          'Open a folder first: the guardrails file lives in the workspace, in .pilotlight/guardrails.json.',
        );
      const path = join(folder.uri.fsPath, WORKSPACE_FILE);
      if (!existsSync(path)) {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(
          path,
          `${JSON.stringify({ protectedEnvironments: ['production'], protectionTags: ['DoNotDelete'] }, null, 2)}\n`,
        );
      }
      await vscode.window.showTextDocument(vscode.Uri.file(path));
    }),
  );
  // Show the workspace file's problems without waiting for the first operation; after activation (it loads the core).
  setTimeout(() => {
    if (
      vscode.workspace.workspaceFolders?.some(
        (folder) => folder.uri.scheme === 'file' && existsSync(join(folder.uri.fsPath, WORKSPACE_FILE)),
      )
    ) {
      void ctx.safety
        .loadPolicy()
        .catch((error) => ctx.log.warn(`Could not load the guardrail policy: ${(error as Error).message}`));
    }
  }, 0);
}
