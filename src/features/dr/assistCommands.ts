import * as vscode from 'vscode';
import type { PreviewFile } from '../../core/dr/assist';
import { commandRegistrar } from '../shared/commands';
import type { DrCommandContext } from './drCommands';
import { UserError } from './prompts';

// The assistance core (and with it the DRS SDK types' runtime) loads on first use only.
const loadAssist = () => import('../../core/dr/assist');

const SOURCE_SERVER_ID = /^s-[0-9a-zA-Z]{17}$/;
const JOB_ID = /^drsjob-[0-9a-zA-Z]{17}$/;

/** An explorer resource node ({ resource: { type, id }, region }), a `{ id, region }` object or an ID string. */
function resourceArg(arg: unknown, type: string): { id?: string; region?: string } {
  if (typeof arg === 'string') return { id: arg };
  const node = arg as { resource?: { type?: unknown; id?: unknown }; region?: unknown; id?: unknown } | undefined;
  if (node?.resource && node.resource.type === type && typeof node.resource.id === 'string')
    return { id: node.resource.id, region: typeof node.region === 'string' ? node.region : undefined };
  if (typeof node?.id === 'string' && typeof node.region === 'string') return { id: node.id, region: node.region };
  return {};
}

function previewMarkdown(files: PreviewFile[], understood: string[]): string {
  const lines = [
    '# New DR setup (preview)',
    '',
    `Understood: ${understood.join('; ') || 'nothing'}.`,
    '',
    `Nothing is written until you choose **Write files**; existing files are never overwritten.`,
    '',
  ];
  for (const file of files) {
    const fence = '`'.repeat(Math.max(3, ...[...file.text.matchAll(/`+/g)].map((match) => match[0].length + 1)));
    lines.push(`## ${file.path}`, '', `${fence}yaml`, file.text.trimEnd(), fence, '');
  }
  return lines.join('\n');
}

/** Writes every file or none: refuses when any exists, removes what it wrote when a later write fails. */
export async function writeAllOrNothing(root: vscode.Uri, files: PreviewFile[]): Promise<vscode.Uri[]> {
  const targets = files.map((file) => ({ uri: vscode.Uri.joinPath(root, ...file.path.split('/')), text: file.text }));
  const existing: string[] = [];
  for (const target of targets) {
    try {
      await vscode.workspace.fs.stat(target.uri);
      existing.push(vscode.workspace.asRelativePath(target.uri));
    } catch {
      // does not exist: fine
    }
  }
  if (existing.length)
    throw new UserError(
      `Nothing written: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}. Rename or remove ${existing.length === 1 ? 'it' : 'them'}, or use other tier names.`,
    );
  const written: vscode.Uri[] = [];
  try {
    for (const target of targets) {
      await vscode.workspace.fs.writeFile(target.uri, Buffer.from(target.text, 'utf8'));
      written.push(target.uri);
    }
  } catch (error) {
    for (const uri of written) await Promise.resolve(vscode.workspace.fs.delete(uri)).catch(() => undefined);
    throw new UserError(`Nothing written: ${error instanceof Error ? error.message : String(error)}`);
  }
  return written;
}

/** Generate DR Runbook…, Explain Replication Problem, Explain Job Failure, New DR Setup from Requirements…. */
export function registerDrAssistCommands(c: DrCommandContext): vscode.Disposable[] {
  const { services, prompts } = c;
  const command = commandRegistrar(services.ctx, {
    onError: (failure) => (c.lastError = { command: failure.command, message: failure.message }),
  });

  async function askId(kind: string, pattern: RegExp, example: string): Promise<string> {
    const value = await prompts.inputBox({
      title: `Explain ${kind}`,
      prompt: `The DRS ${kind} ID`,
      placeHolder: example,
      validateInput: (text) => (pattern.test(text.trim()) ? undefined : `Expected an ID like ${example}.`),
    });
    if (!value) throw new UserError('');
    return value.trim();
  }

  return [
    command('pilotLight.dr.generateRunbook', async (arg?: unknown) => {
      const target = await services.resolvePlan(arg);
      const aws = await services.aws();
      const assist = await loadAssist();
      const markdown = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Pilot Light: reading DRS state for ${target.plan.name}…`,
        },
        () =>
          assist.generateRunbook({
            plan: target.plan,
            groups: target.groups,
            reads: aws.reads,
            defaultRegion: aws.connection.region,
          }),
      );
      return c.documents.show(c.documents.uriFor('runbook', target.plan.name), markdown);
    }),
    command('pilotLight.dr.explainReplication', async (arg?: unknown) => {
      const given = resourceArg(arg, 'drs:source-server');
      const id =
        given.id && SOURCE_SERVER_ID.test(given.id)
          ? given.id
          : await askId('source server', SOURCE_SERVER_ID, 's-1234567890abcdef0');
      const aws = await services.aws();
      const assist = await loadAssist();
      const markdown = await assist.explainReplicationLive(aws.reads, {
        sourceServerId: id,
        region: given.region ?? aws.connection.region,
      });
      return c.documents.show(c.documents.uriFor('explain', id), markdown);
    }),
    command('pilotLight.dr.explainJob', async (arg?: unknown) => {
      const given = resourceArg(arg, 'drs:job');
      const id = given.id && JOB_ID.test(given.id) ? given.id : await askId('job', JOB_ID, 'drsjob-1234567890abcdef0');
      const aws = await services.aws();
      const assist = await loadAssist();
      const markdown = await assist.explainJobLive(aws.reads, {
        jobId: id,
        region: given.region ?? aws.connection.region,
      });
      return c.documents.show(c.documents.uriFor('explain', id), markdown);
    }),
    command('pilotLight.dr.setupFromRequirements', async (text?: unknown) => {
      const assist = await loadAssist();
      const requirements =
        typeof text === 'string'
          ? text
          : await prompts.inputBox({
              title: 'New DR Setup from Requirements',
              prompt: 'Tiers, tag key and targets, e.g. "web, app and db by the Role tag, RTO 30 minutes"',
              validateInput: (value) =>
                value.length > assist.MAX_REQUIREMENTS_TEXT
                  ? `At most ${assist.MAX_REQUIREMENTS_TEXT} characters.`
                  : undefined,
            });
      if (!requirements) throw new UserError('');
      const result = assist.planFromRequirements(requirements);
      if (!result.ok) throw new UserError(result.message);
      const root = vscode.Uri.file(await services.targetFolder());
      const preview = await c.documents.show(
        c.documents.uriFor('setup', 'preview'),
        previewMarkdown(result.files, result.understood),
      );
      const choice = await prompts.confirm(
        `Write ${result.files.length} DR files?`,
        result.files.map((file) => file.path).join('\n'),
        'Write files',
      );
      if (choice !== 'Write files') return preview;
      const written = await writeAllOrNothing(root, result.files);
      void vscode.window.showInformationMessage(`Pilot Light: wrote ${written.length} DR files.`);
      await vscode.window.showTextDocument(written[written.length - 1]);
      return written;
    }),
  ];
}
