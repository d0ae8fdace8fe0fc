// Guardrail policy benchmark (issue 10): how long resolving a hostile 1 MB `.pilotlight/guardrails.json`
// takes (parse, validate, merge onto settings) plus evaluating one change under the result, in plain Node.
// Every hostile shape from test/support/hostileGuardrails.ts, warm-up runs first, then the median of repeats.
//   node out/test/bench/guardrailsBench.js [repeats]     prints one JSON line

import { evaluateGuardrails, resolveGuardrailPolicy } from '../../src/core/guardrails';
import { hostileGuardrailsFiles } from '../support/hostileGuardrails';

const repeats = Math.max(1, Number(process.argv[2] ?? 15));
const SETTINGS = { accountEnvironments: { '123456789012': 'production' }, treatUnknownEnvironmentAsProtected: true };

function once(text: string): number {
  const started = process.hrtime.bigint();
  const loaded = resolveGuardrailPolicy({
    settings: SETTINGS,
    workspaceFile: { path: '/bench/.pilotlight/guardrails.json', text },
  });
  evaluateGuardrails(loaded.policy, {
    kind: 'delete',
    resources: [{ type: 'ec2:instance', id: 'i-1', action: 'terminate', tags: { Name: 'web-1' } }],
    account: '123456789012',
    now: new Date('2025-01-06T12:00:00Z'),
    recentMutations: 0,
    hasBackupPlan: true,
  });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const files = hostileGuardrailsFiles().map(({ name, text }) => {
  for (let warm = 0; warm < 3; warm += 1) once(text);
  const samples = Array.from({ length: repeats }, () => once(text));
  return {
    name,
    bytes: Buffer.byteLength(text),
    medianMs: Math.round(median(samples) * 10) / 10,
    maxMs: Math.round(Math.max(...samples) * 10) / 10,
  };
});
process.stdout.write(`${JSON.stringify({ repeats, files })}\n`);
