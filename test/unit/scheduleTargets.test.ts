// Instance schedule targets in plain Node: the StartAutomationExecution Input a tag schedule stores, reading a
// stored target back (property-tested: round trip, and never throwing on arbitrary input), and the emulator's
// pieces that resolve a rate-controlled execution (one tag target, MaxConcurrency/MaxErrors, universal targets).
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  automationInput,
  automationTagProblem,
  describeSelector,
  INSTANCE_ACTION_TARGETS,
  isEnvironmentTagKey,
  readScheduleTarget,
  START_AUTOMATION_TARGET,
} from '../../src/core/cost/scheduleTargets';
import { scheduleTargetFor } from '../../src/core/operations/costSchedules';
import { AWS_OWNED_DOCUMENTS } from '../../tools/emulators/ssm/awsOwnedDocuments';
import { rateLimit, resolveParameters, tagTargetOf } from '../../tools/emulators/ssm/automation';
import { universalTarget } from '../../tools/emulators/scheduler/fire';

const ROLE = 'arn:aws:iam::123456789012:role/PilotLightInstanceScheduler';
const AUTOMATION_ROLE = 'arn:aws:iam::123456789012:role/PilotLightInstanceSchedulerAutomation';

describe('instance schedule targets', () => {
  it('builds the StartAutomationExecution input of a tag schedule', () => {
    assert.deepEqual(automationInput('stop', 'Environment', 'dev', AUTOMATION_ROLE), {
      DocumentName: 'AWS-StopEC2Instance',
      TargetParameterName: 'InstanceId',
      Targets: [{ Key: 'tag:Environment', Values: ['dev'] }],
      MaxConcurrency: '10',
      MaxErrors: '10',
      Parameters: { AutomationAssumeRole: [AUTOMATION_ROLE] },
    });
    assert.equal(automationInput('start', 'env', 'qa', AUTOMATION_ROLE).DocumentName, 'AWS-StartEC2Instance');
  });

  it('gives a tag schedule the SSM universal target and an ID schedule the EC2 one', () => {
    const tag = scheduleTargetFor(
      { action: 'start', tagKey: 'Environment', tagValue: 'dev' },
      ['i-0123456789abcdef0'],
      ROLE,
      AUTOMATION_ROLE,
    );
    assert.equal(tag.Arn, 'arn:aws:scheduler:::aws-sdk:ssm:startAutomationExecution');
    assert.equal(tag.RoleArn, ROLE);
    assert.deepEqual(JSON.parse(tag.Input), automationInput('start', 'Environment', 'dev', AUTOMATION_ROLE));
    const ids = scheduleTargetFor(
      { action: 'stop', instanceIds: ['i-0123456789abcdef0'] },
      ['i-0123456789abcdef0'],
      ROLE,
      AUTOMATION_ROLE,
    );
    assert.deepEqual(ids, {
      Arn: 'arn:aws:scheduler:::aws-sdk:ec2:stopInstances',
      RoleArn: ROLE,
      Input: JSON.stringify({ InstanceIds: ['i-0123456789abcdef0'] }),
    });
  });

  it('reads back what it built (property)', () => {
    const tagKey = fc.stringMatching(/^[A-Za-z0-9 _.:/=@-]{1,128}$/);
    fc.assert(
      fc.property(
        fc.constantFrom('stop' as const, 'start' as const),
        tagKey,
        fc.string({ minLength: 1, maxLength: 256 }).filter((value) => !/[*?]/.test(value)),
        (action, key, value) => {
          assert.equal(automationTagProblem(key, value), undefined);
          const input = JSON.stringify(automationInput(action, key, value, AUTOMATION_ROLE));
          assert.deepEqual(readScheduleTarget(START_AUTOMATION_TARGET, input), {
            kind: 'tag',
            action,
            tagKey: key,
            tagValue: value,
            automationRoleArn: AUTOMATION_ROLE,
          });
        },
      ),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom('stop' as const, 'start' as const),
        fc.array(fc.stringMatching(/^i-[0-9a-f]{17}$/), { maxLength: 20 }),
        (action, ids) => {
          const read = readScheduleTarget(INSTANCE_ACTION_TARGETS[action], JSON.stringify({ InstanceIds: ids }));
          assert.deepEqual(read, { kind: 'instance-ids', action, instanceIds: ids });
        },
      ),
    );
  });

  it('reads any other target or malformed input as "other" without throwing (property)', () => {
    const arn = fc.oneof(
      fc.constant(START_AUTOMATION_TARGET),
      fc.constant(INSTANCE_ACTION_TARGETS.stop),
      fc.string({ maxLength: 80 }),
    );
    const input = fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 3 }), fc.constant(undefined));
    fc.assert(
      fc.property(arn, input, (target, text) => {
        const read = readScheduleTarget(target, text);
        assert.ok(['instance-ids', 'tag', 'other'].includes(read.kind));
        if (read.kind === 'tag') assert.equal(target, START_AUTOMATION_TARGET);
        assert.equal(typeof describeSelector(read), 'string');
      }),
      { numRuns: 500 },
    );
    assert.deepEqual(readScheduleTarget('arn:aws:lambda:us-east-1:123456789012:function:f', '{}'), {
      kind: 'other',
      target: 'arn:aws:lambda:us-east-1:123456789012:function:f',
    });
    // Two tag targets (which AWS refuses) or another document are not a schedule this module made.
    const two = {
      ...automationInput('stop', 'A', 'b', AUTOMATION_ROLE),
      Targets: [
        { Key: 'tag:A', Values: ['b'] },
        { Key: 'tag:C', Values: ['d'] },
      ],
    };
    assert.equal(readScheduleTarget(START_AUTOMATION_TARGET, JSON.stringify(two)).kind, 'other');
    const otherDocument = {
      ...automationInput('stop', 'A', 'b', AUTOMATION_ROLE),
      DocumentName: 'AWS-RestartEC2Instance',
    };
    assert.equal(readScheduleTarget(START_AUTOMATION_TARGET, JSON.stringify(otherDocument)).kind, 'other');
    assert.equal(readScheduleTarget(START_AUTOMATION_TARGET, `{"x":"${'a'.repeat(9000)}"}`).kind, 'other');
  });

  it('describes selectors and knows environment tag keys without regard to case', () => {
    assert.equal(
      describeSelector({ kind: 'tag', action: 'stop', tagKey: 'Env', tagValue: 'dev' }),
      'instances tagged Env=dev, resolved when it runs',
    );
    assert.equal(
      describeSelector({ kind: 'instance-ids', action: 'stop', instanceIds: ['i-1', 'i-2'] }),
      'instances i-1, i-2',
    );
    assert.ok(isEnvironmentTagKey('environment', ['Environment', 'env', 'stage']));
    assert.ok(isEnvironmentTagKey('STAGE', ['Environment', 'env', 'stage']));
    assert.ok(!isEnvironmentTagKey('team', ['Environment', 'env', 'stage']));
  });

  it('says why a tag cannot be an Automation target', () => {
    assert.match(automationTagProblem('cost+center', 'x') ?? '', /cannot be an SSM Automation target/);
    assert.match(automationTagProblem('Environment', '') ?? '', /needs a tag value/);
    assert.match(automationTagProblem('Environment', 'dev*') ?? '', /no \* or \? wildcards/);
    assert.equal(automationTagProblem('aws:cloudformation:stack-name', 'web'), undefined);
  });
});

describe('SSM Automation emulator: rate-control targets and AWS-owned documents', () => {
  it('takes exactly one tag target, as AWS does', () => {
    assert.deepEqual(tagTargetOf([{ Key: 'tag:Environment', Values: ['dev', 'qa'] }]), {
      key: 'Environment',
      values: ['dev', 'qa'],
    });
    assert.throws(
      () =>
        tagTargetOf([
          { Key: 'tag:Environment', Values: ['dev'] },
          { Key: 'tag:Team', Values: ['web'] },
        ]),
      /Only one resource group or tag can be specified at a time/,
    );
    assert.throws(() => tagTargetOf([]), /one target/);
    assert.throws(
      () => tagTargetOf([{ Key: 'ResourceGroup', Values: ['g'] }]),
      /not supported by the SSM Automation emulator/,
    );
    assert.throws(() => tagTargetOf([{ Key: 'tag:Environment', Values: [] }]), /1-50 string values/);
    assert.throws(() => tagTargetOf([{ Key: 'tag:Environment', Values: ['dev', 3] }]), /1-50 string values/);
  });

  it('turns MaxConcurrency and MaxErrors into counts', () => {
    assert.equal(rateLimit('10', 3, 1), 10);
    assert.equal(rateLimit('50%', 3, 1), 2);
    assert.equal(rateLimit('10%', 0, 1), 1);
    assert.equal(rateLimit('0', 5, 0), 0);
    assert.equal(rateLimit('10%', 50, 0), 5);
  });

  it('reads universal target ARNs and nothing else', () => {
    assert.deepEqual(universalTarget('arn:aws:scheduler:::aws-sdk:ssm:startAutomationExecution'), {
      service: 'ssm',
      action: 'startAutomationExecution',
    });
    assert.deepEqual(universalTarget(INSTANCE_ACTION_TARGETS.start), { service: 'ec2', action: 'startInstances' });
    assert.equal(universalTarget('arn:aws:lambda:us-east-1:123456789012:function:f'), undefined);
    assert.equal(universalTarget('arn:aws:scheduler:::aws-sdk:ssm:start-automation'), undefined);
  });

  it('serves AWS-StopEC2Instance and AWS-StartEC2Instance with an InstanceId list resolved into the step', () => {
    for (const [name, state] of [
      ['AWS-StopEC2Instance', 'stopped'],
      ['AWS-StartEC2Instance', 'running'],
    ] as const) {
      const document = AWS_OWNED_DOCUMENTS.get(name);
      assert.ok(document, name);
      assert.equal(document.content.parameters.InstanceId.type, 'StringList');
      assert.equal(document.content.parameters.AutomationAssumeRole.default, '');
      const [step] = document.content.mainSteps;
      assert.equal(step.action, 'aws:changeInstanceState');
      assert.deepEqual(
        resolveParameters(step.inputs, { InstanceId: ['i-0123456789abcdef0'] }, new Set(['InstanceId'])),
        { InstanceIds: ['i-0123456789abcdef0'], DesiredState: state },
      );
    }
  });
});
