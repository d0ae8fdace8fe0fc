import * as vscode from 'vscode';
import type { ExplorerFeature } from '../explorer/registerExplorer';
import { asResourceNode, type ResourceNodeLike } from '../explorer/resourceNodeArg';
import { commandRegistrar } from '../shared/commands';
import { runInteractively } from '../shared/interactiveRun';
import { OperationService } from '../shared/operationService';
import { CONFIG_SECTION, type PilotLightContext } from '../shared/pilotLightContext';
import { ObservabilityDecorator } from './decorator';

type Read = (operationId: string, input: Record<string, unknown>) => Promise<unknown>;

function readsFor(service: OperationService, node: Pick<ResourceNodeLike, 'region' | 'connection'>): Read {
  return async (operationId, input) => {
    const outcome = await service.run(operationId, input, {
      caller: 'explorer',
      mode: 'execute',
      region: node.region,
      profile: node.connection?.profileName,
    });
    if (outcome.status === 'succeeded') return outcome.output;
    throw Object.assign(
      new Error(
        outcome.error
          ? `${outcome.error.code}: ${outcome.error.message}`
          : outcome.refusal
            ? `Refused (${outcome.refusal.code}): ${outcome.refusal.message}`
            : `${operationId} ended as ${outcome.status}.`,
      ),
      { name: outcome.error?.code ?? outcome.refusal?.code ?? 'Error' },
    );
  };
}

async function showMarkdown(text: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument({ content: text, language: 'markdown' });
  await vscode.window.showTextDocument(document, { preview: true });
  return document;
}

const METRIC_PICKS = [
  { label: 'CPU utilization', key: 'cpu', unit: '%', defaultThreshold: '80' },
  { label: 'Network in', key: 'network-in', unit: 'bytes per period', defaultThreshold: '100000000' },
  { label: 'Network out', key: 'network-out', unit: 'bytes per period', defaultThreshold: '100000000' },
  { label: 'Status check failed', key: 'status-check', unit: 'count', defaultThreshold: '0' },
] as const;

/**
 * CloudWatch in the editor: sparklines in instance tooltips and live alarm lists (a row decorator on the
 * explorer), create an alarm from an instance, a dashboard from selected instances, Logs Insights queries from
 * `*.cwlogs.insights` files or a log group, and following a log group. Everything runs through the registry.
 */
export function registerObservability(ctx: PilotLightContext, explorer: ExplorerFeature): void {
  const service = OperationService.for(ctx);
  const command = commandRegistrar(ctx);
  const decorator = new ObservabilityDecorator(
    explorer.provider,
    () => explorer.view.visible,
    () => vscode.workspace.getConfiguration(CONFIG_SECTION).get<number>('observability.alarmRefreshSeconds', 60),
    (message) => ctx.log.warn(message),
  );
  explorer.provider.rowDecorators.push(decorator);
  const selected = (arg: unknown, types: string[]) => {
    const node = asResourceNode(arg) ?? asResourceNode(explorer.view.selection[0]);
    return node && types.includes(node.resource.type) ? node : undefined;
  };

  ctx.extension.subscriptions.push(
    decorator,
    command('pilotLight.observability.createAlarm', async (arg?: unknown) => {
      const node = selected(arg, ['ec2:instance']);
      if (!node) {
        void vscode.window.showInformationMessage(
          'Select an EC2 instance in the AWS explorer first, then use "Create Alarm…".',
        );
        return undefined;
      }
      const metric = await vscode.window.showQuickPick(
        METRIC_PICKS.map((pick) => ({ ...pick, description: pick.unit })),
        { title: `Alarm on ${node.resource.name}: metric`, ignoreFocusOut: true },
      );
      if (!metric) return undefined;
      const threshold = await vscode.window.showInputBox({
        title: `Alarm on ${node.resource.name}: ${metric.label} above…`,
        prompt: `The alarm fires when ${metric.label} is above this value (${metric.unit}).`,
        value: metric.defaultThreshold,
        validateInput: (value) =>
          Number.isFinite(Number(value)) && value.trim() !== '' ? undefined : 'Enter a number.',
        ignoreFocusOut: true,
      });
      if (threshold === undefined) return undefined;
      const minutes = await vscode.window.showInputBox({
        title: `Alarm on ${node.resource.name}: for how many minutes?`,
        prompt: 'The condition must hold this long (whole minutes).',
        value: '5',
        validateInput: (value) =>
          /^\d{1,4}$/.test(value.trim()) && Number(value) >= 1 ? undefined : 'Enter whole minutes (1 or more).',
        ignoreFocusOut: true,
      });
      if (minutes === undefined) return undefined;
      const { alarmInputFor } = await import('../../core/observability/chat');
      const input = alarmInputFor(
        {
          kind: 'create-alarm',
          metric: metric.key,
          comparison: 'GreaterThanThreshold',
          threshold: Number(threshold),
          durationSeconds: Number(minutes) * 60,
          resource: node.resource.id,
        },
        { id: node.resource.id, name: node.resource.name !== node.resource.id ? node.resource.name : undefined },
      );
      if (!input) return undefined;
      return runInteractively(service, {
        operationId: 'cloudwatch.alarms.put',
        input,
        caller: 'explorer',
        region: node.region,
        profile: node.connection?.profileName,
        title: `Create alarm ${String(input.alarmName)}`,
      });
    }),
    command('pilotLight.observability.createDashboard', async (arg?: unknown, all?: unknown[]) => {
      const nodes = (Array.isArray(all) && all.length ? all : arg ? [arg] : [...explorer.view.selection])
        .map(asResourceNode)
        .filter((node): node is ResourceNodeLike => Boolean(node));
      const instances = nodes.filter((node) => node.resource.type === 'ec2:instance');
      if (!instances.length) {
        void vscode.window.showInformationMessage(
          'Select one or more EC2 instances in the AWS explorer (Ctrl/Cmd+click for several), then use "Create Dashboard…".',
        );
        return undefined;
      }
      const first = instances[0];
      const other = instances.find((node) => node.region !== first.region);
      if (other) {
        void vscode.window.showErrorMessage(
          `A dashboard is put in one region: ${first.resource.name} is in ${first.region}, ${other.resource.name} in ${other.region}.`,
        );
        return undefined;
      }
      const { dashboardBody, dashboardName } = await import('../../core/observability/dashboards');
      const resources = instances.map((node) => ({
        type: 'ec2:instance',
        id: node.resource.id,
        name: node.resource.name,
      }));
      const name = await vscode.window.showInputBox({
        title: 'Dashboard name',
        value: dashboardName(resources),
        validateInput: (value) =>
          /^[A-Za-z0-9_-]{1,255}$/.test(value) ? undefined : 'Letters, digits, "-" and "_" (up to 255).',
        ignoreFocusOut: true,
      });
      if (!name) return undefined;
      const body = dashboardBody(resources, ['cpu', 'network-in', 'network-out'], first.region);
      return runInteractively(service, {
        operationId: 'cloudwatch.dashboards.put',
        input: { dashboardName: name, dashboardBody: JSON.stringify(body) },
        caller: 'explorer',
        region: first.region,
        profile: first.connection?.profileName,
        title: `Put dashboard ${name}`,
      });
    }),
    command('pilotLight.observability.runInsightsQuery', async (arg?: unknown) => {
      const insights = await import('../../core/observability/insights');
      const group = asResourceNode(arg);
      let query;
      let scope: Pick<ResourceNodeLike, 'region' | 'connection'>;
      if (group && group.resource.type === 'logs:log-group') {
        const text = await vscode.window.showInputBox({
          title: `Logs Insights over ${group.resource.name} (last hour)`,
          value: insights.insightsQueryFor({}),
          prompt: 'A Logs Insights query. For longer queries, save them in a *.cwlogs.insights file.',
          ignoreFocusOut: true,
        });
        if (!text) return undefined;
        const now = Date.now();
        query = { logGroupNames: [group.resource.id], queryString: text, startTime: now - 3600_000, endTime: now };
        scope = group;
      } else {
        const editor = vscode.window.activeTextEditor;
        const uri = arg instanceof vscode.Uri ? arg : editor?.document.uri;
        if (!uri || !uri.path.endsWith(insights.QUERY_FILE_SUFFIX)) {
          void vscode.window.showInformationMessage(
            `Open a query file (*${insights.QUERY_FILE_SUFFIX}) or pick a log group in the AWS explorer, then run "Run Logs Insights Query".`,
          );
          return undefined;
        }
        const stat = await vscode.workspace.fs.stat(uri);
        if (stat.size > insights.MAX_QUERY_FILE_BYTES) {
          void vscode.window.showErrorMessage(
            `The query file is larger than ${insights.MAX_QUERY_FILE_BYTES / 1024} KB.`,
          );
          return undefined;
        }
        const document = await vscode.workspace.openTextDocument(uri);
        try {
          query = insights.parseQueryFile(document.getText(), Date.now());
        } catch (error) {
          void vscode.window.showErrorMessage(`${uri.path.split('/').pop()}: ${(error as Error).message}`);
          return undefined;
        }
        const connection = await ctx.connection();
        scope = { region: connection.region, connection };
      }
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Running the Logs Insights query…' },
        () => insights.runInsightsQuery(readsFor(service, scope), query),
      );
      const text = `# Logs Insights (${scope.region})\n\nLog groups: ${query.logGroupNames.join(', ')}  \nFrom ${new Date(query.startTime).toISOString()} to ${new Date(query.endTime).toISOString()}\n\n\`\`\`\n${query.queryString}\n\`\`\`\n\n${insights.resultsTable(result)}\n`;
      await showMarkdown(text);
      return { status: result.status, rows: result.rows.length, text };
    }),
    command('pilotLight.observability.followLogs', async (arg?: unknown) => {
      const node = selected(arg, ['logs:log-group', 'logs:log-stream']);
      if (!node) {
        void vscode.window.showInformationMessage(
          'Select a log group or stream in the AWS explorer first, then use "Follow Logs".',
        );
        return undefined;
      }
      const { LogFollower, formatTailEvents } = await import('../../core/observability/tail');
      const [logGroupName, logStreamName] =
        node.resource.type === 'logs:log-stream' ? node.resource.id.split('|') : [node.resource.id, undefined];
      const follower = new LogFollower(
        readsFor(service, node),
        { logGroupName, logStreamNames: logStreamName ? [logStreamName] : undefined },
        { since: Date.now() - 10 * 60_000 },
      );
      const channel = vscode.window.createOutputChannel(`Pilot Light logs: ${node.resource.name}`.slice(0, 100), 'log');
      channel.show(true);
      let lines = 0;
      let noted = false;
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Following ${node.resource.name}`, cancellable: true },
        async (progress, cancellation) => {
          while (!cancellation.isCancellationRequested) {
            const events = await follower.next();
            if (follower.note && !noted) {
              channel.appendLine(`[${follower.note}]`);
              noted = true;
            }
            if (events.length) channel.appendLine(formatTailEvents(events));
            lines += events.length;
            progress.report({
              message: `${lines} events · ${follower.mode === 'live' ? 'live tail' : 'polling every 5 s'} · Cancel to stop`,
            });
            if (follower.mode === 'poll') await new Promise((resolve) => setTimeout(resolve, 5000));
          }
        },
      );
      channel.appendLine('[stopped following]');
      return { mode: follower.mode, note: follower.note, events: lines };
    }),
  );
}
