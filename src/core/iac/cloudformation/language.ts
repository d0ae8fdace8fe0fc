/**
 * Editor answers for a CloudFormation template, in offsets (the VS Code adapters convert them): outline,
 * definition, references, hover and completion. Plain Node; the type knowledge is optional everywhere.
 */
import { getLocation } from 'jsonc-parser';
import {
  DEFINITION_SECTIONS,
  PSEUDO_PARAMETERS,
  RESOURCE_ATTRIBUTES,
  TEMPLATE_SECTIONS,
  type DefinitionSection,
} from './intrinsics';
import type { TemplateNode } from './nodes';
import { parseTemplate, type CfnTemplate, type TemplateDefinition, type TemplateReference } from './template';
import type { CfnEnums } from './languageEnums';
import type { CfnTypeKnowledge, PropertyInfo } from './typeKnowledge';

export interface OffsetRange {
  start: number;
  end: number;
}

export type TemplateSymbolKind = 'section' | 'parameter' | 'mapping' | 'condition' | 'resource' | 'output' | 'rule';

export interface TemplateSymbol {
  name: string;
  detail?: string;
  kind: TemplateSymbolKind;
  /** The whole entry, key to the end of its value. */
  range: OffsetRange;
  /** The key. */
  selection: OffsetRange;
  children: TemplateSymbol[];
}

const SYMBOL_KIND: Record<DefinitionSection, TemplateSymbolKind> = {
  Parameters: 'parameter',
  Mappings: 'mapping',
  Conditions: 'condition',
  Resources: 'resource',
  Outputs: 'output',
  Rules: 'rule',
};

function scalarText(node: TemplateNode | undefined): string | undefined {
  return node?.kind === 'scalar' && node.value !== null ? String(node.value) : undefined;
}

/** The outline: every section, with its definitions (resources with their type) as children. */
export function documentSymbols(template: CfnTemplate): TemplateSymbol[] {
  const root = template.root;
  if (root?.kind !== 'map') return [];
  return root.entries.map((entry) => {
    const section = entry.key as DefinitionSection;
    const definitions = (DEFINITION_SECTIONS as readonly string[]).includes(entry.key)
      ? [...(template.definitions.get(section)?.values() ?? [])]
      : [];
    return {
      name: entry.key,
      kind: 'section' as const,
      range: { start: entry.keyStart, end: Math.max(entry.keyEnd, entry.value.end) },
      selection: { start: entry.keyStart, end: entry.keyEnd },
      ...(entry.value.kind === 'scalar' && entry.value.value !== null ? { detail: String(entry.value.value) } : {}),
      children: definitions.map((definition) => {
        const detail =
          section === 'Resources'
            ? scalarText(definition.node.kind === 'map' ? definition.node.byKey.get('Type')?.value : undefined)
            : section === 'Parameters'
              ? scalarText(definition.node.kind === 'map' ? definition.node.byKey.get('Type')?.value : undefined)
              : undefined;
        return {
          name: definition.name,
          kind: SYMBOL_KIND[section],
          range: { start: definition.keyStart, end: Math.max(definition.keyEnd, definition.node.end) },
          selection: { start: definition.keyStart, end: definition.keyEnd },
          ...(detail ? { detail } : {}),
          children: [],
        };
      }),
    };
  });
}

/** The reference whose name is at `offset` (ends inclusive). References are sorted by start: binary search. */
export function referenceAt(template: CfnTemplate, offset: number): TemplateReference | undefined {
  const references = template.references;
  let low = 0;
  let high = references.length - 1;
  let candidate = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (references[middle].start <= offset) {
      candidate = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  for (let index = candidate; index >= 0 && index > candidate - 4; index--)
    if (references[index].start <= offset && offset <= references[index].end) return references[index];
  return undefined;
}

/** The definition whose key is at `offset`. */
export function definitionKeyAt(template: CfnTemplate, offset: number): TemplateDefinition | undefined {
  for (const section of DEFINITION_SECTIONS)
    for (const definition of template.definitions.get(section)?.values() ?? [])
      if (definition.keyStart <= offset && offset <= definition.keyEnd) return definition;
  return undefined;
}

/** Where the name at `offset` is defined (the key of the parameter, resource, condition or mapping). */
export function definitionAt(template: CfnTemplate, offset: number): TemplateDefinition | undefined {
  const reference = referenceAt(template, offset);
  if (reference) return template.resolve(reference).definition;
  return definitionKeyAt(template, offset);
}

/** Every place that names what is at `offset` (a reference or a definition's key); the key itself first when asked. */
export function referencesAt(template: CfnTemplate, offset: number, includeDeclaration: boolean): OffsetRange[] {
  const definition = definitionAt(template, offset);
  if (!definition) return [];
  const ranges = template.referencesTo(definition).map(({ start, end }) => ({ start, end }));
  return includeDeclaration ? [{ start: definition.keyStart, end: definition.keyEnd }, ...ranges] : ranges;
}

const UPDATE_TEXT = {
  replacement: 'Update requires replacement',
  'conditional-replacement': 'Update may require replacement',
  'no-replacement': 'Update without replacement',
} as const;

const docsUrl = (type: string): string => {
  const [, service, resource] = type.split('::');
  return `https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-${service?.toLowerCase()}-${resource?.toLowerCase()}.html`;
};

function describeProperty(property: PropertyInfo, types: CfnTypeKnowledge, owner: string): string {
  const lines = [
    `**${property.name}** — ${types.describeType(property.type)}${property.required ? ', required' : ''}${property.deprecated ? ', deprecated' : ''}`,
    '',
    `${owner} · ${UPDATE_TEXT[property.update]}`,
  ];
  if (property.summary) lines.push('', property.summary);
  return lines.join('\n');
}

/** The resource type and property path of an offset inside Resources.<id>.Properties, if it is there. */
function propertyContext(
  template: CfnTemplate,
  path: ReadonlyArray<string | number>,
): { resourceType: string; propertyPath: Array<string | number> } | undefined {
  if (path[0] !== 'Resources' || path.length < 3 || path[2] !== 'Properties') return undefined;
  const type = scalarText(template.nodeAt(['Resources', path[1], 'Type']));
  if (!type) return undefined;
  // Intrinsic keys (e.g. Fn::If inside a property) are not property names: drop them and their arguments' index.
  const propertyPath: Array<string | number> = [];
  for (let index = 3; index < path.length; index++) {
    const segment = path[index];
    if (typeof segment === 'string' && (segment === 'Ref' || segment.startsWith('Fn::'))) {
      if (segment === 'Fn::If' && typeof path[index + 1] === 'number') index++;
      continue;
    }
    propertyPath.push(segment);
  }
  return { resourceType: type, propertyPath };
}

/** Markdown for a hover at `offset`: a resource type, a property, or what a reference names. */
export function hoverAt(
  template: CfnTemplate,
  offset: number,
  types: CfnTypeKnowledge | undefined,
): { markdown: string; range: OffsetRange } | undefined {
  const reference = referenceAt(template, offset);
  if (reference) {
    const resolved = template.resolve(reference);
    const range = { start: reference.start, end: reference.end };
    if (resolved.pseudo) return { markdown: `**${reference.target}** — pseudo parameter`, range };
    const definition = resolved.definition;
    if (!definition) return undefined;
    return { markdown: describeDefinition(definition, types, reference.attribute), range };
  }
  const located = template.locate(offset);
  if (!located) return undefined;
  const { path, node, onKey } = located;
  if (
    !onKey &&
    path.length === 3 &&
    path[0] === 'Resources' &&
    path[2] === 'Type' &&
    node.kind === 'scalar' &&
    typeof node.value === 'string'
  ) {
    const info = types?.resourceType(node.value);
    if (!info) return undefined;
    const lines = [`**${info.name}**`];
    if (info.summary) lines.push('', info.summary);
    if (info.primaryIdentifier.length) lines.push('', `Primary identifier: ${info.primaryIdentifier.join(', ')}`);
    if (info.attributes.size) lines.push('', `GetAtt: ${[...info.attributes.keys()].join(', ')}`);
    lines.push('', `[Documentation](${docsUrl(info.name)})`);
    return { markdown: lines.join('\n'), range: { start: node.start, end: node.end } };
  }
  if (onKey && types) {
    const context = propertyContext(template, path);
    if (!context || context.propertyPath.length === 0) return undefined;
    const name = context.propertyPath[context.propertyPath.length - 1];
    if (typeof name !== 'string') return undefined;
    const properties = types.propertiesAt(context.resourceType, context.propertyPath.slice(0, -1));
    const property = properties?.get(name);
    if (!property) return undefined;
    const entry = template.entryAt(path)?.key;
    const range = entry ? { start: entry.keyStart, end: entry.keyEnd } : { start: node.start, end: node.end };
    return { markdown: describeProperty(property, types, context.resourceType), range };
  }
  return undefined;
}

function describeDefinition(
  definition: TemplateDefinition,
  types: CfnTypeKnowledge | undefined,
  attribute?: string,
): string {
  const node = definition.node;
  const field = (key: string) => scalarText(node.kind === 'map' ? node.byKey.get(key)?.value : undefined);
  switch (definition.section) {
    case 'Parameters': {
      const defaultValue = field('Default');
      return `**${definition.name}** — parameter (${field('Type') ?? 'no type'})${defaultValue !== undefined ? `, default \`${defaultValue}\`` : ''}${field('Description') ? `\n\n${field('Description')}` : ''}`;
    }
    case 'Resources': {
      const type = field('Type') ?? 'no type';
      const attributeType = attribute && types?.resourceType(type)?.attributes.get(attribute);
      return `**${definition.name}** — resource ${type}${attribute ? `\n\nAttribute ${attribute}${attributeType ? `: ${types!.describeType(attributeType)}` : ''}` : ''}`;
    }
    case 'Conditions':
      return `**${definition.name}** — condition`;
    case 'Mappings':
      return `**${definition.name}** — mapping`;
    default:
      return `**${definition.name}**`;
  }
}

export type CompletionKind =
  'resource-type' | 'property' | 'section' | 'resource-attribute' | 'reference' | 'attribute' | 'value';

export interface TemplateCompletion {
  label: string;
  kind: CompletionKind;
  detail?: string;
  documentation?: string;
  /** Text to insert and to filter by (defaults to the label); set for JSON, where the quotes are replaced too. */
  insertText?: string;
  /** The text the completion replaces (the word typed so far). */
  replace: OffsetRange;
  /** Sort first (required properties). */
  preselect?: boolean;
}

interface CompletionContext {
  /** Path of the mapping whose keys are being typed, or of the key whose value is being typed. */
  path: Array<string | number>;
  position: 'key' | 'value';
  replace: OffsetRange;
  /** The word typed so far. */
  prefix: string;
  /** The YAML short-form tag before the value, e.g. !Ref. */
  tag?: string;
}

const WORD = /[A-Za-z0-9_:.-]*$/;

/** Where the cursor is, read from the text around it (the template may be half typed). */
function completionContext(template: CfnTemplate, offset: number): CompletionContext | undefined {
  const text = template.text;
  if (template.format === 'json') {
    const location = getLocation(text, offset);
    const word = WORD.exec(text.slice(Math.max(0, offset - 256), offset))?.[0] ?? '';
    const node = location.previousNode;
    const replace =
      node &&
      (node.type === 'string' || node.type === 'property') &&
      node.offset <= offset &&
      offset <= node.offset + node.length
        ? { start: node.offset, end: node.offset + node.length }
        : { start: offset - word.length, end: offset };
    const path = location.path.slice() as Array<string | number>;
    if (location.isAtPropertyKey) return { path: path.slice(0, -1), position: 'key', replace, prefix: word };
    return { path, position: 'value', replace, prefix: word };
  }
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const linePrefix = text.slice(lineStart, offset);
  const keyMatch = /^(\s*)((?:-\s+)*)([A-Za-z0-9_:]*)$/.exec(linePrefix);
  const valueMatch = /^(\s*)((?:-\s+)*)([A-Za-z0-9_:]+)\s*:\s+(!\w+\s+)?([^\s#]*)$/.exec(linePrefix);
  const match = keyMatch ?? valueMatch;
  if (!match) return undefined;
  const indent = match[1].length + match[2].length;
  const parentPath = yamlParentPath(template, lineStart, indent);
  if (!parentPath) return undefined;
  if (keyMatch) {
    // Items of a list (`- Key`) are mappings inside the list: any index stands for "an element".
    const path = match[2] ? [...parentPath, 0] : parentPath;
    return { path, position: 'key', replace: { start: offset - match[3].length, end: offset }, prefix: match[3] };
  }
  const value = valueMatch![5];
  const tag = valueMatch![4]?.trim();
  return {
    path: [...parentPath, ...(match[2] ? [0] : []), valueMatch![3]],
    position: 'value',
    replace: { start: offset - value.length, end: offset },
    prefix: value,
    ...(tag ? { tag } : {}),
  };
}

/**
 * The path of the mapping that a YAML line at `indent` belongs to: the nearest line above with a smaller
 * indentation is its parent key. The current line is blanked before parsing, so a half-typed line does not
 * hide the structure around it.
 */
function yamlParentPath(template: CfnTemplate, lineStart: number, indent: number): Array<string | number> | undefined {
  if (indent === 0) return [];
  const text = template.text;
  let cursor = lineStart - 1;
  let searched = 0;
  while (cursor > 0 && searched < 2000) {
    searched++;
    const start = text.lastIndexOf('\n', cursor - 1) + 1;
    const line = text.slice(start, cursor);
    cursor = start - 1;
    const content = /^(\s*)((?:-\s+)*)([^\s#].*)?$/.exec(line);
    if (!content?.[3]) continue;
    const lineIndent = content[1].length + content[2].length;
    if (lineIndent >= indent) continue;
    const lineEnd = text.indexOf('\n', lineStart);
    const blanked =
      text.slice(0, lineStart) +
      text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd).replace(/[^\s]/g, ' ') +
      (lineEnd === -1 ? '' : text.slice(lineEnd));
    const patched = blanked === text ? template : parseTemplate(blanked);
    const located = patched.locate(start + lineIndent);
    return located?.path;
  }
  return undefined;
}

/**
 * Completion items at `offset`: sections, resource attributes, resource types, properties, references
 * (`Ref`, `GetAtt` in every form), and allowed property values when `enums` is given.
 */
export function completionsAt(
  template: CfnTemplate,
  offset: number,
  types: CfnTypeKnowledge | undefined,
  enums?: CfnEnums,
): TemplateCompletion[] {
  const items = intrinsicItems(template, offset, types) ?? completionItems(template, offset, types, enums);
  // In JSON the replaced text is the whole string, quotes included: insert a quoted string.
  if (template.format === 'json')
    return items.map((item) =>
      template.text[item.replace.start] === '"' ? { ...item, insertText: JSON.stringify(item.label) } : item,
    );
  return items;
}

function refItems(template: CfnTemplate, replace: OffsetRange): TemplateCompletion[] {
  return [
    ...[...(template.definitions.get('Parameters')?.keys() ?? [])].map((name) => ({
      label: name,
      kind: 'reference' as const,
      detail: 'parameter',
      replace,
    })),
    ...[...(template.definitions.get('Resources')?.keys() ?? [])].map((name) => ({
      label: name,
      kind: 'reference' as const,
      detail: `resource ${scalarText(template.nodeAt(['Resources', name, 'Type'])) ?? ''}`.trim(),
      replace,
    })),
    ...[...PSEUDO_PARAMETERS].map((name) => ({
      label: name,
      kind: 'reference' as const,
      detail: 'pseudo parameter',
      replace,
    })),
  ];
}

function resourceItems(template: CfnTemplate, replace: OffsetRange): TemplateCompletion[] {
  return [...(template.definitions.get('Resources')?.keys() ?? [])].map((name) => ({
    label: name,
    kind: 'reference' as const,
    detail: `resource ${scalarText(template.nodeAt(['Resources', name, 'Type'])) ?? ''}`.trim(),
    replace,
  }));
}

/** The attributes of a resource of the template: `Logical.Attribute` when `dotted`, else the attribute alone. */
function attributeItems(
  template: CfnTemplate,
  logicalId: string,
  types: CfnTypeKnowledge | undefined,
  replace: OffsetRange,
  dotted: boolean,
): TemplateCompletion[] {
  const type = scalarText(template.nodeAt(['Resources', logicalId, 'Type']));
  const info = type && types ? types.resourceType(type) : undefined;
  return [...(info?.attributes ?? [])].map(([attribute, attributeType]) => ({
    label: dotted ? `${logicalId}.${attribute}` : attribute,
    kind: 'attribute' as const,
    detail: types!.describeType(attributeType),
    replace,
  }));
}

/** `Logical.Attr` typed so far: resources until a dot, then that resource's attributes. */
function getAttItems(
  template: CfnTemplate,
  word: string,
  types: CfnTypeKnowledge | undefined,
  replace: OffsetRange,
): TemplateCompletion[] {
  const dot = word.indexOf('.');
  return dot > 0
    ? attributeItems(template, word.slice(0, dot), types, replace, true)
    : resourceItems(template, replace);
}

/**
 * References inside intrinsic functions wherever they are written in YAML: `!Ref X` and `!GetAtt X.Y` after a
 * key, in a list item or in a flow sequence; `Ref: X`; `Fn::GetAtt: X.Y`, `Fn::GetAtt: [X, Y]`; and the items
 * of a block list under `Fn::GetAtt` (YAML and JSON). Undefined when the cursor is in none of them.
 */
function intrinsicItems(
  template: CfnTemplate,
  offset: number,
  types: CfnTypeKnowledge | undefined,
): TemplateCompletion[] | undefined {
  const text = template.text;
  if (template.format === 'json') {
    const location = getLocation(text, offset);
    const path = location.path;
    const index = path.length >= 2 ? path[path.length - 1] : undefined;
    if (location.isAtPropertyKey || typeof index !== 'number' || path[path.length - 2] !== 'Fn::GetAtt')
      return undefined;
    const context = completionContext(template, offset);
    if (!context) return undefined;
    if (index === 0) return resourceItems(template, context.replace);
    const logicalId = scalarText(template.nodeAt([...path.slice(0, -1), 0] as Array<string | number>));
    return logicalId ? attributeItems(template, logicalId, types, context.replace, false) : [];
  }
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const line = text.slice(lineStart, offset);
  const range = (word: string) => ({ start: offset - word.length, end: offset });
  const ref = /(?:^|[\s[,{])(?:!Ref\s+|Ref:\s+)([A-Za-z0-9_:]*)$/.exec(line);
  if (ref) return refItems(template, range(ref[1]));
  const dotted = /(?:^|[\s[,{])(?:!GetAtt\s+|Fn::GetAtt:\s+)([A-Za-z0-9_.]*)$/.exec(line);
  if (dotted) return getAttItems(template, dotted[1], types, range(dotted[1]));
  const listFirst = /(?:!GetAtt\s*|Fn::GetAtt:\s*)\[\s*([A-Za-z0-9_]*)$/.exec(line);
  if (listFirst) return resourceItems(template, range(listFirst[1]));
  const listSecond = /(?:!GetAtt\s*|Fn::GetAtt:\s*)\[\s*([A-Za-z0-9_]+)\s*,\s*([A-Za-z0-9_.]*)$/.exec(line);
  if (listSecond) return attributeItems(template, listSecond[1], types, range(listSecond[2]), false);
  // A block list under `Fn::GetAtt:` (or `!GetAtt`): the first item names the resource, the second the attribute.
  const item = /^(\s*)-\s+([A-Za-z0-9_.]*)$/.exec(line);
  if (!item) return undefined;
  const indent = item[1].length;
  let cursor = lineStart - 1;
  let previous: string[] = [];
  for (let scanned = 0; cursor > 0 && scanned < 3; scanned++) {
    const start = text.lastIndexOf('\n', cursor - 1) + 1;
    const above = text.slice(start, cursor);
    cursor = start - 1;
    const sibling = new RegExp(`^\\s{${indent}}-\\s+([A-Za-z0-9_]+)\\s*$`).exec(above);
    if (sibling) {
      previous = [sibling[1], ...previous];
      continue;
    }
    if (/(?:Fn::GetAtt:|!GetAtt)\s*$/.test(above) && (/^\s*/.exec(above)?.[0].length ?? 0) <= indent) {
      if (previous.length === 0) return resourceItems(template, range(item[2]));
      if (previous.length === 1) return attributeItems(template, previous[0], types, range(item[2]), false);
      return [];
    }
    break;
  }
  return undefined;
}

/** The allowed values of the property whose value is being typed, from the specification. */
function valueItems(
  template: CfnTemplate,
  path: Array<string | number>,
  replace: OffsetRange,
  enums: CfnEnums | undefined,
): TemplateCompletion[] {
  const context = enums && propertyContext(template, path);
  if (!context || !context.propertyPath.length) return [];
  const allowed = enums!.allowedValues(context.resourceType, context.propertyPath);
  return (allowed ?? []).map((value) => ({ label: value, kind: 'value' as const, detail: 'allowed value', replace }));
}

function completionItems(
  template: CfnTemplate,
  offset: number,
  types: CfnTypeKnowledge | undefined,
  enums?: CfnEnums,
): TemplateCompletion[] {
  const context = completionContext(template, offset);
  if (!context) return [];
  const { path, position, replace } = context;
  if (position === 'key') {
    if (path.length === 0)
      return TEMPLATE_SECTIONS.map((section) => ({ label: section, kind: 'section' as const, replace }));
    if (path.length === 2 && path[0] === 'Resources')
      return [...RESOURCE_ATTRIBUTES].map((attribute) => ({
        label: attribute,
        kind: 'resource-attribute' as const,
        replace,
      }));
    const context = types && propertyContext(template, [...path, '']);
    if (!context || !types) return [];
    const properties = types.propertiesAt(context.resourceType, context.propertyPath.slice(0, -1));
    if (!properties) return [];
    const present = template.nodeAt(path);
    const existing = present?.kind === 'map' ? present.byKey : undefined;
    return [...properties.values()]
      .filter((property) => !existing?.has(property.name))
      .map((property) => ({
        label: property.name,
        kind: 'property' as const,
        detail: `${types.describeType(property.type)}${property.required ? ' (required)' : ''}`,
        ...(property.summary ? { documentation: property.summary } : {}),
        replace,
        ...(property.required ? { preselect: true } : {}),
      }));
  }
  const key = path[path.length - 1];
  if (path.length === 3 && path[0] === 'Resources' && key === 'Type') {
    return (types?.resourceTypeNames ?? []).map((name) => ({
      label: name,
      kind: 'resource-type' as const,
      ...(types?.resourceType(name)?.summary ? { documentation: types.resourceType(name)!.summary } : {}),
      replace,
    }));
  }
  if (context.tag === '!Ref' || key === 'Ref') return refItems(template, replace);
  if (context.tag === '!GetAtt') {
    const dot = context.prefix.indexOf('.');
    if (dot > 0 && types) {
      const type = scalarText(template.nodeAt(['Resources', context.prefix.slice(0, dot), 'Type']));
      const info = type ? types.resourceType(type) : undefined;
      return [...(info?.attributes.keys() ?? [])].map((attribute) => ({
        label: `${context.prefix.slice(0, dot)}.${attribute}`,
        kind: 'attribute' as const,
        detail: types.describeType(info!.attributes.get(attribute)!),
        replace,
      }));
    }
    return [...(template.definitions.get('Resources')?.keys() ?? [])].map((name) => ({
      label: name,
      kind: 'reference' as const,
      detail: 'resource',
      replace,
    }));
  }
  if (key === 'DependsOn' || (path.length >= 3 && path[2] === 'DependsOn'))
    return [...(template.definitions.get('Resources')?.keys() ?? [])]
      .filter((name) => name !== path[1])
      .map((name) => ({ label: name, kind: 'reference' as const, detail: 'resource', replace }));
  if ((key === 'Condition' && path.length === 3) || context.tag === '!Condition')
    return [...(template.definitions.get('Conditions')?.keys() ?? [])].map((name) => ({
      label: name,
      kind: 'reference' as const,
      detail: 'condition',
      replace,
    }));
  if (!context.tag && typeof key === 'string' && !key.startsWith('Fn::') && key !== 'Ref')
    return valueItems(template, path, replace, enums);
  return [];
}
