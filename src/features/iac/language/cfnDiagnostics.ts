import * as vscode from 'vscode';
import type { CfnDocuments } from './cfnDocuments';
import { loadCfnService } from './cfnDocuments';

const severity = (level: 'error' | 'warning' | 'information'): vscode.DiagnosticSeverity =>
  level === 'error'
    ? vscode.DiagnosticSeverity.Error
    : level === 'warning'
      ? vscode.DiagnosticSeverity.Warning
      : vscode.DiagnosticSeverity.Information;

/** Checks CloudFormation templates while typing (source "Pilot Light"), in the pilotLight.cfn collection. */
export class CfnDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('pilotLight.cfn');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Per document, resolves when its scheduled check has published (or was dropped). */
  private readonly pending = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Validations done, for tests. */
  validations = 0;

  constructor(
    private readonly documents: CfnDocuments,
    private readonly delayMs = 200,
  ) {
    this.subscriptions.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((document) => this.schedule(document, 0)),
      vscode.workspace.onDidChangeTextDocument((event) => this.schedule(event.document)),
      vscode.workspace.onDidSaveTextDocument((document) => this.schedule(document, 0)),
      vscode.workspace.onDidCloseTextDocument((document) => {
        this.collection.delete(document.uri);
        clearTimeout(this.timers.get(document.uri.toString()));
        this.settle(document.uri.toString());
      }),
    );
  }

  /** Checks the templates already open (called after activation, not during it). */
  validateOpenDocuments(): void {
    for (const document of vscode.workspace.textDocuments) this.schedule(document, 0);
  }

  /**
   * Resolves once the document's pending check has published its diagnostics (at once when none is pending).
   * Heavier work on the same template (drift) waits for it, so the first diagnostics come first.
   */
  settled(document: vscode.TextDocument): Promise<void> {
    return this.pending.get(document.uri.toString())?.promise ?? Promise.resolve();
  }

  private schedule(document: vscode.TextDocument, delay = this.delayMs): void {
    const key = document.uri.toString();
    if (!this.documents.isCandidate(document)) {
      // A file that stopped being a template keeps no stale diagnostics.
      if (this.collection.has(document.uri)) this.collection.delete(document.uri);
      this.settle(key);
      return;
    }
    clearTimeout(this.timers.get(key));
    if (!this.pending.has(key)) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => (resolve = done));
      this.pending.set(key, { promise, resolve });
    }
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.validate(document).finally(() => {
          if (!this.timers.has(key)) this.settle(key);
        });
      }, delay),
    );
  }

  private settle(key: string): void {
    this.pending.get(key)?.resolve();
    this.pending.delete(key);
  }

  async validate(document: vscode.TextDocument): Promise<vscode.Diagnostic[]> {
    const version = document.version;
    // The type knowledge loads (first time only) while the template is parsed.
    const typesLoading = this.documents.types();
    const template = await this.documents.template(document);
    if (!template) {
      this.collection.delete(document.uri);
      return [];
    }
    const [{ templateDiagnostics }, types] = await Promise.all([loadCfnService(), typesLoading]);
    if (document.isClosed || document.version !== version) return this.collection.get(document.uri)?.slice() ?? [];
    const diagnostics = templateDiagnostics(template, types).map((found) => {
      const start = document.positionAt(found.start);
      let end = document.positionAt(found.end);
      if (!end.isAfter(start))
        end = document.getWordRangeAtPosition(start)?.end ?? document.lineAt(start.line).range.end;
      const diagnostic = new vscode.Diagnostic(new vscode.Range(start, end), found.message, severity(found.severity));
      diagnostic.source = 'Pilot Light';
      diagnostic.code = found.code;
      return diagnostic;
    });
    this.validations++;
    this.collection.set(document.uri, diagnostics);
    return diagnostics;
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const key of [...this.pending.keys()]) this.settle(key);
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
