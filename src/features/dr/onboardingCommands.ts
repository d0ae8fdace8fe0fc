import * as vscode from 'vscode';
import type { GroupsProposal } from '../../core/dr/onboarding';
import { commandRegistrar } from '../shared/commands';
import type { DrCommandContext } from './drCommands';
import { loadDrCore, openAt } from './drServices';
import { UserError } from './prompts';

/** Hostnames listed per group in the quick pick; the preview document lists them all. */
const HOSTS_IN_PICK = 6;

export const CREATE_GROUPS_COMMAND = 'pilotLight.dr.createGroupsFromServers';
export const PLAN_FROM_GROUPS_COMMAND = 'pilotLight.dr.newPlanFromGroups';

export interface CreatedGroups {
  paths: string[];
  groups: string[];
  renamed: Array<{ from: string; to: string }>;
}

/** Markdown preview of a proposal: the servers each group will hold, and those left out. */
export function renderGroupsPreview(proposal: GroupsProposal): string {
  const escape = (text: string) => text.replace(/\s+/g, ' ').replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`);
  const lines = [
    `# Protection groups from tag \`${escape(proposal.tagKey)}\` (${proposal.region})`,
    '',
    `${proposal.groups.length} group(s), one per value. A group selects the servers by tag, so servers tagged later join it.`,
    '',
  ];
  for (const proposed of proposal.groups) {
    lines.push(`## ${escape(proposed.group.name)} — ${escape(proposal.tagKey)}=${escape(proposed.tagValue)}`, '');
    for (const server of proposed.servers) lines.push(`- ${escape(server.hostname)} (${server.sourceServerId})`);
    lines.push('');
  }
  if (proposal.untagged.length) {
    lines.push(`## Without the tag (in no group)`, '');
    for (const server of proposal.untagged) lines.push(`- ${escape(server.hostname)} (${server.sourceServerId})`);
    lines.push('');
  }
  return lines.join('\n');
}

/**
 * "Create Protection Groups from Source Servers…" and "New Recovery Plan from Groups…". Their questions stay open
 * when focus moves (the walkthrough that runs them re-renders as its steps complete, and a preview opens).
 */
export function registerDrOnboardingCommands(c: DrCommandContext): vscode.Disposable[] {
  const { services, prompts } = c;
  const command = commandRegistrar(services.ctx, {
    onError: (failure) => (c.lastError = { command: failure.command, message: failure.message }),
  });

  async function createGroups(tagKeyArg?: unknown): Promise<CreatedGroups> {
    const core = await loadDrCore();
    const root = await services.targetFolder();
    const session = await services.aws();
    const region = session.connection.region;
    const servers = (await session.reads.listSourceServers(region)).map((server) => core.toServerInfo(server, region));
    if (servers.length === 0)
      throw new UserError(
        `DRS has no source servers in ${region}. Install the replication agent on a server first, or switch region.`,
      );
    const keys = core.tagKeysOf(servers);
    if (keys.length === 0)
      throw new UserError(
        `None of the ${servers.length} source server(s) in ${region} has a tag. Tag them (e.g. Role=db) in DRS, then try again.`,
      );
    let tagKey = typeof tagKeyArg === 'string' ? tagKeyArg : undefined;
    if (tagKey && !keys.some((key) => key.key === tagKey))
      throw new UserError(`No source server in ${region} has the tag key "${tagKey}".`);
    if (!tagKey) {
      const picked = await prompts.quickPick(
        keys.map((key) => ({
          label: key.key,
          description: `${key.values} value(s) · ${key.servers} of ${servers.length} server(s)`,
        })),
        { title: 'Create protection groups: one group per value of which tag?', ignoreFocusOut: true },
      );
      if (!picked) throw new UserError('');
      tagKey = picked.label;
    }
    const workspace = await core.loadDrWorkspace(root);
    const takenNames = workspace.groups.flatMap((file) => (file.result.document ? [file.result.document.name] : []));
    const proposal = core.proposeGroups(servers, tagKey, { region, takenNames });
    await c.documents.show(c.documents.uriFor('setup', `groups-from-${tagKey}`), renderGroupsPreview(proposal));
    const chosen = await prompts.quickPickMany(
      proposal.groups.map((proposed) => ({
        label: proposed.group.name,
        description: `${tagKey}=${proposed.tagValue} · ${proposed.servers.length} server(s)`,
        detail:
          proposed.servers
            .slice(0, HOSTS_IN_PICK)
            .map((server) => server.hostname)
            .join(', ') +
          (proposed.servers.length > HOSTS_IN_PICK ? ` and ${proposed.servers.length - HOSTS_IN_PICK} more` : ''),
        picked: true,
        proposed,
      })),
      {
        title: `Protection groups to create (${proposal.untagged.length} server(s) without ${tagKey} stay out)`,
        ignoreFocusOut: true,
      },
    );
    if (!chosen || chosen.length === 0) throw new UserError('');
    const { files, renamed } = core.planFiles(
      root,
      chosen.map((item) => item.proposed.group),
      takenNames,
    );
    const detail = [
      ...chosen.map(
        (item) =>
          `${item.proposed.group.name}: ${item.proposed.servers.length} server(s) tagged ${tagKey}=${item.proposed.tagValue}`,
      ),
      ...(renamed.length
        ? [
            '',
            `Names already used, the new files get free names: ${renamed.map((r) => `${r.from} → ${r.to}`).join(', ')}`,
          ]
        : []),
      '',
      `Files go to ${vscode.workspace.asRelativePath(files[0].path).replace(/[^/\\]+$/, '')}. Existing files are left as they are.`,
    ].join('\n');
    const create = `Create ${files.length} group(s)`;
    if (
      (await prompts.confirm(`Create ${files.length} protection group(s) from tag ${tagKey}?`, detail, create)) !==
      create
    )
      throw new UserError('');
    const paths = await core.writePlannedFiles(files);
    c.diagnostics.validateOpenDocuments();
    void prompts
      .offer(`Created ${paths.length} protection group(s) from tag ${tagKey}.`, 'New Recovery Plan from Groups…')
      .then((choice) => choice && vscode.commands.executeCommand(PLAN_FROM_GROUPS_COMMAND));
    return { paths, groups: files.map((file) => file.name), renamed };
  }

  async function planFromGroups(options?: { groups?: string[]; name?: string }): Promise<vscode.Uri> {
    const core = await loadDrCore();
    const root = await services.targetFolder();
    const workspace = await core.loadDrWorkspace(root);
    const usable = core.usableDocuments(workspace).groups;
    if (usable.length === 0)
      throw new UserError('The workspace has no usable protection group yet.', [
        {
          title: 'Create Protection Groups from Source Servers…',
          run: () => vscode.commands.executeCommand(CREATE_GROUPS_COMMAND),
        },
      ]);
    let names = options?.groups;
    if (names) {
      const unknown = names.filter((name) => !usable.some((group) => group.name === name));
      if (unknown.length) throw new UserError(`No usable protection group named ${unknown.join(', ')}.`);
    } else {
      const picked = await prompts.quickPickMany(
        usable.map((group) => ({
          label: group.name,
          description: `${group.region} · ${Object.entries(group.selection.tags ?? {})
            .map(([key, value]) => `${key}=${value}`)
            .join(', ')}`,
        })),
        { title: 'Protection groups to recover in the new plan', ignoreFocusOut: true },
      );
      if (!picked || picked.length === 0) throw new UserError('');
      names = picked.map((item) => item.label);
    }
    const inputs = names.map((name) => {
      const group = usable.find((candidate) => candidate.name === name)!;
      return { name, tagValues: Object.values(group.selection.tags ?? {}) };
    });
    const tiered = core.proposePlan(inputs, { name: 'plan' });
    const given = core.proposePlan(inputs, { name: 'plan', tierOrder: false });
    const describeWaves = (plan: typeof tiered) =>
      plan.waves
        .map((wave, index) => `${index + 1}. ${wave.name}: ${(wave.protectionGroups ?? []).join(', ')}`)
        .join('\n');
    let ordered = tiered;
    if (JSON.stringify(tiered.waves) !== JSON.stringify(given.waves)) {
      const tierChoice = 'Tier order (db → app → web)';
      const givenChoice = 'Order as picked';
      const choice = await prompts.quickPick(
        [
          { label: tierChoice, detail: describeWaves(tiered).replace(/\n/g, '  ·  ') },
          { label: givenChoice, detail: describeWaves(given).replace(/\n/g, '  ·  ') },
        ],
        { title: 'Order the groups into waves (each wave waits for the one before)', ignoreFocusOut: true },
      );
      if (!choice) throw new UserError('');
      ordered = choice.label === tierChoice ? tiered : given;
    }
    const takenPlans = workspace.plans.flatMap((file) => (file.result.document ? [file.result.document.name] : []));
    const suggested = core.freeName('recovery', takenPlans);
    const typed =
      options?.name ??
      (await prompts.inputBox({
        title: 'New recovery plan',
        ignoreFocusOut: true,
        prompt: `Name (also the file name). Waves:\n${describeWaves(ordered)}`,
        value: suggested,
        validateInput: (value) =>
          core.nameProblem(value.trim()) ??
          (takenPlans.includes(value.trim()) ? `A plan named "${value.trim()}" already exists.` : undefined),
      }));
    if (typed === undefined) throw new UserError('');
    const name = typed.trim();
    const problem = core.nameProblem(name);
    if (problem) throw new UserError(`"${name}" cannot be used as a recovery plan name: ${problem}`);
    if (takenPlans.includes(name)) throw new UserError(`A recovery plan named "${name}" already exists.`);
    const plan = { ...ordered, name, description: `Recovery of ${names.join(', ')}`.slice(0, 1000) };
    const { files } = core.planFiles(root, [plan], takenPlans);
    if (files[0].name !== name)
      throw new UserError(
        `${vscode.workspace.asRelativePath(core.defaultPathFor(root, plan))} already exists; it is left as it is.`,
      );
    await core.writePlannedFiles(files);
    await openAt(files[0].path);
    return vscode.Uri.file(files[0].path);
  }

  return [
    command(CREATE_GROUPS_COMMAND, (tagKey?: unknown) => createGroups(tagKey)),
    command(PLAN_FROM_GROUPS_COMMAND, (options?: { groups?: string[]; name?: string }) => planFromGroups(options)),
  ];
}
