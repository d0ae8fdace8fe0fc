/**
 * Recovery plans on Step Functions, end to end, through registered operations only (guardrails, approval,
 * audit): prepare (preflight → execution plan → ASL → template), deploy, look up what is deployed, start
 * an execution and follow it into a run journal, answer pauses and approvals.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { Stack } from '@aws-sdk/client-cloudformation';
import { planAccount } from '../accounts';
import type { DrReads } from '../aws';
import type { ProtectionGroup, RecoveryPlan } from '../model';
import type { DrRunMode } from '../planner';
import { runPreflight, type PreflightReport } from '../preflight';
import { newRunId } from '../run/ids';
import type { OperationRunner, RunOptions, RunOutcome } from '../../operations';
import { DEFAULT_MEMBER_ROLE } from '../../organizations/memberAccess';
import { compilePlan, memberTaskRole, type CompiledStateMachine } from './compile';
import { StepFunctionsRunFollower, type FollowInput, type SfnReads, type WaitingTask } from './follow';
import { planHash } from './hash';
import { buildExecutionPolicy } from './policy';
import { buildPlanTemplate, stackNameFor, stackTags, TAG_PLAN_HASH, type StackTag } from './template';

export interface PreparedDeployment {
  planName: string;
  planHash: string;
  stackName: string;
  compiled: CompiledStateMachine;
  template: Record<string, unknown>;
  templateBody: string;
  tags: StackTag[];
  /** Lines for the deploy preview: actions granted, compiler notes, preflight problems. */
  summary: string[];
  sourceServerIds: string[];
  /** When the protection groups are in another account than the machine: that account, the role, the servers. */
  actsIn?: ActsIn;
  preflight: PreflightReport;
}

/** Input of the deploy and start operations for a plan that acts in another account (guardrail context). */
export interface ActsIn {
  account: string;
  roleArn: string;
  /** The plan's servers as preflight read them in that account (their tags decide protection and approvals). */
  servers: { id: string; name?: string; tags: Record<string, string> }[];
}

export interface PrepareInput {
  plan: RecoveryPlan;
  groups: ProtectionGroup[];
  /** DRS reads in the protection groups' account (the member role's when that is another account). */
  reads: DrReads;
  region: string;
  /** The account the state machine is deployed in (the deploying profile's). Default: the reads' account. */
  machineAccount?: string;
  /** The role the machine's tasks assume in the groups' account (pilotLight.organizations.memberRoleName). */
  memberRoleName?: string;
  /** Seconds between polls inside the state machine (default 15). */
  pollSeconds?: number;
  mode?: DrRunMode;
}

/** Resolves the plan's servers (preflight) and compiles it. The machine takes drill or recovery as input. */
export async function prepareDeployment(input: PrepareInput): Promise<PreparedDeployment> {
  // One account per plan, as for the local runner. When it is not the machine's, every DRS, SSM and Backup
  // task assumes the member role there (Task Credentials); approvals stay in the machine's account.
  const { account, problem } = planAccount(input.plan, input.groups);
  if (problem) throw new Error(problem);
  const readsAccount = account ? await input.reads.account() : undefined;
  if (account && readsAccount !== account)
    throw new Error(
      `The protection groups of plan "${input.plan.name}" are in account ${account}, but the DRS reads are of account ${readsAccount}: preflight must read the servers in account ${account} (with the organization's member role, pilotLight.organizations.memberRoleName, or a profile of that account).`,
    );
  const machineAccount = input.machineAccount ?? readsAccount;
  const roleName = input.memberRoleName ?? DEFAULT_MEMBER_ROLE;
  const taskRole =
    account && machineAccount && account !== machineAccount
      ? memberTaskRole(account, roleName, input.region)
      : undefined;
  const preflight = await runPreflight({
    plan: input.plan,
    groups: input.groups,
    reads: input.reads,
    mode: input.mode ?? 'drill',
    defaultRegion: input.region,
  });
  const compiled = compilePlan(preflight.executionPlan, {
    region: input.region,
    pollSeconds: input.pollSeconds,
    ...(taskRole ? { taskRole } : {}),
  });
  const hash = planHash(input.plan);
  const template = buildPlanTemplate({ planName: input.plan.name, planHash: hash, compiled });
  const policy = buildExecutionPolicy(compiled.calls);
  const servers = preflight.executionPlan.waves.flatMap((wave) => wave.servers);
  const summary = [
    `${preflight.executionPlan.waves.length} wave(s), ${preflight.executionPlan.serverCount} server(s), ${preflight.executionPlan.jobCount} DRS job(s)`,
    ...(taskRole
      ? [
          `Runs in account ${machineAccount}, acts in account ${taskRole.account} through role/${roleName} (${taskRole.arn})`,
          `Role ${roleName} in account ${taskRole.account} must trust the state machine's role (or account ${machineAccount})`,
          `Role ${roleName} must allow: ${compiled.taskRoleCalls.map((c) => c.action).join(', ')}`,
        ]
      : []),
    `Role may call: ${policy.Statement.map((s) => s.Action[0]).join(', ')}`,
    ...compiled.warnings,
    ...preflight.findings
      .filter((finding) => finding.severity === 'error')
      .map((finding) => `Preflight now: ${finding.message}`),
  ];
  return {
    planName: input.plan.name,
    planHash: hash,
    stackName: stackNameFor(input.plan.name),
    compiled,
    template,
    templateBody: JSON.stringify(template),
    tags: stackTags(input.plan.name, hash, compiled),
    summary,
    sourceServerIds: servers.map((server) => server.sourceServerId),
    ...(taskRole
      ? {
          actsIn: {
            account: taskRole.account,
            roleArn: taskRole.arn,
            servers: servers.map((server) => ({
              id: server.sourceServerId,
              ...(server.hostname ? { name: server.hostname } : {}),
              tags: { ...server.tags },
            })),
          },
        }
      : {}),
    preflight,
  };
}

/** The result of an operation, or an error that says why it did not run. */
export function outputOf<T>(outcome: RunOutcome<T>, what: string): T {
  if (outcome.status === 'succeeded' && outcome.output !== undefined) return outcome.output;
  const reason =
    outcome.refusal?.message ?? (outcome.error ? `${outcome.error.code}: ${outcome.error.message}` : outcome.status);
  throw new StepFunctionsOperationError(`${what}: ${reason}`, outcome);
}

export class StepFunctionsOperationError extends Error {
  constructor(
    message: string,
    readonly outcome: RunOutcome,
  ) {
    super(message);
    this.name = 'StepFunctionsOperationError';
  }
}

export interface DeployResult {
  stackName: string;
  action: 'created' | 'updated' | 'unchanged';
  status: string;
  stateMachineArn?: string;
  approvalQueueUrl?: string;
}

export async function deployPlan(
  operations: OperationRunner,
  prepared: PreparedDeployment,
  options: RunOptions,
): Promise<RunOutcome<DeployResult>> {
  if (Buffer.byteLength(prepared.templateBody) > 51_200)
    throw new Error(
      `The template of plan "${prepared.planName}" is ${Buffer.byteLength(prepared.templateBody)} bytes; CloudFormation takes at most 51,200 inline. Not supported yet: deploying through an S3 template URL. Export the template and deploy it from S3 with your CI/CD.`,
    );
  return operations.run(
    'cloudformation.stacks.deployRecoveryPlan',
    {
      stackName: prepared.stackName,
      planName: prepared.planName,
      templateBody: prepared.templateBody,
      tags: prepared.tags,
      summary: prepared.summary,
      sourceServerIds: prepared.sourceServerIds,
      ...(prepared.actsIn ? { actsIn: prepared.actsIn } : {}),
    },
    options,
  ) as Promise<RunOutcome<DeployResult>>;
}

export interface DeployedPlan {
  stackName: string;
  status: string;
  planHash?: string;
  stateMachineArn?: string;
}

/** What is deployed for a plan, or undefined when its stack does not exist. A failed read throws. */
export async function findDeployedPlan(
  operations: OperationRunner,
  planName: string,
  options: RunOptions,
): Promise<DeployedPlan | undefined> {
  const stackName = stackNameFor(planName);
  const outcome = (await operations.run('cloudformation.stacks.list', { stackName }, options)) as RunOutcome<{
    items: Stack[];
  }>;
  if (outcome.status !== 'succeeded' && /does not exist/.test(outcome.error?.message ?? '')) return undefined;
  const stack = outputOf(outcome, `Reading stack ${stackName}`).items[0];
  if (!stack) return undefined;
  return {
    stackName,
    status: stack.StackStatus ?? 'UNKNOWN',
    planHash: stack.Tags?.find((tag) => tag.Key === TAG_PLAN_HASH)?.Value,
    stateMachineArn: stack.Outputs?.find((o) => o.OutputKey === 'StateMachineArn')?.OutputValue,
  };
}

/** Whether the deployed machine matches the plan file. */
export function syncState(
  plan: RecoveryPlan,
  deployed: DeployedPlan | undefined,
): 'not-deployed' | 'in-sync' | 'out-of-sync' {
  if (!deployed) return 'not-deployed';
  return deployed.planHash === planHash(plan) ? 'in-sync' : 'out-of-sync';
}

/** SfnReads through the registered read operation. */
export function operationSfnReads(operations: OperationRunner, options: RunOptions): SfnReads {
  return {
    async history(executionArn, nextToken) {
      const outcome = (await operations.run(
        'sfn.executions.history',
        { executionArn, ...(nextToken ? { nextToken } : {}) },
        options,
      )) as RunOutcome<{ items: HistoryEvent[]; nextToken?: string }>;
      return outputOf(outcome, 'Reading the execution history');
    },
  };
}

export interface StartRunInput {
  operations: OperationRunner;
  options: RunOptions;
  journalDir: string;
  plan: RecoveryPlan;
  groups: ProtectionGroup[];
  reads: DrReads;
  region: string;
  mode: DrRunMode;
  pollSeconds?: number;
  runId?: string;
  /** As for prepareDeployment: the machine's account and the member role, when the groups are elsewhere. */
  machineAccount?: string;
  memberRoleName?: string;
}

export interface PlannedStart {
  /** Input of the `sfn.executions.start` operation. */
  startInput: { stateMachineArn: string; name: string; drill: boolean; sourceServerIds: string[]; actsIn?: ActsIn };
  executionArn: string;
  follow: Omit<FollowInput, 'journalDir' | 'executionArn'>;
}

/**
 * Checks the plan again (preflight for this mode; errors refuse the run) and that the deployed machine
 * matches the plan file, and says how to start it. Nothing is started here.
 */
export async function planRunStart(input: Omit<StartRunInput, 'journalDir'>): Promise<PlannedStart> {
  const deployed = await findDeployedPlan(input.operations, input.plan.name, input.options);
  const sync = syncState(input.plan, deployed);
  if (sync !== 'in-sync' || !deployed?.stateMachineArn)
    throw new Error(
      sync === 'not-deployed'
        ? `Plan "${input.plan.name}" is not deployed to Step Functions. Run "Deploy Plan to Step Functions" first.`
        : `The deployed state machine of plan "${input.plan.name}" does not match the plan file. Deploy the plan again first.`,
    );
  const prepared = await prepareDeployment({ ...input, mode: input.mode });
  if (!prepared.preflight.ok)
    throw new Error(
      `Preflight found blocking problems:\n${prepared.preflight.findings
        .filter((f) => f.severity === 'error')
        .map((f) => `- ${f.message} Fix: ${f.fix}`)
        .join('\n')}`,
    );
  const runId = input.runId ?? newRunId(input.plan.name);
  return {
    startInput: {
      stateMachineArn: deployed.stateMachineArn,
      name: runId,
      drill: input.mode === 'drill',
      sourceServerIds: prepared.sourceServerIds,
      ...(prepared.actsIn ? { actsIn: prepared.actsIn } : {}),
    },
    executionArn: `${deployed.stateMachineArn.replace(':stateMachine:', ':execution:')}:${runId}`,
    follow: {
      runId,
      plan: input.plan,
      groups: input.groups,
      executionPlan: prepared.preflight.executionPlan,
      preflight: prepared.preflight,
      stateRoles: prepared.compiled.stateRoles,
    },
  };
}

/** planRunStart, then the start operation (no confirmation step: for the CLI and tests), then a follower. */
export async function startPlanRun(input: StartRunInput): Promise<StepFunctionsRunFollower> {
  const planned = await planRunStart(input);
  const started = outputOf(
    (await input.operations.run('sfn.executions.start', planned.startInput, input.options)) as RunOutcome<{
      executionArn: string;
    }>,
    'Starting the execution',
  );
  return StepFunctionsRunFollower.create({
    ...planned.follow,
    journalDir: input.journalDir,
    executionArn: started.executionArn,
  });
}

/** Answers a waiting pause or approval (SendTaskSuccess, or SendTaskFailure when rejected). */
export async function answerWaitingTask(
  operations: OperationRunner,
  options: RunOptions,
  executionArn: string,
  task: WaitingTask,
  approved: boolean,
  comment?: string,
): Promise<RunOutcome> {
  const label = `${task.kind === 'pause' ? 'resume wave' : 'approval in wave'} "${task.wave}" (${task.step})`;
  return operations.run(
    approved ? 'sfn.tasks.sendSuccess' : 'sfn.tasks.sendFailure',
    { executionArn, step: task.step, label, ...(comment ? { comment } : {}) },
    options,
  );
}
