import type * as vscode from 'vscode';
import type { CostChartData, ToHost, ToWebview } from '../../protocol/costChart';
import { WebviewHost } from '../shared/webviewHost';
import type { PilotLightContext } from '../shared/pilotLightContext';

/** The cost chart: one panel; its data comes from the Cost view's last read. */
export class CostChartPanel implements vscode.Disposable {
  private static current: CostChartPanel | undefined;
  readonly host: WebviewHost<ToHost, ToWebview>;
  /** How many bars the webview last reported drawing (tests wait for it). */
  renderedBars?: number;

  static async show(ctx: PilotLightContext, data: () => Promise<CostChartData>): Promise<CostChartPanel> {
    if (CostChartPanel.current) {
      CostChartPanel.current.host.panel.reveal();
      await CostChartPanel.current.send(data);
      return CostChartPanel.current;
    }
    const { costChartProtocol } = await import('../../protocol/costChart');
    const panel = new CostChartPanel(ctx, data, costChartProtocol);
    CostChartPanel.current = panel;
    return panel;
  }

  static get open(): CostChartPanel | undefined {
    return CostChartPanel.current;
  }

  private constructor(
    ctx: PilotLightContext,
    private readonly data: () => Promise<CostChartData>,
    protocol: typeof import('../../protocol/costChart').costChartProtocol,
  ) {
    this.host = new WebviewHost<ToHost, ToWebview>(ctx.extension.extensionUri, {
      viewType: 'pilotLight.costChart',
      title: 'Cost',
      bundle: 'cost-chart',
      protocol,
      log: ctx.log,
      onMessage: (message) => this.handle(message),
    });
    this.host.panel.onDidDispose(() => this.dispose());
  }

  private async handle(message: ToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
      case 'refresh':
        await this.send(this.data);
        return;
      case 'rendered':
        this.renderedBars = message.bars;
        return;
      case 'protocolError':
        throw new Error(`The cost chart reported: ${message.message}`);
    }
  }

  private async send(data: () => Promise<CostChartData>): Promise<void> {
    await this.host.post({ type: 'busy', message: 'Reading Cost Explorer…' });
    try {
      await this.host.post({ type: 'data', data: await data() });
    } catch (error) {
      await this.host.post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  }

  dispose(): void {
    if (CostChartPanel.current === this) CostChartPanel.current = undefined;
    this.host.dispose();
  }
}
