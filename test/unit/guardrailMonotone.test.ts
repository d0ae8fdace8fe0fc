import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  evaluateGuardrails,
  resolveEnvironment,
  resolveGuardrailPolicy,
  type GuardrailEvaluation,
  type GuardrailFacts,
} from '../../src/core/guardrails';
import { WEEKDAYS } from '../../src/core/guardrails/policySchema';
import { resolveWorkspacePolicy } from '../../src/core/settings/guardrailSettings';
import type { TargetResource } from '../../src/core/operations/types';

// Small pools, so generated settings, workspace files and resources keep meeting each other.
const ACCOUNTS = ['123456789012', '210987654321', '111122223333'];
const TAG_KEYS = ['Environment', 'env', 'stage', 'Name', 'Owner', 'team', 'DoNotDelete', 'Keep', 'Tier'];
const ENVIRONMENTS = ['prod', 'production', 'Production', 'staging', 'dev', 'sandbox', 'web-1', 'unknown', 'qa'];
const TIME_ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Mars/Olympus'];
const KINDS = ['write', 'delete'] as const;

const tagKey = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...TAG_KEYS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
const environment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...ENVIRONMENTS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
const account = fc.constantFrom(...ACCOUNTS);
const clock = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 30))
    .map(([hours, minutes]) => `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`),
  fc.constant('24:00'),
);
const changeWindow = fc.record(
  {
    name: fc.string({ maxLength: 8 }),
    environments: fc.array(environment, { maxLength: 3 }),
    days: fc.subarray([...WEEKDAYS], { minLength: 1 }),
    start: clock,
    end: clock,
    timeZone: fc.constantFrom(...TIME_ZONES),
  },
  { requiredKeys: ['days', 'start', 'end', 'timeZone'] },
);

const APPROVERS = ['alice@example.com', 'bob@example.com', 'ops-team', 'Carol'];
const approvalRule = fc.record(
  {
    environments: fc.array(environment, { minLength: 1, maxLength: 3 }),
    kinds: fc.subarray([...KINDS], { minLength: 1 }),
    operations: fc.array(
      fc.constantFrom('ec2.instances.terminate', 'ec2.instances.stop', 'drs.recovery.start:recovery'),
      {
        minLength: 1,
        maxLength: 2,
      },
    ),
    system: fc.constantFrom('modal', 'jira', 'servicenow'),
    approvers: fc.array(fc.constantFrom(...APPROVERS), { minLength: 1, maxLength: 3 }),
    approvalsNeeded: fc.integer({ min: 1, max: 3 }),
    timeoutMinutes: fc.integer({ min: 1, max: 120 }),
    assignmentGroup: fc.constantFrom('CAB', 'Ops'),
  },
  { requiredKeys: ['environments', 'system'] },
);

/** Every policy field with a valid value. */
const validFields = {
  environmentTagKeys: fc.array(tagKey, { minLength: 1, maxLength: 4 }),
  accountEnvironments: fc.dictionary(account, environment, { maxKeys: 3 }),
  protectedEnvironments: fc.array(environment, { maxLength: 4 }),
  treatUnknownEnvironmentAsProtected: fc.boolean(),
  approvalRequiredFor: fc.subarray([...KINDS]),
  confirmationRequiredFor: fc.subarray([...KINDS]),
  changeWindows: fc.array(changeWindow, { maxLength: 3 }),
  maxResourcesPerOperation: fc.integer({ min: 1, max: 12 }),
  protectionTags: fc.array(tagKey, { maxLength: 3 }),
  backupBeforeDelete: fc.constantFrom('always', 'protected', 'never'),
  maxMutationsPerMinute: fc.integer({ min: 1, max: 40 }),
  auditReads: fc.boolean(),
  approvals: fc.array(approvalRule, { maxLength: 3 }),
};
type FieldName = keyof typeof validFields;

const junk = fc.jsonValue({ maxDepth: 2 });
/** Each field valid, or junk of any JSON type. */
const fieldOrJunk = Object.fromEntries(
  Object.entries(validFields).map(([name, valid]) => [
    name,
    fc.oneof({ weight: 4, arbitrary: valid as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: junk }),
  ]),
) as Record<FieldName, fc.Arbitrary<unknown>>;

const settingsArbitrary = fc.record(validFields, { requiredKeys: [] });

/** A workspace layer as an object: any subset of the schema's fields, junk values, unknown keys. */
const layerObject = fc
  .tuple(
    fc.record(fieldOrJunk, { requiredKeys: [] }),
    fc.dictionary(fc.string({ maxLength: 8 }), junk, { maxKeys: 2 }),
    fc.boolean(),
  )
  .map(([fields, unknown, withUnknown]) =>
    withUnknown ? { $schema: './schema.json', ...unknown, ...fields } : fields,
  );

/** The workspace file's text: JSON of a layer (sometimes with a comment, sometimes cut short), or any text. */
const workspaceText = fc.oneof(
  { weight: 8, arbitrary: layerObject.map((layer) => JSON.stringify(layer, null, 2)) },
  { weight: 1, arbitrary: layerObject.map((layer) => `// team policy\n${JSON.stringify(layer)}`) },
  {
    weight: 1,
    arbitrary: fc.tuple(layerObject, fc.nat()).map(([layer, cut]) => {
      const text = JSON.stringify(layer);
      return text.slice(0, cut % (text.length + 1));
    }),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: junk.map((value) => JSON.stringify(value)) },
);

const tags = fc.dictionary(tagKey, fc.oneof(environment, fc.constantFrom('true', 'false', 'yes', '0', ' ')), {
  maxKeys: 4,
});
const resource: fc.Arbitrary<TargetResource> = fc.record(
  {
    type: fc.constant('ec2:instance'),
    id: fc.constantFrom('i-1', 'i-2', 'i-3'),
    action: fc.constant('change'),
    tags,
    role: fc.constantFrom('target', 'context'),
    removesTags: fc.array(tagKey, { maxLength: 2 }),
    setsTags: fc.dictionary(tagKey, fc.constantFrom('false', 'true', 'off'), { maxKeys: 2 }),
  },
  { requiredKeys: ['type', 'id', 'action', 'tags'] },
);
const facts: fc.Arbitrary<GuardrailFacts> = fc.record({
  kind: fc.constantFrom('read', 'write', 'delete'),
  resources: fc.array(resource, { minLength: 1, maxLength: 3 }),
  account,
  now: fc.date({ min: new Date('2025-01-06T00:00:00Z'), max: new Date('2025-01-13T00:00:00Z'), noInvalidDate: true }),
  recentMutations: fc.integer({ min: 0, max: 45 }),
  hasBackupPlan: fc.boolean(),
  operationId: fc.constantFrom(
    'ec2.instances.terminate',
    'ec2.instances.stop',
    'ec2.volumes.delete',
    'drs.recovery.start',
  ),
  operationVariant: fc.constantFrom(undefined, 'recovery', 'drill'),
});

const scenario = fc.record({
  settings: settingsArbitrary,
  files: fc.array(workspaceText, { minLength: 1, maxLength: 2 }),
  workspaceSettings: fc.option(layerObject, { nil: undefined }),
  facts,
});

const approvalRank = (evaluation: GuardrailEvaluation) =>
  evaluation.approval?.level === 'approve' ? 2 : evaluation.approval ? 1 : 0;

describe('workspace guardrails are monotone (property)', () => {
  it('whatever the workspace files and workspace settings say, no resource, approval, refusal or backup is lost', function () {
    this.timeout(120_000);
    fc.assert(
      fc.property(scenario, ({ settings, files, workspaceSettings, facts: situation }) => {
        const floor = resolveGuardrailPolicy({ settings }).policy;
        const paths = files.map((text, index) => ({ path: `/ws${index}/.pilotlight/guardrails.json`, text }));
        const merged = resolveWorkspacePolicy(settings, paths, workspaceSettings).policy;

        for (const item of situation.resources) {
          const before = resolveEnvironment(item.tags, situation.account, floor);
          const after = resolveEnvironment(item.tags, situation.account, merged);
          if (before.protected)
            assert.ok(
              after.protected,
              `${JSON.stringify(item.tags)} in ${situation.account}: protected "${before.name}" became unprotected "${after.name}"`,
            );
        }
        const before = evaluateGuardrails(floor, situation);
        const after = evaluateGuardrails(merged, situation);
        assert.ok(
          approvalRank(after) >= approvalRank(before),
          `approval ${before.approval?.level} became ${after.approval?.level ?? 'none'}`,
        );
        const refusals = new Set(after.refusals.map((refusal) => refusal.code));
        for (const refusal of before.refusals)
          assert.ok(refusals.has(refusal.code), `refusal ${refusal.code} was lost`);
        if (before.backupRequired) assert.ok(after.backupRequired, 'the backup before delete was lost');
        if (floor.auditReads) assert.ok(merged.auditReads, 'reads stopped being audited');

        // The approval rules: never a weaker system, fewer approvals, a longer wait, or more people who may approve.
        const required = before.approval?.requirement;
        if (required) {
          const now = after.approval?.requirement;
          assert.ok(now, `the approval requirement through ${required.system} was lost`);
          if (required.system !== 'modal') assert.notEqual(now.system, 'modal', 'an external approval became modal');
          assert.ok(now.approvalsNeeded >= required.approvalsNeeded, 'fewer approvals needed');
          assert.ok(now.timeoutMinutes <= required.timeoutMinutes, 'a longer approval timeout');
          if (required.approvers) {
            assert.ok(now.approvers, 'the approver list was dropped');
            const allowed = new Set(required.approvers.map((name) => name.toLowerCase()));
            for (const name of now.approvers) assert.ok(allowed.has(name.toLowerCase()), `approver ${name} was added`);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
