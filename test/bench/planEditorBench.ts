// Benchmark entry VS Code loads through `extensionTestsPath` (scripts/bench.mjs, suite plan-editor).
// Writes a 200-wave recovery plan (20 layers of 10 waves, each depending on one wave of the layer above),
// then times, in the real extension host and webview:
//   openMs  "Open With" the visual editor until the webview reports the graph of that version drawn;
//   editMs  an intent message until the TextDocument is edited and the webview reports the new graph drawn.
// Writes JSON to $PILOT_LIGHT_BENCH_RESULT. It measures; it asserts nothing about time.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { PilotLightTestApi } from '../../src/extension';
import { benchPlanText, WAVES } from './planEditorPlan';

const EXTENSION_ID = 'pilot-light.pilot-light';
const EDITS = 25;

export interface PlanEditorBenchResult {
  ok: boolean;
  error?: string;
  waves: number;
  openMs: number[];
  editMs: number[];
  /** Plan file size in bytes. */
  bytes: number;
}

export async function run(): Promise<void> {
  const resultFile = process.env.PILOT_LIGHT_BENCH_RESULT;
  if (!resultFile) throw new Error('PILOT_LIGHT_BENCH_RESULT (where to write the result) is not set');
  const repeats = Math.max(1, Number(process.env.PILOT_LIGHT_BENCH_REPEATS ?? '5'));
  const text = benchPlanText();
  const result: PlanEditorBenchResult = {
    ok: false,
    waves: WAVES,
    openMs: [],
    editMs: [],
    bytes: Buffer.byteLength(text),
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-editor-bench-'));
  const file = path.join(dir, 'bench.recovery-plan.yaml');
  fs.writeFileSync(file, text);
  const uri = vscode.Uri.file(file);
  try {
    const extension = vscode.extensions.getExtension<PilotLightTestApi>(EXTENSION_ID);
    if (!extension) throw new Error(`${EXTENSION_ID} is not installed in this workbench`);
    const api = await extension.activate();
    if (!api.testing) throw new Error('the bench needs the testing API (extension mode Test)');
    const within = <T>(promise: Promise<T>, what: string) =>
      Promise.race([
        promise,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} within 60 s`)), 60_000)),
      ]);
    for (let index = 0; index < repeats; index++) {
      const started = performance.now();
      await vscode.commands.executeCommand('vscode.openWith', uri, 'pilotLight.recoveryPlanEditor');
      const editor = (await api.testing.recoveryPlanEditors()).find((e) => e.document.uri.fsPath === file);
      if (!editor) throw new Error('the visual editor did not open');
      await within(editor.whenRendered(editor.document.version), 'the graph was not drawn');
      result.openMs.push(performance.now() - started);
      const view = [...editor.messagesSent].reverse().find((m) => m.type === 'view');
      if (!view || view.type !== 'view' || view.view.status !== 'ok' || view.view.waves.length !== WAVES)
        throw new Error(`the editor did not show ${WAVES} waves`);
      if (index === repeats - 1) {
        for (let edit = 0; edit < EDITS; edit++) {
          const editStarted = performance.now();
          await editor.deliver({
            type: 'intent',
            requestId: `bench-${edit}`,
            intent: {
              kind: 'setWaveField',
              wave: `wave-${(edit * 37) % WAVES}`,
              field: 'maxWaitSeconds',
              value: 600 + edit,
            },
          });
          await within(editor.whenRendered(editor.document.version), 'the edited graph was not drawn');
          result.editMs.push(performance.now() - editStarted);
        }
        await vscode.commands.executeCommand('workbench.action.files.revert');
      }
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
    result.ok = true;
  } catch (error) {
    result.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
  } finally {
    fs.writeFileSync(resultFile, JSON.stringify(result, null, 2));
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (!result.ok) throw new Error(result.error);
}
