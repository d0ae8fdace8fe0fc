import { createHash, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { ServiceDefinition } from '../aws/connection';
import { describeAwsError, type AwsErrorInfo } from '../aws/errors';
import type { AuditSink } from '../audit/auditTrail';
import { redactSecrets, redactString } from '../audit/redaction';
import type { AuditContext, AuditEntry, AuditOutcome } from '../audit/types';
import {
  confirmationMatches,
  type ApprovalDecision,
  type ApprovalProvider,
  type ApprovalRequest,
} from '../guardrails/approval';
import { evaluateGuardrails, type GuardrailEvaluation, type Refusal, type RefusalCode } from '../guardrails/evaluate';
import type { GuardrailPolicy } from '../guardrails/policy';
import { MutationRateLimiter } from '../guardrails/rateLimit';
import {
  callResiliently,
  CircuitBreaker,
  CircuitOpenError,
  realSleep,
  systemClock,
  type Clock,
  type RetryOptions,
  type Sleep,
} from '../guardrails/resilience';
import { withCause } from './outcomeCause';
import { claimOperationInternals, type Operation } from './define';
import type { OperationPreview, PreviewResource } from './preview';
import type { OperationRegistry } from './registry';
import { describeInputIssues } from './registry';
import {
  CALLERS,
  RUN_MODES,
  type BackupRecord,
  type Caller,
  type OperationContext,
  type OperationSpec,
  type PermissionCheck,
  type RunMode,
  type SendCapable,
  type TargetResource,
} from './types';

// The runner is the only holder of operation internals.
const specOf = claimOperationInternals();

/** What the runner needs from an AWS connection; AwsConnection provides it. */
export interface OperationConnection {
  readonly region: string;
  identity(): Promise<{ account: string; arn: string }>;
  client<C>(service: ServiceDefinition<C>, region?: string): Promise<C>;
  /** A member account reached from another profile (AWS Organizations): named in every preview. */
  readonly accountContext?: { name?: string; reachedFrom: string };
}

export interface RunnerLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface OperationRunnerOptions {
  registry: OperationRegistry;
  connection: OperationConnection;
  /** The policy in force, or a getter so a reloaded policy applies to the next run. */
  policy: GuardrailPolicy | (() => GuardrailPolicy);
  audit: AuditSink;
  logger?: RunnerLogger;
  clock?: Clock;
  sleep?: Sleep;
  breaker?: CircuitBreaker;
  retry?: RetryOptions;
  /** How long an approval may take before it counts as refused. Default 10 minutes. */
  approvalTimeoutMs?: number;
  /** How long to wait for a backup to become usable before the delete is abandoned. Default 30 minutes. */
  backupTimeoutMs?: number;
  backupPollMs?: number;
  /**
   * Account aliases shared by the runners of a runtime: previews and approvals then name the account's IAM alias
   * (read once per account with `iam.accountAliases.list`). Absent: accounts are named by ID and organization name.
   */
  accountAliases?: {
    aliasOf(account: string, read: () => Promise<string | undefined>): Promise<string | undefined>;
  };
}

/** The registered read that gives an account's IAM alias. */
export const ACCOUNT_ALIAS_OPERATION = 'iam.accountAliases.list';

export interface RunOptions {
  caller: Caller;
  mode: RunMode;
  /** Asked when the policy needs an approval or confirmation; without one such changes are refused. */
  approvalProvider?: ApprovalProvider;
  /** Default: the connection's region. */
  region?: string;
  /** Reuse a dry-run's correlation ID to link its preview with the execution. */
  correlationId?: string;
  signal?: AbortSignal;
  /** Added to every audit record of this run (an MCP client, tool and plan). */
  auditContext?: AuditContext;
  /**
   * The caller shows a secret-revealing read's output to the person who asked for it (e.g. the launch-template
   * editor's user data document). Without it such reads are refused; agents' callers are refused regardless.
   */
  revealSecret?: boolean;
}

/** The callers a secret-revealing read may answer: a person's own actions, never an agent's. */
const SECRET_REVEAL_CALLERS: readonly Caller[] = ['explorer', 'command'];

export type RunStatus = 'dry-run' | 'refused' | 'succeeded' | 'failed';

export interface RunOutcome<Output = unknown> {
  status: RunStatus;
  correlationId: string;
  operationId: string;
  mode: RunMode;
  caller: Caller;
  /** For mutating operations: what would change (dry-run) or what was approved (execute). */
  preview?: OperationPreview;
  /** The operation's output, secrets redacted. */
  output?: Output;
  resourceIds: string[];
  backups: BackupRecord[];
  refusal?: Refusal;
  /** AWS error code, message and a plain explanation. */
  error?: AwsErrorInfo;
  approval?: { provider: string; approver?: string; reference?: string; level: string };
  durationMs: number;
  /** Set when the outcome could not be written to the audit trail. */
  auditError?: string;
}

const DEFAULT_APPROVAL_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_BACKUP_TIMEOUT_MS = 30 * 60_000;
const DEFAULT_BACKUP_POLL_MS = 15_000;

/** Explains an error with its AWS code and what to do; the runner's own errors get their own hints. */
export function explainError(error: unknown): AwsErrorInfo {
  if (error instanceof CircuitOpenError) {
    return {
      kind: 'throttled',
      code: error.code,
      message: error.message,
      hint: 'Pilot Light paused calls to this service and region after repeated failures. Wait for the pause to end, then retry.',
    };
  }
  const info = describeAwsError(error);
  if (info.code === 'DependencyViolation')
    info.hint = 'Another resource still depends on this one. Remove or detach the dependents first.';
  if (info.code === 'IncorrectInstanceState' || info.code === 'IncorrectState')
    info.hint =
      'The resource is not in a state that allows this action (e.g. it must be stopped first). Refresh and retry.';
  return { ...info, message: redactString(info.message) };
}

/**
 * The one way to run an AWS operation: registry → input validation → guardrails → audit → SDK.
 * Every caller (explorer, commands, chat, LM tools, MCP) goes through `run`.
 */
export class OperationRunner {
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly breaker: CircuitBreaker;
  private readonly limiter: MutationRateLimiter;

  constructor(private readonly options: OperationRunnerOptions) {
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.breaker = options.breaker ?? new CircuitBreaker({ clock: this.clock });
    this.limiter = new MutationRateLimiter(this.clock);
  }

  get registry(): OperationRegistry {
    return this.options.registry;
  }

  /** The policy the next run will use. */
  policyInForce(): GuardrailPolicy {
    return this.policy();
  }

  private policy(): GuardrailPolicy {
    const { policy } = this.options;
    return typeof policy === 'function' ? policy() : policy;
  }

  private log(level: keyof RunnerLogger, message: string): void {
    this.options.logger?.[level](redactString(message));
  }

  /** A dry run: the preview with every guardrail evaluated, nothing changed. */
  preview(operation: string | Operation, input: unknown, options: Omit<RunOptions, 'mode'>): Promise<RunOutcome> {
    return this.run(operation as string, input, { ...options, mode: 'dry-run' });
  }

  /** Runs an operation by id (LM tools, MCP) or by its object (typed input and output). Never throws for AWS or guardrail failures. */
  run<Schema extends z.ZodType, Output>(
    operation: Operation<Schema, Output>,
    input: z.input<Schema>,
    options: RunOptions,
  ): Promise<RunOutcome<Output>>;
  run(operation: string, input: unknown, options: RunOptions): Promise<RunOutcome>;
  async run<Output = unknown>(
    operation: string | Operation,
    input: unknown,
    options: RunOptions,
  ): Promise<RunOutcome<Output>> {
    const started = this.clock.now();
    const correlationId = options?.correlationId ?? randomUUID();
    const operationId = typeof operation === 'string' ? operation : String(operation?.id);
    const base: RunOutcome = {
      status: 'refused',
      correlationId,
      operationId,
      mode: options?.mode,
      caller: options?.caller,
      resourceIds: [],
      backups: [],
      durationMs: 0,
    };
    const audit: Partial<AuditEntry> = {
      correlationId,
      caller: String(options?.caller),
      operation: operationId,
      mode: options?.mode,
      input: redactSecrets(input),
      resourceIds: [],
      ...auditContextOf(options?.auditContext),
    };
    if (!options || !CALLERS.includes(options.caller) || !RUN_MODES.includes(options.mode)) {
      return (await this.stop(base, audit, started, 'refused', {
        refusal: {
          code: 'invalid-options',
          message: `Run options need caller (${CALLERS.join(', ')}) and mode (dry-run or execute).`,
        },
      })) as RunOutcome<Output>;
    }
    // Only operation objects from this registry run: a look-alike object with the same id does not.
    const resolved =
      typeof operation === 'string'
        ? this.registry.get(operation)
        : this.registry.contains(operation as Operation)
          ? (operation as Operation)
          : undefined;
    if (!resolved) {
      return (await this.stop(base, audit, started, 'refused', {
        refusal: { code: 'unknown-operation', message: `"${operationId}" is not a registered operation.` },
      })) as RunOutcome<Output>;
    }
    return (await this.runResolved(
      resolved,
      specOf(resolved),
      input,
      options,
      base,
      audit,
      started,
    )) as RunOutcome<Output>;
  }

  private async runResolved(
    operation: Operation,
    spec: OperationSpec,
    rawInput: unknown,
    options: RunOptions,
    base: RunOutcome,
    audit: Partial<AuditEntry>,
    started: number,
  ): Promise<RunOutcome> {
    const policy = this.policy();
    const mutating = operation.kind !== 'read';
    const revealing = Boolean(spec.secretOutput);
    const audited = mutating || revealing || policy.auditReads;
    audit.operationKind = operation.kind;

    const parsed = operation.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      return this.stop(
        base,
        audit,
        started,
        'refused',
        { refusal: { code: 'invalid-input', message: describeInputIssues(operation.id, parsed.error).message } },
        audited,
      );
    }
    const input = parsed.data;

    if (revealing && (!SECRET_REVEAL_CALLERS.includes(options.caller) || options.revealSecret !== true)) {
      return this.stop(base, audit, started, 'refused', {
        refusal: {
          code: 'secret-not-revealed',
          message: `${operation.id} reveals a secret (${operation.title.toLowerCase()}) only to a person, from the editor that shows it; the ${options.caller} caller cannot run it.`,
        },
      });
    }

    if (mutating || revealing) {
      try {
        await this.options.audit.preflight();
      } catch (error) {
        this.log('error', `Audit trail unavailable: ${(error as Error).message}`);
        return this.finish(base, started, {
          status: 'refused',
          refusal: {
            code: 'audit-unavailable',
            message: `Changes are refused while the audit trail cannot be written: ${(error as Error).message}`,
          },
        });
      }
    }

    const region = options.region ?? this.options.connection.region;
    audit.region = region;
    let identity: { account: string; arn: string };
    try {
      identity = await this.options.connection.identity();
    } catch (error) {
      return withCause(await this.stop(base, audit, started, 'failed', { error: explainError(error) }, audited), error);
    }
    audit.account = identity.account;
    audit.callerArn = identity.arn;

    const signal = options.signal ?? new AbortController().signal;
    const ctx = this.context(operation, options, base.correlationId, region, identity, signal);

    if (!mutating) {
      try {
        const output = await spec.handler(ctx, input, []);
        if (spec.secretOutput) {
          // The person sees the secret; the audit trail records only that it was revealed.
          const outcome = await this.stop(
            base,
            audit,
            started,
            'succeeded',
            {
              resourceIds: spec.resourceIds?.(output, input) ?? [],
              result: redactSecrets(spec.secretOutput.auditSummary(output, input)),
            },
            true,
          );
          if (!outcome.auditError) return { ...outcome, output };
          return {
            ...outcome,
            status: 'refused',
            refusal: {
              code: 'audit-unavailable',
              message: `Not shown: the reveal could not be recorded in the audit trail (${outcome.auditError}).`,
            },
          };
        }
        return this.stop(
          base,
          audit,
          started,
          'succeeded',
          { output: redactSecrets(output), resourceIds: spec.resourceIds?.(output, input) ?? [] },
          audited,
        );
      } catch (error) {
        return withCause(
          await this.stop(
            base,
            audit,
            started,
            error instanceof CircuitOpenError ? 'refused' : 'failed',
            this.errorFields(error),
            audited,
          ),
          error,
        );
      }
    }

    // Gather facts: targets, environments, static guardrails, dependencies, permission.
    let targets: TargetResource[];
    try {
      targets = spec.targets ? await spec.targets(ctx, input) : [];
    } catch (error) {
      return this.stop(
        base,
        audit,
        started,
        error instanceof CircuitOpenError ? 'refused' : 'failed',
        this.errorFields(error),
      );
    }
    const evaluation = evaluateGuardrails(policy, {
      kind: operation.kind,
      resources: targets,
      account: identity.account,
      now: new Date(this.clock.now()),
      recentMutations: options.mode === 'execute' ? this.limiter.countRecent() : 0,
      hasBackupPlan: Boolean(spec.backup),
      operationId: operation.id,
      operationVariant: spec.approvalVariant?.(input),
      protectedReason: spec.protectedByDefault,
    });
    audit.environments = evaluation.environments;
    audit.environment = evaluation.environments.join(', ');
    // Placeholders such as "(new VPC)" name nothing that exists yet.
    audit.resourceIds = evaluation.resources
      .filter((resource) => resource.role === 'target' && !resource.id.startsWith('('))
      .map((resource) => resource.id);
    base.resourceIds = audit.resourceIds;

    let preview: OperationPreview;
    try {
      preview = await this.buildPreview(operation, spec, ctx, input, targets, evaluation, options);
    } catch (error) {
      return this.stop(
        base,
        audit,
        started,
        error instanceof CircuitOpenError ? 'refused' : 'failed',
        this.errorFields(error),
      );
    }
    base.preview = redactSecrets(preview);
    const refusal = firstRefusal(preview);

    if (options.mode === 'dry-run') {
      return this.stop(base, audit, started, 'dry-run', {
        result: {
          verdict: preview.guardrails.verdict,
          refusals: preview.guardrails.refusals.map((item) => item.code),
          permission: preview.permission.status,
          summary: preview.summary,
        },
      });
    }
    if (refusal) return this.stop(base, audit, started, 'refused', { refusal });

    // Approval or confirmation, both audited.
    if (evaluation.approval) {
      const approval = await this.requestApproval(operation, options, preview, evaluation, signal);
      base.approval = approval.record;
      audit.approval = approval.record;
      if (approval.refusal) return this.stop(base, audit, started, 'refused', { refusal: approval.refusal });
      try {
        await this.write(audit, 'approved', started, {});
      } catch (error) {
        return this.finish(base, started, {
          status: 'refused',
          refusal: {
            code: 'audit-unavailable',
            message: `The approval could not be recorded, so nothing was changed: ${(error as Error).message}`,
          },
        });
      }
    }

    this.limiter.record();

    // Backup before delete; without a usable backup nothing is deleted.
    if (evaluation.backupRequired && spec.backup) {
      let backups: BackupRecord[];
      try {
        backups = await spec.backup.create(ctx, input, targets);
        base.backups = backups;
        audit.backups = backups;
        backups = await spec.backup.waitUntilReady(
          ctx,
          backups,
          this.options.backupTimeoutMs ?? DEFAULT_BACKUP_TIMEOUT_MS,
          this.options.backupPollMs ?? DEFAULT_BACKUP_POLL_MS,
        );
        base.backups = backups;
        audit.backups = backups;
        this.log(
          'info',
          `${operation.id} ${base.correlationId}: backups ready: ${backups.map((backup) => `${backup.kind} ${backup.id} of ${backup.sourceId}`).join(', ')}`,
        );
      } catch (error) {
        const info = explainError(error);
        const failure = {
          ...info,
          code: `BackupFailed:${info.code}`,
          hint: `The backup before deletion did not complete, so nothing was deleted. ${info.hint}`,
        };
        return this.stop(base, audit, started, 'failed', { error: failure });
      }
    }

    try {
      const output = await spec.handler(ctx, input, targets);
      const resourceIds = spec.resourceIds?.(output, input) ?? audit.resourceIds ?? [];
      audit.resourceIds = [...new Set([...(audit.resourceIds ?? []), ...resourceIds])];
      this.log('info', `${operation.id} ${base.correlationId}: succeeded (${audit.resourceIds.join(', ')})`);
      return this.stop(base, audit, started, 'succeeded', {
        output: redactSecrets(output),
        resourceIds,
        result: redactSecrets(output),
      });
    } catch (error) {
      // Even a circuit that opened mid-way is a failure here: earlier calls may have changed something.
      this.log('warn', `${operation.id} ${base.correlationId}: failed: ${explainError(error).code}`);
      return this.stop(base, audit, started, 'failed', { error: explainError(error) });
    }
  }

  /**
   * Audits a change its caller declined when shown the dry-run's preview: nothing ran. The line is a refusal
   * (`approval-denied`) linked to the dry-run by its correlation ID.
   */
  async recordDeclined(
    dryRun: RunOutcome,
    input: unknown,
    decision: { reason: string; approver?: string },
    auditContext?: AuditContext,
  ): Promise<RunOutcome> {
    const started = this.clock.now();
    const { preview } = dryRun;
    const identity = await this.options.connection.identity().catch(() => undefined);
    const approval = {
      provider: 'caller-confirmation',
      level: 'confirm',
      approver: decision.approver,
      reason: redactString(decision.reason),
    };
    const base: RunOutcome = {
      status: 'refused',
      correlationId: dryRun.correlationId,
      operationId: dryRun.operationId,
      mode: 'execute',
      caller: dryRun.caller,
      preview,
      resourceIds: dryRun.resourceIds,
      backups: [],
      approval,
      durationMs: 0,
    };
    const audit: Partial<AuditEntry> = {
      correlationId: dryRun.correlationId,
      caller: String(dryRun.caller),
      operation: dryRun.operationId,
      operationKind: preview?.kind,
      mode: 'execute',
      input: redactSecrets(input),
      account: preview?.account ?? identity?.account,
      callerArn: identity?.arn,
      region: preview?.region,
      environments: preview?.environments,
      environment: preview?.environments.join(', '),
      resourceIds: dryRun.resourceIds,
      approval,
      ...auditContextOf(auditContext),
    };
    return this.stop(base, audit, started, 'refused', {
      refusal: { code: 'approval-denied', message: `Not confirmed: ${approval.reason}` },
    });
  }

  private errorFields(error: unknown): { error: AwsErrorInfo } | { refusal: Refusal } {
    if (error instanceof CircuitOpenError) return { refusal: { code: 'circuit-open', message: error.message } };
    return { error: explainError(error) };
  }

  private context(
    operation: Operation,
    options: RunOptions,
    correlationId: string,
    region: string,
    identity: { account: string; arn: string },
    signal: AbortSignal,
  ): OperationContext {
    const { connection } = this.options;
    const clientFor = async <C extends SendCapable>(service: ServiceDefinition<C>): Promise<Pick<C, 'send'>> => {
      const real = await connection.client(service, region);
      const key = `${service.id}/${region}`;
      const send = (command: unknown, ...rest: unknown[]) =>
        callResiliently(
          key,
          () => real.send(command, ...rest),
          this.breaker,
          { ...this.options.retry, sleep: this.options.retry?.sleep ?? this.sleep },
          signal,
        );
      return { send } as Pick<C, 'send'>;
    };
    return {
      operationId: operation.id,
      correlationId,
      mode: options.mode,
      caller: options.caller,
      account: identity.account,
      callerArn: identity.arn,
      region,
      now: new Date(this.clock.now()),
      signal,
      environmentTagKeys: [...(this.policy().floor ?? this.policy()).environmentTagKeys],
      client: clientFor,
      probe: async (service, command) => {
        const client = await clientFor(service);
        try {
          await client.send(command);
          return {
            status: 'ignored-by-endpoint',
            detail:
              'The endpoint answered as if DryRun were not set; the permission is unknown and the call may have taken effect.',
          };
        } catch (error) {
          if (error instanceof CircuitOpenError) throw error;
          const info = describeAwsError(error);
          if (info.code === 'DryRunOperation')
            return { status: 'allowed', code: info.code, detail: 'AWS DryRun: the request would have succeeded.' };
          if (info.kind === 'access-denied')
            return {
              status: 'denied',
              code: info.code,
              detail: `AWS DryRun: not allowed (${redactString(info.message)}).`,
            };
          return {
            status: 'error',
            code: info.code,
            detail: `AWS DryRun failed: ${info.code}: ${redactString(info.message)}`,
          };
        }
      },
      clientToken: (label) => createHash('sha256').update(`${correlationId}:${label}`).digest('hex').slice(0, 48),
      sleep: (ms) => this.sleep(ms, signal),
    };
  }

  /** The IAM alias of this runner's account (undefined when aliases are not kept, or it has none or is unreadable). */
  async accountAlias(caller: Caller, signal?: AbortSignal): Promise<string | undefined> {
    if (!this.options.accountAliases) return undefined;
    const identity = await this.options.connection.identity().catch(() => undefined);
    return identity ? this.accountAliasOf(identity.account, { caller, mode: 'execute', signal }) : undefined;
  }

  /** The account's IAM alias, through this runner (a registered read), when the runtime keeps aliases. */
  private async accountAliasOf(account: string, options: RunOptions): Promise<string | undefined> {
    const aliases = this.options.accountAliases;
    if (!aliases || !/^\d{12}$/.test(account)) return undefined;
    return aliases.aliasOf(account, async () => {
      const outcome = await this.run(
        ACCOUNT_ALIAS_OPERATION,
        {},
        {
          caller: options.caller,
          mode: 'execute',
          signal: options.signal,
        },
      );
      if (outcome.status !== 'succeeded') throw new Error(outcome.error?.message ?? outcome.status);
      const alias = (outcome.output as { items?: unknown[] } | undefined)?.items?.[0];
      return typeof alias === 'string' ? alias.slice(0, 63) : undefined;
    });
  }

  private async buildPreview(
    operation: Operation,
    spec: OperationSpec,
    ctx: OperationContext,
    input: unknown,
    targets: TargetResource[],
    evaluation: GuardrailEvaluation,
    options: RunOptions,
  ): Promise<OperationPreview> {
    const accountAlias = await this.accountAliasOf(ctx.account, options);
    const details = spec.preview ? await spec.preview(ctx, input, targets) : { summary: operation.title, changes: [] };
    const dependencies = spec.checkDependencies ? await spec.checkDependencies(ctx, input, targets) : [];
    let permission: PermissionCheck = {
      status: 'not-checked',
      detail: 'This API has no DryRun; permissions are checked when the change runs.',
    };
    if (spec.checkPermission) {
      try {
        permission = await spec.checkPermission(ctx, input, targets);
      } catch (error) {
        if (error instanceof CircuitOpenError) throw error;
        const info = explainError(error);
        permission = { status: 'error', code: info.code, detail: `${info.code}: ${info.message}` };
      }
    }
    const refusals = [...evaluation.refusals];
    if (dependencies.length)
      refusals.push({
        code: 'dependency',
        message: dependencies.map((finding) => finding.message).join(' '),
        resourceIds: dependencies.map((finding) => finding.resourceId),
      });
    if (permission.status === 'denied')
      refusals.push({ code: 'permission-denied', message: `AWS would deny this: ${permission.detail}` });
    const resources: PreviewResource[] = evaluation.resources.map((resource) => ({
      type: resource.type,
      id: resource.id,
      name: resource.name,
      action: resource.action,
      role: resource.role ?? 'target',
      environment: resource.environment.name,
      environmentSource: resource.environment.source,
      protected: resource.environment.protected,
      state: resource.state,
      details: resource.details,
    }));
    const verdict = refusals.length
      ? 'refused'
      : evaluation.approval?.level === 'approve'
        ? 'needs-approval'
        : evaluation.approval
          ? 'needs-confirmation'
          : 'allowed';
    return {
      correlationId: ctx.correlationId,
      operationId: operation.id,
      title: operation.title,
      kind: operation.kind,
      destructive: operation.destructive,
      caller: options.caller,
      account: ctx.account,
      ...(accountAlias ? { accountAlias } : {}),
      ...(this.options.connection.accountContext
        ? {
            accountName: this.options.connection.accountContext.name,
            reachedFrom: this.options.connection.accountContext.reachedFrom,
          }
        : {}),
      region: ctx.region,
      summary: details.summary,
      changes: details.changes,
      warnings: details.warnings ?? [],
      resources,
      environments: evaluation.environments,
      protectedEnvironments: evaluation.protectedEnvironments,
      cost: details.cost ?? { direction: operation.costImpact, note: defaultCostNote(operation.costImpact) },
      rollback: { supported: operation.rollbackSupported, note: operation.rollbackNote },
      permission,
      dependencies,
      backups: {
        required: evaluation.backupRequired,
        planned: evaluation.backupRequired && spec.backup ? spec.backup.describe(targets, input) : [],
      },
      guardrails: { verdict, refusals, approval: evaluation.approval },
    };
  }

  private async requestApproval(
    operation: Operation,
    options: RunOptions,
    preview: OperationPreview,
    evaluation: GuardrailEvaluation,
    signal: AbortSignal,
  ): Promise<{ record?: RunOutcome['approval']; refusal?: Refusal }> {
    const needed = evaluation.approval!;
    const provider = options.approvalProvider;
    const what = needed.level === 'approve' ? 'an approval' : 'a confirmation';
    if (!provider) {
      return {
        refusal: {
          code: 'approval-required',
          message: `This change needs ${what} (${needed.reasons.join(' ')}), and the ${options.caller} caller provided no way to ask for one.`,
        },
      };
    }
    const request: ApprovalRequest = {
      correlationId: preview.correlationId,
      operationId: operation.id,
      operationTitle: operation.title,
      caller: options.caller,
      level: needed.level,
      account: preview.account,
      region: preview.region,
      environments: preview.environments,
      protectedEnvironments: preview.protectedEnvironments,
      resources: preview.resources,
      reasons: needed.reasons,
      requiredConfirmation: needed.requiredConfirmation,
      requirement: needed.requirement,
      preview: redactSecrets(preview),
    };
    const timeout = AbortSignal.timeout(this.options.approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS);
    const approvalSignal = AbortSignal.any([signal, timeout]);
    let decision: ApprovalDecision;
    try {
      decision = await Promise.race([
        provider.requestApproval(request, approvalSignal),
        new Promise<never>((_, reject) =>
          approvalSignal.addEventListener(
            'abort',
            () => reject(new Error('The approval request timed out or was cancelled.')),
            { once: true },
          ),
        ),
      ]);
    } catch (error) {
      decision = { approved: false, reason: `The approval could not be obtained: ${(error as Error).message}` };
    }
    const record = {
      provider: provider.id,
      level: needed.level,
      approver: decision.approver,
      reference: decision.approved ? decision.reference : undefined,
    };
    if (!decision.approved)
      return {
        record: { ...record, reason: decision.reason } as RunOutcome['approval'],
        refusal: { code: 'approval-denied', message: `Not approved: ${decision.reason}` },
      };
    if (!confirmationMatches(request, provider, decision)) {
      const external = needed.requirement && needed.requirement.system !== 'modal' ? needed.requirement : undefined;
      const message =
        external && !decision.reference?.trim()
          ? `This change needs an approved ${external.system} change ticket (${external.environments.join(', ')}); run the change from a command, the explorer or a chat button to open the ticket, and run it from Pending approvals once it is approved.`
          : needed.level === 'approve' && provider.kind === 'interactive'
            ? `The typed confirmation did not match "${needed.requiredConfirmation}".`
            : 'The approval did not name an approver and, for an external approval, a reference.';
      return { record, refusal: { code: 'confirmation-mismatch', message } };
    }
    return { record };
  }

  private async stop(
    base: RunOutcome,
    audit: Partial<AuditEntry>,
    started: number,
    status: RunStatus,
    fields: Partial<RunOutcome> & { result?: unknown },
    audited = true,
  ): Promise<RunOutcome> {
    const { result, ...outcomeFields } = fields;
    const outcome = this.finish(base, started, { ...outcomeFields, status });
    if (audited) {
      const auditOutcome: AuditOutcome = status;
      try {
        await this.write(audit, auditOutcome, started, {
          result,
          error: outcome.error,
          refusal: outcome.refusal,
          backups: outcome.backups.length ? outcome.backups : audit.backups,
        });
      } catch (error) {
        outcome.auditError = (error as Error).message;
        this.log('error', `Could not write the audit trail: ${(error as Error).message}`);
      }
    }
    if (status === 'refused' && outcome.refusal)
      this.log(
        'info',
        `${base.operationId} ${base.correlationId}: refused (${outcome.refusal.code}): ${outcome.refusal.message}`,
      );
    return outcome;
  }

  private finish(base: RunOutcome, started: number, fields: Partial<RunOutcome>): RunOutcome {
    const outcome = { ...base, ...fields, durationMs: Math.max(0, this.clock.now() - started) };
    return outcome;
  }

  private async write(
    audit: Partial<AuditEntry>,
    outcome: AuditOutcome,
    started: number,
    fields: Partial<AuditEntry>,
  ): Promise<void> {
    const entry: AuditEntry = {
      time: new Date(this.clock.now()).toISOString(),
      correlationId: audit.correlationId!,
      outcome,
      caller: audit.caller!,
      callerArn: audit.callerArn,
      account: audit.account,
      region: audit.region,
      environment: audit.environment,
      environments: audit.environments,
      operation: audit.operation!,
      operationKind: audit.operationKind,
      mode: audit.mode,
      resourceIds: audit.resourceIds ?? [],
      input: audit.input,
      result: fields.result,
      error: fields.error
        ? { code: fields.error.code, message: fields.error.message, hint: fields.error.hint }
        : undefined,
      refusal: fields.refusal,
      approval: audit.approval,
      backups: fields.backups,
      durationMs: Math.max(0, this.clock.now() - started),
      client: audit.client,
      tool: audit.tool,
      planId: audit.planId,
      decision: audit.decision,
    };
    await this.options.audit.append(entry);
  }
}

/** Only the known context fields, so a caller cannot overwrite the record's own fields. */
function auditContextOf(context: AuditContext | undefined): AuditContext {
  if (!context) return {};
  const { client, tool, planId, decision } = context;
  return {
    ...(client
      ? {
          client: {
            name: String(client.name),
            ...(client.version ? { version: String(client.version) } : {}),
            ...(client.via ? { via: String(client.via) } : {}),
          },
        }
      : {}),
    ...(tool ? { tool } : {}),
    ...(planId ? { planId } : {}),
    ...(decision ? { decision } : {}),
  };
}

function firstRefusal(preview: OperationPreview): Refusal | undefined {
  const { refusals } = preview.guardrails;
  if (!refusals.length) return undefined;
  if (refusals.length === 1) return refusals[0];
  return {
    code: refusals[0].code as RefusalCode,
    message: refusals.map((refusal) => refusal.message).join(' '),
    resourceIds: refusals.flatMap((refusal) => refusal.resourceIds ?? []),
  };
}

function defaultCostNote(direction: string): string {
  switch (direction) {
    case 'none':
      return 'No change in cost.';
    case 'increase':
      return 'Adds billable resources.';
    case 'decrease':
      return 'Removes billable resources.';
    default:
      return 'The cost may change, depending on the input.';
  }
}
