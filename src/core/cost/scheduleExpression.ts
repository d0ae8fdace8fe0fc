/**
 * EventBridge Scheduler expressions and their next run: `cron(min hour day-of-month month day-of-week year)`,
 * `rate(N unit)` and `at(yyyy-mm-ddThh:mm:ss)`, in an IANA time zone. Parsing is one pass over at most
 * 256 characters; the next run walks days forward (at most MAX_DAYS) and, on a matching day, the sorted
 * hours and minutes, so the work is linear in the days skipped.
 * Not supported yet: the `L`, `W` and `#` day modifiers (parseScheduleExpression says so).
 */

export const MAX_EXPRESSION_LENGTH = 256;
/** How far ahead a next run is looked for: about eight years, past any leap-day-only schedule. */
const MAX_DAYS = 366 * 8;

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
/** Scheduler numbers days of the week 1-7 from Sunday. */
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export interface CronExpression {
  kind: 'cron';
  minutes: number[];
  hours: number[];
  /** undefined: any ('*' or '?'). */
  daysOfMonth?: Set<number>;
  months: Set<number>;
  /** 0 (Sunday) … 6; undefined: any. */
  daysOfWeek?: Set<number>;
  /** undefined: any year. */
  years?: Set<number>;
}

export interface RateExpression {
  kind: 'rate';
  everyMs: number;
  text: string;
}

export interface AtExpression {
  kind: 'at';
  /** Wall-clock fields in the schedule's time zone. */
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export type ScheduleExpression = CronExpression | RateExpression | AtExpression;

export class ScheduleExpressionError extends Error {
  override readonly name = 'ScheduleExpressionError';
}

function fail(message: string): never {
  throw new ScheduleExpressionError(message);
}

function parseValue(text: string, min: number, max: number, names: string[] | undefined, offset: number): number {
  const upper = text.toUpperCase();
  const named = names ? names.indexOf(upper) : -1;
  const value = named >= 0 ? named + offset : /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < min || value > max)
    fail(`"${text.slice(0, 12)}" is not a value from ${min} to ${max}.`);
  return value;
}

/** One cron field into its sorted values; `undefined` for "any" ('*' or '?') when `anyIsUndefined`. */
function parseField(
  text: string,
  label: string,
  min: number,
  max: number,
  names?: string[],
  offset = min,
): number[] | undefined {
  if (text === '*' || text === '?') return undefined;
  if (/[LW#]/i.test(text.replace(/[A-Z]{3}/gi, (name) => (names?.includes(name.toUpperCase()) ? '' : name))))
    fail(`Not supported yet: the L, W and # modifiers (in the ${label} field "${text.slice(0, 20)}").`);
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    if (range === undefined || part.split('/').length > 2)
      fail(`The ${label} field "${text.slice(0, 20)}" is not valid.`);
    const step = stepText === undefined ? 1 : parseValue(stepText, 1, max, undefined, 0);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [min, max];
    else if (range.includes('-')) {
      const [a, b, extra] = range.split('-');
      if (a === undefined || b === undefined || extra !== undefined)
        fail(`The ${label} range "${range}" is not valid.`);
      from = parseValue(a, min, max, names, offset);
      to = parseValue(b, min, max, names, offset);
      if (from > to) fail(`The ${label} range "${range}" runs backwards.`);
    } else {
      from = parseValue(range, min, max, names, offset);
      to = stepText === undefined ? from : max;
    }
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

const RATE_UNITS: Record<string, number> = {
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};

/** Parses a Scheduler expression; throws ScheduleExpressionError with what is wrong. */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  if (expression.length > MAX_EXPRESSION_LENGTH)
    fail(`The expression is longer than ${MAX_EXPRESSION_LENGTH} characters.`);
  const text = expression.trim();
  const rate = /^rate\(\s*(\d{1,6})\s+([a-z]+)\s*\)$/i.exec(text);
  if (rate) {
    const unit = RATE_UNITS[rate[2]!.toLowerCase()];
    const count = Number(rate[1]);
    if (!unit || count < 1)
      fail(`"${text.slice(0, 40)}" is not a rate such as rate(5 minutes), rate(1 hour) or rate(7 days).`);
    return { kind: 'rate', everyMs: count * unit, text };
  }
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(text);
  if (at) {
    const [year, month, day, hour, minute, second] = at.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
      fail(`"${text}" is not a valid date and time.`);
    return { kind: 'at', year, month, day, hour, minute, second };
  }
  const cron = /^cron\((.*)\)$/i.exec(text);
  if (!cron) fail(`"${text.slice(0, 40)}" is not a Scheduler expression: use cron(…), rate(…) or at(…).`);
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6)
    fail(
      `A Scheduler cron expression has 6 fields (minutes hours day-of-month month day-of-week year); this one has ${fields.length}.`,
    );
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?'))
    fail('Use "?" in exactly one of day-of-month and day-of-week, e.g. cron(0 18 ? * MON-FRI *).');
  const minutes = parseField(min, 'minutes', 0, 59) ?? range(0, 59);
  const hours = parseField(hour, 'hours', 0, 23) ?? range(0, 23);
  const daysOfMonth = parseField(dom, 'day-of-month', 1, 31);
  const months = parseField(month, 'month', 1, 12, MONTHS, 1) ?? range(1, 12);
  const daysOfWeek = parseField(dow, 'day-of-week', 1, 7, DAYS, 1);
  const years = parseField(year, 'year', 1970, 2199);
  return {
    kind: 'cron',
    minutes,
    hours,
    daysOfMonth: daysOfMonth && new Set(daysOfMonth),
    months: new Set(months),
    daysOfWeek: daysOfWeek && new Set(daysOfWeek.map((day) => day - 1)),
    years: years && new Set(years),
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size > 64) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when the runtime knows the IANA zone (e.g. "Europe/Berlin", "UTC"). */
export function isKnownTimeZone(timeZone: string): boolean {
  if (timeZone.length > 64) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function wallClockIn(timeZone: string, instant: number): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant)))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
  };
}

const asUtc = (clock: WallClock) =>
  Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second);

/** The instant a wall-clock time in the zone names, or undefined when it does not exist (a DST gap). */
export function instantOf(timeZone: string, clock: WallClock): number | undefined {
  const wanted = asUtc(clock);
  let guess = wanted;
  for (let attempt = 0; attempt < 3; attempt++) {
    const offset = asUtc(wallClockIn(timeZone, guess)) - guess;
    const next = wanted - offset;
    if (next === guess) break;
    guess = next;
  }
  return asUtc(wallClockIn(timeZone, guess)) === wanted ? guess : undefined;
}

function dayMatches(expression: CronExpression, year: number, month: number, day: number): boolean {
  if (expression.years && !expression.years.has(year)) return false;
  if (!expression.months.has(month)) return false;
  if (expression.daysOfMonth && !expression.daysOfMonth.has(day)) return false;
  if (expression.daysOfWeek && !expression.daysOfWeek.has(new Date(Date.UTC(year, month - 1, day)).getUTCDay()))
    return false;
  return true;
}

/**
 * The first run strictly after `after` (epoch ms), or undefined when there is none within about eight years.
 * `createdAt` anchors rate() schedules (they run every interval from their creation).
 */
export function nextRun(
  expression: ScheduleExpression,
  timeZone: string,
  after: number,
  createdAt?: number,
): number | undefined {
  if (expression.kind === 'rate') {
    const start = createdAt ?? after;
    if (start > after) return start;
    return start + (Math.floor((after - start) / expression.everyMs) + 1) * expression.everyMs;
  }
  if (expression.kind === 'at') {
    const instant = instantOf(timeZone, expression);
    return instant !== undefined && instant > after ? instant : undefined;
  }
  const start = wallClockIn(timeZone, after);
  // Walk calendar days in the zone (computed in UTC arithmetic on the date alone).
  const firstDay = Date.UTC(start.year, start.month - 1, start.day);
  const lastYear = expression.years ? Math.max(...expression.years) : Infinity;
  for (let offset = 0; offset <= MAX_DAYS; offset++) {
    const date = new Date(firstDay + offset * 86_400_000);
    const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (year > lastYear) return undefined;
    if (!dayMatches(expression, year, month, day)) continue;
    // On the first day, hours well before the current one cannot be after it (one hour of slack for DST).
    const fromHour = offset === 0 ? start.hour - 1 : 0;
    for (const hour of expression.hours)
      if (hour >= fromHour)
        for (const minute of expression.minutes) {
          const instant = instantOf(timeZone, { year, month, day, hour, minute, second: 0 });
          if (instant !== undefined && instant > after) return instant;
        }
  }
  return undefined;
}

/** "cron(0 18 ? * MON-FRI *)" for a daily time on weekdays (or every day). */
export function dailyCron(hour: number, minute: number, weekdaysOnly: boolean): string {
  return `cron(${minute} ${hour} ${weekdaysOnly ? '? * MON-FRI' : '* * ?'} *)`;
}
