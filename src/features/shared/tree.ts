import * as vscode from 'vscode';

/**
 * The base of every node in Pilot Light's trees: a stable ID (the TreeItem's), its parent (for
 * `getParent` and `reveal`), its TreeItem and its children.
 */
export abstract class TreeNode<N extends TreeNode<N>> {
  constructor(
    readonly id: string,
    readonly parent: N | undefined,
  ) {}

  abstract getTreeItem(): vscode.TreeItem;

  getChildren(): N[] | Promise<N[]> {
    return [];
  }

  /** A TreeItem with this node's ID; `extras` (description, icon, contextValue, command…) are copied onto it. */
  protected treeItem(
    label: string | vscode.TreeItemLabel,
    state: vscode.TreeItemCollapsibleState,
    extras: Partial<vscode.TreeItem> = {},
  ): vscode.TreeItem {
    const result = new vscode.TreeItem(label, state);
    result.id = this.id;
    return Object.assign(result, extras);
  }
}

/** A TreeDataProvider over TreeNodes: the change event, repaint, refresh and dispose. */
export abstract class TreeProvider<N extends TreeNode<N>> implements vscode.TreeDataProvider<N>, vscode.Disposable {
  protected readonly changeEmitter = new vscode.EventEmitter<N | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  /** Disposed with the provider (the change emitter is one). */
  protected readonly subscriptions: vscode.Disposable[] = [this.changeEmitter];

  /** The top-level nodes. */
  protected abstract getRoots(): N[] | Promise<N[]>;

  /** Repaints one node (or the whole tree) from the data it already has. */
  repaint(node?: N): void {
    this.changeEmitter.fire(node);
  }

  /** Reloads the whole tree; providers with cached data drop it first. */
  refresh(): void {
    this.repaint();
  }

  getTreeItem(node: N): vscode.TreeItem {
    return node.getTreeItem();
  }

  getParent(node: N): N | undefined {
    return node.parent;
  }

  getChildren(node?: N): N[] | Promise<N[]> {
    return node ? node.getChildren() : this.getRoots();
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}
