// CloudFormation type knowledge for the editor, generated at build time from @aws-cdk/aws-service-spec
// (Apache-2.0): every resource type with its properties (type, required, update behaviour, a one-sentence
// summary), attributes and primary identifier, and the property types they use (without summaries: they
// would double the file; the VSIX must stay under 4 MB). The database (15 MB of
// JSON) is never shipped; the compact file is read by src/core/iac/cloudformation/typeKnowledge.ts.
//
// Format 1 (dist/iac/cfn-types.json):
//   { format: 1, source: { package, version, licence },
//     resources: { "AWS::S3::Bucket": { d: summary, id: [..], p: { Name: [type, flags, summary?] }, a: { Name: type } } },
//     types: [ { n: name, p: { … as above, no summaries } } ] }
// A type is a string: string | number | integer | boolean | json | date-time | tag, `#N` for types[N],
// `T[]` for a list, `map<T>` for a map, `A|B` for a union. Flags: 1 required, 2 replacement, 4 replacement
// in some cases, 8 deprecated.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const CFN_TYPES_FORMAT = 1;
export const SPEC_PACKAGE = '@aws-cdk/aws-service-spec';

const SUMMARY_LIMIT = 240;

/** The first sentence of a documentation text, markdown links reduced to their text. */
export function summarise(documentation) {
  if (typeof documentation !== 'string' || !documentation.trim()) return undefined;
  const paragraph = documentation.trim().split(/\n/)[0];
  const plain = paragraph
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\s+/g, ' ')
    .replace(/ ([.,;:])/g, '$1')
    .trim();
  const sentence = /^(.*?[.!?])(?:\s|$)/.exec(plain)?.[1] ?? plain;
  return sentence.length > SUMMARY_LIMIT ? `${sentence.slice(0, SUMMARY_LIMIT - 1)}…` : sentence;
}

export function generateCfnTypes(root) {
  const packageDir = join(root, 'node_modules', SPEC_PACKAGE);
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const db = JSON.parse(gunzipSync(readFileSync(join(packageDir, 'db.json.gz'))).toString('utf8'));
  // Type definitions by id (the database lists them as an array).
  const typeDefinitions = new Map(db.schema.typeDefinition.entities.map((definition) => [definition.$id, definition]));
  const typeIndex = new Map();
  const types = [];
  const encodeType = (type) => {
    switch (type.type) {
      case 'array':
        return `${wrapUnion(encodeType(type.element))}[]`;
      case 'map':
        return `map<${encodeType(type.element)}>`;
      case 'union':
        return type.types.map(encodeType).join('|');
      case 'ref': {
        const id = type.reference.$ref;
        if (!typeIndex.has(id)) {
          const definition = typeDefinitions.get(id);
          if (!definition) return 'json';
          typeIndex.set(id, types.length);
          const entry = { n: definition.name };
          types.push(entry);
          entry.p = encodeProperties(definition.properties, false);
        }
        return `#${typeIndex.get(id)}`;
      }
      default:
        return type.type;
    }
  };
  const wrapUnion = (encoded) => (encoded.includes('|') ? `(${encoded})` : encoded);
  const encodeProperties = (properties = {}, withSummaries = true) => {
    const encoded = {};
    for (const [name, property] of Object.entries(properties)) {
      let flags = 0;
      if (property.required) flags |= 1;
      if (property.causesReplacement === 'yes') flags |= 2;
      if (property.causesReplacement === 'maybe') flags |= 4;
      if (property.deprecated) flags |= 8;
      const summary = withSummaries ? summarise(property.documentation) : undefined;
      encoded[name] = summary ? [encodeType(property.type), flags, summary] : [encodeType(property.type), flags];
    }
    return encoded;
  };
  const resources = {};
  const sorted = [...db.schema.resource.entities].sort((a, b) =>
    a.cloudFormationType.localeCompare(b.cloudFormationType),
  );
  for (const resource of sorted) {
    const entry = {};
    const summary = summarise(resource.documentation);
    if (summary) entry.d = summary;
    if (resource.primaryIdentifier?.length) entry.id = resource.primaryIdentifier;
    entry.p = encodeProperties(resource.properties);
    const attributes = {};
    for (const [name, attribute] of Object.entries(resource.attributes ?? {}))
      attributes[name] = encodeType(attribute.type);
    entry.a = attributes;
    resources[resource.cloudFormationType] = entry;
  }
  const data = {
    format: CFN_TYPES_FORMAT,
    source: { package: SPEC_PACKAGE, version: manifest.version, licence: manifest.license },
    resources,
    types,
  };
  return { data, packageDir, resourceCount: sorted.length };
}
