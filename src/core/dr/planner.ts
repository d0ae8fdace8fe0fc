/**
 * Turns a recovery plan plus resolved servers into an execution plan: waves in dependency order, each
 * a fixed list of steps (pause, actions, launch jobs). The execution plan is plain data and is what
 * both the local runner executes and a later Step Functions compiler translates:
 * - each wave is a branch that waits for its `dependsOn` branches;
 * - `pause` and `approval` steps are callback (task token) states;
 * - `action` steps with ssmAutomation are StartAutomationExecution + a GetAutomationExecution poll loop;
 * - `action` steps with backupRestore are StartRestoreJob + a DescribeRestoreJob poll loop;
 * - `wait` steps are Wait states;
 * - the `launch` step is a Map over `jobs` (StartRecovery each) followed by a DescribeJobs poll loop.
 * Step IDs are stable (`<wave>/pre/0`, `<wave>/launch`, ...), so journal entries and state names line up.
 */
import { levels, topologicalOrder } from './graph';
import {
  DEFAULTS,
  DRS_LIMITS,
  actionLabel,
  type ApprovalAction,
  type BackupRestoreAction,
  type DrsLimits,
  type FailurePolicy,
  type RecoveryPlan,
  type SsmAutomationAction,
  type WaitAction,
} from './model';
import type { PlanResolution, ServerInfo } from './selection';

export type DrRunMode = 'drill' | 'recovery';

export interface PlannedJob {
  /** Stable key `<wave>#<index>`, used as a DRS job tag to find the job again after a crash. */
  key: string;
  index: number;
  region: string;
  sourceServerIds: string[];
}

/** An action with its defaults filled in. */
export type PlannedAction =
  | (Required<Pick<SsmAutomationAction, 'type' | 'documentName' | 'timeoutSeconds' | 'retries'>> & {
      documentVersion?: string;
      parameters: Record<string, string[]>;
    })
  | (Required<Pick<BackupRestoreAction, 'type' | 'backupVaultName' | 'recoveryPointArn' | 'timeoutSeconds'>> & {
      iamRoleArn?: string;
      metadata: Record<string, string>;
    })
  | Required<Pick<WaitAction, 'type' | 'seconds'>>
  | (Pick<ApprovalAction, 'type' | 'message'> & { timeoutSeconds?: number });

export type PlannedStep =
  | { id: string; kind: 'pause'; label: string }
  | {
      id: string;
      kind: 'action';
      label: string;
      phase: 'pre' | 'post';
      index: number;
      region: string;
      action: PlannedAction;
    }
  | { id: string; kind: 'launch'; label: string; jobs: PlannedJob[]; maxWaitSeconds: number };

export interface PlannedWave {
  name: string;
  dependsOn: string[];
  /** Dependency depth: 0 for waves without dependencies. */
  level: number;
  servers: ServerInfo[];
  steps: PlannedStep[];
}

export interface ExecutionPlan {
  formatVersion: 1;
  planName: string;
  mode: DrRunMode;
  failurePolicy: FailurePolicy;
  rtoMinutes?: number;
  rpoMinutes?: number;
  limits: DrsLimits;
  /** Waves in a valid execution order (dependencies first). */
  waves: PlannedWave[];
  serverCount: number;
  jobCount: number;
  /** Largest number of jobs that waves at one dependency level would run at once. */
  peakParallelJobs: number;
}

/** Splits servers into the fewest jobs within the per-job limit, balanced (e.g. 250 → 84 + 83 + 83). */
export function splitIntoJobs(sourceServerIds: string[], maxPerJob: number): string[][] {
  if (sourceServerIds.length === 0) return [];
  const count = Math.ceil(sourceServerIds.length / maxPerJob);
  const base = Math.floor(sourceServerIds.length / count);
  const extra = sourceServerIds.length % count;
  const jobs: string[][] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const size = base + (i < extra ? 1 : 0);
    jobs.push(sourceServerIds.slice(offset, offset + size));
    offset += size;
  }
  return jobs;
}

function toSsmParameters(parameters: Record<string, string | string[]> | undefined): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(parameters ?? {}).map(([key, value]) => [key, Array.isArray(value) ? value : [value]]),
  );
}

export function buildExecutionPlan(
  plan: RecoveryPlan,
  resolution: PlanResolution,
  mode: DrRunMode,
  defaultRegion: string,
  limits: DrsLimits = DRS_LIMITS,
): ExecutionPlan {
  const ordered = topologicalOrder(plan.waves.map((wave) => ({ ...wave, dependsOn: wave.dependsOn ?? [] })));
  const depth = levels(ordered);
  const waves = ordered.map((wave): PlannedWave => {
    const resolved = resolution.waves.find((r) => r.wave === wave.name);
    const servers = resolved?.servers ?? [];
    const regionOf = (): string => servers[0]?.region ?? defaultRegion;
    const steps: PlannedStep[] = [];
    if (wave.pauseBeforeWave)
      steps.push({ id: `${wave.name}/pause`, kind: 'pause', label: `Pause before ${wave.name}` });
    const actionSteps = (phase: 'pre' | 'post') => (phase === 'pre' ? wave.preActions : (wave.postActions ?? [])) ?? [];
    for (const phase of ['pre', 'post'] as const) {
      if (phase === 'post') {
        // The launch step sits between pre- and post-actions.
        const byRegion = new Map<string, string[]>();
        for (const server of servers)
          byRegion.set(server.region, [...(byRegion.get(server.region) ?? []), server.sourceServerId]);
        const jobs: PlannedJob[] = [];
        for (const [region, ids] of byRegion) {
          for (const part of splitIntoJobs(ids, limits.maxServersPerJob)) {
            jobs.push({ key: `${wave.name}#${jobs.length}`, index: jobs.length, region, sourceServerIds: part });
          }
        }
        steps.push({
          id: `${wave.name}/launch`,
          kind: 'launch',
          label: `${mode === 'drill' ? 'Drill' : 'Recover'} ${servers.length} server${servers.length === 1 ? '' : 's'}`,
          jobs,
          maxWaitSeconds: wave.maxWaitSeconds ?? DEFAULTS.maxWaitSeconds,
        });
      }
      actionSteps(phase).forEach((action, index) => {
        let planned: PlannedAction;
        if (action.type === 'ssmAutomation') {
          planned = {
            type: 'ssmAutomation',
            documentName: action.documentName,
            ...(action.documentVersion ? { documentVersion: action.documentVersion } : {}),
            parameters: toSsmParameters(action.parameters),
            timeoutSeconds: action.timeoutSeconds ?? DEFAULTS.actionTimeoutSeconds,
            retries: action.retries ?? DEFAULTS.actionRetries,
          };
        } else if (action.type === 'backupRestore') {
          planned = {
            type: 'backupRestore',
            backupVaultName: action.backupVaultName,
            recoveryPointArn: action.recoveryPointArn,
            ...(action.iamRoleArn ? { iamRoleArn: action.iamRoleArn } : {}),
            metadata: { ...(action.metadata ?? {}) },
            timeoutSeconds: action.timeoutSeconds ?? DEFAULTS.backupRestoreTimeoutSeconds,
          };
        } else if (action.type === 'wait') {
          planned = { type: 'wait', seconds: action.seconds };
        } else {
          planned = {
            type: 'approval',
            message: action.message,
            ...(action.timeoutSeconds ? { timeoutSeconds: action.timeoutSeconds } : {}),
          };
        }
        steps.push({
          id: `${wave.name}/${phase}/${index}`,
          kind: 'action',
          label: actionLabel(action, index),
          phase,
          index,
          region: regionOf(),
          action: planned,
        });
      });
    }
    return { name: wave.name, dependsOn: wave.dependsOn ?? [], level: depth.get(wave.name) ?? 0, servers, steps };
  });
  const jobsPerLevel = new Map<number, number>();
  let jobCount = 0;
  for (const wave of waves) {
    const jobs = wave.steps.reduce((sum, step) => sum + (step.kind === 'launch' ? step.jobs.length : 0), 0);
    jobCount += jobs;
    jobsPerLevel.set(wave.level, (jobsPerLevel.get(wave.level) ?? 0) + jobs);
  }
  return {
    formatVersion: 1,
    planName: plan.name,
    mode,
    failurePolicy: plan.failurePolicy ?? DEFAULTS.failurePolicy,
    ...(plan.targets?.rtoMinutes !== undefined ? { rtoMinutes: plan.targets.rtoMinutes } : {}),
    ...(plan.targets?.rpoMinutes !== undefined ? { rpoMinutes: plan.targets.rpoMinutes } : {}),
    limits: { ...limits },
    waves,
    serverCount: waves.reduce((sum, wave) => sum + wave.servers.length, 0),
    jobCount,
    peakParallelJobs: Math.max(0, ...jobsPerLevel.values()),
  };
}

export function launchStep(wave: PlannedWave): Extract<PlannedStep, { kind: 'launch' }> | undefined {
  return wave.steps.find((step): step is Extract<PlannedStep, { kind: 'launch' }> => step.kind === 'launch');
}
