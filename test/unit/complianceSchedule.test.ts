import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { fixRequestFor } from '../../src/core/compliance/remediation';
import { resolveSchedule } from '../../src/core/compliance/schedule';
import { finding } from '../support/complianceSamples';

describe('compliance schedule setting', () => {
  it('is off by default and only the user turns it on', () => {
    assert.deepEqual(resolveSchedule(undefined), { minutes: 0, ignored: [] });
    assert.equal(resolveSchedule({ globalValue: 60 }).minutes, 60);
    const fromWorkspace = resolveSchedule({ workspaceValue: 30 });
    assert.equal(fromWorkspace.minutes, 0);
    assert.match(fromWorkspace.ignored[0], /cannot turn the schedule on/);
  });

  it('lets a workspace turn it off or run it less often, never more often', () => {
    assert.equal(resolveSchedule({ globalValue: 60, workspaceValue: 0 }).minutes, 0);
    assert.equal(resolveSchedule({ globalValue: 60, workspaceValue: 240 }).minutes, 240);
    const faster = resolveSchedule({ globalValue: 60, workspaceFolderValue: 15 });
    assert.equal(faster.minutes, 60);
    assert.match(faster.ignored[0], /cannot run checks more often/);
    assert.equal(resolveSchedule({ globalValue: 1 }).minutes, 15, 'at least 15 minutes');
    assert.match(resolveSchedule({ globalValue: 60, workspaceValue: 'often' }).ignored[0], /not a number/);
  });

  it('never runs more often than the user allows, whatever the workspace says (property)', () => {
    const value = fc.oneof(fc.integer({ min: -5, max: 20_000 }), fc.constant(undefined), fc.string(), fc.double());
    fc.assert(
      fc.property(value, value, value, (globalValue, workspaceValue, workspaceFolderValue) => {
        const user = resolveSchedule({ globalValue }).minutes;
        const { minutes } = resolveSchedule({ globalValue, workspaceValue, workspaceFolderValue });
        if (user === 0) assert.equal(minutes, 0);
        else assert.ok(minutes === 0 || minutes >= user);
      }),
    );
  });
});

describe('compliance fix requests', () => {
  it('passes a fix with an operation through, with the finding region', () => {
    const request = fixRequestFor(
      finding({
        fix: {
          description: 'Require IMDSv2.',
          operationId: 'ec2.requireImdsv2',
          input: { instanceId: 'i-0123456789abcdef0' },
        },
        region: 'eu-west-1',
      }),
    );
    assert.deepEqual(
      request && { id: request.operationId, input: request.input, region: request.region, ask: request.askValues },
      {
        id: 'ec2.requireImdsv2',
        input: { instanceId: 'i-0123456789abcdef0' },
        region: 'eu-west-1',
        ask: [],
      },
    );
    assert.equal(fixRequestFor(finding()), undefined, 'no operation: no automatic fix');
  });

  it('turns a tag finding into tagging.enforceTags {resources, tags} and asks for the values it does not know', () => {
    const request = fixRequestFor(
      finding({
        ruleId: 'tagPolicy.requiredTags',
        resource: { type: 'AWS::EC2::Instance', id: 'i-0123456789abcdef0' },
        fix: {
          description: 'Tag it.',
          operationId: 'tagging.enforceTags',
          input: {
            resourceId: 'i-0123456789abcdef0',
            resourceType: 'AWS::EC2::Instance',
            tags: { CostCenter: '42' },
            missingTags: ['CostCenter', 'Owner', 'Environment'],
            allowedValues: { Environment: ['dev', 'prod'] },
          },
        },
      }),
    );
    assert.deepEqual(request?.input, {
      resources: [{ type: 'AWS::EC2::Instance', id: 'i-0123456789abcdef0' }],
      tags: { CostCenter: '42' },
    });
    assert.deepEqual(request?.askValues, [{ key: 'Owner' }, { key: 'Environment', allowed: ['dev', 'prod'] }]);
  });
});
