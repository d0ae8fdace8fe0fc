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
  return new RegExp(`(^|[^a-z0-9-])${phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+')}(?=$|[^a-z0-9-])`, 'i');
}

const PHRASES_LONGEST_FIRST = RESOURCE_KINDS.flatMap((kind) => kind.words.map((word) => ({ kind, word }))).sort((a, b) => b.word.length - a.word.length);

/** Parses a query; unknown words are ignored rather than rejected. */
export function parseResourceQuery(input: string): ResourceQuery {
  const text = input.trim();
  const lower = ` ${text.toLowerCase()} `;
  const query: ResourceQuery = { types: [], states: [], environments: [], tags: [], ids: resourceIdsIn(text), names: [], text };

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
    if (!['with', 'and', 'in', 'the', 'named', 'called', 'as', 'by', 'for', 'of'].includes(match[1])) query.tags.push({ key: match[1] });
  }
  for (const match of text.matchAll(/\b(?:named|called|name)\s+("[^"]+"|'[^']+'|[^\s,;?]+)/gi)) query.names.push(match[1].replace(/^["']|["']$/g, ''));
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
  query.types.sort((a, b) => RESOURCE_KINDS.findIndex((kind) => kind.type === a) - RESOURCE_KINDS.findIndex((kind) => kind.type === b));
  for (const id of query.ids) {
    const type = typeOfId(id);
    if (type && !query.types.includes(type) && RESOURCE_KINDS.some((kind) => kind.type === type)) query.types.push(type);
  }

  for (const [pattern, states] of STATE_WORDS) if (pattern.test(rest) && !(states[0] === 'associated' && /\bunassociated\b/.test(rest)) && !(states[0] === 'in-use' && /\b(unattached|detached)\b/.test(rest))) query.states.push(...states);
  query.states = [...new Set(query.states)];

  for (const match of rest.matchAll(/\b(?:in|for|from|of)\s+(?:the\s+)?([a-z][\w-]*)\s+(?:environment|env)\b/g)) query.environments.push(match[1]);
  for (const match of rest.matchAll(/\b(?:environment|env)\s*[:=]?\s+([a-z][\w-]*)\b/g)) if (!['is', 'the', 'of', 'in'].includes(match[1])) query.environments.push(match[1]);
  for (const word of rest.split(/[^a-z0-9-]+/)) if (KNOWN_ENVIRONMENT_WORDS.has(word)) query.environments.push(word);
  query.environments = [...new Map(query.environments.map((env) => [normalizeEnvironment(env), env])).values()];
  return query;
}

/** The types to list: the asked-for ones, else instances for state questions, else a useful default set. */
export function typesToList(query: ResourceQuery): string[] {
  if (query.types.length) return query.types;
  if (query.states.some((state) => ['stalled', 'disconnected', 'continuous'].includes(state))) return ['drs:source-server'];
  if (query.states.some((state) => ['running', 'stopped', 'pending', 'stopping', 'terminated'].includes(state))) return ['ec2:instance'];
  if (query.states.includes('available') || query.states.includes('in-use')) return ['ec2:volume'];
  if (query.states.includes('unassociated') || query.states.includes('associated')) return ['ec2:elastic-ip'];
  return ['ec2:instance', 'ec2:volume', 'ec2:elastic-ip', 'ec2:security-group', 'ec2:vpc'];
}

/** Words in the text that name resources (contain a digit, dash or underscore and equal a resource's name). */
function mentionedNames(query: ResourceQuery, facts: ResourceFact[]): string[] {
  const tokens = new Set(query.text.toLowerCase().split(/[\s,;?!()]+/).map((token) => token.replace(/^['"]|['".]$/g, '')).filter((token) => /[\d_-]/.test(token)));
  return [...new Set(facts.filter((fact) => tokens.has(fact.name.toLowerCase())).map((fact) => fact.name))];
}

/** The facts that match the query. States only filter types that have them. */
export function matchFacts(query: ResourceQuery, facts: ResourceFact[], activeEnvironment?: string): ResourceFact[] {
  const names = query.names.length ? query.names : mentionedNames(query, facts);
  const environments = query.environments.length ? query.environments : activeEnvironment ? [activeEnvironment] : [];
  return facts.filter((fact) => {
    if (query.ids.length && !query.ids.includes(fact.id)) return false;
    if (names.length && !names.some((name) => name.toLowerCase() === fact.name.toLowerCase() || name === fact.id)) return false;
    if (environments.length && !environments.some((env) => sameEnvironment(env, fact.environment))) return false;
    if (query.states.length && fact.state !== undefined && !query.states.includes(fact.state.toLowerCase())) return false;
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
  const environments = query.environments.length ? query.environments : activeEnvironment ? [`${activeEnvironment} (active)`] : [];
  if (environments.length) parts.push(`environment ${environments.join(' or ')}`);
  if (query.tags.length) parts.push(`tags ${query.tags.map((tag) => (tag.value === undefined ? tag.key : `${tag.key}=${tag.value}`)).join(', ')}`);
  if (query.names.length) parts.push(`named ${query.names.join(', ')}`);
  if (query.ids.length) parts.push(query.ids.join(', '));
  return parts.join(' · ');
}
