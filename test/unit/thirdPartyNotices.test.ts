import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const repoRoot = resolve(__dirname, '..', '..', '..');
const META = join(repoRoot, 'dist', 'meta.json');
const NOTICES = join(repoRoot, 'dist', 'THIRD_PARTY_NOTICES.md');
// tsc (commonjs) would turn import() into require(), which cannot load .mjs.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<any>;
const generator = () => importEsm(pathToFileURL(join(repoRoot, 'scripts', 'lib', 'thirdPartyNotices.mjs')).href);

interface Metafile {
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
}

/** name@version of every package with bytes in the build's outputs, found here without the generator's code. */
function bundledPackages(metafile: Metafile): Set<string> {
  const found = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /^(.*node_modules\/)((?:@[^/]+\/)?[^/]+)\//.exec(input.replace(/\\/g, '/'));
      if (!match || bytesInOutput === 0) continue;
      const manifest = JSON.parse(readFileSync(resolve(repoRoot, match[1] + match[2], 'package.json'), 'utf8')) as {
        name: string;
        version: string;
      };
      found.add(`${manifest.name}@${manifest.version}`);
    }
  }
  return found;
}

describe('Third-party notices', () => {
  it('list every package the build bundled, each with a licence text (dist/meta.json from npm run build)', function () {
    if (!existsSync(META))
      assert.fail(`${META} is missing: run npm run build first (it writes the metafile and the notices).`);
    const notices = readFileSync(NOTICES, 'utf8');
    const packages = bundledPackages(JSON.parse(readFileSync(META, 'utf8')) as Metafile);
    for (const expected of ['zod', 'yaml', 'jsonc-parser', '@aws-sdk/client-ec2', '@smithy/smithy-client']) {
      assert.ok(
        [...packages].some((pkg) => pkg.startsWith(`${expected}@`)),
        `${expected} is not in the metafile's outputs`,
      );
    }
    const rows = new Map(
      [...notices.matchAll(/^\| (\S+) \| (\S+) \| ([^|]+) \| (.+) \|$/gm)].map((row) => [
        `${row[1]}@${row[2]}`,
        row[4],
      ]),
    );
    const missing = [...packages].filter((pkg) => !rows.has(pkg));
    assert.deepEqual(missing, [], `bundled but not in ${NOTICES}`);
    for (const pkg of packages) {
      for (const [, anchor] of rows.get(pkg)!.matchAll(/\(#(licence-\d+)\)/g))
        assert.ok(notices.includes(`<a id="${anchor}"></a>`), `${pkg}: licence text ${anchor} is missing`);
      assert.match(rows.get(pkg)!, /#licence-\d+/, `${pkg} has no licence text`);
    }
    assert.match(notices, /Apache License\s+Version 2\.0/);
    assert.match(notices, /Permission is hereby granted, free of charge/); // MIT (zod, jsonc-parser)
    assert.match(notices, /ISC License|Permission to use, copy, modify, and\/or distribute/); // ISC (yaml)
  });

  it('ship in the VSIX while the metafile does not (.vscodeignore)', () => {
    // vsce: a file ships when no ignore line matches it or any `!` line does (`!` lines always win).
    const lines = readFileSync(join(repoRoot, '.vscodeignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    const included = lines.filter((line) => line.startsWith('!')).map((line) => line.slice(1));
    const matches = (pattern: string, file: string) =>
      new RegExp(
        `^${pattern
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*\*\//g, '(.*/)?')
          .replace(/\*\*/g, '.*')
          .replace(/\*/g, '[^/]*')}$`,
      ).test(file);
    assert.ok(
      included.some((pattern) => matches(pattern, 'dist/THIRD_PARTY_NOTICES.md')),
      'dist/THIRD_PARTY_NOTICES.md is not shipped',
    );
    assert.ok(!included.some((pattern) => matches(pattern, 'dist/meta.json')), 'a ! line ships dist/meta.json');
    assert.ok(included.some((pattern) => matches(pattern, 'dist/sdk/client-ec2.js')));
  });

  it('refuse a package without any licence text, and take extra assets', async () => {
    const { thirdPartyNotices } = await generator();
    const root = mkdtempSync(join(tmpdir(), 'notices-'));
    try {
      const pkg = (name: string, licence: string, files: Record<string, string>) => {
        const dir = join(root, 'node_modules', name);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', license: licence }));
        for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
      };
      pkg('with-notice', 'Apache-2.0', { LICENSE: 'Apache text', NOTICE: 'Copyright Example' });
      pkg('bare', 'WTFPL', {});
      const metafile = (input: string) => ({
        outputs: { 'dist/a.js': { inputs: { [input]: { bytesInOutput: 10 } } } },
      });
      const done = thirdPartyNotices({
        root,
        metafiles: [metafile('node_modules/with-notice/index.js')],
        extraAssets: [{ name: 'grammar-x', version: '2.0.0', licence: 'MIT', licenceText: 'MIT text' }],
      });
      assert.match(done.text, /Copyright Example/);
      assert.match(done.text, /\| grammar-x \| 2\.0\.0 \| MIT \|/);
      assert.throws(
        () => thirdPartyNotices({ root, metafiles: [metafile('node_modules/bare/index.js')] }),
        /bare@1\.0\.0 \(WTFPL\)/,
      );
      // No bytes in the output: not bundled, not listed.
      const unused = thirdPartyNotices({
        root,
        metafiles: [{ outputs: { 'dist/a.js': { inputs: { 'node_modules/bare/index.js': { bytesInOutput: 0 } } } } }],
      });
      assert.equal(unused.packages.length, 0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
