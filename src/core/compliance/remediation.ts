import type { ComplianceFinding } from './types';

/** The registered operation that fixes a finding, with the input to run it; `askValues`: tag keys whose value the user must give. */
export interface FixRequest {
  operationId: string;
  input: Record<string, unknown>;
  region: string;
  title: string;
  askValues: Array<{ key: string; allowed?: string[] }>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value);

/**
 * The fix of a finding as an operation request, or undefined when it has none. Tag findings name one resource
 * and the missing keys (values known only for keys with a single allowed value); they become
 * `tagging.enforceTags {resources, tags}`, with the unknown values to ask for.
 */
export function fixRequestFor(finding: ComplianceFinding): FixRequest | undefined {
  const { operationId } = finding.fix;
  if (!operationId) return undefined;
  const input = isObject(finding.fix.input) ? finding.fix.input : {};
  const target = finding.resource.name ? `${finding.resource.name} (${finding.resource.id})` : finding.resource.id;
  if (operationId !== 'tagging.enforceTags')
    return {
      operationId,
      input: { ...input },
      region: finding.region,
      title: `${finding.ruleTitle}: ${target}`,
      askValues: [],
    };
  const tags: Record<string, string> = {};
  if (isObject(input.tags))
    for (const [key, value] of Object.entries(input.tags)) if (typeof value === 'string') tags[key] = value;
  const allowed = isObject(input.allowedValues) ? input.allowedValues : {};
  const keys = Array.isArray(input.missingTags)
    ? input.missingTags.filter((key): key is string => typeof key === 'string')
    : [];
  const askValues = keys
    .filter((key) => !(key in tags))
    .map((key) => {
      const values = allowed[key];
      return Array.isArray(values)
        ? { key, allowed: values.filter((value): value is string => typeof value === 'string') }
        : { key };
    });
  const resources = Array.isArray(input.resources)
    ? input.resources
    : [
        {
          type: typeof input.resourceType === 'string' ? input.resourceType : finding.resource.type,
          id: typeof input.resourceId === 'string' ? input.resourceId : finding.resource.id,
        },
      ];
  return {
    operationId,
    input: { resources, tags },
    region: finding.region,
    title: `Add missing tags: ${target}`,
    askValues,
  };
}
