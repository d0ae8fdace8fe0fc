/**
 * Recovery plans on Step Functions that act in the protection groups' account: the compiler puts the member
 * role on every DRS, SSM and Backup task (Credentials.RoleArn) and nowhere else, the execution role may only
 * assume that role (besides its own SQS calls), and deployment refuses what cannot run.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DrReads } from '../../src/core/dr/aws';
import type { Wave } from '../../src/core/dr/model';
import { buildExecutionPlan, type ExecutionPlan } from '../../src/core/dr/planner';
import type { PlanResolution, ServerInfo } from '../../src/core/dr/selection';
import {
  compilePlan,
  memberTaskRole,
  partitionOf,
  PlanCompileError,
  type AslDefinition,
} from '../../src/core/dr/stepFunctions/compile';
import { buildExecutionPolicy } from '../../src/core/dr/stepFunctions/policy';
import { prepareDeployment } from '../../src/core/dr/stepFunctions/service';
import { buildPlanTemplate } from '../../src/core/dr/stepFunctions/template';
import { group, plan } from '../support/dr';

const aslValidator = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText(): string };

const REGION = 'us-east-1';
const MACHINE = '111111111111';
const MEMBER = '222222222222';
const ROLE_ARN = `arn:aws:iam::${MEMBER}:role/OrganizationAccountAccessRole`;
const TASK_ROLE = { arn: ROLE_ARN, account: MEMBER };

function executionPlan(waves: Wave[]): ExecutionPlan {
  const resolution: PlanResolution = {
    groups: [],
    inventory: {},
    waves: waves.map((wave, index) => ({
      wave: wave.name,
      servers: [0, 1].map((n): ServerInfo => ({
        sourceServerId: `s-${String(index * 10 + n).padStart(17, '0')}`,
        region: REGION,
        hostname: `${wave.name}-${n}`,
        tags: {},
      })),
      missingServerIds: [],
      missingGroups: [],
      origins: {},
    })),
  };
  return buildExecutionPlan(plan('shop', waves), resolution, 'drill', REGION);
}

/** Every Task state, nested branches and Map processors included. */
function tasks(definition: { States: Record<string, Record<string, unknown>> }): Record<string, unknown>[] {
  return Object.values(definition.States).flatMap((state) => [
    ...(state.Type === 'Task' ? [state] : []),
    ...((state.Branches as (typeof definition)[] | undefined) ?? []).flatMap(tasks),
    ...(state.ItemProcessor ? tasks(state.ItemProcessor as typeof definition) : []),
  ]);
}

function validate(definition: AslDefinition): void {
  const result = aslValidator(JSON.parse(JSON.stringify(definition)));
  assert.ok(result.isValid, result.errorsText());
}

const everyKind: Wave[] = [
  {
    name: 'db',
    protectionGroups: ['db'],
    preActions: [{ type: 'ssmAutomation', documentName: 'Shop-HealthCheck', parameters: { Tier: ['db'] }, retries: 1 }],
    postActions: [
      {
        type: 'backupRestore',
        backupVaultName: 'Default',
        recoveryPointArn: 'arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0',
        metadata: {},
        iamRoleArn: `arn:aws:iam::${MEMBER}:role/BackupRestore`,
        timeoutSeconds: 600,
      },
    ],
  },
  {
    name: 'app',
    protectionGroups: ['app'],
    dependsOn: ['db'],
    pauseBeforeWave: true,
    postActions: [
      { type: 'approval', message: 'Check the app tier.' },
      { type: 'wait', seconds: 5 },
    ],
  },
] as Wave[];

describe('Step Functions across accounts: compiler', () => {
  it('puts the member role on every DRS, SSM and Backup task, not on SQS approvals; valid ASL', () => {
    const compiled = compilePlan(executionPlan(everyKind), { region: REGION, taskRole: TASK_ROLE });
    validate(compiled.definition);
    const all = tasks(compiled.definition);
    const sdk = all.filter((task) => String(task.Resource).startsWith('arn:aws:states:::aws-sdk:'));
    const sqs = all.filter((task) => String(task.Resource).startsWith('arn:aws:states:::sqs:'));
    const services = new Set(sdk.map((task) => String(task.Resource).split(':')[6]));
    assert.deepEqual([...services].sort(), ['backup', 'drs', 'ssm'], 'all three services are compiled');
    for (const task of sdk) assert.deepEqual(task.Credentials, { RoleArn: ROLE_ARN }, String(task.Resource));
    assert.equal(sqs.length, 2, 'the pause and the approval');
    for (const task of sqs) assert.equal(task.Credentials, undefined, 'approvals use the machine account queue');
    assert.deepEqual(compiled.taskRole, TASK_ROLE);
  });

  it('a plan in the machine account compiles without Credentials (unchanged)', () => {
    const compiled = compilePlan(executionPlan(everyKind), { region: REGION });
    assert.ok(tasks(compiled.definition).every((task) => !('Credentials' in task)));
    assert.deepEqual(compiled.taskRoleCalls, []);
    assert.equal(compiled.taskRole, undefined);
    assert.ok(!compiled.calls.some((call) => call.action === 'sts:AssumeRole'));
  });

  it('the execution role may assume exactly the member role; the task role calls name the member account', () => {
    const compiled = compilePlan(executionPlan(everyKind), { region: REGION, taskRole: TASK_ROLE });
    const policy = buildExecutionPolicy(compiled.calls);
    assert.deepEqual(
      policy.Statement.map((s) => [s.Action[0], s.Resource]),
      [
        ['sqs:SendMessage', ['${ApprovalQueueArn}']],
        ['sts:AssumeRole', [ROLE_ARN]],
      ],
    );
    const actions = compiled.taskRoleCalls.map((call) => call.action);
    for (const action of [
      'drs:StartRecovery',
      'drs:DescribeJobs',
      'ssm:StartAutomationExecution',
      'backup:StartRestoreJob',
    ])
      assert.ok(actions.includes(action), action);
    const start = compiled.taskRoleCalls.find((call) => call.action === 'drs:StartRecovery')!;
    assert.ok(
      start.resources.every((arn) =>
        arn.startsWith(`arn:\${AWS::Partition}:drs:\${AWS::Region}:${MEMBER}:source-server/`),
      ),
      start.resources.join(', '),
    );
    // The template's role gets the same two statements.
    const template = buildPlanTemplate({ planName: 'shop', planHash: 'h', compiled }) as {
      Resources: {
        ExecutionRole: { Properties: { Policies: { PolicyDocument: { Statement: { Action: string[] }[] } }[] } };
      };
    };
    assert.deepEqual(
      template.Resources.ExecutionRole.Properties.Policies[0].PolicyDocument.Statement.map((s) => s.Action[0]),
      ['sqs:SendMessage', 'sts:AssumeRole'],
    );
  });

  it('for any plan shape, Credentials are on exactly the aws-sdk tasks when there is a task role', () => {
    const action = fc.constantFrom<object>(
      { type: 'ssmAutomation', documentName: 'Doc', parameters: {}, retries: 0 },
      { type: 'wait', seconds: 1 },
      { type: 'approval', message: 'ok?' },
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ pre: fc.array(action, { maxLength: 2 }), pause: fc.boolean(), dependsOnPrevious: fc.boolean() }),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        fc.boolean(),
        (shape, withRole) => {
          const waves = shape.map((wave, index) => ({
            name: `w${index}`,
            protectionGroups: [`g${index}`],
            ...(index > 0 && wave.dependsOnPrevious ? { dependsOn: [`w${index - 1}`] } : {}),
            ...(wave.pause ? { pauseBeforeWave: true } : {}),
            preActions: wave.pre,
          })) as Wave[];
          const compiled = compilePlan(executionPlan(waves), {
            region: REGION,
            ...(withRole ? { taskRole: TASK_ROLE } : {}),
          });
          for (const task of tasks(compiled.definition)) {
            const sdk = String(task.Resource).startsWith('arn:aws:states:::aws-sdk:');
            assert.deepEqual(task.Credentials, sdk && withRole ? { RoleArn: ROLE_ARN } : undefined);
          }
          assert.equal(
            compiled.calls.some((call) => call.action === 'sts:AssumeRole'),
            withRole,
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses a task role outside its account, and builds partition-aware member role ARNs', () => {
    assert.throws(
      () =>
        compilePlan(executionPlan(everyKind), {
          region: REGION,
          taskRole: { arn: ROLE_ARN, account: '333333333333' },
        }),
      PlanCompileError,
    );
    assert.equal(memberTaskRole(MEMBER, 'DrRole', 'eu-west-1').arn, `arn:aws:iam::${MEMBER}:role/DrRole`);
    assert.equal(memberTaskRole(MEMBER, 'DrRole', 'cn-north-1').arn, `arn:aws-cn:iam::${MEMBER}:role/DrRole`);
    assert.equal(memberTaskRole(MEMBER, 'DrRole', 'us-gov-west-1').arn, `arn:aws-us-gov:iam::${MEMBER}:role/DrRole`);
    assert.equal(partitionOf('us-iso-east-1'), 'aws-iso');
    assert.throws(() => memberTaskRole(MEMBER, 'role/with/slash', REGION), /not an IAM role name/);
    assert.throws(() => memberTaskRole('12345', 'DrRole', REGION), /not an AWS account ID/);
  });
});

describe('Step Functions across accounts: prepareDeployment refusals', () => {
  const reads = (account: string) => ({ account: async () => account }) as unknown as DrReads;
  const twoAccounts = plan('split', [
    { name: 'a', protectionGroups: ['in-b'] },
    { name: 'b', protectionGroups: ['in-c'] },
  ]);

  it('still refuses a plan whose groups are in several accounts', async () => {
    await assert.rejects(
      prepareDeployment({
        plan: twoAccounts,
        groups: [
          group('in-b', { Role: 'db' }, { account: MEMBER }),
          group('in-c', { Role: 'app' }, { account: '333333333333' }),
        ],
        reads: reads(MEMBER),
        region: REGION,
        machineAccount: MACHINE,
      }),
      /several accounts.*Split it into one plan per account/,
    );
  });

  it('refuses reads of another account than the groups (preflight must read the member account)', async () => {
    await assert.rejects(
      prepareDeployment({
        plan: plan('p', [{ name: 'a', protectionGroups: ['in-b'] }]),
        groups: [group('in-b', { Role: 'db' }, { account: MEMBER })],
        reads: reads(MACHINE),
        region: REGION,
        machineAccount: MACHINE,
      }),
      new RegExp(`are in account ${MEMBER}, but the DRS reads are of account ${MACHINE}`),
    );
  });
});
