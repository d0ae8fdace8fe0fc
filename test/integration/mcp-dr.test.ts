/**
 * The MCP server's DR tools against the DRS emulator and moto, in-process with the SDK client: plans from
 * a workspace folder, preflight, a drill started only after the typed approval, its status.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeJobsCommand, DescribeRecoveryInstancesCommand, DrsClient } from '@aws-sdk/client-drs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ElicitRequestSchema, type CallToolResult, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { createMcpServer } from '../../src/core/agent/mcp/server';
import { readAuditTrail } from '../../src/core/audit';
import type { AwsConnection } from '../../src/core/aws/connection';
import { defaultPathFor, writeDocument } from '../../src/core/dr/workspace';
import { createRuntime } from '../../src/core/runtime';
import { emulatorConnection } from '../support/connection';
import { plan, tempDir, tierGroups } from '../support/dr';
import { clientConfig, resetAndSeed, useEmulatorStack, waitFor } from '../support/emulators';

useEmulatorStack();

type Result = CallToolResult & { structuredContent?: Record<string, any> };

describe('MCP DR tools against the emulators', function () {
  this.timeout(120_000);
  let dir: ReturnType<typeof tempDir>;
  let connection: AwsConnection;
  const closers: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    await resetAndSeed('sample');
    dir = tempDir('pilot-light-mcp-dr-');
    for (const group of tierGroups()) await writeDocument(defaultPathFor(dir.path, group), group);
    const drill = plan('db-only', [{ name: 'db', protectionGroups: ['db-tier'] }], { failurePolicy: 'stop' });
    await writeDocument(defaultPathFor(dir.path, drill), drill);
    const held = plan(
      'held-app',
      [
        { name: 'db', protectionGroups: ['db-tier'] },
        { name: 'app', protectionGroups: ['app-tier'], dependsOn: ['db'], pauseBeforeWave: true },
      ],
      { failurePolicy: 'stop' },
    );
    await writeDocument(defaultPathFor(dir.path, held), held);
    connection = await emulatorConnection();
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close().catch(() => undefined);
    connection.dispose();
    dir.remove();
  });

  /** A person who reads the form and types what it asks for. */
  const typeWhatIsAsked =
    (asked: string[]) =>
    (message: string): ElicitResult => {
      const wanted = /Type (?:the environment name )?"([^"]+)"/.exec(message)?.[1] ?? '';
      asked.push(wanted);
      return { action: 'accept', content: { environment: wanted } };
    };

  async function start(answer?: (message: string) => ElicitResult) {
    const auditPath = join(dir.path, 'audit.jsonl');
    const runtime = createRuntime({
      auditPath,
      approvalProvider: {
        id: 'none',
        kind: 'interactive',
        requestApproval: async () => ({ approved: false, reason: 'unused' }),
      },
      connection: async () => connection,
    });
    const server = createMcpServer({
      runtime,
      readOnly: false,
      allowRecovery: false,
      approvals: 'elicitation',
      clientLabel: 'test',
      dr: { workspaceFolders: [dir.path], journalDir: join(dir.path, 'runs'), connection: async () => connection },
    });
    const client = new Client(
      { name: 'dr-agent', version: '1.0.0' },
      { capabilities: answer ? { elicitation: { form: {} } } : {} },
    );
    if (answer) client.setRequestHandler(ElicitRequestSchema, async (request) => answer(request.params.message));
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    closers.push(() => client.close());
    const call = async (name: string, args: Record<string, unknown>) =>
      (await client.callTool({ name, arguments: args })) as Result;
    return { call, auditPath };
  }

  async function drsJobs(): Promise<number> {
    const drs = new DrsClient(clientConfig());
    try {
      return (await drs.send(new DescribeJobsCommand({ filters: {} }))).items?.length ?? 0;
    } finally {
      drs.destroy();
    }
  }

  it('lists and preflights the workspace plan, starts a drill after the typed plan name, and shows its status', async () => {
    const asked: string[] = [];
    const { call, auditPath } = await start(typeWhatIsAsked(asked));
    const listed = await call('dr_list_plans', {});
    assert.deepEqual(listed.structuredContent?.plans.map((p: { name: string }) => p.name).sort(), [
      'db-only',
      'held-app',
    ]);
    const checked = await call('dr_preflight', { plan: 'db-only' });
    assert.equal(checked.structuredContent?.ok, true, JSON.stringify(checked.structuredContent?.findings));
    const started = await call('dr_start_drill', { plan: 'db-only' });
    assert.equal(started.structuredContent?.status, 'started', JSON.stringify(started.structuredContent));
    const runId = started.structuredContent?.runId as string;
    const final = await waitFor(
      async () => {
        const status = await call('dr_run_status', { runId });
        return ['completed', 'failed', 'cancelled'].includes(status.structuredContent?.status) ? status : undefined;
      },
      'the drill to end',
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    assert.equal(final?.structuredContent?.status, 'completed', JSON.stringify(final?.structuredContent));
    assert.ok((await drsJobs()) >= 1);
    assert.deepEqual(
      asked,
      ['db-only', 'production'],
      'the drill is confirmed with the plan name, then the protected environment is approved once for the run',
    );
    const records = await readAuditTrail(auditPath);
    const startedRecord = records.find((record) => record.operation === 'dr.drill.start');
    assert.equal(startedRecord?.decision, 'started');
    assert.equal(startedRecord?.client?.name, 'dr-agent');
    assert.deepEqual(
      records
        .filter((record) => record.tool === 'dr_list_plans' || record.tool === 'dr_preflight')
        .map((record) => [record.tool, record.outcome]),
      [
        ['dr_list_plans', 'succeeded'],
        ['dr_preflight', 'succeeded'],
      ],
    );
    assert.ok(
      records.some(
        (record) =>
          record.operation === 'drs.recovery.start' && record.caller === 'mcp' && record.outcome === 'succeeded',
      ),
    );
  });

  it('offers DR assistance read-only: a runbook with live replication, a troubleshooting answer, and setup files as a preview', async () => {
    const { call, auditPath } = await start();
    const listed = await call('dr_list_plans', {});
    const planName = (listed.structuredContent!.plans as Array<{ name: string }>)[0].name;
    const runbook = await call('dr_runbook', { plan: planName });
    assert.equal(runbook.isError, undefined, JSON.stringify(runbook.structuredContent));
    const markdown = String(runbook.structuredContent!.markdown);
    assert.match(markdown, new RegExp(`^# .*${planName}`, 'm'));
    assert.match(markdown, /CONTINUOUS/, 'live replication states are in the runbook');
    assert.match(markdown, /roll back/i);

    const servers = (await call('read_resources', { operation: 'drs.sourceServers.list', input: {} }))
      .structuredContent!;
    const serverId = (servers.items as Array<{ id: string }>)[0].id;
    assert.match(serverId, /^s-/);
    const explained = await call('dr_troubleshoot', { sourceServerId: serverId });
    assert.equal(explained.structuredContent!.status, 'succeeded');
    assert.match(String(explained.structuredContent!.markdown), new RegExp(serverId));
    assert.match(String(explained.structuredContent!.markdown), /CONTINUOUS/);
    const both = await call('dr_troubleshoot', { sourceServerId: serverId, jobId: 'drsjob-12345678901234567' });
    assert.equal(
      (both.structuredContent?.refusal as { code?: string } | undefined)?.code,
      'invalid-input',
      'exactly one of the two is required',
    );

    const filesBefore = listFiles(join(dir.path, '.pilotlight'));
    const before = await drsJobs();
    const setup = await call('dr_setup_from_requirements', {
      requirements: 'web, app and db by the Role tag, RTO 30 minutes',
    });
    const files = setup.structuredContent!.files as Array<{ path: string; text: string }>;
    assert.ok(files.some((file) => /recovery-plan\.yaml$/.test(file.path)));
    assert.equal(files.filter((file) => /protection-group\.yaml$/.test(file.path)).length, 3);
    assert.deepEqual(listFiles(join(dir.path, '.pilotlight')), filesBefore, 'a preview writes nothing');
    assert.equal(await drsJobs(), before, 'no job was started');
    const audited = (await readAuditTrail(auditPath)).map((record) => record.tool);
    for (const tool of ['dr_runbook', 'dr_troubleshoot', 'dr_setup_from_requirements'])
      assert.ok(audited.includes(tool), `${tool} is audited`);
  });

  async function recoveryInstances(): Promise<number> {
    const drs = new DrsClient(clientConfig());
    try {
      return (await drs.send(new DescribeRecoveryInstancesCommand({ filters: {} }))).items?.length ?? 0;
    } finally {
      drs.destroy();
    }
  }

  /** Waits until the run's wave has the status (dr_run_status), or the run ended. */
  async function waveStatus(call: Awaited<ReturnType<typeof start>>['call'], runId: string, wave: string) {
    return waitFor(
      async () => {
        const status = (await call('dr_run_status', { runId })).structuredContent!;
        const found = (status.waves as Array<{ name: string; status: string }>).find((w) => w.name === wave);
        return found?.status === 'held' || ['completed', 'failed', 'cancelled'].includes(status.status)
          ? status
          : undefined;
      },
      `wave ${wave} to be held`,
      { timeoutMs: 60_000, intervalMs: 300 },
    );
  }

  it('controls a drill: a held wave is released only with the typed plan name, then the drill is cleaned up', async () => {
    const asked: string[] = [];
    let answer: (message: string) => ElicitResult = typeWhatIsAsked(asked);
    const { call, auditPath } = await start((message) => answer(message));
    const started = await call('dr_start_drill', { plan: 'held-app' });
    const runId = started.structuredContent?.runId as string;
    assert.ok(runId, JSON.stringify(started.structuredContent));
    const held = await waveStatus(call, runId, 'app');
    assert.equal(
      (held!.waves as Array<{ name: string; status: string }>).find((w) => w.name === 'app')?.status,
      'held',
      JSON.stringify(held),
    );

    answer = () => ({ action: 'accept', content: { environment: 'held' } });
    const wrong = await call('dr_resume_run', { runId, wave: 'app' });
    assert.equal(wrong.structuredContent?.refusal?.code, 'approval-denied', JSON.stringify(wrong.structuredContent));
    const still = (await call('dr_run_status', { runId })).structuredContent!;
    assert.equal((still.waves as Array<{ name: string; status: string }>)[1].status, 'held', 'nothing was released');
    const early = await call('dr_cleanup_drill', { runId });
    assert.equal(early.structuredContent?.refusal?.code, 'run-active', 'no cleanup while the drill runs');

    answer = typeWhatIsAsked(asked);
    const resumed = await call('dr_resume_run', { runId, wave: 'app' });
    assert.equal(resumed.isError, undefined, JSON.stringify(resumed.structuredContent));
    const final = await waitFor(
      async () => {
        const status = await call('dr_run_status', { runId });
        return ['completed', 'failed', 'cancelled'].includes(status.structuredContent?.status) ? status : undefined;
      },
      'the drill to end',
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    assert.equal(final?.structuredContent?.status, 'completed', JSON.stringify(final?.structuredContent));
    const launched = await recoveryInstances();
    assert.ok(launched >= 2, `the drill launched recovery instances (${launched})`);

    const cleaned = await call('dr_cleanup_drill', { runId });
    assert.equal(cleaned.structuredContent?.status, 'succeeded', JSON.stringify(cleaned.structuredContent));
    assert.equal((cleaned.structuredContent?.recoveryInstanceIds as string[]).length, launched);
    await waitFor(async () => ((await recoveryInstances()) === 0 ? true : undefined), 'the recovery instances to go', {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    assert.ok(asked.filter((name) => name === 'held-app').length >= 3, `asked: ${asked.join(', ')}`);

    const records = await readAuditTrail(auditPath);
    const decisions = records
      .filter((record) => record.operation?.startsWith('dr.run.') || record.operation === 'dr.drill.cleanup')
      .map((record) => [record.operation, record.outcome, record.decision]);
    assert.deepEqual(decisions, [
      ['dr.run.resume', 'refused', 'refused'],
      ['dr.drill.cleanup', 'refused', 'refused'],
      ['dr.run.resume', 'succeeded', 'resumed'],
      ['dr.drill.cleanup', 'succeeded', 'cleaned-up'],
    ]);
    assert.ok(
      records.some(
        (record) =>
          record.operation === 'drs.recoveryInstances.terminate' &&
          record.caller === 'mcp' &&
          record.outcome === 'succeeded',
      ),
      'the terminate went through the runner as the MCP caller',
    );
  });

  it('pauses without a form, cancels only with the typed plan name; a client without forms cannot cancel', async () => {
    const asked: string[] = [];
    const { call } = await start(typeWhatIsAsked(asked));
    const runId = (await call('dr_start_drill', { plan: 'held-app' })).structuredContent?.runId as string;
    await waveStatus(call, runId, 'app');
    const paused = await call('dr_pause_run', { runId });
    assert.equal(paused.isError, undefined, JSON.stringify(paused.structuredContent));
    asked.length = 0;

    const formless = await start();
    const refused = await formless.call('dr_cancel_run', { runId });
    assert.equal(refused.structuredContent?.refusal?.code, 'not-controllable', 'another server cannot control the run');

    const cancelled = await call('dr_cancel_run', { runId });
    assert.equal(cancelled.isError, undefined, JSON.stringify(cancelled.structuredContent));
    assert.deepEqual(asked, ['held-app']);
    const final = await waitFor(
      async () => {
        const status = await call('dr_run_status', { runId });
        return ['completed', 'failed', 'cancelled'].includes(status.structuredContent?.status) ? status : undefined;
      },
      'the drill to end',
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    assert.equal(final?.structuredContent?.status, 'cancelled');
    const afterEnd = await call('dr_pause_run', { runId });
    assert.equal(afterEnd.structuredContent?.refusal?.code, 'not-controllable');
  });

  it('a drill without elicitation, or with the wrong name, is refused and starts nothing', async () => {
    for (const answer of [undefined, () => ({ action: 'accept' as const, content: { environment: 'prod' } })]) {
      const { call, auditPath } = await start(answer);
      const refused = await call('dr_start_drill', { plan: 'db-only' });
      assert.equal(refused.structuredContent?.status, 'refused');
      assert.equal(refused.structuredContent?.refusal?.code, 'approval-denied');
      const records = await readAuditTrail(auditPath);
      assert.ok(records.some((record) => record.operation === 'dr.drill.start' && record.outcome === 'refused'));
    }
    assert.equal(await drsJobs(), 0);
  });
});

/** Every file under a folder, with its size, to show that nothing was written. */
function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => `${join(entry.parentPath, entry.name)} ${statSync(join(entry.parentPath, entry.name)).size}`)
    .sort();
}
