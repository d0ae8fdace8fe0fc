// Regenerates the generated parts of package.json from the compiled core (see scripts/lib/contributions.mjs).
//   npx tsc -p tsconfig.test.json && node scripts/sync-contributions.mjs          write
//   node scripts/sync-contributions.mjs --check                                   exit 1 when out of date
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyContributions, formatPackageJson, generatedContributions, loadCore } from './lib/contributions.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const path = join(root, 'package.json');
const current = readFileSync(path, 'utf8');
const next = formatPackageJson(applyContributions(JSON.parse(current), generatedContributions(loadCore(root))));
if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error(
      'package.json is out of date with the core: run `npx tsc -p tsconfig.test.json && node scripts/sync-contributions.mjs`.',
    );
    process.exit(1);
  }
  console.log('package.json contributions are up to date.');
} else if (next === current) {
  console.log('package.json contributions are up to date.');
} else {
  writeFileSync(path, next);
  console.log('package.json: generated contributions updated.');
}
