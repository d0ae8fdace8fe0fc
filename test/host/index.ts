// Test entry point VS Code loads through `extensionTestsPath`, in the real
// extension host. Runner-independent: code-server (scripts/run-host-tests.mjs)
// and @vscode/test-electron (scripts/test-electron.mjs) both call run().

import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

const HOST_TEST_TIMEOUT_MS = 60_000;

function findTestFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const fullPath = path.join(dir, entry.name);
    if (entry.isDirectory()) return findTestFiles(fullPath);
    return entry.name.endsWith('.test.js') ? [fullPath] : [];
  });
}

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    timeout: HOST_TEST_TIMEOUT_MS,
    color: !process.env.NO_COLOR,
    grep: process.env.PILOT_LIGHT_HOST_GREP || undefined,
    invert: process.env.PILOT_LIGHT_HOST_GREP_INVERT === '1',
  });
  const files = findTestFiles(__dirname).sort();
  if (files.length === 0) {
    return Promise.reject(new Error(`No host tests (*.test.js) found under ${__dirname}`));
  }
  for (const file of files) mocha.addFile(file);

  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} host test(s) failed`));
        else resolve();
      });
    } catch (error) {
      console.error(error);
      reject(error);
    }
  });
}
