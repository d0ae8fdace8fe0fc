import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** A schema as zod provides it; the host only needs safeParse (zod itself stays in the lazily loaded core bundle). */
export interface MessageSchema<T> {
  safeParse(
    value: unknown,
  ):
    { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } };
}

/** One editor's messages: what the webview may send, what the host may send, and how the host reports an error. */
export interface WebviewProtocol<ToHost, ToWebview> {
  name: string;
  toHost: MessageSchema<ToHost>;
  toWebview: MessageSchema<ToWebview>;
  error(message: string): ToWebview;
}

/** The folder every webview bundle is built into; the only local resource a webview may load. */
export const WEBVIEW_DIST = ['dist', 'webview'] as const;

/** A fresh script nonce for every page load. */
export function createNonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

const ATTRIBUTE_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
/** Escapes text for an HTML attribute or text node. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ATTRIBUTE_ESCAPES[char]);
}

export interface WebviewPage {
  title: string;
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri?: string;
}

/** The content security policy: nothing by default, scripts only with the nonce, styles, fonts and images from the webview's own source. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    `default-src 'none'`,
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
}

/** The page around a webview bundle. The title is the only text, escaped; data arrives later as messages. */
export function webviewHtml(page: WebviewPage): string {
  const csp = contentSecurityPolicy(page.cspSource, page.nonce);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="UTF-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
    page.styleUri ? `<link rel="stylesheet" href="${escapeHtml(page.styleUri)}">` : '',
    `<title>${escapeHtml(page.title)}</title>`,
    '</head>',
    '<body>',
    '<main id="app"></main>',
    `<script nonce="${escapeHtml(page.nonce)}" src="${escapeHtml(page.scriptUri)}"></script>`,
    '</body>',
    '</html>',
  ]
    .filter(Boolean)
    .join('\n');
}

function describeIssues(issues: Array<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(message)'}: ${issue.message}`)
    .join('; ');
}

export interface WebviewPanelOptions<ToHost, ToWebview> {
  viewType: string;
  title: string;
  /** The bundle name under dist/webview (`<bundle>.js` and `<bundle>.css`). */
  bundle: string;
  protocol: WebviewProtocol<ToHost, ToWebview>;
  /** Handles one validated message. A thrown error is answered with the protocol's error message. */
  onMessage(message: ToHost): Promise<void> | void;
  log: Pick<vscode.LogOutputChannel, 'warn' | 'error'>;
  column?: vscode.ViewColumn;
  /** A panel VS Code created (a custom editor's); its webview gets the same options. */
  panel?: vscode.WebviewPanel;
}

/**
 * A webview panel with the project's rules: CSP `default-src 'none'`, a per-load script nonce, local
 * resources from dist/webview only, and every message validated both ways against the editor's protocol.
 * An invalid or unknown message is answered with an error, never ignored.
 */
export class WebviewHost<ToHost, ToWebview> implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  /** Every message posted to the webview (bounded), for the extension's own tests. */
  readonly sent: ToWebview[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private nonce = '';

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly options: WebviewPanelOptions<ToHost, ToWebview>,
  ) {
    const root = vscode.Uri.joinPath(extensionUri, ...WEBVIEW_DIST);
    const webviewOptions = { enableScripts: true, enableCommandUris: false, localResourceRoots: [root] };
    if (options.panel) {
      this.panel = options.panel;
      this.panel.webview.options = webviewOptions;
    } else
      this.panel = vscode.window.createWebviewPanel(
        options.viewType,
        options.title,
        options.column ?? vscode.ViewColumn.Active,
        { ...webviewOptions, retainContextWhenHidden: false },
      );
    this.disposables.push(this.panel.webview.onDidReceiveMessage((raw) => this.receive(raw)));
    this.load();
  }

  /** (Re)loads the page with a new nonce. */
  load(): void {
    const webview = this.panel.webview;
    const root = vscode.Uri.joinPath(this.extensionUri, ...WEBVIEW_DIST);
    this.nonce = createNonce();
    webview.html = webviewHtml({
      title: this.options.title,
      cspSource: webview.cspSource,
      nonce: this.nonce,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, `${this.options.bundle}.js`)).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, `${this.options.bundle}.css`)).toString(),
    });
  }

  /** The nonce of the current page (tests compare loads). */
  get currentNonce(): string {
    return this.nonce;
  }

  /** Validates and posts a message; an invalid one is a bug in the host and throws. */
  async post(message: ToWebview): Promise<boolean> {
    const parsed = this.options.protocol.toWebview.safeParse(message);
    if (!parsed.success)
      throw new Error(
        `${this.options.protocol.name}: refused to send an invalid message (${describeIssues(parsed.error.issues)}).`,
      );
    this.sent.push(parsed.data);
    if (this.sent.length > 200) this.sent.splice(0, this.sent.length - 200);
    return this.panel.webview.postMessage(parsed.data);
  }

  /** Validates a message from the webview and hands it on; the answer to an invalid message is an error message. */
  async receive(raw: unknown): Promise<void> {
    const parsed = this.options.protocol.toHost.safeParse(raw);
    if (!parsed.success) {
      const type =
        raw && typeof raw === 'object' && typeof (raw as { type?: unknown }).type === 'string'
          ? String((raw as { type: string }).type).slice(0, 40)
          : 'unknown';
      const message = `Invalid message "${type}" from the ${this.options.protocol.name} webview: ${describeIssues(parsed.error.issues)}`;
      this.options.log.warn(message);
      await this.post(this.options.protocol.error(message)).catch(() => undefined);
      return;
    }
    try {
      await this.options.onMessage(parsed.data);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.options.log.error(`${this.options.protocol.name}: ${message}`);
      await this.post(this.options.protocol.error(message)).catch(() => undefined);
    }
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.panel.dispose();
  }
}
