/**
 * Issue 16: how long one approval poll takes against our Jira and ServiceNow emulators (loopback, in this
 * process). One poll is what the coordinator does per step of its backoff schedule: Jira one GET of the
 * issue with its changelog; ServiceNow one GET of the change_request and one of sys_approval_approver.
 * Prints one JSON line: { jira: {...}, servicenow: {...} } with medians and p95 in ms.
 */
import { JiraTicketSystem, ServiceNowTicketSystem, type TicketSystem } from '../../src/core/approvals';
import type { TicketDraft } from '../../src/core/approvals/types';
import type { OperationPreview } from '../../src/core/operations/preview';
import { startJiraEmulator } from '../../tools/emulators/jira/server';
import { startServiceNowEmulator } from '../../tools/emulators/servicenow/server';

const repeats = Math.max(10, Number(process.argv[2] ?? '200'));

const preview = {
  correlationId: 'bench',
  operationId: 'ec2.instances.terminate',
  title: 'Terminate instances',
  kind: 'delete',
  destructive: true,
  caller: 'command',
  account: '123456789012',
  region: 'us-east-1',
  summary: 'Terminate i-0123456789abcdef0',
  changes: ['Terminate i-0123456789abcdef0'],
  warnings: [],
  resources: [],
  environments: ['production'],
  protectedEnvironments: ['production'],
  cost: { direction: 'decrease', note: 'Stops the instance charges.' },
  rollback: { supported: false },
  permission: { status: 'allowed', detail: 'bench' },
  dependencies: [],
  backups: { required: true, planned: ['AMI of i-0123456789abcdef0'] },
  guardrails: { verdict: 'needs-approval', refusals: [] },
} as unknown as OperationPreview;
const draft: TicketDraft = {
  summary: preview.summary,
  preview,
  caller: 'command',
  requirement: {
    system: 'jira',
    approvalsNeeded: 1,
    timeoutMinutes: 30,
    environments: ['production'],
    sources: ['settings'],
  },
  requestedBy: 'bench',
};

async function measure(system: TicketSystem, approve: (key: string) => Promise<void>) {
  const ticket = await system.open(draft);
  await approve(ticket.key);
  for (let index = 0; index < 20; index += 1) await system.status(ticket);
  const samples: number[] = [];
  for (let index = 0; index < repeats; index += 1) {
    const started = process.hrtime.bigint();
    const status = await system.status(ticket);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (status.state !== 'approved') throw new Error(`the bench ticket is ${status.state}`);
  }
  samples.sort((a, b) => a - b);
  const at = (quantile: number) =>
    Math.round(samples[Math.min(samples.length - 1, Math.floor(quantile * samples.length))] * 100) / 100;
  return { medianMs: at(0.5), p95Ms: at(0.95), maxMs: at(1), repeats };
}

async function main(): Promise<void> {
  const jira = await startJiraEmulator({
    users: [
      { accountId: 'req', emailAddress: 'req@example.com', displayName: 'Requester', token: 'tok-req' },
      { accountId: 'cab', emailAddress: 'cab@example.com', displayName: 'CAB', token: 'tok-cab' },
    ],
  });
  const snow = await startServiceNowEmulator({
    users: [
      { user_name: 'req', email: 'req@example.com', name: 'Requester', password: 'pw-req' },
      { user_name: 'cab', email: 'cab@example.com', name: 'CAB', password: 'pw-cab' },
    ],
  });
  const post = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(
      () => undefined,
    );
  try {
    const jiraResult = await measure(
      new JiraTicketSystem(
        { baseUrl: jira.url, projectKey: 'OPS', approvedStatuses: ['Approved'], rejectedStatuses: ['Declined'] },
        { email: 'req@example.com', token: 'tok-req' },
      ),
      (key) => post(`${jira.url}/__emulator/issues/${key}/transition`, { status: 'Approved', by: 'cab' }),
    );
    const snowResult = await measure(
      new ServiceNowTicketSystem({ baseUrl: snow.url }, { username: 'req', password: 'pw-req' }),
      (key) => post(`${snow.url}/__emulator/changes/${key}/approve`, { by: 'cab' }),
    );
    console.log(JSON.stringify({ jira: jiraResult, servicenow: snowResult }));
  } finally {
    await jira.stop();
    await snow.stop();
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
