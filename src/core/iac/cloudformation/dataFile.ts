/**
 * Reads a generated data file (dist/iac/*.json.br): brotli-compressed at build time (scripts/build.mjs) to keep
 * the VSIX small. It is decompressed in the thread pool, so the first template's parse runs meanwhile on the
 * main thread (cfn-types.json.br: about 10 ms in plain Node with one 4 MB chunk; synchronously 10-20 ms that
 * held the diagnostics back).
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliDecompress } from 'node:zlib';

const decompress = promisify(brotliDecompress);
const DECOMPRESS_CHUNK_BYTES = 4 * 1024 * 1024;

/** The file's text; `.br` files are decompressed, anything else is read as UTF-8. */
export async function readDataFile(file: string): Promise<string> {
  const bytes = await readFile(file);
  if (!file.endsWith('.br')) return bytes.toString('utf8');
  try {
    // Off the main thread, in one large chunk (the default 16 KB chunks cost a round trip each).
    return (await decompress(bytes, { chunkSize: DECOMPRESS_CHUNK_BYTES })).toString('utf8');
  } catch (error) {
    throw Object.assign(new Error(`not a valid brotli file (${(error as Error).message})`), { code: 'EBADBROTLI' });
  }
}
