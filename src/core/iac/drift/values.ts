/** A value the template sets but that cannot be worked out without AWS knowledge we do not have. Never drift. */
export class Unresolved {
  constructor(readonly reason: string) {}
  toString(): string {
    return `(unknown: ${this.reason})`;
  }
}

export function isUnresolved(value: unknown): value is Unresolved {
  return value instanceof Unresolved;
}

/** The first unresolved part of a value, searched depth first. */
export function firstUnresolved(value: unknown, depth = 0): Unresolved | undefined {
  if (value instanceof Unresolved) return value;
  if (depth > 64 || value === null || typeof value !== 'object') return undefined;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    const found = firstUnresolved(item, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** A plain object from entries; `__proto__` and friends become ordinary keys. */
export function recordOf<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  return Object.fromEntries(entries) as Record<string, T>;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Unresolved);
}

/** Short display text for a value in a decoration or a diagnostic. */
export function displayValue(value: unknown, max = 80): string {
  let text: string;
  if (value === undefined) text = '(absent)';
  else if (value instanceof Unresolved) text = String(value);
  else if (typeof value === 'string') text = value;
  else text = JSON.stringify(value) ?? String(value);
  text = text.replace(/\s+/g, ' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
