/** The background compliance schedule: minutes between runs, 0 = off. */
export const MAX_SCHEDULE_MINUTES = 7 * 24 * 60;
/** Shorter intervals would turn a background check into a steady stream of AWS reads. */
export const MIN_SCHEDULE_MINUTES = 15;

export interface ScheduleSettingValues {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

export interface ResolvedSchedule {
  /** Minutes between background runs; 0 = off. */
  minutes: number;
  /** What a workspace tried that was ignored (it may only run checks less often or turn them off). */
  ignored: string[];
}

function minutesOf(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  if (value === 0) return 0;
  return Math.min(MAX_SCHEDULE_MINUTES, Math.max(MIN_SCHEDULE_MINUTES, Math.round(value)));
}

/**
 * The schedule in force. Only the user turns it on (background runs sign AWS requests); a workspace may turn it
 * off or run it less often, never on or more often.
 */
export function resolveSchedule(values: ScheduleSettingValues | undefined): ResolvedSchedule {
  const ignored: string[] = [];
  let minutes = minutesOf(values?.globalValue) ?? 0;
  for (const [label, value] of [
    ['workspace', values?.workspaceValue],
    ['workspace folder', values?.workspaceFolderValue],
  ] as const) {
    if (value === undefined) continue;
    const wanted = minutesOf(value);
    if (wanted === undefined) ignored.push(`The ${label} value ${JSON.stringify(value)} is not a number of minutes.`);
    else if (wanted === 0) minutes = 0;
    else if (minutes === 0) ignored.push(`The ${label} cannot turn the schedule on: only your user settings can.`);
    else if (wanted < minutes)
      ignored.push(
        `The ${label} cannot run checks more often (${wanted} min) than your user settings (${minutes} min).`,
      );
    else minutes = wanted;
  }
  return { minutes, ignored };
}
