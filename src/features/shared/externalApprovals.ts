/** The hook through which interactive runs reach external approvals (set by features/approvals when registered). */
import type { OpenedRequest } from '../../core/approvals/coordinator';
import type { ChangeRequest, ChangeResult, ChangeSteps, ConfirmChange } from '../../core/runtime/changeFlow';

export interface ExternalApprovalHandler {
  /** A dry-run; a ticket when an approval rule names Jira or ServiceNow, else the ordinary flow. */
  begin(steps: ChangeSteps, change: ChangeRequest, confirm: ConfirmChange): Promise<OpenedRequest | ChangeResult>;
  /** One sentence on where a request stands, for notifications and chat. */
  describe(opened: OpenedRequest): string;
}

let current: ExternalApprovalHandler | undefined;

export function setExternalApprovalHandler(handler: ExternalApprovalHandler | undefined): void {
  current = handler;
}

export function externalApprovalHandler(): ExternalApprovalHandler | undefined {
  return current;
}
