/**
 * /resources queries in plain words: "what's running in production?", "stopped instances tagged Team=core",
 * "volumes in eu-west-1", "show web-1". Deterministic: no language model.
 */
import { RESOURCE_KINDS, resourceIdsIn, typeOfId, type ResourceFact } from '../insights/facts';

export interface TagCondition {
  key: string;
  /** Omitted: the tag only has to exist. */
  value?: string;
}

export interface ResourceQuery {
  /** Resource types asked for; empty means the default set. */
  types: string[];
  states: string[];
  environments: string[];
  tags: TagCondition[];
  ids: string[];
  names: string[];
  region?: string;
  /** "created in the last 24 hours": the window, in milliseconds, and how the user said it. */
  createdWithin?: { ms: number; text: string };
  /** "in the private subnet": subnets without a route to an internet gateway (or with one). */
  subnetScope?: 'private' | 'public';
  /** Leftover words ("app", "web") matched against names and Role/Tier tags. */
  descriptors: string[];
  text: string;
}

/** Environment names people use, grouped by meaning. The first of each group is its canonical name. */
const ENVIRONMENT_ALIASES: string[][] = [
  ['production', 'prod', 'prd'],
  ['staging', 'stage', 'stg', 'preprod', 'pre-production'],
  ['development', 'dev'],
  ['test', 'testing', 'tst'],
  ['qa'],
  ['uat'],
  ['sandbox', 'sbx'],
];

const KNOWN_ENVIRONMENT_WORDS = new Set(ENVIRONMENT_ALIASES.flat());

/** The canonical form of an environment name, so "prod" matches "production". */
export function normalizeEnvironment(name: string): string {
  const lower = name.trim().toLowerCase();
  return ENVIRONMENT_ALIASES.find((group) => group.includes(lower))?.[0] ?? lower;
}

export function sameEnvironment(a: string, b: string): boolean {
  return normalizeEnvironment(a) === normalizeEnvironment(b);
}

const STATE_WORDS: Array<[RegExp, string[]]> = [
  [/\b(running|started|online)\b/, ['running']],
  [/\b(stopped|off|down|offline|shut ?down)\b/, ['stopped']],
  [/\b(pending|starting)\b/, ['pending']],
  [/\b(stopping)\b/, ['stopping']],
  [/\bterminated\b/, ['terminated']],
  [/\b(unattached|detached|available)\b/, ['available']],
  [/\b(attached|in-use|in use)\b/, ['in-use']],
  [/\bunassociated\b/, ['unassociated']],
  [/\bassociated\b/, ['associated']],
  // DRS replication and job states.
  [/\bstalled\b/, ['stalled']],
  [/\bdisconnected\b/, ['disconnected']],
  [/\b(continuous|in sync|healthy)\b/, ['continuous']],
  [/\b(completed|finished)\b/, ['completed']],
];

const ENVIRONMENT_TAG_KEYS = ['environment', 'env', 'stage'];

const REGION_PATTERN = /\b([a-z]{2}(?:-gov)?-[a-z]+-\d)\b/;

function wordPattern(phrase: string): RegExp {
  return new RegExp(
    `(^|[^a-z0-9-])${phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+')}(?=$|[^a-z0-9-])`,
    'i',
  );
}

const PHRASES_LONGEST_FIRST = RESOURCE_KINDS.flatMap((kind) => kind.words.map((word) => ({ kind, word }))).sort(
  (a, b) => b.word.length - a.word.length,
);

/** Parses a query; unknown words are ignored rather than rejected. */
export function parseResourceQuery(input: string): ResourceQuery {
  const text = input.trim();
  const lower = ` ${text.toLowerCase()} `;
  const query: ResourceQuery = {
    types: [],
    states: [],
    environments: [],
    tags: [],
    ids: resourceIdsIn(text),
    names: [],
    descriptors: [],
    text,
  };

  // Key=Value and tag:Key conditions; environment tags become environment filters.
  let rest = lower;
  for (const match of text.matchAll(/(?:tag:)?([A-Za-z][\w.:/@+-]*)\s*=\s*("[^"]*"|'[^']*'|[^\s,;?]+)/g)) {
    const key = match[1].replace(/^tag:/i, '');
    const value = match[2].replace(/^["']|["']$/g, '');
    if (ENVIRONMENT_TAG_KEYS.includes(key.toLowerCase())) query.environments.push(value);
    else if (key.toLowerCase() === 'region') query.region = value;
    else if (key.toLowerCase() === 'state') query.states.push(value.toLowerCase());
    else if (key.toLowerCase() === 'name') query.names.push(value);
    else query.tags.push({ key, value });
    rest = rest.replace(match[0].toLowerCase(), ' ');
  }
  for (const match of rest.matchAll(/\b(?:tagged|tag|with tag|having tag)\s+(?:with\s+)?([a-z][\w.:/@+-]*)\b/gi)) {
    if (!['with', 'and', 'in', 'the', 'named', 'called', 'as', 'by', 'for', 'of'].includes(match[1]))
      query.tags.push({ key: match[1] });
  }
  for (const match of text.matchAll(/\b(?:named|called|name)\s+("[^"]+"|'[^']+'|[^\s,;?]+)/gi))
    query.names.push(match[1].replace(/^["']|["']$/g, ''));
  for (const match of text.matchAll(/"([^"]+)"/g)) if (!query.names.includes(match[1])) query.names.push(match[1]);

  const region = REGION_PATTERN.exec(lower);
  if (region && !query.region) query.region = region[1];

  // Types: longest phrases first across all kinds ("recovery instances" before "instances"), each word used once.
  let typeText = rest;
  for (const { kind, word } of PHRASES_LONGEST_FIRST) {
    const pattern = wordPattern(word);
    if (pattern.test(typeText)) {
      if (!query.types.includes(kind.type)) query.types.push(kind.type);
      typeText = typeText.replace(pattern, ' ');
    }
  }
  query.types.sort(
    (a, b) => RESOURCE_KINDS.findIndex((kind) => kind.type === a) - RESOURCE_KINDS.findIndex((kind) => kind.type === b),
  );
  for (const id of query.ids) {
    const type = typeOfId(id);
    if (type && !query.types.includes(type) && RESOURCE_KINDS.some((kind) => kind.type === type))
      query.types.push(type);
  }

  for (const [pattern, states] of STATE_WORDS)
    if (
      pattern.test(rest) &&
      !(states[0] === 'associated' && /\bunassociated\b/.test(rest)) &&
      !(states[0] === 'in-use' && /\b(unattached|detached)\b/.test(rest))
    )
      query.states.push(...states);
  query.states = [...new Set(query.states)];

  for (const match of rest.matchAll(/\b(?:in|for|from|of)\s+(?:the\s+)?([a-z][\w-]*)\s+(?:environment|env)\b/g))
    query.environments.push(match[1]);
  for (const match of rest.matchAll(/\b(?:environment|env)\s*[:=]?\s+([a-z][\w-]*)\b/g))
    if (!['is', 'the', 'of', 'in'].includes(match[1])) query.environments.push(match[1]);
  for (const word of rest.split(/[^a-z0-9-]+/)) if (KNOWN_ENVIRONMENT_WORDS.has(word)) query.environments.push(word);
  query.environments = [...new Map(query.environments.map((env) => [normalizeEnvironment(env), env])).values()];

  const window = parseTimeWindow(rest);
  if (window) query.createdWithin = window;
  const scope =
    /\b(private|public)\s+(?:subnets?|networks?)\b|\bsubnets?\s+(?:that\s+|which\s+)?(?:is\s+|are\s+)?(private|public)\b/.exec(
      rest,
    );
  if (scope) query.subnetScope = (scope[1] ?? scope[2]) as 'private' | 'public';
  // "instances in the private subnet": the subnet names the scope, not a type to list.
  if (query.subnetScope && query.types.length > 1) query.types = query.types.filter((type) => type !== 'ec2:subnet');
  query.descriptors = descriptorWords(typeText);
  return query;
}

const UNIT_MS: Record<string, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
};
const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  ten: 10,
  twelve: 12,
  few: 3,
};

/** "in the last 24 hours", "past week", "last 3 days", "today", "since yesterday". */
export function parseTimeWindow(lower: string): { ms: number; text: string } | undefined {
  const match =
    /\b(?:last|past|previous)\s+(?:(\d{1,4}|a|an|one|two|three|four|five|six|seven|ten|twelve|few)\s+)?(minute|hour|day|week|month)s?\b/.exec(
      lower,
    );
  if (match) {
    const count = match[1] === undefined ? 1 : (NUMBER_WORDS[match[1]] ?? Number(match[1]));
    if (count > 0)
      return { ms: count * UNIT_MS[match[2]], text: `in the last ${count === 1 ? match[2] : `${count} ${match[2]}s`}` };
  }
  const current = /\bthis\s+(week|month)\b/.exec(lower);
  if (current)
    return current[1] === 'week'
      ? { ms: UNIT_MS.week, text: 'in the last 7 days' }
      : { ms: UNIT_MS.month, text: 'in the last 30 days' };
  if (/\b(?:since\s+yesterday)\b/.test(lower)) return { ms: 2 * UNIT_MS.day, text: 'in the last 48 hours' };
  if (/\b(?:today|recently|(?:in\s+the\s+)?last\s+day)\b/.test(lower))
    return { ms: UNIT_MS.day, text: 'in the last 24 hours' };
  return undefined;
}

/** Words that never describe a resource: grammar, verbs, states, environments, time and scope words. */
const NOT_DESCRIPTORS = new Set(
  [
    'a an the this that these those it its single them they their there here of in on at to for from by with without and or but not no nor any anything all every each both some only just also too very really please now then again actually instead still even',
    'i me my mine we us our you your he she him her his is are was were be been being am do does did done have has had having can could should would will shall may might must',
    'what whats which who whom whose where when why how many much count number list show find give tell get see display look looking search let',
    'start started starting stop stopped stopping reboot restart bounce terminate kill destroy nuke shut down halt power off on turn resume release delete remove drop boot',
    'running pending terminated available attached detached unattached associated unassociated online offline in-use use used using stalled disconnected continuous healthy completed finished sync',
    'created launched made added new newest recent recently last past previous since ago today yesterday minute minutes hour hours day days week weeks month months few',
    'tier tiers layer fleet box boxes node nodes cluster side',
    'private public default resources resource things thing stuff ones one everything tagged tag tags named called name having environment env region account profile aws',
    'production prod prd staging stage stg preprod pre-production development dev test testing tst qa uat sandbox sbx',
  ]
    .join(' ')
    .split(' '),
);

function descriptorWords(typeText: string): string[] {
  const words = typeText
    .replace(/["'][^"']*["']/g, ' ')
    .split(/[^a-z0-9-]+/)
    .filter(
      (word) =>
        /^[a-z][a-z0-9]*$/.test(word) &&
        word.length >= 2 &&
        word.length <= 40 &&
        !NOT_DESCRIPTORS.has(word) &&
        !REGION_PATTERN.test(word),
    );
  return [...new Set(words)].slice(0, 6);
}

const DESCRIPTOR_SYNONYMS: Record<string, string[]> = {
  db: ['database', 'postgres', 'mysql'],
  database: ['db'],
  databases: ['db'],
  web: ['www', 'frontend'],
  frontend: ['web'],
  app: ['application'],
  application: ['app'],
  apps: ['app', 'application'],
};

/** The words of a resource's name and Role/Tier tags. */
function descriptorTokens(fact: ResourceFact): string[] {
  const roleTags = Object.entries(fact.tags)
    .filter(([key]) => ['role', 'tier'].includes(key.toLowerCase()))
    .map(([, value]) => value);
  return [fact.name, ...roleTags]
    .join(' ')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Whether a descriptor ("app", "servers' role") names this resource: a name or Role/Tier token equals it or starts with it. */
export function describes(word: string, fact: ResourceFact): boolean {
  const tokens = descriptorTokens(fact);
  const candidates = [
    word,
    ...(DESCRIPTOR_SYNONYMS[word] ?? []),
    ...(word.endsWith('s') && word.length > 3 ? [word.slice(0, -1)] : []),
  ];
  return candidates.some((candidate) =>
    tokens.some((token) => token === candidate || (candidate.length >= 3 && token.startsWith(candidate))),
  );
}

/** Splits descriptors into those that name at least one of the facts and those that name none. */
export function splitDescriptors(descriptors: string[], facts: ResourceFact[]): { known: string[]; unknown: string[] } {
  const known = descriptors.filter((word) => facts.some((fact) => describes(word, fact)));
  return { known, unknown: descriptors.filter((word) => !known.includes(word)) };
}

/** The facts every one of the words describes. */
export function filterByDescriptors(words: string[], facts: ResourceFact[]): ResourceFact[] {
  return words.length ? facts.filter((fact) => words.every((word) => describes(word, fact))) : facts;
}

/** When a resource was created or launched, where its API says so (instances: last launch). */
export function creationTimeOf(fact: ResourceFact): Date | undefined {
  const value = fact.extra.launchTime ?? fact.extra.createTime ?? fact.extra.startTime ?? fact.extra.createdAt;
  if (!value) return undefined;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Types whose list operation returns a creation or launch time. */
export const TYPES_WITH_CREATION_TIME: readonly string[] = Object.freeze([
  'ec2:instance',
  'ec2:volume',
  'ec2:snapshot',
  'ec2:image',
  'ec2:launch-template',
  'ec2:key-pair',
  'iam:role',
  'drs:job',
]);

/** The types to list: the asked-for ones, else instances for state questions, else a useful default set. */
export function typesToList(query: ResourceQuery): string[] {
  if (query.types.length) return query.types;
  if (query.states.some((state) => ['stalled', 'disconnected', 'continuous'].includes(state)))
    return ['drs:source-server'];
  if (query.states.some((state) => ['running', 'stopped', 'pending', 'stopping', 'terminated'].includes(state)))
    return ['ec2:instance'];
  if (query.states.includes('available') || query.states.includes('in-use')) return ['ec2:volume'];
  if (query.states.includes('unassociated') || query.states.includes('associated')) return ['ec2:elastic-ip'];
  if (query.createdWithin)
    return ['ec2:instance', 'ec2:volume', 'ec2:snapshot', 'ec2:image', 'ec2:launch-template', 'ec2:key-pair'];
  if (query.tags.length)
    return [
      'ec2:instance',
      'ec2:volume',
      'ec2:snapshot',
      'ec2:elastic-ip',
      'ec2:security-group',
      'ec2:vpc',
      'ec2:subnet',
      'ec2:image',
      'ec2:launch-template',
      'ec2:key-pair',
    ];
  return ['ec2:instance', 'ec2:volume', 'ec2:elastic-ip', 'ec2:security-group', 'ec2:vpc'];
}

/** Words in the text that name resources (contain a digit, dash or underscore and equal a resource's name). */
function mentionedNames(query: ResourceQuery, facts: ResourceFact[]): string[] {
  const tokens = new Set(
    query.text
      .toLowerCase()
      .split(/[\s,;?!()]+/)
      .map((token) => token.replace(/^['"]|['".]$/g, ''))
      .filter((token) => /[\d_-]/.test(token)),
  );
  return [...new Set(facts.filter((fact) => tokens.has(fact.name.toLowerCase())).map((fact) => fact.name))];
}

/** The facts that match the query. States only filter types that have them. */
export function matchFacts(query: ResourceQuery, facts: ResourceFact[], activeEnvironment?: string): ResourceFact[] {
  const names = query.names.length ? query.names : mentionedNames(query, facts);
  const environments = query.environments.length ? query.environments : activeEnvironment ? [activeEnvironment] : [];
  return facts.filter((fact) => {
    if (query.ids.length && !query.ids.includes(fact.id)) return false;
    if (names.length && !names.some((name) => name.toLowerCase() === fact.name.toLowerCase() || name === fact.id))
      return false;
    if (environments.length && !environments.some((env) => sameEnvironment(env, fact.environment))) return false;
    if (query.states.length && fact.state !== undefined && !query.states.includes(fact.state.toLowerCase()))
      return false;
    for (const tag of query.tags) {
      const key = Object.keys(fact.tags).find((candidate) => candidate.toLowerCase() === tag.key.toLowerCase());
      if (key === undefined) return false;
      if (tag.value !== undefined && fact.tags[key].toLowerCase() !== tag.value.toLowerCase()) return false;
    }
    return true;
  });
}

/** A one-line description of what was asked, for answer headings. */
export function describeQuery(query: ResourceQuery, types: string[], activeEnvironment?: string): string {
  const titles = types.map((type) => RESOURCE_KINDS.find((kind) => kind.type === type)?.title ?? type);
  const parts = [titles.join(', ')];
  if (query.states.length) parts.push(`state ${query.states.join(' or ')}`);
  const environments = query.environments.length
    ? query.environments
    : activeEnvironment
      ? [`${activeEnvironment} (active)`]
      : [];
  if (environments.length) parts.push(`environment ${environments.join(' or ')}`);
  if (query.createdWithin) parts.push(`created or launched ${query.createdWithin.text}`);
  if (query.subnetScope) parts.push(`in ${query.subnetScope} subnets`);
  if (query.tags.length)
    parts.push(
      `tags ${query.tags.map((tag) => (tag.value === undefined ? tag.key : `${tag.key}=${tag.value}`)).join(', ')}`,
    );
  if (query.names.length) parts.push(`named ${query.names.join(', ')}`);
  if (query.ids.length) parts.push(query.ids.join(', '));
  return parts.join(' · ');
}
