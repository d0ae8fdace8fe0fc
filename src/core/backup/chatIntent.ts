/**
 * Backup plan requests in plain words, understood without a language model:
 * "daily backups of all production databases, 30-day retention",
 * "weekly backup of volumes tagged backup=true, keep 8 weeks, copy to us-west-2",
 * "back up staging instances every 6 hours for 7 days".
 * Linear-time regular expressions over at most 500 characters; undefined when the text does not ask for a
 * backup plan, and `missing` names what could not be read (the form asks for it).
 */
import type { BackupFrequency, BackupResourceKind } from './planSpec';

export interface BackupPlanRequest {
  frequency?: BackupFrequency;
  everyHours?: number;
  hourUtc?: number;
  weekday?: string;
  retentionDays?: number;
  selectionTags: Record<string, string>;
  resourceKinds: BackupResourceKind[];
  copyRegions: string[];
  /** What the text did not say and a person must still give. */
  missing: ('frequency' | 'retention' | 'selection')[];
}

const MAX_TEXT = 500;
const ENVIRONMENTS = ['production', 'prod', 'staging', 'stage', 'development', 'dev', 'test', 'qa', 'uat', 'sandbox'];
const KIND_WORDS: [RegExp, BackupResourceKind][] = [
  [/\b(?:databases?|dbs?|rds)\b/, 'databases'],
  [/\b(?:volumes?|ebs|disks?)\b/, 'volumes'],
  [/\b(?:instances?|servers?|vms?|ec2)\b/, 'instances'],
  [/\b(?:file ?systems?|efs)\b/, 'filesystems'],
  [/\b(?:tables?|dynamodb)\b/, 'tables'],
];
const UNIT_DAYS: Record<string, number> = { day: 1, week: 7, month: 30, year: 365 };
const WEEKDAY_NAMES: Record<string, string> = {
  sun: 'SUN',
  mon: 'MON',
  tue: 'TUE',
  wed: 'WED',
  thu: 'THU',
  fri: 'FRI',
  sat: 'SAT',
};

function unitDays(unit: string): number {
  return UNIT_DAYS[unit.toLowerCase().replace(/s$/, '')] ?? 0;
}

export function parseBackupPlanRequest(input: string): BackupPlanRequest | undefined {
  const text = input.trim().slice(0, MAX_TEXT).replace(/[’‘]/g, "'");
  const lower = text.toLowerCase();
  if (!/\bback ?ups?\b|\bbacked up\b|\bbackup plan\b/.test(lower)) return undefined;
  // Questions about existing backups are not plan requests.
  if (
    /^(?:show|list|which|what|are|is|do|does|how many)\b/.test(lower) &&
    !/\b(?:create|make|set up|add)\b/.test(lower)
  )
    return undefined;

  const request: BackupPlanRequest = { selectionTags: {}, resourceKinds: [], copyRegions: [], missing: [] };

  const every = /\bevery\s+(\d{1,2})\s*(?:h|hours?)\b/.exec(lower);
  if (every) {
    request.frequency = 'hourly';
    request.everyHours = Number(every[1]);
  } else if (/\bhourly\b|\bevery hour\b/.test(lower)) request.frequency = 'hourly';
  else if (/\bdaily\b|\bevery day\b|\bnightly\b|\beach day\b/.test(lower)) request.frequency = 'daily';
  else if (/\bweekly\b|\bevery week\b|\beach week\b/.test(lower)) request.frequency = 'weekly';
  else if (/\bmonthly\b|\bevery month\b|\beach month\b/.test(lower)) request.frequency = 'monthly';

  const weekday = /\b(?:on\s+)?(sun|mon|tue|wed|thu|fri|sat)[a-z]*day\b/.exec(lower);
  if (weekday) {
    request.weekday = WEEKDAY_NAMES[weekday[1]];
    request.frequency ??= 'weekly';
  }
  const at = /\bat\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?(?:\s*utc)?\b/.exec(lower);
  if (at) {
    let hour = Number(at[1]);
    if (at[3] === 'pm' && hour < 12) hour += 12;
    if (at[3] === 'am' && hour === 12) hour = 0;
    if (hour <= 23) request.hourUtc = hour;
  }

  const retention =
    /\b(\d{1,5})[\s-]*(days?|weeks?|months?|years?)[\s-]+(?:of\s+)?(?:retention|retained|kept)\b/.exec(lower) ??
    /\b(?:keep|kept|retain|retained|retention(?:\s+of)?|for)\s+(?:them\s+|it\s+|backups\s+)?(?:for\s+)?(\d{1,5})\s*(days?|weeks?|months?|years?)\b/.exec(
      lower,
    );
  if (retention) request.retentionDays = Number(retention[1]) * unitDays(retention[2]);

  for (const [pattern, kind] of KIND_WORDS) if (pattern.test(lower)) request.resourceKinds.push(kind);

  const tagged = /\btagged\s+([A-Za-z0-9_.:/+@-]{1,128})\s*[=:]\s*([A-Za-z0-9_.:/+@-]{1,256})/.exec(text);
  if (tagged) request.selectionTags[tagged[1]] = tagged[2];
  else {
    const tagWord = /\b(?:with\s+)?tag\s+([A-Za-z0-9_.:/+@-]{1,128})\s*[=:]\s*([A-Za-z0-9_.:/+@-]{1,256})/.exec(text);
    if (tagWord) request.selectionTags[tagWord[1]] = tagWord[2];
  }
  if (Object.keys(request.selectionTags).length === 0) {
    const words = lower.split(/[^a-z0-9-]+/);
    const environment = ENVIRONMENTS.find((name) => words.includes(name));
    if (environment) request.selectionTags.Environment = environment === 'prod' ? 'production' : environment;
  }

  const copies = lower.matchAll(/\b(?:copy|copies|copied|replicate[ds]?)\b[^.;]*?\b([a-z]{2}(?:-[a-z]+)+-\d)\b/g);
  for (const copy of copies) if (!request.copyRegions.includes(copy[1])) request.copyRegions.push(copy[1]);

  if (!request.frequency) request.missing.push('frequency');
  if (!request.retentionDays) request.missing.push('retention');
  if (Object.keys(request.selectionTags).length === 0) request.missing.push('selection');
  return request;
}
