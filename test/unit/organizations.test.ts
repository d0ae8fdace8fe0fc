import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluateGuardrails } from '../../src/core/guardrails/evaluate';
import { DEFAULT_GUARDRAIL_POLICY } from '../../src/core/guardrails/policy';
import {
  fanOutRead,
  parseAccountsSelector,
  parseMemberProfileName,
  memberProfileName,
  selectAccounts,
} from '../../src/core/organizations';
import type { OrganizationTree } from '../../src/core/organizations';
import type { RunOutcome } from '../../src/core/operations/runner';
import { OrganizationsClient, organizationsCommand } from '../../src/core/aws/organizationsService';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';

function outcome(partial: Partial<RunOutcome>): RunOutcome {
  return {
    status: 'succeeded',
    correlationId: 'c',
    operationId: 'ec2.instances.list',
    mode: 'execute',
    caller: 'chat',
    resourceIds: [],
    backups: [],
    durationMs: 1,
    ...partial,
  } as RunOutcome;
}

describe('organizations: cross-account fan-out', () => {
  it('reads every page of every account and region, keeps each failure, and never exceeds the concurrency', async () => {
    let running = 0;
    let peak = 0;
    const calls: string[] = [];
    const result = await fanOutRead({
      operationId: 'ec2.instances.list',
      accounts: [{ id: A, name: 'prod' }, { id: B }, { id: C, name: 'locked' }],
      regions: ['us-east-1', 'eu-west-1'],
      caller: 'chat',
      concurrency: 2,
      runnerFor: async (accountId) => {
        if (accountId === C)
          throw Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' });
        return {
          run: async (_operation: string, input: unknown, options: object) => {
            running++;
            peak = Math.max(peak, running);
            await new Promise((resolve) => setTimeout(resolve, 5));
            running--;
            const { region } = options as { region: string };
            const token = (input as { nextToken?: string }).nextToken;
            calls.push(`${accountId}/${region}/${token ?? 'first'}`);
            if (accountId === B && region === 'eu-west-1')
              return outcome({
                status: 'failed',
                error: { kind: 'throttled', code: 'Throttling', message: 'Rate exceeded', hint: 'wait' },
              });
            return outcome({
              output: token ? { items: [`${accountId}-2`] } : { items: [`${accountId}-1`], nextToken: 't' },
            });
          },
        };
      },
    });
    assert.ok(peak <= 2, `at most 2 at once, saw ${peak}`);
    assert.deepEqual(
      result.rows.map((row) => [row.accountId, row.region, row.items.length]),
      [
        [A, 'us-east-1', 2],
        [A, 'eu-west-1', 2],
        [B, 'us-east-1', 2],
      ],
    );
    assert.deepEqual(
      result.failures.map((failure) => [failure.accountId, failure.regions, failure.code]),
      [
        [B, ['eu-west-1'], 'Throttling'],
        [C, ['us-east-1', 'eu-west-1'], 'AccessDenied'],
      ],
    );
    assert.equal(result.calls, calls.length);
  });

  it('selects accounts by ID, by OU (recursively, active only) and "all"', () => {
    const account = (id: string, status = 'ACTIVE') => ({
      id,
      name: `n${id}`,
      status,
      parentId: 'x',
      path: [],
      tags: {},
      environment: { name: 'unknown', source: 'unknown' as const, protected: false },
    });
    const tree: OrganizationTree = {
      id: 'o-1',
      managementAccountId: A,
      accounts: [account(A), account(B), account(C, 'SUSPENDED')],
      roots: [
        {
          id: 'r-ab12',
          name: 'Root',
          kind: 'root',
          accounts: [account(A)],
          units: [
            {
              id: 'ou-ab12-cd345678',
              name: 'W',
              kind: 'unit',
              accounts: [account(B), account(C, 'SUSPENDED')],
              units: [],
            },
          ],
        },
      ],
    };
    assert.deepEqual(
      selectAccounts('all', tree).accounts.map((entry) => entry.id),
      [A, B],
    );
    assert.deepEqual(
      selectAccounts('ou:ou-ab12-cd345678', tree).accounts.map((entry) => entry.id),
      [B],
    );
    assert.deepEqual(
      selectAccounts('ou:r-ab12', tree).accounts.map((entry) => entry.id),
      [A, B],
    );
    assert.match(selectAccounts('ou:ou-zz12-cd345678', tree).problem ?? '', /no root or organizational unit/);
    assert.deepEqual(selectAccounts([C, C], undefined).accounts, [{ id: C }]);
    assert.ok(selectAccounts('all', undefined).problem);
  });

  it('finds the accounts selector in chat text, and nothing in text without one (property)', () => {
    assert.deepEqual(parseAccountsSelector('instances accounts: all').selector, 'all');
    assert.deepEqual(parseAccountsSelector(`instances accounts ${A},${B}`).selector, [A, B]);
    assert.deepEqual(parseAccountsSelector('volumes accounts=ou:ou-ab12-cd345678').selector, 'ou:ou-ab12-cd345678');
    assert.deepEqual(parseAccountsSelector('instances across all accounts'), { selector: 'all', rest: 'instances' });
    assert.match(parseAccountsSelector('instances accounts ou:nope').problem ?? '', /not an OU/);
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const parsed = parseAccountsSelector(text);
        if (!/accounts?/i.test(text)) assert.equal(parsed.selector, undefined);
        assert.ok(parsed.rest.length <= Math.min(text.length, 2_000) + 1);
      }),
    );
  });

  it('names member runners after their profile and account, and reads the name back', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.stringMatching(/^\d{12}$/), (profile, account) => {
        assert.deepEqual(parseMemberProfileName(memberProfileName(profile, account)), {
          baseProfile: profile,
          accountId: account,
        });
      }),
    );
    assert.equal(parseMemberProfileName('default'), undefined);
  });
});

describe('organizations: service control policies are protected by default', () => {
  const facts = {
    kind: 'write' as const,
    resources: [{ type: 'organizations:unit', id: 'ou-ab12-cd345678', action: 'attach policy to', tags: {} }],
    account: A,
    now: new Date('2026-01-01T12:00:00Z'),
    recentMutations: 0,
    hasBackupPlan: false,
  };

  it('needs an approval in any environment, even where nothing else is protected', () => {
    const plain = evaluateGuardrails(
      { ...DEFAULT_GUARDRAIL_POLICY, confirmationRequiredFor: [], approvalRequiredFor: [] },
      facts,
    );
    assert.equal(plain.approval, undefined);
    const protectedOne = evaluateGuardrails(
      { ...DEFAULT_GUARDRAIL_POLICY, confirmationRequiredFor: [], approvalRequiredFor: [] },
      { ...facts, protectedReason: 'SCPs bind every account.' },
    );
    assert.equal(protectedOne.approval?.level, 'approve');
    assert.deepEqual(protectedOne.protectedEnvironments, ['organization']);
    assert.equal(protectedOne.approval?.requiredConfirmation, 'organization');
    assert.ok(protectedOne.approval?.reasons.includes('SCPs bind every account.'));
    const read = evaluateGuardrails(DEFAULT_GUARDRAIL_POLICY, { ...facts, kind: 'read', protectedReason: 'x' });
    assert.equal(read.approval, undefined);
  });
});

describe('organizations: the SDK client by action name', () => {
  it('refuses what is not an action name, and an action the SDK does not have, before any request', async () => {
    assert.throws(() => organizationsCommand('listAccounts'), /not an Organizations action name/);
    assert.throws(() => organizationsCommand('List Accounts'), /not an Organizations action name/);
    const client = new OrganizationsClient({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9',
      maxAttempts: 1,
      credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }),
    });
    try {
      await assert.rejects(
        client.send(organizationsCommand('LaunchRockets')),
        /Organizations has no action "LaunchRockets"/,
      );
    } finally {
      client.destroy();
    }
  });
});
