import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  checkInstanceUrl,
  PendingApprovalStore,
  pollDelayMs,
  POLL_SCHEDULE_MS,
  retryAfterMs,
  riskOf,
  type PendingApproval,
} from '../../src/core/approvals';
import { MAX_RETRY_AFTER_MS } from '../../src/core/approvals/http';
import { approvalRequirement, unsatisfiableReason } from '../../src/core/guardrails/approvalPolicy';
import type { TicketDraft } from '../../src/core/approvals/types';
import { tempDir } from '../support/operationHarness';

function pending(id: string, state: PendingApproval['state'] = 'pending'): PendingApproval {
  return {
    id,
    ticket: {
      system: 'jira',
      key: `OPS-${id}`,
      id,
      url: `https://jira.example.com/browse/OPS-${id}`,
      requester: 'acc-1',
    },
    operationId: 'ec2.instances.terminate',
    input: { instanceIds: ['i-1'] },
    caller: 'command',
    region: 'us-east-1',
    account: '123456789012',
    environments: ['production'],
    resourceIds: ['i-1'],
    summary: 'Terminate i-1',
    requirement: {
      system: 'jira',
      approvalsNeeded: 1,
      timeoutMinutes: 30,
      environments: ['production'],
      sources: ['settings'],
    },
    createdAt: new Date(0).toISOString(),
    deadline: new Date(1_800_000).toISOString(),
    state,
    approvers: [],
    polls: 0,
  };
}

describe('external approvals (core pieces)', () => {
  it('the pending store writes atomically, keeps concurrent updates, and never rewrites a file it cannot parse', async () => {
    const dir = tempDir('pilot-light-approvals-store-');
    try {
      const path = join(dir.path, 'approvals', 'pending.json');
      const store = new PendingApprovalStore(path);
      await Promise.all(['1', '2', '3'].map((id) => store.put(pending(id))));
      await Promise.all([
        store.update('1', (entry) => ({ polls: entry.polls + 1 })),
        store.update('1', (entry) => ({ polls: entry.polls + 1 })),
        store.update('2', () => ({ state: 'approved' })),
      ]);
      const reread = await new PendingApprovalStore(path).list();
      assert.deepEqual(
        reread.map((entry) => [entry.id, entry.state, entry.polls]),
        [
          ['1', 'pending', 2],
          ['2', 'approved', 0],
          ['3', 'pending', 0],
        ],
      );
      assert.deepEqual(readdirSync(join(dir.path, 'approvals')), ['pending.json'], 'no temporary file left behind');

      writeFileSync(path, '{"requests": [');
      await assert.rejects(store.put(pending('4')), /not valid JSON.*left as it is/);
      assert.equal(readFileSync(path, 'utf8'), '{"requests": [', 'the unreadable file is untouched');
    } finally {
      dir.cleanup();
    }
  });

  it('the store makes room by dropping finished requests, never waiting ones', async () => {
    const dir = tempDir('pilot-light-approvals-store-');
    try {
      const store = new PendingApprovalStore(join(dir.path, 'pending.json'));
      for (let index = 0; index < 200; index += 1)
        await store.put(pending(String(index), index === 0 ? 'rejected' : 'pending'));
      await store.put(pending('new'));
      const ids = (await store.list()).map((entry) => entry.id);
      assert.equal(ids.length, 200);
      assert.ok(!ids.includes('0') && ids.includes('new'));
      await assert.rejects(store.put(pending('more')), /200 approval requests are pending/);
    } finally {
      dir.cleanup();
    }
  });

  it('reads Retry-After as seconds or an HTTP date, bounded', () => {
    assert.equal(retryAfterMs('3'), 3000);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(retryAfterMs('999999'), MAX_RETRY_AFTER_MS);
    assert.equal(retryAfterMs('soon'), undefined);
    assert.equal(retryAfterMs(null), undefined);
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (value) => {
        const ms = retryAfterMs(value);
        return ms === undefined || (ms >= 0 && ms <= MAX_RETRY_AFTER_MS);
      }),
    );
  });

  it('backs off 5 s, 10 s, 20 s, 30 s, then every minute', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 50].map((polls) => pollDelayMs(polls)),
      [5000, 10000, 20000, 30000, 60000, 60000, 60000],
    );
    assert.deepEqual(POLL_SCHEDULE_MS, [5000, 10000, 20000, 30000, 60000]);
  });

  it('refuses http except on loopback, and credentials in the URL', () => {
    assert.equal(checkInstanceUrl('https://x.atlassian.net', 'Jira').host, 'x.atlassian.net');
    assert.equal(checkInstanceUrl('http://127.0.0.1:8080', 'Jira').port, '8080');
    assert.throws(() => checkInstanceUrl('http://jira.internal', 'Jira'), /must use https/);
    assert.throws(() => checkInstanceUrl('https://user:pw@jira.example.com', 'Jira'), /never in the URL/);
    assert.throws(() => checkInstanceUrl('not a url', 'Jira'), /not a valid URL/);
  });

  it('derives the ServiceNow risk from the operation: destructive in production is high', () => {
    const draft = (kind: 'write' | 'delete', destructive: boolean, protectedEnvironments: string[]) =>
      ({ preview: { kind, destructive, protectedEnvironments } }) as unknown as TicketDraft;
    assert.equal(riskOf(draft('delete', true, ['production'])).risk, '2');
    assert.equal(riskOf(draft('write', false, ['production'])).risk, '3');
    assert.equal(riskOf(draft('delete', true, [])).risk, '3');
    assert.equal(riskOf(draft('write', false, [])).risk, '4');
  });

  it('combines matching rules: strictest system, most approvals, shortest timeout, common approvers', () => {
    const requirement = approvalRequirement(
      [
        { environments: ['production'], system: 'modal', source: 'settings' },
        {
          environments: ['Production'],
          system: 'jira',
          approvers: ['bob', 'carol'],
          approvalsNeeded: 1,
          source: 'settings',
        },
        {
          environments: ['production'],
          kinds: ['delete'],
          system: 'servicenow',
          approvers: ['Carol', 'dave'],
          approvalsNeeded: 2,
          timeoutMinutes: 10,
          source: 'ws',
        },
        { environments: ['production'], kinds: ['write'], system: 'servicenow', approvalsNeeded: 5, source: 'ws' },
        { environments: ['staging'], system: 'servicenow', approvalsNeeded: 9, source: 'ws' },
      ],
      { kind: 'delete', environments: ['production'] },
    );
    assert.ok(requirement);
    assert.equal(requirement.system, 'jira', "between two external systems, the first rule's (the settings') holds");
    assert.deepEqual(requirement.approvers, ['carol']);
    assert.equal(requirement.approvalsNeeded, 2);
    assert.equal(requirement.timeoutMinutes, 10);
    assert.match(unsatisfiableReason(requirement) ?? '', /need 2 approvals but name only 1/);
    assert.equal(approvalRequirement([], { kind: 'delete', environments: ['production'] }), undefined);
  });
});
