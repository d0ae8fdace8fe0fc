import * as assert from 'node:assert/strict';
import {
  DEFAULT_GUARDRAIL_POLICY,
  evaluateGuardrails,
  resolveEnvironment,
  resolveGuardrailPolicy,
  type GuardrailFacts,
  type GuardrailPolicy,
} from '../../src/core/guardrails';
import type { TargetResource } from '../../src/core/operations/types';

const ACCOUNT = '111122223333';
const MONDAY_NOON_UTC = new Date('2025-01-06T12:00:00Z');

function policy(settings: Record<string, unknown> = {}): GuardrailPolicy {
  return resolveGuardrailPolicy({ settings }).policy;
}

function instance(id: string, tags: Record<string, string> = {}, extra: Partial<TargetResource> = {}): TargetResource {
  return { type: 'ec2:instance', id, action: 'terminate', tags, ...extra };
}

function facts(resources: TargetResource[], overrides: Partial<GuardrailFacts> = {}): GuardrailFacts {
  return {
    kind: 'write',
    resources,
    account: ACCOUNT,
    now: MONDAY_NOON_UTC,
    recentMutations: 0,
    hasBackupPlan: false,
    ...overrides,
  };
}

describe('environment resolution', () => {
  const base = policy();
  it('reads the environment from the configured tag keys, without regard to key case', () => {
    assert.deepEqual(resolveEnvironment({ environment: 'prod' }, ACCOUNT, base), {
      name: 'prod',
      source: 'tag',
      tagKey: 'environment',
      protected: true,
    });
    assert.equal(resolveEnvironment({ Stage: 'dev' }, ACCOUNT, base).name, 'dev');
    assert.equal(resolveEnvironment({ Tier: 'prod' }, ACCOUNT, base).name, 'unknown');
    assert.equal(resolveEnvironment({ Tier: 'prod' }, ACCOUNT, policy({ environmentTagKeys: ['Tier'] })).name, 'prod');
  });

  it('lets a protected value win when tags disagree', () => {
    assert.equal(resolveEnvironment({ env: 'dev', Environment: 'Production' }, ACCOUNT, base).name, 'Production');
  });

  it('falls back to the account map, then to unknown', () => {
    const mapped = policy({ accountEnvironments: { [ACCOUNT]: 'production' } });
    assert.deepEqual(resolveEnvironment({}, ACCOUNT, mapped), {
      name: 'production',
      source: 'account',
      protected: true,
    });
    assert.deepEqual(resolveEnvironment({}, '999999999999', mapped), {
      name: 'unknown',
      source: 'unknown',
      protected: false,
    });
    assert.equal(
      resolveEnvironment({}, undefined, policy({ treatUnknownEnvironmentAsProtected: true })).protected,
      true,
    );
  });
});

describe('guardrail evaluation', () => {
  it('never gates reads', () => {
    const result = evaluateGuardrails(
      policy({ maxResourcesPerOperation: 1 }),
      facts([instance('i-1', { env: 'prod' }), instance('i-2')], { kind: 'read' }),
    );
    assert.deepEqual(result.refusals, []);
    assert.equal(result.approval, undefined);
  });

  it('allows a write in an unprotected environment without asking', () => {
    const result = evaluateGuardrails(policy(), facts([instance('i-1', { env: 'dev' })]));
    assert.deepEqual(result.refusals, []);
    assert.equal(result.approval, undefined);
    assert.deepEqual(result.environments, ['dev']);
  });

  it('asks for a confirmation before a delete outside protected environments', () => {
    const result = evaluateGuardrails(policy(), facts([instance('i-1', { env: 'dev' })], { kind: 'delete' }));
    assert.equal(result.approval?.level, 'confirm');
    assert.equal(result.approval?.requiredConfirmation, undefined);
  });

  it('asks for an approval with the typed environment name in a protected environment', () => {
    const result = evaluateGuardrails(
      policy(),
      facts([instance('i-1', { env: 'dev' }), instance('i-2', { Environment: 'prod' })]),
    );
    assert.equal(result.approval?.level, 'approve');
    assert.equal(result.approval?.requiredConfirmation, 'prod');
    assert.deepEqual(result.environments, ['prod', 'dev'], 'the protected environment comes first');
    assert.deepEqual(result.protectedEnvironments, ['prod']);
  });

  it('only asks for approval for the kinds the policy names', () => {
    const result = evaluateGuardrails(
      policy({ approvalRequiredFor: ['delete'], confirmationRequiredFor: [] }),
      facts([instance('i-1', { env: 'prod' })]),
    );
    assert.equal(result.approval, undefined);
  });

  it('refuses more resources than the limit', () => {
    const many = Array.from({ length: 4 }, (_, index) => instance(`i-${index}`));
    const result = evaluateGuardrails(
      policy({ maxResourcesPerOperation: 3 }),
      facts([...many, { ...instance('vpc-1'), role: 'context' }]),
    );
    assert.equal(result.refusals[0].code, 'max-resources');
    assert.match(result.refusals[0].message, /4 resources.*at most 3/);
    assert.deepEqual(
      evaluateGuardrails(policy({ maxResourcesPerOperation: 4 }), facts(many)).refusals,
      [],
      'context resources do not count',
    );
  });

  it('refuses to delete a resource with a protection tag, unless the tag is switched off', () => {
    const result = evaluateGuardrails(policy(), facts([instance('i-1', { donotdelete: 'true' })], { kind: 'delete' }));
    assert.equal(result.refusals[0].code, 'protection-tag');
    assert.deepEqual(result.refusals[0].resourceIds, ['i-1']);
    assert.deepEqual(
      evaluateGuardrails(policy(), facts([instance('i-1', { DoNotDelete: 'false' })], { kind: 'delete' })).refusals,
      [],
    );
    assert.deepEqual(
      evaluateGuardrails(policy(), facts([instance('i-1', { DoNotDelete: 'yes' })], { kind: 'write' })).refusals,
      [],
      'writes are not blocked by it',
    );
  });

  it('needs an approval to remove or switch off a protection tag, in any environment', () => {
    const removing = evaluateGuardrails(
      policy(),
      facts([instance('i-1', { DoNotDelete: 'true', env: 'dev' }, { removesTags: ['DoNotDelete'] })]),
    );
    assert.equal(removing.approval?.level, 'approve');
    assert.equal(removing.approval?.requiredConfirmation, 'dev');
    const switchingOff = evaluateGuardrails(
      policy(),
      facts([instance('i-1', {}, { setsTags: { DoNotDelete: 'false' } })]),
    );
    assert.equal(switchingOff.approval?.level, 'approve');
  });

  it('refuses outside the change window of a governed environment', () => {
    const windows = policy({ changeWindows: [{ days: ['sat'], start: '10:00', end: '12:00', timeZone: 'UTC' }] });
    const prod = evaluateGuardrails(windows, facts([instance('i-1', { env: 'prod' })]));
    assert.equal(prod.refusals[0].code, 'change-window');
    assert.match(prod.refusals[0].message, /prod.*outside the change window/);
    assert.deepEqual(evaluateGuardrails(windows, facts([instance('i-1', { env: 'dev' })])).refusals, []);
  });

  it('refuses when the rate limit is reached', () => {
    const result = evaluateGuardrails(
      policy({ maxMutationsPerMinute: 2 }),
      facts([instance('i-1')], { recentMutations: 2 }),
    );
    assert.equal(result.refusals[0].code, 'rate-limit');
  });

  it('requires a backup before delete as the policy says', () => {
    const prodDelete = facts([instance('i-1', { env: 'prod' })], { kind: 'delete', hasBackupPlan: true });
    const devDelete = facts([instance('i-1', { env: 'dev' })], { kind: 'delete', hasBackupPlan: true });
    assert.equal(evaluateGuardrails(policy(), devDelete).backupRequired, true);
    assert.equal(evaluateGuardrails(policy({ backupBeforeDelete: 'protected' }), devDelete).backupRequired, false);
    assert.equal(evaluateGuardrails(policy({ backupBeforeDelete: 'protected' }), prodDelete).backupRequired, true);
    assert.equal(evaluateGuardrails(policy({ backupBeforeDelete: 'never' }), prodDelete).backupRequired, false);
    assert.equal(evaluateGuardrails(policy(), { ...devDelete, hasBackupPlan: false }).backupRequired, false);
  });

  it('collects every refusal, not just the first', () => {
    const result = evaluateGuardrails(
      policy({
        maxResourcesPerOperation: 1,
        changeWindows: [{ days: ['sat'], start: '10:00', end: '12:00', timeZone: 'UTC' }],
      }),
      facts([instance('i-1', { env: 'prod', DoNotDelete: '1' }), instance('i-2')], { kind: 'delete' }),
    );
    assert.deepEqual(
      result.refusals.map((refusal) => refusal.code),
      ['max-resources', 'protection-tag', 'change-window'],
    );
  });

  it('keeps the default policy frozen', () => {
    assert.throws(
      () => ((DEFAULT_GUARDRAIL_POLICY as { maxResourcesPerOperation: number }).maxResourcesPerOperation = 99),
    );
  });
});
