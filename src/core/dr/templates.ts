/**
 * Starter files for "new protection group" and "new recovery plan": commented YAML that parses
 * cleanly at the current schema version, so the user starts from something valid.
 */
import { stringify } from 'yaml';
import { CURRENT_SCHEMA_VERSION, NAME_PATTERN } from './model';

const NAME = new RegExp(NAME_PATTERN);

/** Why a name cannot be used for a group, plan or wave, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (!name) return 'Enter a name.';
  if (!NAME.test(name)) return 'Use letters, digits, ".", "_" and "-" (at most 128), starting with a letter or digit.';
  return undefined;
}

const scalar = (value: string): string => stringify(value, { lineWidth: 0 }).trimEnd();

export interface GroupTemplateInput {
  name: string;
  region: string;
  /** Tags every server must carry; a placeholder selection when absent. */
  tags?: Record<string, string>;
  account?: string;
}

export function protectionGroupTemplate(input: GroupTemplateInput): string {
  const problem = nameProblem(input.name);
  if (problem) throw new Error(`Invalid protection group name "${input.name}": ${problem}`);
  const tags = input.tags && Object.keys(input.tags).length ? input.tags : { Role: input.name };
  return [
    `# Protection group: the DRS source servers that are recovered together.`,
    `# Schema: https://pilot-light.dev/schemas/protection-group.schema.json`,
    `schemaVersion: ${CURRENT_SCHEMA_VERSION}`,
    `kind: ProtectionGroup`,
    `name: ${scalar(input.name)}`,
    `description: ${scalar(`Servers of ${input.name}`)}`,
    ...(input.account
      ? [`account: ${scalar(input.account)}       # checked against the caller identity`]
      : [`# account: "123456789012"   # optional: checked against the caller identity`]),
    `region: ${scalar(input.region)}`,
    `selection:`,
    `  tags:                      # a server matches when it has every one of these tags`,
    ...Object.entries(tags).map(([key, value]) => `    ${scalar(key)}: ${scalar(value)}`),
    `  sourceServerIds: []        # added to the tag matches, e.g. [s-1234567890abcdef0]`,
    `launchSettings:             # applied before launch when DRS has something else`,
    `  copyTags: true`,
    `  launchDisposition: STARTED`,
    ``,
  ].join('\n');
}

export interface PlanTemplateInput {
  name: string;
  /** Protection groups to put in waves, in order (each wave depends on the one before). */
  groups?: string[];
  rtoMinutes?: number;
  rpoMinutes?: number;
}

export function recoveryPlanTemplate(input: PlanTemplateInput): string {
  const problem = nameProblem(input.name);
  if (problem) throw new Error(`Invalid recovery plan name "${input.name}": ${problem}`);
  const groups = input.groups?.length ? input.groups : ['my-group'];
  const waves = groups.flatMap((group, index) => {
    const wave = group.replace(/-tier$/, '') || `wave-${index + 1}`;
    const previous = index > 0 ? groups[index - 1].replace(/-tier$/, '') || `wave-${index}` : undefined;
    return [
      `  - name: ${scalar(wave)}`,
      `    protectionGroups: [${scalar(group)}]`,
      ...(previous
        ? [`    dependsOn: [${scalar(previous)}]   # waves without a path between them run in parallel`]
        : []),
      ...(index === 0
        ? [
            `    # pauseBeforeWave: true`,
            `    # preActions:`,
            `    #   - { type: ssmAutomation, documentName: My-Runbook, parameters: { Tier: ${wave} }, timeoutSeconds: 300, retries: 1 }`,
            `    # postActions:`,
            `    #   - { type: approval, message: "Is ${wave} healthy?", timeoutSeconds: 3600 }`,
            `    #   - { type: wait, seconds: 30 }`,
          ]
        : []),
      `    maxWaitSeconds: 1800`,
    ];
  });
  return [
    `# Recovery plan: waves of protection groups, recovered by DRS in dependency order.`,
    `# Schema: https://pilot-light.dev/schemas/recovery-plan.schema.json`,
    `schemaVersion: ${CURRENT_SCHEMA_VERSION}`,
    `kind: RecoveryPlan`,
    `name: ${scalar(input.name)}`,
    `description: ${scalar(`Recovery of ${input.name}`)}`,
    `targets: { rtoMinutes: ${input.rtoMinutes ?? 60}, rpoMinutes: ${input.rpoMinutes ?? 15} }`,
    `failurePolicy: stop          # stop | continue`,
    `waves:`,
    ...waves,
    ``,
  ].join('\n');
}
