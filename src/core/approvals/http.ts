import { ApprovalSystemError } from './types';

/** Responses larger than this are refused: a ticket answer is a few kilobytes. */
export const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;
/** A 429 is retried at most this many times, waiting what Retry-After says (capped). */
export const MAX_THROTTLE_RETRIES = 3;
export const MAX_RETRY_AFTER_MS = 60_000;

/** Only https, except loopback hosts (the emulators in tests). */
export function checkInstanceUrl(raw: string, system: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ApprovalSystemError('insecure-url', `The ${system} URL "${raw.slice(0, 200)}" is not a valid URL.`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new ApprovalSystemError(
      'insecure-url',
      `The ${system} URL must use https (only loopback addresses may use http): ${url.origin}`,
    );
  if (url.username || url.password)
    throw new ApprovalSystemError('insecure-url', `Put the ${system} credentials in "Sign in", never in the URL.`);
  return url;
}

export interface JsonRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
}

export interface HttpOptions {
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Extracts the system's error sentence from an error body. */
  describeError(body: unknown): string | undefined;
  system: string;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('Cancelled.'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('Cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Retry-After as seconds or an HTTP date, in ms (bounded); undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d{1,7}$/.test(value)) return Math.min(Number(value) * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

async function readBounded(response: Response, system: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_RESPONSE_BYTES)
    throw new ApprovalSystemError(
      'malformed',
      `${system} sent ${declared} bytes; at most ${MAX_RESPONSE_BYTES} are read.`,
    );
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_RESPONSE_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new ApprovalSystemError(
        'malformed',
        `${system} sent more than ${MAX_RESPONSE_BYTES} bytes; the answer is refused.`,
      );
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * One JSON call: 429 waits Retry-After (or 1, 2, 4 s) up to MAX_THROTTLE_RETRIES times; 401, 403, 404 and a
 * body that is not JSON become ApprovalSystemErrors with the system's own message.
 */
export async function requestJson<T>(request: JsonRequest, options: HttpOptions): Promise<T> {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? abortableSleep;
  const { system } = options;
  for (let attempt = 0; ; attempt += 1) {
    let response: Response;
    try {
      response = await doFetch(request.url, {
        method: request.method,
        headers: {
          Accept: 'application/json',
          ...(request.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...request.headers,
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: request.signal,
        redirect: 'error',
      });
    } catch (error) {
      if (request.signal?.aborted) throw error;
      throw new ApprovalSystemError(
        'network',
        `${system} at ${request.url.origin} could not be reached: ${(error as Error).message}`,
      );
    }
    const text = await readBounded(response, system);
    let body: unknown;
    let parsed = true;
    try {
      body = text.trim() ? JSON.parse(text) : undefined;
    } catch {
      parsed = false;
    }
    const detail = parsed ? options.describeError(body) : undefined;
    const where = `${request.method} ${request.url.pathname}`;
    if (response.status === 429) {
      if (attempt >= MAX_THROTTLE_RETRIES)
        throw new ApprovalSystemError(
          'throttled',
          `${system} is still rate-limiting (${where}) after ${attempt + 1} attempts; polling continues later.`,
          429,
        );
      await sleep(retryAfterMs(response.headers.get('retry-after')) ?? 1000 * 2 ** attempt, request.signal);
      continue;
    }
    if (response.status === 401)
      throw new ApprovalSystemError(
        'unauthorized',
        `${system} refused the credentials (401${detail ? `: ${detail}` : ''}). Run "Sign in to ${system}" again.`,
        401,
      );
    if (response.status === 403)
      throw new ApprovalSystemError(
        'forbidden',
        `${system} denied ${where} (403${detail ? `: ${detail}` : ''}). The account needs permission for this project or table.`,
        403,
      );
    if (response.status === 404)
      throw new ApprovalSystemError(
        'not-found',
        `${system} has no ${where} (404${detail ? `: ${detail}` : ''}); the ticket may have been deleted.`,
        404,
      );
    if (response.status >= 400 && response.status < 500)
      throw new ApprovalSystemError(
        'rejected-input',
        `${system} rejected ${where} (${response.status}${detail ? `: ${detail}` : ''}).`,
        response.status,
      );
    if (response.status >= 500)
      throw new ApprovalSystemError(
        'server',
        `${system} failed on ${where} (${response.status}${detail ? `: ${detail}` : ''}); polling retries later.`,
        response.status,
      );
    if (!parsed)
      throw new ApprovalSystemError(
        'malformed',
        `${system} answered ${where} with something that is not JSON (${text.slice(0, 40).replace(/\s+/g, ' ')}…); nothing was assumed.`,
        response.status,
      );
    return body as T;
  }
}
