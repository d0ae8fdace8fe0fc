/**
 * What a chat conversation remembers: the active account, region and environment, the resources it touched
 * (most recent first) and its turns, so that "stop it" or "terminate them" resolves to resources.
 * Each answer stores a TurnMemory in its result metadata; the session is rebuilt from the history.
 */
import { typeOfId, type ResourceRef } from '../insights/facts';
import type { TargetRef } from './keywordParser';
import { sameEnvironment } from './resourceQuery';

export interface TurnMemory {
  prompt: string;
  command?: string;
  /** Resources the answer showed or changed, in the order shown. */
  touched: ResourceRef[];
  account?: string;
  region?: string;
  /** The environment the conversation is focused on after this turn (null: cleared). */
  environment?: string | null;
}

export type Resolution =
  | { kind: 'resolved'; resources: ResourceRef[]; via: string }
  | { kind: 'ambiguous'; candidates: ResourceRef[]; via: string }
  | { kind: 'unresolved'; reason: string };

const MAX_RECENT = 25;
const ACCOUNT_ID = /^\d{12}$/;

/** A resource's key in memory: the same ID may exist in two accounts. */
export function refKey(ref: Pick<ResourceRef, 'id' | 'account'>): string {
  return `${ref.account ?? ''}/${ref.id}`;
}

/** Keeps only plain, bounded data from untrusted metadata. */
export function sanitizeTurn(value: unknown): TurnMemory | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const raw = value as Record<string, unknown>;
  const str = (item: unknown, max = 200) => (typeof item === 'string' ? item.slice(0, max) : undefined);
  const touched = Array.isArray(raw.touched)
    ? raw.touched
        .filter(
          (ref): ref is Record<string, unknown> =>
            Boolean(ref) &&
            typeof ref === 'object' &&
            typeof (ref as Record<string, unknown>).id === 'string' &&
            typeof (ref as Record<string, unknown>).type === 'string',
        )
        .slice(0, 100)
        .map((ref) => ({
          type: str(ref.type, 60)!,
          id: str(ref.id)!,
          name: str(ref.name),
          region: str(ref.region, 40),
          environment: str(ref.environment, 80),
          ...(typeof ref.account === 'string' && ACCOUNT_ID.test(ref.account) ? { account: ref.account } : {}),
        }))
    : [];
  return {
    prompt: str(raw.prompt, 2000) ?? '',
    command: str(raw.command, 40),
    touched,
    account: str(raw.account, 20),
    region: str(raw.region, 40),
    environment: raw.environment === null ? null : str(raw.environment, 80),
  };
}

export class ConversationSession {
  private constructor(readonly turns: TurnMemory[]) {}

  static fromTurns(turns: Array<TurnMemory | undefined>): ConversationSession {
    return new ConversationSession(turns.filter((turn): turn is TurnMemory => Boolean(turn)));
  }

  /** The environment the conversation last focused on, if any. */
  get environment(): string | undefined {
    for (let index = this.turns.length - 1; index >= 0; index -= 1) {
      const env = this.turns[index].environment;
      if (env === null) return undefined;
      if (env) return env;
    }
    return undefined;
  }

  get region(): string | undefined {
    return [...this.turns].reverse().find((turn) => turn.region)?.region;
  }

  get account(): string | undefined {
    return [...this.turns].reverse().find((turn) => turn.account)?.account;
  }

  /** Resources touched, most recent first, without duplicates (an ID found in two accounts is two resources). */
  recent(limit = MAX_RECENT): ResourceRef[] {
    const seen = new Map<string, ResourceRef>();
    for (let index = this.turns.length - 1; index >= 0; index -= 1) {
      for (const ref of this.turns[index].touched) if (!seen.has(refKey(ref))) seen.set(refKey(ref), ref);
    }
    return [...seen.values()].slice(0, limit);
  }

  /** The resources of the latest turn that touched any (optionally of one type). */
  lastTouched(type?: string): ResourceRef[] {
    for (let index = this.turns.length - 1; index >= 0; index -= 1) {
      const touched = this.turns[index].touched.filter((ref) => !type || ref.type === type);
      if (touched.length) return touched;
    }
    return [];
  }

  /** Resolves one target reference against the conversation; names and IDs may also need AWS lookups. */
  resolve(target: TargetRef, typeHint?: string): Resolution {
    switch (target.kind) {
      case 'id': {
        const found = this.recent(100).filter((ref) => ref.id === target.id);
        if (new Set(found.map((ref) => ref.account)).size > 1)
          return { kind: 'ambiguous', candidates: found, via: target.id };
        const known = found[0];
        return {
          kind: 'resolved',
          resources: [known ?? { type: typeOfId(target.id) ?? typeHint ?? 'unknown', id: target.id }],
          via: target.id,
        };
      }
      case 'name': {
        const matches = this.recent(100).filter(
          (ref) => ref.name?.toLowerCase() === target.name.toLowerCase() && (!typeHint || ref.type === typeHint),
        );
        if (matches.length === 1) return { kind: 'resolved', resources: matches, via: `"${target.name}"` };
        if (matches.length > 1) return { kind: 'ambiguous', candidates: matches, via: `"${target.name}"` };
        return { kind: 'unresolved', reason: `No resource named "${target.name}" came up in this conversation yet.` };
      }
      case 'pronoun': {
        const mentioned = this.lastTouched(typeHint);
        if (!mentioned.length)
          return {
            kind: 'unresolved',
            reason: `"${target.word}" does not refer to anything yet: no resource has come up in this conversation. Name it, e.g. by its ID.`,
          };
        const environments = target.environments ?? [];
        const last = environments.length
          ? mentioned.filter(
              (ref) =>
                ref.environment !== undefined && environments.some((env) => sameEnvironment(env, ref.environment!)),
            )
          : mentioned;
        if (!last.length)
          return {
            kind: 'unresolved',
            reason: `None of the ${mentioned.length} resource(s) "${target.word}" could mean is in ${environments.join(' or ')}.`,
          };
        if (target.plural || last.length === 1) return { kind: 'resolved', resources: last, via: `"${target.word}"` };
        return { kind: 'ambiguous', candidates: last, via: `"${target.word}"` };
      }
      case 'all':
      case 'described':
        return { kind: 'unresolved', reason: 'needs a lookup' };
    }
  }

  /** A short plain-text summary for model prompts: what "it" refers to and the recent resources. */
  describeForModel(): string {
    const last = this.lastTouched();
    const recent = this.recent(10);
    const lines: string[] = [];
    if (this.environment) lines.push(`Active environment: ${this.environment}.`);
    if (last.length === 1)
      lines.push(
        `"it" most likely refers to ${last[0].type} ${last[0].id}${last[0].name ? ` (Name tag: ${JSON.stringify(last[0].name)})` : ''}${last[0].account ? ` in account ${last[0].account}` : ''}.`,
      );
    else if (last.length > 1) lines.push(`"them" most likely refers to: ${last.map((ref) => ref.id).join(', ')}.`);
    if (recent.length)
      lines.push(
        `Recently discussed resources: ${recent.map((ref) => `${ref.type} ${ref.id}${ref.name ? ` (Name tag: ${JSON.stringify(ref.name)})` : ''}${ref.environment ? ` [${ref.environment}]` : ''}${ref.account ? ` in account ${ref.account}` : ''}`).join('; ')}.`,
      );
    if (recent.some((ref) => ref.account))
      lines.push(
        'A change to a resource found in another account must name that account (the tool\'s "account"); one change runs in one account.',
      );
    return lines.join('\n');
  }
}
