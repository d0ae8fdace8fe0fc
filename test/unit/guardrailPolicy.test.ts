import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_GUARDRAIL_POLICY,
  formatPolicyProblem,
  guardrailsJsonSchema,
  parseGuardrailsFile,
  readWorkspaceGuardrailsFile,
  resolveGuardrailPolicy,
} from '../../src/core/guardrails';
import { tempDir } from '../support/operationHarness';

const FILE = '/repo/.pilotlight/guardrails.json';

describe('guardrail policy', () => {
  it('uses safe defaults when nothing is configured', () => {
    const { policy, problems } = resolveGuardrailPolicy({});
    assert.deepEqual(problems, []);
    assert.deepEqual(policy.protectedEnvironments, ['prod', 'production']);
    assert.deepEqual(policy.approvalRequiredFor, ['write', 'delete']);
    assert.deepEqual(policy.protectionTags, ['DoNotDelete']);
    assert.equal(policy.backupBeforeDelete, 'always');
    assert.equal(policy.maxResourcesPerOperation, 10);
    assert.deepEqual(policy.environmentTagKeys, ['Environment', 'env', 'stage']);
  });

  it('lets settings change the defaults and reports bad settings without dropping good ones', () => {
    const { policy, problems } = resolveGuardrailPolicy({
      settings: {
        protectedEnvironments: ['live'],
        maxResourcesPerOperation: 'ten',
        backupBeforeDelete: 'protected',
        surprise: true,
      },
    });
    assert.deepEqual(policy.protectedEnvironments, ['live']);
    assert.equal(policy.backupBeforeDelete, 'protected');
    assert.equal(
      policy.maxResourcesPerOperation,
      DEFAULT_GUARDRAIL_POLICY.maxResourcesPerOperation,
      'the invalid value keeps the default',
    );
    assert.equal(problems.length, 2);
    assert.ok(problems.some((problem) => problem.field === 'maxResourcesPerOperation' && problem.severity === 'error'));
    assert.ok(problems.some((problem) => problem.field === 'surprise' && problem.severity === 'warning'));
  });

  it('applies a valid workspace file, which can only tighten', () => {
    const text = JSON.stringify({
      protectedEnvironments: ['staging'],
      maxResourcesPerOperation: 50,
      backupBeforeDelete: 'never',
      protectionTags: ['Keep'],
      accountEnvironments: { '111122223333': 'staging', '444455556666': 'dev' },
      changeWindows: [{ days: ['mon'], start: '09:00', end: '17:00', timeZone: 'UTC' }],
    });
    const { policy, problems, sources } = resolveGuardrailPolicy({
      settings: { maxResourcesPerOperation: 20, accountEnvironments: { '444455556666': 'prod' } },
      workspaceFile: { path: FILE, text },
    });
    assert.deepEqual(
      problems.map((problem) => [problem.field, problem.severity]),
      [
        ['accountEnvironments.444455556666', 'warning'],
        ['maxResourcesPerOperation', 'warning'],
        ['backupBeforeDelete', 'warning'],
      ],
      'loosening values are reported as ignored',
    );
    assert.deepEqual(sources, ['defaults', 'settings', FILE]);
    assert.deepEqual(policy.protectedEnvironments, ['prod', 'production', 'staging'], 'environments are added');
    assert.equal(policy.maxResourcesPerOperation, 20, 'a higher limit does not loosen');
    assert.equal(policy.backupBeforeDelete, 'always', '"never" does not loosen');
    assert.deepEqual(policy.protectionTags, ['DoNotDelete', 'Keep']);
    assert.equal(policy.accountEnvironments['111122223333'], 'staging', 'a new account mapping is added');
    assert.equal(
      policy.accountEnvironments['444455556666'],
      'prod',
      'an account is never moved out of a protected environment',
    );
    assert.equal(policy.changeWindows[0].source, FILE);
  });

  it('names the line and column of a JSON syntax error and keeps settings and defaults', () => {
    const text =
      '{\n  "protectedEnvironments": ["prod"],\n  "maxResourcesPerOperation": 5\n  "protectionTags": []\n}\n';
    const { policy, problems } = resolveGuardrailPolicy({
      settings: { maxResourcesPerOperation: 7 },
      workspaceFile: { path: FILE, text },
    });
    assert.equal(problems.length, 1);
    assert.equal(problems[0].line, 4);
    assert.equal(problems[0].column, 3);
    assert.match(problems[0].message, /Expected ","/);
    assert.match(formatPolicyProblem(problems[0]), /^\/repo\/\.pilotlight\/guardrails\.json:4:3: JSON syntax error/);
    assert.equal(policy.maxResourcesPerOperation, 7, 'settings stay in force');
    assert.deepEqual(policy.protectedEnvironments, ['prod', 'production'], 'defaults stay in force');
  });

  it('names the line and column of a schema error, drops only that field and keeps the rest of the file', () => {
    const text = [
      '{',
      '  "protectedEnvironments": ["staging"],',
      '  "changeWindows": [',
      '    { "days": ["mon"], "start": "09:00", "end": "17:00", "timeZone": "Mars/Olympus" }',
      '  ],',
      '  "maxResourcesPerOperation": 0,',
      '  "protectionTag": ["Keep"]',
      '}',
    ].join('\n');
    const parsed = parseGuardrailsFile(text, FILE);
    const byField = new Map(parsed.problems.map((problem) => [problem.field, problem]));
    assert.deepEqual(
      { line: byField.get('changeWindows.0.timeZone')?.line, column: byField.get('changeWindows.0.timeZone')?.column },
      { line: 4, column: text.split('\n')[3].indexOf('"Mars') + 1 },
    );
    assert.match(byField.get('changeWindows.0.timeZone')!.message, /IANA time zone/);
    assert.equal(byField.get('maxResourcesPerOperation')?.line, 6);
    assert.equal(byField.get('protectionTag')?.line, 7);
    assert.match(byField.get('protectionTag')!.message, /Unknown|Unrecognized/i);
    assert.deepEqual(parsed.value, { protectedEnvironments: ['staging'] });
    const { policy } = resolveGuardrailPolicy({ workspaceFile: { path: FILE, text } });
    assert.deepEqual(policy.protectedEnvironments, ['prod', 'production', 'staging']);
    assert.deepEqual(policy.changeWindows, []);
  });

  it('rejects a file that is not an object, and an empty file', () => {
    assert.match(parseGuardrailsFile('[1, 2]', FILE).problems[0].message, /JSON object/);
    assert.equal(parseGuardrailsFile('', FILE).value, undefined);
    assert.equal(parseGuardrailsFile('', FILE).problems.length, 1);
  });

  it('accepts comments and the $schema key', () => {
    const parsed = parseGuardrailsFile(
      '{\n  // team policy\n  "$schema": "./schema.json",\n  "auditReads": true\n}',
      FILE,
    );
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.value, { auditReads: true });
  });

  it('reads the workspace file from .pilotlight/guardrails.json', async () => {
    const dir = tempDir();
    try {
      assert.equal(await readWorkspaceGuardrailsFile(dir.path), undefined);
      const { mkdirSync, writeFileSync } = await import('node:fs');
      mkdirSync(join(dir.path, '.pilotlight'));
      writeFileSync(join(dir.path, '.pilotlight', 'guardrails.json'), '{"auditReads": true}');
      assert.deepEqual(await readWorkspaceGuardrailsFile(dir.path), {
        path: join(dir.path, '.pilotlight', 'guardrails.json'),
        text: '{"auditReads": true}',
      });
    } finally {
      dir.cleanup();
    }
  });

  it('ships schemas/guardrails.schema.json generated from the zod source', () => {
    const committed = JSON.parse(
      readFileSync(join(__dirname, '..', '..', '..', 'schemas', 'guardrails.schema.json'), 'utf8'),
    );
    assert.deepEqual(
      committed,
      JSON.parse(JSON.stringify(guardrailsJsonSchema())),
      'regenerate with: node -e "…guardrailsJsonSchema()" (see the report)',
    );
    assert.equal(committed.additionalProperties, false);
    assert.ok(committed.properties.changeWindows.items.properties.timeZone);
  });
});
