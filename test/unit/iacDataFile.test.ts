import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { readDataFile } from '../../src/core/iac/cloudformation/dataFile';

describe('generated data files (dist/iac/*.json.br)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pilot-light-data-file-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('decompresses a brotli file larger than one default chunk, and reads a plain one as text', async () => {
    const text = JSON.stringify({ types: Array.from({ length: 20_000 }, (_, index) => `AWS::Test::Type${index}`) });
    writeFileSync(join(dir, 'types.json.br'), brotliCompressSync(Buffer.from(text)));
    writeFileSync(join(dir, 'types.json'), text);
    assert.equal(await readDataFile(join(dir, 'types.json.br')), text);
    assert.equal(await readDataFile(join(dir, 'types.json')), text);
  });

  it('names a file that is not brotli instead of returning garbage', async () => {
    writeFileSync(join(dir, 'broken.json.br'), '{"not": "compressed"}');
    await assert.rejects(readDataFile(join(dir, 'broken.json.br')), (error: NodeJS.ErrnoException) => {
      assert.equal(error.code, 'EBADBROTLI');
      assert.match(error.message, /not a valid brotli file/);
      return true;
    });
  });
});
