import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PilotLightApi, PilotLightTestApi } from '../../../src/extension';
import type { ExplorerNode } from '../../../src/features/explorer/nodes';

export const EXTENSION_ID = 'pilot-light.pilot-light';

/** The extension's API as its own tests see it: the features themselves, only in extension mode Test. */
export async function pilotLight(): Promise<PilotLightTestApi> {
  const extension = vscode.extensions.getExtension<PilotLightApi | PilotLightTestApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  const api = await extension.activate();
  assert.ok(
    'testing' in api && api.testing,
    'the extension runs in extension mode Test and exposes its features to its own tests',
  );
  return api as PilotLightTestApi;
}

export function label(node: ExplorerNode): string {
  const treeLabel = node.getTreeItem().label;
  return typeof treeLabel === 'string' ? treeLabel : (treeLabel?.label ?? '');
}

export async function childrenOf(
  explorer: PilotLightTestApi['explorer'],
  node?: ExplorerNode,
): Promise<ExplorerNode[]> {
  return explorer.getChildren(node) as Promise<ExplorerNode[]>;
}

/** Finds the node at a label path below the single profile root, e.g. ['us-east-1', 'EC2', 'Instances']. */
export async function nodeAt(explorer: PilotLightTestApi['explorer'], path: string[]): Promise<ExplorerNode> {
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
export async function walk(explorer: PilotLightTestApi['explorer'], path: string[]): Promise<ExplorerNode[]> {
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
