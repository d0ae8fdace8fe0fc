import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import type { z } from 'zod';
import { guardrailsFileSchema, policyFields, type ChangeWindow, type PolicyField } from './policySchema';

export type MutatingKind = 'write' | 'delete';
export type BackupMode = 'always' | 'protected' | 'never';

/** A change window and where it came from; windows from different sources must all allow a change. */
export interface SourcedChangeWindow extends ChangeWindow {
  source: string;
}

/** The policy in force: every field set. */
export interface GuardrailPolicy {
  environmentTagKeys: string[];
  accountEnvironments: Record<string, string>;
  protectedEnvironments: string[];
  treatUnknownEnvironmentAsProtected: boolean;
  approvalRequiredFor: MutatingKind[];
  confirmationRequiredFor: MutatingKind[];
  changeWindows: SourcedChangeWindow[];
  maxResourcesPerOperation: number;
  protectionTags: string[];
  backupBeforeDelete: BackupMode;
  maxMutationsPerMinute: number;
  auditReads: boolean;
}

/** Safe defaults: they hold whenever settings or the workspace file say nothing, or say something invalid. */
export const DEFAULT_GUARDRAIL_POLICY: Readonly<GuardrailPolicy> = Object.freeze({
  environmentTagKeys: ['Environment', 'env', 'stage'],
  accountEnvironments: {},
  protectedEnvironments: ['prod', 'production'],
  treatUnknownEnvironmentAsProtected: false,
  approvalRequiredFor: ['write', 'delete'],
  confirmationRequiredFor: ['delete'],
  changeWindows: [],
  maxResourcesPerOperation: 10,
  protectionTags: ['DoNotDelete'],
  backupBeforeDelete: 'always',
  maxMutationsPerMinute: 30,
  auditReads: false,
} satisfies GuardrailPolicy);

export const GUARDRAILS_FILE = join('.pilotlight', 'guardrails.json');

export interface PolicyProblem {
  /** `settings` or the file path. */
  source: string;
  severity: 'error' | 'warning';
  message: string;
  /** Dotted path of the offending field, e.g. `changeWindows.0.timeZone`. */
  field?: string;
  /** 1-based. */
  line?: number;
  column?: number;
}

export interface LoadedPolicy {
  policy: GuardrailPolicy;
  problems: PolicyProblem[];
  /** Sources that contributed, in order. */
  sources: string[];
}

export function formatPolicyProblem(problem: PolicyProblem): string {
  const where = problem.line ? `${problem.source}:${problem.line}:${problem.column ?? 1}` : problem.source;
  return `${where}: ${problem.field ? `${problem.field}: ` : ''}${problem.message}`;
}

export interface PolicyInputs {
  /** The `pilotLight.guardrails` settings object, as the editor adapter read it. */
  settings?: unknown;
  /** The workspace file's path and text, when there is one. */
  workspaceFile?: { path: string; text: string };
}

/**
 * The policy in force. Settings may loosen the defaults (the user's own choice); the workspace file, which
 * arrives with a cloned repository, can only tighten. Invalid parts are reported and never applied.
 */
export function resolveGuardrailPolicy(inputs: PolicyInputs): LoadedPolicy {
  const problems: PolicyProblem[] = [];
  const sources = ['defaults'];
  const fromSettings = inputs.settings === undefined ? {} : validateSettings(inputs.settings, problems);
  if (inputs.settings !== undefined) sources.push('settings');
  let policy: GuardrailPolicy = {
    ...cloneDefaults(),
    ...withoutWindows(fromSettings),
    changeWindows: (fromSettings.changeWindows ?? []).map((window) => ({ ...window, source: 'settings' })),
  };
  if (inputs.workspaceFile) {
    const parsed = parseGuardrailsFile(inputs.workspaceFile.text, inputs.workspaceFile.path);
    problems.push(...parsed.problems);
    if (parsed.value) {
      policy = tightenPolicy(policy, parsed.value, inputs.workspaceFile.path);
      sources.push(inputs.workspaceFile.path);
    }
  }
  return { policy, problems, sources };
}

/** Reads `<root>/.pilotlight/guardrails.json` if it exists. */
export async function readWorkspaceGuardrailsFile(workspaceRoot: string): Promise<{ path: string; text: string } | undefined> {
  const path = join(workspaceRoot, GUARDRAILS_FILE);
  try {
    return { path, text: await fs.readFile(path, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function cloneDefaults(): GuardrailPolicy {
  return JSON.parse(JSON.stringify(DEFAULT_GUARDRAIL_POLICY)) as GuardrailPolicy;
}

function withoutWindows<T extends { changeWindows?: unknown }>(value: T): Omit<T, 'changeWindows'> {
  const { changeWindows: _ignored, ...rest } = value;
  return rest;
}

type PartialPolicy = Partial<{ [K in PolicyField]: z.infer<(typeof policyFields)[K]> }>;

/** Settings are validated field by field: a bad field keeps its default and is reported. */
function validateSettings(settings: unknown, problems: PolicyProblem[]): PartialPolicy {
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) {
    problems.push({ source: 'settings', severity: 'error', message: 'The guardrails setting must be an object; the defaults stay in force.' });
    return {};
  }
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    const schema = (policyFields as Record<string, z.ZodType>)[key];
    if (!schema) {
      problems.push({ source: 'settings', severity: 'warning', field: key, message: `Unknown guardrail setting "${key}"; it is ignored.` });
      continue;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) result[key] = parsed.data;
    else for (const issue of parsed.error.issues) problems.push({ source: 'settings', severity: 'error', field: [key, ...issue.path.map(String)].join('.'), message: `${issue.message} The default stays in force.` });
  }
  return result as PartialPolicy;
}

export interface ParsedGuardrailsFile {
  /** The valid part of the file, or undefined when it could not be read as JSON at all. */
  value?: PartialPolicy;
  problems: PolicyProblem[];
}

/**
 * Parses the workspace file. A syntax error rejects the whole file; a field that breaks the schema is
 * dropped (with its line and column reported) while the file's valid fields still apply.
 */
export function parseGuardrailsFile(text: string, source: string): ParsedGuardrailsFile {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: false });
  const lines = lineStarts(text);
  if (errors.length || !tree) {
    const problems = (errors.length ? errors : [{ error: 0, offset: 0, length: 0 } as unknown as ParseError]).map((error) => ({
      source,
      severity: 'error' as const,
      ...position(lines, error.offset),
      message: `${errors.length ? describeParseError(error) : 'The file is empty'}; the file is ignored and the settings and safe defaults stay in force.`,
    }));
    return { problems };
  }
  if (tree.type !== 'object') {
    return { problems: [{ source, severity: 'error', ...position(lines, tree.offset), message: 'The guardrails file must hold a JSON object; the file is ignored.' }] };
  }
  const raw = treeToValue(tree) as Record<string, unknown>;
  const parsed = guardrailsFileSchema.safeParse(raw);
  if (parsed.success) {
    const { $schema: _schema, ...value } = parsed.data;
    return { value: value as PartialPolicy, problems: [] };
  }
  const problems: PolicyProblem[] = [];
  const badTopLevel = new Set<string>();
  for (const issue of parsed.error.issues) {
    const path = issue.path.map((part) => (typeof part === 'number' ? part : String(part)));
    let node: JsonNode | undefined;
    let field = path.join('.');
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0];
      node = findNodeAtLocation(tree, [...path, key])?.parent ?? findNodeAtLocation(tree, path);
      field = [...path, key].join('.');
      for (const unknownKey of issue.keys) if (path.length === 0) badTopLevel.add(unknownKey);
    }
    node ??= deepestNode(tree, path);
    if (path.length) badTopLevel.add(String(path[0]));
    problems.push({ source, severity: 'error', field, ...position(lines, node?.offset ?? 0), message: `${issue.message} This field is ignored; the settings and safe defaults stay in force for it.` });
  }
  const value: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(raw)) if (key !== '$schema' && !badTopLevel.has(key)) value[key] = item;
  const valid = guardrailsFileSchema.safeParse(value);
  return { value: valid.success ? (valid.data as PartialPolicy) : undefined, problems };
}

/** The plain value of a parse tree (comments dropped). */
function treeToValue(node: JsonNode): unknown {
  if (node.type === 'object') return Object.fromEntries((node.children ?? []).map((property) => [property.children![0].value as string, property.children![1] ? treeToValue(property.children![1]) : undefined]));
  if (node.type === 'array') return (node.children ?? []).map(treeToValue);
  return node.value;
}

function deepestNode(tree: JsonNode, path: Array<string | number>): JsonNode | undefined {
  for (let length = path.length; length >= 0; length -= 1) {
    const node = findNodeAtLocation(tree, path.slice(0, length));
    if (node) return node;
  }
  return undefined;
}

function describeParseError(error: ParseError): string {
  const names: Record<string, string> = {
    InvalidSymbol: 'Unexpected character',
    InvalidNumberFormat: 'Invalid number',
    PropertyNameExpected: 'Expected a property name in double quotes',
    ValueExpected: 'Expected a value',
    ColonExpected: 'Expected ":"',
    CommaExpected: 'Expected ","',
    CloseBraceExpected: 'Expected "}"',
    CloseBracketExpected: 'Expected "]"',
    EndOfFileExpected: 'Unexpected content after the end of the JSON object',
    InvalidCommentToken: 'Invalid comment',
    UnexpectedEndOfComment: 'Unclosed comment',
    UnexpectedEndOfString: 'Unclosed string',
    UnexpectedEndOfNumber: 'Incomplete number',
    InvalidUnicode: 'Invalid unicode escape',
    InvalidEscapeCharacter: 'Invalid escape character',
    InvalidCharacter: 'Invalid character in a string',
  };
  const code = printParseErrorCode(error.error);
  return `JSON syntax error: ${names[code] ?? code}`;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let index = 0; index < text.length; index += 1) if (text[index] === '\n') starts.push(index + 1);
  return starts;
}

function position(starts: number[], offset: number): { line: number; column: number } {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (starts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - starts[low] + 1 };
}

const BACKUP_STRICTNESS: Record<BackupMode, number> = { never: 0, protected: 1, always: 2 };

function union(base: string[], extra: string[] | undefined, caseInsensitive = true): string[] {
  const result = [...base];
  for (const item of extra ?? []) if (!result.some((have) => (caseInsensitive ? have.toLowerCase() === item.toLowerCase() : have === item))) result.push(item);
  return result;
}

/** Applies a workspace layer so it can only make the policy stricter. */
export function tightenPolicy(base: GuardrailPolicy, layer: PartialPolicy, source: string): GuardrailPolicy {
  const protectedEnvironments = union(base.protectedEnvironments, layer.protectedEnvironments);
  const isProtected = (env: string) => protectedEnvironments.some((name) => name.toLowerCase() === env.toLowerCase());
  const accountEnvironments = { ...base.accountEnvironments };
  for (const [account, env] of Object.entries(layer.accountEnvironments ?? {})) {
    // A new mapping, or one that moves an account into a protected environment; never out of one.
    if (!accountEnvironments[account] || (isProtected(env) && !isProtected(accountEnvironments[account]))) accountEnvironments[account] = env;
  }
  return {
    environmentTagKeys: union(base.environmentTagKeys, layer.environmentTagKeys),
    accountEnvironments,
    protectedEnvironments,
    treatUnknownEnvironmentAsProtected: base.treatUnknownEnvironmentAsProtected || Boolean(layer.treatUnknownEnvironmentAsProtected),
    approvalRequiredFor: union(base.approvalRequiredFor, layer.approvalRequiredFor) as MutatingKind[],
    confirmationRequiredFor: union(base.confirmationRequiredFor, layer.confirmationRequiredFor) as MutatingKind[],
    changeWindows: [...base.changeWindows, ...(layer.changeWindows ?? []).map((window) => ({ ...window, source }))],
    maxResourcesPerOperation: Math.min(base.maxResourcesPerOperation, layer.maxResourcesPerOperation ?? Infinity),
    protectionTags: union(base.protectionTags, layer.protectionTags),
    backupBeforeDelete: layer.backupBeforeDelete && BACKUP_STRICTNESS[layer.backupBeforeDelete] > BACKUP_STRICTNESS[base.backupBeforeDelete] ? layer.backupBeforeDelete : base.backupBeforeDelete,
    maxMutationsPerMinute: Math.min(base.maxMutationsPerMinute, layer.maxMutationsPerMinute ?? Infinity),
    auditReads: base.auditReads || Boolean(layer.auditReads),
  };
}
