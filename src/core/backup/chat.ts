/**
 * `@aws /backup <sentence>` without a model: the sentence read by chatIntent, the plan it makes (with AWS
 * Backup's usual defaults for what a sentence rarely says: the `Default` vault and the
 * `AWSBackupDefaultServiceRole`), and a dry-run button for `backup.plans.create`. Nothing runs before the
 * preview and its confirmation.
 */
import type { ChatAction } from '../conversation/chatAction';
import { escapeMarkdown } from '../conversation/markdown';
import { parseBackupPlanRequest } from './chatIntent';
import { describePlanSpec, validatePlanSpec, type BackupPlanSpec } from './planSpec';

export const BACKUP_HELP = [
  'Describe the backup plan in one sentence, e.g.',
  '- `/backup daily backups of all production databases, 30-day retention`',
  '- `/backup weekly backup of volumes tagged backup=true on Sunday at 3am, keep 8 weeks, copy to us-west-2`',
  '',
  'Or run **Pilot Light: Create Backup Plan…** for a form.',
].join('\n');

export function answerBackupPlan(
  text: string,
  context: { account: string; region: string },
): { markdown: string; actions: ChatAction[] } {
  const request = parseBackupPlanRequest(/\bback ?up/i.test(text) ? text : `backup ${text}`);
  if (!request) return { markdown: BACKUP_HELP, actions: [] };
  if (request.missing.length)
    return {
      markdown: `I could not read the ${request.missing.join(', ')} from that. ${BACKUP_HELP}`,
      actions: [],
    };
  const firstTag = Object.values(request.selectionTags)[0] ?? 'tagged';
  const spec: BackupPlanSpec = {
    name: `${request.frequency}-${firstTag}-${request.retentionDays}d`.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 50),
    frequency: request.frequency!,
    ...(request.everyHours ? { everyHours: request.everyHours } : {}),
    ...(request.hourUtc !== undefined ? { hourUtc: request.hourUtc } : {}),
    ...(request.weekday ? { weekday: request.weekday } : {}),
    retentionDays: request.retentionDays!,
    vaultName: 'Default',
    selectionTags: request.selectionTags,
    ...(request.resourceKinds.length ? { resourceKinds: request.resourceKinds } : {}),
    iamRoleArn: `arn:aws:iam::${context.account}:role/service-role/AWSBackupDefaultServiceRole`,
    ...(request.copyRegions.length
      ? { copyTo: request.copyRegions.map((region) => ({ region, vaultName: 'Default' })) }
      : {}),
  };
  const problems = validatePlanSpec(spec);
  const lines = [
    `**Backup plan ${escapeMarkdown(spec.name, 60)}** in ${context.account} / ${context.region}:`,
    '',
    ...describePlanSpec(spec).map((line) => `- ${escapeMarkdown(line, 300)}`),
    '',
    problems.length
      ? `Cannot be created: ${problems.map((problem) => escapeMarkdown(problem, 200)).join(' ')}`
      : 'Vault `Default` and the AWS Backup default role are assumed; use **Pilot Light: Create Backup Plan…** to choose others.',
  ];
  return {
    markdown: lines.join('\n'),
    actions: problems.length
      ? []
      : [
          {
            kind: 'dry-run',
            title: 'Preview and create the backup plan',
            operationId: 'backup.plans.create',
            input: spec as unknown as Record<string, unknown>,
            region: context.region,
          },
        ],
  };
}
