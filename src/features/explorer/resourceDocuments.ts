import * as vscode from 'vscode';
import type { ResourceSummary } from '../../core/resources/model';

export const RESOURCE_SCHEME = 'pilot-light-resource';

/** Read-only JSON documents of resources, served from what the explorer loaded. */
export class ResourceDocumentProvider implements vscode.TextDocumentContentProvider {
  private readonly documents = new Map<string, string>();
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;

  uriFor(resource: ResourceSummary, region: string, profile: string): vscode.Uri {
    const safe = (part: string) => encodeURIComponent(part).replace(/%/g, '~');
    return vscode.Uri.from({
      scheme: RESOURCE_SCHEME,
      path: `/${safe(profile)}/${region}/${resource.type.replace(/:/g, '-')}/${safe(resource.id)}.json`,
    });
  }

  async open(resource: ResourceSummary, region: string, profile: string): Promise<vscode.TextEditor> {
    const uri = this.uriFor(resource, region, profile);
    this.documents.set(uri.toString(), `${JSON.stringify(resource.raw, null, 2)}\n`);
    this.changeEmitter.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(document, 'json');
    return vscode.window.showTextDocument(document, { preview: true });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return (
      this.documents.get(uri.toString()) ??
      '// This resource is no longer loaded. Open it again from the AWS explorer.\n'
    );
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}
