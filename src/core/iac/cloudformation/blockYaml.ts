/**
 * A linear, hand-written reader for the YAML that CloudFormation templates are written in: block mappings
 * and sequences, plain and quoted one-line scalars, one-line flow collections, the intrinsics' short-form
 * tags and comments. It builds the same nodes, offsets and problems as the `yaml` package path in
 * template.ts (a property test compares the two), several times faster on cold code.
 *
 * Anything outside that subset (anchors and aliases, block scalars, multi-line scalars and flow
 * collections, explicit keys, quoted keys, documents markers, tabs, CR line ends, any YAML error) is not
 * guessed at: `readBlockYaml` returns undefined and the caller parses with the `yaml` package.
 */
import { SHORT_FORM_TAGS } from './intrinsics';
import type { TemplateMap, TemplateNode } from './nodes';
import { TemplateLimitError, TreeBuilder, type Built, type TemplateProblem } from './treeBuilder';

/** Thrown inside the reader when the text leaves the subset; never escapes `readBlockYaml`. */
class OutsideSubset extends Error {}

const outside = (): never => {
  throw new OutsideSubset();
};

/** Characters the reader does not take on (tabs, CR, other controls, BOM, Unicode line breaks). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const UNSUPPORTED_CHARS = /[\x00-\x09\x0b-\x1f\x7f\x85\u2028\u2029\ufeff]/;
/** Characters a plain scalar or key may not start with (YAML indicators). */
const INDICATOR_START = new Set([...'-?:,[]{}#&*!|>\'"%@`']);
const FLOW_INDICATORS = new Set([...',[]{}']);
const MAX_KEY_LENGTH = 1000;
/**
 * A run of plain-scalar characters in block context: it stops at `: ` (or `:` at a line's or the text's
 * end), at ` #` (a comment) and at the line's end.
 */
const BLOCK_PLAIN = /(?:[^:#\n]|:(?=[^ \n])|(?<! )#)*/y;
/** The same in a flow collection, which also stops at `,[]{}` and at `:` before one of them. */
const FLOW_PLAIN = /(?:[^,[\]{}:#\n]|:(?=[^ ,[\]{}\n])|(?<! )#)*/y;
/** How far back from a value its tag may be for the tag offset to match the `yaml` path's search. */
const MAX_TAG_GAP = 400;

const MAYBE_NOT_STRING = /^(?:$|[-+.~0-9tTfFnN])/;

/** What a plain scalar means under the YAML 1.2 core schema (what the `yaml` package resolves it to). */
export function resolvePlainScalar(source: string): string | number | boolean | null {
  // Most template scalars are names: only a few first characters can start anything but a string.
  if (!MAYBE_NOT_STRING.test(source)) return source;
  if (/^(?:~|[Nn]ull|NULL)?$/.test(source)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(source)) return source[0] === 't' || source[0] === 'T';
  if (/^0o[0-7]+$/.test(source)) return parseInt(source.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(source)) return parseInt(source, 10);
  if (/^0x[0-9a-fA-F]+$/.test(source)) return parseInt(source.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(source))
    return source.slice(-3).toLowerCase() === 'nan'
      ? NaN
      : source[0] === '-'
        ? Number.NEGATIVE_INFINITY
        : Number.POSITIVE_INFINITY;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(source)) return parseFloat(source);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(source)) return parseFloat(source);
  return source;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  '"': '"',
  '/': '/',
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  b: '\b',
  f: '\f',
};

interface Parsed extends Built {
  /** Where the value's last line ends (after its line break): what the `yaml` package calls the node's end. */
  lineEnd: number;
}

interface ContentLine {
  /** Offset of the first non-space character. */
  at: number;
  indent: number;
}

class BlockYamlReader extends TreeBuilder {
  /** Offset of the first character of the next line not yet read (text.length at the end). */
  private next = 0;

  read(): TemplateNode {
    const first = this.contentLine(0);
    if (!first || first.indent !== 0) return outside();
    const root = this.collection(first.at, 0, 0);
    if (this.nextEntryLine()) outside();
    return root.node;
  }

  /** The end of the line holding `offset` (the offset of its `\n`, or text.length). */
  private lineBreak(offset: number): number {
    const found = this.text.indexOf('\n', offset);
    return found === -1 ? this.text.length : found;
  }

  private afterLine(offset: number): number {
    const lineBreak = this.lineBreak(offset);
    return lineBreak === this.text.length ? lineBreak : lineBreak + 1;
  }

  /** The next line with content from the line starting at `lineStart`, skipping blank and comment lines. */
  private contentLine(lineStart: number): ContentLine | undefined {
    const text = this.text;
    this.skippedCommentIndent = -1;
    for (let start = lineStart; start < text.length;) {
      let at = start;
      while (text.charCodeAt(at) === 32) at++;
      const char = text[at];
      if (at < text.length && char !== '\n' && char !== '#') {
        if (at === start && (char === '%' || text.startsWith('---', at) || text.startsWith('...', at))) outside();
        return { at, indent: at - start };
      }
      if (char === '#') this.skippedCommentIndent = Math.max(this.skippedCommentIndent, at - start);
      start = this.afterLine(at);
    }
    return undefined;
  }

  /** The deepest comment line the last `contentLine` skipped (-1 for none). */
  private skippedCommentIndent = -1;

  /**
   * The next content line after a collection's entry. Comment lines before it that are indented deeper
   * than it are where the `yaml` package's end offsets of closing collections depend on comment placement:
   * not taken on.
   */
  private nextEntryLine(): ContentLine | undefined {
    const line = this.contentLine(this.next);
    if (this.skippedCommentIndent > (line?.indent ?? 0)) outside();
    return line;
  }

  /**
   * Comment lines right after a value's line (blank lines between them) indented deeper than the value's
   * collection belong to the value, in the `yaml` package: its end moves past them.
   */
  private absorbComments(lineEnd: number, indent: number): number {
    const text = this.text;
    let end = lineEnd;
    for (let start = lineEnd; start < text.length;) {
      let at = start;
      while (text.charCodeAt(at) === 32) at++;
      if (at < text.length && text[at] !== '\n' && (text[at] !== '#' || at - start <= indent)) break;
      start = this.afterLine(at);
      if (text[at] === '#') end = start;
    }
    this.next = end;
    return end;
  }

  private isSequenceEntry(at: number): boolean {
    if (this.text[at] !== '-') return false;
    const after = this.text[at + 1];
    return after === ' ' || after === '\n' || after === undefined;
  }

  /** A block mapping or sequence whose first key or `-` is at `at`, in column `indent`. */
  private collection(at: number, indent: number, depth: number): Parsed {
    return this.isSequenceEntry(at) ? this.sequence(at, indent, depth) : this.mapping(at, indent, depth);
  }

  private mapping(start: number, indent: number, depth: number): Parsed {
    this.count(depth, start);
    const entries: Array<{ key: string; keyStart: number; keyEnd: number; built: Built }> = [];
    let lineEnd: number;
    for (let at = start; ;) {
      const { key, keyEnd, colon } = this.key(at);
      const value = this.valueAfterIndicator(colon + 1, indent, depth + 1, 'map');
      entries.push({ key, keyStart: at, keyEnd, built: value });
      lineEnd = value.lineEnd;
      const line = this.nextEntryLine();
      if (!line || line.indent < indent) break;
      if (line.indent > indent || this.isSequenceEntry(line.at)) outside();
      at = line.at;
    }
    const map = this.map(start, lineEnd, entries);
    return { ...map, lineEnd };
  }

  private sequence(start: number, indent: number, depth: number): Parsed {
    this.count(depth, start);
    const items: TemplateNode[] = [];
    let lineEnd: number;
    for (let at = start; ;) {
      const item = this.valueAfterIndicator(at + 1, indent, depth + 1, 'seq');
      items.push(item.node);
      lineEnd = item.lineEnd;
      const line = this.nextEntryLine();
      if (!line || line.indent !== indent || !this.isSequenceEntry(line.at)) break;
      at = line.at;
    }
    return { node: { kind: 'seq', start, end: lineEnd, items }, lineEnd };
  }

  /** A plain block key at `at`: its value and where it and its `:` end. */
  private key(at: number): { key: string; keyEnd: number; colon: number } {
    const text = this.text;
    if (INDICATOR_START.has(text[at])) outside();
    const end = this.plainRun(BLOCK_PLAIN, at);
    // Stopped at `:` only when a space, the line's end or the text's end follows it.
    if (text[end] !== ':' || text[end - 1] === ' ' || end - at > MAX_KEY_LENGTH) return outside();
    const value = resolvePlainScalar(text.slice(at, end));
    return { key: String(value ?? ''), keyEnd: end, colon: end };
  }

  /** Where a run of plain-scalar characters from `at` stops (the pattern is sticky). */
  private plainRun(pattern: RegExp, at: number): number {
    pattern.lastIndex = at;
    pattern.exec(this.text);
    return pattern.lastIndex;
  }

  /**
   * The value after a mapping's `:` or a sequence's `-` at `from` (its parent in column `indent`): on the
   * same line, or a block collection on the lines below, or an empty value (null).
   */
  private valueAfterIndicator(from: number, indent: number, depth: number, parent: 'map' | 'seq'): Parsed {
    const text = this.text;
    let at = from;
    while (text.charCodeAt(at) === 32) at++;
    const char = text[at];
    if (at >= text.length || char === '\n' || char === '#') return this.valueBelow(at, indent, depth, parent);
    if (char === '!') return this.tagged(at, indent, depth);
    if (parent === 'seq' && this.isSequenceEntry(at)) return this.sequence(at, at - this.lineStart(at), depth);
    if (parent === 'seq' && this.startsCompactMapping(at)) return this.mapping(at, at - this.lineStart(at), depth);
    if (char === '|' || char === '>') return this.blockScalar(at, indent, depth, undefined);
    const value = this.inline(at, depth, undefined);
    return { ...value, lineEnd: this.absorbComments(value.lineEnd, indent) };
  }

  private lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  /** Whether a sequence entry's content at `at` is a `key: value` mapping (a plain key on this line). */
  private startsCompactMapping(at: number): boolean {
    const text = this.text;
    return !INDICATOR_START.has(text[at]) && text[this.plainRun(BLOCK_PLAIN, at)] === ':';
  }

  /** Nothing on the indicator's line (`at` is where the line's rest begins): a collection below, or null. */
  private valueBelow(at: number, indent: number, depth: number, parent: 'map' | 'seq'): Parsed {
    this.next = this.afterLine(at);
    const line = this.contentLine(this.next);
    if (line && line.indent > indent) return this.collectionBelow(line, depth);
    if (line && parent === 'map' && line.indent === indent && this.isSequenceEntry(line.at))
      return this.sequence(line.at, indent, depth);
    // An empty value: only where a sibling follows (the `yaml` package's end offsets of a trailing empty
    // value depend on the spaces and comments around it).
    const sibling = parent === 'map' ? !this.isSequenceEntry(line?.at ?? 0) : this.isSequenceEntry(line?.at ?? 0);
    if (!line || line.indent !== indent || !sibling) outside();
    this.count(depth, at);
    return { node: { kind: 'scalar', value: null, start: at, end: at }, lineEnd: at };
  }

  private collectionBelow(line: ContentLine, depth: number): Parsed {
    if (!this.isSequenceEntry(line.at) && !this.startsCompactMapping(line.at)) outside();
    return this.collection(line.at, line.indent, depth);
  }

  /** A short-form tag at `at` and its value: on the same line, or a block collection below. */
  private tagged(at: number, indent: number, depth: number): Parsed {
    const text = this.text;
    let tagEnd = at + 1;
    while (/[A-Za-z0-9]/.test(text[tagEnd] ?? '')) tagEnd++;
    const tag = text.slice(at, tagEnd);
    const longForm = SHORT_FORM_TAGS.get(tag);
    if (!longForm) return outside();
    let valueAt = tagEnd;
    while (text.charCodeAt(valueAt) === 32) valueAt++;
    let inner: Parsed;
    if (valueAt >= text.length || text[valueAt] === '\n') {
      this.next = this.afterLine(valueAt);
      const line = this.contentLine(this.next);
      if (!line || line.indent <= indent) return outside();
      inner = this.collectionBelow(line, depth);
    } else if (text[valueAt] === '|' || text[valueAt] === '>') {
      if (valueAt === tagEnd) return outside();
      inner = this.blockScalar(valueAt, indent, depth, tag);
    } else {
      if (valueAt === tagEnd || text[valueAt] === '#' || text[valueAt] === '!') return outside();
      inner = this.inline(valueAt, depth, tag);
      inner = { ...inner, lineEnd: this.absorbComments(inner.lineEnd, indent) };
    }
    // The `yaml` path finds a tag by searching back from its value: only take cases where that finds this one.
    const valueStart = inner.node.start;
    if (valueStart - at > MAX_TAG_GAP || text.lastIndexOf(tag, valueStart) !== at) outside();
    this.count(depth, at);
    const map = this.map(at, inner.node.end, [{ key: longForm, keyStart: at, keyEnd: tagEnd, built: inner }]);
    (map.node as TemplateMap).shortForm = tag;
    return { ...map, lineEnd: inner.lineEnd };
  }

  /** A scalar or flow collection that ends on the line it starts on (a comment may follow). */
  private inline(at: number, depth: number, tag: string | undefined): Parsed {
    const text = this.text;
    const lineBreak = this.lineBreak(at);
    const char = text[at];
    let built: Built;
    let end: number;
    if (char === '[' || char === '{') {
      const flow = this.flow(at, lineBreak, depth);
      built = flow;
      end = flow.node.end;
    } else if (char === '"' || char === "'") {
      const quoted = this.quoted(at, lineBreak);
      end = quoted.end;
      this.count(depth, at);
      built = this.scalar(quoted.value, at, end, depth, tag);
    } else {
      if (INDICATOR_START.has(char) && !this.plainIndicatorStart(at)) return outside();
      end = this.plainRun(BLOCK_PLAIN, at);
      // `key: a: b` is a YAML error; `key: a:` too.
      if (text[end] === ':') outside();
      while (text.charCodeAt(end - 1) === 32) end--;
      const source = text.slice(at, end);
      this.count(depth, at);
      built = this.scalar(tag ? source : resolvePlainScalar(source), at, end, depth, tag);
    }
    // After the value: spaces, then a comment or the line's end.
    let rest = end;
    while (text.charCodeAt(rest) === 32) rest++;
    if (rest < lineBreak && !(text[rest] === '#' && rest > end)) outside();
    this.next = this.afterLine(lineBreak);
    return { ...built, lineEnd: this.next };
  }

  /**
   * A literal (`|`, `|-`) or folded (`>`, `>-`) block scalar at `at` under a collection in column `indent`.
   * Not taken on: keep chomping (`+`), indentation indicators, leading or whitespace-only blank lines,
   * more-indented lines in a folded scalar, a last line without a line break.
   */
  private blockScalar(at: number, indent: number, depth: number, tag: string | undefined): Parsed {
    const text = this.text;
    const folded = text[at] === '>';
    let header = at + 1;
    const strip = text[header] === '-';
    if (strip) header++;
    let rest = header;
    while (text.charCodeAt(rest) === 32) rest++;
    if (text[rest] === '#' && rest > header) rest = this.lineBreak(rest);
    if (text[rest] !== '\n') return outside();
    const lines: string[] = [];
    let contentIndent = -1;
    let end = -1;
    for (let lineStart = rest + 1; lineStart < text.length;) {
      const lineBreak = this.lineBreak(lineStart);
      let first = lineStart;
      while (text.charCodeAt(first) === 32) first++;
      const lineIndent = first - lineStart;
      if (first === lineBreak) {
        if (lineIndent > 0 || contentIndent < 0) return outside();
        lines.push('');
        lineStart = lineBreak + 1;
        continue;
      }
      if (contentIndent < 0) {
        if (lineIndent <= indent) return outside();
        contentIndent = lineIndent;
      }
      if (lineIndent < contentIndent) break;
      if ((folded && lineIndent > contentIndent) || lineBreak === text.length) return outside();
      lines.push(text.slice(lineStart + contentIndent, lineBreak));
      end = lineBreak + 1;
      lineStart = end;
    }
    if (end < 0) return outside();
    while (lines[lines.length - 1] === '') lines.pop();
    let value = '';
    if (!folded) value = lines.join('\n');
    else
      for (let index = 0; index < lines.length; index++) {
        const line = lines[index];
        if (line === '') value += '\n';
        else value += index > 0 && lines[index - 1] !== '' ? ` ${line}` : line;
      }
    if (!strip) value += '\n';
    this.count(depth, at);
    const built = this.scalar(value, at, end, depth, tag);
    this.next = end;
    return { ...built, lineEnd: end };
  }

  /** `-x`, `?x`, `:x` start plain scalars; `- `, `? `, `: ` are indicators. */
  private plainIndicatorStart(at: number): boolean {
    const char = this.text[at];
    if (char !== '-' && char !== '?' && char !== ':') return false;
    const after = this.text[at + 1];
    return after !== undefined && after !== ' ' && after !== '\n' && !FLOW_INDICATORS.has(after);
  }

  private scalar(
    value: string | number | boolean | null,
    start: number,
    end: number,
    depth: number,
    tag: string | undefined,
  ): Built {
    if (tag === '!GetAtt' && typeof value === 'string') return this.splitGetAtt(value, start, end, depth);
    return { node: { kind: 'scalar', value, start, end } };
  }

  /** A quoted scalar at `at` that closes before `lineBreak`: its value and end (after the closing quote). */
  private quoted(at: number, lineBreak: number): { value: string; end: number } {
    const text = this.text;
    const quote = text[at];
    let value = '';
    let index = at + 1;
    for (;;) {
      if (index >= lineBreak) return outside();
      const char = text[index];
      if (char === quote) {
        if (quote === "'" && text[index + 1] === "'") {
          value += "'";
          index += 2;
          continue;
        }
        return { value, end: index + 1 };
      }
      if (quote === '"' && char === '\\') {
        const escape = text[index + 1];
        const simple = SIMPLE_ESCAPES[escape];
        if (simple !== undefined) {
          value += simple;
          index += 2;
          continue;
        }
        const digits = escape === 'x' ? 2 : escape === 'u' ? 4 : 0;
        const hex = text.slice(index + 2, index + 2 + digits);
        if (!digits || !new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) return outside();
        value += String.fromCodePoint(parseInt(hex, 16));
        index += 2 + digits;
        continue;
      }
      value += char;
      index++;
    }
  }

  /** A flow sequence or mapping at `at` that closes before `lineBreak`. */
  private flow(at: number, lineBreak: number, depth: number): Built {
    const text = this.text;
    const close = text[at] === '[' ? ']' : '}';
    this.count(depth, at);
    const items: TemplateNode[] = [];
    const entries: Array<{ key: string; keyStart: number; keyEnd: number; built: Built }> = [];
    let index = this.skipSpaces(at + 1, lineBreak);
    if (text[index] !== close)
      for (;;) {
        if (close === '}') {
          const keyEnd = this.flowPlainEnd(index, 'key');
          if (keyEnd === index || text[keyEnd] !== ':' || text[keyEnd + 1] !== ' ') return outside();
          const key = String(resolvePlainScalar(text.slice(index, keyEnd)) ?? '');
          const value = this.flowItem(this.skipSpaces(keyEnd + 1, lineBreak), lineBreak, depth + 1);
          entries.push({ key, keyStart: index, keyEnd, built: value.built });
          index = value.end;
        } else {
          const item = this.flowItem(index, lineBreak, depth + 1);
          items.push(item.built.node);
          index = item.end;
        }
        index = this.skipSpaces(index, lineBreak);
        if (text[index] === close) break;
        if (text[index] !== ',') return outside();
        index = this.skipSpaces(index + 1, lineBreak);
        // A trailing comma, or an empty entry.
        if (text[index] === close || text[index] === ',') return outside();
      }
    const end = index + 1;
    if (close === ']') return { node: { kind: 'seq', start: at, end, items } };
    return this.map(at, end, entries);
  }

  private skipSpaces(index: number, lineBreak: number): number {
    while (index < lineBreak && this.text.charCodeAt(index) === 32) index++;
    if (index >= lineBreak) outside();
    return index;
  }

  /** A flow collection's item at `at`: a scalar, a nested collection, or a tag and its value. */
  private flowItem(at: number, lineBreak: number, depth: number): { built: Built; end: number } {
    const text = this.text;
    let tag: string | undefined;
    let valueAt = at;
    if (text[at] === '!') {
      let tagEnd = at + 1;
      while (/[A-Za-z0-9]/.test(text[tagEnd] ?? '')) tagEnd++;
      tag = text.slice(at, tagEnd);
      if (!SHORT_FORM_TAGS.has(tag) || text[tagEnd] !== ' ') return outside();
      valueAt = this.skipSpaces(tagEnd, lineBreak);
      if (text[valueAt] === '!') return outside();
    }
    let built: Built;
    let end: number;
    const char = text[valueAt];
    if (char === '[' || char === '{') {
      built = this.flow(valueAt, lineBreak, depth);
      end = built.node.end;
    } else if (char === '"' || char === "'") {
      const quoted = this.quoted(valueAt, lineBreak);
      end = quoted.end;
      this.count(depth, valueAt);
      built = this.scalar(quoted.value, valueAt, end, depth, tag);
    } else {
      end = this.flowPlainEnd(valueAt, 'value');
      if (end === valueAt) return outside();
      const source = text.slice(valueAt, end);
      this.count(depth, valueAt);
      built = this.scalar(tag ? source : resolvePlainScalar(source), valueAt, end, depth, tag);
    }
    if (!tag) return { built, end };
    if (text.lastIndexOf(tag, valueAt) !== at) outside();
    this.count(depth, at);
    const map = this.map(at, built.node.end, [
      { key: SHORT_FORM_TAGS.get(tag)!, keyStart: at, keyEnd: at + tag.length, built },
    ]);
    (map.node as TemplateMap).shortForm = tag;
    return { built: map, end };
  }

  /**
   * Where a plain scalar in a flow collection ends (trailing spaces excluded). A key ends at `: `; a value
   * may not hold `: ` (an implicit pair) or a comment.
   */
  private flowPlainEnd(at: number, role: 'key' | 'value'): number {
    const text = this.text;
    if (INDICATOR_START.has(text[at]) && !this.plainIndicatorStart(at)) return outside();
    let end = this.plainRun(FLOW_PLAIN, at);
    const stop = text[end];
    if (stop === '#' || (stop === ':' && (role === 'value' || text[end + 1] !== ' '))) return outside();
    while (end > at && text.charCodeAt(end - 1) === 32) end--;
    return end;
  }
}

/**
 * The template's tree and problems when the text is in the subset this reader takes, undefined otherwise
 * (the caller then uses the `yaml` package). Limit errors (nesting, node count) are left to that path too.
 */
export function readBlockYaml(text: string): { root: TemplateNode; problems: TemplateProblem[] } | undefined {
  if (UNSUPPORTED_CHARS.test(text)) return undefined;
  const reader = new BlockYamlReader(text);
  try {
    const root = reader.read();
    return { root, problems: reader.problems };
  } catch (error) {
    if (error instanceof OutsideSubset || error instanceof TemplateLimitError) return undefined;
    throw error;
  }
}
