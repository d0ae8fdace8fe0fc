import * as vscode from 'vscode';
import { commandRegistrar } from '../shared/commands';
import { runInteractively } from '../shared/interactiveRun';
import { OperationService } from '../shared/operationService';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { COST_VIEW_ID, CostNode, CostViewProvider, type CostViewSource } from './costView';

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
    (source ??= import('./costSource').then(({ createCostSource }) => createCostSource(ctx, service)).catch((error) => {
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
