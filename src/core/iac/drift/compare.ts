/**
 * Property-by-property comparison of what a template (or Terraform configuration) says with what AWS has.
 * Knows nothing about template syntax: input is the expected value per property (with `Unresolved` parts
 * where evaluation could not tell) and the live value per property, both in the same property names.
 *
 * - only properties the template sets are compared: whatever AWS fills in on its own is not drift;
 * - an unresolved expected value, or a property the live read does not cover, is `unknown`, never drift;
 * - keys that only the live value has (inside objects and list items) are defaults, not drift;
 * - `aws:` tags are AWS's own.
 */
import { firstUnresolved, isRecord, isUnresolved } from './values';

export type DriftStatus = 'in-sync' | 'drifted' | 'unknown';
export type PropertyPath = ReadonlyArray<string | number>;

export interface PropertyDrift {
  /** From the resource's properties, e.g. ['SecurityGroupIngress', 0] or ['InstanceType']. */
  path: PropertyPath;
  status: DriftStatus;
  expected?: unknown;
  live?: unknown;
  /** Why it is unknown, or what differs, in a few words. */
  reason?: string;
  /** For a tag: its key. */
  tagKey?: string;
}

export interface ComparisonRules {
  /** Top-level properties the live read covers; anything else the template sets is unknown. */
  compared: readonly string[];
  /** Why a property is not compared (shown with `unknown`). */
  notCompared?: Readonly<Record<string, string>>;
  /** Property paths (list items written as `[]` are skipped: "SecurityGroupIngress", "LaunchTemplateData.SecurityGroupIds") whose lists are sets. */
  unordered?: readonly string[];
  /** Property paths holding `[{ Key, Value }]` tag lists. Default: any path ending in "Tags". */
  tagPaths?: readonly string[];
}

export interface ResourceComparison {
  expected: Readonly<Record<string, unknown>>;
  live: Readonly<Record<string, unknown>>;
  rules: ComparisonRules;
}

const MAX_DEPTH = 48;

/** One entry per top-level property the template sets: in sync, or the drifted/unknown parts below it. */
export function compareResource({ expected, live, rules }: ResourceComparison): PropertyDrift[] {
  const results: PropertyDrift[] = [];
  const compared = new Set(rules.compared);
  for (const [property, value] of Object.entries(expected)) {
    if (value === undefined) continue;
    if (!compared.has(property)) {
      results.push({
        path: [property],
        status: 'unknown',
        expected: value,
        reason: rules.notCompared?.[property] ?? 'not compared yet',
      });
      continue;
    }
    const findings: PropertyDrift[] = [];
    compareValue(value, live[property], [property], rules, findings, 0);
    results.push(...(findings.length ? findings : [{ path: [property], status: 'in-sync' as const, expected: value }]));
  }
  return results;
}

function rulePath(path: PropertyPath): string {
  return path.filter((part) => typeof part === 'string').join('.');
}

function isTagPath(path: PropertyPath, rules: ComparisonRules): boolean {
  const key = rulePath(path);
  return rules.tagPaths ? rules.tagPaths.includes(key) : /(^|\.)Tags$/.test(key);
}

function compareValue(
  expected: unknown,
  live: unknown,
  path: PropertyPath,
  rules: ComparisonRules,
  out: PropertyDrift[],
  depth: number,
): void {
  if (expected === undefined) return;
  if (isUnresolved(expected)) {
    out.push({ path, status: 'unknown', expected, live, reason: expected.reason });
    return;
  }
  if (depth > MAX_DEPTH) {
    out.push({ path, status: 'unknown', expected, live, reason: 'nested too deeply' });
    return;
  }
  if (Array.isArray(expected) && isTagPath(path, rules)) return compareTags(expected, live, path, out);
  if (Array.isArray(expected)) {
    if (!Array.isArray(live)) {
      out.push({
        path,
        status: 'drifted',
        expected,
        live,
        reason: live === undefined ? 'absent live' : 'not a list live',
      });
      return;
    }
    if ((rules.unordered ?? []).includes(rulePath(path))) return compareSet(expected, live, path, out);
    if (expected.length !== live.length) {
      const unknown = firstUnresolved(expected);
      if (unknown) out.push({ path, status: 'unknown', expected, live, reason: unknown.reason });
      else
        out.push({
          path,
          status: 'drifted',
          expected,
          live,
          reason: `${expected.length} entries, ${live.length} live`,
        });
      return;
    }
    expected.forEach((item, index) => compareValue(item, live[index], [...path, index], rules, out, depth + 1));
    return;
  }
  if (isRecord(expected)) {
    if (!isRecord(live)) {
      out.push({
        path,
        status: 'drifted',
        expected,
        live,
        reason: live === undefined ? 'absent live' : 'not an object live',
      });
      return;
    }
    for (const [key, value] of Object.entries(expected)) {
      compareValue(value, Object.hasOwn(live, key) ? live[key] : undefined, [...path, key], rules, out, depth + 1);
    }
    return;
  }
  if (isRedacted(live)) {
    out.push({ path, status: 'unknown', expected, reason: 'the live value is redacted as a secret' });
    return;
  }
  if (!sameScalar(expected, live)) out.push({ path, status: 'drifted', expected, live });
}

/** Reads pass through secret redaction; a redacted live value cannot be compared. */
function isRedacted(live: unknown): boolean {
  return typeof live === 'string' && live.startsWith('[REDACTED');
}

/** Template scalars are often strings where AWS answers numbers or booleans: compare their text. */
export function sameScalar(expected: unknown, live: unknown): boolean {
  if (live === undefined || live === null) return expected === undefined || expected === null;
  if (typeof live === 'object') return false;
  return String(expected) === String(live);
}

/** Whether every key the expected value sets matches the live value (live-only keys are defaults). */
export function matchesExpected(expected: unknown, live: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH || isUnresolved(expected)) return false;
  if (Array.isArray(expected)) {
    return (
      Array.isArray(live) &&
      live.length === expected.length &&
      expected.every((item, index) => matchesExpected(item, live[index], depth + 1))
    );
  }
  if (isRecord(expected)) {
    return (
      isRecord(live) &&
      Object.entries(expected).every(
        ([key, value]) =>
          value === undefined || matchesExpected(value, Object.hasOwn(live, key) ? live[key] : undefined, depth + 1),
      )
    );
  }
  return sameScalar(expected, live);
}

function compareSet(expected: unknown[], live: unknown[], path: PropertyPath, out: PropertyDrift[]): void {
  const remaining = [...live];
  let unknownItems = 0;
  expected.forEach((item, index) => {
    const unknown = firstUnresolved(item);
    if (unknown) {
      unknownItems++;
      out.push({ path: [...path, index], status: 'unknown', expected: item, reason: unknown.reason });
      return;
    }
    const match = remaining.findIndex((candidate) => matchesExpected(item, candidate));
    if (match >= 0) remaining.splice(match, 1);
    else out.push({ path: [...path, index], status: 'drifted', expected: item, reason: 'not found live' });
  });
  // A live entry beside an unknown expected one may be that one: only judge extras when all are known.
  if (remaining.length > 0 && unknownItems === 0) {
    out.push({
      path,
      status: 'drifted',
      expected,
      live: remaining,
      reason: `live has ${remaining.length === 1 ? 'an extra entry' : `${remaining.length} extra entries`}`,
    });
  }
}

function tagRecord(list: unknown): Map<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  const tags = new Map<string, unknown>();
  for (const tag of list) {
    if (isRecord(tag) && typeof tag.Key === 'string') tags.set(tag.Key, tag.Value);
  }
  return tags;
}

function compareTags(expected: unknown[], live: unknown, path: PropertyPath, out: PropertyDrift[]): void {
  const liveTags = tagRecord(live ?? []);
  if (!liveTags) {
    out.push({ path, status: 'drifted', expected, live, reason: 'not a tag list live' });
    return;
  }
  const expectedKeys = new Set<string>();
  let unknownKeys = false;
  expected.forEach((tag, index) => {
    if (isUnresolved(tag) || !isRecord(tag) || isUnresolved(tag.Key)) {
      unknownKeys = true;
      const reason = firstUnresolved(tag)?.reason ?? 'not a tag';
      out.push({ path: [...path, index], status: 'unknown', expected: tag, reason });
      return;
    }
    const key = String(tag.Key);
    expectedKeys.add(key);
    if (isUnresolved(tag.Value)) {
      out.push({ path: [...path, index, 'Value'], status: 'unknown', expected: tag.Value, reason: tag.Value.reason });
    } else if (!liveTags.has(key)) {
      out.push({
        path: [...path, index],
        status: 'drifted',
        expected: tag,
        live: undefined,
        reason: `tag ${key} absent live`,
        tagKey: key,
      });
    } else if (!sameScalar(tag.Value, liveTags.get(key))) {
      out.push({
        path: [...path, index, 'Value'],
        status: 'drifted',
        expected: tag.Value,
        live: liveTags.get(key),
        tagKey: key,
      });
    }
  });
  const extra = [...liveTags.keys()].filter((key) => !expectedKeys.has(key) && !key.startsWith('aws:'));
  if (extra.length && !unknownKeys) {
    out.push({
      path,
      status: 'drifted',
      expected,
      live: extra.map((key) => ({ Key: key, Value: liveTags.get(key) })),
      reason: `live has extra ${extra.length === 1 ? 'tag' : 'tags'} ${extra.join(', ')}`,
    });
  }
}

/** Counts for a lens or status bar. */
export function summarize(drifts: readonly PropertyDrift[]): { drifted: number; unknown: number; inSync: number } {
  const topLevel = (status: DriftStatus) =>
    new Set(drifts.filter((d) => d.status === status).map((d) => String(d.path[0])));
  const drifted = topLevel('drifted');
  const unknown = [...topLevel('unknown')].filter((property) => !drifted.has(property));
  const inSync = [...topLevel('in-sync')];
  return { drifted: drifted.size, unknown: unknown.length, inSync: inSync.length };
}
