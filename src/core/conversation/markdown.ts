/**
 * Markdown helpers for answers built from AWS data. Names, tags and descriptions come from anyone who can
 * tag a resource, so they are always escaped: they can never become links, commands, headings or code fences.
 */

/** Characters that start markdown syntax anywhere in a line (links, emphasis, code, HTML, tables). */
const MARKDOWN_SPECIAL = /[\\`*_{}[\]()<>#|!~]/g;

// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f\u2028\u2029]+/g;

/** One line of inert text for use inside a line: markdown syntax escaped, control characters and newlines removed, length capped. */
export function escapeMarkdown(value: unknown, maxLength = 120): string {
  let text = String(value ?? '')
    .replace(CONTROL_CHARACTERS, ' ')
    .trim();
  if (text.length > maxLength) text = `${text.slice(0, maxLength - 1)}…`;
  return text.replace(MARKDOWN_SPECIAL, (char) => `\\${char}`);
}

/** Inline code for identifiers; backticks inside are replaced so the span cannot be closed early. */
export function inlineCode(value: unknown, maxLength = 120): string {
  let text = String(value ?? '')
    .replace(CONTROL_CHARACTERS, ' ')
    .replace(/`/g, "'");
  if (text.length > maxLength) text = `${text.slice(0, maxLength - 1)}…`;
  return `\`${text || ' '}\``;
}

/** A fenced block whose fence is longer than any backtick run in the text, so the text cannot close it. */
export function codeBlock(text: string, language = 'text'): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

/** A markdown table; every cell is escaped. */
export function table(headers: string[], rows: unknown[][], maxCell = 80): string {
  const line = (cells: unknown[]) => `| ${cells.map((cell) => escapeMarkdown(cell, maxCell) || ' ').join(' | ')} |`;
  return [line(headers), `| ${headers.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n');
}

export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : pluralNoun}`;
}

export function usd(amount: number): string {
  return `$${amount.toFixed(2)}`;
}
