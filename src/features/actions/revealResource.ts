import * as vscode from 'vscode';
import type { ExplorerNode } from '../explorer/nodes';
import type { ExplorerFeature } from '../explorer/registerExplorer';

/** The explorer's service folder for a resource type. */
function serviceTitle(type: string): string | undefined {
  if (/^ec2:(instance|volume|snapshot|elastic-ip|key-pair|image)$/.test(type)) return 'EC2';
  if (/^ec2:(vpc|subnet|security-group|route-table|internet-gateway|nat-gateway)$/.test(type)) return 'VPC';
  if (type.startsWith('ec2:launch-template')) return 'Launch templates';
  if (type.startsWith('iam:')) return 'IAM';
  if (type.startsWith('drs:')) return 'DRS';
  if (type.startsWith('cloudformation:')) return 'CloudFormation';
  return undefined;
}

function labelOf(node: ExplorerNode): string {
  const label = node.getTreeItem().label;
  return typeof label === 'string' ? label : (label?.label ?? '');
}

/**
 * "Show in explorer": focuses the AWS view, filters it to the resource and, when it can be found within a few
 * levels, selects it. The filter alone already narrows the tree to the resource. A resource created after the
 * explorer loaded its lists is not in them: on a miss the explorer reloads once and looks again.
 */
export async function revealResource(
  explorer: ExplorerFeature,
  target: { id: string; type?: string; region?: string },
): Promise<boolean> {
  await vscode.commands.executeCommand('pilotLight.explorer.focus');
  explorer.provider.setFilter(target.id);
  if (await findAndSelect(explorer, target)) return true;
  explorer.provider.refresh();
  return findAndSelect(explorer, target);
}

async function findAndSelect(
  explorer: ExplorerFeature,
  target: { id: string; type?: string; region?: string },
): Promise<boolean> {
  const service = target.type ? serviceTitle(target.type) : undefined;
  try {
    const [root] = (await explorer.provider.getChildren()) as ExplorerNode[];
    if (!root) return false;
    const regions = (await explorer.provider.getChildren(root)) as ExplorerNode[];
    const region = regions.find((node) => labelOf(node) === target.region) ?? regions[0];
    const services = (await explorer.provider.getChildren(region)) as ExplorerNode[];
    let frontier = services.filter((node) => !service || labelOf(node) === service);
    for (let depth = 0; depth < 4 && frontier.length; depth += 1) {
      const next: ExplorerNode[] = [];
      for (const node of frontier) {
        const children = (await explorer.provider.getChildren(node)) as ExplorerNode[];
        const found = children.find(
          (child) => (child as unknown as { resource?: { id?: string } }).resource?.id === target.id,
        );
        if (found) {
          await explorer.view.reveal(found, { select: true, focus: true, expand: false });
          return true;
        }
        next.push(
          ...children.filter((child) => child.getTreeItem().collapsibleState !== vscode.TreeItemCollapsibleState.None),
        );
      }
      frontier = next.slice(0, 50);
    }
  } catch {
    // The filter is already applied; revealing is a convenience.
  }
  return false;
}
