import * as vscode from 'vscode';
import type { DrDiagnostic } from '../../core/dr/model';
import type { PreflightFinding, PreflightReport } from '../../core/dr/preflight';
import type { PlanTarget } from './drServices';
import { loadDrParse, loadDrWorkspace } from './drServices';

const DR_FILE = /\.(recovery-plan|protection-group)\.ya?ml$/i;
const DR_FOLDER_FILE = /[\\/]\.pilotlight[\\/]dr[\\/].*\.(ya?ml|json)$/i;

/** Files validated while typing: *.recovery-plan.y(a)ml, *.protection-group.y(a)ml, and anything under .pilotlight/dr/. */
export function isDrDocument(document: vscode.TextDocument): boolean {
  if (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled') return false;
  return DR_FILE.test(document.fileName) || DR_FOLDER_FILE.test(document.fileName);
}

/** A 1-based core position range → an editor range; an empty range grows to the word or the rest of the line. */
export function toRange(
  document: vscode.TextDocument | undefined,
  diagnostic: Pick<DrDiagnostic, 'start' | 'end'>,
): vscode.Range {
  const start = diagnostic.start ?? { line: 1, column: 1 };
  const end = diagnostic.end ?? start;
  const from = new vscode.Position(Math.max(0, start.line - 1), Math.max(0, start.column - 1));
  let to = new vscode.Position(Math.max(0, end.line - 1), Math.max(0, end.column - 1));
  if (!to.isAfter(from) && document && from.line < document.lineCount) {
    const line = document.lineAt(from.line);
    to = document.getWordRangeAtPosition(from)?.end ?? (line.range.end.isAfter(from) ? line.range.end : from);
  }
  return new vscode.Range(from, to.isBefore(from) ? from : to);
}

function severityOf(severity: 'error' | 'warning' | 'info'): vscode.DiagnosticSeverity {
  return severity === 'error'
    ? vscode.DiagnosticSeverity.Error
    : severity === 'warning'
      ? vscode.DiagnosticSeverity.Warning
      : vscode.DiagnosticSeverity.Information;
}

/**
 * Validation while typing (the core parser, exact line/column ranges) in the "Pilot Light DR"
 * collection, and preflight findings of a plan in a second collection, so both show in Problems.
 */
export class DrDiagnostics implements vscode.Disposable {
  readonly parse = vscode.languages.createDiagnosticCollection('pilotLight.dr');
  readonly preflight = vscode.languages.createDiagnosticCollection('pilotLight.dr.preflight');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Validations done, for tests. */
  validations = 0;

  constructor(private readonly delayMs = 150) {
    this.subscriptions.push(
      this.parse,
      this.preflight,
      vscode.workspace.onDidOpenTextDocument((document) => this.schedule(document, 0)),
      vscode.workspace.onDidChangeTextDocument((event) => this.schedule(event.document)),
      vscode.workspace.onDidSaveTextDocument((document) => this.schedule(document, 0)),
      vscode.workspace.onDidCloseTextDocument((document) => {
        this.parse.delete(document.uri);
        clearTimeout(this.timers.get(document.uri.toString()));
      }),
    );
  }

  /** Validates the DR documents that are already open (called after activation, not during it). */
  validateOpenDocuments(): void {
    for (const document of vscode.workspace.textDocuments) this.schedule(document, 0);
  }

  private schedule(document: vscode.TextDocument, delay = this.delayMs): void {
    if (!isDrDocument(document)) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.validate(document);
      }, delay),
    );
  }

  /** Parses the document's current text and replaces its diagnostics. Never writes the file. */
  async validate(document: vscode.TextDocument): Promise<vscode.Diagnostic[]> {
    const version = document.version;
    const [{ parseDrDocument }, { kindOfPath }] = await Promise.all([loadDrParse(), loadDrWorkspace()]);
    if (document.isClosed) return [];
    if (document.version !== version) return this.parse.get(document.uri)?.slice() ?? [];
    const result = parseDrDocument(document.getText(), kindOfPath(document.fileName));
    const diagnostics = result.diagnostics.map((d) => {
      const diagnostic = new vscode.Diagnostic(toRange(document, d), d.message, severityOf(d.severity));
      diagnostic.source = 'Pilot Light';
      diagnostic.code = d.code;
      return diagnostic;
    });
    if (result.migratedFrom) {
      const diagnostic = new vscode.Diagnostic(
        toRange(document, { start: { line: 1, column: 1 } }),
        `schemaVersion ${result.migratedFrom} is read as version 2 (${(result.migrationNotes ?? []).join(' ')}). The file is not changed until you upgrade it.`,
        vscode.DiagnosticSeverity.Information,
      );
      diagnostic.source = 'Pilot Light';
      diagnostic.code = 'migrated';
      diagnostics.push(diagnostic);
    }
    this.validations++;
    this.parse.set(document.uri, diagnostics);
    return diagnostics;
  }

  /**
   * Puts preflight findings on the files they are about: a wave's finding on its `name` in the plan,
   * a group's finding on the group file's selection, the rest on the plan's name.
   */
  async publishPreflight(target: PlanTarget, report: PreflightReport): Promise<void> {
    const [{ locateInDocument }, { readFile }] = await Promise.all([loadDrParse(), import('node:fs/promises')]);
    const texts = new Map<string, string>();
    const textOf = async (path: string) => {
      if (!texts.has(path)) texts.set(path, await readFile(path, 'utf8').catch(() => ''));
      return texts.get(path)!;
    };
    const byFile = new Map<string, vscode.Diagnostic[]>();
    const groupFiles = new Map(
      target.workspace.groups.filter((g) => g.result.document).map((g) => [g.result.document!.name, g.path]),
    );
    const place = async (finding: PreflightFinding): Promise<{ path: string; range: vscode.Range }> => {
      const groupPath = finding.group && !finding.wave ? groupFiles.get(finding.group) : undefined;
      if (groupPath) {
        const at = locateInDocument(
          await textOf(groupPath),
          finding.code === 'tag-selector-empty' ? ['selection', 'tags'] : ['name'],
          'key',
        );
        return { path: groupPath, range: toRange(openDocument(groupPath), at) };
      }
      const waveIndex = finding.wave ? target.plan.waves.findIndex((w) => w.name === finding.wave) : -1;
      const at = locateInDocument(
        await textOf(target.file.path),
        waveIndex >= 0 ? ['waves', waveIndex, 'name'] : ['name'],
      );
      return { path: target.file.path, range: toRange(openDocument(target.file.path), at) };
    };
    for (const path of [target.file.path, ...groupFiles.values()]) this.preflight.delete(vscode.Uri.file(path));
    for (const finding of report.findings) {
      const { path, range } = await place(finding);
      const diagnostic = new vscode.Diagnostic(
        range,
        `${finding.message} Fix: ${finding.fix}`,
        severityOf(finding.severity),
      );
      diagnostic.source = 'Pilot Light preflight';
      diagnostic.code = finding.code;
      byFile.set(path, [...(byFile.get(path) ?? []), diagnostic]);
    }
    for (const [path, diagnostics] of byFile) this.preflight.set(vscode.Uri.file(path), diagnostics);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

function openDocument(path: string): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find(
    (document) => document.uri.scheme === 'file' && document.fileName === path,
  );
}
