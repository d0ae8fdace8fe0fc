import * as vscode from 'vscode';
import { CommandCancelled, commandRegistrar } from '../shared/commands';
import { runInteractively } from '../shared/interactiveRun';
import { OperationService } from '../shared/operationService';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { COST_VIEW_ID, CostViewProvider, type CostNode, type CostViewSource } from './costView';

export interface CostFeature {
  provider: CostViewProvider;
  view: vscode.TreeView<CostNode>;
  /** The open chart panel, if any. */
  chart(): Promise<import('./chartPanel').CostChartPanel | undefined>;
}

/** Set once registered, for the extension's own tests. */
export let registeredCostFeature: CostFeature | undefined;

/**
 * The Cost view and its commands. Nothing is read until the view is shown: the source (and the core) load on
 * the first getChildren.
 */
export function registerCost(ctx: PilotLightContext): CostFeature {
  const service = OperationService.for(ctx);
  let source: Promise<CostViewSource> | undefined;
  const loadSource = () =>
    (source ??= import('./costSource')
      .then(({ createCostSource }) => createCostSource(ctx, service))
      .catch((error) => {
        source = undefined;
        throw error;
      }));
  const provider = new CostViewProvider(loadSource);
  const view = vscode.window.createTreeView(COST_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  const command = commandRegistrar(ctx);
  const refresh = () => {
    source = undefined;
    provider.refresh();
  };
  ctx.extension.subscriptions.push(
    provider,
    view,
    command('pilotLight.cost.refresh', refresh),
    command('pilotLight.cost.showChart', async () => {
      const { CostChartPanel } = await import('./chartPanel');
      await CostChartPanel.show(ctx, async () => {
        await provider.snapshot(1);
        const data = (await loadSource()).chartData();
        if (!data) throw new Error('Cost Explorer could not be read; see the Cost view for the error.');
        return data;
      });
    }),
    command('pilotLight.cost.createBudget', async () => {
      const ask = async (prompt: string, placeHolder: string, validate: (text: string) => string | undefined) => {
        const value = await vscode.window.showInputBox({
          prompt,
          placeHolder,
          ignoreFocusOut: true,
          validateInput: validate,
        });
        if (value === undefined) throw new CommandCancelled();
        return value.trim();
      };
      const name = await ask('Budget name', 'monthly-cost', (text) =>
        /^[^:\\]{1,100}$/.test(text.trim()) ? undefined : '1-100 characters, no ":" or "\\".',
      );
      const limit = Number(
        await ask('Monthly limit in USD', '500', (text) =>
          Number(text) > 0 ? undefined : 'A positive amount in USD.',
        ),
      );
      const threshold = Number(
        await ask('Alert when actual spend passes this % of the limit', '80', (text) =>
          Number(text) >= 1 && Number(text) <= 1000 ? undefined : 'A percentage from 1 to 1000.',
        ),
      );
      const email = await ask('E-mail address for the alert', 'oncall@example.com', (text) =>
        /^[^\s@]{1,64}@[^\s@]{1,190}\.[a-z]{2,24}$/i.test(text.trim()) ? undefined : 'An e-mail address.',
      );
      const result = await runInteractively(service, {
        operationId: 'budgets.budgets.create',
        input: { name, limitUsd: limit, alertThresholdPercent: threshold, email },
        caller: 'command',
        title: `Create budget ${name}`,
      });
      if (result.status === 'succeeded') refresh();
      return result;
    }),
    command('pilotLight.cost.refreshPrices', async (regionArgument?: unknown) => {
      const [{ KNOWN_REGIONS, isPlausibleRegion }, { refreshRegionPrices }, { readVia }, { priceCacheFor }] =
        await Promise.all([
          import('../../core/aws/regions'),
          import('../../core/cost/priceRefresh'),
          import('../shared/serviceReads'),
          import('./prices'),
        ]);
      let region = typeof regionArgument === 'string' ? regionArgument : undefined;
      if (!region) {
        const current = (await ctx.connection()).region;
        const picked = await vscode.window.showQuickPick(
          [...KNOWN_REGIONS]
            .sort((a, b) => Number(b.code === current) - Number(a.code === current))
            .map((entry) => ({
              label: entry.code,
              description: entry.name,
            })),
          { title: 'Refresh prices from the AWS Price List for region', ignoreFocusOut: true },
        );
        if (!picked) throw new CommandCancelled();
        region = picked.label;
      }
      if (!isPlausibleRegion(region)) throw new Error(`"${region}" is not a region code such as eu-west-1.`);
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Reading ${region} prices from the AWS Price List…` },
        async () => refreshRegionPrices(readVia(service, 'command'), await priceCacheFor(ctx), region),
      );
      if (result.stored) void vscode.window.showInformationMessage(result.summary);
      else void vscode.window.showWarningMessage(result.summary);
      return result;
    }),
    command('pilotLight.cost.deleteSchedule', async (node?: CostNode) => {
      const value = node?.spec.value;
      if (!value?.name) throw new Error('Choose a schedule in the Cost view.');
      const result = await runInteractively(service, {
        operationId: 'scheduler.instanceSchedules.delete',
        input: { name: value.name, group: value.group ?? 'default' },
        caller: 'explorer',
        region: value.region,
        title: `Delete schedule ${value.name}`,
      });
      if (result.status === 'succeeded') refresh();
      return result;
    }),
  );
  registeredCostFeature = {
    provider,
    view,
    chart: async () => (await import('./chartPanel')).CostChartPanel.open,
  };
  return registeredCostFeature;
}
