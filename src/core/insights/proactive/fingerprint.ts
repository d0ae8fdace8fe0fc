import { createHash } from 'node:crypto';

/** A short, stable fingerprint of an insight's subject: the same parts in any order give the same value. */
export function fingerprintOf(parts: readonly string[]): string {
  return createHash('sha256')
    .update([...parts].sort().join('\n'))
    .digest('hex')
    .slice(0, 16);
}
