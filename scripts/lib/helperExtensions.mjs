// Test-only helper extensions: every folder test/fixtures/extensions/<name>/ with a
// package.json is bundled with esbuild (src/extension.ts or src/extension.js →
// the manifest's `main`) and packed with @vscode/vsce into
// test/fixtures/extensions/<name>.vsix, which the host and e2e runners install.
// The VSIXes are git-ignored, so they are built here at test time; a VSIX newer
// than every file of its folder (and than this script) is left as it is.
// Packing is offline: no dependencies are listed or bundled from npm.

import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const THIS_FILE = fileURLToPath(import.meta.url);
const ENTRY_POINTS = ['src/extension.ts', 'src/extension.js'];
const NOT_SOURCES = new Set(['node_modules', 'dist', 'out', '.vscode-test']);
// Copied next to the bundle; everything else of the folder stays out of the VSIX.
const PACKED_FILES = ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'LICENSE.md'];

const log = (message) => process.stderr.write(`[pilot-light] ${message}\n`);

export const helperExtensionsDir = (repoRoot) => join(repoRoot, 'test', 'fixtures', 'extensions');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (NOT_SOURCES.has(entry.name)) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isUpToDate(sourceDir, vsix) {
  if (!existsSync(vsix)) return false;
  return statSync(vsix).mtimeMs > Math.max(newestMtime(sourceDir), statSync(THIS_FILE).mtimeMs);
}

function buildOne(repoRoot, sourceDir, vsix) {
  const requireFromRepo = createRequire(join(repoRoot, 'package.json'));
  const manifest = JSON.parse(readFileSync(join(sourceDir, 'package.json'), 'utf8'));
  if (typeof manifest.main !== 'string') throw new Error(`${sourceDir}/package.json has no "main"`);
  const entry = ENTRY_POINTS.map((file) => join(sourceDir, file)).find((file) => existsSync(file));
  if (!entry) throw new Error(`${sourceDir} has none of ${ENTRY_POINTS.join(', ')}`);

  const staging = mkdtempSync(join(tmpdir(), 'pilot-light-helper-'));
  const partial = `${vsix}.${process.pid}.tmp`; // renamed into place, so a reader never sees half a VSIX
  try {
    for (const file of PACKED_FILES) {
      if (existsSync(join(sourceDir, file))) copyFileSync(join(sourceDir, file), join(staging, file));
    }
    const outfile = join(staging, manifest.main);
    mkdirSync(dirname(outfile), { recursive: true });
    requireFromRepo('esbuild').buildSync({
      absWorkingDir: sourceDir,
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['vscode'],
      logLevel: 'warning',
    });
    const vsce = join(dirname(requireFromRepo.resolve('@vscode/vsce/package.json')), 'vsce');
    const pack = spawnSync(
      process.execPath,
      [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', partial],
      { cwd: staging, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }, // no stdin: a vsce prompt fails instead of hanging
    );
    if (pack.status !== 0 || !existsSync(partial)) {
      throw new Error(
        `vsce package failed for ${sourceDir} (${pack.error?.message ?? `exit ${pack.status}`}):\n${pack.stdout}\n${pack.stderr}`,
      );
    }
    renameSync(partial, vsix);
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(partial, { force: true });
  }
}

/**
 * Builds test/fixtures/extensions/<name>.vsix for every helper extension folder
 * whose VSIX is missing or older than its sources. Returns the VSIX paths.
 */
export function buildHelperExtensions(repoRoot) {
  const root = helperExtensionsDir(repoRoot);
  if (!existsSync(root)) return [];
  const vsixes = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const sourceDir = join(root, entry.name);
    if (!entry.isDirectory() || !existsSync(join(sourceDir, 'package.json'))) continue;
    const vsix = join(root, `${entry.name}.vsix`);
    if (!isUpToDate(sourceDir, vsix)) {
      const started = Date.now();
      buildOne(repoRoot, sourceDir, vsix);
      log(`built helper extension ${entry.name}.vsix in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    vsixes.push(vsix);
  }
  return vsixes.sort();
}
