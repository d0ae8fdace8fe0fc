import { createHash, createHmac } from 'node:crypto';
import type { ServiceClientConfig, ServiceDefinition } from './connection';

/**
 * AWS Organizations over its JSON protocol (awsJson1_1), signed with SigV4 on node:crypto. The project has no
 * `@aws-sdk/client-organizations` yet; this client speaks the same wire protocol and takes the same inputs and
 * outputs (PascalCase fields), so the operations can move to the SDK client without changing their shape.
 * Organizations is a global service: requests are signed for us-east-1 (aws partition).
 */

/** One Organizations API call: the action name (e.g. `ListAccounts`) and its input. */
export interface OrganizationsCommand {
  readonly action: string;
  readonly input: Record<string, unknown>;
}

export function organizationsCommand(action: string, input: Record<string, unknown> = {}): OrganizationsCommand {
  if (!/^[A-Z][A-Za-z]{2,60}$/.test(action)) throw new Error(`"${action}" is not an Organizations action name.`);
  return { action, input };
}

/** An Organizations error, shaped like the SDK's service exceptions (name, $fault, $metadata). */
export class OrganizationsServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number; requestId?: string };
  constructor(code: string, message: string, status: number, requestId?: string) {
    super(message);
    this.name = code;
    this.$fault = status >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode: status, requestId };
  }
}

const SIGNING_REGION = 'us-east-1';
const SERVICE = 'organizations';
const TARGET_PREFIX = 'AWSOrganizationsV20161128';
/** Answers above this are refused (a ListAccounts page of 20 accounts is a few KB). */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
const REQUEST_TIMEOUT_MS = 30_000;

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** SigV4 headers for a POST with a JSON body and no query string. Exported for tests. */
export function signJsonRequest(
  url: URL,
  headers: Record<string, string>,
  body: string,
  credentials: SigningCredentials,
  region: string,
  service: string,
  now: Date,
): Record<string, string> {
  const amzDate = now.toISOString().replace(/[:-]|\.\d{3}/g, '');
  const dateStamp = amzDate.slice(0, 8);
  const all: Record<string, string> = { ...headers, host: url.host, 'x-amz-date': amzDate };
  if (credentials.sessionToken) all['x-amz-security-token'] = credentials.sessionToken;
  const names = Object.keys(all)
    .map((name) => name.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(all).map(([name, value]) => [name.toLowerCase(), value]));
  const canonicalHeaders = names.map((name) => `${name}:${lower[name].trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    'POST',
    url.pathname || '/',
    '',
    canonicalHeaders,
    signedHeaders,
    sha256Hex(body),
  ].join('\n');
  const scope = `${dateStamp}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, dateStamp), region), service), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return {
    ...all,
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

/** A minimal Organizations client with the SDK's `send` shape. */
export class OrganizationsClient {
  private readonly url: URL;
  constructor(private readonly config: ServiceClientConfig) {
    this.url = new URL(config.endpoint ?? 'https://organizations.us-east-1.amazonaws.com');
    if (this.url.protocol !== 'https:' && this.url.protocol !== 'http:')
      throw Object.assign(new Error(`The Organizations endpoint ${this.url.href} is not an http(s) URL.`), {
        name: 'InvalidEndpointError',
      });
  }

  async send(command: OrganizationsCommand, options: { abortSignal?: AbortSignal } = {}): Promise<Record<string, unknown>> {
    const credentials = await this.config.credentials();
    const body = JSON.stringify(command.input ?? {});
    const headers = signJsonRequest(
      this.url,
      {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `${TARGET_PREFIX}.${command.action}`,
      },
      body,
      credentials,
      SIGNING_REGION,
      SERVICE,
      new Date(),
    );
    delete headers.host;
    const signals = [AbortSignal.timeout(REQUEST_TIMEOUT_MS), ...(options.abortSignal ? [options.abortSignal] : [])];
    let response: Response;
    try {
      response = await fetch(this.url, { method: 'POST', headers, body, signal: AbortSignal.any(signals) });
    } catch (error) {
      throw Object.assign(new Error(`Could not reach ${this.url.origin}: ${(error as Error).message}`), {
        name: 'NetworkingError',
        code: 'ECONNREFUSED',
      });
    }
    const text = await response.text();
    if (text.length > MAX_RESPONSE_BYTES)
      throw new OrganizationsServiceError('ResponseTooLarge', 'The Organizations answer was too large.', 500);
    const requestId = response.headers.get('x-amzn-requestid') ?? undefined;
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      if (response.ok) throw new OrganizationsServiceError('InvalidResponse', 'Organizations sent invalid JSON.', 500);
    }
    if (!response.ok) {
      const type = String(parsed.__type ?? parsed.code ?? response.headers.get('x-amzn-errortype') ?? 'UnknownError');
      const code = type.split('#').pop()!.split(':')[0];
      const message = String(parsed.message ?? parsed.Message ?? `HTTP ${response.status}`);
      throw new OrganizationsServiceError(code, message, response.status, requestId);
    }
    return parsed;
  }

  destroy(): void {}
}

export const organizationsService: ServiceDefinition<OrganizationsClient> = {
  id: 'organizations',
  create: async (config) => new OrganizationsClient(config),
};
