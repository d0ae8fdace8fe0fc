/**
 * CloudFormation intrinsic functions and conditions, evaluated against what a deployed stack tells us
 * (its parameter values, physical IDs, outputs and live attributes). Works on the long form
 * (`{ "Fn::Sub": … }`); whatever cannot be worked out becomes an `Unresolved` value, never a guess.
 */
import { isRecord, isUnresolved, recordOf, Unresolved } from '../drift/values';

/** Marks a property that `Ref: AWS::NoValue` removes. */
const NO_VALUE = Symbol('AWS::NoValue');
const MAX_DEPTH = 64;

export interface PseudoParameters {
  region?: string;
  accountId?: string;
  stackName?: string;
  stackId?: string;
  partition?: string;
  urlSuffix?: string;
}

export interface EvaluationContext {
  /** The stack's parameter values (ResolvedValue for SSM parameter types); template defaults fill the rest. */
  parameters?: Readonly<Record<string, string | Unresolved | undefined>>;
  pseudo?: PseudoParameters;
  /** Logical ID → physical ID (what `Ref` returns for most resource types). */
  physicalIds?: Readonly<Record<string, string | undefined>>;
  /** `GetAtt` from live state or stack outputs; undefined when not known. */
  attribute?(logicalId: string, attribute: string): unknown;
  /** What `Fn::GetAZs` returns for the stack's region, when known. */
  availabilityZones?: readonly string[];
  /** Ref values that are not the physical ID, by resource type (e.g. none for EC2). */
  refOf?(logicalId: string, type: string, physicalId: string): unknown;
}

export interface EvaluatedResource {
  logicalId: string;
  type: string;
  /** false when its Condition is false (the stack does not have it), 'unknown' when the condition is unknown. */
  active: boolean | 'unknown';
  properties: Record<string, unknown>;
}

export interface EvaluatedTemplate {
  conditions: Record<string, boolean | Unresolved>;
  resources: EvaluatedResource[];
  outputs: Record<string, unknown>;
}

const PSEUDO_NAMES: Record<string, keyof PseudoParameters> = {
  'AWS::Region': 'region',
  'AWS::AccountId': 'accountId',
  'AWS::StackName': 'stackName',
  'AWS::StackId': 'stackId',
  'AWS::Partition': 'partition',
  'AWS::URLSuffix': 'urlSuffix',
};

function partitionOf(region: string | undefined): string | undefined {
  if (!region) return undefined;
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** One evaluation of one template against one context; conditions are computed once each. */
export class TemplateEvaluator {
  private readonly template: Record<string, unknown>;
  private readonly conditionCache = new Map<string, boolean | Unresolved>();
  private readonly conditionsInProgress = new Set<string>();
  private readonly resources: Record<string, unknown>;
  private readonly parameterDecls: Record<string, unknown>;

  constructor(
    template: unknown,
    private readonly context: EvaluationContext = {},
  ) {
    this.template = isRecord(template) ? template : {};
    this.resources = isRecord(this.template.Resources) ? this.template.Resources : {};
    this.parameterDecls = isRecord(this.template.Parameters) ? this.template.Parameters : {};
  }

  evaluateTemplate(): EvaluatedTemplate {
    const conditionNames = isRecord(this.template.Conditions) ? Object.keys(this.template.Conditions) : [];
    const conditions = recordOf(conditionNames.map((name) => [name, this.condition(name)] as const));
    const resources = Object.entries(this.resources).map(([logicalId, body]) => this.resource(logicalId, body));
    const outputDecls = isRecord(this.template.Outputs) ? this.template.Outputs : {};
    const outputs = recordOf(
      Object.entries(outputDecls).map(
        ([name, decl]) => [name, isRecord(decl) ? this.value(decl.Value) : new Unresolved('no Value')] as const,
      ),
    );
    return { conditions, resources, outputs };
  }

  resource(logicalId: string, body: unknown): EvaluatedResource {
    const decl = isRecord(body) ? body : {};
    const type = typeof decl.Type === 'string' ? decl.Type : '';
    const condition = typeof decl.Condition === 'string' ? this.condition(decl.Condition) : true;
    const active = isUnresolved(condition) ? 'unknown' : condition;
    const properties = isRecord(decl.Properties) && active !== false ? this.value(decl.Properties) : {};
    return { logicalId, type, active, properties: isRecord(properties) ? properties : {} };
  }

  /** A condition by name: true, false or unresolved. */
  condition(name: string): boolean | Unresolved {
    const cached = this.conditionCache.get(name);
    if (cached !== undefined) return cached;
    const decls = isRecord(this.template.Conditions) ? this.template.Conditions : {};
    if (!Object.hasOwn(decls, name)) return new Unresolved(`no condition named ${name}`);
    if (this.conditionsInProgress.has(name)) return new Unresolved(`condition ${name} refers to itself`);
    this.conditionsInProgress.add(name);
    const result = this.conditionValue(decls[name], 0);
    this.conditionsInProgress.delete(name);
    this.conditionCache.set(name, result);
    return result;
  }

  private conditionValue(node: unknown, depth: number): boolean | Unresolved {
    if (depth > MAX_DEPTH) return new Unresolved('nested too deeply');
    if (typeof node === 'boolean') return node;
    if (node === 'true' || node === 'false') return node === 'true';
    if (!isRecord(node) || Object.keys(node).length !== 1) return new Unresolved('not a condition');
    const [fn, arg] = Object.entries(node)[0];
    const items = Array.isArray(arg) ? arg : [];
    switch (fn) {
      case 'Condition':
        return typeof arg === 'string' ? this.condition(arg) : new Unresolved('Condition needs a name');
      case 'Fn::Equals': {
        if (items.length !== 2) return new Unresolved('Fn::Equals needs two values');
        const [a, b] = items.map((item) => this.evaluate(item, depth + 1));
        if (isUnresolved(a)) return a;
        if (isUnresolved(b)) return b;
        return comparable(a) === comparable(b);
      }
      case 'Fn::Not': {
        if (items.length !== 1) return new Unresolved('Fn::Not needs one condition');
        const inner = this.conditionValue(items[0], depth + 1);
        return isUnresolved(inner) ? inner : !inner;
      }
      case 'Fn::And':
      case 'Fn::Or': {
        const values = items.map((item) => this.conditionValue(item, depth + 1));
        const decisive = fn === 'Fn::And' ? false : true;
        if (values.some((value) => value === decisive)) return decisive;
        const unknown = values.find(isUnresolved);
        return unknown ?? !decisive;
      }
      default:
        return new Unresolved(`${fn} is not a condition function`);
    }
  }

  /** A value with every intrinsic function evaluated; `AWS::NoValue` removes keys and list items. */
  value(node: unknown): unknown {
    const result = this.evaluate(node, 0);
    return result === NO_VALUE ? undefined : result;
  }

  private evaluate(node: unknown, depth: number): unknown {
    if (depth > MAX_DEPTH) return new Unresolved('nested too deeply');
    if (Array.isArray(node)) {
      return node.map((item) => this.evaluate(item, depth + 1)).filter((item) => item !== NO_VALUE);
    }
    if (!isRecord(node)) return node;
    const keys = Object.keys(node);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return this.intrinsic(keys[0], node[keys[0]], depth);
    }
    return recordOf(
      keys.map((key) => [key, this.evaluate(node[key], depth + 1)] as const).filter(([, value]) => value !== NO_VALUE),
    );
  }

  private intrinsic(fn: string, arg: unknown, depth: number): unknown {
    const next = depth + 1;
    switch (fn) {
      case 'Ref':
        return typeof arg === 'string' ? this.ref(arg) : new Unresolved('Ref needs a name');
      case 'Fn::GetAtt':
        return this.getAtt(arg, next);
      case 'Fn::Sub':
        return this.sub(arg, next);
      case 'Fn::Join': {
        if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string')
          return new Unresolved('Fn::Join needs [delimiter, list]');
        const list = this.evaluate(arg[1], next);
        if (isUnresolved(list)) return list;
        if (!Array.isArray(list)) return new Unresolved('Fn::Join needs a list');
        const unknown = list.find(isUnresolved);
        if (unknown) return unknown;
        if (list.some((item) => typeof item === 'object' && item !== null))
          return new Unresolved('Fn::Join of a non-string');
        return list.map(String).join(arg[0]);
      }
      case 'Fn::Select': {
        if (!Array.isArray(arg) || arg.length !== 2) return new Unresolved('Fn::Select needs [index, list]');
        const index = this.evaluate(arg[0], next);
        const list = this.evaluate(arg[1], next);
        if (isUnresolved(index)) return index;
        if (isUnresolved(list)) return list;
        const position = Number(index);
        if (!Array.isArray(list) || !Number.isInteger(position) || position < 0 || position >= list.length)
          return new Unresolved('Fn::Select index out of range');
        return list[position];
      }
      case 'Fn::Split': {
        if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || arg[0] === '')
          return new Unresolved('Fn::Split needs [delimiter, string]');
        const source = this.evaluate(arg[1], next);
        if (isUnresolved(source)) return source;
        return typeof source === 'string' ? source.split(arg[0]) : new Unresolved('Fn::Split of a non-string');
      }
      case 'Fn::If': {
        if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string')
          return new Unresolved('Fn::If needs [condition, then, else]');
        const condition = this.condition(arg[0]);
        if (isUnresolved(condition)) return condition;
        return this.evaluate(condition ? arg[1] : arg[2], next);
      }
      case 'Fn::FindInMap':
        return this.findInMap(arg, next);
      case 'Fn::Base64': {
        const text = this.evaluate(arg, next);
        if (isUnresolved(text)) return text;
        return typeof text === 'string'
          ? Buffer.from(text, 'utf8').toString('base64')
          : new Unresolved('Fn::Base64 of a non-string');
      }
      case 'Fn::GetAZs': {
        const region = this.evaluate(arg, next);
        if (isUnresolved(region)) return region;
        const stackRegion = this.context.pseudo?.region;
        if ((region === '' || region === stackRegion) && this.context.availabilityZones)
          return [...this.context.availabilityZones];
        return new Unresolved('availability zones of the region are not read');
      }
      case 'Fn::Cidr': {
        if (!Array.isArray(arg) || arg.length !== 3) return new Unresolved('Fn::Cidr needs [block, count, bits]');
        const [block, count, bits] = arg.map((item) => this.evaluate(item, next));
        const unknown = [block, count, bits].find(isUnresolved);
        if (unknown) return unknown;
        return cidrSubnets(String(block), Number(count), Number(bits));
      }
      case 'Fn::ImportValue':
        return new Unresolved('values imported from other stacks are not read yet');
      default:
        return new Unresolved(`${fn} is not supported yet`);
    }
  }

  private ref(name: string): unknown {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name === 'AWS::NotificationARNs') return new Unresolved('notification ARNs are not read');
    const pseudoKey = PSEUDO_NAMES[name];
    if (pseudoKey) {
      const pseudo = this.context.pseudo ?? {};
      const value =
        pseudoKey === 'partition'
          ? (pseudo.partition ?? partitionOf(pseudo.region))
          : pseudoKey === 'urlSuffix'
            ? (pseudo.urlSuffix ??
              (pseudo.region?.startsWith('cn-') ? 'amazonaws.com.cn' : pseudo.region ? 'amazonaws.com' : undefined))
            : pseudo[pseudoKey];
      return value ?? new Unresolved(`${name} is not known`);
    }
    if (Object.hasOwn(this.parameterDecls, name)) return this.parameter(name);
    if (Object.hasOwn(this.resources, name)) {
      const decl = this.resources[name];
      const type = isRecord(decl) && typeof decl.Type === 'string' ? decl.Type : '';
      const physicalId = this.context.physicalIds?.[name];
      if (!physicalId) return new Unresolved(`${name} is not deployed`);
      const custom = this.context.refOf?.(name, type, physicalId);
      return custom === undefined ? physicalId : custom;
    }
    return new Unresolved(`nothing named ${name}`);
  }

  private parameter(name: string): unknown {
    const decl = isRecord(this.parameterDecls[name]) ? (this.parameterDecls[name] as Record<string, unknown>) : {};
    const type = typeof decl.Type === 'string' ? decl.Type : 'String';
    const supplied = this.context.parameters?.[name];
    if (decl.NoEcho === true || decl.NoEcho === 'true') return new Unresolved(`${name} is a NoEcho parameter`);
    if (isUnresolved(supplied)) return supplied;
    let raw: unknown = supplied;
    if (raw === undefined) {
      if (type.startsWith('AWS::SSM::Parameter::Value')) return new Unresolved(`${name} is read from SSM`);
      raw = decl.Default;
    }
    if (raw === undefined) return new Unresolved(`parameter ${name} has no value`);
    const text = typeof raw === 'string' ? raw : String(raw);
    if (type === 'CommaDelimitedList' || /^List</.test(type) || /::Value<List</.test(type))
      return text === '' ? [] : text.split(',').map((item) => item.trim());
    return text;
  }

  private getAtt(arg: unknown, depth: number): unknown {
    let logicalId: unknown;
    let attribute: unknown;
    if (typeof arg === 'string') {
      const dot = arg.indexOf('.');
      [logicalId, attribute] = dot > 0 ? [arg.slice(0, dot), arg.slice(dot + 1)] : [arg, undefined];
    } else if (Array.isArray(arg) && arg.length === 2) {
      logicalId = arg[0];
      attribute = this.evaluate(arg[1], depth);
    }
    if (isUnresolved(attribute)) return attribute;
    if (typeof logicalId !== 'string' || typeof attribute !== 'string')
      return new Unresolved('Fn::GetAtt needs [logicalId, attribute]');
    if (!Object.hasOwn(this.resources, logicalId)) return new Unresolved(`no resource named ${logicalId}`);
    const value = this.context.attribute?.(logicalId, attribute);
    return value === undefined ? new Unresolved(`${logicalId}.${attribute} is not known`) : value;
  }

  private sub(arg: unknown, depth: number): unknown {
    let text: unknown = arg;
    let variables: Record<string, unknown> = {};
    if (Array.isArray(arg)) {
      if (arg.length !== 2 || !isRecord(arg[1])) return new Unresolved('Fn::Sub needs a string or [string, variables]');
      [text] = arg;
      variables = arg[1];
    }
    if (typeof text !== 'string') return new Unresolved('Fn::Sub needs a string');
    let unknown: Unresolved | undefined;
    const result = text.replace(/\$\{([^}]*)\}/g, (whole: string, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      const trimmed = name.trim();
      let value: unknown;
      if (Object.hasOwn(variables, trimmed)) value = this.evaluate(variables[trimmed], depth);
      else if (trimmed.includes('.') && !trimmed.startsWith('AWS::')) value = this.getAtt(trimmed, depth);
      else value = this.ref(trimmed);
      if (isUnresolved(value)) unknown ??= value;
      else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
        return String(value);
      else unknown ??= new Unresolved(`\${${trimmed}} is not a string`);
      return whole;
    });
    return unknown ?? result;
  }

  private findInMap(arg: unknown, depth: number): unknown {
    if (!Array.isArray(arg) || arg.length < 3) return new Unresolved('Fn::FindInMap needs [map, key, key]');
    const keys = arg.slice(0, 3).map((item) => this.evaluate(item, depth));
    const unknown = keys.find(isUnresolved);
    if (unknown) return unknown;
    const mappings = isRecord(this.template.Mappings) ? this.template.Mappings : {};
    const [mapName, first, second] = keys.map(String);
    const map = Object.hasOwn(mappings, mapName) ? mappings[mapName] : undefined;
    const level = isRecord(map) && Object.hasOwn(map, first) ? map[first] : undefined;
    if (isRecord(level) && Object.hasOwn(level, second)) return level[second];
    return new Unresolved(`${mapName} has no ${first}/${second}`);
  }
}

/** How CloudFormation compares scalars in Fn::Equals (all parameter values are strings). */
function comparable(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** IPv4 Fn::Cidr: `count` subnets with `bits` host bits each, from the start of `block`. */
export function cidrSubnets(block: string, count: number, bits: number): string[] | Unresolved {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(block);
  if (!match) return new Unresolved('Fn::Cidr supports IPv4 blocks only');
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return new Unresolved('Fn::Cidr: invalid block');
  const newPrefix = 32 - bits;
  if (!Number.isInteger(count) || count < 1 || count > 256 || !Number.isInteger(bits) || newPrefix < prefix || bits < 0)
    return new Unresolved('Fn::Cidr: count or bits out of range');
  if (count > 2 ** (newPrefix - prefix)) return new Unresolved('Fn::Cidr: block too small');
  const base = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const start = Math.floor(base / 2 ** (32 - prefix)) * 2 ** (32 - prefix);
  return Array.from({ length: count }, (_, index) => {
    const address = start + index * 2 ** bits;
    const parts = [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256);
    return `${parts.join('.')}/${newPrefix}`;
  });
}

export function evaluateTemplate(template: unknown, context: EvaluationContext = {}): EvaluatedTemplate {
  return new TemplateEvaluator(template, context).evaluateTemplate();
}
