/**
 * Tag policies: required tags and allowed values per resource type. The user's policy (a setting) is the
 * base; the workspace file `.pilotlight/tag-policy.json` can only add requirements (tighten-only merge).
 *
 * File shape:
 * { "resourceTypes": { "*": { "owner": {} }, "AWS::EC2::Instance": { "environment": { "allowedValues": ["production"] } } } }
 * `*` applies to every resource type. A tag with no `allowedValues` only has to be present.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Allowed values of one required tag; `undefined` means any value. */
export type AllowedValues = readonly string[] | undefined;

export interface TagPolicy {
  /** Resource type (CloudFormation style, or `*`) → tag key → allowed values. */
  resourceTypes: Readonly<Record<string, Readonly<Record<string, AllowedValues>>>>;
}

export const TAG_POLICY_FILE = '.pilotlight/tag-policy.json';
export const MAX_TAG_POLICY_BYTES = 256 * 1024;
const MAX_TYPES = 200;
const MAX_TAGS_PER_TYPE = 50;
const MAX_VALUES_PER_TAG = 200;
const TYPE_PATTERN = /^(\*|AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)$/;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;

export class TagPolicyError extends Error {
  constructor(
    readonly origin: string,
    readonly path: string,
    reason: string,
  ) {
    super(`${origin}: ${path}: ${reason}`);
    this.name = 'TagPolicyError';
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const pathKey = (key: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

/** Validates an already-parsed policy value; throws TagPolicyError naming the JSON path. */
export function validateTagPolicy(value: unknown, origin: string): TagPolicy {
  const fail = (path: string, reason: string): never => {
    throw new TagPolicyError(origin, path, reason);
  };
  if (!isObject(value)) return fail('$', 'expected an object with "resourceTypes".');
  for (const key of Object.keys(value))
    if (key !== 'resourceTypes' && key !== '$schema' && key !== 'description')
      fail(`$${pathKey(key)}`, 'unknown property (expected "resourceTypes").');
  const types = value.resourceTypes;
  if (!isObject(types)) return fail('$.resourceTypes', 'expected an object of resource type → required tags.');
  const typeNames = Object.keys(types);
  if (typeNames.length > MAX_TYPES) fail('$.resourceTypes', `at most ${MAX_TYPES} resource types.`);
  const resourceTypes: Record<string, Record<string, AllowedValues>> = Object.create(null);
  for (const type of typeNames) {
    const typePath = `$.resourceTypes${pathKey(type)}`;
    if (!TYPE_PATTERN.test(type)) fail(typePath, 'expected "*" or a resource type such as "AWS::EC2::Instance".');
    const tags = types[type];
    if (!isObject(tags)) return fail(typePath, 'expected an object of tag key → { "allowedValues": [...] }.');
    const keys = Object.keys(tags);
    if (keys.length > MAX_TAGS_PER_TYPE) fail(typePath, `at most ${MAX_TAGS_PER_TYPE} required tags per type.`);
    const required: Record<string, AllowedValues> = Object.create(null);
    for (const key of keys) {
      const tagPath = `${typePath}${pathKey(key)}`;
      if (!key.length || key.length > MAX_KEY_LENGTH || key.startsWith('aws:'))
        fail(tagPath, `a tag key is 1-${MAX_KEY_LENGTH} characters and cannot start with "aws:".`);
      const rule = tags[key];
      if (!isObject(rule)) return fail(tagPath, 'expected an object, e.g. {} or { "allowedValues": ["a", "b"] }.');
      for (const property of Object.keys(rule))
        if (property !== 'allowedValues')
          fail(`${tagPath}${pathKey(property)}`, 'unknown property (expected "allowedValues").');
      if (rule.allowedValues === undefined) {
        required[key] = undefined;
        continue;
      }
      const values = rule.allowedValues;
      if (!Array.isArray(values)) return fail(`${tagPath}.allowedValues`, 'expected an array of strings.');
      if (values.length > MAX_VALUES_PER_TAG) fail(`${tagPath}.allowedValues`, `at most ${MAX_VALUES_PER_TAG} values.`);
      values.forEach((item, index) => {
        if (typeof item !== 'string' || item.length > MAX_VALUE_LENGTH)
          fail(`${tagPath}.allowedValues[${index}]`, `expected a string of at most ${MAX_VALUE_LENGTH} characters.`);
      });
      required[key] = [...new Set(values as string[])];
    }
    resourceTypes[type] = required;
  }
  return { resourceTypes };
}

function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset && index < text.length; index += 1)
    if (text.charCodeAt(index) === 10) {
      line += 1;
      lineStart = index + 1;
    }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

/** Parses the text of a tag policy file (bounded, linear); throws TagPolicyError. */
export function parseTagPolicy(text: string, origin = TAG_POLICY_FILE): TagPolicy {
  if (text.length > MAX_TAG_POLICY_BYTES)
    throw new TagPolicyError(origin, '$', `the file is larger than ${MAX_TAG_POLICY_BYTES / 1024} KB.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const where = position ? ` (${lineAndColumn(text, Number(position[1]))})` : '';
    throw new TagPolicyError(origin, '$', `not valid JSON${where}: ${message}`);
  }
  return validateTagPolicy(value, origin);
}

/** The tighter of two allowed-value lists: the intersection when both restrict. */
function tighterValues(a: AllowedValues, b: AllowedValues): AllowedValues {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const allowed = new Set(b);
  return a.filter((value) => allowed.has(value));
}

/**
 * Merges policies tighten-only: the union of required tags per type; allowed values are intersected when
 * both restrict. The result is never looser than any input.
 */
export function mergeTagPolicies(...policies: Array<TagPolicy | undefined>): TagPolicy | undefined {
  const present = policies.filter((policy): policy is TagPolicy => policy !== undefined);
  if (!present.length) return undefined;
  const merged: Record<string, Record<string, AllowedValues>> = Object.create(null);
  for (const policy of present)
    for (const [type, tags] of Object.entries(policy.resourceTypes)) {
      const target = (merged[type] ??= Object.create(null) as Record<string, AllowedValues>);
      for (const [key, values] of Object.entries(tags))
        target[key] = Object.prototype.hasOwnProperty.call(target, key) ? tighterValues(target[key], values) : values;
    }
  return { resourceTypes: merged };
}

/** The tags a resource of `type` must carry: its own entry merged tighten-only with `*`. */
export function requirementsFor(policy: TagPolicy, type: string): Record<string, AllowedValues> {
  const required: Record<string, AllowedValues> = Object.create(null);
  for (const tags of [policy.resourceTypes['*'], type === '*' ? undefined : policy.resourceTypes[type]])
    for (const [key, values] of Object.entries(tags ?? {}))
      required[key] = Object.prototype.hasOwnProperty.call(required, key)
        ? tighterValues(required[key], values)
        : values;
  return required;
}

export interface LoadedTagPolicy {
  /** The merged policy; undefined when neither the user nor the workspace has one, or when `errors` is not empty. */
  policy?: TagPolicy;
  /** Where the requirements came from, e.g. ["user settings", ".pilotlight/tag-policy.json"]. */
  sources: string[];
  /** A policy that cannot be read makes the tag check an error, never "clean". */
  errors: string[];
}

/**
 * The user's policy (the `pilotLight.compliance.tagPolicy` setting value) tightened by the workspace file
 * `.pilotlight/tag-policy.json` under `workspaceFolder`, when there is one.
 */
export async function loadTagPolicy(options: {
  userPolicy?: unknown;
  workspaceFolder?: string;
}): Promise<LoadedTagPolicy> {
  const errors: string[] = [];
  const sources: string[] = [];
  let user: TagPolicy | undefined;
  const userValue = options.userPolicy;
  const userIsEmpty =
    userValue === undefined ||
    userValue === null ||
    (isObject(userValue) &&
      (Object.keys(userValue).length === 0 ||
        (isObject(userValue.resourceTypes) && !Object.keys(userValue.resourceTypes).length)));
  if (!userIsEmpty) {
    try {
      user = validateTagPolicy(userValue, 'setting pilotLight.compliance.tagPolicy');
      sources.push('user settings');
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  let workspace: TagPolicy | undefined;
  if (options.workspaceFolder) {
    const file = join(options.workspaceFolder, TAG_POLICY_FILE);
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile()) {
      if (info.size > MAX_TAG_POLICY_BYTES)
        errors.push(`${TAG_POLICY_FILE}: $: the file is larger than ${MAX_TAG_POLICY_BYTES / 1024} KB.`);
      else
        try {
          workspace = parseTagPolicy(await readFile(file, 'utf8'), TAG_POLICY_FILE);
          sources.push(TAG_POLICY_FILE);
        } catch (error) {
          errors.push((error as Error).message);
        }
    }
  }
  if (errors.length) return { sources, errors };
  return { policy: mergeTagPolicies(user, workspace), sources, errors };
}
