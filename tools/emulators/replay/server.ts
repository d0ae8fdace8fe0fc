// A replay endpoint for EC2-query APIs: answers, from memory, exactly the requests recorded once from a real
// emulator (moto), with the bodies moto sent; anything else gets 400. It invents no data. Used by the
// explorer benchmark to time the extension and the SDK without moto's cost per page.
//
// By account (`byAccount`): answers are kept per account and region, the account being the one the signing
// access key belongs to (learned from the recorded sts:AssumeRole answers, which say which account's
// credentials they issued; keys it has not seen issued, such as the base profile's, are the "" account), and
// the region the one of the SigV4 credential scope. So 20 member accounts asking the same DescribeInstances
// get 20 different recorded answers, as they would from AWS.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

/** Request bodies above this are refused (a DescribeInstances form is a few KB). */
const MAX_REQUEST_BYTES = 1024 * 1024;
/** Parameters that do not select an answer. */
const IGNORED_PARAMETERS = new Set(['Version']);

/** The request's identity: every form parameter but the API version, sorted (Action, NextToken, MaxResults, Filter.N…). */
export function replayKey(formBody: string): string {
  const entries = [...new URLSearchParams(formBody)].filter(([name]) => !IGNORED_PARAMETERS.has(name));
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

/** The access key, region and service of a SigV4 Authorization header, or undefined for an unsigned request. */
export function signingScope(
  authorization: string | undefined,
): { accessKeyId: string; region: string; service: string } | undefined {
  const credential = authorization ? /Credential=([^,\s]+)/.exec(authorization)?.[1] : undefined;
  const parts = credential?.split('/') ?? [];
  if (parts.length < 5) return undefined;
  return {
    accessKeyId: parts.slice(0, parts.length - 4).join('/'),
    region: parts[parts.length - 3],
    service: parts[parts.length - 2],
  };
}

/** The query API action of a form body (e.g. DescribeInstances, AssumeRole). */
export function actionOf(formBody: string): string {
  return new URLSearchParams(formBody).get('Action') ?? '(none)';
}

export interface RecordedAnswer {
  status: number;
  contentType: string;
  body: string;
}

export class ReplayRecording {
  private readonly answers = new Map<string, RecordedAnswer>();
  /** Access key ID → the account whose credentials an AssumeRole answer issued. */
  private readonly accountsByAccessKey = new Map<string, string>();

  /** The "<account>/<region>" an answer is kept under, from the signing scope ("" without byAccount). */
  scopeOf(authorization: string | undefined): string {
    const scope = signingScope(authorization);
    if (!scope) return '';
    return `${this.accountsByAccessKey.get(scope.accessKeyId) ?? ''}/${scope.region}`;
  }

  /** Learns which account the credentials in an sts:AssumeRole answer belong to. */
  private learnIssuedCredentials(answerBody: string): void {
    const accessKeyId = /<AccessKeyId>([^<]{1,128})<\/AccessKeyId>/.exec(answerBody)?.[1];
    const account = /<Arn>arn:[\w-]+:sts::(\d{12}):assumed-role\//.exec(answerBody)?.[1];
    if (accessKeyId && account) this.accountsByAccessKey.set(accessKeyId, account);
  }

  /** Keeps moto's answer to one request; a second, different answer to the same request is an error. */
  record(requestBody: string, answer: RecordedAnswer, scope = ''): void {
    if (actionOf(requestBody) === 'AssumeRole') this.learnIssuedCredentials(answer.body);
    const key = `${scope}\n${replayKey(requestBody)}`;
    const known = this.answers.get(key);
    if (known && known.body !== answer.body) throw new Error(`two different answers recorded for ${key.slice(0, 200)}`);
    this.answers.set(key, answer);
  }

  answerFor(requestBody: string, scope = ''): RecordedAnswer | undefined {
    return this.answers.get(`${scope}\n${replayKey(requestBody)}`);
  }

  get size(): number {
    return this.answers.size;
  }

  get bytes(): number {
    let total = 0;
    for (const answer of this.answers.values()) total += Buffer.byteLength(answer.body);
    return total;
  }
}

/** Middleware-stack shape of an AWS SDK v3 client, enough to record its exchanges. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SDK middleware stack is typed per client; the recorder works with any
type AnyHandler = (args: any) => Promise<any>;

interface RecordableClient {
  middlewareStack: {
    addRelativeTo(
      middleware: (next: AnyHandler) => AnyHandler,
      options: { relation: 'after'; toMiddleware: string; name: string },
    ): void;
  };
}

/** Records every exchange of this SDK client (request form → raw response body) into `recording`. */
export function recordExchanges(client: RecordableClient, recording: ReplayRecording): void {
  client.middlewareStack.addRelativeTo(
    (next) => async (args) => {
      const result = await next(args);
      const chunks: Buffer[] = [];
      for await (const chunk of result.response.body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
      const body = Buffer.concat(chunks);
      const headers = result.response.headers as Record<string, string>;
      if (result.response.statusCode === 200) {
        recording.record(String(args.request.body ?? ''), {
          status: 200,
          contentType: headers['content-type'] ?? 'text/xml',
          body: body.toString('utf8'),
        });
      }
      result.response.body = Readable.from([body]);
      return result;
    },
    { relation: 'after', toMiddleware: 'deserializerMiddleware', name: 'replayRecorder' },
  );
}

export interface ReplayServer {
  endpoint: string;
  /** Requests answered from the recording, and refused (400) because nothing was recorded for them. */
  stats(): { answered: number; refused: number; refusedKeys: string[]; byAction: Record<string, number> };
  stop(): Promise<void>;
}

export interface ReplayServerOptions {
  port?: number;
  /** Keep and answer requests per account and region (see the top of this file). Default false. */
  byAccount?: boolean;
  /**
   * Record instead of replaying: pass every request to this endpoint (moto) and keep its 200 answers. The
   * recording is then served by another replay server.
   */
  recordFrom?: string;
}

function refusal(message: string): string {
  const escaped = message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>ReplayNotRecorded</Code><Message>${escaped}</Message></Error></Errors><RequestID>replay</RequestID></Response>`;
}

/** Serves `recording` on 127.0.0.1 (a free port unless `port`), or records into it (`recordFrom`). */
export async function startReplayServer(
  recording: ReplayRecording,
  options: ReplayServerOptions = {},
): Promise<ReplayServer> {
  let answered = 0;
  let refused = 0;
  const refusedKeys: string[] = [];
  const byAction: Record<string, number> = {};
  const upstream = options.recordFrom ? new URL(options.recordFrom) : undefined;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const action = actionOf(body);
      byAction[action] = (byAction[action] ?? 0) + 1;
      if (upstream && !tooLarge) {
        // Record: moto answers; its 200 answers are kept under the request's account and region.
        const scope = options.byAccount ? recording.scopeOf(request.headers.authorization) : '';
        const forwarded = http.request(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: request.method,
            path: request.url,
            headers: { ...request.headers, host: upstream.host },
          },
          (upstreamResponse) => {
            const parts: Buffer[] = [];
            upstreamResponse.on('data', (part: Buffer) => parts.push(part));
            upstreamResponse.on('end', () => {
              const answer = Buffer.concat(parts);
              const contentType = String(upstreamResponse.headers['content-type'] ?? 'text/xml');
              if (upstreamResponse.statusCode === 200 && request.method === 'POST')
                recording.record(body, { status: 200, contentType, body: answer.toString('utf8') }, scope);
              answered++;
              response
                .writeHead(upstreamResponse.statusCode ?? 502, {
                  'content-type': contentType,
                  'content-length': answer.length,
                })
                .end(answer);
            });
          },
        );
        forwarded.on('error', (error) => response.writeHead(502).end(String(error)));
        forwarded.end(body);
        return;
      }
      const scope = options.byAccount ? recording.scopeOf(request.headers.authorization) : '';
      const answer = request.method === 'POST' && !tooLarge ? recording.answerFor(body, scope) : undefined;
      if (!answer) {
        refused++;
        const key = tooLarge
          ? `(request over ${MAX_REQUEST_BYTES} bytes)`
          : `${request.method} ${request.url} ${scope} ${replayKey(body)}`;
        if (refusedKeys.length < 20) refusedKeys.push(key.slice(0, 500));
        response
          .writeHead(400, { 'content-type': 'text/xml' })
          .end(refusal(`Nothing was recorded for this request: ${key.slice(0, 300)}`));
        return;
      }
      answered++;
      response
        .writeHead(answer.status, {
          'content-type': answer.contentType,
          'content-length': Buffer.byteLength(answer.body),
        })
        .end(answer.body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats: () => ({ answered, refused, refusedKeys: [...refusedKeys], byAction: { ...byAction } }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
