/**
 * THE one place where the DR feature gets its DrActionGateway and DrReads: every mutating call of a drill,
 * a recovery, a drill cleanup or a preflight remediation runs as a registered operation through the shared
 * OperationRunner (guardrails → approval → audit → SDK), and so does every read (registered read
 * operations: circuit breaker, throttling retries, audit when the policy audits reads). A run asks for
 * approval once (per protected environment) and reuses it for its later calls; every call is still
 * checked and audited.
 */
import type { AwsConnection } from '../../core/aws/connection';
import type { ApiCounters, DrReads } from '../../core/dr/aws';
import type { DrActionGateway } from '../../core/dr/gateway';
import type { ApprovalProvider } from '../../core/guardrails/approval';
import type { PilotLightContext } from '../shared/pilotLightContext';

export interface DrGatewayInput {
  ctx: PilotLightContext;
  /** The connection the run (or remediation) is bound to. */
  connection: AwsConnection;
  counters: ApiCounters;
  /** The runner key of that connection (a member account's `<profile>::<account>`); default the active profile. */
  runnerKey?: string;
}

export async function createDrReads(input: DrGatewayInput): Promise<DrReads> {
  const { OperationDrReads } = await import('../../core/dr/operationGateway');
  const runner = await input.ctx.safety.runner(input.runnerKey);
  return new OperationDrReads({
    runner,
    identity: () => input.connection.identity(),
    caller: 'command',
    counters: input.counters,
  });
}

export async function createDrActionGateway(input: DrGatewayInput): Promise<DrActionGateway> {
  const { OperationDrActionGateway, RunScopedApprovalProvider } = await import('../../core/dr/operationGateway');
  const runner = await input.ctx.safety.runner(input.runnerKey);
  return new OperationDrActionGateway({
    runner,
    caller: 'command',
    approvalProvider: new RunScopedApprovalProvider(currentApprovalProvider(input.ctx)),
    terminateBatchSize: () => runner.policyInForce().maxResourcesPerOperation,
    counters: input.counters,
  });
}

/**
 * The approval provider in force when a request comes, not when the gateway was built: a run resumed at
 * startup lives long, and an override set meanwhile (tests, an external approval) must apply to it.
 */
function currentApprovalProvider(ctx: PilotLightContext): ApprovalProvider {
  const current = () => ctx.safety.approvalProvider();
  return {
    get id() {
      return current().id;
    },
    get kind() {
      return current().kind;
    },
    // Through the approvals gate, so a recovery an approval rule sends to Jira or ServiceNow needs its ticket.
    requestApproval: (request, signal) =>
      (ctx.safety.approvalGate?.(current()) ?? current()).requestApproval(request, signal),
  };
}
