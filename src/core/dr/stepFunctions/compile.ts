/**
 * Compiles an execution plan (the same one the local runner executes) to an Amazon States Language
 * state machine.
 *
 * The wave DAG. ASL has one fork/join, the Parallel state, so it can express exactly the
 * series-parallel DAGs. The plan's DAG is decomposed recursively:
 * - waves with no dependency path between two groups run as branches of one Parallel state;
 * - a group of waves B runs after a group A (in series) only when every wave of B depends, directly or
 *   transitively, on every wave of A: B then waits for nothing it did not already wait for.
 * Chains, fan-outs, fan-ins, diamonds and trees decompose exactly, with no wave waiting longer than its
 * dependencies. A DAG that is not series-parallel (e.g. c after a and b, d after b only) cannot be
 * expressed without shared state between branches; there the compiler adds the fewest extra waits it can
 * (the ready waves of a group run first, in parallel) and names each added wait in `warnings`.
 *
 * Per wave: Started marker → [pause] → pre-actions → launch (a Map over the wave's jobs, each job
 * StartRecovery then a DescribeJobs Wait/Choice loop until no server is PENDING or IN_PROGRESS) →
 * post-actions → Completed marker. Failures go to the wave's Failed state: a Fail state under the
 * "stop" policy (the execution fails, Step Functions stops sibling branches), a Pass state under
 * "continue" (the next waves still run). Pauses and approvals send a task token to an SQS queue
 * (`sqs:sendMessage.waitForTaskToken`); *Approve* / *Resume* answer it with SendTaskSuccess.
 * Time limits (maxWaitSeconds, action timeouts) count polls: limit ÷ poll interval, rounded up.
 *
 * Across accounts (`taskRole`): when the protection groups are in another account than the machine, every
 * DRS, SSM and Backup task carries `Credentials.RoleArn` (the member role there), so Step Functions makes
 * those calls with that role, in that account; the execution role only needs sts:AssumeRole on it.
 */
import { JOB_TAG_KEY, JOB_TAG_PLAN, JOB_TAG_RUN } from '../run/ids';
import type { ExecutionPlan, PlannedStep, PlannedWave } from '../planner';

/** Placeholder the CloudFormation template substitutes (Fn::Sub) with the approval queue's URL. */
export const APPROVAL_QUEUE_PLACEHOLDER = '${ApprovalQueueUrl}';

export interface CompileOptions {
  /** Seconds between DescribeJobs / GetAutomationExecution polls. Default 15. */
  pollSeconds?: number;
  /** The region the state machine runs in; jobs elsewhere are refused (aws-sdk tasks call their own region). */
  region: string;
  /** QueueUrl for pause and approval task tokens. Default the CloudFormation placeholder. */
  approvalQueueUrl?: string;
  /** Extra tags put on every DRS job (besides the run, plan and job-key tags). */
  runTags?: Record<string, string>;
  /**
   * The role the DRS, SSM and Backup tasks assume (Task `Credentials.RoleArn`) when the protection groups are
   * in another account than the state machine: those calls then act in `account`, and their IAM resources
   * name it. Approval tasks (SQS) stay in the machine's account.
   */
  taskRole?: TaskRole;
}

/** A role in the protection groups' account that the state machine's tasks assume. */
export interface TaskRole {
  arn: string;
  account: string;
}

export type AslState = Record<string, unknown>;
export interface AslDefinition {
  Comment: string;
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
}

/** What a state stands for, so an execution history can be read back as run events. */
export interface StateRole {
  wave: string;
  /** Planned step ID, for step states. */
  step?: string;
  role: 'wave.started' | 'wave.completed' | 'wave.failed' | 'step.started' | 'step.waiting' | 'job.started';
}

/** An IAM action the state machine calls, with the resources it calls it on. */
export interface PlanCall {
  action: string;
  /** ARN patterns (with ${AWS::…} pseudo parameters) or '*' where the API has no resource-level permission. */
  resources: string[];
}

export interface CompiledStateMachine {
  definition: AslDefinition;
  /** State name → meaning. */
  stateRoles: Record<string, StateRole>;
  /** Extra waits the DAG encoding had to add (non-series-parallel plans); empty when exact. */
  warnings: string[];
  calls: PlanCall[];
  /**
   * With a task role: what the tasks call through it, in its account (that role's permissions must allow
   * these); `calls` then holds only the machine's own calls and sts:AssumeRole on the role. Empty otherwise.
   */
  taskRoleCalls: PlanCall[];
  /** The role the tasks assume, when the plan acts in another account. */
  taskRole?: TaskRole;
  /** Execution input the machine expects. */
  inputExample: { drill: boolean };
}

export class PlanCompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanCompileError';
  }
}

// ---- DAG decomposition ---------------------------------------------------------------------------------

export type WaveBlock =
  { kind: 'wave'; wave: string } | { kind: 'series'; parts: WaveBlock[] } | { kind: 'parallel'; parts: WaveBlock[] };

/**
 * Decomposes the wave DAG into series and parallel blocks (see the module comment). `waves` must be in
 * topological order. Warnings name every dependency the encoding adds.
 */
export function decomposeWaves(waves: { name: string; dependsOn: string[] }[], warnings: string[] = []): WaveBlock {
  const names = waves.map((wave) => wave.name);
  const byName = new Map(waves.map((wave) => [wave.name, wave]));
  const ancestors = new Map<string, Set<string>>();
  for (const wave of waves) {
    const set = new Set<string>();
    for (const dependency of wave.dependsOn) {
      if (!byName.has(dependency)) continue;
      set.add(dependency);
      for (const transitive of ancestors.get(dependency) ?? []) set.add(transitive);
    }
    ancestors.set(wave.name, set);
  }
  const related = (a: string, b: string): boolean => ancestors.get(a)!.has(b) || ancestors.get(b)!.has(a);

  const decompose = (group: string[]): WaveBlock => {
    if (group.length === 0) throw new PlanCompileError('The plan has no waves.');
    if (group.length === 1) return { kind: 'wave', wave: group[0] };
    // Independent parts: connected components of the dependency relation inside the group.
    const component = new Map<string, number>();
    let components = 0;
    for (const start of group) {
      if (component.has(start)) continue;
      const stack = [start];
      component.set(start, components);
      while (stack.length) {
        const current = stack.pop()!;
        for (const other of group)
          if (!component.has(other) && related(current, other)) {
            component.set(other, components);
            stack.push(other);
          }
      }
      components++;
    }
    if (components > 1) {
      const parts = Array.from({ length: components }, (_, index) => group.filter((n) => component.get(n) === index));
      return { kind: 'parallel', parts: parts.map(decompose) };
    }
    // Series: the shortest prefix (in topological order) that every later wave depends on entirely.
    for (let cut = 1; cut < group.length; cut++) {
      const prefix = group.slice(0, cut);
      const suffix = group.slice(cut);
      if (suffix.every((b) => prefix.every((a) => ancestors.get(b)!.has(a))))
        return series(decompose(prefix), decompose(suffix));
    }
    // Not series-parallel: run the group's ready waves first and say who now waits longer.
    const ready = group.filter((name) => !group.some((other) => ancestors.get(name)!.has(other)));
    const rest = group.filter((name) => !ready.includes(name));
    for (const name of rest) {
      const extra = ready.filter((a) => !ancestors.get(name)!.has(a));
      if (extra.length)
        warnings.push(
          `Wave "${name}" also waits for ${extra.map((a) => `"${a}"`).join(', ')} on Step Functions: the plan's dependencies are not series-parallel, which Parallel states cannot express exactly.`,
        );
    }
    return series(decompose(ready), decompose(rest));
  };
  return decompose(names);
}

function series(first: WaveBlock, second: WaveBlock): WaveBlock {
  const parts = [first, second].flatMap((block) => (block.kind === 'series' ? block.parts : [block]));
  return { kind: 'series', parts };
}

// ---- ASL emission ----------------------------------------------------------------------------------------

const NAME_LIMIT = 80;
/** Source servers named one by one in the role's policy; more are covered by `source-server/*`. */
export const MAX_LISTED_SERVERS = 40;
const TERMINAL_LAUNCH = ['PENDING', 'IN_PROGRESS'];

class StateNames {
  private readonly used = new Set<string>();
  constructor(private readonly roles: Record<string, StateRole>) {}
  take(name: string, role?: StateRole): string {
    let candidate = name.length > NAME_LIMIT ? name.slice(0, NAME_LIMIT) : name;
    for (let n = 2; this.used.has(candidate); n++) {
      const suffix = ` (${n})`;
      candidate = name.slice(0, NAME_LIMIT - suffix.length) + suffix;
    }
    this.used.add(candidate);
    if (role) this.roles[candidate] = role;
    return candidate;
  }
}

interface Emitter {
  plan: ExecutionPlan;
  options: Required<Omit<CompileOptions, 'runTags' | 'taskRole'>> & {
    runTags: Record<string, string>;
    taskRole?: TaskRole;
  };
  names: StateNames;
  waveIndex: Map<string, number>;
  calls: Map<string, Set<string>>;
  /** Calls made through the task role (only with one). */
  taskRoleCalls: Map<string, Set<string>>;
}

function addCall(into: Map<string, Set<string>>, action: string, resources: string[]): void {
  const set = into.get(action) ?? new Set<string>();
  for (const resource of resources) set.add(resource);
  into.set(action, set);
}

/** A call of the machine itself (SQS), made with the execution role. */
function call(emitter: Emitter, action: string, resources: string[]): void {
  addCall(emitter.calls, action, resources);
}

/** A call of a DRS, SSM or Backup task: through the task role when there is one. */
function taskCall(emitter: Emitter, action: string, resources: string[]): void {
  addCall(emitter.options.taskRole ? emitter.taskRoleCalls : emitter.calls, action, resources);
}

/** `Credentials` for a DRS, SSM or Backup task: the task role, when the plan acts in another account. */
function credentials(emitter: Emitter): { Credentials?: { RoleArn: string } } {
  return emitter.options.taskRole ? { Credentials: { RoleArn: emitter.options.taskRole.arn } } : {};
}

const ARN = 'arn:${AWS::Partition}';
/** Region and account of the resources the tasks act on: the task role's account when there is one. */
function regionAccount(emitter: Emitter): string {
  return `\${AWS::Region}:${emitter.options.taskRole?.account ?? '${AWS::AccountId}'}`;
}
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@-]{1,64}$/;

/** A chain of states in one scope; `start` is its first state. */
interface Fragment {
  start: string;
  states: Record<string, AslState>;
}

function emitBlock(emitter: Emitter, block: WaveBlock, next: string | undefined): Fragment {
  if (block.kind === 'wave') return emitWave(emitter, block.wave, next);
  if (block.kind === 'series') {
    const fragments: Fragment[] = [];
    for (let i = block.parts.length - 1; i >= 0; i--)
      fragments.unshift(emitBlock(emitter, block.parts[i], fragments[0] ? fragments[0].start : next));
    return { start: fragments[0].start, states: Object.assign({}, ...fragments.map((f) => f.states)) };
  }
  const waves = collectWaves(block).map((name) => `W${emitter.waveIndex.get(name)! + 1}`);
  const name = emitter.names.take(`Parallel ${waves.join(' ')}`.slice(0, NAME_LIMIT));
  const branches = block.parts.map((part) => {
    const fragment = emitBlock(emitter, part, undefined);
    return { StartAt: fragment.start, States: fragment.states };
  });
  return {
    start: name,
    states: { [name]: { Type: 'Parallel', Branches: branches, ResultPath: null, ...end(next) } },
  };
}

function collectWaves(block: WaveBlock): string[] {
  return block.kind === 'wave' ? [block.wave] : block.parts.flatMap(collectWaves);
}

function end(next: string | undefined): { Next: string } | { End: true } {
  return next ? { Next: next } : { End: true };
}

function emitWave(emitter: Emitter, waveName: string, next: string | undefined): Fragment {
  const { plan, names } = emitter;
  const index = emitter.waveIndex.get(waveName)!;
  const wave = plan.waves[index];
  const prefix = `W${index + 1} ${wave.name.slice(0, 32)} ·`;
  const completedAndFailed: Record<string, AslState> = {};
  const stop = plan.failurePolicy === 'stop';

  const startedName = names.take(`${prefix} Started`, { wave: wave.name, role: 'wave.started' });
  const completedName = names.take(`${prefix} Completed`, { wave: wave.name, role: 'wave.completed' });
  const failedName = names.take(`${prefix} Failed`, { wave: wave.name, role: 'wave.failed' });
  completedAndFailed[completedName] = { Type: 'Pass', ResultPath: null, ...end(next) };
  completedAndFailed[failedName] = stop
    ? {
        Type: 'Fail',
        Error: 'WaveFailed',
        Cause: `Wave "${wave.name}" failed and the plan's failure policy is "stop".`,
      }
    : {
        Type: 'Pass',
        Comment: `Wave "${wave.name}" failed; the failure policy is "continue".`,
        ResultPath: null,
        ...end(next),
      };
  const catchAll = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: failedName }];

  // Emit steps back to front so each knows its successor; list them front to back.
  const fragments: Fragment[] = [];
  for (let i = wave.steps.length - 1; i >= 0; i--)
    fragments.unshift(
      emitStep(emitter, wave, wave.steps[i], prefix, fragments[0]?.start ?? completedName, failedName, catchAll),
    );
  return {
    start: startedName,
    states: {
      [startedName]: {
        Type: 'Pass',
        Comment: `Wave "${wave.name}": ${wave.servers.length} server(s), ${wave.steps.length} step(s).`,
        Parameters: { 'drill.$': '$.drill' },
        Next: fragments[0]?.start ?? completedName,
      },
      ...Object.assign({}, ...fragments.map((f) => f.states)),
      ...completedAndFailed,
    },
  };
}

function pollLimit(emitter: Emitter, seconds: number): number {
  return Math.max(1, Math.ceil(seconds / emitter.options.pollSeconds));
}

function emitStep(
  emitter: Emitter,
  wave: PlannedWave,
  step: PlannedStep,
  prefix: string,
  next: string,
  failed: string,
  catchAll: object[],
): Fragment {
  const { names, options } = emitter;
  const role = (r: StateRole['role']): StateRole => ({ wave: wave.name, step: step.id, role: r });
  const stepLabel = step.kind === 'action' ? `${step.phase} ${step.index + 1}` : step.kind;
  const at = (label: string, r?: StateRole['role']) => names.take(`${prefix} ${stepLabel} ${label}`, r && role(r));

  if (step.kind === 'pause' || (step.kind === 'action' && step.action.type === 'approval')) {
    const name = at('waiting', 'step.waiting');
    const message =
      step.kind === 'pause'
        ? `Wave "${wave.name}" is paused before it starts. Resume it to go on.`
        : (step.action as { message: string }).message;
    const timeout = step.kind === 'action' ? (step.action as { timeoutSeconds?: number }).timeoutSeconds : undefined;
    call(emitter, 'sqs:SendMessage', ['${ApprovalQueueArn}']);
    return {
      start: name,
      states: {
        [name]: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
          Parameters: {
            QueueUrl: options.approvalQueueUrl,
            MessageBody: {
              'taskToken.$': '$$.Task.Token',
              'executionArn.$': '$$.Execution.Id',
              plan: emitter.plan.planName,
              wave: wave.name,
              step: step.id,
              kind: step.kind === 'pause' ? 'pause' : 'approval',
              message,
            },
          },
          ...(timeout ? { TimeoutSeconds: timeout } : {}),
          ResultPath: null,
          Catch: catchAll,
          Next: next,
        },
      },
    };
  }

  if (step.kind === 'action' && step.action.type === 'wait') {
    const name = at('wait', 'step.started');
    return { start: name, states: { [name]: { Type: 'Wait', Seconds: step.action.seconds, Next: next } } };
  }

  if (step.kind === 'action' && step.action.type === 'ssmAutomation') {
    const action = step.action;
    if (step.region !== options.region) throw crossRegion(wave, step.region, options.region);
    const startName = at('start automation', 'step.started');
    const waitName = at('wait');
    const pollName = at('poll automation');
    const checkName = at('check automation');
    const stopName = at('stop automation');
    const retryName = at('retry automation');
    const initName = at('attempts');
    const countPollName = at('count poll');
    const countAttemptName = at('count attempt');
    const maxPolls = pollLimit(emitter, action.timeoutSeconds);
    taskCall(emitter, 'ssm:StartAutomationExecution', [
      `${ARN}:ssm:${regionAccount(emitter)}:automation-definition/${action.documentName}:*`,
      ...(action.documentName.startsWith('AWS-')
        ? [`${ARN}:ssm:\${AWS::Region}::document/${action.documentName}`]
        : []),
    ]);
    taskCall(emitter, 'ssm:GetAutomationExecution', [`${ARN}:ssm:${regionAccount(emitter)}:automation-execution/*`]);
    taskCall(emitter, 'ssm:StopAutomationExecution', [`${ARN}:ssm:${regionAccount(emitter)}:automation-execution/*`]);
    return {
      start: action.retries > 0 ? initName : startName,
      states: {
        ...(action.retries > 0
          ? { [initName]: { Type: 'Pass', Result: { n: 0 }, ResultPath: '$.attempts', Next: startName } }
          : {}),
        [startName]: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution',
          ...credentials(emitter),
          Parameters: {
            DocumentName: action.documentName,
            ...(action.documentVersion ? { DocumentVersion: action.documentVersion } : {}),
            ...(Object.keys(action.parameters).length ? { Parameters: action.parameters } : {}),
          },
          ResultSelector: { 'id.$': '$.AutomationExecutionId', polls: 0 },
          ResultPath: '$.automation',
          Retry: transientRetry('Ssm'),
          Catch: catchAll,
          Next: waitName,
        },
        [waitName]: { Type: 'Wait', Seconds: options.pollSeconds, Next: pollName },
        [pollName]: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:ssm:getAutomationExecution',
          ...credentials(emitter),
          Parameters: { 'AutomationExecutionId.$': '$.automation.id' },
          ResultSelector: { 'status.$': '$.AutomationExecution.AutomationExecutionStatus' },
          ResultPath: '$.automation.last',
          Retry: transientRetry('Ssm'),
          Catch: catchAll,
          Next: checkName,
        },
        [checkName]: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.automation.last.status', StringEquals: 'Success', Next: next },
            {
              Or: ['Failed', 'TimedOut', 'Cancelled', 'Rejected'].map((status) => ({
                Variable: '$.automation.last.status',
                StringEquals: status,
              })),
              Next: action.retries > 0 ? retryName : failed,
            },
            { Variable: '$.automation.polls', NumericGreaterThanEquals: maxPolls - 1, Next: stopName },
          ],
          Default: countPollName,
        },
        [countPollName]: {
          Type: 'Pass',
          Parameters: { 'id.$': '$.automation.id', 'polls.$': 'States.MathAdd($.automation.polls, 1)' },
          ResultPath: '$.automation',
          Next: waitName,
        },
        [stopName]: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:ssm:stopAutomationExecution',
          ...credentials(emitter),
          Parameters: { 'AutomationExecutionId.$': '$.automation.id' },
          ResultPath: null,
          Catch: [
            { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: action.retries > 0 ? retryName : failed },
          ],
          Next: action.retries > 0 ? retryName : failed,
        },
        ...(action.retries > 0
          ? {
              [retryName]: {
                Type: 'Choice',
                Comment: `Up to ${action.retries} more attempt(s).`,
                Choices: [{ Variable: '$.attempts.n', NumericLessThan: action.retries, Next: countAttemptName }],
                Default: failed,
              },
              [countAttemptName]: {
                Type: 'Pass',
                Parameters: { 'n.$': 'States.MathAdd($.attempts.n, 1)' },
                ResultPath: '$.attempts',
                Next: startName,
              },
            }
          : {}),
      },
    };
  }

  if (step.kind === 'action' && step.action.type === 'backupRestore') {
    const action = step.action;
    if (step.region !== options.region) throw crossRegion(wave, step.region, options.region);
    const overridesName = at('restore overrides');
    const metadataName = at('restore metadata', 'step.started');
    const startName = at('start restore');
    const waitName = at('wait restore');
    const pollName = at('poll restore');
    const checkName = at('check restore');
    const countPollName = at('count restore poll');
    const maxPolls = pollLimit(emitter, action.timeoutSeconds);
    const hasOverrides = Object.keys(action.metadata).length > 0;
    taskCall(emitter, 'backup:GetRecoveryPointRestoreMetadata', [
      `${ARN}:backup:${regionAccount(emitter)}:backup-vault:${action.backupVaultName}`,
    ]);
    taskCall(emitter, 'backup:StartRestoreJob', [action.recoveryPointArn]);
    taskCall(emitter, 'backup:DescribeRestoreJob', ['*']);
    if (action.iamRoleArn) taskCall(emitter, 'iam:PassRole', [action.iamRoleArn]);
    return {
      start: hasOverrides ? overridesName : metadataName,
      states: {
        ...(hasOverrides
          ? {
              [overridesName]: {
                Type: 'Pass',
                Result: action.metadata,
                ResultPath: '$.restoreOverrides',
                Next: metadataName,
              },
            }
          : {}),
        [metadataName]: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:backup:getRecoveryPointRestoreMetadata',
          ...credentials(emitter),
          Parameters: { BackupVaultName: action.backupVaultName, RecoveryPointArn: action.recoveryPointArn },
          ResultSelector: { 'metadata.$': '$.RestoreMetadata' },
          ResultPath: '$.restore',
          Retry: transientRetry('Backup'),
          Catch: catchAll,
          Next: startName,
        },
        [startName]: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:backup:startRestoreJob',
          ...credentials(emitter),
          Parameters: {
            RecoveryPointArn: action.recoveryPointArn,
            'Metadata.$': hasOverrides
              ? 'States.JsonMerge($.restore.metadata, $.restoreOverrides, false)'
              : '$.restore.metadata',
            ...(action.iamRoleArn ? { IamRoleArn: action.iamRoleArn } : {}),
            'IdempotencyToken.$': `States.Format('{}-${step.id.replace(/[^A-Za-z0-9/_.-]/g, '-')}', $$.Execution.Name)`,
          },
          ResultSelector: { 'id.$': '$.RestoreJobId', polls: 0 },
          ResultPath: '$.restore',
          Retry: transientRetry('Backup'),
          Catch: catchAll,
          Next: waitName,
        },
        [waitName]: { Type: 'Wait', Seconds: options.pollSeconds, Next: pollName },
        [pollName]: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:backup:describeRestoreJob',
          ...credentials(emitter),
          Parameters: { 'RestoreJobId.$': '$.restore.id' },
          ResultSelector: { 'status.$': '$.Status' },
          ResultPath: '$.restore.last',
          Retry: transientRetry('Backup'),
          Catch: catchAll,
          Next: checkName,
        },
        [checkName]: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.restore.last.status', StringEquals: 'COMPLETED', Next: next },
            {
              Or: ['FAILED', 'ABORTED'].map((status) => ({ Variable: '$.restore.last.status', StringEquals: status })),
              Next: failed,
            },
            // AWS Backup cannot stop a restore job: past the timeout the step fails and the job is left running.
            { Variable: '$.restore.polls', NumericGreaterThanEquals: maxPolls - 1, Next: failed },
          ],
          Default: countPollName,
        },
        [countPollName]: {
          Type: 'Pass',
          Parameters: { 'id.$': '$.restore.id', 'polls.$': 'States.MathAdd($.restore.polls, 1)' },
          ResultPath: '$.restore',
          Next: waitName,
        },
      },
    };
  }

  if (step.kind === 'launch') return emitLaunch(emitter, wave, step, prefix, at, next, failed, catchAll);
  throw new PlanCompileError(`Step ${(step as PlannedStep).id} has a kind the compiler does not know.`);
}

function crossRegion(wave: PlannedWave, region: string, machineRegion: string): PlanCompileError {
  return new PlanCompileError(
    `Wave "${wave.name}" works in ${region}, the state machine runs in ${machineRegion}. Not supported yet: waves in another region than the state machine (aws-sdk tasks call their own region).`,
  );
}

function transientRetry(service: string): object[] {
  return [
    {
      ErrorEquals: [`${service}.ThrottlingException`, `${service}.InternalServerException`],
      IntervalSeconds: 2,
      MaxAttempts: 5,
      BackoffRate: 2,
    },
  ];
}

function emitLaunch(
  emitter: Emitter,
  wave: PlannedWave,
  step: Extract<PlannedStep, { kind: 'launch' }>,
  prefix: string,
  at: (label: string, role?: StateRole['role']) => string,
  next: string,
  failed: string,
  catchAll: object[],
): Fragment {
  const { options, plan } = emitter;
  if (step.jobs.length === 0) {
    const name = at('no servers', 'step.started');
    return { start: name, states: { [name]: { Type: 'Pass', Comment: 'The wave has no servers.', Next: next } } };
  }
  for (const job of step.jobs) if (job.region !== options.region) throw crossRegion(wave, job.region, options.region);
  const jobsName = at('jobs', 'step.started');
  const mapName = at('run jobs');
  const startName = at('start recovery', 'job.started');
  const waitName = at('wait for job');
  const pollName = at('describe job');
  const checkName = at('check job');
  const countName = at('count poll');
  const jobFailed = at('job failed');
  const jobTimedOut = at('job timed out');
  const jobDone = at('job done');
  const resultName = at('job result');
  const maxPolls = pollLimit(emitter, step.maxWaitSeconds);
  const serverArns = step.jobs.flatMap((job) =>
    job.sourceServerIds.map((id) => `${ARN}:drs:${regionAccount(emitter)}:source-server/${id}`),
  );
  taskCall(emitter, 'drs:StartRecovery', serverArns);
  taskCall(emitter, 'drs:TagResource', [
    `${ARN}:drs:${regionAccount(emitter)}:job/*`,
    `${ARN}:drs:${regionAccount(emitter)}:recovery-instance/*`,
  ]);
  taskCall(emitter, 'drs:DescribeJobs', ['*']);
  const tags = {
    ...options.runTags,
    [JOB_TAG_PLAN]: plan.planName,
    [`${JOB_TAG_RUN}.$`]: '$.runId',
    [`${JOB_TAG_KEY}.$`]: '$.key',
  };
  const launchStatuses = '$.Items[0].ParticipatingServers[*].LaunchStatus';
  return {
    start: jobsName,
    states: {
      [jobsName]: {
        Type: 'Pass',
        Comment: step.label,
        Result: step.jobs.map((job) => ({
          key: job.key,
          sourceServers: job.sourceServerIds.map((id) => ({ SourceServerID: id })),
        })),
        ResultPath: '$.jobs',
        Next: mapName,
      },
      [mapName]: {
        Type: 'Map',
        ItemsPath: '$.jobs',
        MaxConcurrency: plan.limits.maxConcurrentJobs,
        ItemSelector: { 'job.$': '$$.Map.Item.Value', 'drill.$': '$.drill', 'runId.$': '$$.Execution.Name' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: startName,
          States: {
            [startName]: {
              Type: 'Task',
              Resource: 'arn:aws:states:::aws-sdk:drs:startRecovery',
              ...credentials(emitter),
              Parameters: { 'SourceServers.$': '$.job.sourceServers', 'IsDrill.$': '$.drill', Tags: rebase(tags) },
              ResultSelector: { 'jobId.$': '$.Job.JobId', polls: 0 },
              ResultPath: '$.run',
              Retry: [
                {
                  ErrorEquals: [
                    'Drs.ThrottlingException',
                    'Drs.ServiceQuotaExceededException',
                    'Drs.ConflictException',
                  ],
                  IntervalSeconds: 5,
                  MaxAttempts: 6,
                  BackoffRate: 2,
                },
              ],
              Next: waitName,
            },
            [waitName]: { Type: 'Wait', Seconds: options.pollSeconds, Next: pollName },
            [pollName]: {
              Type: 'Task',
              Resource: 'arn:aws:states:::aws-sdk:drs:describeJobs',
              ...credentials(emitter),
              Parameters: { Filters: { 'JobIDs.$': 'States.Array($.run.jobId)' } },
              ResultSelector: {
                'status.$': '$.Items[0].Status',
                'pending.$': `States.ArrayContains(${launchStatuses}, '${TERMINAL_LAUNCH[0]}')`,
                'inProgress.$': `States.ArrayContains(${launchStatuses}, '${TERMINAL_LAUNCH[1]}')`,
                'failed.$': `States.ArrayContains(${launchStatuses}, 'FAILED')`,
              },
              ResultPath: '$.last',
              Retry: transientRetry('Drs'),
              Next: checkName,
            },
            [checkName]: {
              Type: 'Choice',
              Choices: [
                {
                  And: [
                    { Variable: '$.last.pending', BooleanEquals: false },
                    { Variable: '$.last.inProgress', BooleanEquals: false },
                    { Not: { Variable: '$.last.status', StringEquals: 'PENDING' } },
                  ],
                  Next: resultName,
                },
                { Variable: '$.run.polls', NumericGreaterThanEquals: maxPolls - 1, Next: jobTimedOut },
              ],
              Default: countName,
            },
            [resultName]: {
              Type: 'Choice',
              Choices: [{ Variable: '$.last.failed', BooleanEquals: true, Next: jobFailed }],
              Default: jobDone,
            },
            [countName]: {
              Type: 'Pass',
              Parameters: { 'jobId.$': '$.run.jobId', 'polls.$': 'States.MathAdd($.run.polls, 1)' },
              ResultPath: '$.run',
              Next: waitName,
            },
            [jobFailed]: {
              Type: 'Fail',
              Error: 'LaunchFailed',
              Cause: `A server of wave "${wave.name}" failed to launch.`,
            },
            [jobTimedOut]: {
              Type: 'Fail',
              Error: 'LaunchTimedOut',
              Cause: `Wave "${wave.name}" did not finish launching within ${step.maxWaitSeconds} s.`,
            },
            [jobDone]: { Type: 'Pass', ResultPath: null, End: true },
          },
        },
        ResultPath: null,
        Catch: catchAll,
        Next: next,
      },
    },
  };
}

/** Map item processors see `{ job, drill, runId }` as `$`: the tags' job key comes from `$.job.key` there. */
function rebase(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [key, value === '$.key' ? '$.job.key' : value]));
}

// ---- entry point -------------------------------------------------------------------------------------------

export function compilePlan(plan: ExecutionPlan, options: CompileOptions): CompiledStateMachine {
  if (plan.waves.length === 0) throw new PlanCompileError('The plan has no waves.');
  const pollSeconds = options.pollSeconds ?? 15;
  if (!Number.isInteger(pollSeconds) || pollSeconds < 1 || pollSeconds > 3600)
    throw new PlanCompileError('pollSeconds must be a whole number from 1 to 3600.');
  const taskRole = options.taskRole;
  if (taskRole && ROLE_ARN.exec(taskRole.arn)?.[1] !== taskRole.account)
    throw new PlanCompileError(
      `The task role "${taskRole.arn.slice(0, 200)}" is not an IAM role ARN in account ${taskRole.account}.`,
    );
  const stateRoles: Record<string, StateRole> = {};
  const emitter: Emitter = {
    plan,
    options: {
      region: options.region,
      pollSeconds,
      approvalQueueUrl: options.approvalQueueUrl ?? APPROVAL_QUEUE_PLACEHOLDER,
      runTags: options.runTags ?? {},
      ...(taskRole ? { taskRole } : {}),
    },
    names: new StateNames(stateRoles),
    waveIndex: new Map(plan.waves.map((wave, index) => [wave.name, index])),
    calls: new Map(),
    taskRoleCalls: new Map(),
  };
  const warnings: string[] = [];
  const block = decomposeWaves(plan.waves, warnings);
  const checkName = emitter.names.take('Check input');
  const invalidName = emitter.names.take('Invalid input');
  const finishedName = emitter.names.take('Run finished');
  const body = emitBlock(emitter, block, finishedName);
  const definition: AslDefinition = {
    Comment: `Pilot Light recovery plan "${plan.planName}": ${plan.waves.length} wave(s), ${plan.serverCount} server(s), failure policy ${plan.failurePolicy}. Input: {"drill": true} for a drill, {"drill": false} for a recovery.`,
    StartAt: checkName,
    States: {
      [checkName]: {
        Type: 'Choice',
        Choices: [{ Variable: '$.drill', IsBoolean: true, Next: body.start }],
        Default: invalidName,
      },
      [invalidName]: {
        Type: 'Fail',
        Error: 'InvalidInput',
        Cause: 'Start the execution with {"drill": true} for a drill or {"drill": false} for a recovery.',
      },
      ...body.states,
      [finishedName]: { Type: 'Succeed' },
    },
  };
  // The execution role assumes the task role, which makes the DRS, SSM and Backup calls in its account.
  if (taskRole && emitter.taskRoleCalls.size) call(emitter, 'sts:AssumeRole', [taskRole.arn]);
  return {
    definition,
    stateRoles,
    warnings,
    calls: callList(emitter, emitter.calls),
    taskRoleCalls: callList(emitter, emitter.taskRoleCalls),
    ...(taskRole ? { taskRole } : {}),
    inputExample: { drill: plan.mode === 'drill' },
  };
}

function callList(emitter: Emitter, recorded: Map<string, Set<string>>): PlanCall[] {
  const calls = [...recorded].map(([action, resources]) => ({ action, resources: [...resources].sort() }));
  // An inline role policy holds 10,240 characters: past a few dozen servers, name the resource type instead.
  for (const entry of calls)
    if (entry.action === 'drs:StartRecovery' && entry.resources.length > MAX_LISTED_SERVERS)
      entry.resources = [`${ARN}:drs:${regionAccount(emitter)}:source-server/*`];
  return calls.sort((a, b) => a.action.localeCompare(b.action));
}

/** The IAM partition of a region (aws, aws-cn, aws-us-gov, and the ISO partitions). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  return 'aws';
}

/** The member role the tasks assume in `account`: `arn:<partition>:iam::<account>:role/<roleName>`. */
export function memberTaskRole(account: string, roleName: string, region: string): TaskRole {
  if (!/^\d{12}$/.test(account)) throw new PlanCompileError(`"${account.slice(0, 40)}" is not an AWS account ID.`);
  if (!/^[\w+=,.@-]{1,64}$/.test(roleName))
    throw new PlanCompileError(
      `The member role name "${roleName.slice(0, 80)}" is not an IAM role name (1-64 letters, digits or + = , . @ _ -).`,
    );
  return { arn: `arn:${partitionOf(region)}:iam::${account}:role/${roleName}`, account };
}
