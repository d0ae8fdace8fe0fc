import * as assert from 'node:assert/strict';
import { createVscodeStub, installVscodeStub } from '../support/vscodeStub';

type TreeModule = typeof import('../../src/features/shared/tree');

describe('shared tree base', () => {
  let uninstall: () => void;
  let tree: TreeModule;
  const modulePath = require.resolve('../../src/features/shared/tree');

  before(() => {
    uninstall = installVscodeStub(createVscodeStub().api);
    delete require.cache[modulePath];
    tree = require(modulePath) as TreeModule;
  });
  after(() => {
    uninstall();
    delete require.cache[modulePath];
  });

  function sampleTree() {
    class Node extends tree.TreeNode<Node> {
      readonly children: Node[] = [];
      getTreeItem() {
        return this.treeItem(`label ${this.id}`, this.children.length ? 1 : 0, {
          description: 'd',
          contextValue: 'ctx',
          id: this.id,
        });
      }
      getChildren(): Node[] {
        return this.children;
      }
    }
    class Provider extends tree.TreeProvider<Node> {
      disposed = 0;
      constructor(readonly top: Node[]) {
        super();
        this.subscriptions.push({ dispose: () => void this.disposed++ });
      }
      protected getRoots(): Node[] {
        return this.top;
      }
    }
    const root = new Node('root', undefined);
    const child = new Node('root/child', root);
    root.children.push(child);
    return { root, child, provider: new Provider([root]) };
  }

  it('builds TreeItems with the node ID and the given fields', () => {
    const { child } = sampleTree();
    const item = child.getTreeItem();
    assert.equal(item.id, 'root/child');
    assert.equal(item.label, 'label root/child');
    assert.equal(item.collapsibleState, 0);
    assert.equal(item.description, 'd');
    assert.equal(item.contextValue, 'ctx');
  });

  it('answers roots, children, parents and tree items from the nodes', async () => {
    const { root, child, provider } = sampleTree();
    assert.deepEqual(await provider.getChildren(), [root]);
    assert.deepEqual(await provider.getChildren(root), [child]);
    assert.deepEqual(await provider.getChildren(child), []);
    assert.equal(provider.getParent(child), root);
    assert.equal(provider.getParent(root), undefined);
    assert.equal(provider.getTreeItem(root).collapsibleState, 1);
  });

  it('repaint and refresh fire the change event for a node or the whole tree; dispose disposes subscriptions', () => {
    const { child, provider } = sampleTree();
    const fired: unknown[] = [];
    provider.onDidChangeTreeData((node) => fired.push(node));
    provider.repaint(child);
    provider.refresh();
    assert.deepEqual(fired, [child, undefined]);
    provider.dispose();
    assert.equal(provider.disposed, 1);
  });
});
