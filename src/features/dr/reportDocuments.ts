import * as vscode from 'vscode';

export const DR_REPORT_SCHEME = 'pilot-light-dr';

/** Read-only Markdown documents: preflight reports, run reports, import previews, runbooks and explanations. */
export class DrReportDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly documents = new Map<string, string>();
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;

  uriFor(kind: 'preflight' | 'run' | 'import' | 'runbook' | 'explain' | 'setup', name: string): vscode.Uri {
    return vscode.Uri.from({ scheme: DR_REPORT_SCHEME, path: `/${kind}/${name.replace(/[^\w.-]/g, '-')}.md` });
  }

  /** Stores the text and opens it as a Markdown preview (the source when previews are unavailable). */
  async show(uri: vscode.Uri, markdown: string, options: { preview?: boolean } = {}): Promise<vscode.Uri> {
    this.documents.set(uri.toString(), markdown);
    this.changeEmitter.fire(uri);
    if (options.preview === false) return uri;
    try {
      await vscode.commands.executeCommand('markdown.showPreview', uri);
    } catch {
      const document = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(document, { preview: true });
    }
    return uri;
  }

  text(uri: vscode.Uri): string | undefined {
    return this.documents.get(uri.toString());
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.documents.get(uri.toString()) ?? '# Report no longer available\n\nRun the command again.\n';
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}
