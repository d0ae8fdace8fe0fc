import * as vscode from 'vscode';

export const LAUNCH_TEMPLATE_DIFF_SCHEME = 'pilot-light-lt';

/** Read-only documents with the normalized text of launch template versions, for VS Code's diff editor. */
export class LaunchTemplateDiffDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private counter = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return (
      this.texts.get(uri.toString()) ??
      'This version text is no longer available. Compare the versions again from the editor.'
    );
  }

  /** A URI for a text, e.g. `pilot-light-lt:/lt-0abc/3/version-3.json`. */
  add(templateId: string, label: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({
      scheme: LAUNCH_TEMPLATE_DIFF_SCHEME,
      path: `/${templateId.replace(/[^\w-]/g, '')}/${++this.counter}/${label.replace(/[^\w.-]+/g, '-').slice(0, 60)}.json`,
    });
    this.texts.set(uri.toString(), text);
    if (this.texts.size > 100) this.texts.delete(this.texts.keys().next().value!);
    return uri;
  }

  /** Opens the diff editor; resolves to the two URIs. */
  async showDiff(
    templateId: string,
    left: { label: string; text: string },
    right: { label: string; text: string },
    title: string,
  ): Promise<{ left: vscode.Uri; right: vscode.Uri }> {
    const leftUri = this.add(templateId, left.label, left.text);
    const rightUri = this.add(templateId, right.label, right.text);
    await vscode.commands.executeCommand('vscode.diff', leftUri, rightUri, title, { preview: true });
    return { left: leftUri, right: rightUri };
  }
}

let documents: LaunchTemplateDiffDocuments | undefined;

export function launchTemplateDiffDocuments(context: vscode.ExtensionContext): LaunchTemplateDiffDocuments {
  if (!documents) {
    documents = new LaunchTemplateDiffDocuments();
    context.subscriptions.push(
      vscode.workspace.registerTextDocumentContentProvider(LAUNCH_TEMPLATE_DIFF_SCHEME, documents),
    );
  }
  return documents;
}
