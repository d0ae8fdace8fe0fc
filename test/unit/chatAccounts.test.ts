import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { toolSpec } from '../../src/core/agent/toolCatalog';
import { invokeToolCall, prepareToolCall, type AgentToolHost } from '../../src/core/agent/toolInvocation';
import type { RunOutcome } from '../../src/core/operations/runner';
import { answerAction, type AnswerContext, type DryRunResult } from '../../src/core/conversation/answers';
import { parseIntent } from '../../src/core/conversation/keywordParser';
import { ConversationSession, sanitizeTurn, type TurnMemory } from '../../src/core/conversation/session';

const ACTIVE = '111111111111';
const MEMBER_B = '222222222222';
const MEMBER_C = '333333333333';

const inB = { type: 'ec2:instance', id: 'i-0bbbbbbbbbbbbbbb1', name: 'web-b', region: 'us-east-1', account: MEMBER_B };
const inC = { type: 'ec2:instance', id: 'i-0ccccccccccccccc1', name: 'web-c', region: 'us-east-1', account: MEMBER_C };
const inActive = {
  type: 'ec2:instance',
  id: 'i-0aaaaaaaaaaaaaaa1',
  name: 'web-a',
  region: 'us-east-1',
  account: ACTIVE,
};

function context(turns: TurnMemory[]) {
  const dryRuns: Array<{ operationId: string; input: unknown; account?: string }> = [];
  const reads: string[] = [];
  const ctx: AnswerContext = {
    read: async (id) => {
      reads.push(id);
      return { items: [] };
    },
    dryRun: async (operationId, input, where): Promise<DryRunResult> => {
      dryRuns.push({ operationId, input, account: where?.account });
      return {
        status: 'dry-run',
        correlationId: 'c-1',
        verdict: 'needs-confirmation',
        text: `Preview of ${operationId}`,
        ...(where?.account ? { crossAccount: `This change is in account ${where.account}.` } : {}),
      };
    },
    region: 'us-east-1',
    activeAccount: ACTIVE,
    resolveEnvironment: () => ({ name: 'unknown', protected: false }),
    session: ConversationSession.fromTurns(turns),
  };
  return { ctx, dryRuns, reads };
}

const action = (text: string) => {
  const intent = parseIntent(text);
  assert.equal(intent.kind, 'action', text);
  return intent as Extract<ReturnType<typeof parseIntent>, { kind: 'action' }>;
};

describe('chat: changes run in the account a resource was found in', () => {
  it('"stop it" after a read across accounts previews and runs in that account, with the bold note', async () => {
    const { ctx, dryRuns, reads } = context([{ prompt: 'instances accounts: all', touched: [inB] }]);
    const answer = await answerAction(ctx, action('stop it'));
    assert.deepEqual(dryRuns, [
      { operationId: 'ec2.instances.stop', input: { instanceIds: [inB.id] }, account: MEMBER_B },
    ]);
    assert.match(answer.markdown, /\*\*This change is in account 222222222222\.\*\*/);
    const run = answer.actions.find((candidate) => candidate.kind === 'run');
    assert.ok(run && run.kind === 'run');
    assert.equal(run.account, MEMBER_B);
    // Not shown in the active account's explorer, and no lookup in the active account.
    assert.ok(!answer.actions.some((candidate) => candidate.kind === 'show-in-explorer'));
    assert.deepEqual(reads, []);
    assert.equal(answer.touched[0].account, MEMBER_B);
  });

  it('an ID typed after the read resolves to its account; a resource of the active account runs there', async () => {
    const typed = context([{ prompt: 'x', touched: [inB, inActive] }]);
    await answerAction(typed.ctx, action(`stop ${inB.id}`));
    assert.equal(typed.dryRuns[0].account, MEMBER_B);
    const own = context([{ prompt: 'x', touched: [inB, inActive] }]);
    const answer = await answerAction(own.ctx, action(`stop ${inActive.id}`));
    assert.equal(own.dryRuns[0].account, undefined);
    assert.ok(!answer.actions.some((candidate) => candidate.kind === 'run' && candidate.account));
    // An ID never seen in the conversation is the active account's: never guessed.
    const fresh = context([]);
    await answerAction(fresh.ctx, action('stop i-0dddddddddddddd01'));
    assert.equal(fresh.dryRuns[0].account, undefined);
  });

  it('refuses one change across several accounts, naming each account and its resources', async () => {
    for (const touched of [
      [inB, inC],
      [inB, inActive],
    ]) {
      const { ctx, dryRuns } = context([{ prompt: 'instances accounts: all', touched }]);
      const answer = await answerAction(ctx, action('stop them'));
      assert.deepEqual(dryRuns, [], 'nothing previewed, nothing run');
      assert.ok(!answer.actions.some((candidate) => candidate.kind === 'run'));
      assert.match(answer.markdown, /Nothing was changed: these resources are in 2 accounts/);
      assert.match(answer.markdown, /one change runs in one account/);
      for (const ref of touched) assert.ok(answer.markdown.includes(ref.id));
      assert.ok(answer.markdown.includes(MEMBER_B));
      assert.equal(answer.followups.length, 2);
    }
  });

  it('the same ID in two accounts is two resources, and "stop <id>" asks which', async () => {
    const twin = { ...inB, account: MEMBER_C, name: 'twin' };
    const { ctx, dryRuns } = context([{ prompt: 'x', touched: [inB, twin] }]);
    assert.equal(ctx.session.recent().length, 2);
    const answer = await answerAction(ctx, action(`stop ${inB.id}`));
    assert.deepEqual(dryRuns, []);
    assert.match(answer.markdown, /Which one\?/);
    assert.ok(answer.markdown.includes(MEMBER_C));
  });
});

describe('conversation memory: sanitizeTurn with accounts', () => {
  it('keeps only 12-digit accounts and bounds everything', () => {
    const turn = sanitizeTurn({
      prompt: 'p',
      touched: [
        { ...inB },
        { ...inC, account: '3333' },
        { ...inC, account: 333333333333 },
        { ...inC, account: `${MEMBER_C}\n**bold**` },
        { type: 'ec2:instance', id: 'i-1', account: 'x'.repeat(10_000) },
      ],
      account: 'y'.repeat(100),
    });
    assert.ok(turn);
    assert.equal(turn.touched[0].account, MEMBER_B);
    for (const ref of turn.touched.slice(1)) assert.ok(!('account' in ref), JSON.stringify(ref));
    assert.equal(turn.account!.length, 20);
  });

  it('property: any input gives plain, bounded data or undefined', () => {
    const ref = fc.record(
      {
        type: fc.oneof(fc.string({ maxLength: 100 }), fc.constant('ec2:instance'), fc.integer()),
        id: fc.oneof(fc.string({ maxLength: 300 }), fc.integer()),
        name: fc.oneof(fc.string({ maxLength: 300 }), fc.object()),
        region: fc.string({ maxLength: 60 }),
        environment: fc.oneof(fc.string({ maxLength: 120 }), fc.constant(null)),
        account: fc.oneof(fc.stringMatching(/^\d{12}$/), fc.string({ maxLength: 30 }), fc.integer(), fc.object()),
      },
      { requiredKeys: [] },
    );
    const turn = fc.record(
      {
        prompt: fc.oneof(fc.string({ maxLength: 3000 }), fc.integer()),
        command: fc.string({ maxLength: 60 }),
        touched: fc.oneof(fc.array(fc.oneof(ref, fc.anything()), { maxLength: 130 }), fc.anything()),
        account: fc.oneof(fc.string({ maxLength: 40 }), fc.integer()),
        region: fc.string({ maxLength: 60 }),
        environment: fc.oneof(fc.string({ maxLength: 120 }), fc.constant(null), fc.integer()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(turn, fc.anything()), (value) => {
        const clean = sanitizeTurn(value);
        if (!value || typeof value !== 'object') return clean === undefined;
        assert.ok(clean);
        assert.ok(clean.prompt.length <= 2000);
        assert.ok((clean.command ?? '').length <= 40);
        assert.ok((clean.account ?? '').length <= 20);
        assert.ok((clean.region ?? '').length <= 40);
        assert.ok(clean.touched.length <= 100);
        for (const item of clean.touched) {
          assert.equal(typeof item.type, 'string');
          assert.equal(typeof item.id, 'string');
          assert.ok(item.type.length <= 60 && item.id.length <= 200);
          assert.ok((item.name ?? '').length <= 200 && (item.environment ?? '').length <= 80);
          for (const key of ['name', 'region', 'environment'] as const)
            assert.ok(item[key] === undefined || typeof item[key] === 'string');
          assert.ok(item.account === undefined || /^\d{12}$/.test(item.account), String(item.account));
        }
        // Round trip: sanitizing again changes nothing, and the session can be rebuilt from it.
        const plain = (turn: unknown) => JSON.parse(JSON.stringify(turn)) as unknown;
        assert.deepEqual(plain(sanitizeTurn(plain(clean))), plain(clean));
        ConversationSession.fromTurns([clean]).recent();
        return true;
      }),
      { numRuns: 300 },
    );
  });
});

describe("LM tools: a change with account runs through that account's runner key", () => {
  const stopSpec = toolSpec('pilotLight_changeInstanceState')!;
  const call = { operation: 'ec2.instances.stop', input: { instanceIds: ['i-0bbbbbbbbbbbbbbb1'] }, account: MEMBER_B };

  function host(profileForAccount?: AgentToolHost['profileForAccount']) {
    const runs: Array<{ mode: string; profile?: string }> = [];
    const outcome = (mode: string) =>
      ({
        status: mode === 'dry-run' ? 'dry-run' : 'succeeded',
        operationId: 'ec2.instances.stop',
        correlationId: 'c-1',
        resourceIds: [],
        backups: [],
        durationMs: 0,
        caller: 'lm-tool',
        mode,
      }) as unknown as RunOutcome;
    const agentHost: AgentToolHost = {
      run: async (_id, _input, options) => {
        runs.push({ mode: options.mode, profile: options.profile });
        return outcome(options.mode);
      },
      environmentResolver: async () => () => ({ name: 'unknown', protected: false }),
      currentRegion: async () => 'us-east-1',
      ...(profileForAccount ? { profileForAccount } : {}),
    };
    return { agentHost, runs };
  }

  it('passes the checked runner key to the dry-run and the execution', async () => {
    const { agentHost, runs } = host(async (account) => ({ profile: `default::${account}` }));
    await prepareToolCall(stopSpec, call, agentHost);
    const payload = await invokeToolCall(stopSpec, call, agentHost);
    assert.equal(payload.status, 'succeeded');
    assert.deepEqual(runs, [
      { mode: 'dry-run', profile: `default::${MEMBER_B}` },
      { mode: 'execute', profile: `default::${MEMBER_B}` },
    ]);
  });

  it('refuses, running nothing, when the account is not reachable or the host cannot reach accounts', async () => {
    for (const profileForAccount of [
      async () => ({ problem: 'Account 222222222222 is not in the organization.' }),
      undefined,
    ]) {
      const { agentHost, runs } = host(profileForAccount);
      const prepared = await prepareToolCall(stopSpec, call, agentHost);
      assert.equal(prepared.kind, 'message');
      const payload = await invokeToolCall(stopSpec, call, agentHost);
      assert.equal(payload.status, 'refused');
      assert.match(payload.summary, /not in the organization|Not supported yet/);
      assert.deepEqual(runs, []);
    }
  });
});
