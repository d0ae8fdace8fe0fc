/**
 * "Accept live value into the template": the smallest text edit that puts a live scalar where the template's
 * value is. Only the value's own text changes; every other byte (comments, indentation, quoting elsewhere)
 * stays as it was.
 */

export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

const YAML_RESERVED = /^(true|false|yes|no|on|off|null|y|n|~)$/i;
const YAML_PLAIN_SAFE = /^[A-Za-z_/][A-Za-z0-9_./@-]*$/;
const YAML_NUMBER_LIKE = /^[-+]?(\.?\d|\.inf|\.nan)/i;

/** Characters a single-quoted YAML scalar cannot hold as they are (controls, line breaks, BOM). */
function needsEscape(character: string): boolean {
  const code = character.codePointAt(0)!;
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0xfeff ||
    character === '\\'
  );
}

/** A live value as a YAML scalar that reads back as the same value, in block and in flow context alike. */
export function yamlScalar(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  if (value !== '' && YAML_PLAIN_SAFE.test(value) && !YAML_RESERVED.test(value) && !YAML_NUMBER_LIKE.test(value))
    return value;
  if ([...value].some(needsEscape)) return JSON.stringify(value);
  return `'${value.replace(/'/g, "''")}'`;
}

export function isAcceptableLiveValue(value: unknown): value is string | number | boolean {
  return (
    typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))
  );
}

/** The edit that replaces the value at [start, end) with `live`, written in the template's own format. */
export function acceptLiveValueEdit(
  format: 'yaml' | 'json',
  span: { start: number; end: number },
  live: string | number | boolean,
): TextEdit {
  const newText = format === 'json' ? JSON.stringify(live) : yamlScalar(live);
  return { start: span.start, end: span.end, newText };
}

export function applyEdit(text: string, edit: TextEdit): string {
  return text.slice(0, edit.start) + edit.newText + text.slice(edit.end);
}
