import { formatPreview } from '../operations/preview';
import type { TicketDraft } from './types';

/** Titles are bounded: Jira summaries hold 255 characters, ServiceNow short descriptions 160. */
export function ticketTitle(draft: TicketDraft, max: number): string {
  const title = `Pilot Light: ${draft.summary} (${draft.preview.environments.join(', ') || 'unknown'}, ${draft.preview.account}/${draft.preview.region})`;
  return title.length > max ? `${title.slice(0, max - 1)}…` : title;
}

/** The ticket body as lines: who asked, why, what the policy needs, then the dry-run preview. */
export function ticketLines(draft: TicketDraft): string[] {
  const { requirement, preview } = draft;
  return [
    `Requested by ${draft.requestedBy} through Pilot Light (${draft.caller}); correlation ID ${preview.correlationId}.`,
    `Operation: ${preview.title} (${preview.operationId}), ${preview.kind}${preview.destructive ? ', destructive' : ''}.`,
    `Approval policy: ${requirement.approvalsNeeded} approval${requirement.approvalsNeeded > 1 ? 's' : ''} by ${requirement.approvers?.join(', ') ?? 'anyone but the requester'}; expires after ${requirement.timeoutMinutes} minutes.`,
    '',
    ...formatPreview(preview).split('\n'),
    '',
    'Nothing runs until this ticket is approved and the requester confirms again against a fresh dry-run.',
  ];
}
