/** Small HTTP helpers shared by the emulator's servers. */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const LOOPBACK = '127.0.0.1';

export function readBody(req: IncomingMessage, limitBytes = 16 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(new Error(`request body larger than ${limitBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

/** Listens on 127.0.0.1 (port 0 picks a free one) and returns the bound port. */
export function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The region and service a SigV4-signed request was signed for (header or presigned query). */
export function sigV4Scope(req: IncomingMessage): { accessKeyId: string; region: string; service: string } | undefined {
  const auth = req.headers.authorization;
  let credential: string | undefined;
  if (typeof auth === 'string') {
    credential = /Credential=([^,\s]+)/.exec(auth)?.[1];
  } else {
    const query = new URL(req.url ?? '/', 'http://local').searchParams;
    credential = query.get('X-Amz-Credential') ?? undefined;
  }
  if (!credential) return undefined;
  // access-key/date/region/service/aws4_request
  const parts = credential.split('/');
  if (parts.length < 5) return undefined;
  return {
    accessKeyId: parts.slice(0, parts.length - 4).join('/'),
    region: parts[parts.length - 3],
    service: parts[parts.length - 2],
  };
}
