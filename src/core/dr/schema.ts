/**
 * JSON schemas of the DR documents, and the small validator that checks documents against them.
 * The same objects are written to schemas/*.schema.json (a unit test keeps them identical), so the
 * editor validates while the user types and the parser reports exactly the same rules.
 */
import {
  ACCOUNT_PATTERN,
  CURRENT_SCHEMA_VERSION,
  NAME_PATTERN,
  REGION_PATTERN,
  SOURCE_SERVER_ID_PATTERN,
} from './model';

/** Bounds on DR files, so a hostile workspace file or bundle cannot make reading it slow. */
export const DR_LIMITS = Object.freeze({
  /** Bytes of one protection-group or recovery-plan file. */
  documentBytes: 512 * 1024,
  /** Bytes of a configuration bundle (every group and plan of a workspace). */
  bundleBytes: 4 * 1024 * 1024,
  /** Groups, and plans, in one bundle. */
  bundleDocuments: 1000,
  /** Nesting of flow lists and mappings ([ ], { }); the schemas need 6. */
  nestingDepth: 32,
  waves: 100,
  groupsPerWave: 100,
  /** Source server IDs in one list (the DRS default quota is 3,000 replicating servers per account and region). */
  sourceServerIds: 3000,
  actionsPerList: 20,
  selectionTags: 50,
  automationParameters: 50,
  parameterValues: 100,
  parameterValueLength: 4096,
  /** Problems listed per file; the rest are counted in one more line. */
  reportedProblems: 100,
});

export type JsonSchema = {
  $schema?: string;
  $id?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  title?: string;
  description?: string;
  type?: 'object' | 'string' | 'integer' | 'number' | 'boolean' | 'array';
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  maxProperties?: number;
  enum?: (string | number | boolean)[];
  const?: string | number | boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  default?: unknown;
};

const name = (what: string): JsonSchema => ({
  type: 'string',
  pattern: NAME_PATTERN,
  description: `${what}: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 128 characters.`,
});
const sourceServerId: JsonSchema = {
  type: 'string',
  pattern: SOURCE_SERVER_ID_PATTERN,
  description: 'A DRS source server ID, e.g. s-1234567890abcdef0.',
};
const sourceServerIds: JsonSchema = {
  type: 'array',
  items: sourceServerId,
  uniqueItems: true,
  maxItems: DR_LIMITS.sourceServerIds,
};
const schemaVersion: JsonSchema = {
  type: 'integer',
  const: CURRENT_SCHEMA_VERSION,
  description: `Schema version of this file. Files with an older version are migrated when they are read; this build writes ${CURRENT_SCHEMA_VERSION}.`,
};

export const PROTECTION_GROUP_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://pilot-light.dev/schemas/protection-group.schema.json',
  title: 'Pilot Light protection group',
  description: 'A set of DRS source servers that recover together, chosen by tags and/or source server IDs.',
  type: 'object',
  required: ['schemaVersion', 'kind', 'name', 'region', 'selection'],
  additionalProperties: false,
  properties: {
    schemaVersion,
    kind: { type: 'string', const: 'ProtectionGroup' },
    name: name('Protection group name, unique in the workspace'),
    description: { type: 'string', maxLength: 1024 },
    account: {
      type: 'string',
      pattern: ACCOUNT_PATTERN,
      description: '12-digit AWS account ID of the source servers.',
    },
    region: {
      type: 'string',
      maxLength: 32,
      pattern: REGION_PATTERN,
      description: 'AWS region of the DRS source servers, e.g. us-east-1.',
    },
    selection: {
      type: 'object',
      description: 'Servers in the group: those carrying every tag below, plus the listed source server IDs.',
      additionalProperties: false,
      properties: {
        tags: {
          type: 'object',
          description: 'A server matches when it has every one of these tags with exactly this value.',
          propertyNames: { type: 'string', minLength: 1, maxLength: 128 },
          additionalProperties: { type: 'string', maxLength: 256 },
          maxProperties: DR_LIMITS.selectionTags,
        },
        sourceServerIds,
      },
    },
    launchSettings: {
      type: 'object',
      description: 'DRS launch settings applied to every server of the group before it launches.',
      additionalProperties: false,
      properties: {
        launchDisposition: { type: 'string', enum: ['STOPPED', 'STARTED'] },
        targetInstanceTypeRightSizingMethod: { type: 'string', enum: ['NONE', 'BASIC', 'IN_AWS'] },
        copyPrivateIp: { type: 'boolean' },
        copyTags: { type: 'boolean' },
        osByol: { type: 'boolean' },
        postLaunchEnabled: { type: 'boolean' },
      },
    },
  },
};

const actionName: JsonSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 128,
  description: 'Shown in progress and results.',
};

const ACTION_SCHEMA: JsonSchema = {
  description:
    'A step before or after the wave launches: an SSM Automation, an AWS Backup restore, a wait, or a manual approval.',
  oneOf: [
    {
      type: 'object',
      title: 'SSM Automation',
      required: ['type', 'documentName'],
      additionalProperties: false,
      properties: {
        type: { type: 'string', const: 'ssmAutomation' },
        name: actionName,
        documentName: {
          type: 'string',
          pattern: '^[a-zA-Z0-9_\\-.:/]{3,128}$',
          description: 'SSM Automation document name or ARN.',
        },
        documentVersion: { type: 'string', pattern: '^([$]LATEST|[$]DEFAULT|[0-9]+)$' },
        parameters: {
          type: 'object',
          description: 'Automation parameters. A string is sent as a one-element list.',
          additionalProperties: {
            anyOf: [
              { type: 'string', maxLength: DR_LIMITS.parameterValueLength },
              {
                type: 'array',
                items: { type: 'string', maxLength: DR_LIMITS.parameterValueLength },
                maxItems: DR_LIMITS.parameterValues,
              },
            ],
          },
          maxProperties: DR_LIMITS.automationParameters,
        },
        timeoutSeconds: { type: 'integer', minimum: 1, maximum: 172800, default: 600 },
        retries: { type: 'integer', minimum: 0, maximum: 10, default: 0 },
      },
    },
    {
      type: 'object',
      title: 'Wait',
      required: ['type', 'seconds'],
      additionalProperties: false,
      properties: {
        type: { type: 'string', const: 'wait' },
        name: actionName,
        seconds: { type: 'number', minimum: 0, maximum: 86400 },
      },
    },
    {
      type: 'object',
      title: 'Manual approval',
      required: ['type', 'message'],
      additionalProperties: false,
      properties: {
        type: { type: 'string', const: 'approval' },
        name: actionName,
        message: { type: 'string', minLength: 1, maxLength: 2048 },
        timeoutSeconds: { type: 'integer', minimum: 1, maximum: 604800 },
      },
    },
    {
      type: 'object',
      title: 'AWS Backup restore',
      required: ['type', 'backupVaultName', 'recoveryPointArn'],
      additionalProperties: false,
      properties: {
        type: { type: 'string', const: 'backupRestore' },
        name: actionName,
        backupVaultName: {
          type: 'string',
          pattern: '^[A-Za-z0-9_.-]{2,50}$',
          description: 'The backup vault holding the recovery point.',
        },
        recoveryPointArn: {
          type: 'string',
          pattern: '^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{0,12}:[A-Za-z0-9:/_.+=-]{1,1024}$',
          description: 'The recovery point restored into a new resource (preflight checks that it exists).',
        },
        iamRoleArn: {
          type: 'string',
          pattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]{1,512}$',
          description: 'The role AWS Backup restores with.',
        },
        metadata: {
          type: 'object',
          description: "Restore metadata overrides, merged over the recovery point's own.",
          propertyNames: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' },
          additionalProperties: { type: 'string', maxLength: DR_LIMITS.parameterValueLength },
          maxProperties: DR_LIMITS.automationParameters,
        },
        timeoutSeconds: { type: 'integer', minimum: 60, maximum: 172800, default: 3600 },
      },
    },
  ],
};

export const RECOVERY_PLAN_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://pilot-light.dev/schemas/recovery-plan.schema.json',
  title: 'Pilot Light recovery plan',
  description: 'Waves of protection groups and servers, recovered in dependency order by DRS.',
  type: 'object',
  required: ['schemaVersion', 'kind', 'name', 'waves'],
  additionalProperties: false,
  $defs: { action: ACTION_SCHEMA },
  properties: {
    schemaVersion,
    kind: { type: 'string', const: 'RecoveryPlan' },
    name: name('Recovery plan name, unique in the workspace'),
    description: { type: 'string', maxLength: 2048 },
    targets: {
      type: 'object',
      additionalProperties: false,
      properties: {
        rpoMinutes: { type: 'number', exclusiveMinimum: 0, description: 'Recovery point objective in minutes.' },
        rtoMinutes: {
          type: 'number',
          exclusiveMinimum: 0,
          description: 'Recovery time objective in minutes; results compare the achieved time with it.',
        },
      },
    },
    failurePolicy: {
      type: 'string',
      enum: ['stop', 'continue'],
      default: 'stop',
      description: 'stop: after a failure no further wave starts. continue: the remaining waves still run.',
    },
    waves: {
      type: 'array',
      minItems: 1,
      maxItems: DR_LIMITS.waves,
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: name('Wave name, unique in the plan'),
          description: { type: 'string', maxLength: 1024 },
          protectionGroups: {
            type: 'array',
            items: name('Protection group name'),
            uniqueItems: true,
            maxItems: DR_LIMITS.groupsPerWave,
          },
          sourceServerIds,
          dependsOn: {
            type: 'array',
            items: name('Wave name'),
            uniqueItems: true,
            maxItems: DR_LIMITS.waves,
            description:
              'Waves that must finish before this one starts. Waves without a dependency between them run in parallel.',
          },
          pauseBeforeWave: { type: 'boolean', default: false, description: 'Hold the wave until someone resumes it.' },
          preActions: { type: 'array', items: { $ref: '#/$defs/action' }, maxItems: DR_LIMITS.actionsPerList },
          postActions: { type: 'array', items: { $ref: '#/$defs/action' }, maxItems: DR_LIMITS.actionsPerList },
          maxWaitSeconds: {
            type: 'integer',
            minimum: 1,
            maximum: 86400,
            default: 3600,
            description: 'How long to wait for every server to be LAUNCHED or FAILED.',
          },
        },
      },
    },
  },
};

/** Diagnostic from schema validation, before positions are attached. */
export interface SchemaIssue {
  path: (string | number)[];
  message: string;
  /** 'key' when the issue is about a property name (unknown property), so the key is highlighted. */
  at?: 'key' | 'value';
  code: string;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(expected: JsonSchema['type'], value: unknown): boolean {
  const actual = typeOf(value);
  if (expected === 'number') return actual === 'number' || actual === 'integer';
  return actual === expected;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(
        row[j] + 1,
        row[j - 1] + 1,
        previous + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1),
      );
      previous = current;
    }
  }
  return row[b.length];
}

export function closest(candidate: string, options: string[]): string | undefined {
  if (candidate.length > 64) return undefined; // no typo of a short name; and edit distance is quadratic
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const option of options) {
    const distance = levenshtein(candidate, option);
    if (distance < bestDistance) {
      best = option;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(candidate.length / 3)) ? best : undefined;
}

function describeValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * Validates `value` against the subset of JSON Schema used by the DR schemas and returns every
 * issue found (not only the first), each with the path of the offending value.
 */
export function validateAgainstSchema(
  value: unknown,
  schema: JsonSchema,
  root: JsonSchema = schema,
  path: (string | number)[] = [],
): SchemaIssue[] {
  if (schema.$ref) {
    const match = /^#\/\$defs\/(.+)$/.exec(schema.$ref);
    const target = match ? root.$defs?.[match[1]] : undefined;
    if (!target) throw new Error(`Unresolvable $ref ${schema.$ref}`);
    return validateAgainstSchema(value, target, root, path);
  }
  if (schema.oneOf) return validateOneOf(value, schema.oneOf, root, path);
  if (schema.anyOf) {
    const results = schema.anyOf.map((alternative) => validateAgainstSchema(value, alternative, root, path));
    if (results.some((issues) => issues.length === 0)) return [];
    const expected = schema.anyOf.map((alternative) => alternative.type ?? 'value').join(' or ');
    return [{ path, message: `Expected ${expected}, got ${typeOf(value)}.`, code: 'type' }];
  }
  const issues: SchemaIssue[] = [];
  if (schema.type && !typeMatches(schema.type, value)) {
    const expected =
      schema.type === 'integer'
        ? 'a whole number'
        : schema.type === 'array'
          ? 'a list'
          : schema.type === 'object'
            ? 'a mapping'
            : `a ${schema.type}`;
    return [
      {
        path,
        message: `Expected ${expected}, got ${typeOf(value) === 'null' ? 'an empty value' : describeValue(value)}.`,
        code: 'type',
      },
    ];
  }
  if (schema.const !== undefined && value !== schema.const) {
    issues.push({
      path,
      message: `Must be ${describeValue(schema.const)}, got ${describeValue(value)}.`,
      code: 'const',
    });
  }
  if (schema.enum && !schema.enum.includes(value as string)) {
    const suggestion = typeof value === 'string' ? closest(value, schema.enum.map(String)) : undefined;
    issues.push({
      path,
      message: `Must be one of ${schema.enum.map((v) => describeValue(v)).join(', ')}; got ${describeValue(value)}.${suggestion ? ` Did you mean ${describeValue(suggestion)}?` : ''}`,
      code: 'enum',
    });
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength)
      issues.push({
        path,
        message: schema.minLength === 1 ? 'Must not be empty.' : `Must have at least ${schema.minLength} characters.`,
        code: 'minLength',
      });
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      issues.push({
        path,
        message: `Must have at most ${schema.maxLength} characters (has ${value.length}).`,
        code: 'maxLength',
      });
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) {
      issues.push({
        path,
        message: `${describeValue(value)} is not valid here${schema.description ? `: ${schema.description}` : ` (must match ${schema.pattern}).`}`,
        code: 'pattern',
      });
    }
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      issues.push({ path, message: `Must be at least ${schema.minimum}, got ${value}.`, code: 'minimum' });
    if (schema.maximum !== undefined && value > schema.maximum)
      issues.push({ path, message: `Must be at most ${schema.maximum}, got ${value}.`, code: 'maximum' });
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum)
      issues.push({
        path,
        message: `Must be greater than ${schema.exclusiveMinimum}, got ${value}.`,
        code: 'exclusiveMinimum',
      });
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      issues.push({
        path,
        message: `Needs at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}.`,
        code: 'minItems',
      });
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      issues.push({
        path,
        message: `Has ${value.length} items; at most ${schema.maxItems} are allowed.`,
        code: 'maxItems',
      });
    if (schema.items)
      value.forEach((item, index) =>
        issues.push(...validateAgainstSchema(item, schema.items!, root, [...path, index])),
      );
    if (schema.uniqueItems) {
      const seen = new Map<string, number>();
      value.forEach((item, index) => {
        const key = JSON.stringify(item);
        if (seen.has(key))
          issues.push({
            path: [...path, index],
            message: `${describeValue(item)} is listed twice (first at item ${seen.get(key)! + 1}).`,
            code: 'uniqueItems',
          });
        else seen.set(key, index);
      });
    }
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    if (schema.maxProperties !== undefined && Object.keys(object).length > schema.maxProperties) {
      issues.push({
        path,
        at: 'key',
        message: `Has ${Object.keys(object).length} entries; at most ${schema.maxProperties} are allowed.`,
        code: 'maxProperties',
      });
    }
    for (const key of schema.required ?? []) {
      if (!(key in object)) issues.push({ path, message: `Missing required property "${key}".`, code: 'required' });
    }
    const known = Object.keys(schema.properties ?? {});
    for (const [key, child] of Object.entries(object)) {
      if (schema.propertyNames) {
        for (const issue of validateAgainstSchema(key, schema.propertyNames, root, [...path, key]))
          issues.push({ ...issue, at: 'key', message: `Key ${issue.message}` });
      }
      const propertySchema = schema.properties?.[key];
      if (propertySchema) {
        issues.push(...validateAgainstSchema(child, propertySchema, root, [...path, key]));
      } else if (schema.additionalProperties === false) {
        const suggestion = closest(key, known);
        issues.push({
          path: [...path, key],
          at: 'key',
          message: `Unknown property "${key}".${suggestion ? ` Did you mean "${suggestion}"?` : ` Allowed: ${known.join(', ')}.`}`,
          code: 'additionalProperties',
        });
      } else if (typeof schema.additionalProperties === 'object') {
        issues.push(...validateAgainstSchema(child, schema.additionalProperties, root, [...path, key]));
      }
    }
  }
  return issues;
}

/** oneOf over objects discriminated by a `type` const: reports against the matching branch only. */
function validateOneOf(
  value: unknown,
  alternatives: JsonSchema[],
  root: JsonSchema,
  path: (string | number)[],
): SchemaIssue[] {
  const discriminators = alternatives
    .map((alternative) => alternative.properties?.type?.const)
    .filter((v): v is string => typeof v === 'string');
  if (typeOf(value) === 'object' && discriminators.length === alternatives.length) {
    const type = (value as Record<string, unknown>).type;
    const branch = alternatives.find((alternative) => alternative.properties?.type?.const === type);
    if (!branch) {
      if (type === undefined)
        return [
          {
            path,
            message: `Missing required property "type" (one of ${discriminators.map((d) => `"${d}"`).join(', ')}).`,
            code: 'required',
          },
        ];
      const suggestion = typeof type === 'string' ? closest(type, discriminators) : undefined;
      return [
        {
          path: [...path, 'type'],
          message: `Unknown action type ${describeValue(type)}; use one of ${discriminators.map((d) => `"${d}"`).join(', ')}.${suggestion ? ` Did you mean "${suggestion}"?` : ''}`,
          code: 'enum',
        },
      ];
    }
    return validateAgainstSchema(value, branch, root, path);
  }
  const results = alternatives.map((alternative) => validateAgainstSchema(value, alternative, root, path));
  const passing = results.filter((issues) => issues.length === 0).length;
  if (passing === 1) return [];
  if (passing > 1) return [{ path, message: 'Matches more than one alternative.', code: 'oneOf' }];
  return results.reduce((best, issues) => (issues.length < best.length ? issues : best));
}
