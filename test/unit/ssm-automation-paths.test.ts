import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { resolveParameters, selectJsonPath } from '../../tools/emulators/ssm/automation';

describe('SSM Automation emulator: parameter references and property selectors', () => {
  const response = {
    Reservations: [
      { Instances: [{ InstanceId: 'i-1', State: { Name: 'running' } }] },
      {
        Instances: [
          { InstanceId: 'i-2', State: { Name: 'stopped' } },
          { InstanceId: 'i-3', State: { Name: 'running' } },
        ],
      },
    ],
  };

  it('selects members, indexes and [*] fan-out', () => {
    assert.deepEqual(selectJsonPath(response, '$.Reservations[*].Instances[*].State.Name'), [
      'running',
      'stopped',
      'running',
    ]);
    assert.deepEqual(selectJsonPath(response, '$.Reservations[1].Instances[0].InstanceId'), ['i-2']);
    assert.deepEqual(selectJsonPath(response, '$.Reservations[5].Instances'), []);
    assert.deepEqual(selectJsonPath(response, '$'), [response]);
  });

  it('refuses JSONPath it does not implement instead of guessing', () => {
    for (const path of ['Reservations', '$..InstanceId', '$.Reservations[?(@.x)]', "$['Reservations']"])
      assert.equal(selectJsonPath(response, path), undefined, path);
  });

  it('never throws on arbitrary paths and values', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.jsonValue(), (path, value) => {
        const result = selectJsonPath(value, path);
        assert.ok(result === undefined || Array.isArray(result));
      }),
    );
  });

  it('resolves {{ Param }}: a whole StringList reference is a list, other references are joined text', () => {
    const parameters = { Roles: ['db', 'app'], Role: ['web'] };
    const lists = new Set(['Roles']);
    assert.deepEqual(
      resolveParameters(
        {
          Filters: [
            { Name: 'tag:Role', Values: '{{ Roles }}' },
            { Name: 'tag:Role', Values: ['{{Role}}', 'x'] },
          ],
        },
        parameters,
        lists,
      ),
      {
        Filters: [
          { Name: 'tag:Role', Values: ['db', 'app'] },
          { Name: 'tag:Role', Values: ['web', 'x'] },
        ],
      },
    );
    assert.deepEqual(resolveParameters(['{{ Roles }}'], parameters, lists), ['db', 'app']);
    assert.equal(
      resolveParameters('tier {{ Roles }} and {{ Missing }}', parameters, lists),
      'tier db,app and {{ Missing }}',
    );
  });
});
