// The Lit element every Pilot Light webview page is: light DOM, one message listener while connected, "ready"
// on connect, and zod-checked messages both ways with errors on the page's status line.
import { LitElement, type PropertyDeclarations } from 'lit';
import type { z } from 'zod';
import { receiveChecked, sendChecked } from './channel';

export type PageStatus = { kind: 'info' | 'error' | 'ok'; text: string };

export interface PageChannel<ToHost extends { type: string }, ToWebview> {
  toHost: z.ZodType<ToHost>;
  toWebview: z.ZodType<ToWebview>;
  /** Sent on connect: the page's protocol version. */
  ready: ToHost;
}

export abstract class ChannelElement<ToHost extends { type: string }, ToWebview> extends LitElement {
  static properties: PropertyDeclarations = { status: { state: true } };
  declare status: PageStatus | undefined;

  protected abstract readonly channel: PageChannel<ToHost, ToWebview>;
  /** Handles one valid message from the extension. */
  protected abstract receive(message: ToWebview): void;

  /** Light DOM: the page's stylesheet (from the webview's own source) applies. */
  protected createRenderRoot(): HTMLElement {
    return this;
  }

  connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('message', this.onMessage);
    this.send(this.channel.ready);
  }

  disconnectedCallback(): void {
    window.removeEventListener('message', this.onMessage);
    super.disconnectedCallback();
  }

  send(message: ToHost): void {
    sendChecked(this.channel.toHost, message, this.showError);
  }

  protected readonly showError = (text: string): void => {
    this.status = { kind: 'error', text };
  };

  private readonly onMessage = (event: MessageEvent): void => {
    const message = receiveChecked(this.channel.toWebview, event.data, this.showError, (text) =>
      this.send({ type: 'protocolError', message: text } as unknown as ToHost),
    );
    if (message) this.receive(message);
  };
}
