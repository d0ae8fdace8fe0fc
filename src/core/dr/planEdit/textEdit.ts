/**
 * Minimal edits of a YAML file: set, delete and insert at a path, each applied as a splice of the source
 * text at the node it changes (a scalar's value, a pair's lines, a list item's lines, a flow list), so
 * comments, key order and formatting everywhere else stay byte-for-byte. Every result is checked by
 * parsing it again and comparing with the same operations applied to the plain value.
 */
import {
  Document,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  visit,
  type Scalar,
  type Node as YamlNode,
  type Pair,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';

export type YamlPath = (string | number)[];

/** One change of the plain value. `insert` adds `value` into the list at `path` before `index` (length: append). */
export type EditOp =
  | { op: 'set'; path: YamlPath; value: unknown }
  | { op: 'delete'; path: YamlPath }
  | { op: 'insert'; path: YamlPath; index: number; value: unknown };

/** A replacement of `[start, end)` of the original text. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export interface EditResult {
  text: string;
  /** The new text, parsed (the check's parse, reused by callers that need the document). */
  document: Document.Parsed;
  /** Disjoint, sorted, in the original text's offsets. */
  edits: TextEdit[];
  /** True when a splice could not be made and the edited node was re-rendered by the YAML library instead. */
  rerendered: boolean;
}

export class PlanEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanEditError';
  }
}

type Json = unknown;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isScalarValue = (value: unknown): boolean => value === null || typeof value !== 'object';

const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: false, strict: true, keepSourceTokens: false } as const;

/**
 * The same operations on a plain value (the expected model). Returns a new value; the input is not changed.
 * Containers along each op's path are copied, the rest is shared with the input (treat both as read-only).
 */
export function applyOpsToValue(value: Json, ops: EditOp[]): Json {
  let root = value;
  for (const op of ops) root = applyOpToValue(root, op);
  return root;
}

const shallowCopy = (value: unknown): Record<string | number, unknown> =>
  (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;

/** One op on a value, copying the containers on its path (path copying; nothing the input holds is mutated). */
function applyOpToValue(root: Json, op: EditOp): Json {
  if (op.path.length === 0) {
    if (op.op === 'set') return structuredClone(op.value);
    if (op.op === 'insert' && Array.isArray(root)) {
      const copy = [...root];
      copy.splice(op.index, 0, structuredClone(op.value));
      return copy;
    }
    throw new PlanEditError('Cannot delete the whole document.');
  }
  if (!isObject(root) && !Array.isArray(root)) return root;
  const top = shallowCopy(root);
  let parent = top;
  for (let i = 0; i < op.path.length - 1; i++) {
    const segment = op.path[i];
    const child = parent[segment];
    if (child === undefined || child === null) {
      if (op.op === 'delete') return root;
      parent[segment] = typeof op.path[i + 1] === 'number' ? [] : {};
    } else if (typeof child === 'object') parent[segment] = shallowCopy(child);
    parent = parent[segment] as Record<string | number, unknown>;
  }
  const last = op.path[op.path.length - 1];
  if (op.op === 'set') parent[last] = structuredClone(op.value);
  else if (op.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    const list = parent[last];
    if (Array.isArray(list))
      parent[last] = [...list.slice(0, op.index), structuredClone(op.value), ...list.slice(op.index)];
    else parent[last] = [structuredClone(op.value)];
  }
  return top;
}

// ---------------------------------------------------------------- rendering

/** A scalar as YAML text, in the original quoting style when there was one. */
function renderScalar(value: unknown, style?: Scalar.Type): string {
  if (value === null) return 'null';
  if (typeof value === 'string' && /[\n\r]/.test(value)) return JSON.stringify(value);
  const doc = new Document(value);
  if (typeof value === 'string' && (style === 'QUOTE_DOUBLE' || style === 'QUOTE_SINGLE'))
    (doc.contents as Scalar).type = style;
  return doc.toString({ lineWidth: 0 }).replace(/\n$/, '');
}

/** Short lists of scalars (names, IDs) are written as flow lists `[a, b]`; everything else in block style. */
function flowWorthy(value: unknown): boolean {
  return Array.isArray(value) && value.every(isScalarValue);
}

function newDocument(value: unknown): Document {
  const doc = new Document(value);
  visit(doc, {
    Seq(_key, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  return doc;
}

/** The value rendered on one line, or undefined when it needs block lines. */
function renderInline(value: unknown, style?: Scalar.Type): string | undefined {
  if (isScalarValue(value)) return renderScalar(value, style);
  if (flowWorthy(value) || (isObject(value) && Object.keys(value).length === 0))
    return newDocument(value).toString({ lineWidth: 0, flowCollectionPadding: false }).replace(/\n$/, '');
  return undefined;
}

/** Block lines of a collection, each indented by `indent` spaces, ending with a newline. */
function renderBlock(value: unknown, indent: number): string {
  const text = newDocument(value).toString({ lineWidth: 0, flowCollectionPadding: false, indentSeq: true });
  const pad = ' '.repeat(indent);
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => (line ? pad + line : line))
    .join('\n')
    .concat('\n');
}

/** `key: value` (and its block lines) at `indent`, ending with a newline. */
function renderPair(key: string, value: unknown, indent: number): string {
  const keyText = renderScalar(key);
  const inline = renderInline(value);
  if (inline !== undefined) return `${' '.repeat(indent)}${keyText}: ${inline}\n`;
  return `${' '.repeat(indent)}${keyText}:\n${renderBlock(value, indent + 2)}`;
}

/** A list item `- value` whose dash is at `dashColumn`, ending with a newline. */
function renderItem(value: unknown, dashColumn: number): string {
  const inline = renderInline(value);
  const pad = ' '.repeat(dashColumn);
  if (inline !== undefined) return `${pad}- ${inline}\n`;
  const block = renderBlock(value, dashColumn + 2);
  return `${pad}- ${block.slice(dashColumn + 2)}`;
}

// ---------------------------------------------------------------- text positions

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}
function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}
/** The offset after the newline that ends the line holding `offset` (or the text's end). */
function afterLine(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}
const onlySpaceBefore = (text: string, offset: number) => /^[ \t]*$/.test(text.slice(lineStart(text, offset), offset));

function nodeRange(node: YamlNode | null | undefined): [number, number, number] | undefined {
  const range = (node as { range?: [number, number, number] | null } | null | undefined)?.range;
  return range ?? undefined;
}

/** End of a pair in block style: after the line holding its value's end (trailing comment included). */
function pairEnd(text: string, pair: Pair): number {
  const value = nodeRange(pair.value as YamlNode);
  const key = nodeRange(pair.key as YamlNode)!;
  if (!value) return afterLine(text, key[1]);
  if (isCollection(pair.value) && !(pair.value as YAMLMap | YAMLSeq).flow) return afterLine(text, value[1]);
  return afterLine(text, Math.max(value[1], key[1]));
}

function itemEnd(text: string, item: YamlNode): number {
  const range = nodeRange(item)!;
  return afterLine(text, range[1]);
}

/** The column of the `-` before a block list item. */
function dashOffset(text: string, item: YamlNode): number {
  const start = nodeRange(item)![0];
  const dash = text.lastIndexOf('-', start - 1);
  if (dash < 0) throw new PlanEditError('A list item without its "-" indicator.');
  return dash;
}

// ---------------------------------------------------------------- splices

interface Splice {
  start: number;
  end: number;
  text: string;
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === key) as
    Pair | undefined;
}

function nodeAt(doc: Document.Parsed, path: YamlPath): unknown {
  let node: unknown = doc.contents;
  for (const segment of path) {
    if (isMap(node)) node = findPair(node, String(segment))?.value;
    else if (isSeq(node) && typeof segment === 'number') node = node.items[segment];
    else return undefined;
  }
  return node;
}

/** Where a new key goes: after the last existing key that comes before it in `order`, else after the last key. */
export type KeyOrder = (path: YamlPath) => readonly string[] | undefined;

class Splicer {
  constructor(
    private readonly text: string,
    private readonly doc: Document.Parsed,
    private readonly keyOrder: KeyOrder,
    /** The value after this op (for re-rendering a flow collection whole). */
    private readonly after: Json,
  ) {}

  private valueAt(path: YamlPath): unknown {
    let value: unknown = this.after;
    for (const segment of path) value = (value as Record<string | number, unknown> | undefined)?.[segment];
    return value;
  }

  /** Replaces a flow collection (or any node) by the rendering of its new value. */
  private replaceNode(node: YamlNode, path: YamlPath): Splice {
    const range = nodeRange(node)!;
    const value = this.valueAt(path);
    const inline = renderInline(value, isScalar(node) ? (node.type as Scalar.Type) : undefined);
    if (inline !== undefined) return { start: range[0], end: range[1], text: inline };
    if (isCollection(node) && (node as YAMLMap | YAMLSeq).flow) {
      const flow = new Document(value);
      visit(flow, {
        Map(_k, m) {
          m.flow = true;
        },
        Seq(_k, s) {
          s.flow = true;
        },
      });
      return { start: range[0], end: range[1], text: flow.toString({ lineWidth: 0 }).replace(/\n$/, '') };
    }
    throw new PlanEditError('unsupported replacement');
  }

  splice(op: EditOp): Splice {
    const { path } = op;
    if (path.length === 0) throw new PlanEditError('unsupported root edit');
    const parentPath = path.slice(0, -1);
    const last = path[path.length - 1];
    const parent = nodeAt(this.doc, parentPath);
    if (op.op === 'insert') {
      const list = nodeAt(this.doc, path);
      if (!isSeq(list)) throw new PlanEditError('unsupported insert');
      if (list.flow || list.items.length === 0) return this.replaceNode(list as YamlNode, path);
      return this.insertItem(list, op.index, op.value);
    }
    if (isMap(parent)) {
      if ((parent as YAMLMap).flow) return this.replaceNode(parent as YamlNode, parentPath);
      const pair = findPair(parent, String(last));
      if (op.op === 'delete') {
        if (!pair) throw new PlanEditError('nothing to delete');
        return this.deletePair(parent, pair);
      }
      if (!pair) return this.insertPair(parent, parentPath, String(last), op.value);
      return this.setPairValue(pair, path, op.value);
    }
    if (isSeq(parent) && typeof last === 'number') {
      if (parent.flow) return this.replaceNode(parent as YamlNode, parentPath);
      const item = parent.items[last] as YamlNode | undefined;
      if (!item) throw new PlanEditError('no such item');
      if (op.op === 'delete') {
        if (parent.items.length === 1) throw new PlanEditError('unsupported: emptying a block list');
        const dash = dashOffset(this.text, item);
        if (!onlySpaceBefore(this.text, dash)) throw new PlanEditError('unsupported item layout');
        return { start: lineStart(this.text, dash), end: itemEnd(this.text, item), text: '' };
      }
      if (isScalar(item) && isScalarValue(op.value))
        return { start: nodeRange(item)![0], end: nodeRange(item)![1], text: renderScalar(op.value, item.type) };
      if (isCollection(item) && (item as YAMLMap | YAMLSeq).flow) return this.replaceNode(item, path);
      const dash = dashOffset(this.text, item);
      return {
        start: lineStart(this.text, dash),
        end: itemEnd(this.text, item),
        text: renderItem(op.value, column(this.text, dash)),
      };
    }
    throw new PlanEditError('unsupported parent');
  }

  private setPairValue(pair: Pair, path: YamlPath, value: unknown): Splice {
    const node = pair.value as YamlNode | null;
    if (node && isScalar(node) && isScalarValue(value)) {
      const range = nodeRange(node)!;
      return { start: range[0], end: range[1], text: renderScalar(value, node.type as Scalar.Type) };
    }
    if (node && isCollection(node) && (node as YAMLMap | YAMLSeq).flow && renderInline(value) !== undefined)
      return this.replaceNode(node, path);
    // Anything else: the pair's lines are written again, at the key's indentation.
    const keyRange = nodeRange(pair.key as YamlNode)!;
    if (!onlySpaceBefore(this.text, keyRange[0])) {
      const inline = renderInline(value);
      if (inline === undefined || !node) throw new PlanEditError('unsupported pair layout');
      const range = nodeRange(node)!;
      return { start: range[0], end: range[1], text: inline };
    }
    const start = lineStart(this.text, keyRange[0]);
    return {
      start,
      end: pairEnd(this.text, pair),
      text: renderPair(String((pair.key as Scalar).value), value, column(this.text, keyRange[0])),
    };
  }

  private insertPair(map: YAMLMap, mapPath: YamlPath, key: string, value: unknown): Splice {
    const pairs = map.items as Pair[];
    if (pairs.length === 0) throw new PlanEditError('unsupported: empty block map');
    const indent = column(this.text, nodeRange(pairs[0].key as YamlNode)![0]);
    const order = this.keyOrder(mapPath);
    let after = pairs[pairs.length - 1];
    if (order?.includes(key)) {
      const rank = order.indexOf(key);
      const before = pairs.filter((p) => {
        const r = order.indexOf(String((p.key as Scalar).value));
        return r !== -1 && r < rank;
      });
      if (before.length) after = before[before.length - 1];
    }
    const at = pairEnd(this.text, after);
    const newline = at > 0 && this.text[at - 1] !== '\n' ? '\n' : '';
    return { start: at, end: at, text: newline + renderPair(key, value, indent) };
  }

  private deletePair(map: YAMLMap, pair: Pair): Splice {
    const keyStart = nodeRange(pair.key as YamlNode)![0];
    const end = pairEnd(this.text, pair);
    if (onlySpaceBefore(this.text, keyStart)) return { start: lineStart(this.text, keyStart), end, text: '' };
    // The first key of a list item (`- key: …`): the next key moves up into its place.
    const index = map.items.indexOf(pair);
    const next = map.items[index + 1] as Pair | undefined;
    if (!next) throw new PlanEditError('unsupported: emptying a list item');
    return { start: keyStart, end: nodeRange(next.key as YamlNode)![0], text: '' };
  }

  private insertItem(list: YAMLSeq, index: number, value: unknown): Splice {
    const items = list.items as YamlNode[];
    const dash = dashOffset(this.text, items[0]);
    if (!onlySpaceBefore(this.text, dash)) throw new PlanEditError('unsupported list layout');
    const dashColumn = column(this.text, dash);
    const at =
      index >= items.length
        ? itemEnd(this.text, items[items.length - 1])
        : lineStart(this.text, dashOffset(this.text, items[index]));
    const newline = at > 0 && this.text[at - 1] !== '\n' ? '\n' : '';
    return { start: at, end: at, text: newline + renderItem(value, dashColumn) };
  }
}

/** Merges a splice made on the current text into edits kept in the original text's offsets. */
function compose(edits: TextEdit[], current: string, splice: Splice): TextEdit[] {
  let delta = 0;
  const positioned = edits.map((edit) => {
    const start = edit.start + delta;
    const end = start + edit.text.length;
    delta += edit.text.length - (edit.end - edit.start);
    return { edit, start, end };
  });
  const overlapping = positioned.filter((p) => p.start <= splice.end && p.end >= splice.start);
  const currentStart = Math.min(splice.start, ...overlapping.map((p) => p.start));
  const currentEnd = Math.max(splice.end, ...overlapping.map((p) => p.end));
  const toOriginal = (offset: number, side: 'start' | 'end'): number => {
    const hit = overlapping.find((p) => (side === 'start' ? p.start === offset : p.end === offset));
    if (hit) return side === 'start' ? hit.edit.start : hit.edit.end;
    let shift = 0;
    for (const p of positioned) if (p.end <= offset) shift += p.edit.text.length - (p.edit.end - p.edit.start);
    return offset - shift;
  };
  const merged: TextEdit = {
    start: toOriginal(currentStart, 'start'),
    end: toOriginal(currentEnd, 'end'),
    text: current.slice(currentStart, splice.start) + splice.text + current.slice(splice.end, currentEnd),
  };
  const kept = edits.filter((edit) => !overlapping.some((p) => p.edit === edit));
  return [...kept, merged].sort((a, b) => a.start - b.start);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => deepEqual(item, other[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return (
    keys.length === Object.keys(right).length && keys.every((key) => key in right && deepEqual(left[key], right[key]))
  );
}

export { deepEqual as valuesEqual };

const plainValues = new WeakMap<Document.Parsed, Json>();

/**
 * The document's plain value, converted once per parse (documents are never mutated after parsing here).
 * Callers only read it: edits work on clones.
 */
export function plainValue(doc: Document.Parsed): Json {
  if (plainValues.has(doc)) return plainValues.get(doc);
  const value = doc.toJS({ maxAliasCount: 100 }) as Json;
  plainValues.set(doc, value);
  return value;
}

export function parseStrict(text: string): Document.Parsed | undefined {
  const doc = parseDocument(text, PARSE_OPTIONS);
  return doc.errors.length ? undefined : doc;
}

/**
 * Applies `ops` to `text` as minimal splices. The result is parsed again and must equal the ops applied to
 * the plain value; when a splice cannot be made (an unusual layout), the document is edited through the
 * YAML library instead and only the changed span is replaced (`rerendered`).
 */
export function applyOps(
  text: string,
  ops: EditOp[],
  keyOrder: KeyOrder = () => undefined,
  parsed?: Document.Parsed,
): EditResult {
  const original = parsed ?? parseStrict(text);
  if (!original) throw new PlanEditError('The file has YAML errors; fix them in the text editor first.');
  const before = plainValue(original);
  const expected = applyOpsToValue(before, ops);
  let current = text;
  let doc = original;
  let value: Json = before;
  let edits: TextEdit[] = [];
  try {
    for (const op of ops) {
      value = applyOpToValue(value, op);
      const splice = new Splicer(current, doc, keyOrder, value).splice(op);
      edits = compose(edits, current, splice);
      current = current.slice(0, splice.start) + splice.text + current.slice(splice.end);
      const reparsed = parseStrict(current);
      if (!reparsed) throw new PlanEditError('splice broke the YAML');
      doc = reparsed;
    }
    if (deepEqual(plainValue(doc), expected)) return { text: current, document: doc, edits, rerendered: false };
  } catch (error) {
    if (!(error instanceof PlanEditError)) throw error;
  }
  return rerender(text, ops, expected);
}

/** The fallback: the YAML library edits the document; the edit is the span between the common prefix and suffix. */
function rerender(text: string, ops: EditOp[], expected: Json): EditResult {
  const doc = parseDocument(text, PARSE_OPTIONS);
  for (const op of ops) {
    if (op.op === 'set') doc.setIn(op.path, doc.createNode(op.value));
    else if (op.op === 'delete') doc.deleteIn(op.path);
    else {
      const list = doc.getIn(op.path, true);
      if (isSeq(list)) list.items.splice(op.index, 0, doc.createNode(op.value));
      else doc.setIn(op.path, doc.createNode([op.value]));
    }
  }
  const next = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  const reparsed = parseStrict(next);
  if (!reparsed || !deepEqual(plainValue(reparsed), expected))
    throw new PlanEditError('The edit could not be written without changing other parts of the file.');
  let prefix = 0;
  while (prefix < text.length && prefix < next.length && text[prefix] === next[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < text.length - prefix &&
    suffix < next.length - prefix &&
    text[text.length - 1 - suffix] === next[next.length - 1 - suffix]
  )
    suffix++;
  return {
    text: next,
    document: reparsed,
    edits: [{ start: prefix, end: text.length - suffix, text: next.slice(prefix, next.length - suffix) }],
    rerendered: true,
  };
}

/** Applies edits (sorted, disjoint, original offsets) to a text. */
export function applyTextEdits(text: string, edits: TextEdit[]): string {
  let result = '';
  let at = 0;
  for (const edit of edits) {
    result += text.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return result + text.slice(at);
}
