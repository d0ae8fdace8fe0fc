// Builds the production bundle and packs it into pilot-light.vsix with @vscode/vsce.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.env.PILOT_LIGHT_VSIX || join(root, 'pilot-light.vsix');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

run(process.execPath, ['scripts/build.mjs', '--production']);
run(process.execPath, [
  join(root, 'node_modules/@vscode/vsce/vsce'),
  'package',
  '--no-dependencies',
  '--allow-missing-repository',
  '--out',
  out,
]);
const bytes = statSync(out).size;
console.log(`VSIX: ${out} — ${bytes} bytes (${(bytes / 1024 / 1024).toFixed(2)} MB)`);
