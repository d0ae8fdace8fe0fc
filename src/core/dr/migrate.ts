/**
 * Schema migrations of DR documents. Migrations work on plain parsed values and never touch files:
 * a file at an older version is read, migrated in memory, and only rewritten when the user asks for it
 * (see workspace.ts `upgradeFile`), and only when it parsed cleanly.
 *
 * Version 1 (the first release of the format) had:
 * - protection groups with top-level `accountId`, `tags` and `sourceServerIds`;
 * - recovery plans whose waves ran strictly one after another, with `pauseBefore`, an optional
 *   `waitAfterSeconds`, top-level `rtoMinutes` / `rpoMinutes` and a boolean `continueOnFailure`.
 * Version 2 moves selection under `selection`, targets under `targets`, makes wave order an explicit
 * `dependsOn` DAG (v1 order is kept by making each wave depend on the one before), and turns
 * `waitAfterSeconds` into a `wait` post-action.
 */
import { CURRENT_SCHEMA_VERSION } from './model';

export interface MigrationResult {
  value: Record<string, unknown>;
  fromVersion: number;
  toVersion: number;
  /** Human-readable changes, shown when a file is upgraded. */
  notes: string[];
  /** Maps a path in the migrated value back to the path in the original text, for positions. */
  originalPath(path: (string | number)[]): (string | number)[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function moveInto(target: Json, source: Json, from: string, to: string): boolean {
  if (!(from in source)) return false;
  target[to] = source[from];
  delete source[from];
  return true;
}

function migrateGroupV1(doc: Json, notes: string[]): Json {
  const rest: Json = { ...doc };
  const out: Json = {};
  for (const key of ['schemaVersion', 'kind', 'name', 'description']) moveInto(out, rest, key, key);
  if (moveInto(out, rest, 'accountId', 'account')) notes.push('accountId → account');
  moveInto(out, rest, 'region', 'region');
  const selection: Json = {};
  if (moveInto(selection, rest, 'tags', 'tags')) notes.push('tags → selection.tags');
  if (moveInto(selection, rest, 'sourceServerIds', 'sourceServerIds'))
    notes.push('sourceServerIds → selection.sourceServerIds');
  out.selection = selection;
  moveInto(out, rest, 'launchSettings', 'launchSettings');
  return { ...out, ...rest, schemaVersion: 2 };
}

function migratePlanV1(doc: Json, notes: string[]): Json {
  const rest: Json = { ...doc };
  const out: Json = {};
  for (const key of ['schemaVersion', 'kind', 'name', 'description']) moveInto(out, rest, key, key);
  const targets: Json = {};
  if (moveInto(targets, rest, 'rpoMinutes', 'rpoMinutes')) notes.push('rpoMinutes → targets.rpoMinutes');
  if (moveInto(targets, rest, 'rtoMinutes', 'rtoMinutes')) notes.push('rtoMinutes → targets.rtoMinutes');
  if (Object.keys(targets).length) out.targets = targets;
  if ('continueOnFailure' in rest) {
    out.failurePolicy = rest.continueOnFailure === true ? 'continue' : 'stop';
    notes.push(`continueOnFailure: ${String(rest.continueOnFailure)} → failurePolicy: ${String(out.failurePolicy)}`);
    delete rest.continueOnFailure;
  }
  if (Array.isArray(rest.waves)) {
    let previous: string | undefined;
    out.waves = rest.waves.map((wave) => {
      if (!isObject(wave)) return wave;
      const waveRest: Json = { ...wave };
      const next: Json = {};
      for (const key of ['name', 'description', 'protectionGroups', 'sourceServerIds'])
        moveInto(next, waveRest, key, key);
      // v1 waves ran strictly in file order: keep that order as explicit dependencies.
      if (previous !== undefined) next.dependsOn = [previous];
      if ('pauseBefore' in waveRest) {
        next.pauseBeforeWave = waveRest.pauseBefore;
        delete waveRest.pauseBefore;
      }
      if ('waitAfterSeconds' in waveRest) {
        next.postActions = [{ type: 'wait', seconds: waveRest.waitAfterSeconds }];
        delete waveRest.waitAfterSeconds;
      }
      previous = typeof wave.name === 'string' ? wave.name : previous;
      return { ...next, ...waveRest };
    });
    notes.push('waves now list dependsOn explicitly (each wave depends on the one before, as v1 ran them in order)');
    delete rest.waves;
  }
  return { ...out, ...rest, schemaVersion: 2 };
}

/** Where v2 fields came from in a v1 document. */
function v1OriginalPath(kind: unknown, path: (string | number)[]): (string | number)[] {
  const [first, second, third, fourth, fifth] = path;
  if (kind === 'ProtectionGroup') {
    if (first === 'account') return ['accountId', ...path.slice(1)];
    if (first === 'selection' && (second === 'tags' || second === 'sourceServerIds')) return path.slice(1);
    if (first === 'selection') return [];
  }
  if (kind === 'RecoveryPlan') {
    if (first === 'targets' && second !== undefined) return path.slice(1);
    if (first === 'failurePolicy') return ['continueOnFailure'];
    if (first === 'waves' && typeof second === 'number') {
      if (third === 'pauseBeforeWave') return ['waves', second, 'pauseBefore'];
      if (third === 'dependsOn') return ['waves', second, 'name'];
      if (third === 'postActions' && fourth === 0 && (fifth === 'seconds' || fifth === undefined))
        return ['waves', second, 'waitAfterSeconds'];
    }
  }
  return path;
}

/**
 * Brings a parsed document to the current schema version. Returns undefined when the version is not
 * one this build knows (callers report that with a clear message).
 */
export function migrateDocument(value: Record<string, unknown>): MigrationResult | undefined {
  const fromVersion = value.schemaVersion;
  if (fromVersion === CURRENT_SCHEMA_VERSION) {
    return { value, fromVersion, toVersion: CURRENT_SCHEMA_VERSION, notes: [], originalPath: (path) => path };
  }
  if (fromVersion === 1) {
    const notes: string[] = [];
    const migrated =
      value.kind === 'RecoveryPlan'
        ? migratePlanV1(value, notes)
        : value.kind === 'ProtectionGroup'
          ? migrateGroupV1(value, notes)
          : { ...value };
    notes.unshift('schemaVersion 1 → 2');
    return {
      value: migrated,
      fromVersion: 1,
      toVersion: CURRENT_SCHEMA_VERSION,
      notes,
      originalPath: (path) => v1OriginalPath(value.kind, path),
    };
  }
  return undefined;
}
