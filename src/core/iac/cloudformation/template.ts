/**
 * The CloudFormation template model: a YAML or JSON template parsed into its plain value and a tree of
 * nodes that remembers where every key and value is in the text. YAML short-form tags (`!Ref X`,
 * `!GetAtt A.B`, `!Sub …`) become the long form (`{ Ref: X }`, `{ 'Fn::GetAtt': [A, B] }`, `{ 'Fn::Sub': … }`)
 * in both the value and the tree, so consumers see one shape whatever the format.
 *
 * Input is bounded (size, nesting, aliases, node count) and every pass is linear in the text.
 */
import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import type * as YamlPackage from 'yaml';
import { readBlockYaml } from './blockYaml';
import { DEFINITION_SECTIONS, PSEUDO_PARAMETERS, SHORT_FORM_TAGS, type DefinitionSection } from './intrinsics';
import { LineIndex, type TextSpan } from './positions';
import { mightBeCloudFormationTemplate } from './recognize';
import {
  overByteLimit,
  TEMPLATE_LIMITS,
  TemplateLimitError,
  TreeBuilder,
  type Built,
  type TemplateProblem,
} from './treeBuilder';
import type { TemplateEntry, TemplateMap, TemplateNode } from './nodes';
import { collectReferences, type TemplateReference } from './references';

export type { TextSpan, LineCharacter } from './positions';
export { mightBeCloudFormationTemplate } from './recognize';
export type { TemplateEntry, TemplateMap, TemplateNode, TemplateScalar, TemplateSeq } from './nodes';
export type { TemplateReference, ReferenceKind } from './references';
export { TEMPLATE_LIMITS, type TemplateProblem } from './treeBuilder';

export type TemplatePath = ReadonlyArray<string | number>;

/** A named entry of Parameters, Mappings, Conditions, Resources, Outputs or Rules. */
export interface TemplateDefinition {
  section: DefinitionSection;
  name: string;
  keyStart: number;
  keyEnd: number;
  node: TemplateNode;
}

export interface LocatedNode {
  path: Array<string | number>;
  node: TemplateNode;
  /** True when the offset is on the key of the entry that holds `node` (then `node` is that entry's value). */
  onKey: boolean;
}

/** Sets a property without letting a key such as `__proto__` change the object's prototype. */
function setProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

type YamlAny = unknown;

class YamlTreeBuilder extends TreeBuilder {
  private aliases = 0;
  private readonly resolving = new Set<unknown>();

  constructor(
    text: string,
    private readonly doc: YamlPackage.Document.Parsed,
  ) {
    super(text);
  }

  build(node: YamlAny, depth: number, at: number): Built {
    if (node === null || node === undefined) {
      this.count(depth, at);
      return { node: { kind: 'scalar', value: null, start: at, end: at } };
    }
    if (yamlPackage().isAlias(node)) {
      const [start, end] = node.range ?? [at, at];
      if (++this.aliases > TEMPLATE_LIMITS.aliasCount)
        throw new TemplateLimitError(
          'too-many-aliases',
          `The template uses more than ${TEMPLATE_LIMITS.aliasCount} YAML aliases; it is not read.`,
          start,
        );
      const target = node.resolve(this.doc);
      if (!target || this.resolving.has(target)) {
        this.problem({
          severity: 'error',
          code: 'alias',
          message: target ? `Alias *${node.source} refers to itself.` : `Unknown anchor &${node.source}.`,
          start,
          end,
        });
        this.count(depth, start);
        return { node: { kind: 'scalar', value: null, start, end } };
      }
      this.resolving.add(target);
      const built = this.build(target, depth, start);
      this.resolving.delete(target);
      // The alias's own text is where the value is, for the outer node; what is inside stays at the anchor.
      return { node: { ...built.node, start, end } };
    }
    const tag = (node as { tag?: string }).tag;
    const longForm = tag ? SHORT_FORM_TAGS.get(tag) : undefined;
    if (tag && !longForm && tag.startsWith('!') && !tag.startsWith('!!')) {
      const [start, end] = (node as { range?: [number, number, number] }).range ?? [at, at];
      this.problem({
        severity: 'warning',
        code: 'unknown-tag',
        message: `Unknown tag ${tag}: CloudFormation knows the intrinsic functions' short forms (!Ref, !Sub, !GetAtt …).`,
        start,
        end,
      });
    }
    const built = this.buildUntagged(node, depth, at, tag === '!GetAtt');
    if (!longForm) return built;
    const tagStart = this.tagStart(tag!, built.node.start);
    this.count(depth, tagStart);
    const map = this.map(tagStart, built.node.end, [
      { key: longForm, keyStart: tagStart, keyEnd: tagStart + tag!.length, built },
    ]);
    (map.node as TemplateMap).shortForm = tag;
    return map;
  }

  /** Where the tag written before a value begins (searched backwards a short way; the value's start if absent). */
  private tagStart(tag: string, valueStart: number): number {
    const found = this.text.lastIndexOf(tag, valueStart);
    return found === -1 || found < valueStart - 512 ? valueStart : found;
  }

  private buildUntagged(node: YamlAny, depth: number, at: number, getAtt: boolean): Built {
    const range = (node as { range?: [number, number, number] }).range;
    const start = range?.[0] ?? at;
    const end = range?.[1] ?? at;
    this.count(depth, start);
    if (yamlPackage().isScalar(node)) {
      let value = node.value;
      if (typeof value === 'bigint') value = Number(value);
      if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) value = String(value);
      const scalar = value as string | number | boolean | null;
      if (getAtt && typeof scalar === 'string') return this.splitGetAtt(scalar, start, end, depth);
      return { node: { kind: 'scalar', value: scalar, start, end } };
    }
    if (yamlPackage().isMap(node)) {
      const entries: Array<{ key: string; keyStart: number; keyEnd: number; built: Built }> = [];
      for (const pair of node.items) {
        if (!yamlPackage().isPair(pair)) continue;
        const key = pair.key;
        const keyRange = (key as { range?: [number, number, number] } | null)?.range;
        const keyStart = keyRange?.[0] ?? start;
        const keyEnd = keyRange?.[1] ?? start;
        if (!yamlPackage().isScalar(key)) {
          this.problem({
            severity: 'error',
            code: 'complex-key',
            message: 'Only plain keys are allowed in a template.',
            start: keyStart,
            end: keyEnd,
          });
          continue;
        }
        const built = this.build(pair.value, depth + 1, keyEnd);
        entries.push({ key: String(key.value ?? ''), keyStart, keyEnd, built });
      }
      return this.map(start, end, entries);
    }
    if (yamlPackage().isSeq(node)) {
      const items: TemplateNode[] = [];
      for (const item of node.items) items.push(this.build(item, depth + 1, end).node);
      return { node: { kind: 'seq', start, end, items } };
    }
    return { node: { kind: 'scalar', value: null, start, end } };
  }
}

class JsonTreeBuilder extends TreeBuilder {
  build(node: JsonNode | undefined, depth: number, at: number): Built {
    if (!node) {
      this.count(depth, at);
      return { node: { kind: 'scalar', value: null, start: at, end: at } };
    }
    const start = node.offset;
    const end = node.offset + node.length;
    this.count(depth, start);
    if (node.type === 'object') {
      const entries: Array<{ key: string; keyStart: number; keyEnd: number; built: Built }> = [];
      for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? [];
        if (!keyNode || typeof keyNode.value !== 'string') continue;
        const keyEnd = keyNode.offset + keyNode.length;
        entries.push({
          key: keyNode.value,
          keyStart: keyNode.offset,
          keyEnd,
          built: this.build(valueNode, depth + 1, keyEnd),
        });
      }
      return this.map(start, end, entries);
    }
    if (node.type === 'array') {
      const items: TemplateNode[] = [];
      for (const child of node.children ?? []) items.push(this.build(child, depth + 1, end).node);
      return { node: { kind: 'seq', start, end, items } };
    }
    const value = (node.value ?? null) as string | number | boolean | null;
    return { node: { kind: 'scalar', value, start, end } };
  }
}

/** Characters the structure scan stops at; everything else is skipped by the regular expression engine. */
const STRUCTURE_CHARS = /["'#\n[\]{}\\:?-]/g;

/**
 * One linear pass over the text, outside quotes and comments: the offset where flow lists and mappings
 * (`[ ]`, `{ }`) nest deeper than `limit`, or where a line holds more than `limit` block indicators
 * (`- `, `? `, `: `; `- - - - x` is how block nesting gets deep cheaply, and the YAML parser's time and
 * memory grow faster than linearly with it). A quote ends at the latest at its line's end, so an unmatched
 * quote cannot hide what follows; brackets in plain text count too: it errs on the strict side.
 */
export function structureProblem(
  text: string,
  limit: number,
  blockIndicators: boolean,
): { kind: 'flow' | 'block'; offset: number } | undefined {
  let depth = 0;
  let indicators = 0;
  let quote: string | undefined;
  let comment = false;
  STRUCTURE_CHARS.lastIndex = 0;
  for (let match = STRUCTURE_CHARS.exec(text); match; match = STRUCTURE_CHARS.exec(text)) {
    const index = match.index;
    const char = text[index];
    if (char === '\n') {
      quote = undefined;
      comment = false;
      indicators = 0;
    } else if (comment) {
      continue;
    } else if (quote) {
      if (quote === '"' && char === '\\') STRUCTURE_CHARS.lastIndex = index + 2;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '#') {
      const before = text[index - 1];
      if (index === 0 || before === ' ' || before === '\t' || before === '\n' || before === '\r') comment = true;
    } else if (char === '[' || char === '{') {
      depth += 1;
      if (depth > limit) return { kind: 'flow', offset: index };
    } else if (char === ']' || char === '}') {
      if (depth > 0) depth -= 1;
    } else if (blockIndicators && (char === '-' || char === '?' || char === ':')) {
      const next = text[index + 1];
      if (next === ' ' || next === '\t' || next === '\n' || next === '\r' || next === undefined) {
        indicators += 1;
        if (indicators > limit) return { kind: 'block', offset: index };
      }
    }
  }
  return undefined;
}

const CFN_TYPE = /^(?:AWS|Alexa|Custom)::/;

/** Whether a parsed value has a template's shape: AWSTemplateFormatVersion, or Resources with a CloudFormation type. */
export function hasTemplateShape(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(record, 'AWSTemplateFormatVersion')) return true;
  const resources = record.Resources;
  if (typeof resources !== 'object' || resources === null || Array.isArray(resources)) return false;
  return Object.values(resources as Record<string, unknown>).some((resource) => {
    const type = (resource as { Type?: unknown } | null)?.Type;
    return typeof type === 'string' && CFN_TYPE.test(type);
  });
}

/** Recognises a template by its content (whatever the file is called), in YAML or JSON. */
export function isCloudFormationTemplate(text: string): boolean {
  return mightBeCloudFormationTemplate(text) && parseTemplate(text).isCloudFormation;
}

export class CfnTemplate {
  readonly lines: LineIndex;
  readonly definitions = new Map<DefinitionSection, Map<string, TemplateDefinition>>();
  private referenceList?: TemplateReference[];

  constructor(
    readonly text: string,
    readonly format: 'yaml' | 'json',
    /** Undefined when the text could not be read at all (too large, too deep …: see problems). */
    readonly root: TemplateNode | undefined,
    readonly problems: TemplateProblem[],
  ) {
    this.lines = new LineIndex(text);
    for (const section of DEFINITION_SECTIONS) {
      const byName = new Map<string, TemplateDefinition>();
      const sectionNode = this.nodeAt([section]);
      if (sectionNode?.kind === 'map')
        for (const [name, entry] of sectionNode.byKey)
          byName.set(name, { section, name, keyStart: entry.keyStart, keyEnd: entry.keyEnd, node: entry.value });
      this.definitions.set(section, byName);
    }
  }

  private plainValue?: { value: unknown };

  /** The template as plain data (long-form intrinsics; the first of repeated keys), built on first use. */
  get value(): unknown {
    this.plainValue ??= { value: this.root ? plainValueOf(this.root) : undefined };
    return this.plainValue.value;
  }

  /** AWSTemplateFormatVersion, or Resources with a CloudFormation type (read from the tree, no value built). */
  get isCloudFormation(): boolean {
    const root = this.root;
    if (root?.kind !== 'map') return false;
    if (root.byKey.has('AWSTemplateFormatVersion')) return true;
    const resources = root.byKey.get('Resources')?.value;
    if (resources?.kind !== 'map') return false;
    return resources.entries.some((entry) => {
      const type = entry.value.kind === 'map' ? entry.value.byKey.get('Type')?.value : undefined;
      return type?.kind === 'scalar' && typeof type.value === 'string' && CFN_TYPE.test(type.value);
    });
  }

  /** True when the text has a syntax error or could not be read: never rewrite such a file. */
  get hasErrors(): boolean {
    return this.root === undefined || this.problems.some((problem) => problem.severity === 'error');
  }

  /** Every Ref, GetAtt, DependsOn, Sub `${}`, condition and mapping name in the template, in text order. */
  get references(): readonly TemplateReference[] {
    this.referenceList ??= this.root ? collectReferences(this.root, this.text) : [];
    return this.referenceList;
  }

  /**
   * What a reference names: its definition, `pseudo` for AWS::Region and the like, or `{}` when it names
   * nothing (a broken reference). A Ref may name a parameter or a resource; GetAtt and DependsOn a resource.
   */
  resolve(reference: TemplateReference): { definition?: TemplateDefinition; pseudo?: true } {
    const sections: DefinitionSection[] =
      reference.kind === 'Condition'
        ? ['Conditions']
        : reference.kind === 'FindInMap'
          ? ['Mappings']
          : reference.kind === 'GetAtt' || reference.kind === 'DependsOn' || reference.attribute !== undefined
            ? ['Resources']
            : ['Parameters', 'Resources'];
    if ((reference.kind === 'Ref' || reference.kind === 'Sub') && PSEUDO_PARAMETERS.has(reference.target))
      return { pseudo: true };
    for (const section of sections) {
      const definition = this.definition(section, reference.target);
      if (definition) return { definition };
    }
    return {};
  }

  /** The references that name this definition. */
  referencesTo(definition: TemplateDefinition): TemplateReference[] {
    return this.references.filter((reference) => this.resolve(reference).definition === definition);
  }

  definition(section: DefinitionSection, name: string): TemplateDefinition | undefined {
    return this.definitions.get(section)?.get(name);
  }

  span(start: number, end: number): TextSpan {
    return this.lines.span(start, end);
  }

  /** The entry (key and value) at `path`, or undefined when a step is missing. */
  entryAt(path: TemplatePath): { key?: TemplateEntry; node: TemplateNode } | undefined {
    let node = this.root;
    let entry: TemplateEntry | undefined;
    for (const segment of path) {
      if (!node) return undefined;
      if (node.kind === 'map') {
        entry = node.byKey.get(String(segment));
        node = entry?.value;
      } else if (node.kind === 'seq' && typeof segment === 'number') {
        entry = undefined;
        node = node.items[segment];
      } else return undefined;
    }
    return node ? { key: entry, node } : undefined;
  }

  nodeAt(path: TemplatePath): TemplateNode | undefined {
    return this.entryAt(path)?.node;
  }

  /** Where the key (for a mapping entry) and the value at `path` are in the text. */
  rangeOf(path: TemplatePath): { key?: TextSpan; value: TextSpan } | undefined {
    const found = this.entryAt(path);
    if (!found) return undefined;
    return {
      key: found.key ? this.span(found.key.keyStart, found.key.keyEnd) : undefined,
      value: this.span(found.node.start, found.node.end),
    };
  }

  /** The innermost key or value at `offset` (ends inclusive, so a cursor just after a word still finds it). */
  locate(offset: number): LocatedNode | undefined {
    let node = this.root;
    if (!node || offset < node.start || offset > node.end) return undefined;
    const path: Array<string | number> = [];
    for (;;) {
      if (node.kind === 'map') {
        const entry: TemplateEntry | undefined = node.entries.find(
          (candidate) =>
            (offset >= candidate.keyStart && offset <= candidate.keyEnd) ||
            (offset >= candidate.value.start &&
              offset <= candidate.value.end &&
              candidate.value.end > candidate.value.start),
        );
        if (!entry) return { path, node, onKey: false };
        path.push(entry.key);
        if (offset >= entry.keyStart && offset <= entry.keyEnd) return { path, node: entry.value, onKey: true };
        node = entry.value;
      } else if (node.kind === 'seq') {
        const index: number = node.items.findIndex((item) => offset >= item.start && offset <= item.end);
        if (index === -1) return { path, node, onKey: false };
        path.push(index);
        node = node.items[index];
      } else return { path, node, onKey: false };
    }
  }
}

/** The plain value of a node: objects for mappings (first of repeated keys), arrays, scalars. */
function plainValueOf(node: TemplateNode): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(plainValueOf);
  const value: Record<string, unknown> = {};
  for (const [key, entry] of node.byKey) setProperty(value, key, plainValueOf(entry.value));
  return value;
}

function limitTemplate(text: string, format: 'yaml' | 'json', problem: TemplateProblem): CfnTemplate {
  return new CfnTemplate(text, format, undefined, [problem]);
}

/**
 * How YAML is read: `auto` takes the fast reader (blockYaml.ts) when the text is in its subset and the `yaml`
 * package otherwise; `yaml-package` always takes the package (tests compare the two).
 */
export type YamlReader = 'auto' | 'yaml-package';

/** Parses a template (JSON when it starts with `{`, YAML otherwise). Never throws for bad input: see `problems`. */
export function parseTemplate(text: string, yamlReader: YamlReader = 'auto'): CfnTemplate {
  const format = /^\s*\{/.test(text.slice(0, 4096)) ? 'json' : 'yaml';
  if (overByteLimit(text, TEMPLATE_LIMITS.bytes))
    return limitTemplate(text, format, {
      severity: 'error',
      code: 'too-large',
      message: `The template is larger than ${TEMPLATE_LIMITS.bytes / 1_048_576} MB, the most CloudFormation accepts; Pilot Light does not read it.`,
      start: 0,
      end: 0,
    });
  const structure = structureProblem(text, TEMPLATE_LIMITS.nestingDepth, format === 'yaml');
  if (structure)
    return limitTemplate(text, format, {
      severity: 'error',
      code: 'too-deep',
      message:
        structure.kind === 'flow'
          ? `Lists and mappings nest more than ${TEMPLATE_LIMITS.nestingDepth} levels deep here; the template is not read.`
          : `A line holds more than ${TEMPLATE_LIMITS.nestingDepth} block indicators (- ? :), nesting too deep; the template is not read.`,
      start: structure.offset,
      end: structure.offset + 1,
    });
  try {
    if (format === 'json') return parseJson(text);
    const fast = yamlReader === 'auto' ? readBlockYaml(text) : undefined;
    return fast ? new CfnTemplate(text, 'yaml', fast.root, fast.problems) : parseYaml(text);
  } catch (error) {
    if (error instanceof TemplateLimitError)
      return limitTemplate(text, format, {
        severity: 'error',
        code: error.code,
        message: error.message,
        start: error.offset,
        end: error.offset,
      });
    // Block nesting deep enough to exhaust the parser's stack.
    if (error instanceof RangeError)
      return limitTemplate(text, format, {
        severity: 'error',
        code: 'too-deep',
        message: 'The template nests too deeply to be read.',
        start: 0,
        end: 0,
      });
    throw error;
  }
}

let loadedYamlPackage: typeof YamlPackage | undefined;

/** The `yaml` package, evaluated the first time the fast reader passes a text on (its module costs time). */
function yamlPackage(): typeof YamlPackage {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load that esbuild still bundles
  loadedYamlPackage ??= require('yaml') as typeof YamlPackage;
  return loadedYamlPackage;
}

let shortFormTags: YamlPackage.Tags | undefined;

/** The short forms as YAML tags on scalars, lists and mappings: the node keeps its tag, no warning is made. */
function cloudFormationTags(): YamlPackage.Tags {
  shortFormTags ??= [...SHORT_FORM_TAGS.keys()].flatMap((tag) => [
    { tag, resolve: (source: string) => source },
    { tag, collection: 'seq' as const, nodeClass: yamlPackage().YAMLSeq, resolve: (seq: unknown) => seq },
    { tag, collection: 'map' as const, nodeClass: yamlPackage().YAMLMap, resolve: (map: unknown) => map },
  ]);
  return shortFormTags;
}

function parseYaml(text: string): CfnTemplate {
  const doc = yamlPackage().parseDocument(text, {
    prettyErrors: false,
    uniqueKeys: false,
    strict: true,
    customTags: cloudFormationTags(),
  });
  const builder = new YamlTreeBuilder(text, doc);
  for (const error of doc.errors)
    builder.problem({
      severity: 'error',
      code: `yaml-${error.code}`,
      message: `YAML: ${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
      start: error.pos[0],
      end: error.pos[1],
    });
  for (const warning of doc.warnings) {
    // Short-form tags are CloudFormation's; unknown tags get their own warning from the builder.
    if (warning.code === 'TAG_RESOLVE_FAILED') continue;
    builder.problem({
      severity: 'warning',
      code: `yaml-${warning.code}`,
      message: `YAML: ${warning.message.split('\n')[0]}`,
      start: warning.pos[0],
      end: warning.pos[1],
    });
  }
  if (doc.contents === null) return new CfnTemplate(text, 'yaml', undefined, builder.problems);
  const built = builder.build(doc.contents, 0, 0);
  return new CfnTemplate(text, 'yaml', built.node, builder.problems);
}

function parseJson(text: string): CfnTemplate {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  const builder = new JsonTreeBuilder(text);
  for (const error of errors)
    builder.problem({
      severity: 'error',
      code: `json-${printParseErrorCode(error.error)}`,
      message: `JSON: ${describeJsonError(printParseErrorCode(error.error))}`,
      start: error.offset,
      end: error.offset + error.length,
    });
  if (!tree) return new CfnTemplate(text, 'json', undefined, builder.problems);
  const built = builder.build(tree, 0, 0);
  return new CfnTemplate(text, 'json', built.node, builder.problems);
}

function describeJsonError(code: string): string {
  const words = code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return code === 'InvalidCommentToken' ? 'comments are not allowed in a JSON template' : words;
}
