import type { ChatAnswer, ChatFollowup } from '../conversation/answers';
import { inlineCode } from '../conversation/markdown';
import { parseResourceQuery } from '../conversation/resourceQuery';
import type { GuardrailPolicy } from '../guardrails/policyTypes';
import { kindOf, refOf, type ResourceRef } from '../insights/facts';
import type { OrganizationAccess } from './access';
import { fanOutFacts, type AccountsSelector } from './fanOut';
import { renderFanOut } from './render';

/** Resources a cross-account answer remembers for "stop it" / "stop them" (as many as answerResources keeps). */
const MAX_TOUCHED = 50;

export interface AcrossAccountsChat {
  access: Pick<OrganizationAccess, 'fanOut' | 'base' | 'members'>;
  region: string;
  policy: GuardrailPolicy;
  concurrency?: number;
}

/**
 * `/resources … accounts: all | <ids> | ou:<id>`: one read in every selected account, failures listed. The
 * resources it shows are remembered WITH their account, so a follow-up change runs in the account each was
 * found in (never the chat's active account by default).
 */
export async function answerAcrossAccounts(
  chat: AcrossAccountsChat,
  across: { selector?: AccountsSelector; rest: string; problem?: string },
): Promise<ChatAnswer> {
  const context: ChatFollowup = { label: 'Show the AWS context', prompt: '', command: 'context' };
  if (!across.selector)
    return {
      markdown: across.problem ?? 'Say which accounts: `accounts: all`, account IDs, or `ou:<OU ID>`.',
      touched: [],
      actions: [],
      followups: [context],
    };
  const kind =
    kindOf(parseResourceQuery(across.rest || 'instances').types[0] ?? 'ec2:instance') ?? kindOf('ec2:instance')!;
  const result = await chat.access.fanOut({
    operationId: kind.operation,
    accounts: across.selector,
    regions: [chat.region],
    caller: 'chat',
    concurrency: chat.concurrency,
  });
  const facts = fanOutFacts(result, chat.policy);
  const identity = await chat.access.base.identity().catch(() => undefined);
  const from = `_Read from profile ${inlineCode(chat.access.base.profileName, 60)}${identity ? ` (account ${identity.account})` : ''}, assuming ${inlineCode(chat.access.members.options.roleName, 64)} in member accounts._`;
  const shown = (facts ?? []).slice(0, MAX_TOUCHED);
  const touched: ResourceRef[] = shown.map((fact) => ({ ...refOf(fact), account: fact.accountId }));
  const followups: ChatFollowup[] = [];
  const running = shown.filter((fact) => fact.type === 'ec2:instance' && fact.state === 'running');
  if (running.length === 1)
    followups.push({ label: `Stop ${running[0].name} (dry-run first)`, prompt: `stop ${running[0].id}` });
  followups.push(context);
  return { markdown: `${renderFanOut(result, facts, kind.title)}\n\n${from}`, touched, actions: [], followups };
}
