import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Node as SyntaxNode, Parser as TreeSitterParser } from 'web-tree-sitter';
import type {
  SourceRange,
  TfAttribute,
  TfBlock,
  TfBlockKind,
  TfBody,
  TfDocument,
  TfProblem,
  TfReference,
  TfValue,
} from './model';

/** Larger files are refused: a Terraform file of 2 MB is already unusual. */
export const MAX_TF_CHARS = 2 * 1024 * 1024;
/** Syntax problems listed per file. */
export const MAX_TF_PROBLEMS = 50;
/** Values nested deeper than this are kept as unevaluated expressions (no recursion past it). */
const MAX_VALUE_DEPTH = 64;

export class TfInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TfInputError';
  }
}

const RUNTIME_WASM = 'web-tree-sitter.wasm';
const GRAMMAR_WASM = 'tree-sitter-terraform.wasm';

/**
 * Where the two wasm files are: `tree-sitter/` beside the bundle (dist/, copied by scripts/build.mjs), else the
 * installed packages (tests run from out/, next to node_modules).
 */
export function treeSitterAssets(): { runtime: string; grammar: string } {
  for (let dir = __dirname, depth = 0; depth < 8; dir = dirname(dir), depth++) {
    const shipped = join(dir, 'tree-sitter');
    if (existsSync(join(shipped, GRAMMAR_WASM)))
      return { runtime: join(shipped, RUNTIME_WASM), grammar: join(shipped, GRAMMAR_WASM) };
    const modules = join(dir, 'node_modules');
    const grammar = join(modules, '@tree-sitter-grammars', 'tree-sitter-hcl', GRAMMAR_WASM);
    if (existsSync(grammar)) return { runtime: join(modules, 'web-tree-sitter', RUNTIME_WASM), grammar };
  }
  throw new Error(`The Terraform grammar (${GRAMMAR_WASM}) is missing from this installation.`);
}

let parserPromise: Promise<TreeSitterParser> | undefined;

/** The tree-sitter parser with the Terraform grammar, loaded on first use only. */
function hclParser(): Promise<TreeSitterParser> {
  parserPromise ??= (async () => {
    const assets = treeSitterAssets();
    const { Parser, Language } = await import('web-tree-sitter');
    await Parser.init({ locateFile: () => assets.runtime });
    const language = await Language.load(assets.grammar);
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  parserPromise.catch(() => (parserPromise = undefined));
  return parserPromise;
}

/** Parses a Terraform file (.tf) into blocks, attributes and references with source ranges. */
export async function parseTerraform(text: string): Promise<TfDocument> {
  if (text.length > MAX_TF_CHARS)
    throw new TfInputError(
      `This Terraform file has ${text.length.toLocaleString('en-US')} characters; at most ${MAX_TF_CHARS.toLocaleString('en-US')} are read.`,
    );
  const parser = await hclParser();
  const tree = parser.parse(text);
  if (!tree) throw new TfInputError('The Terraform file could not be parsed.');
  try {
    return new Converter(text).document(tree.rootNode);
  } finally {
    tree.delete();
  }
}

const BLOCK_KINDS: Record<string, TfBlockKind> = {
  resource: 'resource',
  data: 'data',
  module: 'module',
  variable: 'variable',
  output: 'output',
  locals: 'locals',
  provider: 'provider',
  import: 'import',
  terraform: 'terraform',
  moved: 'moved',
  removed: 'removed',
  check: 'check',
};

/** A resource type as providers name them: `aws_instance`, `random_id`. */
const RESOURCE_TYPE = /^[a-zA-Z][a-zA-Z0-9]*_[a-zA-Z0-9_-]+$/;

function addressOf(kind: TfBlockKind, labels: string[]): string | undefined {
  switch (kind) {
    case 'resource':
      return labels.length >= 2 ? `${labels[0]}.${labels[1]}` : undefined;
    case 'data':
      return labels.length >= 2 ? `data.${labels[0]}.${labels[1]}` : undefined;
    case 'module':
    case 'variable':
    case 'output':
    case 'provider':
    case 'check': {
      const prefix = kind === 'variable' ? 'var' : kind;
      return labels.length >= 1 ? `${prefix}.${labels[0]}` : undefined;
    }
    default:
      return undefined;
  }
}

/** Parts of a block's head that an error node can start with before the actual error. */
const HEAD_PARTS = new Set(['identifier', 'string_lit', 'block_start', '{', 'body']);

class Converter {
  private readonly problems: TfProblem[] = [];
  private readonly references: TfReference[] = [];

  constructor(private readonly text: string) {}

  document(root: SyntaxNode): TfDocument {
    const body = root.namedChildren.find((child) => child?.type === 'body');
    const converted = body ? this.body(body, true) : { attributes: [], blocks: [] };
    this.collectProblems(root);
    this.references.sort((a, b) => a.range.offset - b.range.offset);
    return { ...converted, references: this.references, problems: this.problems };
  }

  private range(node: SyntaxNode): SourceRange {
    return {
      start: { line: node.startPosition.row + 1, column: node.startPosition.column + 1 },
      end: { line: node.endPosition.row + 1, column: node.endPosition.column + 1 },
      offset: node.startIndex,
      endOffset: node.endIndex,
    };
  }

  private spanning(first: SyntaxNode, last: SyntaxNode): SourceRange {
    const a = this.range(first);
    const b = this.range(last);
    return { start: a.start, end: b.end, offset: a.offset, endOffset: b.endOffset };
  }

  private body(node: SyntaxNode, topLevel: boolean): TfBody {
    const attributes: TfAttribute[] = [];
    const blocks: TfBlock[] = [];
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'attribute') {
        const attribute = this.attribute(child);
        if (attribute) attributes.push(attribute);
      } else if (child.type === 'block') {
        const block = this.block(child, topLevel);
        if (block) blocks.push(block);
      }
    }
    return { attributes, blocks };
  }

  private attribute(node: SyntaxNode): TfAttribute | undefined {
    const name = node.namedChildren.find((child) => child?.type === 'identifier');
    const expression = node.namedChildren.find((child) => child?.type === 'expression');
    if (!name || !expression) return undefined;
    const references = this.referencesIn(expression);
    this.references.push(...references);
    return {
      name: name.text,
      value: this.value(expression, 0),
      range: this.range(node),
      nameRange: this.range(name),
      valueRange: this.range(expression),
      references,
    };
  }

  private block(node: SyntaxNode, topLevel: boolean): TfBlock | undefined {
    const keyword = node.namedChildren.find((child) => child?.type === 'identifier');
    if (!keyword) return undefined;
    const labels: TfBlock['labels'] = [];
    let body: SyntaxNode | undefined;
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'string_lit') labels.push({ value: this.stringContent(child), range: this.range(child) });
      else if (child.type === 'identifier' && child !== keyword)
        labels.push({ value: child.text, range: this.range(child) });
      else if (child.type === 'body') body = child;
    }
    const kind: TfBlockKind = topLevel ? (BLOCK_KINDS[keyword.text] ?? 'other') : 'other';
    const converted = body ? this.body(body, false) : { attributes: [], blocks: [] };
    return {
      keyword: keyword.text,
      kind,
      labels,
      address: topLevel
        ? addressOf(
            kind,
            labels.map((label) => label.value),
          )
        : undefined,
      range: this.range(node),
      keywordRange: this.range(keyword),
      ...converted,
    };
  }

  /** A quoted string's value (escapes decoded); a string with interpolations keeps them as written. */
  private stringContent(node: SyntaxNode): string {
    const inner = this.text.slice(node.startIndex + 1, Math.max(node.startIndex + 1, node.endIndex - 1));
    return unescapeHcl(inner);
  }

  private value(expression: SyntaxNode, depth: number): TfValue {
    const raw = (): TfValue => ({ kind: 'expression', text: expression.text.slice(0, 500) });
    if (depth > MAX_VALUE_DEPTH || expression.hasError) return raw();
    const children = expression.namedChildren.filter((child): child is SyntaxNode => !!child);
    const first = children[0];
    if (!first) return raw();
    if (first.type === 'variable_expr') {
      const reference = this.traversal(expression, new Set(), true);
      return reference && reference.range.endOffset === expression.endIndex ? { kind: 'reference', reference } : raw();
    }
    if (children.length !== 1) return raw();
    switch (first.type) {
      case 'literal_value':
        return this.literal(first) ?? raw();
      case 'template_expr':
        return this.template(first) ?? raw();
      case 'collection_value':
        return this.collection(first, depth) ?? raw();
      case 'operation': {
        // A negative number literal: `-1.5`.
        const unary = first.namedChildren[0];
        const operand = unary?.namedChildren[0];
        if (unary?.type === 'unary_operation' && unary.text.startsWith('-') && operand?.type === 'literal_value') {
          const literal = this.literal(operand);
          if (literal?.kind === 'literal' && typeof literal.value === 'number')
            return { kind: 'literal', value: -literal.value };
        }
        return raw();
      }
      default:
        return raw();
    }
  }

  private literal(node: SyntaxNode): TfValue | undefined {
    const inner = node.namedChildren[0];
    if (!inner) return undefined;
    switch (inner.type) {
      case 'numeric_lit': {
        const value = Number(inner.text);
        return Number.isFinite(value) ? { kind: 'literal', value } : undefined;
      }
      case 'bool_lit':
        return { kind: 'literal', value: inner.text === 'true' };
      case 'null_lit':
        return { kind: 'literal', value: null };
      case 'string_lit':
        return { kind: 'literal', value: this.stringContent(inner) };
      default:
        return undefined;
    }
  }

  /** A quoted template: literal text and `${reference}` parts. Directives and heredocs stay expressions. */
  private template(node: SyntaxNode): TfValue | undefined {
    const quoted = node.namedChildren[0];
    if (quoted?.type !== 'quoted_template') return undefined;
    const parts: Array<string | TfReference> = [];
    let cursor = quoted.startIndex + 1;
    for (const child of quoted.namedChildren) {
      if (!child) continue;
      if (child.type === 'template_directive') return undefined;
      if (child.type !== 'template_interpolation') continue;
      const inner = child.namedChildren.find((part) => part?.type === 'expression');
      const reference = inner ? this.traversal(inner, new Set(), true) : undefined;
      if (!inner || !reference || reference.range.endOffset !== inner.endIndex) return undefined;
      if (child.startIndex > cursor) parts.push(unescapeHcl(this.text.slice(cursor, child.startIndex)));
      parts.push(reference);
      cursor = child.endIndex;
    }
    const end = quoted.endIndex - 1;
    if (end > cursor) parts.push(unescapeHcl(this.text.slice(cursor, end)));
    return { kind: 'template', parts };
  }

  private collection(node: SyntaxNode, depth: number): TfValue | undefined {
    const inner = node.namedChildren[0];
    if (!inner) return undefined;
    if (inner.type === 'tuple') {
      return {
        kind: 'tuple',
        items: inner.namedChildren
          .filter((child): child is SyntaxNode => child?.type === 'expression')
          .map((child) => this.value(child, depth + 1)),
      };
    }
    if (inner.type === 'object') {
      const entries: Array<{ key: string; value: TfValue; range: SourceRange }> = [];
      for (const element of inner.namedChildren) {
        if (element?.type !== 'object_elem') continue;
        const key = element.childForFieldName('key');
        const val = element.childForFieldName('val');
        if (!key || !val) return undefined;
        const keyValue = this.objectKey(key);
        if (keyValue === undefined) return undefined;
        entries.push({ key: keyValue, value: this.value(val, depth + 1), range: this.range(element) });
      }
      return { kind: 'object', entries };
    }
    return undefined;
  }

  private objectKey(key: SyntaxNode): string | undefined {
    const first = key.namedChildren[0];
    if (!first) return undefined;
    if (first.type === 'variable_expr' && key.namedChildren.length === 1) return first.text;
    if (first.type === 'literal_value') {
      const literal = this.literal(first);
      return literal?.kind === 'literal' && typeof literal.value === 'string' ? literal.value : undefined;
    }
    return undefined;
  }

  /**
   * The reference an expression starting with a variable starts with, if it names one. `count.index`,
   * `each.key` and `each.value` only when `iteration` is set (values, not the module's references).
   */
  private traversal(
    expression: SyntaxNode,
    scoped: ReadonlySet<string> = new Set(),
    iteration = false,
  ): TfReference | undefined {
    const children = expression.namedChildren.filter((child): child is SyntaxNode => !!child);
    const root = children[0];
    if (root?.type !== 'variable_expr') return undefined;
    const names: string[] = [root.text];
    const nameNodes: SyntaxNode[] = [root];
    let last: SyntaxNode = root;
    for (const step of children.slice(1)) {
      if (step.type === 'get_attr') {
        const name = step.namedChildren.find((child) => child?.type === 'identifier');
        if (!name) break;
        names.push(name.text);
        nameNodes.push(step);
        last = step;
      } else if (step.type === 'index' || step.type === 'splat') {
        last = step;
      } else break;
    }
    const head = names[0];
    if (scoped.has(head)) return undefined;
    let kind: TfReference['kind'];
    let size: number;
    if (head === 'var' || head === 'local' || head === 'module') {
      kind = head;
      size = 2;
    } else if (head === 'data') {
      kind = 'data';
      size = 3;
    } else if (iteration && (head === 'count' || head === 'each')) {
      kind = head;
      size = 2;
    } else if (RESOURCE_TYPE.test(head)) {
      kind = 'resource';
      size = 2;
    } else return undefined;
    if (names.length < size) return undefined;
    return {
      kind,
      target: names.slice(0, size).join('.'),
      path: names.slice(size),
      text: this.text.slice(root.startIndex, last.endIndex),
      range: this.spanning(root, last),
      targetRange: this.spanning(root, nameNodes[size - 1]),
    };
  }

  /** Every reference in a subtree, iteratively; names bound by `for` expressions are not references. */
  private referencesIn(node: SyntaxNode): TfReference[] {
    const found: TfReference[] = [];
    const stack: Array<{ node: SyntaxNode; scoped: ReadonlySet<string> }> = [{ node, scoped: new Set() }];
    while (stack.length) {
      const { node: current, scoped: outer } = stack.pop()!;
      let scoped = outer;
      if (current.type === 'for_tuple_expr' || current.type === 'for_object_expr') {
        const intro = current.namedChildren.find((child) => child?.type === 'for_intro');
        const bound = intro?.namedChildren.filter((child) => child?.type === 'identifier').map((child) => child!.text);
        if (bound?.length) scoped = new Set([...outer, ...bound]);
      }
      if (current.type === 'expression' && current.namedChildren[0]?.type === 'variable_expr') {
        const reference = this.traversal(current, scoped);
        if (reference) found.push(reference);
      }
      const children = current.namedChildren;
      for (let i = children.length - 1; i >= 0; i--) {
        const child = children[i];
        if (child) stack.push({ node: child, scoped });
      }
    }
    return found;
  }

  private collectProblems(root: SyntaxNode): void {
    if (!root.hasError) return;
    const stack: SyntaxNode[] = [root];
    while (stack.length && this.problems.length < MAX_TF_PROBLEMS) {
      const node = stack.pop()!;
      if (node.isMissing) {
        this.problems.push({ message: `Syntax error: missing ${node.type}.`, range: this.range(node) });
        continue;
      }
      if (node.isError) {
        // An error node often starts with the good head of a block (`resource "a" "b" {`): point past it.
        const children = node.children.filter((child): child is SyntaxNode => !!child);
        const unexpected = children.find((child) => !HEAD_PARTS.has(child.type)) ?? node;
        const snippet = unexpected.text.split('\n')[0].slice(0, 40);
        this.problems.push({ message: `Syntax error near "${snippet}".`, range: this.range(unexpected) });
        continue;
      }
      if (!node.hasError) continue;
      const children = node.children;
      for (let i = children.length - 1; i >= 0; i--) {
        const child = children[i];
        if (child) stack.push(child);
      }
    }
  }
}

/** Decodes HCL string escapes (`\n`, `\"`, `\\`, `\uNNNN`, `\UNNNNNNNN`, `$${`, `%%{`). */
export function unescapeHcl(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length) {
      const next = raw[i + 1];
      const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
      if (next in simple) {
        out += simple[next];
        i++;
        continue;
      }
      const width = next === 'u' ? 4 : next === 'U' ? 8 : 0;
      const hex = raw.slice(i + 2, i + 2 + width);
      if (width && /^[0-9a-fA-F]+$/.test(hex) && hex.length === width) {
        const code = parseInt(hex, 16);
        out += code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
        i += 1 + width;
        continue;
      }
    } else if ((c === '$' || c === '%') && raw[i + 1] === c && raw[i + 2] === '{') {
      out += `${c}{`;
      i += 2;
      continue;
    }
    out += c;
  }
  return out;
}
