import * as vscode from 'vscode';
import type { ApprovalDecision, ApprovalProvider, ApprovalRequest } from '../../core/guardrails/approval';
import type { LoadedPolicy } from '../../core/guardrails/policy';
import type { EnvironmentResolver } from '../../core/insights/facts';
import type { OperationPreview } from '../../core/operations/preview';
import type { OperationRegistry } from '../../core/operations/registry';
import type { RunOutcome } from '../../core/operations/runner';
import type { Caller } from '../../core/operations/types';
import type { ChangeRunOptions } from '../../core/runtime';
import type { PilotLightContext } from './pilotLightContext';
import { isTestMode } from './safety';

export type ServiceRunOptions = ChangeRunOptions;

export interface ToolEvent {
  tool: string;
  phase: 'prepare' | 'invoke';
  operationId?: string;
  status?: string;
  /** The confirmation shown (prepare) or the result text (invoke). */
  text: string;
  withChatToken?: boolean;
}

const LOG_MIRROR_LINES = 2000;
const services = new WeakMap<PilotLightContext, OperationService>();

/**
 * The adapters' view of the one path to AWS: every explorer action, command, chat answer and LM tool runs
 * its operations through the core runtime `ctx.safety` builds (see safety.ts: policy from settings and
 * `.pilotlight/guardrails.json`, audit trail, modal approval). Callers cannot pass their own approval
 * provider. This service adds what the adapters share on top: run events, the confirmation of changes the
 * policy lets through, environment resolution, and records for the extension's own tests.
 */
export class OperationService implements vscode.Disposable {
  private readonly runEmitter = new vscode.EventEmitter<RunOutcome>();
  /** Fires after every run (dry-run or execute) made through this service, e.g. to refresh the audit view. */
  readonly onDidRun = this.runEmitter.event;
  /** What the adapters logged (already redacted), for the extension's own tests. */
  readonly logMirror: string[] = [];
  /** The latest LM tool confirmations and results (bounded), for the extension's own tests. */
  readonly toolEvents: ToolEvent[] = [];

  static for(ctx: PilotLightContext): OperationService {
    let service = services.get(ctx);
    if (!service) {
      service = new OperationService(ctx);
      services.set(ctx, service);
      ctx.extension.subscriptions.push(service);
    }
    return service;
  }

  private constructor(private readonly ctx: PilotLightContext) {}

  /** The extension's shared context (for features built on the service, e.g. organizations). */
  get context(): PilotLightContext {
    return this.ctx;
  }

  /** Jira/ServiceNow change requests for agents (set by the approvals feature), if any. */
  get agentApprovals() {
    return this.ctx.safety.agentApprovals;
  }

  get testMode(): boolean {
    return isTestMode(this.ctx.extension);
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.ctx.log[level](message);
    this.logMirror.push(`[${level}] ${message}`);
    if (this.logMirror.length > LOG_MIRROR_LINES) this.logMirror.splice(0, this.logMirror.length - LOG_MIRROR_LINES);
  }

  auditPath(): string {
    return this.ctx.safety.auditPath();
  }

  async registry(): Promise<OperationRegistry> {
    return (await this.ctx.safety.runner()).registry;
  }

  /** The policy in force (settings, workspace settings and guardrails files). */
  policy(): Promise<LoadedPolicy> {
    return this.ctx.safety.loadPolicy();
  }

  /** The region operations run in unless a caller names one. */
  async currentRegion(): Promise<string> {
    return (await this.ctx.connection()).region;
  }

  /** The account of the active connection (the chat's account), if its identity can be read. */
  async activeAccount(): Promise<string | undefined> {
    return (await this.ctx.connection()).identity().then(
      (identity) => identity.account,
      () => undefined,
    );
  }

  /** Resolves environments the way the guardrails do, for the account in use. */
  async environmentResolver(): Promise<EnvironmentResolver> {
    const [{ resolveEnvironment }, loaded] = await Promise.all([
      import('../../core/guardrails/environment'),
      this.policy(),
    ]);
    const account = await (await this.ctx.connection()).identity().then(
      (identity) => identity.account,
      () => undefined,
    );
    return (tags) => resolveEnvironment(tags, account, loaded.policy);
  }

  /** The provider the runner asks; never chosen by a caller. */
  approvalProvider(): ApprovalProvider {
    return this.ctx.safety.approvalProvider();
  }

  recordToolEvent(event: ToolEvent): void {
    this.toolEvents.push(event);
    if (this.toolEvents.length > 200) this.toolEvents.splice(0, this.toolEvents.length - 200);
  }

  /** Test mode only: replaces the modal approval (undefined: the modal again). */
  setApprovalProviderForTests(provider: ApprovalProvider | undefined): void {
    this.ctx.safety.approvalOverride = provider;
  }

  /** Runs an operation through the core runtime, which gives an execute the shared approval provider. */
  async run(operationId: string, input: unknown, options: ServiceRunOptions): Promise<RunOutcome> {
    const runtime = await this.ctx.safety.runtime();
    const region = options.region ?? (await this.ctx.connectionFor(options.profile)).region;
    const outcome = await runtime.run(operationId, input, {
      caller: options.caller,
      mode: options.mode,
      region,
      profile: options.profile,
      correlationId: options.correlationId,
      signal: options.signal,
      ...(options.revealSecret ? { revealSecret: true } : {}),
    });
    const quietRead = options.mode === 'execute' && !outcome.preview && outcome.status === 'succeeded';
    if (!quietRead)
      this.log(
        outcome.status === 'failed' ? 'warn' : 'info',
        `${options.caller} ${options.mode} ${operationId} ${outcome.correlationId}: ${outcome.status}${outcome.refusal ? ` (${outcome.refusal.code})` : ''}${outcome.error ? ` (${outcome.error.code})` : ''}`,
      );
    this.runEmitter.fire(outcome);
    return outcome;
  }

  /** Audits a change declined at its confirmation (nothing ran), linked to its dry-run. */
  async recordDeclined(
    dryRun: RunOutcome,
    input: unknown,
    decision: { reason: string; approver?: string },
    profile?: string,
  ): Promise<RunOutcome> {
    const outcome = await (await this.ctx.safety.runtime()).recordDeclined(dryRun, input, decision, profile);
    this.log(
      'info',
      `${outcome.caller} declined ${outcome.operationId} ${outcome.correlationId}: ${outcome.refusal?.message ?? 'not confirmed'}`,
    );
    this.runEmitter.fire(outcome);
    return outcome;
  }

  /**
   * A confirmation for a change the policy lets through without asking (e.g. stopping a non-protected
   * instance from a menu): shows the dry-run preview through the same provider.
   */
  async confirm(preview: OperationPreview, caller: Caller): Promise<ApprovalDecision> {
    const provider = this.approvalProvider();
    const request: ApprovalRequest = {
      correlationId: preview.correlationId,
      operationId: preview.operationId,
      operationTitle: preview.title,
      caller,
      level: 'confirm',
      account: preview.account,
      region: preview.region,
      environments: preview.environments,
      protectedEnvironments: preview.protectedEnvironments,
      resources: preview.resources,
      reasons: ['Review the change before it runs.'],
      preview,
    };
    try {
      return await provider.requestApproval(request, AbortSignal.timeout(10 * 60_000));
    } catch (error) {
      return { approved: false, reason: `The confirmation could not be shown: ${(error as Error).message}` };
    }
  }

  dispose(): void {
    this.runEmitter.dispose();
  }
}
