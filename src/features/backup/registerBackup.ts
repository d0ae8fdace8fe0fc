import * as vscode from 'vscode';
import type { ExplorerFeature } from '../explorer/registerExplorer';
import { asResourceNode, type ResourceNodeLike } from '../explorer/resourceNodeArg';
import { commandRegistrar } from '../shared/commands';
import { runInteractively } from '../shared/interactiveRun';
import { OperationService } from '../shared/operationService';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { join } from 'node:path';
import { RUN_JOURNAL_FOLDER } from '../dr/drServices';

type Read = (operationId: string, input: Record<string, unknown>) => Promise<unknown>;

const FREQUENCIES = ['daily', 'weekly', 'monthly', 'hourly'] as const;

/**
 * AWS Backup commands: create a plan (from a sentence such as "daily backups of all production databases,
 * 30-day retention", then a few questions for what the sentence did not say), test a restore of a recovery
 * point (recorded as a run in the Recovery runs history), and the backup compliance check. Every AWS call is
 * a registered operation: reads through the runner, writes with dry-run, guardrails, confirmation and audit.
 */
export function registerBackup(ctx: PilotLightContext, explorer: ExplorerFeature): void {
  const service = OperationService.for(ctx);
  const command = commandRegistrar(ctx);

  const readsIn =
    (region?: string, profile?: string): Read =>
    async (operationId, input) => {
      const outcome = await service.run(operationId, input, { caller: 'command', mode: 'execute', region, profile });
      if (outcome.status === 'succeeded') return outcome.output;
      throw new Error(
        outcome.error
          ? `${outcome.error.code}: ${outcome.error.message}`
          : outcome.refusal
            ? `Refused (${outcome.refusal.code}): ${outcome.refusal.message}`
            : `${operationId} ended as ${outcome.status}.`,
      );
    };

  const recoveryPoint = (arg: unknown): ResourceNodeLike | undefined => {
    const node = asResourceNode(arg) ?? asResourceNode(explorer.view.selection[0]);
    return node?.resource.type === 'backup:recovery-point' ? node : undefined;
  };

  ctx.extension.subscriptions.push(
    command('pilotLight.backup.createPlan', async (phrase?: unknown) => {
      const [{ parseBackupPlanRequest }, { validatePlanSpec }] = await Promise.all([
        import('../../core/backup/chatIntent'),
        import('../../core/backup/planSpec'),
      ]);
      const text =
        typeof phrase === 'string'
          ? phrase
          : await vscode.window.showInputBox({
              title: 'Create Backup Plan (1/5): what should be backed up?',
              value: 'daily backups of all production databases, 30-day retention',
              prompt: 'Say how often, how long to keep, and which tagged resources; the next steps ask for the rest.',
              ignoreFocusOut: true,
            });
      if (text === undefined) return undefined;
      const request = parseBackupPlanRequest(text.includes('backup') ? text : `backup ${text}`) ?? {
        selectionTags: {},
        resourceKinds: [],
        copyRegions: [],
        missing: ['frequency', 'retention', 'selection'],
      };
      const connection = await ctx.connection();
      const read = readsIn(connection.region);
      if (!request.frequency) {
        const picked = await vscode.window.showQuickPick([...FREQUENCIES], {
          title: 'How often?',
          ignoreFocusOut: true,
        });
        if (!picked) return undefined;
        request.frequency = picked as (typeof FREQUENCIES)[number];
      }
      if (!request.retentionDays) {
        const days = await vscode.window.showInputBox({
          title: 'Keep each backup for how many days?',
          value: '30',
          validateInput: (value) => (/^\d{1,5}$/.test(value) && Number(value) > 0 ? undefined : 'A number of days'),
          ignoreFocusOut: true,
        });
        if (!days) return undefined;
        request.retentionDays = Number(days);
      }
      if (Object.keys(request.selectionTags).length === 0) {
        const tag = await vscode.window.showInputBox({
          title: 'Back up resources tagged… (Key=Value)',
          value: 'Environment=production',
          validateInput: (value) => (/^[^=\s]{1,128}=.{0,256}$/.test(value) ? undefined : 'Key=Value'),
          ignoreFocusOut: true,
        });
        if (!tag) return undefined;
        const [key, ...rest] = tag.split('=');
        request.selectionTags[key] = rest.join('=');
      }
      const vaults = ((await read('backup.vaults.list', {})) as { items: { BackupVaultName?: string }[] }).items;
      const vaultName = vaults.length
        ? await vscode.window.showQuickPick(vaults.map((vault) => vault.BackupVaultName ?? '').filter(Boolean), {
            title: 'Store the backups in which vault?',
            ignoreFocusOut: true,
          })
        : await vscode.window.showInputBox({
            title: 'Backup vault name (none found in this region)',
            value: 'Default',
          });
      if (!vaultName) return undefined;
      const account = (await connection.identity()).account;
      const iamRoleArn = await vscode.window.showInputBox({
        title: 'IAM role AWS Backup uses',
        value: `arn:aws:iam::${account}:role/service-role/AWSBackupDefaultServiceRole`,
        ignoreFocusOut: true,
      });
      if (!iamRoleArn) return undefined;
      const copyRegions =
        request.copyRegions.length > 0
          ? request.copyRegions
          : ((
              await vscode.window.showInputBox({
                title: 'Copy every backup to another region? (region name, or leave empty for none)',
                value: '',
                validateInput: (value) =>
                  !value || /^[a-z]{2}(-[a-z]+)+-\d$/.test(value) ? undefined : 'A region such as us-west-2',
                ignoreFocusOut: true,
              })
            )
              ?.split(/[\s,]+/)
              .filter(Boolean) ?? []);
      const name =
        `${request.frequency}-${Object.values(request.selectionTags)[0] ?? 'tagged'}-${request.retentionDays}d`
          .replace(/[^A-Za-z0-9_.-]/g, '-')
          .slice(0, 50);
      const spec = {
        name,
        frequency: request.frequency!,
        ...(request.everyHours ? { everyHours: request.everyHours } : {}),
        ...(request.hourUtc !== undefined ? { hourUtc: request.hourUtc } : {}),
        ...(request.weekday ? { weekday: request.weekday } : {}),
        retentionDays: request.retentionDays,
        vaultName,
        selectionTags: request.selectionTags,
        ...(request.resourceKinds.length ? { resourceKinds: request.resourceKinds } : {}),
        iamRoleArn,
        ...(copyRegions.length ? { copyTo: copyRegions.map((region) => ({ region, vaultName })) } : {}),
      };
      const problems = validatePlanSpec(spec);
      if (problems.length) {
        void vscode.window.showErrorMessage(`The backup plan cannot be created: ${problems.join(' ')}`);
        return { status: 'invalid', problems };
      }
      const result = await runInteractively(service, {
        operationId: 'backup.plans.create',
        input: spec,
        caller: 'command',
        title: `Create backup plan ${name}`,
      });
      if (result.status === 'succeeded') explorer.provider.refresh();
      return result;
    }),

    command('pilotLight.backup.testRestore', async (arg?: unknown) => {
      const node = recoveryPoint(arg);
      if (!node) {
        void vscode.window.showInformationMessage(
          'Select a recovery point under a backup vault in the AWS explorer first, then use "Test Restore…".',
        );
        return undefined;
      }
      const raw = (node.list ? await node.list.record(node.resource) : node.resource.raw) as {
        BackupVaultName?: string;
        RecoveryPointArn?: string;
        IamRoleArn?: string;
      };
      if (!raw?.BackupVaultName || !raw.RecoveryPointArn) {
        void vscode.window.showErrorMessage(`Could not read the recovery point ${node.resource.name}.`);
        return undefined;
      }
      const afterwards = await vscode.window.showQuickPick(
        [
          { label: 'Delete the restored resource afterwards', deleteAfter: true },
          { label: 'Keep the restored resource', deleteAfter: false },
        ],
        { title: `Test restore of ${node.resource.name} into a NEW resource`, ignoreFocusOut: true },
      );
      if (!afterwards) return undefined;
      const [{ runRestoreTest }, { renderMarkdownReport }] = await Promise.all([
        import('../../core/backup/restoreTest'),
        import('../../core/dr/results'),
      ]);
      const profile = node.connection?.profileName;
      const outcome = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Restore test of ${node.resource.name}`,
          cancellable: true,
        },
        async (_progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          return runRestoreTest(
            {
              region: node.region,
              vaultName: raw.BackupVaultName!,
              recoveryPointArn: raw.RecoveryPointArn!,
              ...(raw.IamRoleArn ? { iamRoleArn: raw.IamRoleArn } : {}),
              deleteAfter: afterwards.deleteAfter,
            },
            {
              read: readsIn(node.region, profile),
              write: async (operationId, input) => {
                const result = await runInteractively(service, {
                  operationId,
                  input,
                  caller: 'command',
                  region: node.region,
                  profile,
                  title:
                    operationId === 'backup.restore.start'
                      ? `Restore ${node.resource.name}`
                      : `Delete the restored resource`,
                });
                return result.status === 'succeeded'
                  ? { status: 'succeeded', resourceIds: result.resourceIds }
                  : {
                      status:
                        result.status === 'cancelled'
                          ? 'cancelled'
                          : result.status === 'refused'
                            ? 'refused'
                            : 'failed',
                      message: result.message,
                    };
              },
              journalDir: join(ctx.extension.globalStorageUri.fsPath, RUN_JOURNAL_FOLDER),
              signal: abort.signal,
            },
          );
        },
      );
      if (outcome.status === 'cancelled') return outcome;
      const seconds =
        outcome.restoreDurationMs !== undefined ? `${Math.round(outcome.restoreDurationMs / 1000)} s` : 'unknown';
      const message =
        outcome.status === 'succeeded'
          ? `Restore test succeeded in ${seconds}: ${outcome.createdResourceArn ?? ''}${outcome.deleted ? ` (restored resource delete: ${outcome.deleted.status})` : ''}.`
          : `Restore test failed: ${outcome.error ?? 'unknown error'}.`;
      if (outcome.status === 'succeeded') void vscode.window.showInformationMessage(message);
      else void vscode.window.showErrorMessage(message);
      if (outcome.result) {
        const document = await vscode.workspace.openTextDocument({
          content: renderMarkdownReport(outcome.result),
          language: 'markdown',
        });
        await vscode.window.showTextDocument(document, { preview: true });
      }
      void vscode.commands.executeCommand('pilotLight.dr.refreshRuns').then(undefined, () => undefined);
      return { ...outcome, result: undefined, message };
    }),

    command('pilotLight.backup.checkCompliance', async () => {
      const { checkBackupCompliance } = await import('../../core/backup/compliance');
      const connection = await ctx.connection();
      const account = (await connection.identity()).account;
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Checking backup compliance…' },
        () => checkBackupCompliance({ read: readsIn(connection.region), account, region: connection.region }),
      );
      const lines = [
        `# Backup compliance — ${account} / ${connection.region}`,
        '',
        `Check: ${result.check.status}${result.check.reason ? ` (${result.check.reason})` : ''}; ${result.check.resourcesEvaluated} selected resources evaluated, ${result.check.findings.length} without a recent recovery point.`,
        '',
        ...result.resources.map(
          (resource) =>
            `- ${resource.compliant ? '✅' : '❌'} \`${resource.id}\`${resource.name ? ` (${resource.name})` : ''} — plan ${resource.planName}, ${resource.schedule}; newest recovery point: ${resource.latestRecoveryPoint ?? 'none'}`,
        ),
        ...(result.notChecked.length
          ? ['', '## Not checked', '', ...result.notChecked.map((line) => `- ${line}`)]
          : []),
      ];
      const document = await vscode.workspace.openTextDocument({
        content: lines.join('\n') + '\n',
        language: 'markdown',
      });
      await vscode.window.showTextDocument(document, { preview: true });
      return { check: result.check, notChecked: result.notChecked };
    }),
  );
}
