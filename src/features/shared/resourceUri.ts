import * as vscode from 'vscode';

/** The scheme of explorer rows' resource URIs, which decorations (compliance findings) attach to. */
export const RESOURCE_URI_SCHEME = 'pilot-light-resource';

/** A URI naming an AWS resource by its ID (e.g. sg-0123…, an account ID, an ARN). */
export function resourceUri(id: string): vscode.Uri {
  return vscode.Uri.from({ scheme: RESOURCE_URI_SCHEME, path: `/${encodeURIComponent(id)}` });
}

export function resourceIdOf(uri: vscode.Uri): string | undefined {
  if (uri.scheme !== RESOURCE_URI_SCHEME) return undefined;
  try {
    return decodeURIComponent(uri.path.slice(1));
  } catch {
    return undefined;
  }
}
