/**
 * Recovery plans on AWS Step Functions from VS Code: deploy, run (drill or recovery), approve/resume,
 * export the CloudFormation template, and a code lens on plan files saying whether the deployed machine
 * matches the file. Every AWS call is a registered operation; writes take the interactive path (dry-run
 * preview, confirmation, approvals the policy requires). The core is loaded on first use.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { ProtectionGroup, RecoveryPlan } from '../../core/dr/model';
import type { DrRunMode } from '../../core/dr/planner';
import type { StepFunctionsRunFollower, WaitingTask } from '../../core/dr/stepFunctions/follow';
import type { RunOptions } from '../../core/operations/runner';
import { commandRegistrar } from '../shared/commands';
import { runInteractively } from '../shared/interactiveRun';
import { OperationService } from '../shared/operationService';
import type { DrCommandContext } from './drCommands';
import { UserError } from './prompts';

const loadStepFunctions = () => import('../../core/dr/stepFunctions');

/** Seconds between history reads while a Step Functions run is followed. */
const FOLLOW_INTERVAL_MS = 5000;
/** How long a code lens answer is reused before AWS is asked again. */
const LENS_CACHE_MS = 60_000;

interface FollowedRun {
  follower: StepFunctionsRunFollower;
  timer?: ReturnType<typeof setTimeout>;
}

export interface StepFunctionsFeature extends vscode.Disposable {
  /** Runs followed in this window (tests). */
  readonly followed: ReadonlyMap<string, StepFunctionsRunFollower>;
  /** Reads every followed run's history once (tests, and the refresh command). */
  pollAll(): Promise<void>;
}

export function registerStepFunctionsCommands(c: DrCommandContext): {
  disposables: vscode.Disposable[];
  feature: StepFunctionsFeature;
} {
  const { services, prompts } = c;
  const ctx = services.ctx;
  const command = commandRegistrar(ctx, {
    onError: (failure) => (c.lastError = { command: failure.command, message: failure.message }),
  });
  const runs = new Map<string, FollowedRun>();
  const lensChanged = new vscode.EventEmitter<void>();
  const lensCache = new Map<string, { at: number; title: string }>();

  const readOptions = (): RunOptions => ({ caller: 'command', mode: 'execute' });

  const pollSeconds = (): number => {
    const value = vscode.workspace.getConfiguration('pilotLight').get<number>('dr.stepFunctionsPollSeconds', 15);
    return Number.isInteger(value) && value >= 1 && value <= 300 ? value : 15;
  };

  /**
   * The machine's connection (the current profile) and DR reads in the protection groups' account: the member
   * role's when it is another one (the machine's tasks then assume that role, named by the same setting).
   */
  async function accounts(target: { plan: RecoveryPlan; groups: ProtectionGroup[] }) {
    const account = await services.planAccount(target);
    const aws = await services.aws();
    if (!account || account === aws.origin.account) return { aws, groupsAws: aws };
    const groupsAws = await services.aws(account);
    const { organizationsFeature } = await import('../organizations/organizationsFeature');
    return {
      aws,
      groupsAws,
      machineAccount: aws.origin.account,
      memberRoleName: organizationsFeature(ctx).settings().roleName,
    };
  }

  async function prepare(planArg: unknown, mode: DrRunMode = 'drill') {
    const target = await services.resolvePlan(planArg);
    const { aws, groupsAws, machineAccount, memberRoleName } = await accounts(target);
    const sf = await loadStepFunctions();
    const prepared = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Compiling ${target.plan.name} for Step Functions…` },
      () =>
        sf.prepareDeployment({
          plan: target.plan,
          groups: target.groups,
          reads: groupsAws.reads,
          region: aws.connection.region,
          mode,
          pollSeconds: pollSeconds(),
          ...(machineAccount ? { machineAccount, memberRoleName } : {}),
        }),
    );
    return { target, aws, sf, prepared };
  }

  async function deploy(planArg: unknown) {
    const { prepared, target } = await prepare(planArg);
    if (Buffer.byteLength(prepared.templateBody) > 51_200)
      throw new UserError(
        `The template of plan "${prepared.planName}" is ${Buffer.byteLength(prepared.templateBody)} bytes; CloudFormation takes at most 51,200 inline. Not supported yet: deploying through S3. Use "Export as CloudFormation Template" and deploy it with your CI/CD.`,
      );
    const result = await runInteractively(OperationService.for(ctx), {
      operationId: 'cloudformation.stacks.deployRecoveryPlan',
      input: {
        stackName: prepared.stackName,
        planName: prepared.planName,
        templateBody: prepared.templateBody,
        tags: prepared.tags,
        summary: prepared.summary,
        sourceServerIds: prepared.sourceServerIds,
        ...(prepared.actsIn ? { actsIn: prepared.actsIn } : {}),
      },
      caller: 'command',
      title: `Deploy ${target.plan.name} to Step Functions`,
    });
    lensCache.clear();
    lensChanged.fire();
    return {
      ...result,
      stackName: prepared.stackName,
      planHash: prepared.planHash,
      warnings: prepared.compiled.warnings,
    };
  }

  async function exportTemplate(planArg: unknown, targetArg?: unknown) {
    const { prepared, target } = await prepare(planArg);
    const defaultPath = join(dirname(target.file.path), `${prepared.planName}.step-functions.template.json`);
    const path =
      typeof targetArg === 'string' && targetArg
        ? targetArg
        : (await prompts.saveUri({ defaultUri: vscode.Uri.file(defaultPath), filters: { JSON: ['json'] } }))?.fsPath;
    if (!path) throw new UserError('');
    writeFileSync(path, `${JSON.stringify(prepared.template, null, 2)}\n`);
    await vscode.window.showTextDocument(vscode.Uri.file(path), { preview: true });
    return { path, planHash: prepared.planHash, warnings: prepared.compiled.warnings };
  }

  function follow(follower: StepFunctionsRunFollower): void {
    const entry: FollowedRun = { follower };
    runs.set(follower.runId, entry);
    const tick = async () => {
      entry.timer = undefined;
      await pollOne(entry);
      if (!entry.follower.done && runs.get(follower.runId) === entry) {
        entry.timer = setTimeout(() => void tick(), FOLLOW_INTERVAL_MS);
        entry.timer.unref?.();
      }
    };
    void tick();
  }

  async function pollOne(entry: FollowedRun): Promise<void> {
    const sf = await loadStepFunctions();
    const runner = await ctx.safety.runner();
    const snapshot = entry.follower.snapshot();
    // DRS jobs are read where they run: the protection groups' account.
    const { groupsAws } = await accounts(snapshot);
    const before = snapshot.lastSeq;
    try {
      await entry.follower.poll(sf.operationSfnReads(runner, readOptions()), groupsAws.reads);
    } catch (error) {
      ctx.log.warn(`DR: Step Functions run ${entry.follower.runId}: ${error instanceof Error ? error.message : error}`);
    }
    const after = entry.follower.snapshot();
    if (after.lastSeq !== before || !services.stepFunctionsRuns.has(after.runId)) {
      services.publishStepFunctionsRun(after);
      c.runs.refresh();
    }
    for (const task of entry.follower.waitingTasks())
      if (!notified.has(`${after.runId}/${task.step}`)) {
        notified.add(`${after.runId}/${task.step}`);
        void vscode.window
          .showInformationMessage(
            `Step Functions run of ${after.planName}: ${task.kind === 'pause' ? `wave "${task.wave}" is paused` : `approval needed in wave "${task.wave}": ${task.message}`}`,
            task.kind === 'pause' ? 'Resume' : 'Approve',
          )
          .then(
            (choice) => choice && vscode.commands.executeCommand('pilotLight.dr.approveStepFunctions', after.runId),
          );
      }
    if (entry.follower.done) {
      void vscode.window.showInformationMessage(
        `Step Functions ${after.mode} of ${after.planName} ended: ${after.status}.`,
      );
    }
  }
  const notified = new Set<string>();

  async function run(planArg: unknown, modeArg?: unknown) {
    const mode: DrRunMode | undefined =
      modeArg === 'drill' || modeArg === 'recovery'
        ? modeArg
        : (
            await prompts.quickPick(
              [
                {
                  label: 'Drill',
                  description: 'isolated recovery instances, production untouched',
                  mode: 'drill' as const,
                },
                { label: 'Recovery', description: 'a real recovery', mode: 'recovery' as const },
              ],
              { title: 'Run on Step Functions as…' },
            )
          )?.mode;
    if (!mode) throw new UserError('');
    const target = await services.resolvePlan(planArg);
    const { aws, groupsAws, machineAccount, memberRoleName } = await accounts(target);
    const sf = await loadStepFunctions();
    const runner = await ctx.safety.runner();
    const planned = await Promise.resolve(
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Checking ${target.plan.name} before the run…` },
        () =>
          sf.planRunStart({
            operations: runner,
            options: readOptions(),
            plan: target.plan,
            groups: target.groups,
            reads: groupsAws.reads,
            region: aws.connection.region,
            mode,
            pollSeconds: pollSeconds(),
            ...(machineAccount ? { machineAccount, memberRoleName } : {}),
          }),
      ),
    ).catch((error: unknown) => {
      throw new UserError(error instanceof Error ? error.message : String(error), [
        {
          title: 'Deploy Plan',
          run: () => vscode.commands.executeCommand('pilotLight.dr.deployToStepFunctions', target.file.path),
        },
      ]);
    });
    // A recovery's Jira/ServiceNow approval lets the execution start (its StartRecovery calls bypass the gate).
    const approval =
      mode === 'recovery'
        ? await (
            await import('../approvals/recoveryApproval')
          ).requireRecoveryApproval(
            ctx,
            target.plan.name,
            planned.follow.executionPlan.waves[0]?.servers.map((server) => server.sourceServerId) ?? [],
            aws.connection.region,
          )
        : undefined;
    const result = await runInteractively(OperationService.for(ctx), {
      operationId: 'sfn.executions.start',
      input: planned.startInput,
      caller: 'command',
      title: `${mode === 'drill' ? 'Drill' : 'Recovery'} of ${target.plan.name} on Step Functions`,
    });
    if (result.status !== 'succeeded') return result;
    if (approval)
      await ctx.safety.agentApprovals?.consume?.(
        approval.id,
        `Step Functions execution ${planned.executionArn} started.`,
      );
    const follower = sf.StepFunctionsRunFollower.create({
      ...planned.follow,
      journalDir: services.journalDir,
      executionArn: planned.executionArn,
    });
    follow(follower);
    c.runs.refresh();
    return { ...result, runId: follower.runId, executionArn: planned.executionArn };
  }

  async function approve(runArg?: unknown, approvedArg?: unknown) {
    const waiting: { runId: string; task: WaitingTask; executionArn: string }[] = [];
    for (const [runId, entry] of runs)
      for (const task of entry.follower.waitingTasks())
        waiting.push({ runId, task, executionArn: entry.follower.executionArn });
    const wanted = typeof runArg === 'string' ? waiting.filter((w) => w.runId === runArg) : waiting;
    if (wanted.length === 0)
      throw new UserError('No Step Functions run followed in this window is waiting for a resume or an approval.');
    const picked =
      wanted.length === 1
        ? wanted[0]
        : (
            await prompts.quickPick(
              wanted.map((w) => ({
                label: `${w.task.kind === 'pause' ? 'Resume' : 'Approve'} wave ${w.task.wave}`,
                description: w.task.message,
                detail: w.runId,
                w,
              })),
              { title: 'Which waiting step?' },
            )
          )?.w;
    if (!picked) throw new UserError('');
    const approved = approvedArg === false ? false : true;
    const result = await runInteractively(OperationService.for(ctx), {
      operationId: approved ? 'sfn.tasks.sendSuccess' : 'sfn.tasks.sendFailure',
      input: {
        executionArn: picked.executionArn,
        step: picked.task.step,
        label: `${picked.task.kind === 'pause' ? 'resume wave' : 'approval in wave'} "${picked.task.wave}" (${picked.task.step})`,
      },
      caller: 'command',
      title: `${approved ? (picked.task.kind === 'pause' ? 'Resume' : 'Approve') : 'Reject'} wave ${picked.task.wave} on Step Functions`,
    });
    const entry = runs.get(picked.runId);
    if (entry) await pollOne(entry);
    return result;
  }

  // Each lens remembers the text it was made for; resolving asks AWS only when the lens is shown.
  const lensSources = new WeakMap<vscode.CodeLens, { uri: vscode.Uri; text: string }>();
  const lensProvider: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: lensChanged.event,
    provideCodeLenses: (document) => {
      if (document.uri.scheme !== 'file') return [];
      const lens = new vscode.CodeLens(new vscode.Range(0, 0, 0, 0));
      lensSources.set(lens, { uri: document.uri, text: document.getText() });
      return [lens];
    },
    async resolveCodeLens(lens, token) {
      const source = lensSources.get(lens);
      if (!source) return lens;
      const title = await lensTitle(source.text);
      if (token.isCancellationRequested) return lens;
      lens.command = {
        title,
        command: 'pilotLight.dr.deployToStepFunctions',
        arguments: [source.uri.fsPath],
        tooltip: 'Deploy this plan to AWS Step Functions (a CloudFormation stack)',
      };
      return lens;
    },
  };

  async function lensTitle(text: string): Promise<string> {
    try {
      const { parseDrDocument } = await import('../../core/dr/parse');
      const parsed = parseDrDocument(text, 'RecoveryPlan');
      const plan = parsed.document;
      if (!plan || plan.kind !== 'RecoveryPlan') return "$(cloud) Step Functions: fix the plan's errors first";
      const sf = await loadStepFunctions();
      const hash = sf.planHash(plan);
      const cached = lensCache.get(hash);
      if (cached && Date.now() - cached.at < LENS_CACHE_MS) return cached.title;
      const deployed = await sf.findDeployedPlan(await ctx.safety.runner(), plan.name, readOptions());
      const sync = sf.syncState(plan, deployed);
      const title =
        sync === 'in-sync'
          ? '$(cloud) Step Functions: deployed, in sync with this file'
          : sync === 'out-of-sync'
            ? '$(warning) Step Functions: deployed machine differs from this file — Deploy'
            : '$(cloud-upload) Step Functions: not deployed — Deploy';
      lensCache.set(hash, { at: Date.now(), title });
      return title;
    } catch (error) {
      return `$(question) Step Functions: status unknown (${error instanceof Error ? error.message.slice(0, 80) : 'error'})`;
    }
  }

  /** After a reload: follows again every unfinished Step Functions run whose journal is here. */
  async function reattach(): Promise<void> {
    let names: string[];
    try {
      names = readdirSync(services.journalDir).filter((name) => name.endsWith('.sfn.json'));
    } catch {
      return; // no journal folder yet
    }
    if (names.length === 0) return;
    const sf = await loadStepFunctions();
    const { replayJournal } = await import('../../core/dr/journal');
    for (const name of names) {
      const path = join(services.journalDir, name.replace(/\.sfn\.json$/, '.run.jsonl'));
      try {
        const state = replayJournal(path).state;
        if (['completed', 'failed', 'cancelled'].includes(state.status) || runs.has(state.runId)) continue;
        follow(sf.StepFunctionsRunFollower.reopen(path));
        ctx.log.info(`DR: following Step Functions run ${state.runId} (${state.planName}) again`);
      } catch (error) {
        ctx.log.warn(
          `DR: Step Functions run ${name} cannot be followed: ${error instanceof Error ? error.message : error}`,
        );
      }
    }
  }
  const reattachTimer = setTimeout(() => void reattach(), 700);
  reattachTimer.unref?.();

  const feature: StepFunctionsFeature = {
    get followed() {
      return new Map([...runs].map(([id, entry]) => [id, entry.follower]));
    },
    async pollAll() {
      for (const entry of runs.values()) await pollOne(entry);
    },
    dispose() {
      clearTimeout(reattachTimer);
      for (const entry of runs.values()) {
        if (entry.timer) clearTimeout(entry.timer);
        entry.follower.close();
      }
      runs.clear();
      lensChanged.dispose();
    },
  };

  return {
    feature,
    disposables: [
      feature,
      vscode.languages.registerCodeLensProvider(
        [
          { scheme: 'file', pattern: '**/*.recovery-plan.yaml' },
          { scheme: 'file', pattern: '**/*.recovery-plan.yml' },
        ],
        lensProvider,
      ),
      command('pilotLight.dr.deployToStepFunctions', (plan?: unknown) => deploy(plan)),
      command('pilotLight.dr.runOnStepFunctions', (plan?: unknown, mode?: unknown) => run(plan, mode)),
      command('pilotLight.dr.approveStepFunctions', (runId?: unknown, approved?: unknown) => approve(runId, approved)),
      command('pilotLight.dr.exportStepFunctionsTemplate', (plan?: unknown, target?: unknown) =>
        exportTemplate(plan, target),
      ),
    ],
  };
}
