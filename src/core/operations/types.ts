import type { z } from 'zod';
import type { ServiceDefinition } from '../aws/connection';

/** Who asked for the operation; recorded in the audit trail. */
export type Caller = 'explorer' | 'command' | 'chat' | 'lm-tool' | 'mcp';
export const CALLERS: readonly Caller[] = ['explorer', 'command', 'chat', 'lm-tool', 'mcp'];

/**
 * `approve`: a change in a protected environment (or removing a protection tag); an interactive provider
 * must return the typed confirmation. `confirm`: a plain confirmation, e.g. before a delete elsewhere.
 */
export type ApprovalLevel = 'approve' | 'confirm';

export type RefusalCode =
  | 'unknown-operation'
  | 'invalid-input'
  | 'invalid-options'
  | 'max-resources'
  | 'protection-tag'
  | 'change-window'
  | 'rate-limit'
  | 'dependency'
  | 'permission-denied'
  | 'approval-required'
  | 'approval-denied'
  | 'confirmation-mismatch'
  | 'circuit-open'
  | 'audit-unavailable'
  | 'secret-not-revealed';

/** Why the runner or a guardrail stopped an operation. */
export interface Refusal {
  code: RefusalCode;
  message: string;
  resourceIds?: string[];
}

export type RunMode = 'dry-run' | 'execute';
export const RUN_MODES: readonly RunMode[] = ['dry-run', 'execute'];

export type OperationKind = 'read' | 'write' | 'delete';
export type CostDirection = 'none' | 'increase' | 'decrease' | 'variable';
export type ServiceId =
  | 'ec2'
  | 'iam'
  | 'cloudformation'
  | 'drs'
  | 'ssm'
  | 'sfn'
  | 'ecs'
  | 'eks'
  | 'ecr'
  | 'logs'
  | 'organizations'
  | 'cloudwatch'
  | 'ce'
  | 'budgets'
  | 'scheduler'
  | 'backup'
  | 'config'
  | 'securityhub'
  | 's3control'
  | 'cloudtrail'
  | 'rds'
  | 'computeoptimizer'
  | 'sts'
  /** The AWS Price List Query API (read-only; always us-east-1). */
  | 'pricing'
  /** Tag edits across services (compliance remediation tagging.enforceTags). */
  | 'tagging';

/** A resource an operation touches (`target`) or that only tells its environment (`context`, e.g. the VPC a new group goes in). */
export interface TargetResource {
  type: string;
  /** The resource ID, or a placeholder such as "(new security group)" for one not created yet. */
  id: string;
  name?: string;
  role?: 'target' | 'context';
  /** What happens to it, e.g. "terminate", "create", "modify". */
  action: string;
  tags?: Record<string, string>;
  state?: string;
  details?: string[];
  /** Tag keys this operation removes from the resource. */
  removesTags?: string[];
  /** Tags this operation sets on the resource. */
  setsTags?: Record<string, string>;
}

export type PermissionStatus = 'allowed' | 'denied' | 'not-checked' | 'ignored-by-endpoint' | 'error';

/** The result of a DryRun permission probe. */
export interface PermissionCheck {
  status: PermissionStatus;
  detail: string;
  /** The AWS code the probe returned, e.g. DryRunOperation or UnauthorizedOperation. */
  code?: string;
}

/** Something that still depends on a resource about to be deleted. */
export interface DependencyFinding {
  resourceId: string;
  message: string;
  dependents: string[];
}

export interface BackupRecord {
  kind: 'ebs-snapshot' | 'ami';
  id: string;
  sourceId: string;
  state?: string;
}

export interface CostEstimate {
  direction: CostDirection;
  note: string;
  /** Rough change in monthly cost in USD, when it can be estimated. */
  monthlyUsd?: number;
}

export interface PreviewDetails {
  /** One line, e.g. "Terminate 2 instances". */
  summary: string;
  changes: string[];
  warnings?: string[];
  cost?: CostEstimate;
}

/** Anything with an SDK v3 `send`. */
export interface SendCapable {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each SDK client's send is generic over its own commands
  send(command: any, ...rest: any[]): Promise<any>;
}

/** What a handler, preview or check gets from the runner; only the runner creates it. */
export interface OperationContext {
  readonly operationId: string;
  readonly correlationId: string;
  readonly mode: RunMode;
  readonly caller: Caller;
  readonly account: string;
  readonly callerArn: string;
  readonly region: string;
  readonly now: Date;
  readonly signal: AbortSignal;
  /** The environment tag keys of the user's settings (not widened by a workspace), e.g. Environment, env, stage. */
  readonly environmentTagKeys: readonly string[];
  /** A client whose every call goes through the circuit breaker and throttling retries. */
  client<C extends SendCapable>(service: ServiceDefinition<C>): Promise<Pick<C, 'send'>>;
  /** Sends a command built with `DryRun: true` and reads the answer as a permission check. */
  probe<C extends SendCapable>(service: ServiceDefinition<C>, command: object): Promise<PermissionCheck>;
  /** A stable idempotency token (≤ 64 chars) for one call in this run. */
  clientToken(label: string): string;
  sleep(ms: number): Promise<void>;
}

/** How a delete is backed up first; implementations live in guardrails/backups. */
export interface BackupPlan<Input = unknown> {
  /** Lines for the preview, e.g. "EBS snapshot of vol-1 before it is deleted". */
  describe(targets: TargetResource[], input: Input): string[];
  create(ctx: OperationContext, input: Input, targets: TargetResource[]): Promise<BackupRecord[]>;
  /** Resolves once every backup is usable; throws when one fails or the time runs out. */
  waitUntilReady(
    ctx: OperationContext,
    backups: BackupRecord[],
    timeoutMs: number,
    pollMs: number,
  ): Promise<BackupRecord[]>;
}

/** Everything declared about one AWS action. Only `defineOperation` accepts it; only the runner sees its functions. */
export interface OperationSpec<Schema extends z.ZodType = z.ZodType, Output = unknown> {
  /** Dotted, stable, e.g. "ec2.instances.terminate". */
  id: string;
  service: ServiceId;
  title: string;
  /** One or two sentences for tool pickers and language models. */
  description: string;
  kind: OperationKind;
  destructive: boolean;
  costImpact: CostDirection;
  rollbackSupported: boolean;
  rollbackNote?: string;
  input: Schema;
  /** The resources a mutating operation touches, read from AWS (tags and state). Required for write and delete. */
  targets?(ctx: OperationContext, input: z.output<Schema>): Promise<TargetResource[]>;
  preview?(
    ctx: OperationContext,
    input: z.output<Schema>,
    targets: TargetResource[],
  ): Promise<PreviewDetails> | PreviewDetails;
  checkPermission?(ctx: OperationContext, input: z.output<Schema>, targets: TargetResource[]): Promise<PermissionCheck>;
  checkDependencies?(
    ctx: OperationContext,
    input: z.output<Schema>,
    targets: TargetResource[],
  ): Promise<DependencyFinding[]>;
  backup?: BackupPlan<z.output<Schema>>;
  /**
   * Why every change by this operation counts as a change to a protected environment ("organization"), so it
   * always needs an approval whatever its targets' environments (e.g. service control policies, which bind
   * every account under their target).
   */
  protectedByDefault?: string;
  /** Refines the ID approval rules may name: a rule naming "<id>:<variant>" (e.g. "drs.recovery.start:recovery") governs only that variant. */
  approvalVariant?(input: z.output<Schema>): string | undefined;
  handler(ctx: OperationContext, input: z.output<Schema>, targets: TargetResource[]): Promise<Output>;
  /** IDs of the resources the operation created or changed, from its output. Default: the target IDs. */
  resourceIds?(output: Output, input: z.output<Schema>): string[];
  /**
   * A read whose output is a secret a person asked to see (e.g. launch-template user data). The runner runs it
   * only for the explorer or a command with `revealSecret` set (never chat, LM tools or MCP), audits every run
   * (even when reads are not audited) with `auditSummary` in place of the output, and returns the output unredacted.
   */
  secretOutput?: { auditSummary(output: Output, input: z.output<Schema>): Record<string, unknown> };
}
