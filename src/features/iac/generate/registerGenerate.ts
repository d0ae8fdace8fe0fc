import * as vscode from 'vscode';
import type { LiveKind } from '../../../core/iac/generate';
import { commandRegistrar, UserError } from '../../shared/commands';
import type { PilotLightContext } from '../../shared/pilotLightContext';
import { asResourceNode, type ResourceNodeLike } from '../../explorer/resourceNodeArg';

export const IAC_GENERATE_COMMANDS = {
  cloudFormation: 'pilotLight.iac.generateCloudFormation',
  terraform: 'pilotLight.iac.generateTerraform',
  insert: 'pilotLight.iac.insertLiveResource',
} as const;

type Format = 'cloudformation' | 'terraform';

const core = () => import('../../../core/iac/generate');

const ID_PATTERN: Record<LiveKind, RegExp> = {
  vpc: /^vpc-[0-9a-f]{8,17}$/,
  subnet: /^subnet-[0-9a-f]{8,17}$/,
  routeTable: /^rtb-[0-9a-f]{8,17}$/,
  internetGateway: /^igw-[0-9a-f]{8,17}$/,
  natGateway: /^nat-[0-9a-f]{8,17}$/,
  securityGroup: /^sg-[0-9a-f]{8,17}$/,
  instance: /^i-[0-9a-f]{8,17}$/,
  launchTemplate: /^lt-[0-9a-f]{8,17}$/,
};

const KIND_PICKS: Array<{ label: string; liveKind: LiveKind }> = [
  { label: 'EC2 instance', liveKind: 'instance' },
  { label: 'Security group', liveKind: 'securityGroup' },
  { label: 'Subnet', liveKind: 'subnet' },
  { label: 'VPC (only the VPC)', liveKind: 'vpc' },
  { label: 'Route table', liveKind: 'routeTable' },
  { label: 'Internet gateway', liveKind: 'internetGateway' },
  { label: 'NAT gateway', liveKind: 'natGateway' },
  { label: 'Launch template', liveKind: 'launchTemplate' },
];

/** The generated text for resources, read through the profile's runner (registered read operations). */
async function generate(
  ctx: PilotLightContext,
  format: Format,
  selection: Array<{ kind: LiveKind; id: string }>,
  where: { region: string; profile?: string },
  vpcContents: boolean,
) {
  const generateCore = await core();
  const { runnerReads } = await import('../../../core/resources/runnerReads');
  const connection = await ctx.connectionFor(where.profile);
  const reads = runnerReads(
    () => ctx.safety.runner(where.profile),
    () => connection.identity(),
    'command',
  );
  const live = await generateCore.readLiveResources(reads, where.region, selection, { vpcContents });
  if (!live.length) throw new UserError(`None of the selected resources was found in ${where.region}.`);
  const options = { region: where.region, generatedAt: new Date().toISOString() };
  return format === 'cloudformation'
    ? generateCore.generateCloudFormation(live, options)
    : generateCore.generateTerraform(live, options);
}

async function selectionOf(
  clicked: unknown,
  selected: unknown,
): Promise<{ nodes: ResourceNodeLike[]; kinds: Array<{ kind: LiveKind; id: string }> }> {
  const { LIVE_KIND_OF_EXPLORER_TYPE } = await core();
  const candidates = Array.isArray(selected) && selected.length ? selected : [clicked];
  const nodes = candidates.map(asResourceNode).filter((node): node is ResourceNodeLike => !!node);
  if (!nodes.length) throw new UserError('Select one or more resources in the AWS explorer first.');
  const unsupported = nodes.filter((node) => !LIVE_KIND_OF_EXPLORER_TYPE[node.resource.type]);
  if (unsupported.length)
    throw new UserError(
      `Not supported yet: generating IaC for ${[...new Set(unsupported.map((node) => node.resource.type))].join(', ')}. Supported: VPCs, subnets, route tables, internet and NAT gateways, security groups, instances and launch templates.`,
    );
  const places = new Set(nodes.map((node) => `${node.connection?.profileName ?? ''}|${node.region}`));
  if (places.size > 1) throw new UserError('Select resources of one profile and one region.');
  return {
    nodes,
    kinds: nodes.map((node) => ({ kind: LIVE_KIND_OF_EXPLORER_TYPE[node.resource.type], id: node.resource.id })),
  };
}

/**
 * IaC generation: *Generate CloudFormation…* and *Generate Terraform…* on explorer resources (one, a selection,
 * or a VPC with what is in it) open the result as a new document; *Insert Live Resource into Template* writes one
 * resource at the cursor of a CloudFormation YAML or Terraform file. Everything loads on first use.
 */
export function registerIacGenerate(ctx: PilotLightContext): void {
  const command = commandRegistrar(ctx);

  const generateCommand = (format: Format) => async (clicked?: unknown, selected?: unknown) => {
    const { nodes, kinds } = await selectionOf(clicked, selected);
    const where = { region: nodes[0].region, profile: nodes[0].connection?.profileName };
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Reading ${nodes.length} resource(s) for ${format === 'cloudformation' ? 'CloudFormation' : 'Terraform'}…`,
      },
      () => generate(ctx, format, kinds, where, true),
    );
    const document = await vscode.workspace.openTextDocument({
      language: format === 'cloudformation' ? 'yaml' : 'terraform',
      content: result.text,
    });
    await vscode.window.showTextDocument(document, { preview: false });
    return document;
  };

  ctx.extension.subscriptions.push(
    command(IAC_GENERATE_COMMANDS.cloudFormation, generateCommand('cloudformation')),
    command(IAC_GENERATE_COMMANDS.terraform, generateCommand('terraform')),
    command(IAC_GENERATE_COMMANDS.insert, async (arg?: unknown) => {
      const editor = vscode.window.activeTextEditor;
      if (!editor)
        throw new UserError(
          'Open a CloudFormation YAML template or a Terraform file, place the cursor, and run this again.',
        );
      const document = editor.document;
      const format: Format | undefined =
        document.fileName.endsWith('.tf') || document.languageId === 'terraform'
          ? 'terraform'
          : document.languageId === 'yaml' || /\.ya?ml$/i.test(document.fileName)
            ? 'cloudformation'
            : undefined;
      if (!format)
        throw new UserError(
          'Not supported yet: inserting into this kind of file. Use a CloudFormation YAML template or a .tf file.',
        );
      let selection: { kind: LiveKind; id: string };
      let where: { region: string; profile?: string };
      const node = asResourceNode(arg);
      if (node) {
        const { kinds } = await selectionOf(node, undefined);
        selection = kinds[0];
        where = { region: node.region, profile: node.connection?.profileName };
      } else {
        const kind = await vscode.window.showQuickPick(KIND_PICKS, {
          title: 'Insert live resource: which kind?',
          ignoreFocusOut: true,
        });
        if (!kind) return;
        const id = await vscode.window.showInputBox({
          title: `Insert live resource: the ${kind.label.toLowerCase()}'s ID`,
          ignoreFocusOut: true,
          validateInput: (value) =>
            ID_PATTERN[kind.liveKind].test(value.trim()) ? undefined : `Not a ${kind.label.toLowerCase()} ID.`,
        });
        if (!id) return;
        selection = { kind: kind.liveKind, id: id.trim() };
        where = { region: (await ctx.connection()).region };
      }
      const result = await generate(ctx, format, [selection], where, false);
      const { snippetForInsertion } = await import('../../../core/iac/generate/insert');
      const position = editor.selection.active;
      const text = snippetForInsertion(format, result.text, position.character);
      const applied = await editor.edit((edit) => edit.insert(new vscode.Position(position.line, 0), text));
      if (!applied)
        throw new UserError('The editor did not accept the insertion (was the document changed meanwhile?).');
    }),
  );
}
