/**
 * `pilot-light-mcp dr …`: answers a recovery plan's pause or approval on Step Functions from a terminal,
 * the same as *Approve* / *Resume* in VS Code. The execution's history says what waits; the answer is the
 * registered operation (sfn.tasks.sendSuccess / sendFailure) through the runtime: guardrails, approval,
 * audit. A protected environment's typed confirmation is asked on a TTY, or given with --confirm.
 * Task tokens never leave the operation; nothing secret is printed.
 */
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import type { AwsConnection as Connection } from '../core/aws/connection';
import type { WaitingTask } from '../core/dr/stepFunctions/follow';
import type { ApprovalDecision, ApprovalProvider, ApprovalRequest } from '../core/guardrails/approval';
import type { RunOutcome } from '../core/operations/runner';
import type { PolicyFile } from '../core/runtime/policySources';
import type { CliSettings } from './mcpSettings';

/** A wrong command line; the message says what to give. */
export class DrUsageError extends Error {}

/** What the command takes from the MCP server's command line (injected: src/cli/mcp.ts loads this module). */
export interface DrSettingsSource {
  /** Parses the shared flags (and --config) as `pilot-light-mcp --stdio` does. */
  settings(argv: string[]): Promise<CliSettings | 'help'>;
  /** A workspace's `.vscode/settings.json` guardrails, as a tighten-only layer. */
  workspaceLayer(folder: string): Promise<PolicyFile | undefined>;
}

export const DR_USAGE = `Usage: pilot-light-mcp dr <command> --execution <arn> [options]
Answers a recovery plan running on AWS Step Functions (deployed with "Deploy Plan to Step Functions").
Commands:
  waiting                 list the pauses and approvals the execution waits for
  resume                  resume a paused wave (pauseBeforeWave)
  approve                 approve a waiting approval action
  reject                  reject a waiting approval or pause: its wave fails
Options:
  --execution <arn>       the execution (Recovery runs shows it; "Run on Step Functions" prints it)
  --wave <name>           the wave whose step to answer, when more than one waits
  --step <id>             the step to answer (e.g. app/pause, web/pre/0), when a wave has several
  --comment <text>        recorded with the answer
  --confirm <text>        the typed confirmation a protected environment asks (without a terminal)
  --profile, --region, --endpoint-url, --audit, --workspace, --config, --read-only: as for --stdio
  --help`;

type DrCommand = 'waiting' | 'resume' | 'approve' | 'reject';
const COMMANDS: readonly DrCommand[] = ['waiting', 'resume', 'approve', 'reject'];

export interface DrIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

interface DrArgs {
  command: DrCommand;
  executionArn: string;
  wave?: string;
  step?: string;
  comment?: string;
  confirm?: string;
  /** The options shared with the MCP server, as flags for cliSettings. */
  shared: string[];
}

const SHARED_STRING = ['profile', 'region', 'endpoint-url', 'audit', 'config', 'journal-dir'] as const;

export function drArgs(argv: string[]): DrArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        execution: { type: 'string' },
        wave: { type: 'string' },
        step: { type: 'string' },
        comment: { type: 'string' },
        confirm: { type: 'string' },
        profile: { type: 'string' },
        region: { type: 'string' },
        'endpoint-url': { type: 'string' },
        audit: { type: 'string' },
        config: { type: 'string' },
        'journal-dir': { type: 'string' },
        'read-only': { type: 'boolean' },
        workspace: { type: 'string', multiple: true },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new DrUsageError(`${(error as Error).message}\n${DR_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const command = positionals[0] as DrCommand | undefined;
  if (!command || !COMMANDS.includes(command) || positionals.length > 1)
    throw new DrUsageError(`Give one command: ${COMMANDS.join(', ')}.\n${DR_USAGE}`);
  if (!values.execution) throw new DrUsageError(`Give --execution <arn>.\n${DR_USAGE}`);
  if (
    !/^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:execution:[A-Za-z0-9_-]{1,80}:[A-Za-z0-9._-]{1,80}$/.test(
      values.execution,
    )
  )
    throw new DrUsageError(`"${values.execution.slice(0, 200)}" is not a Step Functions execution ARN.`);
  if (values.comment && values.comment.length > 256) throw new DrUsageError('--comment takes at most 256 characters.');
  const shared: string[] = ['--stdio'];
  for (const key of SHARED_STRING) if (values[key] !== undefined) shared.push(`--${key}`, values[key]!);
  for (const folder of values.workspace ?? []) shared.push('--workspace', folder);
  if (values['read-only']) shared.push('--read-only');
  return {
    command,
    executionArn: values.execution,
    wave: values.wave,
    step: values.step,
    comment: values.comment,
    confirm: values.confirm,
    shared,
  };
}

/** Picks the one waiting task the command answers, or says clearly what to add. */
export function pickTask(tasks: WaitingTask[], args: Pick<DrArgs, 'command' | 'wave' | 'step'>): WaitingTask {
  const fitting = tasks.filter(
    (task) =>
      (args.command === 'resume'
        ? task.kind === 'pause'
        : args.command === 'approve'
          ? task.kind === 'approval'
          : true) &&
      (args.wave === undefined || task.wave === args.wave) &&
      (args.step === undefined || task.step === args.step),
  );
  const list = tasks.map(
    (task) => `  ${task.kind === 'pause' ? 'paused' : 'approval'}  wave ${task.wave}  step ${task.step}`,
  );
  if (fitting.length === 1) return fitting[0];
  if (fitting.length === 0)
    throw new DrUsageError(
      tasks.length === 0
        ? 'The execution waits for nothing: no pause or approval is open (it may have been answered, or the execution ended).'
        : `Nothing fits "${args.command}"${args.wave ? ` in wave ${args.wave}` : ''}${args.step ? ` at step ${args.step}` : ''}. The execution waits for:\n${list.join('\n')}${args.command === 'resume' ? '\n(An approval is answered with "approve", a pause with "resume".)' : ''}`,
    );
  throw new DrUsageError(`Several steps wait; name one with --wave or --step:\n${list.join('\n')}`);
}

/**
 * The terminal's approval: the request is shown on stderr and the environment name typed on stdin. Without a
 * terminal, only --confirm answers; nothing else is taken as a yes.
 */
export function terminalApproval(io: DrIo, confirm: string | undefined): ApprovalProvider {
  const approver = (() => {
    try {
      return userInfo().username || 'cli';
    } catch {
      return 'cli';
    }
  })();
  return {
    id: 'cli-terminal',
    kind: 'interactive',
    async requestApproval(request: ApprovalRequest): Promise<ApprovalDecision> {
      const needed = request.requiredConfirmation ?? '';
      const lines = [
        `${request.operationTitle}: ${request.preview.summary}`,
        ...request.reasons.map((reason) => `  ${reason}`),
        request.environments.length ? `  environment: ${request.environments.join(', ')}` : '',
      ].filter(Boolean);
      if (confirm !== undefined) return { approved: true, approver, typedConfirmation: confirm };
      if (!io.stdin.isTTY)
        return {
          approved: false,
          reason:
            request.level === 'approve'
              ? `a protected environment needs the typed confirmation "${needed}": run this on a terminal, or pass --confirm ${needed}`
              : 'a confirmation is needed: run this on a terminal, or pass --confirm',
        };
      io.stderr.write(`${lines.join('\n')}\n`);
      const prompt = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
      try {
        const typed = await prompt.question(
          request.level === 'approve' ? `Type ${needed} to confirm: ` : 'Type yes to confirm: ',
        );
        if (request.level !== 'approve' && typed.trim().toLowerCase() !== 'yes')
          return { approved: false, approver, reason: 'not confirmed at the terminal' };
        return { approved: true, approver, typedConfirmation: request.level === 'approve' ? typed : needed };
      } finally {
        prompt.close();
      }
    },
  };
}

function describeOutcome(outcome: RunOutcome): string {
  if (outcome.refusal) return `refused: ${outcome.refusal.message}`;
  if (outcome.error) return `failed: ${outcome.error.message ?? outcome.error.code ?? 'AWS error'}`;
  return outcome.status;
}

/** Runs one `dr` command; returns the exit code (0 done, 1 refused or failed, 2 usage). */
export async function drMain(argv: string[], io: DrIo, source: DrSettingsSource): Promise<number> {
  const say = (text: string) => io.stderr.write(`pilot-light-mcp dr: ${text}\n`);
  let args: DrArgs | 'help';
  let settings;
  try {
    args = drArgs(argv);
    if (args === 'help') {
      io.stderr.write(`${DR_USAGE}\n`);
      return 0;
    }
    settings = await source.settings(args.shared);
    if (settings === 'help') return 0;
  } catch (error) {
    say((error as Error).message);
    return 2;
  }
  const config = settings;
  const command = args;
  if (config.readOnly && command.command !== 'waiting') {
    say(
      `read-only (--read-only or "readOnly" in the config): "${command.command}" answers the execution; only "waiting" runs.`,
    );
    return 1;
  }
  const [{ createRuntime, readPolicyFiles, formatPolicyProblem }, { AwsConnection }, { waitingTasksInHistory }] =
    await Promise.all([
      import('../core/runtime'),
      import('../core/aws/connection'),
      import('../core/dr/stepFunctions/waiting'),
    ]);
  let connection: Promise<Connection> | undefined;
  const open = () =>
    (connection ??= AwsConnection.open(
      { profile: config.profile, region: config.region, endpointUrl: config.endpointUrl },
      io.env,
    ));
  const policyFiles = await readPolicyFiles(config.workspaces, (folder, error) =>
    say(`cannot read ${folder}/.pilotlight/guardrails.json: ${error.message}`),
  );
  for (const folder of config.workspaces) {
    const layer = await source.workspaceLayer(folder);
    if (layer) policyFiles.push(layer);
  }
  const approval = terminalApproval(io, command.confirm);
  const runtime = createRuntime({
    auditPath: config.auditPath,
    settings: config.guardrails,
    policyFiles,
    approvalProvider: approval,
    connection: () => open(),
    logger: { info: () => undefined, warn: say, error: say },
  });
  for (const problem of runtime.problems) say(formatPolicyProblem(problem));
  const region = /^arn:aws[a-z-]*:states:([a-z0-9-]+):/.exec(command.executionArn)?.[1];
  // The runtime's own path (registry → guardrails → approval → audit), with the CLI named in each record.
  const runner = await runtime.runner();
  const runOptions = {
    caller: 'command' as const,
    mode: 'execute' as const,
    region,
    approvalProvider: approval,
    auditContext: { client: { name: 'pilot-light-mcp dr', via: 'cli' }, tool: `dr ${command.command}` },
  };
  // Reads go through the runner too (audited like every call); the history's pages are bounded.
  const events = [];
  let nextToken: string | undefined;
  for (let page = 0; page < 50; page++) {
    const outcome = await runner.run(
      'sfn.executions.history',
      { executionArn: command.executionArn, ...(nextToken ? { nextToken } : {}) },
      runOptions,
    );
    if (outcome.status !== 'succeeded') {
      say(`reading the execution's history ${describeOutcome(outcome)}`);
      return 1;
    }
    const output = outcome.output as { items: import('@aws-sdk/client-sfn').HistoryEvent[]; nextToken?: string };
    events.push(...output.items);
    nextToken = output.nextToken;
    if (!nextToken) break;
  }
  const tasks = waitingTasksInHistory(events);
  if (command.command === 'waiting') {
    if (tasks.length === 0) io.stdout.write('Nothing waits.\n');
    for (const task of tasks)
      io.stdout.write(
        `${task.kind === 'pause' ? 'paused  ' : 'approval'}  wave ${task.wave}  step ${task.step}  since ${task.since}${task.message ? `  ${task.message}` : ''}\n`,
      );
    return 0;
  }
  let task: WaitingTask;
  try {
    task = pickTask(tasks, command);
  } catch (error) {
    say((error as Error).message);
    return 1;
  }
  const approved = command.command !== 'reject';
  const label = `${task.kind === 'pause' ? 'resume wave' : 'approval in wave'} "${task.wave}" (${task.step})`;
  const outcome = await runner.run(
    approved ? 'sfn.tasks.sendSuccess' : 'sfn.tasks.sendFailure',
    {
      executionArn: command.executionArn,
      step: task.step,
      label,
      ...(command.comment ? { comment: command.comment } : {}),
    },
    runOptions,
  );
  if (outcome.status !== 'succeeded') {
    say(`${command.command} ${label}: ${describeOutcome(outcome)}`);
    return 1;
  }
  const verb = !approved ? 'Rejected' : task.kind === 'pause' ? 'Resumed' : 'Approved';
  io.stdout.write(
    `${verb}: ${label} of ${command.executionArn.split(':').slice(-2).join(':')} (audit ${outcome.correlationId}).\n`,
  );
  return 0;
}
