/** Request validation with DRS-style ValidationException messages, and opaque paging tokens. */
import { fieldError, validationError } from './errors';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectField(input: JsonObject, field: string): JsonObject | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw fieldError(field, value, 'Member must be a structure');
  return value;
}

interface StringRules {
  pattern?: RegExp;
  minLength?: number;
  maxLength?: number;
}

function checkString(field: string, value: unknown, rules: StringRules): string {
  if (typeof value !== 'string') throw fieldError(field, value, 'Member must be a string');
  if (rules.minLength !== undefined && value.length < rules.minLength) {
    throw fieldError(field, value, `Member must have length greater than or equal to ${rules.minLength}`);
  }
  if (rules.maxLength !== undefined && value.length > rules.maxLength) {
    throw fieldError(field, value, `Member must have length less than or equal to ${rules.maxLength}`);
  }
  if (rules.pattern && !rules.pattern.test(value)) {
    throw fieldError(field, value, `Member must satisfy regular expression pattern: ${rules.pattern.source}`);
  }
  return value;
}

export function optionalString(
  input: JsonObject,
  field: string,
  rules: StringRules = {},
  path = field,
): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  return checkString(path, value, rules);
}

export function requiredString(input: JsonObject, field: string, rules: StringRules = {}, path = field): string {
  const value = input[field];
  if (value === undefined || value === null) throw fieldError(path, 'null', 'Member must not be null');
  return checkString(path, value, rules);
}

export function optionalBoolean(input: JsonObject, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw fieldError(field, value, 'Member must be a boolean');
  return value;
}

export function optionalEnum<T extends string>(input: JsonObject, field: string, allowed: readonly T[]): T | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw fieldError(field, value, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return value as T;
}

export function optionalStringList(
  input: JsonObject,
  field: string,
  rules: StringRules & { maxItems?: number; minItems?: number },
  path = field,
): string[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw fieldError(path, value, 'Member must be a list');
  if (rules.minItems !== undefined && value.length < rules.minItems) {
    throw fieldError(path, value, `Member must have length greater than or equal to ${rules.minItems}`);
  }
  if (rules.maxItems !== undefined && value.length > rules.maxItems) {
    throw fieldError(path, value, `Member must have length less than or equal to ${rules.maxItems}`);
  }
  return value.map((item, index) => checkString(`${path}.${index + 1}.member`, item, rules));
}

export function requiredStringList(
  input: JsonObject,
  field: string,
  rules: StringRules & { maxItems?: number; minItems?: number },
): string[] {
  const list = optionalStringList(input, field, rules);
  if (list === undefined) throw fieldError(field, 'null', 'Member must not be null');
  return list;
}

export function maxResultsOf(input: JsonObject, max = 1000): number | undefined {
  const value = input.maxResults;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw fieldError('maxResults', value, 'Member must be an integer');
  if (value < 1) throw fieldError('maxResults', value, 'Member must have value greater than or equal to 1');
  if (value > max) throw fieldError('maxResults', value, `Member must have value less than or equal to ${max}`);
  return value;
}

/** Resource tags as DRS accepts them. */
export function tagsOf(input: JsonObject, field: string, required: boolean): Record<string, string> | undefined {
  const value = input[field];
  if (value === undefined || value === null) {
    if (required) throw fieldError(field, 'null', 'Member must not be null');
    return undefined;
  }
  if (!isObject(value)) throw fieldError(field, value, 'Member must be a map');
  const entries = Object.entries(value);
  if (entries.length > 50)
    throw fieldError(field, `${entries.length} tags`, 'Member must have length less than or equal to 50');
  const tags: Record<string, string> = {};
  for (const [key, tagValue] of entries) {
    if (key.length < 1 || key.length > 256)
      throw fieldError(`${field}.key`, key, 'Member must have length between 1 and 256');
    if (typeof tagValue !== 'string') throw fieldError(`${field}.${key}`, tagValue, 'Member must be a string');
    if (tagValue.length > 256)
      throw fieldError(`${field}.${key}`, tagValue, 'Member must have length less than or equal to 256');
    if (key.toLowerCase().startsWith('aws:'))
      throw validationError(`Tag keys starting with 'aws:' are reserved: ${key}`, 'fieldValidationFailed');
    tags[key] = tagValue;
  }
  return tags;
}

export function isoDateOf(input: JsonObject, field: string, path: string): Date | undefined {
  const text = optionalString(input, field, { minLength: 19, maxLength: 32 }, path);
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw fieldError(path, text, 'Member must be an ISO 8601 date-time');
  return date;
}

/** Opaque page tokens bound to one operation. */
export function paginate<T>(
  items: readonly T[],
  operation: string,
  nextToken: string | undefined,
  maxResults: number | undefined,
  defaultPageSize: number,
): { page: T[]; nextToken?: string } {
  let offset = 0;
  if (nextToken !== undefined) {
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(nextToken, 'base64url').toString('utf8'));
    } catch {
      decoded = undefined;
    }
    if (!isObject(decoded) || decoded.op !== operation || typeof decoded.offset !== 'number' || decoded.offset < 0) {
      throw validationError('Invalid nextToken', 'fieldValidationFailed', [
        { name: 'nextToken', message: 'Invalid pagination token' },
      ]);
    }
    offset = decoded.offset;
  }
  const size = maxResults ?? defaultPageSize;
  const page = items.slice(offset, offset + size);
  const end = offset + page.length;
  return end < items.length
    ? { page, nextToken: Buffer.from(JSON.stringify({ op: operation, offset: end }), 'utf8').toString('base64url') }
    : { page };
}
