// The cost chart webview: horizontal bars drawn with DOM elements (no chart library). All text from AWS goes
// through Lit text bindings (escaped); bar widths are numbers set through styleMap (CSSOM, allowed by the CSP).
import { html, nothing, type TemplateResult } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import './styles.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import {
  COST_CHART_PROTOCOL_VERSION,
  toHost,
  toWebview,
  type CostBar,
  type CostChartData,
  type ToHost,
  type ToWebview,
} from '../../src/protocol/costChart';
import {} from '../shared/channel';
import { ChannelElement, type PageChannel } from '../shared/channelElement';

function money(amount: number, unit: string): string {
  const text =
    Math.abs(amount) >= 1000 ? amount.toLocaleString('en-US', { maximumFractionDigits: 0 }) : amount.toFixed(2);
  return unit === 'USD' ? `$${text}` : `${text} ${unit}`;
}

const CHANNEL: PageChannel<ToHost, ToWebview> = {
  toHost,
  toWebview,
  ready: { type: 'ready', protocol: COST_CHART_PROTOCOL_VERSION },
};

export class CostChartElement extends ChannelElement<ToHost, ToWebview> {
  protected readonly channel = CHANNEL;
  static properties = { data: { state: true } };
  declare data: CostChartData | undefined;

  protected receive(message: ToWebview): void {
    if (message.type === 'data') {
      this.data = message.data;
      this.status = undefined;
      const bars = message.data.months.length + message.data.services.length;
      void this.updateComplete.then(() => this.send({ type: 'rendered', bars }));
    } else if (message.type === 'busy') this.status = { kind: 'info', text: message.message };
    else this.status = { kind: 'error', text: message.message };
  }

  private bars(title: string, bars: CostBar[], unit: string): TemplateResult {
    const max = Math.max(0, ...bars.map((bar) => bar.amount)) || 1;
    return html`<section class="chart" aria-label=${title}>
      <h2>${title}</h2>
      ${
        bars.length
          ? bars.map(
              (bar) =>
                html`<div class="row">
                  <span class="label" title=${bar.label}>${bar.label}</span>
                  <span class="track"
                    ><span
                      class="bar"
                      style=${styleMap({ width: `${Math.max(0, Math.min(100, (bar.amount / max) * 100)).toFixed(1)}%` })}
                    ></span
                  ></span>
                  <span class="amount"
                    >${money(bar.amount, unit)}${bar.note ? html` <em>${bar.note}</em>` : nothing}</span
                  >
                </div>`,
            )
          : html`<p class="empty">No spend in this period.</p>`
      }
    </section>`;
  }

  render(): TemplateResult {
    const data = this.data;
    return html`<header>
        <h1>Cost</h1>
        <vscode-button @click=${() => this.send({ type: 'refresh' })}>Refresh</vscode-button>
      </header>
      ${this.status ? html`<p class="status ${this.status.kind}" role="status">${this.status.text}</p>` : nothing}
      ${
        data
          ? html`<p class="context">Account ${data.account}, region ${data.region}; read ${data.readAt}</p>
              ${this.bars('This month, last month, forecast', data.months, data.unit)}
              ${this.bars('Top services this month', data.services, data.unit)}
              <ul class="notes">
                ${data.notes.map((note) => html`<li>${note}</li>`)}
              </ul>`
          : nothing
      }`;
  }
}

customElements.define('pilot-light-cost-chart', CostChartElement);
document.getElementById('app')?.appendChild(new CostChartElement());
