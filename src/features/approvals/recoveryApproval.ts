import * as vscode from 'vscode';
import { UserError } from '../shared/commands';
import { approverName } from '../shared/modalApprovalProvider';
import { OperationService } from '../shared/operationService';
import type { PilotLightContext } from '../shared/pilotLightContext';
import type { PendingApproval } from '../../core/approvals/types';

/**
 * Before a recovery (not a drill) starts: when an approval rule sends its first wave to Jira or ServiceNow,
 * opens the ticket (shown in Pending approvals) and stops with "waiting for approval"; returns the approved
 * request once it is approved, or undefined when no ticket is needed.
 */
export async function requireRecoveryApproval(
  ctx: PilotLightContext,
  planName: string,
  firstWaveServerIds: string[],
  region?: string,
): Promise<PendingApproval | undefined> {
  const approvals = ctx.safety.agentApprovals;
  if (!approvals || firstWaveServerIds.length === 0) return undefined;
  const { recoveryApprovalState } = await import('../../core/approvals/dr');
  const service = OperationService.for(ctx);
  const state = await recoveryApprovalState(
    approvals,
    { run: (operationId, input, options) => service.run(operationId, input, options) },
    { sourceServerIds: firstWaveServerIds, region, requestedBy: approverName() },
  );
  if (state.state === 'not-needed') return undefined;
  if (state.state === 'refused') throw new UserError(`Recovery of ${planName} not started: ${state.reason}`);
  if (state.state === 'approved') return state.request;
  const { request } = state;
  throw new UserError(
    `Recovery of ${planName} not started. Approval required from: ${request.requirement.approvers?.join(', ') ?? 'anyone but you'} (${request.requirement.approvalsNeeded} needed), ticket ${request.ticket.key} in ${request.ticket.system}. Waiting for approval… (timeout: ${request.requirement.timeoutMinutes} minutes). Run the recovery again once it is approved; see Pending approvals.`,
    [
      { title: 'Open Ticket', run: () => vscode.env.openExternal(vscode.Uri.parse(request.ticket.url)) },
      { title: 'Pending Approvals', run: () => vscode.commands.executeCommand('pilotLight.approvals.refresh') },
    ],
  );
}
