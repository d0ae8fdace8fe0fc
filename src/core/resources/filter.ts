import type { ApiFilter, ResourceSummary, ServerFilterSupport } from './model';

export type { ApiFilter, ServerFilterSupport } from './model';

/**
 * The explorer filter, in three forms:
 *   `Key=Value`        a tag with exactly that key (tag keys are case-sensitive in AWS) and that value
 *                      (ASCII letters case-insensitive);
 *   a complete ID      that resource (`i-0123456789abcdef0`: a prefix and 17 hex digits);
 *   any other text     a substring of the name or the ID (ASCII letters case-insensitive).
 * `matchesFilter` is the reference, applied to rows; `apiFiltersFor` pushes a filter to an API (EC2 Filters)
 * only where the API's answer is sure to contain every row `matchesFilter` would keep, and the rows it returns
 * are then checked with `matchesFilter` too.
 */
export type ParsedFilter =
  | { kind: 'none' }
  | { kind: 'tag'; key: string; value: string }
  | { kind: 'id'; id: string }
  | { kind: 'text'; text: string };

/** Longest filter text considered (longer text is cut, so matching stays linear in a bounded input). */
export const MAX_FILTER_LENGTH = 256;
const FULL_ID = /^[a-z]+(?:-[a-z]+)?-[0-9a-f]{17}$/;

/** Lower-cases ASCII letters only: the same characters EC2's case variants below can cover. */
export function foldAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

export function parseFilter(filter: string): ParsedFilter {
  const trimmed = filter.slice(0, MAX_FILTER_LENGTH).trim();
  if (!trimmed) return { kind: 'none' };
  const equals = trimmed.indexOf('=');
  if (equals > 0) return { kind: 'tag', key: trimmed.slice(0, equals).trim(), value: trimmed.slice(equals + 1).trim() };
  const folded = foldAscii(trimmed);
  if (FULL_ID.test(folded)) return { kind: 'id', id: folded };
  return { kind: 'text', text: folded };
}

export function matchesParsedFilter(resource: ResourceSummary, parsed: ParsedFilter): boolean {
  switch (parsed.kind) {
    case 'none':
      return true;
    case 'tag': {
      const value = foldAscii(parsed.value);
      return Object.entries(resource.tags).some(
        ([tagKey, tagValue]) => tagKey === parsed.key && foldAscii(tagValue) === value,
      );
    }
    case 'id':
      return foldAscii(resource.id) === parsed.id;
    case 'text':
      return foldAscii(resource.name).includes(parsed.text) || foldAscii(resource.id).includes(parsed.text);
  }
}

/** Matches a resource against the explorer filter (see ParsedFilter for the forms). */
export function matchesFilter(resource: ResourceSummary, filter: string): boolean {
  return matchesParsedFilter(resource, parseFilter(filter));
}

/** A filter pushed to the API, and how the UI names it. */
export interface PushedFilter {
  filters: ApiFilter[];
  /** e.g. `name contains “web”`. */
  description: string;
}

/** Letters spelled out in both cases per pattern (2^6 = 64 values); later letters become `?`. */
const CASE_LETTERS = 6;

/**
 * EC2 filter values that match `text` whatever the case of its ASCII letters: every case variant of the first
 * letters, `?` for later ones and for characters EC2 or emulators read as wildcards or escapes (`*?[]\`) or
 * that are not ASCII. A superset of the case-insensitive match, never a subset.
 */
export function caseInsensitivePatterns(text: string, substring: boolean): string[] {
  let patterns = [''];
  let letters = 0;
  for (const char of text) {
    if (/^[A-Za-z]$/.test(char) && letters++ < CASE_LETTERS) {
      patterns = patterns.flatMap((pattern) => [pattern + char.toLowerCase(), pattern + char.toUpperCase()]);
    } else {
      const literal = /^[\x20-\x7e]$/.test(char) && !/^[A-Za-z*?[\]\\]$/.test(char);
      patterns = patterns.map((pattern) => pattern + (literal ? char : '?'));
    }
  }
  return substring ? patterns.map((pattern) => `*${pattern}*`) : patterns;
}

/** Whether `text` (ASCII-folded) could be part of an ID with this prefix: only its letters, `-` and hex digits. */
function couldBeInId(text: string, idPrefix: string): boolean {
  const allowed = new Set([...idPrefix, '-', ...'0123456789abcdef']);
  return [...text].every((char) => allowed.has(char));
}

/**
 * The API filters for the explorer filter, or undefined when the API cannot narrow it without losing a row
 * `matchesFilter` keeps (then the filter applies to loaded rows only).
 */
export function apiFiltersFor(support: ServerFilterSupport | undefined, filter: string): PushedFilter | undefined {
  if (!support) return undefined;
  const parsed = parseFilter(filter);
  switch (parsed.kind) {
    case 'none':
      return undefined;
    case 'tag':
      // An empty value cannot be a filter value: any value of the key, which the rows then check.
      return parsed.value
        ? {
            filters: [{ name: `tag:${parsed.key}`, values: caseInsensitivePatterns(parsed.value, false) }],
            description: `tag ${parsed.key} = ${parsed.value}`,
          }
        : { filters: [{ name: 'tag-key', values: [parsed.key] }], description: `tag key ${parsed.key}` };
    case 'id':
      return {
        filters: [{ name: support.idFilter, values: [parsed.id] }],
        description: `${support.idFilter} = ${parsed.id}`,
      };
    case 'text':
      // The name is the Name tag (else the ID); the ID cannot be searched in the same call (filters are
      // ANDed), so only text that cannot occur in an ID is pushed.
      if (!support.namedByTag || couldBeInId(parsed.text, support.idPrefix)) return undefined;
      return {
        filters: [{ name: 'tag:Name', values: caseInsensitivePatterns(parsed.text, true) }],
        description: `name contains “${parsed.text}”`,
      };
  }
}
