/** The plan hash the deployed stack is tagged with: same plan document (and compiler) → same hash. */
import { createHash } from 'node:crypto';
import type { RecoveryPlan } from '../model';

/** Bump when the compiler's output for the same plan changes, so deployed machines show as out of sync. */
export const COMPILER_VERSION = '1';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** 16 hex digits of SHA-256 over the plan's canonical JSON (key order and formatting do not count). */
export function planHash(plan: RecoveryPlan): string {
  return createHash('sha256')
    .update(`pilot-light-sfn/${COMPILER_VERSION}\n`)
    .update(canonical(plan))
    .digest('hex')
    .slice(0, 16);
}

export function definitionHash(definition: unknown): string {
  return createHash('sha256').update(canonical(definition)).digest('hex').slice(0, 16);
}
