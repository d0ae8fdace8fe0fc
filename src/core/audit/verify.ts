import { createReadStream, promises as fs } from 'node:fs';
import { createInterface } from 'node:readline';
import { headPathFor, readHeadState } from './auditTrail';
import { hashRecord } from './hashing';
import { GENESIS_HASH, type AuditRecord } from './types';

export type AuditProblem =
  'unparseable' | 'edited' | 'chain-broken' | 'sequence' | 'truncated' | 'missing' | 'head-damaged';

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
  missing: 'is missing',
  'head-damaged': 'cannot be checked against the head',
};

/**
 * Checks every line's hash and its link to the previous line, then the last line against the head file;
 * names the first bad line. The head is read first: a missing trail whose head records lines was deleted.
 */
export async function verifyAuditTrail(path: string): Promise<AuditVerification> {
  const headState = await readHeadState(path);
  const head = headState.kind === 'ok' ? headState.head : undefined;
  try {
    await fs.access(path);
  } catch {
    if (head && head.seq > 0)
      return {
        ok: false,
        lines: 0,
        firstBadLine: 1,
        problem: 'missing',
        message: `The audit trail file is missing, but its head records ${head.seq} line(s): the trail was deleted or moved.`,
      };
    if (headState.kind === 'damaged') return headDamaged(path, headState.reason, 0);
    return { ok: true, lines: 0, message: 'The audit trail is empty.' };
  }
  const reader = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  let previousHash = GENESIS_HASH;
  let previousSeq = 0;
  const fail = (problem: AuditProblem, line: number): AuditVerification => ({
    ok: false,
    lines: line,
    firstBadLine: line,
    problem,
    message: `Line ${line} ${EXPLANATIONS[problem]}.`,
  });
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
      if (typeof record !== 'object' || record === null || typeof record.hash !== 'string')
        return fail('unparseable', lineNumber);
      if (hashRecord(record as unknown as Record<string, unknown>) !== record.hash) return fail('edited', lineNumber);
      if (lineNumber === 1 && Number.isInteger(record.seq) && record.seq > 1) {
        return {
          ok: false,
          lines: 1,
          firstBadLine: 1,
          problem: 'truncated',
          message: `Line 1 has sequence number ${record.seq}: the ${record.seq - 1} line(s) before it are missing (the trail was deleted or cut at its start).`,
        };
      }
      if (record.prevHash !== previousHash) return fail('chain-broken', lineNumber);
      if (record.seq !== previousSeq + 1) return fail('sequence', lineNumber);
      previousHash = record.hash;
      previousSeq = record.seq;
    }
  } finally {
    reader.close();
  }
  if (head && (head.seq !== previousSeq || head.hash !== previousHash)) {
    if (head.seq > previousSeq) return fail('truncated', lineNumber + 1);
    return {
      ok: false,
      lines: lineNumber,
      firstBadLine: lineNumber,
      problem: 'chain-broken',
      message: `The trail's last line (${lineNumber}) does not match the recorded head (line ${head.seq}).`,
    };
  }
  if (headState.kind === 'damaged') return headDamaged(path, headState.reason, lineNumber);
  return { ok: true, lines: lineNumber, message: `All ${lineNumber} lines verified.` };
}

function headDamaged(path: string, reason: string, lines: number): AuditVerification {
  return {
    ok: false,
    lines,
    problem: 'head-damaged',
    message: `The trail's ${lines} line(s) chain correctly, but its head file ${headPathFor(path)} is damaged (${reason}), so lines removed from the end would go unnoticed. Compare the trail with a backup or an export.`,
  };
}
