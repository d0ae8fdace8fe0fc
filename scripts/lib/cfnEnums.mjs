// Allowed values of CloudFormation properties, for value completion, generated at build time from
// @aws-cdk/aws-service-spec (Apache-2.0) into dist/iac/cfn-enums.json. A file of its own: it is read only when a
// property value is first completed, so it never slows the first diagnostics (cfn-types.json).
//
// Format 1: { format: 1, values: [["a", "b"], …], objects: [{ Name: 0, Nested: "#1" }, …],
//             resources: { "AWS::S3::Bucket": { Name: 3, Config: "#2" } } }
// A number indexes `values` (the property's allowed values); "#N" is objects[N], the property type (or list
// element type) holding properties with allowed values. Only objects that lead to allowed values are kept.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const CFN_ENUMS_FORMAT = 1;

export function generateCfnEnums(root) {
  const packageDir = join(root, 'node_modules', '@aws-cdk', 'aws-service-spec');
  const db = JSON.parse(gunzipSync(readFileSync(join(packageDir, 'db.json.gz'))).toString('utf8'));
  const typeDefinitions = new Map(db.schema.typeDefinition.entities.map((definition) => [definition.$id, definition]));
  const values = [];
  const valueIndex = new Map();
  const objects = [];
  /** $id → "#N", or null while being encoded / when it holds no allowed values. */
  const objectIndex = new Map();
  const allowed = (type) => {
    if (!type) return undefined;
    if (Array.isArray(type.allowedValues) && type.allowedValues.length) return type.allowedValues;
    if (type.type === 'array') return allowed(type.element);
    return undefined;
  };
  const definitionOf = (type) => {
    if (!type) return undefined;
    if (type.type === 'ref') return typeDefinitions.get(type.reference.$ref);
    if (type.type === 'array' || type.type === 'map') return definitionOf(type.element);
    return undefined;
  };
  const encodeObject = (definition) => {
    if (objectIndex.has(definition.$id)) return objectIndex.get(definition.$id) ?? undefined;
    objectIndex.set(definition.$id, null); // a cycle reads as "nothing"
    const encoded = encodeProperties(definition.properties);
    if (!encoded) return undefined;
    const reference = `#${objects.length}`;
    objects.push(encoded);
    objectIndex.set(definition.$id, reference);
    return reference;
  };
  const encodeProperties = (properties) => {
    const encoded = {};
    for (const [name, property] of Object.entries(properties ?? {})) {
      const list = allowed(property.type);
      if (list) {
        const key = JSON.stringify(list);
        if (!valueIndex.has(key)) {
          valueIndex.set(key, values.length);
          values.push(list.map(String));
        }
        encoded[name] = valueIndex.get(key);
        continue;
      }
      const definition = definitionOf(property.type);
      const reference = definition && encodeObject(definition);
      if (reference) encoded[name] = reference;
    }
    return Object.keys(encoded).length ? encoded : undefined;
  };
  const resources = {};
  for (const resource of db.schema.resource.entities) {
    const encoded = encodeProperties(resource.properties);
    if (encoded) resources[resource.cloudFormationType] = encoded;
  }
  return { format: CFN_ENUMS_FORMAT, values, objects, resources };
}
