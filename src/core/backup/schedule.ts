/**
 * AWS Backup schedules: the ScheduleExpression forms a backup rule uses (`cron(m h dom mon dow year)` in
 * AWS's six-field form, `rate(n unit)`), turned into the longest gap between two scheduled starts, and from
 * that the window in which a resource must have a recovery point. An expression outside the supported forms
 * gives undefined, so a caller reports "not checked", never "compliant".
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** AWS Backup's defaults when a rule sets none. */
export const DEFAULT_START_WINDOW_MINUTES = 480;

const MAX_EXPRESSION = 256;

function isEvery(field: string): boolean {
  return field === '*' || field === '?';
}

/** `5` or `0/6` or `*\/6` in the hour field → gap in hours; undefined for lists and ranges. */
function stepOf(field: string, range: number): number | undefined {
  if (/^\d{1,2}$/.test(field)) return range;
  const step = /^(?:\*|\d{1,2})\/(\d{1,2})$/.exec(field);
  if (step && Number(step[1]) > 0) return Math.max(1, Number(step[1]));
  if (/^\d{1,2}(,\d{1,2}){1,23}$/.test(field)) {
    const values = field
      .split(',')
      .map(Number)
      .sort((a, b) => a - b);
    let gap = values[0] + range - values[values.length - 1];
    for (let i = 1; i < values.length; i++) gap = Math.max(gap, values[i] - values[i - 1]);
    return gap;
  }
  return undefined;
}

/**
 * The longest time between two scheduled backups, in ms: hourly steps, daily, weekly (one or more days of
 * the week), monthly (one day of the month), and `rate(...)`. undefined when the form is not supported.
 */
export function scheduleIntervalMs(expression: string | undefined): number | undefined {
  if (!expression || expression.length > MAX_EXPRESSION) return undefined;
  const text = expression.trim();
  const rate = /^rate\(\s*(\d{1,5})\s+(minute|minutes|hour|hours|day|days)\s*\)$/i.exec(text);
  if (rate) {
    const n = Number(rate[1]);
    if (n <= 0) return undefined;
    const unit = rate[2].toLowerCase();
    return n * (unit.startsWith('minute') ? 60_000 : unit.startsWith('hour') ? HOUR_MS : DAY_MS);
  }
  const cron = /^cron\(\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+(\S+))?\s*\)$/i.exec(text);
  if (!cron) return undefined;
  const [, minute, hour, dayOfMonth, month, dayOfWeek, year] = cron;
  if (!/^\d{1,2}$/.test(minute) || Number(minute) > 59) return undefined;
  if (!isEvery(month) || (year !== undefined && !isEvery(year))) return undefined;
  const hourGap = stepOf(hour, 24);
  if (hourGap === undefined) return undefined;
  if (isEvery(dayOfMonth) && isEvery(dayOfWeek)) return hourGap * HOUR_MS;
  if (hourGap !== 24) return undefined;
  if (isEvery(dayOfMonth)) {
    // Days of the week: SUN-SAT or 1-7, as a list.
    const names = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
    const days = dayOfWeek.toUpperCase().split(',');
    if (days.length > 7) return undefined;
    const numbers = days.map((day) => (/^[1-7]$/.test(day) ? Number(day) - 1 : names.indexOf(day)));
    if (numbers.some((n) => n < 0)) return undefined;
    const sorted = [...new Set(numbers)].sort((a, b) => a - b);
    let gap = sorted[0] + 7 - sorted[sorted.length - 1];
    for (let i = 1; i < sorted.length; i++) gap = Math.max(gap, sorted[i] - sorted[i - 1]);
    return gap * DAY_MS;
  }
  if (isEvery(dayOfWeek) && /^([1-9]|[12]\d|3[01]|L)$/.test(dayOfMonth)) return 31 * DAY_MS;
  return undefined;
}

export interface ScheduledRule {
  ScheduleExpression?: string;
  StartWindowMinutes?: number;
  CompletionWindowMinutes?: number;
}

/**
 * How old a resource's newest recovery point may be before it counts as missing: the longest gap between
 * scheduled starts plus the rule's start window (AWS may start a job that late; a recovery point is dated
 * by its job's start). undefined when the schedule is not understood.
 */
export function expectedWindowMs(rule: ScheduledRule): number | undefined {
  const interval = scheduleIntervalMs(rule.ScheduleExpression);
  if (interval === undefined) return undefined;
  const start = rule.StartWindowMinutes ?? DEFAULT_START_WINDOW_MINUTES;
  return interval + Math.max(0, Math.min(start, 100_000)) * 60_000;
}

/** Whether a recovery point created at `createdAt` satisfies a rule whose window is `windowMs`, at `now`. */
export function withinWindow(createdAt: Date, now: Date, windowMs: number): boolean {
  const age = now.getTime() - createdAt.getTime();
  return age >= -60_000 && age <= windowMs;
}

/** Plain words for a schedule, e.g. "daily at 05:00 UTC"; the expression itself when not understood. */
export function describeSchedule(expression: string | undefined): string {
  if (!expression) return 'daily at 05:00 UTC (AWS default)';
  const cron = /^cron\(\s*(\d{1,2})\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)/i.exec(expression.trim());
  const interval = scheduleIntervalMs(expression);
  if (cron && /^\d{1,2}$/.test(cron[2])) {
    const at = `${cron[2].padStart(2, '0')}:${cron[1].padStart(2, '0')} UTC`;
    if (interval === DAY_MS) return `daily at ${at}`;
    if (interval === 7 * DAY_MS) return `weekly (${cron[4]}) at ${at}`;
    if (interval === 31 * DAY_MS) return `monthly (day ${cron[3]}) at ${at}`;
  }
  if (interval !== undefined && interval < DAY_MS) return `every ${interval / HOUR_MS} h (${expression})`;
  return expression;
}
