import * as vscode from 'vscode';

/** A resource of a template linked to a deployed stack: where it is declared and the physical ID it has. */
export interface LinkedResource {
  logicalId: string;
  type: string;
  physicalId: string;
  /** The range of the resource's logical ID key in the template. */
  range: vscode.Range;
}

const linked = new Map<string, { uri: vscode.Uri; stackName: string; resources: LinkedResource[] }>();
const changed = new vscode.EventEmitter<vscode.Uri>();

/** Fired when a template's link (or its resources) changed; compliance diagnostics follow it. */
export const onDidChangeLinkedResources = changed.event;

/** Set by the drift check after it linked a template to its stack; `undefined` forgets the template. */
export function setLinkedResources(uri: vscode.Uri, stackName: string | undefined, resources: LinkedResource[]): void {
  if (stackName) linked.set(uri.toString(), { uri, stackName, resources });
  else if (!linked.delete(uri.toString())) return;
  changed.fire(uri);
}

export function linkedTemplates(): Array<{ uri: vscode.Uri; stackName: string; resources: LinkedResource[] }> {
  return [...linked.values()];
}
