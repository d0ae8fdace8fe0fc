import * as vscode from 'vscode';
import type {
  BulkApplyReport,
  BulkChange,
  BulkDryRunReport,
  BulkServer,
  RunFunction,
  ServerSelector,
} from '../../../core/launchTemplates';
import type { ProtectionGroup } from '../../../core/dr/model';
import { vscodePrompts, type DrPrompts } from '../../dr/prompts';
import { UserError } from '../../shared/commands';
import { OperationService } from '../../shared/operationService';
import type { PilotLightContext } from '../../shared/pilotLightContext';

type Pick<T> = vscode.QuickPickItem & { value: T };

const MAX_TAGS = 10;

/** The questions the command asks, replaceable by the extension-host tests (as the DR commands' prompts). */
export const bulkChangePrompts: DrPrompts = vscodePrompts();

/** "Role=db, Env=prod" → tags; throws a UserError on a malformed pair. */
export function parseTagSelector(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  const pairs = text
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean);
  if (!pairs.length) throw new UserError('Enter at least one tag as Key=Value.');
  if (pairs.length > MAX_TAGS) throw new UserError(`Enter at most ${MAX_TAGS} tags.`);
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UserError(`"${pair.slice(0, 60)}" is not Key=Value.`);
    tags[pair.slice(0, at).trim().slice(0, 128)] = pair
      .slice(at + 1)
      .trim()
      .slice(0, 256);
  }
  return tags;
}

async function pickOne<T>(items: Array<Pick<T>>, title: string): Promise<T> {
  const picked = await bulkChangePrompts.quickPick(items, { title, ignoreFocusOut: true });
  if (!picked) throw new UserError('');
  return picked.value;
}

async function askSelector(): Promise<ServerSelector> {
  const how = await pickOne<'tags' | 'group'>(
    [
      { label: 'By tags', detail: 'Source servers carrying all the tags you enter', value: 'tags' },
      { label: 'By protection group', detail: 'A protection group of the workspace (.pilotlight/dr/)', value: 'group' },
    ],
    'Bulk change launch settings: which source servers?',
  );
  if (how === 'tags') {
    const text = await bulkChangePrompts.inputBox({
      title: 'Source servers with these tags',
      prompt: 'Key=Value pairs, comma-separated',
      placeHolder: 'Role=db, Environment=production',
      ignoreFocusOut: true,
      validateInput: (value) => {
        try {
          parseTagSelector(value);
          return undefined;
        } catch (error) {
          return (error as Error).message;
        }
      },
    });
    if (text === undefined) throw new UserError('');
    return { tags: parseTagSelector(text) };
  }
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!root)
    throw new UserError(
      'Open a workspace folder with protection groups (.pilotlight/dr/) first, or select servers by tags.',
    );
  const { loadDrWorkspace } = await import('../../../core/dr/workspace');
  const workspace = await loadDrWorkspace(root);
  const groups = workspace.groups
    .map((file) => file.result.document)
    .filter((group): group is ProtectionGroup => Boolean(group));
  if (!groups.length)
    throw new UserError(
      'The workspace has no valid protection group. Create one with "New Protection Group", or select servers by tags.',
    );
  return {
    protectionGroup: await pickOne(
      groups.map((group) => ({
        label: group.name,
        description: group.region,
        detail: group.description,
        value: group,
      })),
      'Protection group',
    ),
  };
}

async function askChange(): Promise<BulkChange> {
  const kind = await pickOne<string>(
    [
      {
        label: 'Instance type',
        detail: 'A new default launch template version with this instance type',
        value: 'instanceType',
      },
      {
        label: 'Require IMDSv2',
        detail: 'MetadataOptions HttpTokens=required in a new default version',
        value: 'imdsv2',
      },
      { label: 'Right-sizing method', detail: 'DRS launch configuration: NONE, BASIC or IN_AWS', value: 'rightSizing' },
      { label: 'Launch disposition', detail: 'DRS launch configuration: STARTED or STOPPED', value: 'disposition' },
      { label: 'Copy private IP', detail: 'DRS launch configuration: on or off', value: 'copyPrivateIp' },
      { label: 'Copy tags', detail: 'DRS launch configuration: on or off', value: 'copyTags' },
    ],
    'Bulk change launch settings: what to change?',
  );
  const onOff = async (title: string) =>
    pickOne(
      [
        { label: 'On', value: true },
        { label: 'Off', value: false },
      ],
      title,
    );
  switch (kind) {
    case 'instanceType': {
      const type = await bulkChangePrompts.inputBox({
        title: 'Instance type',
        placeHolder: 't3.large',
        ignoreFocusOut: true,
        validateInput: (value) =>
          /^[a-z0-9]+[a-z0-9-]*\.[a-z0-9]+$/.test(value.trim())
            ? undefined
            : 'Enter an instance type such as t3.large.',
      });
      if (!type) throw new UserError('');
      return {
        templateData: { InstanceType: type.trim() },
        makeDefault: true,
        description: `Bulk change: instance type ${type.trim()}`,
      };
    }
    case 'imdsv2':
      return {
        templateData: { MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' } },
        makeDefault: true,
        description: 'Bulk change: require IMDSv2',
      };
    case 'rightSizing':
      return {
        launchConfiguration: {
          targetInstanceTypeRightSizingMethod: await pickOne<'NONE' | 'BASIC' | 'IN_AWS'>(
            [
              { label: 'NONE', value: 'NONE' },
              { label: 'BASIC', value: 'BASIC' },
              { label: 'IN_AWS', value: 'IN_AWS' },
            ],
            'Right-sizing method',
          ),
        },
      };
    case 'disposition':
      return {
        launchConfiguration: {
          launchDisposition: await pickOne<'STARTED' | 'STOPPED'>(
            [
              { label: 'STARTED', value: 'STARTED' },
              { label: 'STOPPED', value: 'STOPPED' },
            ],
            'Launch disposition',
          ),
        },
      };
    case 'copyPrivateIp':
      return { launchConfiguration: { copyPrivateIp: await onOff('Copy private IP') } };
    default:
      return { launchConfiguration: { copyTags: await onOff('Copy tags') } };
  }
}

const cell = (text: string) => text.replace(/[|\\`*_<>[\]]/g, (char) => `\\${char}`).replace(/\r?\n/g, ' ');

/** The dry-run preview as Markdown: every server, template and field. */
export function formatBulkDryRun(report: BulkDryRunReport): string {
  const lines = [
    '# Bulk change launch settings: dry-run',
    '',
    `Nothing was changed. ${report.entries.length} source server(s), ${report.apiCalls} read call(s).`,
    '',
    '| Server | Launch template | Base version | Field | Now | After |',
    '|---|---|---|---|---|---|',
  ];
  const show = (value: unknown) => (value === undefined ? '(unset)' : cell(JSON.stringify(value)).slice(0, 120));
  for (const entry of report.entries) {
    const server = cell(`${entry.hostname} (${entry.sourceServerId})`);
    if (entry.error) {
      lines.push(`| ${server} | | | **could not be read** | ${cell(entry.error)} | |`);
      continue;
    }
    const changes = [
      ...entry.templateChanges.map((change) => ({ ...change, where: 'template' })),
      ...entry.launchConfigurationChanges.map((change) => ({ ...change, where: 'DRS' })),
    ];
    if (!changes.length)
      lines.push(
        `| ${server} | ${cell(entry.launchTemplateId ?? '')} | ${entry.baseVersion ?? ''} | (no change) | | |`,
      );
    for (const change of changes)
      lines.push(
        `| ${server} | ${cell(entry.launchTemplateId ?? '')} | ${entry.baseVersion ?? ''} | ${change.where}: ${cell(change.field)} | ${show(change.old)} | ${show(change.new)} |`,
      );
  }
  const findings = report.entries.flatMap((entry) => entry.findings);
  if (findings.length)
    lines.push(
      '',
      '## Findings after the change',
      '',
      ...findings.map(
        (finding) =>
          `- **${finding.severity}** ${cell(finding.sourceServerId)}: ${cell(finding.message)} ${cell(finding.fix)}`,
      ),
    );
  return lines.join('\n') + '\n';
}

export function formatBulkApply(report: BulkApplyReport): string {
  const lines = [
    '# Bulk change launch settings: results',
    '',
    '| Server | Result | Launch template | New version | Message |',
    '|---|---|---|---|---|',
  ];
  for (const entry of report.entries)
    lines.push(
      `| ${cell(`${entry.hostname} (${entry.sourceServerId})`)} | ${entry.status} | ${cell(entry.launchTemplateId ?? '')} | ${entry.createdVersion ?? ''} | ${cell(entry.message ?? '')} |`,
    );
  if (report.failed.length)
    lines.push(
      '',
      `${report.failed.length} server(s) failed or were refused: run "Retry Failed" from the notification.`,
    );
  return lines.join('\n') + '\n';
}

async function showMarkdown(markdown: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
  await vscode.window.showTextDocument(document, { preview: true });
  await vscode.commands.executeCommand('markdown.showPreview', document.uri).then(undefined, () => undefined);
}

/**
 * "Bulk Change Launch Settings…": pick servers and a change, see the dry-run for every server, apply
 * with per-server results, retry the failures. Each write runs through the runner (guardrails, approvals, audit).
 */
export async function runBulkChange(ctx: PilotLightContext): Promise<BulkApplyReport | undefined> {
  const service = OperationService.for(ctx);
  const region = (await ctx.connection()).region;
  const selector = await askSelector();
  const change = await askChange();
  const core = await import('../../../core/launchTemplates');
  const run: RunFunction = (operationId, input, options) =>
    service.run(operationId, input, {
      caller: 'command',
      mode: options.mode,
      region: options.region ?? region,
      correlationId: options.correlationId,
      signal: options.signal,
    });
  const context = { caller: 'command' as const, region: selector.protectionGroup?.region ?? region };
  const servers: BulkServer[] = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Pilot Light: finding source servers…' },
    () => core.selectSourceServers(run, context, selector),
  );
  if (!servers.length) throw new UserError('No source server matches that selection.');
  const dryRun = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Pilot Light: dry-run for ${servers.length} source server(s)…`,
    },
    () => core.bulkDryRun(run, context, servers, change),
  );
  await showMarkdown(formatBulkDryRun(dryRun));
  const APPLY = `Apply to ${servers.length} Server(s)`;
  const choice = await bulkChangePrompts.confirm(
    `Apply this change to ${servers.length} source server(s)?`,
    'The dry-run preview lists every template and field. Each change runs through the guardrails (approval in protected environments) and is audited.',
    APPLY,
  );
  if (choice !== APPLY) throw new UserError('');
  let report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Pilot Light: applying…' },
    () => core.bulkApply(run, context, servers, change),
  );
  for (;;) {
    await showMarkdown(formatBulkApply(report));
    if (!report.failed.length) {
      void vscode.window.showInformationMessage(
        `Bulk change: ${report.entries.filter((entry) => entry.status === 'applied').length} applied, ${report.entries.filter((entry) => entry.status === 'unchanged').length} unchanged.`,
      );
      return report;
    }
    const RETRY = 'Retry Failed';
    const again = await bulkChangePrompts.offer(
      `Bulk change: ${report.failed.length} server(s) failed or were refused (see the results).`,
      RETRY,
    );
    if (again !== RETRY) return report;
    report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Pilot Light: retrying…' },
      () => core.retryFailed(run, context, report),
    );
  }
}
