import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { ApprovalDecision, ApprovalProvider, ApprovalRequest } from '../../guardrails/approval';
import { accountText, formatPreview } from '../../operations/preview';

const MAX_MESSAGE_CHARS = 6_000;

/** The name the person must type: the approval's required confirmation, else the (most protected) environment. */
export function expectedConfirmation(request: ApprovalRequest): string {
  return (request.requiredConfirmation ?? request.environments[0] ?? 'unknown').trim();
}

/**
 * Asks the person at the MCP client through a form (elicitation): it shows account, environment and the
 * preview, and the person must type the environment name. A client that cannot show forms is refused,
 * never taken as a yes; so are a decline, a cancel and a mismatched name.
 */
export class ElicitationApprovalProvider implements ApprovalProvider {
  readonly id = 'mcp-elicitation';
  readonly kind = 'interactive' as const;

  constructor(
    private readonly server: Server,
    private readonly approverName: () => string,
  ) {}

  async requestApproval(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalDecision> {
    if (!this.server.getClientCapabilities()?.elicitation) {
      return {
        approved: false,
        reason:
          'The MCP client cannot show an approval form (it has no elicitation capability), so Pilot Light refuses the change. Run it from a client that supports forms, or from VS Code.',
      };
    }
    const expected = expectedConfirmation(request);
    const what = request.level === 'approve' ? 'Approve' : 'Confirm';
    const message = [
      `${what} this AWS change (asked by an AI agent through MCP)`,
      `Account: ${accountText({ ...request.preview, account: request.account })}   Region: ${request.region}`,
      `Environment: ${request.environments.join(', ') || 'unknown'}${request.protectedEnvironments.length ? ' (protected)' : ''}`,
      ...request.reasons.map((reason) => `Why: ${reason}`),
      '',
      formatPreview(request.preview),
      '',
      `Type ${what === 'Approve' || request.environments.includes(expected) ? 'the environment name ' : ''}"${expected}" to ${what.toLowerCase()}; anything else refuses.`,
    ]
      .join('\n')
      .slice(0, MAX_MESSAGE_CHARS);
    const result = await this.server.elicitInput(
      {
        mode: 'form',
        message,
        requestedSchema: {
          type: 'object',
          properties: {
            environment: {
              type: 'string',
              title: request.environments.includes(expected) ? 'Environment name' : 'Confirmation',
              description: `Type "${expected}" to ${what.toLowerCase()} the change.`,
              maxLength: 200,
            },
          },
          required: ['environment'],
        },
      },
      { signal, timeout: 10 * 60_000 },
    );
    const approver = this.approverName();
    if (result.action === 'decline') return { approved: false, reason: 'Declined in the MCP client.', approver };
    if (result.action !== 'accept') return { approved: false, reason: 'The approval form was cancelled.', approver };
    const typed = typeof result.content?.environment === 'string' ? result.content.environment.trim() : '';
    if (typed !== expected)
      return { approved: false, reason: `The typed environment name did not match "${expected}".`, approver };
    return { approved: true, approver, typedConfirmation: typed };
  }
}
