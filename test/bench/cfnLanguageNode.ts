// iac-language bench, plain Node: open → first diagnostics of a 2,000-line template through the core as
// shipped (dist/iac-cloudformation.js and dist/iac/cfn-types.json.br), in a fresh process each time (scripts/bench.mjs):
//   node out/test/bench/cfnLanguageNode.js <extension folder>
// prints one JSON line { firstDiagnosticsMs, cpuMs, loadCoreMs, parseMs, typesMs, checkMs, warmMs, lines, diagnostics }.
// It measures; it asserts nothing about time.

import * as path from 'path';
import { benchTemplate } from './cfnBenchTemplate';

async function main(): Promise<void> {
  const extensionDir = path.resolve(process.argv[2] ?? '.');
  const text = benchTemplate(2000);
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  const service = require(
    path.join(extensionDir, 'dist', 'iac-cloudformation.js'),
  ) as typeof import('../../src/core/iac/cloudformation/service');
  if (typeof service.parseTemplate !== 'function') throw new Error('dist/iac-cloudformation.js is not the service');
  const coreLoaded = performance.now();
  const typesPromise = service.loadCfnTypeKnowledge(path.join(extensionDir, 'dist', 'iac', 'cfn-types.json.br'));
  const template = service.parseTemplate(text);
  const parsed = performance.now();
  const types = await typesPromise;
  const typesLoaded = performance.now();
  const diagnostics = service.templateDiagnostics(template, types);
  const finished = performance.now();
  const cpu = process.cpuUsage(cpuStarted);
  // A second document (caches warm): what every later template costs.
  const warmStart = performance.now();
  service.templateDiagnostics(service.parseTemplate(`${text}# edited\n`), types);
  const warmMs = performance.now() - warmStart;
  console.log(
    JSON.stringify({
      firstDiagnosticsMs: finished - started,
      // CPU time of the same span (all threads): less sensitive than wall time to a busy machine.
      cpuMs: (cpu.user + cpu.system) / 1000,
      loadCoreMs: coreLoaded - started,
      parseMs: parsed - coreLoaded,
      typesMs: typesLoaded - parsed,
      checkMs: finished - typesLoaded,
      warmMs,
      lines: text.split('\n').length - 1,
      diagnostics: diagnostics.map((d) => d.code),
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
