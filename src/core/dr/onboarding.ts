/**
 * First steps without writing YAML: protection groups proposed from the tags of DRS source servers
 * (one group per value of a tag key), and a recovery plan proposed from chosen groups, its waves in a
 * common tier order (db → app → web). Proposals are plain data; writing checks every file with the
 * parser first and never replaces an existing file.
 */
import { unlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { CURRENT_SCHEMA_VERSION, NAME_PATTERN, type ProtectionGroup, type RecoveryPlan, type Wave } from './model';
import { parseGroup, parsePlan, formatDiagnostics } from './parse';
import { DR_LIMITS } from './schema';
import type { ServerInfo } from './selection';
import { defaultPathFor, serializeDocument, writeFileAtomic } from './workspace';

const NAME = new RegExp(NAME_PATTERN);
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;

export interface TagKeySummary {
  key: string;
  /** Distinct non-empty values. */
  values: number;
  /** Servers carrying the key with a non-empty value. */
  servers: number;
}

/** The tag keys present on the servers, the most widely used first (ties by name). */
export function tagKeysOf(servers: ServerInfo[]): TagKeySummary[] {
  const byKey = new Map<string, { values: Set<string>; servers: number }>();
  for (const server of servers)
    for (const [key, value] of Object.entries(server.tags)) {
      if (!usableTag(key, value)) continue;
      const entry = byKey.get(key) ?? { values: new Set<string>(), servers: 0 };
      entry.values.add(value);
      entry.servers += 1;
      byKey.set(key, entry);
    }
  return [...byKey]
    .map(([key, entry]) => ({ key, values: entry.values.size, servers: entry.servers }))
    .sort((a, b) => b.servers - a.servers || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function usableTag(key: string, value: string | undefined): value is string {
  return (
    key.length > 0 &&
    key.length <= MAX_TAG_KEY &&
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_TAG_VALUE
  );
}

/** A valid document name made from free text: invalid characters become "-", at most 128 characters. */
export function nameFromText(text: string, fallback = 'group'): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 128)
    .replace(/-+$/, '');
  return NAME.test(cleaned) ? cleaned : fallback;
}

/** `base`, or `base-2`, `base-3`… : the first one not in `taken` (compared case-insensitively, as file systems may). */
export function freeName(base: string, taken: Iterable<string>): string {
  const used = new Set([...taken].map((name) => name.toLowerCase()));
  if (!used.has(base.toLowerCase())) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = `${base.slice(0, 128 - suffix.length)}${suffix}`;
    if (!used.has(candidate.toLowerCase())) return candidate;
  }
}

export interface GroupProposal {
  /** The group's document, ready to write. */
  group: ProtectionGroup;
  tagValue: string;
  /** The servers it selects today. */
  servers: ServerInfo[];
}

export interface GroupsProposal {
  tagKey: string;
  region: string;
  groups: GroupProposal[];
  /** Servers without the tag (or with an empty value): in no group. */
  untagged: ServerInfo[];
}

export interface ProposeGroupsOptions {
  region: string;
  account?: string;
  /** A prefix for the group names, e.g. "shop" gives "shop-db". */
  prefix?: string;
  /** Names already used by groups in the workspace: proposals avoid them. */
  takenNames?: Iterable<string>;
}

/** One protection group per value of `tagKey`, selecting the servers that carry it; values in first-seen order. */
export function proposeGroups(servers: ServerInfo[], tagKey: string, options: ProposeGroupsOptions): GroupsProposal {
  if (!tagKey || tagKey.length > MAX_TAG_KEY) throw new Error(`"${tagKey.slice(0, 40)}" cannot be a tag key.`);
  const byValue = new Map<string, ServerInfo[]>();
  const untagged: ServerInfo[] = [];
  for (const server of servers) {
    const value = server.tags[tagKey];
    if (!usableTag(tagKey, value)) untagged.push(server);
    else {
      const members = byValue.get(value);
      if (members) members.push(server);
      else byValue.set(value, [server]);
    }
  }
  const taken = new Set([...(options.takenNames ?? [])]);
  const groups: GroupProposal[] = [];
  for (const [value, members] of byValue) {
    const base = nameFromText(options.prefix ? `${options.prefix}-${value}` : value);
    const name = freeName(base, taken);
    taken.add(name);
    groups.push({
      tagValue: value,
      servers: members,
      group: {
        schemaVersion: CURRENT_SCHEMA_VERSION,
        kind: 'ProtectionGroup',
        name,
        description: `DRS source servers tagged ${tagKey}=${value}`,
        ...(options.account ? { account: options.account } : {}),
        region: options.region,
        selection: { tags: { [tagKey]: value } },
      },
    });
  }
  return { tagKey, region: options.region, groups, untagged };
}

// ---- recovery plan ---------------------------------------------------------------------------------

/** Tiers in recovery order, with the words that name them. */
export const TIER_ORDER: ReadonlyArray<{ tier: string; words: readonly string[] }> = [
  { tier: 'db', words: ['db', 'database', 'databases', 'data', 'rds', 'sql', 'storage'] },
  { tier: 'app', words: ['app', 'application', 'backend', 'api', 'service', 'services', 'middleware'] },
  { tier: 'web', words: ['web', 'frontend', 'front', 'ui', 'proxy'] },
];

/** The tier index of a name or tag value (0 db, 1 app, 2 web), or undefined when none of its words names a tier. */
export function tierOf(text: string): number | undefined {
  const words = text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let found: number | undefined;
  for (const word of words) {
    const index = TIER_ORDER.findIndex((tier) => tier.words.includes(word));
    if (index >= 0) {
      if (found !== undefined && found !== index) return undefined; // "web-db": ambiguous
      found = index;
    }
  }
  return found;
}

export interface PlanGroupInput {
  name: string;
  /** The tag values that selected it, considered before the name. */
  tagValues?: string[];
}

export interface ProposePlanOptions {
  name: string;
  description?: string;
  /** false: one wave per group in the given order, without tier sorting. Default true. */
  tierOrder?: boolean;
}

/** Tier of a group: from its tag values when they name one, else from its name. */
function groupTier(group: PlanGroupInput): number | undefined {
  for (const value of group.tagValues ?? []) {
    const tier = tierOf(value);
    if (tier !== undefined) return tier;
  }
  return tierOf(group.name);
}

/**
 * A recovery plan for these groups: groups of a known tier form one wave per tier (db, app, web in that
 * order); groups of no known tier follow, one wave each, in the given order. Each wave depends on the one before.
 */
export function proposePlan(groups: PlanGroupInput[], options: ProposePlanOptions): RecoveryPlan {
  if (groups.length === 0) throw new Error('Choose at least one protection group.');
  const seen = new Set<string>();
  const unique = groups.filter((group) => !seen.has(group.name) && seen.add(group.name));
  const slots: { name: string; groups: string[] }[] = [];
  const useTiers = options.tierOrder !== false;
  if (useTiers)
    TIER_ORDER.forEach((tier, index) => {
      const members = unique.filter((group) => groupTier(group) === index).map((group) => group.name);
      if (members.length) slots.push({ name: tier.tier, groups: members });
    });
  for (const group of unique)
    if (!useTiers || groupTier(group) === undefined) slots.push({ name: group.name, groups: [group.name] });
  if (slots.length > DR_LIMITS.waves) throw new Error(`A plan holds at most ${DR_LIMITS.waves} waves.`);
  const names = new Set<string>();
  const waves: Wave[] = [];
  for (const slot of slots) {
    for (let at = 0; at < slot.groups.length; at += DR_LIMITS.groupsPerWave) {
      const name = freeName(slot.name, names);
      names.add(name);
      const previous = waves[waves.length - 1];
      waves.push({
        name,
        protectionGroups: slot.groups.slice(at, at + DR_LIMITS.groupsPerWave),
        ...(previous ? { dependsOn: [previous.name] } : {}),
      });
    }
  }
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    kind: 'RecoveryPlan',
    name: options.name,
    description: options.description ?? `Recovery of ${unique.map((group) => group.name).join(', ')}`.slice(0, 1000),
    failurePolicy: 'stop',
    waves,
  };
}

// ---- files -------------------------------------------------------------------------------------------

const GROUP_HEADER = [
  '# Protection group: the DRS source servers that are recovered together.',
  '# Created from source server tags; edit the selection to add or remove servers.',
  '',
].join('\n');
const PLAN_HEADER = [
  '# Recovery plan: waves of protection groups, recovered by DRS in dependency order.',
  '# Waves without a dependsOn path between them run in parallel.',
  '',
].join('\n');

/** The file text for a proposed group or plan; throws when the parser would not accept it. */
export function documentText(document: ProtectionGroup | RecoveryPlan): string {
  const text = (document.kind === 'ProtectionGroup' ? GROUP_HEADER : PLAN_HEADER) + serializeDocument(document);
  const result = document.kind === 'ProtectionGroup' ? parseGroup(text) : parsePlan(text);
  if (!result.document) throw new Error(formatDiagnostics(document.name, result.diagnostics));
  return text;
}

export interface PlannedFile {
  path: string;
  text: string;
  name: string;
}

/**
 * Where each document would go under `root`, with free file names: a name whose file exists (or that is
 * in `takenNames`) is renamed to the next free one (`db-2`) and reported in `renamed`.
 */
export function planFiles(
  root: string,
  documents: Array<ProtectionGroup | RecoveryPlan>,
  takenNames: Iterable<string> = [],
  fileExists: (path: string) => boolean = existsSync,
): { files: PlannedFile[]; renamed: Array<{ from: string; to: string }> } {
  const taken = new Set([...takenNames].map((name) => name.toLowerCase()));
  const files: PlannedFile[] = [];
  const renamed: Array<{ from: string; to: string }> = [];
  for (const original of documents) {
    let document = original;
    const clash = (name: string) =>
      taken.has(name.toLowerCase()) || fileExists(defaultPathFor(root, { ...original, name } as typeof original));
    if (clash(original.name)) {
      let n = 2;
      let name = original.name;
      while (clash(name)) {
        const suffix = `-${n++}`;
        name = `${original.name.slice(0, 128 - suffix.length)}${suffix}`;
      }
      document = { ...original, name };
      renamed.push({ from: original.name, to: name });
    }
    taken.add(document.name.toLowerCase());
    files.push({ path: defaultPathFor(root, document), text: documentText(document), name: document.name });
  }
  return { files, renamed };
}

/**
 * Writes planned files, each atomically. A file that appeared since planning stops the write; files this
 * call already wrote are removed again, so the workspace ends with all of them or none.
 */
export async function writePlannedFiles(files: PlannedFile[]): Promise<string[]> {
  const written: string[] = [];
  try {
    for (const file of files) {
      if (existsSync(file.path)) throw new Error(`${file.path} already exists; nothing was written.`);
      await writeFileAtomic(file.path, file.text);
      written.push(file.path);
    }
  } catch (error) {
    await Promise.all(written.map((path) => unlink(path).catch(() => undefined)));
    throw error;
  }
  return written;
}
