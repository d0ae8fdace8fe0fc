import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TfFile } from './analysis';
import type { TfValue } from './model';
import { parseTerraform } from './parse';
import { readBoundedFile } from './state';

/** A variable file larger than this is refused (and reported): tfvars of 1 MB are already unusual. */
export const MAX_TFVARS_CHARS = 1024 * 1024;
/** `*.auto.tfvars` files read per folder; more are reported, not read. */
export const MAX_TFVARS_FILES = 50;

/** A value as far as Pilot Light can tell: known (with where it came from), or unknown with the reason. */
export type TfEvaluated = { known: true; value: unknown; source?: string } | { known: false; reason: string };

/** One variable definitions file (`terraform.tfvars`, `x.auto.tfvars.json`…), parsed. */
export interface TfVariableFile {
  name: string;
  values: Map<string, TfEvaluated>;
  /** Why the file could not be read or parsed: then none of its values is used. */
  problem?: string;
}

/** What every `var.x` of a module resolves to, and the variable files that could not be read. */
export interface TfVariables {
  values: Map<string, TfEvaluated>;
  problems: Array<{ file: string; message: string }>;
}

/** The file names Terraform loads automatically, in its order (later files win). */
export function isAutoVariableFile(name: string): boolean {
  return (
    name === 'terraform.tfvars' ||
    name === 'terraform.tfvars.json' ||
    name.endsWith('.auto.tfvars') ||
    name.endsWith('.auto.tfvars.json')
  );
}

export function autoVariableFileOrder(names: string[]): string[] {
  const rank = (name: string) => (name === 'terraform.tfvars' ? 0 : name === 'terraform.tfvars.json' ? 1 : 2);
  return names.filter(isAutoVariableFile).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Sets a key as an own property, whatever it is called (`__proto__` included). */
export function defineEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A value written with literals only (numbers, strings, bools, null, lists and objects of them). */
export function literalValue(value: TfValue, source?: string): TfEvaluated {
  switch (value.kind) {
    case 'literal':
      return { known: true, value: value.value, ...(source ? { source } : {}) };
    case 'template': {
      if (value.parts.some((part) => typeof part !== 'string'))
        return { known: false, reason: 'a string with interpolations' };
      return { known: true, value: value.parts.join(''), ...(source ? { source } : {}) };
    }
    case 'tuple': {
      const items: unknown[] = [];
      for (const item of value.items) {
        const resolved = literalValue(item);
        if (!resolved.known) return resolved;
        items.push(resolved.value);
      }
      return { known: true, value: items, ...(source ? { source } : {}) };
    }
    case 'object': {
      const entries: Record<string, unknown> = {};
      for (const entry of value.entries) {
        const resolved = literalValue(entry.value);
        if (!resolved.known) return resolved;
        defineEntry(entries, entry.key, resolved.value);
      }
      return { known: true, value: entries, ...(source ? { source } : {}) };
    }
    case 'reference':
      return { known: false, reason: `a reference (${value.reference.text})` };
    default:
      return { known: false, reason: describeExpression(value.text) };
  }
}

/** A short reason for an expression that is not evaluated: `function cidrsubnet()`, `conditional expression`. */
export function describeExpression(text: string): string {
  const call = /^\s*([A-Za-z_][\w:]*)\s*\(/.exec(text);
  if (call) return `function ${call[1]}() is not evaluated`;
  if (/^\s*\[\s*for\s|^\s*\{\s*for\s/.test(text)) return 'for expression is not evaluated';
  if (/\?[^:]*:/.test(text)) return 'conditional expression is not evaluated';
  return `computed expression (${text.slice(0, 40)}) is not evaluated`;
}

/** Parses a `.tfvars` file (HCL: `name = value` lines) or a `.tfvars.json` file (one JSON object). */
export async function parseVariableFile(name: string, text: string): Promise<TfVariableFile> {
  const values = new Map<string, TfEvaluated>();
  if (text.length > MAX_TFVARS_CHARS)
    return {
      name,
      values,
      problem: `${name} has ${text.length.toLocaleString('en-US')} characters; at most ${MAX_TFVARS_CHARS.toLocaleString('en-US')} are read.`,
    };
  if (name.endsWith('.json')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return { name, values, problem: `${name} is not valid JSON: ${(error as Error).message}` };
    }
    if (!json || typeof json !== 'object' || Array.isArray(json))
      return { name, values, problem: `${name} must hold one JSON object of variable values.` };
    for (const [key, value] of Object.entries(json as Record<string, unknown>))
      values.set(key, { known: true, value, source: name });
    return { name, values };
  }
  let doc;
  try {
    doc = await parseTerraform(text);
  } catch (error) {
    return { name, values, problem: `${name} could not be parsed: ${(error as Error).message}` };
  }
  const [syntax] = doc.problems;
  if (syntax)
    return {
      name,
      values,
      problem: `${name} could not be parsed: ${syntax.message} (line ${syntax.range.start.line})`,
    };
  const [block] = doc.blocks;
  if (block)
    return {
      name,
      values,
      problem: `${name} could not be parsed: a variable file holds only "name = value" lines, not blocks ("${block.keyword}" on line ${block.range.start.line}).`,
    };
  for (const attribute of doc.attributes) {
    const resolved = literalValue(attribute.value, name);
    values.set(
      attribute.name,
      resolved.known ? resolved : { known: false, reason: `${name} sets it to ${resolved.reason}` },
    );
  }
  return { name, values };
}

const readBoundedText = (path: string) =>
  readBoundedFile(
    path,
    MAX_TFVARS_CHARS * 3,
    (size) =>
      new Error(
        `it has ${size.toLocaleString('en-US')} bytes; at most ${MAX_TFVARS_CHARS.toLocaleString('en-US')} characters are read`,
      ),
  );

/** The variable files Terraform loads automatically from `folder`, in its order, parsed. */
export async function readVariableFiles(folder: string): Promise<TfVariableFile[]> {
  let names: string[];
  try {
    names = (await readdir(folder, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && isAutoVariableFile(entry.name))
      .map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const ordered = autoVariableFileOrder(names);
  const files: TfVariableFile[] = [];
  for (const [index, name] of ordered.entries()) {
    if (index >= MAX_TFVARS_FILES) {
      files.push({
        name,
        values: new Map(),
        problem: `${ordered.length} variable files in ${folder}; only the first ${MAX_TFVARS_FILES} are read.`,
      });
      break;
    }
    try {
      files.push(await parseVariableFile(name, await readBoundedText(join(folder, name))));
    } catch (error) {
      files.push({ name, values: new Map(), problem: `${name} could not be read: ${(error as Error).message}` });
    }
  }
  return files;
}

/**
 * The value of every declared variable: its default, overridden by the variable files in Terraform's order.
 * When a variable file could not be parsed, no variable is known (the file might set any of them); `-var` and
 * `-var-file` on the command line and `TF_VAR_` variables are not seen.
 */
export function resolveVariables(files: TfFile[], variableFiles: TfVariableFile[]): TfVariables {
  const values = new Map<string, TfEvaluated>();
  const problems = variableFiles
    .filter((file) => file.problem)
    .map((file) => ({ file: file.name, message: file.problem! }));
  for (const { doc } of files)
    for (const block of doc.blocks) {
      if (block.kind !== 'variable' || !block.labels[0] || values.has(block.labels[0].value)) continue;
      const name = block.labels[0].value;
      if (problems.length) {
        values.set(name, { known: false, reason: `variable file not parsed: ${problems[0].message}` });
        continue;
      }
      let resolved: TfEvaluated | undefined;
      for (const file of variableFiles) resolved = file.values.get(name) ?? resolved;
      if (!resolved) {
        const fallback = block.attributes.find((attribute) => attribute.name === 'default');
        resolved = fallback
          ? literalValue(fallback.value, 'default')
          : {
              known: false,
              reason: `var.${name} has no default and no value in terraform.tfvars or *.auto.tfvars`,
            };
        if (!resolved.known && fallback)
          resolved = { known: false, reason: `default of var.${name} is ${resolved.reason}` };
      }
      values.set(name, resolved);
    }
  return { values, problems };
}
