/**
 * Checks on a parsed template: syntax problems, broken references (Ref, GetAtt, DependsOn, Sub, conditions,
 * mappings), unknown resource types, unknown and missing required properties (nested ones too), and keys
 * that are not template sections or resource attributes. Linear in the template; the list is bounded.
 */
import { RESOURCE_ATTRIBUTES, TEMPLATE_SECTIONS } from './intrinsics';
import type { TemplateMap, TemplateNode } from './nodes';
import type { CfnTemplate, TemplateReference } from './template';
import type { CfnTypeKnowledge, PropertyInfo } from './typeKnowledge';

export interface TemplateDiagnostic {
  severity: 'error' | 'warning' | 'information';
  code: string;
  message: string;
  /** Offsets in the template text (end exclusive). */
  start: number;
  end: number;
}

export const MAX_TEMPLATE_DIAGNOSTICS = 500;

/** Types whose attributes are open-ended: anything a custom resource or nested stack returns. */
const OPEN_ATTRIBUTES = /^(?:Custom::|AWS::CloudFormation::CustomResource$|AWS::CloudFormation::Stack$)/;
/** Types whose properties are open-ended (custom resources) or defined by a transform (SAM). */
const OPEN_PROPERTIES = /^(?:Custom::|AWS::CloudFormation::CustomResource$|AWS::Serverless::)/;

function isIntrinsic(node: TemplateNode): boolean {
  if (node.kind !== 'map' || node.entries.length !== 1) return false;
  const key = node.entries[0].key;
  return key === 'Ref' || key.startsWith('Fn::');
}

/** The closest name by letters, ignoring case, when it is close enough to be a likely typo. */
function suggestion(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - name.length) >= bestDistance) continue;
    const distance = editDistance(lower, candidate.toLowerCase(), bestDistance);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once it reaches `limit`. Names are short. */
function editDistance(a: string, b: string, limit: number): number {
  if (a.length > 128 || b.length > 128) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, current[j]);
    }
    if (rowMin >= limit) return limit;
    previous = current;
  }
  return Math.min(previous[b.length], limit);
}

const didYouMean = (name: string, candidates: Iterable<string>): string => {
  const close = suggestion(name, candidates);
  return close ? ` Did you mean ${close}?` : '';
};

/**
 * The diagnostics of a template. Without type knowledge (`types` undefined) the type and property checks
 * are not run, and a note says so: an unchecked template is not reported as clean.
 */
export function templateDiagnostics(template: CfnTemplate, types: CfnTypeKnowledge | undefined): TemplateDiagnostic[] {
  const found: TemplateDiagnostic[] = [];
  const add = (diagnostic: TemplateDiagnostic): void => {
    if (found.length < MAX_TEMPLATE_DIAGNOSTICS) found.push(diagnostic);
  };
  for (const problem of template.problems) add({ ...problem });
  const root = template.root;
  if (!root) return found;
  if (root.kind !== 'map') {
    add({
      severity: 'error',
      code: 'not-a-mapping',
      message: 'A template is a mapping of sections.',
      start: root.start,
      end: root.end,
    });
    return found;
  }

  for (const entry of root.entries)
    if (!(TEMPLATE_SECTIONS as readonly string[]).includes(entry.key))
      add({
        severity: 'error',
        code: 'unknown-section',
        message: `"${entry.key}" is not a template section.${didYouMean(entry.key, TEMPLATE_SECTIONS)}`,
        start: entry.keyStart,
        end: entry.keyEnd,
      });

  for (const reference of template.references) checkReference(template, reference, types, add);

  const transformed = root.byKey.has('Transform');
  const resources = root.byKey.get('Resources')?.value;
  if (resources?.kind === 'map') {
    for (const entry of resources.entries) {
      const resource = entry.value;
      if (resource.kind !== 'map') {
        add({
          severity: 'error',
          code: 'resource-shape',
          message: `Resource ${entry.key} must be a mapping with a Type.`,
          start: entry.keyStart,
          end: entry.keyEnd,
        });
        continue;
      }
      checkResource(entry.key, entry.keyStart, entry.keyEnd, resource, types, transformed, add);
    }
  } else if (template.isCloudFormation && !root.byKey.has('Resources')) {
    add({
      severity: 'warning',
      code: 'no-resources',
      message: 'The template has no Resources section; CloudFormation needs at least one resource.',
      start: 0,
      end: 0,
    });
  }
  if (!types)
    add({
      severity: 'information',
      code: 'types-unavailable',
      message: 'Resource types and properties were not checked: the type knowledge could not be loaded.',
      start: 0,
      end: 0,
    });
  return found;
}

function checkReference(
  template: CfnTemplate,
  reference: TemplateReference,
  types: CfnTypeKnowledge | undefined,
  add: (diagnostic: TemplateDiagnostic) => void,
): void {
  const resolved = template.resolve(reference);
  const at = { start: reference.start, end: reference.end };
  if (resolved.pseudo) return;
  if (!resolved.definition) {
    const what =
      reference.kind === 'Condition'
        ? { noun: 'condition', sections: ['Conditions'] as const }
        : reference.kind === 'FindInMap'
          ? { noun: 'mapping', sections: ['Mappings'] as const }
          : reference.kind === 'GetAtt' || reference.kind === 'DependsOn' || reference.attribute !== undefined
            ? { noun: 'resource', sections: ['Resources'] as const }
            : { noun: 'parameter or resource', sections: ['Parameters', 'Resources'] as const };
    const candidates = what.sections.flatMap((section) => [...(template.definitions.get(section)?.keys() ?? [])]);
    const label = reference.kind === 'Sub' ? '${} in Fn::Sub' : reference.kind;
    add({
      severity: 'error',
      code: 'broken-reference',
      message: `${label}: "${reference.target}" is not a ${what.noun} of this template.${didYouMean(reference.target, candidates)}`,
      ...at,
    });
    return;
  }
  const definition = resolved.definition;
  if (reference.kind === 'DependsOn' && reference.path[1] === reference.target) {
    add({
      severity: 'error',
      code: 'self-dependency',
      message: `Resource ${reference.target} depends on itself.`,
      ...at,
    });
    return;
  }
  if (reference.attribute === undefined || !types || definition.section !== 'Resources') return;
  const type = definition.node.kind === 'map' ? definition.node.byKey.get('Type')?.value : undefined;
  if (type?.kind !== 'scalar' || typeof type.value !== 'string' || OPEN_ATTRIBUTES.test(type.value)) return;
  const info = types.resourceType(type.value);
  if (!info || info.attributes.has(reference.attribute)) return;
  add({
    severity: 'error',
    code: 'unknown-attribute',
    message: `${type.value} has no attribute "${reference.attribute}" (${reference.target}).${didYouMean(reference.attribute, info.attributes.keys())} Attributes: ${[...info.attributes.keys()].join(', ') || 'none'}.`,
    ...at,
  });
}

function checkResource(
  logicalId: string,
  keyStart: number,
  keyEnd: number,
  resource: TemplateMap,
  types: CfnTypeKnowledge | undefined,
  transformed: boolean,
  add: (diagnostic: TemplateDiagnostic) => void,
): void {
  for (const entry of resource.entries)
    if (!RESOURCE_ATTRIBUTES.has(entry.key))
      add({
        severity: 'error',
        code: 'unknown-resource-attribute',
        message: `"${entry.key}" is not a resource attribute.${didYouMean(entry.key, RESOURCE_ATTRIBUTES)}`,
        start: entry.keyStart,
        end: entry.keyEnd,
      });
  const typeEntry = resource.byKey.get('Type');
  if (!typeEntry) {
    add({
      severity: 'error',
      code: 'missing-type',
      message: `Resource ${logicalId} has no Type.`,
      start: keyStart,
      end: keyEnd,
    });
    return;
  }
  const typeNode = typeEntry.value;
  if (typeNode.kind !== 'scalar' || typeof typeNode.value !== 'string') {
    add({
      severity: 'error',
      code: 'type-shape',
      message: 'Type must be a resource type name such as AWS::S3::Bucket.',
      start: typeNode.start,
      end: typeNode.end,
    });
    return;
  }
  const typeName = typeNode.value;
  if (!types || OPEN_PROPERTIES.test(typeName)) return;
  const info = types.resourceType(typeName);
  if (!info) {
    if (transformed && !typeName.startsWith('AWS::')) return;
    add({
      severity: 'error',
      code: 'unknown-type',
      message: `Unknown resource type ${typeName}.${didYouMean(typeName, types.resourceTypeNames)}`,
      start: typeNode.start,
      end: typeNode.end,
    });
    return;
  }
  const properties = resource.byKey.get('Properties');
  if (!properties) {
    const required = [...info.properties.values()].filter((property) => property.required).map((p) => p.name);
    if (required.length)
      add({
        severity: 'error',
        code: 'missing-required-property',
        message: `${typeName} requires ${required.join(', ')}: add a Properties section.`,
        start: typeNode.start,
        end: typeNode.end,
      });
    return;
  }
  checkProperties(properties.value, info.properties, typeName, types, properties.keyStart, properties.keyEnd, add);
}

function checkProperties(
  node: TemplateNode,
  known: ReadonlyMap<string, PropertyInfo>,
  owner: string,
  types: CfnTypeKnowledge,
  keyStart: number,
  keyEnd: number,
  add: (diagnostic: TemplateDiagnostic) => void,
): void {
  if (isIntrinsic(node) || node.kind !== 'map') return;
  for (const entry of node.entries) {
    const property = known.get(entry.key);
    if (!property) {
      add({
        severity: 'error',
        code: 'unknown-property',
        message: `"${entry.key}" is not a property of ${owner}.${didYouMean(entry.key, known.keys())}`,
        start: entry.keyStart,
        end: entry.keyEnd,
      });
      continue;
    }
    checkValue(entry.value, property, types, entry.keyStart, entry.keyEnd, add);
  }
  const missing = [...known.values()].filter((property) => property.required && !node.byKey.has(property.name));
  if (missing.length)
    add({
      severity: 'error',
      code: 'missing-required-property',
      message: `Missing required ${missing.length === 1 ? 'property' : 'properties'} of ${owner}: ${missing.map((p) => p.name).join(', ')}.`,
      start: keyStart,
      end: keyEnd,
    });
}

/** Descends into object and list values whose type the specification describes; other values pass. */
function checkValue(
  node: TemplateNode,
  property: PropertyInfo,
  types: CfnTypeKnowledge,
  keyStart: number,
  keyEnd: number,
  add: (diagnostic: TemplateDiagnostic) => void,
): void {
  if (isIntrinsic(node)) return;
  const element = types.elementType(property.type);
  if (element && node.kind === 'seq') {
    const objectProperties = types.objectProperties(element);
    if (!objectProperties) return;
    const owner = types.typeName(element) ?? property.name;
    for (const item of node.items)
      checkProperties(item, objectProperties, owner, types, item.start, item.start + 1, add);
    return;
  }
  const objectProperties = types.objectProperties(property.type);
  if (objectProperties && node.kind === 'map')
    checkProperties(
      node,
      objectProperties,
      types.typeName(property.type) ?? property.name,
      types,
      keyStart,
      keyEnd,
      add,
    );
}
