import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PilotLightApi } from '../../../src/extension';
import type { ExplorerNode } from '../../../src/features/explorer/nodes';

export const EXTENSION_ID = 'pilot-light.pilot-light';

export async function pilotLight(): Promise<PilotLightApi> {
  const extension = vscode.extensions.getExtension<PilotLightApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  return extension.activate();
}

export function label(node: ExplorerNode): string {
  const treeLabel = node.getTreeItem().label;
  return typeof treeLabel === 'string' ? treeLabel : treeLabel?.label ?? '';
}

export async function childrenOf(explorer: PilotLightApi['explorer'], node?: ExplorerNode): Promise<ExplorerNode[]> {
  return explorer.getChildren(node) as Promise<ExplorerNode[]>;
}

/** Finds the node at a label path below the single profile root, e.g. ['us-east-1', 'EC2', 'Instances']. */
export async function nodeAt(explorer: PilotLightApi['explorer'], path: string[]): Promise<ExplorerNode> {
  const roots = await childrenOf(explorer);
  assert.equal(roots.length, 1, `one profile root, got ${roots.map(label).join(', ')}`);
  let current = roots[0];
  for (const step of path) {
    const nodes = await childrenOf(explorer, current);
    const next = nodes.find((node) => label(node) === step);
    assert.ok(next, `"${step}" under "${label(current)}"; found: ${nodes.map(label).join(', ')}`);
    current = next;
  }
  return current;
}

/** The children of the node at `path`. */
export async function walk(explorer: PilotLightApi['explorer'], path: string[]): Promise<ExplorerNode[]> {
  return childrenOf(explorer, await nodeAt(explorer, path));
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('pilotLight').update(key, value, vscode.ConfigurationTarget.Global);
}

/** Runs `body` with these `pilotLight.*` user settings, then removes them again, whatever happens. */
export async function withSettings<T>(settings: Record<string, unknown>, body: () => Promise<T>): Promise<T> {
  try {
    for (const [key, value] of Object.entries(settings)) await setSetting(key, value);
    return await body();
  } finally {
    for (const key of Object.keys(settings)) await setSetting(key, undefined);
  }
}

export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
