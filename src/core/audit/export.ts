import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { AuditOutcome, AuditRecord } from './types';

export interface AuditFilter {
  /** Inclusive bounds, ISO strings or dates. */
  from?: string | Date;
  to?: string | Date;
  operations?: string[];
  outcomes?: AuditOutcome[];
  environments?: string[];
  callers?: string[];
  correlationId?: string;
}

export type AuditExportFormat = 'json' | 'csv';

/** Records that pass the filter, in trail order. Unparseable lines are skipped (verification reports them). */
export async function readAuditTrail(path: string, filter: AuditFilter = {}): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  let reader;
  try {
    reader = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const raw of reader) {
      if (!raw.trim()) continue;
      try {
        const record = JSON.parse(raw) as AuditRecord;
        if (matchesFilter(record, filter)) records.push(record);
      } catch {
        // skipped
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  } finally {
    reader?.close();
  }
  return records;
}

export function matchesFilter(record: AuditRecord, filter: AuditFilter): boolean {
  const time = Date.parse(record.time);
  if (filter.from !== undefined && !(time >= new Date(filter.from).getTime())) return false;
  if (filter.to !== undefined && !(time <= new Date(filter.to).getTime())) return false;
  if (filter.operations?.length && !filter.operations.includes(record.operation)) return false;
  if (filter.outcomes?.length && !filter.outcomes.includes(record.outcome)) return false;
  if (filter.callers?.length && !filter.callers.includes(record.caller)) return false;
  if (filter.correlationId && record.correlationId !== filter.correlationId) return false;
  if (filter.environments?.length) {
    const wanted = filter.environments.map((env) => env.toLowerCase());
    const have = (record.environments ?? (record.environment ? [record.environment] : [])).map((env) =>
      env.toLowerCase(),
    );
    if (!have.some((env) => wanted.includes(env))) return false;
  }
  return true;
}

export const CSV_COLUMNS = [
  'seq',
  'time',
  'outcome',
  'operation',
  'caller',
  'callerArn',
  'account',
  'region',
  'environment',
  'resourceIds',
  'correlationId',
  'errorCode',
  'errorMessage',
  'refusalCode',
  'refusalMessage',
  'approver',
  'approvalReference',
  'backups',
  'durationMs',
  'hash',
] as const;

/** Exports the filtered trail as a JSON array or as CSV (RFC 4180, with spreadsheet formulas neutralized). */
export async function exportAuditTrail(
  path: string,
  format: AuditExportFormat,
  filter: AuditFilter = {},
): Promise<string> {
  const records = await readAuditTrail(path, filter);
  return format === 'json' ? `${JSON.stringify(records, null, 2)}\n` : toCsv(records);
}

export function toCsv(records: AuditRecord[]): string {
  const rows = records.map((record) => {
    const values: Record<(typeof CSV_COLUMNS)[number], unknown> = {
      seq: record.seq,
      time: record.time,
      outcome: record.outcome,
      operation: record.operation,
      caller: record.caller,
      callerArn: record.callerArn,
      account: record.account,
      region: record.region,
      environment: record.environment,
      resourceIds: record.resourceIds?.join(';'),
      correlationId: record.correlationId,
      errorCode: record.error?.code,
      errorMessage: record.error?.message,
      refusalCode: record.refusal?.code,
      refusalMessage: record.refusal?.message,
      approver: record.approval?.approver,
      approvalReference: record.approval?.reference,
      backups: record.backups?.map((backup) => `${backup.kind}:${backup.id}`).join(';'),
      durationMs: record.durationMs,
      hash: record.hash,
    };
    return CSV_COLUMNS.map((column) => csvCell(values[column])).join(',');
  });
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  // A cell starting with = + - @ would run as a formula in a spreadsheet.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
