/**
 * DR documents as workspace files: discovery, parsing, serialization and safe writes. Files with
 * errors are reported and never written to; writes are atomic (temporary file + rename).
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink, writeFile, mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { parseDrDocument, type ParseResult } from './parse';
import { DR_LIMITS } from './schema';
import {
  PROTECTION_GROUP_KIND,
  PROTECTION_GROUP_SUFFIXES,
  RECOVERY_PLAN_SUFFIXES,
  type DrDocument,
  type ProtectionGroup,
  type RecoveryPlan,
} from './model';

/** Where new DR files go, relative to the workspace folder. */
export const DEFAULT_DR_FOLDER = join('.pilotlight', 'dr');
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'out', 'dist', '.venv', '.cache', '.vscode-test']);

export interface DrFile<T extends DrDocument = DrDocument> {
  path: string;
  kind: T['kind'];
  /** sha256 of the file's bytes when read. */
  sha256: string;
  result: ParseResult<T>;
}

export interface DrWorkspace {
  root: string;
  groups: DrFile<ProtectionGroup>[];
  plans: DrFile<RecoveryPlan>[];
  /** Names defined by more than one file: neither copy is usable until one is renamed. */
  duplicates: { kind: string; name: string; paths: string[] }[];
}

export function kindOfPath(path: string): 'ProtectionGroup' | 'RecoveryPlan' | undefined {
  const lower = path.toLowerCase();
  if (PROTECTION_GROUP_SUFFIXES.some((suffix) => lower.endsWith(suffix))) return 'ProtectionGroup';
  if (RECOVERY_PLAN_SUFFIXES.some((suffix) => lower.endsWith(suffix))) return 'RecoveryPlan';
  return undefined;
}

export function fileNameFor(document: DrDocument): string {
  return `${document.name}${document.kind === PROTECTION_GROUP_KIND ? PROTECTION_GROUP_SUFFIXES[0] : RECOVERY_PLAN_SUFFIXES[0]}`;
}

export function defaultPathFor(root: string, document: DrDocument): string {
  return join(
    root,
    DEFAULT_DR_FOLDER,
    document.kind === PROTECTION_GROUP_KIND ? 'groups' : 'plans',
    fileNameFor(document),
  );
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The file text for a document: YAML, keys in model order. */
export function serializeDocument(document: DrDocument): string {
  return stringify(document, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** The first `maxBytes` bytes of a file: enough to tell that a file is over a size limit without reading it whole. */
export async function readFileBounded(path: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(maxBytes, (await handle.stat()).size));
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/** Reads and parses a DR file; a file over the size limit is read only up to it and reported, not parsed. */
export async function readDrFile<T extends DrDocument = DrDocument>(path: string): Promise<DrFile<T>> {
  const buffer = await readFileBounded(path, DR_LIMITS.documentBytes + 1);
  const kind = kindOfPath(path);
  const result = parseDrDocument(buffer.toString('utf8'), kind) as ParseResult<T>;
  return { path, kind: (kind ?? result.document?.kind ?? 'RecoveryPlan') as T['kind'], sha256: sha256(buffer), result };
}

async function findFiles(dir: string, out: string[], depth = 0): Promise<void> {
  if (depth > 8) return;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) await findFiles(path, out, depth + 1);
    } else if (entry.isFile() && kindOfPath(entry.name)) {
      out.push(path);
    }
  }
}

/** Finds and parses every protection-group and recovery-plan file under `root`. */
export async function loadDrWorkspace(root: string, paths?: string[]): Promise<DrWorkspace> {
  const files: string[] = paths ? [...paths] : [];
  if (!paths) await findFiles(root, files);
  files.sort();
  const parsed = await Promise.all(files.map((path) => readDrFile(path)));
  const groups = parsed.filter((file): file is DrFile<ProtectionGroup> => file.kind === 'ProtectionGroup');
  const plans = parsed.filter((file): file is DrFile<RecoveryPlan> => file.kind === 'RecoveryPlan');
  const duplicates: DrWorkspace['duplicates'] = [];
  for (const [kind, list] of [
    ['ProtectionGroup', groups],
    ['RecoveryPlan', plans],
  ] as const) {
    const byName = new Map<string, string[]>();
    for (const file of list as DrFile[])
      if (file.result.document)
        byName.set(file.result.document.name, [...(byName.get(file.result.document.name) ?? []), file.path]);
    for (const [name, paths] of byName) if (paths.length > 1) duplicates.push({ kind, name, paths });
  }
  return { root, groups, plans, duplicates };
}

/** Valid documents only, without the names defined twice. */
export function usableDocuments(workspace: DrWorkspace): { groups: ProtectionGroup[]; plans: RecoveryPlan[] } {
  const duplicate = (kind: string, name: string) =>
    workspace.duplicates.some((d) => d.kind === kind && d.name === name);
  return {
    groups: workspace.groups
      .map((file) => file.result.document)
      .filter((doc): doc is ProtectionGroup => Boolean(doc) && !duplicate('ProtectionGroup', doc!.name)),
    plans: workspace.plans
      .map((file) => file.result.document)
      .filter((doc): doc is RecoveryPlan => Boolean(doc) && !duplicate('RecoveryPlan', doc!.name)),
  };
}

/** Writes text atomically: a temporary file in the same folder, then a rename over the target. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { encoding: 'utf8', flush: true } as never);
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Writes a document. Refuses to replace a file that does not parse cleanly (malformed files are
 * never modified), and refuses to replace any file unless `overwrite`.
 */
export async function writeDocument(
  path: string,
  document: DrDocument,
  options: { overwrite?: boolean } = {},
): Promise<void> {
  if (await exists(path)) {
    const current = await readDrFile(path);
    if (!current.result.document) throw new Error(`${path} has errors; it is left untouched. Fix or delete it first.`);
    if (!options.overwrite) throw new Error(`${path} already exists.`);
  }
  await writeFileAtomic(path, serializeDocument(document));
}

/**
 * Rewrites an older-version file at the current schema version. Only files that parsed without
 * errors are upgraded; returns the migration notes, or undefined when there was nothing to do.
 */
export async function upgradeFile(path: string): Promise<string[] | undefined> {
  const file = await readDrFile(path);
  if (!file.result.document) throw new Error(`${path} has errors; it is left untouched.`);
  if (!file.result.migratedFrom) return undefined;
  await writeFileAtomic(path, serializeDocument(file.result.document));
  return file.result.migrationNotes;
}
