/**
 * Allowed values of CloudFormation properties (dist/iac/cfn-enums.json.br, generated at build time from
 * @aws-cdk/aws-service-spec by scripts/lib/cfnEnums.mjs). Read when a property value is first completed.
 */
import { readDataFile } from './dataFile';

export const CFN_ENUMS_FORMAT = 1;

type EncodedProperties = Record<string, number | string>;

interface EncodedEnums {
  format: number;
  values: string[][];
  objects: EncodedProperties[];
  resources: Record<string, EncodedProperties>;
}

export class CfnEnums {
  private constructor(private readonly file: EncodedEnums) {}

  static parse(json: string): CfnEnums {
    const file = JSON.parse(json) as EncodedEnums;
    if (
      file?.format !== CFN_ENUMS_FORMAT ||
      !Array.isArray(file.values) ||
      !Array.isArray(file.objects) ||
      typeof file.resources !== 'object'
    )
      throw new Error(
        `The CloudFormation allowed-values file has format ${String(file?.format)}; this build reads format ${CFN_ENUMS_FORMAT}. Rebuild the extension (npm run build).`,
      );
    return new CfnEnums(file);
  }

  /**
   * The allowed values of the property at `path` inside a resource's Properties (list indexes skipped), e.g.
   * ['MetadataOptions', 'HttpTokens'] → ['optional', 'required']. Undefined when the specification has none.
   */
  allowedValues(resourceType: string, path: ReadonlyArray<string | number>): readonly string[] | undefined {
    if (!Object.hasOwn(this.file.resources, resourceType)) return undefined;
    let properties: EncodedProperties | undefined = this.file.resources[resourceType];
    const names = path.filter((segment): segment is string => typeof segment === 'string');
    for (const [index, name] of names.entries()) {
      const entry: number | string | undefined =
        properties && Object.hasOwn(properties, name) ? properties[name] : undefined;
      if (entry === undefined) return undefined;
      const last = index === names.length - 1;
      if (typeof entry === 'number') return last ? this.file.values[entry] : undefined;
      if (last) return undefined;
      properties = this.file.objects[Number(entry.slice(1))];
    }
    return undefined;
  }
}

const loaded = new Map<string, Promise<CfnEnums>>();

/** Reads the allowed-values file once per path. */
export function loadCfnEnums(file: string): Promise<CfnEnums> {
  let pending = loaded.get(file);
  if (!pending) {
    pending = readDataFile(file).then(
      (json) => CfnEnums.parse(json),
      (error: NodeJS.ErrnoException) => {
        throw new Error(
          error.code === 'ENOENT'
            ? `The CloudFormation allowed-values file ${file} is missing; rebuild the extension (npm run build).`
            : `The CloudFormation allowed-values file ${file} could not be read: ${error.message}`,
        );
      },
    );
    pending.catch(() => loaded.delete(file));
    loaded.set(file, pending);
  }
  return pending;
}
