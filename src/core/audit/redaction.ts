/**
 * Removes secrets before anything is logged, audited or handed to a prompt.
 * Two nets: field names that hold secrets, and secret-looking values anywhere in strings.
 */

export const REDACTED = '[REDACTED]';

/** Field names whose values are always secret. */
const SECRET_KEY =
  /(pass(word|wd|phrase)|^pwd$|secret|private_?-?key|key_?material|user_?data|credential|api_?-?key|^auth(orization)?$|auth_?token|session_?token|access_?token|refresh_?token|id_?token|^token$|connection_?string|signing_?key|^cookie$)/i;

/** Field names that look secret but are not (pagination and idempotency tokens, key pair names). */
const NOT_SECRET_KEY =
  /^(next|client|continuation|pagination|idempotency|marker)_?token$|^key_?(name|fingerprint|pair_?id|type)$/i;

/** Pair-shaped objects ({Key, Value}, {OutputKey, OutputValue}, {ParameterKey, ParameterValue}, {Name, Value}). */
const PAIR_FIELDS: Array<[string, string]> = [
  ['Key', 'Value'],
  ['key', 'value'],
  ['Name', 'Value'],
  ['name', 'value'],
  ['OutputKey', 'OutputValue'],
  ['ParameterKey', 'ParameterValue'],
];

interface ValuePattern {
  label: string;
  pattern: RegExp;
  /** Replacement; `$1`… keep the non-secret prefix. */
  replace: string;
}

const VALUE_PATTERNS: ValuePattern[] = [
  {
    label: 'private-key',
    pattern: /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(-----END \1PRIVATE KEY-----|$)/g,
    replace: '[REDACTED:private-key]',
  },
  {
    label: 'aws-access-key-id',
    pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g,
    replace: '[REDACTED:aws-access-key-id]',
  },
  {
    label: 'aws-secret-access-key',
    pattern: /((?:aws_?)?secret_?(?:access_?)?key["']?\s*(?:=|:)\s*["']?)[A-Za-z0-9/+=]{16,}/gi,
    replace: '$1[REDACTED]',
  },
  { label: 'url-credentials', pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^:/\s@]+:)[^@\s/]+(@)/gi, replace: '$1[REDACTED]$2' },
  {
    label: 'cli-flag',
    pattern: /(--?(?:password|passwd|secret|token|api-?key)(?:=|\s+))(?!\[REDACTED)\S+/gi,
    replace: '$1[REDACTED]',
  },
  {
    // password=…, "secret": "…", DB_PASSWORD='…'; a colon only counts when followed by a space or quote,
    // so IAM actions like secretsmanager:GetSecretValue survive. Matches start only where a name starts,
    // which keeps long unbroken strings linear instead of quadratic.
    label: 'assignment',
    pattern:
      /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|private[_-]?key)[A-Za-z0-9_.-]*["']?\s*(?:=|:(?=[\s"']))\s*)(?!\[REDACTED)("[^"]*"|'[^']*'|[^\s"',;&}]+)/gi,
    replace: '$1[REDACTED]',
  },
  { label: 'github-token', pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, replace: '[REDACTED:token]' },
  { label: 'slack-token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, replace: '[REDACTED:token]' },
  {
    label: 'jwt',
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
    replace: '[REDACTED:token]',
  },
];

/**
 * A cheap first look: every value pattern above needs one of these substrings, so a string without any of
 * them is returned as it is. Keep it a superset when a pattern is added (a unit test checks each one).
 */
export const VALUE_TRIGGER =
  /private|AKIA|ASIA|ABIA|ACCA|secret|:\/\/|passw|pwd|token|api[_-]?key|gh[pousr]_|xox[abprs]-|eyJ/i;

const keyVerdicts = new Map<string, boolean>();
const KEY_CACHE_LIMIT = 5_000;

export function isSecretKey(key: string): boolean {
  let verdict = keyVerdicts.get(key);
  if (verdict === undefined) {
    verdict = SECRET_KEY.test(key) && !NOT_SECRET_KEY.test(key);
    if (keyVerdicts.size < KEY_CACHE_LIMIT) keyVerdicts.set(key, verdict);
  }
  return verdict;
}

/** Replaces secret-looking substrings of a string. */
export function redactString(text: string): string {
  if (!VALUE_TRIGGER.test(text)) return text;
  let result = text;
  for (const { pattern, replace } of VALUE_PATTERNS) result = result.replace(pattern, replace);
  return result;
}

/** True when the text still holds something the value patterns would redact. */
export function containsSecretLikeValue(text: string): boolean {
  return redactString(text) !== text;
}

const MAX_DEPTH = 24;

/** A deep copy of `value` with secret fields and secret-looking values replaced; safe for logs, audit and prompts. */
export function redactSecrets<T>(value: T): T {
  return redactValue(value, 0, new WeakSet()) as T;
}

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `[binary ${value.byteLength} bytes]`;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[truncated]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
    if (value instanceof Error) return { name: value.name, message: redactString(value.message) };
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    const secretPair = PAIR_FIELDS.find(
      ([k, v]) => typeof source[k] === 'string' && v in source && isSecretKey(source[k] as string),
    );
    for (const [key, item] of Object.entries(source)) {
      if (item === undefined || typeof item === 'function') continue;
      if (key.startsWith('$')) continue; // SDK metadata ($metadata) is noise, never data
      if (isSecretKey(key) || (secretPair && key === secretPair[1])) out[key] = REDACTED;
      else out[key] = redactValue(item, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}
