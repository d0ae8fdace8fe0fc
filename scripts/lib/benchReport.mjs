// docs/benchmarks.json (merged by suite key) and docs/benchmarks.md (rendered from that JSON).
// A figure is { name, unit, target, pass, measured, samples?, notes } where `measured` is null and
// `notMeasured` says why when it could not be measured. Nothing here invents a number.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, platform, release, arch } from 'node:os';
import { dirname, join } from 'node:path';

export function median(values) {
  const numbers = values.filter((value) => typeof value === 'number' && Number.isFinite(value));
  if (numbers.length === 0) return undefined;
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const round = (value, digits = 1) =>
  typeof value === 'number' && Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : value;

export function machineInfo() {
  const cpuList = cpus();
  return {
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model?.trim(),
    memoryGb: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: `${platform()} ${release()} ${arch()}`,
    loadAverage1m: round(loadavg()[0], 2),
  };
}

/** A measured figure; `pass` is true/false against the target, or null when there is no target. */
export function figure(name, { unit = '', target = '—', pass = null, measured, samples, notes = '' }) {
  if (measured === undefined || measured === null || (typeof measured === 'number' && !Number.isFinite(measured))) {
    return notMeasured(name, { unit, target, why: notes || 'no value was produced' });
  }
  return { name, unit, target, measured, pass, ...(samples ? { samples } : {}), notes };
}

/** A figure that could not be measured in this run, and why. */
export function notMeasured(name, { unit = '', target = '—', why }) {
  return { name, unit, target, measured: null, pass: null, notMeasured: why, notes: '' };
}

function readJson(file) {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${error.message}); fix or delete it, then run again`, { cause: error });
  }
}

const formatMeasured = (f) => {
  if (f.measured === null) return `not measured: ${f.notMeasured}`;
  const value =
    typeof f.measured === 'number'
      ? f.measured.toLocaleString('en-US', { maximumFractionDigits: Math.abs(f.measured) < 10 ? 2 : 1 })
      : String(f.measured);
  return f.unit ? `${value} ${f.unit}` : value;
};
const formatPass = (f) => (f.pass === true ? 'pass' : f.pass === false ? '**fail**' : '—');
const cell = (text) =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');

function renderSuite(key, suite) {
  const lines = [`## \`${key}\``, ''];
  if (suite.title) lines.push(suite.title, '');
  lines.push(
    `Run ${suite.timestamp} on ${suite.machine.cpus} CPUs (${suite.machine.cpuModel ?? 'unknown CPU'}), ${suite.machine.memoryGb} GB, Node ${suite.machine.node}, ${suite.machine.platform}; 1-minute load average ${suite.machine.loadAverage1m} at the start.`,
    '',
  );
  if (suite.error) lines.push(`**The suite did not complete:** ${cell(suite.error)}`, '');
  lines.push('| Figure | Target | Measured | Pass/fail | Notes |', '| --- | --- | --- | --- | --- |');
  for (const f of suite.figures ?? []) {
    lines.push(
      `| \`${f.name}\` | ${cell(f.target)} | ${cell(formatMeasured(f))} | ${formatPass(f)} | ${cell(f.notes)} |`,
    );
  }
  lines.push('');
  if (suite.findings?.length) {
    lines.push('**Findings**', '');
    for (const finding of suite.findings) lines.push(`- ${finding}`);
    lines.push('');
  }
  if (suite.method?.length) {
    lines.push('**Method**', '');
    for (const step of suite.method) lines.push(`- ${step}`);
    lines.push('');
  }
  if (suite.parameters) {
    lines.push('**Parameters**', '', '```json', JSON.stringify(suite.parameters, null, 2), '```', '');
  }
  return lines.join('\n');
}

/** Merges `suite` under `key` into the JSON file and re-renders the Markdown from the whole JSON. */
export function writeBenchmarks(repoRoot, key, suite) {
  const jsonFile = join(repoRoot, 'docs', 'benchmarks.json');
  const mdFile = join(repoRoot, 'docs', 'benchmarks.md');
  mkdirSync(dirname(jsonFile), { recursive: true });
  const all = readJson(jsonFile);
  all[key] = suite;
  const ordered = Object.fromEntries(
    Object.keys(all)
      .sort()
      .map((name) => [name, all[name]]),
  );
  writeFileSync(jsonFile, `${JSON.stringify(ordered, null, 2)}\n`);
  const md = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (`scripts/bench.mjs`); do not edit by hand. `npm run bench -- explorer` or `npm run bench -- dr`',
    'runs one suite and replaces only its section; the raw figures and per-run samples are in `docs/benchmarks.json`.',
    'Every number below was measured in the run it is listed with. Timings are medians over repeats on a shared,',
    'noisy machine; pass/fail compares that median with the target. Nothing here is a test: tests never assert on time.',
    '',
    ...Object.entries(ordered).map(([name, entry]) => renderSuite(name, entry)),
  ].join('\n');
  writeFileSync(mdFile, md);
  return { jsonFile, mdFile };
}
