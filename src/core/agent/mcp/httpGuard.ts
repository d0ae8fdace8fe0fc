import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** The largest JSON-RPC request body the local MCP server reads (tool inputs are small). */
export const MAX_MCP_BODY_BYTES = 1024 * 1024;

/** The path the MCP endpoint answers on. */
export const MCP_HTTP_PATH = '/mcp';

/** A new bearer token for one run of the local server: 256 random bits. */
export function newBearerToken(): string {
  return randomBytes(32).toString('base64url');
}

export interface McpHttpGuardOptions {
  /** The bearer token every request must carry (`Authorization: Bearer <token>`). */
  token: string;
  /** The port the server listens on (127.0.0.1 only): the Host header must name it. */
  port: number;
  maxBodyBytes?: number;
}

export interface McpHttpRefusal {
  status: 400 | 401 | 403 | 404 | 413;
  message: string;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether an Origin header names a loopback page (any port): what a local client may send. */
export function isLoopbackOrigin(origin: string): boolean {
  if (origin.length > 2048) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return (
    (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
    LOOPBACK_NAMES.has(parsed.hostname) &&
    !parsed.username &&
    !parsed.password
  );
}

/** Compares two secrets in constant time (hashing first, so lengths leak nothing either). */
export function tokensMatch(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Checks a request to the local MCP server before anything reads its body: the Host header must name the
 * loopback address and our port (DNS rebinding), an Origin header must be a loopback page, the bearer token
 * must match, the path must be the MCP endpoint, and a declared body must fit the limit.
 * Returns the refusal, or undefined when the request may proceed.
 */
export function checkMcpRequest(
  request: { url?: string; headers: IncomingHttpHeaders },
  options: McpHttpGuardOptions,
): McpHttpRefusal | undefined {
  const host = single(request.headers.host)?.toLowerCase();
  if (host !== `127.0.0.1:${options.port}` && host !== `localhost:${options.port}`)
    return { status: 403, message: 'Forbidden: the Host header must name this local server.' };
  const origin = request.headers.origin;
  if (origin !== undefined) {
    const value = single(origin);
    if (value === undefined || !isLoopbackOrigin(value))
      return { status: 403, message: 'Forbidden: requests from web pages are not accepted.' };
  }
  const authorization = single(request.headers.authorization) ?? '';
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/.exec(authorization);
  if (!match || !tokensMatch(match[1], options.token))
    return { status: 401, message: 'Unauthorized: a valid bearer token is required.' };
  const path = (request.url ?? '').split('?')[0];
  if (path !== MCP_HTTP_PATH) return { status: 404, message: `Not found: the MCP endpoint is ${MCP_HTTP_PATH}.` };
  const declared = single(request.headers['content-length']);
  if (
    declared !== undefined &&
    (!/^\d{1,15}$/.test(declared) || Number(declared) > (options.maxBodyBytes ?? MAX_MCP_BODY_BYTES))
  ) {
    return { status: 413, message: 'Payload too large.' };
  }
  return undefined;
}

/** Raised when a body grows past the limit while being read (chunked bodies declare no length). */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than ${limit} bytes.`);
  }
}

/** Reads a request body up to `limit` bytes; rejects with BodyTooLargeError beyond it (and stops reading). */
export function readBoundedBody(request: IncomingMessage, limit = MAX_MCP_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      request.off('data', onData);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        finish(new BodyTooLargeError(limit));
        request.resume();
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => finish());
    request.once('error', (error) => finish(error));
  });
}
