import type { TfFile } from './analysis';
import type { TfReference, TfValue } from './model';
import { unescapeHcl } from './parse';
import type { TfState } from './state';
import { defineEntry, describeExpression, type TfEvaluated, type TfVariables } from './variables';

const MAX_EVAL_DEPTH = 16;

/** The instance a block's values are evaluated for: `count.index`, or `each.key` and `each.value`. */
export interface TfInstanceContext {
  countIndex?: number;
  eachKey?: string;
  eachValue?: TfEvaluated;
}

/** One step after a reference's address: an attribute name or an index (`[0]`, `["a"]`). */
type Step = { name: string } | { index: number | string };

/** `.name`, `[0]`, `["key"]`, `[count.index]`, `[each.key]`: read left to right, linear in the text. */
const STEP =
  /\s*(?:\.([A-Za-z_][\w-]*)|\[\s*(\d+)\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\[\s*(count\.index|each\.key)\s*\])/y;

/**
 * The expected value of a .tf expression: literals; `var.x` from defaults and variable files; `local.x` when it
 * reduces to something known; resource and data source attributes from the state; `count.index`, `each.key`
 * and `each.value` for the instance. Anything else (module outputs, functions, operators) is unknown, never a
 * guess.
 */
export class TfEvaluator {
  private readonly locals: Map<string, TfValue>;

  constructor(
    files: TfFile[],
    private readonly state: TfState | undefined,
    private readonly variables: TfVariables | undefined,
    private readonly instance: TfInstanceContext = {},
    locals?: Map<string, TfValue>,
  ) {
    this.locals = locals ?? new Map();
    if (!locals)
      for (const { doc } of files)
        for (const block of doc.blocks)
          if (block.kind === 'locals')
            for (const attribute of block.attributes) this.locals.set(attribute.name, attribute.value);
  }

  /** The same module evaluated for one instance of a block with `count` or `for_each`. */
  forInstance(instance: TfInstanceContext): TfEvaluator {
    return new TfEvaluator([], this.state, this.variables, instance, this.locals);
  }

  evaluate(value: TfValue, depth = 0): TfEvaluated {
    if (depth > MAX_EVAL_DEPTH) return { known: false, reason: 'nested too deeply' };
    switch (value.kind) {
      case 'literal':
        return { known: true, value: value.value };
      case 'reference':
        return this.reference(value.reference, depth);
      case 'template': {
        let text = '';
        for (const part of value.parts) {
          if (typeof part === 'string') {
            text += part;
            continue;
          }
          const resolved = this.reference(part, depth);
          if (!resolved.known) return resolved;
          if (resolved.value === null || typeof resolved.value === 'object')
            return { known: false, reason: `${part.text} is not a string` };
          text += String(resolved.value);
        }
        return { known: true, value: text };
      }
      case 'tuple': {
        const items: unknown[] = [];
        for (const item of value.items) {
          const resolved = this.evaluate(item, depth + 1);
          if (!resolved.known) return resolved;
          items.push(resolved.value);
        }
        return { known: true, value: items };
      }
      case 'object': {
        const entries: Record<string, unknown> = {};
        for (const entry of value.entries) {
          const resolved = this.evaluate(entry.value, depth + 1);
          if (!resolved.known) return resolved;
          defineEntry(entries, entry.key, resolved.value);
        }
        return { known: true, value: entries };
      }
      default:
        return { known: false, reason: describeExpression(value.text) };
    }
  }

  /** The steps written after the address; undefined when one is not a plain name or literal index. */
  private steps(reference: TfReference): Step[] | { unknown: string } {
    const rest = reference.text.slice(reference.target.length);
    const steps: Step[] = [];
    STEP.lastIndex = 0;
    while (STEP.lastIndex < rest.length) {
      const at = STEP.lastIndex;
      const match = STEP.exec(rest);
      if (!match) {
        if (!rest.slice(at).trim()) break;
        return { unknown: `${reference.text}: index ${rest.slice(at).trim().slice(0, 20)} is not evaluated` };
      }
      if (match[1] !== undefined) steps.push({ name: match[1] });
      else if (match[2] !== undefined) steps.push({ index: Number(match[2]) });
      else if (match[3] !== undefined) steps.push({ index: unescapeHcl(match[3]) });
      else if (match[4] === 'count.index') {
        if (this.instance.countIndex === undefined)
          return { unknown: `${reference.text}: count.index outside a resource with count` };
        steps.push({ index: this.instance.countIndex });
      } else {
        if (this.instance.eachKey === undefined)
          return { unknown: `${reference.text}: each.key outside a resource with for_each` };
        steps.push({ index: this.instance.eachKey });
      }
    }
    return steps;
  }

  private navigate(reference: TfReference, start: unknown, steps: Step[]): TfEvaluated {
    let current = start;
    for (const step of steps) {
      const key = 'name' in step ? step.name : step.index;
      if (Array.isArray(current) && typeof key === 'number' && key < current.length) current = current[key];
      else if (current && typeof current === 'object' && !Array.isArray(current) && Object.hasOwn(current, key))
        current = (current as Record<string, unknown>)[String(key)];
      else return { known: false, reason: `${reference.text} is not in the value` };
    }
    return { known: true, value: current };
  }

  private reference(reference: TfReference, depth: number): TfEvaluated {
    const steps = this.steps(reference);
    if (!Array.isArray(steps)) return { known: false, reason: steps.unknown };
    const name = reference.target.slice(reference.target.indexOf('.') + 1);
    switch (reference.kind) {
      case 'count':
        if (name !== 'index' || this.instance.countIndex === undefined)
          return { known: false, reason: `${reference.text} outside a resource with count` };
        return this.navigate(reference, this.instance.countIndex, steps);
      case 'each': {
        if (this.instance.eachKey === undefined)
          return { known: false, reason: `${reference.text} outside a resource with for_each` };
        if (name === 'key') return this.navigate(reference, this.instance.eachKey, steps);
        if (name !== 'value' || !this.instance.eachValue) return { known: false, reason: `${reference.text}` };
        if (!this.instance.eachValue.known) return this.instance.eachValue;
        return this.navigate(reference, this.instance.eachValue.value, steps);
      }
      case 'local': {
        const local = this.locals.get(name);
        if (!local) return { known: false, reason: `${reference.target} is not declared` };
        const resolved = this.evaluate(local, depth + 1);
        if (!resolved.known) return { known: false, reason: `${reference.target}: ${resolved.reason}` };
        return this.navigate(reference, resolved.value, steps);
      }
      case 'var': {
        const resolved = this.variables?.values.get(name);
        if (!this.variables) return { known: false, reason: `${reference.text}: variable values were not read` };
        if (!resolved) return { known: false, reason: `${reference.target} is not declared` };
        if (!resolved.known) return resolved;
        const found = this.navigate(reference, resolved.value, steps);
        return found.known && resolved.source ? { ...found, source: resolved.source } : found;
      }
      case 'module':
        return { known: false, reason: `module output (${reference.text})` };
      default:
        return this.stateReference(reference, steps);
    }
  }

  /** A resource or data source attribute from the state: `aws_subnet.a[0].id`. */
  private stateReference(reference: TfReference, steps: Step[]): TfEvaluated {
    const noun = reference.kind === 'data' ? 'data source' : 'resource';
    if (!this.state) return { known: false, reason: `${reference.text}: no Terraform state` };
    const [first] = steps;
    const keyed = first && 'index' in first;
    const address = keyed
      ? `${reference.target}[${typeof first.index === 'number' ? first.index : JSON.stringify(first.index)}]`
      : reference.target;
    const resource = this.state.resources.get(address);
    if (!resource) return { known: false, reason: `${noun} ${address} is not in the state` };
    const found = this.navigate(reference, resource.attributes, keyed ? steps.slice(1) : steps);
    return found.known ? found : { known: false, reason: `${reference.text} is not in the state` };
  }
}
