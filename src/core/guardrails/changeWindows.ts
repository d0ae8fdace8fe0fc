import { isProtectedEnvironment } from './environment';
import type { GuardrailPolicy, SourcedChangeWindow } from './policy';
import { WEEKDAYS, type Weekday } from './policySchema';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The weekday and minutes past midnight of `date` in an IANA time zone. */
export function localTime(date: Date, timeZone: string): { weekday: Weekday; minutes: number } {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(date).map((part) => [part.type, part.value]));
  const weekday = parts.weekday.toLowerCase().slice(0, 3) as Weekday;
  return { weekday, minutes: (Number(parts.hour) % 24) * 60 + Number(parts.minute) };
}

function toMinutes(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return hours * 60 + minutes;
}

function previousDay(day: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(day) + 6) % 7];
}

/** Whether the window is open at `date`. A window whose end is before its start runs past midnight. */
export function isWindowOpen(
  window: Pick<SourcedChangeWindow, 'days' | 'start' | 'end' | 'timeZone'>,
  date: Date,
): boolean {
  const { weekday, minutes } = localTime(date, window.timeZone);
  const start = toMinutes(window.start);
  const end = toMinutes(window.end);
  if (start < end) return window.days.includes(weekday) && minutes >= start && minutes < end;
  return (
    (window.days.includes(weekday) && minutes >= start) || (window.days.includes(previousDay(weekday)) && minutes < end)
  );
}

export function windowsGoverning(environment: string, policy: GuardrailPolicy): SourcedChangeWindow[] {
  return policy.changeWindows.filter((window) =>
    window.environments
      ? window.environments.some((env) => env.toLowerCase() === environment.toLowerCase())
      : isProtectedEnvironment(environment, policy),
  );
}

export function describeWindow(window: SourcedChangeWindow): string {
  const label = window.name ? `"${window.name}" ` : '';
  return `${label}${window.days.join(',')} ${window.start}-${window.end} ${window.timeZone} (from ${window.source})`;
}

export interface ChangeWindowCheck {
  allowed: boolean;
  /** Environments that are outside their windows now, with the windows that govern them. */
  closed: Array<{ environment: string; windows: string[] }>;
}

/**
 * Changes to an environment are allowed when no window governs it, or when, for every source that defines
 * windows for it (settings, workspace file), at least one of that source's windows is open.
 */
export function checkChangeWindows(environments: string[], policy: GuardrailPolicy, now: Date): ChangeWindowCheck {
  const closed: ChangeWindowCheck['closed'] = [];
  for (const environment of environments) {
    const governing = windowsGoverning(environment, policy);
    const bySource = new Map<string, SourcedChangeWindow[]>();
    for (const window of governing) bySource.set(window.source, [...(bySource.get(window.source) ?? []), window]);
    const shut = [...bySource.values()].filter((windows) => !windows.some((window) => isWindowOpen(window, now)));
    if (shut.length) closed.push({ environment, windows: shut.flat().map(describeWindow) });
  }
  return { allowed: closed.length === 0, closed };
}
