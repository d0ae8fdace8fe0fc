import { z } from 'zod';

/** Whether an IANA time zone name is known to this runtime's Intl. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Bounds on the policy's size, so a hostile workspace file cannot make loading it slow. */
export const POLICY_LIMITS = Object.freeze({
  /** Bytes of `.pilotlight/guardrails.json` (and of workspace settings, serialized). */
  fileBytes: 1024 * 1024,
  /** Nesting of arrays and objects; the schema itself needs 4. */
  nestingDepth: 16,
  tagKeys: 50,
  /** AWS tag keys have at most 128 characters, values 256. */
  tagKeyLength: 128,
  environments: 500,
  environmentNameLength: 256,
  accounts: 1000,
  changeWindows: 50,
  windowNameLength: 200,
  timeZoneLength: 64,
  protectionTags: 50,
  approvalRules: 50,
  approvers: 50,
  approverLength: 256,
  operationIdLength: 128,
  /** Longest approval timeout: one week. */
  approvalTimeoutMinutes: 7 * 24 * 60,
  approvalsNeeded: 10,
  /** Problems listed per file; the rest are counted in one more line. */
  reportedProblems: 50,
});

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'Use 24-hour HH:MM, e.g. "09:00" or "24:00".');
const environmentName = z
  .string()
  .max(
    POLICY_LIMITS.environmentNameLength,
    `An environment name has at most ${POLICY_LIMITS.environmentNameLength} characters.`,
  )
  .trim()
  .min(1, 'An environment name cannot be empty.');
const tagKey = z
  .string()
  .min(1)
  .max(POLICY_LIMITS.tagKeyLength, `A tag key has at most ${POLICY_LIMITS.tagKeyLength} characters.`);

export const changeWindowSchema = z
  .object({
    name: z
      .string()
      .max(POLICY_LIMITS.windowNameLength, `A window name has at most ${POLICY_LIMITS.windowNameLength} characters.`)
      .optional()
      .describe('A label shown in refusals, e.g. "weekday business hours".'),
    environments: z
      .array(environmentName)
      .max(POLICY_LIMITS.environments, `List at most ${POLICY_LIMITS.environments} environments.`)
      .optional()
      .describe('Environments this window governs. Omitted: every protected environment.'),
    days: z
      .array(z.enum(WEEKDAYS))
      .min(1, 'List at least one day.')
      .max(WEEKDAYS.length, 'List each day at most once.')
      .describe(
        'Days the window opens on (in its time zone). A window that ends before it starts runs past midnight into the next day.',
      ),
    start: clockTime.describe("Opening time, HH:MM in the window's time zone."),
    end: clockTime.describe('Closing time, HH:MM; "24:00" is midnight at the end of the day.'),
    timeZone: z
      .string()
      .max(POLICY_LIMITS.timeZoneLength, `A time zone name has at most ${POLICY_LIMITS.timeZoneLength} characters.`)
      .refine(isValidTimeZone, { message: 'Unknown IANA time zone; use a name such as "Europe/Berlin" or "UTC".' })
      .describe('IANA time zone, e.g. "America/New_York".'),
  })
  .strict()
  .refine((window) => window.start !== window.end, {
    message: 'A change window cannot start and end at the same time.',
    path: ['end'],
  });

export type ChangeWindow = z.infer<typeof changeWindowSchema>;

const mutatingKind = z.enum(['write', 'delete']);

export const APPROVAL_SYSTEMS = ['modal', 'jira', 'servicenow'] as const;
export type ApprovalSystem = (typeof APPROVAL_SYSTEMS)[number];

export const approvalRuleSchema = z
  .object({
    environments: z
      .array(environmentName)
      .min(1, 'List at least one environment.')
      .max(POLICY_LIMITS.environments, `List at most ${POLICY_LIMITS.environments} environments.`)
      .describe('Environments this rule governs (compared without regard to case).'),
    kinds: z
      .array(mutatingKind)
      .min(1)
      .max(2, 'List each of "write" and "delete" at most once.')
      .optional()
      .describe('Kinds of operation the rule governs. Omitted: writes and deletes.'),
    operations: z
      .array(z.string().min(1).max(POLICY_LIMITS.operationIdLength))
      .min(1)
      .max(100)
      .optional()
      .describe(
        'Operation IDs the rule governs, e.g. ["ec2.instances.terminate"], or one variant: "drs.recovery.start:recovery" (not drills) or "drs.recovery.start:drill". Omitted: every operation of its kinds.',
      ),
    system: z
      .enum(APPROVAL_SYSTEMS)
      .describe(
        'Who is asked: "modal" (the requester types the environment name), "jira" or "servicenow" (a change ticket someone else approves).',
      ),
    approvers: z
      .array(z.string().trim().min(1).max(POLICY_LIMITS.approverLength))
      .min(1, 'List at least one approver, or leave the field out (anyone but the requester).')
      .max(POLICY_LIMITS.approvers, `List at most ${POLICY_LIMITS.approvers} approvers.`)
      .optional()
      .describe(
        'Who may approve: account IDs, e-mail addresses, user names or groups (Jira account ID or e-mail; ServiceNow user name, e-mail or group). Omitted: anyone but the requester.',
      ),
    approvalsNeeded: z
      .number()
      .int()
      .min(1)
      .max(POLICY_LIMITS.approvalsNeeded)
      .optional()
      .describe('Distinct approvers (never the requester) needed. Default 1.'),
    timeoutMinutes: z
      .number()
      .int()
      .min(1)
      .max(POLICY_LIMITS.approvalTimeoutMinutes)
      .optional()
      .describe('How long to wait for the ticket before the change counts as refused. Default 30.'),
    assignmentGroup: z
      .string()
      .trim()
      .min(1)
      .max(POLICY_LIMITS.approverLength)
      .optional()
      .describe("ServiceNow: the change request's assignment group (name or sys_id)."),
  })
  .strict();

export type ApprovalRule = z.infer<typeof approvalRuleSchema>;

/** Every policy field, as it may appear in settings or in `.pilotlight/guardrails.json`. */
export const policyFields = {
  environmentTagKeys: z
    .array(tagKey)
    .min(1, 'List at least one tag key.')
    .max(POLICY_LIMITS.tagKeys, `List at most ${POLICY_LIMITS.tagKeys} tag keys.`)
    .describe(
      'Tag keys that name a resource\'s environment, matched without regard to case, e.g. ["Environment", "env", "stage"].',
    ),
  accountEnvironments: z
    .record(z.string().regex(/^\d{12}$/, 'Account IDs have 12 digits.'), environmentName)
    .refine((accounts) => Object.keys(accounts).length <= POLICY_LIMITS.accounts, {
      message: `Map at most ${POLICY_LIMITS.accounts} accounts.`,
    })
    .meta({ maxProperties: POLICY_LIMITS.accounts })
    .describe('Fallback environment per AWS account ID, for resources without an environment tag.'),
  protectedEnvironments: z
    .array(environmentName)
    .max(POLICY_LIMITS.environments, `List at most ${POLICY_LIMITS.environments} protected environments.`)
    .describe('Environments where changes need an approval (compared without regard to case).'),
  treatUnknownEnvironmentAsProtected: z
    .boolean()
    .describe('Treat resources with no environment tag and no account mapping as protected.'),
  approvalRequiredFor: z
    .array(mutatingKind)
    .max(2, 'List each of "write" and "delete" at most once.')
    .describe('Kinds of operation that need an approval in protected environments.'),
  confirmationRequiredFor: z
    .array(mutatingKind)
    .max(2, 'List each of "write" and "delete" at most once.')
    .describe('Kinds of operation that need a confirmation in every other environment.'),
  changeWindows: z
    .array(changeWindowSchema)
    .max(POLICY_LIMITS.changeWindows, `List at most ${POLICY_LIMITS.changeWindows} change windows.`)
    .describe('When changes are allowed. Outside every window that governs an environment, changes there are refused.'),
  maxResourcesPerOperation: z.number().int().min(1).max(1000).describe('Most resources one operation may change.'),
  protectionTags: z
    .array(tagKey)
    .max(POLICY_LIMITS.protectionTags, `List at most ${POLICY_LIMITS.protectionTags} protection tags.`)
    .describe('Tag keys that block deletion (unless the value is "false"), e.g. ["DoNotDelete"].'),
  backupBeforeDelete: z
    .enum(['always', 'protected', 'never'])
    .describe(
      'Snapshot a volume before deleting it, and create an AMI before terminating an instance: always, only in protected environments, or never.',
    ),
  maxMutationsPerMinute: z.number().int().min(1).max(1000).describe('Most changes run per minute, across all callers.'),
  auditReads: z.boolean().describe('Also record read operations in the audit trail.'),
  approvals: z
    .array(approvalRuleSchema)
    .max(POLICY_LIMITS.approvalRules, `List at most ${POLICY_LIMITS.approvalRules} approval rules.`)
    .describe(
      'Who approves changes, through which system, per environment (and optionally per kind or operation). Every matching rule applies: the strictest system, the most approvals, the shortest timeout, and only approvers every rule names.',
    ),
};

export type PolicyField = keyof typeof policyFields;

/** The workspace file: every field optional, unknown fields rejected. */
export const guardrailsFileSchema = z
  .object({ $schema: z.string().max(2048).optional(), ...policyFields })
  .partial()
  .strict()
  .describe(
    'Pilot Light guardrails for this workspace. It can only tighten the policy from settings: it adds protected environments, windows and tags, and lowers limits; a value that would loosen it is ignored and reported. At most 1 MB.',
  );

export type GuardrailsFile = z.infer<typeof guardrailsFileSchema>;

/** JSON Schema (draft 2020-12) for `.pilotlight/guardrails.json`, generated from the same zod source. */
export function guardrailsJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(guardrailsFileSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Pilot Light guardrails',
  };
}
