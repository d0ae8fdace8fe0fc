/**
 * Messages between the cost chart panel (extension host) and its webview. Both sides import this file and
 * validate every message they receive and send against these unions.
 */
import * as z from 'zod';

export const COST_CHART_PROTOCOL_VERSION = 1;

const text = (max: number) => z.string().max(max);
const amount = z.number().finite().min(-1e12).max(1e12);

export const costBar = z.object({ label: text(200), amount, note: text(200).optional() }).strict();

export const costChartData = z
  .object({
    account: text(64),
    region: text(32),
    unit: text(8),
    /** This month to date, last month, and the forecast where available. */
    months: z.array(costBar).max(3),
    /** Top services this month. */
    services: z.array(costBar).max(12),
    /** Lines shown under the chart, e.g. "forecast: not available from this endpoint". */
    notes: z.array(text(400)).max(10),
    readAt: text(40),
  })
  .strict();

export const toWebview = z.discriminatedUnion('type', [
  z.object({ type: z.literal('data'), data: costChartData }).strict(),
  z.object({ type: z.literal('busy'), message: text(200) }).strict(),
  z.object({ type: z.literal('error'), message: text(4000) }).strict(),
]);

export const toHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), protocol: z.number().int() }).strict(),
  z.object({ type: z.literal('rendered'), bars: z.number().int().min(0).max(100) }).strict(),
  z.object({ type: z.literal('refresh') }).strict(),
  z.object({ type: z.literal('protocolError'), message: text(2000) }).strict(),
]);

export type CostBar = z.infer<typeof costBar>;
export type CostChartData = z.infer<typeof costChartData>;
export type ToWebview = z.infer<typeof toWebview>;
export type ToHost = z.infer<typeof toHost>;

export const costChartProtocol = {
  name: 'cost-chart',
  toHost,
  toWebview,
  error: (message: string): ToWebview => ({ type: 'error', message: message.slice(0, 4000) }),
};
