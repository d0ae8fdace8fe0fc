import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  PROTECTION_GROUP_SCHEMA,
  RECOVERY_PLAN_SCHEMA,
  closest,
  validateAgainstSchema,
} from '../../src/core/dr/schema';

const root = resolve(__dirname, '..', '..', '..');

describe('DR JSON schemas', () => {
  it('schemas/*.schema.json are exactly the schemas the parser validates with', () => {
    assert.deepEqual(
      JSON.parse(readFileSync(join(root, 'schemas', 'protection-group.schema.json'), 'utf8')),
      PROTECTION_GROUP_SCHEMA,
    );
    assert.deepEqual(
      JSON.parse(readFileSync(join(root, 'schemas', 'recovery-plan.schema.json'), 'utf8')),
      RECOVERY_PLAN_SCHEMA,
    );
  });

  it('reports every issue with its path', () => {
    const issues = validateAgainstSchema(
      {
        schemaVersion: 2,
        kind: 'ProtectionGroup',
        name: 'bad name',
        region: 'nowhere',
        selection: { tags: { '': 'x' } },
        extra: 1,
      },
      PROTECTION_GROUP_SCHEMA,
    );
    assert.deepEqual(
      issues.map((i) => `${i.path.join('.')}:${i.code}`).sort(),
      ['extra:additionalProperties', 'name:pattern', 'region:pattern', 'selection.tags.:minLength'].sort(),
    );
  });

  it('suggests close names only', () => {
    assert.equal(closest('dependOn', ['dependsOn', 'name']), 'dependsOn');
    assert.equal(closest('zzz', ['dependsOn', 'name']), undefined);
  });
});
