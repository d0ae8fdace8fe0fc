// Benchmark entry VS Code loads through `extensionTestsPath` (scripts/bench.mjs, suite iac-language).
// Per repeat, writes the 2,000-line bench template to a new file and times openTextDocument → the first
// "Pilot Light" diagnostics for it (the first repeat loads the core and the type knowledge: the cold figure).
// Writes JSON to $PILOT_LIGHT_BENCH_RESULT. It measures; it asserts nothing about time.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { BENCH_TEMPLATE_MISTAKES, benchTemplate } from './cfnBenchTemplate';

const EXTENSION_ID = 'pilot-light.pilot-light';

export interface CfnLanguageHostBenchResult {
  ok: boolean;
  error?: string;
  lines: number;
  /** openTextDocument → its first "Pilot Light" diagnostics in the extension host, per repeat; [0] is cold. */
  diagnosticsMs: number[];
  diagnosticsFound: number[];
  /** Per repeat, ms after the open call: the document opened in the extension host, shown, diagnosed. */
  phases: Array<{ opened?: number; documentReturned?: number; shown?: number; diagnosed?: number }>;
}

function firstDiagnostics(uri: vscode.Uri, timeoutMs: number): Promise<readonly vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`no diagnostics for ${uri.fsPath} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = vscode.languages.onDidChangeDiagnostics((event) => {
      if (!event.uris.some((changed) => changed.toString() === uri.toString())) return;
      const ours = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Pilot Light');
      if (!ours.length) return;
      clearTimeout(timer);
      listener.dispose();
      resolve(ours);
    });
  });
}

export async function run(): Promise<void> {
  const resultFile = process.env.PILOT_LIGHT_BENCH_RESULT;
  if (!resultFile) throw new Error('PILOT_LIGHT_BENCH_RESULT (where to write the result) is not set');
  const repeats = Math.max(1, Number(process.env.PILOT_LIGHT_BENCH_REPEATS ?? '5'));
  const text = benchTemplate(2000);
  const result: CfnLanguageHostBenchResult = {
    ok: false,
    lines: text.split('\n').length - 1,
    diagnosticsMs: [],
    diagnosticsFound: [],
    phases: [],
  };
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-cfn-bench-'));
  try {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    if (!extension) throw new Error(`${EXTENSION_ID} is not installed in this workbench`);
    await extension.activate();
    for (let index = 0; index < repeats; index++) {
      const file = path.join(folder, `stack-${index}.yaml`);
      fs.writeFileSync(file, text);
      const uri = vscode.Uri.file(file);
      const phases: CfnLanguageHostBenchResult['phases'][number] = {};
      const since = () => performance.now() - started;
      const openListener = vscode.workspace.onDidOpenTextDocument((opened) => {
        if (opened.uri.toString() === uri.toString()) phases.opened ??= since();
      });
      const waiting = firstDiagnostics(uri, 60_000).then((found) => ((phases.diagnosed = since()), found));
      const started = performance.now();
      const document = await vscode.workspace.openTextDocument(uri);
      phases.documentReturned = since();
      await vscode.window.showTextDocument(document);
      phases.shown = since();
      const found = await waiting;
      openListener.dispose();
      result.phases.push(phases);
      // The figure is the diagnostics' arrival; the editor showing is the workbench's part, kept in phases.
      result.diagnosticsMs.push(phases.diagnosed ?? since());
      result.diagnosticsFound.push(found.length);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
    if (result.diagnosticsFound.some((count) => count !== BENCH_TEMPLATE_MISTAKES))
      throw new Error(
        `expected ${BENCH_TEMPLATE_MISTAKES} diagnostics on the bench template, got ${result.diagnosticsFound.join(', ')}`,
      );
    result.ok = true;
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
    fs.writeFileSync(resultFile, JSON.stringify(result));
  }
}
