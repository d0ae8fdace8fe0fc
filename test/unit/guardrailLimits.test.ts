import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  evaluateGuardrails,
  parseGuardrailsFile,
  readWorkspaceGuardrailsFile,
  resolveGuardrailPolicy,
} from '../../src/core/guardrails';
import { POLICY_LIMITS } from '../../src/core/guardrails/policySchema';
import { hostileGuardrailsFiles } from '../support/hostileGuardrails';
import { tempDir } from '../support/operationHarness';

const FILE = '/repo/.pilotlight/guardrails.json';

describe('guardrails file limits (issue 10)', () => {
  it('refuses a file over 1 MB with a clear problem, and keeps settings and defaults', () => {
    const text = JSON.stringify({ protectedEnvironments: ['x'.repeat(POLICY_LIMITS.fileBytes)] });
    const loaded = resolveGuardrailPolicy({
      settings: { maxResourcesPerOperation: 7 },
      workspaceFile: { path: FILE, text },
    });
    assert.equal(loaded.problems.length, 1);
    assert.match(loaded.problems[0].message, /larger than 1 MB.*ignored/);
    assert.equal(loaded.policy.maxResourcesPerOperation, 7);
    assert.deepEqual(loaded.sources, ['defaults', 'settings']);
  });

  it('counts bytes, not characters', () => {
    const text = JSON.stringify({ protectedEnvironments: ['é'.repeat(POLICY_LIMITS.fileBytes / 2 + 10)] });
    assert.ok(text.length < POLICY_LIMITS.fileBytes);
    assert.match(parseGuardrailsFile(text, FILE).problems[0].message, /larger than 1 MB/);
  });

  it('refuses deep nesting at its line and column instead of overflowing the stack', () => {
    const text = `{\n  "changeWindows": ${'['.repeat(100_000)}${']'.repeat(100_000)}\n}`;
    const parsed = parseGuardrailsFile(text, FILE);
    assert.equal(parsed.value, undefined);
    assert.equal(parsed.problems.length, 1);
    assert.match(parsed.problems[0].message, /nested more than 16 levels/);
    assert.deepEqual(
      { line: parsed.problems[0].line, column: parsed.problems[0].column },
      { line: 2, column: 20 + POLICY_LIMITS.nestingDepth - 1 },
    );
  });

  it('rejects lists and strings over their limits with the limit in the message', () => {
    const parsed = parseGuardrailsFile(
      JSON.stringify({
        environmentTagKeys: Array.from({ length: 51 }, (_, index) => `k${index}`),
        protectionTags: ['t'.repeat(129)],
        changeWindows: [],
        auditReads: true,
      }),
      FILE,
    );
    const byField = new Map(parsed.problems.map((problem) => [problem.field, problem.message]));
    assert.match(byField.get('environmentTagKeys') ?? '', /at most 50 are allowed/);
    assert.match(byField.get('protectionTags.0') ?? '', /at most 128 characters/);
    assert.deepEqual(parsed.value, { changeWindows: [], auditReads: true });
  });

  it('lists at most 50 problems and counts the rest', () => {
    const parsed = parseGuardrailsFile(
      JSON.stringify({
        protectionTags: Array.from({ length: 49 }, () => 1),
        changeWindows: Array.from({ length: 10 }, () => ({})),
      }),
      FILE,
    );
    assert.equal(parsed.problems.length, POLICY_LIMITS.reportedProblems + 1);
    assert.match(parsed.problems.at(-1)!.message, /^\d+ more problems in this file/);
  });

  it('reads at most one byte over the limit of a huge file', async () => {
    const dir = tempDir();
    try {
      mkdirSync(join(dir.path, '.pilotlight'));
      writeFileSync(join(dir.path, '.pilotlight', 'guardrails.json'), Buffer.alloc(3 * POLICY_LIMITS.fileBytes, 0x20));
      const file = await readWorkspaceGuardrailsFile(dir.path);
      assert.equal(file?.text.length, POLICY_LIMITS.fileBytes + 1);
      assert.match(parseGuardrailsFile(file!.text, file!.path).problems[0].message, /larger than 1 MB/);
    } finally {
      dir.cleanup();
    }
  });

  for (const hostile of hostileGuardrailsFiles()) {
    it(`resolves a 1 MB hostile file quickly: ${hostile.name}`, () => {
      assert.ok(
        Buffer.byteLength(hostile.text) <= POLICY_LIMITS.fileBytes &&
          Buffer.byteLength(hostile.text) > 0.99 * POLICY_LIMITS.fileBytes,
        `${Buffer.byteLength(hostile.text)} bytes`,
      );
      const started = process.hrtime.bigint();
      const loaded = resolveGuardrailPolicy({ settings: {}, workspaceFile: { path: FILE, text: hostile.text } });
      const evaluation = evaluateGuardrails(loaded.policy, {
        kind: 'delete',
        resources: [{ type: 'ec2:instance', id: 'i-1', action: 'terminate', tags: { Name: 'web-1' } }],
        account: '100000000499',
        now: new Date('2025-01-06T12:00:00Z'),
        recentMutations: 0,
        hasBackupPlan: true,
      });
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      assert.ok(elapsedMs < 2000, `took ${elapsedMs} ms`); // generous bound; the measured figure is in docs/benchmarks.md
      if (hostile.name === 'valid at every limit') {
        assert.deepEqual(loaded.problems, []);
        assert.equal(loaded.policy.protectedEnvironments.length, 2 + POLICY_LIMITS.environments);
        assert.equal(evaluation.approval?.level, 'approve', 'the account maps to a protected environment');
      } else {
        assert.ok(loaded.problems.length > 0 || hostile.name === 'comments', 'a hostile file is reported');
        assert.ok(loaded.problems.length <= POLICY_LIMITS.reportedProblems + 1);
      }
    });
  }
});
