/**
 * Parses protection-group and recovery-plan files (YAML, which includes JSON) into the model, with
 * every problem reported at its line and column. Parsing never writes anything.
 */
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node as YamlNode,
} from 'yaml';
import { findCycle, formatCycle } from './graph';
import { migrateDocument } from './migrate';
import {
  CURRENT_SCHEMA_VERSION,
  PROTECTION_GROUP_KIND,
  RECOVERY_PLAN_KIND,
  type DrDiagnostic,
  type DrDocument,
  type ProtectionGroup,
  type RecoveryPlan,
  type SourcePosition,
} from './model';
import {
  DR_LIMITS,
  PROTECTION_GROUP_SCHEMA,
  RECOVERY_PLAN_SCHEMA,
  validateAgainstSchema,
  type SchemaIssue,
} from './schema';

export interface ParseResult<T extends DrDocument = DrDocument> {
  /** The document, present only when there is no error (warnings allowed). */
  document?: T;
  diagnostics: DrDiagnostic[];
  /** Set when the file is at an older schema version and was migrated in memory. */
  migratedFrom?: number;
  migrationNotes?: string[];
}

export class DrParseError extends Error {
  constructor(
    readonly fileName: string,
    readonly diagnostics: DrDiagnostic[],
  ) {
    super(formatDiagnostics(fileName, diagnostics));
    this.name = 'DrParseError';
  }
}

export function formatDiagnostic(fileName: string, diagnostic: DrDiagnostic): string {
  const where = diagnostic.start ? `${fileName}:${diagnostic.start.line}:${diagnostic.start.column}` : fileName;
  return `${where}: ${diagnostic.severity}: ${diagnostic.message}`;
}

export function formatDiagnostics(fileName: string, diagnostics: DrDiagnostic[]): string {
  return diagnostics.map((d) => formatDiagnostic(fileName, d)).join('\n');
}

interface Located {
  start: SourcePosition;
  end: SourcePosition;
}

class Positions {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly textLength: number,
  ) {}

  private position(offset: number): SourcePosition {
    const { line, col } = this.lines.linePos(Math.min(offset, this.textLength));
    return { line, column: col };
  }

  private range(node: { range?: [number, number, number] | null } | null | undefined): Located | undefined {
    if (!node?.range) return undefined;
    return { start: this.position(node.range[0]), end: this.position(node.range[1]) };
  }

  /** Finds the node at `path`; for a missing property, falls back to the key of the closest existing parent. */
  locate(path: (string | number)[], at: 'key' | 'value' = 'value'): Located {
    let node: unknown = this.doc.contents;
    let keyNode: YamlNode | undefined;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
        );
        if (!pair) break;
        keyNode = pair.key as YamlNode;
        if (last && at === 'key') return this.range(keyNode) ?? this.start();
        if (pair.value === null || pair.value === undefined) {
          node = undefined;
          break;
        }
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
        keyNode = undefined;
        node = node.items[segment];
      } else {
        break;
      }
    }
    const found = node as YamlNode | undefined;
    if (found && (isScalar(found) || isSeq(found) || isMap(found))) {
      // A whole mapping or list is hard to read as a highlight: point at its key instead when there is one.
      if ((isMap(found) || (isSeq(found) && found.items.length > 3)) && keyNode)
        return this.range(keyNode) ?? this.start();
      return this.range(found) ?? this.start();
    }
    return (keyNode && this.range(keyNode)) ?? this.start();
  }

  start(): Located {
    return { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
  }
}

function diagnostic(
  positions: Positions,
  issue: SchemaIssue,
  severity: 'error' | 'warning' = 'error',
  originalPath = (p: (string | number)[]) => p,
): DrDiagnostic {
  const original = originalPath(issue.path);
  const located = positions.locate(original, issue.at);
  return { severity, message: issue.message, path: issue.path, code: issue.code, ...located };
}

/** Checks beyond the JSON schema: unique names, references between waves, cycles, empty selections. */
export function semanticIssues(document: DrDocument): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  if (document.kind === PROTECTION_GROUP_KIND) {
    const selection = document.selection ?? {};
    if (Object.keys(selection.tags ?? {}).length === 0 && (selection.sourceServerIds ?? []).length === 0) {
      issues.push({
        path: ['selection'],
        at: 'key',
        message: 'The selection is empty: add tags (all must match) and/or sourceServerIds.',
        code: 'empty-selection',
      });
    }
    return issues;
  }
  const waves = document.waves ?? [];
  const names = new Map<string, number>();
  waves.forEach((wave, index) => {
    if (names.has(wave.name))
      issues.push({
        path: ['waves', index, 'name'],
        message: `Wave name "${wave.name}" is already used by wave ${names.get(wave.name)! + 1}; wave names must be unique.`,
        code: 'duplicate-wave',
      });
    else names.set(wave.name, index);
  });
  waves.forEach((wave, index) => {
    if ((wave.protectionGroups ?? []).length === 0 && (wave.sourceServerIds ?? []).length === 0) {
      issues.push({
        path: ['waves', index, 'name'],
        message: `Wave "${wave.name}" recovers no servers: add protectionGroups and/or sourceServerIds.`,
        code: 'empty-wave',
      });
    }
    (wave.dependsOn ?? []).forEach((dependency, d) => {
      if (dependency === wave.name)
        issues.push({
          path: ['waves', index, 'dependsOn', d],
          message: `Wave "${wave.name}" depends on itself.`,
          code: 'cycle',
        });
      else if (!names.has(dependency)) {
        const known = [...names.keys()].filter((n) => n !== wave.name);
        issues.push({
          path: ['waves', index, 'dependsOn', d],
          message: `Wave "${wave.name}" depends on unknown wave "${dependency}". Known waves: ${known.join(', ') || 'none'}.`,
          code: 'unknown-wave',
        });
      }
    });
  });
  const cycle = findCycle(
    waves.map((wave) => ({ name: wave.name, dependsOn: (wave.dependsOn ?? []).filter((d) => d !== wave.name) })),
  );
  if (cycle) {
    const index = waves.findIndex((wave) => wave.name === cycle[0]);
    const d = (waves[index].dependsOn ?? []).indexOf(cycle[1]);
    issues.push({
      path: ['waves', index, 'dependsOn', d],
      message: `Dependency cycle between waves: ${formatCycle(cycle)}. Remove one of these dependsOn entries.`,
      code: 'cycle',
    });
  }
  return issues;
}

const FILE_START = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };

/** Whether `text` is over `limit` bytes as UTF-8 (checked without encoding it when the length decides). */
export function overByteLimit(text: string, limit: number): boolean {
  return text.length > limit || (text.length * 3 > limit && Buffer.byteLength(text, 'utf8') > limit);
}

/**
 * The offset where flow lists and mappings ([ ], { }) first nest deeper than `limit`, or undefined; one
 * linear pass that skips comments and quoted text (a quote ends at the latest at its line's end, so an
 * unmatched quote cannot hide what follows). Brackets inside plain text count too: it errs on the strict side.
 */
export function flowNestingOffset(text: string, limit: number): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  let comment = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '\n') {
      quote = undefined;
      comment = false;
    } else if (comment) {
      continue;
    } else if (quote) {
      if (quote === '"' && char === '\\') index += 1;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '#' && (index === 0 || /\s/.test(text[index - 1]))) {
      comment = true;
    } else if (char === '[' || char === '{') {
      depth += 1;
      if (depth > limit) return index;
    } else if ((char === ']' || char === '}') && depth > 0) {
      depth -= 1;
    }
  }
  return undefined;
}

/**
 * Keys that repeat within one mapping, found in one pass with a set per mapping (the YAML library's own
 * `uniqueKeys` check compares every key with every earlier one, which is quadratic in a long mapping).
 */
export function duplicateKeys(doc: Document.Parsed): Array<{ key: string; range: [number, number] }> {
  const found: Array<{ key: string; range: [number, number] }> = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (seen.has(key)) found.push({ key, range: [pair.key.range?.[0] ?? 0, pair.key.range?.[1] ?? 0] });
        else seen.add(key);
      }
    },
  });
  return found;
}

/** A size or nesting problem that stops a DR file (or bundle) from being parsed at all, or undefined. */
export function tooLargeToParse(text: string, maxBytes: number, what: string): DrDiagnostic | undefined {
  if (overByteLimit(text, maxBytes)) {
    return {
      severity: 'error',
      code: 'too-large',
      path: [],
      ...FILE_START,
      message: `The ${what} is larger than ${Math.round(maxBytes / 1024)} KB, the most Pilot Light reads; it is not parsed. Split it into smaller files.`,
    };
  }
  const deep = flowNestingOffset(text, DR_LIMITS.nestingDepth);
  if (deep !== undefined) {
    const lines = new LineCounter();
    lines.addNewLine(0);
    for (let index = text.indexOf('\n'); index !== -1 && index < deep; index = text.indexOf('\n', index + 1))
      lines.addNewLine(index + 1);
    const { line, col } = lines.linePos(deep);
    return {
      severity: 'error',
      code: 'too-deep',
      path: [],
      start: { line, column: col },
      end: { line, column: col },
      message: `Lists and mappings are nested more than ${DR_LIMITS.nestingDepth} levels deep here; the ${what} is not parsed.`,
    };
  }
  return undefined;
}

/** Parses one DR file of either kind. `expectedKind` rejects a file of the other kind. */
export function parseDrDocument(text: string, expectedKind?: 'ProtectionGroup' | 'RecoveryPlan'): ParseResult {
  const unreadable = tooLargeToParse(text, DR_LIMITS.documentBytes, 'file');
  if (unreadable) return { diagnostics: [unreadable] };
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, strict: true });
  const positions = new Positions(doc, lines, text.length);
  const diagnostics: DrDiagnostic[] = [];
  const fromYaml = (
    error: { message: string; code: string; pos: [number, number] },
    severity: 'error' | 'warning',
  ): DrDiagnostic => {
    const start = lines.linePos(error.pos[0]);
    const end = lines.linePos(error.pos[1]);
    const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return {
      severity,
      message: `YAML: ${message}`,
      code: `yaml-${error.code}`,
      path: [],
      start: { line: start.line, column: start.col },
      end: { line: end.line, column: end.col },
    };
  };
  diagnostics.push(...doc.errors.map((e) => fromYaml(e, 'error')), ...doc.warnings.map((w) => fromYaml(w, 'warning')));
  if (!doc.errors.length)
    for (const duplicate of duplicateKeys(doc))
      diagnostics.push(
        fromYaml(
          {
            message: `Map keys must be unique ("${duplicate.key.slice(0, 64)}" is repeated)`,
            code: 'DUPLICATE_KEY',
            pos: duplicate.range,
          },
          'error',
        ),
      );
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return {
      diagnostics: [
        {
          severity: 'error',
          message: `YAML: ${(error as Error).message}`,
          code: 'yaml-alias',
          path: [],
          ...positions.start(),
        },
      ],
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      diagnostics: [
        {
          severity: 'error',
          message: `Expected a mapping with schemaVersion, kind and name${value === null || value === undefined ? '; the file is empty' : ''}.`,
          code: 'type',
          path: [],
          ...positions.locate([]),
        },
      ],
    };
  }
  const raw = value as Record<string, unknown>;
  const kindIssue = (message: string, path: string[]): ParseResult => ({
    diagnostics: [...diagnostics, { severity: 'error', message, code: 'kind', path, ...positions.locate(path) }],
  });
  if (raw.kind !== PROTECTION_GROUP_KIND && raw.kind !== RECOVERY_PLAN_KIND) {
    return kindIssue(
      raw.kind === undefined
        ? 'Missing "kind": use ProtectionGroup or RecoveryPlan.'
        : `Unknown kind ${JSON.stringify(raw.kind)}: use ProtectionGroup or RecoveryPlan.`,
      raw.kind === undefined ? [] : ['kind'],
    );
  }
  if (expectedKind && raw.kind !== expectedKind)
    return kindIssue(`This file must hold a ${expectedKind}, not a ${String(raw.kind)}.`, ['kind']);
  if (raw.schemaVersion === undefined)
    return kindIssue(`Missing "schemaVersion" (current: ${CURRENT_SCHEMA_VERSION}).`, []);
  const migration = migrateDocument(raw);
  if (!migration) {
    const newer = typeof raw.schemaVersion === 'number' && raw.schemaVersion > CURRENT_SCHEMA_VERSION;
    return kindIssue(
      newer
        ? `schemaVersion ${raw.schemaVersion} was written by a newer Pilot Light; this build reads versions 1 to ${CURRENT_SCHEMA_VERSION}. Update the extension.`
        : `Unsupported schemaVersion ${JSON.stringify(raw.schemaVersion)}; this build reads versions 1 to ${CURRENT_SCHEMA_VERSION}.`,
      ['schemaVersion'],
    );
  }
  const schema = raw.kind === PROTECTION_GROUP_KIND ? PROTECTION_GROUP_SCHEMA : RECOVERY_PLAN_SCHEMA;
  const schemaIssues = validateAgainstSchema(migration.value, schema);
  // Locating an issue walks the document; listing a bounded number keeps a file full of errors linear.
  diagnostics.push(
    ...schemaIssues
      .slice(0, DR_LIMITS.reportedProblems)
      .map((issue) => diagnostic(positions, issue, 'error', migration.originalPath)),
  );
  const unlisted = schemaIssues.length - DR_LIMITS.reportedProblems;
  if (unlisted > 0)
    diagnostics.push({
      severity: 'error',
      code: 'more-problems',
      path: [],
      ...FILE_START,
      message: `${unlisted} more problem${unlisted === 1 ? '' : 's'} in this file (only the first ${DR_LIMITS.reportedProblems} are listed).`,
    });
  if (schemaIssues.length === 0) {
    diagnostics.push(
      ...semanticIssues(migration.value as unknown as DrDocument).map((issue) =>
        diagnostic(positions, issue, 'error', migration.originalPath),
      ),
    );
  }
  diagnostics.sort(
    (a, b) => (a.start?.line ?? 0) - (b.start?.line ?? 0) || (a.start?.column ?? 0) - (b.start?.column ?? 0),
  );
  const ok = !diagnostics.some((d) => d.severity === 'error');
  return {
    document: ok ? (migration.value as unknown as DrDocument) : undefined,
    diagnostics,
    ...(migration.fromVersion !== CURRENT_SCHEMA_VERSION
      ? { migratedFrom: migration.fromVersion, migrationNotes: migration.notes }
      : {}),
  };
}

/**
 * Where the value (or key) at `path` is in a DR file's text, e.g. ['waves', 1, 'name'], for findings
 * that are not parse errors (preflight). Falls back to the nearest existing parent, then to 1:1.
 */
export function locateInDocument(
  text: string,
  path: (string | number)[],
  at: 'key' | 'value' = 'value',
): { start: SourcePosition; end: SourcePosition } {
  if (tooLargeToParse(text, DR_LIMITS.documentBytes, 'file')) return FILE_START;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  return new Positions(doc, lines, text.length).locate(path, at);
}

export function parseGroup(text: string): ParseResult<ProtectionGroup> {
  return parseDrDocument(text, PROTECTION_GROUP_KIND) as ParseResult<ProtectionGroup>;
}

export function parsePlan(text: string): ParseResult<RecoveryPlan> {
  return parseDrDocument(text, RECOVERY_PLAN_KIND) as ParseResult<RecoveryPlan>;
}

/** Validates an in-memory document (e.g. from a bundle): schema and semantic checks, no positions. */
export function validateDocument(value: unknown): {
  document?: DrDocument;
  diagnostics: DrDiagnostic[];
  migratedFrom?: number;
} {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { diagnostics: [{ severity: 'error', message: 'Expected an object.', code: 'type', path: [] }] };
  }
  const raw = value as Record<string, unknown>;
  if (raw.kind !== PROTECTION_GROUP_KIND && raw.kind !== RECOVERY_PLAN_KIND) {
    return {
      diagnostics: [
        { severity: 'error', message: `Unknown kind ${JSON.stringify(raw.kind)}.`, code: 'kind', path: ['kind'] },
      ],
    };
  }
  const migration = migrateDocument(structuredClone(raw));
  if (!migration)
    return {
      diagnostics: [
        {
          severity: 'error',
          message: `Unsupported schemaVersion ${JSON.stringify(raw.schemaVersion)}.`,
          code: 'schemaVersion',
          path: ['schemaVersion'],
        },
      ],
    };
  const schema = raw.kind === PROTECTION_GROUP_KIND ? PROTECTION_GROUP_SCHEMA : RECOVERY_PLAN_SCHEMA;
  let issues = validateAgainstSchema(migration.value, schema);
  if (issues.length === 0) issues = semanticIssues(migration.value as unknown as DrDocument);
  const diagnostics = issues.map((issue): DrDiagnostic => ({
    severity: 'error',
    message: issue.message,
    path: issue.path,
    code: issue.code,
  }));
  return {
    document: diagnostics.length ? undefined : (migration.value as unknown as DrDocument),
    diagnostics,
    ...(migration.fromVersion !== CURRENT_SCHEMA_VERSION ? { migratedFrom: migration.fromVersion } : {}),
  };
}

export type { RecoveryPlan, ProtectionGroup };
