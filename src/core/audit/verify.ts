import { createReadStream, promises as fs } from 'node:fs';
import { createInterface } from 'node:readline';
import { readHead } from './auditTrail';
import { hashRecord } from './hashing';
import { GENESIS_HASH, type AuditRecord } from './types';

export type AuditProblem = 'unparseable' | 'edited' | 'chain-broken' | 'sequence' | 'truncated';

export interface AuditVerification {
  ok: boolean;
  /** Lines checked. */
  lines: number;
  /** 1-based number of the first line that fails, when `ok` is false. */
  firstBadLine?: number;
  problem?: AuditProblem;
  message: string;
}

const EXPLANATIONS: Record<AuditProblem, string> = {
  unparseable: 'is not a complete JSON record (edited or cut off)',
  edited: 'was changed after it was written: its content no longer matches its hash',
  'chain-broken': 'does not follow the line before it: a line was removed, inserted or moved here',
  sequence: 'has an unexpected sequence number: a line was removed, inserted or moved here',
  truncated: 'is missing: lines were removed from the end of the trail',
};

/** Checks every line's hash and its link to the previous line; names the first bad line. */
export async function verifyAuditTrail(path: string): Promise<AuditVerification> {
  try {
    await fs.access(path);
  } catch {
    return { ok: true, lines: 0, message: 'The audit trail is empty.' };
  }
  const reader = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  let previousHash = GENESIS_HASH;
  let previousSeq = 0;
  const fail = (problem: AuditProblem, line: number): AuditVerification => ({ ok: false, lines: line, firstBadLine: line, problem, message: `Line ${line} ${EXPLANATIONS[problem]}.` });
  try {
    for await (const raw of reader) {
      lineNumber += 1;
      if (!raw.trim()) return fail('unparseable', lineNumber);
      let record: AuditRecord;
      try {
        record = JSON.parse(raw) as AuditRecord;
      } catch {
        return fail('unparseable', lineNumber);
      }
      if (typeof record !== 'object' || record === null || typeof record.hash !== 'string') return fail('unparseable', lineNumber);
      if (hashRecord(record as unknown as Record<string, unknown>) !== record.hash) return fail('edited', lineNumber);
      if (record.prevHash !== previousHash) return fail('chain-broken', lineNumber);
      if (record.seq !== previousSeq + 1) return fail('sequence', lineNumber);
      previousHash = record.hash;
      previousSeq = record.seq;
    }
  } finally {
    reader.close();
  }
  const head = await readHead(path);
  if (head && (head.seq !== previousSeq || head.hash !== previousHash)) {
    if (head.seq > previousSeq) return fail('truncated', lineNumber + 1);
    return { ok: false, lines: lineNumber, firstBadLine: lineNumber, problem: 'chain-broken', message: `The trail's last line (${lineNumber}) does not match the recorded head (line ${head.seq}).` };
  }
  return { ok: true, lines: lineNumber, message: `All ${lineNumber} lines verified.` };
}
