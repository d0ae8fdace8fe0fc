/** A Terraform expression that is written as is: a reference such as `aws_vpc.main.id`. */
export interface HclTraversal {
  traversal: string;
}

export type HclValue = string | number | boolean | null | HclTraversal | HclValue[] | { [key: string]: HclValue };

export const isTraversal = (value: unknown): value is HclTraversal =>
  typeof value === 'object' && value !== null && typeof (value as HclTraversal).traversal === 'string';

const BARE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Lone UTF-16 surrogates cannot be written to a UTF-8 file; they become U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A string as an HCL quoted literal: quotes, backslashes, control characters, `${` and `%{` escaped. */
export function hclString(value: string): string {
  let out = '"';
  const text = value.replace(LONE_SURROGATE, '\ufffd');
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const code = c.charCodeAt(0);
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029)
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    else if ((c === '$' || c === '%') && text[i + 1] === '{') out += `${c}${c}`;
    // A run such as `$${` is read differently by HCL scanners; a `$`/`%` before another one is written as \u.
    else if ((c === '$' || c === '%') && text[i + 1] === c) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return `${out}"`;
}

/** A number in plain decimal notation (HCL scanners differ on exponents); not finite → null. */
export function hclNumber(value: number): string {
  if (!Number.isFinite(value)) return 'null';
  const text = String(Object.is(value, -0) ? 0 : value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, first, rest = '', exponentText] = match;
  const digits = first + rest;
  const point = 1 + Number(exponentText);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** An object key: bare when it is an identifier, quoted otherwise. */
export function hclKey(key: string): string {
  return BARE_KEY.test(key) && key !== 'null' && key !== 'true' && key !== 'false' ? key : hclString(key);
}

/** An HCL expression for a value; nested objects and lists are indented under `indent`. */
export function hclValue(value: HclValue, indent = ''): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return hclString(value);
  if (typeof value === 'number') return hclNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (isTraversal(value)) return value.traversal;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    const simple = value.every((item) => item === null || typeof item !== 'object' || isTraversal(item));
    if (simple && value.length <= 4) return `[${value.map((item) => hclValue(item, inner)).join(', ')}]`;
    return `[\n${value.map((item) => `${inner}${hclValue(item, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (!entries.length) return '{}';
  return `{\n${entries.map(([key, item]) => `${inner}${hclKey(key)} = ${hclValue(item, inner)}`).join('\n')}\n${indent}}`;
}

/** A block body's content: `name = value` lines, then nested blocks, indented by `indent`. */
export interface HclBlock {
  keyword: string;
  labels: string[];
  attributes: Array<[string, HclValue]>;
  blocks?: HclBlock[];
}

export function hclBlock(block: HclBlock, indent = ''): string {
  const inner = `${indent}  `;
  const head = [block.keyword, ...block.labels.map(hclString)].join(' ');
  const width = Math.max(0, ...block.attributes.map(([name]) => name.length));
  const lines = block.attributes.map(([name, value]) => `${inner}${name.padEnd(width)} = ${hclValue(value, inner)}`);
  const nested = (block.blocks ?? []).map((child) => hclBlock(child, inner));
  const body = [...lines, ...(lines.length && nested.length ? [''] : []), ...nested];
  return body.length ? `${indent}${head} {\n${body.join('\n')}\n${indent}}` : `${indent}${head} {}`;
}
