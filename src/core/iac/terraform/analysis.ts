import {
  awsTypeInfo,
  knownAwsTypes,
  META_ARGUMENTS,
  META_BLOCKS,
  nearestAwsType,
  type TfTypeInfo,
} from './awsProviderTypes';
import type { SourceRange, TfBlock, TfDocument, TfReference } from './model';

/** One .tf file of a module (a folder): its URI (any string the caller uses) and its parse. */
export interface TfFile {
  uri: string;
  doc: TfDocument;
}

export type TfSymbolKind = 'resource' | 'data' | 'module' | 'variable' | 'output' | 'local' | 'provider' | 'block';

export interface TfSymbol {
  name: string;
  detail: string;
  kind: TfSymbolKind;
  range: SourceRange;
  selectionRange: SourceRange;
  children: TfSymbol[];
}

export interface TfDefinition {
  /** `aws_instance.web`, `data.aws_ami.x`, `var.env`, `local.tier`, `module.agent`. */
  address: string;
  uri: string;
  range: SourceRange;
  selectionRange: SourceRange;
  block?: TfBlock;
}

export type TfSeverity = 'error' | 'warning' | 'information';

export interface TfDiagnostic {
  message: string;
  range: SourceRange;
  severity: TfSeverity;
  code:
    | 'syntax'
    | 'broken-reference'
    | 'duplicate'
    | 'unknown-type'
    | 'unknown-argument'
    | 'missing-argument'
    | 'unknown-attribute';
}

/** The outline of one file: top-level blocks, with locals' entries and nested blocks as children. */
export function documentSymbols(doc: TfDocument): TfSymbol[] {
  return doc.blocks.map((block) => {
    const labels = block.labels.map((label) => label.value);
    const selectionRange = block.labels.at(-1)?.range ?? block.keywordRange;
    const children: TfSymbol[] =
      block.kind === 'locals'
        ? block.attributes.map((attribute) => ({
            name: attribute.name,
            detail: 'local',
            kind: 'local' as const,
            range: attribute.range,
            selectionRange: attribute.nameRange,
            children: [],
          }))
        : block.blocks.map((child) => nestedSymbol(child));
    switch (block.kind) {
      case 'resource':
      case 'data':
        return {
          name: block.address ?? labels.join('.'),
          detail: block.kind,
          kind: block.kind,
          range: block.range,
          selectionRange,
          children,
        };
      case 'module':
      case 'variable':
      case 'output':
      case 'provider':
        return {
          name: labels[0] ?? block.keyword,
          detail: block.kind,
          kind: block.kind,
          range: block.range,
          selectionRange,
          children,
        };
      default:
        return {
          name: [block.keyword, ...labels].join(' '),
          detail: '',
          kind: 'block',
          range: block.range,
          selectionRange,
          children,
        };
    }
  });
}

function nestedSymbol(block: TfBlock): TfSymbol {
  return {
    name: [block.keyword, ...block.labels.map((label) => label.value)].join(' '),
    detail: '',
    kind: 'block',
    range: block.range,
    selectionRange: block.keywordRange,
    children: block.blocks.map(nestedSymbol),
  };
}

/** Every definition a reference can name, across the module's files; duplicates keep the first. */
export function definitions(files: TfFile[]): { byAddress: Map<string, TfDefinition>; duplicates: TfDefinition[] } {
  const byAddress = new Map<string, TfDefinition>();
  const duplicates: TfDefinition[] = [];
  const add = (definition: TfDefinition) => {
    if (byAddress.has(definition.address)) duplicates.push(definition);
    else byAddress.set(definition.address, definition);
  };
  for (const { uri, doc } of files) {
    for (const block of doc.blocks) {
      if (block.kind === 'locals') {
        for (const attribute of block.attributes)
          add({ address: `local.${attribute.name}`, uri, range: attribute.range, selectionRange: attribute.nameRange });
      } else if (block.address && block.kind !== 'provider' && block.kind !== 'check') {
        add({ address: block.address, uri, range: block.range, selectionRange: block.labels.at(-1)!.range, block });
      }
    }
  }
  return { byAddress, duplicates };
}

const contains = (range: SourceRange, offset: number) => range.offset <= offset && offset <= range.endOffset;

/** The reference under the cursor (UTF-16 offset), if any. */
export function referenceAt(doc: TfDocument, offset: number): TfReference | undefined {
  return doc.references.find((reference) => contains(reference.range, offset));
}

/** The top-level block containing the offset. */
export function blockAt(doc: TfDocument, offset: number): TfBlock | undefined {
  return doc.blocks.find((block) => contains(block.range, offset));
}

/** What the symbol under the cursor names: a reference's target, or the block whose name label it is on. */
export function addressAt(doc: TfDocument, offset: number): string | undefined {
  const reference = referenceAt(doc, offset);
  if (reference) return reference.target;
  for (const block of doc.blocks) {
    if (!contains(block.range, offset)) continue;
    if (block.address && block.labels.some((label) => contains(label.range, offset))) return block.address;
    if (block.kind === 'locals') {
      const local = block.attributes.find((attribute) => contains(attribute.nameRange, offset));
      if (local) return `local.${local.name}`;
    }
  }
  return undefined;
}

export function definitionAt(files: TfFile[], uri: string, offset: number): TfDefinition | undefined {
  const file = files.find((candidate) => candidate.uri === uri);
  const address = file && addressAt(file.doc, offset);
  return address ? definitions(files).byAddress.get(address) : undefined;
}

/** Every reference to an address across the module, optionally with the definition itself. */
export function referencesTo(
  files: TfFile[],
  address: string,
  includeDefinition = false,
): Array<{ uri: string; range: SourceRange }> {
  const found: Array<{ uri: string; range: SourceRange }> = [];
  if (includeDefinition) {
    const definition = definitions(files).byAddress.get(address);
    if (definition) found.push({ uri: definition.uri, range: definition.selectionRange });
  }
  for (const { uri, doc } of files)
    for (const reference of doc.references)
      if (reference.target === address) found.push({ uri, range: reference.targetRange });
  return found;
}

const KIND_NOUN: Record<TfReference['kind'], string> = {
  resource: 'resource',
  data: 'data source',
  var: 'variable',
  local: 'local value',
  module: 'module',
  count: 'count',
  each: 'each',
};

/** Problems of one file of the module: syntax, broken references, unknown types, arguments and attributes. */
export function diagnose(files: TfFile[], uri: string): TfDiagnostic[] {
  const file = files.find((candidate) => candidate.uri === uri);
  if (!file) return [];
  const { doc } = file;
  const { byAddress, duplicates } = definitions(files);
  const found: TfDiagnostic[] = doc.problems.map((problem) => ({
    message: problem.message,
    range: problem.range,
    severity: 'error' as const,
    code: 'syntax' as const,
  }));
  for (const duplicate of duplicates)
    if (duplicate.uri === uri)
      found.push({
        message: `${duplicate.address} is declared more than once in this module.`,
        range: duplicate.selectionRange,
        severity: 'error',
        code: 'duplicate',
      });
  for (const reference of doc.references) {
    const definition = byAddress.get(reference.target);
    if (!definition) {
      found.push({
        message: `No ${KIND_NOUN[reference.kind]} ${reference.target} is declared in this module.`,
        range: reference.targetRange,
        severity: 'error',
        code: 'broken-reference',
      });
      continue;
    }
    const block = definition.block;
    if (!block || (block.kind !== 'resource' && block.kind !== 'data') || !reference.path.length) continue;
    const info = awsTypeInfo(block.kind, block.labels[0].value);
    const attribute = reference.path[0];
    if (info && !isReadable(info, attribute))
      found.push({
        message: `${block.labels[0].value} has no attribute "${attribute}" (per Pilot Light's AWS provider knowledge).`,
        range: reference.range,
        severity: 'warning',
        code: 'unknown-attribute',
      });
  }
  for (const block of doc.blocks) {
    if ((block.kind !== 'resource' && block.kind !== 'data') || !block.labels.length) continue;
    const type = block.labels[0].value;
    const info = awsTypeInfo(block.kind, type);
    if (!info) {
      const near = type.startsWith('aws_') ? nearestAwsType(block.kind, type) : undefined;
      if (near)
        found.push({
          message: `Unknown ${block.kind === 'data' ? 'data source' : 'resource'} type "${type}". Did you mean "${near}"?`,
          range: block.labels[0].range,
          severity: 'warning',
          code: 'unknown-type',
        });
      continue;
    }
    found.push(...checkArguments(block, info));
  }
  return found;
}

function isReadable(info: TfTypeInfo, attribute: string): boolean {
  return (
    info.arguments.has(attribute) ||
    info.blocks.has(attribute) ||
    info.computed.has(attribute) ||
    attribute === 'tags_all'
  );
}

function checkArguments(block: TfBlock, info: TfTypeInfo): TfDiagnostic[] {
  const found: TfDiagnostic[] = [];
  const type = block.labels[0].value;
  const set = new Set(block.attributes.map((attribute) => attribute.name));
  const nested = new Set(
    block.blocks.map((child) => (child.keyword === 'dynamic' ? child.labels[0]?.value : child.keyword)),
  );
  for (const attribute of block.attributes) {
    if (info.arguments.has(attribute.name) || META_ARGUMENTS.includes(attribute.name)) continue;
    const hint = info.computed.has(attribute.name) ? ' It is computed by the provider and cannot be set.' : '';
    found.push({
      message: `${type} has no argument "${attribute.name}".${hint}`,
      range: attribute.nameRange,
      severity: 'warning',
      code: 'unknown-argument',
    });
  }
  for (const child of block.blocks) {
    // `ingress`, `egress`, `route`: attributes that may be written as blocks.
    if (info.blocks.has(child.keyword) || info.arguments.has(child.keyword) || META_BLOCKS.includes(child.keyword))
      continue;
    found.push({
      message: `${type} has no block "${child.keyword}".`,
      range: child.keywordRange,
      severity: 'warning',
      code: 'unknown-argument',
    });
  }
  const missing = [
    ...[...info.arguments]
      .filter(([name, { required }]) => required && !set.has(name) && !nested.has(name))
      .map(([name]) => `"${name}"`),
    ...[...info.blocks]
      .filter(([name, { required }]) => required && !nested.has(name))
      .map(([name]) => `block "${name}"`),
  ];
  if (missing.length)
    found.push({
      message: `${type} needs ${missing.join(', ')}.`,
      range: block.labels[0].range,
      severity: 'error',
      code: 'missing-argument',
    });
  return found;
}

export interface TfCompletion {
  label: string;
  kind: 'type' | 'argument' | 'block' | 'reference' | 'attribute';
  detail?: string;
  /** Text to insert when it differs from the label. */
  insertText?: string;
}

/**
 * Completions at a UTF-16 offset, from the text before the cursor on its line and the parse of the file (the
 * last good parse is fine: positions are only used to find the enclosing block).
 */
export function completionsAt(files: TfFile[], uri: string, text: string, offset: number): TfCompletion[] {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const prefix = text.slice(lineStart, offset);
  const typeLabel = /^\s*(resource|data)\s+"([A-Za-z0-9_]*)$/.exec(prefix);
  if (typeLabel) {
    const kind = typeLabel[1] as 'resource' | 'data';
    return knownAwsTypes(kind).map((type) => ({
      label: type,
      kind: 'type',
      detail: `AWS ${kind === 'data' ? 'data source' : 'resource'}`,
    }));
  }
  const file = files.find((candidate) => candidate.uri === uri);
  const block = file && blockAt(file.doc, offset);
  // `aws_instance.web[0].`: indexes are skipped, as in references.
  const traversal = /(?:^|[^\w.\]-])((?:[A-Za-z_][\w-]*(?:\[[^\]\n]{0,80}\])?\.)+)([\w-]*)$/.exec(prefix);
  if (traversal) {
    const head = traversal[1]
      .slice(0, -1)
      .replace(/\[[^\]]*\]/g, '')
      .split('.');
    return head.length === 1 && (head[0] === 'count' || head[0] === 'each')
      ? iterationCompletions(block, head[0])
      : traversalCompletions(files, head);
  }
  // A value being typed (`= aws`, `"${v`): every name the module can reference.
  const value = /(?:=\s*|\$\{\s*|[[(,]\s*)([A-Za-z_][\w-]*)?$/.exec(prefix);
  if (value && !/^\s*[A-Za-z_]*$/.test(prefix))
    return !value[0].startsWith('$') && insideString(prefix) ? [] : valueCompletions(files, block);
  if (!/^\s*[A-Za-z_]*$/.test(prefix)) return [];
  if (!block || (block.kind !== 'resource' && block.kind !== 'data') || !block.labels.length) return [];
  // Only directly in the block's body, not inside a nested block.
  if (block.blocks.some((child) => contains(child.range, offset))) return [];
  const info = awsTypeInfo(block.kind, block.labels[0].value);
  if (!info) return [];
  const present = new Set(block.attributes.map((attribute) => attribute.name));
  return [
    ...[...info.arguments]
      .filter(([name]) => !present.has(name))
      .map(([name, { required }]) => ({
        label: name,
        kind: 'argument' as const,
        detail: required ? 'required' : 'optional',
        insertText: `${name} = `,
      })),
    ...[...info.blocks].map(([name, { required }]) => ({
      label: name,
      kind: 'block' as const,
      detail: required ? 'required block' : 'block',
      insertText: `${name} {\n}`,
    })),
  ];
}

/** Whether the end of a line's prefix is inside a quoted string (outside any `${…}`). */
function insideString(prefix: string): boolean {
  let quoted = false;
  let depth = 0;
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix[i];
    if (quoted && c === '\\') i++;
    else if (quoted && depth === 0 && c === '"') quoted = false;
    else if (quoted && c === '$' && prefix[i + 1] === '{') {
      depth++;
      i++;
    } else if (depth > 0 && c === '}') depth--;
    else if (!quoted && c === '"') quoted = true;
  }
  return quoted && depth === 0;
}

const hasArgument = (block: TfBlock | undefined, name: string) =>
  !!block?.attributes.some((attribute) => attribute.name === name);

/** `count.index` in a block with count; `each.key` / `each.value` in one with for_each. */
function iterationCompletions(block: TfBlock | undefined, head: 'count' | 'each'): TfCompletion[] {
  if (head === 'count')
    return hasArgument(block, 'count')
      ? [{ label: 'index', kind: 'attribute', detail: 'count.index: this instance' }]
      : [];
  return hasArgument(block, 'for_each')
    ? [
        { label: 'key', kind: 'attribute', detail: "each.key: this instance's key" },
        { label: 'value', kind: 'attribute', detail: "each.value: this instance's value" },
      ]
    : [];
}

/** The start of a reference in a value: `var`, `local`, `module`, `data`, the resource addresses of the module. */
function valueCompletions(files: TfFile[], block: TfBlock | undefined): TfCompletion[] {
  const { byAddress } = definitions(files);
  const items: TfCompletion[] = [];
  for (const [address, definition] of byAddress) {
    if (definition.block?.kind === 'output') continue;
    const repeated = hasArgument(definition.block, 'count') || hasArgument(definition.block, 'for_each');
    items.push({
      label: address,
      kind: 'reference',
      detail: `${definition.block?.kind ?? 'local'}${repeated ? ' (count/for_each: add an index)' : ''}`,
    });
  }
  if (hasArgument(block, 'count')) items.push({ label: 'count.index', kind: 'reference', detail: 'this instance' });
  if (hasArgument(block, 'for_each'))
    items.push(
      { label: 'each.key', kind: 'reference', detail: "this instance's key" },
      { label: 'each.value', kind: 'reference', detail: "this instance's value" },
    );
  return items;
}

function traversalCompletions(files: TfFile[], head: string[]): TfCompletion[] {
  const { byAddress } = definitions(files);
  const addresses = [...byAddress.keys()];
  const namesUnder = (prefix: string) =>
    addresses
      .filter((address) => address.startsWith(`${prefix}.`))
      .map((address) => address.slice(prefix.length + 1))
      .filter((rest) => !rest.includes('.'))
      .map((name) => ({ label: name, kind: 'reference' as const, detail: `${prefix}.${name}` }));
  const joined = head.join('.');
  if (head.length === 1 && ['var', 'local', 'module'].includes(head[0])) return namesUnder(head[0]);
  if (head.length === 2 && head[0] === 'data') return namesUnder(joined);
  if (head.length === 1 && head[0] === 'data')
    return [...new Set(addresses.filter((a) => a.startsWith('data.')).map((a) => a.split('.')[1]))].map((type) => ({
      label: type,
      kind: 'type' as const,
    }));
  if (head.length === 1) return namesUnder(joined);
  const target = head[0] === 'data' ? head.slice(0, 3).join('.') : head.slice(0, 2).join('.');
  const definition = byAddress.get(target);
  const block = definition?.block;
  if (!block || (block.kind !== 'resource' && block.kind !== 'data') || head.length !== (head[0] === 'data' ? 3 : 2))
    return [];
  const info = awsTypeInfo(block.kind, block.labels[0].value);
  if (!info) return [];
  return [...new Set([...info.computed, ...info.arguments.keys()])].sort().map((name) => ({
    label: name,
    kind: 'attribute' as const,
    detail: info.computed.has(name) ? 'computed' : 'argument',
  }));
}
