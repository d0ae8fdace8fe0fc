/** Diff text and minimal deltas between launch template versions (LaunchTemplateData, AWS shape). */

import { REDACTED } from '../audit/redaction';
import { decodeUserData } from './userData';

/** LaunchTemplateData as DescribeLaunchTemplateVersions returns it and CreateLaunchTemplateVersion takes it. */
export type LaunchTemplateData = Record<string, unknown>;

/** One top-level field that differs; `old`/`new` are undefined when unset. */
export interface FieldChange {
  field: string;
  old: unknown;
  new: unknown;
}

export interface Delta {
  /** Only the changed top-level fields, to send with SourceVersion (nested values and arrays whole). */
  data: LaunchTemplateData;
  changes: FieldChange[];
}

/** Thrown when the edit removes a field: a version created from SourceVersion keeps every field it does not send. */
export class UnsupportedRemovalError extends Error {
  constructor(readonly fields: string[]) {
    super(
      `Cannot remove ${fields.join(', ')}: a new launch template version keeps every field it does not send (SourceVersion), and AWS has no way to unset ${fields.length === 1 ? 'it' : 'them'} there. Set a different value instead.`,
    );
    this.name = 'UnsupportedRemovalError';
  }
}

const MAX_DEPTH = 32;

/** Drops unset values (undefined, null, empty arrays and objects) recursively; returns undefined when nothing is left. */
function prune(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new Error('Launch template data is nested too deeply.');
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((item) => prune(item, depth + 1)).filter((item) => item !== undefined);
    return items.length ? items : undefined;
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort()) {
      const pruned = prune((value as Record<string, unknown>)[key], depth + 1);
      if (pruned !== undefined) out[key] = pruned;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value;
}

function pruneData(data: LaunchTemplateData | undefined): LaunchTemplateData {
  return (prune(data ?? {}) as LaunchTemplateData | undefined) ?? {};
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, index) => deepEqual(item, other[index]));
  }
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  return (
    aKeys.length === bKeys.length &&
    aKeys.every(
      (key) =>
        Object.prototype.hasOwnProperty.call(b, key) &&
        deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
    )
  );
}

/**
 * Stable text for a diff editor: keys sorted recursively, unset fields omitted, and UserData shown
 * base64-decoded after the JSON (or as it is when it is not decodable text). Redacted user data says that the
 * diff cannot compare it, rather than showing two equal markers as "no change".
 */
export function normalizeVersionForDiff(data: LaunchTemplateData | undefined): string {
  const pruned = pruneData(data);
  const { UserData: userData, ...rest } = pruned;
  let text = JSON.stringify(rest, null, 2) + '\n';
  if (userData !== undefined) {
    const decoded = decodeUserData(userData);
    text +=
      decoded !== undefined
        ? `\n# UserData (base64-decoded)\n${decoded}${decoded.endsWith('\n') ? '' : '\n'}`
        : userData === REDACTED
          ? `\n# UserData\n${REDACTED} (set; user data is a secret and was not read for this text: compare the versions from the launch-template editor to see it decoded)\n`
          : `\n# UserData\n${String(userData)}\n`;
  }
  return text;
}

/**
 * The minimal delta from `base` to `edited`: the top-level fields whose values differ (deep compare;
 * arrays and nested objects are sent whole). Unset values on either side never count as a change.
 * Throws UnsupportedRemovalError when `edited` leaves unset a field `base` sets.
 */
export function changedFields(base: LaunchTemplateData | undefined, edited: LaunchTemplateData | undefined): Delta {
  const before = pruneData(base);
  const after = pruneData(edited);
  const removed = Object.keys(before).filter((key) => !(key in after));
  if (removed.length) throw new UnsupportedRemovalError(removed.sort());
  const data: LaunchTemplateData = {};
  const changes: FieldChange[] = [];
  for (const key of Object.keys(after).sort()) {
    if (deepEqual(before[key], after[key])) continue;
    data[key] = after[key];
    changes.push({ field: key, old: before[key], new: after[key] });
  }
  return { data, changes };
}

/** What AWS builds from SourceVersion `base` plus `delta`: the delta's top-level fields replace the base's. */
export function applyDelta(base: LaunchTemplateData | undefined, delta: LaunchTemplateData): LaunchTemplateData {
  return pruneData({ ...pruneData(base), ...pruneData(delta) });
}

function short(value: unknown): string {
  if (value === undefined) return '(unset)';
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/** "InstanceType: "t3.micro" → "t3.large"" lines; user data is never printed. */
export function formatChanges(changes: FieldChange[]): string[] {
  return changes.map((change) =>
    change.field === 'UserData'
      ? 'UserData: changed (not shown)'
      : `${change.field}: ${short(change.old)} → ${short(change.new)}`,
  );
}
