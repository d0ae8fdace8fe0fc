import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import {
  findNodeAtLocation,
  parseTree,
  printParseErrorCode,
  type Node as JsonNode,
  type ParseError,
} from 'jsonc-parser';
import type { z } from 'zod';
import { isProtectedEnvironment, UNKNOWN_ENVIRONMENT } from './environment';
import { guardrailsFileSchema, POLICY_LIMITS, policyFields, type PolicyField } from './policySchema';
import type { BackupMode, GuardrailPolicy } from './policyTypes';

export type { BackupMode, GuardrailPolicy, MutatingKind, SourcedChangeWindow } from './policyTypes';

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
  approvals: [],
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
    approvals: (fromSettings.approvals ?? []).map((rule) => ({ ...rule, source: 'settings' })),
  };
  if (inputs.workspaceFile) {
    const parsed = parseGuardrailsFile(inputs.workspaceFile.text, inputs.workspaceFile.path);
    problems.push(...parsed.problems);
    if (parsed.value) {
      policy = tightenPolicy(policy, parsed.value, inputs.workspaceFile.path, problems);
      sources.push(inputs.workspaceFile.path);
    }
  }
  return { policy, problems, sources };
}

/**
 * Reads `<root>/.pilotlight/guardrails.json` if it exists: at most one byte more than the size limit, so an
 * oversized file is reported by parseGuardrailsFile without being read whole.
 */
export async function readWorkspaceGuardrailsFile(
  workspaceRoot: string,
): Promise<{ path: string; text: string } | undefined> {
  const path = join(workspaceRoot, GUARDRAILS_FILE);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const buffer = Buffer.alloc(Math.min(POLICY_LIMITS.fileBytes + 1, (await handle.stat()).size));
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return { path, text: buffer.subarray(0, length).toString('utf8') };
  } finally {
    await handle.close();
  }
}

function cloneDefaults(): GuardrailPolicy {
  return JSON.parse(JSON.stringify(DEFAULT_GUARDRAIL_POLICY)) as GuardrailPolicy;
}

function withoutWindows<T extends { changeWindows?: unknown; approvals?: unknown }>(
  value: T,
): Omit<T, 'changeWindows' | 'approvals'> {
  const { changeWindows: _ignored, approvals: _rules, ...rest } = value;
  return rest;
}

type PartialPolicy = Partial<{ [K in PolicyField]: z.infer<(typeof policyFields)[K]> }>;

/** Settings are validated field by field: a bad field keeps its default and is reported. */
function validateSettings(settings: unknown, problems: PolicyProblem[]): PartialPolicy {
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) {
    problems.push({
      source: 'settings',
      severity: 'error',
      message: 'The guardrails setting must be an object; the defaults stay in force.',
    });
    return {};
  }
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    const schema = (policyFields as Record<string, z.ZodType>)[key];
    if (!schema) {
      problems.push({
        source: 'settings',
        severity: 'warning',
        field: key,
        message: `Unknown guardrail setting "${key}"; it is ignored.`,
      });
      continue;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) result[key] = parsed.data;
    else
      for (const issue of parsed.error.issues)
        problems.push({
          source: 'settings',
          severity: 'error',
          field: [key, ...issue.path.map(String)].join('.'),
          message: `${issue.message} The default stays in force.`,
        });
  }
  return result as PartialPolicy;
}

type Positions = Map<string, { line: number; column: number }>;

/** Where each top-level field (and each `accountEnvironments.<account>` entry) of a parsed file starts; worked out on first use. */
const fieldPositions = new WeakMap<object, () => Positions>();

export interface ParsedGuardrailsFile {
  /** The valid part of the file, or undefined when it could not be read as JSON at all. */
  value?: PartialPolicy;
  problems: PolicyProblem[];
}

/** Entry limits of the top-level lists and maps, checked before validation so an oversized one costs nothing more. */
const ENTRY_LIMITS: Partial<Record<PolicyField, number>> = {
  environmentTagKeys: POLICY_LIMITS.tagKeys,
  accountEnvironments: POLICY_LIMITS.accounts,
  protectedEnvironments: POLICY_LIMITS.environments,
  approvalRequiredFor: 2,
  confirmationRequiredFor: 2,
  changeWindows: POLICY_LIMITS.changeWindows,
  protectionTags: POLICY_LIMITS.protectionTags,
  approvals: POLICY_LIMITS.approvalRules,
};

/**
 * Parses the workspace file. A syntax error rejects the whole file; a field that breaks the schema is
 * dropped (with its line and column reported) while the file's valid fields still apply. The file's size,
 * nesting and list lengths are bounded, and the work is linear in its size: plain JSON goes through the
 * native parser, and the slower parse tree that gives line and column is built only when there is a problem.
 */
export function parseGuardrailsFile(text: string, source: string): ParsedGuardrailsFile {
  const ignored = 'the file is ignored and the settings and safe defaults stay in force.';
  if (text.length > POLICY_LIMITS.fileBytes || Buffer.byteLength(text, 'utf8') > POLICY_LIMITS.fileBytes) {
    return {
      problems: [
        {
          source,
          severity: 'error',
          line: 1,
          column: 1,
          message: `The file is larger than ${POLICY_LIMITS.fileBytes / (1024 * 1024)} MB, the most a guardrails file may hold; ${ignored}`,
        },
      ],
    };
  }
  let lines: number[] | undefined;
  const at = (offset: number) => position((lines ??= lineStarts(text)), offset);
  const scan = scanFields(text, POLICY_LIMITS.nestingDepth);
  if (scan.tooDeep !== undefined) {
    return {
      problems: [
        {
          source,
          severity: 'error',
          ...at(scan.tooDeep),
          message: `Lists and objects are nested more than ${POLICY_LIMITS.nestingDepth} levels deep here; ${ignored}`,
        },
      ],
    };
  }
  if (scan.topLevelKeys > MAX_TOP_LEVEL_KEYS) {
    return {
      problems: [
        {
          source,
          severity: 'error',
          line: 1,
          column: 1,
          message: `The file has ${scan.topLevelKeys} top-level fields; a guardrails file has at most ${Object.keys(policyFields).length + 1} different ones, so this is not one; ${ignored}`,
        },
      ],
    };
  }
  const fieldIgnored = 'This field is ignored; the settings and safe defaults stay in force for it.';
  const problems: PolicyProblem[] = [];
  // A list over its entry limit is reported and blanked out before parsing, so it costs no more than the scan.
  const oversized = new Set<string>();
  let parseText = text;
  for (const [key, span] of [...scan.fields].sort((a, b) => b[1].value - a[1].value)) {
    const limit = ENTRY_LIMITS[key as PolicyField];
    if (limit === undefined || span.entries <= limit) continue;
    oversized.add(key);
    problems.push({
      source,
      severity: 'error',
      field: key,
      ...at(span.value),
      message: `Has ${span.entries} entries; at most ${limit} are allowed. ${fieldIgnored}`,
    });
    parseText = `${parseText.slice(0, span.value)}null${parseText.slice(span.end)}`;
  }
  let tree: JsonNode | undefined;
  const parseOptions = { allowTrailingComma: false, disallowComments: false };
  const parsedTree = () => (tree ??= parseTree(text, [], parseOptions));
  let raw: unknown;
  try {
    raw = JSON.parse(parseText);
  } catch {
    // Comments, or a syntax error: the tolerant parser says which, and where.
    const errors: ParseError[] = [];
    tree = parseTree(text, errors, parseOptions);
    if (errors.length || !tree) {
      const problems = (errors.length ? errors : [{ error: 0, offset: 0, length: 0 } as unknown as ParseError])
        .slice(0, POLICY_LIMITS.reportedProblems)
        .map((error) => ({
          source,
          severity: 'error' as const,
          ...at(error.offset),
          message: `${errors.length ? describeParseError(error) : 'The file is empty'}; ${ignored}`,
        }));
      return { problems };
    }
    raw = treeToValue(tree);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      problems: [
        {
          source,
          severity: 'error',
          ...at(parsedTree()?.offset ?? 0),
          message: 'The guardrails file must hold a JSON object; the file is ignored.',
        },
      ],
    };
  }
  const locate = (path: Array<string | number>, key = false): { line: number; column: number } => {
    // Top-level fields and account entries come from the scan; deeper paths need the parse tree.
    const field = path.length === 1 ? scan.fields.get(String(path[0])) : undefined;
    if (field) return at(key ? field.key : field.value);
    const account =
      path.length === 2 && path[0] === 'accountEnvironments' ? scan.accounts.get(String(path[1])) : undefined;
    if (account !== undefined) return at(account);
    const root = parsedTree();
    const node = root && (key ? findNodeAtLocation(root, path)?.parent : undefined);
    return at((node ?? (root && deepestNode(root, path)))?.offset ?? 0);
  };

  // Unknown fields are set aside before validation.
  const candidate: Record<string, unknown> = {};
  const unknownKeys: string[] = [];
  for (const [key, item] of Object.entries(raw as Record<string, unknown>)) {
    if (key !== '$schema' && !Object.hasOwn(policyFields, key)) unknownKeys.push(key);
    else if (!oversized.has(key)) candidate[key] = item;
  }
  if (unknownKeys.length) {
    const named = unknownKeys
      .slice(0, 5)
      .map((key) => `"${key.slice(0, 64)}"`)
      .join(', ');
    const more = unknownKeys.length > 5 ? ` and ${unknownKeys.length - 5} more` : '';
    problems.push({
      source,
      severity: 'error',
      field: unknownKeys[0].slice(0, 64),
      ...locate([unknownKeys[0]], true),
      message: `Unknown field${unknownKeys.length === 1 ? '' : 's'} ${named}${more}; ${unknownKeys.length === 1 ? 'it is' : 'they are'} ignored.`,
    });
  }

  const parsed = guardrailsFileSchema.safeParse(candidate);
  const positions = (): Positions => {
    const found: Positions = new Map();
    for (const [field, span] of scan.fields) found.set(field, at(span.value));
    for (const [account, offset] of scan.accounts) found.set(`accountEnvironments.${account}`, at(offset));
    return found;
  };
  if (parsed.success) {
    const { $schema: _schema, ...value } = parsed.data;
    fieldPositions.set(value, positions);
    return { value: value as PartialPolicy, problems };
  }
  const badTopLevel = new Set<string>();
  let unlisted = 0;
  for (const issue of parsed.error.issues) {
    if (issue.path.length) badTopLevel.add(String(issue.path[0]));
    if (issue.code === 'unrecognized_keys' && issue.path.length === 0)
      for (const unknownKey of issue.keys) badTopLevel.add(unknownKey);
    // Locating an issue walks the tree; listing a bounded number keeps a file full of errors linear.
    if (problems.length >= POLICY_LIMITS.reportedProblems) {
      unlisted += 1;
      continue;
    }
    const path = issue.path.map((part) => (typeof part === 'number' ? part : String(part)));
    if (issue.code === 'unrecognized_keys') {
      problems.push({
        source,
        severity: 'error',
        field: [...path, issue.keys[0]].join('.'),
        ...locate([...path, issue.keys[0]], true),
        message: `${sentence(issue.message)} ${fieldIgnored}`,
      });
    } else {
      problems.push({
        source,
        severity: 'error',
        field: path.join('.'),
        ...locate(path),
        message: `${sentence(issue.message)} ${fieldIgnored}`,
      });
    }
  }
  if (unlisted)
    problems.push({
      source,
      severity: 'error',
      line: 1,
      column: 1,
      message: `${unlisted} more problem${unlisted === 1 ? '' : 's'} in this file (only the first ${POLICY_LIMITS.reportedProblems} are listed); the fields they are in are ignored.`,
    });
  const value: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(candidate))
    if (key !== '$schema' && !badTopLevel.has(key)) value[key] = item;
  const valid = guardrailsFileSchema.safeParse(value);
  if (!valid.success) return { problems };
  fieldPositions.set(valid.data, positions);
  return { value: valid.data as PartialPolicy, problems };
}

function sentence(message: string): string {
  return /[.!?]$/.test(message) ? message : `${message}.`;
}

/** More top-level keys than this (the schema has 14, duplicates aside) mark a file that is not a policy. */
const MAX_TOP_LEVEL_KEYS = 64;

interface FieldSpan {
  /** Offsets of the key, the value's first character, and just past the value. */
  key: number;
  value: number;
  end: number;
  /** Items of a list or entries of a map. */
  entries: number;
}

interface FieldScan {
  /** Where nesting first went deeper than allowed. */
  tooDeep?: number;
  topLevelKeys: number;
  /** The root object's fields (the last of duplicates, as in parsing). */
  fields: Map<string, FieldSpan>;
  /** Offsets of the keys of `accountEnvironments` (as many as the limit allows, plus one). */
  accounts: Map<string, number>;
}

/**
 * One linear pass over the text that skips strings and comments: the nesting depth, the root object's fields
 * with their offsets and entry counts, and where each account of `accountEnvironments` is. It needs no valid
 * JSON, and builds nothing in proportion to a list's length.
 */
function scanFields(text: string, depthLimit: number): FieldScan {
  const scan: FieldScan = { topLevelKeys: 0, fields: new Map(), accounts: new Map() };
  let depth = 0;
  let current: { name: string; span: FieldSpan } | undefined;
  let pending: { start: number; end: number } | undefined;
  let awaiting: { name: string; key: number } | undefined;
  const item = (index: number) => {
    if (current && depth === 2 && current.span.entries === 0) current.span.entries = 1;
    if (current && depth === 1) current.span.end = index + 1;
  };
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) continue;
    if (code === 0x2f && text.charCodeAt(index + 1) === 0x2f) {
      const end = text.indexOf('\n', index);
      index = end === -1 ? text.length : end;
      continue;
    }
    if (code === 0x2f && text.charCodeAt(index + 1) === 0x2a) {
      const end = text.indexOf('*/', index + 2);
      index = end === -1 ? text.length : end + 1;
      continue;
    }
    if (awaiting) {
      current = { name: awaiting.name, span: { key: awaiting.key, value: index, end: index + 1, entries: 0 } };
      scan.fields.set(awaiting.name, current.span);
      awaiting = undefined;
    }
    if (code === 0x22) {
      const start = index;
      for (index += 1; index < text.length; index += 1) {
        const inside = text.charCodeAt(index);
        if (inside === 0x5c) index += 1;
        else if (inside === 0x22 || inside === 0x0a) break;
      }
      item(index);
      pending =
        depth === 1 || (depth === 2 && current?.name === 'accountEnvironments') ? { start, end: index } : undefined;
      continue;
    }
    if (code === 0x3a && pending) {
      const name = decodeKey(text.slice(pending.start, pending.end + 1));
      if (depth === 1) {
        scan.topLevelKeys += 1;
        if (scan.topLevelKeys > MAX_TOP_LEVEL_KEYS) return scan; // not a policy: the caller rejects the file
        current = undefined;
        awaiting = { name, key: pending.start };
      } else if (scan.accounts.size <= POLICY_LIMITS.accounts) {
        scan.accounts.set(name, pending.start);
      }
      pending = undefined;
      continue;
    }
    pending = undefined;
    if (code === 0x5b || code === 0x7b) {
      item(index);
      depth += 1;
      if (depth > depthLimit) return { ...scan, tooDeep: index };
    } else if (code === 0x5d || code === 0x7d) {
      if (depth > 0) depth -= 1;
      if (current && depth === 1) current.span.end = index + 1;
      if (depth === 0) current = undefined;
    } else if (code === 0x2c) {
      if (current && depth === 2) current.span.entries += 1;
      if (depth === 1) current = undefined;
    } else {
      item(index);
    }
  }
  return scan;
}

function decodeKey(quoted: string): string {
  if (!quoted.includes('\\')) return quoted.slice(1, -1);
  try {
    return String(JSON.parse(quoted));
  } catch {
    return quoted.slice(1, -1);
  }
}

/** The plain value of a parse tree (comments dropped). */
function treeToValue(node: JsonNode): unknown {
  if (node.type === 'object')
    return Object.fromEntries(
      (node.children ?? []).map((property) => [
        property.children![0].value as string,
        property.children![1] ? treeToValue(property.children![1]) : undefined,
      ]),
    );
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
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
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

/** `base`, then the items of `extra` it lacks (compared without regard to case), in linear time. */
function union<T extends string>(base: readonly T[], extra: readonly T[] | undefined): T[] {
  const result = [...base];
  const seen = new Set(base.map((item) => item.toLowerCase()));
  for (const item of extra ?? []) {
    const key = item.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(item);
  }
  return result;
}

function withoutFloor(policy: GuardrailPolicy): GuardrailPolicy {
  const { floor: _floor, ...rest } = policy;
  return rest;
}

/**
 * Applies a workspace layer so it can only make the policy stricter. Lists are added to and limits only
 * lowered; a value that would loosen the policy is ignored and reported in `problems` (with its line when
 * the layer came from parseGuardrailsFile). The result carries the settings-only policy as its `floor`,
 * which evaluation also applies, so the merge cannot loosen a decision even where a field's effect depends
 * on the resource (an added environment tag key, say).
 */
export function tightenPolicy(
  base: GuardrailPolicy,
  layer: PartialPolicy,
  source: string,
  problems?: PolicyProblem[],
): GuardrailPolicy {
  let positions: Positions | undefined;
  const where = (field: string) => (positions ??= fieldPositions.get(layer)?.())?.get(field);
  const ignore = (field: string, message: string) =>
    problems?.push({
      source,
      severity: 'warning',
      field,
      ...where(field),
      message: `${message} A workspace can only tighten the policy, so this value is ignored.`,
    });
  const protectedEnvironments = union(base.protectedEnvironments, layer.protectedEnvironments);
  const treatUnknownEnvironmentAsProtected =
    base.treatUnknownEnvironmentAsProtected || Boolean(layer.treatUnknownEnvironmentAsProtected);
  const protectedNames = new Set(protectedEnvironments.map((name) => name.toLowerCase()));
  const isProtected = (env: string) =>
    protectedNames.has(env.toLowerCase()) || (env === UNKNOWN_ENVIRONMENT && treatUnknownEnvironmentAsProtected);

  const unknownProtected = isProtectedEnvironment(UNKNOWN_ENVIRONMENT, base);
  const accountEnvironments: Record<string, string> = { ...base.accountEnvironments };
  for (const [account, env] of Object.entries(layer.accountEnvironments ?? {})) {
    const current = Object.hasOwn(accountEnvironments, account) ? accountEnvironments[account] : undefined;
    if (current?.toLowerCase() === env.toLowerCase()) continue;
    if (current === undefined) {
      // Unmapped, the account's untagged resources are "unknown": a mapping may not take them out of protection.
      if (isProtected(env) || !unknownProtected) accountEnvironments[account] = env;
      else
        ignore(
          `accountEnvironments.${account}`,
          `Untagged resources in account ${account} are in the protected environment "${UNKNOWN_ENVIRONMENT}"; "${env}" is not protected.`,
        );
    } else if (isProtected(env) && !isProtected(current)) {
      accountEnvironments[account] = env;
    } else {
      ignore(
        `accountEnvironments.${account}`,
        `Account ${account} is already mapped to "${current}"; a workspace may only move an account from an unprotected environment into a protected one.`,
      );
    }
  }

  if (layer.treatUnknownEnvironmentAsProtected === false && base.treatUnknownEnvironmentAsProtected) {
    ignore('treatUnknownEnvironmentAsProtected', 'The settings treat resources of unknown environment as protected.');
  }
  for (const field of ['maxResourcesPerOperation', 'maxMutationsPerMinute'] as const) {
    const wanted = layer[field];
    if (wanted !== undefined && wanted > base[field])
      ignore(
        field,
        `The policy from settings${base.floor ? ' and earlier workspace files' : ''} allows at most ${base[field]}; ${wanted} is higher.`,
      );
  }
  const backupWanted = layer.backupBeforeDelete;
  if (backupWanted && BACKUP_STRICTNESS[backupWanted] < BACKUP_STRICTNESS[base.backupBeforeDelete]) {
    ignore(
      'backupBeforeDelete',
      `The policy takes a backup before deleting ${base.backupBeforeDelete === 'always' ? 'always' : 'in protected environments'}; "${backupWanted}" would take fewer.`,
    );
  }
  if (layer.auditReads === false && base.auditReads)
    ignore('auditReads', 'The settings record reads in the audit trail.');

  return {
    environmentTagKeys: union(base.environmentTagKeys, layer.environmentTagKeys),
    accountEnvironments,
    protectedEnvironments,
    treatUnknownEnvironmentAsProtected,
    approvalRequiredFor: union(base.approvalRequiredFor, layer.approvalRequiredFor),
    confirmationRequiredFor: union(base.confirmationRequiredFor, layer.confirmationRequiredFor),
    changeWindows: [...base.changeWindows, ...(layer.changeWindows ?? []).map((window) => ({ ...window, source }))],
    maxResourcesPerOperation: Math.min(base.maxResourcesPerOperation, layer.maxResourcesPerOperation ?? Infinity),
    protectionTags: union(base.protectionTags, layer.protectionTags),
    backupBeforeDelete:
      backupWanted && BACKUP_STRICTNESS[backupWanted] > BACKUP_STRICTNESS[base.backupBeforeDelete]
        ? backupWanted
        : base.backupBeforeDelete,
    maxMutationsPerMinute: Math.min(base.maxMutationsPerMinute, layer.maxMutationsPerMinute ?? Infinity),
    auditReads: base.auditReads || Boolean(layer.auditReads),
    approvals: [...base.approvals, ...(layer.approvals ?? []).map((rule) => ({ ...rule, source }))],
    floor: base.floor ?? withoutFloor(base),
  };
}
