import * as vscode from 'vscode';

export const USER_DATA_SCHEME = 'pilotlight-userdata';

/** What a user data document stands for: one template version's user data in one editor panel. */
export interface UserDataDocument {
  /** The panel that owns it (account/region/template). */
  panelKey: string;
  version: number;
  /** The text the document shows: what was revealed, or what was last saved (staged). */
  text: string;
  /** Called when the document is saved; throws (with a clear message) to refuse the save. */
  stage(text: string): void;
}

const MAX_FILE_BYTES = 64 * 1024;

/**
 * User data as real VS Code text documents (`pilotlight-userdata:` URIs), never in a webview. The text lives
 * only in memory; saving a document stages its text for the owning editor's next version, and nothing
 * reaches AWS until that editor saves. Closing without saving stages nothing.
 */
export class UserDataDocuments implements vscode.FileSystemProvider {
  private readonly documents = new Map<string, UserDataDocument & { mtime: number }>();
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;

  /** `pilotlight-userdata:/<account>/<region>/<template>/version-<n>/user-data<.ext>` */
  uriFor(panelKey: string, version: number, extension: string): vscode.Uri {
    const path = `/${panelKey.replace(/[^\w/.-]/g, '')}/version-${version}/user-data${extension}`;
    return vscode.Uri.from({ scheme: USER_DATA_SCHEME, path });
  }

  /** Registers (or replaces) the document behind `uri`. */
  set(uri: vscode.Uri, document: UserDataDocument): void {
    this.documents.set(uri.path, { ...document, mtime: Date.now() });
    this.changed.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  get(uri: vscode.Uri): UserDataDocument | undefined {
    return this.documents.get(uri.path);
  }

  /** Forgets every document of a panel (it closed); their editors then show an error on save. */
  forgetPanel(panelKey: string): void {
    for (const [path, document] of this.documents) if (document.panelKey === panelKey) this.documents.delete(path);
  }

  private entry(uri: vscode.Uri) {
    const document = this.documents.get(uri.path);
    if (!document) throw vscode.FileSystemError.FileNotFound(uri);
    return document;
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const document = this.entry(uri);
    return {
      type: vscode.FileType.File,
      ctime: document.mtime,
      mtime: document.mtime,
      size: Buffer.byteLength(document.text, 'utf8'),
    };
  }

  readFile(uri: vscode.Uri): Uint8Array {
    return Buffer.from(this.entry(uri).text, 'utf8');
  }

  writeFile(uri: vscode.Uri, content: Uint8Array): void {
    const document = this.documents.get(uri.path);
    if (!document)
      throw vscode.FileSystemError.NoPermissions(
        'This user data document is no longer attached to a launch-template editor. Open the user data again from the editor.',
      );
    if (content.byteLength > MAX_FILE_BYTES)
      throw vscode.FileSystemError.NoPermissions(`User data of ${content.byteLength} bytes is far past the AWS limit.`);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(content);
    } catch {
      throw vscode.FileSystemError.NoPermissions('User data edited as text must be valid UTF-8.');
    }
    try {
      document.stage(text);
    } catch (error) {
      throw vscode.FileSystemError.NoPermissions((error as Error).message);
    }
    document.text = text;
    document.mtime = Date.now();
    this.changed.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }
  readDirectory(): [string, vscode.FileType][] {
    return [];
  }
  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
}

let provider: UserDataDocuments | undefined;

export function userDataDocuments(context: vscode.ExtensionContext): UserDataDocuments {
  if (!provider) {
    provider = new UserDataDocuments();
    context.subscriptions.push(
      vscode.workspace.registerFileSystemProvider(USER_DATA_SCHEME, provider, { isCaseSensitive: true }),
    );
  }
  return provider;
}

/** The provider when some editor opened user data; undefined otherwise. */
export function existingUserDataDocuments(): UserDataDocuments | undefined {
  return provider;
}
