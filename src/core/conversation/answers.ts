/**
 * Deterministic answers for the @aws participant: slash commands and keyword-parsed free text. They read AWS
 * only through registry read operations and propose changes only as dry-runs with actions the user must
 * click; nothing here changes AWS.
 */
import { kindOf, refOf, typeOfId, type EnvironmentResolver, type ResourceFact, type ResourceRef } from '../insights/facts';
import { readFacts, type ReadOperation } from '../insights/reads';
import { collectSecurityFindings } from '../insights/security';
import { collectUnused } from '../insights/unused';
import { operationFor, type ActionVerb, type Intent, type TargetRef } from './keywordParser';
import { escapeMarkdown, inlineCode, plural } from './markdown';
import { HELP_MARKDOWN, renderFacts, renderPreview, renderSecurityReport, renderUnusedReport } from './render';
import { describeQuery, matchFacts, parseResourceQuery, typesToList, type ResourceQuery } from './resourceQuery';
import type { ConversationSession } from './session';
import { describeWizardState, isComplete, nextWizardStep, parseWizardArgs, serializeWizardState, toCreateVpcInput } from './vpcWizard';

/** Something the user can click; adapters turn these into buttons. */
export type ChatAction =
  | { kind: 'show-in-explorer'; resource: ResourceRef }
  | { kind: 'dry-run'; title?: string; operationId: string; input: Record<string, unknown>; region?: string }
  | { kind: 'run'; title?: string; operationId: string; input: Record<string, unknown>; region?: string; correlationId?: string };

export interface ChatFollowup {
  label: string;
  prompt: string;
  command?: string;
}

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
}

export interface AnswerContext {
  read: ReadOperation;
  dryRun(operationId: string, input: Record<string, unknown>): Promise<DryRunResult>;
  region: string;
  resolveEnvironment: EnvironmentResolver;
  session: ConversationSession;
  /** The conversation's environment focus, applied when a query names none. */
  environment?: string;
  now?: Date;
  stoppedDays?: number;
}

function answer(markdown: string, extra: Partial<ChatAnswer> = {}): ChatAnswer {
  return { markdown, touched: [], actions: [], followups: [], ...extra };
}

async function loadFacts(ctx: AnswerContext, types: string[], query?: ResourceQuery): Promise<{ facts: ResourceFact[]; truncated: boolean; errors: string[] }> {
  const facts: ResourceFact[] = [];
  const errors: string[] = [];
  let truncated = false;
  await Promise.all(
    types.map(async (type) => {
      try {
        const input = type === 'ec2:instance' && query?.ids.length ? { ids: query.ids.filter((id) => id.startsWith('i-')) } : {};
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
  return errors.length ? `\n\nCould not read everything:\n${errors.map((error) => `- ${escapeMarkdown(error, 300)}`).join('\n')}` : '';
}

/** /resources and resource questions in free text. */
export async function answerResources(ctx: AnswerContext, text: string, parsed?: ResourceQuery): Promise<ChatAnswer> {
  const query = parsed ?? parseResourceQuery(text);
  if (query.region && query.region !== ctx.region) {
    return answer(`You asked about ${inlineCode(query.region)}, but the current region is ${inlineCode(ctx.region)}. Switch first with \`/context region ${query.region}\`.`, {
      followups: [{ label: `Switch to ${query.region}`, prompt: `region ${query.region}`, command: 'context' }],
    });
  }
  const types = typesToList(query);
  const environment = query.environments.length ? undefined : ctx.environment;
  const { facts, truncated, errors } = await loadFacts(ctx, types, query);
  const matches = matchFacts(query, facts, environment);
  const heading = `${describeQuery(query, types, environment)} in ${ctx.region}`;
  const touched = matches.slice(0, 50).map(refOf);
  const actions: ChatAction[] = touched.slice(0, 3).map((resource) => ({ kind: 'show-in-explorer', resource }));
  const followups: ChatFollowup[] = [];
  const instances = matches.filter((fact) => fact.type === 'ec2:instance');
  if (instances.length && instances.every((fact) => fact.state === 'running')) followups.push({ label: instances.length === 1 ? `Stop ${instances[0].name}` : 'Stop them (dry-run first)', prompt: instances.length === 1 ? `stop ${instances[0].id}` : 'stop them' });
  followups.push({ label: 'Find security issues', prompt: '', command: 'security' }, { label: 'Find unused resources', prompt: '', command: 'unused' });
  return answer(renderFacts(matches, { heading, truncated }) + errorLines(errors), { touched, actions, followups });
}

export async function answerSecurity(ctx: AnswerContext, scope: Array<'iam' | 'network'> = ['iam', 'network']): Promise<ChatAnswer> {
  const report = await collectSecurityFindings(ctx.read, { region: ctx.region, resolveEnvironment: ctx.resolveEnvironment, include: scope });
  const touched = report.findings.slice(0, 50).map((finding) => ({ type: finding.resource.type, id: finding.resource.id, name: finding.resource.name, region: finding.resource.region, environment: finding.resource.environment }));
  const groups = [...new Map(touched.filter((ref) => ref.type === 'ec2:security-group').map((ref) => [ref.id, ref])).values()];
  return answer(renderSecurityReport(report), {
    touched,
    actions: groups.slice(0, 3).map((resource) => ({ kind: 'show-in-explorer', resource })),
    followups: [{ label: 'Find unused resources', prompt: '', command: 'unused' }],
  });
}

export async function answerUnused(ctx: AnswerContext): Promise<ChatAnswer> {
  const report = await collectUnused(ctx.read, { region: ctx.region, resolveEnvironment: ctx.resolveEnvironment, now: ctx.now, stoppedDays: ctx.stoppedDays });
  const actions: ChatAction[] = report.findings
    .filter((finding) => finding.cleanup)
    .slice(0, 3)
    .map((finding) => ({ kind: 'dry-run', title: `Dry-run: ${finding.cleanup!.operationId.split('.').pop()} ${finding.resource.name ?? finding.resource.id}`, operationId: finding.cleanup!.operationId, input: finding.cleanup!.input, region: ctx.region }));
  return answer(renderUnusedReport(report), { touched: report.findings.map((finding) => finding.resource), actions, followups: [{ label: 'Find security issues', prompt: '', command: 'security' }] });
}

function typeHintFor(verb: ActionVerb): string | undefined {
  if (verb === 'start' || verb === 'stop' || verb === 'reboot' || verb === 'terminate') return 'ec2:instance';
  if (verb === 'release') return 'ec2:elastic-ip';
  return undefined;
}

const VERB_TEXT: Record<ActionVerb, string> = { start: 'Start', stop: 'Stop', reboot: 'Reboot', terminate: 'Terminate', delete: 'Delete', release: 'Release' };

/** Looks a name up in AWS when the conversation does not know it. */
async function lookUpNames(ctx: AnswerContext, names: string[], typeHint: string | undefined): Promise<{ found: ResourceRef[]; missing: string[]; ambiguous: Array<{ name: string; candidates: ResourceRef[] }> }> {
  const types = typeHint ? [typeHint] : ['ec2:instance', 'ec2:volume', 'ec2:security-group', 'ec2:snapshot', 'ec2:elastic-ip', 'ec2:vpc'];
  const { facts } = await loadFacts(ctx, types);
  const found: ResourceRef[] = [];
  const missing: string[] = [];
  const ambiguous: Array<{ name: string; candidates: ResourceRef[] }> = [];
  for (const name of names) {
    const matches = facts.filter((fact) => fact.name.toLowerCase() === name.toLowerCase() && fact.state !== 'terminated');
    if (matches.length === 1) found.push(refOf(matches[0]));
    else if (matches.length > 1) ambiguous.push({ name, candidates: matches.map(refOf) });
    else missing.push(name);
  }
  return { found, missing, ambiguous };
}

/** "stop web-1", "terminate it": resolves the targets and answers with a dry-run and an approval button. */
export async function answerAction(ctx: AnswerContext, intent: Extract<Intent, { kind: 'action' }>): Promise<ChatAnswer> {
  const typeHint = typeHintFor(intent.verb);
  const resolved: ResourceRef[] = [];
  const problems: string[] = [];
  const followups: ChatFollowup[] = [];
  const names: string[] = [];
  for (const target of intent.targets as TargetRef[]) {
    if (target.kind === 'all') {
      const types = target.query.types.length ? target.query.types : typeHint ? [typeHint] : [];
      if (!types.length) {
        problems.push('Say which kind of resources you mean, e.g. "every stopped instance in staging".');
        continue;
      }
      const { facts } = await loadFacts(ctx, types);
      const matches = matchFacts(target.query, facts, target.query.environments.length ? undefined : ctx.environment).filter((fact) => fact.state !== 'terminated');
      resolved.push(...matches.map(refOf));
      continue;
    }
    if (target.kind === 'name') {
      const known = ctx.session.resolve(target, typeHint);
      if (known.kind === 'resolved') resolved.push(...known.resources);
      else names.push(target.name);
      continue;
    }
    const resolution = ctx.session.resolve(target, typeHint);
    if (resolution.kind === 'resolved') resolved.push(...resolution.resources.map((ref) => (ref.type === 'unknown' ? { ...ref, type: typeOfId(ref.id) ?? 'unknown' } : ref)));
    else if (resolution.kind === 'ambiguous') {
      problems.push(`${resolution.via} could mean ${resolution.candidates.map((ref) => `${escapeMarkdown(ref.name ?? ref.id)} ${inlineCode(ref.id)}`).join(', ')}. Which one?`);
      followups.push(...resolution.candidates.slice(0, 4).map((ref) => ({ label: `${VERB_TEXT[intent.verb]} ${ref.name ?? ref.id}`, prompt: `${intent.verb} ${ref.id}` })));
    } else problems.push(escapeMarkdown(resolution.reason, 300));
  }
  if (names.length) {
    const lookup = await lookUpNames(ctx, names, typeHint);
    resolved.push(...lookup.found);
    for (const name of lookup.missing) problems.push(`I found no ${typeHint ? kindOf(typeHint)?.title.replace(/s$/, '').toLowerCase() ?? 'resource' : 'resource'} named "${escapeMarkdown(name)}" in ${ctx.region}.`);
    for (const { name, candidates } of lookup.ambiguous) {
      problems.push(`Several resources are named "${escapeMarkdown(name)}": ${candidates.map((ref) => inlineCode(ref.id)).join(', ')}. Which one?`);
      followups.push(...candidates.slice(0, 4).map((ref) => ({ label: `${VERB_TEXT[intent.verb]} ${ref.id}`, prompt: `${intent.verb} ${ref.id}` })));
    }
  }
  let unique = [...new Map(resolved.map((ref) => [ref.id, ref])).values()];
  const unnamed = [...new Set(unique.filter((ref) => !ref.name && kindOf(ref.type)).map((ref) => ref.type))];
  if (unnamed.length) {
    // IDs typed by the user: show the resources' names and environments too.
    const known = new Map((await loadFacts(ctx, unnamed)).facts.map((fact) => [fact.id, refOf(fact)]));
    unique = unique.map((ref) => (ref.name ? ref : (known.get(ref.id) ?? ref)));
  }
  if (!unique.length) {
    return answer(`Nothing was changed. ${problems.join(' ') || 'I could not tell which resource you mean.'}`, { followups });
  }

  const byType = new Map<string, ResourceRef[]>();
  for (const ref of unique) byType.set(ref.type, [...(byType.get(ref.type) ?? []), ref]);
  const sections: string[] = [];
  const actions: ChatAction[] = [];
  for (const [type, refs] of byType) {
    const operation = operationFor(intent.verb, type);
    if (!operation) {
      sections.push(`Not supported yet: ${VERB_TEXT[intent.verb].toLowerCase()} for ${kindOf(type)?.title ?? type} (${refs.map((ref) => inlineCode(ref.id)).join(', ')}).`);
      continue;
    }
    const batches = operation.perResource ? refs.slice(0, 5).map((ref) => [ref]) : [refs];
    for (const batch of batches) {
      const input = operation.input(batch.map((ref) => ref.id));
      const preview = await ctx.dryRun(operation.operationId, input);
      const label = `${VERB_TEXT[intent.verb]} ${batch.length === 1 ? batch[0].name ?? batch[0].id : plural(batch.length, kindOf(type)?.title.replace(/s$/, '').toLowerCase() ?? 'resource')}`;
      if (preview.status === 'dry-run') {
        sections.push(`**Dry-run of "${escapeMarkdown(label, 200)}"**: nothing has changed yet.\n\n${renderPreview(preview.text)}`);
        if (preview.verdict !== 'refused') actions.push({ kind: 'run', title: preview.verdict === 'needs-approval' ? `Approve and run: ${label}` : `Run: ${label}`, operationId: operation.operationId, input, region: ctx.region, correlationId: preview.correlationId });
      } else {
        sections.push(`**${escapeMarkdown(label, 200)}** cannot be previewed: ${escapeMarkdown(preview.text, 600)}`);
      }
    }
  }
  if (problems.length) sections.push(problems.join(' '));
  if (actions.length) sections.push('Review the dry-run, then use the button to run it. Protected environments ask you to type the environment name.');
  for (const ref of unique.slice(0, 2)) actions.push({ kind: 'show-in-explorer', resource: ref });
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
        { label: 'Which source servers are stalled?', prompt: 'which source servers are stalled?', command: 'resources' },
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
  const sofar = summary.length ? `\n\nSo far:\n${summary.map((line) => `- ${escapeMarkdown(line, 120)}`).join('\n')}` : '';
  if (step) {
    const followups = step.options.map((option) => ({ label: option.label, prompt: `vpc ${serializeWizardState(option.state)}`, command: 'wizard' }));
    const freeText = step.freeText ? `\n\nOr type your own: \`/wizard vpc ${serializeWizardState(state)} ${step.freeText.key}=${step.freeText.placeholder}\`` : '';
    return answer(`**Create a VPC, step ${step.index} of ${step.total}.** ${step.question}${sofar}\n\nChoose below.${freeText}`, { followups });
  }
  if (!isComplete(state)) return answer('The wizard is missing an answer; start again with `/wizard vpc`.');
  const input = toCreateVpcInput(state);
  const preview = await ctx.dryRun('ec2.vpcs.create', input);
  if (preview.status !== 'dry-run') return answer(`The VPC cannot be previewed: ${escapeMarkdown(preview.text, 600)}${sofar}`, { followups: [{ label: 'Start over', prompt: 'vpc', command: 'wizard' }] });
  const actions: ChatAction[] = preview.verdict === 'refused' ? [] : [{ kind: 'run', title: preview.verdict === 'needs-approval' ? 'Approve and create the VPC' : 'Create the VPC', operationId: 'ec2.vpcs.create', input, region: ctx.region, correlationId: preview.correlationId }];
  actions.push({ kind: 'dry-run', title: 'Dry-run again', operationId: 'ec2.vpcs.create', input, region: ctx.region });
  return answer(`**Create a VPC: review.** Dry-run of the change; nothing has been created yet.\n\n${renderPreview(preview.text)}`, {
    actions,
    followups: [{ label: 'Start over', prompt: 'vpc', command: 'wizard' }],
  });
}

/** Routes a keyword-parsed intent; context switches are the adapter's job. */
export async function answerIntent(ctx: AnswerContext, intent: Intent): Promise<ChatAnswer | undefined> {
  switch (intent.kind) {
    case 'resources':
      return answerResources(ctx, intent.query.text, intent.query);
    case 'security':
      return answerSecurity(ctx, intent.scope);
    case 'unused':
      return answerUnused(ctx);
    case 'action':
      return answerAction(ctx, intent);
    case 'wizard':
      return answerVpcWizard(ctx, '');
    case 'disaster-recovery':
      return answerDisasterRecovery();
    case 'help':
      return answerHelp(intent.text);
    case 'context':
      return undefined;
  }
}
