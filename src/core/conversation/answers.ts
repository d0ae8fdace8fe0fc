/**
 * Deterministic answers for the @aws participant: slash commands and keyword-parsed free text. They read AWS
 * only through registry read operations and propose changes only as dry-runs with actions the user must
 * click; nothing here changes AWS.
 */
import {
  kindOf,
  refOf,
  typeOfId,
  type EnvironmentResolver,
  type ResourceFact,
  type ResourceRef,
} from '../insights/facts';
import { readAll, readFacts, type ReadOperation } from '../insights/reads';
import { collectSecurityFindings } from '../insights/security';
import { PRICE_TABLE, priceTableNote } from '../insights/prices';
import { collectUnused, UNUSED_TYPES, type UnusedReport } from '../insights/unused';
import { collectUnusedSecurityGroups } from '../insights/unusedSecurityGroups';
import { isPublicSubnet } from '../resources/vpc';
import { operationFor, parseIntent, type ActionVerb, type Intent, type TargetRef } from './keywordParser';
import { escapeMarkdown, inlineCode, plural } from './markdown';
import { HELP_MARKDOWN, renderFacts, renderPreview, renderSecurityReport, renderUnusedReport } from './render';
import {
  creationTimeOf,
  describeQuery,
  filterByDescriptors,
  matchFacts,
  parseResourceQuery,
  sameEnvironment,
  splitDescriptors,
  typesToList,
  TYPES_WITH_CREATION_TIME,
  type ResourceQuery,
} from './resourceQuery';
import { refKey, type ConversationSession } from './session';
import { answerContainers } from '../containers/chat';
import {
  describeWizardState,
  isComplete,
  nextWizardStep,
  parseWizardArgs,
  serializeWizardState,
  toCreateVpcInput,
} from './vpcWizard';
import type { ChatAction, ChatFollowup } from './chatAction';

export type { ChatAction, ChatFollowup } from './chatAction';

export interface ChatAnswer {
  markdown: string;
  /** Resources shown or proposed for change; they become anchors and the conversation's memory. */
  touched: ResourceRef[];
  actions: ChatAction[];
  followups: ChatFollowup[];
  /** A new environment focus, set only by /context (null clears it). */
  environment?: string | null;
}

export interface DryRunResult {
  status: 'dry-run' | 'refused' | 'failed';
  correlationId?: string;
  verdict?: 'allowed' | 'needs-confirmation' | 'needs-approval' | 'refused';
  /** formatPreview text, or the refusal/error message. */
  text: string;
  /** Set when the change is not in the chat's active account (crossAccountNote); shown in bold. */
  crossAccount?: string;
}

export interface AnswerContext {
  read: ReadOperation;
  /** `where.account`: run in that account of the organization (its member runner), not the active one. */
  dryRun(operationId: string, input: Record<string, unknown>, where?: { account?: string }): Promise<DryRunResult>;
  region: string;
  /** The chat's active account (12 digits), when its identity could be read. */
  activeAccount?: string;
  resolveEnvironment: EnvironmentResolver;
  session: ConversationSession;
  /** The conversation's environment focus, applied when a query names none. */
  environment?: string;
  now?: Date;
  stoppedDays?: number;
  /** Prices fetched from the AWS Price List; /unused prices with them where cached, labelled. */
  priceCache?: import('../cost/priceCache').PriceCache;
}

function answer(markdown: string, extra: Partial<ChatAnswer> = {}): ChatAnswer {
  return { markdown, touched: [], actions: [], followups: [], ...extra };
}

async function loadFacts(
  ctx: AnswerContext,
  types: string[],
  query?: ResourceQuery,
): Promise<{ facts: ResourceFact[]; truncated: boolean; errors: string[] }> {
  const facts: ResourceFact[] = [];
  const errors: string[] = [];
  let truncated = false;
  await Promise.all(
    types.map(async (type) => {
      try {
        const input =
          type === 'ec2:instance' && query?.ids.length ? { ids: query.ids.filter((id) => id.startsWith('i-')) } : {};
        const result = await readFacts(ctx.read, type, ctx.region, ctx.resolveEnvironment, input);
        facts.push(...result.facts);
        truncated ||= result.truncated;
      } catch (error) {
        errors.push(`${kindOf(type)?.title ?? type}: ${(error as Error).message}`);
      }
    }),
  );
  const order = new Map(types.map((type, index) => [type, index]));
  facts.sort((a, b) => order.get(a.type)! - order.get(b.type)! || a.name.localeCompare(b.name));
  return { facts, truncated, errors };
}

function errorLines(errors: string[]): string {
  return errors.length
    ? `\n\nCould not read everything:\n${errors.map((error) => `- ${escapeMarkdown(error, 300)}`).join('\n')}`
    : '';
}

function titleOf(type: string): string {
  return kindOf(type)?.title ?? type;
}

/** Which subnets are public: a route to an internet gateway in their route table (explicit, else the VPC's main one). */
async function subnetVisibility(ctx: AnswerContext): Promise<{ publicIds: Set<string>; privateIds: Set<string> }> {
  const [subnets, routeTables] = await Promise.all([
    readAll(ctx.read, 'ec2.subnets.list'),
    readAll(ctx.read, 'ec2.routeTables.list'),
  ]);
  if (subnets.truncated || routeTables.truncated)
    throw new Error('more than 1000 subnets or route tables; narrow the region first');
  const publicIds = new Set<string>();
  const privateIds = new Set<string>();
  for (const subnet of subnets.items as Array<{ SubnetId?: string; VpcId?: string }>) {
    if (!subnet.SubnetId) continue;
    (isPublicSubnet(subnet, routeTables.items as never[]) ? publicIds : privateIds).add(subnet.SubnetId);
  }
  return { publicIds, privateIds };
}

/** Keeps the facts created in the query's time window and in its kind of subnet; throws when the subnets cannot be judged. */
async function filterByTimeAndSubnet(
  ctx: AnswerContext,
  query: ResourceQuery,
  facts: ResourceFact[],
): Promise<ResourceFact[]> {
  let kept = facts;
  if (query.createdWithin) {
    const since = (ctx.now ?? new Date()).getTime() - query.createdWithin.ms;
    kept = kept.filter((fact) => (creationTimeOf(fact)?.getTime() ?? -Infinity) >= since);
  }
  if (query.subnetScope && kept.length) {
    const scope = query.subnetScope;
    const visibility = await subnetVisibility(ctx).catch((error: Error) => {
      throw new Error(`Could not tell which subnets are ${scope}: ${error.message}`);
    });
    const wanted = scope === 'private' ? visibility.privateIds : visibility.publicIds;
    kept = kept.filter((fact) => wanted.has(fact.type === 'ec2:subnet' ? fact.id : String(fact.extra.subnetId ?? '')));
  }
  return kept;
}

/** /resources and resource questions in free text. */
export async function answerResources(ctx: AnswerContext, text: string, parsed?: ResourceQuery): Promise<ChatAnswer> {
  const query = parsed ?? parseResourceQuery(text);
  if (query.region && query.region !== ctx.region) {
    return answer(
      `You asked about ${inlineCode(query.region)}, but the current region is ${inlineCode(ctx.region)}. Switch first with \`/context region ${query.region}\`.`,
      {
        followups: [{ label: `Switch to ${query.region}`, prompt: `region ${query.region}`, command: 'context' }],
      },
    );
  }
  const notes: string[] = [];
  let types = typesToList(query);
  if (query.createdWithin) {
    const timeless = types.filter((type) => !TYPES_WITH_CREATION_TIME.includes(type));
    types = types.filter((type) => TYPES_WITH_CREATION_TIME.includes(type));
    const missing = timeless.length
      ? timeless
      : query.types.length
        ? []
        : ['ec2:elastic-ip', 'ec2:security-group', 'ec2:vpc', 'ec2:subnet'];
    if (missing.length)
      notes.push(
        `${missing.map(titleOf).join(', ')}: the AWS API gives no creation time, so I cannot tell which are new; they are not included.`,
      );
    if (types.includes('ec2:instance'))
      notes.push(
        'Instances count by their LaunchTime, which is the last start: an instance stopped and started again counts as new.',
      );
    if (!types.length) return answer(`Nothing to list. ${notes.join(' ')}`);
  }
  if (query.subnetScope) {
    const withSubnet: string[] = types.filter((type) => type === 'ec2:instance' || type === 'ec2:subnet');
    if (withSubnet.length < types.length && query.types.length)
      notes.push(
        `Only instances and subnets have a subnet; ${types
          .filter((type) => !withSubnet.includes(type))
          .map(titleOf)
          .join(', ')} are not included.`,
      );
    types = withSubnet.length ? withSubnet : ['ec2:instance'];
  }
  const environment = query.environments.length ? undefined : ctx.environment;
  const { facts, truncated, errors } = await loadFacts(ctx, types, query);
  let matches = matchFacts(query, facts, environment);
  let heading = describeQuery(query, types, environment);
  if (!query.names.length && !query.ids.length && query.descriptors.length) {
    const { known } = splitDescriptors(query.descriptors, facts);
    if (known.length) {
      matches = filterByDescriptors(known, matches);
      heading += ` · name or Role/Tier tag says ${known.join(' and ')}`;
    }
  }
  if (query.subnetScope)
    notes.push(
      `A subnet is ${query.subnetScope} when its route table (its own, else the VPC's main one) ${query.subnetScope === 'private' ? 'has no' : 'has a'} default route to an internet gateway.`,
    );
  try {
    matches = await filterByTimeAndSubnet(ctx, query, matches);
  } catch (error) {
    matches = [];
    errors.push((error as Error).message);
  }
  heading = `${heading} in ${ctx.region}`;
  const touched = matches.slice(0, 50).map(refOf);
  const actions: ChatAction[] = touched.slice(0, 3).map((resource) => ({ kind: 'show-in-explorer', resource }));
  const followups: ChatFollowup[] = [];
  const instances = matches.filter((fact) => fact.type === 'ec2:instance');
  if (instances.length && instances.every((fact) => fact.state === 'running'))
    followups.push({
      label: instances.length === 1 ? `Stop ${instances[0].name}` : 'Stop them (dry-run first)',
      prompt: instances.length === 1 ? `stop ${instances[0].id}` : 'stop them',
    });
  followups.push(
    { label: 'Find security issues', prompt: '', command: 'security' },
    { label: 'Find unused resources', prompt: '', command: 'unused' },
  );
  const noteText = notes.length ? `\n\n${notes.map((note) => `_${escapeMarkdown(note, 400)}_`).join('\n\n')}` : '';
  return answer(renderFacts(matches, { heading, truncated }) + noteText + errorLines(errors), {
    touched,
    actions,
    followups,
  });
}

export async function answerSecurity(
  ctx: AnswerContext,
  scope: Array<'iam' | 'network'> = ['iam', 'network'],
): Promise<ChatAnswer> {
  const report = await collectSecurityFindings(ctx.read, {
    region: ctx.region,
    resolveEnvironment: ctx.resolveEnvironment,
    include: scope,
  });
  const touched = report.findings.slice(0, 50).map((finding) => ({
    type: finding.resource.type,
    id: finding.resource.id,
    name: finding.resource.name,
    region: finding.resource.region,
    environment: finding.resource.environment,
  }));
  const groups = [
    ...new Map(touched.filter((ref) => ref.type === 'ec2:security-group').map((ref) => [ref.id, ref])).values(),
  ];
  return answer(renderSecurityReport(report), {
    touched,
    actions: groups.slice(0, 3).map((resource) => ({ kind: 'show-in-explorer', resource })),
    followups: [{ label: 'Find unused resources', prompt: '', command: 'unused' }],
  });
}

const SECURITY_GROUP = 'ec2:security-group';

/** /unused and cost questions; `scope` keeps only the types and environments asked for. Security groups are judged only when asked for (they cost nothing). */
export async function answerUnused(
  ctx: AnswerContext,
  scope: { types?: string[]; environments?: string[] } = {},
): Promise<ChatAnswer> {
  const types = scope.types ?? [];
  const environments = scope.environments ?? [];
  const judged = [...UNUSED_TYPES, SECURITY_GROUP];
  const uncovered = types.filter((type) => !judged.includes(type));
  const covered = types.filter((type) => judged.includes(type));
  const coverage = `The unused-resources analysis covers ${judged.map(titleOf).join(', ')}.`;
  if (types.length && !covered.length) {
    return answer(`Not supported yet: finding unused ${uncovered.map(titleOf).join(', ')}. ${coverage}`, {
      followups: [{ label: 'Find unused resources', prompt: '', command: 'unused' }],
    });
  }
  const onlyGroups = covered.length > 0 && covered.every((type) => type === SECURITY_GROUP);
  const costed = onlyGroups
    ? undefined
    : await collectUnused(ctx.read, {
        region: ctx.region,
        resolveEnvironment: ctx.resolveEnvironment,
        now: ctx.now,
        stoppedDays: ctx.stoppedDays,
        ...(ctx.priceCache
          ? { prices: await (await import('../cost/priceBook')).priceBookFrom(ctx.priceCache, ctx.region) }
          : {}),
      });
  const groups = covered.includes(SECURITY_GROUP)
    ? await collectUnusedSecurityGroups(ctx.read, { region: ctx.region, resolveEnvironment: ctx.resolveEnvironment })
    : undefined;
  const all = [...(costed?.findings ?? []), ...(groups?.findings ?? [])];
  const findings = all.filter(
    (finding) =>
      (!covered.length || covered.includes(finding.resource.type)) &&
      (!environments.length ||
        environments.some(
          (env) => finding.resource.environment !== undefined && sameEnvironment(env, finding.resource.environment),
        )),
  );
  const report: UnusedReport = {
    findings,
    totalMonthlyUsd: Math.round(findings.reduce((sum, finding) => sum + finding.monthlyUsd, 0) * 100) / 100,
    priceTable: costed?.priceTable ?? {
      asOf: PRICE_TABLE.asOf,
      region: PRICE_TABLE.region,
      currency: PRICE_TABLE.currency,
      note: priceTableNote(),
    },
    stoppedDays: costed?.stoppedDays ?? ctx.stoppedDays ?? 14,
    checked: costed?.checked ?? { instances: 0, volumes: 0, addresses: 0, snapshots: 0, images: 0 },
    errors: [...(costed?.errors ?? []), ...(groups?.errors ?? [])],
    complete: (costed?.complete ?? true) && !groups?.errors.length,
    truncated: costed?.truncated ?? [],
    notChecked: [
      ...(costed?.notChecked ?? []),
      ...(groups?.errors.length
        ? [{ category: 'unused-security-group' as const, reason: groups.errors.join('; ') }]
        : []),
    ],
  };
  const actions: ChatAction[] = findings
    .filter((finding) => finding.cleanup)
    .slice(0, 3)
    .map((finding) => ({
      kind: 'dry-run',
      title: `Dry-run: ${finding.cleanup!.operationId.split('.').pop()} ${finding.resource.name ?? finding.resource.id}`,
      operationId: finding.cleanup!.operationId,
      input: finding.cleanup!.input,
      region: ctx.region,
    }));
  const limits = [
    covered.length ? `only ${covered.map(titleOf).join(', ')}` : '',
    environments.length ? `only in ${environments.join(' or ')}` : '',
  ].filter(Boolean);
  const intro = limits.length ? `_As asked: ${escapeMarkdown(limits.join(', '), 300)}._\n\n` : '';
  const body =
    onlyGroups && !findings.length && report.errors.length
      ? `**Could not check security groups**, so none is reported unused.${errorLines(report.errors)}`
      : onlyGroups && !findings.length
        ? `**No unused security groups.** Checked ${plural(groups?.checked ?? 0, 'security group')} against network interfaces, other groups' rules and launch templates.${errorLines(report.errors)}`
        : renderUnusedReport(report);
  const outro = uncovered.length
    ? `\n\nNot supported yet: finding unused ${uncovered.map(titleOf).join(', ')}. ${coverage}`
    : '';
  return answer(intro + body + outro, {
    touched: findings.slice(0, 100).map((finding) => finding.resource),
    actions,
    followups: [{ label: 'Find security issues', prompt: '', command: 'security' }],
  });
}

function typeHintFor(verb: ActionVerb): string | undefined {
  if (verb === 'start' || verb === 'stop' || verb === 'reboot' || verb === 'terminate') return 'ec2:instance';
  if (verb === 'release') return 'ec2:elastic-ip';
  return undefined;
}

const VERB_TEXT: Record<ActionVerb, string> = {
  start: 'Start',
  stop: 'Stop',
  reboot: 'Reboot',
  terminate: 'Terminate',
  delete: 'Delete',
  release: 'Release',
};

/** Looks a name up in AWS when the conversation does not know it. */
async function lookUpNames(
  ctx: AnswerContext,
  names: string[],
  typeHint: string | undefined,
): Promise<{ found: ResourceRef[]; missing: string[]; ambiguous: Array<{ name: string; candidates: ResourceRef[] }> }> {
  const types = typeHint
    ? [typeHint]
    : ['ec2:instance', 'ec2:volume', 'ec2:security-group', 'ec2:snapshot', 'ec2:elastic-ip', 'ec2:vpc'];
  const { facts } = await loadFacts(ctx, types);
  const found: ResourceRef[] = [];
  const missing: string[] = [];
  const ambiguous: Array<{ name: string; candidates: ResourceRef[] }> = [];
  for (const name of names) {
    const matches = facts.filter(
      (fact) => fact.name.toLowerCase() === name.toLowerCase() && fact.state !== 'terminated',
    );
    if (matches.length === 1) found.push(refOf(matches[0]));
    else if (matches.length > 1) ambiguous.push({ name, candidates: matches.map(refOf) });
    else missing.push(name);
  }
  return { found, missing, ambiguous };
}

function singular(type: string): string {
  return titleOf(type)
    .replace(/s$/, '')
    .replace(/^(EC2|EBS) /, '')
    .replace(/^(?![A-Z]{2})\w/, (letter) => letter.toLowerCase());
}

/** "in staging only" after an answer: its resources in those environments, or its action on only those. */
export async function answerNarrow(
  ctx: AnswerContext,
  intent: Extract<Intent, { kind: 'narrow' }>,
): Promise<ChatAnswer> {
  const previous = [...ctx.session.turns].reverse().find((turn) => turn.touched.length);
  if (!previous) return answerResources(ctx, intent.text);
  const where = intent.environments.join(' or ');
  const narrowed = previous.touched.filter(
    (ref) => ref.environment !== undefined && intent.environments.some((env) => sameEnvironment(env, ref.environment!)),
  );
  if (!narrowed.length)
    return answer(
      `None of the ${plural(previous.touched.length, 'resource')} of the last answer is in ${escapeMarkdown(where, 80)}. Nothing was changed.`,
    );
  const earlier = previous.command ? undefined : parseIntent(previous.prompt);
  if (earlier?.kind === 'action') {
    return answerAction(ctx, {
      kind: 'action',
      verb: earlier.verb,
      targets: narrowed.map((ref) => ({ kind: 'id', id: ref.id })),
      text: `${earlier.text} (${intent.text})`,
    });
  }
  const types = [...new Set(narrowed.map((ref) => ref.type))].filter((type) => kindOf(type));
  const { facts, truncated, errors } = await loadFacts(ctx, types);
  const ids = new Set(narrowed.map((ref) => ref.id));
  const matches = facts.filter((fact) => ids.has(fact.id));
  return answer(
    renderFacts(matches, { heading: `The last answer's resources in ${where}`, truncated }) + errorLines(errors),
    {
      touched: matches.map(refOf),
      actions: matches.slice(0, 3).map((fact) => ({ kind: 'show-in-explorer', resource: refOf(fact) })),
    },
  );
}

/** "stop web-1", "terminate it": resolves the targets and answers with a dry-run and an approval button. */
export async function answerAction(
  ctx: AnswerContext,
  intent: Extract<Intent, { kind: 'action' }>,
): Promise<ChatAnswer> {
  const typeHint = typeHintFor(intent.verb);
  const resolved: ResourceRef[] = [];
  const problems: string[] = [];
  const followups: ChatFollowup[] = [];
  const names: string[] = [];
  /** Resources a target could mean when it is ambiguous: remembered, so "stop it in staging only" can narrow them. */
  const candidates: ResourceRef[] = [];
  for (const target of intent.targets as TargetRef[]) {
    if (target.kind === 'described') {
      const types = target.query.types.length ? target.query.types : typeHint ? [typeHint] : [];
      const words = target.query.descriptors;
      const what = types.length === 1 ? singular(types[0]) : 'resource';
      if (!types.length) {
        problems.push(
          `Say which kind of resource "${escapeMarkdown(words.join(' '), 80)}" is, e.g. "${intent.verb} the ${escapeMarkdown(words[0], 40)} instance".`,
        );
        continue;
      }
      const { facts, errors } = await loadFacts(ctx, types);
      problems.push(...errors.map((error) => `Could not read ${escapeMarkdown(error, 300)}.`));
      const live = facts.filter((fact) => fact.state !== 'terminated');
      const { unknown } = splitDescriptors(words, live);
      if (unknown.length) {
        problems.push(
          `No ${what} in ${ctx.region} has "${escapeMarkdown(unknown.join(' '), 80)}" in its name or its Role/Tier tag.`,
        );
        continue;
      }
      const environment = target.query.environments.length ? undefined : ctx.environment;
      let matches: ResourceFact[];
      try {
        matches = await filterByTimeAndSubnet(
          ctx,
          target.query,
          filterByDescriptors(words, matchFacts({ ...target.query, descriptors: [] }, live, environment)),
        );
      } catch (error) {
        problems.push(escapeMarkdown((error as Error).message, 300));
        continue;
      }
      const described = `"${escapeMarkdown(words.join(' '), 80)}"${environment ? ` in ${escapeMarkdown(environment, 60)} (active environment)` : target.query.environments.length ? ` in ${escapeMarkdown(target.query.environments.join(' or '), 80)}` : ''}`;
      if (!matches.length) problems.push(`No ${what} matches ${described}.`);
      else if (matches.length === 1 || target.plural) resolved.push(...matches.map(refOf));
      else {
        candidates.push(...matches.map(refOf));
        problems.push(
          `${described} could mean ${matches.map((fact) => `${escapeMarkdown(fact.name)} ${inlineCode(fact.id)} [${escapeMarkdown(fact.environment, 60)}]`).join(', ')}. Which one? Name it, narrow it ("${intent.verb} it in staging only"), or say "${intent.verb} them" for all of them.`,
        );
        followups.push(
          ...matches
            .slice(0, 4)
            .map((fact) => ({ label: `${VERB_TEXT[intent.verb]} ${fact.name}`, prompt: `${intent.verb} ${fact.id}` })),
        );
      }
      continue;
    }
    if (target.kind === 'all') {
      const types = target.query.types.length ? target.query.types : typeHint ? [typeHint] : [];
      if (!types.length) {
        problems.push('Say which kind of resources you mean, e.g. "every stopped instance in staging".');
        continue;
      }
      const { facts } = await loadFacts(ctx, types);
      const matches = matchFacts(
        target.query,
        facts,
        target.query.environments.length ? undefined : ctx.environment,
      ).filter((fact) => fact.state !== 'terminated');
      try {
        resolved.push(...(await filterByTimeAndSubnet(ctx, target.query, matches)).map(refOf));
      } catch (error) {
        problems.push(escapeMarkdown((error as Error).message, 300));
      }
      continue;
    }
    if (target.kind === 'name') {
      const known = ctx.session.resolve(target, typeHint);
      if (known.kind === 'resolved') resolved.push(...known.resources);
      else names.push(target.name);
      continue;
    }
    const resolution = ctx.session.resolve(target, typeHint);
    if (resolution.kind === 'resolved')
      resolved.push(
        ...resolution.resources.map((ref) =>
          ref.type === 'unknown' ? { ...ref, type: typeOfId(ref.id) ?? 'unknown' } : ref,
        ),
      );
    else if (resolution.kind === 'ambiguous') {
      problems.push(
        `${resolution.via} could mean ${resolution.candidates.map((ref) => `${escapeMarkdown(ref.name ?? ref.id)} ${inlineCode(ref.id)}${ref.account ? ` in account ${inlineCode(ref.account)}` : ''}`).join(', ')}. Which one?`,
      );
      followups.push(
        ...resolution.candidates.slice(0, 4).map((ref) => ({
          label: `${VERB_TEXT[intent.verb]} ${ref.name ?? ref.id}`,
          prompt: `${intent.verb} ${ref.id}`,
        })),
      );
    } else problems.push(escapeMarkdown(resolution.reason, 300));
  }
  if (names.length) {
    const lookup = await lookUpNames(ctx, names, typeHint);
    resolved.push(...lookup.found);
    for (const name of lookup.missing)
      problems.push(
        `I found no ${typeHint ? (kindOf(typeHint)?.title.replace(/s$/, '').toLowerCase() ?? 'resource') : 'resource'} named "${escapeMarkdown(name)}" in ${ctx.region}.`,
      );
    for (const { name, candidates } of lookup.ambiguous) {
      problems.push(
        `Several resources are named "${escapeMarkdown(name)}": ${candidates.map((ref) => inlineCode(ref.id)).join(', ')}. Which one?`,
      );
      followups.push(
        ...candidates
          .slice(0, 4)
          .map((ref) => ({ label: `${VERB_TEXT[intent.verb]} ${ref.id}`, prompt: `${intent.verb} ${ref.id}` })),
      );
    }
  }
  let unique = [...new Map(resolved.map((ref) => [refKey(ref), ref])).values()];
  const elsewhere = (ref: ResourceRef) => Boolean(ref.account && ref.account !== ctx.activeAccount);
  const unnamed = [
    ...new Set(unique.filter((ref) => !ref.name && kindOf(ref.type) && !elsewhere(ref)).map((ref) => ref.type)),
  ];
  if (unnamed.length) {
    // IDs typed by the user: show the resources' names and environments too.
    const known = new Map((await loadFacts(ctx, unnamed)).facts.map((fact) => [fact.id, refOf(fact)]));
    unique = unique.map((ref) => (ref.name ? ref : (known.get(ref.id) ?? ref)));
  }
  if (!unique.length) {
    return answer(`Nothing was changed. ${problems.join(' ') || 'I could not tell which resource you mean.'}`, {
      followups,
      touched: candidates,
    });
  }

  // One change runs in one account: the account each resource was found in, never the active one by default.
  const byAccount = new Map<string, ResourceRef[]>();
  for (const ref of unique) {
    const account = elsewhere(ref) ? ref.account! : '';
    byAccount.set(account, [...(byAccount.get(account) ?? []), ref]);
  }
  if (byAccount.size > 1) {
    const groups = [...byAccount].map(
      ([account, refs]) =>
        `${account ? `account ${inlineCode(account)}` : `the active account${ctx.activeAccount ? ` ${inlineCode(ctx.activeAccount)}` : ''}`}: ${refs.map((ref) => `${escapeMarkdown(ref.name ?? ref.id, 60)} ${inlineCode(ref.id)}`).join(', ')}`,
    );
    return answer(
      `**Nothing was changed: these resources are in ${byAccount.size} accounts**, and one change runs in one account. ${groups.join('; ')}. Ask for the resources of one account at a time.${problems.length ? `\n\n${problems.join(' ')}` : ''}`,
      {
        touched: unique,
        followups: [...byAccount].slice(0, 4).map(([account, refs]) => ({
          label: `${VERB_TEXT[intent.verb]} those in ${account || 'the active account'}`,
          prompt: `${intent.verb} ${refs
            .slice(0, 20)
            .map((ref) => ref.id)
            .join(' ')}`,
        })),
      },
    );
  }
  const [targetAccount] = [...byAccount.keys()];
  const where = targetAccount ? { account: targetAccount } : undefined;

  const byType = new Map<string, ResourceRef[]>();
  for (const ref of unique) byType.set(ref.type, [...(byType.get(ref.type) ?? []), ref]);
  const sections: string[] = [];
  const actions: ChatAction[] = [];
  for (const [type, refs] of byType) {
    const operation = operationFor(intent.verb, type);
    if (!operation) {
      sections.push(
        `Not supported yet: ${VERB_TEXT[intent.verb].toLowerCase()} for ${kindOf(type)?.title ?? type} (${refs.map((ref) => inlineCode(ref.id)).join(', ')}).`,
      );
      continue;
    }
    const batches = operation.perResource ? refs.slice(0, 5).map((ref) => [ref]) : [refs];
    for (const batch of batches) {
      const input = operation.input(batch.map((ref) => ref.id));
      const preview = await ctx.dryRun(operation.operationId, input, where);
      const label = `${VERB_TEXT[intent.verb]} ${batch.length === 1 ? (batch[0].name ?? batch[0].id) : plural(batch.length, kindOf(type)?.title.replace(/s$/, '').toLowerCase() ?? 'resource')}`;
      if (preview.status === 'dry-run') {
        sections.push(
          `**Dry-run of "${escapeMarkdown(label, 200)}"**: nothing has changed yet.\n\n${preview.crossAccount ? `**${escapeMarkdown(preview.crossAccount, 300)}**\n\n` : ''}${renderPreview(preview.text)}`,
        );
        if (preview.verdict !== 'refused')
          actions.push({
            kind: 'run',
            title: preview.verdict === 'needs-approval' ? `Approve and run: ${label}` : `Run: ${label}`,
            operationId: operation.operationId,
            input,
            region: ctx.region,
            correlationId: preview.correlationId,
            ...(where ? { account: where.account } : {}),
          });
      } else {
        sections.push(`**${escapeMarkdown(label, 200)}** cannot be previewed: ${escapeMarkdown(preview.text, 600)}`);
      }
    }
  }
  if (problems.length) sections.push(problems.join(' '));
  if (actions.length)
    sections.push(
      'Review the dry-run, then use the button to run it. Protected environments ask you to type the environment name.',
    );
  for (const ref of unique.filter((ref) => !elsewhere(ref)).slice(0, 2))
    actions.push({ kind: 'show-in-explorer', resource: ref });
  return answer(sections.join('\n\n'), { touched: unique, actions, followups });
}

export function answerHelp(text: string): ChatAnswer {
  const intro = text.trim() ? `I did not understand "${escapeMarkdown(text, 200)}" without a language model.\n\n` : '';
  return answer(`${intro}${HELP_MARKDOWN}`, {
    followups: [
      { label: 'What is running in production?', prompt: "what's running in production?", command: 'resources' },
      { label: 'Find security issues', prompt: '', command: 'security' },
      { label: 'Find unused resources', prompt: '', command: 'unused' },
    ],
  });
}

/** Drills and recoveries run from recovery plans (waves, preflight, approvals, audit), never from a chat message. */
export function answerDisasterRecovery(): ChatAnswer {
  return answer(
    [
      'Drills and recoveries run from a **recovery plan**, so its waves, preflight, approvals and audit trail apply. Starting one from chat is not supported yet, and I will not start or stop instances in its place.',
      '',
      '1. Create or open a plan: *Pilot Light: New Recovery Plan…* (YAML under `.pilotlight/dr/`).',
      '2. Run *Pilot Light: Run Recovery Plan as Drill* (or *as Recovery*), and follow it in *Recovery Runs*.',
      '',
      'Here I can show where DRS stands: source servers and their replication, jobs and recovery instances.',
    ].join('\n'),
    {
      followups: [
        {
          label: 'Which source servers are stalled?',
          prompt: 'which source servers are stalled?',
          command: 'resources',
        },
        { label: 'Show DRS jobs', prompt: 'drs jobs', command: 'resources' },
      ],
    },
  );
}

/** /wizard vpc: asks the next question, or previews the finished VPC and offers to create it. */
export async function answerVpcWizard(ctx: AnswerContext, args: string): Promise<ChatAnswer> {
  const state = parseWizardArgs(args);
  const step = nextWizardStep(state, ctx.environment);
  const summary = describeWizardState(state);
  const sofar = summary.length
    ? `\n\nSo far:\n${summary.map((line) => `- ${escapeMarkdown(line, 120)}`).join('\n')}`
    : '';
  if (step) {
    const followups = step.options.map((option) => ({
      label: option.label,
      prompt: `vpc ${serializeWizardState(option.state)}`,
      command: 'wizard',
    }));
    const freeText = step.freeText
      ? `\n\nOr type your own: \`/wizard vpc ${serializeWizardState(state)} ${step.freeText.key}=${step.freeText.placeholder}\``
      : '';
    return answer(
      `**Create a VPC, step ${step.index} of ${step.total}.** ${step.question}${sofar}\n\nChoose below.${freeText}`,
      { followups },
    );
  }
  if (!isComplete(state)) return answer('The wizard is missing an answer; start again with `/wizard vpc`.');
  const input = toCreateVpcInput(state);
  const preview = await ctx.dryRun('ec2.vpcs.create', input);
  if (preview.status !== 'dry-run')
    return answer(`The VPC cannot be previewed: ${escapeMarkdown(preview.text, 600)}${sofar}`, {
      followups: [{ label: 'Start over', prompt: 'vpc', command: 'wizard' }],
    });
  const actions: ChatAction[] =
    preview.verdict === 'refused'
      ? []
      : [
          {
            kind: 'run',
            title: preview.verdict === 'needs-approval' ? 'Approve and create the VPC' : 'Create the VPC',
            operationId: 'ec2.vpcs.create',
            input,
            region: ctx.region,
            correlationId: preview.correlationId,
          },
        ];
  actions.push({ kind: 'dry-run', title: 'Dry-run again', operationId: 'ec2.vpcs.create', input, region: ctx.region });
  return answer(
    `**Create a VPC: review.** Dry-run of the change; nothing has been created yet.\n\n${preview.crossAccount ? `**${escapeMarkdown(preview.crossAccount, 300)}**\n\n` : ''}${renderPreview(preview.text)}`,
    {
      actions,
      followups: [{ label: 'Start over', prompt: 'vpc', command: 'wizard' }],
    },
  );
}

/** Routes a keyword-parsed intent; context switches are the adapter's job. */
export async function answerIntent(ctx: AnswerContext, intent: Intent): Promise<ChatAnswer | undefined> {
  switch (intent.kind) {
    case 'resources':
      return answerResources(ctx, intent.query.text, intent.query);
    case 'security':
      return answerSecurity(ctx, intent.scope);
    case 'unused':
      return answerUnused(ctx, intent);
    case 'narrow':
      return answerNarrow(ctx, intent);
    case 'action':
      return answerAction(ctx, intent);
    case 'wizard':
      return answerVpcWizard(ctx, '');
    case 'disaster-recovery':
      return answerDisasterRecovery();
    case 'containers':
      return answerContainers(ctx, intent.request);
    case 'help':
      return answerHelp(intent.text);
    case 'context':
      return undefined;
  }
}
