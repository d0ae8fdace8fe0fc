/**
 * Export and import of every protection group and recovery plan as one versioned bundle.
 *
 * Bundle version 1 was `{ bundleVersion: 1, groups: [...], plans: [...] }` with v1 documents;
 * version 2 is `{ bundleVersion: 2, kind, exportedAt, protectionGroups, recoveryPlans }` with current
 * documents. Import migrates older bundles and documents, then validates schema, names, references
 * between plans and groups, and (with a verifier) that referenced source servers and SSM documents
 * exist. A dry run reports what would be created, overwritten, skipped or fail, and writes nothing.
 */
import { isDeepStrictEqual } from 'node:util';
import { LineCounter, parseDocument } from 'yaml';
import type { DrReads } from './aws';
import { migrateDocument } from './migrate';
import type { DrDiagnostic, DrDocument, ProtectionGroup, RecoveryPlan } from './model';
import { duplicateKeys, tooLargeToParse, validateDocument } from './parse';
import { DR_LIMITS } from './schema';
import { defaultPathFor, loadDrWorkspace, serializeDocument, writeFileAtomic, type DrWorkspace } from './workspace';

export const BUNDLE_KIND = 'PilotLightDrBundle';
export const CURRENT_BUNDLE_VERSION = 2;

export interface DrBundle {
  bundleVersion: 2;
  kind: typeof BUNDLE_KIND;
  exportedAt: string;
  source?: { account?: string; region?: string; workspace?: string };
  protectionGroups: ProtectionGroup[];
  recoveryPlans: RecoveryPlan[];
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function createBundle(
  groups: ProtectionGroup[],
  plans: RecoveryPlan[],
  source?: DrBundle['source'],
  now = new Date(),
): DrBundle {
  return {
    bundleVersion: CURRENT_BUNDLE_VERSION,
    kind: BUNDLE_KIND,
    exportedAt: now.toISOString(),
    ...(source ? { source } : {}),
    protectionGroups: structuredClone(groups).sort(byName),
    recoveryPlans: structuredClone(plans).sort(byName),
  };
}

/**
 * Exports the valid documents of a workspace. Files with errors are not exported and are listed in
 * `skipped`, so the user sees what is missing from the bundle.
 */
export async function exportWorkspace(
  root: string,
  source?: DrBundle['source'],
): Promise<{ bundle: DrBundle; skipped: { path: string; reason: string }[] }> {
  const workspace = await loadDrWorkspace(root);
  const skipped: { path: string; reason: string }[] = [];
  const groups: ProtectionGroup[] = [];
  const plans: RecoveryPlan[] = [];
  for (const file of [...workspace.groups, ...workspace.plans]) {
    const document = file.result.document;
    if (!document) {
      skipped.push({
        path: file.path,
        reason: file.result.diagnostics.find((d) => d.severity === 'error')?.message ?? 'has errors',
      });
      continue;
    }
    const duplicate = workspace.duplicates.find((d) => d.kind === document.kind && d.name === document.name);
    if (duplicate) {
      skipped.push({
        path: file.path,
        reason: `${document.kind} "${document.name}" is defined in several files: ${duplicate.paths.join(', ')}`,
      });
      continue;
    }
    if (document.kind === 'ProtectionGroup') groups.push(document);
    else plans.push(document);
  }
  return { bundle: createBundle(groups, plans, source), skipped };
}

export function serializeBundle(bundle: DrBundle): string {
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

export interface BundleParseResult {
  bundle?: DrBundle;
  diagnostics: DrDiagnostic[];
  migratedFrom?: number;
}

/** Parses bundle text (JSON; YAML also accepted), migrating older bundle versions. Size and nesting are bounded. */
export function parseBundle(text: string): BundleParseResult {
  const unreadable = tooLargeToParse(text, DR_LIMITS.bundleBytes, 'bundle');
  if (unreadable) return { diagnostics: [unreadable] };
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const errors = doc.errors.length
    ? doc.errors
    : duplicateKeys(doc).map(({ key, range }) => ({
        code: 'DUPLICATE_KEY',
        message: `Map keys must be unique ("${key.slice(0, 64)}" is repeated)`,
        pos: range,
      }));
  if (errors.length) {
    return {
      diagnostics: errors.slice(0, DR_LIMITS.reportedProblems).map((error) => {
        const { line, col } = lines.linePos(error.pos[0]);
        return {
          severity: 'error',
          code: `yaml-${error.code}`,
          path: [],
          message: error.message.split('\n')[0],
          start: { line, column: col },
        };
      }),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return {
      diagnostics: [{ severity: 'error', code: 'yaml-alias', path: [], message: `YAML: ${(error as Error).message}` }],
    };
  }
  return migrateBundle(value);
}

export function migrateBundle(value: unknown): BundleParseResult {
  const fail = (message: string, path: (string | number)[] = []): BundleParseResult => ({
    diagnostics: [{ severity: 'error', code: 'bundle', path, message }],
  });
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail('A bundle is a JSON object with bundleVersion, protectionGroups and recoveryPlans.');
  const raw = value as Record<string, unknown>;
  const tooMany = (['groups', 'plans', 'protectionGroups', 'recoveryPlans'] as const).find(
    (key) => Array.isArray(raw[key]) && (raw[key] as unknown[]).length > DR_LIMITS.bundleDocuments,
  );
  if (tooMany)
    return fail(
      `${tooMany} lists ${(raw[tooMany] as unknown[]).length} documents; a bundle holds at most ${DR_LIMITS.bundleDocuments} of each kind. Split it into smaller bundles.`,
      [tooMany],
    );
  if (raw.bundleVersion === 1) {
    const groups = Array.isArray(raw.groups) ? raw.groups : [];
    const plans = Array.isArray(raw.plans) ? raw.plans : [];
    const migrate = (doc: unknown, kind: string) => {
      const object = typeof doc === 'object' && doc !== null ? { kind, ...(doc as Record<string, unknown>) } : doc;
      return typeof object === 'object' && object !== null
        ? (migrateDocument(object as Record<string, unknown>)?.value ?? object)
        : object;
    };
    return {
      bundle: {
        bundleVersion: 2,
        kind: BUNDLE_KIND,
        exportedAt: typeof raw.exportedAt === 'string' ? raw.exportedAt : new Date(0).toISOString(),
        protectionGroups: groups.map((g) => migrate(g, 'ProtectionGroup')) as ProtectionGroup[],
        recoveryPlans: plans.map((p) => migrate(p, 'RecoveryPlan')) as RecoveryPlan[],
      },
      diagnostics: [],
      migratedFrom: 1,
    };
  }
  if (raw.bundleVersion !== CURRENT_BUNDLE_VERSION) {
    return fail(
      typeof raw.bundleVersion === 'number' && raw.bundleVersion > CURRENT_BUNDLE_VERSION
        ? `Bundle version ${raw.bundleVersion} was written by a newer Pilot Light; this build reads versions 1 and 2.`
        : `Unknown bundleVersion ${JSON.stringify(raw.bundleVersion)}.`,
      ['bundleVersion'],
    );
  }
  if (raw.kind !== BUNDLE_KIND) return fail(`kind must be "${BUNDLE_KIND}".`, ['kind']);
  if (!Array.isArray(raw.protectionGroups) || !Array.isArray(raw.recoveryPlans))
    return fail('protectionGroups and recoveryPlans must be lists.');
  return { bundle: raw as unknown as DrBundle, diagnostics: [] };
}

/** Checks that things a bundle references exist in the target account. */
export interface ImportVerifier {
  /** Returns the IDs that do not exist. */
  missingSourceServers(region: string, sourceServerIds: string[]): Promise<string[]>;
  /** Returns the document names that do not exist. */
  missingSsmDocuments(region: string, names: string[]): Promise<string[]>;
}

export function verifierFromReads(reads: DrReads): ImportVerifier {
  return {
    async missingSourceServers(region, ids) {
      if (ids.length === 0) return [];
      const found = new Set((await reads.listSourceServers(region, ids)).map((server) => server.sourceServerID));
      return ids.filter((id) => !found.has(id));
    },
    async missingSsmDocuments(region, names) {
      const missing: string[] = [];
      for (const name of names) if (!(await reads.describeDocument(region, name))) missing.push(name);
      return missing;
    },
  };
}

export type ImportAction = 'create' | 'overwrite' | 'skip' | 'fail';

export interface ImportItem {
  kind: 'ProtectionGroup' | 'RecoveryPlan';
  name: string;
  action: ImportAction;
  /** Why it is skipped or fails (or notes, e.g. migrated). */
  reasons: string[];
  /** File that is (or would be) written. */
  path?: string;
  /** The workspace has a different document with this name (see `onConflict`). */
  conflict?: boolean;
}

export interface ImportOptions {
  dryRun?: boolean;
  /** What to do when a document with the same name but different content exists. Default 'fail'. */
  onConflict?: 'fail' | 'skip' | 'overwrite';
  /** Checks referenced source servers and SSM documents; skipped when absent (reported). */
  verifier?: ImportVerifier;
  /** Region of wave-level source server IDs and SSM documents when no group says. */
  defaultRegion?: string;
}

export interface ImportReport {
  dryRun: boolean;
  bundleVersion: number;
  migratedFrom?: number;
  items: ImportItem[];
  created: string[];
  overwritten: string[];
  skipped: string[];
  failed: string[];
  /** Problems with the bundle as a whole (it could not be read). */
  diagnostics: DrDiagnostic[];
  /** Checks that did not run (e.g. no verifier). */
  notes: string[];
}

function label(item: { kind: string; name: string }): string {
  return `${item.kind === 'ProtectionGroup' ? 'group' : 'plan'} ${item.name}`;
}

/** Imports a bundle (text or parsed) into the workspace at `root`. */
export async function importBundle(
  input: string | DrBundle,
  root: string,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const dryRun = options.dryRun ?? false;
  const parsed = typeof input === 'string' ? parseBundle(input) : migrateBundle(input);
  const report: ImportReport = {
    dryRun,
    bundleVersion: CURRENT_BUNDLE_VERSION,
    items: [],
    created: [],
    overwritten: [],
    skipped: [],
    failed: [],
    diagnostics: parsed.diagnostics,
    notes: [],
    ...(parsed.migratedFrom ? { migratedFrom: parsed.migratedFrom } : {}),
  };
  if (!parsed.bundle) return report;
  const bundle = parsed.bundle;
  const workspace: DrWorkspace = await loadDrWorkspace(root);

  // 1. Schema (with per-document migration) and duplicates inside the bundle.
  const candidates: { item: ImportItem; document?: DrDocument }[] = [];
  const seen = new Set<string>();
  const consider = (value: unknown, kind: 'ProtectionGroup' | 'RecoveryPlan', index: number) => {
    const name =
      typeof (value as { name?: unknown })?.name === 'string' ? (value as { name: string }).name : `#${index + 1}`;
    const item: ImportItem = { kind, name, action: 'create', reasons: [] };
    const validation = validateDocument(value);
    if (!validation.document) {
      item.action = 'fail';
      item.reasons.push(
        ...validation.diagnostics
          .slice(0, DR_LIMITS.reportedProblems)
          .map((d) => `${d.path.length ? `${d.path.join('.')}: ` : ''}${d.message}`),
      );
      const unlisted = validation.diagnostics.length - DR_LIMITS.reportedProblems;
      if (unlisted > 0) item.reasons.push(`… and ${unlisted} more problem${unlisted === 1 ? '' : 's'}.`);
    } else if (validation.document.kind !== kind) {
      item.action = 'fail';
      item.reasons.push(
        `Listed under ${kind === 'ProtectionGroup' ? 'protectionGroups' : 'recoveryPlans'} but is a ${validation.document.kind}.`,
      );
    } else if (seen.has(`${kind}/${name}`)) {
      item.action = 'fail';
      item.reasons.push(`The bundle holds another ${kind} named "${name}".`);
    }
    if (validation.migratedFrom) item.reasons.push(`Migrated from schema version ${validation.migratedFrom}.`);
    seen.add(`${kind}/${name}`);
    candidates.push({ item, document: item.action === 'fail' ? undefined : validation.document });
  };
  bundle.protectionGroups.forEach((group, index) => consider(group, 'ProtectionGroup', index));
  bundle.recoveryPlans.forEach((plan, index) => consider(plan, 'RecoveryPlan', index));

  // 2. Conflicts with the workspace (files indexed once, so this stays linear in bundle and workspace size).
  const existingFiles = [...workspace.groups, ...workspace.plans];
  const filesByName = new Map<string, typeof existingFiles>();
  const malformedPaths = new Set<string>();
  for (const file of existingFiles) {
    if (!file.result.document) malformedPaths.add(file.path);
    else {
      const key = `${file.result.document.kind}/${file.result.document.name}`;
      const files = filesByName.get(key) ?? [];
      files.push(file);
      filesByName.set(key, files);
    }
  }
  for (const candidate of candidates) {
    const { item, document } = candidate;
    if (!document) continue;
    const target = defaultPathFor(root, document);
    item.path = target;
    const sameName = filesByName.get(`${document.kind}/${document.name}`) ?? [];
    const malformedAtTarget = malformedPaths.has(target) ? { path: target } : undefined;
    if (malformedAtTarget) {
      item.action = 'fail';
      item.reasons.push(`${target} exists and has errors; it is left untouched. Fix or delete it, then import again.`);
      continue;
    }
    if (sameName.length === 0) continue;
    if (sameName.length > 1) {
      item.action = 'fail';
      item.reasons.push(
        `The workspace defines "${document.name}" in several files (${sameName.map((f) => f.path).join(', ')}).`,
      );
      continue;
    }
    const existing = sameName[0];
    item.path = existing.path;
    const identical = isDeepStrictEqual(existing.result.document, document);
    if (!identical) item.conflict = true;
    if (identical) {
      item.action = 'skip';
      item.reasons.push(`Identical to ${existing.path}.`);
    } else if ((options.onConflict ?? 'fail') === 'skip') {
      item.action = 'skip';
      item.reasons.push(`A different ${label(item)} exists in ${existing.path}; kept it (conflict policy: skip).`);
    } else if (options.onConflict === 'overwrite') {
      item.action = 'overwrite';
      item.reasons.push(`Replaces the different version in ${existing.path}.`);
    } else {
      item.action = 'fail';
      item.reasons.push(
        `A different ${label(item)} exists in ${existing.path}. Rename one of them, or import with "overwrite" or "skip".`,
      );
    }
  }

  // 3. References from plans to groups: the group must come with the bundle or be in the workspace.
  const importedGroups = new Map<string, ProtectionGroup>();
  for (const { item, document } of candidates)
    if (document?.kind === 'ProtectionGroup' && item.action !== 'fail') importedGroups.set(document.name, document);
  const workspaceGroups = new Map<string, ProtectionGroup>();
  for (const file of workspace.groups)
    if (file.result.document) workspaceGroups.set(file.result.document.name, file.result.document);
  const groupCandidates = new Map<string, (typeof candidates)[number]>();
  for (const candidate of candidates)
    if (candidate.item.kind === 'ProtectionGroup' && !groupCandidates.has(candidate.item.name))
      groupCandidates.set(candidate.item.name, candidate);
  const groupFor = (name: string): ProtectionGroup | undefined => {
    const candidate = groupCandidates.get(name);
    const writes = candidate && (candidate.item.action === 'create' || candidate.item.action === 'overwrite');
    return (writes ? importedGroups.get(name) : undefined) ?? workspaceGroups.get(name) ?? importedGroups.get(name);
  };
  for (const { item, document } of candidates) {
    if (document?.kind !== 'RecoveryPlan' || item.action === 'fail') continue;
    const missing = [...new Set(document.waves.flatMap((wave) => wave.protectionGroups ?? []))].filter(
      (name) => !groupFor(name),
    );
    if (missing.length) {
      item.action = 'fail';
      const failedInBundle = missing.filter((name) => groupCandidates.has(name));
      item.reasons.push(
        `References protection group${missing.length === 1 ? '' : 's'} ${missing.map((n) => `"${n}"`).join(', ')}${failedInBundle.length ? ' (which fail to import)' : ''}, not in the bundle or the workspace.`,
      );
    }
  }

  // 4. Referenced source servers and SSM documents exist.
  if (options.verifier) {
    const defaultRegion = options.defaultRegion ?? 'us-east-1';
    for (const { item, document } of candidates) {
      if (!document || item.action === 'fail' || item.action === 'skip') continue;
      try {
        if (document.kind === 'ProtectionGroup') {
          const missing = await options.verifier.missingSourceServers(
            document.region,
            document.selection.sourceServerIds ?? [],
          );
          if (missing.length) {
            item.action = 'fail';
            item.reasons.push(
              `Source server${missing.length === 1 ? '' : 's'} ${missing.join(', ')} do${missing.length === 1 ? 'es' : ''} not exist in ${document.region}.`,
            );
          }
        } else {
          for (const wave of document.waves) {
            const groupRegions = [
              ...new Set(
                (wave.protectionGroups ?? [])
                  .map((name) => groupFor(name)?.region)
                  .filter((r): r is string => Boolean(r)),
              ),
            ];
            const region = groupRegions.length === 1 ? groupRegions[0] : defaultRegion;
            const missingServers = await options.verifier.missingSourceServers(region, wave.sourceServerIds ?? []);
            if (missingServers.length) {
              item.action = 'fail';
              item.reasons.push(
                `Wave "${wave.name}": source server${missingServers.length === 1 ? '' : 's'} ${missingServers.join(', ')} not found in ${region}.`,
              );
            }
            const documents = [
              ...new Set(
                [...(wave.preActions ?? []), ...(wave.postActions ?? [])].flatMap((action) =>
                  action.type === 'ssmAutomation' ? [action.documentName] : [],
                ),
              ),
            ];
            const missingDocuments = await options.verifier.missingSsmDocuments(region, documents);
            if (missingDocuments.length) {
              item.action = 'fail';
              item.reasons.push(
                `Wave "${wave.name}": SSM document${missingDocuments.length === 1 ? '' : 's'} ${missingDocuments.map((d) => `"${d}"`).join(', ')} not found in ${region}.`,
              );
            }
          }
        }
      } catch (error) {
        item.action = 'fail';
        item.reasons.push(`References could not be checked: ${(error as Error).message}`);
      }
    }
  } else {
    report.notes.push('Referenced source servers and SSM documents were not checked (no AWS connection).');
  }

  // 5. Plans whose groups fail in this import fail too (unless the workspace already has the group).
  let changed = true;
  while (changed) {
    changed = false;
    for (const { item, document } of candidates) {
      if (document?.kind !== 'RecoveryPlan' || item.action === 'fail') continue;
      const broken = document.waves
        .flatMap((wave) => wave.protectionGroups ?? [])
        .filter((name) => {
          const candidate = groupCandidates.get(name);
          return candidate?.item.action === 'fail' && !workspaceGroups.has(name);
        });
      if (broken.length) {
        item.action = 'fail';
        item.reasons.push(
          `Protection group${broken.length === 1 ? '' : 's'} ${[...new Set(broken)].map((n) => `"${n}"`).join(', ')} fail${broken.length === 1 ? 's' : ''} to import.`,
        );
        changed = true;
      }
    }
  }

  // 6. Write (unless dry run).
  for (const { item, document } of candidates) {
    report.items.push(item);
    const name = label(item);
    if (item.action === 'fail') {
      report.failed.push(name);
      continue;
    }
    if (item.action === 'skip') {
      report.skipped.push(name);
      continue;
    }
    if (!dryRun) {
      try {
        await writeFileAtomic(item.path!, serializeDocument(document!));
      } catch (error) {
        item.action = 'fail';
        item.reasons.push(`Writing ${item.path} failed: ${(error as Error).message}`);
        report.failed.push(name);
        continue;
      }
    }
    (item.action === 'create' ? report.created : report.overwritten).push(name);
  }
  return report;
}

export function formatImportReport(report: ImportReport): string {
  const lines = [
    `${report.dryRun ? 'Dry run: would create' : 'Created'} ${report.created.length}, ${report.dryRun ? 'overwrite' : 'overwrote'} ${report.overwritten.length}, skipped ${report.skipped.length}, failed ${report.failed.length}.`,
  ];
  for (const d of report.diagnostics) lines.push(`bundle: ${d.message}`);
  for (const item of report.items)
    lines.push(`- ${item.action} ${label(item)}${item.reasons.length ? `: ${item.reasons.join(' ')}` : ''}`);
  for (const note of report.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}

/** A Markdown preview (dry run) or result of an import: what is created, overwritten, skipped or fails, and why. */
export function renderImportMarkdown(report: ImportReport, source?: string): string {
  const verb = report.dryRun
    ? { create: 'Would create', overwrite: 'Would overwrite', skip: 'Would skip', fail: 'Would fail' }
    : { create: 'Created', overwrite: 'Overwrote', skip: 'Skipped', fail: 'Failed' };
  const lines = [
    `# ${report.dryRun ? 'Import preview (dry run, nothing written)' : 'Import result'}${source ? `: ${source}` : ''}`,
    '',
  ];
  if (report.diagnostics.length) {
    lines.push(
      '**The bundle cannot be read:**',
      '',
      ...report.diagnostics.map(
        (d) => `- ${d.start ? `line ${d.start.line}, column ${d.start.column}: ` : ''}${d.message}`,
      ),
      '',
    );
    return lines.join('\n');
  }
  if (report.migratedFrom)
    lines.push(`Bundle version ${report.migratedFrom}, migrated to version ${report.bundleVersion}.`, '');
  lines.push(
    `| | Count |`,
    `| --- | --- |`,
    `| ${verb.create} | ${report.created.length} |`,
    `| ${verb.overwrite} | ${report.overwritten.length} |`,
    `| ${verb.skip} | ${report.skipped.length} |`,
    `| ${verb.fail} | ${report.failed.length} |`,
    '',
  );
  const conflicts = report.items.filter((item) => item.conflict);
  if (conflicts.length)
    lines.push(
      `${conflicts.length} name conflict(s) with different content in the workspace: ${conflicts.map((item) => label(item)).join(', ')}.`,
      '',
    );
  lines.push('| Action | Kind | Name | File | Details |', '| --- | --- | --- | --- | --- |');
  for (const item of report.items) {
    const cell = (value?: string) => (value ? value.replace(/\|/g, '\\|').replace(/\n/g, ' ') : '—');
    lines.push(
      `| ${verb[item.action]} | ${item.kind} | ${cell(item.name)} | ${cell(item.path)} | ${cell(item.reasons.join(' '))} |`,
    );
  }
  lines.push('');
  for (const note of report.notes) lines.push(`> ${note}`, '');
  return lines.join('\n');
}
