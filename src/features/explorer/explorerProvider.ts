import * as vscode from 'vscode';
import { describeAwsError } from '../../core/aws/errors';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { ErrorNode, ExplorerNode, ProfileNode, type ExplorerHost } from './nodes';

export const EXPLORER_VIEW_ID = 'pilotLight.explorer';
const NEEDS_CREDENTIALS_KEY = 'pilotLight.needsCredentials';

export class ExplorerProvider implements vscode.TreeDataProvider<ExplorerNode>, ExplorerHost, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ExplorerNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private roots?: Promise<ExplorerNode[]>;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly ctx: PilotLightContext) {
    this.subscriptions.push(this.changeEmitter, ctx.onDidChangeConnection(() => this.refresh()));
  }

  refresh(node?: ExplorerNode): void {
    if (!node) this.roots = undefined;
    this.changeEmitter.fire(node);
  }

  pageSize(): number {
    return vscode.workspace.getConfiguration('pilotLight.explorer').get<number>('pageSize') ?? 100;
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  getParent(node: ExplorerNode): ExplorerNode | undefined {
    return node.parent;
  }

  getChildren(node?: ExplorerNode): Promise<ExplorerNode[]> | ExplorerNode[] {
    if (node) return node.getChildren();
    this.roots ??= this.loadRoots();
    return this.roots;
  }

  /** The profile node needs the caller identity (account); credential problems show the welcome view. */
  private async loadRoots(): Promise<ExplorerNode[]> {
    let connection;
    try {
      connection = await this.ctx.connection();
      const identity = await this.ctx.identity();
      await this.setNeedsCredentials(false);
      return [new ProfileNode(connection, identity.account, identity.arn, this)];
    } catch (error) {
      const info = connection ? connection.describeError(error) : describeAwsError(error);
      this.ctx.log.warn(`Explorer: ${info.code}: ${info.message}`);
      if (info.kind === 'no-credentials') {
        await this.setNeedsCredentials(true);
        return [];
      }
      await this.setNeedsCredentials(false);
      return [new ErrorNode(undefined, 'root/~error', info, () => this.refresh())];
    }
  }

  /** True while the welcome view (no usable credentials) is showing. */
  needsCredentials = false;

  private async setNeedsCredentials(value: boolean): Promise<void> {
    this.needsCredentials = value;
    await vscode.commands.executeCommand('setContext', NEEDS_CREDENTIALS_KEY, value);
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}
