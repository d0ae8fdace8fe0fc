/**
 * CloudFormation resource types and their properties, read from the compact file that the build generates
 * from @aws-cdk/aws-service-spec (scripts/lib/cfnTypes.mjs → dist/iac/cfn-types.json.br). Loaded once, on
 * first use.
 */
import { readDataFile } from './dataFile';

export const CFN_TYPES_FORMAT = 2;

/** [type, flags, summary?] as the generator writes it. */
type EncodedProperty = [string, number, string?];

interface EncodedPropertyMap {
  [name: string]: EncodedProperty;
}

interface EncodedResource {
  d?: string;
  id?: string[];
  p: EncodedPropertyMap;
  a: Record<string, string>;
}

interface EncodedType {
  n: string;
  p: EncodedPropertyMap;
}

/** Entries are JSON strings, decoded on first use (scripts/lib/cfnTypes.mjs). */
interface EncodedFile {
  format: number;
  source: { package: string; version: string; licence: string };
  resources: Record<string, string>;
  types: string[];
}

export type UpdateBehaviour = 'replacement' | 'conditional-replacement' | 'no-replacement';

export interface PropertyInfo {
  name: string;
  /** Encoded type: string, number, integer, boolean, json, date-time, tag, `#N`, `T[]`, `map<T>`, `A|B`. */
  type: string;
  required: boolean;
  update: UpdateBehaviour;
  deprecated: boolean;
  summary?: string;
}

export interface ResourceTypeInfo {
  name: string;
  summary?: string;
  primaryIdentifier: string[];
  attributes: ReadonlyMap<string, string>;
  properties: ReadonlyMap<string, PropertyInfo>;
}

const FLAG_REQUIRED = 1;
const FLAG_REPLACEMENT = 2;
const FLAG_MAYBE_REPLACEMENT = 4;
const FLAG_DEPRECATED = 8;

function decodeProperties(encoded: EncodedPropertyMap): Map<string, PropertyInfo> {
  const properties = new Map<string, PropertyInfo>();
  for (const [name, [type, flags, summary]] of Object.entries(encoded))
    properties.set(name, {
      name,
      type,
      required: (flags & FLAG_REQUIRED) !== 0,
      update:
        flags & FLAG_REPLACEMENT
          ? 'replacement'
          : flags & FLAG_MAYBE_REPLACEMENT
            ? 'conditional-replacement'
            : 'no-replacement',
      deprecated: (flags & FLAG_DEPRECATED) !== 0,
      ...(summary ? { summary } : {}),
    });
  return properties;
}

/** The members of a union type (`A|B`, parentheses around a union inside a list). */
function unionMembers(type: string): string[] {
  const members: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < type.length; index++) {
    const char = type[index];
    if (char === '(' || char === '<') depth++;
    else if (char === ')' || char === '>') depth--;
    else if (char === '|' && depth === 0) {
      members.push(type.slice(start, index));
      start = index + 1;
    }
  }
  members.push(type.slice(start));
  return members.map((member) => (member.startsWith('(') && member.endsWith(')') ? member.slice(1, -1) : member));
}

export class CfnTypeKnowledge {
  private readonly resourceCache = new Map<string, ResourceTypeInfo>();
  private readonly typeCache = new Map<number, Map<string, PropertyInfo>>();
  private readonly typeEntries = new Map<number, EncodedType>();
  readonly resourceTypeNames: readonly string[];

  private constructor(private readonly file: EncodedFile) {
    this.resourceTypeNames = Object.keys(file.resources);
  }

  static parse(json: string): CfnTypeKnowledge {
    const file = JSON.parse(json) as EncodedFile;
    if (file?.format !== CFN_TYPES_FORMAT || typeof file.resources !== 'object' || !Array.isArray(file.types))
      throw new Error(
        `The CloudFormation type file has format ${String(file?.format)}; this build reads format ${CFN_TYPES_FORMAT}. Rebuild the extension (npm run build).`,
      );
    return new CfnTypeKnowledge(file);
  }

  get source(): { package: string; version: string } {
    return { package: this.file.source.package, version: this.file.source.version };
  }

  hasResourceType(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.file.resources, name);
  }

  resourceType(name: string): ResourceTypeInfo | undefined {
    if (!this.hasResourceType(name)) return undefined;
    let info = this.resourceCache.get(name);
    if (!info) {
      const encoded = JSON.parse(this.file.resources[name]) as EncodedResource;
      info = {
        name,
        summary: encoded.d,
        primaryIdentifier: encoded.id ?? [],
        attributes: new Map(Object.entries(encoded.a)),
        properties: decodeProperties(encoded.p),
      };
      this.resourceCache.set(name, info);
    }
    return info;
  }

  /** The property type named by `#N`, by its name in the specification (e.g. BlockDeviceMapping). */
  typeName(type: string): string | undefined {
    return /^#\d+$/.test(type) ? this.typeEntry(Number(type.slice(1)))?.n : undefined;
  }

  private typeEntry(index: number): EncodedType | undefined {
    let entry = this.typeEntries.get(index);
    if (!entry && typeof this.file.types[index] === 'string') {
      entry = JSON.parse(this.file.types[index]) as EncodedType;
      this.typeEntries.set(index, entry);
    }
    return entry;
  }

  /** The properties of an object type (`#N`), or undefined for anything else. */
  objectProperties(type: string): ReadonlyMap<string, PropertyInfo> | undefined {
    if (!/^#\d+$/.test(type)) return undefined;
    const index = Number(type.slice(1));
    let properties = this.typeCache.get(index);
    if (!properties) {
      const encoded = this.typeEntry(index);
      if (!encoded) return undefined;
      properties = decodeProperties(encoded.p);
      this.typeCache.set(index, properties);
    }
    return properties;
  }

  /** The element type of a list type (`T[]`), or undefined. */
  elementType(type: string): string | undefined {
    if (!type.endsWith('[]')) return undefined;
    const element = type.slice(0, -2);
    return element.startsWith('(') && element.endsWith(')') ? element.slice(1, -1) : element;
  }

  /**
   * The properties that may appear at `path` inside a resource's Properties (list indexes skipped), e.g.
   * ['BlockDeviceMappings', 0, 'Ebs'] → the properties of EBS block devices. Undefined when unknown (a
   * free-form json or map value, a union, an unknown type).
   */
  propertiesAt(
    resourceType: string,
    path: ReadonlyArray<string | number>,
  ): ReadonlyMap<string, PropertyInfo> | undefined {
    let properties: ReadonlyMap<string, PropertyInfo> | undefined = this.resourceType(resourceType)?.properties;
    let pendingType: string | undefined;
    for (const segment of path) {
      if (typeof segment === 'number') {
        if (!pendingType) return undefined;
        const element = this.elementType(pendingType);
        if (!element) return undefined;
        pendingType = element;
        continue;
      }
      if (pendingType !== undefined) properties = this.objectProperties(pendingType);
      const property = properties?.get(segment);
      if (!property) return undefined;
      pendingType = property.type;
    }
    if (pendingType === undefined) return properties;
    // A list of objects: the keys are those of its elements (a cursor in a list item).
    const element = this.elementType(pendingType);
    return this.objectProperties(element ?? pendingType);
  }

  /** A readable type, e.g. "List of BlockDeviceMapping", "Map of String", "String | List of String". */
  describeType(type: string): string {
    const members = unionMembers(type);
    if (members.length > 1) return members.map((member) => this.describeType(member)).join(' | ');
    if (type.endsWith('[]')) return `List of ${this.describeType(this.elementType(type)!)}`;
    if (type.startsWith('map<') && type.endsWith('>')) return `Map of ${this.describeType(type.slice(4, -1))}`;
    const named = this.typeName(type);
    if (named) return named;
    const words: Record<string, string> = {
      string: 'String',
      number: 'Number',
      integer: 'Integer',
      boolean: 'Boolean',
      json: 'JSON',
      'date-time': 'Timestamp',
      tag: 'Tag',
    };
    return words[type] ?? type;
  }
}

const loaded = new Map<string, Promise<CfnTypeKnowledge>>();

/** Reads the type file once per path (later calls share the first read). */
export function loadCfnTypeKnowledge(file: string): Promise<CfnTypeKnowledge> {
  let pending = loaded.get(file);
  if (!pending) {
    pending = readDataFile(file).then(
      (json) => CfnTypeKnowledge.parse(json),
      (error: NodeJS.ErrnoException) => {
        throw new Error(
          error.code === 'ENOENT'
            ? `The CloudFormation type file ${file} is missing; rebuild the extension (npm run build).`
            : `The CloudFormation type file ${file} could not be read: ${error.message}`,
        );
      },
    );
    pending.catch(() => loaded.delete(file));
    loaded.set(file, pending);
  }
  return pending;
}
