import * as vscode from 'vscode';
import type { AwsConnection } from '../../core/aws/connection';
import { describeAwsError } from '../../core/aws/errors';
import type { OrganizationAccount, OrganizationTree, OrganizationUnit } from '../../core/organizations/directory';
import type { OrganizationAccess } from '../../core/organizations/access';
import { ErrorNode, ExplorerNode, MessageNode, RegionNode, type ExplorerHost } from './nodes';

/** The organization below a profile root: OUs → accounts (name, ID, status, environment) → regions → services. */

const collapsed = vscode.TreeItemCollapsibleState.Collapsed;
const leaf = vscode.TreeItemCollapsibleState.None;

export class OrganizationNode extends ExplorerNode {
  private content?: Promise<ExplorerNode[]>;

  constructor(
    parent: ExplorerNode,
    readonly access: OrganizationAccess,
    readonly tree: OrganizationTree,
    private readonly host: ExplorerHost,
  ) {
    super(`${parent.id}/~organization`, parent);
  }

  getTreeItem(): vscode.TreeItem {
    const { tree } = this;
    return this.treeItem('Organization', collapsed, {
      description: `${tree.id} · ${tree.accounts.length} accounts`,
      tooltip: `AWS organization ${tree.id}\nManagement account ${tree.managementAccountId}\nMember accounts are reached with the role "${this.access.members.options.roleName}" (pilotLight.organizations.memberRoleName).${tree.truncated ? `\nIncomplete: ${tree.truncated}.` : ''}`,
      contextValue: 'pilotLight.organization',
      iconPath: new vscode.ThemeIcon('organization'),
    });
  }

  getChildren(): Promise<ExplorerNode[]> {
    this.content ??= (async () => {
      const policies = new PoliciesNode(this, this.access, undefined);
      const content =
        this.tree.roots.length === 1
          ? unitChildren(this, this.tree.roots[0], this.access, this.host)
          : this.tree.roots.map((root) => new UnitNode(this, root, this.access, this.host));
      return [policies, ...content];
    })();
    return this.content;
  }

  reset(): void {
    this.content = undefined;
    this.access.forget();
  }
}

function unitChildren(
  parent: ExplorerNode,
  unit: OrganizationUnit,
  access: OrganizationAccess,
  host: ExplorerHost,
): ExplorerNode[] {
  return [
    ...unit.units.map((child) => new UnitNode(parent, child, access, host)),
    ...unit.accounts.map((account) => new AccountNode(parent, account, access, host)),
  ];
}

export class UnitNode extends ExplorerNode {
  constructor(
    parent: ExplorerNode,
    readonly unit: OrganizationUnit,
    private readonly access: OrganizationAccess,
    private readonly host: ExplorerHost,
  ) {
    super(`${parent.id}/${unit.id}`, parent);
  }
  getTreeItem(): vscode.TreeItem {
    const count = this.unit.accounts.length;
    return this.treeItem(this.unit.name, collapsed, {
      description: `${this.unit.id}${count ? ` · ${count} account${count === 1 ? '' : 's'}` : ''}`,
      tooltip: `${this.unit.kind === 'root' ? 'Root' : 'Organizational unit'} ${this.unit.id}`,
      contextValue: 'pilotLight.organizationUnit',
      iconPath: new vscode.ThemeIcon(this.unit.kind === 'root' ? 'root-folder' : 'folder'),
    });
  }
  getChildren(): ExplorerNode[] {
    return [
      new PoliciesNode(this, this.access, this.unit.id),
      ...unitChildren(this, this.unit, this.access, this.host),
    ];
  }
}

export class AccountNode extends ExplorerNode {
  private regionNodes?: ExplorerNode[];

  constructor(
    parent: ExplorerNode,
    readonly account: OrganizationAccount,
    private readonly access: OrganizationAccess,
    private readonly host: ExplorerHost,
  ) {
    super(`${parent.id}/${account.id}`, parent);
  }

  get management(): boolean {
    return this.account.id === this.access.cachedTree?.managementAccountId;
  }

  getTreeItem(): vscode.TreeItem {
    const { account } = this;
    const environment = account.environment;
    const status = account.status === 'ACTIVE' ? '' : ` · ${account.status}`;
    return this.treeItem(account.name, account.status === 'ACTIVE' ? collapsed : leaf, {
      description: `${account.id} · ${environment.name}${environment.protected ? ' (protected)' : ''}${status}${this.management ? ' · management' : ''}`,
      tooltip: new vscode.MarkdownString(
        [
          `**${account.name}** \`${account.id}\``,
          `Status: ${account.status}`,
          `Environment: ${environment.name} (${environment.source === 'account' ? 'pilotLight.guardrails.accountEnvironments' : environment.source === 'tag' ? 'account tag' : 'no tag or setting'})${environment.protected ? ', protected' : ''}`,
          `Path: ${account.path.join(' / ')}`,
          account.email ? `E-mail: ${account.email}` : '',
          this.management
            ? "The management account: read with the profile's own credentials."
            : `Reached by assuming \`${this.access.members.options.roleName}\`; actions run in this account, through the same guardrails and audit trail.`,
          account.tagsError ? `Tags could not be read: ${account.tagsError}` : '',
        ]
          .filter(Boolean)
          .join('\n\n'),
      ),
      contextValue: 'pilotLight.organizationAccount',
      iconPath: new vscode.ThemeIcon(environment.protected ? 'lock' : 'account'),
    });
  }

  connection(): AwsConnection {
    return this.management ? this.access.base : this.access.memberConnection(this.account.id);
  }

  getChildren(): ExplorerNode[] {
    if (!this.regionNodes) {
      const connection = this.connection();
      const reads = this.host.reads(connection);
      this.regionNodes = [
        new PoliciesNode(this, this.access, this.account.id),
        ...this.host
          .regions(this.access.base)
          .map((region, index) => new RegionNode(this, region, connection, reads, this.host, index === 0)),
      ];
    }
    return this.regionNodes;
  }

  reset(): void {
    this.regionNodes = undefined;
  }
}

/** Service control policies: all of them (no target), or those attached to a root, OU or account. */
export class PoliciesNode extends ExplorerNode {
  private rows?: Promise<ExplorerNode[]>;

  constructor(
    parent: ExplorerNode,
    private readonly access: OrganizationAccess,
    readonly targetId: string | undefined,
  ) {
    super(`${parent.id}/~scps`, parent);
  }
  getTreeItem(): vscode.TreeItem {
    return this.treeItem(this.targetId ? 'Attached SCPs' : 'Service control policies', collapsed, {
      contextValue: 'pilotLight.organizationPolicies',
      iconPath: new vscode.ThemeIcon('shield'),
    });
  }
  getChildren(): Promise<ExplorerNode[]> {
    this.rows ??= (async () => {
      const read = this.access.read('explorer');
      try {
        const items: Array<Record<string, unknown>> = [];
        let nextToken: string | undefined;
        let pages = 0;
        do {
          const page = await read<{ items: Array<Record<string, unknown>>; nextToken?: string }>(
            this.targetId ? 'organizations.policies.forTarget' : 'organizations.policies.list',
            { ...(this.targetId ? { targetId: this.targetId } : {}), ...(nextToken ? { nextToken } : {}) },
          );
          items.push(...page.items);
          nextToken = page.nextToken;
        } while (nextToken && ++pages < 50);
        if (!items.length) return [new MessageNode(this, `${this.id}/~none`, 'No service control policies')];
        return items.map((policy) => new PolicyNode(this, policy));
      } catch (error) {
        this.rows = undefined;
        return [new ErrorNode(this, `${this.id}/~error`, describeAwsError(error), () => undefined)];
      }
    })();
    return this.rows;
  }
  reset(): void {
    this.rows = undefined;
  }
}

export class PolicyNode extends ExplorerNode {
  constructor(
    parent: ExplorerNode,
    readonly policy: Record<string, unknown>,
  ) {
    super(`${parent.id}/${String(policy.Id)}`, parent);
  }
  getTreeItem(): vscode.TreeItem {
    return this.treeItem(String(this.policy.Name ?? this.policy.Id), leaf, {
      description: `${String(this.policy.Id)}${this.policy.AwsManaged ? ' · AWS managed' : ''}`,
      tooltip: String(this.policy.Description ?? ''),
      contextValue: 'pilotLight.organizationPolicy',
      iconPath: new vscode.ThemeIcon('law'),
    });
  }
}
