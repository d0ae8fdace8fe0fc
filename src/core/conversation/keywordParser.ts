/**
 * Understands free text without a language model: a keyword parser that maps a message to an intent.
 * It never fails: anything it does not understand becomes a `help` intent with suggestions.
 */
import { resourceIdsIn } from '../insights/facts';
import { parseResourceQuery, type ResourceQuery } from './resourceQuery';
import { parseContainerRequest, type ContainerRequest } from '../containers/chatIntent';

export type ActionVerb = 'start' | 'stop' | 'reboot' | 'terminate' | 'delete' | 'release';

/** What an action is aimed at. */
export type TargetRef =
  | { kind: 'id'; id: string }
  | { kind: 'name'; name: string }
  /** "it", "them", "that one", "those": resolved from the conversation; "it in staging" keeps only those in staging. */
  | { kind: 'pronoun'; word: string; plural: boolean; environments?: string[] }
  /** "every instance", "all volumes in staging". */
  | { kind: 'all'; query: ResourceQuery }
  /** "the app server": resources whose name or Role/Tier tag says every one of `query.descriptors`. */
  | { kind: 'described'; query: ResourceQuery; plural: boolean };

export type ContextCommand =
  { kind: 'show' } | { kind: 'switch'; region?: string; profile?: string; environment?: string | null };

export type Intent =
  | { kind: 'action'; verb: ActionVerb; targets: TargetRef[]; text: string }
  | { kind: 'resources'; query: ResourceQuery }
  | { kind: 'security'; scope: Array<'iam' | 'network'> }
  /** Cost and waste questions; `types` and `environments` narrow the findings. */
  | { kind: 'unused'; types: string[]; environments: string[] }
  /** "in staging only", "only production": narrows the previous answer's resources. */
  | { kind: 'narrow'; environments: string[]; text: string }
  | { kind: 'context'; command: ContextCommand }
  | { kind: 'wizard'; wizard: 'vpc' }
  /** A request to run a drill, a recovery or a failback: plans do that, not chat. */
  | { kind: 'disaster-recovery'; text: string }
  /** ECS/EKS requests: scale, deploy an image, roll back, logs (see containers/chatIntent). */
  | { kind: 'containers'; request: ContainerRequest }
  | { kind: 'help'; text: string };

const VERBS: Array<[RegExp, ActionVerb]> = [
  [/\b(terminate|kill|destroy|nuke)\b/, 'terminate'],
  [/\b(reboot|restart|bounce)\b/, 'reboot'],
  [/\b(stop|shut\s*down|halt|power\s*off|turn\s*off)\b/, 'stop'],
  [/\b(start|boot|power\s*on|turn\s*on|resume)\b/, 'start'],
  [/\b(release)\b/, 'release'],
  [/\b(delete|remove|drop)\b/, 'delete'],
];

const PRONOUNS = /\b(it|them|that|those|this|these|that one|this one)\b/;
const PLURAL_PRONOUNS = new Set(['them', 'those', 'these']);
const DETERMINERS = new Set(['this', 'that', 'these', 'those']);
const EVERYTHING = /\b(every|all|each)\b/;
const PLURAL_TARGET = /\b(servers|instances|vms|machines|hosts|nodes|boxes|both|ones)\b/;
/** Cost and waste words: what runs the unused-resources analysis. */
const COST_WORDS =
  /\b(unused|idle|orphan(ed|s)?|wast(e|ed|es|ing|eful)|unattached|unassociated|dangling|clean\s*up|cleanup|save money|saving money|savings?|costs?|costing|paying|pay for|spend(ing)?|bill(ing)?|expensive|money)\b|\bnot (being )?us(ed|ing)\b|\bnot in use\b|\bnever used\b|\bno longer (used|needed)\b/;
/** "in staging only", "only production", "just the staging ones". */
const NARROWING = /\b(only|just)\b/;

/** Asking to run a drill, a recovery or a failback (but not asking which ones ran). */
const MENTIONS_DR_RUN = /\b(drills?|recover|recovery|failover|fail[\s-]over|failback|fail[\s-]back|disaster)\b/;
const RUN_VERB =
  /\b(start|run|launch|begin|kick\s*off|trigger|perform|execute|recover|fail[\s-]?over|fail[\s-]?back)\b/;
const ASKS_FOR_A_LIST = /^(what|which|where|is|are|did|has|have|list|show|find|count)\b/;
/** Questions ("how do I stop…", "can I terminate…") and negations are not commands. */
const NOT_A_COMMAND = /^(how|why|what|when|can|could|should|would|is|are|do|does)\b|\b(don't|do not|never|without)\b/;

const REGION = /\b([a-z]{2}(?:-gov)?-[a-z]+-\d)\b/;

/** Parses /context arguments or a free-text request to switch context. */
export function parseContextCommand(text: string): ContextCommand {
  const lower = text.trim().toLowerCase();
  if (!lower || /^(show|status|current|where|which|what)\b/.test(lower)) return { kind: 'show' };
  const command: ContextCommand = { kind: 'switch' };
  const region = REGION.exec(lower);
  if (region) command.region = region[1];
  const profile = /\bprofile\s*[:=]?\s*([\w.@+-]+)/.exec(text);
  if (profile) command.profile = profile[1];
  const account = /\baccount\s*[:=]?\s*([\w.@+-]+)/.exec(text);
  if (account && !command.profile) command.profile = account[1];
  const environment = /\b(?:environment|env)\s*[:=]?\s*([\w-]+)/i.exec(text);
  if (environment)
    command.environment = ['all', 'none', 'clear', 'any', 'off', 'reset'].includes(environment[1].toLowerCase())
      ? null
      : environment[1];
  return command.region || command.profile || command.environment !== undefined ? command : { kind: 'show' };
}

function actionTargets(text: string, lower: string): TargetRef[] {
  const targets: TargetRef[] = resourceIdsIn(text).map((id) => ({ kind: 'id', id }));
  const query = parseResourceQuery(text);
  for (const name of query.names) targets.push({ kind: 'name', name });
  // Bare tokens that look like resource names (web-1, db_primary) and are not IDs or tag conditions.
  if (!targets.length) {
    for (const token of text.split(/[\s,;?!()]+/).map((token) => token.replace(/^['"]|['".]$/g, ''))) {
      if (
        /^[A-Za-z][\w.-]*[\d_-][\w.-]*$/.test(token) &&
        !resourceIdsIn(token).length &&
        !token.includes('=') &&
        !/^[a-z]{2}-[a-z]+-\d$/.test(token)
      )
        targets.push({ kind: 'name', name: token });
    }
  }
  const pronoun = PRONOUNS.exec(lower);
  // "that app server": a determiner before a description, not a reference to the last answer.
  const determiner = pronoun && DETERMINERS.has(pronoun[1]) && query.descriptors.length > 0;
  if (!targets.length && pronoun && !determiner)
    targets.push({
      kind: 'pronoun',
      word: pronoun[1],
      plural: PLURAL_PRONOUNS.has(pronoun[1]),
      ...(query.environments.length ? { environments: query.environments } : {}),
    });
  // "every app server": the descriptors must match too, so they come before "every".
  if (!targets.length && query.descriptors.length)
    targets.push({ kind: 'described', query, plural: PLURAL_TARGET.test(lower) || EVERYTHING.test(lower) });
  if (!targets.length && EVERYTHING.test(lower)) targets.push({ kind: 'all', query });
  return targets;
}

/** Maps free text to an intent. */
export function parseIntent(input: string): Intent {
  const text = input.trim();
  const lower = text.toLowerCase().replace(/[’‘]/g, "'");
  if (!text) return { kind: 'help', text };

  if (/\b(create|new|build|set\s*up|make)\b.*\bvpc\b|\bvpc\s+wizard\b/.test(lower))
    return { kind: 'wizard', wizard: 'vpc' };
  if (
    /\b(switch|change|use|set)\b.*\b(region|profile|account|environment|env)\b|^(switch|use)\s+(to\s+)?[a-z]{2}-[a-z]+-\d\b|\b(which|what|current)\s+(account|region|profile|environment|context)\b|\bwhere am i\b/.test(
      lower,
    )
  ) {
    return {
      kind: 'context',
      command: parseContextCommand(
        lower.replace(/^(switch|change|use|set)\s+(to\s+)?/, '').replace(/\b(the|to)\b/g, ' '),
      ),
    };
  }
  const containerRequest = parseContainerRequest(text);
  if (containerRequest) return { kind: 'containers', request: containerRequest };
  if (COST_WORDS.test(lower)) return { kind: 'unused', ...unusedScope(text) };
  // "security groups" alone is a resource type ("security groups created today"), not a security question.
  if (
    /\b(security(?!\s+groups?\b)|open to (the )?(internet|world)|secure|insecure|vulnerab\w*|exposed|exposure|open ports?|too broad|overly permissive|permissive|wildcards?|least privilege|passrole|trust polic\w*|0\.0\.0\.0\/0|::\/0)\b|\b(iam|policy|policies)\b.*\b(broad|risky|dangerous|admin)\b/.test(
      lower,
    )
  ) {
    const scope: Array<'iam' | 'network'> =
      /\b(port|ports|security groups?|sg|network|0\.0\.0\.0|ingress)\b/.test(lower) &&
      !/\b(iam|polic|role|passrole|trust)\w*/.test(lower)
        ? ['network']
        : /\b(iam|polic\w*|roles?|passrole|trust)\b/.test(lower) && !/\b(port|security groups?|network)\b/.test(lower)
          ? ['iam']
          : ['iam', 'network'];
    return { kind: 'security', scope };
  }
  // "start a drill for web-1" must never become "start the instance web-1".
  if (MENTIONS_DR_RUN.test(lower) && RUN_VERB.test(lower) && !ASKS_FOR_A_LIST.test(lower))
    return { kind: 'disaster-recovery', text };
  if (!NOT_A_COMMAND.test(lower)) {
    const verb = VERBS.find(([pattern]) => pattern.test(lower))?.[1];
    if (verb) {
      const targets = actionTargets(text, lower);
      if (targets.length) return { kind: 'action', verb, targets, text };
    }
  }
  const query = parseResourceQuery(text);
  if (
    NARROWING.test(lower) &&
    query.environments.length &&
    !query.types.length &&
    !query.ids.length &&
    !query.names.length &&
    !query.tags.length &&
    !query.states.length &&
    !query.descriptors.length
  ) {
    return { kind: 'narrow', environments: query.environments, text };
  }
  const asksForResources =
    query.types.length > 0 ||
    query.states.length > 0 ||
    query.ids.length > 0 ||
    query.tags.length > 0 ||
    query.environments.length > 0 ||
    /\b(list|show|what|which|find|how many|count|where|inventory|resources?)\b/.test(lower);
  if (asksForResources) return { kind: 'resources', query };
  return { kind: 'help', text };
}

/** The types and environments a cost question names ("unused security groups in staging"). */
export function unusedScope(text: string): { types: string[]; environments: string[] } {
  const query = parseResourceQuery(text);
  return { types: query.types, environments: query.environments };
}

/** The registry operation for a verb and a resource type, if Pilot Light has one. */
export function operationFor(
  verb: ActionVerb,
  type: string,
): { operationId: string; input: (ids: string[]) => Record<string, unknown>; perResource: boolean } | undefined {
  switch (type) {
    case 'ec2:instance':
      if (verb === 'start' || verb === 'stop' || verb === 'reboot')
        return { operationId: `ec2.instances.${verb}`, input: (ids) => ({ instanceIds: ids }), perResource: false };
      if (verb === 'terminate' || verb === 'delete')
        return { operationId: 'ec2.instances.terminate', input: (ids) => ({ instanceIds: ids }), perResource: false };
      return undefined;
    case 'ec2:volume':
      return verb === 'delete'
        ? { operationId: 'ec2.volumes.delete', input: ([id]) => ({ volumeId: id }), perResource: true }
        : undefined;
    case 'ec2:snapshot':
      return verb === 'delete'
        ? { operationId: 'ec2.snapshots.delete', input: ([id]) => ({ snapshotId: id }), perResource: true }
        : undefined;
    case 'ec2:security-group':
      return verb === 'delete'
        ? { operationId: 'ec2.securityGroups.delete', input: ([id]) => ({ groupId: id }), perResource: true }
        : undefined;
    case 'ec2:elastic-ip':
      return verb === 'release' || verb === 'delete'
        ? { operationId: 'ec2.addresses.release', input: ([id]) => ({ allocationId: id }), perResource: true }
        : undefined;
    case 'ec2:vpc':
      return verb === 'delete'
        ? { operationId: 'ec2.vpcs.delete', input: ([id]) => ({ vpcId: id }), perResource: true }
        : undefined;
    default:
      return undefined;
  }
}
