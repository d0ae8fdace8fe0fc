import { readFileSync } from 'node:fs';

/** Names of the entries in a zip file (such as a VSIX), read from its central directory. */
export function zipEntryNames(path: string): string[] {
  const data = readFileSync(path);
  const endOfCentralDirectory = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOfCentralDirectory < 0) throw new Error(`${path} is not a zip file`);
  const entryCount = data.readUInt16LE(endOfCentralDirectory + 10);
  let offset = data.readUInt32LE(endOfCentralDirectory + 16);
  const names: string[] = [];
  for (let index = 0; index < entryCount; index++) {
    if (data.readUInt32LE(offset) !== 0x02014b50) throw new Error(`${path}: bad central directory entry ${index}`);
    const nameLength = data.readUInt16LE(offset + 28);
    const extraLength = data.readUInt16LE(offset + 30);
    const commentLength = data.readUInt16LE(offset + 32);
    names.push(data.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}
