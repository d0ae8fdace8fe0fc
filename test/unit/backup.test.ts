import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseBackupPlanRequest } from '../../src/core/backup/chatIntent';
import {
  arnMatches,
  backupPlanDocument,
  backupSelectionDocument,
  scheduleExpressionOf,
  selectionRules,
  validatePlanSpec,
  type BackupPlanSpec,
} from '../../src/core/backup/planSpec';
import { DAY_MS, expectedWindowMs, HOUR_MS, scheduleIntervalMs, withinWindow } from '../../src/core/backup/schedule';
import { deleteOperationFor } from '../../src/core/backup/restoreTest';
import { parseDrDocument } from '../../src/core/dr/parse';
import { buildExecutionPlan } from '../../src/core/dr/planner';
import { RECOVERY_PLAN_SCHEMA, validateAgainstSchema } from '../../src/core/dr/schema';
import { compilePlan } from '../../src/core/dr/stepFunctions/compile';
import { buildExecutionPolicy } from '../../src/core/dr/stepFunctions/policy';

const ROLE = 'arn:aws:iam::123456789012:role/backup';

describe('AWS Backup: chat phrases', () => {
  it('reads the issue example: daily, 30 days, production databases', () => {
    const request = parseBackupPlanRequest('daily backups of all production databases, 30-day retention');
    assert.deepEqual(request, {
      frequency: 'daily',
      retentionDays: 30,
      selectionTags: { Environment: 'production' },
      resourceKinds: ['databases'],
      copyRegions: [],
      missing: [],
    });
  });

  it('reads tags, weeks of retention, weekdays, hours and copy regions', () => {
    const weekly = parseBackupPlanRequest(
      'weekly backup of volumes tagged backup=true on Sunday at 3am, keep 8 weeks, copy to us-west-2',
    );
    assert.ok(weekly);
    assert.equal(weekly.frequency, 'weekly');
    assert.equal(weekly.weekday, 'SUN');
    assert.equal(weekly.hourUtc, 3);
    assert.equal(weekly.retentionDays, 56);
    assert.deepEqual(weekly.selectionTags, { backup: 'true' });
    assert.deepEqual(weekly.resourceKinds, ['volumes']);
    assert.deepEqual(weekly.copyRegions, ['us-west-2']);
    const hourly = parseBackupPlanRequest('back up staging instances every 6 hours for 7 days');
    assert.equal(hourly?.frequency, 'hourly');
    assert.equal(hourly?.everyHours, 6);
    assert.equal(hourly?.retentionDays, 7);
    assert.deepEqual(hourly?.selectionTags, { Environment: 'staging' });
  });

  it('names what is missing, and ignores questions and unrelated text', () => {
    assert.deepEqual(parseBackupPlanRequest('create a backup plan')?.missing, ['frequency', 'retention', 'selection']);
    assert.equal(parseBackupPlanRequest('show my backups'), undefined);
    assert.equal(parseBackupPlanRequest('scale the web service to 3'), undefined);
  });

  it('property: any text gives undefined or a well-formed request, in bounded time', () => {
    const words = fc.constantFrom(
      'daily',
      'weekly',
      'backup',
      'backups',
      'of',
      'production',
      'databases',
      'tagged',
      'team=web',
      'keep',
      '30',
      'days',
      '12-week',
      'retention',
      'copy',
      'to',
      'eu-west-1',
      'every',
      '4',
      'hours',
      'at',
      '23:00',
      'on',
      'friday',
      '=',
      '-',
      ' ',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 2000 }),
          fc.array(words, { maxLength: 60 }).map((w) => w.join(' ')),
        ),
        (text) => {
          const started = Date.now();
          const request = parseBackupPlanRequest(text);
          assert.ok(Date.now() - started < 1000, 'generous bound: linear-time parse');
          if (!request) return;
          if (request.retentionDays !== undefined)
            assert.ok(Number.isInteger(request.retentionDays) && request.retentionDays >= 0);
          if (request.hourUtc !== undefined) assert.ok(request.hourUtc >= 0 && request.hourUtc <= 23);
          for (const region of request.copyRegions) assert.match(region, /^[a-z]{2}(-[a-z]+)+-\d$/);
          assert.equal(request.missing.includes('frequency'), request.frequency === undefined);
          assert.equal(request.missing.includes('selection'), Object.keys(request.selectionTags).length === 0);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('property: a phrase built from its parts reads back to those parts', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('daily', 'weekly', 'monthly'),
        fc.integer({ min: 1, max: 999 }),
        fc.constantFrom('days', 'weeks', 'months'),
        fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,15}$/),
        fc.stringMatching(/^[a-z0-9]{1,12}$/),
        (frequency, n, unit, key, value) => {
          const request = parseBackupPlanRequest(
            `${frequency} backups of resources tagged ${key}=${value}, keep ${n} ${unit}`,
          );
          assert.ok(request);
          assert.equal(request.frequency, frequency);
          assert.equal(request.retentionDays, n * { days: 1, weeks: 7, months: 30 }[unit]!);
          assert.deepEqual(request.selectionTags, { [key]: value });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('AWS Backup: schedule windows', () => {
  it('knows the common schedules', () => {
    assert.equal(scheduleIntervalMs('cron(0 5 ? * * *)'), DAY_MS);
    assert.equal(scheduleIntervalMs('cron(0 5 * * ? *)'), DAY_MS);
    assert.equal(scheduleIntervalMs('cron(0 0/6 * * ? *)'), 6 * HOUR_MS);
    assert.equal(scheduleIntervalMs('cron(0 5 ? * SUN *)'), 7 * DAY_MS);
    assert.equal(scheduleIntervalMs('cron(0 5 ? * MON,THU *)'), 4 * DAY_MS);
    assert.equal(scheduleIntervalMs('cron(0 5 1 * ? *)'), 31 * DAY_MS);
    assert.equal(scheduleIntervalMs('rate(12 hours)'), 12 * HOUR_MS);
    assert.equal(scheduleIntervalMs('cron(0 5 ? 1 MON 2027)'), undefined, 'one month of one year: not understood');
    assert.equal(scheduleIntervalMs('cron(*/5 * * * ? *)'), undefined);
    assert.equal(
      expectedWindowMs({ ScheduleExpression: 'cron(0 5 ? * * *)', StartWindowMinutes: 60 }),
      DAY_MS + HOUR_MS,
    );
    assert.equal(expectedWindowMs({ ScheduleExpression: 'nonsense' }), undefined);
  });

  it('property: every plan spec schedule is understood, and its window covers one full interval plus the start window', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('hourly', 'daily', 'weekly', 'monthly' as const),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom(1, 2, 3, 4, 6, 8, 12),
        fc.constantFrom('SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'),
        fc.integer({ min: 60, max: 1440 }),
        (frequency, hourUtc, everyHours, weekday, startWindow) => {
          const spec = { frequency, hourUtc, everyHours, weekday } as BackupPlanSpec;
          const expression = scheduleExpressionOf(spec);
          const interval = scheduleIntervalMs(expression);
          const expected = { hourly: everyHours * HOUR_MS, daily: DAY_MS, weekly: 7 * DAY_MS, monthly: 31 * DAY_MS }[
            frequency
          ];
          assert.equal(interval, expected, expression);
          const window = expectedWindowMs({ ScheduleExpression: expression, StartWindowMinutes: startWindow })!;
          assert.equal(window, expected + startWindow * 60_000);
        },
      ),
    );
  });

  it('property: a point is within the window exactly when its age is at most the window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 * DAY_MS }),
        fc.integer({ min: HOUR_MS, max: 40 * DAY_MS }),
        (age, window) => {
          const now = new Date('2026-12-06T12:00:00Z');
          assert.equal(withinWindow(new Date(now.getTime() - age), now, window), age <= window);
        },
      ),
    );
  });

  it('property: schedule parsing never throws and refuses long input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const value = scheduleIntervalMs(`cron(${text})`);
        assert.ok(value === undefined || (Number.isFinite(value) && value > 0));
      }),
    );
    assert.equal(scheduleIntervalMs(`rate(1 day)${' '.repeat(300)}`), undefined);
  });
});

describe('AWS Backup: plan documents and selections', () => {
  const spec: BackupPlanSpec = {
    name: 'prod-daily',
    frequency: 'daily',
    retentionDays: 30,
    vaultName: 'Default',
    selectionTags: { Environment: 'production' },
    resourceKinds: ['databases'],
    iamRoleArn: ROLE,
    copyTo: [{ region: 'us-west-2', vaultName: 'dr' }],
  };

  it('builds the plan with its copy rule and a tag-condition selection', () => {
    assert.deepEqual(validatePlanSpec(spec), []);
    const plan = backupPlanDocument(spec, '123456789012');
    assert.equal(plan.Rules[0].Lifecycle.DeleteAfterDays, 30);
    assert.equal(
      plan.Rules[0].CopyActions?.[0].DestinationBackupVaultArn,
      'arn:aws:backup:us-west-2:123456789012:backup-vault:dr',
    );
    const selection = backupSelectionDocument(spec);
    assert.deepEqual(selectionRules(selection), {
      tags: { Environment: 'production' },
      resources: ['arn:aws:rds:*:*:db:*', 'arn:aws:rds:*:*:cluster:*'],
    });
  });

  it('refuses specs AWS Backup would refuse or that select nothing', () => {
    assert.ok(validatePlanSpec({ ...spec, selectionTags: {} }).some((p) => /at least one tag/.test(p)));
    assert.ok(validatePlanSpec({ ...spec, coldStorageAfterDays: 10 }).some((p) => /90 days/.test(p)));
    assert.ok(validatePlanSpec({ ...spec, iamRoleArn: 'role' }).some((p) => /role ARN/.test(p)));
  });

  it('property: ARN globs match like a reference implementation', () => {
    const chars = fc.constantFrom('a', 'b', ':', '/', '*');
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 12 }).map((c) => c.join('')),
        fc.array(fc.constantFrom('a', 'b', ':', '/'), { maxLength: 12 }).map((c) => c.join('')),
        (pattern, arn) => {
          const reference = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*')}$`, 's');
          assert.equal(arnMatches(pattern, arn), pattern === '*' || reference.test(arn), `${pattern} ~ ${arn}`);
        },
      ),
    );
  });

  it('deletes restored volumes and instances with the registered deletes only', () => {
    assert.deepEqual(deleteOperationFor('arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0'), {
      operationId: 'ec2.volumes.delete',
      input: { volumeId: 'vol-0123456789abcdef0' },
    });
    assert.equal(deleteOperationFor('arn:aws:rds:us-east-1:123456789012:db:restored'), undefined);
  });
});

describe('DR plan schema: backupRestore actions', () => {
  const planText = (action: string) =>
    [
      'schemaVersion: 2',
      'kind: RecoveryPlan',
      'name: restore-plan',
      'waves:',
      '  - name: db',
      '    sourceServerIds: [s-0123456789abcdef0]',
      '    postActions:',
      `      - ${action}`,
    ].join('\n');

  it('accepts a restore action and plans it with its defaults', () => {
    const parsed = parseDrDocument(
      planText(
        '{ type: backupRestore, backupVaultName: Default, recoveryPointArn: "arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0", metadata: { volumeType: gp3 } }',
      ),
      'RecoveryPlan',
    );
    assert.deepEqual(
      parsed.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.equal(parsed.document?.kind, 'RecoveryPlan');
  });

  it('refuses unknown fields, a bad vault name and a missing recovery point', () => {
    const issues = (action: object) =>
      validateAgainstSchema(
        { schemaVersion: 2, kind: 'RecoveryPlan', name: 'p', waves: [{ name: 'w', postActions: [action] }] },
        RECOVERY_PLAN_SCHEMA,
      );
    assert.ok(issues({ type: 'backupRestore', backupVaultName: 'Default' }).length > 0);
    assert.ok(
      issues({
        type: 'backupRestore',
        backupVaultName: 'a b',
        recoveryPointArn: 'arn:aws:ec2:us-east-1::snapshot/snap-1',
      }).length > 0,
    );
    assert.ok(
      issues({
        type: 'backupRestore',
        backupVaultName: 'Default',
        recoveryPointArn: 'arn:aws:ec2:us-east-1::snapshot/snap-1',
        extra: 1,
      }).length > 0,
    );
    assert.deepEqual(
      issues({
        type: 'backupRestore',
        backupVaultName: 'Default',
        recoveryPointArn: 'arn:aws:ec2:us-east-1::snapshot/snap-1',
      }),
      [],
    );
  });

  it('compiles to startRestoreJob with a describeRestoreJob poll loop and a policy without wildcard actions', () => {
    const plan = {
      schemaVersion: 2 as const,
      kind: 'RecoveryPlan' as const,
      name: 'p',
      waves: [
        {
          name: 'w',
          postActions: [
            {
              type: 'backupRestore' as const,
              backupVaultName: 'Default',
              recoveryPointArn: 'arn:aws:ec2:us-east-1::snapshot/snap-1',
              iamRoleArn: ROLE,
              timeoutSeconds: 600,
            },
          ],
        },
      ],
    };
    const executionPlan = buildExecutionPlan(
      plan,
      {
        waves: [{ wave: 'w', servers: [], missingServerIds: [], missingGroups: [], origins: {} }],
        groups: [],
        inventory: {},
      },
      'drill',
      'us-east-1',
    );
    const compiled = compilePlan(executionPlan, { region: 'us-east-1', pollSeconds: 30 });
    const states = Object.values(compiled.definition.States).flatMap(function all(state): Record<string, unknown>[] {
      const nested = [
        ...((state.Branches as { States: Record<string, Record<string, unknown>> }[] | undefined) ?? []).flatMap((b) =>
          Object.values(b.States).flatMap(all),
        ),
        ...(state.ItemProcessor
          ? Object.values((state.ItemProcessor as { States: Record<string, Record<string, unknown>> }).States).flatMap(
              all,
            )
          : []),
      ];
      return [state, ...nested];
    });
    const resources = states.map((state) => state.Resource).filter(Boolean);
    assert.ok(resources.includes('arn:aws:states:::aws-sdk:backup:startRestoreJob'));
    assert.ok(resources.includes('arn:aws:states:::aws-sdk:backup:describeRestoreJob'));
    const check = states.find((state) => state.Type === 'Choice' && JSON.stringify(state).includes('$.restore.polls'))!;
    assert.ok(JSON.stringify(check).includes('"NumericGreaterThanEquals":19'), 'timeout 600 s / 30 s polls = 20 polls');
    const policy = buildExecutionPolicy(compiled.calls);
    assert.ok(policy.Statement.some((s) => s.Action[0] === 'iam:PassRole' && s.Resource[0] === ROLE));
  });
});

describe('AWS Backup: /backup in chat', () => {
  it('turns the sentence into a dry-run of backup.plans.create, with the assumed defaults said', async () => {
    const { answerBackupPlan } = await import('../../src/core/backup/chat');
    const answer = answerBackupPlan('daily backups of all production databases, 30-day retention', {
      account: '123456789012',
      region: 'eu-west-1',
    });
    assert.equal(answer.actions.length, 1);
    const action = answer.actions[0];
    assert.equal(action.kind, 'dry-run');
    assert.equal(action.kind === 'dry-run' && action.operationId, 'backup.plans.create');
    const input = (action as unknown as { input: BackupPlanSpec }).input;
    assert.equal(input.retentionDays, 30);
    assert.deepEqual(input.selectionTags, { Environment: 'production' });
    assert.deepEqual(validatePlanSpec(input), []);
    assert.match(answer.markdown, /123456789012 \/ eu-west-1/);
    assert.match(answer.markdown, /Default/);
    const incomplete = answerBackupPlan('backups of web servers', { account: '123456789012', region: 'eu-west-1' });
    assert.deepEqual(incomplete.actions, []);
    assert.match(incomplete.markdown, /could not read the frequency, retention, selection/);
  });
});
