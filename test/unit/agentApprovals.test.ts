import * as assert from 'node:assert/strict';
import {
  approvalsMarkdown,
  describeRequest,
  isApprovalStatusQuestion,
  ticketSystemFromEnv,
} from '../../src/core/approvals/agentApprovals';
import type { PendingApproval } from '../../src/core/approvals/types';

const NOW = Date.parse('2026-12-06T10:00:00Z');

function request(key: string, state: PendingApproval['state'], extra: Partial<PendingApproval> = {}): PendingApproval {
  return {
    id: `id-${key}`,
    ticket: { system: 'jira', key, id: '1', url: `https://jira.example/browse/${key}`, requester: 'acc-alice' },
    operationId: 'ec2.instances.terminate',
    input: {},
    caller: 'mcp',
    region: 'us-east-1',
    account: '123456789012',
    environments: ['production'],
    resourceIds: ['i-1'],
    summary: 'Terminate 1 instance',
    requirement: {
      system: 'jira',
      approvers: ['ops-team@example.com'],
      approvalsNeeded: 1,
      timeoutMinutes: 30,
      environments: ['production'],
    } as PendingApproval['requirement'],
    createdAt: new Date(NOW - 5 * 60_000).toISOString(),
    deadline: new Date(NOW + 25 * 60_000).toISOString(),
    state,
    approvers: [],
    polls: 0,
    ...extra,
  };
}

describe('approvals for agents and chat', () => {
  it('describes a pending request with ticket, approvers and time left', () => {
    const text = describeRequest(request('OPS-1', 'pending'), NOW);
    assert.match(text, /^pending approval: ticket OPS-1 in jira/);
    assert.match(text, /approvers ops-team@example\.com/);
    assert.match(text, /timeout 30 minutes \(25 left\)/);
  });

  it('lists open requests before decided ones, and says what comes next', () => {
    const markdown = approvalsMarkdown(
      [
        request('OPS-1', 'rejected', { reason: 'Rejected in jira (Declined).' }),
        request('OPS-2', 'approved', { approvers: ['Bob'] }),
        request('OPS-3', 'pending'),
      ],
      NOW,
    );
    assert.match(markdown, /1 waiting, 1 approved and not yet run, 1 decided/);
    const order = ['OPS-3', 'OPS-2', 'OPS-1'].map((key) => markdown.indexOf(`**${key}**`));
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
    );
    assert.match(markdown, /OPS-2.*Run Approved Change/);
    assert.match(markdown, /OPS-3.*Waiting for approval/);
    assert.match(approvalsMarkdown([], NOW), /No approval requests/);
  });

  it('recognises questions about approval requests, not other prompts', () => {
    for (const yes of ['status of my approval requests', 'show pending approvals', 'where do my approvals stand?'])
      assert.equal(isApprovalStatusQuestion(yes), true, yes);
    for (const no of ['terminate the production web servers', 'list ec2 instances in production'])
      assert.equal(isApprovalStatusQuestion(no), false, no);
  });

  it('names the missing environment variables and refuses a non-https instance', () => {
    assert.throws(
      () => ticketSystemFromEnv('jira', {}),
      /PILOTLIGHT_JIRA_URL, PILOTLIGHT_JIRA_TOKEN, PILOTLIGHT_JIRA_PROJECT/,
    );
    assert.throws(() => ticketSystemFromEnv('servicenow', {}), /PILOTLIGHT_SERVICENOW_URL/);
    assert.throws(
      () =>
        ticketSystemFromEnv('servicenow', {
          PILOTLIGHT_SERVICENOW_URL: 'http://snow.example.com',
          PILOTLIGHT_SERVICENOW_USER: 'u',
          PILOTLIGHT_SERVICENOW_PASSWORD: 'p',
        }),
      /https/,
    );
  });
});
