// Third-party notices for what the VSIX ships: every npm package that contributed bytes to a bundle
// (from esbuild metafiles), with its licence text and NOTICE, plus extra assets (grammars, wasm, webview
// libraries) that are copied rather than bundled. Used by scripts/build.mjs and the unit test.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const LICENCE_FILE = /^(licen[sc]e|copying)([.-].*)?$/i;
const NOTICE_FILE = /^(notice|thirdpartynotices?|copyrightnotice)([.-].*)?$/i;

/** The package directory of a bundled input path (relative to `root`), or undefined outside node_modules. */
export function packageDirOf(root, inputPath) {
  const normalized = inputPath.split('\\').join('/');
  const marker = normalized.lastIndexOf('node_modules/');
  if (marker < 0) return undefined;
  const rest = normalized.slice(marker + 'node_modules/'.length).split('/');
  const nameParts = rest[0].startsWith('@') ? rest.slice(0, 2) : rest.slice(0, 1);
  return resolve(root, normalized.slice(0, marker + 'node_modules/'.length) + nameParts.join('/'));
}

/** Package directories that put bytes into any output of these metafiles. */
export function bundledPackageDirs(root, metafiles) {
  const dirs = new Set();
  for (const metafile of metafiles) {
    for (const output of Object.values(metafile.outputs ?? {})) {
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs ?? {})) {
        if (!(bytesInOutput > 0)) continue;
        // A plugin's virtual module (namespace:path) holds no package code: e.g. an SDK bundle's lookup into
        // dist/sdk/runtime.js, whose own metafile lists the package.
        if (/^[\w-]{2,}:/.test(input)) continue;
        const dir = packageDirOf(root, input);
        if (dir) dirs.add(dir);
      }
    }
  }
  return [...dirs];
}

function licenceOf(manifest) {
  const { license, licenses } = manifest;
  if (typeof license === 'string') return license;
  if (license?.type) return license.type;
  if (Array.isArray(licenses)) return licenses.map((entry) => entry.type ?? entry).join(' OR ');
  return undefined;
}

function filesMatching(dir, pattern) {
  return readdirSync(dir)
    .filter((name) => pattern.test(name) && statSync(join(dir, name)).isFile())
    .sort()
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8').replace(/\r\n/g, '\n').trim() }));
}

/** One package as the notices need it: name, version, licence, its licence and notice files. */
export function describePackage(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return {
    name: manifest.name,
    version: manifest.version,
    licence: licenceOf(manifest),
    homepage:
      typeof manifest.repository === 'string' ? manifest.repository : (manifest.repository?.url ?? manifest.homepage),
    licenceFiles: filesMatching(dir, LICENCE_FILE),
    noticeFiles: filesMatching(dir, NOTICE_FILE),
  };
}

/** The licence text most packages under this SPDX identifier ship, when they ship exactly one file. */
function standardText(packages, licence) {
  const counts = new Map();
  for (const pkg of packages) {
    if (pkg.licence !== licence || pkg.licenceFiles.length !== 1) continue;
    const { text } = pkg.licenceFiles[0];
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/**
 * The notices document. `extraAssets`: things shipped without a bundle, each { name, version?, licence,
 * dir } (a package directory to read files from) or { name, licence, licenceText, noticeText? }.
 * Throws when a package has no licence text at all: shipping it without one is the problem this solves.
 */
export function thirdPartyNotices({ root, metafiles, extraAssets = [], productName = 'Pilot Light' }) {
  const packages = new Map();
  for (const dir of bundledPackageDirs(root, metafiles)) {
    const described = describePackage(dir);
    packages.set(`${described.name}@${described.version}`, described);
  }
  for (const asset of extraAssets) {
    const described = asset.dir
      ? { ...describePackage(asset.dir), ...(asset.name ? { name: asset.name } : {}) }
      : {
          name: asset.name,
          version: asset.version,
          licence: asset.licence,
          licenceFiles: asset.licenceText ? [{ name: 'LICENSE', text: asset.licenceText.trim() }] : [],
          noticeFiles: asset.noticeText ? [{ name: 'NOTICE', text: asset.noticeText.trim() }] : [],
        };
    packages.set(`${described.name}@${described.version ?? ''}`, described);
  }
  const sorted = [...packages.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || String(a.version).localeCompare(String(b.version)),
  );
  // Some packages (a few @aws-sdk ones) declare a licence but ship no file: they get the standard text of
  // that licence, as the other bundled packages under the same identifier ship it (the most common one).
  for (const pkg of sorted.filter((candidate) => candidate.licenceFiles.length === 0 && candidate.licence)) {
    const standard = standardText(sorted, pkg.licence);
    if (standard)
      pkg.licenceFiles = [
        { name: `${pkg.licence} (standard text; the package ships no licence file)`, text: standard },
      ];
  }
  const missing = sorted.filter((pkg) => pkg.licenceFiles.length === 0);
  if (missing.length)
    throw new Error(
      `no licence text for: ${missing.map((pkg) => `${pkg.name}@${pkg.version} (${pkg.licence ?? 'no licence field'})`).join(', ')}`,
    );

  // Identical licence texts are printed once, with the packages they cover.
  const texts = new Map();
  for (const pkg of sorted) {
    for (const file of pkg.licenceFiles) {
      const entry = texts.get(file.text) ?? { text: file.text, packages: [] };
      entry.packages.push(pkg);
      texts.set(file.text, entry);
    }
  }
  const textIds = new Map([...texts.values()].map((entry, index) => [entry.text, `licence-${index + 1}`]));
  const lines = [
    '# Third-party notices',
    '',
    `${productName} ships code from the packages below. Each is listed with its version and licence; the licence texts`,
    'follow, each printed once with the packages it covers, then every NOTICE file in full.',
    "Generated by scripts/build.mjs from the bundler's metafiles: every package that contributed code to a bundle.",
    '',
    '## Packages',
    '',
    '| Package | Version | Licence | Licence text |',
    '| --- | --- | --- | --- |',
    ...sorted.map(
      (pkg) =>
        `| ${pkg.name} | ${pkg.version ?? ''} | ${pkg.licence ?? 'see text'} | ${pkg.licenceFiles.map((file) => `[${file.name}](#${textIds.get(file.text)})`).join(', ')} |`,
    ),
    '',
    '## Notices',
    '',
  ];
  const withNotices = sorted.filter((pkg) => pkg.noticeFiles.length);
  if (!withNotices.length) lines.push('None of the packages has a NOTICE file.', '');
  for (const pkg of withNotices) {
    for (const file of pkg.noticeFiles)
      lines.push(`### ${pkg.name}@${pkg.version} — ${file.name}`, '', '```text', file.text, '```', '');
  }
  lines.push('## Licence texts', '');
  for (const entry of texts.values()) {
    lines.push(
      `<a id="${textIds.get(entry.text)}"></a>`,
      `### ${entry.packages.map((pkg) => `${pkg.name}@${pkg.version}`).join(', ')}`,
      '',
      '```text',
      entry.text,
      '```',
      '',
    );
  }
  return {
    text: `${lines.join('\n')}\n`,
    packages: sorted.map(({ name, version, licence }) => ({ name, version, licence })),
  };
}
