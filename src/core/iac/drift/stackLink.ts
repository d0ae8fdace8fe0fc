/**
 * Which deployed stack a template belongs to:
 * 1. `.pilotlight/iac.json` names it (`{ "cloudformation": { "path/to/template.yaml": "stack-name" } }`);
 *    the file can only name stacks: never an endpoint, a region, a profile or credentials;
 * 2. a stack tagged `pilot-light:template` with the template's workspace-relative path;
 * 3. a stack whose deployed template has the same resources (logical ID and type).
 * More than one candidate: the caller asks once and remembers the answer.
 */
import type { ResourceReads } from '../../resources/model';
import { isRecord } from './values';

export const IAC_MAPPING_FILE = '.pilotlight/iac.json';
export const IAC_MAPPING_MAX_BYTES = 64 * 1024;
export const TEMPLATE_TAG = 'pilot-light:template';
const STACK_NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;
const MAX_ENTRIES = 500;
/** Stacks whose templates are read when comparing: a bound on the calls a link may make. */
export const MAX_TEMPLATE_COMPARISONS = 25;

export interface IacMapping {
  /** Workspace-relative template path (forward slashes) → stack name. */
  cloudformation: Map<string, string>;
  problems: string[];
}

/** Reads the mapping file's text; anything but stack names is refused with a problem, never used. */
export function parseIacMapping(text: string): IacMapping {
  const mapping: IacMapping = { cloudformation: new Map(), problems: [] };
  if (Buffer.byteLength(text, 'utf8') > IAC_MAPPING_MAX_BYTES) {
    mapping.problems.push(`${IAC_MAPPING_FILE} is larger than ${IAC_MAPPING_MAX_BYTES / 1024} KB; it is not read.`);
    return mapping;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    mapping.problems.push(`${IAC_MAPPING_FILE} is not valid JSON: ${error instanceof Error ? error.message : error}`);
    return mapping;
  }
  if (!isRecord(value)) {
    mapping.problems.push(`${IAC_MAPPING_FILE} must hold an object.`);
    return mapping;
  }
  for (const key of Object.keys(value))
    if (key !== 'cloudformation' && key !== 'terraform' && key !== '$schema')
      mapping.problems.push(`${IAC_MAPPING_FILE}: "${key}" is not read (only "cloudformation" and "terraform").`);
  const section = value.cloudformation;
  if (section === undefined) return mapping;
  if (!isRecord(section)) {
    mapping.problems.push(`${IAC_MAPPING_FILE}: "cloudformation" must map template paths to stack names.`);
    return mapping;
  }
  for (const [path, stack] of Object.entries(section).slice(0, MAX_ENTRIES)) {
    const normalized = normalizePath(path);
    if (!normalized)
      mapping.problems.push(`${IAC_MAPPING_FILE}: "${path}" is not a relative path inside the workspace.`);
    else if (typeof stack !== 'string' || !STACK_NAME.test(stack))
      mapping.problems.push(
        `${IAC_MAPPING_FILE}: "${path}" must name a stack (letters, digits and hyphens), nothing else.`,
      );
    else mapping.cloudformation.set(normalized, stack);
  }
  return mapping;
}

/** A workspace-relative path with forward slashes, or undefined for absolute paths and `..`. */
export function normalizePath(path: string): string | undefined {
  const forward = path.replace(/\\/g, '/').replace(/^\.\//, '');
  if (!forward || forward.startsWith('/') || /^[a-zA-Z]:/.test(forward)) return undefined;
  if (forward.split('/').some((part) => part === '..' || part === '')) return undefined;
  return forward;
}

interface StackRecord {
  StackName?: string;
  StackStatus?: string;
  Tags?: Array<{ Key?: string; Value?: string }>;
}

export interface StackCandidate {
  stackName: string;
  stackStatus?: string;
  /** How it was found. */
  reason: 'mapping' | 'tag' | 'same resources';
}

/** The logical ID and type of every resource, as one comparable string. */
export function resourceSignature(template: unknown): string {
  const resources = isRecord(template) && isRecord(template.Resources) ? template.Resources : {};
  return Object.entries(resources)
    .map(([id, decl]) => `${id}:${isRecord(decl) ? String(decl.Type) : ''}`)
    .sort()
    .join('\n');
}

export interface FindStacksRequest {
  relativePath: string;
  template: unknown;
  mapping?: IacMapping;
  reads: ResourceReads;
  region: string;
  /** Parses a deployed template body into its long form (YAML or JSON). */
  parse(body: string): unknown;
}

/** The stacks this template may have deployed, best reason first. */
export async function findStacks(request: FindStacksRequest): Promise<StackCandidate[]> {
  const mapped = request.mapping?.cloudformation.get(request.relativePath);
  if (mapped) return [{ stackName: mapped, reason: 'mapping' }];
  const stacks: StackRecord[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await request.reads.read<{ items: StackRecord[]; nextToken?: string }>(
      'cloudformation.stacks.list',
      nextToken ? { nextToken } : {},
      request.region,
    );
    stacks.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken && ++pages < 20);
  const live = stacks.filter((stack) => stack.StackName && !/^DELETE_COMPLETE/.test(stack.StackStatus ?? ''));
  const tagged = live.filter((stack) =>
    (stack.Tags ?? []).some(
      (tag) => tag.Key === TEMPLATE_TAG && normalizePath(tag.Value ?? '') === request.relativePath,
    ),
  );
  if (tagged.length)
    return tagged.map((stack) => ({ stackName: stack.StackName!, stackStatus: stack.StackStatus, reason: 'tag' }));
  const signature = resourceSignature(request.template);
  if (!signature) return [];
  const matches: StackCandidate[] = [];
  for (const stack of live.slice(0, MAX_TEMPLATE_COMPARISONS)) {
    try {
      const { templateBody } = await request.reads.read<{ templateBody: string }>(
        'cloudformation.stacks.template',
        { stackName: stack.StackName },
        request.region,
      );
      if (resourceSignature(request.parse(templateBody)) === signature)
        matches.push({ stackName: stack.StackName!, stackStatus: stack.StackStatus, reason: 'same resources' });
    } catch {
      // A stack whose template cannot be read is not a candidate.
    }
  }
  return matches;
}
