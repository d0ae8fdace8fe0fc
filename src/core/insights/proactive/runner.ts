/**
 * Runs insight sources side by side and keeps what each one did: ok, partial (some of it could not be
 * judged) or not checked (with why). A report with a source that did not run is never "nothing to look at".
 */
import type { Insight, InsightContext, InsightSeverity, InsightSource } from './types';

/** Thrown by a source that found something but could not judge all of its subject. */
export class PartialInsightsError extends Error {
  constructor(
    message: string,
    readonly insights: Insight[],
  ) {
    super(message);
    this.name = 'PartialInsightsError';
  }
}

export type SourceState = 'ok' | 'partial' | 'not-checked';

export interface SourceStatus {
  id: string;
  title: string;
  state: SourceState;
  /** Why it is partial or was not checked. */
  reason?: string;
  found: number;
}

export interface InsightsReport {
  insights: Insight[];
  sources: SourceStatus[];
  checkedAt: string;
  account: string;
  region: string;
  /** True only when every source ran in full. */
  complete: boolean;
}

const SEVERITY_RANK: Record<InsightSeverity, number> = { high: 0, medium: 1, low: 2 };
const MAX_REASON = 500;
export const DEFAULT_SOURCE_TIMEOUT_MS = 120_000;

/** Most severe first; then the insight with more resources; then by id, so the order is stable. */
export function rankInsights(insights: readonly Insight[]): Insight[] {
  return [...insights].sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      b.resources.length - a.resources.length ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message || 'the check failed without a message').slice(0, MAX_REASON);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Runs every source concurrently; one failing source never hides the others' insights. */
export async function collectInsights(
  sources: readonly InsightSource[],
  context: InsightContext,
  options: { timeoutMs?: number } = {},
): Promise<InsightsReport> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SOURCE_TIMEOUT_MS;
  const results = await Promise.all(
    sources.map(async (source): Promise<{ status: SourceStatus; insights: Insight[] }> => {
      try {
        const insights = await withTimeout(
          Promise.resolve().then(() => source.collect(context)),
          timeoutMs,
          source.title,
        );
        return { status: { id: source.id, title: source.title, state: 'ok', found: insights.length }, insights };
      } catch (error) {
        if (error instanceof PartialInsightsError)
          return {
            status: {
              id: source.id,
              title: source.title,
              state: 'partial',
              reason: reasonOf(error),
              found: error.insights.length,
            },
            insights: error.insights,
          };
        return {
          status: { id: source.id, title: source.title, state: 'not-checked', reason: reasonOf(error), found: 0 },
          insights: [],
        };
      }
    }),
  );
  const statuses = results.map((result) => result.status);
  return {
    insights: rankInsights(results.flatMap((result) => result.insights)),
    sources: statuses,
    checkedAt: context.now.toISOString(),
    account: context.account,
    region: context.region,
    complete: statuses.every((status) => status.state === 'ok'),
  };
}

/** One line for a view's description or a status: never "nothing to look at" when a source did not run. */
export function summarizeReport(report: InsightsReport, visible: number): string {
  const gaps = report.sources.filter((status) => status.state !== 'ok');
  const gapText = gaps.length ? `${gaps.length} of ${report.sources.length} checks did not run in full` : '';
  if (visible) return `${visible} to look at${gapText ? `; ${gapText}` : ''}`;
  if (gapText) return `Nothing found among what could be checked; ${gapText}`;
  return `Nothing to look at: ${report.sources.length} checks ran in full`;
}
