import { createHash, randomBytes } from 'node:crypto';

/** Tags on every DRS job and SSM execution of a run, so a resumed run can find them again. */
export const JOB_TAG_RUN = 'PilotLightRunId';
export const JOB_TAG_KEY = 'PilotLightJobKey';
export const JOB_TAG_PLAN = 'PilotLightPlan';

/** A deterministic UUID (SSM ClientToken must be a UUID) for one action attempt of one run. */
export function clientTokenFor(runId: string, stepId: string, attempt: number): string {
  const hex = createHash('sha256').update(`${runId}|${stepId}|${attempt}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function newRunId(planName: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${planName.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 40)}-${randomBytes(3).toString('hex')}`;
}
