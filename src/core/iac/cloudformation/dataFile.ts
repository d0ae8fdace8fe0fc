/**
 * Reads a generated data file (dist/iac/*.json.br): brotli-compressed at build time (scripts/build.mjs) to keep
 * the VSIX small. Decompressing cfn-types.json.br takes about 5 ms in plain Node, synchronously; the thread-pool
 * variant measured three times slower in wall time, so the first template's diagnostics wait less this way.
 */
import { readFile } from 'node:fs/promises';
import { brotliDecompressSync } from 'node:zlib';

/** The file's text; `.br` files are decompressed, anything else is read as UTF-8. */
export async function readDataFile(file: string): Promise<string> {
  const bytes = await readFile(file);
  if (!file.endsWith('.br')) return bytes.toString('utf8');
  try {
    return brotliDecompressSync(bytes).toString('utf8');
  } catch (error) {
    throw Object.assign(new Error(`not a valid brotli file (${(error as Error).message})`), { code: 'EBADBROTLI' });
  }
}
