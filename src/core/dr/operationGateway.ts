import type { Job } from '@aws-sdk/client-drs';
import type { ApprovalDecision, ApprovalProvider, ApprovalRequest } from '../guardrails/approval';
import type { OperationRunner, RunOutcome } from '../operations/runner';
import type { Caller } from '../operations/types';
import type { DrActionGateway, DrCallContext, StartAutomationRequest, StartRecoveryRequest } from './gateway';
import type { GroupLaunchSettings } from './model';

/** A guardrail refused a DR call; the run stops or continues by its failure policy, with this reason. */
export class DrCallRefusedError extends Error {
  constructor(readonly code: string, message: string, readonly correlationId: string) {
    super(message);
    this.name = 'DrCallRefusedError';
  }
}

/** Turns a non-successful outcome into an error the DR runner understands (AWS error names are kept for retries). */
function outcomeError(outcome: RunOutcome): Error {
  if (outcome.status === 'refused') {
    return new DrCallRefusedError(outcome.refusal?.code ?? 'refused', `${outcome.operationId} refused (${outcome.refusal?.code}): ${outcome.refusal?.message}`, outcome.correlationId);
  }
  const error = new Error(`${outcome.error?.code ?? 'Error'}: ${outcome.error?.message ?? 'the operation failed'}${outcome.error?.hint ? ` — ${outcome.error.hint}` : ''}`);
  error.name = outcome.error?.code ?? 'Error';
  return error;
}

export interface OperationDrActionGatewayOptions {
  runner: OperationRunner;
  approvalProvider?: ApprovalProvider;
  caller?: Caller;
  /** Recovery instances per terminate call; keep it within the policy's maxResourcesPerOperation. */
  terminateBatchSize?: () => number;
}

/**
 * The DR engine's mutating calls as registered operations: each StartRecovery, terminate, launch-settings
 * update and SSM Automation call passes the guardrails and is audited under the run's correlation ID.
 */
export class OperationDrActionGateway implements DrActionGateway {
  constructor(private readonly options: OperationDrActionGatewayOptions) {}

  get terminateBatchSize(): number {
    return Math.max(1, Math.min(100, this.options.terminateBatchSize?.() ?? 100));
  }

  private async run<Output>(operationId: string, input: unknown, region: string, context: DrCallContext): Promise<Output> {
    const outcome = await this.options.runner.run(operationId, input, {
      caller: this.options.caller ?? 'command',
      mode: 'execute',
      approvalProvider: this.options.approvalProvider,
      region,
      correlationId: context.correlationId,
    });
    if (outcome.status !== 'succeeded') throw outcomeError(outcome);
    return outcome.output as Output;
  }

  startRecovery(request: StartRecoveryRequest, context: DrCallContext): Promise<{ job: Job }> {
    return this.run('drs.recovery.start', { sourceServerIds: request.sourceServerIds, isDrill: request.isDrill, tags: request.tags }, request.region, context);
  }

  terminateRecoveryInstances(request: { region: string; recoveryInstanceIds: string[] }, context: DrCallContext): Promise<{ job: Job }> {
    return this.run('drs.recoveryInstances.terminate', { recoveryInstanceIds: request.recoveryInstanceIds }, request.region, context);
  }

  async updateLaunchConfiguration(request: { region: string; sourceServerId: string; settings: GroupLaunchSettings }, context: DrCallContext): Promise<void> {
    await this.run('drs.launchConfiguration.update', { sourceServerId: request.sourceServerId, ...request.settings }, request.region, context);
  }

  startAutomation(request: StartAutomationRequest, context: DrCallContext): Promise<{ executionId: string }> {
    const { region, ...input } = request;
    return this.run('ssm.automation.start', input, region, context);
  }

  async stopAutomation(request: { region: string; executionId: string }, context: DrCallContext): Promise<void> {
    await this.run('ssm.automation.stop', { executionId: request.executionId }, request.region, context);
  }
}

/**
 * Asks once per run: the first approval of a run (a correlation ID) goes to the person or system behind
 * `base`; later requests of the same run in the same protected environments reuse that decision. Every
 * reuse is still checked and audited by the runner, naming the original approver.
 */
export class RunScopedApprovalProvider implements ApprovalProvider {
  readonly id: string;
  readonly kind: ApprovalProvider['kind'];
  private readonly granted = new Map<string, { environments: Set<string>; decision: ApprovalDecision & { approved: true } }>();

  constructor(private readonly base: ApprovalProvider) {
    this.id = `${base.id}+run-scope`;
    this.kind = base.kind;
  }

  async requestApproval(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalDecision> {
    const previous = this.granted.get(request.correlationId);
    const environments = request.protectedEnvironments.map((name) => name.toLowerCase());
    if (previous && request.level === 'approve' && environments.every((name) => previous.environments.has(name))) {
      return { ...previous.decision, typedConfirmation: request.requiredConfirmation };
    }
    if (previous && request.level === 'confirm') return { approved: true, approver: previous.decision.approver, reference: previous.decision.reference };
    const decision = await this.base.requestApproval(request, signal);
    if (decision.approved) {
      const entry = this.granted.get(request.correlationId) ?? { environments: new Set<string>(), decision };
      for (const name of environments) entry.environments.add(name);
      this.granted.set(request.correlationId, entry);
    }
    return decision;
  }
}
