/** What both template parsers share: limits, problems, and building map and GetAtt nodes with their checks. */
import type { TemplateEntry, TemplateNode, TemplateScalar } from './nodes';
import { MAX_TEMPLATE_BYTES } from './recognize';

export const TEMPLATE_LIMITS = {
  /** CloudFormation itself refuses templates over 1 MB. */
  bytes: MAX_TEMPLATE_BYTES,
  nestingDepth: 64,
  aliasCount: 100,
  /** Nodes built, aliases expanded included. */
  nodes: 1_000_000,
  /** Problems listed per template. */
  problems: 200,
} as const;

/** Whether the text is over `limit` UTF-8 bytes (the DR parser's rule; not imported, to keep its module out). */
export function overByteLimit(text: string, limit: number): boolean {
  return text.length > limit || (text.length * 3 > limit && Buffer.byteLength(text, 'utf8') > limit);
}

export interface TemplateProblem {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  start: number;
  end: number;
}

export class TemplateLimitError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export interface Built {
  node: TemplateNode;
}

export class TreeBuilder {
  nodes = 0;
  readonly problems: TemplateProblem[] = [];

  constructor(protected readonly text: string) {}

  protected count(depth: number, offset: number): void {
    if (depth > TEMPLATE_LIMITS.nestingDepth)
      throw new TemplateLimitError(
        'too-deep',
        `The template nests more than ${TEMPLATE_LIMITS.nestingDepth} levels deep here; it is not read.`,
        offset,
      );
    if (++this.nodes > TEMPLATE_LIMITS.nodes)
      throw new TemplateLimitError(
        'too-many-nodes',
        `The template has more than ${TEMPLATE_LIMITS.nodes} values (aliases expanded); it is not read.`,
        offset,
      );
  }

  problem(problem: TemplateProblem): void {
    if (this.problems.length < TEMPLATE_LIMITS.problems) this.problems.push(problem);
  }

  /** Builds a mapping from its entries, reporting repeated keys (one set per mapping: linear). */
  protected map(
    start: number,
    end: number,
    entries: Array<{ key: string; keyStart: number; keyEnd: number; built: Built }>,
  ): Built {
    const byKey = new Map<string, TemplateEntry>();
    const kept: TemplateEntry[] = [];
    for (const { key, keyStart, keyEnd, built } of entries) {
      const entry: TemplateEntry = { key, keyStart, keyEnd, value: built.node };
      kept.push(entry);
      if (byKey.has(key)) {
        this.problem({
          severity: 'error',
          code: 'duplicate-key',
          message: `"${key.slice(0, 64)}" is repeated in this mapping; keys must be unique (CloudFormation rejects the template).`,
          start: keyStart,
          end: keyEnd,
        });
        continue;
      }
      byKey.set(key, entry);
    }
    return { node: { kind: 'map', start, end, entries: kept, byKey } };
  }

  /** `!GetAtt Res.Attr.Sub` → [Res, Attr.Sub], each part located in the text when it is written plainly. */
  protected splitGetAtt(text: string, start: number, end: number, depth: number): Built {
    const dot = text.indexOf('.');
    if (dot <= 0) return { node: { kind: 'scalar', value: text, start, end } };
    const source = this.text.slice(start, end);
    const inner = source === text ? start : source.slice(1, -1) === text ? start + 1 : undefined;
    const logicalId = text.slice(0, dot);
    const attribute = text.slice(dot + 1);
    this.count(depth + 1, start);
    this.count(depth + 1, start);
    const first: TemplateScalar =
      inner === undefined
        ? { kind: 'scalar', value: logicalId, start, end }
        : { kind: 'scalar', value: logicalId, start: inner, end: inner + dot };
    const second: TemplateScalar =
      inner === undefined
        ? { kind: 'scalar', value: attribute, start, end }
        : { kind: 'scalar', value: attribute, start: inner + dot + 1, end: inner + text.length };
    return { node: { kind: 'seq', start, end, items: [first, second] } };
  }
}
