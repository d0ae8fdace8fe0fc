/**
 * Logs Insights queries: from a query file (`*.cwlogs.insights`) or a chat request, run with the registered
 * reads `logs.insights.start` and `logs.insights.results` (polled until complete), shown as a Markdown table.
 */
import { escapeMarkdown } from '../conversation/markdown';
import { parseDuration } from './chatIntent';

export type Read = (operationId: string, input: Record<string, unknown>) => Promise<unknown>;

export const QUERY_FILE_SUFFIX = '.cwlogs.insights';
export const MAX_QUERY_FILE_BYTES = 64 * 1024;
const MAX_QUERY_LENGTH = 10_000;
const MAX_GROUPS = 50;

export interface InsightsQuery {
  logGroupNames: string[];
  queryString: string;
  startTime: number;
  endTime: number;
}

export class QueryFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryFileError';
  }
}

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;

/**
 * A query file: header lines `# logGroups: /app/api, /app/web` and `# since: 1h` (or `# start:`/`# end:` ISO
 * times), then the query. Other `#` lines stay in the query (Logs Insights comments).
 */
export function parseQueryFile(text: string, now: number): InsightsQuery {
  if (Buffer.byteLength(text, 'utf8') > MAX_QUERY_FILE_BYTES)
    throw new QueryFileError(`The query file is larger than ${MAX_QUERY_FILE_BYTES / 1024} KB.`);
  const groups: string[] = [];
  let since: number | undefined;
  let start: number | undefined;
  let end: number | undefined;
  const queryLines: string[] = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    const directive = /^\s*#\s*(logGroups?|since|start|end)\s*:\s*(.*?)\s*$/i.exec(line);
    if (!directive) {
      queryLines.push(line);
      continue;
    }
    const [, key, value] = directive;
    const where = `line ${index + 1}`;
    if (/^logGroups?$/i.test(key)) {
      for (const name of value.split(/[,\s]+/).filter(Boolean)) {
        if (!GROUP_NAME.test(name))
          throw new QueryFileError(`${where}: "${name.slice(0, 80)}" is not a log group name.`);
        groups.push(name);
      }
    } else if (/^since$/i.test(key)) {
      const compactDuration = /^(\d{1,4})\s*([a-z]+)$/i.exec(value);
      const seconds = compactDuration
        ? parseDuration(`${compactDuration[1]} ${compactDuration[2]}`)
        : parseDuration(value);
      if (!seconds) throw new QueryFileError(`${where}: "since" takes a duration such as 1h, 30m or 2 days.`);
      since = seconds * 1000;
    } else {
      const time = Date.parse(value);
      if (!Number.isFinite(time))
        throw new QueryFileError(`${where}: "${key}" takes an ISO time such as 2026-01-31T12:00Z.`);
      if (/^start$/i.test(key)) start = time;
      else end = time;
    }
  }
  const queryString = queryLines.join('\n').trim();
  if (!groups.length)
    throw new QueryFileError('Name the log groups in a header line, e.g. "# logGroups: /aws/lambda/api, /app/web".');
  if (groups.length > MAX_GROUPS) throw new QueryFileError(`A query covers at most ${MAX_GROUPS} log groups.`);
  if (!queryString) throw new QueryFileError('The file has no query after its header lines.');
  if (queryString.length > MAX_QUERY_LENGTH)
    throw new QueryFileError(`The query is longer than ${MAX_QUERY_LENGTH} characters.`);
  const endTime = end ?? now;
  const startTime = start ?? endTime - (since ?? 3600_000);
  if (startTime >= endTime) throw new QueryFileError('The start time must be before the end time.');
  return { logGroupNames: [...new Set(groups)], queryString, startTime, endTime };
}

/** Logs Insights regex text for a literal. */
function regexLiteral(text: string): string {
  return text.replace(/[\\/^$.*+?()[\]{}|]/g, '\\$&');
}

/** The query for "ERROR logs …": newest first, at most `limit` rows. */
export function insightsQueryFor(options: { level?: string; text?: string; limit?: number }): string {
  const filters = [options.level, options.text].filter((value): value is string => Boolean(value));
  return [
    'fields @timestamp, @logStream, @message',
    ...filters.map((value) => `| filter @message like /${regexLiteral(value)}/`),
    '| sort @timestamp desc',
    `| limit ${options.limit ?? 100}`,
  ].join('\n');
}

export interface InsightsResult {
  status: string;
  rows: Array<Record<string, string>>;
  statistics?: { recordsMatched?: number; recordsScanned?: number; bytesScanned?: number };
  queryId: string;
}

export interface RunOptions {
  pollMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const DONE = new Set(['Complete', 'Failed', 'Cancelled', 'Timeout']);

/** Starts the query and polls its results until it is done (or the timeout, which says so). */
export async function runInsightsQuery(
  read: Read,
  query: InsightsQuery,
  options: RunOptions = {},
): Promise<InsightsResult> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const pollMs = options.pollMs ?? 1000;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const { queryId } = (await read('logs.insights.start', { ...query })) as { queryId: string };
  for (;;) {
    const result = (await read('logs.insights.results', { queryId })) as Omit<InsightsResult, 'queryId'>;
    if (DONE.has(result.status)) return { ...result, queryId };
    if (Date.now() >= deadline)
      return {
        ...result,
        status: `${result.status} (still running after ${Math.round((options.timeoutMs ?? 60_000) / 1000)} s; partial rows)`,
        queryId,
      };
    await sleep(pollMs);
  }
}

const MAX_TABLE_ROWS = 500;
const MAX_CELL = 300;

/** Emulators answer @timestamp in epoch milliseconds; AWS in "2026-01-31 12:00:00.000". */
function timestampText(value: string): string {
  return /^\d{13}$/.test(value) ? new Date(Number(value)).toISOString().replace('T', ' ').slice(0, 23) : value;
}

function cell(value: unknown): string {
  return escapeMarkdown(String(value ?? '').replace(/\s+/g, ' '), MAX_CELL) || ' ';
}

/** The rows as a Markdown table (columns in first-seen order, `@timestamp` first). */
export function resultsTable(result: Pick<InsightsResult, 'rows' | 'status' | 'statistics'>): string {
  const columns: string[] = [];
  for (const row of result.rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  columns.sort((a, b) => Number(b === '@timestamp') - Number(a === '@timestamp'));
  const stats = result.statistics
    ? ` · ${result.statistics.recordsMatched ?? '?'} matched of ${result.statistics.recordsScanned ?? '?'} scanned`
    : '';
  const header = `Status: ${result.status} · ${result.rows.length} row${result.rows.length === 1 ? '' : 's'}${stats}`;
  if (!result.rows.length) return `${header}\n\nNo rows.`;
  const shown = result.rows.slice(0, MAX_TABLE_ROWS);
  const lines = [
    `| ${columns.map(cell).join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...shown.map(
      (row) =>
        `| ${columns.map((column) => cell(column === '@timestamp' ? timestampText(String(row[column] ?? '')) : row[column])).join(' | ')} |`,
    ),
  ];
  const more = result.rows.length > shown.length ? `\n\n${result.rows.length - shown.length} more rows not shown.` : '';
  return `${header}\n\n${lines.join('\n')}${more}`;
}

/** Log groups whose name contains the source word (case-insensitive), most specific first. */
export async function matchingLogGroups(read: Read, source: string | undefined, max = 10): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < 20; page++) {
    const output = (await read('logs.groups.list', { maxResults: 50, ...(nextToken ? { nextToken } : {}) })) as {
      items: Array<{ logGroupName?: string }>;
      nextToken?: string;
    };
    names.push(...output.items.map((group) => group.logGroupName ?? '').filter(Boolean));
    nextToken = output.nextToken;
    if (!nextToken) break;
  }
  if (!source) return names.slice(0, max);
  const word = source.toLowerCase();
  return names
    .filter((name) => name.toLowerCase().includes(word))
    .sort((a, b) => a.length - b.length)
    .slice(0, max);
}
