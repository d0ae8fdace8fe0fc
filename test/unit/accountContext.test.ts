// The account context of previews, approvals and answers: account ID, organization name and IAM alias; the bold
// line of a change outside the chat's active account; aliases kept per account; the account a DR plan runs in.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { renderAnswerContext, renderConfirmation } from '../../src/core/conversation/render';
import { planAccount } from '../../src/core/dr/accounts';
import { accountText, crossAccountNote, formatPreview, type OperationPreview } from '../../src/core/operations/preview';
import { AccountAliasCache } from '../../src/core/organizations/accountAliases';

const ACTIVE = '111122223333';
const MEMBER = '444455556666';

function preview(extra: Partial<OperationPreview> = {}): OperationPreview {
  return {
    correlationId: 'c-1',
    operationId: 'ec2.instances.stop',
    title: 'Stop instances',
    kind: 'write',
    destructive: false,
    caller: 'lm-tool',
    summary: 'Stop 1 instance',
    account: MEMBER,
    region: 'eu-west-1',
    environments: ['production'],
    protectedEnvironments: ['production'],
    resources: [],
    changes: [],
    cost: { direction: 'decrease', note: 'Less.' },
    backups: { required: false, planned: [] },
    permission: { status: 'allowed', detail: 'ok' },
    rollback: { supported: true },
    warnings: [],
    dependencies: [],
    guardrails: { verdict: 'allowed', refusals: [] },
    ...extra,
  } as OperationPreview;
}

describe('account context in previews, approvals and answers', () => {
  it('names the account by ID, organization name and IAM alias', () => {
    assert.equal(accountText({ account: MEMBER }), MEMBER);
    assert.equal(accountText({ account: MEMBER, accountAlias: 'acme-prod' }), `${MEMBER} (alias acme-prod)`);
    assert.equal(accountText({ account: MEMBER, accountName: 'prod-app' }), `prod-app (${MEMBER})`);
    assert.equal(
      accountText({ account: MEMBER, accountName: 'prod-app', accountAlias: 'acme-prod' }),
      `prod-app (${MEMBER}, alias acme-prod)`,
    );
    assert.equal(accountText({ account: MEMBER, accountName: 'same', accountAlias: 'same' }), `same (${MEMBER})`);
    assert.match(
      formatPreview(preview({ accountAlias: 'acme-prod' })),
      new RegExp(`Account ${MEMBER} \\(alias acme-prod\\), region eu-west-1, environment production \\(protected\\)`),
    );
  });

  it('says in bold when a change is not in the chat’s active account, and not otherwise', () => {
    const elsewhere = preview({ accountAlias: 'acme-prod' });
    const note = crossAccountNote(elsewhere, ACTIVE);
    assert.equal(
      note,
      `This change is in account ${MEMBER} (alias acme-prod), not the chat's active account ${ACTIVE}.`,
    );
    const markdown = renderConfirmation(elsewhere, formatPreview(elsewhere, ACTIVE), ACTIVE);
    assert.ok(
      markdown.startsWith(
        `**This change is in account ${MEMBER} \\(alias acme-prod\\), not the chat's active account ${ACTIVE}.**`,
      ),
      markdown.slice(0, 200),
    );
    assert.match(markdown, /alias `acme-prod`/);

    const here = preview({ account: ACTIVE });
    assert.equal(crossAccountNote(here, ACTIVE), undefined);
    assert.ok(!renderConfirmation(here, formatPreview(here, ACTIVE), ACTIVE).includes('This change is in account'));
    assert.equal(crossAccountNote(here), undefined, 'no active account known: nothing claimed');

    const member = preview({ accountName: 'prod-app', reachedFrom: 'org-management' });
    assert.match(
      crossAccountNote(member, ACTIVE)!,
      /member account reached from profile "org-management".*active account is 111122223333/,
    );
    assert.match(
      renderConfirmation(member, formatPreview(member)),
      /^\*\*This change is in account prod-app \\\(444455556666\\\), a member account/,
    );
  });

  it('puts the account, alias and region under every chat answer', () => {
    assert.equal(
      renderAnswerContext({ account: ACTIVE, alias: 'acme-dev', region: 'us-east-1', profile: 'dev' }),
      '_Account `111122223333` (alias `acme-dev`) · region `us-east-1` · profile `dev`_',
    );
    assert.match(renderAnswerContext({ region: 'us-east-1', profile: 'dev' }), /Account unknown/);
  });

  it('reads an alias once per account, keeps it, and retries a failed read only after a while', async () => {
    let now = 0;
    const cache = new AccountAliasCache(() => now);
    let reads = 0;
    const read = async () => (reads++, 'acme');
    assert.equal(await cache.aliasOf(ACTIVE, read), 'acme');
    assert.equal(await cache.aliasOf(ACTIVE, read), 'acme');
    assert.equal(reads, 1);
    assert.equal(await cache.aliasOf(MEMBER, read), 'acme');
    assert.equal(reads, 2, 'per account');

    let failures = 0;
    const failing = async (): Promise<string | undefined> => {
      failures++;
      throw new Error('AccessDenied');
    };
    assert.equal(await cache.aliasOf('999999999999', failing), undefined);
    assert.equal(await cache.aliasOf('999999999999', failing), undefined);
    assert.equal(failures, 1, 'a failure is kept for a while');
    now += 6 * 60_000;
    assert.equal(await cache.aliasOf('999999999999', failing), undefined);
    assert.equal(failures, 2, 'and read again after it');
    now += 61 * 60_000;
    assert.equal(await cache.aliasOf(ACTIVE, read), 'acme');
    assert.equal(reads, 3, 'an alias is read again after an hour');
  });
});

describe('the account a DR plan runs in', () => {
  const plan = (groups: string[][]) => ({
    waves: groups.map((protectionGroups, index) => ({ name: `w${index}`, protectionGroups })),
  });

  it('is the one account its groups name, none, or a problem for several', () => {
    assert.deepEqual(planAccount(plan([['a']]), [{ name: 'a' }]), {});
    assert.deepEqual(planAccount(plan([['a'], ['b']]), [{ name: 'a', account: MEMBER }, { name: 'b' }]), {
      account: MEMBER,
    });
    const several = planAccount(plan([['a', 'b']]), [
      { name: 'a', account: MEMBER },
      { name: 'b', account: ACTIVE },
    ]);
    assert.equal(several.account, undefined);
    assert.match(several.problem!, /several accounts .*444455556666: a; 111122223333: b/);
    assert.deepEqual(
      planAccount(plan([['a']]), [
        { name: 'a', account: MEMBER },
        { name: 'unused', account: ACTIVE },
      ]),
      { account: MEMBER },
      'groups the plan does not use do not count',
    );
  });

  it('is a problem exactly when the used groups name more than one account', () => {
    const accountArb = fc.option(fc.constantFrom(ACTIVE, MEMBER, '777788889999'), { nil: undefined });
    fc.assert(
      fc.property(
        fc.array(accountArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(5), { minLength: 1, maxLength: 6 }),
        (accounts, used) => {
          const groups = accounts.map((account, index) => ({ name: `g${index}`, ...(account ? { account } : {}) }));
          const names = [...new Set(used.filter((index) => index < groups.length).map((index) => `g${index}`))];
          const result = planAccount(plan([names]), groups);
          const distinct = new Set(groups.filter((g) => names.includes(g.name) && g.account).map((g) => g.account));
          if (distinct.size > 1) return result.problem !== undefined && result.account === undefined;
          return result.problem === undefined && result.account === [...distinct][0];
        },
      ),
    );
  });
});
