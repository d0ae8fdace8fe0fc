import {
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetQueryResultsCommand,
  StartLiveTailCommand,
  StartQueryCommand,
  type LogGroup,
  type LogStream,
} from '@aws-sdk/client-cloudwatch-logs';
import { z } from 'zod';
import { logsService } from '../aws/services';
import { defineOperation, READ_ONLY } from './define';

/**
 * CloudWatch Logs reads beyond one stream's events (`logs.events.get`, in eksEcrLogs.ts): log groups and
 * streams, Logs Insights queries, filtered events (the polling follow) and a bounded live tail sample.
 */

const logGroupName = z
  .string()
  .regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, 'Expected a log group name.')
  .describe('log group name');
const page = (max: number) => ({
  maxResults: z.number().int().min(1).max(max).optional().describe('Page size.'),
  nextToken: z.string().max(4096).optional().describe('Token from the previous page.'),
});
const epochMs = z.number().int().min(0).max(8_640_000_000_000);

interface Page<T> {
  items: T[];
  nextToken?: string;
}

export const listLogGroups = defineOperation({
  id: 'logs.groups.list',
  service: 'logs',
  title: 'List CloudWatch log groups',
  description: 'CloudWatch Logs log groups with retention, stored bytes and creation time; optionally by name prefix.',
  ...READ_ONLY,
  input: z
    .object({
      namePrefix: z
        .string()
        .regex(/^[.\-_/#A-Za-z0-9]{1,512}$/)
        .optional(),
      ...page(50),
    })
    .strict(),
  async handler(ctx, input): Promise<Page<LogGroup>> {
    const logs = await ctx.client(logsService);
    const result = await logs.send(
      new DescribeLogGroupsCommand({
        logGroupNamePrefix: input.namePrefix,
        limit: input.maxResults,
        nextToken: input.nextToken,
      }),
    );
    return { items: result.logGroups ?? [], nextToken: result.nextToken || undefined };
  },
});

export const listLogStreams = defineOperation({
  id: 'logs.streams.list',
  service: 'logs',
  title: 'List CloudWatch log streams',
  description: 'The log streams of one log group, the most recently written first.',
  ...READ_ONLY,
  input: z.object({ logGroupName, ...page(50) }).strict(),
  async handler(ctx, input): Promise<Page<LogStream>> {
    const logs = await ctx.client(logsService);
    const result = await logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: input.logGroupName,
        orderBy: 'LastEventTime',
        descending: true,
        limit: input.maxResults,
        nextToken: input.nextToken,
      }),
    );
    return { items: result.logStreams ?? [], nextToken: result.nextToken || undefined };
  },
});

export const filterLogEvents = defineOperation({
  id: 'logs.events.filter',
  service: 'logs',
  title: 'Filter CloudWatch log events',
  description:
    'Events of a log group (all or some streams) since a time, optionally matching a filter pattern; oldest first, one page.',
  ...READ_ONLY,
  input: z
    .object({
      logGroupName,
      logStreamNames: z
        .array(z.string().regex(/^[^:*]{1,512}$/))
        .min(1)
        .max(100)
        .optional(),
      filterPattern: z.string().max(1024).optional(),
      startTime: epochMs.optional().describe('Epoch milliseconds.'),
      endTime: epochMs.optional().describe('Epoch milliseconds.'),
      limit: z.number().int().min(1).max(10_000).optional(),
      nextToken: z.string().max(4096).optional(),
    })
    .strict(),
  async handler(ctx, input) {
    const logs = await ctx.client(logsService);
    const result = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: input.logGroupName,
        logStreamNames: input.logStreamNames,
        filterPattern: input.filterPattern,
        startTime: input.startTime,
        endTime: input.endTime,
        limit: input.limit ?? 500,
        nextToken: input.nextToken,
      }),
    );
    return {
      items: (result.events ?? []).map((event) => ({
        timestamp: event.timestamp,
        logStreamName: event.logStreamName,
        message: event.message,
        eventId: event.eventId,
      })),
      nextToken: result.nextToken || undefined,
    };
  },
});

export const startInsightsQuery = defineOperation({
  id: 'logs.insights.start',
  service: 'logs',
  title: 'Start a Logs Insights query',
  description:
    'Starts a CloudWatch Logs Insights query over up to 50 log groups between two times; read its rows with logs.insights.results. Insights bills by data scanned.',
  ...READ_ONLY,
  input: z
    .object({
      logGroupNames: z.array(logGroupName).min(1).max(50),
      queryString: z.string().min(1).max(10_000),
      startTime: epochMs.describe('Epoch milliseconds.'),
      endTime: epochMs.describe('Epoch milliseconds.'),
      limit: z.number().int().min(1).max(10_000).optional(),
    })
    .strict(),
  async handler(ctx, input) {
    const logs = await ctx.client(logsService);
    const result = await logs.send(
      new StartQueryCommand({
        logGroupNames: input.logGroupNames,
        queryString: input.queryString,
        // Insights takes seconds.
        startTime: Math.floor(input.startTime / 1000),
        endTime: Math.ceil(input.endTime / 1000),
        limit: input.limit,
      }),
    );
    if (!result.queryId)
      throw Object.assign(new Error('StartQuery returned no query ID.'), { name: 'InvalidResponse' });
    return { queryId: result.queryId };
  },
});

export const getInsightsResults = defineOperation({
  id: 'logs.insights.results',
  service: 'logs',
  title: 'Read Logs Insights query results',
  description: 'The status (Scheduled, Running, Complete, Failed…) and the rows of a Logs Insights query.',
  ...READ_ONLY,
  input: z.object({ queryId: z.string().regex(/^[A-Za-z0-9-]{1,256}$/, 'Expected a query ID.') }).strict(),
  async handler(ctx, input) {
    const logs = await ctx.client(logsService);
    const result = await logs.send(new GetQueryResultsCommand({ queryId: input.queryId }));
    return {
      status: result.status ?? 'Unknown',
      rows: (result.results ?? []).map((row) =>
        Object.fromEntries(
          row.filter((cell) => cell.field && cell.field !== '@ptr').map((cell) => [cell.field!, cell.value ?? '']),
        ),
      ),
      statistics: result.statistics
        ? {
            recordsMatched: result.statistics.recordsMatched,
            recordsScanned: result.statistics.recordsScanned,
            bytesScanned: result.statistics.bytesScanned,
          }
        : undefined,
    };
  },
});

export const sampleLiveTail = defineOperation({
  id: 'logs.liveTail.sample',
  service: 'logs',
  title: 'Live tail CloudWatch logs (a few seconds)',
  description:
    'Opens a StartLiveTail session on up to 10 log groups, collects the events that arrive within a few seconds (at most 30) and closes it. Endpoints without live tail answer with an error.',
  ...READ_ONLY,
  input: z
    .object({
      logGroupNames: z.array(logGroupName).min(1).max(10),
      filterPattern: z.string().max(1024).optional(),
      seconds: z.number().int().min(1).max(30).default(5),
      limit: z.number().int().min(1).max(1000).default(500),
    })
    .strict(),
  async handler(ctx, input) {
    const logs = await ctx.client(logsService);
    const controller = new AbortController();
    const stop = () => controller.abort();
    ctx.signal.addEventListener('abort', stop);
    const timer = setTimeout(stop, input.seconds * 1000);
    const events: Array<{ timestamp?: number; logStreamName?: string; logGroupName?: string; message?: string }> = [];
    try {
      const response = await logs.send(
        new StartLiveTailCommand({
          logGroupIdentifiers: input.logGroupNames.map(
            (name) => `arn:aws:logs:${ctx.region}:${ctx.account}:log-group:${name}`,
          ),
          logEventFilterPattern: input.filterPattern,
        }),
        { abortSignal: controller.signal },
      );
      if (!response.responseStream)
        throw Object.assign(new Error('StartLiveTail returned no event stream.'), { name: 'UnsupportedOperation' });
      for await (const update of response.responseStream) {
        for (const result of update.sessionUpdate?.sessionResults ?? [])
          events.push({
            timestamp: result.timestamp,
            logStreamName: result.logStreamName,
            logGroupName: result.logGroupIdentifier?.split(':log-group:').pop(),
            message: result.message,
          });
        if (events.length >= input.limit || controller.signal.aborted) break;
      }
    } catch (error) {
      if (!controller.signal.aborted || ctx.signal.aborted) throw error;
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', stop);
    }
    return { items: events.slice(0, input.limit) };
  },
});

export const logsReadOperations = [
  listLogGroups,
  listLogStreams,
  filterLogEvents,
  startInsightsQuery,
  getInsightsResults,
  sampleLiveTail,
];
